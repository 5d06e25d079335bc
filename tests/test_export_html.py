"""The HTML site read back as HTML (no browser): pages, links, escaping, safe URLs.
What the site does in a real browser is in test_export_browser.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportkit import broken_links, hostile_selection, parse_page, shipped, site_pages
from nqpf_cli.export import select
from nqpf_cli.export_html import build_site, esc, script_json, suggested_pairs, write_site

OUR_SCRIPTS = [{"src": "assets/site.js"}, {"src": "../assets/site.js"}]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_site(build_site(select(shipped())), root)
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_site(build_site(hostile_selection()), root)
    return root


def test_site_layout(site: Path) -> None:
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "timeline.html", "compare.html", ".nqpf-export"} <= names
    assert {"assets/style.css", "assets/site.js"} <= names
    assert len([n for n in names if n.startswith("entries/")]) == 105
    manifest = json.loads((site / ".nqpf-export").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(names - {".nqpf-export"})


def test_every_internal_link_resolves(site: Path) -> None:
    pages = site_pages(site)
    links = [(name, href) for name, page in pages.items() for href in page.hrefs]
    links += [(name, src) for name, page in pages.items() for src in page.srcs]
    assert len(links) > 2000
    assert broken_links(site, links) == []


def test_entry_page_shows_everything(site: Path) -> None:
    text = (site / "entries" / "ai-plus.html").read_text(encoding="utf-8")
    page = parse_page(text)
    assert '<span class="zh" lang="zh">人工智能+</span>' in text
    assert "réngōng zhìnéng jiā" in text
    assert '<a href="../entries/internet-plus.html">Internet Plus</a>' in text  # cross-link
    assert "<h2>Links</h2>" in text and "<h2>Linked from</h2>" in text
    assert {"source-1", "sources"} <= page.ids
    assert "Compare with:" in text and "compare.html#a=ai-plus&amp;b=" in text
    external = [h for h in page.hrefs if h.startswith("http")]
    assert external and all(h.startswith(("https://", "http://")) for h in external)


def test_suggested_pairs_include_the_headline_comparisons() -> None:
    pairs = {(a.id, b.id) for a, b, _ in suggested_pairs(select(shipped()))}
    for pair in [
        ("new-quality-productive-forces", "made-in-china-2025"),
        ("ai-plus", "internet-plus"),
        ("new-quality-productive-forces", "traditional-productive-forces"),
        ("new-three", "old-three"),
    ]:
        assert pair in pairs


def test_timeline_is_in_date_order(site: Path) -> None:
    text = (site / "timeline.html").read_text(encoding="utf-8")
    dates = [part.split('"')[0] for part in text.split('<time datetime="')[1:]]
    assert len(dates) > 30
    padded = [(d + "-00-00")[:10] for d in dates]
    assert padded == sorted(padded)


def test_pages_carry_no_script_or_handler_from_data(hostile_site: Path) -> None:
    for name, page in site_pages(hostile_site).items():
        assert page.event_attributes == [], name
        for script in page.scripts:
            assert script in OUR_SCRIPTS or script.get("type") == "application/json", (name, script)
        assert not {"img", "svg", "iframe", "style", "b", "i", "object", "embed"} & page.tags
        for body in page.script_bodies:
            assert "</" not in body and "<!--" not in body
            json.loads(body)  # what the scripts read is the data, intact
        for href in page.hrefs:
            assert "javascript" not in href.lower() and not href.lower().startswith(
                ("data:", "vbscript:", "//")
            ), (name, href)


def test_hostile_urls_are_never_links(hostile_site: Path) -> None:
    text = (hostile_site / "entries" / "hostile-urls.html").read_text(encoding="utf-8")
    page = parse_page(text)
    external = [h for h in page.hrefs if not h.startswith(("../", "#"))]
    assert external == ["https://example.org/a%20b%22c%3Cd%3Ee%0A"]
    assert "javascript:window.__pwned=&#x27;url&#x27;" in text  # shown as text


def test_escaping_helpers() -> None:
    assert esc("<a href=\"x\" onclick='y'>&amp;") == (
        "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;amp;"
    )
    assert esc("\x1b[31m\u202e") == "\\u001b[31m\\u202e"
    block = script_json({"a": "</script><!-- & ]]>"})
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block) == {"a": "</script><!-- & ]]>"}
