"""Helpers for the export tests: building exports through the Python API and reading
the HTML site back (ids, links, scripts, event-handler attributes)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from conftest import DATA
from nqpf_cli.export import Selection, select
from nqpf_cli.kb import load
from nqpf_cli.models import KnowledgeBase, Source

HOSTILE_FILES = ("hostile.yaml", "hostile-export.yaml", "hostile-urls.yaml")
# The loader drops a URL that fails validation, so these are put back on the entry by hand.
HOSTILE_URLS = (
    "javascript:window.__pwned='url'",
    " JaVaScRiPt:window.__pwned='url2'",
    "data:text/html,<script>window.__pwned='data'</script>",
    "java\tscript:window.__pwned='tab'",
    "vbscript:msgbox(1)",
    "//evil.example/protocol-relative",
    'https://example.org/a b"c<d>e\n',
)


def shipped() -> KnowledgeBase:
    return load(environ={})


def hostile_selection() -> Selection:
    """Every hostile entry, including source URLs that `validate` rejects: the exporters
    must stay safe even for a knowledge base that slipped past validation."""
    kb = load([str(DATA / name) for name in HOSTILE_FILES], environ={}, include_shipped=False)
    assert {f.rule for f in kb.errors()} <= {"bad-url"}, kb.errors()
    selection = select(kb)
    entry = selection.kb.entries["hostile-urls"]
    entry.sources = tuple(
        Source(title=f"Hostile URL {n}", url=url, note="must never become a link")
        for n, url in enumerate(HOSTILE_URLS, start=1)
    )
    assert entry in selection.entries
    return selection


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    hrefs: list[str] = field(default_factory=list)
    srcs: list[str] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    script_bodies: list[str] = field(default_factory=list)
    event_attributes: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.add(tag)
        values = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.page.event_attributes.append(f"<{tag} {name}>")
        if values.get("id"):
            self.page.ids.add(str(values["id"]))
        if tag == "a" and values.get("href") is not None:
            self.page.hrefs.append(str(values["href"]))
        if tag in ("link",) and values.get("href"):
            self.page.srcs.append(str(values["href"]))
        if values.get("src"):
            self.page.srcs.append(str(values["src"]))
        if tag == "script":
            self.page.scripts.append(values)
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.page.script_bodies.append(data)


def parse_page(text: str) -> Page:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.page


def site_pages(root: Path) -> dict[str, Page]:
    return {
        path.relative_to(root).as_posix(): parse_page(path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.html"))
    }


def compare_ids(root: Path) -> set[str]:
    page = parse_page((root / "compare.html").read_text(encoding="utf-8"))
    (body,) = [b for b in page.script_bodies if b.strip().startswith("{")]
    return set(json.loads(body)["entries"])


def broken_links(root: Path, links: Iterable[tuple[str, str]]) -> list[str]:
    """`links` are (page, href) pairs; an href is internal unless it is http(s). Every
    internal one must name an existing file and, if it has a fragment, an id in that
    file, or on compare.html an `a=ID&b=ID` pair of entries it offers."""
    ids_of: dict[str, set[str]] = {}
    choices = compare_ids(root) if (root / "compare.html").exists() else set()
    broken = []
    for page, href in links:
        if href.startswith(("http://", "https://")):
            continue
        parts = urlsplit(href)
        if parts.scheme and parts.scheme != "file":
            broken.append(f"{page}: non-web scheme {href}")
            continue
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
        else:
            target = (root / page).parent / unquote(parts.path) if parts.path else root / page
        target = target.resolve()
        if not target.is_file() or root.resolve() not in target.parents:
            broken.append(f"{page}: {href} (no such file)")
            continue
        fragment = unquote(parts.fragment)
        if not fragment:
            continue
        name = target.relative_to(root.resolve()).as_posix()
        if name == "compare.html" and "=" in fragment:
            pair = parse_qs(fragment)
            if not all(pair.get(k, [""])[0] in choices for k in ("a", "b")):
                broken.append(f"{page}: {href} (unknown comparison)")
            continue
        if name not in ids_of:
            ids_of[name] = parse_page(target.read_text(encoding="utf-8")).ids
        if fragment not in ids_of[name]:
            broken.append(f"{page}: {href} (no id {fragment!r})")
    return broken
