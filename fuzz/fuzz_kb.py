"""Coverage-guided fuzzing of nqpf with atheris: arbitrary bytes as a knowledge-base file.

Each input is split by atheris' FuzzedDataProvider into a few choices (a query, an output
width, whether to layer the test fixture underneath) and the bytes of one YAML file. The
file then goes through everything a user can reach:

  decode + parse (yamlsafe) -> typed entries (build) -> layers and checks (kb, validate)
  -> resolve, search, describe, compare, related, timeline, sectors, cite
  -> every output format (plain, csv, markdown, JSON, Rich table) -> the CLI's `run()`

and the invariants the project promises are asserted: the loader gives a tree or a
YamlProblem; human formats contain no raw control or bidi characters; JSON round-trips
exactly; the CLI exits 0, 1 or 3 with one `nqpf: …` line on stderr and nothing on stdout
on error. Anything else is a finding.

Run (see docs/reliability.md):

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_kb.py fuzz/work-corpus tests/corpus \\
        -dict=fuzz/yaml.dict -max_len=4096 -timeout=20 -max_total_time=1800

With FUZZ_COLLECT=1 a finding is written to fuzz/findings/ (input bytes and traceback,
one file per distinct place it was raised) and fuzzing goes on; without it the first
finding stops the run, as libFuzzer usually does.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

with atheris.instrument_imports(include=["nqpf_cli"]):
    import exercise  # tests/exercise.py: every output of every command, and its promises
    from nqpf_cli import kb
    from nqpf_cli.cli import run
    from nqpf_cli.layers import Layer
    from nqpf_cli.yamlsafe import YamlProblem, decode, parse

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "data" / "mini.yaml"
FINDINGS = HERE / "findings"
COLLECT = os.environ.get("FUZZ_COLLECT") == "1"
WORK = Path(tempfile.mkdtemp(prefix="nqpf-fuzz-"))
atexit.register(shutil.rmtree, WORK, True)
KB_FILE = WORK / "fuzz.yaml"
CACHE = {"NQPF_CACHE_DIR": str(WORK / "cache")}  # the on-disk index, away from ~/.cache
os.environ.update(CACHE)
seen: set[str] = set()


def check_loader(data: bytes) -> None:
    try:
        root = parse(decode(data))
    except YamlProblem as problem:
        if problem.line < 1 or problem.column < 1 or "\n" in problem.message:
            raise AssertionError(f"bad YamlProblem position or message: {problem!r}") from None
        return
    if root is not None and root.line < 1:
        raise AssertionError("node without a position")


def check_cli(args: list[str]) -> None:
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdout, sys.stderr, sys.stdin
    # Keep the wrappers referenced: a collected TextIOWrapper closes its BytesIO.
    wrappers = (
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
        io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"),
    )
    sys.stdout, sys.stderr, sys.stdin = wrappers
    try:
        code = run(args)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue().decode("utf-8", "replace")
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
    if code not in (0, 1, 3):
        raise AssertionError(f"exit {code} for {args[3:]}: {stderr[:300]}")
    one_line = stderr.count("\n") == 1 and stderr.startswith("nqpf: error: ")
    if code and args[3] != "validate" and (stdout or not one_line):
        raise AssertionError(f"error output breaks the contract: {stderr[:300]!r}")
    if "Traceback" in stderr:
        raise AssertionError("traceback on stderr")


def one_input(data: bytes) -> None:
    # The whole input is the file, so seed files stay valid YAML; the other choices are
    # derived from it: a query (the first `name:` value, else the first bytes) and flags.
    body = data
    choice = (len(data) + (data[-1] if data else 0)) % 256
    text = data.decode("utf-8", "replace")
    start = text.find("name: ")
    query = text[start + 6 :].split("\n")[0][:40] if start >= 0 else text[:12]
    try:
        check_loader(body)
        KB_FILE.write_bytes(body)
        paths = [FIXTURE, KB_FILE] if choice & 1 else [KB_FILE]
        if choice & 2:  # through the SQLite index, as the CLI reads it
            found = [str(path) for path in paths]
            knowledge = kb.load(found, CACHE, include_shipped=False, include_user=False)
        else:  # straight from the YAML
            knowledge = kb.assemble([Layer(path, "--kb") for path in paths])
        # Human-safety is promised for knowledge bases that load without errors (the CLI
        # refuses to render any other); for the rest it is enough that nothing raises.
        exercise.check(knowledge, query, 20 + (choice >> 1) % 100, not knowledge.errors())
        if choice % 8 == 0:
            base = ["--no-default", "--kb", str(KB_FILE)]
            command = (
                ["define", "--", query or "x"],
                ["list", "--json"],
                ["validate", "-f", "csv"],
                ["search", "--", query or "x"],
            )[(choice >> 3) % 4]
            check_cli([*base, *command])
    except Exception as exc:
        if not COLLECT:
            raise
        record(exc, data)


def record(exc: Exception, data: bytes) -> None:
    """Keep one input per distinct (exception type, innermost nqpf frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "nqpf_cli" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    signature = f"{type(exc).__name__} {where}"
    if isinstance(exc, AssertionError) and str(exc).split(":")[0]:
        signature += " " + str(exc).split(":")[0][:40]
    if signature in seen:
        return
    seen.add(signature)
    FINDINGS.mkdir(exist_ok=True)
    digest = hashlib.sha1(signature.encode()).hexdigest()[:10]
    (FINDINGS / f"crash-{digest}.bin").write_bytes(data)
    (FINDINGS / f"crash-{digest}.txt").write_text(
        f"{signature}\n\n{''.join(traceback.format_exception(exc))}", encoding="utf-8"
    )
    print(f"\n#### finding: {signature} -> crash-{digest}.bin", file=sys.stderr, flush=True)


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
