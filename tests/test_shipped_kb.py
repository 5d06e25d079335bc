"""The shipped knowledge base: valid, complete, sourced, and covering what it promises."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import Invoke
from nqpf_cli.compare import compare
from nqpf_cli.kb import load
from nqpf_cli.models import KnowledgeBase
from nqpf_cli.normalize import looks_like_pinyin
from nqpf_cli.resolve import Resolver

SEED_TITLE = "Explaining China's Focus on"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(environ={})


def test_strict_validation_reports_nothing(invoke: Invoke) -> None:
    result = invoke("validate", "--strict")
    assert result.code == 0
    assert result.out == ""


def test_at_least_100_entries_every_one_complete(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 100
    for entry in kb.entries.values():
        assert entry.name_zh and entry.pinyin and looks_like_pinyin(entry.pinyin), entry.id
        assert entry.summary and entry.definition, entry.id
        assert any(s.url for s in entry.sources), entry.id
        assert all(s.title for s in entry.sources), entry.id


def test_every_kind_is_represented(kb: KnowledgeBase) -> None:
    kinds = Counter(e.kind for e in kb.entries.values())
    for kind in ("concept", "initiative", "document", "sector", "institution", "event", "person"):
        assert kinds[kind] > 0, kind


@pytest.mark.parametrize(
    "query",
    ["NQPF", "新质生产力", "xinzhi shengchanli", "xīn zhì shēngchǎnlì", "xinzhishengchanli"],
)
def test_the_flagship_term_resolves_every_way(kb: KnowledgeBase, query: str) -> None:
    assert Resolver(kb).resolve(query).entry.id == "new-quality-productive-forces"


def test_made_in_china_2025_names_its_ten_sectors(kb: KnowledgeBase) -> None:
    sectors = kb.entries["made-in-china-2025"].links["sectors"]
    assert len(sectors) == 10
    assert all(kb.entries[s].kind == "sector" for s in sectors)
    names_zh = {kb.entries[s].name_zh for s in sectors}
    assert "新材料" in names_zh and "农机装备" in names_zh


def test_six_future_industry_directions(kb: KnowledgeBase) -> None:
    parts = set(kb.entries["future-industries-opinions-2024"].links["has_part"])
    assert {
        "future-manufacturing",
        "future-information",
        "future-materials",
        "future-energy",
        "future-space",
        "future-health",
    } <= parts


def test_2024_gwr_names_its_emerging_and_future_industries(kb: KnowledgeBase) -> None:
    named = set(kb.entries["government-work-report-2024"].links["sectors"])
    assert {
        "hydrogen-power",
        "new-materials",
        "innovative-drugs",
        "biomanufacturing",
        "commercial-spaceflight",
        "low-altitude-economy",
        "quantum-technology",
        "life-sciences",
    } <= named


@pytest.mark.parametrize(
    ("successor", "link", "predecessor"),
    [
        ("new-quality-productive-forces", "evolved_from", "made-in-china-2025"),
        ("ai-plus", "evolved_from", "internet-plus"),
    ],
)
def test_lineage_links(kb: KnowledgeBase, successor: str, link: str, predecessor: str) -> None:
    assert predecessor in kb.entries[successor].links[link]


PAIRS = [
    ("old", "new"),
    ("made in china 2025", "nqpf"),
    ("internet plus", "ai+"),
    ("strategic-emerging-industries", "future-industries"),
    ("old-three", "new-three"),
    ("high-speed-growth", "high-quality-development"),
    ("digital-economy", "digital-china"),
    ("government-work-report-2024", "government-work-report-2025"),
    ("ndrc", "miit"),
    ("third-plenum-decision-2024", "fifteenth-fyp-recommendations"),
    ("innovation-driven-development-strategy", "nqpf"),
    ("future-industries-opinions-2024", "ai-plus-opinions-2025"),
]


@pytest.mark.parametrize(("left", "right"), PAIRS)
def test_comparison_pairs_share_six_sourced_dimensions(
    kb: KnowledgeBase, left: str, right: str
) -> None:
    resolver = Resolver(kb)
    a, b = resolver.resolve(left).entry, resolver.resolve(right).entry
    shared = [row for row in compare([a, b], kb).rows if row.is_dimension and all(row.cells)]
    assert len(shared) >= 6, (a.id, b.id, [r.key for r in shared])
    for row in shared:
        for cell in row.cells:
            assert cell is not None
            assert cell.sources or cell.framing == "analyst", (a.id, b.id, row.key)


def test_analysts_framing_is_labelled(kb: KnowledgeBase) -> None:
    old = kb.entries["traditional-productive-forces"]
    assert old.framing == "analyst"
    assert {"old", "old productive forces"} <= {alias.lower() for alias in old.aliases}


def test_competing_translations_are_recorded(kb: KnowledgeBase) -> None:
    texts = {t.text for t in kb.entries["new-quality-productive-forces"].translations}
    assert {"new quality productive forces", "new productive forces"} <= texts
    assert all(t.used_by for t in kb.entries["new-quality-productive-forces"].translations)


# Every claim of the seed article, and the entry that carries it. `phrases` must all occur
# in that entry's text; `seed` means the entry also cites the seed article itself.
SEED_CLAIMS = [
    (
        "term introduced in September 2023",
        "new-quality-productive-forces",
        ["September 2023"],
        True,
    ),
    (
        "2024 Government Work Report's top task",
        "government-work-report-2024",
        ["first of its ten tasks"],
        True,
    ),
    ("Boao Forum for Asia 2024 discussed it", "boao-forum-2024", ["Boao", "60"], True),
    (
        "Made in China 2025 as predecessor",
        "new-quality-productive-forces",
        ["Made in China 2025"],
        True,
    ),
    (
        "MIC2025 achievements: EVs, photovoltaics, wind turbines",
        "made-in-china-2025",
        ["wind", "photovoltaic"],
        True,
    ),
    (
        "135th Canton Fair, intelligent and green exhibitors",
        "canton-fair-135",
        ["135th", "40", "UNCONFIRMED"],
        True,
    ),
    (
        "limits of old productive forces",
        "traditional-productive-forces",
        ["old productive forces"],
        True,
    ),
    ("debt-fuelled growth", "traditional-productive-forces", ["debt"], True),
    (
        "NDRC: skilled workforce via university-company collaboration",
        "industry-university-research-collaboration",
        ["seed article"],
        True,
    ),
    (
        "NDRC: open talent policies for international professionals",
        "talent-policy",
        ["international professionals"],
        True,
    ),
    ("NDRC: regional innovation hubs", "regional-innovation-hubs", ["seed article"], True),
    (
        "NDRC: companies with universities on breakthroughs, advanced tech in production",
        "industry-university-research-collaboration",
        ["universities on technological breakthroughs"],
        True,
    ),
    ("NDRC: planning future industries", "future-industries", ["NDRC"], True),
    ("AI+ from the Two Sessions", "ai-plus", ["two-sessions", "li-qiang"], True),
    ("new jobs, replaced jobs, changing skills", "jobs-and-skills", ["replace"], True),
    (
        "a more digitally literate population",
        "digital-literacy-and-skills",
        ["digitally literate"],
        True,
    ),
    ("NDRC's role in restructuring the economy", "ndrc", ["seed article"], True),
]


@pytest.mark.parametrize(
    ("claim", "entry_id", "phrases", "seed"), SEED_CLAIMS, ids=[c[0] for c in SEED_CLAIMS]
)
def test_seed_article_claims_are_carried(
    kb: KnowledgeBase, claim: str, entry_id: str, phrases: list[str], seed: bool
) -> None:
    entry = kb.entries[entry_id]
    text = " ".join(
        [entry.definition, entry.notes or "", *(c.text for c in entry.dimensions.values())]
    ).lower()
    for phrase in phrases:
        assert phrase.lower() in text, (claim, phrase)
    if seed:
        assert any(s.title.startswith(SEED_TITLE) and s.url is None for s in entry.sources), claim


def test_define_and_compare_read_well_at_80_columns(invoke: Invoke) -> None:
    for args in (["compare", "old", "new"], ["define", "made in china 2025"], ["define", "ai+"]):
        result = invoke(*args, "--format", "table", env={"COLUMNS": "80"})
        assert result.code == 0, result.err
        assert max(len(line) for line in result.out.splitlines()) <= 80
    ai = invoke("define", "ai+", "--json")
    assert json.loads(ai.out)[0]["id"] == "ai-plus"
