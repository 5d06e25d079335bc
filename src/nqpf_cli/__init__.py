"""nqpf: a bilingual command-line glossary of new quality productive forces (新质生产力).

The Python API, for notebooks and scripts (documented in the README):

    import nqpf_cli as nqpf
    kb = nqpf.load()
    nqpf.define(kb, "AI+")["name_zh"]   # '人工智能+'

It is imported on first use, so the command line does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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
API = tuple(name for name in __all__ if name != "__version__")

if TYPE_CHECKING:
    from .api import (
        Entry,
        Finding,
        Hit,
        KnowledgeBase,
        KnowledgeBaseError,
        NotFoundError,
        compare,
        define,
        load,
        resolve,
        search,
        validate,
    )


def __getattr__(name: str) -> Any:
    # Never write `from . import search` (or compare, validate) inside the package: that
    # form asks this function first and would get the API function, not the module.
    if name not in API:
        raise AttributeError(f"module 'nqpf_cli' has no attribute {name!r}")
    from . import api

    # Importing the API imports the submodules `search`, `compare` and `validate`, which
    # binds those names to modules on this package; bind them to the API functions.
    globals().update({attribute: getattr(api, attribute) for attribute in API})
    return globals()[name]
