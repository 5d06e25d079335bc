"""The on-disk index: same answers as the YAML, invalidation, corruption, concurrency,
read-only caches and interrupted builds."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, Invoke, nqpf_executable
from nqpf_cli.kb import load

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT / "bench" / "gen_kb.py"


def index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("kb-*.sqlite")) if cache.exists() else []


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NQPF_CACHE_DIR", str(folder))
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["define", "nqpf", "ai+", "old", "--json"],
        ["compare", "old", "new", "--json"],
        ["list", "--json"],
        ["list", "--tag", "CORE", "--kind", "concept", "--format", "csv"],
        ["search", "total factor productivity", "--json"],
        ["search", "生产力", "--limit", "50"],
        ["related", "made in china 2025", "--depth", "2", "--json"],
        ["timeline", "--json"],
        ["sectors", "--json"],
        ["graph", "--format", "json"],
        ["validate", "--format", "json"],
        ["cite", "nqpf", "-s", "bibtex"],
        ["define", "new quailty productive forces"],
    ],
)
def test_index_and_yaml_give_the_same_answers(invoke: Invoke, cache: Path, args: list[str]) -> None:
    indexed = invoke(*args)
    assert index_files(cache), "the index was not built"
    direct = invoke(*args, env={"NQPF_NO_INDEX": "1"})
    assert (indexed.code, indexed.out, indexed.err) == (direct.code, direct.out, direct.err)


def test_layers_with_overrides_and_errors_match(invoke: Invoke, cache: Path, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n"
        "  - {id: ai-plus, override: patch, notes: patched}\n"
        "  - {id: two-sessions, kind: event, name: X, summary: s, definition: d}\n"
        "  - {id: fresh, kind: concept, name: Fresh, aliases: [AI+], summary: s, definition: 'See {ghost}.'}\n"
    )
    for args in (
        ["--kb", str(path), "validate", "--json"],
        ["--kb", str(path), "define", "ai plus"],
    ):
        indexed = invoke(*args)
        direct = invoke(*args, env={"NQPF_NO_INDEX": "1"})
        assert (indexed.code, indexed.out, indexed.err) == (direct.code, direct.out, direct.err)
    findings = json.loads(invoke("--kb", str(path), "validate", "--json").out)
    assert {f["rule"] for f in findings} >= {
        "override",
        "duplicate-id",
        "dangling-crosslink",
        "duplicate-alias",
    }


def test_same_size_edit_with_restored_mtime_is_seen(
    invoke: Invoke, cache: Path, tmp_path: Path
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text((DATA / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    args = ["--no-default", "--kb", str(kb), "define", "AP", "--json"]
    assert json.loads(invoke(*args).out)[0]["summary"] == "The older plan."
    before = kb.stat()
    text = kb.read_text(encoding="utf-8").replace("The older plan.", "The elder plan.")
    assert len(text.encode()) == before.st_size
    kb.write_text(text, encoding="utf-8")
    os.utime(kb, ns=(before.st_atime_ns, before.st_mtime_ns))  # what git checkout / rsync -t do
    assert kb.stat().st_mtime_ns == before.st_mtime_ns and kb.stat().st_size == before.st_size
    assert json.loads(invoke(*args).out)[0]["summary"] == "The elder plan."


def test_touch_without_change_keeps_the_index(invoke: Invoke, cache: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text((DATA / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    invoke("--no-default", "--kb", str(kb), "list")
    (index,) = index_files(cache)
    rows_before = _rows(index)
    os.utime(kb)
    assert invoke("--no-default", "--kb", str(kb), "list").code == 0
    assert _rows(index) == rows_before


def _rows(index: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(index) as conn:
        return conn.execute(
            "SELECT file_id, seq, id, data, positions FROM rows ORDER BY file_id, seq"
        ).fetchall()


def test_only_the_changed_file_is_parsed_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kb"
    subprocess.run([sys.executable, str(GEN), "300", str(folder), "--files", "10"], check=True)
    parsed: list[str] = []
    import nqpf_cli.kb as kb_module

    real = kb_module.read_layer

    def counting(layer):  # type: ignore[no-untyped-def]
        parsed.append(layer.path.name)
        return real(layer)

    monkeypatch.setattr(kb_module, "read_layer", counting)
    first = load([str(folder)], include_shipped=False, include_user=False)
    assert len(parsed) == 10 and len(first.entries) == 300 and not first.errors()
    parsed.clear()
    target = folder / "part-004.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Test Press", "Other Press", 1), encoding="utf-8"
    )
    second = load([str(folder)], include_shipped=False, include_user=False)
    assert parsed == ["part-004.yaml"]
    assert len(second.entries) == 300 and not second.errors()


def test_removing_an_entry_updates_links_elsewhere(
    invoke: Invoke, cache: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(
        "entries:\n  - {id: x, kind: concept, name: X, summary: s, definition: 'See {y}.'}\n"
    )
    b.write_text("entries:\n  - {id: y, kind: concept, name: Y, summary: s, definition: d}\n")
    args = ["--no-default", "--kb", str(a), "--kb", str(b), "validate"]
    assert invoke(*args).code == 0
    b.write_text("entries:\n  - {id: z, kind: concept, name: Z, summary: s, definition: d}\n")
    result = invoke(*args)
    assert result.code == 3 and "dangling-crosslink" in result.out and "a.yaml" in result.out


def test_renaming_an_entry_renames_it_in_search_text_elsewhere(
    invoke: Invoke, cache: Path, tmp_path: Path
) -> None:
    """Search reads a cross-link as its target's name, so renaming the target in one file
    must change what the index finds in the entries of another file that link to it."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(
        "entries:\n  - {id: x, kind: concept, name: X, summary: s, definition: 'See {y}.'}\n"
    )
    b.write_text(
        "entries:\n  - {id: y, kind: concept, name: Yellowfin, summary: s, definition: d}\n"
    )
    args = ["--no-default", "--kb", str(a), "--kb", str(b), "search", "--json"]
    assert [h["id"] for h in json.loads(invoke(*args, "yellowfin").out)] == ["y", "x"]
    b.write_text("entries:\n  - {id: y, kind: concept, name: Bluefin, summary: s, definition: d}\n")
    for query in ("bluefin", "yellowfin"):
        indexed = invoke(*args, query)
        direct = invoke(*args, query, env={"NQPF_NO_INDEX": "1"})
        assert (indexed.code, indexed.out) == (direct.code, direct.out)
    assert [h["id"] for h in json.loads(invoke(*args, "bluefin").out)] == ["y", "x"]
    assert invoke(*args, "yellowfin").code == 1


