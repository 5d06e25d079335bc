"""Finding the entry a user means: exact id, then names and aliases, Chinese, pinyin.

Fuzzy matching only ever produces suggestions; it never picks an entry silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import NotFoundError
from .models import Entry, KnowledgeBase
from .normalize import compact, loose
from .textsafe import one_line

TIERS = ("id", "name", "alias", "chinese", "pinyin")


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    how: str  # one of TIERS
    query: str


@dataclass(slots=True)
class Index:
    """Lookup tables built once per knowledge base."""

    by_loose: dict[str, dict[str, str]] = field(default_factory=dict)
    by_compact: dict[str, dict[str, str]] = field(default_factory=dict)
    chinese: dict[str, set[str]] = field(default_factory=dict)
    pinyin: dict[str, set[str]] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)  # display key -> entry id


def build_index(kb: KnowledgeBase) -> Index:
    index = Index()
    for entry in kb.entries.values():
        labelled = [(entry.name, "name")] + [(alias, "alias") for alias in entry.aliases]
        for text, how in labelled:
            index.by_loose.setdefault(loose(text), {}).setdefault(entry.id, how)
            key = compact(text)
            if key:
                index.by_compact.setdefault(key, {}).setdefault(entry.id, how)
            index.choices.setdefault(loose(text), entry.id)
        if entry.name_zh:
            for key in {loose(entry.name_zh), compact(entry.name_zh)}:
                if key:
                    index.chinese.setdefault(key, set()).add(entry.id)
            index.choices.setdefault(loose(entry.name_zh), entry.id)
        if entry.pinyin:
            key = compact(entry.pinyin)
            if key:
                index.pinyin.setdefault(key, set()).add(entry.id)
                index.choices.setdefault(key, entry.id)
        index.choices.setdefault(entry.id, entry.id)
    return index


class Resolver:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.index = build_index(kb)

    def _pick(self, query: str, ids: dict[str, str] | set[str], how: str | None) -> Match | None:
        if not ids:
            return None
        if len(ids) > 1:
            names = ", ".join(
                f"{entry_id} ({one_line(self.kb.entries[entry_id].name)})" for entry_id in ids
            )
            raise NotFoundError(f"'{one_line(query)}' is ambiguous: it could be {names}")
        (entry_id,) = tuple(ids)
        found_how = how or (ids[entry_id] if isinstance(ids, dict) else "name")
        return Match(self.kb.entries[entry_id], found_how, query)

    def resolve(self, query: str) -> Match:
        text = query.strip()
        if text in self.kb.entries:
            return Match(self.kb.entries[text], "id", query)
        lowered = loose(text)
        if lowered in self.kb.entries:
            return Match(self.kb.entries[lowered], "id", query)
        short = compact(text)
        tiers: list[Callable[[], Match | None]] = [
            lambda: self._pick(query, self.index.by_loose.get(lowered, {}), None),
            lambda: (
                self._pick(query, self.index.by_compact.get(short, {}), None) if short else None
            ),
            lambda: (
                self._pick(query, self.index.chinese.get(lowered, set()), "chinese")
                or (
                    self._pick(query, self.index.chinese.get(short, set()), "chinese")
                    if short
                    else None
                )
            ),
            lambda: (
                self._pick(query, self.index.pinyin.get(short, set()), "pinyin") if short else None
            ),
        ]
        for tier in tiers:
            match = tier()
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
        results = process.extract(
            key, list(self.index.choices), scorer=fuzz.ratio, limit=limit * 4, score_cutoff=70
        )
        if not results:
            return []
        best = results[0][1]
        picked: list[str] = []
        for choice, score, _ in results:
            entry_id = self.index.choices[choice]
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
