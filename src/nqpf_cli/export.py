"""What every `nqpf export` format shares: choosing the entries, safe URLs and IRIs, and
the JSON document. Pure functions, no Typer or Rich; writing files is left to the callers.

Every export is deterministic: the same knowledge base gives the same bytes (no
timestamps, no paths of the machine, entries in knowledge-base order).
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .describe import describe
from .errors import NotFoundError, UsageError
from .formats import entry_json
from .models import KINDS, Brief, Entry, KnowledgeBase

EXPORT_FORMATS = ("markdown", "html", "skos", "jsonld", "json")
DEFAULT_BASE_IRI = "https://nqpf.example/term/"

KIND_TITLES: dict[str, str] = {
    "concept": "Concepts",
    "initiative": "Initiatives",
    "document": "Documents",
    "sector": "Sectors",
    "institution": "Institutions",
    "event": "Events",
    "person": "People",
}


@dataclass(frozen=True, slots=True)
class Selection:
    """The entries being exported, in knowledge-base order, and the whole knowledge base
    (so a link to an entry left out can still show the other entry's name)."""

    kb: KnowledgeBase
    entries: tuple[Entry, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.entries)

    def exported(self, entry_id: str) -> Entry | None:
        """The entry if it is part of this export, else None."""
        return self.kb.entries.get(entry_id) if entry_id in self.ids else None

    def by_kind(self) -> list[tuple[str, list[Entry]]]:
        """Entries grouped by kind, kinds in the documented order (unknown kinds last)."""
        order = list(KINDS) + sorted({e.kind for e in self.entries} - set(KINDS))
        groups = [(kind, [e for e in self.entries if e.kind == kind]) for kind in order]
        return [(kind, entries) for kind, entries in groups if entries]


def select(kb: KnowledgeBase, kinds: Iterable[str] = ()) -> Selection:
    """The entries of the given kinds (all if none). The knowledge base is read into memory
    once: an export touches every entry and its links many times."""
    kb = KnowledgeBase(
        entries={entry.id: entry for entry in kb.ordered()},
        dimensions=kb.dimensions,
        findings=kb.findings,
        layers=kb.layers,
        stats=kb.stats,
    )
    wanted = set(kinds)
    entries = tuple(e for e in kb.entries.values() if not wanted or e.kind in wanted)
    if not entries:
        raise NotFoundError("no entries of those kinds to export")
    return Selection(kb, entries)


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.capitalize())


# -- URLs and IRIs ---------------------------------------------------------------------------

# Characters an IRI may hold as they are (RFC 3987): ASCII unreserved and reserved
# characters and '%'; other ASCII (space, quotes, <>, {}, |, \, ^, `) and control
# characters are percent-encoded.
_IRI_ASCII = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
_HEX = frozenset("0123456789abcdefABCDEF")


def _percent(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))


def iri_escape(text: str) -> str:
    """Percent-encode what may not appear in an IRI: ASCII outside the URI character set,
    controls, format (bidi, zero-width) and separator characters, private-use and
    unassigned code points. A '%' not starting an escape becomes '%25'. Letters, marks,
    digits and symbols of other scripts stay as they are (an IRI, not a URI)."""
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch == "%":
            ok = len(text) > index + 2 and text[index + 1] in _HEX and text[index + 2] in _HEX
            out.append("%" if ok else "%25")
        elif ord(ch) < 0x80:
            out.append(ch if ch in _IRI_ASCII else _percent(ch))
        elif unicodedata.category(ch)[0] in "LMNPS" and unicodedata.category(ch) != "Co":
            out.append(ch)
        else:
            out.append(_percent(ch))
    return "".join(out)


def web_url(url: str | None) -> str | None:
    """A source URL made safe for a link, or None when it is not an http(s) URL (a
    `javascript:`, `data:` or relative address is never emitted as a link)."""
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")) or not url.split("//", 1)[1]:
        return None
    return iri_escape(url)


# -- JSON -----------------------------------------------------------------------------------


def _link_json(entry: Brief) -> dict[str, str]:
    return {"id": entry.id, "name": entry.name, "summary": entry.summary}


def json_document(selection: Selection) -> dict[str, Any]:
    """The exported entries as one document, shaped like the YAML top level.

    Each entry is `formats.entry_json` plus `related` and `linked_from` (typed links out
    and in, resolved to names), as in `define --json`. Knowledge-base text is exact."""
    kb = selection.kb
    entries = []
    for entry in selection.entries:
        data = entry_json(entry, kb)
        view = describe(entry, kb)
        data["related"] = [{"type": v.link_type, **_link_json(v.target)} for v in view.links]
        data["linked_from"] = [
            {"type": v.link_type, **_link_json(v.target)} for v in view.backlinks
        ]
        entries.append(data)
    used = {key for entry in selection.entries for key in entry.dimensions}
    return {
        "version": "1",
        "dimensions": {
            key: {"en": d.en, "zh": d.zh} for key, d in kb.dimensions.items() if key in used
        },
        "entries": entries,
    }


# -- writing -------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 through a temporary file and a rename: never half a file, and a symlink
    in the way is replaced, not followed. OSError is the caller's to report."""
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder; give a file name")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".nqpf-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
