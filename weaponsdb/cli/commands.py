"""One function per command: parse what the user typed into the model, call the API, print.

No geometry is made here; heavy libraries are imported by the modules that need them, so
``weaponsdb show`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

from .. import specs
from ..catalog import Catalog, load_catalog
from ..errors import InputError
from ..model import Place, System
from ..units import convert, format_distance
from .output import emit_json, print_show, print_table


def _catalog(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.catalog)


def _systems(args: argparse.Namespace, catalog: Catalog | None, names: list[str]) -> list[System]:
    """The named systems at the command line's --range/--min-range; none named and a range: an ad-hoc ring."""
    return specs.systems(names or None, catalog, max_range=getattr(args, "max_km", None),
                         min_range=getattr(args, "min_km", None))


def cmd_list(args: argparse.Namespace) -> int:
    cat = _catalog(args)
    rows = cat.filter(category=args.category, country=args.country, min_range=args.min_range, max_range=args.max_range)
    rows.sort(key=lambda s: (s.range.max_km, s.name))
    if args.json:
        return emit_json([s.to_record() for s in rows])
    if not rows:
        print("no systems match these filters", file=sys.stderr)
        return 0
    head = ["NAME", "CATEGORY", "COUNTRY", "MAX RANGE"] + ([args.units.upper()] if args.units != "km" else []) + ["STATUS"]
    table = [head]
    for s in rows:
        cells = [s.name, s.category, s.country.replace(";", ", "), format_distance(s.range.max_km)]
        if args.units != "km":
            cells.append(format_distance(s.range.max_km, args.units))
        table.append([*cells, s.status])
    print_table(table)
    print(f"{len(rows)} of {len(cat)} systems; 'weaponsdb show NAME' for specs and sources", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    system = _catalog(args).get(args.name)
    if args.json:
        return emit_json(system.to_record())
    print_show(system, args.units)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    cat = _catalog(args)
    print(f"ok: {len(cat)} systems, {len(cat.sources)} sources, every row cited ({cat.path})")
    return 0


def cmd_ring(args: argparse.Namespace) -> int:
    from .. import rangerings as rings
    from ..export import features_text, output_format, write_atomic, write_frame

    fmt = output_format(args.output) if args.output else "geojson"
    catalog = _catalog(args) if args.systems else None
    drawn = rings.compute(_systems(args, catalog, args.systems), specs.points(args.launches))
    if fmt not in ("geojson", "kml"):
        path = write_frame(rings.frame(drawn), args.output, force=args.force)
    else:
        text = features_text([(r.geometry, r.properties()) for r in drawn], args.output)
        if not args.output:
            sys.stdout.write(text)
            return 0
        path = write_atomic(args.output, text, force=args.force)
    print(f"wrote {len(drawn)} ring(s) to {path}", file=sys.stderr)
    return 0


def cmd_distance(args: argparse.Namespace) -> int:
    from ..geodesy import inverse

    a, b = specs.points([args.a, args.b])
    km, azimuth = inverse(a.lat, a.lon, b.lat, b.lon)
    if args.json:
        return emit_json({"from": a.to_dict(), "to": b.to_dict(), "distance_km": km,
                          f"distance_{args.units}": convert(km, args.units), "azimuth_deg": azimuth})
    extra = "" if args.units == "km" else f" ({convert(km, args.units):,.1f} {args.units})"
    print(f"{a} -> {b}: {km:,.1f} km{extra}, initial azimuth {azimuth:.1f}°")
    return 0


def _slug(text: str) -> str:
    """ASCII file-name part; letters outside Latin are kept as their code points so names stay distinct."""
    text = "".join(c if c.isascii() else f"-u{ord(c):x}-" for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "map"


def _html_output(path: str, what: str = "map output") -> str:
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise InputError(f"{what} {path!r} must end in .html", value=path, accepted=".html")
    return path


def cmd_map(args: argparse.Namespace) -> int:
    from ..maps import build_map, save_html

    catalog = _catalog(args)
    spec = specs.map_spec(args.systems or None, args.launches, max_range=args.max_km, min_range=args.min_km,
                          title=args.title, offline=args.offline, uncertainty=args.uncertainty, catalog=catalog)
    out = args.output
    if not out:
        names = "-".join(s.id for s in spec.systems if not s.is_adhoc) or _slug(format_distance(args.max_km))
        Path("maps").mkdir(exist_ok=True)
        out = str(Path("maps") / f"{_slug(names + '-from-' + '-'.join(p.label for p in spec.points))}.html")
    else:
        _html_output(out)
    print(save_html(build_map(spec), out, force=args.force))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..scenario import load_scenario, render_scenario

    catalog = _catalog(args)
    scenarios = [load_scenario(p, catalog) for p in args.scenarios]
    for scenario in tqdm(scenarios, desc="rendering", unit="map", disable=len(scenarios) < 2 or None):
        print(render_scenario(scenario, force=args.force))
    return 0


def _targets(args: argparse.Namespace) -> list[Place]:
    from ..coverage import read_targets

    targets = read_targets(args.targets) if args.targets else []
    if args.target:
        targets = specs.points(args.target) + targets
    if not targets:
        raise InputError("no target: give TARGET (a point or place) or --targets FILE.csv")
    return list(dict.fromkeys(targets))


def _one_of(args: argparse.Namespace, *flags: str) -> None:
    if sum(bool(getattr(args, f)) for f in flags) > 1:
        raise InputError("choose one of " + " and ".join(f"--{f}" for f in flags))


def cmd_reach(args: argparse.Namespace) -> int:
    from ..coverage import reach

    _one_of(args, "json", "csv")
    catalog = _catalog(args)
    systems = [catalog.get(n) for n in args.system]
    targets = _targets(args)
    if not args.launches:
        return _footprint(args, catalog, systems, targets)
    df = reach(systems, specs.points(args.launches), targets, catalog=catalog)
    if args.json:
        return emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        sys.stdout.write(df.to_csv(index=False))
        return 0
    unit = args.units
    table = [["SYSTEM", "FROM", "TARGET", f"DISTANCE {unit}", f"RANGE {unit}", "IN RANGE", f"MARGIN {unit}"]]
    for r in df.itertuples():
        top = f"{convert(r.max_range_km, unit):,.0f}"
        rng = top if not r.min_range_km else f"{convert(r.min_range_km, unit):,.0f}-{top}"
        table.append([r.name, r.launch, r.target, f"{convert(r.distance_km, unit):,.1f}", rng,
                      "yes" if r.in_range else "no", f"{convert(r.margin_km, unit):+,.1f}"])
    print_table(table)
    return 0


def _footprint(args: argparse.Namespace, catalog: Catalog, systems: list[System], targets: list[Place]) -> int:
    from .. import rangerings as rings
    from ..export import features_text, write_atomic

    if not systems:
        raise InputError("footprint mode needs --system SYSTEM (or give --from POINT to check reach from launch points)")
    if args.output and Path(args.output).suffix.lower() in (".html", ".htm"):
        from ..maps import build_map, save_html

        names = list(dict.fromkeys(t.label for t in targets))
        spec = specs.map_spec(systems, targets, title=f"From where can it reach {', '.join(names)}?",
                              offline=args.offline, point_label="target", catalog=catalog)
        print(save_html(build_map(spec), args.output, force=args.force))
        return 0
    if args.output and Path(args.output).suffix.lower() not in (".geojson", ".json", ".kml"):
        raise InputError(f"unknown output format for {args.output!r}: expected .geojson, .json, .kml or .html")
    features = []
    for target in targets:
        for ring in rings.compute(systems, [target]):
            s = ring.system
            features.append((ring.geometry, {
                "system": s.id, "name": f"{s.name} launch footprint for {target.label}", "target": target.label,
                "target_lat": target.lat, "target_lon": target.lon, "min_range_km": s.range.min_km,
                "max_range_km": s.range.max_km, "area_km2": ring.properties()["area_km2"]}))
    text = features_text(features, args.output)
    if args.output:
        print(write_atomic(args.output, text, force=args.force))
    else:
        sys.stdout.write(text)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ..coverage import compare, read_targets

    _one_of(args, "json", "csv")
    if args.top < 0:
        raise InputError(f"bad --top {args.top}: expected a number of cities, 0 or more")
    catalog = _catalog(args)
    systems = [catalog.get(n) for n in args.systems]
    launches = specs.points(args.launches)
    if args.map:
        _html_output(args.map)
    targets = read_targets(args.targets) if args.targets else None
    df = compare(systems, launches, countries=args.country, top=args.top, targets=targets, progress=True)
    if args.map:
        _compare_map(args, catalog, df, systems, launches)
    if args.json:
        return emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        flat = df.copy()
        for col in ("top_cities", "country_share"):
            if col in flat:
                flat[col] = flat[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        sys.stdout.write(flat.to_csv(index=False))
        return 0
    _print_compare(df, args.country, bool(targets))
    return 0


def _compare_map(args: argparse.Namespace, catalog: Catalog, df, systems: list[System], launches: list[Place]) -> None:
    """The comparison drawn, highlighting what each system adds over the first (geometry from compare())."""
    import shapely

    from ..maps import build_map, save_html

    coverage = df.attrs["coverage"]
    added = {s.id: shapely.difference(geom, coverage[0]) for s, geom in zip(systems[1:], coverage[1:], strict=True)}
    spec = specs.map_spec(systems, launches, title="Coverage compared: " + " vs ".join(s.name for s in systems),
                          offline=args.offline, compare=True, catalog=catalog)
    print(f"map: {save_html(build_map(spec, added=added), args.map, force=args.force)}", file=sys.stderr)


def _print_compare(df, countries: list[str], targets: bool) -> None:
    table = [["SYSTEM", "RANGE km", "AREA km²", "ADDED km²", "OVERLAP km²", "CITIES", "POPULATION"]
             + [f"{c.upper()} SHARE" for c in countries] + (["TARGETS"] if targets else [])]
    for r in df.to_dict("records"):
        shares = [f"{100 * r['country_share'][c.strip().upper()]:.1f}%" for c in countries]
        table.append([r["name"], f"{r['max_range_km']:,.1f}", f"{r['area_km2']:,.0f}", f"{r['added_km2']:,.0f}",
                      f"{r['overlap_km2']:,.0f}", f"{r['cities_in_range']:,}", f"{r['population_in_range']:,}",
                      *shares, *([f"{r['targets_in_range']:,}"] if targets else [])])
    print_table(table)
    for r in df.to_dict("records"):
        if r["top_cities"]:
            print(f"{r['name']}: largest cities in range: {', '.join(r['top_cities'])}")
    print("cities: GeoNames places over 15,000 people; some big cities' districts are listed as places of "
          "their own, so population totals can count people twice", file=sys.stderr)


def cmd_explore(args: argparse.Namespace) -> int:
    from ..explore.server import serve

    return serve(catalog=args.catalog, host=args.host, port=args.port, open_browser=args.browser,
                 tiles="osm" if args.online_tiles else "offline", workers=args.workers)


COMMANDS = {
    "list": cmd_list, "show": cmd_show, "check": cmd_check, "ring": cmd_ring, "distance": cmd_distance,
    "map": cmd_map, "render": cmd_render, "reach": cmd_reach, "compare": cmd_compare, "explore": cmd_explore,
}
