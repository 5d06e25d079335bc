"""Property tests: any input gives a result or a clean error, never an escaping exception.

Bounded for CI by the `ci` profile (a few dozen examples per property). For a long run:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py -q

(see docs/reliability.md for the runs made and what they found).
"""

from __future__ import annotations

import atexit
import os
import shutil
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conftest import DATA
from exercise import check, raw_controls
from nqpf_cli.errors import NotFoundError
from nqpf_cli.kb import assemble, load
from nqpf_cli.layers import Layer
from nqpf_cli.models import KINDS, KnowledgeBase
from nqpf_cli.normalize import _compact_any, compact
from nqpf_cli.resolve import Match, Resolver
from nqpf_cli.search import fold, parse_query, search
from nqpf_cli.yamlsafe import MAX_DEPTH, Node, YamlProblem, decode, parse, plain

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "long",
    max_examples=4000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WORK = Path(tempfile.mkdtemp(prefix="nqpf-properties-"))
atexit.register(shutil.rmtree, WORK, True)
CACHE = {"NQPF_CACHE_DIR": str(WORK / "cache")}
MINI = assemble([Layer(DATA / "mini.yaml", "--kb")])
# The same knowledge base through the on-disk SQLite index (what the CLI normally uses).
INDEXED = load([str(DATA / "mini.yaml")], CACHE, include_shipped=False, include_user=False)
BOTH = pytest.mark.parametrize("kb", [MINI, INDEXED], ids=["in-memory", "indexed"])


def load_text(text: str | bytes, indexed: bool = False) -> KnowledgeBase:
    """The real loading path: a file on disk, read, decoded, parsed, built and checked."""
    path = WORK / "kb.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    if indexed:
        return load([str(path)], CACHE, include_shipped=False, include_user=False)
    return assemble([Layer(path, "--kb")])


# -- strategies ------------------------------------------------------------------------------

# Any character a YAML file may hold (no surrogates, no mid-file BOM, no raw NEL: PyYAML
# writes U+0085 raw and nqpf refuses it, see docs/reliability.md).
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff\x85")
HOSTILE = [
    "[bold red]x[/]",
    "[link=https://evil.example/]y[/link]",
    "[/]",
    ":warning:",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "\x1bP+q\x1b\\",
    "\u202e",
    "\u2066",
    "\u200b",
    "\u2028",
    "\r",
    "\x00",
    "ﬁ",
    "①",
    "ｆｕｌｌ",
    "新质生产力",
    "xīn zhì",
    "{a}",
    "=cmd|' /C calc'!A0",
    "<script>",
    "W" * 300,
]
text = st.one_of(
    st.text(chars, max_size=30),
    st.sampled_from(HOSTILE),
    st.lists(st.one_of(st.text(chars, max_size=8), st.sampled_from(HOSTILE)), max_size=5).map(
        "".join
    ),
)
required = text.map(lambda s: "x" + s)  # required fields must not be blank
url = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")),
    max_size=15,
).map(lambda s: "https://example.org/" + s)
dates = st.sampled_from([None, "2015", "2015-05", "2023-09-07", "2024-02-29"])


