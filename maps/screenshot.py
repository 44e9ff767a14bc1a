"""Refresh the PNG pictures of the example maps (used by the README): python maps/screenshot.py

Each scenario is drawn offline into a temporary file, so the picture needs no map tiles, then
photographed by the system Chromium through Playwright.
"""

import dataclasses
import sys
import tempfile
from pathlib import Path

from weaponsdb.catalog import load_catalog
from weaponsdb.maps import build_map, save_html
from weaponsdb.scenario import load_scenario
from weaponsdb.screenshot import screenshot

HERE = Path(__file__).resolve().parent
PICTURED = ("fath-360-ukraine-border", "long-range", "pacific-dateline", "iskander-fan")


def main(names=PICTURED):
    catalog = load_catalog()
    for name in names:
        spec = dataclasses.replace(load_scenario(HERE / f"{name}.toml", catalog).spec, offline=True)
        with tempfile.TemporaryDirectory() as tmp:
            page = save_html(build_map(spec), Path(tmp) / f"{name}.html")
            print(screenshot(page, HERE / f"{name}.png"))


if __name__ == "__main__":
    main(sys.argv[1:] or PICTURED)
