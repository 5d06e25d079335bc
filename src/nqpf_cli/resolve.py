"""Finding the entry a user means: exact id, then names and aliases, Chinese, pinyin.

Fuzzy matching only ever produces suggestions; it never picks an entry silently.
"""

# No `from __future__ import annotations`: NamedTuples pay for string annotations (models.py).

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .errors import NotFoundError
from .models import Entry, KnowledgeBase
from .normalize import compact, loose, scrub
from .textsafe import one_line


class Match(NamedTuple):
    entry: Entry
    how: str  # id | name | alias | chinese | pinyin
    query: str


def name_keys(entry: Entry) -> Iterator[tuple[str, str, str]]:
    """(table, folded key, how) rows through which an entry can be found."""
    for text, how in [(entry.name, "name")] + [(alias, "alias") for alias in entry.aliases]:
        yield "loose", loose(text), how
        key = compact(text)
        if key:
            yield "compact", key, how
    if entry.name_zh:
        yield "chinese", loose(entry.name_zh), "chinese"
        key = compact(entry.name_zh)
        if key:
            yield "chinese", key, "chinese"
    if entry.pinyin:
        key = compact(entry.pinyin)
        if key:
            yield "pinyin", key, "pinyin"


def choice_keys(entry: Entry) -> Iterator[str]:
    """What fuzzy suggestions compare a query against."""
    yield entry.id
    for text in (entry.name, *entry.aliases, entry.name_zh or ""):
        if text:
            yield loose(text)
    if entry.pinyin:
        yield compact(entry.pinyin)


class NameLookup:
    """What the resolver asks of a knowledge base: exact keys, and keys for suggestions."""

    def lookup(self, table: str, key: str) -> dict[str, str]:
        raise NotImplementedError

    def choices(self) -> dict[str, str]:
        raise NotImplementedError


class MemoryLookup(NameLookup):
    """Lookup tables built in memory from every entry."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], dict[str, str]] = {}
        self.all_choices: dict[str, str] = {}

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> "MemoryLookup":
        lookup = cls()
        for entry in entries:
            for table, key, how in name_keys(entry):
                lookup.tables.setdefault((table, key), {}).setdefault(entry.id, how)
            for key in choice_keys(entry):
                lookup.all_choices.setdefault(key, entry.id)
        return lookup

    def lookup(self, table: str, key: str) -> dict[str, str]:
        return self.tables.get((table, key), {})

    def choices(self) -> dict[str, str]:
        return self.all_choices


class Resolver:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.names: NameLookup = kb.name_lookup()

    def _pick(self, query: str, ids: dict[str, str], how: str | None) -> Match | None:
        if not ids:
            return None
        if len(ids) > 1:
            names = ", ".join(
                f"{entry_id} ({one_line(self.kb.entries[entry_id].name)})" for entry_id in ids
            )
            raise NotFoundError(f"'{one_line(query)}' is ambiguous: it could be {names}")
        (entry_id,) = tuple(ids)
        found_how = how or ids[entry_id]
        return Match(self.kb.entries[entry_id], found_how, query)

    def resolve(self, query: str) -> Match:
        text = scrub(query).strip()
        if text in self.kb.entries:
            return Match(self.kb.entries[text], "id", query)
        lowered = loose(text)
        if lowered in self.kb.entries:
            return Match(self.kb.entries[lowered], "id", query)
        short = compact(text)
        tiers: list[tuple[str, str, str | None]] = [
            ("loose", lowered, None),
            ("compact", short, None),
            ("chinese", lowered, "chinese"),
            ("chinese", short, "chinese"),
            ("pinyin", short, "pinyin"),
        ]
        for table, key, how in tiers:
            if not key:
                continue
            match = self._pick(query, self.names.lookup(table, key), how)
            if match is not None:
                return match
        raise NotFoundError(self.not_found_message(query))

    def suggestions(self, query: str, limit: int = 3) -> list[str]:
        """Close spellings of a name, alias, Chinese name, pinyin or id; best first.

        Plain edit-distance ratio, not partial matching: a short typo like `mitt` should
        suggest `miit`, not every long name that happens to contain similar letters.
        """
        from rapidfuzz import fuzz, process  # only paid for on a miss

        key = loose(query)
        if not key:
            return []
        choices = self.names.choices()
        results = process.extract(
            key, list(choices), scorer=fuzz.ratio, limit=limit * 4, score_cutoff=70
        )
        if not results:
            return []
        best = results[0][1]
        picked: list[str] = []
        for choice, score, _ in results:
            entry_id = choices[choice]
            if score >= best - 10 and entry_id not in picked:
                picked.append(entry_id)
        return picked[:limit]

    def not_found_message(self, query: str) -> str:
        shown = one_line(query) or "(empty)"
        ideas = self.suggestions(query)
        if not ideas:
            return f"no entry matches '{shown}'; try 'nqpf list'"
        names = ", ".join(f"{i} ({one_line(self.kb.entries[i].name)})" for i in ideas)
        return f"no entry matches '{shown}'; did you mean {names}?"
