"""Checks across entries and layers. Returns findings; never prints, never exits."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from .models import Entry, Finding, KnowledgeBase, Position, Severity
from .normalize import compact, looks_like_pinyin, loose

CROSS_LINK = re.compile(r"\{([a-z0-9]+(?:-[a-z0-9]+)*)\}")
SUMMARY_LIMIT = 160


def cross_links(text: str) -> list[str]:
    return CROSS_LINK.findall(text)


def _finding(position: Position, severity: Severity, rule: str, message: str) -> Finding:
    return Finding(position, severity, rule, message)


def _texts(entry: Entry) -> Iterable[tuple[str, str]]:
    yield "definition", entry.definition
    if entry.notes:
        yield "notes", entry.notes
    for key, cell in entry.dimensions.items():
        yield f"dimension '{key}'", cell.text


def check_entry(entry: Entry, ids: Container[str], dimensions: Container[str]) -> list[Finding]:
    """Everything about one entry: its links and cross-links, dimensions, completeness."""
    found: list[Finding] = []
    what = f"entry '{entry.id}'"

    def error(key: str, rule: str, message: str) -> None:
        found.append(_finding(entry.where(key), Severity.ERROR, rule, f"{what}: {message}"))

    def warn(key: str, rule: str, message: str) -> None:
        found.append(_finding(entry.where(key), Severity.WARNING, rule, f"{what}: {message}"))

    for link_type, targets in entry.links.items():
        for target in targets:
            key = f"links.{link_type}.{target}"
            if target == entry.id:
                warn(key, "self-link", f"links to itself ({link_type})")
            elif target not in ids:
                error(key, "dangling-link", f"{link_type} names unknown entry '{target}'")
    for field_name, text in _texts(entry):
        for target in cross_links(text):
            if target not in ids:
                key = "value.definition" if field_name == "definition" else "dimensions"
                if field_name == "notes":
                    key = "value.notes"
                error(
                    key, "dangling-crosslink", f"{field_name} links to unknown entry {{{target}}}"
                )
    for key, cell in entry.dimensions.items():
        if key not in dimensions:
            error("dimensions", "unknown-dimension", f"dimension '{key}' is not declared")
        for ref in cell.sources:
            if ref > len(entry.sources):
                error("dimensions", "bad-source-ref", f"dimension '{key}' cites source {ref}")
    for index, translation in enumerate(entry.translations, start=1):
        for ref in translation.sources:
            if ref > len(entry.sources):
                error("translations", "bad-source-ref", f"translation #{index} cites source {ref}")
    if not entry.name_zh:
        warn("id", "missing-chinese", "has no Chinese name (name_zh)")
    if not entry.pinyin:
        warn("id", "missing-pinyin", "has no pinyin")
    elif not looks_like_pinyin(entry.pinyin):
        warn("value.pinyin", "pinyin-without-tones", f"pinyin '{entry.pinyin}' has no tone marks")
    if not entry.sources:
        warn("id", "missing-sources", "has no sources")
    elif not any(source.url for source in entry.sources):
        warn("sources", "no-source-url", "none of its sources has a URL")
    if len(entry.summary) > SUMMARY_LIMIT or "\n" in entry.summary.strip():
        warn(
            "value.summary",
            "long-summary",
            f"summary should be one line of at most {SUMMARY_LIMIT} characters",
        )
    return found


def name_claims(entry: Entry) -> list[str]:
    """The folded names an entry answers to; two entries claiming one make lookups ambiguous."""
    names = {loose(n) for n in (entry.name, *entry.aliases)}
    if entry.name_zh:
        names.add(loose(entry.name_zh))
    if entry.pinyin:
        names.add(compact(entry.pinyin))
    return sorted(names)


def duplicate_name(entry: Entry, key: str, owner: str) -> Finding:
    return _finding(
        entry.where("aliases") if "aliases" in entry.positions else entry.position,
        Severity.WARNING,
        "duplicate-alias",
        f"entry '{entry.id}': name or alias '{key}' is also used by '{owner}'",
    )


def check_names(entries: Iterable[Entry]) -> list[Finding]:
    """Names and aliases that fold to the same key but belong to different entries."""
    found: list[Finding] = []
    owners: dict[str, str] = {}
    for entry in entries:
        for key in name_claims(entry):
            owner = owners.setdefault(key, entry.id)
            if owner != entry.id:
                found.append(duplicate_name(entry, key, owner))
    return found


def check(kb: KnowledgeBase) -> list[Finding]:
    found: list[Finding] = []
    for entry in kb.entries.values():
        found.extend(check_entry(entry, kb.entries, kb.dimensions))
    found.extend(check_names(kb.entries.values()))
    return found
