"""`nqpf export --format html`: a static, self-contained glossary site.

`build_site` returns every file of the site as text (pure, deterministic); `write_site`
puts them in a folder without ever losing a user's files. The site works from `file://`
with no network: `index.html` (instant filtering by English, Chinese or pinyin, tones
optional), `entries/<id>.html` (one page per entry), `timeline.html`, `compare.html`
(pick two entries, or follow a suggested pair), `assets/style.css` and `assets/site.js`
(package data in `nqpf_cli/site/`), and `.nqpf-export`, the list of files written, by
which a later export recognises its own folder.

Safety: every knowledge-base string goes through `textsafe.neutralize` and
`html.escape(quote=True)`; a source URL becomes an `href` only when it is http(s); no
page has inline script or event handlers, and a Content-Security-Policy forbids them
anyway; data for the scripts sits in `<script type="application/json">` blocks with `<`,
`>` and `&` escaped, read with `JSON.parse` and shown with `textContent`.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .compare import compare
from .describe import LinkView, describe, plain_text
from .errors import UsageError
from .export import Selection, kind_title, web_url, write_atomic
from .formats import dates_text
from .models import Brief, Entry, Source
from .normalize import compact, loose
from .textsafe import neutralize
from .timeline import timeline
from .validate import CROSS_LINK

MANIFEST = ".nqpf-export"
GENERATOR = "nqpf export --format html"
ASSETS = ("style.css", "site.js")
SITE_TITLE = "New quality productive forces · 新质生产力"
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# Files an export may replace or remove; anything else in the folder is the user's.
OWN_FILE = re.compile(
    r"^(?:[a-z]+\.html|assets/[a-z]+\.(?:css|js)|entries/[a-z0-9]+(?:-[a-z0-9]+)*\.html)$"
)
MIN_SHARED = 3  # dimensions two linked entries must share to be a suggested comparison


def esc(value: str | None) -> str:
    """Knowledge-base text for HTML text or a quoted attribute."""
    return html.escape(neutralize(value or ""), quote=True)


def script_json(data: Any) -> str:
    """JSON for a `<script type="application/json">` block: `</`, `<!--` and `]]>` inert."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def entry_href(entry_id: str, root: str) -> str:
    return f"{root}entries/{quote(entry_id, safe='')}.html"


def compare_href(a: str, b: str, root: str) -> str:
    return f"{root}compare.html#a={quote(a, safe='')}&amp;b={quote(b, safe='')}"


# -- page frame ----------------------------------------------------------------------------


def page(title: str, body: str, root: str, current: str, scripts: bool = False) -> str:
    nav = []
    for href, label in (
        ("index.html", "Entries"),
        ("timeline.html", "Timeline"),
        ("compare.html", "Compare"),
    ):
        here = ' aria-current="page"' if href == current else ""
        nav.append(f'<a href="{root}{href}"{here}>{label}</a>')
    script = f'\n<script src="{root}assets/site.js"></script>' if scripts else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="nqpf">
