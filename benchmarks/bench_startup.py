"""CLI start-up: ``weaponsdb show`` must not import folium, shapely or pyproj, and should start quickly.

1. ``python -X importtime -m weaponsdb show fath-360`` in a subprocess: every module imported,
   checked against the heavy libraries, with the slowest imports listed.
2. Wall time of the installed ``weaponsdb show fath-360`` and ``weaponsdb ring fath-360 --from
   50.6,36.6`` (median and best of 5 runs each), beside a bare ``python -c pass`` for scale.

Exits 1 if a check fails (python -m weaponsdb does not run, or a heavy library is imported).
Run: python benchmarks/bench_startup.py
"""

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HEAVY = ("folium", "shapely", "pyproj")
RUNS = 5
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def importtime(module_args):
    """(returncode, stderr, {module: cumulative us}) of python -X importtime -m <module_args>."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", *module_args], capture_output=True, text=True,
                          env=ENV)
    modules = {}
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
            if cumulative.isdigit():
                modules[name.strip()] = int(cumulative)
    return proc.returncode, proc.stderr, modules


def wall(cmd, runs=RUNS):
    """(median, best) seconds of running cmd, after one warm-up run; raises if it fails."""
    samples = []
    for i in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        if i:
            samples.append(time.perf_counter() - t)
    return statistics.median(samples), min(samples)


def main():
    failures = []
    print(f"Python {platform.python_version()} ({sys.executable})\n")

    args = ["weaponsdb", "show", "fath-360"]
    rc, stderr, modules = importtime(args)
    if rc != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {rc}"
        failures.append(f"'python -m weaponsdb' does not run: {last}")
        print(f"FAIL: python -X importtime -m {' '.join(args)} exited {rc}: {last}")
        args = ["weaponsdb.cli", "show", "fath-360"]
        print(f"      measuring imports with python -X importtime -m {' '.join(args)} instead\n")
        rc, stderr, modules = importtime(args)
        if rc != 0:
            print(stderr[-2000:])
            print("FAIL: could not run the CLI at all")
            return 1
    top = {name.split(".")[0] for name in modules}
    heavy = [h for h in HEAVY if h in top]
    print(f"python -X importtime -m {' '.join(args)}: {len(modules)} modules imported")
    for h in HEAVY:
        print(f"  {h:<8} {'IMPORTED' if h in top else 'not imported'}")
    if heavy:
        failures.append(f"weaponsdb show imports {', '.join(heavy)}")
    packages = {}
    for name, us in modules.items():
        if "." not in name:
            packages[name] = us
    print("  slowest top-level imports (cumulative ms): "
          + ", ".join(f"{n} {us / 1000:.0f}" for n, us in sorted(packages.items(), key=lambda kv: -kv[1])[:6]))

    exe = shutil.which("weaponsdb")
    if exe is None:
        print("FAIL: no 'weaponsdb' console script on PATH (pip install -e .)")
        return 1
    print(f"\nwall time, median and best of {RUNS} runs after a warm-up ({exe}):")
    base = wall([sys.executable, "-c", "pass"])
    show = wall([exe, "show", "fath-360"])
    ring = wall([exe, "ring", "fath-360", "--from", "50.6,36.6"])
    print(f"  {'python -c pass':<44}{base[0]:>7.3f} s  (best {base[1]:.3f} s)")
    print(f"  {'weaponsdb show fath-360':<44}{show[0]:>7.3f} s  (best {show[1]:.3f} s)")
    print(f"  {'weaponsdb ring fath-360 --from 50.6,36.6':<44}{ring[0]:>7.3f} s  (best {ring[1]:.3f} s)")
    print(f"  ring / show: {ring[0] / show[0]:.2f}x; show above bare python: {show[0] - base[0]:.3f} s")

    print()
    for f in failures:
        print(f"FAIL: {f}")
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
