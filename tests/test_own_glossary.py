"""A team's own glossary: layers, overrides and patches, paths, schema, new, completion, API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import Invoke, nqpf_executable
from nqpf_cli import build, models
from nqpf_cli.yamlsafe import decode, parse, plain

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schema" / "nqpf-kb.schema.json").read_text(encoding="utf-8"))

TEAM_ENTRIES = """\
entries:
  - id: newsroom-style-nqpf
    kind: concept
    name: Newsroom style for NQPF
    name_zh: 新质生产力写法
    pinyin: xīn zhì shēngchǎnlì xiěfǎ
    aliases: [house style]
    summary: How our newsroom writes the term.
    definition: Spell out {new-quality-productive-forces} on first mention; compare {made-in-china-2025}.
    links: {related: [new-quality-productive-forces]}
    dimensions:
      nature: {text: A house style rule., framing: analyst}
      goal: {text: Consistent copy., framing: analyst}
    sources:
      - {title: Our style guide, publisher: Our newsroom, date: "2025-01", url: "https://example.org/style"}
"""
TEAM_OVERRIDES = """\
entries:
  - id: made-in-china-2025
    override: patch
    notes: "Newsroom note: spell out the plan's name on first mention."
    aliases: [MIC2025, Made-in-China plan]
  - id: two-sessions
    override: replace
    kind: event
    name: Two Sessions (newsroom entry)
    name_zh: 全国两会
    pinyin: quánguó liǎnghuì
    summary: Our own short entry for the annual NPC and CPPCC sessions.
    definition: The annual plenary sessions held each March in Beijing.
    sources:
      - {title: Our explainer, url: "https://example.org/two-sessions"}