<title>{title}</title>
<link rel="stylesheet" href="{root}assets/style.css">
</head>
<body>
<header class="site">
<a class="brand" href="{root}index.html"><span lang="zh">新质生产力</span> NQPF glossary</a>
<nav>{"".join(nav)}</nav>
</header>
<main id="main">
{body}
</main>
<footer class="site">Made with <code>nqpf export --format html</code>. Definitions are \
summaries in the glossary's own words; follow the numbered sources for the originals.</footer>\
{script}
</body>
</html>
"""


def names_html(entry: Entry) -> str:
    parts = [f'<span class="name">{esc(entry.name)}</span>']
    if entry.name_zh:
        parts.append(f'<span class="zh" lang="zh">{esc(entry.name_zh)}</span>')
    if entry.pinyin:
        parts.append(f'<span class="py" lang="zh-Latn-pinyin">{esc(entry.pinyin)}</span>')
    return " ".join(parts)


def entry_link(entry: Entry | Brief, selection: Selection, root: str) -> str:
    """A link to an exported entry; the bare name for one left out of the export."""
    if selection.exported(entry.id):
        return f'<a href="{entry_href(entry.id, root)}">{esc(entry.name)}</a>'
    return f'<span class="absent">{esc(entry.name)}</span>'


def linked(text: str, selection: Selection, root: str) -> str:
    """Text with `{id}` cross-links as links (names only for entries not exported)."""
    out: list[str] = []
    last = 0
    for match in CROSS_LINK.finditer(text):
        target = selection.kb.entries.get(match.group(1))
        if target is None:
            continue
        out.append(esc(text[last : match.start()]))
        out.append(entry_link(target, selection, root))
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


def citations(numbers: Iterable[int], entry: Entry) -> str:
    marks = [
        f'<a class="cite" href="#source-{n}">[{n}]</a>'
        for n in numbers
        if 1 <= n <= len(entry.sources)
    ]
    return "".join(marks)


def source_html(number: int, source: Source) -> str:
    url = web_url(source.url)
    title = esc(source.title)
    if url:
        title = f'<a class="ext" href="{esc(url)}" rel="noopener noreferrer">{title}</a>'
    meta = ", ".join(esc(p) for p in (source.author, source.publisher, source.date) if p)
    parts = [title]
    if meta:
        parts.append(meta)
    if source.url and not url:
        parts.append(f'<span class="url">{esc(source.url)}</span>')  # shown, never a link
    line = " — ".join(parts)
    if source.note:
        line += f' <span class="note">({esc(source.note)})</span>'
    return f'<li id="source-{number}">{line}</li>'


# -- suggested comparisons -----------------------------------------------------------------


def suggested_pairs(selection: Selection) -> list[tuple[Entry, Entry, int]]:
    """Linked pairs of exported entries that share at least MIN_SHARED comparison
    dimensions, most shared first, then in knowledge-base order."""
    order = {e.id: i for i, e in enumerate(selection.entries)}
    found: dict[tuple[str, str], int] = {}
    for entry in selection.entries:
        for link_targets in entry.links.values():
            for target in link_targets:
                if target not in order or target == entry.id:
                    continue
                a, b = sorted((entry.id, target), key=order.__getitem__)
                first, second = selection.kb.entries[a], selection.kb.entries[b]
                shared = sum(1 for key in first.dimensions if key in second.dimensions)
                if shared >= MIN_SHARED:
                    found[(a, b)] = shared
    ranked = sorted(
        found.items(), key=lambda item: (-item[1], order[item[0][0]], order[item[0][1]])
    )
    kb = selection.kb
    return [(kb.entries[a], kb.entries[b], shared) for (a, b), shared in ranked]


# -- pages ---------------------------------------------------------------------------------


def _search_keys(entry: Entry) -> dict[str, Any]:
    names = [entry.name, entry.name_zh, entry.pinyin, entry.id, *entry.aliases]
    keys = list(dict.fromkeys(k for k in (compact(n) for n in names if n) if k))
    words = " ".join(
        compact_marks(loose(p)) for p in (entry.name, *entry.aliases, entry.summary) if p
    )
    return {"id": entry.id, "k": keys, "t": words}


def compact_marks(text: str) -> str:
    """Tone marks dropped, spacing kept: `xīn zhì` -> `xin zhi`."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def index_page(selection: Selection) -> str:
    count = len(selection.entries)
    kinds = selection.by_kind()
    options = "".join(
        f'<option value="{esc(kind)}">{esc(kind_title(kind))} ({len(entries)})</option>'
        for kind, entries in kinds
    )
    items = []
    for entry in selection.entries:
        items.append(
            f'<li data-id="{esc(entry.id)}" data-kind="{esc(entry.kind)}">'
            f'<a href="{entry_href(entry.id, "")}">{names_html(entry)}</a> '
            f'<span class="kind">{esc(entry.kind)}</span>'
            f'<p class="summary">{esc(entry.summary)}</p></li>'
        )
    index = script_json([_search_keys(e) for e in selection.entries])
    body = f"""<h1>New quality productive forces <span lang="zh">新质生产力</span></h1>
<p class="lede">A bilingual glossary of China's industrial policy: {count} \
{"entry" if count == 1 else "entries"} with Chinese, pinyin, sourced definitions and typed \
links. See also the <a href="timeline.html">timeline</a> and the \
<a href="compare.html">comparisons</a>.</p>
<div class="controls">
<label for="q">Filter</label>
<input id="q" type="search" placeholder="English, 中文 or pinyin (tones optional)" \
autocomplete="off" spellcheck="false" autocapitalize="off">
<label for="kind" class="visually-hidden">Kind</label>
<select id="kind"><option value="">All kinds</option>{options}</select>
</div>
<p id="count" class="count" aria-live="polite">{count} {"entry" if count == 1 else "entries"}</p>
<ol id="entries" class="entries">
{chr(10).join(items)}
</ol>
<p id="empty" class="empty" hidden>No entry matches. Try fewer letters, or pinyin without \
tones.</p>
<script type="application/json" id="nqpf-index">{index}</script>"""
    return page(SITE_TITLE, body, "", "index.html", scripts=True)


