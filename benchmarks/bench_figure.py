"""Publication figures: a regional PNG against the same HTML map, plus matplotlib's import.

The map is the README's: Fath-360 from Belgorod and Kursk, offline (embedded country outlines).
Target (issue 14): the regional PNG in under 2x (HTML map + matplotlib import).

Measured two ways, each as best and median of interleaved samples:

* warm, in one process: building the HTML page vs building the figure and rendering the PNG
  (also SVG and PDF), after one warm-up call each so caches (outlines, gazetteer) are loaded;
* cold, one fresh process per sample: ``spec -> file`` end to end, imports included, for HTML
  and for PNG, and ``import matplotlib`` (Agg, ``Figure``) plus ``cartopy.crs`` on its own.

Run: python benchmarks/bench_figure.py [--repeats N]
"""

import argparse
import io
import platform
import statistics
import subprocess
import sys
import time

REGIONAL = ("Fath-360", ["Belgorod", "Kursk"])

#: Timed inside the child process, after weaponsdb's own imports, so interpreter start-up is left out.
IMPORT_MPL = ("import time, sys, weaponsdb.specs, weaponsdb.geodesy\n"
              "t = time.perf_counter()\n"
              "import matplotlib; matplotlib.use('Agg'); from matplotlib.figure import Figure; import cartopy.crs\n"
              "sys.stdout.write(repr(time.perf_counter() - t))\n")

def html_page(spec):
    """The HTML map of ``spec`` with whichever maps API this branch has."""
    from weaponsdb import maps

    if hasattr(maps, "build_map") and hasattr(maps, "render_html"):
        return maps.render_html(maps.build_map(spec))
    return maps.draw([s.to_record() for s in spec.systems], list(spec.points), title=spec.title, offline=spec.offline,
                     uncertainty=spec.uncertainty, extra=spec.notes, point_label=spec.point_label)


def png_bytes(spec, fmt="png"):
    from weaponsdb.figures import figure

    fig = figure(spec)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=fig.dpi)
    return buf.getvalue()


def timed_interleaved(fns: dict, repeats: int) -> dict:
    results = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            results[name].append(time.perf_counter() - t)
    return {name: (min(v), statistics.median(v)) for name, v in results.items()}


def import_cost(repeats: int) -> tuple[float, float]:
    samples = [float(subprocess.run([sys.executable, "-c", IMPORT_MPL], check=True, capture_output=True,
                                    text=True).stdout) for _ in range(repeats)]
    return min(samples), statistics.median(samples)


def cold(code: str, repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        samples.append(time.perf_counter() - t)
    return min(samples), statistics.median(samples)


def cold_script(kind: str) -> str:
    names, points = REGIONAL
    head = f"from weaponsdb import specs\nspec = specs.map_spec({names!r}, {points!r}, offline=True)\n"
    if kind == "html":
        return head + (
            "from weaponsdb import maps\n"
            "page = maps.render_html(maps.build_map(spec)) if hasattr(maps, 'build_map') else maps.draw("
            "[s.to_record() for s in spec.systems], list(spec.points), offline=True)\n"
            "open('/dev/null', 'w').write(page)\n")
    return head + ("import matplotlib; matplotlib.use('Agg')\n"
                   "from weaponsdb.figures import figure\n"
                   "fig = figure(spec); fig.savefig('/dev/null', format='png', dpi=fig.dpi)\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    import cartopy
    import matplotlib

    matplotlib.use("Agg")
    from weaponsdb import specs

    print(f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, cartopy {cartopy.__version__}")
    names, points = REGIONAL
    spec = specs.map_spec(names, points, offline=True)
    print(f"map: {names} from {', '.join(points)} (offline); best / median of {args.repeats} interleaved samples\n")

    warm = timed_interleaved({
        "HTML map (offline)": lambda: html_page(spec),
        "figure -> PNG": lambda: png_bytes(spec, "png"),
        "figure -> SVG": lambda: png_bytes(spec, "svg"),
        "figure -> PDF": lambda: png_bytes(spec, "pdf"),
        "figure only (no render)": lambda: __import__("weaponsdb.figures", fromlist=["figure"]).figure(spec),
    }, args.repeats)
    print("warm, in one process        best s   median s")
    for name, (best, med) in warm.items():
        print(f"  {name:<26}{best:>7.3f}{med:>10.3f}")

    n = max(3, args.repeats // 2)
    imp = import_cost(n)
    mpl_import = imp[0]
    html_cold = cold(cold_script("html"), n)
    png_cold = cold(cold_script("png"), n)
    print(f"\ncold, fresh process per sample (best / median of {n})")
    print(f"  {'import matplotlib (Agg) + cartopy.crs':<36}{imp[0]:>7.3f}{imp[1]:>10.3f}")
    print(f"  {'spec -> HTML file':<36}{html_cold[0]:>7.3f}{html_cold[1]:>10.3f}")
    print(f"  {'spec -> PNG file':<36}{png_cold[0]:>7.3f}{png_cold[1]:>10.3f}")

    html_w, png_w = warm["HTML map (offline)"][0], warm["figure -> PNG"][0]
    warm_ratio = png_w / (html_w + mpl_import)
    cold_ratio = png_cold[0] / (html_cold[0] + mpl_import)
    print(f"\nwarm: PNG / (HTML + matplotlib import) = {png_w:.3f} / ({html_w:.3f} + {mpl_import:.3f}) = "
          f"{warm_ratio:.2f}x  (target < 2x: {'met' if warm_ratio < 2 else 'NOT met'})")
    print(f"cold: PNG process / (HTML process + matplotlib import) = {png_cold[0]:.3f} / ({html_cold[0]:.3f} + "
          f"{mpl_import:.3f}) = {cold_ratio:.2f}x  (target < 2x: {'met' if cold_ratio < 2 else 'NOT met'})")
    return 0 if warm_ratio < 2 and cold_ratio < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
