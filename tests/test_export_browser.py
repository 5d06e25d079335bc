"""The exported HTML site in headless Chromium (Debian's `chromium`, driven by Playwright
with its own browser download disabled): it loads without console errors, filters as you
type, every link resolves, it reads on a phone, and hostile text runs nothing.

Skipped, with the reason, only when Chromium is absent and NQPF_REQUIRE_BROWSER is unset;
CI sets it (after installing chromium), so there these tests can never silently skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exportkit import broken_links, hostile_selection, shipped
from nqpf_cli.export import select
from nqpf_cli.export_html import build_site, write_site

CHROMIUM = Path(os.environ.get("NQPF_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("NQPF_REQUIRE_BROWSER", "") not in ("", "0")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PROBE = "() => [window.__pwned, document.title]"
LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"NQPF_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(f"{reason} (install Debian's chromium, or set NQPF_REQUIRE_BROWSER=1 to fail)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, uncaught errors, dialogs and non-file requests are kept."""

    def __init__(self, browser: Any, width: int = 1100, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.problems: list[str] = []
        self.context.route(re.compile(r"^(?!file:)"), self._outside)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("dialog", self._dialog)

    def _outside(self, route: Any) -> None:
        self.problems.append(f"request: {route.request.url}")
        route.abort()

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri(), wait_until="domcontentloaded")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser-site")
    write_site(build_site(select(shipped())), root)
    return root


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    page.close()


def visible(page: Any) -> list[str]:
    result: list[str] = page.eval_on_selector_all(
        "#entries li:not([hidden])", "items => items.map(li => li.dataset.id)"
    )
    return result


def test_index_loads_clean_and_filters_as_you_type(site: Path, watched: Watched) -> None:
    page = watched.open(site / "index.html")
    assert page.title().startswith("New quality productive forces")
    assert len(visible(page)) == 105
    assert page.text_content("#count") == "105 entries"
    searches = {
        "新质生产力": "new-quality-productive-forces",  # Chinese
        "xinzhi shengchanli": "new-quality-productive-forces",  # toneless pinyin, spaced
        "zhongguozhizao": "made-in-china-2025",  # toneless pinyin, run together
        "Zhōngguó Zhìzào": "made-in-china-2025",  # with tone marks
        "Internet Plus": "internet-plus",  # English name
        "MIC2025": "made-in-china-2025",  # alias
        "lithium": "lithium-ion-batteries",  # an English word
    }
    for query, expected in searches.items():
        page.fill("#q", query)
        shown = visible(page)
        assert shown and shown[0] == expected, (query, shown[:5])
        assert len(shown) < 105
        assert page.text_content("#count") == f"{len(shown)} of 105 entries"
    page.fill("#q", "zzzz-no-such-thing")
    assert visible(page) == [] and page.is_visible("#empty")
    page.fill("#q", "")
    page.select_option("#kind", "person")
    assert len(visible(page)) == 6
    assert watched.problems == []


def test_index_reads_a_query_from_the_address(site: Path, watched: Watched) -> None:
    page = watched.page
    page.goto((site / "index.html").as_uri() + "#q=ai%2B")
    assert page.input_value("#q") == "ai+"
    assert visible(page)[0] == "ai-plus"


def test_every_link_on_every_page_resolves(site: Path, watched: Watched) -> None:
    links: list[tuple[str, str]] = []
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for name in pages:
        page = watched.open(site / name)
        if name == "compare.html":
            page.wait_for_selector("#compare tbody tr")
        links += [(name, href) for href in page.evaluate(LINKS)]
    assert len(pages) == 108 and len(links) > 2000
    assert broken_links(site, links) == []
    assert watched.problems == []


def test_compare_view(site: Path, watched: Watched) -> None:
    page = watched.open(site / "compare.html")
    headers = page.locator("#compare thead th a")
    assert headers.all_text_contents() == ["New quality productive forces", "Made in China 2025"]
    assert page.locator("#compare tbody tr").count() > 10
    page.select_option("#pick-b", "traditional-productive-forces")
    assert headers.all_text_contents()[1] == "Traditional productive forces"
    assert page.evaluate("location.hash") == (
        "#a=new-quality-productive-forces&b=traditional-productive-forces"
    )
    page.click("#swap")
    assert headers.all_text_contents()[0] == "Traditional productive forces"
    page.click("a[href='compare.html#a=new-three&b=old-three']")
    # (the page's CSP forbids eval, so no wait_for_function)
    page.wait_for_selector("#compare thead th a:text-is('\"New three\" export goods')")
    assert page.input_value("#pick-b") == "old-three"
    citation = page.locator("#compare tbody a.cite").first.get_attribute("href")
    assert citation is not None and re.fullmatch(r"entries/new-three\.html#source-\d+", citation)
    assert watched.problems == []


@pytest.mark.parametrize(
    "name", ["index.html", "entries/new-quality-productive-forces.html", "timeline.html"]
)
def test_pages_fit_a_phone(site: Path, browser: Any, name: str) -> None:
    phone = Watched(browser, width=375, height=740)
    try:
        page = phone.open(site / name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
        assert phone.problems == []
    finally:
        phone.close()


def test_hostile_entries_run_nothing(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("hostile-site")
    write_site(build_site(hostile_selection()), root)
    watched = Watched(browser)
    try:
        for path in sorted(root.rglob("*.html")):
            page = watched.open(path)
            pwned, _title = page.evaluate(PROBE)
            assert pwned is None, (path.name, pwned)
            hrefs = page.evaluate(LINKS)
            assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I)]
            for link in page.query_selector_all("a[href]"):
                protocol = link.evaluate("a => a.protocol")
                assert protocol in ("file:", "https:", "http:"), link.get_attribute("href")
        # the hostile text is shown, as text
        page = watched.open(root / "entries" / "hostile-export.html")
        assert "<script>window.__pwned='name'</script>" in page.text_content("h1")
        assert page.locator("img, svg, iframe, style:not(head style)").count() == 0
        # the index filter and the comparison view build the page from the same data
        page = watched.open(root / "index.html")
        page.fill("#q", "</script>")
        page.fill("#q", "onerror")
        page.goto((root / "compare.html").as_uri() + "#a=hostile-export&b=hostile")
        page.wait_for_selector("#compare tbody tr")
        assert "onerror" in page.text_content("#compare")
        page.select_option("#pick-b", "second-hostile")
        page.click("#swap")
        assert page.locator("#compare img, #compare script, #compare svg").count() == 0
        assert page.evaluate(PROBE)[0] is None
        assert watched.problems == []
    finally:
        watched.close()
