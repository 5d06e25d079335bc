"""Faults around a command: closed pipes, a full disk, odd encodings and widths, Ctrl-C,
parallel runs, knowledge-base files that vanish or change while loading, no HOME.

Real processes where the fault needs one (pipes, signals, /dev/full, environment);
in-process runs where it does not. tests/test_process.py has the first cases of several
of these; this file takes each of them to every command.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import DATA, Invoke, nqpf_executable
from exercise import raw_controls, strip_sgr
from nqpf_cli import kb as kb_module
from nqpf_cli import yamlsafe
from nqpf_cli.cli import run

MINI = ["--no-default", "--kb", str(DATA / "mini.yaml")]
FULL = ["--no-default", "--kb", str(DATA / "hostile-full.yaml")]
# Every command, with arguments that succeed on tests/data/mini.yaml.
EVERY_COMMAND = {
    "define": ["define", "AP", "BC", "gamma-office"],
    "compare": ["compare", "AP", "BC"],
    "list": ["list"],
    "validate": ["validate", str(DATA.parent / "corpus" / "long-summary-warning.yaml")],
    "search": ["search", "plan"],
    "related": ["related", "AP", "--depth", "3"],
    "graph": ["graph"],
    "timeline": ["timeline"],
    "sectors": ["sectors"],
    "cite": ["cite", "AP", "BC"],
}
SUBPROCESS_COMMANDS = {
    **EVERY_COMMAND,
    "sectors": ["--kb", str(DATA / "hostile-full.yaml"), "sectors"],
    # the commands that print no entry text, so that pipes and disks cover all of them
    "export": ["export", "-f", "json"],
    "paths": ["paths"],
    "new": ["new", "x-term", "--kind", "concept"],
}


def _parallel(
    commands: dict[str, list[str]], env: dict[str, str], stdout: Any = subprocess.PIPE
) -> dict[str, tuple[int, bytes, bytes]]:
    """Start every command at once (two CPUs go further that way), then collect them."""
    started = {
        name: subprocess.Popen(args, env=env, stdout=stdout, stderr=subprocess.PIPE)
        for name, args in commands.items()
    }
    results = {}
    for name, proc in started.items():
        out, err = proc.communicate(timeout=120)
        results[name] = (proc.returncode, out or b"", err)
    return results


def test_broken_pipe_on_every_command_is_quiet(cli_env: dict[str, str]) -> None:
    # `| true`: the reader is gone before nqpf writes, so every write meets EPIPE.
    shells = {
        name: [
            "bash",
            "-o",
            "pipefail",
            "-c",
            " ".join([nqpf_executable(), *MINI, *(f"'{a}'" for a in args)]) + " | true",
        ]
        for name, args in {**SUBPROCESS_COMMANDS, "list --json": ["list", "--json"]}.items()
    }
    for name, (code, _, err) in _parallel(shells, cli_env).items():
        assert (code, err) == (0, b""), (name, err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_on_every_command_is_one_clean_line(cli_env: dict[str, str]) -> None:
    with Path("/dev/full").open("wb") as full:
        commands = {
            name: [nqpf_executable(), *MINI, *args]
            for name, args in {
                **SUBPROCESS_COMMANDS,
                "cite csl": ["cite", "AP", "-s", "csl-json"],
            }.items()
        }
        results = _parallel(commands, cli_env, stdout=full)
    for name, (code, _, err) in results.items():
        assert code == 74, (name, err)
        assert err == b"nqpf: error: cannot write output: No space left on device\n", (name, err)


def _invoke_with_encoding(
    monkeypatch: pytest.MonkeyPatch, encoding: str, *args: str
) -> tuple[int, bytes, str]:
    """Run in-process with a stdout that can only encode `encoding` (errors are strict)."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding=encoding, errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
    code = run(list(args))
    return code, out.getvalue(), err.getvalue().decode()


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp1252"])
def test_non_utf8_stdout_on_every_command(monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    for name, args in EVERY_COMMAND.items():
        formats = (
            [[]]
            if name in ("graph", "cite")
            else [["-f", f] for f in ("table", "plain", "csv", "markdown")]
        )
        base = FULL if name == "sectors" else MINI
        for fmt in formats:
            code, out, err = _invoke_with_encoding(monkeypatch, encoding, *base, *args, *fmt)
            assert code in (0, 3) and "error" not in err.replace("error(s)", ""), (name, fmt, err)
            out.decode(encoding)  # nothing the stream could not take
            if name == "define" and fmt == ["-f", "plain"]:
                assert b"\\u7532" in out  # 甲 made visible as an escape, not dropped
        code, out, _ = _invoke_with_encoding(monkeypatch, encoding, *MINI, "define", "AP", "--json")
        assert code == 0 and json.loads(out.decode("utf-8"))[0]["name_zh"] == "甲计划"


def test_twenty_columns_on_every_table(invoke: Invoke) -> None:
    for name, args in EVERY_COMMAND.items():
        if name in ("graph", "cite"):
            continue  # no table
        base = FULL if name in ("sectors", "validate") else MINI
        for color in ("never", "always"):
            result = invoke(*base, "--color", color, *args, "-f", "table", env={"COLUMNS": "20"})
            assert result.code in (0, 3) and "Traceback" not in result.err, (name, result.err)
            assert result.out, name
            text = strip_sgr(result.out)
            assert not raw_controls(text)
            if name == "validate" and color == "never":
                continue  # without colour, validate prints file:line:col lines, never wrapped
            widest = max(cell_len(line) for line in text.splitlines())
            assert widest <= 20, (name, widest)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigint_while_loading_a_large_knowledge_base(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    big = tmp_path / "big.yaml"
    rows = [
        f"  - {{id: e{i}, kind: concept, name: Entry {i}, name_zh: 词{i}, pinyin: cí {i},"
        f" summary: 'Entry {i} summary', definition: 'See {{e{max(i - 1, 0)}}}.',"
        f" links: {{related: [e{(i * 7) % 6000}]}}, sources: [{{title: t, url: 'https://x.org/{i}'}}]}}"
        for i in range(6000)
    ]
    big.write_text("entries:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    # How much CPU does start-up take here? Interrupt well after it, while loading.
    before = os.times()
    subprocess.run([nqpf_executable(), "--version"], env=cli_env, capture_output=True, timeout=60)
    after = os.times()
    startup = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    proc = subprocess.Popen(
        [nqpf_executable(), "--no-default", "--kb", str(big), "list"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if _cpu_seconds(proc.pid) > startup * 1.5 + 0.15:
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.005)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the load finished before the signal could be sent")
    assert proc.returncode == 130, err
    assert out == b"" and err in (b"", b"nqpf: interrupted\n")


def test_concurrent_runs_agree(cli_env: dict[str, str]) -> None:
    commands = {
        **{f"define {i}": [nqpf_executable(), "define", "nqpf", "--json"] for i in range(4)},
        **{f"validate {i}": [nqpf_executable(), "validate", "-f", "json"] for i in range(2)},
        **{f"list {i}": [nqpf_executable(), "list"] for i in range(2)},
    }
    results = _parallel(commands, cli_env)
    for prefix in ("define", "validate", "list"):
        outputs = {out for name, (code, out, _) in results.items() if name.startswith(prefix)}
        codes = {code for name, (code, _, _) in results.items() if name.startswith(prefix)}
        assert codes == {0} and len(outputs) == 1, prefix
    assert json.loads(results["define 0"][1])[0]["name_zh"] == "新质生产力"


def test_unset_home(cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in cli_env.items() if k != "HOME"}
    for args in (["define", "nqpf"], ["list", "--json"], ["validate"]):
        result = subprocess.run(
            [nqpf_executable(), *args], env=env, capture_output=True, timeout=60
        )
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout or args == ["validate"]
    result = subprocess.run(
        [nqpf_executable(), "--kb", "~/nqpf-nowhere.yaml", "list"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 3 and result.stdout == b""
    assert (
        result.stderr.startswith(b"nqpf: error: ~/nqpf-nowhere.yaml: ")
        and result.stderr.count(b"\n") == 1
    )


# -- a knowledge-base file that vanishes or changes while nqpf loads it ---------------------


def _after_discovery(monkeypatch: pytest.MonkeyPatch, change) -> None:  # type: ignore[no-untyped-def]
    """Run `change(paths)` between finding the layers and reading them."""
    real = kb_module.discover

    def discover(*args, **kwargs):  # type: ignore[no-untyped-def]
        layers = real(*args, **kwargs)
        change([layer.path for layer in layers])
        return layers

    monkeypatch.setattr(kb_module, "discover", discover)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.unlink(), "cannot read: No such file or directory"),
        (lambda p: (p.unlink(), p.mkdir()), "cannot read: Is a directory"),
        (lambda p: (p.unlink(), os.mkfifo(p)), "cannot read: not a regular file"),
        (lambda p: p.write_text("entries: [\n"), "yaml-syntax"),
    ],
    ids=["deleted", "now-a-folder", "now-a-fifo", "rewritten-broken"],
)
def test_file_changing_between_discovery_and_read(
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    change,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    for command in (["list"], ["define", "AP"], ["validate"]):
        path = tmp_path / "kb.yaml"
        if path.is_dir():
            path.rmdir()
        path.unlink(missing_ok=True)
        shutil.copy(DATA / "mini.yaml", path)
        with monkeypatch.context() as patch:
            _after_discovery(patch, lambda paths: change(paths[-1]))
            result = invoke("--no-default", "--kb", str(path), *command)
        assert result.code == 3, (command, result.err)
        assert "Traceback" not in result.err and "internal error" not in result.err
        assert result.err.count("\n") == 1 and result.err.startswith("nqpf: ")
        if command[0] != "validate":
            assert result.out == "" and result.err.startswith("nqpf: error: ")
        shown = result.out if command[0] == "validate" else result.err
        if message != "yaml-syntax":
            assert (
                f"kb.yaml:1:1: {'error unreadable: ' if command[0] == 'validate' else ''}{message}"
                in shown
            )
        else:
            assert "kb.yaml:2:1:" in shown


def test_file_rewritten_while_loading_never_crashes(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    good = (DATA / "mini.yaml").read_bytes()
    stop = threading.Event()

    def churn() -> None:  # truncate-and-write in place, as editors without atomic saves do
        while not stop.is_set():
            with path.open("wb") as out:
                out.write(good[: len(good) // 2])
                out.flush()
                out.write(good[len(good) // 2 :])

    path.write_bytes(good)
    writer = threading.Thread(target=churn, daemon=True)
    writer.start()
    try:
        codes = []
        for _ in range(40):
            result = invoke("--no-default", "--kb", str(path), "list")
            assert "Traceback" not in result.err and "internal error" not in result.err
            if result.code:
                assert result.out == "" and result.err.count("\n") == 1
            codes.append(result.code)
    finally:
        stop.set()
        writer.join()
    assert set(codes) <= {0, 3}
    assert path.read_bytes() == good


def test_file_growing_past_the_limit_while_read_stops_at_the_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "kb.yaml"
    path.write_bytes(b"# " + b"x" * 500 + b"\nentries: []\n")
    monkeypatch.setattr(yamlsafe, "MAX_BYTES", 100)  # and the file grows after fstat:
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:10]))

    monkeypatch.setattr(kb_module.os, "fstat", small_fstat)
    data = kb_module.read_file(path)
    assert len(data) == 101
    with pytest.raises(yamlsafe.YamlProblem, match="limit is 100"):
        yamlsafe.decode(data)


def test_error_message_mentions_no_traceback_even_with_a_huge_path(invoke: Invoke) -> None:
    result = invoke("--no-default", "--kb", "x" * 5000, "list")
    assert result.code == 3 and re.match(r"^nqpf: error: x+: file name too long\n$", result.err)


# -- the on-disk index: an unusable cache directory never fails a command ------------------


@pytest.mark.parametrize("kind", ["missing", "a-file", "under-a-file", "read-only"])
def test_unusable_cache_directory_on_every_command(
    invoke: Invoke, tmp_path: Path, kind: str
) -> None:
    # (tests/test_index.py covers a damaged index, concurrent builds and Ctrl-C mid-build.)
    if kind == "read-only" and os.geteuid() == 0:
        pytest.skip("running as root: a read-only folder is still writable")
    target = tmp_path / "cache"
    if kind == "a-file":
        target.write_text("not a folder")
    elif kind == "under-a-file":
        (tmp_path / "file").write_text("")
        target = tmp_path / "file" / "cache"
    elif kind == "read-only":
        target.mkdir()
        target.chmod(0o555)
    for name, args in EVERY_COMMAND.items():
        base = FULL if name == "sectors" else MINI
        expected = invoke(*base, *args, env={"NQPF_NO_INDEX": "1"})
        result = invoke(*base, *args, env={"NQPF_NO_INDEX": "", "NQPF_CACHE_DIR": str(target)})
        assert (result.code, result.out) == (expected.code, expected.out), name
        extra = result.err.replace(expected.err, "")
        assert extra == "" or (extra.count("\n") == 1 and extra.startswith("nqpf: warning: "))
