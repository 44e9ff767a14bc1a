"""Re-make the README's publication figures (PNG) with the Python API.

Same as the commands the README shows once the CLI writes figures:

    weaponsdb map fath-360 --from Belgorod --from Kursk --offline -o maps/figure-regional.png
    weaponsdb map hwasong-17 --from Pyongyang --offline -o maps/figure-intercontinental.png

Run from the repository root: python maps/figures.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from weaponsdb import specs
from weaponsdb.figures import figure, save_figure

HERE = Path(__file__).resolve().parent
FIGURES = {
    "figure-regional.png": ("Fath-360", ["Belgorod", "Kursk"]),
    "figure-intercontinental.png": ("Hwasong-17", ["Pyongyang"]),
}

if __name__ == "__main__":
    for name, (system, launches) in FIGURES.items():
        path = save_figure(figure(specs.map_spec(system, launches, offline=True)), HERE / name, force=True)
        print(path.relative_to(HERE.parent))
