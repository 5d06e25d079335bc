"""Side-by-side comparison of entries: core facts, then shared dimensions."""

from __future__ import annotations

from dataclasses import dataclass

from .describe import describe
from .errors import UsageError
from .models import Cell, Entry, KnowledgeBase


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    label_zh: str | None
    cells: tuple[Cell | None, ...]
    is_dimension: bool = False


@dataclass(frozen=True, slots=True)
class Comparison:
    entries: tuple[Entry, ...]
    rows: tuple[Row, ...]

    @property
    def dimension_count(self) -> int:
        return sum(1 for row in self.rows if row.is_dimension)


def _dates(entry: Entry) -> Cell | None:
    if entry.date and entry.end_date:
        return Cell(f"{entry.date} – {entry.end_date}")
    return Cell(entry.date) if entry.date else None


def _names(kb: KnowledgeBase, ids: list[str]) -> Cell | None:
    names = [kb.entries[i].name for i in ids if i in kb.entries]
    return Cell("; ".join(names)) if names else None


def _issuer(entry: Entry, kb: KnowledgeBase) -> Cell | None:
    ids = list(entry.links.get("issued_by", ())) + list(entry.links.get("introduced_by", ()))
    return _names(kb, ids)


def _lineage(entry: Entry, kb: KnowledgeBase) -> Cell | None:
    view = describe(entry, kb)
    before = [v.target.name for v in view.links if v.link_type == "evolved_from"]
    before += [v.target.name for v in view.backlinks if v.link_type == "evolved_into"]
    after = [v.target.name for v in view.links if v.link_type == "evolved_into"]
    after += [v.target.name for v in view.backlinks if v.link_type == "evolved_from"]
    parts = []
    if before:
        parts.append("from " + "; ".join(dict.fromkeys(before)))
    if after:
        parts.append("into " + "; ".join(dict.fromkeys(after)))
    return Cell(" · ".join(parts)) if parts else None


def _simple(value: str | None) -> Cell | None:
    return Cell(value) if value else None


def compare(entries: list[Entry], kb: KnowledgeBase) -> Comparison:
    unique = list({entry.id: entry for entry in entries}.values())
    if len(unique) < 2:
        raise UsageError("compare needs at least two different entries")
    rows = [
        Row("kind", "Kind", "类别", tuple(_simple(e.kind) for e in unique)),
        Row("date", "Date", "日期", tuple(_dates(e) for e in unique)),
        Row("status", "Status", "状态", tuple(_simple(e.status) for e in unique)),
        Row("issuer", "Issuer / introduced by", "提出者", tuple(_issuer(e, kb) for e in unique)),
        Row("lineage", "Lineage", "沿革", tuple(_lineage(e, kb) for e in unique)),
        Row("summary", "Summary", "概要", tuple(_simple(e.summary) for e in unique)),
    ]
    present = {key for entry in unique for key in entry.dimensions}
    ordered = [key for key in kb.dimensions if key in present]
    ordered += sorted(present - set(ordered))
    for key in ordered:
        dimension = kb.dimensions.get(key)
        rows.append(
            Row(
                key,
                dimension.en if dimension else key,
                dimension.zh if dimension else None,
                tuple(entry.dimensions.get(key) for entry in unique),
                is_dimension=True,
            )
        )
    kept = [row for row in rows if any(cell is not None for cell in row.cells)]
    return Comparison(tuple(unique), tuple(kept))
