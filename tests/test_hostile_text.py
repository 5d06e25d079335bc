"""Knowledge-base text cannot style, link, move or retitle the terminal in any format."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import DATA, Invoke
from exercise import raw_controls, strip_sgr
from nqpf_cli.textsafe import neutralize
from nqpf_cli.yamlsafe import decode, parse, plain

HOSTILE = ["--no-default", "--kb", str(DATA / "hostile.yaml")]
COMMANDS = [["define", "hostile"], ["list"], ["compare", "hostile", "hostile-2"]]
DANGEROUS = ["\x1b", "\x07", "\x9b", "\u202e", "\u200b", "\r"]


@pytest.fixture
def hostile_pair(tmp_path):  # type: ignore[no-untyped-def]
    second = tmp_path / "second.yaml"
    second.write_text(
        "entries:\n  - {id: hostile-2, kind: concept, name: 'Other [i]x[/i]', summary: s,"
        ' definition: "\\e[5mblink", sources: [{title: t, url: "https://x.org"}]}\n',
        encoding="utf-8",
    )
    return [*HOSTILE, "--kb", str(second)]


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_human_formats_are_inert(
    invoke: Invoke, hostile_pair: list[str], command: list[str], fmt: str
) -> None:
    for color in ("never", "always"):
        result = invoke(*hostile_pair, "--color", color, *command, "--format", fmt)
        assert result.code == 0, result.err
        text = result.out
        if color == "always" and fmt == "table":
            # Rich's own styling escapes are allowed; none may come from the data.
            text = _strip_sgr(text)
        for bad in DANGEROUS:
            assert bad not in text, (command, fmt, color, repr(bad))
        if command[0] == "define":
            assert "[bold red]Evil[/]" in text or "\\[bold red\\]Evil\\[/\\]" in text


def _strip_sgr(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_json_carries_hostile_text_exactly(invoke: Invoke) -> None:
    data = json.loads(invoke(*HOSTILE, "define", "hostile", "--json").out)[0]
    assert data["name"] == "[bold red]Evil[/] \x1b[31mRED\x1b[0m"
    assert data["name_zh"] == "恶意\u202e反转"
    assert "\x1b]52;c;ZXZpbA==\x07" in data["definition"]
    assert "\r" in data["definition"]
    assert data["sources"][0]["publisher"] == "\x1b[2JClear"


def test_markup_lookalike_aliases_resolve_literally(invoke: Invoke) -> None:
    assert invoke(*HOSTILE, "define", "[/]", "--json").code == 0
    assert invoke(*HOSTILE, "define", ":warning:", "--json").code == 0


def test_error_messages_neutralise_the_query(invoke: Invoke) -> None:
    result = invoke(*HOSTILE, "define", "\x1b]0;title\x07nothing")
    assert result.code == 1
    assert "\x1b" not in result.err and "\\u001b" in result.err


def test_csv_formula_cells_are_quoted(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - {id: f, kind: concept, name: '=HYPERLINK(\"x\")', summary: '@SUM(A1)',"
        " definition: d, sources: [{title: t, url: 'https://x.org'}]}\n"
    )
    out = invoke("--no-default", "--kb", str(path), "list", "-f", "csv").out
    assert "'=HYPERLINK" in out and "'@SUM(A1)" in out


def test_markdown_escapes_html_and_table_syntax(invoke: Invoke) -> None:
    out = invoke(*HOSTILE, "define", "hostile", "-f", "markdown").out
    assert "<script>" not in out
    assert "\\<script\\>" in out


def test_neutralize_keeps_ordinary_text() -> None:
    text = "新质生产力 — xīn zhì shēngchǎnlì 👩\u200d🔬 soft\u00adhyphen\ttab\nline"
    assert neutralize(text) == text


# -- every command that prints entry text, in every format (tests/data/hostile-full.yaml) ------

FULL_PATH = DATA / "hostile-full.yaml"
FULL = ["--no-default", "--kb", str(FULL_PATH)]
ALL_IDS = ["hostile-concept", "hostile-plan", "hostile-sector"]
ENTRY_COMMANDS = {
    "define": ["define", *ALL_IDS],
    "compare": ["compare", *ALL_IDS],
    "list": ["list"],
    "search": ["search", "evil"],
    "related": ["related", "hostile-concept", "--depth", "3"],
    "timeline": ["timeline"],
    "sectors": ["sectors"],
}


def _raw_full() -> dict[str, Any]:
    """The fixture as nqpf's own strict loader reads it: the exact strings to expect."""
    root = parse(decode(FULL_PATH.read_bytes()))
    assert root is not None
    data: dict[str, Any] = plain(root)
    return data


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
@pytest.mark.parametrize("name", list(ENTRY_COMMANDS))
def test_every_command_renders_hostile_text_inert(invoke: Invoke, name: str, fmt: str) -> None:
    # Tables at 80 columns fold long text, so the literal checks use a very wide terminal.
    runs = [("never", "80"), ("always", "80"), ("never", "20000")] if fmt == "table" else []
    for color, columns in runs or [("never", "80")]:
        args = ["--color", color, *ENTRY_COMMANDS[name], "-f", fmt]
        result = invoke(*FULL, *args, env={"COLUMNS": columns})
        assert (result.code, result.err) == (0, ""), (name, fmt, result.err)
        text = strip_sgr(result.out) if color == "always" else result.out
        assert not raw_controls(text), (name, fmt, color, raw_controls(text)[:5])
        assert "⚠" not in text and "😄" not in text, "emoji shortcodes must not be replaced"
        if name == "define":
            assert text.count("W") >= 3 * 10_000, "a very long word must not be cut"
        if (name == "sectors" and fmt == "plain") or (columns == "80" and fmt == "table"):
            continue  # sectors plain prints ids only; a narrow table folds words
        assert ":warning:" in text
        assert "[bold" in text or "\\[bold" in text, (name, fmt)  # markup printed, not applied
        if name == "define":
            assert "[link=https://evil.example/]Source[/link]" in text or (
                "\\[link=https://evil.example/\\]Source\\[/link\\]" in text
            )


