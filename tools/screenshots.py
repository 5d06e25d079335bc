"""Take the README's screenshots of the exported HTML site.

    .venv/bin/python tools/screenshots.py

Exports the shipped knowledge base with `nqpf export --format html` into a temporary
folder and photographs it in headless Chromium (Debian's `chromium`, driven by
Playwright; no browser download): the index with a filter typed in, at desktop width, as
docs/export-index.png, and one entry page at phone width as docs/export-entry.png.
Chinese needs a CJK font (Debian: `apt-get install fonts-noto-cjk`), or it shows as boxes.
Not run by the tests or CI: run it by hand when the site's look changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("NQPF_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
]


def export(folder: Path) -> None:
    nqpf = Path(sys.executable).with_name("nqpf")
    command = [str(nqpf)] if nqpf.exists() else [sys.executable, "-m", "nqpf_cli"]
    subprocess.run(
        [*command, "export", "--format", "html", "--output", str(folder)],
        check=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "NQPF_KB"},
    )


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        sys.stderr.write(f"screenshots: no Chromium at {CHROMIUM} (apt-get install chromium)\n")
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        site = Path(temporary) / "site"
        export(site)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            desktop = browser.new_page(
                viewport={"width": 1100, "height": 760}, color_scheme="light"
            )
            desktop.goto((site / "index.html").as_uri())
            desktop.fill("#q", "xinzhi")
            desktop.screenshot(path=str(DOCS / "export-index.png"))
            phone = browser.new_page(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                color_scheme="light",
            )
            phone.goto((site / "entries" / "made-in-china-2025.html").as_uri())
            phone.screenshot(path=str(DOCS / "export-entry.png"))
            browser.close()
    for name in ("export-index.png", "export-entry.png"):
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
