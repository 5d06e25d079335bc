"""The shipped knowledge base travels inside the package, for wheels and editable installs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nqpf_cli
from nqpf_cli.layers import shipped_path

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_file_is_inside_the_imported_package() -> None:
    path = shipped_path()
    assert path.is_file()
    assert path.parent.parent == Path(nqpf_cli.__file__).parent
    # In a source checkout the package's data folder is the repository's data/ folder.
    if (ROOT / "data" / "terms.yaml").exists() and str(ROOT) in str(nqpf_cli.__file__):
        assert path.resolve() == (ROOT / "data" / "terms.yaml").resolve()


def test_wheel_contains_the_knowledge_base_and_runs(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("nqpf-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "nqpf_cli/data/terms.yaml" in names
        assert "nqpf_cli/cli.py" in names
        assert {"nqpf_cli/site/site.js", "nqpf_cli/site/style.css"} <= names  # export --format html
        packed = archive.read("nqpf_cli/data/terms.yaml")
    assert packed == (ROOT / "data" / "terms.yaml").read_bytes()
    # Unpacked on its own (no source tree), the package still finds and parses its data.
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from nqpf_cli.kb import load; kb = load(include_shipped=True, environ={});"
        "print(len(kb.entries), len(kb.errors()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    count, errors = out.stdout.split()
    assert int(count) > 0 and errors == "0"
