"""Refresh the PNG pictures of the example maps (used by the README): python maps/screenshot.py

Each scenario is drawn offline into a temporary file, so the picture needs no map tiles, then
photographed by the system Chromium through Playwright.
"""

import sys
import tempfile
from pathlib import Path

from weaponsdb.catalog import load_catalog
from weaponsdb.export import write_atomic
from weaponsdb.maps import draw, screenshot
from weaponsdb.scenario import load_scenario

HERE = Path(__file__).resolve().parent
PICTURED = ("fath-360-ukraine-border", "long-range")


def main(names=PICTURED):
    catalog = load_catalog()
    for name in names:
        s = load_scenario(HERE / f"{name}.toml")
        records = [catalog.get(n) for n in s.systems] or [None]
        html = draw(records, list(s.launches), title=s.title, offline=True, uncertainty=s.uncertainty,
                    max_km=s.max_km, min_km=s.min_km, extra=[s.note] if s.note else None, catalog=catalog)
        with tempfile.TemporaryDirectory() as tmp:
            page = write_atomic(Path(tmp) / f"{name}.html", html)
            print(screenshot(page, HERE / f"{name}.png"))


if __name__ == "__main__":
    main(sys.argv[1:] or PICTURED)
