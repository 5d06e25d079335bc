"""An on-disk SQLite index of the knowledge-base layers, so commands need not parse YAML.

The YAML files stay the only source of truth. The index lives in the user cache
directory (NQPF_CACHE_DIR overrides), one file per set of layers, and is checked on
every run: a file whose size, mtime, ctime or inode changed is hashed, and only a
changed *content* hash means rebuilding — just that file's rows and the entries they
touch. A first build goes to a temporary file that replaces the index atomically;
later updates are single SQLite transactions, so an interrupted run leaves the previous
index intact. Anything wrong with the index (corrupt, foreign version, unwritable)
makes nqpf rebuild it or work without it, with at most one warning — never an error.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .layers import Layer, user_cache_dir
from .models import (
    BackLink,
    Brief,
    Dimension,
    Entry,
    Finding,
    Heading,
    KnowledgeBase,
    LayerStat,
)
from .resolve import NameLookup
from .serial import STORAGE, decode, entry_from_data, finding_from_row

FORMAT = "12"  # bump when the layout or the meaning of stored data changes
CANDIDATES = 100  # entries a search scores in Python, picked by the full-text index

T = TypeVar("T")
Progress = Callable[[int, int], None]
Warn = Callable[[str], None]


class IndexUnavailable(Exception):
    """The index cannot be used this time; the caller loads the YAML directly."""


class IndexDamaged(Exception):
    """A stored row turned out unreadable in the middle of a command."""


# The index file the current command reads from (a command loads once).
OPENED: list[Path] = []


def discard_if_damaged(exc: BaseException) -> bool:
    """Whether `exc` means the index is damaged in a way the checks made on opening it do
    not see (a bad row or page, a missing table); if so the file is removed, so that the
    command can be answered again from a fresh index."""
    if not isinstance(exc, (IndexDamaged, sqlite3.DatabaseError)) or not OPENED:
        return False
    for path in OPENED:
        with contextlib.suppress(OSError):
            path.unlink()
    OPENED.clear()
    return True


def _decoded(blob: bytes) -> Any:
    try:
        return decode(blob)
    except (ValueError, EOFError, TypeError) as exc:
        raise IndexDamaged from exc


def _entry(blob: bytes) -> Entry:
    try:
        return entry_from_data(_decoded(blob))
    except (TypeError, IndexError, KeyError) as exc:  # well-formed data of the wrong shape
        raise IndexDamaged from exc


def batches(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """Slices small enough for one query (SQLite caps the number of parameters)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- where, and whether it is fresh ----------------------------------------------------------


def cache_dir(environ: Mapping[str, str]) -> Path:
    override = environ.get("NQPF_CACHE_DIR", "")
    if override:
        return Path(override)
    return user_cache_dir(environ)


class FileState:
    """One layer file as it is on disk now; the content hash is computed only if needed."""

    __slots__ = ("ctime_ns", "ino", "layer", "mtime_ns", "path", "sha", "shown", "size")

    def __init__(
        self, layer: Layer, path: str, shown: str, size: int, mtime_ns: int, ctime_ns: int, ino: int
    ) -> None:
        self.layer, self.path, self.shown = layer, path, shown
        self.size, self.mtime_ns, self.ctime_ns, self.ino = size, mtime_ns, ctime_ns, ino
        self.sha: str | None = None

    def same_stat(self, row: Mapping[str, Any]) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino) == (
            row["size"],
            row["mtime_ns"],
            row["ctime_ns"],
            row["ino"],
        )

    def digest(self) -> str:
        if self.sha is None:
            import hashlib

            self.sha = hashlib.sha256(Path(self.path).read_bytes()).hexdigest()
        return self.sha


def file_states(layers: list[Layer], shown: Callable[[Path], str]) -> list[FileState]:
    states = []
    for layer in layers:
        resolved = layer.path.resolve()
        info = resolved.stat()
        if not resolved.is_file():
            raise IndexUnavailable("not a regular file")
        states.append(
            FileState(
                layer,
                str(resolved),
                shown(layer.path),
                info.st_size,
                info.st_mtime_ns,
                info.st_ctime_ns,
                info.st_ino,
            )
        )
    return states


def index_path(directory: Path, states: list[FileState]) -> Path:
    import zlib  # a name, not a security boundary: the files table is checked on open

    key = repr([[s.path, s.layer.origin, s.shown] for s in states]).encode()
    return directory / f"kb-{zlib.crc32(key):08x}{zlib.adler32(key):08x}.sqlite"


# -- building -----------------------------------------------------------------------------


# -- reading --------------------------------------------------------------------------------


