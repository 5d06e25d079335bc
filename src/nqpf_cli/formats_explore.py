"""Plain, CSV, Markdown and JSON output for search, related, timeline, sectors and graph.

The same untrusted-text rules as `formats`: JSON exact, everything else neutralised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .formats import csv_text, md, md_table
from .graph import TreeNode
from .search import Hit
from .sectors import Matrix
from .textsafe import one_line
from .timeline import Moment

# -- search ---------------------------------------------------------------------------


def search_json(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "id": h.entry.id,
            "kind": h.entry.kind,
            "name": h.entry.name,
            "name_zh": h.entry.name_zh,
            "score": round(h.score, 2),
            "matched_all": h.matched_all,
            "field": h.snippet.field,
            "snippet": h.snippet.text,
            "highlights": [list(span) for span in h.snippet.spans],
        }
        for h in hits
    ]


def search_plain(hits: Sequence[Hit]) -> str:
    return "".join(
        f"{h.entry.id}\t{one_line(h.entry.name)}\t{one_line(h.snippet.field)}\t{one_line(h.snippet.text)}\n"
        for h in hits
    )


def search_csv(hits: Sequence[Hit]) -> str:
    rows: list[list[str | None]] = [["id", "kind", "name", "name_zh", "field", "snippet"]]
    rows += [
        [h.entry.id, h.entry.kind, h.entry.name, h.entry.name_zh, h.snippet.field, h.snippet.text]
        for h in hits
    ]
    return csv_text(rows)


def _md_highlight(hit: Hit) -> str:
    text, out, last = hit.snippet.text, [], 0
    for start, end in hit.snippet.spans:
        out.append(md(text[last:start]))
        out.append(f"**{md(text[start:end])}**")
        last = end
    out.append(md(text[last:]))
    return "".join(out)


def search_markdown(hits: Sequence[Hit]) -> str:
    rows = [
        [
            f"`{h.entry.id}`",
            md(h.entry.name),
            md(h.entry.name_zh),
            md(h.snippet.field),
            _md_highlight(h),
        ]
        for h in hits
    ]
    return md_table(["id", "name", "中文", "matched in", "snippet"], rows)


# -- related --------------------------------------------------------------------------


def _walk(node: TreeNode, depth: int = 0) -> list[tuple[int, TreeNode]]:
    rows = [(depth, node)]
    for child in node.children:
        if child.seen_before:
            rows.append((depth + 1, child))
        else:
            rows.extend(_walk(child, depth + 1))
    return rows


def _tree_line(node: TreeNode) -> str:
    name = one_line(node.entry.name) + (
        f" {one_line(node.entry.name_zh)}" if node.entry.name_zh else ""
    )
    if node.direction == "root":
        return f"{node.entry.id} — {name}"
    arrow = "→" if node.direction == "out" else "←"
    more = " (see above)" if node.seen_before and node.children == [] else ""
    return f"{arrow} {node.label}: {node.entry.id} — {name}{more}"


def related_plain(root: TreeNode) -> str:
    return "".join(f"{'  ' * depth}{_tree_line(node)}\n" for depth, node in _walk(root))


def related_markdown(root: TreeNode) -> str:
    lines = []
    for depth, node in _walk(root):
        lines.append(f"{'  ' * depth}- {md(_tree_line(node))}")
    return "\n".join(lines) + "\n"


def related_csv(root: TreeNode) -> str:
    rows: list[list[str | None]] = [["depth", "from", "link", "direction", "id", "name", "name_zh"]]

    def visit(node: TreeNode, depth: int) -> None:
        for child in node.children:
            rows.append(
                [
                    str(depth + 1),
                    node.entry.id,
                    child.label,
                    child.direction,
                    child.entry.id,
                    child.entry.name,
                    child.entry.name_zh,
                ]
            )
            if not child.seen_before:
                visit(child, depth + 1)

    visit(root, 0)
    return csv_text(rows)


# -- timeline -------------------------------------------------------------------------


def when(moment: Moment) -> str:
    return f"{moment.date} – {moment.end_date}" if moment.end_date else moment.date


def timeline_json(moments: Sequence[Moment]) -> list[dict[str, Any]]:
    return [
        {
            "date": m.date,
            "end_date": m.end_date,
            "id": m.entry.id,
            "kind": m.entry.kind,
            "name": m.entry.name,
            "name_zh": m.entry.name_zh,
            "summary": m.entry.summary,
            "links": {key: list(value) for key, value in m.entry.links.items()},
        }
        for m in moments
    ]


def timeline_plain(moments: Sequence[Moment]) -> str:
    return "".join(
        f"{when(m)}\t{m.entry.kind}\t{m.entry.id}\t{one_line(m.entry.name)}\t{one_line(m.entry.summary)}\n"
        for m in moments
    )


def timeline_csv(moments: Sequence[Moment]) -> str:
    rows: list[list[str | None]] = [
        ["date", "end_date", "kind", "id", "name", "name_zh", "summary"]
    ]
    rows += [
        [
            m.date,
            m.end_date,
            m.entry.kind,
            m.entry.id,
            m.entry.name,
            m.entry.name_zh,
            m.entry.summary,
        ]
        for m in moments
    ]
    return csv_text(rows)


def timeline_markdown(moments: Sequence[Moment]) -> str:
    rows = [
        [
            md(when(m)),
            md(m.entry.kind),
            f"**{md(m.entry.name)}** {md(m.entry.name_zh)}",
            md(m.entry.summary),
        ]
        for m in moments
    ]
    return md_table(["date", "kind", "what", "summary"], rows)


# -- sectors --------------------------------------------------------------------------

MARK = "●"


def sectors_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "columns": [
            {"id": c.id, "kind": c.kind, "name": c.name, "name_zh": c.name_zh}
            for c in matrix.columns
        ],
        "rows": [
            {
                "id": r.id,
                "name": r.name,
                "name_zh": r.name_zh,
                "named_by": [c.id for c in matrix.columns if matrix.has(r, c)],
            }
            for r in matrix.rows
        ],
    }


def sectors_csv(matrix: Matrix) -> str:
    rows: list[list[str | None]] = [["sector", "name", *(c.id for c in matrix.columns)]]
    rows += [
        [r.id, r.name, *("1" if matrix.has(r, c) else "" for c in matrix.columns)]
        for r in matrix.rows
    ]
    return csv_text(rows)


def sectors_plain(matrix: Matrix) -> str:
    """One line per sector: its id, then the ids of the policies that name it."""
    lines = []
    for row in matrix.rows:
        named = ",".join(c.id for c in matrix.columns if matrix.has(row, c))
        lines.append(f"{row.id}\t{named}")
    return "\n".join(lines) + "\n"


def sectors_markdown(matrix: Matrix) -> str:
    header = ["sector", *(f"{i}" for i in range(1, len(matrix.columns) + 1))]
    rows = [
        [
            f"{md(r.name)} {md(r.name_zh)}",
            *(MARK if matrix.has(r, c) else "" for c in matrix.columns),
        ]
        for r in matrix.rows
    ]
    legend = "".join(
        f"{i}. {md(c.name)} (`{c.id}`)\n" for i, c in enumerate(matrix.columns, start=1)
    )
    return md_table(header, rows) + "\n" + legend