@st.composite
def entry_docs(draw: Any, entry_id: str, others: list[str]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": entry_id,
        "kind": draw(st.sampled_from(KINDS)),
        "name": draw(required),
        "summary": draw(required),
        "definition": draw(required) + draw(st.sampled_from(["", *[f" {{{o}}}" for o in others]])),
        "sources": [
            {"title": draw(required), "url": draw(url), "publisher": draw(text), "note": draw(text)}
        ],
    }
    optional = {
        "name_zh": text,
        "pinyin": text,
        "aliases": st.lists(required, max_size=3),
        "tags": st.lists(required, max_size=3),
        "notes": required,
        "status": st.sampled_from(["active", "superseded"]),
        "translations": st.lists(
            st.fixed_dictionaries({"text": required, "used_by": required}), max_size=2
        ),
        "dimensions": st.fixed_dictionaries({"goal": st.fixed_dictionaries({"text": required})}),
        "links": st.fixed_dictionaries(
            {},
            optional={"related": st.just(others).map(list), "sectors": st.just(others).map(list)},
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    date = draw(dates)
    if date:
        doc["date"] = date
    return doc


@st.composite
def knowledge_bases(draw: Any) -> str:
    """A valid-shaped knowledge base, written by PyYAML, with hostile text in every field."""
    ids = ["a", "b", "c"][: draw(st.integers(1, 3))]
    entries = [draw(entry_docs(i, [o for o in ids if o != i])) for i in ids]
    if draw(st.booleans()):
        entries[0]["kind"] = "initiative"
        entries[-1]["kind"] = "sector"
    doc = {"dimensions": {"goal": {"en": draw(required), "zh": draw(text)}}, "entries": entries}
    return yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)


trees = st.recursive(
    st.text(chars, max_size=12),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(chars, max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)
YAMLISH = [
    "entries:", "\n", "  ", "    ", "- ", "id: a", "kind: concept", "name: ", "{", "}", "[",
    "]", ", ", ": ", "&a ", "*a", "!!str ", "!x ", "? ", "---", "...", "'", '"', "#", "\t",
    "\\e", "\\u202e", "|", ">-", "%YAML 1.1", "sources:", "- {title: t, url: 'https://x'}",
    "summary: s", "definition: d {a}", "links: {related: [a]}", "<<: ", "~", "2024-02-30",
]  # fmt: skip
yamlish = st.lists(st.sampled_from(YAMLISH), max_size=40).map("".join)


# -- loader -------------------------------------------------------------------------------


def _loads(data: bytes) -> Node | None:
    try:
        return parse(decode(data))
    except YamlProblem as problem:
        assert problem.line >= 1 and problem.column >= 1
        assert "\n" not in problem.message and problem.message
        return None


@given(st.binary(max_size=600))
def test_loader_takes_any_bytes(data: bytes) -> None:
    _loads(data)


@given(st.text(max_size=300))
def test_loader_takes_any_text(source: str) -> None:
    _loads(source.encode("utf-8", "surrogatepass"))
    _loads(source.encode("utf-16"))


@given(yamlish)
def test_loader_takes_yaml_like_token_soup(source: str) -> None:
    root = _loads(source.encode("utf-8"))
    if root is not None:
        plain(root)


@given(trees)
def test_loader_reads_back_what_pyyaml_wrote(tree: Any) -> None:
    """What you wrote is what you get: every scalar a string, exactly as written."""
    assume(not (isinstance(tree, str) and tree == ""))
    for allow_unicode in (True, False):
        dumped = yaml.safe_dump(tree, allow_unicode=allow_unicode)
        try:
            root = parse(decode(dumped.encode("utf-8")))
        except YamlProblem as problem:
            # PyYAML writes a raw NEL, which YAML 1.1 reads as a line break: refused.
            assert problem.rule == "encoding" and "\x85" in dumped
            continue
        assert root is not None
        assert plain(root) == tree


@given(st.integers(1, 3 * MAX_DEPTH), st.sampled_from(["[", "{a: ", "- "]))
def test_nesting_is_refused_past_the_limit_only(depth: int, opener: str) -> None:
    if opener == "- ":
        source = "".join("  " * i + "- \n" for i in range(depth - 1)) + "  " * depth + "- x\n"
    else:
        source = opener * depth + "x" + ("]" if opener == "[" else "}") * depth
    try:
        parse(decode(source.encode()))
    except YamlProblem as problem:
        assert depth > MAX_DEPTH
        assert problem.rule in ("too-deep", "yaml-syntax")


# -- building and checking -----------------------------------------------------------------

entry_like = st.dictionaries(
    st.sampled_from(["id", "kind", "name", "summary", "definition", "sources", "links",
                     "aliases", "date", "dimensions", "translations", "junk", "override"]),
    trees,
    max_size=8,
)  # fmt: skip


@given(
    st.dictionaries(st.sampled_from(["entries", "dimensions", "version", "x"]), trees),
    st.lists(entry_like, max_size=3),
)
def test_building_any_tree_gives_findings_not_exceptions(
    top: dict[str, Any], entries: list[Any]
) -> None:
    doc = {**top, "entries": entries} if entries else top
    kb = load_text(yaml.safe_dump(doc, allow_unicode=True) if doc else "")
    for finding in kb.findings:
        assert finding.position.line >= 1 and finding.position.column >= 1
        assert finding.rule and finding.message


# -- resolver and search ---------------------------------------------------------------------

queries = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=30),  # surrogates included
    st.sampled_from(["AP", "ai+", "  Alpha   PLAN ", "甲计划", "jia jihua", "jiǎ jìhuà", "[/]"]),
)


