"""The link graph: neighbourhoods for `related`, the whole graph for `graph`, and its
DOT / Mermaid / JSON forms (plain strings, no Rich)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .describe import SYMMETRIC
from .models import LINK_LABELS, LINK_TYPES, Entry, KnowledgeBase


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    link_type: str


@dataclass(slots=True)
class TreeNode:
    """One entry in a `related` tree, reached from its parent by `label`."""

    entry: Entry
    label: str  # "" for the root; otherwise e.g. "evolved from" or "← named by"
    direction: str  # "root" | "out" | "in"
    children: list[TreeNode] = field(default_factory=list)
    seen_before: bool = False  # already shown elsewhere in the tree: not expanded again


def edges(kb: KnowledgeBase, kinds: set[str] | None = None) -> list[Edge]:
    found = []
    for entry in kb.entries.values():
        for link_type, targets in entry.links.items():
            for target in targets:
                if target not in kb.entries or target == entry.id:
                    continue
                if kinds and (entry.kind not in kinds or kb.entries[target].kind not in kinds):
                    continue
                found.append(Edge(entry.id, target, link_type))
    return found


def neighbours(entry: Entry, kb: KnowledgeBase) -> list[tuple[Entry, str, str]]:
    out = [
        (kb.entries[target], LINK_LABELS[link_type], "out")
        for link_type, targets in entry.links.items()
        for target in targets
        if target in kb.entries and target != entry.id
    ]
    shown = {(other.id, label) for other, label, _ in out}
    incoming = [
        (kb.entries[back.source], LINK_TYPES[back.link_type], "in")
        for back in kb.backlinks(entry.id)
        # a symmetric link written on both entries is shown once
        if not (back.link_type in SYMMETRIC and (back.source, LINK_LABELS[back.link_type]) in shown)
    ]
    return out + incoming


def related_tree(entry: Entry, kb: KnowledgeBase, depth: int) -> TreeNode:
    """Breadth-first, so each entry is expanded once, at its shallowest place."""
    root = TreeNode(entry, "", "root")
    expanded = {entry.id}
    frontier = [root]
    for _ in range(max(depth, 0)):
        next_frontier = []
        for node in frontier:
            for other, label, direction in neighbours(node.entry, kb):
                child = TreeNode(other, label, direction)
                if other.id in expanded:
                    child.seen_before = True
                else:
                    expanded.add(other.id)
                    next_frontier.append(child)
                node.children.append(child)
        frontier = next_frontier
    return root


def tree_edges(root: TreeNode) -> tuple[list[Entry], list[Edge]]:
    """Nodes and edges of a tree, for DOT/Mermaid/JSON, each edge in its real direction."""
    nodes: dict[str, Entry] = {root.entry.id: root.entry}
    found: dict[tuple[str, str, str], Edge] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            nodes.setdefault(child.entry.id, child.entry)
            if child.direction == "out":
                edge = Edge(node.entry.id, child.entry.id, child.label)
            else:
                edge = Edge(child.entry.id, node.entry.id, _inverse_label(child.label))
            found.setdefault((edge.source, edge.target, edge.link_type), edge)
            if not child.seen_before:
                stack.append(child)
    return list(nodes.values()), list(found.values())


def _inverse_label(label: str) -> str:
    for link_type, inverse in LINK_TYPES.items():
        if inverse == label:
            return LINK_LABELS[link_type]
    return label


# -- serialisations --------------------------------------------------------------------


def _dot_escape(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(ch if ch.isprintable() else " " for ch in escaped)


def _dot_string(text: str) -> str:
    return f'"{_dot_escape(text)}"'


def to_dot(nodes: Iterable[Entry], links: Iterable[Edge], name: str = "nqpf") -> str:
    lines = [f"digraph {_dot_string(name)} {{", "  rankdir=LR;", "  node [shape=box];"]
    for entry in nodes:
        label = _dot_escape(entry.name)
        if entry.name_zh:
            label += "\\n" + _dot_escape(entry.name_zh)
        tooltip = _dot_string(entry.kind)
        lines.append(f'  {_dot_string(entry.id)} [label="{label}", tooltip={tooltip}];')
    for edge in links:
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)}"
            f" [label={_dot_string(edge.link_type.replace('_', ' '))}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted strings; entity codes keep quotes and markup inert.
    replacements = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}
    out = "".join(replacements.get(ch, ch) for ch in text)
    return "".join(ch if ch.isprintable() else " " for ch in out)


def _mermaid_id(entry_id: str) -> str:
    return "n_" + entry_id.replace("-", "_")


def to_mermaid(nodes: Iterable[Entry], links: Iterable[Edge]) -> str:
    lines = ["flowchart LR"]
    for entry in nodes:
        label = _mermaid_text(entry.name)
        if entry.name_zh:
            label += "<br/>" + _mermaid_text(entry.name_zh)
        lines.append(f'  {_mermaid_id(entry.id)}["{label}"]')
    for edge in links:
        text = _mermaid_text(edge.link_type.replace("_", " "))
        lines.append(f'  {_mermaid_id(edge.source)} -->|"{text}"| {_mermaid_id(edge.target)}')
    return "\n".join(lines) + "\n"


def to_json(nodes: Iterable[Entry], links: Iterable[Edge]) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": e.id, "kind": e.kind, "name": e.name, "name_zh": e.name_zh} for e in nodes
        ],
        "edges": [
            {"source": edge.source, "target": edge.target, "type": edge.link_type} for edge in links
        ],
    }


def tree_json(node: TreeNode) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": node.entry.id,
        "name": node.entry.name,
        "name_zh": node.entry.name_zh,
        "kind": node.entry.kind,
    }
    if node.direction != "root":
        data["link"] = node.label
        data["direction"] = node.direction
    if node.seen_before:
        data["seen_before"] = True
    data["children"] = [tree_json(child) for child in node.children]
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
