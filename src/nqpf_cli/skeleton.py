"""`nqpf new`: a ready-to-paste YAML skeleton for a new entry. It never writes a file."""

from __future__ import annotations

import json

from .build import ID_PATTERN
from .errors import UsageError

# Fields each kind usually needs beyond the common ones, with a hint for each.
KIND_FIELDS: dict[str, list[tuple[str, str]]] = {
    "concept": [
        ("framing", "official (wording found in official texts) or analyst"),
    ],
    "initiative": [
        ("status", "active | superseded | de-emphasised | historical"),
    ],
    "document": [
        ("end_date", "only if it lapsed"),
    ],
    "sector": [],
    "institution": [],
    "event": [
        ("end_date", "last day, for events over several days"),
    ],
    "person": [],
}
KIND_LINKS: dict[str, list[str]] = {
    "concept": ["related", "introduced_by", "announced_in", "contrasts_with"],
    "initiative": ["issued_by", "introduced_by", "sectors", "evolved_from", "related"],
    "document": ["issued_by", "sectors", "has_part", "related"],
    "sector": ["part_of", "announced_in", "related"],
    "institution": ["part_of", "related"],
    "event": ["part_of", "related"],
    "person": ["related"],
}
DATE_HINT = {
    "concept": "first use",
    "initiative": "launch",
    "document": "issue date",
    "sector": "first named (optional)",
    "institution": "founding",
    "event": "first day",
    "person": "optional",
}


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _line(indent: str, key: str, value: str = "", hint: str = "") -> str:
    text = f"{indent}{key}:{' ' + value if value else ''}"
    return f"{text:<28}# {hint}" if hint else text


def skeleton(entry_id: str, kind: str, name: str | None = None, name_zh: str | None = None) -> str:
    if not ID_PATTERN.match(entry_id):
        raise UsageError(
            f"'{entry_id}' is not a valid id: use lowercase letters and digits joined by '-'"
        )
    item, field = "  - ", "    "
    lines = [
        f"{item}id: {entry_id}",
        _line(field, "kind", kind),
        _line(field, "name", _quote(name) if name else "", "English name"),
        _line(field, "name_zh", _quote(name_zh) if name_zh else "", "Chinese name (简体)"),
        _line(field, "pinyin", "", "with tone marks, e.g. xīn zhì shēngchǎnlì"),
        _line(field, "aliases", "[]", "abbreviations, other renderings"),
        _line(field, "summary", "", "one line, at most 160 characters"),
        _line(field, "definition", ">-", "own words; cross-link entries as {entry-id}"),
        "      ",
        _line(field, "date", '""', f"{DATE_HINT[kind]}: YYYY, YYYY-MM or YYYY-MM-DD"),
    ]
    for field_name, hint in KIND_FIELDS[kind]:
        lines.append(_line(field, field_name, "", hint))
    lines.append(_line(field, "links", "", "typed links to other entry ids"))
    for link_type in KIND_LINKS[kind]:
        lines.append(_line(field + "  ", link_type, "[]"))
    lines += [
        _line(field, "translations", "[]", "{text, used_by, sources: [n]}"),
        _line(field, "notes", "", "where sources disagree, what is unconfirmed"),
        _line(field, "sources", "", "numbered from 1; cite them as sources: [n]"),
        f'{field}  - title: ""',
        f"{field}    publisher:",
        f'{field}    date: ""',
        f'{field}    url: ""',
    ]
    return "\n".join(lines) + "\n"