"""


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "10-entries.yaml").write_text(TEAM_ENTRIES, encoding="utf-8")
    (folder / "20-overrides.yaml").write_text(TEAM_OVERRIDES, encoding="utf-8")
    return folder


def test_team_folder_end_to_end(invoke: Invoke, team: Path) -> None:
    env = {"NQPF_KB": str(team)}
    paths = json.loads(invoke("paths", "--json", env=env).out)
    origins = [
        (layer["origin"], Path(layer["path"]).name, layer["entries"]) for layer in paths["layers"]
    ]
    assert origins[0][0] == "shipped"
    assert origins[1:] == [("NQPF_KB", "10-entries.yaml", 1), ("NQPF_KB", "20-overrides.yaml", 2)]
    assert paths["layers"][2]["overrides"] == 2

    result = invoke("validate", "--strict", env=env)
    assert result.code == 0, result.out
    infos = result.out.splitlines()
    assert len(infos) == 2 and all(" info override: " in line for line in infos)
    assert "patches the one at data/terms.yaml:" in result.out or "patches the one at" in result.out
    assert "2 override(s)" in result.err

    patched = json.loads(invoke("define", "MIC2025", "--json", env=env).out)[0]
    assert patched["override"] == "patch"
    assert patched["layer"] == "NQPF_KB"
    assert patched["overrides"].endswith(
        patched["overrides"].split(":")[-2] + ":" + patched["overrides"].split(":")[-1]
    )
    assert patched["notes"] == "Newsroom note: spell out the plan's name on first mention."
    assert patched["aliases"] == ["MIC2025", "Made-in-China plan"]
    assert patched["name_zh"] == "中国制造2025"  # untouched fields survive the patch
    assert len(patched["sources"]) > 3

    replaced = json.loads(invoke("define", "two sessions (newsroom entry)", "--json", env=env).out)[
        0
    ]
    assert replaced["override"] == "replace" and len(replaced["sources"]) == 1

    plain_out = invoke("define", "house style", env=env).out
    assert "from: " in plain_out and "10-entries.yaml" in plain_out and "(NQPF_KB)" in plain_out
    patched_plain = invoke("define", "mic2025", env=env).out
    assert "(NQPF_KB; patches data/terms.yaml:" in patched_plain

    compared = json.loads(invoke("compare", "house style", "MIC2025", "--json", env=env).out)
    rows = {row["key"]: row["values"] for row in compared["rows"]}
    assert rows["nature"][0]["framing"] == "analyst" and rows["nature"][1] is not None


def test_duplicate_without_override_is_an_error(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb(
        "entries:\n  - {id: ai-plus, kind: concept, name: X, summary: s, definition: d}\n"
    )
    result = invoke("--kb", str(path), "validate")
    assert result.code == 3
    assert "error duplicate-id: id 'ai-plus' is already defined at data/terms.yaml:" in result.out
    assert "add override: replace or override: patch" in result.out


def test_override_without_target(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    path = write_kb("entries:\n  - {id: not-there, override: patch, notes: x}\n")
    result = invoke("--kb", str(path), "validate")
    assert result.code == 3 and "override-without-target" in result.out


def test_no_default_drops_the_shipped_base(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    own = TEAM_ENTRIES.replace("{new-quality-productive-forces}", "NQPF")
    own = own.replace("; compare {made-in-china-2025}", "").replace(
        "    links: {related: [new-quality-productive-forces]}\n", ""
    )
    # without the shipped base, the shipped comparison dimensions are not declared either
    own = own.split("    dimensions:")[0] + "    sources:" + own.split("    sources:")[1]
    path = write_kb(own)
    listed = invoke("--no-default", "--kb", str(path), "list")
    assert listed.out == "newsroom-style-nqpf\tNewsroom style for NQPF\n"
    with_base = invoke("--kb", str(path), "list").out.splitlines()
    assert len(with_base) > 100 and with_base[-1].startswith("newsroom-style-nqpf\t")


def test_user_folder_is_a_layer(invoke: Invoke, tmp_path: Path) -> None:
    data_home = Path(os.environ["XDG_DATA_HOME"])
    folder = data_home / "nqpf"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        TEAM_ENTRIES.replace("{new-quality-productive-forces}", "NQPF").replace(
            "; compare {made-in-china-2025}", ""
        ),
        encoding="utf-8",
    )
    paths = json.loads(invoke("paths", "--json").out)
    assert paths["user_dir"] == str(folder) and paths["user_dir_exists"]
    assert [layer["origin"] for layer in paths["layers"]] == ["shipped", "user"]
    assert invoke("define", "house style", "--json").code == 0


# -- the JSON Schema ------------------------------------------------------------------------


def test_schema_validates_the_shipped_data() -> None:
    data = plain(parse(decode((ROOT / "data" / "terms.yaml").read_bytes())))  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)) == []


def test_schema_and_loader_agree() -> None:
    entry = SCHEMA["$defs"]["entry"]["properties"]
    assert set(entry) == set(build.ENTRY_KEYS)
    assert entry["kind"]["enum"] == list(models.KINDS)
    assert entry["status"]["enum"] == list(models.STATUSES)
    assert entry["links"]["propertyNames"]["enum"] == list(models.LINK_TYPES)
    assert set(SCHEMA["$defs"]["source"]["properties"]) == set(build.SOURCE_KEYS)
    assert set(SCHEMA["properties"]) == set(build.TOP_KEYS)
    generated = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_schema.py"), "--check"], capture_output=True
    )
    assert generated.returncode == 0, "schema/ is stale: run python tools/make_schema.py"


def test_shipped_data_points_editors_at_the_schema() -> None:
    first = (ROOT / "data" / "terms.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/nqpf-kb.schema.json"
    from nqpf_cli.layers import shipped_path

    assert (shipped_path().parent.parent / "schema" / "nqpf-kb.schema.json").is_file()


def test_a_wrong_file_fails_schema_and_validate_alike(invoke: Invoke, write_kb) -> None:  # type: ignore[no-untyped-def]
    text = (
        "entries:\n"
        "  - {id: Bad Id, kind: concept, name: A, summary: s, definition: d}\n"
        "  - {id: b, kind: planet, name: B, summary: s, definition: d}\n"
        "  - {id: c, kind: concept, name: C, summary: s, definition: d, colour: red}\n"
        "  - {id: d, kind: concept, name: D, summary: s, definition: d, date: March}\n"
        "  - {id: e, kind: concept, name: E, summary: s}\n"
    )
    path = write_kb(text)
    schema_errors = list(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(plain(parse(decode(text.encode()))))
    )  # type: ignore[arg-type]
    schema_entries = sorted({int(error.absolute_path[1]) for error in schema_errors})
    result = invoke("--no-default", "validate", str(path), "--json")
    findings = json.loads(result.out)
    finding_lines = sorted({f["line"] - 2 for f in findings if f["severity"] == "error"})
    assert result.code == 3
    assert schema_entries == finding_lines == [0, 1, 2, 3, 4]
    rules = {f["rule"] for f in findings}
    assert {"bad-id", "bad-kind", "unknown-key", "bad-date", "missing-field"} <= rules


def test_pre_commit_manifest() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["entry"].startswith("nqpf validate")


# -- nqpf new -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", models.KINDS)
def test_new_prints_a_skeleton_that_parses_and_guides(invoke: Invoke, write_kb, kind: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke("new", "our-term", "--kind", kind, "--name", 'A "quoted" name')
    assert result.code == 0
    path = write_kb("entries:\n" + result.out)
    data = plain(parse(decode(path.read_bytes())))  # type: ignore[arg-type]
    entry = data["entries"][0]  # type: ignore[index]
    assert (
        entry["id"] == "our-term" and entry["kind"] == kind and entry["name"] == 'A "quoted" name'
    )
    check = invoke("--no-default", "validate", str(path))
    assert check.code == 3  # the blanks must be filled before it validates
    assert "'summary' is required" in check.out


def test_new_rejects_bad_ids_and_never_writes(invoke: Invoke, tmp_path: Path) -> None:
    before = sorted(tmp_path.iterdir())
    bad = invoke("new", "Bad Id", "--kind", "concept")
    assert bad.code == 2 and bad.out == ""
    existing = invoke("new", "ai-plus", "--kind", "initiative")
    assert existing.code == 0 and "already exists" in existing.err
    assert sorted(tmp_path.iterdir()) == before


# -- shell completion ------------------------------------------------------------------------


def complete(
    env_extra: dict[str, str], cli_env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    env = {**cli_env, **env_extra}
    return subprocess.run([nqpf_executable()], env=env, capture_output=True, text=True, timeout=60)


def test_bash_completion_of_commands_and_terms(cli_env: dict[str, str]) -> None:
    commands = complete(
        {"_NQPF_COMPLETE": "complete_bash", "COMP_WORDS": "nqpf com", "COMP_CWORD": "1"}, cli_env
    )
    assert commands.stdout.split() == ["compare"]
    terms = complete(
        {"_NQPF_COMPLETE": "complete_bash", "COMP_WORDS": "nqpf define made-in", "COMP_CWORD": "2"},
        cli_env,
    )
    assert "made-in-china-2025" in terms.stdout.split()


def test_zsh_and_fish_completion(cli_env: dict[str, str]) -> None:
    zsh = complete(
        {"_NQPF_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "nqpf define 新质"}, cli_env
    )
    assert '"新质生产力":"New quality productive forces (concept)"' in zsh.stdout
    fish = complete(
        {
            "_NQPF_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "nqpf cite ai",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        },
        cli_env,
    )
    assert fish.stdout.startswith("ai-plus\t")


def test_completion_is_silent_on_a_broken_knowledge_base(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries: [\n")
    result = complete(
        {
            "_NQPF_COMPLETE": "complete_bash",
            "COMP_WORDS": "nqpf define x",
            "COMP_CWORD": "2",
            "NQPF_KB": str(broken),
        },
        cli_env,
    )
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr == ""


def test_show_completion_scripts(cli_env: dict[str, str]) -> None:
    for shell in ("bash", "zsh", "fish"):
        script = subprocess.run(
            [nqpf_executable(), "--show-completion", shell],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert script.returncode == 0 and "_NQPF_COMPLETE" in script.stdout


# -- the Python API --------------------------------------------------------------------------


def test_readme_python_examples_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("<!-- python-example -->")[1:]
    assert blocks, "the README has no Python API examples"
    for block in blocks:
        code = block.split("```python\n", 1)[1].split("```", 1)[0]
        exec(compile(code, "README.md", "exec"), {})  # the examples assert their own results


def test_api_is_typed() -> None:
    import nqpf_cli
    from nqpf_cli import api

    # the package's lazy names are the API module's, no more and no fewer
    assert set(nqpf_cli.API) == set(api.__all__)

    assert (Path(nqpf_cli.__file__).parent / "py.typed").is_file()
    assert callable(nqpf_cli.search) and callable(nqpf_cli.compare) and callable(nqpf_cli.validate)
