"""Knowledge-base text cannot style, link, move or retitle the terminal in any format."""

from __future__ import annotations

import json

import pytest

from conftest import DATA, Invoke
from nqpf_cli.textsafe import neutralize

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
