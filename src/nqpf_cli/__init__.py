"""nqpf: a bilingual command-line glossary of new quality productive forces (新质生产力).

The Python API, for notebooks and scripts (documented in the README):

    import nqpf_cli as nqpf
    kb = nqpf.load()
    nqpf.define(kb, "AI+")["name_zh"]   # '人工智能+'
"""

from __future__ import annotations

__version__ = "0.1.0"

# Bound after the submodules of the same names are imported, so `nqpf_cli.search` is the
# function, not the module.
from .api import (
    Entry,
    Finding,
    Hit,
    KnowledgeBase,
    KnowledgeBaseError,
    compare,
    define,
    load,
    resolve,
    search,
    validate,
)
from .errors import NotFoundError

__all__ = [
    "Entry",
    "Finding",
    "Hit",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "NotFoundError",
    "__version__",
    "compare",
    "define",
    "load",
    "resolve",
    "search",
    "validate",
]
