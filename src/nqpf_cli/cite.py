"""An entry's sources as citations: APA, Chicago, BibTeX and CSL-JSON.

Only what the knowledge base records is used; nothing is guessed. A source without an
author is attributed to its publisher (APA's group-author rule) or, in BibTeX, to an
organization.
"""

from __future__ import annotations

import re
from typing import Any

from .models import Entry, Source

STYLES = ("apa", "chicago", "bibtex", "csl-json")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_parts(date: str | None) -> list[int]:
    return [int(part) for part in date.split("-")] if date else []


def _apa_date(date: str | None) -> str:
    parts = date_parts(date)
    if not parts:
        return "n.d."
    if len(parts) == 1:
        return str(parts[0])
    text = f"{parts[0]}, {MONTHS[parts[1] - 1]}"
    return f"{text} {parts[2]}" if len(parts) == 3 else text


def _long_date(date: str | None) -> str:
    parts = date_parts(date)
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0]) if parts else "n.d."


def _apa_author(name: str) -> str:
    """`Yanzi Xu` -> `Xu, Y.`; anything that is not two Latin words stays as written."""
    words = name.split()
    if len(words) == 2 and all(re.fullmatch(r"[A-Z][a-zA-Z'-]+", w) for w in words):
        return f"{words[1]}, {words[0][0]}."
    return name


def apa(source: Source) -> str:
    creator = _apa_author(source.author) if source.author else source.publisher
    parts = []
    if creator:
        parts.append(f"{creator.rstrip('.')}.")
    parts.append(f"({_apa_date(source.date)}).")
    parts.append(f"{source.title.rstrip('.')}.")
    if source.publisher and source.publisher != creator:
        parts.append(f"{source.publisher.rstrip('.')}.")
    if source.url:
        parts.append(source.url)
    return " ".join(parts)


def chicago(source: Source) -> str:
    parts = []
    creator = source.author or source.publisher
    if creator:
        parts.append(f"{creator.rstrip('.')}.")
    parts.append(f"\u201c{source.title.rstrip('.')}.\u201d")
    tail = [p for p in (source.publisher if source.author else None,) if p]
    if source.date:
        tail.append(_long_date(source.date))
    if tail:
        parts.append(", ".join(tail) + ".")
    if source.url:
        parts.append(f"{source.url}.")
    return " ".join(parts)


# -- BibTeX -------------------------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    # BibTeX counts braces even when escaped, so braces become brace-balanced commands.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def tex(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in cleaned)


def cite_key(entry: Entry, number: int) -> str:
    return f"{entry.id}-{number}"


def bibtex(entry: Entry, source: Source, number: int) -> str:
    fields: list[tuple[str, str]] = [("title", "{" + tex(source.title) + "}")]
    if source.author:
        fields.append(("author", "{" + tex(source.author) + "}"))
    elif source.publisher:
        fields.append(("author", "{{" + tex(source.publisher) + "}}"))  # a corporate author
    if source.publisher:
        fields.append(("publisher", "{" + tex(source.publisher) + "}"))
    parts = date_parts(source.date)
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", MONTHS[parts[1] - 1][:3].lower()))
        fields.append(("date", "{" + source.date + "}"))  # type: ignore[operator]
    if source.url:
        url = source.url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")
        fields.append(("url", "{" + url + "}"))
        fields.append(("howpublished", "{\\url{" + url + "}}"))
    note = f"Cited by the nqpf glossary entry '{entry.name}' ({entry.id})"
    if source.note:
        note += f"; {source.note}"
    fields.append(("note", "{" + tex(note) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{cite_key(entry, number)},\n{body}\n}}\n"


# -- CSL-JSON -----------------------------------------------------------------------------


def csl_item(entry: Entry, source: Source, number: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": cite_key(entry, number),
        "type": "webpage" if source.url else "article",
        "title": source.title,
    }
    if source.author:
        item["author"] = [{"literal": source.author}]
    if source.publisher:
        item["publisher"] = source.publisher
        item["container-title"] = source.publisher
    parts = date_parts(source.date)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if source.url:
        item["URL"] = source.url
    if source.note:
        item["note"] = source.note
    return item


def citations(entry: Entry, style: str) -> str | list[dict[str, Any]]:
    numbered = list(enumerate(entry.sources, start=1))
    if style == "csl-json":
        return [csl_item(entry, source, n) for n, source in numbered]
    if style == "bibtex":
        return "\n".join(bibtex(entry, source, n) for n, source in numbered)
    render = apa if style == "apa" else chicago
    return "".join(f"[{n}] {render(source)}\n" for n, source in numbered)
