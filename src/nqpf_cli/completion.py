"""Candidates for shell completion of terms: ids, English names, aliases, Chinese names."""

from __future__ import annotations

from .kb import load
from .normalize import loose

LIMIT = 200


def candidates(
    incomplete: str, kb_paths: list[str], include_shipped: bool = True
) -> list[tuple[str, str]]:
    """(value, help) pairs whose value starts with what was typed, case-insensitively."""
    knowledge = load(kb_paths, include_shipped=include_shipped)
    if knowledge.errors():
        return []
    prefix = loose(incomplete)
    found: dict[str, str] = {}
    for entry in knowledge.entries.values():
        for value in (entry.id, entry.name, *entry.aliases, entry.name_zh or ""):
            if value and loose(value).startswith(prefix) and value not in found:
                found[value] = f"{entry.name} ({entry.kind})"
    return sorted(found.items(), key=lambda item: (item[0] != item[0].lower(), item[0]))[:LIMIT]
