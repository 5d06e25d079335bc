"""The hostile-input corpus: every case in tests/corpus/expected.yaml, through every command.

Each case is a broken or hostile knowledge base (a file, a folder, or something made at
test time such as a FIFO or a 16 MiB file). `validate`, `define`, `list` and `list --json`
must give the recorded exit code, one `nqpf: error: file:line:col: …` line on stderr
and nothing on stdout on error, and never a traceback. A last test runs every command
over every committed case and proves no corpus file was written to.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Invoke, Result

CORPUS = Path(__file__).parent / "corpus"
MANIFEST: dict[str, Any] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]
LONG_NAME = "n" * 5000 + ".yaml"
SHIPPED = Path(__file__).parents[1] / "data" / "terms.yaml"


def valid_entry(entry_id: str, definition: str = "Definition.") -> str:
    return (
        f"  - id: {entry_id}\n    kind: concept\n    name: Name {entry_id}\n"
        f"    name_zh: 名{entry_id}\n    pinyin: míng {entry_id}\n    summary: Summary.\n"
        f"    definition: {definition}\n"
        f"    sources:\n      - {{title: T, url: 'https://example.org/{entry_id}'}}\n"
    )


def _huge_file(root: Path) -> None:
    line = b"# " + b"x" * 1021 + b"\n"  # 1 KiB of comment per line
    with (root / "huge.yaml").open("wb") as out:
        out.write(line * (16 * 1024))
        out.write(b"#")  # one byte over the limit


def _huge_string(root: Path) -> None:
    word = "长" * 40 + " words "
    text = "entries:\n" + valid_entry("a", "'" + word * (4_000_000 // len(word.encode())) + "'")
    (root / "huge-string.yaml").write_text(text, encoding="utf-8")


def _unreadable(root: Path) -> None:
    path = root / "unreadable.yaml"
    path.write_text("entries:\n" + valid_entry("a"), encoding="utf-8")
    path.chmod(0)


def _symlink_loop_in_folder(root: Path) -> None:
    (root / "folder").mkdir()
    (root / "folder" / "good.yaml").write_text("entries:\n" + valid_entry("a"), "utf-8")
    (root / "folder" / "loop.yaml").symlink_to("loop.yaml")


def _symlink_to_valid(root: Path) -> None:
    (root / "target.yaml").write_text("entries:\n" + valid_entry("a"), "utf-8")
    (root / "link.yaml").symlink_to("target.yaml")


def _folder_named_yaml(root: Path) -> None:
    (root / "folder" / "trap.yaml").mkdir(parents=True)
    (root / "folder" / "good.yaml").write_text("entries:\n" + valid_entry("a"), "utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "huge-file": _huge_file,
    "huge-string": _huge_string,
    "unreadable": _unreadable,
    "nothing": lambda root: None,
    "empty-folder": lambda root: (root / "empty-folder").mkdir(),
    "symlink-loop": lambda root: (root / "loop.yaml").symlink_to("loop.yaml"),
    "symlink-loop-in-folder": _symlink_loop_in_folder,
    "dangling-symlink": lambda root: (root / "dangling.yaml").symlink_to("gone.yaml"),
    "symlink-to-valid": _symlink_to_valid,
    "folder-named-yaml": _folder_named_yaml,
    "fifo": lambda root: os.mkfifo(root / "fifo.yaml"),
    "device": lambda root: None,
}


def raw_controls(text: str) -> list[str]:
    """Characters that must never reach a terminal raw (tab, newline, ZWJ, SHY are fine)."""
    keep = {"\n", "\t", "\u200d", "\u00ad"}
    return [
        ch
        for ch in text
        if ch not in keep and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def prepare(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the case's files if needed, chdir next to them, and return its paths."""
    generator = case.get("generate")
    if generator is None:
        monkeypatch.chdir(CORPUS)
    else:
        if generator == "unreadable" and os.geteuid() == 0:
            pytest.skip("running as root: chmod 000 does not stop root from reading")
        if generator == "fifo" and not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        if generator == "device" and not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        GENERATORS[generator](tmp_path)
        monkeypatch.chdir(tmp_path)
    return [LONG_NAME if p == "LONG_NAME" else str(p) for p in case["paths"]]


def check_error_line(result: Result, case: dict[str, Any], what: str) -> None:
    assert result.out == "", f"{what}: stdout must be empty on error"
    assert result.err.endswith("\n") and result.err.count("\n") == 1, (what, result.err)
    assert result.err.startswith("nqpf: error: "), (what, result.err)
    if result.code == 3:
        where = case.get("where")
        expected = f"{where}: {case['message']}" if where else case["message"]
        assert expected in result.err, (what, result.err)