@BOTH
@given(query=queries)
@example(query="caf\udce9")  # found by the long run: undecodable argv bytes crashed SQLite lookups
def test_resolver_gives_a_match_or_not_found(kb: KnowledgeBase, query: str) -> None:
    try:
        match = Resolver(kb).resolve(query)
    except NotFoundError as exc:
        assert "\n" not in exc.message and not raw_controls(exc.message)
    else:
        assert isinstance(match, Match) and match.entry.id in kb.entries


@BOTH
@given(query=queries)
@example(query="00\x00")  # found by the long run: a NUL cut the FTS5 query ("unterminated string")
@example(query="caf\udce9")
def test_search_never_raises_and_highlights_what_matched(kb: KnowledgeBase, query: str) -> None:
    terms = parse_query(query.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    hits = search(kb, query, limit=0)
    if not terms:
        assert hits == []
    for hit in hits:
        for start, end in hit.snippet.spans:
            assert 0 <= start <= end <= len(hit.snippet.text)
            shown = fold(hit.snippet.text[start:end])
            if hit.snippet.field != "pinyin":
                assert any(shown in term or term in shown for term in terms), (shown, terms)


@given(text=st.text(st.characters(max_codepoint=127)))
def test_the_ascii_shortcut_of_compact_folds_like_the_general_path(text: str) -> None:
    assert compact(text) == _compact_any(text)


MINI_TEXT = (DATA / "mini.yaml").read_text(encoding="utf-8")
fragments = st.builds(
    lambda start, size: MINI_TEXT[start : start + size],
    st.integers(0, len(MINI_TEXT)),
    st.integers(1, 14),
)


@given(
    query=st.one_of(queries, fragments, st.lists(fragments, min_size=2, max_size=3).map(" ".join))
)
@example(query="lan")  # inside a word: the trigram index has no word boundaries
@example(query='"alpha plan" 甲')  # a phrase and a one-character word
@example(query="%_")  # LIKE wildcards must stay literal
def test_indexed_search_finds_what_a_full_scan_finds(query: str) -> None:
    """The index only picks candidates (trigrams, then instr() to confirm); below 100
    candidates it must find exactly the hits, scores and order of scoring every entry."""

    def seen(kb: KnowledgeBase) -> list[tuple[str, bool, float, str]]:
        return [
            (h.entry.id, h.matched_all, h.score, h.snippet.field)
            for h in search(kb, query, limit=0)
        ]

    assert seen(INDEXED) == seen(MINI)


# -- every renderer ---------------------------------------------------------------------------


@given(
    knowledge_bases(),
    st.sampled_from(["x", "a", "[/]", "新质", "\x1b[2J", "summary"]),
    st.integers(20, 140),
    st.booleans(),
)
def test_every_format_is_inert_and_json_is_exact(
    source: str, query: str, width: int, indexed: bool
) -> None:
    kb = load_text(source, indexed)
    assert not kb.errors(), [str(f) for f in kb.errors()][:3]
    data = yaml.safe_load(source)
    assert check(kb, query, width) > 30
    # JSON carries the text exactly
    first = data["entries"][0]
    from nqpf_cli import formats
    from nqpf_cli.describe import describe

    view = formats.view_json(describe(kb.entries[first["id"]], kb), kb)
    for key in ("name", "summary", "definition", "notes", "name_zh", "pinyin"):
        assert view[key] == first.get(key)
    assert view["sources"][0]["title"] == first["sources"][0]["title"]


@pytest.mark.parametrize("alphabet", [string.printable, "\x1b[]\\;:/\u202e\u200b"])
def test_cli_error_messages_stay_on_one_line(alphabet: str) -> None:
    from exercise import outputs

    kb = load_text(
        "entries:\n  - {id: a, kind: concept, name: '"
        + alphabet.replace("'", "''").replace("\n", " ")
        + "', summary: s, definition: d}\n"
    )
    for name, output in outputs(kb, alphabet):
        if name == "define miss message":
            assert output.count("\n") == 1