@pytest.mark.parametrize(
    "damage", ["garbage", "truncate", "foreign-version", "empty", "other-python"]
)
def test_a_damaged_index_is_rebuilt_silently(invoke: Invoke, cache: Path, damage: str) -> None:
    assert invoke("define", "nqpf", "--json").code == 0
    (index,) = index_files(cache)
    if damage == "garbage":
        index.write_bytes(b"this is not a database" * 100)
    elif damage == "truncate":
        index.write_bytes(index.read_bytes()[:4096])
    elif damage == "empty":
        index.write_bytes(b"")
    elif damage == "other-python":
        # Entries are stored with marshal, whose format belongs to one Python version:
        # an index written by another Python must be rebuilt, not decoded.
        with sqlite3.connect(index) as conn:
            conn.execute("UPDATE meta SET value='marshal 0 python 2.7' WHERE key='storage'")
            conn.execute("UPDATE entries SET data=x'ff00'")
    else:
        with sqlite3.connect(index) as conn:
            conn.execute("UPDATE meta SET value='0' WHERE key='format'")
    result = invoke("define", "nqpf", "--json")
    assert result.code == 0 and result.err == ""
    assert json.loads(result.out)[0]["id"] == "new-quality-productive-forces"
    with sqlite3.connect(index) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0] > 100


