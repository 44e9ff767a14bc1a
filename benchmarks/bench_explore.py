"""The explorer's HTTP API under load, on loopback: throughput and latency percentiles, and errors.

Starts ``weaponsdb explore --workers N`` (or plain ``uvicorn --factory``, ``--server uvicorn``) in a
separate process, then:
  1. one client, one request at a time: a regional ring (Fath-360 from one point, what a drag
     asks for) and a drag-like sequence of moved points, for the latency a user feels;
  2. ``--clients`` concurrent clients sharing ``--requests`` requests, half rings and half reach
     verdicts at random points, until all are done; reports throughput, p50/p95/p99 per kind and
     the error count (any non-200 answer or failed connection). The run stops by itself.

    python benchmarks/bench_explore.py [--clients 50] [--requests 2000] [--workers 1] [--seed 0]

Needs the explore extra and httpx: ``pip install -e '.[explore]' httpx``.
"""

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time

import httpx
import numpy as np

RING_SYSTEMS = ["fath-360", "iskander-m", "fateh-110", "kn-23"]
TARGETS = ["Kyiv", "Kharkiv=49.98177,36.25475", "Dnipro", "Zaporizhzhia", "Poltava"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, server: str = "explore") -> subprocess.Popen:
    if server == "explore":
        cmd = [sys.executable, "-m", "weaponsdb", "explore", "--no-browser", "--port", str(port), "--workers", str(workers)]
    else:  # plain uvicorn CLI, for comparison
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "weaponsdb.explore:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/config", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")


def point(rng: random.Random) -> str:
    """A random point in the border region (the rings' and verdicts' work does not depend much on where)."""
    return f"{rng.uniform(49.0, 53.0):.5f},{rng.uniform(34.0, 40.0):.5f}"


def ring_request(rng: random.Random) -> tuple[str, dict]:
    systems = rng.sample(RING_SYSTEMS, rng.choice((1, 2)))
    return "/api/rings", {"system": systems, "launch": [point(rng) for _ in range(rng.choice((1, 2)))]}


def reach_request(rng: random.Random) -> tuple[str, dict]:
    return "/api/reach", {"system": rng.sample(RING_SYSTEMS, 2), "launch": [point(rng), point(rng)],
                          "target": rng.sample(TARGETS, 3)}


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else float("nan")


def sequential(base: str, n: int) -> dict:
    """One client: a regional ring per request (a drag's redraw), and a 1-point reach."""
    out = {}
    with httpx.Client(base_url=base, timeout=30) as c:
        for name, params in [
            ("ring: Fath-360, 1 point", lambda i: {"system": "fath-360", "launch": f"{50.6 + i * 1e-3:.5f},36.6"}),
            ("ring: Iskander-M, 1 point", lambda i: {"system": "iskander-m", "launch": f"{50.6 + i * 1e-3:.5f},36.6"}),
            ("ring: 4 systems x 2 points", lambda i: {"system": RING_SYSTEMS,
                                                      "launch": [f"{50.6 + i * 1e-3:.5f},36.6", "51.73,36.19"]}),
        ]:
            times = []
            for i in range(n):
                t = time.perf_counter()
                r = c.get("/api/rings", params=params(i))
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
            out[name] = times
    return out


async def load(base: str, clients: int, total: int, seed: int) -> tuple[dict, int, float, list[str]]:
    rng = random.Random(seed)
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(("ring", *ring_request(rng)) if i % 2 == 0 else ("reach", *reach_request(rng)))
    times: dict[str, list[float]] = {"ring": [], "reach": []}
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(c: httpx.AsyncClient):
        while True:
            try:
                kind, path, params = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t = time.perf_counter()
            try:
                r = await c.get(path, params=params)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {path} {r.text[:120]}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {path}")
            times[kind].append(time.perf_counter() - t)

    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:
        start = time.perf_counter()
        await asyncio.gather(*(client(c) for _ in range(clients)))
        wall = time.perf_counter() - start
    return times, len(errors), wall, errors[:5]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--server", choices=("explore", "uvicorn"), default="explore",
                    help="'weaponsdb explore --workers N' (default) or the plain 'uvicorn --factory' command")
    ap.add_argument("--sequential", type=int, default=200, help="requests per single-client case")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    port = free_port()
    proc = start_server(port, args.workers, args.server)
    base = f"http://127.0.0.1:{port}"
    try:
        # Warm every worker: the gazetteer, and pyproj's per-thread copies in the request thread pool.
        asyncio.run(load(base, 40 * args.workers, 200 * args.workers, args.seed + 1))
        seq = sequential(base, args.sequential)
        times, n_errors, wall, sample = asyncio.run(load(base, args.clients, args.requests, args.seed))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(f"# bench_explore: Python {platform.python_version()}, {os.cpu_count()} cores, {args.server} --workers {args.workers}, "
          f"threads per worker={os.environ.get('WEAPONSDB_EXPLORE_THREADS', 'default')}, "
          f"load average before/after {load_before:.1f}/{os.getloadavg()[0]:.1f}")
    print("\nOne client, one request at a time (what a drag waits for), ms:\n")
    print("| request | n | p50 | p95 | p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, t in seq.items():
        print(f"| {name} | {len(t)} | {pct(t, 50):.1f} | {pct(t, 95):.1f} | {pct(t, 99):.1f} |")
    done = sum(len(t) for t in times.values())
    print(f"\n{args.clients} concurrent clients, {done} requests (half rings, half reach) in {wall:.1f} s: "
          f"{done / wall:.0f} requests/s, {n_errors} errors\n")
    print("| request | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, t in [*times.items(), ("all", times["ring"] + times["reach"])]:
        print(f"| {kind} | {len(t)} | {pct(t, 50):.0f} | {pct(t, 95):.0f} | {pct(t, 99):.0f} | "
              f"{max(t) * 1000 if t else float('nan'):.0f} |")
    if sample:
        print("\nfirst errors:", *sample, sep="\n  ")
    print(f"\nmean sequential Fath-360 ring: {statistics.fmean(seq['ring: Fath-360, 1 point']) * 1000:.1f} ms")
    return 1 if n_errors else 0


if __name__ == "__main__":
    sys.exit(main())
