"""PNG pictures of maps as a browser shows them (for READMEs and articles), via Playwright and system Chromium.

Uses Debian's ``chromium`` (never ``playwright install``), so taking a picture downloads nothing.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def chromium() -> str:
    """The system Chromium: first on PATH, else Debian's path."""
    return shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(html_path: str | Path, png_path: str | Path, width: int = 1200, height: int = 800) -> Path:
    """A PNG of the map in ``html_path``, once its rings are on the page and the network is quiet."""
    from playwright.sync_api import sync_playwright

    png_path = Path(png_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.wait_for_selector("path.range-ring", state="attached")
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=5000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(png_path))
        finally:
            browser.close()
    return png_path
