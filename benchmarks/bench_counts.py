"""coverage_counts at scale: the exact kernel against bare Geod.inv, and the local and Dask engines' throughput.

Part 1 times ``counts.count_block`` (great-circle dot products with a proven metric bound decide
most pairs; Geod.inv only in the band around each range) against bare ``pyproj.Geod.inv`` on the
same (launch, target) pairs, the floor for any method that solves every geodesic, and checks
that both give the same counts for every system. Two target sets: uniform over the globe, and
regional (all within ~2,500 km of the launch points), where far more pairs sit near some range.

Part 2 writes a Parquet file of random targets and measures targets x launch points per second
through ``weaponsdb.coverage_counts`` with ``engine="local"`` (blocks in one process) and
``engine="dask"`` (partitions on a LocalCluster), start-up included and excluded.

    python benchmarks/bench_counts.py [--targets 1000000] [--launches 20] [--file-targets 10000000] [--workers N]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

import weaponsdb
from weaponsdb.catalog import load_catalog
from weaponsdb.counts import Targets, count_block, ranges
from weaponsdb.model import Place


def truth_from_distances(d_km: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(launches, systems) counts from exact distances: sorted once per launch, then two binary searches per system."""
    out = np.zeros((d_km.shape[0], len(hi)), dtype=np.int64)
    for i, row in enumerate(np.sort(d_km, axis=1)):
        out[i] = np.searchsorted(row, hi, side="right") - np.searchsorted(row, lo, side="left")
    return out


def uniform(rng, n):
    return np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)


def kernel_vs_inv(name, launches, lat, lon, systems, repeat):
    lo, hi = ranges(systems)
    geod = pyproj.Geod(ellps="WGS84")
    targets = Targets.of(lat, lon)
    n = lat.size
    t_inv, d = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        d = np.stack([np.asarray(geod.inv(np.full(n, p.lon), np.full(n, p.lat), lon, lat)[2]) for p in launches]) / 1000.0
        t_inv = min(t_inv, time.perf_counter() - start)
    t_kernel, got = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        got = count_block(launches, targets, lo, hi)
        t_kernel = min(t_kernel, time.perf_counter() - start)
    same = np.array_equal(got, truth_from_distances(d, lo, hi))
    pairs = n * len(launches)
    print(f"{name:<9} {pairs:>12,} pairs  Geod.inv {t_inv:7.2f} s ({pairs / t_inv / 1e6:5.2f} M/s)  "
          f"kernel {t_kernel:7.2f} s ({pairs / t_kernel / 1e6:5.2f} M/s)  ratio {t_inv / t_kernel:5.2f}x  "
          f"identical counts for {len(hi)} systems: {same}")
    return t_inv / t_kernel, same


def throughput(systems, launches, path, n, workers):
    from distributed import Client, LocalCluster

    pairs = n * len(launches)
    start = time.perf_counter()
    local = weaponsdb.coverage_counts(systems, launches, path)
    t_local = time.perf_counter() - start
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    t_up = time.perf_counter() - start
    start = time.perf_counter()
    dask = weaponsdb.coverage_counts(systems, launches, path, engine="dask", scheduler=client)
    t_dask = time.perf_counter() - start
    client.close()
    cluster.close()
    print(f"{n:,} targets x {len(launches)} launch points = {pairs:,} pairs from {path.name} "
          f"({path.stat().st_size / 2**20:.0f} MiB), {len(systems)} systems")
    print(f"  local engine            {t_local:7.2f} s   {pairs / t_local / 1e6:6.2f} M pairs/s")
    print(f"  dask, {workers} workers       {t_dask:7.2f} s   {pairs / t_dask / 1e6:6.2f} M pairs/s "
          f"(+{t_up:.1f} s to start the cluster: {pairs / (t_dask + t_up) / 1e6:.2f} M pairs/s overall)")
    print(f"  identical tables: {local.equals(dask)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=1_000_000, help="targets for part 1")
    parser.add_argument("--launches", type=int, default=20)
    parser.add_argument("--file-targets", type=int, default=10_000_000, help="targets in the Parquet file of part 2")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", choices=("all", "kernel", "engines"), default="all")
    args = parser.parse_args()

    systems = list(load_catalog())
    rng = np.random.default_rng(args.seed)
    lat0, lon0 = 50.0, 36.0
    launches = [Place(float(lat0 + a), float(lon0 + b), f"L{i}")
                for i, (a, b) in enumerate(zip(rng.uniform(-3, 3, args.launches), rng.uniform(-5, 5, args.launches)))]
    print(f"{len(systems)} catalogue systems ({min(s.range.max_km for s in systems):,.0f}-"
          f"{max(s.range.max_km for s in systems):,.0f} km), {args.launches} launch points near Belgorod, seed {args.seed}; "
          f"{len(os.sched_getaffinity(0))} CPUs")
    if args.part in ("all", "kernel"):
        ratios = [kernel_vs_inv("global", launches, *uniform(rng, args.targets), systems, args.repeat)]
        lat = lat0 + rng.uniform(-22, 22, args.targets)
        lon = lon0 + rng.uniform(-35, 35, args.targets)
        ratios.append(kernel_vs_inv("regional", launches, lat, lon, systems, args.repeat))
        print(f"speed-up over bare Geod.inv: {min(r for r, _ in ratios):.2f}x at worst (aim >= 3x); "
              f"exact: {all(s for _, s in ratios)}")
    if args.part == "kernel":
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "targets.parquet"
        lat, lon = uniform(rng, args.file_targets)
        pd.DataFrame({"lat": lat, "lon": lon}).to_parquet(path, row_group_size=1 << 20)
        del lat, lon
        throughput(systems, launches[:4], path, args.file_targets, args.workers)


if __name__ == "__main__":
    main()