def test_read_only_cache_dir_warns_once_and_works(
    invoke: Invoke, cache: Path, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        # root ignores directory permissions, so point the cache at a path that cannot exist
        blocker = tmp_path / "blocker"
        blocker.write_text("a file, so nothing can be created beneath it")
        env = {"NQPF_CACHE_DIR": str(blocker / "cache")}
    else:
        cache.mkdir()
        cache.chmod(0o500)
        env = {}
    result = invoke("define", "nqpf", "--json", env=env)
    assert result.code == 0
    assert json.loads(result.out)[0]["id"] == "new-quality-productive-forces"
    assert result.err.count("\n") == 1 and result.err.startswith(
        "nqpf: warning: cannot write the index"
    )


def test_fresh_read_only_index_is_used(invoke: Invoke, cache: Path) -> None:
    invoke("list")
    cache.chmod(0o500)
    try:
        result = invoke("define", "nqpf", "--json")
        assert result.code == 0 and result.err == ""
    finally:
        cache.chmod(0o700)


def test_concurrent_builds(cache: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    folder = tmp_path / "kb"
    subprocess.run([sys.executable, str(GEN), "800", str(folder), "--files", "8"], check=True)
    env = {**cli_env, "NQPF_CACHE_DIR": str(cache)}
    argv = [
        nqpf_executable(),
        "--no-default",
        "--kb",
        str(folder),
        "define",
        "term-000007",
        "--json",
    ]
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)[0]["id"] == "term-000007"
        assert err == b""
    assert len(index_files(cache)) == 1
    assert not list(cache.glob(".kb-*.tmp"))


def test_ctrl_c_during_a_build_leaves_no_partial_index(
    cache: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    folder = tmp_path / "kb"
    subprocess.run([sys.executable, str(GEN), "6000", str(folder), "--files", "12"], check=True)
    env = {**cli_env, "NQPF_CACHE_DIR": str(cache)}
    argv = [nqpf_executable(), "--no-default", "--kb", str(folder), "list"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not list(cache.glob(".kb-*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.02)  # wait until the build has started writing
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and out == b""
    assert not list(cache.glob(".kb-*.tmp"))
    assert index_files(cache) == []
    # and the next run builds a complete index
    again = subprocess.run(argv, env=env, capture_output=True, timeout=120)
    assert again.returncode == 0 and len(again.stdout.splitlines()) == 6000


@pytest.mark.skipif(not Path("/usr/bin/script").exists(), reason="needs util-linux script")
def test_slow_builds_show_a_progress_bar_on_a_terminal(
    cache: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    folder = tmp_path / "kb"
    subprocess.run([sys.executable, str(GEN), "1000", str(folder), "--files", "20"], check=True)
    env = {**cli_env, "NQPF_CACHE_DIR": str(cache), "TERM": "xterm-256color", "COLUMNS": "100"}
    env["NQPF_PROGRESS_DELAY"] = "0"  # builds got fast: do not depend on one taking a second
    command = f"{nqpf_executable()} --no-default --kb {folder} define term-000001 --json"
    on_tty = subprocess.run(
        ["script", "-qec", command, "/dev/null"], env=env, capture_output=True, timeout=300
    )
    assert b"indexing knowledge base" in on_tty.stdout
    # piped, and with a fresh index, there is no bar
    for path in index_files(cache):
        path.unlink()
    piped = subprocess.run(command.split(), env=env, capture_output=True, timeout=300)
    assert piped.returncode == 0 and piped.stderr == b""


def _tables(index: str) -> dict[str, list[tuple[object, ...]]]:
    """Everything an index answers from, in a stable order (files' stat data aside)."""
    queries = {
        "entries": "SELECT id, ord, kind, name, name_zh, summary, data FROM entries ORDER BY id",
        "keys": "SELECT tbl, key, id, how FROM keys ORDER BY 1, 2, 3, 4",
        "choices": "SELECT key, id FROM choices ORDER BY 1, 2",
        "claims": "SELECT key, id, ord FROM claims ORDER BY 1, 2, 3",
        "links": "SELECT source, type, target, ord FROM links ORDER BY 1, 2, 3, 4",
        "refs": "SELECT source, target FROM refs ORDER BY 1, 2",
        "id_findings": "SELECT * FROM id_findings ORDER BY 1, 2, 3, 4, 5, 6, 7",
        "global_findings": "SELECT * FROM global_findings ORDER BY 1, 2, 3, 4, 5, 6",
        "fts": "SELECT rowid, id, text FROM fts ORDER BY rowid",
        "fts_names": "SELECT rowid, id, names FROM fts_names ORDER BY rowid",
        "search": "SELECT id FROM fts_names WHERE fts_names MATCH 'bluefin' ORDER BY rowid",
    }
    with sqlite3.connect(index) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def test_an_index_updated_in_place_equals_one_built_from_scratch(tmp_path: Path) -> None:
    """Updates rewrite only what changed (rows of unchanged entries stay, full-text rows
    are compared before they are replaced); after each of these edits the updated index
    must hold exactly what a fresh build of the same files holds."""
    a, b, c = (tmp_path / name for name in ("a.yaml", "b.yaml", "c.yaml"))

    def entry(entry_id: str, name: str, definition: str = "d", title: str = "T") -> str:
        return (
            f"  - {{id: {entry_id}, kind: concept, name: {name}, summary: s,"
            f" definition: '{definition}', sources: [{{title: {title}, url: 'https://e.org/{entry_id}'}}]}}\n"
        )

    files = {
        a: "entries:\n" + entry("x", "Ex", "See {y} and {z}.") + entry("v", "Vee", "Alone."),
        b: "entries:\n" + entry("y", "Yellowfin", "Fish.") + entry("u", "You", "Near {v}."),
        c: "entries:\n" + entry("z", "Zed", "Last.") + entry("t", "Tee", "Also {y}."),
    }
    edits = [
        (b, "title: T, url: 'https://e.org/y'", "title: Other, url: 'https://e.org/y'"),
        (b, "name: Yellowfin", "name: Bluefin"),  # renames text inside x and t
        (
            a,
            None,
            "entries:\n" + entry("v", "Vee", "Alone.") + entry("x", "Ex", "See {y} and {z}."),
        ),
        (c, entry("z", "Zed", "Last."), ""),  # x now cross-links to nothing
        (c, None, "entries:\n" + entry("w", "Double", "New.") + entry("t", "Tee", "Also {y}.")),
        (b, "name: You", "name: Double"),  # a duplicate name across files
        (a, None, "entries:\n" + entry("x", "Ex", "See {y}.")),
    ]
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    paths = [str(a), str(b), str(c)]
    live = {"NQPF_CACHE_DIR": str(tmp_path / "live")}
    load(paths, live, include_shipped=False, include_user=False)
    for step, (path, old, new) in enumerate(edits):
        text = path.read_text(encoding="utf-8")
        path.write_text(new if old is None else text.replace(old, new), encoding="utf-8")
        updated = load(paths, live, include_shipped=False, include_user=False)
        scratch = {"NQPF_CACHE_DIR": str(tmp_path / f"scratch{step}")}
        rebuilt = load(paths, scratch, include_shipped=False, include_user=False)
        assert updated.index and rebuilt.index and updated.index != rebuilt.index
        assert _tables(updated.index) == _tables(rebuilt.index), f"after edit {step}"


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE entries SET data=x'7b00ff' WHERE id='new-quality-productive-forces'",
        "DROP TABLE keys",
        "UPDATE entries SET data=x'' WHERE id='ai-plus'",
    ],
)
def test_damage_found_mid_command_rebuilds_with_one_warning(
    invoke: Invoke, cache: Path, damage: str
) -> None:
    """A damaged row or table passes the checks made on opening the index and only shows
    when a command reads it: that costs one warning and a rebuild, never an error."""
    assert invoke("define", "nqpf", "ai+", "--json").code == 0
    (index,) = index_files(cache)
    with sqlite3.connect(index) as conn:
        conn.execute(damage)
    result = invoke("define", "nqpf", "ai+", "--json")
    assert result.code == 0
    assert result.err == "nqpf: warning: the index was damaged; building it again\n"
    assert [e["id"] for e in json.loads(result.out)] == ["new-quality-productive-forces", "ai-plus"]
    again = invoke("define", "nqpf", "ai+", "--json")
    assert (again.code, again.err, again.out) == (0, "", result.out)
