"""Turning a parsed file into typed entries, recording a finding for every problem."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from .models import (
    ENTRY_KEYS,
    FRAMINGS,
    KINDS,
    LINK_TYPES,
    STATUSES,
    Cell,
    Dimension,
    Entry,
    Finding,
    Position,
    Severity,
    Source,
    Translation,
)
from .yamlsafe import Node

# Used with fullmatch (`$` alone also matches before a final newline: "a\n" is not an
# id) and re.ASCII (`\d` would accept "２０２４"); the patterns also go into the JSON Schema.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", re.ASCII)
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)

TOP_KEYS = ("version", "dimensions", "entries")
OVERRIDES = ("replace", "patch")
SOURCE_KEYS = ("title", "url", "publisher", "author", "date", "note")
TRANSLATION_KEYS = ("text", "used_by", "sources")
CELL_KEYS = ("text", "sources", "framing")
DIMENSION_KEYS = ("en", "zh")


def check_date(value: str) -> str | None:
    """None when `value` is YYYY, YYYY-MM or YYYY-MM-DD naming a real date; else why not."""
    match = DATE_PATTERN.fullmatch(value)
    if not match:
        return f"date '{value}' is not YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        return f"date '{value}' does not exist ({exc})"
    return None


class FileBuilder:
    """Reads one file's tree; `findings` collects what is wrong, with positions."""

    def __init__(self, path: str, layer: str) -> None:
        self.path = path
        self.layer = layer
        self.findings: list[Finding] = []

    def pos(self, node: Node) -> Position:
        return Position(self.path, node.line, node.column)

    def key_pos(self, mapping: Node, key: str) -> Position:
        line, column = mapping.key_positions.get(key, (mapping.line, mapping.column))
        return Position(self.path, line, column)

    def error(self, position: Position, rule: str, message: str) -> None:
        self.findings.append(Finding(position, Severity.ERROR, rule, message))

    def warn(self, position: Position, rule: str, message: str) -> None:
        self.findings.append(Finding(position, Severity.WARNING, rule, message))

    # -- typed field readers -------------------------------------------------------

    def mapping(self, node: Node, what: str) -> dict[str, Node] | None:
        if isinstance(node.value, dict):
            return node.value
        if node.empty:
            return {}
        self.error(self.pos(node), "wrong-type", f"{what} must be a mapping, not a {node.kind}")
        return None

    def unknown_keys(self, node: Node, allowed: tuple[str, ...], what: str) -> None:
        if not isinstance(node.value, dict):  # an empty item (`-`) has no keys
            return
        for key in node.value:
            if key not in allowed:
                hint = ", ".join(allowed)
                self.error(
                    self.key_pos(node, key), "unknown-key", f"{what}: unknown key '{key}' ({hint})"
                )

    def text(self, parent: Node, key: str, what: str, required: bool = False) -> str | None:
        node = parent.value.get(key) if isinstance(parent.value, dict) else None
        if node is None or node.empty:
            if required:
                self.error(self.pos(parent), "missing-field", f"{what}: '{key}' is required")
            return None
        if not isinstance(node.value, str):
            self.error(
                self.pos(node), "wrong-type", f"{what}: '{key}' must be a string, not a {node.kind}"
            )
            return None
        if required and not node.value.strip():
            self.error(self.pos(node), "missing-field", f"{what}: '{key}' is empty")
            return None
        return node.value

    def strings(self, parent: Node, key: str, what: str) -> tuple[str, ...]:
        node = parent.value.get(key) if isinstance(parent.value, dict) else None
        if node is None or node.empty:
            return ()
        if isinstance(node.value, str):
            return (node.value,)
        if not isinstance(node.value, list):
            self.error(self.pos(node), "wrong-type", f"{what}: '{key}' must be a list of strings")
            return ()
        items: list[str] = []
        for child in node.value:
            if isinstance(child.value, str) and not child.empty:
                items.append(child.value)
            else:
                self.error(
                    self.pos(child), "wrong-type", f"{what}: items of '{key}' must be strings"
                )
        return tuple(items)

    def choice(self, parent: Node, key: str, what: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(parent, key, what)
        if value is not None and value not in allowed:
            assert isinstance(parent.value, dict)
            self.error(
                self.pos(parent.value[key]),
                f"bad-{key.replace('_', '-')}",
                f"{what}: {key} '{value}' is not one of {', '.join(allowed)}",
            )
            return None
        return value

    def date_field(self, parent: Node, key: str, what: str) -> str | None:
        value = self.text(parent, key, what)
        if value is None:
            return None
        problem = check_date(value)
        if problem:
            assert isinstance(parent.value, dict)
            self.error(self.pos(parent.value[key]), "bad-date", f"{what}: {problem}")
            return None
        return value

    def source_refs(self, parent: Node, what: str) -> tuple[int, ...]:
        refs: list[int] = []
        for raw in self.strings(parent, "sources", what):
            # ASCII and short: "²".isdigit() is true but int("²") fails; so do 5,000 digits
            if raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) > 0:
                refs.append(int(raw))
            else:
                assert isinstance(parent.value, dict)
                self.error(
                    self.pos(parent.value["sources"]),
                    "bad-source-ref",
                    f"{what}: source number '{raw}' must be a positive whole number",
                )
        return tuple(refs)

    # -- records -------------------------------------------------------------------

    def dimensions(self, node: Node) -> dict[str, Dimension]:
        table = self.mapping(node, "dimensions")
        found: dict[str, Dimension] = {}
        for key, child in (table or {}).items():
            what = f"dimension '{key}'"
            if not ID_PATTERN.fullmatch(key.replace("_", "-")):
                self.error(
                    self.key_pos(node, key), "bad-id", f"{what}: use lowercase letters, digits, _"
                )
            if isinstance(child.value, str) and not child.empty:
                found[key] = Dimension(key, child.value)
                continue
            if self.mapping(child, what) is None:
                continue
            self.unknown_keys(child, DIMENSION_KEYS, what)
            en = self.text(child, "en", what, required=True) or key
            found[key] = Dimension(key, en, self.text(child, "zh", what))
        return found

    def source(self, node: Node, what: str) -> Source | None:
        if self.mapping(node, what) is None:
            return None
        self.unknown_keys(node, SOURCE_KEYS, what)
        title = self.text(node, "title", what, required=True)
        url = self.text(node, "url", what)
        if url is not None and not (re.match(r"^https?://\S+\Z", url) and url.isprintable()):
            self.error(
                self.pos(node),
                "bad-url",
                f"{what}: url must be an http:// or https:// address without spaces or "
                "control characters",
            )
            url = None
        return Source(
            title=title or "",
            url=url,
            publisher=self.text(node, "publisher", what),
            author=self.text(node, "author", what),
            date=self.date_field(node, "date", what),
            note=self.text(node, "note", what),
        )

    def listed(
        self, parent: Node, key: str, what: str, read: Callable[[Node, str], object]
    ) -> list[object]:
        node = parent.value.get(key) if isinstance(parent.value, dict) else None
        if node is None or node.empty:
            return []
        if not isinstance(node.value, list):
            self.error(self.pos(node), "wrong-type", f"{what}: '{key}' must be a list")
            return []
        results = []
        for index, child in enumerate(node.value, start=1):
            item = read(child, f"{what} {key} #{index}")
            if item is not None:
                results.append(item)
        return results

    def translation(self, node: Node, what: str) -> Translation | None:
        if isinstance(node.value, str) and not node.empty:
            return Translation(node.value)
        if self.mapping(node, what) is None:
            return None
        self.unknown_keys(node, TRANSLATION_KEYS, what)
        text = self.text(node, "text", what, required=True)
        if text is None:
            return None
        return Translation(text, self.text(node, "used_by", what), self.source_refs(node, what))

    def cell(self, node: Node, what: str) -> Cell | None:
        if isinstance(node.value, str) and not node.empty:
            return Cell(node.value)
        if self.mapping(node, what) is None:
            return None
        self.unknown_keys(node, CELL_KEYS, what)
        text = self.text(node, "text", what, required=True)
        if text is None:
            return None
        framing = self.choice(node, "framing", what, FRAMINGS)
        return Cell(text, self.source_refs(node, what), framing)

    def links(self, node: Node, what: str) -> dict[str, tuple[str, ...]]:
        table = self.mapping(node, f"{what}: links")
        found: dict[str, tuple[str, ...]] = {}
        for key in table or {}:
            if key not in LINK_TYPES:
                self.error(
                    self.key_pos(node, key),
                    "unknown-link-type",
                    f"{what}: link type '{key}' is not one of {', '.join(LINK_TYPES)}",
                )
                continue
            found[key] = self.strings(node, key, f"{what}: links")
        return found

    def entry(self, node: Node) -> Entry | None:
        if self.mapping(node, "entry") is None or not isinstance(node.value, dict):
            return None
        raw_id = self.text(node, "id", "entry", required=True)
        what = f"entry '{raw_id}'" if raw_id else "entry"
        if raw_id is None:
            return None
        if not ID_PATTERN.fullmatch(raw_id):
            self.error(
                self.pos(node.value["id"]),
                "bad-id",
                f"{what}: ids are lowercase letters and digits joined by '-'",
            )
        self.unknown_keys(node, ENTRY_KEYS, what)
        override = self.choice(node, "override", what, OVERRIDES)
        # A patch names only the fields it changes; everything else is required.
        needed = override != "patch"
        kind = self.choice(node, "kind", what, KINDS)
        if "kind" not in node.value and needed:
            self.error(self.pos(node), "missing-field", f"{what}: 'kind' is required")
        name = self.text(node, "name", what, required=needed)
        summary = self.text(node, "summary", what, required=needed)
        definition = self.text(node, "definition", what, required=needed)
        dimensions: dict[str, Cell] = {}
        dim_node = node.value.get("dimensions")
        if dim_node is not None:
            for key, child in (self.mapping(dim_node, f"{what}: dimensions") or {}).items():
                cell = self.cell(child, f"{what}: dimension '{key}'")
                if cell is not None:
                    dimensions[key] = cell
        links_node = node.value.get("links")
        entry = Entry(
            id=raw_id,
            kind=kind or "concept",
            name=name or raw_id,
            summary=summary or "",
            definition=definition or "",
            position=self.pos(node),
            name_zh=self.text(node, "name_zh", what),
            pinyin=self.text(node, "pinyin", what),
            aliases=self.strings(node, "aliases", what),
            tags=self.strings(node, "tags", what),
            date=self.date_field(node, "date", what),
            end_date=self.date_field(node, "end_date", what),
            status=self.choice(node, "status", what, STATUSES),
            framing=self.choice(node, "framing", what, FRAMINGS),
            notes=self.text(node, "notes", what),
            links=self.links(links_node, what) if links_node is not None else {},
            translations=tuple(
                t
                for t in self.listed(node, "translations", what, self.translation)
                if isinstance(t, Translation)
            ),
            dimensions=dimensions,
            sources=tuple(
                s for s in self.listed(node, "sources", what, self.source) if isinstance(s, Source)
            ),
            layer=self.layer,
            override=override,
            provided=frozenset(node.value),
        )
        for key in node.key_positions:
            entry.positions[key] = self.key_pos(node, key)
        if links_node is not None and isinstance(links_node.value, dict):
            for link_type, targets in links_node.value.items():
                items = targets.value if isinstance(targets.value, list) else [targets]
                for item in items:
                    if isinstance(item.value, str):
                        entry.positions[f"links.{link_type}.{item.value}"] = self.pos(item)
        for key, child in node.value.items():
            if isinstance(child.value, str):
                entry.positions[f"value.{key}"] = self.pos(child)
        return entry

    def document(self, root: Node | None) -> tuple[list[Entry], dict[str, Dimension]]:
        top = Position(self.path)
        if root is None or root.empty:  # nothing, or a bare `---`
            self.error(top, "top-level-type", "file is empty; expected a mapping with 'entries:'")
            return [], {}
        if not isinstance(root.value, dict):
            self.error(
                self.pos(root),
                "top-level-type",
                f"expected a mapping with 'entries:' at the top, found a {root.kind}",
            )
            return [], {}
        self.unknown_keys(root, TOP_KEYS, "top level")
        version = self.text(root, "version", "top level")
        if version is not None and version.strip() != "1":
            self.error(
                self.pos(root.value["version"]),
                "bad-version",
                f"version '{version}' is not supported (this nqpf reads version 1)",
            )
        dimensions = self.dimensions(root.value["dimensions"]) if "dimensions" in root.value else {}
        entries_node = root.value.get("entries")
        if entries_node is None:
            self.error(self.pos(root), "missing-field", "top level: 'entries' is required")
            return [], dimensions
        if entries_node.empty:
            return [], dimensions
        if not isinstance(entries_node.value, list):
            self.error(
                self.pos(entries_node),
                "wrong-type",
                f"'entries' must be a list of entries, not a {entries_node.kind}",
            )
            return [], dimensions
        entries = [e for e in map(self.entry, entries_node.value) if e is not None]
        return entries, dimensions