def _links_html(views: Iterable[LinkView], selection: Selection, with_summary: bool) -> str:
    groups: dict[str, list[str]] = {}
    for view in views:
        item = entry_link(view.target, selection, "../")
        if with_summary:
            item += f' <span class="summary">— {esc(view.target.summary)}</span>'
        groups.setdefault(view.label, []).append(f"<li>{item}</li>")
    return "".join(
        f"<dt>{esc(label)}</dt><dd><ul>{''.join(items)}</ul></dd>"
        for label, items in groups.items()
    )


def entry_page(entry: Entry, selection: Selection, pairs: list[tuple[Entry, Entry, int]]) -> str:
    kb = selection.kb
    view = describe(entry, kb)
    facts = [f'<span class="kind">{esc(entry.kind)}</span>']
    dates = dates_text(entry)
    if dates:
        facts.append(f"<span>date: <time>{esc(dates)}</time></span>")
    if entry.status:
        facts.append(f"<span>status: {esc(entry.status)}</span>")
    if entry.framing == "analyst":
        facts.append('<span class="badge">analysts\' term, not official wording</span>')
    facts.append(f"<span>id: <code>{esc(entry.id)}</code></span>")
    parts = [
        f'<nav class="crumbs"><a href="../index.html">All entries</a> › '
        f"{esc(kind_title(entry.kind))}</nav>",
        '<article class="entry">',
        f"<h1>{names_html(entry)}</h1>",
        f'<p class="facts">{" ".join(facts)}</p>',
    ]
    if entry.aliases:
        parts.append(
            '<p class="aliases">Also: '
            + "; ".join(f"<span>{esc(a)}</span>" for a in entry.aliases)
            + "</p>"
        )
    parts.append(f'<p class="summary">{esc(entry.summary)}</p>')
    parts.append(
        f"<section><h2>Definition</h2><p>{linked(entry.definition, selection, '../')}</p></section>"
    )
    if entry.notes:
        parts.append(
            f'<section class="notes"><h2>Notes</h2><p>{linked(entry.notes, selection, "../")}'
            "</p></section>"
        )
    if entry.translations:
        items = []
        for t in entry.translations:
            by = f" — {esc(t.used_by)}" if t.used_by else ""
            items.append(f"<li>{esc(t.text)}{by} {citations(t.sources, entry)}</li>")
        parts.append(f"<section><h2>English renderings</h2><ul>{''.join(items)}</ul></section>")
    if entry.dimensions:
        rows = []
        for key, cell in entry.dimensions.items():
            dimension = kb.dimensions.get(key)
            label = esc(dimension.en if dimension else key)
            if dimension and dimension.zh:
                label += f' <span lang="zh">{esc(dimension.zh)}</span>'
            analyst = cell.framing == "analyst"
            reading = ' <em class="analyst">(analyst\'s reading)</em>' if analyst else ""
            rows.append(
                f'<tr><th scope="row">{label}</th><td>{linked(cell.text, selection, "../")}'
                f"{reading} {citations(cell.sources, entry)}</td></tr>"
            )
        partners = [b if a.id == entry.id else a for a, b, _ in pairs if entry.id in (a.id, b.id)]
        compare_with = ""
        if partners:
            compare_with = (
                '<p class="compare-with">Compare with: '
                + ", ".join(
                    f'<a href="{compare_href(entry.id, other.id, "../")}">{esc(other.name)}</a>'
                    for other in partners
                )
                + "</p>"
            )
        parts.append(
            '<section><h2>Comparison points</h2><div class="table-wrap"><table class="dims">'
            f"{''.join(rows)}</table></div>{compare_with}</section>"
        )
    if view.links:
        parts.append(
            '<section><h2>Links</h2><dl class="links">'
            f"{_links_html(view.links, selection, True)}</dl></section>"
        )
    if view.backlinks:
        parts.append(
            '<section><h2>Linked from</h2><dl class="links">'
            f"{_links_html(view.backlinks, selection, False)}</dl></section>"
        )
    if entry.sources:
        items = [source_html(n, s) for n, s in enumerate(entry.sources, start=1)]
        parts.append(
            f'<section id="sources"><h2>Sources</h2><ol class="sources">{"".join(items)}</ol>'
            "</section>"
        )
    parts.append("</article>")
    title = f"{esc(entry.name)} · {SITE_TITLE}"
    return page(title, "\n".join(parts), "../", "")


