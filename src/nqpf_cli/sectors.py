"""Which initiatives and documents name which sectors, as a matrix."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Entry, KnowledgeBase

COLUMN_KINDS = ("initiative", "document")
# A sector belongs to a policy when the policy names it (`sectors`, `has_part`) or the
# sector says it is part of, or announced in, the policy.
FORWARD = ("sectors", "has_part")
BACKWARD = ("part_of", "announced_in")


@dataclass(frozen=True, slots=True)
class Matrix:
    rows: tuple[Entry, ...]  # sectors
    columns: tuple[Entry, ...]  # initiatives and documents naming at least one sector
    marks: frozenset[tuple[str, str]]  # (sector id, policy id)

    def has(self, sector: Entry, policy: Entry) -> bool:
        return (sector.id, policy.id) in self.marks


def matrix(kb: KnowledgeBase) -> Matrix:
    marks: set[tuple[str, str]] = set()
    for entry in kb.entries.values():
        if entry.kind in COLUMN_KINDS:
            for link_type in FORWARD:
                for target in entry.links.get(link_type, ()):
                    if target in kb.entries and kb.entries[target].kind == "sector":
                        marks.add((target, entry.id))
        if entry.kind == "sector":
            for link_type in BACKWARD:
                for target in entry.links.get(link_type, ()):
                    if target in kb.entries and kb.entries[target].kind in COLUMN_KINDS:
                        marks.add((entry.id, target))
    used_columns = {policy for _, policy in marks}
    rows = tuple(e for e in kb.entries.values() if e.kind == "sector")
    columns = tuple(e for e in kb.entries.values() if e.id in used_columns)
    return Matrix(rows, columns, frozenset(marks))