@pytest.mark.parametrize("style", ["apa", "chicago", "bibtex"])
def test_cite_renders_hostile_sources_inert(invoke: Invoke, style: str) -> None:
    result = invoke(*FULL, "cite", *ALL_IDS, "-s", style)
    assert (result.code, result.err) == (0, "")
    assert not raw_controls(result.out)
    assert "⚠" not in result.out and ":warning:" in result.out


def test_every_json_output_carries_hostile_text_exactly(invoke: Invoke) -> None:
    raw = _raw_full()
    by_id = {e["id"]: e for e in raw["entries"]}

    def run(*args: str) -> Any:
        result = invoke(*FULL, *args)
        assert (result.code, result.err) == (0, ""), (args, result.err)
        return json.loads(result.out)

    for item in run("define", *ALL_IDS, "--json"):
        source = by_id[item["id"]]
        for key in ("name", "name_zh", "pinyin", "aliases", "tags", "summary", "definition"):
            assert item[key] == source[key], key
        assert item["notes"] == source["notes"]
        assert item["translations"][0]["text"] == source["translations"][0]["text"]
        assert item["translations"][0]["used_by"] == source["translations"][0]["used_by"]
        for key in ("title", "publisher", "author", "note"):
            assert item["sources"][0][key] == source["sources"][0][key]
    for item in run("list", "--json"):
        for key in ("name", "name_zh", "pinyin", "summary", "tags"):
            assert item[key] == by_id[item["id"]][key]
    compared = run("compare", *ALL_IDS, "--json")
    assert [e["name"] for e in compared["entries"]] == [by_id[i]["name"] for i in ALL_IDS]
    goal = next(row for row in compared["rows"] if row["key"] == "goal")
    assert goal["label"] == raw["dimensions"]["goal"]["en"]
    assert goal["label_zh"] == raw["dimensions"]["goal"]["zh"]
    assert goal["values"][1]["text"] == by_id["hostile-plan"]["dimensions"]["goal"]["text"]
    for hit in run("search", "evil", "--json"):
        assert hit["name"] == by_id[hit["id"]]["name"]
    tree = run("related", "hostile-concept", "--depth", "3", "--json")
    assert tree["name"] == by_id["hostile-concept"]["name"]
    for moment in run("timeline", "--json"):
        assert moment["name"] == by_id[moment["id"]]["name"]
        assert moment["summary"] == by_id[moment["id"]]["summary"]
    grid = run("sectors", "--json")
    assert grid["rows"][0]["name"] == by_id["hostile-sector"]["name"]
    assert grid["columns"][0]["name_zh"] == by_id["hostile-plan"]["name_zh"]
    for item in run("cite", "hostile-concept", "-s", "csl-json"):
        source = by_id["hostile-concept"]["sources"][0]
        assert (item["title"], item["publisher"], item["note"]) == (
            source["title"],
            source["publisher"],
            source["note"],
        )
        assert item["author"] == [{"literal": source["author"]}]


