"""Ranked full-text search over an in-memory knowledge base.

Matching is forgiving in the ways a glossary user expects: case, width and tone marks
are ignored, pinyin matches with or without spaces, Chinese matches as substrings, and
every character of the query is taken literally (no operators), so `c++`, `"` or `-x`
are just text to look for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .describe import plain_text
from .models import Entry, KnowledgeBase
from .normalize import compact, scrub

# Field weights: a hit in a name counts for more than one in a source title.
WEIGHTS = {
    "name": 10.0,
    "alias": 8.0,
    "name_zh": 8.0,
    "pinyin": 6.0,
    "summary": 4.0,
    "translation": 3.0,
    "definition": 2.0,
    "dimension": 1.5,
    "notes": 1.0,
    "source": 1.0,
}
SNIPPET = 80
_QUOTED = re.compile(r'"([^"]+)"')
_PINYIN_TERM = re.compile(r"^[a-z' ]{3,}$")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short stretch of one field with the matched spans (start, end) to highlight."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float
    matched_all: bool
    snippet: Snippet


class _FoldTable(dict[int, str]):
    """str.translate table, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        folded = base.lower() if len(base.lower()) == 1 else ch
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase, full-width to half-width, tone marks removed; same length as NFKC text."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def parse_query(query: str) -> list[str]:
    """Quoted phrases stay whole; everything else splits on whitespace."""
    phrases = [fold(p).strip() for p in _QUOTED.findall(query)]
    rest = _QUOTED.sub(" ", query)
    words = [fold(w) for w in rest.split()]
    return [t for t in (*phrases, *words) if t.strip()]


def fields(entry: Entry, kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    yield "name", entry.name
    for alias in entry.aliases:
        yield "alias", alias
    if entry.name_zh:
        yield "name_zh", entry.name_zh
    if entry.pinyin:
        yield "pinyin", entry.pinyin
    yield "summary", entry.summary
    for translation in entry.translations:
        yield "translation", translation.text
    yield "definition", plain_text(entry.definition, kb)
    for key, cell in entry.dimensions.items():
        label = kb.dimensions[key].en if key in kb.dimensions else key
        yield f"dimension:{label}", plain_text(cell.text, kb)
    if entry.notes:
        yield "notes", plain_text(entry.notes, kb)
    for source in entry.sources:
        yield "source", source.title


def _find(term: str, haystack: str, field: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = haystack.find(term)
    while start != -1 and len(spans) < 20:
        spans.append((start, start + len(term)))
        start = haystack.find(term, start + 1)
    if not spans and field == "pinyin" and _PINYIN_TERM.match(term):
        # `shengchanli` or `xinzhishengchanli` against `xīn zhì shēngchǎnlì`
        squeezed = compact(term)
        if squeezed in compact(haystack):
            spans.append((0, len(haystack)))
    return spans


def _snippet(field: str, text: str, spans: list[tuple[int, int]]) -> Snippet:
    text = _SPACE.sub(" ", text)  # one character for one: the spans stay where they are
    first = min(spans)
    start = max(0, first[0] - SNIPPET // 3)
    end = min(len(text), start + SNIPPET)
    shown = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return Snippet(
        field,
        prefix + text[start:end] + suffix,
        tuple((s + shift, e + shift) for s, e in sorted(set(shown))),
    )


def score_entry(entry: Entry, kb: KnowledgeBase, terms: list[str], whole: str) -> Hit | None:
    matched_terms: set[str] = set()
    score = 0.0
    best: tuple[float, Snippet] | None = None
    for field, text in fields(entry, kb):
        folded = fold(text)
        weight = WEIGHTS.get(field.split(":")[0], 1.0)
        field_spans: list[tuple[int, int]] = []
        field_terms = 0
        for term in terms:
            spans = _find(term, folded, field.split(":")[0])
            if spans:
                matched_terms.add(term)
                field_terms += 1
                field_spans.extend(spans)
        if not field_spans:
            continue
        field_score = weight * field_terms
        if len(terms) > 1 and whole and whole in folded:
            field_score += weight * len(terms)  # the words together, as a phrase
        if field in ("name", "alias", "name_zh") and folded.strip() == whole:
            field_score += 20.0  # the query is this entry's name
        score += field_score
        if best is None or field_score > best[0]:
            # Spans index the NFKC form (what `fold` keeps the length of), so the snippet
            # is cut from it too: in the raw text `ﬁ` or `①` would shift every highlight.
            shown = unicodedata.normalize("NFKC", text)
            best = (field_score, _snippet(field, shown, field_spans))
    if best is None:
        return None
    matched_all = len(matched_terms) == len(terms)
    return Hit(entry, score, matched_all, best[1])


def search(
    kb: KnowledgeBase, query: str, kinds: set[str] | None = None, limit: int = 20
) -> list[Hit]:
    query = scrub(query)
    terms = parse_query(query)
    if not terms:
        return []
    whole = " ".join(fold(query.replace('"', " ")).split())
    hits = []
    # SQLite's full-text index cuts a query at a NUL; score every entry in Python instead.
    candidates = None if any("\x00" in term for term in terms) else kb.search_candidates(terms)
    for entry in kb.entries.values() if candidates is None else candidates:
        if kinds and entry.kind not in kinds:
            continue
        hit = score_entry(entry, kb, terms, whole)
        if hit is not None:
            hits.append(hit)
    hits.sort(key=lambda h: (not h.matched_all, -h.score, h.entry.id))
    return hits[:limit] if limit > 0 else hits
