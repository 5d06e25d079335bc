"""Typed knowledge-base records. No I/O here.

No `from __future__ import annotations`: a NamedTuple with string annotations compiles
each of them when its class is made, which every run of every command pays for.
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

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


# Small immutable records are NamedTuples: creating a dataclass at import costs about ten
# times as much, and every command pays for every class it imports.


class Position(NamedTuple):
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


class Finding(NamedTuple):
    position: Position
    severity: Severity
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.severity.value} {self.rule}: {self.message}"


class Source(NamedTuple):
    title: str
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    note: str | None = None


class Translation(NamedTuple):
    text: str
    used_by: str | None = None
    sources: tuple[int, ...] = ()


class Cell(NamedTuple):
    """One comparison-dimension value of an entry."""

    text: str
    sources: tuple[int, ...] = ()
    framing: str | None = None


class Dimension(NamedTuple):
    id: str
    en: str
    zh: str | None = None


# The keys an entry may have in YAML, in the order documented.
ENTRY_KEYS = (
    "id",
    "kind",
    "name",
    "name_zh",
    "pinyin",
    "aliases",
    "tags",
    "summary",
    "definition",
    "date",
    "end_date",
    "status",
    "framing",
    "notes",
    "links",
    "translations",
    "dimensions",
    "sources",
    "override",
)
# What a patch replaces whole; links and dimensions merge key by key instead.
PATCHABLE = tuple(k for k in ENTRY_KEYS if k not in ("id", "override", "links", "dimensions"))

# Attributes of an Entry: the YAML keys plus where it came from.
ENTRY_FIELDS = (
    "id",
    "kind",
    "name",
    "summary",
    "definition",
    "position",
    "name_zh",
    "pinyin",
    "aliases",
    "tags",
    "date",
    "end_date",
    "status",
    "framing",
    "notes",
    "links",
    "translations",
    "dimensions",
    "sources",
    "layer",
    "override",
    "overrides",
    "provided",
    "positions",
)


class Entry:
    """One glossary entry. A plain class (not a dataclass) because every command imports
    it and a 24-field dataclass costs a millisecond to create."""

    __slots__ = ENTRY_FIELDS

    def __init__(
        self,
        id: str,
        kind: str,
        name: str,
        summary: str,
        definition: str,
        position: Position,
        name_zh: str | None = None,
        pinyin: str | None = None,
        aliases: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        date: str | None = None,
        end_date: str | None = None,
        status: str | None = None,
        framing: str | None = None,
        notes: str | None = None,
        links: dict[str, tuple[str, ...]] | None = None,
        translations: tuple[Translation, ...] = (),
        dimensions: dict[str, Cell] | None = None,
        sources: tuple[Source, ...] = (),
        layer: str = "",
        override: str | None = None,
        overrides: str | None = None,
        provided: frozenset[str] = frozenset(),
        positions: dict[str, Position] | None = None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.name = name
        self.summary = summary
        self.definition = definition
        self.position = position
        self.name_zh = name_zh
        self.pinyin = pinyin
        self.aliases = aliases
        self.tags = tags
        self.date = date
        self.end_date = end_date
        self.status = status
        self.framing = framing
        self.notes = notes
        self.links: dict[str, tuple[str, ...]] = {} if links is None else links
        self.translations = translations
        self.dimensions: dict[str, Cell] = {} if dimensions is None else dimensions
        self.sources = sources
        self.layer = layer
        # `replace` or `patch` when this entry changes one from an earlier layer
        self.override = override
        # where the entry it replaced or patched was defined
        self.overrides = overrides
        # the keys written in the YAML (a patch changes only these)
        self.provided = provided
        # where fields and link targets were written, for findings ("links.related.x")
        self.positions: dict[str, Position] = {} if positions is None else positions

    def replace(self, **changes: Any) -> "Entry":
        """A copy with some fields changed (mutable fields are copied shallowly)."""
        values = {name: getattr(self, name) for name in ENTRY_FIELDS}
        values.update(changes)
        for name in ("links", "dimensions", "positions"):
            if name not in changes:
                values[name] = dict(values[name])
        return Entry(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in ENTRY_FIELDS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Entry(id={self.id!r}, kind={self.kind!r}, name={self.name!r})"

    def brief(self) -> "Brief":
        return Brief(self.id, self.kind, self.name, self.name_zh, self.summary)

    def heading(self) -> "Heading":
        return Heading(
            self.id,
            self.kind,
            self.name,
            self.name_zh,
            self.pinyin,
            self.summary,
            self.tags,
            self.date,
        )

    def where(self, key: str) -> Position:
        return self.positions.get(key, self.position)


class Brief(NamedTuple):
    """What is shown of an entry that another one links to."""

    id: str
    kind: str
    name: str
    name_zh: str | None
    summary: str


class Heading(NamedTuple):
    """What `list` shows of an entry."""

    id: str
    kind: str
    name: str
    name_zh: str | None
    pinyin: str | None
    summary: str
    tags: tuple[str, ...]
    date: str | None


class BackLink(NamedTuple):
    """An entry that links to another: `source` --link_type--> target."""

    source: str
    link_type: str


class LayerStat(NamedTuple):
    """One loaded file: where it is, which layer it belongs to, what it held."""

    path: str
    origin: str  # shipped | user | NQPF_KB | --kb
    entries: int
    overrides: int
    errors: int


class KnowledgeBase:
    """Entries, comparison dimensions, findings and the layers they came from."""

    def __init__(
        self,
        entries: Mapping[str, Entry],
        dimensions: dict[str, Dimension],
        findings: list[Finding],
        layers: tuple[str, ...] = (),
        stats: tuple[LayerStat, ...] = (),
    ) -> None:
        self.entries = entries
        self.dimensions = dimensions
        self.findings = findings
        self.layers = layers
        self.stats = stats
        self.index: str | None = None  # the on-disk index file it was read from, if any

    def ordered(self) -> list[Entry]:
        return list(self.entries.values())

    def headings(self) -> list[Heading]:
        """Every entry in order, as `list` shows it (the index answers without decoding
        whole entries)."""
        return [entry.heading() for entry in self.entries.values()]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def name_lookup(self) -> "NameLookup":
        from .resolve import MemoryLookup

        return MemoryLookup.build(self.entries.values())

    def briefs(self, ids: Iterable[str]) -> dict[str, Brief]:
        """Those of these entries that exist, as shown when linked to (the index answers
        without decoding whole entries)."""
        found: dict[str, Brief] = {}
        for entry_id in ids:
            entry = self.entries.get(entry_id)
            if entry is not None:
                found[entry_id] = entry.brief()
        return found

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
