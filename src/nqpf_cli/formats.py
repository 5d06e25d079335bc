"""Machine- and pipe-friendly output as strings: json, csv, markdown, plain. No Rich.

Every knowledge-base string is untrusted. JSON carries it exactly; the other formats
pass it through `textsafe` so it cannot drive a terminal, and markdown/csv escape
their own syntax.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compare import Comparison

from .describe import EntryView, plain_text
from .models import Cell, Entry, Finding, Heading, KnowledgeBase, Source
from .textsafe import neutralize, one_line, visible

FORMATS = ("table", "plain", "json", "csv", "markdown")


# -- JSON -----------------------------------------------------------------------------


def dumps(data: Any) -> str:
    import json  # only JSON output pays for importing it

    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def source_json(source: Source, number: int) -> dict[str, Any]:
    return {
        "n": number,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "author": source.author,
        "date": source.date,
        "note": source.note,
    }


def cell_json(cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"text": cell.text, "sources": list(cell.sources), "framing": cell.framing}


def entry_json(entry: Entry, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "name": entry.name,
        "name_zh": entry.name_zh,
        "pinyin": entry.pinyin,
        "aliases": list(entry.aliases),
        "tags": list(entry.tags),
        "summary": entry.summary,
        "definition": entry.definition,
        "date": entry.date,
        "end_date": entry.end_date,
        "status": entry.status,
        "framing": entry.framing,
        "notes": entry.notes,
        "links": {key: list(value) for key, value in entry.links.items()},
        "translations": [
            {"text": t.text, "used_by": t.used_by, "sources": list(t.sources)}
            for t in entry.translations
        ],
        "dimensions": {key: cell_json(cell) for key, cell in entry.dimensions.items()},
        "sources": [source_json(s, n) for n, s in enumerate(entry.sources, start=1)],
    }


def view_json(view: EntryView, kb: KnowledgeBase) -> dict[str, Any]:
    data = entry_json(view.entry, kb)
    data["related"] = [
        {"type": v.link_type, "id": v.target.id, "name": v.target.name, "summary": v.target.summary}
        for v in view.links
    ]
    data["linked_from"] = [
        {"type": v.link_type, "id": v.target.id, "name": v.target.name, "summary": v.target.summary}
        for v in view.backlinks
    ]
    data["matched_by"] = view.how
    data["file"] = str(view.entry.position)
    data["layer"] = view.entry.layer
    data["override"] = view.entry.override
    data["overrides"] = view.entry.overrides
    return data


def compare_json(comparison: Comparison, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "entries": [
            {"id": e.id, "name": e.name, "name_zh": e.name_zh, "kind": e.kind}
            for e in comparison.entries
        ],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "label_zh": row.label_zh,
                "dimension": row.is_dimension,
                "values": [cell_json(cell) for cell in row.cells],
            }
            for row in comparison.rows
        ],
        "sources": {
            e.id: [source_json(s, n) for n, s in enumerate(e.sources, start=1)]
            for e in comparison.entries
        },
    }


def list_json(entries: Iterable[Heading]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "name": e.name,
            "name_zh": e.name_zh,
            "pinyin": e.pinyin,
            "summary": e.summary,
            "tags": list(e.tags),
            "date": e.date,
        }
        for e in entries
    ]


def findings_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "path": f.position.path,
            "line": f.position.line,
            "column": f.position.column,
            "severity": f.severity.value,
            "rule": f.rule,
            "message": f.message,
        }
        for f in findings
    ]


# -- shared text helpers ------------------------------------------------------------------


def cite(cell: Cell) -> str:
    marks = "".join(f"[{n}]" for n in cell.sources)
    label = " (analyst's reading)" if cell.framing == "analyst" else ""
    return f"{cell.text}{label}{' ' + marks if marks else ''}"


def source_line(source: Source) -> str:
    parts = [source.title]
    meta = ", ".join(p for p in (source.author, source.publisher, source.date) if p)
    if meta:
        parts.append(meta)
    if source.url:
        parts.append(source.url)
    if source.note:
        parts.append(f"({source.note})")
    return " — ".join(parts)


def names_line(entry: Entry) -> str:
    return " · ".join(p for p in (entry.name, entry.name_zh, entry.pinyin) if p)


def provenance(entry: Entry) -> str:
    """Where an entry came from, and what it overrides: `team.yaml:3:5 (NQPF_KB; patches …)`."""
    text = f"{entry.position} ({entry.layer or 'layer'}"
    if entry.override and entry.overrides:
        verb = "replaces" if entry.override == "replace" else "patches"
        text += f"; {verb} {entry.overrides}"
    return text + ")"


ANALYST_TERM = "analysts' term, not official wording"


def entry_facts(entry: Entry) -> list[tuple[str, str]]:
    """The short facts every entry view shows, as (label, value), for each output to style."""
    facts = [("id", entry.id), ("kind", entry.kind)]
    dates = dates_text(entry)
    if dates:
        facts.append(("date", dates))
    if entry.status:
        facts.append(("status", entry.status))
    if entry.framing == "analyst":
        facts.append(("framing", ANALYST_TERM))
    return facts


def md_facts(entry: Entry) -> str:
    return " · ".join(
        f"**{label}** `{value}`" if label == "id" else f"**{label}** {md(value)}"
        for label, value in entry_facts(entry)
    )


def column_title(entry: Entry) -> str:
    return f"{entry.name} ({entry.name_zh})" if entry.name_zh else entry.name


def dates_text(entry: Entry) -> str | None:
    if entry.date and entry.end_date:
        return f"{entry.date} – {entry.end_date}"
    return entry.date


# -- plain ----------------------------------------------------------------------------------


def plain_define(views: Sequence[EntryView], kb: KnowledgeBase) -> str:
    blocks = []
    for view in views:
        e = view.entry
        lines = [one_line(names_line(e))]
        lines.append("  ".join(one_line(f"{label}: {value}") for label, value in entry_facts(e)))
        if e.aliases:
            lines.append("aliases: " + one_line("; ".join(e.aliases)))
        lines.append("summary: " + one_line(e.summary))
        lines.append("definition: " + one_line(plain_text(e.definition, kb)))
        if e.notes:
            lines.append("notes: " + one_line(plain_text(e.notes, kb)))  # cross-links as names
        for t in e.translations:
            refs = "".join(f"[{n}]" for n in t.sources)
            by = f" — {t.used_by}" if t.used_by else ""
            lines.append(one_line(f"translation: {t.text}{by} {refs}".rstrip()))
        for v in view.links:
            lines.append(
                one_line(f"{v.label}: {v.target.id} — {v.target.name}: {v.target.summary}")
            )
        for v in view.backlinks:
            lines.append(one_line(f"linked from ({v.label}): {v.target.id} — {v.target.name}"))
        for n, source in enumerate(e.sources, start=1):
            lines.append(one_line(f"[{n}] {source_line(source)}"))
        lines.append(one_line(f"from: {provenance(e)}"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def plain_compare(comparison: Comparison) -> str:
    header = ["", *(one_line(column_title(e)) for e in comparison.entries)]
    rows = ["\t".join(header)]
    for row in comparison.rows:
        cells = [one_line(cite(c)) if c else "—" for c in row.cells]
        rows.append("\t".join([one_line(row.label), *cells]))
    return "\n".join(rows) + "\n"


def plain_list(entries: Iterable[Heading]) -> str:
    return "".join(f"{e.id}\t{one_line(e.name)}\n" for e in entries)


def plain_findings(findings: Iterable[Finding]) -> str:
    return "".join(visible(str(f)) + "\n" for f in findings)


# -- csv --------------------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@")


def _csv_cell(value: str | None) -> str:
    text = neutralize(value or "", keep_newlines=False)
    # Spreadsheets run cells that start like a formula; a leading quote keeps them text.
    return "'" + text if text.startswith(_FORMULA) else text


def csv_text(rows: Iterable[Sequence[str | None]]) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()


def csv_define(views: Sequence[EntryView], kb: KnowledgeBase) -> str:
    header: list[str | None] = [
        "id",
        "kind",
        "name",
        "name_zh",
        "pinyin",
        "aliases",
        "date",
        "status",
    ]
    header += ["summary", "definition", "related", "sources"]
    rows: list[list[str | None]] = [header]
    for view in views:
        e = view.entry
        rows.append(
            [
                e.id,
                e.kind,
                e.name,
                e.name_zh,
                e.pinyin,
                "; ".join(e.aliases),
                dates_text(e),
                e.status,
                e.summary,
                plain_text(e.definition, kb),
                "; ".join(f"{v.link_type}:{v.target.id}" for v in view.links),
                " | ".join(source_line(s) for s in e.sources),
            ]
        )
    return csv_text(rows)


def csv_compare(comparison: Comparison) -> str:
    header: list[str | None] = ["row", *(e.id for e in comparison.entries)]
    rows: list[list[str | None]] = [header]
    for row in comparison.rows:
        rows.append([row.label, *(cite(c) if c else "" for c in row.cells)])
    return csv_text(rows)


def csv_list(entries: Iterable[Heading]) -> str:
    rows: list[list[str | None]] = [["id", "kind", "name", "name_zh", "pinyin", "summary"]]
    rows += [[e.id, e.kind, e.name, e.name_zh, e.pinyin, e.summary] for e in entries]
    return csv_text(rows)


def csv_findings(findings: Iterable[Finding]) -> str:
    rows: list[list[str | None]] = [["path", "line", "column", "severity", "rule", "message"]]
    for f in findings:
        rows.append(
            [
                f.position.path,
                str(f.position.line),
                str(f.position.column),
                f.severity.value,
                f.rule,
                f.message,
            ]
        )
    return csv_text(rows)


# -- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!])")


def md(text: str | None) -> str:
    """Inline markdown text: neutralised, one line, markdown and HTML syntax escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text or ""))


