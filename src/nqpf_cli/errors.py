"""Exceptions that carry the exit code the command-line contract promises."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_BAD_KB = 3
EXIT_OUTPUT = 74  # sysexits EX_IOERR: stdout could not be written (e.g. disk full)
EXIT_INTERRUPTED = 130


class NqpfError(Exception):
    """An expected failure: one line for stderr and an exit code."""

    exit_code = EXIT_NOT_FOUND

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(NqpfError):
    exit_code = EXIT_NOT_FOUND


class UsageError(NqpfError):
    exit_code = EXIT_USAGE


class KnowledgeBaseError(NqpfError):
    """The knowledge base cannot be read or is invalid; message starts with file:line:col."""

    exit_code = EXIT_BAD_KB