HOSTILE_KEY = "bad\x1b]0;t\x07key [link=x]y[/link] :warning: \u202e"


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
def test_validate_messages_render_hostile_keys_inert(invoke: Invoke, write_kb, fmt: str) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - id: a\n    kind: concept\n    name: A\n    summary: s\n"
        '    definition: d\n    "bad\\e]0;t\\akey [link=x]y[/link] :warning: \\u202e": 1\n'
    )
    for color in ("never", "always") if fmt == "table" else ("never",):
        result = invoke("--no-default", "--color", color, "validate", str(path), "-f", fmt)
        assert result.code == 3
        text = strip_sgr(result.out) if color == "always" else result.out
        assert "unknown key 'bad" in text
        assert not raw_controls(text) and "⚠" not in text
        assert "[link=x]y[/link]" in text or "\\[link=x\\]y\\[/link\\]" in text
    findings = json.loads(invoke("--no-default", "validate", str(path), "--json").out)
    assert any(f"unknown key '{HOSTILE_KEY}'" in f["message"] for f in findings)
    # other commands refuse the file with one neutralised line
    refused = invoke("--no-default", "--kb", str(path), "list")
    assert refused.code == 3 and refused.out == "" and refused.err.count("\n") == 1
    assert not raw_controls(refused.err) and "\\u001b]0;t\\u0007key" in refused.err


def test_search_highlights_stay_on_the_matched_text(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    # Ligatures and enclosed numbers change length under NFKC, and line breaks used to be
    # collapsed: both shifted every highlight off the word it was meant to mark.
    path = write_kb(
        "entries:\n  - {id: a, kind: concept, name: 'ﬁnance ① target', summary: \"one\\n\\n"
        "   two   target\", definition: d, sources: [{title: t, url: 'https://x.org'}]}\n"
    )
    for hit in json.loads(
        invoke("--no-default", "--kb", str(path), "search", "target", "--json").out
    ):
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower() == "target"


def test_search_field_names_from_the_knowledge_base_are_inert(invoke: Invoke) -> None:
    # The "matched in" column names a dimension by its label, which is knowledge-base text.
    for fmt in ("plain", "csv", "markdown", "table"):
        result = invoke(*FULL, "search", "cell", "-f", fmt)
        assert result.code == 0 and "dimension:Goal" in result.out
        assert not raw_controls(result.out), (fmt, raw_controls(result.out))


def test_markdown_source_urls_are_neutralised_even_if_unvalidated() -> None:
    from nqpf_cli import formats
    from nqpf_cli.describe import describe
    from nqpf_cli.models import Entry, KnowledgeBase, Position, Source

    entry = Entry(
        id="a",
        kind="concept",
        name="A",
        summary="s",
        definition="d",
        position=Position("x.yaml"),
        sources=(Source("t", url="https://x.org/\x1b]8;;\u202e<b>"),),
    )
    kb = KnowledgeBase(entries={"a": entry}, dimensions={}, findings=[])
    out = formats.markdown_define([describe(entry, kb)], kb)
    assert not raw_controls(out)
    assert "(<https://x.org/\\u001b]8;;\\u202e%3Cb%3E>)" in out


def test_undecodable_argument_bytes_are_shown_as_escapes(invoke: Invoke) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
    result = invoke(*MINI_KB, "define", "caf\udce9")
    assert result.code == 1 and result.out == ""
    assert "caf\\udce9" in result.err and not raw_controls(result.err)


MINI_KB = ["--no-default", "--kb", str(DATA / "mini.yaml")]
