"""Building and updating the on-disk index (see nqpf_cli.index for the design).

Only loaded when the index has to be written, so queries on a fresh index never pay for it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .index import FORMAT, FileState, IndexedKnowledgeBase, Progress, batches
from .layers import Layer
from .models import Dimension, Entry, Finding, KnowledgeBase, Severity
from .normalize import compact
from .resolve import choice_keys, name_keys
from .serial import (
    STORAGE,
    decode,
    encode,
    entry_from_data,
    entry_to_data,
    finding_to_row,
    positions_to_data,
)
from .validate import CROSS_LINK, check_entry, duplicate_name, name_claims

FtsRow = tuple[int, str, str, str]
KEEP = 8  # index files kept per cache directory (one per distinct set of layers)

TABLES = """CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(file_id INTEGER PRIMARY KEY, path TEXT, shown TEXT, origin TEXT,
    size INT, mtime_ns INT, ctime_ns INT, ino INT, sha TEXT,
    entries INT, overrides INT, errors INT);
CREATE TABLE rows(file_id INT, seq INT, id TEXT, data BLOB, positions BLOB);
CREATE TABLE dims(file_id INT, seq INT, key TEXT, en TEXT, zh TEXT);
CREATE TABLE file_findings(file_id INT, path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE TABLE entries(id TEXT PRIMARY KEY, ord INT, kind TEXT, name TEXT, name_zh TEXT,
    summary TEXT, pinyin TEXT, tags BLOB, date TEXT, data BLOB);
CREATE TABLE id_findings(id TEXT, path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE TABLE global_findings(path TEXT, line INT, col INT, severity TEXT, rule TEXT,
    message TEXT);
CREATE TABLE keys(tbl TEXT, key TEXT, id TEXT, how TEXT);
CREATE TABLE choices(key TEXT, id TEXT);
CREATE TABLE claims(key TEXT, id TEXT, ord INT);
CREATE TABLE links(source TEXT, type TEXT, target TEXT, ord INT);
CREATE TABLE refs(source TEXT, target TEXT);
"""
# Made after a first build has filled the tables: sorting once beats growing each index
# row by row in random key order.
INDEXES = (
    "CREATE INDEX rows_id ON rows(id)",
    "CREATE INDEX rows_file ON rows(file_id)",
    "CREATE INDEX entries_ord ON entries(ord)",
    "CREATE INDEX id_findings_id ON id_findings(id)",
    "CREATE INDEX keys_key ON keys(tbl, key)",
    "CREATE INDEX keys_id ON keys(id)",
    "CREATE INDEX choices_id ON choices(id)",
    "CREATE INDEX claims_key ON claims(key)",
    "CREATE INDEX claims_id ON claims(id)",
    "CREATE INDEX links_target ON links(target)",
    "CREATE INDEX links_source ON links(source)",
    "CREATE INDEX refs_target ON refs(target)",
    "CREATE INDEX refs_source ON refs(source)",
)
FTS_SCHEMA = (
    # Names and text together, without positions: phrases are confirmed with instr().
    "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, text, tokenize='trigram', detail='none');\n"
    # Names again on their own: posting lists of common trigrams over short texts are short,
    # so ranking name matches stays cheap however large the glossary.
    "CREATE VIRTUAL TABLE fts_names USING fts5(id UNINDEXED, names, tokenize='trigram');\n"
)


def _fts_rows(entries: Sequence[Entry], order: dict[str, int], kb: KnowledgeBase) -> list[FtsRow]:
    """(rowid, id, names, text) as the full-text index stores them, folded like search
    queries. The text is every field exactly as the search scorer reads it (cross-links as
    their targets' names), so what the index offers is what the scorer would have found."""
    from .search import fields, fold

    rows = []
    for entry in entries:
        names = [entry.id.replace("-", " "), entry.name, *entry.aliases, entry.name_zh or ""]
        names += [entry.pinyin or "", compact(entry.pinyin or "")]
        folded_names = fold("\n".join(names))
        text = "\n".join(fold(value) for _, value in fields(entry, kb))
        rows.append((order[entry.id], entry.id, folded_names, folded_names + "\n" + text))
    return rows


class Builder:
    """Applies changed files to an open index connection inside one transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        fts: bool,
        read: Callable[[Layer], tuple[list[Entry], dict[str, Dimension], list[Finding]]],
        progress: Progress | None = None,
        fresh_build: bool = False,
    ) -> None:
        self.conn = conn
        self.fresh_build = fresh_build  # empty tables without indexes: nothing to look up
        self.fts = fts
        self.read = read
        self.progress = progress
        self.affected: set[str] = set()
        self.dims_changed = False
        # rows parsed in this run, so merging need not decode them again from the index
        self.fresh: dict[str, list[tuple[int, int, Entry]]] = {}
        self.fresh_files: set[int] = set()

    def replace_file(self, file_id: int, state: FileState, done: int, total: int) -> None:
        conn = self.conn
        old: set[str] = set()
        old_dims: list[tuple[str, str, str]] = []
        if not self.fresh_build:
            old = {
                row[0] for row in conn.execute("SELECT id FROM rows WHERE file_id=?", (file_id,))
            }
            old_dims = conn.execute(
                "SELECT key, en, zh FROM dims WHERE file_id=? ORDER BY seq", (file_id,)
            ).fetchall()
            for table in ("rows", "dims", "file_findings"):
                conn.execute(f"DELETE FROM {table} WHERE file_id=?", (file_id,))
        entries, dimensions, findings = self.read(state.layer)
        self.fresh_files.add(file_id)
        rows = []
        for seq, entry in enumerate(entries):
            self.fresh.setdefault(entry.id, []).append((file_id, seq, entry))
            data = encode(entry_to_data(entry))
            positions = encode(positions_to_data(entry))
            rows.append((_ord(file_id, seq), file_id, seq, entry.id, data, positions))
        conn.executemany(
            "INSERT INTO rows(rowid, file_id, seq, id, data, positions) VALUES (?,?,?,?,?,?)", rows
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
        for entry_id in ids:
            if entry_id in self.fresh:
                grouped[entry_id] = list(self.fresh[entry_id])
        rest = sorted(entry_id for entry_id in ids if entry_id not in self.fresh)
        files = self.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        if self.fresh_files and len(self.fresh_files) < files:
            # rows of unchanged files that share an id with a fresh row
            rest += sorted(set(ids) & set(self.fresh))
        for batch in batches(sorted(set(rest))):
            marks = ",".join("?" * len(batch))
            skip = ",".join(str(f) for f in sorted(self.fresh_files)) or "-1"
            query = (
                f"SELECT file_id, seq, id, data, positions FROM rows WHERE id IN ({marks}) "
                f"AND file_id NOT IN ({skip})"
            )
            for file_id, seq, entry_id, data, positions in self.conn.execute(query, batch):
                entry = entry_from_data(decode(data), decode(positions))
                grouped.setdefault(entry_id, []).append((file_id, seq, entry))
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
        for batch in batches(sorted(self.affected)):
            marks = ",".join("?" * len(batch))
            query = f"SELECT DISTINCT source FROM refs WHERE target IN ({marks})"
            self.affected |= {row[0] for row in conn.execute(query, batch)}
        grouped = self.rows_for(self.affected)
        merged: dict[str, Entry] = {}
        order: dict[str, int] = {}
        copied: set[str] = set()  # merged entry = its only row, unchanged
        id_findings: list[tuple[str, Finding]] = []
        for entry_id, rows in grouped.items():
            rows.sort(key=lambda row: (row[0], row[1]))
            local: dict[str, Entry] = {}
            findings: list[Finding] = []
            for _, _, entry in rows:
                place(local, findings, entry)
            if entry_id in local:
                merged[entry_id] = local[entry_id]
                first_file, first_seq, first = rows[0]
                order[entry_id] = _ord(first_file, first_seq)
                if len(rows) == 1 and local[entry_id] is first:
                    copied.add(entry_id)
            id_findings += [(entry_id, f) for f in findings]
        # In index order: FTS5 flushes its pending terms whenever a rowid goes backwards,
        # which made a shuffled build several times slower.
        ordered = sorted(merged.values(), key=lambda e: order[e.id])
        stored = self.stored_entries(self.affected)
        encoded: dict[str, bytes] = {}
        for e in ordered:
            if not (self.fresh_build and e.id in copied):  # a first build copies those rows
                encoded[e.id] = encode(entry_to_data(e))
        # Most affected entries were only re-checked (they link to a changed one) or sit
        # unchanged in an edited file: their rows stay, and only their findings are redone.
        same = {i for i in merged if stored.get(i) == (order[i], encoded.get(i))}
        rewrite = [e for e in ordered if e.id not in same]
        changed = sorted({e.id for e in rewrite} | (set(stored) - set(merged)))
        for batch in batches(sorted(self.affected)):
            marks = ",".join("?" * len(batch))
            conn.execute(f"DELETE FROM id_findings WHERE id IN ({marks})", batch)
        for batch in batches(changed):
            marks = ",".join("?" * len(batch))
            for table, column in (
                ("entries", "id"),
                ("keys", "id"),
                ("choices", "id"),
                ("claims", "id"),
                ("links", "source"),
                ("refs", "source"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", batch)
        all_ids = {row[0] for row in conn.execute("SELECT id FROM entries")} | set(merged)
        for entry in ordered:
            id_findings += [(entry.id, f) for f in check_entry(entry, all_ids, dims)]
        conn.executemany(
            "INSERT INTO entries SELECT id, rowid, ?, ?, ?, ?, ?, ?, ?, data "
            "FROM rows WHERE rowid=?",
            ((*_columns(e), order[e.id]) for e in rewrite if e.id not in encoded),
        )
        conn.executemany(
            "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((e.id, order[e.id], *_columns(e), encoded[e.id]) for e in rewrite if e.id in encoded),
        )
        conn.executemany(
            "INSERT INTO id_findings VALUES (?,?,?,?,?,?,?)",
            ((entry_id, *finding_to_row(f)) for entry_id, f in id_findings),
        )
        conn.executemany(
            "INSERT INTO keys VALUES (?,?,?,?)",
            ((table, key, e.id, how) for e in rewrite for table, key, how in name_keys(e)),
        )
        conn.executemany(
            "INSERT INTO choices VALUES (?,?)",
            ((key, e.id) for e in rewrite for key in set(choice_keys(e))),
        )
        conn.executemany(
            "INSERT INTO claims VALUES (?,?,?)",
            ((key, e.id, order[e.id]) for e in rewrite for key in name_claims(e)),
        )
        conn.executemany(
            "INSERT INTO links VALUES (?,?,?,?)",
            (
                (e.id, link_type, target, order[e.id])
                for e in rewrite
                for link_type, targets in e.links.items()
                for target in targets
            ),
        )
        conn.executemany("INSERT INTO refs VALUES (?,?)", _references(rewrite))
        if self.fts:
            self.update_fts(ordered, order, merged, stored, set(changed))
        if self.fresh_build:
            for statement in INDEXES:
                conn.execute(statement)
        self.global_findings()

    def stored_entries(self, ids: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        """(ord, encoded entry) as the index holds them now."""
        found: dict[str, tuple[int, bytes]] = {}
        if self.fresh_build:
            return found
        for batch in batches(sorted(ids)):
            marks = ",".join("?" * len(batch))
            query = f"SELECT id, ord, data FROM entries WHERE id IN ({marks})"
            found.update(
                (entry_id, (ord_, data)) for entry_id, ord_, data in self.conn.execute(query, batch)
            )
        return found

    def update_fts(
        self,
        ordered: list[Entry],
        order: dict[str, int],
        merged: dict[str, Entry],
        stored: dict[str, tuple[int, bytes]],
        changed: set[str],
    ) -> None:
        """Write the full-text rows that differ. An entry's search text holds the names of
        the entries it cross-links to, so it is redone when it or one of those changed;
        deleting a row costs FTS5 as much as writing one, so unchanged rows are left."""
        conn = self.conn
        fields: dict[str, Any] = {"entries": merged, "dimensions": {}, "findings": []}
        if self.fresh_build:  # every entry, nothing to compare with; slices bound memory
            for chunk in batches(ordered, 2000):
                self.write_fts(_fts_rows(chunk, order, KnowledgeBase(**fields)))
            return
        candidates = [
            e for e in ordered if e.id in changed or not changed.isdisjoint(_references_of(e))
        ]
        rows = _fts_rows(candidates, order, IndexedKnowledgeBase(conn, True, "", **fields))
        old: dict[int, tuple[str, str]] = {}
        for batch in batches([stored[e.id][0] for e in candidates if e.id in stored]):
            marks = ",".join("?" * len(batch))
            query = f"SELECT rowid, id, text FROM fts WHERE rowid IN ({marks})"
            old.update(
                (rowid, (entry_id, text)) for rowid, entry_id, text in conn.execute(query, batch)
            )
        fresh = [row for row in rows if old.get(row[0]) != (row[1], row[3])]
        kept = {row[0] for row in rows} - {row[0] for row in fresh}
        gone = [i for i in changed if i not in merged]  # removed entries' rows go too
        stale = [(stored[i][0],) for i in [*gone, *(e.id for e in candidates)] if i in stored]
        stale = [rowid for rowid in stale if rowid[0] not in kept]
        conn.executemany("DELETE FROM fts WHERE rowid=?", stale)
        conn.executemany("DELETE FROM fts_names WHERE rowid=?", stale)
        self.write_fts(fresh)

    def write_fts(self, rows: list[FtsRow]) -> None:
        self.conn.executemany(
            "INSERT INTO fts(rowid, id, text) VALUES (?,?,?)",
            ((rowid, entry_id, text) for rowid, entry_id, _, text in rows),
        )
        self.conn.executemany(
            "INSERT INTO fts_names(rowid, id, names) VALUES (?,?,?)",
            ((rowid, entry_id, names) for rowid, entry_id, names, _ in rows),
        )

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
        for target in targets | _references_of(entry):
            yield entry.id, target


def _references_of(entry: Entry) -> set[str]:
    """The ids an entry cross-links to inside its texts."""
    texts = [entry.definition, entry.notes or ""] + [c.text for c in entry.dimensions.values()]
    return {target for text in texts for target in CROSS_LINK.findall(text)}


def _columns(entry: Entry) -> tuple[Any, ...]:
    """The entries table's own columns (briefs and headings are read from them)."""
    heading = entry.heading()
    return (
        *heading[1:4],
        heading.summary,
        heading.pinyin,
        encode(list(heading.tags)),
        heading.date,
    )


def _ord(file_id: int, seq: int) -> int:
    """Where an entry first appears, in layer order: its rowid in `rows`, `entries` and FTS."""
    return file_id * 10_000_000 + seq


def fts_available() -> bool:
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.executescript(FTS_SCHEMA)
        return True
    except sqlite3.Error:
        return False


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A build allocates millions of small objects and frees few of them before it ends;
    Python's cycle collector would walk them over and over for nothing (a third of a
    50,000-entry build), so it waits until the build is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def full_build(target: Path, states: list[FileState], builder_args: dict[str, Any]) -> None:
    """Build a new index in a temporary file, then move it into place atomically."""
    with _collector_paused():
        _full_build(target, states, builder_args)


def _full_build(target: Path, states: list[FileState], builder_args: dict[str, Any]) -> None:
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
            conn.execute("PRAGMA cache_size=-65536")
            conn.executescript(TABLES)
            fts = fts_available()
            if fts:
                conn.executescript(FTS_SCHEMA)
            conn.execute("BEGIN")
            _write_meta(conn, states, fts)
            builder = Builder(conn, fts, fresh_build=True, **builder_args)
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
        [
            ("format", FORMAT),
            ("nqpf", __version__),
            ("storage", STORAGE),  # how entries are encoded (see nqpf_cli.serial)
            ("fts", "1" if fts else "0"),
        ],
    )
    conn.executemany(
        "INSERT INTO files(file_id, path, shown, origin) VALUES (?,?,?,?)",
        ((i, s.path, s.shown, s.layer.origin) for i, s in enumerate(states)),
    )


def _apply(builder: Builder, states: list[FileState], changed: list[int]) -> None:
    # One step per file read, and one for merging them into the index, which is about
    # half of a large build: the bar must not reach its end before that is done.
    total = len(changed) + 1
    for done, file_id in enumerate(changed, start=1):
        builder.replace_file(file_id, states[file_id], done, total)
    builder.merge()
    if builder.progress:
        builder.progress(total, total)


def prune(directory: Path, keep: Path) -> None:
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


def update(
    path: Path, states: list[FileState], changed: list[int], builder_args: dict[str, Any]
) -> None:
    """Apply changed files to the index in place, in one transaction."""
    with _collector_paused():
        _update(path, states, changed, builder_args)


def _update(
    path: Path, states: list[FileState], changed: list[int], builder_args: dict[str, Any]
) -> None:
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