class LazyEntries(Mapping[str, Entry]):
    """Entries fetched from the index on demand; only what a command touches is decoded."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[str, Entry] = {}
        self.count: int | None = None

    def __getitem__(self, entry_id: str) -> Entry:
        cached = self.cache.get(entry_id)
        if cached is not None:
            return cached
        row = self.conn.execute("SELECT data FROM entries WHERE id=?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(entry_id)
        entry = _entry(row[0])
        self.cache[entry_id] = entry
        return entry

    def __contains__(self, entry_id: object) -> bool:
        if not isinstance(entry_id, str):
            return False
        if entry_id in self.cache:
            return True
        row = self.conn.execute("SELECT 1 FROM entries WHERE id=?", (entry_id,)).fetchone()
        return row is not None

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self.conn.execute("SELECT id FROM entries ORDER BY ord"))

    def __len__(self) -> int:
        if self.count is None:
            self.count = self.conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        return self.count

    def values(self) -> Iterator[Entry]:  # type: ignore[override]
        for (data,) in self.conn.execute("SELECT data FROM entries ORDER BY ord"):
            yield _entry(data)

    def items(self) -> Iterator[tuple[str, Entry]]:  # type: ignore[override]
        for entry in self.values():
            yield entry.id, entry


class SqlLookup(NameLookup):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def lookup(self, table: str, key: str) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT id, how FROM keys WHERE tbl=? AND key=? ORDER BY rowid", (table, key)
        )
        found: dict[str, str] = {}
        for entry_id, how in rows:
            found.setdefault(entry_id, how)
        return found

    def choices(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, entry_id in self.conn.execute("SELECT key, id FROM choices ORDER BY rowid"):
            found.setdefault(key, entry_id)
        return found


class IndexedKnowledgeBase(KnowledgeBase):
    """A knowledge base answered from the index: entries, names, links and search."""

    def __init__(self, conn: sqlite3.Connection, fts: bool, path: str, **fields: Any) -> None:
        super().__init__(**fields)
        self.conn: sqlite3.Connection | None = conn
        self.fts = fts
        self.index = path

    def name_lookup(self) -> SqlLookup:
        assert self.conn is not None
        return SqlLookup(self.conn)

    def headings(self) -> list[Heading]:
        assert self.conn is not None
        query = (
            "SELECT id, kind, name, name_zh, pinyin, summary, tags, date FROM entries ORDER BY ord"
        )
        return [
            Heading(i, kind, name, zh, pinyin, summary, tuple(_decoded(tags)), date)
            for i, kind, name, zh, pinyin, summary, tags, date in self.conn.execute(query)
        ]

    def briefs(self, ids: Iterable[str]) -> dict[str, Brief]:
        assert self.conn is not None
        found: dict[str, Brief] = {}
        for batch in batches(sorted(set(ids))):
            marks = ",".join("?" * len(batch))
            query = f"SELECT id, kind, name, name_zh, summary FROM entries WHERE id IN ({marks})"
            for row in self.conn.execute(query, batch):
                found[row[0]] = Brief(*row)
        return found

    def backlinks(self, entry_id: str) -> list[BackLink]:
        assert self.conn is not None
        rows = self.conn.execute(
            "SELECT source, type FROM links WHERE target=? AND source != target "
            "ORDER BY ord, rowid",
            (entry_id,),
        )
        return [BackLink(source, link_type) for source, link_type in rows]

    def search_candidates(self, terms: list[str]) -> list[Entry] | None:
        """Up to CANDIDATES entries for the Python scorer, in this order: entries whose names
        hold every word (best first), then entries holding every word anywhere, then
        entries holding some of the words. Ranking whole bodies by FTS5's bm25 for common
        words costs more than the lookup itself, so only the small name matches are ranked."""
        if not self.fts or self.conn is None:
            return None
        conn = self.conn
        found: dict[str, int] = {}

        def take(query: str, params: tuple[str, ...], weight: int) -> None:
            if len(found) >= CANDIDATES:
                return
            for (entry_id,) in conn.execute(query, (*params, CANDIDATES)):
                if found.get(entry_id, 0) < weight:
                    found[entry_id] = weight

        def phrase(term: str) -> str:
            return '"' + term.replace('"', '""') + '"'

        def holding(words: list[str]) -> tuple[str, tuple[str, ...]]:
            """A query for entries whose text holds every word. The body index keeps no
            positions (a tenth of the size), so the trigrams of each word pick rows and
            instr() confirms the word itself; words under three characters are scanned."""
            grams = sorted({w[i : i + 3] for w in words for i in range(len(w) - 2)})
            checks = " AND ".join("instr(text, ?) > 0" for _ in words)
            if not grams:
                return f"SELECT id FROM fts WHERE {checks} LIMIT ?", tuple(words)
            match = " AND ".join(phrase(gram) for gram in grams)
            return f"SELECT id FROM fts WHERE fts MATCH ? AND {checks} LIMIT ?", (match, *words)

        everything = len(terms) + 1
        if all(len(t) >= 3 for t in terms):  # the trigram index needs 3 characters
            every = " ".join(phrase(t) for t in terms)
            ranked = "SELECT id FROM fts_names WHERE fts_names MATCH ? ORDER BY rank LIMIT ?"
            take(ranked, (every,), everything + 1)
            take(*holding(terms), everything)
        for term in terms:
            take(*holding([term]), 1)
        ranked_ids = sorted(found, key=lambda entry_id: -found[entry_id])[:CANDIDATES]
        assert isinstance(self.entries, LazyEntries)
        return [self.entries[entry_id] for entry_id in ranked_ids]


def _read(conn: sqlite3.Connection, path: Path) -> IndexedKnowledgeBase:
    OPENED[:] = [path]
    dimensions: dict[str, Dimension] = {}
    for key, en, zh in conn.execute("SELECT key, en, zh FROM dims ORDER BY file_id, seq"):
        dimensions.setdefault(key, Dimension(key, en, zh))
    findings = [
        finding_from_row(row)
        for row in conn.execute(
            "SELECT path, line, col, severity, rule, message FROM file_findings "
            "UNION ALL SELECT path, line, col, severity, rule, message FROM id_findings "
            "UNION ALL SELECT path, line, col, severity, rule, message FROM global_findings"
        )
    ]
    stats = tuple(
        LayerStat(shown, origin, entries, overrides, errors)
        for shown, origin, entries, overrides, errors in conn.execute(
            "SELECT shown, origin, entries, overrides, errors FROM files ORDER BY file_id"
        )
    )
    fts = conn.execute("SELECT value FROM meta WHERE key='fts'").fetchone()[0] == "1"
    return IndexedKnowledgeBase(
        entries=LazyEntries(conn),
        dimensions=dimensions,
        findings=findings,
        layers=tuple(stat.path for stat in stats),
        stats=stats,
        conn=conn,
        fts=fts,
        path=str(path),
    )


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only=1")
    return conn


def _stale(conn: sqlite3.Connection, states: list[FileState]) -> tuple[list[int], bool]:
    """(files whose content changed, whether only stat data needs refreshing)."""
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    wanted = {"format": FORMAT, "nqpf": __version__, "storage": STORAGE}
    if any(meta.get(key) != value for key, value in wanted.items()):
        raise sqlite3.DatabaseError("index from another nqpf version")
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM files ORDER BY file_id").fetchall()
    conn.row_factory = None
    if [(r["path"], r["origin"]) for r in rows] != [(s.path, s.layer.origin) for s in states]:
        raise sqlite3.DatabaseError("index of other layers")
    changed: list[int] = []
    touched = False
    for file_id, (row, state) in enumerate(zip(rows, states, strict=True)):
        if row["sha"] is None:
            changed.append(file_id)
        elif not state.same_stat(row):
            if state.digest() == row["sha"]:
                touched = True
            else:
                changed.append(file_id)
    return changed, touched


def open_index(
    layers: list[Layer],
    environ: Mapping[str, str],
    shown: Callable[[Path], str],
    read: Callable[[Layer], tuple[list[Entry], dict[str, Dimension], list[Finding]]],
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> IndexedKnowledgeBase:
    """The knowledge base from the index, built or refreshed as needed.

    Raises IndexUnavailable when the index cannot be used; the caller then parses the
    YAML itself. Warnings (at most one per run) go to `warn`.
    """
    try:
        states = file_states(layers, shown)
    except (OSError, RuntimeError) as exc:
        raise IndexUnavailable(str(exc)) from None
    directory = cache_dir(environ)
    path = index_path(directory, states)
    builder_args: dict[str, Any] = {"read": read, "progress": progress}
    rebuild_reason = None
    if path.exists():
        try:
            conn = _connect_ro(path)
            changed, touched = _stale(conn, states)
            if not changed and not touched:
                return _read(conn, path)
            conn.close()
            from .index_build import update

            update(path, states, changed, builder_args)
            return _read(_connect_ro(path), path)
        except sqlite3.DatabaseError as exc:
            rebuild_reason = str(exc)
        except (sqlite3.Error, OSError) as exc:
            _say_once(warn, f"cannot update the index in {directory} ({exc}); reading the YAML")
            raise IndexUnavailable(str(exc)) from None
    try:
        from .index_build import full_build, prune

        full_build(path, states, builder_args)
        prune(directory, path)
        return _read(_connect_ro(path), path)
    except (sqlite3.Error, OSError) as exc:
        detail = f" (it was unusable: {rebuild_reason})" if rebuild_reason else ""
        _say_once(warn, f"cannot write the index in {directory}{detail}: {exc}; reading the YAML")
        raise IndexUnavailable(str(exc)) from None


def _say_once(warn: Warn | None, message: str) -> None:
    if warn is not None:
        warn(message)
