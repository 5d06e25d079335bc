"""Each command through the real entry point, on a small fixed knowledge base."""

from __future__ import annotations

import csv
import io
import json

from conftest import DATA, Invoke

MINI = ["--no-default", "--kb", str(DATA / "mini.yaml")]


def test_define_plain_shows_every_part_of_an_entry(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "beta concept")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("Beta concept · 乙概念 · yǐ gàiniàn\n")
    assert "kind: concept" in out and "date: 2023-09-07" in out and "status: active" in out
    assert "summary: The newer concept." in out
    # cross-links become the target's name
    assert "definition: Grew out of Alpha plan; promoted by Gamma office." in out
    assert "translation: B concept — Test Daily [1]" in out
    assert "linked from (evolved from): alpha-plan — Alpha plan" in out
    assert "[1] Beta source — Test Daily, 2024-02-01 — https://example.org/beta" in out
    assert result.err == ""


def test_define_table_panel(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "alpha-plan", "--format", "table", env={"COLUMNS": "80"})
    assert result.code == 0
    lines = result.out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].startswith("╭") and "Alpha plan" in lines[0]
    text = result.out
    for expected in (
        "甲计划",
        "jiǎ jìhuà",
        "initiative",
        "superseded",
        "Links",
        "evolved into",
        "Beta concept",
        "issued by",
        "Sources",
        "[1] Alpha source",
    ):
        assert expected in text
    assert "\x1b" not in text  # colour is off when stdout is not a terminal


def test_define_color_always_emits_ansi(invoke: Invoke) -> None:
    result = invoke(*MINI, "--color", "always", "define", "AP", "--format", "table")
    assert "\x1b[" in result.out


def test_define_json_contract(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "BC", "alpha-plan", "--json")
    data = json.loads(result.out)
    assert [item["id"] for item in data] == ["beta-concept", "alpha-plan"]
    required = [
        "id",
        "kind",
        "name",
        "name_zh",
        "pinyin",
        "aliases",
        "summary",
        "definition",
        "related",
        "sources",
    ]
    for item in data:
        assert list(item)[:6] == required[:6]
        assert set(required) <= set(item)
        assert all({"title", "url"} <= set(s) for s in item["sources"])
    assert data[0]["definition"] == "Grew out of {alpha-plan}; promoted by {gamma-office}."
    assert data[0]["matched_by"] == "alias"
    assert data[1]["related"][0] == {
        "type": "evolved_into",
        "id": "beta-concept",
        "name": "Beta concept",
        "summary": "The newer concept.",
    }
    assert "乙概念" in result.out  # Chinese is not \u-escaped


def test_define_reads_terms_from_stdin(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "-", "--json", stdin="乙概念\n\nAP\n".encode())
    assert [item["id"] for item in json.loads(result.out)] == ["beta-concept", "alpha-plan"]


def test_define_miss_exit_1_with_suggestion_on_stderr(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "alpah plan")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        "nqpf: error: no entry matches 'alpah plan'; did you mean alpha-plan (Alpha plan)?\n"
    )


def test_define_partial_miss_prints_found_and_exits_1(invoke: Invoke) -> None:
    result = invoke(*MINI, "define", "AP", "nonexistent-thing")
    assert result.code == 1
    assert result.out.startswith("Alpha plan")
    assert "nonexistent-thing" in result.err


def test_define_csv_and_markdown(invoke: Invoke) -> None:
    rows = list(csv.reader(io.StringIO(invoke(*MINI, "define", "AP", "-f", "csv").out)))
    assert rows[0][:3] == ["id", "kind", "name"]
    assert rows[1][:4] == ["alpha-plan", "initiative", "Alpha plan", "甲计划"]
    md = invoke(*MINI, "define", "AP", "-f", "markdown").out
    assert "## Alpha plan · 甲计划 · jiǎ jìhuà" in md
    assert "[Beta concept](#beta-concept)" in md
    beta = invoke(*MINI, "define", "BC", "-f", "markdown").out
    assert (
        "Grew out of [Alpha plan](#alpha-plan); promoted by [Gamma office](#gamma-office)." in beta
    )
    assert "1. [Alpha source](<https://example.org/alpha>) — Test Press, 2015-05-08" in md


