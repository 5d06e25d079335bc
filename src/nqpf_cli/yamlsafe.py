"""Strict, position-keeping YAML reading.

PyYAML's loaders construct Python objects, resolve YAML 1.1 types (`no` -> False,
`0123` -> 83), keep the last of duplicate keys and expand aliases. A glossary needs none
of that, so this module walks the parser's event stream itself and builds a tree of
strings, lists and mappings that remembers where every node and key came from.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters YAML forbids in a stream, plus a byte-order mark anywhere but the start, plus
# a raw NEL (U+0085): YAML 1.1 reads it as a line break even inside quotes, so "x<NEL>y"
# would silently load as "x y" (and it is usually a cp1252 "…" gone wrong).
_FORBIDDEN = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_PLAIN_TAGS = {
    None,
    "!",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlProblem(Exception):
    """A file that is not acceptable YAML; line and column are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "yaml-syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


@dataclass(slots=True)
class Node:
    """A scalar (str), mapping (dict of key -> Node) or sequence (list of Node)."""

    value: str | dict[str, Node] | list[Node]
    line: int
    column: int
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    empty: bool = False  # a plain scalar with nothing written (`key:`)

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        return "string"


_NO_KEYS: dict[str, tuple[int, int]] = {}  # shared by scalars and lists; never written to


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is a YamlProblem."""
    if len(data) > MAX_BYTES:
        raise YamlProblem(
            f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}", rule="file-too-large"
        )
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: same start
        raise YamlProblem("UTF-32 is not supported; save the file as UTF-8", rule="encoding")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise YamlProblem(
            f"not valid {encoding.upper()} (byte 0x{bad}); save the file as UTF-8",
            line,
            column,
            rule="encoding",
        ) from None
    match = _FORBIDDEN.search(text)
    if match:
        prefix = text[: match.start()]
        line = prefix.count("\n") + 1
        column = match.start() - (prefix.rfind("\n") + 1) + 1
        raise YamlProblem(
            f"character U+{ord(match.group()):04X} is not allowed in a YAML file "
            '(write it as an escape such as "\\u001b" inside double quotes)',
            line,
            column,
            rule="encoding",
        )
    return text


def _mark_problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    context = exc.context_mark
    if "end of stream" in message and context is not None:
        # An unclosed quote or bracket is reported at the end of the file; the useful
        # place is where it was opened.
        message = f"{exc.context} that is never closed"
        mark = context
    elif exc.context and context is not None and mark is not None and context.line != mark.line:
        message = f"{message} ({exc.context} at line {context.line + 1})"
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    if mark is not None and mark.buffer is None and "cannot start any token" in message:
        message = "found a character that cannot start any token (a tab used for indentation?)"
    return YamlProblem(message.replace("\n", " "), line, column)


def _place(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _check_event(event: Any) -> None:
    line, column = _place(event)
    if isinstance(event, yaml.AliasEvent):
        raise YamlProblem(f"aliases (*{event.anchor}) are not allowed", line, column, "yaml-alias")
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise YamlProblem(f"anchors (&{anchor}) are not allowed", line, column, "yaml-alias")
    tag = getattr(event, "tag", None)
    if tag not in _PLAIN_TAGS:
        raise YamlProblem(f"tags ({tag}) are not allowed", line, column, "yaml-tag")


def _duplicate(key: str, first: tuple[int, int], line: int, column: int) -> YamlProblem:
    return YamlProblem(
        f"duplicate key '{key}' (first defined at line {first[0]})", line, column, "duplicate-key"
    )


def parse(text: str) -> Node | None:
    """Parse one YAML document into a Node tree, or None for an empty stream.

    The loop is written out by hand (no generator, no node for a mapping key) because it
    runs once per YAML event: on a large knowledge base it is most of the parsing time."""
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    closers = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    document_start, stream_end = yaml.DocumentStartEvent, yaml.StreamEndEvent
    root: Node | None = None
    documents = 0
    # one frame per open collection: [node, its dict or list, the key waiting for a value]
    stack: list[list[Any]] = []
    parser = _Parser(text)
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar or kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or event.tag not in _PLAIN_TAGS:
                    _check_event(event)
                mark = event.start_mark
                line, column = mark.line + 1, mark.column + 1
                frame = stack[-1] if stack else None
                if kind is scalar:
                    value = event.value
                    if frame is not None and frame[2] is None and type(frame[1]) is dict:
                        mapping = frame[0]  # this scalar is a key
                        known = mapping.key_positions.get(value)
                        if known is not None:
                            raise _duplicate(value, known, line, column)
                        mapping.key_positions[value] = (line, column)
                        frame[2] = value
                        continue
                    node = Node(value, line, column, _NO_KEYS, value == "" and event.implicit[0])
                else:
                    if len(stack) >= MAX_DEPTH:
                        raise YamlProblem(
                            f"nesting deeper than {MAX_DEPTH} levels", line, column, "too-deep"
                        )
                    if kind is mapping_start:
                        node = Node({}, line, column, {})
                    else:
                        node = Node([], line, column, _NO_KEYS)
                    if frame is not None and frame[2] is None and type(frame[1]) is dict:
                        raise YamlProblem(
                            "mapping keys must be plain strings", line, column, "wrong-type"
                        )
                if frame is None:
                    root = node
                elif type(frame[1]) is list:
                    frame[1].append(node)
                else:
                    frame[1][frame[2]] = node
                    frame[2] = None
                if kind is not scalar:
                    stack.append([node, node.value, None])
            elif kind in closers:
                stack.pop()
            elif kind is alias:
                _check_event(event)
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    raise YamlProblem(
                        "only one YAML document per file ('---' starts a second one)",
                        *_place(event),
                        rule="multi-document",
                    )
            elif kind is stream_end or event is None:
                break
    except yaml.MarkedYAMLError as exc:
        raise _mark_problem(exc) from None
    except yaml.YAMLError as exc:  # ReaderError and friends carry no line
        raise YamlProblem(str(exc).replace("\n", " ")) from None
    finally:
        parser.dispose()
    return root


def plain(node: Node) -> Any:
    """The tree as plain Python data (str, dict, list) without positions."""
    if isinstance(node.value, dict):
        return {key: plain(child) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [plain(child) for child in node.value]
    return None if node.empty else node.value
