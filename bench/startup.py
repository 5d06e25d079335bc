"""Whole-process start-up of nqpf against `python -c pass`, as medians from one run.

Usage: python bench/startup.py [--runs N]
Prints a table of median wall times and their ratio to `python -c pass`, measured
alternately in the same run so machine noise hits every command alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import MINIMAL_TYPER  # the same baseline app as the full benchmark


def commands(tmp: Path) -> dict[str, list[str]]:
    nqpf = shutil.which("nqpf", path=str(Path(sys.executable).parent)) or "nqpf"
    script = tmp / "minimal_typer.py"
    script.write_text(MINIMAL_TYPER)
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "minimal typer app": [sys.executable, str(script), "--name", "a"],
        "nqpf define nqpf (piped)": [nqpf, "define", "nqpf"],
        "nqpf define nqpf --json": [nqpf, "define", "nqpf", "--json"],
        "nqpf define nqpf -f table": [nqpf, "define", "nqpf", "-f", "table"],
        "nqpf compare old new": [nqpf, "compare", "old", "new"],
        "nqpf list": [nqpf, "list"],
        "nqpf validate": [nqpf, "validate"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    tmp = Path(sys.argv[0]).resolve().parent / ".tmp"
    tmp.mkdir(exist_ok=True)
    table = commands(tmp)
    samples: dict[str, list[float]] = {name: [] for name in table}
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons cache byte-code
    for argv in table.values():  # warm caches and .pyc files once
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env
        )
    for _ in range(args.runs):
        for name, argv in table.items():
            start = time.perf_counter()
            subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env
            )
            samples[name].append(time.perf_counter() - start)
    base = statistics.median(samples["python -c pass"])
    print(f"{'command':32} {'median ms':>10} {'× python -c pass':>17}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:32} {median * 1000:10.1f} {median / base:17.1f}")
    print(f"({args.runs} alternating runs each; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
