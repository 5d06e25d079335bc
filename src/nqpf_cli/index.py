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
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .layers import Layer
from .models import BackLink, Dimension, Entry, Finding, KnowledgeBase, LayerStat, Severity
from .normalize import compact
from .resolve import choice_keys, name_keys
from .serial import entry_from_data, entry_to_data, finding_from_row, finding_to_row
from .validate import CROSS_LINK, check_entry, duplicate_name, name_claims

FORMAT = "5"  # bump when the layout or the meaning of stored data changes
KEEP = 8  # index files kept per cache directory (one per distinct set of layers)
CANDIDATES = 300  # entries a search scores in Python, picked by the full-text index

Progress = Callable[[int, int], None]
Warn = Callable[[str], None]

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(file_id INTEGER PRIMARY KEY, path TEXT, shown TEXT, origin TEXT,
    size INT, mtime_ns INT, ctime_ns INT, ino INT, sha TEXT,
    entries INT, overrides INT, errors INT);
CREATE TABLE rows(file_id INT, seq INT, id TEXT, data TEXT);
CREATE INDEX rows_id ON rows(id);
CREATE INDEX rows_file ON rows(file_id);
CREATE TABLE dims(file_id INT, seq INT, key TEXT, en TEXT, zh TEXT);
CREATE TABLE file_findings(file_id INT, path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE TABLE entries(id TEXT PRIMARY KEY, ord INT, data TEXT);
CREATE INDEX entries_ord ON entries(ord);
CREATE TABLE id_findings(id TEXT, path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE INDEX id_findings_id ON id_findings(id);
CREATE TABLE global_findings(path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE TABLE keys(tbl TEXT, key TEXT, id TEXT, how TEXT);
CREATE INDEX keys_key ON keys(tbl, key);
CREATE INDEX keys_id ON keys(id);
CREATE TABLE choices(key TEXT, id TEXT);
CREATE INDEX choices_id ON choices(id);
CREATE TABLE claims(key TEXT, id TEXT, ord INT);
CREATE INDEX claims_key ON claims(key);
CREATE INDEX claims_id ON claims(id);
CREATE TABLE links(source TEXT, type TEXT, target TEXT, ord INT);
CREATE INDEX links_target ON links(target);
CREATE INDEX links_source ON links(source);
CREATE TABLE refs(source TEXT, target TEXT);
CREATE INDEX refs_target ON refs(target);
CREATE INDEX refs_source ON refs(source);
"""
FTS_SCHEMA = "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, body, tokenize='trigram')"


class IndexUnavailable(Exception):
    """The index cannot be used this time; the caller loads the YAML directly."""


# -- where, and whether it is fresh ----------------------------------------------------------


def cache_dir(environ: Mapping[str, str]) -> Path:
    override = environ.get("NQPF_CACHE_DIR", "")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("nqpf", appauthor=False))


@dataclass(slots=True)
class FileState:
    layer: Layer
    path: str  # absolute, resolved
    shown: str
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    sha: str | None = None

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
    import hashlib

    key = json.dumps([[s.path, s.layer.origin, s.shown] for s in states])
    return directory / f"kb-{hashlib.sha256(key.encode()).hexdigest()[:20]}.sqlite"


# -- building -----------------------------------------------------------------------------


def _fts_body(entry: Entry) -> str:
    from .search import fold

    parts = [entry.id, entry.name, *entry.aliases, entry.name_zh or "", entry.pinyin or ""]
    parts.append(compact(entry.pinyin or ""))
    parts += [entry.summary, entry.definition, entry.notes or ""]
    parts += [t.text for t in entry.translations]
    parts += [cell.text for cell in entry.dimensions.values()]
    parts += [s.title for s in entry.sources]
    text = CROSS_LINK.sub(lambda m: " " + m.group(1).replace("-", " ") + " ", "\n".join(parts))
    return fold(text)


@dataclass(slots=True)
class Builder:
    """Applies changed files to an open index connection inside one transaction."""

    conn: sqlite3.Connection
    fts: bool
    read: Callable[[Layer], tuple[list[Entry], dict[str, Dimension], list[Finding]]]
    progress: Progress | None = None
    affected: set[str] = field(default_factory=set)
    dims_changed: bool = False

    def replace_file(self, file_id: int, state: FileState, done: int, total: int) -> None:
        conn = self.conn
        old = {row[0] for row in conn.execute("SELECT id FROM rows WHERE file_id=?", (file_id,))}
        old_dims = conn.execute(
            "SELECT key, en, zh FROM dims WHERE file_id=? ORDER BY seq", (file_id,)
        ).fetchall()
        for table in ("rows", "dims", "file_findings"):
            conn.execute(f"DELETE FROM {table} WHERE file_id=?", (file_id,))
        entries, dimensions, findings = self.read(state.layer)
        conn.executemany(
            "INSERT INTO rows VALUES (?,?,?,?)",
            (
                (file_id, seq, e.id, json.dumps(entry_to_data(e), ensure_ascii=False))
                for seq, e in enumerate(entries)
            ),
        )
        new_dims = [(d.id, d.en, d.zh) for d in dimensions.values()]
        conn.executemany(
            "INSERT INTO dims VALUES (?,?,?,?,?)",
            ((file_id, seq, *dim) for seq, dim in enumerate(new_dims)),
        )
        conn.executemany(
            "INSERT INTO file_findings VALUES (?,?,?,?,?,?,?)",
            ((file_id, *finding_to_row(f)) for f in findings),
        )
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        conn.execute(
            "UPDATE files SET size=?, mtime_ns=?, ctime_ns=?, ino=?, sha=?, entries=?, "
            "overrides=?, errors=? WHERE file_id=?",
            (
                state.size,
                state.mtime_ns,
                state.ctime_ns,
                state.ino,
                state.digest(),
                len(entries),
                sum(1 for e in entries if e.override),
                errors,
                file_id,
            ),
        )
        self.affected |= old | {e.id for e in entries}
        if [tuple(d) for d in old_dims] != new_dims:
            self.dims_changed = True
        if self.progress:
            self.progress(done, total)

    def rows_for(self, ids: Iterable[str]) -> dict[str, list[tuple[int, int, Entry]]]:
        grouped: dict[str, list[tuple[int, int, Entry]]] = {}
        for batch in _batches(sorted(ids)):
            marks = ",".join("?" * len(batch))
            query = f"SELECT file_id, seq, id, data FROM rows WHERE id IN ({marks})"
            for file_id, seq, entry_id, data in self.conn.execute(query, batch):
                grouped.setdefault(entry_id, []).append(
                    (file_id, seq, entry_from_data(json.loads(data)))
                )
        return grouped

    def merge(self) -> None:
        """Recompute merged entries, their lookups and findings for every affected id."""
        from .kb import place

        conn = self.conn
        dims = {row[0] for row in conn.execute("SELECT DISTINCT key FROM dims")}
        if self.dims_changed:
            self.affected |= {row[0] for row in conn.execute("SELECT id FROM entries")}
        # Entries that link or cross-link to a changed id may have gained or lost a dangling
        # reference, so they are checked again too.
        for batch in _batches(sorted(self.affected)):
            marks = ",".join("?" * len(batch))
            query = f"SELECT DISTINCT source FROM refs WHERE target IN ({marks})"
            self.affected |= {row[0] for row in conn.execute(query, batch)}
        grouped = self.rows_for(self.affected)
        for batch in _batches(sorted(self.affected)):
            marks = ",".join("?" * len(batch))
            for table, column in (
                ("entries", "id"),
                ("id_findings", "id"),
                ("keys", "id"),
                ("choices", "id"),
                ("claims", "id"),
                ("links", "source"),
                ("refs", "source"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", batch)
            if self.fts:
                conn.execute(f"DELETE FROM fts WHERE id IN ({marks})", batch)
        merged: dict[str, Entry] = {}
        order: dict[str, int] = {}
        id_findings: list[tuple[str, Finding]] = []
        for entry_id, rows in grouped.items():
            rows.sort(key=lambda row: (row[0], row[1]))
            local: dict[str, Entry] = {}
            findings: list[Finding] = []
            for _, _, entry in rows:
                place(local, findings, entry)
            if entry_id in local:
                merged[entry_id] = local[entry_id]
                first_file, first_seq, _ = rows[0]
                order[entry_id] = first_file * 10_000_000 + first_seq
            id_findings += [(entry_id, f) for f in findings]
        all_ids = {row[0] for row in conn.execute("SELECT id FROM entries")} | set(merged)
        for entry in merged.values():
            id_findings += [(entry.id, f) for f in check_entry(entry, all_ids, dims)]
        conn.executemany(
            "INSERT INTO entries VALUES (?,?,?)",
            (
                (e.id, order[e.id], json.dumps(entry_to_data(e, False), ensure_ascii=False))
                for e in merged.values()
            ),
        )
        conn.executemany(
            "INSERT INTO id_findings VALUES (?,?,?,?,?,?,?)",
            ((entry_id, *finding_to_row(f)) for entry_id, f in id_findings),
        )
        conn.executemany(
            "INSERT INTO keys VALUES (?,?,?,?)",
            ((table, key, e.id, how) for e in merged.values() for table, key, how in name_keys(e)),
        )
        conn.executemany(
            "INSERT INTO choices VALUES (?,?)",
            ((key, e.id) for e in merged.values() for key in set(choice_keys(e))),
        )
        conn.executemany(
            "INSERT INTO claims VALUES (?,?,?)",
            ((key, e.id, order[e.id]) for e in merged.values() for key in name_claims(e)),
        )
        conn.executemany(
            "INSERT INTO links VALUES (?,?,?,?)",
            (
                (e.id, link_type, target, order[e.id])
                for e in merged.values()
                for link_type, targets in e.links.items()
                for target in targets
            ),
        )
        conn.executemany("INSERT INTO refs VALUES (?,?)", _references(merged.values()))
        if self.fts:
            conn.executemany(
                "INSERT INTO fts(id, body) VALUES (?,?)",
                ((e.id, _fts_body(e)) for e in merged.values()),
            )
        self.global_findings()

    def merged_with_positions(self, ids: set[str]) -> dict[str, Entry]:
        from .kb import place

        merged: dict[str, Entry] = {}
        for rows in self.rows_for(ids).values():
            rows.sort(key=lambda row: (row[0], row[1]))
            for _, _, entry in rows:
                place(merged, [], entry)
        return merged

    def global_findings(self) -> None:
        """Duplicate names across entries, recomputed whole (a grouped query is cheap)."""
        conn = self.conn
        conn.execute("DELETE FROM global_findings")
        shared = conn.execute(
            "SELECT key FROM claims GROUP BY key HAVING COUNT(DISTINCT id) > 1"
        ).fetchall()
        found: list[Finding] = []
        pairs: list[tuple[str, str, str]] = []
        for (key,) in shared:
            owners = conn.execute(
                "SELECT DISTINCT id, ord FROM claims WHERE key=? ORDER BY ord, id", (key,)
            ).fetchall()
            pairs += [(entry_id, key, owners[0][0]) for entry_id, _ in owners[1:]]
        # Positions are kept only on the per-file rows, so merge those again for these few.
        merged = self.merged_with_positions({entry_id for entry_id, _, _ in pairs})
        for entry_id, key, owner in pairs:
            found.append(duplicate_name(merged[entry_id], key, owner))
        conn.executemany(
            "INSERT INTO global_findings VALUES (?,?,?,?,?,?)", (finding_to_row(f) for f in found)
        )


def _references(entries: Iterable[Entry]) -> Iterator[tuple[str, str]]:
    """Every id an entry names, by typed link or by inline cross-link."""
    for entry in entries:
        targets = {t for targets in entry.links.values() for t in targets}
        texts = [entry.definition, entry.notes or ""] + [c.text for c in entry.dimensions.values()]
        for text in texts:
            targets.update(CROSS_LINK.findall(text))
        for target in targets:
            yield entry.id, target


def _batches(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fts_available() -> bool:
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.execute(FTS_SCHEMA)
        return True
    except sqlite3.Error:
        return False


def _full_build(target: Path, states: list[FileState], builder_args: dict[str, Any]) -> None:
    """Build a new index in a temporary file, then move it into place atomically."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=OFF")  # a fresh temp file: nothing to protect
            conn.execute("PRAGMA synchronous=OFF")
            conn.executescript(SCHEMA)
            fts = fts_available()
            if fts:
                conn.execute(FTS_SCHEMA)
            conn.execute("BEGIN")
            _write_meta(conn, states, fts)
            builder = Builder(conn, fts, **builder_args)
            _apply(builder, states, changed=list(range(len(states))))
            conn.execute("COMMIT")
        finally:
            conn.close()
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _write_meta(conn: sqlite3.Connection, states: list[FileState], fts: bool) -> None:
    conn.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [("format", FORMAT), ("nqpf", __version__), ("fts", "1" if fts else "0")],
    )
    conn.executemany(
        "INSERT INTO files(file_id, path, shown, origin) VALUES (?,?,?,?)",
        ((i, s.path, s.shown, s.layer.origin) for i, s in enumerate(states)),
    )


def _apply(builder: Builder, states: list[FileState], changed: list[int]) -> None:
    total = len(changed)
    for done, file_id in enumerate(changed, start=1):
        builder.replace_file(file_id, states[file_id], done, total)
    builder.merge()


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
        entry = entry_from_data(json.loads(row[0]))
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
            yield entry_from_data(json.loads(data))

    def items(self) -> Iterator[tuple[str, Entry]]:  # type: ignore[override]
        for entry in self.values():
            yield entry.id, entry


class SqlLookup:
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


@dataclass(slots=True)
class IndexedKnowledgeBase(KnowledgeBase):
    conn: sqlite3.Connection | None = None
    fts: bool = False
    path: str = ""  # the index file

    def name_lookup(self) -> SqlLookup:
        assert self.conn is not None
        return SqlLookup(self.conn)

    def backlinks(self, entry_id: str) -> list[BackLink]:
        assert self.conn is not None
        rows = self.conn.execute(
            "SELECT source, type FROM links WHERE target=? AND source != target "
            "ORDER BY ord, rowid",
            (entry_id,),
        )
        return [BackLink(source, link_type) for source, link_type in rows]

    def search_candidates(self, terms: list[str]) -> list[Entry] | None:
        if not self.fts or self.conn is None:
            return None
        counts: dict[str, int] = {}
        for term in terms:
            if len(term) >= 3:
                phrase = '"' + term.replace('"', '""') + '"'
                query = "SELECT id FROM fts WHERE body MATCH ? ORDER BY rank LIMIT 5000"
                rows = self.conn.execute(query, (phrase,))
            else:
                escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                rows = self.conn.execute(
                    "SELECT id FROM fts WHERE body LIKE ? ESCAPE '\\' LIMIT 5000",
                    (f"%{escaped}%",),
                )
            for (entry_id,) in rows:
                counts[entry_id] = counts.get(entry_id, 0) + 1
        # Entries holding more of the words first, then FTS5's own relevance order.
        ranked = sorted(counts, key=lambda entry_id: -counts[entry_id])[:CANDIDATES]
        assert isinstance(self.entries, LazyEntries)
        return [self.entries[entry_id] for entry_id in ranked]


def _read(conn: sqlite3.Connection, path: Path) -> IndexedKnowledgeBase:
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
    if meta.get("format") != FORMAT or meta.get("nqpf") != __version__:
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


def _prune(directory: Path, keep: Path) -> None:
    """Keep the most recently used index files; remove stray temporary files."""
    try:
        candidates = sorted(
            directory.glob("kb-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in candidates[KEEP:]:
            if old != keep:
                old.unlink()
        for temp in directory.glob(".kb-*.tmp"):
            if time.time() - temp.stat().st_mtime > 3600:  # a build that died long ago
                temp.unlink()
    except OSError:
        pass


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
            _update(path, states, changed, builder_args)
            return _read(_connect_ro(path), path)
        except sqlite3.DatabaseError as exc:
            rebuild_reason = str(exc)
        except (sqlite3.Error, OSError) as exc:
            _say_once(warn, f"cannot update the index in {directory} ({exc}); reading the YAML")
            raise IndexUnavailable(str(exc)) from None
    try:
        _full_build(path, states, builder_args)
        _prune(directory, path)
        return _read(_connect_ro(path), path)
    except (sqlite3.Error, OSError) as exc:
        detail = f" (it was unusable: {rebuild_reason})" if rebuild_reason else ""
        _say_once(warn, f"cannot write the index in {directory}{detail}: {exc}; reading the YAML")
        raise IndexUnavailable(str(exc)) from None


def _update(
    path: Path, states: list[FileState], changed: list[int], builder_args: dict[str, Any]
) -> None:
    """Apply changed files to the index in place, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time; readers keep their snapshot
        fts = conn.execute("SELECT value FROM meta WHERE key='fts'").fetchone()[0] == "1"
        builder = Builder(conn, fts, **builder_args)
        # Another process may have updated the index while we waited for the lock.
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM files ORDER BY file_id").fetchall()
        conn.row_factory = None
        still = [i for i in changed if rows[i]["sha"] != states[i].digest()]
        for file_id, state in enumerate(states):
            if file_id not in still:
                conn.execute(
                    "UPDATE files SET size=?, mtime_ns=?, ctime_ns=?, ino=? WHERE file_id=?",
                    (state.size, state.mtime_ns, state.ctime_ns, state.ino, file_id),
                )
        if still:
            _apply(builder, states, still)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def _say_once(warn: Warn | None, message: str) -> None:
    if warn is not None:
        warn(message)