def timeline_page(selection: Selection) -> str:
    exported = selection.ids
    moments = [m for m in timeline(selection.kb) if m.entry.id in exported]
    years: dict[int, list[str]] = {}
    for m in moments:
        when = f"{m.date} – {m.end_date}" if m.end_date else m.date
        years.setdefault(m.year, []).append(
            f'<li><time datetime="{esc(m.date)}">{esc(when)}</time> '
            f'<a href="{entry_href(m.entry.id, "")}">{names_html(m.entry)}</a> '
            f'<span class="kind">{esc(m.entry.kind)}</span>'
            f'<p class="summary">{esc(m.entry.summary)}</p></li>'
        )
    jump = " ".join(f'<a href="#y{year}">{year}</a>' for year in years)
    sections = "\n".join(
        f'<section class="year"><h2 id="y{year}">{year}</h2><ol class="moments">'
        f"{''.join(items)}</ol></section>"
        for year, items in years.items()
    )
    undated = len(selection.entries) - len(moments)
    body = f"""<h1>Timeline</h1>
<p class="lede">{len(moments)} dated entries, oldest first; a date given only as a year or \
month opens its period. {undated} undated {"entry is" if undated == 1 else "entries are"} \
on the <a href="index.html">index</a>.</p>
<p class="years">{jump}</p>
{sections}"""
    return page(f"Timeline · {SITE_TITLE}", body, "", "timeline.html")


def compare_data(selection: Selection) -> dict[str, Any]:
    entries = list(selection.entries)
    kb = selection.kb
    # One comparison over every exported entry: each row's cell for an entry depends
    # only on that entry, so a pair's table is the two columns of these rows.
    table = compare(entries, kb) if len(entries) > 1 else None
    rows = []
    cells: dict[str, dict[str, Any]] = {e.id: {} for e in entries}
    for row in table.rows if table else ():
        rows.append(
            {
                "key": row.key,
                "label": neutralize(row.label),
                "zh": neutralize(row.label_zh or ""),
            }
        )
        for entry, cell in zip(table.entries if table else (), row.cells, strict=True):
            if cell is not None:
                cells[entry.id][row.key] = {
                    "text": neutralize(plain_text(cell.text, kb)),
                    "sources": [n for n in cell.sources if 1 <= n <= len(entry.sources)],
                    "analyst": cell.framing == "analyst",
                }
    return {
        "rows": rows,
        "entries": {
            e.id: {
                "name": neutralize(e.name),
                "zh": neutralize(e.name_zh or ""),
                "href": entry_href(e.id, ""),
                "cells": cells[e.id],
            }
            for e in entries
        },
    }


