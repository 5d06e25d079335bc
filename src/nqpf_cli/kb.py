"""Loading the knowledge-base layers into one in-memory knowledge base."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from . import validate
from .build import FileBuilder
from .errors import KnowledgeBaseError
from .layers import Layer, discover
from .models import Dimension, Entry, Finding, KnowledgeBase, LayerStat, Position, Severity
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
    stats: list[LayerStat] = []
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
            _place(kb, entry)
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
    kb.findings.extend(validate.check(kb))
    return kb


PATCHABLE = (
    "kind",
    "name",
    "name_zh",
    "pinyin",
    "aliases",
    "tags",
    "summary",
    "definition",
    "date",
    "end_date",
    "status",
    "framing",
    "notes",
    "translations",
    "sources",
)


def patched(base: Entry, patch: Entry) -> Entry:
    """`base` with the fields `patch` wrote; links and dimensions merge key by key."""
    changes: dict[str, object] = {
        name: getattr(patch, name) for name in PATCHABLE if name in patch.provided
    }
    merged = replace(base, **changes)  # type: ignore[arg-type]
    if "links" in patch.provided:
        merged.links = {**base.links, **patch.links}
    if "dimensions" in patch.provided:
        merged.dimensions = {**base.dimensions, **patch.dimensions}
    merged.positions = {**base.positions, **patch.positions}
    return merged


def _place(kb: KnowledgeBase, entry: Entry) -> None:
    """Add an entry, or apply it as an explicit override of an earlier layer's entry."""
    first = kb.entries.get(entry.id)
    if first is None:
        if entry.override:
            kb.findings.append(
                Finding(
                    entry.position,
                    Severity.ERROR,
                    "override-without-target",
                    f"entry '{entry.id}' says override: {entry.override}, but no earlier "
                    "layer defines that id",
                )
            )
        kb.entries[entry.id] = entry
        return
    if not entry.override:
        kb.findings.append(
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
        result = replace(entry, overrides=str(first.position))
        verb = "replaces"
    else:
        result = replace(
            patched(first, entry),
            override="patch",
            overrides=str(first.position),
            layer=entry.layer,
            position=entry.position,
        )
        verb = "patches"
    kb.entries[entry.id] = result
    kb.findings.append(
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
) -> KnowledgeBase:
    return assemble(discover(extra, environ, include_shipped, include_user))


def require_valid(kb: KnowledgeBase) -> KnowledgeBase:
    """Commands other than `validate` refuse a knowledge base with errors (exit 3)."""
    errors = kb.errors()
    if errors:
        first = errors[0]
        more = len(errors) - 1
        tail = f" (and {more} more; run 'nqpf validate')" if more else ""
        raise KnowledgeBaseError(f"{first.position}: {first.message}{tail}")
    return kb
