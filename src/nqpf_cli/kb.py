"""Loading the knowledge-base layers into one in-memory knowledge base."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .errors import KnowledgeBaseError
from .layers import Layer, discover
from .models import (
    PATCHABLE,
    Dimension,
    Entry,
    Finding,
    KnowledgeBase,
    LayerStat,
    Position,
    Severity,
)
from .validate import check as check_all


def display_path(path: Path) -> str:
    """Paths under the working directory print relative, like compilers do."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return str(path)


def read_file(path: Path) -> bytes:
    """The bytes of a regular file, never more than the size limit + 1 of them.

    Opened without blocking, so a FIFO named `*.yaml` is refused instead of waiting for a
    writer forever; devices (`/dev/zero`), sockets and directories are refused; a file
    that grows while it is read stops at the limit instead of filling memory.
    """
    from .yamlsafe import MAX_BYTES, YamlProblem  # the YAML parser only loads when needed

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(22, "not a regular file (a FIFO, device or socket)")
        if info.st_size > MAX_BYTES:
            raise YamlProblem(
                f"file is {info.st_size:,} bytes; the limit is {MAX_BYTES:,}",
                rule="file-too-large",
            )
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_layer(layer: Layer) -> tuple[list[Entry], dict[str, Dimension], list[Finding]]:
    from .build import FileBuilder
    from .yamlsafe import YamlProblem, decode, parse

    shown = display_path(layer.path)
    builder = FileBuilder(shown, layer.origin)
    try:
        data = read_file(layer.path)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        finding = Finding(Position(shown), Severity.ERROR, "unreadable", f"cannot read: {reason}")
        return [], {}, [finding]
    except YamlProblem as problem:
        return [], {}, [Finding(Position(shown), Severity.ERROR, problem.rule, problem.message)]
    try:
        root = parse(decode(data))
    except YamlProblem as problem:
        position = Position(shown, problem.line, problem.column)
        return [], {}, [Finding(position, Severity.ERROR, problem.rule, problem.message)]
    entries, dimensions = builder.document(root)
    return entries, dimensions, builder.findings


def unique_layers(layers: Iterable[Layer]) -> list[Layer]:
    """Each file once, first place wins (the shipped file given again as --kb, say)."""
    seen: set[Path] = set()
    kept = []
    for layer in layers:
        try:
            resolved = layer.path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: read_layer reports it
            resolved = layer.path.absolute()
        if resolved not in seen:
            seen.add(resolved)
            kept.append(layer)
    return kept


def assemble(layers: Iterable[Layer]) -> KnowledgeBase:
    """Parse every layer and build the knowledge base in memory."""
    merged: dict[str, Entry] = {}
    kb = KnowledgeBase(entries=merged, dimensions={}, findings=[])
    names: list[str] = []
    stats: list[LayerStat] = []
    for layer in unique_layers(layers):
        names.append(display_path(layer.path))
        entries, dimensions, findings = read_layer(layer)
        kb.findings.extend(findings)
        for key, dimension in dimensions.items():
            kb.dimensions.setdefault(key, dimension)
        for entry in entries:
            place(merged, kb.findings, entry)
        stats.append(
            LayerStat(
                display_path(layer.path),
                layer.origin,
                len(entries),
                sum(1 for e in entries if e.override),
                sum(1 for f in findings if f.severity is Severity.ERROR),
            )
        )
    kb.layers = tuple(names)
    kb.stats = tuple(stats)
    kb.findings.extend(check_all(kb))
    return kb


def patched(base: Entry, patch: Entry) -> Entry:
    """`base` with the fields `patch` wrote; links and dimensions merge key by key."""
    changes: dict[str, object] = {
        name: getattr(patch, name) for name in PATCHABLE if name in patch.provided
    }
    merged = base.replace(**changes)
    if "links" in patch.provided:
        merged.links = {**base.links, **patch.links}
    if "dimensions" in patch.provided:
        merged.dimensions = {**base.dimensions, **patch.dimensions}
    merged.positions = {**base.positions, **patch.positions}
    return merged


def place(entries: dict[str, Entry], findings: list[Finding], entry: Entry) -> None:
    """Add an entry, or apply it as an explicit override of an earlier layer's entry."""
    first = entries.get(entry.id)
    if first is None:
        if entry.override:
            findings.append(
                Finding(
                    entry.position,
                    Severity.ERROR,
                    "override-without-target",
                    f"entry '{entry.id}' says override: {entry.override}, but no earlier "
                    "layer defines that id",
                )
            )
        entries[entry.id] = entry
        return
    if not entry.override:
        findings.append(
            Finding(
                entry.position,
                Severity.ERROR,
                "duplicate-id",
                f"id '{entry.id}' is already defined at {first.position} "
                "(to change it from a later layer, add override: replace or override: patch)",
            )
        )
        return
    if entry.override == "replace":
        result = entry.replace(overrides=str(first.position))
        verb = "replaces"
    else:
        result = patched(first, entry).replace(
            override="patch",
            overrides=str(first.position),
            layer=entry.layer,
            position=entry.position,
        )
        verb = "patches"
    entries[entry.id] = result
    findings.append(
        Finding(
            entry.position,
            Severity.INFO,
            "override",
            f"entry '{entry.id}' {verb} the one at {first.position}",
        )
    )


def load(
    extra: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    include_shipped: bool = True,
    include_user: bool = True,
    use_index: bool = True,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> KnowledgeBase:
    """The layers as one knowledge base: from the on-disk index when it can be used
    (built or refreshed as needed), otherwise parsed from the YAML in memory.

    NQPF_NO_INDEX=1 turns the index off.
    """
    environ = os.environ if environ is None else environ
    layers = unique_layers(discover(extra, environ, include_shipped, include_user))
    if use_index and environ.get("NQPF_NO_INDEX", "") in ("", "0"):
        from .index import IndexUnavailable, open_index

        try:
            return open_index(layers, environ, display_path, read_layer, progress, warn)
        except IndexUnavailable:
            pass
    return assemble(layers)


def require_valid(kb: KnowledgeBase) -> KnowledgeBase:
    """Commands other than `validate` refuse a knowledge base with errors (exit 3)."""
    errors = kb.errors()
    if errors:
        first = errors[0]
        more = len(errors) - 1
        tail = f" (and {more} more; run 'nqpf validate')" if more else ""
        raise KnowledgeBaseError(f"{first.position}: {first.message}{tail}")
    return kb