def test_compare_old_new(invoke: Invoke) -> None:
    result = invoke(*MINI, "compare", "old", "new", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert [e["id"] for e in data["entries"]] == ["alpha-plan", "beta-concept"]
    rows = {row["key"]: row["values"] for row in data["rows"]}
    assert rows["goal"][0] == {"text": "Build factories.", "sources": [1], "framing": None}
    assert rows["technology"] == [
        {"text": "Imported know-how.", "sources": [], "framing": "analyst"},
        None,
    ]
    assert rows["lineage"][0]["text"] == "into Beta concept"
    assert rows["lineage"][1]["text"] == "from Alpha plan"
    assert rows["issuer"][0]["text"] == "Gamma office"
    keys = [row["key"] for row in data["rows"]]
    assert keys.index("goal") < keys.index("technology")  # knowledge-base order


def test_compare_table_marks_missing_and_analyst_cells(invoke: Invoke) -> None:
    result = invoke(*MINI, "compare", "old", "new", "-f", "table", env={"COLUMNS": "160"})
    assert result.code == 0
    assert "—" in result.out
    assert "(analyst's reading)" in " ".join(result.out.split())
    assert "Sources — Alpha plan" in result.out


def test_compare_plain_is_tab_separated(invoke: Invoke) -> None:
    lines = invoke(*MINI, "compare", "AP", "BC").out.splitlines()
    assert lines[0] == "\tAlpha plan (甲计划)\tBeta concept (乙概念)"
    assert "Goal\tBuild factories. [1]\tRaise productivity. [1]" in lines


def test_compare_needs_two_different_entries(invoke: Invoke) -> None:
    one = invoke(*MINI, "compare", "AP")
    same = invoke(*MINI, "compare", "AP", "alpha plan")
    assert (one.code, same.code) == (2, 2)
    assert one.out == same.out == ""


def test_compare_unknown_term_exit_1(invoke: Invoke) -> None:
    result = invoke(*MINI, "compare", "AP", "nope-nope")
    assert result.code == 1 and result.out == ""


def test_list_plain_is_id_tab_name(invoke: Invoke) -> None:
    result = invoke(*MINI, "list")
    assert result.out == (
        "alpha-plan\tAlpha plan\nbeta-concept\tBeta concept\ngamma-office\tGamma office\n"
    )


def test_list_filters(invoke: Invoke) -> None:
    assert invoke(*MINI, "list", "--kind", "institution").out == "gamma-office\tGamma office\n"
    assert invoke(*MINI, "list", "--tag", "CORE").out == "beta-concept\tBeta concept\n"
    none = invoke(*MINI, "list", "--kind", "person")
    assert (none.code, none.out) == (1, "")
    bad = invoke(*MINI, "list", "--kind", "planet")
    assert bad.code == 2 and bad.out == ""


def test_list_json_and_csv(invoke: Invoke) -> None:
    data = json.loads(invoke(*MINI, "list", "--json").out)
    assert [d["id"] for d in data] == ["alpha-plan", "beta-concept", "gamma-office"]
    rows = list(csv.reader(io.StringIO(invoke(*MINI, "list", "-f", "csv").out)))
    assert rows[0] == ["id", "kind", "name", "name_zh", "pinyin", "summary"]
    assert len(rows) == 4


def test_list_table_has_header_and_count(invoke: Invoke) -> None:
    out = invoke(*MINI, "list", "-f", "table").out
    assert "中文" in out and "3 entries" in out and "丙办公室" in out


def test_usage_errors_exit_2_with_empty_stdout(invoke: Invoke) -> None:
    for args in (
        ["define"],
        ["define", "x", "--format", "yaml"],
        ["frobnicate"],
        ["define", "x", "--json", "--format", "csv"],
    ):
        result = invoke(*MINI, *args)
        assert result.code == 2, args
        assert result.out == ""


def test_version(invoke: Invoke) -> None:
    from nqpf_cli import __version__

    assert invoke("--version").out == f"nqpf {__version__}\n"


def test_kb_from_environment(invoke: Invoke) -> None:
    result = invoke("--no-default", "list", env={"NQPF_KB": str(DATA / "mini.yaml")})
    assert result.out.startswith("alpha-plan\t")


def test_kb_folder_layer(invoke: Invoke, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.yaml").write_text((DATA / "mini.yaml").read_text(encoding="utf-8"))
    (tmp_path / "b.yml").write_text(
        "entries:\n  - {id: delta, kind: sector, name: Delta, name_zh: 丁, pinyin: dīng,"
        " summary: s, definition: 'Near {alpha-plan}.', sources: [{title: t, url: 'https://x.org'}]}\n"
    )
    (tmp_path / "notes.txt").write_text("ignored")
    result = invoke("--no-default", "--kb", str(tmp_path), "list")
    assert result.out.splitlines()[-1] == "delta\tDelta"
