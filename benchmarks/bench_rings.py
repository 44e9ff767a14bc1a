"""Ring building: weaponsdb.geodesy.range_ring against what a user would otherwise write.

(a) the geopy loop: ``geopy.distance.geodesic(kilometers=r).destination(centre, bearing)`` over 360
    bearings, then a shapely Polygon (target: weaponsdb at least 40x faster);
(b) bare ``pyproj.Geod.fwd``, vectorised over as many vertices as weaponsdb's ring has, then
    ``shapely.Polygon`` (target: weaponsdb within 2x of it).

The baselines build a naive polygon: wrong at the dateline and around a pole, which is exactly
the work weaponsdb does on top (seam points, splitting, pole closure). Run: python benchmarks/bench_rings.py
"""

import platform
import statistics
import sys
import time

import geopy
import geopy.distance
import numpy as np
import pyproj
import shapely

from weaponsdb.geodesy import GEOD, ring

# (label, lat, lon, range km)
CASES = [
    ("120 km from 50N", 50.0, 36.6, 120.0),
    ("500 km from 50N", 50.0, 36.6, 500.0),
    ("2,000 km from 50N", 50.0, 36.6, 2000.0),
    ("1,500 km dateline", 60.0, 178.0, 1500.0),
    ("12,000 km pole-covering", 50.0, 36.6, 12000.0),
]
REPEATS = 9
MIN_SAMPLE_S = 0.05  # each timing sample loops the call until it lasts at least this long
GEOPY_TARGET = 40.0  # weaponsdb at least this many times faster than the geopy loop
FWD_TARGET = 2.0  # weaponsdb at most this many times slower than bare Geod.fwd + Polygon


def loops_for(fn) -> int:
    """How many calls make one timing sample last about MIN_SAMPLE_S (after a warm-up call)."""
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < MIN_SAMPLE_S / 5:
        fn()
        n += 1
    return max(1, round(n * MIN_SAMPLE_S / (time.perf_counter() - t0)))


def per_call(*fns):
    """(best, median) seconds per call for each fn, samples interleaved so that load on a shared
    machine hits all of them alike."""
    numbers = [loops_for(fn) for fn in fns]
    samples = [[] for _ in fns]
    for _ in range(REPEATS):
        for fn, number, out in zip(fns, numbers, samples):
            t = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - t) / number)
    return [(min(x), statistics.median(x)) for x in samples]


def geopy_ring(lat, lon, km):
    d = geopy.distance.geodesic(kilometers=km)
    pts = [d.destination((lat, lon), b) for b in range(360)]
    return shapely.Polygon([(p.longitude, p.latitude) for p in pts])


def fwd_ring(lat, lon, km, n):
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, km * 1000.0), return_back_azimuth=False)
    return shapely.Polygon(np.column_stack([x, y]))


def vertices(geom) -> int:
    """Distinct vertices: coordinates minus each ring's closing repeat."""
    return int(shapely.get_num_coordinates(geom)) - len(shapely.get_rings(shapely.get_parts(geom)))


def geodesic_calls(fn) -> tuple[int, int]:
    """(Geod.fwd/inv calls, points computed) during one call of fn: where weaponsdb's time goes."""
    calls, points = 0, 0
    originals = {name: getattr(GEOD, name) for name in ("fwd", "inv")}

    def counted(original):
        def wrapper(*args, **kwargs):
            nonlocal calls, points
            calls += 1
            points += int(np.size(args[0]))
            return original(*args, **kwargs)
        return wrapper

    for name, original in originals.items():
        setattr(GEOD, name, counted(original))
    try:
        fn()
    finally:
        for name in originals:
            delattr(GEOD, name)
    return calls, points


def ms(s):
    return f"{s * 1e3:8.3f}"


def main():
    print(f"Python {platform.python_version()}, pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
          f"shapely {shapely.__version__}, geopy {geopy.__version__}, numpy {np.__version__}")
    print(f"best and median of {REPEATS} interleaved samples (ms per ring); ratios on the best times; verts: "
          "vertices of weaponsdb's ring (the Geod.fwd baseline uses as many); calls/points: Geod.fwd+inv calls "
          "and points computed by one range_ring\n")
    head = (f"{'case':<25}{'verts':>6}{'calls':>6}{'points':>7}  {'weaponsdb':>17}  {'geopy loop (360)':>17}  {'Geod.fwd+Polygon':>17}"
            f"  {'geopy/wdb':>9}  {'wdb/fwd':>7}")
    print(head)
    print(f"{'':<25}{'':>19}  {'best':>8} {'median':>8}  {'best':>8} {'median':>8}  {'best':>8} {'median':>8}")
    rows = []
    for label, lat, lon, km in CASES:
        geom = ring(lat, lon, km)
        n = vertices(geom)
        calls, points = geodesic_calls(lambda: ring(lat, lon, km))
        wdb, gpy, fwd = per_call(lambda: ring(lat, lon, km), lambda: geopy_ring(lat, lon, km),
                                 lambda: fwd_ring(lat, lon, km, n))
        r_geopy, r_fwd = gpy[0] / wdb[0], wdb[0] / fwd[0]
        rows.append((label, r_geopy, r_fwd))
        print(f"{label:<25}{n:>6}{calls:>6}{points:>7}  {ms(wdb[0])} {ms(wdb[1])}  {ms(gpy[0])} {ms(gpy[1])}  {ms(fwd[0])} {ms(fwd[1])}"
              f"  {r_geopy:8.1f}x  {r_fwd:6.2f}x")
    med_geopy = statistics.median(r for _, r, _ in rows)
    med_fwd = statistics.median(r for _, _, r in rows)
    print(f"{'median of cases':<25}{'':>19}  {'':>17}  {'':>17}  {'':>17}  {med_geopy:8.1f}x  {med_fwd:6.2f}x\n")

    ok = True
    for label, r_geopy, r_fwd in rows:
        a = r_geopy >= GEOPY_TARGET
        b = r_fwd <= FWD_TARGET
        ok &= a and b
        print(f"{label:<25} vs geopy: {r_geopy:6.1f}x faster  [{'met' if a else 'NOT MET'}: >= {GEOPY_TARGET:g}x]   "
              f"vs Geod.fwd: {r_fwd:5.2f}x the time  [{'met' if b else 'NOT MET'}: <= {FWD_TARGET:g}x]")
    a, b = med_geopy >= GEOPY_TARGET, med_fwd <= FWD_TARGET
    print(f"{'median':<25} vs geopy: {med_geopy:6.1f}x faster  [{'met' if a else 'NOT MET'}]   "
          f"vs Geod.fwd: {med_fwd:5.2f}x the time  [{'met' if b else 'NOT MET'}]")
    print("\nall targets met" if ok else "\nsome targets NOT met (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
