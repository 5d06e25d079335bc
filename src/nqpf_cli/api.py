"""The Python API, for notebooks and scripts. Everything returns data; nothing prints.

>>> import nqpf_cli as nqpf
>>> kb = nqpf.load()
>>> nqpf.resolve(kb, "新质生产力").id
'new-quality-productive-forces'
"""

from __future__ import annotations

from typing import Any

from . import formats
from .compare import compare as _compare
from .describe import describe
from .errors import KnowledgeBaseError, NotFoundError
from .kb import load as _load
from .kb import require_valid
from .models import Entry, Finding, KnowledgeBase
from .resolve import Resolver
from .search import Hit
from .search import search as _search


def load(
    *paths: str,
    shipped: bool = True,
    user: bool = True,
    env: bool = True,
    strict: bool = True,
) -> KnowledgeBase:
    """Load the layers: the shipped base, the user folder, NQPF_KB, then `paths`.

    With `strict` (the default) a knowledge base with errors raises KnowledgeBaseError,
    as the command line does; otherwise the findings are on `kb.findings`.
    """
    environ: dict[str, str] | None = None if env else {}
    kb = _load(list(paths), environ=environ, include_shipped=shipped, include_user=user)
    return require_valid(kb) if strict else kb


def resolve(kb: KnowledgeBase, term: str) -> Entry:
    """The entry a term names (id, name, alias, Chinese or pinyin); NotFoundError if none."""
    return Resolver(kb).resolve(term).entry


def define(kb: KnowledgeBase, term: str) -> dict[str, Any]:
    """What `nqpf define TERM --json` prints for one term, as a dict."""
    match = Resolver(kb).resolve(term)
    return formats.view_json(describe(match.entry, kb, match.how), kb)


def search(
    kb: KnowledgeBase, query: str, kinds: set[str] | None = None, limit: int = 20
) -> list[Hit]:
    """Ranked hits, best first; empty when nothing matches."""
    return _search(kb, query, kinds, limit)


def compare(kb: KnowledgeBase, *terms: str) -> dict[str, Any]:
    """What `nqpf compare A B … --json` prints, as a dict."""
    resolver = Resolver(kb)
    return formats.compare_json(_compare([resolver.resolve(t).entry for t in terms], kb), kb)


def validate(*paths: str, shipped: bool = True) -> list[Finding]:
    """Findings for `paths` layered on the shipped base (errors, warnings and overrides)."""
    kb = _load(list(paths), environ={}, include_shipped=shipped, include_user=False)
    return sorted(kb.findings, key=lambda f: (f.position.path, f.position.line, f.position.column))


__all__ = [
    "Entry",
    "Finding",
    "Hit",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "NotFoundError",
    "compare",
    "define",
    "load",
    "resolve",
    "search",
    "validate",
]
