"""The ``weaponsdb`` command line.

Every user mistake ends as one line on stderr and exit code 2, never a traceback. Heavy
libraries (pyproj, shapely, folium) are imported inside the commands that need them, so
``weaponsdb show`` stays quick.
"""

import argparse
import json
import re
import sys
import textwrap
import unicodedata
from pathlib import Path

from . import __version__
from .errors import CatalogError, InputError
from .units import convert, format_distance, parse_distance

EARTH_CIRCUMFERENCE_KM = 40_075.0
EPILOG = """\
examples:
  weaponsdb show "Fath 360"                      specs, aliases and sources of one system
  weaponsdb list --category SRBM --units mi      browse the catalogue
  weaponsdb map fath-360 --from Belgorod --from Kursk --offline
  weaponsdb ring iskander-m --from "50.6N 36.6E" -o iskander.geojson
  weaponsdb distance Belgorod Kyiv
  weaponsdb reach Kyiv --from Belgorod --system fath-360 --system iskander-m
  weaponsdb compare fath-360 iskander-m --from Belgorod --country UA
  weaponsdb render maps/fath-360-ukraine-border.toml
  weaponsdb check --catalog my-systems.csv

points (--from, targets) may be written as 50.6,36.6 | 50.6N 36.6E | 50°36'00"N 36°35'54"E |
MGRS 37UCS3003708064 | a place name from the offline gazetteer (Kyiv; Odessa, US),
optionally labelled: "Site A=50.6,36.6". Distances: 500km, 75mi, 270nmi (a bare number is km).
"""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error that points at --help.

    Values starting with a minus and a digit (``-33.9,18.4``, ``-5km``) are values, not options,
    so southern and western points can be typed as they are.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def distance_arg(text):
    try:
        km = parse_distance(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if km > EARTH_CIRCUMFERENCE_KM:
        raise argparse.ArgumentTypeError(
            f"distance {text!r} is longer than the Equator ({EARTH_CIRCUMFERENCE_KM:,.0f} km): expected at most 40075km")
    return km


def build_parser() -> Parser:
    p = Parser(
        prog="weaponsdb",
        description="A cited weapon-systems catalogue and geodesically exact (WGS84) range rings, drawn as HTML maps.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"weaponsdb {__version__}")
    p.add_argument("--catalog", metavar="FILE", help="use your own systems CSV (same columns as data/systems.csv) instead of the bundled one")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    def command(name, help_text, description=None):
        examples = "\n".join(line for line in EPILOG.splitlines() if line.startswith(f"  weaponsdb {name} "))
        c = sub.add_parser(name, help=help_text, description=textwrap.fill(description or help_text, 88),
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog=f"example:\n{examples}" if examples else None)
        c.add_argument("--catalog", metavar="FILE", default=argparse.SUPPRESS,
                       help="use your own systems CSV instead of the bundled one")
        return c

    def display_args(c, csv=False):
        c.add_argument("--units", choices=("km", "mi", "nmi"), default="km", help="unit for displayed distances (default: km)")
        c.add_argument("--json", action="store_true", help="print JSON for scripts")
        if csv:
            c.add_argument("--csv", action="store_true", help="print CSV")

    c = command("list", "list systems, optionally filtered", "List catalogue systems with their ranges. Filters combine.")
    c.add_argument("--category", action="append", help="e.g. SRBM, ICBM, 'loitering munition' (repeatable)")
    c.add_argument("--country", help="country of origin, e.g. Iran")
    c.add_argument("--min-range", metavar="DIST", help="only systems reaching at least DIST, e.g. 200mi")
    c.add_argument("--max-range", metavar="DIST", help="only systems reaching at most DIST")
    display_args(c)

    c = command("show", "one system with its sources", "Show one system: specs, aliases and where every figure comes from. "
                "Matching ignores case, spaces and punctuation and covers aliases (Fateh-360, Geran-2, SS-26).")
    c.add_argument("name", help="system name, id or alias")
    display_args(c)

    command("check", "validate the catalogue table", "Validate a catalogue (the bundled one, or --catalog FILE): "
            "reports every problem as FILE:LINE: column: problem and exits 2 if there is any.")

    c = command("ring", "range rings as GeoJSON or KML", "Geodesic range rings: one feature per system (or ad-hoc "
                "--range) and launch point, as an RFC 7946 FeatureCollection on stdout, or written with -o.")
    c.add_argument("systems", nargs="*", metavar="SYSTEM", help="systems to ring (omit with --range for an ad-hoc ring)")
    _launch_args(c, required=True)
    _range_args(c)
    c.add_argument("-o", "--output", metavar="FILE", help="write .geojson or .kml instead of printing GeoJSON")
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("distance", "geodesic distance and azimuth between two points")
    c.add_argument("a", metavar="A", help="first point")
    c.add_argument("b", metavar="B", help="second point")
    display_args(c)

    c = command("map", "draw range rings on an HTML map", "Draw range rings on a Leaflet HTML map. Online tiles by "
                "default; --offline makes a self-contained file that needs no network at all.")
    c.add_argument("systems", nargs="*", metavar="SYSTEM", help="systems to draw (omit with --range for an ad-hoc ring)")
    _launch_args(c, required=True)
    _range_args(c)
    c.add_argument("-o", "--output", metavar="FILE.html", help="output file (default: maps/<systems>-from-<places>.html)")
    c.add_argument("--offline", action="store_true", help="inline all assets and draw an embedded basemap: zero network requests")
    c.add_argument("--title", help="map title")
    c.add_argument("--uncertainty", action="store_true", help="shade the band between the lowest and highest sourced ranges")
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("render", "draw the maps described by scenario files", "Render TOML scenario files (see maps/*.toml) to HTML.")
    c.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml")
    c.add_argument("--force", action="store_true", help="overwrite existing output files")

    c = command("reach", "which systems reach a target, and with what margin", "For each system and launch point: the "
                "geodesic distance to TARGET, whether it is in range and the margin. Without --from, the launch "
                "footprint: the area from which each --system can reach TARGET.")
    c.add_argument("target", nargs="?", metavar="TARGET", help="the target point or place")
    c.add_argument("--targets", metavar="FILE.csv", help="many targets: CSV with name,lat,lon (or a column of place names)")
    _launch_args(c, required=False)
    c.add_argument("--system", action="append", default=[], metavar="SYSTEM", help="limit to these systems (repeatable; default all)")
    c.add_argument("-o", "--output", metavar="FILE", help="footprint mode: write .geojson, .kml or .html")
    c.add_argument("--offline", action="store_true", help="footprint mode with -o FILE.html: self-contained offline map")
    display_args(c, csv=True)
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("compare", "compare coverage between systems", "Compare systems fired from the same launch points: "
                "covered area, area added over the first system, cities and population in range, country shares.")
    c.add_argument("systems", nargs="+", metavar="SYSTEM")
    _launch_args(c, required=True)
    c.add_argument("--country", action="append", default=[], metavar="CODE", help="report the share of this country in range (ISO alpha-2/3 or name; repeatable)")
    c.add_argument("--targets", metavar="FILE.csv", help="also count your own places (CSV name,lat,lon) in range")
    c.add_argument("--top", type=int, default=5, help="how many most populous cities to list (default: 5)")
    c.add_argument("--map", metavar="FILE.html", help="also draw the compared systems on a map")
    c.add_argument("--offline", action="store_true", help="with --map: self-contained offline map")
    c.add_argument("--json", action="store_true", help="print JSON for scripts")
    c.add_argument("--csv", action="store_true", help="print CSV")
    c.add_argument("--force", action="store_true", help="overwrite an existing map file")
    return p


def _launch_args(c, required):
    c.add_argument("--from", dest="launches", action="append", default=[], required=required, metavar="POINT",
                   help="launch point (repeatable): 50.6,36.6 | 50.6N 36.6E | MGRS | place name | 'Label=POINT'")


def _range_args(c):
    c.add_argument("--range", dest="max_km", type=distance_arg, metavar="DIST", help="maximum range, e.g. 75mi (overrides the catalogue)")
    c.add_argument("--min-range", dest="min_km", type=distance_arg, metavar="DIST", help="minimum range: the ring gets a hole")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0
    except CatalogError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print(f"weaponsdb: error: {len(exc.problems)} problem(s) in the catalogue", file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"weaponsdb: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("weaponsdb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _catalog(args):
    from .catalog import load_catalog

    return load_catalog(args.catalog)


def _systems(catalog, names):
    return [catalog.get(n) for n in names]


def _launches(texts):
    from .points import parse_point

    return [parse_point(t) for t in texts]


def _ranges(system, args):
    """(max_km, min_km) for a system, with the command line's overrides applied and checked."""
    max_km = args.max_km if args.max_km is not None else (system or {}).get("max_range_km")
    min_km = args.min_km if args.min_km is not None else ((system or {}).get("min_range_km") or 0.0)
    if max_km is None:
        raise InputError("no range: name a system or give --range DIST (e.g. --range 75mi)")
    if min_km >= max_km:
        raise InputError(f"minimum range {min_km:g} km is not below maximum range {max_km:g} km: give --min-range below --range")
    return max_km, min_km


def _emit_json(obj):
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def cmd_list(args):
    cat = _catalog(args)
    rows = cat.filter(category=args.category, country=args.country, min_range=args.min_range, max_range=args.max_range)
    rows.sort(key=lambda r: (r["max_range_km"], r["name"]))
    if args.json:
        return _emit_json(rows)
    if not rows:
        print("no systems match these filters", file=sys.stderr)
        return 0
    head = ["NAME", "CATEGORY", "COUNTRY", "MAX RANGE"] + ([args.units.upper()] if args.units != "km" else []) + ["STATUS"]
    table = [head]
    for r in rows:
        cells = [r["name"], r["category"], r["country"].replace(";", ", "), format_distance(r["max_range_km"])]
        if args.units != "km":
            cells.append(format_distance(r["max_range_km"], args.units))
        table.append(cells + [r["status"]])
    _print_table(table)
    print(f"{len(rows)} of {len(cat)} systems; 'weaponsdb show NAME' for specs and sources", file=sys.stderr)


def _print_table(table):
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def cmd_show(args):
    cat = _catalog(args)
    r = cat.get(args.name)
    if args.json:
        return _emit_json(r)
    refs = {s["url"]: n for n, s in enumerate(r["sources"], 1)}
    rng = f"{format_distance(r['max_range_km'])}"
    if args.units != "km":
        rng += f" ({format_distance(r['max_range_km'], args.units)})"
    rng += f"  as reported: {r['range_reported']} [{refs.get(r['range_source']['url'], '?')}]"
    lines = [
        f"{r['name']}  ({r['id']})",
        ("aliases", "; ".join(r["aliases"])),
        ("category", r["category"]),
        ("country", r["country"].replace(";", ", ")),
        ("operators", ", ".join(r["operators"])),
        ("status", r["status"]),
        ("max range", rng),
        ("min range", format_distance(r["min_range_km"], args.units) if r["min_range_km"] else ""),
    ]
    if r["range_low_km"] is not None and r["range_high_km"] is not None:
        lines.append(("sources say", f"{format_distance(r['range_low_km'], args.units)} to {format_distance(r['range_high_km'], args.units)}"))
    lines += [("range note", r["range_note"]), ("payload", r["payload"]), ("propulsion", r["propulsion"]),
              ("guidance", r["guidance"]), ("CEP", f"{r['cep_m']:g} m" if r["cep_m"] else "")]
    print(lines[0])
    for label, value in lines[1:]:
        if value:
            print(f"  {label + ':':<13}{value}")
    print("sources:")
    for n, s in enumerate(r["sources"], 1):
        meta = ", ".join(x for x in (s["publisher"], s["date"]) if x)
        print(f"  [{n}] {s['title']}" + (f" ({meta})" if meta else ""))
        print(f"      {s['url']}")


def cmd_check(args):
    cat = _catalog(args)
    print(f"ok: {len(cat)} systems, {len(cat.sources)} sources, every row cited ({cat.path})")


def _ring_features(args, catalog):
    """(geometry, properties) for every system x launch point, ranges checked before any geometry."""
    from .geodesy import area_km2, ring

    systems = _systems(catalog, args.systems) if args.systems else [None]
    launches = _launches(args.launches)
    plans = [(s, p, *_ranges(s, args)) for s in systems for p in launches]
    features = []
    for system, point, max_km, min_km in plans:
        geom = ring(point.lat, point.lon, max_km, min_km)
        features.append((geom, {
            "system": system["id"] if system else None,
            "name": system["name"] if system else f"{format_distance(max_km)} ring",
            "launch": point.label,
            "launch_lat": point.lat,
            "launch_lon": point.lon,
            "min_range_km": min_km,
            "max_range_km": max_km,
            "area_km2": round(area_km2(geom), 1),
            "range_source": system["range_source"]["url"] if system and args.max_km is None else None,
        }))
    return features


def cmd_ring(args):
    from .export import feature_collection, geojson_text, kml_text, output_format, write_atomic

    fmt = output_format(args.output) if args.output else "geojson"
    catalog = _catalog(args) if args.systems else None
    features = _ring_features(args, catalog)
    text = kml_text(features) if fmt == "kml" else geojson_text(feature_collection(features))
    if not args.output:
        sys.stdout.write(text)
        return
    path = write_atomic(args.output, text, force=args.force)
    print(f"wrote {len(features)} ring(s) to {path}", file=sys.stderr)


def cmd_distance(args):
    from .geodesy import inverse

    a, b = _launches([args.a, args.b])
    km, azimuth = inverse(a.lat, a.lon, b.lat, b.lon)
    if args.json:
        return _emit_json({"from": a._asdict(), "to": b._asdict(), "distance_km": km,
                           f"distance_{args.units}": convert(km, args.units), "azimuth_deg": azimuth})
    extra = "" if args.units == "km" else f" ({convert(km, args.units):,.1f} {args.units})"
    print(f"{a} -> {b}: {km:,.1f} km{extra}, initial azimuth {azimuth:.1f}°")


def _slug(text: str) -> str:
    """ASCII file-name part; letters outside Latin are kept as their code points so names stay distinct."""
    text = "".join(c if c.isascii() else f"-u{ord(c):x}-" for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "map"


def cmd_map(args):
    from .export import write_atomic
    from .maps import draw

    catalog = _catalog(args)
    systems = _systems(catalog, args.systems) if args.systems else [None]
    launches = _launches(args.launches)
    for s in systems:
        _ranges(s, args)
    html = draw(systems, launches, title=args.title, offline=args.offline, uncertainty=args.uncertainty,
                max_km=args.max_km, min_km=args.min_km, catalog=catalog)
    out = args.output
    if not out:
        names = "-".join(s["id"] for s in systems if s) or _slug(format_distance(args.max_km))
        Path("maps").mkdir(exist_ok=True)
        out = Path("maps") / f"{_slug(names + '-from-' + '-'.join(p.label for p in launches))}.html"
    elif Path(out).suffix.lower() not in (".html", ".htm"):
        raise InputError(f"map output {str(out)!r} must end in .html")
    print(write_atomic(out, html, force=args.force))


def cmd_render(args):
    from tqdm import tqdm

    from .scenario import load_scenario, render_scenario

    catalog = _catalog(args)
    scenarios = [load_scenario(p) for p in args.scenarios]
    from .maps import build_series

    for scenario in scenarios:
        try:
            records = [catalog.get(name) for name in scenario.systems] or [None]
            build_series(records, scenario.max_km, scenario.min_km)
        except InputError as exc:
            raise InputError(f"{scenario.path}: {exc}") from None
    for scenario in tqdm(scenarios, desc="rendering", unit="map", disable=len(scenarios) < 2 or None):
        print(render_scenario(scenario, catalog, force=args.force))


def _targets(args):
    from .coverage import read_targets

    targets = read_targets(args.targets) if args.targets else []
    if args.target:
        targets = _launches([args.target]) + targets
    if not targets:
        raise InputError("no target: give TARGET (a point or place) or --targets FILE.csv")
    return list(dict.fromkeys(targets))


def cmd_reach(args):
    from .coverage import reach

    if args.json and args.csv:
        raise InputError("choose one of --json and --csv")
    catalog = _catalog(args)
    systems = _systems(catalog, args.system)
    targets = _targets(args)
    if not args.launches:
        return _footprint(args, catalog, systems, targets)
    df = reach(targets, _launches(args.launches), systems, catalog=catalog)
    if args.json:
        return _emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        sys.stdout.write(df.to_csv(index=False))
        return 0
    unit = args.units
    table = [["SYSTEM", "FROM", "TARGET", f"DISTANCE {unit}", f"RANGE {unit}", "IN RANGE", f"MARGIN {unit}"]]
    for r in df.itertuples():
        rng = f"{convert(r.max_range_km, unit):,.0f}" if not r.min_range_km else f"{convert(r.min_range_km, unit):,.0f}-{convert(r.max_range_km, unit):,.0f}"
        table.append([r.name, r.launch, r.target, f"{convert(r.distance_km, unit):,.1f}", rng,
                      "yes" if r.in_range else "no", f"{convert(r.margin_km, unit):+,.1f}"])
    _print_table(table)


def _footprint(args, catalog, systems, targets):
    from .coverage import footprint
    from .export import FORMATS, feature_collection, geojson_text, kml_text, write_atomic
    from .geodesy import area_km2

    if not systems:
        raise InputError("footprint mode needs --system SYSTEM (or give --from POINT to check reach from launch points)")
    suffix = Path(args.output).suffix.lower() if args.output else ".geojson"
    if suffix in (".html", ".htm"):
        from .maps import draw

        names = list(dict.fromkeys(t.label for t in targets))
        html = draw(systems, targets, title=f"From where can it reach {', '.join(names)}?", catalog=catalog,
                    offline=args.offline, point_label="target")
        print(write_atomic(args.output, html, force=args.force))
        return
    if suffix not in FORMATS:
        raise InputError(f"unknown output format for {args.output!r}: expected .geojson, .json, .kml or .html")
    features = []
    for target in targets:
        for s in systems:
            geom = footprint(target, s)
            features.append((geom, {"system": s["id"], "name": f"{s['name']} launch footprint for {target.label}",
                                    "target": target.label, "target_lat": target.lat, "target_lon": target.lon,
                                    "min_range_km": s["min_range_km"] or 0.0, "max_range_km": s["max_range_km"],
                                    "area_km2": round(area_km2(geom), 1)}))
    text = kml_text(features) if FORMATS[suffix] == "kml" else geojson_text(feature_collection(features))
    if args.output:
        print(write_atomic(args.output, text, force=args.force))
    else:
        sys.stdout.write(text)


def cmd_compare(args):
    from .coverage import compare, read_targets

    if args.json and args.csv:
        raise InputError("choose one of --json and --csv")
    if args.top < 0:
        raise InputError(f"bad --top {args.top}: expected a number of cities, 0 or more")
    catalog = _catalog(args)
    systems = _systems(catalog, args.systems)
    launches = _launches(args.launches)
    if args.map and Path(args.map).suffix.lower() not in (".html", ".htm"):
        raise InputError(f"map output {args.map!r} must end in .html")
    targets = read_targets(args.targets) if args.targets else None
    df = compare(systems, launches, countries=args.country, top=args.top, targets=targets, progress=True)
    if args.map:
        import shapely

        from .export import write_atomic
        from .maps import draw

        from .coverage import coverage_geometry

        first = coverage_geometry(systems[0], launches)
        added = {s["id"]: shapely.difference(coverage_geometry(s, launches), first) for s in systems[1:]}
        html = draw(systems, launches, title="Coverage compared: " + " vs ".join(s["name"] for s in systems),
                    offline=args.offline, catalog=catalog, added=added)
        print(f"map: {write_atomic(args.map, html, force=args.force)}", file=sys.stderr)
    if args.json:
        return _emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        flat = df.copy()
        for col in ("top_cities", "country_share"):
            if col in flat:
                flat[col] = flat[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        sys.stdout.write(flat.to_csv(index=False))
        return 0
    table = [["SYSTEM", "RANGE km", "AREA km²", "ADDED km²", "OVERLAP km²", "CITIES", "POPULATION"]
             + [f"{c.upper()} SHARE" for c in args.country] + (["TARGETS"] if targets else [])]
    for r in df.to_dict("records"):
        shares = [f"{100 * r['country_share'][c.strip().upper()]:.1f}%" for c in args.country]
        table.append([r["name"], f"{r['max_range_km']:,.1f}", f"{r['area_km2']:,.0f}", f"{r['added_km2']:,.0f}",
                      f"{r['overlap_km2']:,.0f}", f"{r['cities_in_range']:,}", f"{r['population_in_range']:,}"]
                     + shares + ([f"{r['targets_in_range']:,}"] if targets else []))
    _print_table(table)
    for r in df.to_dict("records"):
        if r["top_cities"]:
            print(f"{r['name']}: largest cities in range: {', '.join(r['top_cities'])}")
    print("cities: GeoNames places over 15,000 people; some big cities' districts are listed as places of "
          "their own, so population totals can count people twice", file=sys.stderr)


COMMANDS = {
    "list": cmd_list, "show": cmd_show, "check": cmd_check, "ring": cmd_ring, "distance": cmd_distance,
    "map": cmd_map, "render": cmd_render, "reach": cmd_reach, "compare": cmd_compare,
}

if __name__ == "__main__":
    sys.exit(main())
