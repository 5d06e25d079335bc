"""Everything `define` shows about one entry, resolved against the knowledge base."""

# No `from __future__ import annotations`: NamedTuples pay for string annotations (models.py).

from typing import NamedTuple

from .models import LINK_LABELS, LINK_TYPES, Brief, Entry, KnowledgeBase
from .validate import CROSS_LINK

SYMMETRIC = ("related", "contrasts_with")


class LinkView(NamedTuple):
    link_type: str
    label: str
    target: Brief


class Segment(NamedTuple):
    """A run of definition text; `target` is set for an inline cross-link."""

    text: str
    target: Brief | None = None


class EntryView(NamedTuple):
    entry: Entry
    how: str
    definition: tuple[Segment, ...]
    notes: tuple[Segment, ...]
    links: tuple[LinkView, ...]
    backlinks: tuple[LinkView, ...]


def segments(
    text: str, kb: KnowledgeBase, briefs: dict[str, Brief] | None = None
) -> tuple[Segment, ...]:
    if briefs is None:
        briefs = kb.briefs(CROSS_LINK.findall(text))
    parts: list[Segment] = []
    last = 0
    for match in CROSS_LINK.finditer(text):
        target = briefs.get(match.group(1))
        if target is None:
            continue
        if match.start() > last:
            parts.append(Segment(text[last : match.start()]))
        parts.append(Segment(target.name, target))
        last = match.end()
    if last < len(text):
        parts.append(Segment(text[last:]))
    return tuple(parts)


def plain_text(text: str, kb: KnowledgeBase) -> str:
    """Cross-links replaced by the target's name."""
    return "".join(segment.text for segment in segments(text, kb))


def describe(entry: Entry, kb: KnowledgeBase, how: str = "id") -> EntryView:
    backs = kb.backlinks(entry.id)
    mentioned = CROSS_LINK.findall(entry.definition + "\n" + (entry.notes or ""))
    targets = [t for ts in entry.links.values() for t in ts]
    briefs = kb.briefs([*targets, *(b.source for b in backs), *mentioned])
    links = [
        LinkView(link_type, LINK_LABELS[link_type], briefs[target])
        for link_type, targets in entry.links.items()
        for target in targets
        if target in briefs and target != entry.id
    ]
    outgoing = {(view.link_type, view.target.id) for view in links}
    backlinks = []
    for back in backs:
        # A symmetric link already shown as outgoing is not repeated as a back-link.
        if back.link_type in SYMMETRIC and (back.link_type, back.source) in outgoing:
            continue
        if back.source in briefs:
            backlinks.append(
                LinkView(back.link_type, LINK_TYPES[back.link_type], briefs[back.source])
            )
    return EntryView(
        entry,
        how,
        segments(entry.definition, kb, briefs),
        segments(entry.notes or "", kb, briefs),
        tuple(links),
        tuple(backlinks),
    )
