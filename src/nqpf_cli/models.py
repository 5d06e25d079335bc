"""Typed knowledge-base records. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resolve import NameLookup

KINDS = ("concept", "initiative", "document", "sector", "institution", "event", "person")
STATUSES = ("active", "superseded", "de-emphasised", "historical")
FRAMINGS = ("official", "analyst")

# link type -> label shown on the target entry (the inverse reading)
LINK_TYPES: dict[str, str] = {
    "related": "related",
    "evolved_from": "evolved into",
    "evolved_into": "evolved from",
    "part_of": "has part",
    "has_part": "part of",
    "sectors": "named by",
    "issued_by": "issued",
    "introduced_by": "introduced",
    "announced_in": "announces",
    "contrasts_with": "contrasts with",
}
LINK_LABELS: dict[str, str] = {
    "related": "related",
    "evolved_from": "evolved from",
    "evolved_into": "evolved into",
    "part_of": "part of",
    "has_part": "has part",
    "sectors": "sectors",
    "issued_by": "issued by",
    "introduced_by": "introduced by",
    "announced_in": "announced in",
    "contrasts_with": "contrasts with",
}


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a knowledge-base file; line and column are 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # reported, never fails validation (e.g. a deliberate override)


@dataclass(frozen=True, slots=True)
class Finding:
    position: Position
    severity: Severity
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.severity.value} {self.rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    used_by: str | None = None
    sources: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Cell:
    """One comparison-dimension value of an entry."""

    text: str
    sources: tuple[int, ...] = ()
    framing: str | None = None


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    en: str
    zh: str | None = None


@dataclass(slots=True)
class Entry:
    id: str
    kind: str
    name: str
    summary: str
    definition: str
    position: Position
    name_zh: str | None = None
    pinyin: str | None = None
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    date: str | None = None
    end_date: str | None = None
    status: str | None = None
    framing: str | None = None
    notes: str | None = None
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    translations: tuple[Translation, ...] = ()
    dimensions: dict[str, Cell] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    layer: str = ""
    # `replace` or `patch` when this entry changes one from an earlier layer
    override: str | None = None
    # where the entry it replaced or patched was defined
    overrides: str | None = None
    # the keys written in the YAML (a patch changes only these)
    provided: frozenset[str] = frozenset()
    # where fields and link targets were written, for findings ("links.related.x")
    positions: dict[str, Position] = field(default_factory=dict)

    def where(self, key: str) -> Position:
        return self.positions.get(key, self.position)


@dataclass(frozen=True, slots=True)
class BackLink:
    """An entry that links to another: `source` --link_type--> target."""

    source: str
    link_type: str


@dataclass(frozen=True, slots=True)
class LayerStat:
    """One loaded file: where it is, which layer it belongs to, what it held."""

    path: str
    origin: str  # shipped | user | NQPF_KB | --kb
    entries: int
    overrides: int
    errors: int


@dataclass(slots=True)
class KnowledgeBase:
    entries: Mapping[str, Entry]
    dimensions: dict[str, Dimension]
    findings: list[Finding]
    layers: tuple[str, ...] = ()
    stats: tuple[LayerStat, ...] = ()

    def ordered(self) -> list[Entry]:
        return list(self.entries.values())

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def name_lookup(self) -> NameLookup:
        from .resolve import MemoryLookup

        return MemoryLookup.build(self.entries.values())

    def search_candidates(self, terms: list[str]) -> list[Entry] | None:
        """Entries worth scoring for these search terms; None means score them all."""
        return None

    def backlinks(self, entry_id: str) -> list[BackLink]:
        found: list[BackLink] = []
        for other in self.entries.values():
            for link_type, targets in other.links.items():
                if entry_id in targets and other.id != entry_id:
                    found.append(BackLink(other.id, link_type))
        return found
