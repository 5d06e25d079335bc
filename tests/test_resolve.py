"""Resolution tiers: id, name/alias, Chinese, pinyin; fuzzy only suggests."""

from __future__ import annotations

import pytest

from conftest import DATA
from nqpf_cli.errors import NotFoundError
from nqpf_cli.kb import load
from nqpf_cli.resolve import Resolver


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load([str(DATA / "mini.yaml")], include_shipped=False))


@pytest.mark.parametrize(
    ("query", "entry_id", "how"),
    [
        ("beta-concept", "beta-concept", "id"),
        ("BETA-CONCEPT", "beta-concept", "id"),
        ("Beta concept", "beta-concept", "name"),
        ("  beta   CONCEPT ", "beta-concept", "name"),
        ("ＢＥＴＡ　ｃｏｎｃｅｐｔ", "beta-concept", "name"),  # full-width letters and space
        ("beta-concept!", "beta-concept", "name"),
        ("b.c.", "beta-concept", "alias"),
        ("ai+", "beta-concept", "alias"),
        ("AI", "gamma-office", "alias"),
        ("乙概念", "beta-concept", "chinese"),
        ("乙 概念", "beta-concept", "chinese"),
        ("yǐ gàiniàn", "beta-concept", "pinyin"),
        ("yi gainian", "beta-concept", "pinyin"),
        ("YIGAINIAN", "beta-concept", "pinyin"),
        ("old", "alpha-plan", "alias"),
    ],
)
def test_tiers(resolver: Resolver, query: str, entry_id: str, how: str) -> None:
    match = resolver.resolve(query)
    assert (match.entry.id, match.how) == (entry_id, how)


def test_plus_is_not_folded_away_when_an_exact_form_exists(resolver: Resolver) -> None:
    # `AI+` (alias of beta) and `AI` (alias of gamma) differ only by punctuation.
    assert resolver.resolve("AI+").entry.id == "beta-concept"
    assert resolver.resolve("ai").entry.id == "gamma-office"


def test_typo_suggests_but_never_picks(resolver: Resolver) -> None:
    with pytest.raises(NotFoundError) as caught:
        resolver.resolve("beta concpet")
    assert "did you mean beta-concept (Beta concept)?" in caught.value.message


def test_nothing_close_gives_a_plain_miss(resolver: Resolver) -> None:
    with pytest.raises(NotFoundError) as caught:
        resolver.resolve("zzzzqqqq")
    assert "no entry matches 'zzzzqqqq'" in caught.value.message
    assert "did you mean" not in caught.value.message


def test_ambiguous_alias_lists_candidates(write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n"
        "  - {id: one, kind: concept, name: One, aliases: [shared], summary: s, definition: d}\n"
        "  - {id: two, kind: concept, name: Two, aliases: [Shared], summary: s, definition: d}\n"
    )
    resolver = Resolver(load([str(path)], include_shipped=False))
    with pytest.raises(NotFoundError) as caught:
        resolver.resolve("shared")
    assert "ambiguous" in caught.value.message
    assert "one (One)" in caught.value.message and "two (Two)" in caught.value.message