def md_definition(text: str, kb: KnowledgeBase) -> str:
    from .describe import segments

    out = []
    for segment in segments(text, kb):
        if segment.target is not None:
            out.append(f"[{md(segment.text)}](#{segment.target.id})")
        else:  # a fragment between links keeps its edge spaces
            piece = " ".join(neutralize(segment.text).replace("\n", " ").split(" "))
            out.append(_MD_SPECIAL.sub(r"\\\1", piece.replace("\t", " ")))
    return " ".join("".join(out).split())


def markdown_define(views: Sequence[EntryView], kb: KnowledgeBase) -> str:
    blocks = []
    for view in views:
        e = view.entry
        lines = [f'<a id="{e.id}"></a>', "", f"## {md(names_line(e))}", ""]
        lines += [md_facts(e), "", f"*{md(e.summary)}*", "", md_definition(e.definition, kb)]
        if e.notes:
            lines += ["", f"**Notes.** {md_definition(e.notes, kb)}"]
        if e.translations:
            lines += ["", "**Translations**", ""]
            for t in e.translations:
                by = f" — {md(t.used_by)}" if t.used_by else ""
                refs = "".join(f"[{n}]" for n in t.sources)
                lines.append(f"- {md(t.text)}{by} {md(refs)}".rstrip())
        if view.links:
            lines += ["", "**Links**", ""]
            for v in view.links:
                lines.append(
                    f"- {md(v.label)}: [{md(v.target.name)}](#{v.target.id})"
                    f" — {md(v.target.summary)}"
                )
        if view.backlinks:
            lines += ["", "**Linked from**", ""]
            for v in view.backlinks:
                lines.append(f"- {md(v.label)}: [{md(v.target.name)}](#{v.target.id})")
        if e.sources:
            lines += ["", "**Sources**", ""]
            for n, source in enumerate(e.sources, start=1):
                title = md(source.title)
                if source.url:
                    url = one_line(source.url).replace("<", "%3C").replace(">", "%3E")
                    title = f"[{title}](<{url}>)"
                meta = ", ".join(md(p) for p in (source.author, source.publisher, source.date) if p)
                note = f" ({md(source.note)})" if source.note else ""
                lines.append(f"{n}. {title}{' — ' + meta if meta else ''}{note}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown_compare(comparison: Comparison) -> str:
    header = ["", *(md(column_title(e)) for e in comparison.entries)]
    rows = [
        [f"**{md(row.label)}**", *(md(cite(c)) if c else "—" for c in row.cells)]
        for row in comparison.rows
    ]
    return md_table(header, rows)


def markdown_list(entries: Iterable[Heading]) -> str:
    rows = [[f"`{e.id}`", md(e.kind), md(e.name), md(e.name_zh), md(e.summary)] for e in entries]
    return md_table(["id", "kind", "name", "中文", "summary"], rows)


def markdown_findings(findings: Iterable[Finding]) -> str:
    rows = [[md(str(f.position)), f.severity.value, f"`{f.rule}`", md(f.message)] for f in findings]
    return md_table(["where", "severity", "rule", "message"], rows)


# -- paths ---------------------------------------------------------------------------------

PATH_COLUMNS = ["origin", "path", "entries", "overrides", "errors"]


def _path_rows(kb: KnowledgeBase) -> list[list[str]]:
    return [
        [stat.origin, stat.path, str(stat.entries), str(stat.overrides), str(stat.errors)]
        for stat in kb.stats
    ]


def paths_json(kb: KnowledgeBase, user_dir: Path) -> dict[str, Any]:
    return {
        "layers": [{column: getattr(stat, column) for column in PATH_COLUMNS} for stat in kb.stats],
        "user_dir": str(user_dir),
        "user_dir_exists": user_dir.is_dir(),
        "index": kb.index,
        "total_entries": len(kb.entries),
    }


def paths_plain(kb: KnowledgeBase, user_dir: Path) -> str:
    lines = ["\t".join(one_line(cell) for cell in row) for row in _path_rows(kb)]
    state = "" if user_dir.is_dir() else " (not created; put *.yaml files there to add a layer)"
    lines.append(one_line(f"# user folder: {user_dir}{state}"))
    lines.append(f"# {len(kb.entries)} entries in {len(kb.stats)} file(s)")
    lines.append(one_line(f"# index: {kb.index or 'not used (reading the YAML directly)'}"))
    return "\n".join(lines) + "\n"


def paths_csv(kb: KnowledgeBase) -> str:
    return csv_text([PATH_COLUMNS, *_path_rows(kb)])


def paths_markdown(kb: KnowledgeBase) -> str:
    return md_table(PATH_COLUMNS, [[md(cell) for cell in row] for row in _path_rows(kb)])
