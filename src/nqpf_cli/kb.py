"""Loading the knowledge-base layers into one in-memory knowledge base."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from . import validate
from .build import FileBuilder
from .errors import KnowledgeBaseError
from .layers import Layer, discover
from .models import Dimension, Entry, Finding, KnowledgeBase, Position, Severity
from .yamlsafe import YamlProblem, decode, parse


def display_path(path: Path) -> str:
    """Paths under the working directory print relative, like compilers do."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_layer(layer: Layer) -> tuple[list[Entry], dict[str, Dimension], list[Finding]]:
    shown = display_path(layer.path)
    builder = FileBuilder(shown, layer.origin)
    try:
        data = layer.path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        finding = Finding(Position(shown), Severity.ERROR, "unreadable", f"cannot read: {reason}")
        return [], {}, [finding]
    try:
        root = parse(decode(data))
    except YamlProblem as problem:
        position = Position(shown, problem.line, problem.column)
        return [], {}, [Finding(position, Severity.ERROR, problem.rule, problem.message)]
    entries, dimensions = builder.document(root)
    return entries, dimensions, builder.findings


def assemble(layers: Iterable[Layer]) -> KnowledgeBase:
    kb = KnowledgeBase(entries={}, dimensions={}, findings=[])
    seen: set[Path] = set()
    names: list[str] = []
    for layer in layers:
        resolved = layer.path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        names.append(display_path(layer.path))
        entries, dimensions, findings = read_layer(layer)
        kb.findings.extend(findings)
        for key, dimension in dimensions.items():
            kb.dimensions.setdefault(key, dimension)
        for entry in entries:
            first = kb.entries.get(entry.id)
            if first is not None:
                kb.findings.append(
                    Finding(
                        entry.position,
                        Severity.ERROR,
                        "duplicate-id",
                        f"id '{entry.id}' is already defined at {first.position}",
                    )
                )
                continue
            kb.entries[entry.id] = entry
    kb.layers = tuple(names)
    kb.findings.extend(validate.check(kb))
    return kb


def load(
    extra: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
    include_shipped: bool = True,
) -> KnowledgeBase:
    return assemble(discover(extra, environ, include_shipped))


def require_valid(kb: KnowledgeBase) -> KnowledgeBase:
    """Commands other than `validate` refuse a knowledge base with errors (exit 3)."""
    errors = kb.errors()
    if errors:
        first = errors[0]
        more = len(errors) - 1
        tail = f" (and {more} more; run 'nqpf validate')" if more else ""
        raise KnowledgeBaseError(f"{first.position}: {first.message}{tail}")
    return kb
