"""Shared helpers: run the real CLI entry point in-process with captured byte streams."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nqpf_cli.cli import run

DATA = Path(__file__).parent / "data"


@dataclass
class Result:
    code: int
    out: str
    err: str


Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in ("NQPF_KB", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "NQPF_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    # A developer's own ~/.local/share/nqpf glossary must not leak into the tests.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    # The on-disk index goes to a per-session folder, never the user's cache.
    monkeypatch.setenv("NQPF_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "nqpf-cache"))


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """Call `nqpf_cli.cli.run` like a shell would: bytes in, bytes out, exit code back."""

    def _invoke(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Result:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
        stdout = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
        stderr = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
        stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(sys, "stderr", stderr)
        monkeypatch.setattr(sys, "stdin", stdin_stream)
        code = run(list(args))
        stdout.flush()
        stderr.flush()
        return Result(code, out_bytes.getvalue().decode(), err_bytes.getvalue().decode())

    yield _invoke


@pytest.fixture
def write_kb(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(text: str, name: str = "kb.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def nqpf_executable() -> str:
    """The installed console script next to the running interpreter."""
    candidate = Path(sys.executable).with_name("nqpf")
    return str(candidate) if candidate.exists() else "nqpf"


@pytest.fixture
def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NQPF_KB", "NO_COLOR", "COLUMNS")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["XDG_DATA_HOME"] = os.environ["XDG_DATA_HOME"]  # the isolated ones set by clean_env
    env["NQPF_CACHE_DIR"] = os.environ["NQPF_CACHE_DIR"]
    return env
