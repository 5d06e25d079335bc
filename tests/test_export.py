"""`nqpf export`: the command, determinism, JSON and Markdown, and writing files safely."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import DATA, Invoke
from exportkit import Page, hostile_selection, parse_page, shipped
from nqpf_cli import cli, export
from nqpf_cli.export import select
from nqpf_cli.export_markdown import export_markdown
from nqpf_cli.formats import entry_json
from nqpf_cli.models import KINDS

HOSTILE = ["--no-default", "--kb", str(DATA / "hostile.yaml")]
HOSTILE += ["--kb", str(DATA / "hostile-export.yaml")]
TEXT_FORMATS = ["markdown", "skos", "jsonld", "json"]


def test_cli_lists_the_same_formats_as_the_core() -> None:
    assert cli.EXPORT_FORMATS == export.EXPORT_FORMATS


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_text_exports_are_deterministic(invoke: Invoke, fmt: str) -> None:
    first = invoke("export", "--format", fmt)
    second = invoke("export", "-f", fmt)
    assert first.code == 0 and first.err == ""
    assert first.out == second.out
    assert len(first.out) > 10_000


def test_html_export_is_deterministic(invoke: Invoke, tmp_path: Path) -> None:
    trees = []
    for name in ("one", "two"):
        result = invoke("export", "--format", "html", "--output", str(tmp_path / name))
        assert result.code == 0, result.err
        assert result.out == ""
        assert "wrote" in result.err
        root = tmp_path / name
        trees.append({p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    assert len(trees[0]) == 105 + 6  # entries, 3 pages, 2 assets, the manifest


def test_output_file_gets_the_stdout_bytes(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "glossary.md"
    printed = invoke("export", "--format", "markdown")
    written = invoke("export", "--format", "markdown", "--output", str(target))
    assert written.code == 0 and written.out == ""
    assert target.read_bytes() == printed.out.encode("utf-8")
    # Written again over an existing file (a file, unlike a folder, is simply replaced).
    again = invoke("export", "--format", "markdown", "-o", str(target), "--kind", "person")
    assert again.code == 0
    assert target.read_text(encoding="utf-8").count("\n### ") == 6  # the six people


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["export"], 2, "--format"),
        (["export", "--format", "pdf"], 2, "pdf"),
        (["export", "--format", "html"], 2, "--output"),
        (["export", "--format", "html", "-o", "-"], 2, "--output"),
        (["export", "--format", "markdown", "--base-iri", "https://x.org/"], 2, "--base-iri"),
        (["export", "--format", "skos", "--base-iri", "not an iri"], 2, "absolute IRI"),
        (["export", "--format", "json", "--kind", "planet"], 2, "planet"),
    ],
)
def test_usage_errors(invoke: Invoke, args: list[str], code: int, message: str) -> None:
    result = invoke(*args)
    assert result.code == code
    assert result.out == ""
    assert message in result.err


def test_kind_with_no_entries_is_not_found(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - {id: a, kind: concept, name: A, summary: s, definition: d,"
        " sources: [{title: t, url: 'https://x.org'}]}\n"
    )
    result = invoke("--no-default", "--kb", str(path), "export", "-f", "json", "--kind", "person")
    assert result.code == 1
    assert "no entries" in result.err and result.out == ""


def test_unwritable_output_exits_74(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("export", "-f", "json", "-o", str(tmp_path / "missing" / "kb.json"))
    assert result.code == 74
    assert result.err.startswith("nqpf: error: cannot write")
    folder = invoke("export", "-f", "json", "-o", str(tmp_path))
    assert folder.code == 2 and "folder" in folder.err


def test_invalid_knowledge_base_exits_3(invoke: Invoke) -> None:
    bad = ["--no-default", "--kb", str(DATA / "hostile-urls.yaml")]
    result = invoke(*bad, "export", "-f", "markdown")
    assert result.code == 3 and result.out == ""


# -- JSON -------------------------------------------------------------------------------------


def test_json_is_the_whole_knowledge_base(invoke: Invoke) -> None:
    kb = shipped()
    data = json.loads(invoke("export", "--format", "json").out)
    assert data["version"] == "1"
    assert [e["id"] for e in data["entries"]] == list(kb.entries)
    assert set(data["dimensions"]) <= set(kb.dimensions)
    for item in data["entries"]:
        expected = entry_json(kb.entries[item["id"]], kb)
        assert {k: item[k] for k in expected} == expected
        for key in ("id", "kind", "name", "name_zh", "pinyin", "aliases", "summary"):
            assert key in item
        assert all("title" in s and "url" in s for s in item["sources"])
        assert all({"type", "id", "name"} <= set(r) for r in item["related"])


def test_json_carries_hostile_text_exactly(invoke: Invoke) -> None:
    data = json.loads(invoke(*HOSTILE, "export", "-f", "json").out)
    entry = next(e for e in data["entries"] if e["id"] == "hostile")
    assert entry["name"] == "[bold red]Evil[/] \x1b[31mRED\x1b[0m"


# -- Markdown ---------------------------------------------------------------------------------

LINK = re.compile(r"\]\(#([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def anchors_resolve(text: str) -> None:
    anchors = ANCHOR.findall(text)
    assert len(anchors) == len(set(anchors)), "duplicate anchors"
    missing = sorted(set(LINK.findall(text)) - set(anchors))
    assert not missing, missing


def test_markdown_groups_by_kind_and_every_anchor_resolves(invoke: Invoke) -> None:
    text = invoke("export", "--format", "markdown").out
    kb = shipped()
    anchors_resolve(text)
    anchors = set(ANCHOR.findall(text))
    assert set(kb.entries) <= anchors
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["Contents"] + [export.kind_title(k) for k in KINDS]
    # every cross-link in a definition became a link
    nqpf = text.split('<a id="new-quality-productive-forces"></a>')[1].split("[↑ Contents]")[0]
    assert "[Made in China 2025](#made-in-china-2025)" in nqpf
    assert "**Sources**" in nqpf and "\n1. <a id=" in nqpf and "\n39. <a id=" in nqpf
    assert "{made-in-china-2025}" not in text


def test_markdown_of_some_kinds_links_only_to_what_it_has(invoke: Invoke) -> None:
    text = invoke("export", "-f", "markdown", "--kind", "person", "--kind", "event").out
    anchors_resolve(text)
    assert "## People" in text and "## Events" in text and "## Concepts" not in text
    # a link to an entry left out is its name, not a dangling anchor
    assert "New quality productive forces" in text
    assert "(#new-quality-productive-forces)" not in text


def test_markdown_keeps_hostile_text_inert() -> None:
    text = export_markdown(hostile_selection())
    anchors_resolve(text)
    prose = re.sub(r"\]\(<[^>]*>\)", "]()", text)  # link destinations are not HTML
    html_tags = re.findall(r"(?<!\\)<(/?[a-zA-Z!][^>]*)>", prose)
    assert {tag.split()[0] for tag in html_tags} == {"a", "/a"}, html_tags
    opening = [t for t in html_tags if t != "/a"]
    assert all(re.fullmatch(r'a id="(?:[a-z0-9-]+(?:--source-\d+)?|nqpf_\w+)"', t) for t in opening)
    assert "\x1b" not in text and "\u202e" not in text
    targets = re.findall(r"(?<!\\)\]\((<?[^)]*)\)", text)
    assert all(t.startswith(("#", "<https://", "<http://")) for t in targets), targets
    assert "javascript:" not in "".join(targets).lower()
    assert "[Hostile URL 1]" not in text and "[Hostile URL 7](<https://" in text
    assert "https://example.org/a%20b%22c%3Cd%3Ee%0A" in text
    assert "\\&amp;" in text  # entities stay literal text


def test_markdown_paragraphs_cannot_become_lists(write_kb, invoke: Invoke) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - {id: a, kind: concept, name: A, summary: s, definition: '1. not a list',"
        " sources: [{title: t, url: 'https://x.org'}]}\n"
        "  - {id: b, kind: concept, name: B, summary: s, definition: '- nor this {a}',"
        " sources: [{title: t, url: 'https://x.org'}]}\n"
    )
    text = invoke("--no-default", "--kb", str(path), "export", "-f", "markdown").out
    assert "\n1\\. not a list\n" in text
    assert "\n\\- nor this [A](#a)\n" in text


# -- the HTML folder --------------------------------------------------------------------------


def test_html_refuses_a_folder_it_did_not_make(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("export", "-f", "html", "-o", str(target))
    assert result.code == 2
    assert "not empty" in result.err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    file_target = tmp_path / "file.html"
    file_target.write_text("mine", encoding="utf-8")
    assert invoke("export", "-f", "html", "-o", str(file_target)).code == 2
    assert file_target.read_text(encoding="utf-8") == "mine"


def test_html_replaces_its_own_export_and_keeps_other_files(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "site"
    assert invoke("export", "-f", "html", "-o", str(target)).code == 0
    (target / "CNAME").write_text("glossary.example.org\n", encoding="utf-8")
    (target / "entries" / "my-own-page.html").write_text("mine", encoding="utf-8")
    assert (target / "entries" / "made-in-china-2025.html").exists()
    result = invoke("export", "-f", "html", "-o", str(target), "--kind", "person")
    assert result.code == 0, result.err
    pages = sorted(p.name for p in (target / "entries").iterdir())
    assert "made-in-china-2025.html" not in pages  # a stale page of the earlier export
    assert "xi-jinping.html" in pages and "my-own-page.html" in pages
    assert (target / "CNAME").read_text(encoding="utf-8") == "glossary.example.org\n"
    manifest = json.loads((target / ".nqpf-export").read_text(encoding="utf-8"))
    assert "entries/my-own-page.html" not in manifest["files"]


def test_html_does_not_write_through_a_symlinked_folder(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "site"
    assert invoke("export", "-f", "html", "-o", str(target), "--kind", "person").code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for page in (target / "entries").iterdir():
        page.unlink()
    (target / "entries").rmdir()
    (target / "entries").symlink_to(elsewhere, target_is_directory=True)
    result = invoke("export", "-f", "html", "-o", str(target), "--kind", "person")
    assert result.code == 2
    assert list(elsewhere.iterdir()) == []


def test_selection_keeps_knowledge_base_order() -> None:
    kb = shipped()
    chosen = select(kb, ["sector", "person"])
    assert [e.id for e in chosen.entries] == [
        e.id for e in kb.ordered() if e.kind in ("sector", "person")
    ]
    assert [kind for kind, _ in chosen.by_kind()] == ["sector", "person"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a b", "https://example.org/a%20b"),
        ('https://x.org/"<>', "https://x.org/%22%3C%3E"),
        ("https://x.org/%zz%41", "https://x.org/%25zz%41"),
        ("https://例子.中国/新闻", "https://例子.中国/新闻"),
        ("https://x.org/\u202e", "https://x.org/%E2%80%AE"),
        ("HTTPS://X.ORG/", "HTTPS://X.ORG/"),
        ("javascript:alert(1)", None),
        (" https://x.org", None),
        ("data:text/html,x", None),
        ("https://", None),
        (None, None),
    ],
)
def test_web_urls(url: str | None, expected: str | None) -> None:
    assert export.web_url(url) == expected


def rendered(text: str) -> Page:
    """The Markdown as a CommonMark renderer (markdown-it, which Rich already brings) makes
    it: GitHub's renderer is CommonMark too, with raw HTML sanitised."""
    from markdown_it import MarkdownIt

    return parse_page(MarkdownIt("commonmark").render(text))


@pytest.mark.parametrize("hostile", [False, True], ids=["shipped", "hostile"])
def test_markdown_renders_to_working_links_and_nothing_else(invoke: Invoke, hostile: bool) -> None:
    text = (
        export_markdown(hostile_selection()) if hostile else invoke("export", "-f", "markdown").out
    )
    page = rendered(text)
    internal = [h for h in page.hrefs if h.startswith("#")]
    assert internal and all(h[1:] in page.ids for h in internal)
    assert all(h.startswith(("#", "https://", "http://")) for h in page.hrefs), page.hrefs
    # every Markdown link became a link: none was broken (or made) by escaping
    assert len(page.hrefs) == len(re.findall(r"(?<!\\)\]\((?:#|<http)", text))
    allowed = {"h1", "h2", "h3", "p", "ul", "ol", "li", "a", "em", "strong", "code"}
    assert page.tags <= allowed, page.tags - allowed
    assert page.event_attributes == []
