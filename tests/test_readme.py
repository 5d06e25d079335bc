"""The README is part of the product: its quickstart and example output must be true."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quickstart_has_exactly_two_setup_commands() -> None:
    assert README.count("<!-- quickstart:run -->") == 1
    assert README.count("<!-- quickstart:test -->") == 1
    run = README.split("<!-- quickstart:run -->")[1].split("```")[1]
    test = README.split("<!-- quickstart:test -->")[1].split("```")[1]
    assert "nqpf define" in run and "pip install ." in run
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "quickstart:run" in ci and "quickstart:test" in ci
    assert "ruff check" in ci and "ruff format --check" in ci and "mypy" in ci


@pytest.mark.skipif(shutil.which("jq") is None, reason="the README's pipeline examples use jq")
def test_readme_examples_show_current_output() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "readme_examples.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
