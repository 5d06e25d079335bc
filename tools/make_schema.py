"""Write schema/nqpf-kb.schema.json from the loader's own tables, so they cannot drift.

Usage: python tools/make_schema.py [--check]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from nqpf_cli.build import (
    CELL_KEYS,
    DATE_PATTERN,
    DIMENSION_KEYS,
    ENTRY_KEYS,
    ID_PATTERN,
    OVERRIDES,
    SOURCE_KEYS,
    TRANSLATION_KEYS,
)
from nqpf_cli.models import FRAMINGS, KINDS, LINK_LABELS, STATUSES
from nqpf_cli.validate import SUMMARY_LIMIT

TARGET = Path(__file__).resolve().parents[1] / "schema" / "nqpf-kb.schema.json"


def ecma(pattern: str) -> str:
    """JSON Schema patterns are ECMA-262: `$` already means end of input; `\\Z` does not exist."""
    return pattern.replace("\\Z", "$")


# nqpf reads every scalar as a string; editors reading YAML 1.2 see `1` as a number.
# Both are accepted where a number is natural.
SOURCE_NUMBER = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": "^[1-9][0-9]*$"},
    ]
}
TEXT = {"type": "string", "minLength": 1}
DATE = {
    "type": "string",
    "pattern": ecma(DATE_PATTERN.pattern),
    "description": "YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date)",
}
ID = {"type": "string", "pattern": ecma(ID_PATTERN.pattern)}
STRINGS = {"anyOf": [TEXT, {"type": "array", "items": TEXT}]}
REFS = {"type": "array", "items": SOURCE_NUMBER}


def schema() -> dict[str, Any]:
    entry_props: dict[str, Any] = {
        "id": {**ID, "description": "lowercase words joined by '-', unique across layers"},
        "kind": {"enum": list(KINDS)},
        "name": {**TEXT, "description": "English name"},
        "name_zh": {**TEXT, "description": "Chinese name (simplified)"},
        "pinyin": {**TEXT, "description": "Hanyu Pinyin with tone marks"},
        "aliases": STRINGS,
        "tags": STRINGS,
        "summary": {**TEXT, "maxLength": SUMMARY_LIMIT, "description": "one line, for tables"},
        "definition": {**TEXT, "description": "own words; cross-link entries as {entry-id}"},
        "date": DATE,
        "end_date": DATE,
        "status": {"enum": list(STATUSES)},
        "framing": {"enum": list(FRAMINGS)},
        "notes": TEXT,
        "links": {
            "type": "object",
            "propertyNames": {"enum": list(LINK_LABELS)},
            "additionalProperties": {"anyOf": [ID, {"type": "array", "items": ID}]},
        },
        "translations": {"type": "array", "items": {"$ref": "#/$defs/translation"}},
        "dimensions": {
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/cell"},
        },
        "sources": {"type": "array", "items": {"$ref": "#/$defs/source"}},
        "override": {
            "enum": list(OVERRIDES),
            "description": "replace or patch the entry with this id from an earlier layer",
        },
    }
    assert set(entry_props) == set(ENTRY_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/nqpf/nqpf/schema/nqpf-kb.schema.json",
        "title": "nqpf knowledge base",
        "description": "A layer of the nqpf glossary. See docs/kb-format.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["entries"],
        "properties": {
            "version": {"anyOf": [{"const": 1}, {"const": "1"}]},
            "dimensions": {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        TEXT,
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["en"],
                            "properties": dict.fromkeys(DIMENSION_KEYS, TEXT),
                        },
                    ]
                },
            },
            "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
        },
        "$defs": {
            "entry": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id"],
                "properties": entry_props,
                "if": {
                    "not": {
                        "required": ["override"],
                        "properties": {"override": {"const": "patch"}},
                    }
                },
                "then": {"required": ["id", "kind", "name", "summary", "definition"]},
            },
            "source": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title"],
                "properties": {
                    **dict.fromkeys(SOURCE_KEYS, TEXT),
                    "url": {"type": "string", "pattern": "^https?://\\S+$"},
                    "date": DATE,
                },
            },
            "translation": {
                "anyOf": [
                    TEXT,
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["text"],
                        "properties": {
                            **dict.fromkeys(TRANSLATION_KEYS, TEXT),
                            "sources": REFS,
                        },
                    },
                ]
            },
            "cell": {
                "anyOf": [
                    TEXT,
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["text"],
                        "properties": {
                            **dict.fromkeys(CELL_KEYS, TEXT),
                            "sources": REFS,
                            "framing": {"enum": list(FRAMINGS)},
                        },
                    },
                ]
            },
        },
    }


def main() -> int:
    text = json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
    if "--check" in sys.argv:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
