"""Keep the README's example output real.

Each example in README.md is written as

    <!-- example: nqpf define nqpf | head -n 5 -->
    ```
    …output…
    ```

This script runs every command (with the installed `nqpf` first on PATH, COLUMNS=80,
no colour) and rewrites the block under it. `--check` only compares and exits 1 when a
block is stale, which the test suite uses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- example: (?P<cmd>.+?) -->\n```[a-z]*\n)(?P<out>.*?)(```)", re.S)


def run(command: str) -> str:
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "COLUMNS": "80",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    env.pop("NQPF_KB", None)
    # A personal ~/.local/share/nqpf glossary must not change the README's output.
    env["XDG_DATA_HOME"] = str(Path(tempfile.gettempdir()) / "nqpf-readme-empty-data-home")
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=README.parent,
        timeout=120,
    )
    return result.stdout + (f"[exit {result.returncode}]\n" if result.returncode else "")


def render(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + run(m.group("cmd")) + m.group(4), text)


def main() -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        if fresh != current:
            sys.stderr.write("README examples are stale; run: python tools/readme_examples.py\n")
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
