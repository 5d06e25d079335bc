"""Choosing an output format and colour, and writing to stdout exactly once."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping

from .errors import EXIT_OUTPUT, NqpfError, UsageError
from .formats import FORMATS

COLOR_MODES = ("auto", "always", "never")


class OutputError(NqpfError):
    """stdout could not be written (disk full, I/O error)."""

    exit_code = EXIT_OUTPUT


class ReaderGone(Exception):
    """stdout's reader closed early (`nqpf list | head -1`). Not an OSError on purpose:
    Click/Typer turn an EPIPE OSError into a silent exit 1 before `cli.run` sees it."""


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def pick_format(fmt: str | None, as_json: bool) -> str:
    if as_json and fmt not in (None, "json"):
        raise UsageError(f"--json conflicts with --format {fmt}")
    if as_json:
        return "json"
    if fmt is None:
        return "table" if stdout_is_terminal() else "plain"
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    return fmt


def use_color(mode: str, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if mode == "always":
        return True
    if mode == "never":
        return False
    if environ.get("NO_COLOR", "") != "":
        return False
    if environ.get("TERM", "") in ("dumb", "unknown"):
        return False
    return stdout_is_terminal()


def width() -> int:
    if os.environ.get("TERM", "") == "dumb":
        return 80
    columns = shutil.get_terminal_size((80, 24)).columns
    return max(columns, 20)


def write(text: str, binary_utf8: bool = False) -> None:
    """Write to stdout in one go. JSON is always UTF-8; text follows the stream's encoding."""
    encoding = "utf-8" if binary_utf8 else (getattr(sys.stdout, "encoding", None) or "utf-8")
    data = text.encode(encoding, errors="backslashreplace")
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is not None:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()
        else:  # a text-only stdout (test runners)
            sys.stdout.write(data.decode(encoding))
            sys.stdout.flush()
    except BrokenPipeError:
        raise ReaderGone from None
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror or exc}") from None