def compare_page(selection: Selection, pairs: list[tuple[Entry, Entry, int]]) -> str:
    groups = []
    for kind, entries in selection.by_kind():
        options = "".join(
            f'<option value="{esc(e.id)}">{esc(e.name)}'
            f"{' · ' + esc(e.name_zh) if e.name_zh else ''}</option>"
            for e in entries
        )
        groups.append(f'<optgroup label="{esc(kind_title(kind))}">{options}</optgroup>')
    select_options = "".join(groups)
    first, second = (pairs[0][0], pairs[0][1]) if pairs else (selection.entries[0], None)
    if second is None and len(selection.entries) > 1:
        second = selection.entries[1]
    default = {"a": first.id, "b": second.id if second else first.id}
    suggestions = "".join(
        f'<li><a href="{compare_href(a.id, b.id, "")}">{esc(a.name)} ⇄ {esc(b.name)}</a> '
        f'<span class="count">{shared} shared points</span></li>'
        for a, b, shared in pairs
    )
    suggested = (
        f'<section><h2>Suggested comparisons</h2><ul class="pairs">{suggestions}</ul></section>'
        if pairs
        else ""
    )
    data = script_json({**compare_data(selection), "default": default})
    body = f"""<h1>Compare</h1>
<p class="lede">Pick two entries to set side by side: core facts, then every comparison \
point either has, with the entries' numbered sources. A cell marked "analyst's reading" \
reads the sources rather than quoting them.</p>
<form class="pick" id="pick">
<label>First <select id="pick-a">{select_options}</select></label>
<label>Second <select id="pick-b">{select_options}</select></label>
<button type="button" id="swap">Swap ⇄</button>
</form>
<noscript><p>The comparison table needs JavaScript; <code>nqpf compare A B</code> prints \
the same table in a terminal.</p></noscript>
<div class="table-wrap"><table id="compare" class="compare"></table></div>
{suggested}
<script type="application/json" id="nqpf-compare">{data}</script>"""
    return page(f"Compare · {SITE_TITLE}", body, "", "compare.html", scripts=True)


def asset(name: str) -> str:
    return resources.files("nqpf_cli").joinpath("site", name).read_text(encoding="utf-8")


def build_site(selection: Selection) -> dict[str, str]:
    """Every file of the site, by relative path, in a stable order."""
    pairs = suggested_pairs(selection)
    files: dict[str, str] = {
        "index.html": index_page(selection),
        "timeline.html": timeline_page(selection),
        "compare.html": compare_page(selection, pairs),
    }
    for name in ASSETS:
        files[f"assets/{name}"] = asset(name)
    for entry in selection.entries:
        files[f"entries/{entry.id}.html"] = entry_page(entry, selection, pairs)
    return files


# -- writing --------------------------------------------------------------------------------


def _previous_files(directory: Path) -> list[str] | None:
    """The files a previous export listed in its manifest, or None if the folder is not
    one of ours."""
    manifest = directory / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR:
        return None
    listed = data.get("files")
    if not isinstance(listed, list):
        return None
    return [f for f in listed if isinstance(f, str) and OWN_FILE.match(f)]


def write_site(files: dict[str, str], directory: Path) -> int:
    """Write the site into `directory` (created if missing) and return the file count.

    A non-empty folder is used only if an earlier `nqpf export --format html` made it
    (its `.nqpf-export` manifest says so); then files of that export which this one no
    longer has are removed, and every other file in the folder is left alone."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--output {directory} exists and is not a folder")
    previous: list[str] = []
    if directory.is_dir() and any(directory.iterdir()):
        found = _previous_files(directory)
        if found is None:
            raise UsageError(
                f"--output {directory} is not empty and was not made by nqpf export "
                f"(no {MANIFEST} file); choose a new or empty folder"
            )
        previous = found
    directory.mkdir(parents=True, exist_ok=True)
    for sub in sorted({name.rsplit("/", 1)[0] for name in files if "/" in name}):
        folder = directory / sub
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise UsageError(f"--output {directory}: {sub} is not a plain folder; not writing")
        folder.mkdir(exist_ok=True)
    for name, text in files.items():
        write_atomic(directory / name, text)
    for name in sorted(set(previous) - set(files)):
        stale = directory / name
        if stale.is_file() or stale.is_symlink():
            stale.unlink()
    manifest = {"generator": GENERATOR, "files": sorted(files)}
    write_atomic(directory / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return len(files)
