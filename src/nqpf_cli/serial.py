"""Entries to and from plain data (dicts, lists, strings), stored in the on-disk index.

The index stores that data with `marshal`, not JSON: importing `json` alone costs every
run about a millisecond and a half, and marshal decodes twice as fast. Its format may
change between Python versions, so the index records the version (`STORAGE`) and is
rebuilt when it differs; the index is a private cache, never shared or downloaded.
"""

from __future__ import annotations

import marshal
import sys
from typing import Any

from .models import Cell, Entry, Finding, Position, Severity, Source, Translation

STORAGE = f"marshal {marshal.version} python {sys.version_info[0]}.{sys.version_info[1]}"


def encode(data: Any) -> bytes:
    return marshal.dumps(data)


def decode(blob: bytes) -> Any:
    return marshal.loads(blob)


def entry_to_data(entry: Entry) -> dict[str, Any]:
    """Everything but field positions, which only reports of findings need (see below)."""
    return {
        "id": entry.id,
        "kind": entry.kind,
        "name": entry.name,
        "summary": entry.summary,
        "definition": entry.definition,
        "pos": [entry.position.path, entry.position.line, entry.position.column],
        "name_zh": entry.name_zh,
        "pinyin": entry.pinyin,
        "aliases": list(entry.aliases),
        "tags": list(entry.tags),
        "date": entry.date,
        "end_date": entry.end_date,
        "status": entry.status,
        "framing": entry.framing,
        "notes": entry.notes,
        "links": {key: list(value) for key, value in entry.links.items()},
        "translations": [[t.text, t.used_by, list(t.sources)] for t in entry.translations],
        "dimensions": {
            key: [cell.text, list(cell.sources), cell.framing]
            for key, cell in entry.dimensions.items()
        },
        "sources": [[s.title, s.url, s.publisher, s.author, s.date, s.note] for s in entry.sources],
        "layer": entry.layer,
        "override": entry.override,
        "overrides": entry.overrides,
        "provided": sorted(entry.provided),
    }


def positions_to_data(entry: Entry) -> dict[str, list[Any]]:
    path = entry.position.path
    return {
        key: [pos.line, pos.column] if pos.path == path else [pos.line, pos.column, pos.path]
        for key, pos in entry.positions.items()
    }


def entry_from_data(
    data: dict[str, Any], positions_data: dict[str, list[Any]] | None = None
) -> Entry:
    path, line, column = data["pos"]
    positions = {
        key: Position(value[2] if len(value) > 2 else path, value[0], value[1])
        for key, value in (positions_data or {}).items()
    }
    return Entry(
        id=data["id"],
        kind=data["kind"],
        name=data["name"],
        summary=data["summary"],
        definition=data["definition"],
        position=Position(path, line, column),
        name_zh=data["name_zh"],
        pinyin=data["pinyin"],
        aliases=tuple(data["aliases"]),
        tags=tuple(data["tags"]),
        date=data["date"],
        end_date=data["end_date"],
        status=data["status"],
        framing=data["framing"],
        notes=data["notes"],
        links={key: tuple(value) for key, value in data["links"].items()},
        translations=tuple(Translation(t[0], t[1], tuple(t[2])) for t in data["translations"]),
        dimensions={
            key: Cell(value[0], tuple(value[1]), value[2])
            for key, value in data["dimensions"].items()
        },
        sources=tuple(Source(*s) for s in data["sources"]),
        layer=data["layer"],
        override=data["override"],
        overrides=data["overrides"],
        provided=frozenset(data["provided"]),
        positions=positions,
    )


def finding_to_row(finding: Finding) -> tuple[str, int, int, str, str, str]:
    p = finding.position
    return (p.path, p.line, p.column, finding.severity.value, finding.rule, finding.message)


def finding_from_row(row: tuple[Any, ...]) -> Finding:
    path, line, column, severity, rule, message = row
    return Finding(Position(path, line, column), Severity(severity), rule, message)
