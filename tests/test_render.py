"""The define panel is laid out by nqpf itself (see render.py): every line must fill the
terminal exactly, and no word of the entry may be lost to wrapping or folding."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rich.cells import cell_len

from nqpf_cli import render
from nqpf_cli.describe import describe, plain_text
from nqpf_cli.kb import load

KB = load(environ={**os.environ, "NQPF_NO_INDEX": "1"})
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("width", [20, 33, 80, 137])
def test_every_panel_line_fills_the_width_and_keeps_every_word(width: int) -> None:
    for entry in KB.entries.values():
        view = describe(entry, KB)
        for color in (False, True):
            out = render.to_text(render.define_renderable([view]), width, color)
            lines = SGR.sub("", out).splitlines()
            assert {cell_len(line) for line in lines} == {width}, (entry.id, width, color)
            assert lines[0].startswith("╭─") and lines[-1].startswith("╰")
            inside = "".join(line[2:-2] for line in lines[1:-1])
            squeezed = re.sub(r"\s+", "", inside)
            for word in plain_text(entry.definition, KB).split():
                assert word.replace("↗", "") in squeezed.replace("↗", ""), (entry.id, word)
            for source in entry.sources:
                for word in (source.url or "").split():
                    assert word in squeezed, (entry.id, word)


def test_narrow_terminals_put_long_labels_above_their_text() -> None:
    entry = KB.entries["ai-plus"]
    out = render.to_text(render.define_renderable([describe(entry, KB)]), 20, False)
    assert "│   evolved from   │" in out.splitlines()
    assert "│     Internet     │" in out.splitlines()


def test_a_word_longer_than_the_line_is_folded_not_cut() -> None:
    text = render.Text("short " + "x" * 25 + " end")
    lines = render.to_text(render.Hanging([(render.Text("-"), text)]), 20, False).splitlines()
    assert lines == ["- short", "  " + "x" * 18, "  " + "x" * 7 + " end"]


STYLES = ["", "bold", "dim", "italic", "bold cyan underline", "cyan", "yellow", "bold reverse"]


@given(
    runs=st.lists(
        st.tuples(st.text("ab 中↗[]", min_size=1, max_size=8), st.sampled_from(STYLES)),
        min_size=1,
        max_size=6,
    ),
    base=st.sampled_from(STYLES),
    color=st.booleans(),
)
def test_panel_lines_are_styled_exactly_as_rich_prints_them(
    runs: list[tuple[str, str]], base: str, color: bool
) -> None:
    """The panel renders Text spans itself (no Rich Console on the define path); on a line
    that needs no wrapping, the bytes must be what Rich's own Console.print writes."""
    text = render.Text(style=base)
    for chunk, style in runs:
        text.append(chunk, style=style)
    assume(text.plain.strip() and not text.plain[-1].isspace() and not text.plain[0].isspace())
    ours = render.to_text(render.Paragraph(text), 200, color)
    # a Text is not one of nqpf's blocks: to_text hands it to Rich's Console.print
    assert ours == render.to_text(text, 200, color)
