"""Reach at scale: every gazetteer city x 100 launch points x every catalogue system.

Times the vectorised core that reach() and compare() share (one ``distances_m`` call for all
pairs, then ``reach_counts`` over every system) against
  (a) a per-system loop that recomputes the distances for each system, and
  (b) bare ``pyproj.Geod.inv`` on the same pairs: the floor for any exact method.
It checks that all three give the same verdicts and reports peak traced memory of the core.

    python benchmarks/bench_reach.py [--launches 100] [--seed 0] [--repeat 3] [--loop-systems N]
"""

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pyproj

from weaponsdb.catalog import load_catalog
from weaponsdb.coverage import distance_matrix_km, in_range_matrix, reach_counts
from weaponsdb.gazetteer import cities
from weaponsdb.geodesy import distances_m


def core(launch_lat, launch_lon, city_lat, city_lon, lo, hi):
    return reach_counts(distance_matrix_km(launch_lat, launch_lon, city_lat, city_lon), lo, hi)


def per_system_loop(launch_lat, launch_lon, city_lat, city_lon, lo, hi):
    pairs, reached = np.zeros(len(hi), dtype=np.int64), np.zeros((len(hi), len(city_lat)), dtype=bool)
    for s in range(len(hi)):
        d = distances_m(launch_lat[:, None], launch_lon[:, None], city_lat[None, :], city_lon[None, :]) / 1000.0
        ok = (d >= lo[s]) & (d <= hi[s])
        pairs[s], reached[s] = np.count_nonzero(ok), ok.any(axis=0)
    return pairs, reached


def best_of(repeat, fn, *args):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the core and bare inv")
    parser.add_argument("--loop-systems", type=int, default=None,
                        help="time the per-system loop on the first N systems only and scale up")
    args = parser.parse_args()

    records = list(load_catalog())
    lo = np.array([r.range.min_km for r in records])
    hi = np.array([r.range.max_km for r in records])
    table = cities()
    city_lat, city_lon = table["lat"], table["lon"]
    rng = np.random.default_rng(args.seed)
    launch_lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, args.launches)))
    launch_lon = rng.uniform(-180.0, 180.0, args.launches)
    n_pairs = args.launches * len(city_lat)
    print(f"{len(city_lat):,} cities x {args.launches} launch points = {n_pairs:,} pairs; "
          f"{len(hi)} systems -> {n_pairs * len(hi):,} verdicts (seed {args.seed})")

    flat = [np.ascontiguousarray(np.broadcast_to(a, (args.launches, len(city_lat))).ravel())
            for a in (launch_lon[:, None], launch_lat[:, None], city_lon[None, :], city_lat[None, :])]
    geod = pyproj.Geod(ellps="WGS84")
    t_bare, bare = best_of(args.repeat, geod.inv, *flat)
    t_core, (pairs, reached) = best_of(args.repeat, core, launch_lat, launch_lon, city_lat, city_lon, lo, hi)

    k = len(hi) if args.loop_systems is None else max(1, min(args.loop_systems, len(hi)))
    t_loop, (loop_pairs, loop_reached) = best_of(1, per_system_loop, launch_lat, launch_lon, city_lat, city_lon,
                                                 lo[:k], hi[:k])
    t_loop *= len(hi) / k

    bare_ok = in_range_matrix(np.asarray(bare[2]).reshape(args.launches, -1)[:, :2000] / 1000.0, lo, hi)
    agree = (np.array_equal(loop_pairs, pairs[:k]) and np.array_equal(loop_reached, reached[:k])
             and np.array_equal(bare_ok.any(axis=1), reached[:, :2000]))

    del bare, flat
    tracemalloc.start()
    core(launch_lat, launch_lon, city_lat, city_lon, lo, hi)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"bare Geod.inv on the pairs      {t_bare:8.2f} s")
    print(f"vectorised core (reach_counts)  {t_core:8.2f} s   {t_core / t_bare:.2f}x bare (aim <= 1.5x)")
    scaled = "" if k == len(hi) else f" (timed on {k} systems, scaled)"
    print(f"per-system loop                 {t_loop:8.2f} s   {t_loop / t_core:.1f}x slower than the core{scaled}")
    print(f"verdicts agree (core / loop / bare sample): {agree}")
    print(f"in-range pairs: {int(pairs.sum()):,}; mean cities reached per system: {reached.sum(axis=1).mean():,.0f}")
    print(f"core peak traced memory {peak / 2**20:.0f} MiB; process max RSS {maxrss_mb:.0f} MiB "
          f"(a DataFrame of every verdict would be ~{n_pairs * len(hi) * 100 / 2**30:.0f} GiB at ~100 B/row)")


if __name__ == "__main__":
    main()
