"""Every output nqpf can produce from one knowledge base, and the promises they keep.

Shared by the property tests (tests/test_properties.py) and the fuzzing harness
(fuzz/fuzz_kb.py): `outputs()` renders a knowledge base through every command's every
format by calling the library directly (no CLI parsing, so it is fast), and `check()`
asserts that the human formats carry no raw control characters and that JSON
round-trips exactly.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

from nqpf_cli import formats, graph
from nqpf_cli import formats_explore as fx
from nqpf_cli.cite import citations
from nqpf_cli.compare import compare
from nqpf_cli.describe import describe
from nqpf_cli.errors import NqpfError
from nqpf_cli.models import KnowledgeBase
from nqpf_cli.resolve import Resolver
from nqpf_cli.search import search
from nqpf_cli.sectors import matrix
from nqpf_cli.textsafe import neutralize
from nqpf_cli.timeline import timeline

_KEEP = {"\n", "\t", "\u200d", "\u00ad"}  # newline, tab, zero-width joiner, soft hyphen
_SGR = "\x1b["


def raw_controls(text: str) -> list[str]:
    """Characters that must never reach a terminal raw: C0/C1 controls, format (bidi,
    zero-width) characters, line/paragraph separators and lone surrogates."""
    return [
        ch
        for ch in text
        if ch not in _KEEP and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def strip_sgr(text: str) -> str:
    """Remove Rich's own colour codes (ESC [ digits ; m), which only a table may contain."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def outputs(kb: KnowledgeBase, query: str, width: int = 80) -> Iterator[tuple[str, Any]]:
    """(name, output) for every format of every command; JSON outputs are Python data."""
    from nqpf_cli import render

    def table(renderable: Any) -> str:
        return render.to_text(renderable, width, False)

    def coloured(renderable: Any) -> str:
        return strip_sgr(render.to_text(renderable, width, True))

    entries = kb.ordered()[:4]
    if entries:
        views = [describe(e, kb) for e in entries]
        yield "define plain", formats.plain_define(views, kb)
        yield "define csv", formats.csv_define(views, kb)
        yield "define markdown", formats.markdown_define(views, kb)
        yield "define table", table(render.define_renderable(views))
        yield "define table colour", coloured(render.define_renderable(views))
        yield "define json", [formats.view_json(v, kb) for v in views]
        yield "list plain", formats.plain_list(entries)
        yield "list csv", formats.csv_list(entries)
        yield "list markdown", formats.markdown_list(entries)
        yield "list table", table(render.list_renderable(entries))
        yield "list json", formats.list_json(entries)
        root = graph.related_tree(entries[0], kb, 3)
        yield "related plain", fx.related_plain(root)
        yield "related csv", fx.related_csv(root)
        yield "related markdown", fx.related_markdown(root)
        yield "related table", table(render.related_renderable(root))
        yield "related json", graph.tree_json(root)
        for style in ("apa", "chicago", "bibtex"):
            text = citations(entries[0], style)
            assert isinstance(text, str)
            yield f"cite {style}", neutralize(text)  # as the CLI writes it
        yield "cite csl-json", citations(entries[0], "csl-json")
        if len(entries) >= 2:
            comparison = compare(entries[:3], kb)
            yield "compare plain", formats.plain_compare(comparison)
            yield "compare csv", formats.csv_compare(comparison)
            yield "compare markdown", formats.markdown_compare(comparison)
            yield "compare table", table(render.compare_renderable(comparison))
            yield "compare table colour", coloured(render.compare_renderable(comparison))
            yield "compare json", formats.compare_json(comparison, kb)
    hits = search(kb, query)
    yield "search plain", fx.search_plain(hits)
    yield "search csv", fx.search_csv(hits)
    yield "search markdown", fx.search_markdown(hits)
    yield "search table", table(render.search_renderable(hits))
    yield "search json", fx.search_json(hits)
    moments = timeline(kb)
    yield "timeline plain", fx.timeline_plain(moments)
    yield "timeline csv", fx.timeline_csv(moments)
    yield "timeline markdown", fx.timeline_markdown(moments)
    yield "timeline table", table(render.timeline_renderable(moments))
    yield "timeline json", fx.timeline_json(moments)
    grid = matrix(kb)
    yield "sectors plain", fx.sectors_plain(grid)
    yield "sectors csv", fx.sectors_csv(grid)
    yield "sectors markdown", fx.sectors_markdown(grid)
    yield "sectors table", table(render.sectors_renderable(grid))
    yield "sectors json", fx.sectors_json(grid)
    findings = kb.findings
    yield "validate plain", formats.plain_findings(findings)
    yield "validate csv", formats.csv_findings(findings)
    yield "validate markdown", formats.markdown_findings(findings)
    yield "validate table", table(render.findings_renderable(findings))
    yield "validate json", formats.findings_json(findings)
    try:
        Resolver(kb).resolve(query)
    except NqpfError as exc:
        yield "define miss message", exc.message + "\n"


def check(kb: KnowledgeBase, query: str, width: int = 80, human_safety: bool = True) -> int:
    """Assert the output promises for `kb`; returns how many outputs were checked.

    `human_safety` is only promised for knowledge bases without errors (the CLI refuses
    to render any other); for those it is enough that nothing raises.
    """
    count = 0
    for name, output in outputs(kb, query, width):
        count += 1
        if isinstance(output, str):
            bad = raw_controls(output)
            if human_safety and bad:
                raise AssertionError(f"{name}: raw control characters {bad[:3]!r}")
        else:
            text = formats.dumps(output)
            if json.loads(text) != output:
                raise AssertionError(f"{name}: JSON does not round-trip")
    return count
