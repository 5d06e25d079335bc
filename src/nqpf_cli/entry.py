"""The console-script entry point: guards the start-up before the CLI can catch Ctrl-C.

Importing the CLI (Typer, Click, our modules) takes a few tens of milliseconds; a Ctrl-C in
that window would otherwise print Python's KeyboardInterrupt traceback. Until the CLI's own
error boundary is in place, an interrupt just ends the process with the documented code.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


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
    sys.exit(run())
