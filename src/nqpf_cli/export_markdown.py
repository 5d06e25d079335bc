"""`nqpf export --format markdown`: the knowledge base as one Markdown document.

Entries are grouped by kind; each starts with `<a id="ENTRY-ID"></a>`, so a cross-link
`{entry-id}` becomes a working link `[Name](#entry-id)` (on GitHub too). Sources are
numbered lists whose items carry anchors `ENTRY-ID--source-N` (two hyphens, which an
entry id cannot contain), so `[1]` citations link to them. Other anchors start with
`nqpf_` (an underscore, which an id cannot contain either). Every knowledge-base
string is neutralised and escaped like `formats.md` does; `&` is escaped too so text such as
`&lt;` stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .describe import LinkView, describe
from .export import Selection, kind_title, web_url
from .formats import md_facts
from .models import Brief, Cell, Entry, Source
from .textsafe import one_line
from .validate import CROSS_LINK

CONTENTS = "nqpf_contents"
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=])")


_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!&])")


def _escape(value: str) -> str:
    """Markdown/HTML syntax and entities escaped; whitespace kept as it is."""
    return _SPECIAL.sub(r"\\\1", value)


def text(value: str | None) -> str:
    """Inline Markdown: neutralised, one line, Markdown/HTML syntax and entities escaped
    (the same characters as `formats.md`, and `&`)."""
    return _escape(one_line(value or ""))


def paragraph(value: str) -> str:
    """Escape a leading list or heading-underline marker, so text stays a paragraph."""
    return _BLOCK_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", value, 1
    )


def kind_anchor(kind: str) -> str:
    return f"nqpf_kind_{kind}"


def source_anchor(entry: Entry, number: int) -> str:
    return f"{entry.id}--source-{number}"


def linked(value: str, selection: Selection) -> str:
    """Text with `{id}` cross-links: a link for an exported entry, its name otherwise."""
    value = one_line(value)  # first, so the spaces around a link survive
    out: list[str] = []
    last = 0
    for match in CROSS_LINK.finditer(value):
        target = selection.kb.entries.get(match.group(1))
        if target is None:
            continue
        out.append(_escape(value[last : match.start()]))
        if selection.exported(target.id):
            out.append(f"[{text(target.name)}](#{target.id})")
        else:
            out.append(text(target.name))
        last = match.end()
    out.append(_escape(value[last:]))
    return "".join(out)


def entry_link(entry: Entry | Brief, selection: Selection) -> str:
    if selection.exported(entry.id):
        return f"[{text(entry.name)}](#{entry.id})"
    return text(entry.name)


def grouped(views: Iterable[LinkView], selection: Selection) -> list[tuple[str, str]]:
    """Typed links, one line per type: `related: [A](#a), [B](#b)` (kept short, so the
    whole glossary stays within what GitHub renders)."""
    groups: dict[str, list[str]] = {}
    for view in views:
        groups.setdefault(view.label, []).append(entry_link(view.target, selection))
    return [(text(label), ", ".join(links)) for label, links in groups.items()]


def citations(entry: Entry, numbers: Iterable[int]) -> str:
    marks = [
        f"[\\[{n}\\]](#{source_anchor(entry, n)})" for n in numbers if 1 <= n <= len(entry.sources)
    ]
    return "".join(marks)


def cell_text(entry: Entry, cell: Cell, selection: Selection) -> str:
    parts = [linked(cell.text, selection)]
    if cell.framing == "analyst":
        parts.append("*(analyst's reading)*")
    marks = citations(entry, cell.sources)
    if marks:
        parts.append(marks)
    return " ".join(parts)


def source_item(entry: Entry, number: int, source: Source) -> str:
    url = web_url(source.url)
    title = f"[{text(source.title)}](<{url}>)" if url else text(source.title)
    meta = ", ".join(text(p) for p in (source.author, source.publisher, source.date) if p)
    line = f'{number}. <a id="{source_anchor(entry, number)}"></a>{title}'
    if meta:
        line += f" — {meta}"
    if source.url and not url:
        line += f" — {text(source.url)}"  # not an http(s) address: shown, never linked
    if source.note:
        line += f" ({text(source.note)})"
    return line


def entry_block(entry: Entry, selection: Selection) -> list[str]:
    kb = selection.kb
    view = describe(entry, kb)
    names = " · ".join(text(p) for p in (entry.name, entry.name_zh, entry.pinyin) if p)
    lines = [f'<a id="{entry.id}"></a>', "", f"### {names}", ""]
    lines += [md_facts(entry), ""]
    if entry.aliases:
        lines += ["**Also:** " + "; ".join(text(a) for a in entry.aliases), ""]
    lines += [f"*{text(entry.summary)}*", "", paragraph(linked(entry.definition, selection))]
    if entry.notes:
        lines += ["", f"**Notes.** {linked(entry.notes, selection)}"]
    if entry.translations:
        lines += ["", "**English renderings**", ""]
        for t in entry.translations:
            by = f" — {text(t.used_by)}" if t.used_by else ""
            marks = citations(entry, t.sources)
            lines.append(f"- {text(t.text)}{by}{' ' + marks if marks else ''}")
    if entry.dimensions:
        lines += ["", "**Comparison points**", ""]
        for key, cell in entry.dimensions.items():
            dimension = kb.dimensions.get(key)
            label = text(dimension.en if dimension else key)
            lines.append(f"- **{label}:** {cell_text(entry, cell, selection)}")
    for heading, views in (("Links", view.links), ("Linked from", view.backlinks)):
        if views:
            lines += ["", f"**{heading}**", ""]
            lines += [f"- {label}: {links}" for label, links in grouped(views, selection)]
    if entry.sources:
        lines += ["", "**Sources**", ""]
        lines += [source_item(entry, n, s) for n, s in enumerate(entry.sources, start=1)]
    lines += ["", f"[↑ Contents](#{CONTENTS})"]
    return lines


def export_markdown(selection: Selection) -> str:
    groups = selection.by_kind()
    count = len(selection.entries)
    lines = [
        "# New quality productive forces (新质生产力): a glossary",
        "",
        f"{count} {'entry' if count == 1 else 'entries'} on China's industrial policy, "
        "grouped by kind, with Chinese, pinyin, cross-links, typed links and numbered "
        "sources. Made with `nqpf export --format markdown`.",
        "",
        f'<a id="{CONTENTS}"></a>',
        "",
        "## Contents",
        "",
    ]
    for kind, entries in groups:
        links = " · ".join(f"[{text(e.name)}](#{e.id})" for e in entries)
        lines.append(f"- [{kind_title(kind)}](#{kind_anchor(kind)}) ({len(entries)}): {links}")
    for kind, entries in groups:
        lines += ["", f'<a id="{kind_anchor(kind)}"></a>', "", f"## {kind_title(kind)}"]
        for entry in entries:
            lines += ["", *entry_block(entry, selection)]
    return "\n".join(lines) + "\n"
