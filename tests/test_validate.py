"""`nqpf validate` findings, and how every other command treats a broken knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, Invoke

GOOD_SOURCE = "sources: [{title: t, url: 'https://example.org'}]"


def kb_text(*entries: str, head: str = "") -> str:
    return head + "entries:\n" + "".join(f"  - {e}\n" for e in entries)


def entry(entry_id: str, extra: str = "", **fields: str) -> str:
    base = {
        "kind": "concept",
        "name": entry_id.title(),
        "name_zh": "名" + entry_id,
        "pinyin": "míng " + entry_id,
        "summary": "s",
        "definition": "d",
    }
    base.update(fields)
    body = ", ".join(f"{k}: {v}" for k, v in base.items())
    return (
        "{id: "
        + entry_id
        + ", "
        + body
        + ", "
        + GOOD_SOURCE
        + (", " + extra if extra else "")
        + "}"
    )


def findings(invoke: Invoke, *paths: Path, strict: bool = False) -> tuple[int, list[str], str]:
    args = ["--no-default", "validate", *map(str, paths)]
    if strict:
        args.append("--strict")
    result = invoke(*args)
    return result.code, result.out.splitlines(), result.err


def test_clean_file_validates(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    code, lines, err = findings(invoke, write_kb(kb_text(entry("a"))))
    assert (code, lines) == (0, [])
    assert "0 error(s), 0 warning(s) in 1 file(s), 1 entries" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (kb_text(entry("a", "colour: red")), "error unknown-key: entry 'a': unknown key 'colour'"),
        (
            kb_text("{id: a, kind: concept, name: A, summary: s}"),
            "kb.yaml:2:5: error missing-field: entry 'a': 'definition' is required",
        ),
        (
            kb_text(entry("a", kind="planet")),
            "error bad-kind: entry 'a': kind 'planet' is not one of",
        ),
        (
            kb_text(entry("a", date="2024-02-30")),
            "error bad-date: entry 'a': date '2024-02-30' does not exist",
        ),
        (
            kb_text(entry("a", date="March 2024")),
            "error bad-date: entry 'a': date 'March 2024' is not YYYY",
        ),
        (kb_text(entry("Bad Id")), "error bad-id: entry 'Bad Id': ids are lowercase"),
        (
            kb_text(entry("a", "links: {related: [ghost]}")),
            "error dangling-link: entry 'a': related names unknown entry 'ghost'",
        ),
        (
            kb_text(entry("a", "links: {likes: [a]}")),
            "error unknown-link-type: entry 'a': link type 'likes'",
        ),
        (
            kb_text(entry("a", definition="'See {ghost}.'")),
            "error dangling-crosslink: entry 'a': definition links to unknown entry {ghost}",
        ),
        (
            kb_text(entry("a", "dimensions: {goal: {text: x}}")),
            "error unknown-dimension: entry 'a': dimension 'goal' is not declared",
        ),
        (
            kb_text(entry("a", "translations: [{text: x, sources: [2]}]")),
            "error bad-source-ref: entry 'a': translation #1 cites source 2",
        ),
        (
            kb_text(entry("a", name="[a, b]")),
            "error wrong-type: entry 'a': 'name' must be a string, not a list",
        ),
        (
            kb_text(entry("a"), entry("a")),
            "kb.yaml:3:5: error duplicate-id: id 'a' is already defined at ",
        ),
        (
            "- a\n- b\n",
            "kb.yaml:1:1: error top-level-type: expected a mapping with 'entries:' at the top, found a list",
        ),
        ("", "kb.yaml:1:1: error top-level-type: file is empty"),
        ("version: '2'\nentries: []\n", "kb.yaml:1:10: error bad-version"),
        (
            "entries: {a: 1}\n",
            "kb.yaml:1:10: error wrong-type: 'entries' must be a list of entries, not a mapping",
        ),
    ],
)
def test_error_findings(invoke: Invoke, write_kb, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    code, lines, _ = findings(invoke, write_kb(text))
    assert code == 3
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            kb_text(
                "{id: a, kind: concept, name: A, summary: s, definition: d, " + GOOD_SOURCE + "}"
            ),
            "missing-chinese",
        ),
        (kb_text(entry("a", pinyin="ming")), "pinyin-without-tones"),
        (
            kb_text(
                "{id: a, kind: concept, name: A, name_zh: 名, pinyin: míng, summary: s, definition: d}"
            ),
            "missing-sources",
        ),
        (kb_text(entry("a", "links: {related: [a]}")), "self-link"),
        (kb_text(entry("a", "aliases: [X]"), entry("b", "aliases: [x]")), "duplicate-alias"),
        (kb_text(entry("a", summary="'" + "long " * 40 + "'")), "long-summary"),
    ],
)
def test_warnings_pass_unless_strict(invoke: Invoke, write_kb, text: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(text)
    code, lines, _ = findings(invoke, path)
    assert code == 0
    assert any(f"warning {rule}:" in line for line in lines), lines
    strict_code, _, _ = findings(invoke, path, strict=True)
    assert strict_code == 3


def test_all_errors_in_one_run(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    code, lines, err = findings(
        invoke,
        write_kb(
            kb_text(
                entry("a", kind="x"),
                entry("b", date="2024-13"),
                entry("c", "links: {related: [z]}"),
            )
        ),
    )
    assert code == 3 and len(lines) == 3
    assert "3 error(s)" in err


def test_findings_json(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(kb_text(entry("a", kind="x")))
    result = invoke("--no-default", "validate", str(path), "--json")
    data = json.loads(result.out)
    assert data == [
        {
            "path": data[0]["path"],
            "line": 2,
            "column": data[0]["column"],
            "severity": "error",
            "rule": "bad-kind",
            "message": "entry 'a': kind 'x' is not one of concept, initiative, document, sector, institution, event, person",
        }
    ]
    assert data[0]["path"].endswith("kb.yaml")


def test_duplicates_across_layers(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    first = write_kb(kb_text(entry("a")), "one.yaml")
    second = write_kb(kb_text(entry("a")), "two.yaml")
    code, lines, _ = findings(invoke, first, second)
    assert code == 3
    assert any(
        "two.yaml:2:5: error duplicate-id: id 'a' is already defined at" in line
        and "one.yaml:2:5" in line
        for line in lines
    )


@pytest.mark.parametrize("command", [["define", "a"], ["list"], ["compare", "a", "b"]])
def test_other_commands_refuse_a_broken_kb_with_one_line(
    invoke: Invoke, write_kb, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_kb("entries:\n  - {id: a, kind: concept}\n  - {id: a, name: 3: 4}\n")
    result = invoke("--no-default", "--kb", str(path), *command)
    assert result.code == 3
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith("nqpf: error: ")
    assert "kb.yaml:3:" in result.err


def test_missing_and_empty_paths(invoke: Invoke, tmp_path: Path) -> None:
    missing = invoke("--no-default", "--kb", str(tmp_path / "nope.yaml"), "list")
    assert missing.code == 3 and "nope.yaml: no such file or directory" in missing.err
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    empty = invoke("--no-default", "--kb", str(empty_dir), "list")
    assert empty.code == 3 and "has no *.yaml" in empty.err


def test_unreadable_file(invoke: Invoke, tmp_path: Path) -> None:
    directory_named_yaml = tmp_path / "trap.yaml"
    directory_named_yaml.mkdir()
    (tmp_path / "real.yaml").write_text("entries: []\n")
    result = invoke("--no-default", "--kb", str(tmp_path), "validate")
    assert result.code == 3
    assert "trap.yaml:1:1: error unreadable: cannot read" in result.out


def test_validate_never_writes(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(kb_text(entry("a", kind="x")))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    for args in (["validate"], ["list"], ["define", "a"]):
        invoke("--no-default", "--kb", str(path), *args)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_fixture_kb_is_clean(invoke: Invoke) -> None:
    code, lines, _ = findings(invoke, DATA / "mini.yaml", strict=True)
    assert (code, lines) == (0, [])