def no_crash(result: Result, what: str) -> None:
    assert "Traceback" not in result.err, (what, result.err)
    assert "internal error" not in result.err, (what, result.err)
    assert result.code in (0, 1, 3), (what, result.code, result.err)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: dict[str, Any]
) -> None:
    paths = prepare(case, tmp_path, monkeypatch)
    base = [] if case.get("shipped") else ["--no-default"]
    layers = [arg for path in paths for arg in ("--kb", path)]
    exit_code = case["exit"]

    # validate: findings on stdout, one summary (or one error) line on stderr
    result = invoke(*base, "validate", *paths)
    no_crash(result, "validate")
    assert result.code == case.get("validate", 3 if exit_code == 3 else 0), result.err
    assert result.err.count("\n") == 1 and result.err.startswith("nqpf: "), result.err
    if "rule" in case:
        finding = f"{case['where']}: error {case['rule']}: {case['message']}"
        assert finding in result.out, result.out[:2000]
    elif result.code == 3:
        check_error_line(result, case, "validate")
    assert not raw_controls(result.out)

    runs = {
        "define": (case.get("define", exit_code), ["define", str(case.get("term", "a"))]),
        "list": (exit_code, ["list"]),
        "list --json": (exit_code, ["list", "--json"]),
    }
    for what, (expected, args) in runs.items():
        result = invoke(*base, *layers, *args)
        no_crash(result, what)
        assert result.code == expected, (what, result.err)
        if expected:
            check_error_line(result, case, what)
            continue
        assert result.out and result.err == "", (what, result.err)
        if what.endswith("--json"):
            assert isinstance(json.loads(result.out), list)
        else:
            assert not raw_controls(result.out), (what, raw_controls(result.out)[:5])


def test_every_corpus_file_is_in_the_manifest() -> None:
    listed = {Path(p).parts[0] for case in CASES if "generate" not in case for p in case["paths"]}
    present = {p.name for p in CORPUS.iterdir()} - {"expected.yaml"}
    assert present == listed
    assert len(CASES) >= 50
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))


def test_every_corpus_case_is_listed_in_the_reliability_doc() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    missing = [case["name"] for case in CASES if f"`{case['name']}`" not in doc]
    assert missing == []


def test_yaml_1_1_scalars_are_kept_exactly(invoke: Invoke) -> None:
    path = CORPUS / "yaml11-scalars-kept.yaml"
    entry = json.loads(invoke("--no-default", "--kb", str(path), "list", "--json").out)[0]
    assert entry["name"] == "no"
    assert entry["date"] == "2024-03-05"
    assert entry["tags"] == [
        "yes", "no", "on", "off", "y", "n", "NO", "0123", "0o17", "0x1F",
        "1:30", "190:20:30", "1e3", ".inf", ".NaN", "~", "null", "1_000",
    ]  # fmt: skip


def test_tag_payloads_never_run(invoke: Invoke, tmp_path: Path) -> None:
    marker = Path("/tmp/nqpf-PWNED")
    marker.unlink(missing_ok=True)
    for name in ("tag-python-object-apply", "tag-python-object-new", "tag-verbatim-python"):
        for args in (["validate"], ["list", "--json"]):
            invoke("--no-default", "--kb", str(CORPUS / f"{name}.yaml"), *args)
    assert not marker.exists()


# -- nqpf never writes to a knowledge-base file ------------------------------------------------

EVERY_COMMAND = [
    ["validate", "-f", "json"],
    ["define", "a", "b", "-f", "table"],
    ["compare", "a", "b", "-f", "markdown"],
    ["list", "--json"],
    ["search", "summary", "-f", "csv"],
    ["related", "a", "--depth", "6"],
    ["graph"],
    ["timeline", "-f", "table"],
    ["sectors"],
    ["cite", "a", "-s", "bibtex"],
    ["export", "-f", "json"],
]


def snapshot() -> dict[str, tuple[bytes, int, int]]:
    files = [p for p in CORPUS.rglob("*") if p.is_file()] + [SHIPPED]
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in files}


def test_no_command_writes_to_any_corpus_file(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot()
    monkeypatch.chdir(CORPUS)
    ran = 0
    for case in CASES:
        if "generate" in case:
            continue
        layers = [arg for path in case["paths"] for arg in ("--kb", path)]
        base = [] if case.get("shipped") else ["--no-default"]
        for command in EVERY_COMMAND:
            result = invoke(*base, *layers, *command)
            no_crash(result, f"{case['name']}: {' '.join(command)}")
            ran += 1
    assert ran >= 50 * len(EVERY_COMMAND)
    assert snapshot() == before


def test_export_refuses_to_write_onto_a_knowledge_base_file(invoke: Invoke, tmp_path: Path) -> None:
    kb = tmp_path / "kb" / "glossary.yaml"
    kb.parent.mkdir()
    kb.write_text("entries:\n" + valid_entry("a"), encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(kb)
    before = (kb.read_bytes(), kb.stat().st_mtime_ns)
    for fmt, target in [
        ("json", kb),  # the file itself
        ("markdown", tmp_path / "link.yaml"),  # through a symlink
        ("html", kb.parent),  # the folder it lives in
    ]:
        result = invoke("--no-default", "--kb", str(kb), "export", "-f", fmt, "-o", str(target))
        assert result.code == 2 and result.out == "", (fmt, result.err)
        assert "would overwrite the knowledge base" in result.err
    assert (kb.read_bytes(), kb.stat().st_mtime_ns) == before
    fine = invoke(
        "--no-default", "--kb", str(kb), "export", "-f", "json", "-o", str(tmp_path / "out.json")
    )
    assert fine.code == 0 and (tmp_path / "out.json").exists()
