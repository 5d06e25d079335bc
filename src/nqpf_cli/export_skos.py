"""`nqpf export --format skos|jsonld`: the knowledge base as a SKOS concept scheme.

The graph is built once as a list of statements and written either as Turtle or as
JSON-LD, so both carry exactly the same triples. The mapping (also in docs/export.md):

- the scheme is the base IRI itself (default `https://nqpf.example/term/`), a
  `skos:ConceptScheme`; each entry is `skos:Concept` `<base><id>`, `skos:inScheme` it,
  and concepts with no broader concept in the export are its top concepts;
- `name` → `skos:prefLabel @en`, `name_zh` → `skos:prefLabel @zh`, `pinyin` →
  `skos:altLabel @zh-Latn-pinyin`; aliases → `skos:altLabel` (`@zh` when they contain
  Chinese characters, else `@en`); the toneless and the compact pinyin →
  `skos:hiddenLabel @zh-Latn-pinyin` (for search);
- `definition` → `skos:definition @en` (cross-links become names), `summary` →
  `dct:abstract @en`, `notes` → `skos:note @en`, `id` → `dct:identifier`,
  `date` → `dct:created` typed `xsd:date`, `xsd:gYearMonth` or `xsd:gYear`;
- links: `part_of` → `skos:broader` (and `skos:narrower` back), `has_part` →
  `skos:narrower` (and `skos:broader` back); every other link type (`related`,
  `contrasts_with`, `evolved_from`, `evolved_into`, `sectors`, `issued_by`,
  `introduced_by`, `announced_in`) → `skos:related` both ways. `evolved_from/into` are not
  `dct:replaces`: the knowledge base records a lineage, often commentators' framing, not
  an official replacement. Links to entries left out of the export are dropped;
- sources: an http(s) URL → `dct:source <url>` (the URL resource gets `dct:title`,
  `dct:publisher`, `dct:creator` and `dct:date` literals); a source without such a URL →
  `dct:source "title — author, publisher, date (note)"`;
- each kind is a `skos:Collection` `<base>kinds/<kind>` whose members are its entries.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .describe import plain_text
from .errors import UsageError
from .export import Selection, iri_escape, kind_title, web_url
from .models import Entry, Source
from .normalize import compact

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = {"skos": SKOS, "dct": DCT, "xsd": XSD}

PINYIN_TAG = "zh-Latn-pinyin"
HIERARCHY = {"part_of": ("broader", "narrower"), "has_part": ("narrower", "broader")}
_SCHEME_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_DATE_TYPES = {1: "gYear", 2: "gYearMonth", 3: "date"}


@dataclass(frozen=True, slots=True)
class Iri:
    value: str


@dataclass(frozen=True, slots=True)
class Literal:
    value: str
    lang: str | None = None
    datatype: str | None = None  # a full IRI


Term = Iri | Literal


@dataclass(slots=True)
class Graph:
    """Statements grouped by subject, subjects and predicates in first-seen order."""

    subjects: dict[str, dict[str, list[Term]]]

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        objects = self.subjects.setdefault(subject, {}).setdefault(predicate, [])
        if obj not in objects:
            objects.append(obj)


def check_base_iri(base: str) -> str:
    """An absolute IRI, percent-encoded where needed; usage error otherwise."""
    if not _SCHEME_IRI.match(base) or base.strip() != base:
        raise UsageError(
            f"--base-iri must be an absolute IRI such as https://nqpf.example/term/, not {base!r}"
        )
    return iri_escape(base)


def _lang_of(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def _toneless(pinyin: str) -> str:
    decomposed = unicodedata.normalize("NFD", pinyin)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _source_literal(source: Source) -> str:
    meta = ", ".join(p for p in (source.author, source.publisher, source.date) if p)
    text = source.title + (f" — {meta}" if meta else "")
    if source.url:
        text += f" — {source.url}"
    if source.note:
        text += f" ({source.note})"
    return text


def _labels(graph: Graph, iri: str, entry: Entry) -> None:
    pref = {(entry.name, "en")}
    graph.add(iri, SKOS + "prefLabel", Literal(entry.name, "en"))
    if entry.name_zh:
        pref.add((entry.name_zh, "zh"))
        graph.add(iri, SKOS + "prefLabel", Literal(entry.name_zh, "zh"))
    alt: set[tuple[str, str]] = set()
    if entry.pinyin:
        alt.add((entry.pinyin, PINYIN_TAG))
        graph.add(iri, SKOS + "altLabel", Literal(entry.pinyin, PINYIN_TAG))
    for alias in entry.aliases:
        key = (alias, _lang_of(alias))
        if key not in pref and key not in alt:
            alt.add(key)
            graph.add(iri, SKOS + "altLabel", Literal(*key))
    if entry.pinyin:
        # kept apart from every other label (SKOS wants them disjoint; a toneless pinyin
        # that reads like the English name, "Xi Jinping", adds nothing)
        shown = {text for text, _ in pref | alt}
        for hidden in (_toneless(entry.pinyin), compact(entry.pinyin)):
            if hidden and hidden not in shown:
                shown.add(hidden)
                graph.add(iri, SKOS + "hiddenLabel", Literal(hidden, PINYIN_TAG))


def build_graph(selection: Selection, base: str) -> Graph:
    kb = selection.kb
    base = check_base_iri(base)
    graph = Graph({})

    def concept(entry_id: str) -> str:
        return base + entry_id

    exported = selection.ids
    broader: dict[str, set[str]] = {e.id: set() for e in selection.entries}
    for entry in selection.entries:
        for link_type, targets in entry.links.items():
            for target in targets:
                if target not in exported or target == entry.id:
                    continue
                if link_type == "part_of":
                    broader[entry.id].add(target)
                elif link_type == "has_part":
                    broader[target].add(entry.id)

    graph.add(base, RDF_TYPE, Iri(SKOS + "ConceptScheme"))
    graph.add(base, SKOS + "prefLabel", Literal("New quality productive forces glossary", "en"))
    graph.add(base, SKOS + "prefLabel", Literal("新质生产力术语表", "zh"))
    for entry in selection.entries:
        if not broader[entry.id]:
            graph.add(base, SKOS + "hasTopConcept", Iri(concept(entry.id)))

    for entry in selection.entries:
        iri = concept(entry.id)
        graph.add(iri, RDF_TYPE, Iri(SKOS + "Concept"))
        graph.add(iri, SKOS + "inScheme", Iri(base))
        if not broader[entry.id]:
            graph.add(iri, SKOS + "topConceptOf", Iri(base))
        graph.add(iri, DCT + "identifier", Literal(entry.id))
        _labels(graph, iri, entry)
        graph.add(iri, SKOS + "definition", Literal(plain_text(entry.definition, kb), "en"))
        graph.add(iri, DCT + "abstract", Literal(entry.summary, "en"))
        if entry.notes:
            graph.add(iri, SKOS + "note", Literal(plain_text(entry.notes, kb), "en"))
        if entry.date:
            datatype = XSD + _DATE_TYPES[len(entry.date.split("-"))]
            graph.add(iri, DCT + "created", Literal(entry.date, datatype=datatype))

    for entry in selection.entries:
        iri = concept(entry.id)
        for link_type, targets in entry.links.items():
            for target in targets:
                if target not in exported or target == entry.id:
                    continue
                forward, back = HIERARCHY.get(link_type, ("related", "related"))
                graph.add(iri, SKOS + forward, Iri(concept(target)))
                graph.add(concept(target), SKOS + back, Iri(iri))

    sources: dict[str, list[Source]] = {}
    for entry in selection.entries:
        iri = concept(entry.id)
        for source in entry.sources:
            url = web_url(source.url)
            if url:
                graph.add(iri, DCT + "source", Iri(url))
                sources.setdefault(url, []).append(source)
            else:
                graph.add(iri, DCT + "source", Literal(_source_literal(source)))

    for kind, entries in selection.by_kind():
        collection = f"{base}kinds/{iri_escape(kind)}"
        graph.add(collection, RDF_TYPE, Iri(SKOS + "Collection"))
        graph.add(collection, SKOS + "prefLabel", Literal(kind_title(kind), "en"))
        for entry in entries:
            graph.add(collection, SKOS + "member", Iri(concept(entry.id)))

    for url in sorted(sources):
        for source in sources[url]:
            graph.add(url, DCT + "title", Literal(source.title))
            if source.author:
                graph.add(url, DCT + "creator", Literal(source.author))
            if source.publisher:
                graph.add(url, DCT + "publisher", Literal(source.publisher))
            if source.date:
                graph.add(url, DCT + "date", Literal(source.date))
    return graph


# -- Turtle ------------------------------------------------------------------------------------

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def turtle_string(value: str) -> str:
    """A Turtle string literal: quotes, backslashes and line breaks escaped; control,
    format (bidi, zero-width), separator and surrogate/unassigned characters as \\u escapes."""
    out = ['"']
    for ch in value:
        if ch in _ECHAR:
            out.append(_ECHAR[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn", "Co", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_LOCAL = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def turtle_iri(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """A prefixed name where the local part is a plain word or slug, else `<iri>`."""
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and _LOCAL.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri_escape(iri)}>"


def _turtle_term(term: Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, Iri):
        return turtle_iri(term.value, prefixes)
    text = turtle_string(term.value)
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype:
        return f"{text}^^{turtle_iri(term.datatype)}"
    return text


def to_turtle(graph: Graph, base: str | None = None) -> str:
    """Turtle, one block per subject; concepts under `base` written as `term:<id>`."""
    prefixes = dict(PREFIXES)
    if base:
        prefixes["term"] = base
    lines = [
        f"@prefix {prefix}: <{iri_escape(namespace)}> ." for prefix, namespace in prefixes.items()
    ]
    for subject, predicates in graph.subjects.items():
        lines.append("")
        parts = []
        for predicate, objects in predicates.items():
            name = "a" if predicate == RDF_TYPE else turtle_iri(predicate, prefixes)
            values = ",\n        ".join(_turtle_term(o, prefixes) for o in objects)
            parts.append(f"    {name} {values}")
        lines.append(turtle_iri(subject, prefixes))
        lines.append(" ;\n".join(parts) + " .")
    return "\n".join(lines) + "\n"


# -- JSON-LD ----------------------------------------------------------------------------------


def _jsonld_term(term: Term) -> dict[str, str]:
    if isinstance(term, Iri):
        return {"@id": term.value}
    if term.lang:
        return {"@value": term.value, "@language": term.lang}
    if term.datatype:
        return {"@value": term.value, "@type": term.datatype}
    return {"@value": term.value}


def to_jsonld(graph: Graph) -> str:
    """Expanded JSON-LD (full IRIs, no context to fetch): one node object per subject."""
    nodes: list[dict[str, Any]] = []
    for subject, predicates in graph.subjects.items():
        node: dict[str, Any] = {"@id": subject}
        for predicate, objects in predicates.items():
            if predicate == RDF_TYPE:
                node["@type"] = [o.value for o in objects]
            else:
                node[predicate] = [_jsonld_term(o) for o in objects]
        nodes.append(node)
    return json.dumps(nodes, ensure_ascii=False, indent=2) + "\n"


def export_turtle(selection: Selection, base: str) -> str:
    return to_turtle(build_graph(selection, base), check_base_iri(base))


def export_jsonld(selection: Selection, base: str) -> str:
    return to_jsonld(build_graph(selection, base))
