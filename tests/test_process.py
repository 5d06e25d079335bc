"""Real processes: pipes, a full disk, a terminal, interrupts and `python -m`."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, nqpf_executable

MINI = ["--no-default", "--kb", str(DATA / "mini.yaml")]


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess[bytes]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [nqpf_executable(), *args], env=env, capture_output=True, timeout=60, **kwargs
    )


def test_python_dash_m(cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nqpf_cli", *MINI, "list"],
        env=cli_env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.decode().startswith("alpha-plan\tAlpha plan\n")


def test_broken_pipe_is_quiet(cli_env: dict[str, str], tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    lines = ["entries:"]
    for i in range(3000):
        lines.append(
            f"  - {{id: e{i}, kind: concept, name: Entry {i}, summary: '{'word ' * 20}', definition: d,"
            f" sources: [{{title: t, url: 'https://x.org'}}]}}"
        )
    big.write_text("\n".join(lines) + "\n")
    for args in (["list"], ["list", "--json"], ["list", "-f", "csv"]):
        shell = (
            f"{nqpf_executable()} --no-default --kb {big} {' '.join(args)} | head -c 100 >/dev/null"
        )
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", shell], env=cli_env, capture_output=True, timeout=60
        )
        assert proc.stderr == b"", (args, proc.stderr)
        assert proc.returncode == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_is_a_clean_error(cli_env: dict[str, str]) -> None:
    with Path("/dev/full").open("wb") as full:
        result = subprocess.run(
            [nqpf_executable(), *MINI, "define", "AP"],
            env=cli_env,
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 74
    assert result.stderr.decode() == "nqpf: error: cannot write output: No space left on device\n"


def test_piped_output_has_no_ansi_and_exit_codes(cli_env: dict[str, str]) -> None:
    ok = run([*MINI, "define", "AP"], cli_env)
    assert ok.returncode == 0 and b"\x1b" not in ok.stdout
    miss = run([*MINI, "define", "zzzz"], cli_env)
    assert (miss.returncode, miss.stdout) == (1, b"")
    usage = run([*MINI, "define"], cli_env)
    assert usage.returncode == 2 and usage.stdout == b""
    assert b"Traceback" not in miss.stderr + usage.stderr


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script")
@pytest.mark.parametrize(
    ("extra_env", "expect_color"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_terminal_gets_a_table(
    cli_env: dict[str, str], extra_env: dict[str, str], expect_color: bool
) -> None:
    env = {**cli_env, "TERM": "xterm-256color", "COLUMNS": "80", **extra_env}
    command = " ".join([nqpf_executable(), *MINI, "define", "AP"])
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"], env=env, capture_output=True, timeout=60
    )
    out = result.stdout.decode()
    assert "╭" in out and "甲计划" in out
    assert ("\x1b[" in out) is expect_color


def test_narrow_terminal_does_not_crash(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "COLUMNS": "20"}
    for args in (["define", "AP"], ["compare", "AP", "BC"], ["list"]):
        result = run([*MINI, *args, "--format", "table"], env)
        assert result.returncode == 0, result.stderr
        assert all(len(line) <= 20 for line in result.stdout.decode().splitlines())


def test_non_utf8_stdout_encoding(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "PYTHONIOENCODING": "latin-1"}
    text = run([*MINI, "define", "BC"], env)
    assert text.returncode == 0 and b"\\u4e59" in text.stdout  # 乙 made visible, not a crash
    as_json = run([*MINI, "define", "BC", "--json"], env)
    assert "乙概念" in as_json.stdout.decode("utf-8")  # JSON is always UTF-8


def test_sigint_exits_130_without_traceback(cli_env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [nqpf_executable(), *MINI, "define", "-"],
        env=cli_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)  # let it start and block on stdin
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err and out == b""


def test_stdin_terminal_is_refused(cli_env: dict[str, str]) -> None:
    if not shutil.which("script"):
        pytest.skip("needs script")
    command = " ".join([nqpf_executable(), *MINI, "define", "-"])
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        env=cli_env,
        capture_output=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert b"pipe them in" in result.stdout


@pytest.mark.parametrize("delay", [0.04, 0.06, 0.08, 0.12])
def test_sigint_during_start_up_has_no_traceback(cli_env: dict[str, str], delay: float) -> None:
    # Early enough to land while the CLI is still being imported, on most runs.
    proc = subprocess.Popen(
        [nqpf_executable(), *MINI, "define", "-"],
        env=cli_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert err.strip() == b"nqpf: interrupted" and out == b""


def test_the_quick_exit_loses_no_output(cli_env: dict[str, str], tmp_path: Path) -> None:
    """nqpf ends with os._exit once its output is flushed (see entry.py): everything it
    printed or wrote must still arrive whole, through a pipe read slowly and in files,
    with the exit code of the command."""
    ids = run(["list"], cli_env).stdout.decode().split("\n")
    ids = [line.split("\t")[0] for line in ids if line]
    proc = subprocess.Popen(
        [nqpf_executable(), "define", *ids, "--json"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    chunks = []
    while chunk := proc.stdout.read(4096):
        chunks.append(chunk)
        time.sleep(0.001)  # a slow reader: the writer blocks on a full pipe
    assert proc.wait(timeout=60) == 0 and proc.stderr.read() == b""
    document = json.loads(b"".join(chunks))
    assert [entry["id"] for entry in document] == ids
    exported = run(["export", "--format", "json", "-o", str(tmp_path / "kb.json")], cli_env)
    assert exported.returncode == 0
    assert len(json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))["entries"]) == len(
        ids
    )
    assert run(["define", "no-such-term-at-all"], cli_env).returncode == 1
    assert run(["define", "--format", "nope", "nqpf"], cli_env).returncode == 2
