"""The console-script entry point: guards the start-up before the CLI can catch Ctrl-C.

Importing the CLI (Typer, Click, our modules) takes a few tens of milliseconds; a Ctrl-C in
that window would otherwise print Python's KeyboardInterrupt traceback. Until the CLI's own
error boundary is in place, an interrupt just ends the process with the documented code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import NoReturn


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"nqpf: interrupted\n")
    os._exit(130)  # nothing has been written or opened yet, so nothing to clean up


def main() -> None:
    try:
        previous = signal.signal(signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # not the main thread (embedded use): nothing to guard
        previous = None
    from .cli import run

    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    _end(run())


def _end(code: int) -> NoReturn:
    """End the process without tearing the interpreter down.

    By now the output is written and flushed, every file nqpf wrote is closed and every
    index change committed (the query connection only reads). What is left is freeing
    Typer's, Click's and our objects one by one, which takes about ten milliseconds —
    as long as a whole lookup — so the process just ends with its exit code. No atexit
    handler is registered by nqpf or the libraries it loads on these paths."""
    for stream in (sys.stdout, sys.stderr):
        # a reader that went away, or no stream at all: nothing more to say
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)
