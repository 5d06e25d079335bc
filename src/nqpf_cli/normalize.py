"""Folding keys so lookups ignore case, width, spacing, punctuation and tone marks."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_ASCII_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def loose(text: str) -> str:
    """Case-, width- and spacing-insensitive key; punctuation is kept (`AI+` is not `AI`)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", folded).strip()


def compact(text: str) -> str:
    """`loose`, then drop tone marks, spaces and punctuation (`xīn zhì` -> `xinzhi`)."""
    if text.isascii():  # most names: nothing to normalise, and casefold() leaves a-z
        return _ASCII_NON_ALNUM.sub("", text.lower())
    return _compact_any(text)


def _compact_any(text: str) -> str:
    folded = _strip_marks(loose(text))
    return "".join([ch for ch in folded if ch.isalnum()])


def scrub(text: str) -> str:
    """Lone surrogates (bytes in argv that were not UTF-8) as U+FFFD: nothing stored can
    contain them, and SQLite cannot even be asked about them."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def looks_like_pinyin(text: str) -> bool:
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text))
