"""`nqpf export --format skos|jsonld`: rdflib reads the SKOS back, with the right labels,
links, dates and sources; strings and IRIs are escaped so any text survives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic

from conftest import Invoke
from exportkit import hostile_selection, shipped
from nqpf_cli.describe import plain_text
from nqpf_cli.export import DEFAULT_BASE_IRI, iri_escape, web_url
from nqpf_cli.export_skos import export_jsonld, export_turtle, turtle_string
from nqpf_cli.models import KnowledgeBase

DCTERMS, RDF, SKOS = namespace.DCTERMS, namespace.RDF, namespace.SKOS  # not XSD: see below
# rdflib's JSON-LD parser still uses its own deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

BASE = DEFAULT_BASE_IRI


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return shipped()


@pytest.fixture(scope="module")
def turtle_text() -> str:
    from nqpf_cli.export import select

    return export_turtle(select(shipped()), BASE)


@pytest.fixture(scope="module")
def graph(turtle_text: str) -> Graph:
    return Graph().parse(data=turtle_text, format="turtle")


def term(entry_id: str) -> URIRef:
    return URIRef(BASE + entry_id)


def test_one_concept_per_entry_in_one_scheme(graph: Graph, kb: KnowledgeBase) -> None:
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(kb.entries) == 105
    assert concepts == {term(i) for i in kb.entries}
    (scheme,) = graph.subjects(RDF.type, SKOS.ConceptScheme)
    assert scheme == URIRef(BASE)
    assert all((c, SKOS.inScheme, scheme) in graph for c in concepts)
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops and all(not list(graph.objects(c, SKOS.broader)) for c in tops)


def test_labels_in_english_chinese_and_pinyin(graph: Graph, kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        labels = set(graph.objects(term(entry.id), SKOS.prefLabel))
        assert Literal(entry.name, lang="en") in labels
        assert Literal(entry.name_zh, lang="zh") in labels
        alt = set(graph.objects(term(entry.id), SKOS.altLabel))
        assert Literal(entry.pinyin, lang="zh-latn-pinyin") in alt
        # SKOS: at most one prefLabel per language; pref, alt and hidden labels disjoint
        assert len(labels) == 2
        hidden = set(graph.objects(term(entry.id), SKOS.hiddenLabel))
        assert not (labels & alt) and not (alt & hidden) and not (labels & hidden)
    nqpf = term("new-quality-productive-forces")
    assert Literal("NQPF", lang="en") in set(graph.objects(nqpf, SKOS.altLabel))
    hidden = set(graph.objects(nqpf, SKOS.hiddenLabel))
    assert Literal("xinzhishengchanli", lang="zh-latn-pinyin") in hidden
    definition = graph.value(nqpf, SKOS.definition)
    assert isinstance(definition, Literal) and definition.language == "en"
    assert "Made in China 2025" in str(definition) and "{" not in str(definition)


def test_links_become_broader_narrower_and_related(graph: Graph, kb: KnowledgeBase) -> None:
    checked = {"broader": 0, "related": 0}
    for entry in kb.entries.values():
        me = term(entry.id)
        for target in entry.links.get("part_of", ()):
            assert (me, SKOS.broader, term(target)) in graph
            assert (term(target), SKOS.narrower, me) in graph
            checked["broader"] += 1
        for target in entry.links.get("has_part", ()):
            assert (me, SKOS.narrower, term(target)) in graph
            assert (term(target), SKOS.broader, me) in graph
        for link_type in ("related", "contrasts_with", "evolved_from", "issued_by", "sectors"):
            for target in entry.links.get(link_type, ()):
                assert (me, SKOS.related, term(target)) in graph
                assert (term(target), SKOS.related, me) in graph
                checked["related"] += 1
    assert checked["broader"] > 10 and checked["related"] > 50
    ai_plus = term("ai-plus")
    assert (ai_plus, SKOS.broader, term("new-quality-productive-forces")) in graph
    assert (ai_plus, SKOS.related, term("internet-plus")) in graph


def test_dates_sources_and_collections(graph: Graph, kb: KnowledgeBase) -> None:
    xsd = namespace.XSD  # a module-level XSD warns when pytest looks for fixtures on it
    types = {10: xsd.date, 7: xsd.gYearMonth, 4: xsd.gYear}
    for entry in kb.entries.values():
        created = graph.value(term(entry.id), DCTERMS.created)
        if entry.date is None:
            assert created is None
        else:
            assert isinstance(created, Literal)
            assert str(created) == entry.date and created.datatype == types[len(entry.date)]
        sources = set(graph.objects(term(entry.id), DCTERMS.source))
        for source in entry.sources:
            url = web_url(source.url)
            if url:
                assert URIRef(url) in sources
                assert Literal(source.title) in set(graph.objects(URIRef(url), DCTERMS.title))
            else:
                assert any(str(s).startswith(source.title) for s in sources), source
    people = URIRef(BASE + "kinds/person")
    assert (people, RDF.type, SKOS.Collection) in graph
    members = set(graph.objects(people, SKOS.member))
    assert members == {term(e.id) for e in kb.entries.values() if e.kind == "person"}


def test_turtle_is_readable(turtle_text: str) -> None:
    assert turtle_text.startswith("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
    assert "@prefix term: <https://nqpf.example/term/> ." in turtle_text
    assert "\nterm:new-quality-productive-forces\n    a skos:Concept ;\n" in turtle_text


def test_jsonld_holds_the_same_triples(invoke: Invoke, graph: Graph) -> None:
    result = invoke("export", "--format", "jsonld")
    assert result.code == 0
    other = Graph().parse(data=result.out, format="json-ld")
    assert len(other) == len(graph)
    assert isomorphic(other, graph)


def test_base_iri_option_is_used_and_encoded(invoke: Invoke) -> None:
    base = "https://example.org/my vocab/"
    result = invoke("export", "-f", "skos", "--base-iri", base, "--kind", "person")
    assert result.code == 0, result.err
    graph = Graph().parse(data=result.out, format="turtle")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert URIRef("https://example.org/my%20vocab/xi-jinping") in concepts
    assert len(concepts) == 6
    # links to entries left out of the export are dropped, not left dangling
    assert all(o in concepts for o in graph.objects(None, SKOS.related))


def test_hostile_text_survives_exactly() -> None:
    selection = hostile_selection()
    kb = selection.kb
    for text in (export_turtle(selection, BASE), export_jsonld(selection, BASE)):
        fmt = "turtle" if text.startswith("@prefix") else "json-ld"
        graph = Graph().parse(data=text, format=fmt)
        for entry in kb.entries.values():
            me = term(entry.id)
            assert Literal(entry.name, lang="en") in set(graph.objects(me, SKOS.prefLabel))
            assert str(graph.value(me, DCTERMS.abstract)) == entry.summary
            assert str(graph.value(me, SKOS.definition)) == plain_text(entry.definition, kb)
        sources = {str(s) for s in graph.objects(term("hostile-urls"), DCTERMS.source)}
        assert not any(s.lower().lstrip().startswith(("javascript", "data:")) for s in sources)
        assert "https://example.org/a%20b%22c%3Cd%3Ee%0A" in sources
    turtle = export_turtle(selection, BASE)
    assert "\x1b" not in turtle and "\u202e" not in turtle and "\x01" not in turtle


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_string_round_trips_through_turtle(value: str) -> None:
    data = f"<https://x.org/s> <https://x.org/p> {turtle_string(value)} .\n"
    graph = Graph().parse(data=data, format="turtle")
    assert str(graph.value(URIRef("https://x.org/s"), URIRef("https://x.org/p"))) == value


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_path_makes_a_valid_iri(value: str) -> None:
    iri = iri_escape("https://x.org/" + value)
    assert not set(iri) & set('<>"{}|^`\\ \t\n')
    assert all(ord(ch) > 0x20 for ch in iri)
    graph = Graph().parse(data=f"<{iri}> <https://x.org/p> 1 .\n", format="turtle")
    assert len(graph) == 1
    assert iri_escape(iri) == iri  # escaping twice changes nothing
