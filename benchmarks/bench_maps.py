"""Map rendering: time and HTML size of a 10-system, 2-launch-point map (20 rings), online and offline.

Uses ``weaponsdb.maps.build_map`` + ``render_html`` on ten catalogue systems from 120 km to 5,500 km (the longest
reaches over the North Pole from these launch points). Prints, side by side, the time of the
20 ``range_ring`` calls alone, the full map online (tile basemap) and offline (every asset
inlined plus an embedded country basemap), the HTML sizes raw and gzipped, whether two renders
are byte-identical, and how many external references the offline page has left.
Run: python benchmarks/bench_maps.py
"""

import gzip
import platform
import statistics
import sys
import time

import branca
import folium
import pyproj
import shapely

from weaponsdb.catalog import load_catalog
from weaponsdb.geodesy import ring
from weaponsdb.specs import map_spec

SYSTEMS = ("fath-360", "tochka-u", "iskander-m", "kn-23", "dezful", "shahab-3", "kh-47m2-kinzhal", "kalibr",
           "kh-101", "oreshnik")
LAUNCHES = ("Belgorod=50.6,36.6", "Kursk=51.73,36.19")
REPEATS = 9


def timed(fn, repeats=REPEATS):
    """(best, median, last result) over repeats, after one warm-up call."""
    result = fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    return min(samples), statistics.median(samples), result


def main():
    from weaponsdb.maps import build_map, render_html
    from weaponsdb.offline import external_refs

    catalog = load_catalog()
    specs = {offline: map_spec(SYSTEMS, LAUNCHES, title="Benchmark: 10 systems", offline=offline, catalog=catalog)
             for offline in (False, True)}
    systems, launches = specs[False].systems, specs[False].points
    print(f"Python {platform.python_version()}, folium {folium.__version__}, branca {branca.__version__}, "
          f"shapely {shapely.__version__}, pyproj {pyproj.__version__}")
    print(f"{len(systems)} systems x {len(launches)} launch points = {len(systems) * len(launches)} rings: "
          + ", ".join(f"{s.id} ({s.range.max_km:,.0f} km)" for s in systems))
    print(f"best and median of {REPEATS} renders after a warm-up\n")

    def rings():
        return [ring(p.lat, p.lon, s.range.max_km, s.range.min_km) for s in systems for p in launches]

    def render(offline):
        return render_html(build_map(specs[offline]))

    r_best, r_med, geoms = timed(rings)
    vertices = sum(int(shapely.get_num_coordinates(g)) for g in geoms)
    rows = [("20 range_ring calls only", r_best, r_med, None)]
    pages = {}
    for offline in (False, True):
        best, med, page = timed(lambda: render(offline))
        pages[offline] = page
        rows.append((f"map {'offline' if offline else 'online'}", best, med, page))

    print(f"{'':<26}{'best s':>8}{'median s':>10}{'HTML KiB':>10}{'gzip KiB':>10}{'x rings':>9}")
    for label, best, med, page in rows:
        size = f"{len(page.encode()) / 1024:>10,.0f}{len(gzip.compress(page.encode())) / 1024:>10,.0f}" if page else f"{'':>20}"
        print(f"{label:<26}{best:>8.3f}{med:>10.3f}{size}{best / r_best:>8.1f}x")
    print(f"\nring vertices in total: {vertices:,}")
    online, offline = pages[False], pages[True]
    print(f"offline / online: {rows[2][1] / rows[1][1]:.2f}x the time, {len(offline) / len(online):.1f}x the size")
    print(f"byte-identical on a second render: online {online == render(False)}, offline {offline == render(True)}")
    refs = external_refs(offline)
    print(f"external references left in the offline page: {len(refs)}" + (f" {refs[:5]}" if refs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
