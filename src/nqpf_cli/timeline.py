"""Dated entries in order. Partial dates sort at the start of their year or month, so
`2015` comes before `2015-05-08`, which reads naturally in a chronology."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Entry, KnowledgeBase


@dataclass(frozen=True, slots=True)
class Moment:
    entry: Entry
    date: str
    end_date: str | None

    @property
    def year(self) -> int:
        return int(self.date[:4])


def sort_key(date: str) -> tuple[int, int, int]:
    parts = [int(p) for p in date.split("-")]
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def timeline(
    kb: KnowledgeBase,
    start: int | None = None,
    end: int | None = None,
    kinds: set[str] | None = None,
) -> list[Moment]:
    moments = [
        Moment(entry, entry.date, entry.end_date)
        for entry in kb.entries.values()
        if entry.date and (not kinds or entry.kind in kinds)
    ]
    moments = [
        m for m in moments if (start is None or m.year >= start) and (end is None or m.year <= end)
    ]
    moments.sort(key=lambda m: (sort_key(m.date), m.entry.kind != "event", m.entry.id))
    return moments
