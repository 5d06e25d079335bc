"""Speed and scale benchmark: whole-process wall time and peak memory, as medians.

Usage: python bench/run.py [--runs N] [--sizes 5000,50000] [--out FILE]

Measured in one run, alternating commands so machine noise hits all of them alike:
- baselines: `python -c pass` and a minimal Typer app with one command;
- `define`, `search`, `compare` and `list` (piped) and `define` as a table, on the
  shipped data and on synthetic knowledge bases of each size (bench/gen_kb.py, 50 files),
  warm (index fresh) and cold (index deleted before each run);
- the cold index build of the largest size against a bare PyYAML CSafeLoader parse of
  the same files, and the rebuild after editing one file of fifty.
Prints a Markdown report (and writes it to --out).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
NQPF = str(Path(PY).with_name("nqpf"))
MINIMAL_TYPER = """
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "x") -> None:
    print(name)
app()
"""
NORMAL_EXIT = "import sys; from nqpf_cli.cli import run; sys.exit(run(sys.argv[1:]))"
CSAFE_PARSE = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {argv} exited {proc.returncode}")
    return elapsed, usage.ru_maxrss


def median(samples: list[tuple[float, int]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nqpf-bench-"))
    env = dict(os.environ, NQPF_CACHE_DIR=str(work / "cache"), XDG_DATA_HOME=str(work / "data"))
    env.pop("NQPF_KB", None)
    # Measure what users get: byte-code cached after the first run (some sandboxes set
    # PYTHONDONTWRITEBYTECODE, which would recompile every module on every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (work / "typer_app.py").write_text(MINIMAL_TYPER)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    kbs: dict[str, list[str]] = {"shipped": []}
    for size in sizes:
        folder = work / f"kb{size}"
        subprocess.run(
            [PY, str(HERE / "gen_kb.py"), str(size), str(folder), "--files", "50"], check=True
        )
        kbs[f"{size:,}"] = ["--no-default", "--kb", str(folder)]

    queries = {
        "define": ["define", "nqpf"],
        "define (table)": ["define", "nqpf", "-f", "table"],
        "search": ["search", "productivity innovation"],
        "compare": ["compare", "old", "new"],
        "list": ["list"],
    }
    synthetic = {
        "define": ["define", "term-000042"],
        "define (table)": ["define", "term-000042", "-f", "table"],
        "search": ["search", "productivity innovation"],
        "compare": ["compare", "term-000007", "term-000042"],
        "list": ["list"],
    }
    commands: dict[str, list[str]] = {
        "python -c pass": [PY, "-c", "pass"],
        "minimal Typer app": [PY, str(work / "typer_app.py"), "--name", "a"],
        # the same lookup ending through the interpreter's normal teardown, which the
        # console script skips (see nqpf_cli/entry.py), for an honest comparison
        "define · shipped, normal exit": [PY, "-c", NORMAL_EXIT, "define", "nqpf"],
    }
    for label, kb_args in kbs.items():
        for name, query in (queries if label == "shipped" else synthetic).items():
            commands[f"{name} · {label}"] = [NQPF, *kb_args, *query]
    for argv in commands.values():  # build the indexes and warm the page cache
        measure(argv, env)
    warm: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            warm[name].append(measure(argv, env))

    cold: dict[str, list[tuple[float, int]]] = {}
    for label, kb_args in kbs.items():
        argv = [NQPF, *kb_args, *(queries if label == "shipped" else synthetic)["define"]]
        runs = args.runs if label == "shipped" else max(3, args.runs // 4)
        cold[label] = []
        for _ in range(runs):
            shutil.rmtree(work / "cache", ignore_errors=True)
            cold[label].append(measure(argv, env))

    build: dict[str, float] = {}
    if sizes:
        biggest = work / f"kb{sizes[-1]}"
        kb_args = ["--no-default", "--kb", str(biggest), "define", "term-000042"]
        parse, full, partial = [], [], []
        for _ in range(3):
            parse.append(measure([PY, "-c", CSAFE_PARSE, str(biggest)], env)[0])
            shutil.rmtree(work / "cache", ignore_errors=True)
            full.append(measure([NQPF, *kb_args], env)[0])
            target = biggest / "part-017.yaml"
            target.write_text(
                target.read_text(encoding="utf-8").replace("Test Press", "Test Press.", 1)
            )
            partial.append(measure([NQPF, *kb_args], env)[0])
        build = {
            "parse": statistics.median(parse),
            "full": statistics.median(full),
            "partial": statistics.median(partial),
        }

    base = median(warm["python -c pass"])[0]
    typer_app = median(warm["minimal Typer app"])[0]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; SQLite "
        f"{__import__('sqlite3').sqlite_version}. {args.runs} alternating runs, medians.",
        "",
        "| command · knowledge base | warm median (ms) | × `python -c pass` | × minimal Typer | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, samples in warm.items():
        wall, rss = median(samples)
        lines.append(
            f"| {name} | {wall * 1000:.1f} | {wall / base:.2f} | {wall / typer_app:.2f} | {rss / 1024:.1f} |"
        )
    lines += [
        "",
        "| cold `define` (index rebuilt every run) | median (ms) | peak RSS (MiB) |",
        "|---|---:|---:|",
    ]
    for label, samples in cold.items():
        wall, rss = median(samples)
        lines.append(f"| {label} | {wall * 1000:.0f} | {rss / 1024:.1f} |")
    if build:
        lines += [
            "",
            f"Largest size ({sizes[-1]:,} entries, 50 files, "
            f"{sum(p.stat().st_size for p in (work / f'kb{sizes[-1]}').glob('*.yaml')) / 1e6:.1f} MB):",
            f"bare CSafeLoader parse {build['parse']:.2f} s; cold index build + `define` "
            f"{build['full']:.2f} s ({build['full'] / build['parse']:.2f}× the parse); "
            f"after editing one file of fifty {build['partial']:.2f} s "
            f"({build['partial'] / build['full'] * 100:.0f}% of the full build).",
        ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
