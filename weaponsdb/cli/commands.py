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
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from .. import specs
from ..catalog import Catalog, load_catalog
from ..errors import InputError
from ..model import MapSpec, Place, System
from ..outputs import check_suffix
from ..units import convert, format_distance
from .output import emit_json, print_show, print_table


def _catalog(args: argparse.Namespace) -> Catalog:
    """The bundled catalogue, with the user's file added (or alone); says which bundled rows it replaced."""
    if args.catalog_only and not args.catalog:
        raise InputError("--catalog-only needs --catalog FILE: the file to use instead of the bundled catalogue")
    catalog = load_catalog(args.catalog, only=args.catalog_only, strict=True if getattr(args, "strict", False) else None)
    notice = catalog.override_notice()
    if notice and args.command != "check":
        print(f"weaponsdb: note: {notice}", file=sys.stderr)
    return catalog


def _places(args: argparse.Namespace, texts: Sequence[str], files: Sequence[str] = ()) -> list[Place]:
    """Points as typed (and from files); every place name resolved is said on stderr, so a wrong guess shows."""
    from ..points import launch_points, resolved_line

    places = launch_points(texts, files, geocode=getattr(args, "geocode", False))
    for place in places:
        line = resolved_line(place)
        if line:
            print(f"weaponsdb: place: {line}", file=sys.stderr)
    return places


def _launches(args: argparse.Namespace) -> list[Place]:
    """--from and --from-file points; none given is an error where the command needs them."""
    points = _places(args, args.launches, args.from_files)
    if not points and args.launches_required:
        raise InputError("the following arguments are required: --from POINT (or --from-file FILE)")
    return points


def _spec(args: argparse.Namespace, catalog: Catalog | None, **options) -> MapSpec:
    """The map description the command line asks for: the largest --range is the drawn range, the rest extra rings."""
    ranges = sorted(args.ranges)
    return specs.map_spec(args.systems or None, _launches(args), max_range=ranges[-1] if ranges else None,
                          min_range=args.min_km, catalog=catalog, every=args.every, ranges=ranges[:-1],
                          radials=args.radials, bearings=args.bearings, sector=args.sector, **options)


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
    print(f"ok: {cat.summary()} ({cat.path})")
    return 0


def cmd_ring(args: argparse.Namespace) -> int:
    from .. import fans
    from .. import rangerings as rings
    from ..export import features_frame, features_text, output_format, write_atomic, write_frame

    fmt = output_format(args.output) if args.output else "geojson"
    spec = _spec(args, _catalog(args) if args.systems else None)
    drawn = fans.cut_to_sector(rings.compute(spec.systems, spec.points), spec.sector)
    features = [(r.geometry, r.properties()) for r in drawn] + fans.furniture(spec)
    if fmt not in ("geojson", "kml"):
        origins = [{"range_origin": str(r.system.range.origin)} for r in drawn]
        gis = [(g, {**props, **origin}) for (g, props), origin in zip(features, origins, strict=False)]
        path = write_frame(features_frame(gis + features[len(drawn):]), args.output, force=args.force)
    else:
        text = features_text(features, args.output)
        if not args.output:
            sys.stdout.write(text)
            return 0
        path = write_atomic(args.output, text, force=args.force)
    extra = f" and {len(features) - len(drawn)} interval ring(s) and radial(s)" if len(features) > len(drawn) else ""
    print(f"wrote {len(drawn)} ring(s){extra} to {path}", file=sys.stderr)
    return 0


def cmd_distance(args: argparse.Namespace) -> int:
    from ..geodesy import inverse

    a, b = _places(args, [args.a, args.b])
    km, azimuth = inverse(a.lat, a.lon, b.lat, b.lon)
    if args.json:
        return emit_json({"from": a.to_json(), "to": b.to_json(), "distance_km": km,
                          f"distance_{args.units}": convert(km, args.units), "azimuth_deg": azimuth})
    extra = "" if args.units == "km" else f" ({convert(km, args.units):,.1f} {args.units})"
    print(f"{a} -> {b}: {km:,.1f} km{extra}, initial azimuth {azimuth:.1f}°")
    return 0


def _slug(text: str) -> str:
    """ASCII file-name part; letters outside Latin are kept as their code points so names stay distinct."""
    text = "".join(c if c.isascii() else f"-u{ord(c):x}-" for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "map"


def _save(spec: MapSpec, path: str, args: argparse.Namespace, added=None) -> Path:
    from ..outputs import save_map

    return save_map(spec, path, force=args.force, added=added, projection=getattr(args, "projection", "auto"),
                    size=getattr(args, "size", (1600, 1000)), dpi=getattr(args, "dpi", 150))


def cmd_map(args: argparse.Namespace) -> int:
    spec = _spec(args, _catalog(args), title=args.title, offline=args.offline, uncertainty=args.uncertainty,
                 marks=args.mark, union=args.union)
    out = args.output
    if not out:
        names = "-".join(s.id for s in spec.systems if not s.is_adhoc) or _slug(format_distance(spec.systems[0].range.max_km))
        Path("maps").mkdir(exist_ok=True)
        out = str(Path("maps") / f"{_slug(names + '-from-' + '-'.join(p.label for p in spec.points))}.html")
    else:
        check_suffix(out)
    print(_save(spec, out, args))
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
        targets = _places(args, list(args.target)) + targets
    if not targets:
        raise InputError("no target: give TARGET (a point or place) or --targets FILE.csv")
    return list(dict.fromkeys(targets))


def _one_of(args: argparse.Namespace, *flags: str) -> None:
    if sum(bool(getattr(args, f)) for f in flags) > 1:
        raise InputError("choose one of " + " and ".join(f"--{f}" for f in flags))


def cmd_reach(args: argparse.Namespace) -> int:
    from ..coverage import reach, select

    _one_of(args, "json", "csv")
    catalog = _catalog(args)
    named = [catalog.get(n) for n in args.system]
    systems = select(named or list(catalog), operators=args.operator, categories=args.category)
    if not systems:
        raise InputError("no system matches these filters" + (f" among {', '.join(args.system)}" if args.system else ""))
    targets = _targets(args)
    launches = _launches(args)
    if not launches:
        if not named:
            raise InputError("footprint mode needs --system SYSTEM (or give --from POINT to check reach from launch points)")
        return _footprint(args, catalog, systems, targets)
    if args.output:
        _reach_output(args.output)
    df = reach(systems, launches, targets, catalog=catalog)
    if args.output:
        _reach_map(args, catalog, df, named, launches, targets)
    if args.json:
        return emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        sys.stdout.write(df.assign(operators=df["operators"].map(";".join)).to_csv(index=False))
        return 0
    unit = args.units
    table = [["SYSTEM", "OPERATORS", "FROM", "TARGET", f"DISTANCE {unit}", f"RANGE {unit}", "IN RANGE", f"MARGIN {unit}"]]
    for r in df.to_dict("records"):
        top = f"{convert(float(r['max_range_km']), unit):,.0f}"
        rng = top if not r["min_range_km"] else f"{convert(float(r['min_range_km']), unit):,.0f}-{top}"
        table.append([str(r["name"]), ", ".join(r["operators"]), str(r["launch"]), str(r["target"]),
                      f"{convert(float(r['distance_km']), unit):,.1f}", rng, "yes" if r["in_range"] else "no",
                      f"{convert(float(r['margin_km']), unit):+,.1f}"])
    print_table(table)
    return 0


def _reach_output(path: str) -> None:
    """With --from, -o draws the reach map: only HTML, refused before any work rather than silently ignored."""
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise InputError(f"reach map output {path!r} must end in .html (with --from, -o draws targets, launch points "
                         "and the distances between them)", value=path, accepted=".html")


#: A reach map rings at most this many systems; the lines still cover every one.
REACH_MAP_RINGS = 6


def _reach_map(args: argparse.Namespace, catalog: Catalog, df, named: list[System], launches: list[Place],
               targets: list[Place]) -> None:
    """Targets, launch points and the lines between them, over the rings of the named (or best-reaching) systems."""
    from ..maps import build_map, extend, save_html
    from ..reachmap import add_reach_layers

    reaching = df.loc[df["in_range"]].sort_values("max_range_km", kind="stable")
    ids = [s.id for s in named] or list(dict.fromkeys(reaching["system"])) or list(dict.fromkeys(df["system"]))
    ringed = [catalog.system(i) for i in ids[:REACH_MAP_RINGS]]
    notes = [] if len(ids) <= REACH_MAP_RINGS else [
        f"Rings are drawn for the {REACH_MAP_RINGS} shortest-range of the {len(ids)} systems that reach; "
        "the lines to the targets cover every system."]
    names = ", ".join(dict.fromkeys(t.label for t in targets))
    spec = specs.map_spec(ringed, launches, title=f"What reaches {names}?", offline=args.offline, notes=notes,
                          marks=targets, catalog=catalog)
    m = extend(build_map(spec), lambda m: add_reach_layers(m, df, points=False))
    print(f"map: {save_html(m, args.output, force=args.force)}", file=sys.stderr)


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
    from ..coverage import cities_in_range, compare, read_targets

    _one_of(args, "json", "csv")
    top, flag = (args.top, "--top") if args.cities is None else (args.cities, "--cities")
    if top < 0:
        raise InputError(f"bad {flag} {top}: expected a number of cities, 0 or more")
    catalog = _catalog(args)
    systems = [catalog.get(n) for n in args.systems]
    launches = _launches(args)
    if args.map:
        check_suffix(args.map)
    targets = read_targets(args.targets) if args.targets else None
    df = compare(systems, launches, countries=args.country, top=top, targets=targets, progress=True,
                 population=args.population)
    if args.map:
        _compare_map(args, catalog, df, systems, launches)
    town = cities_in_range(systems, launches, countries=args.country, top=top) if args.cities is not None else None
    if args.json:
        return emit_json(json.loads(df.to_json(orient="records")))
    if args.csv:
        if town is not None:
            flat = town.assign(systems=town["systems"].map(";".join), launches=town["launches"].map(";".join))
            sys.stdout.write(flat.to_csv(index=False))
            return 0
        flat = df.copy()
        for col in ("cities", "country_share"):
            if col in flat:
                flat[col] = flat[col].map(lambda v: json.dumps(v, ensure_ascii=False))
        sys.stdout.write(flat.to_csv(index=False))
        return 0
    _print_compare(df, args.country, bool(targets), args.top)
    if town is not None:
        _print_cities(town, args.country)
    print(_city_caveat(args.country, raster=args.population is not None), file=sys.stderr)
    return 0


def _compare_map(args: argparse.Namespace, catalog: Catalog, df, systems: list[System], launches: list[Place]) -> None:
    """The comparison drawn, highlighting what each system adds over the first (geometry from compare())."""
    import shapely

    coverage = df.attrs["coverage"]
    added = {s.id: shapely.difference(geom, coverage[0]) for s, geom in zip(systems[1:], coverage[1:], strict=True)}
    spec = specs.map_spec(systems, launches, title="Coverage compared: " + " vs ".join(s.name for s in systems),
                          offline=args.offline, compare=True, catalog=catalog)
    print(f"map: {_save(spec, args.map, args, added=added)}", file=sys.stderr)


def _print_compare(df, countries: list[str], targets: bool, named: int) -> None:
    codes = "+".join(c.strip().upper() for c in countries)
    where = f" {codes}" if countries else ""
    head = ["SYSTEM", "RANGE km", "AREA km²", "ADDED km²", "OVERLAP km²", f"CITIES{where}", f"POPULATION{where}"]
    if countries:
        head += ["CITIES WORLD", "POPULATION WORLD"]
    raster = "raster_population" in df
    if raster:
        head += [f"RASTER POP{where}"] + (["RASTER POP WORLD"] if countries else [])
    table = [head + [f"{c.upper()} SHARE" for c in countries] + (["TARGETS"] if targets else [])]
    for r in df.to_dict("records"):
        cells = [r["name"], f"{r['max_range_km']:,.1f}", f"{r['area_km2']:,.0f}", f"{r['added_km2']:,.0f}",
                 f"{r['overlap_km2']:,.0f}", f"{r['cities_in_range']:,}", f"{r['population_in_range']:,}"]
        if countries:
            cells += [f"{r['cities_in_range_global']:,}", f"{r['population_in_range_global']:,}"]
        if raster:
            cells += [f"{r['raster_population']:,.0f}"] + ([f"{r['raster_population_global']:,.0f}"] if countries else [])
        cells += [f"{100 * r['country_share'][c.strip().upper()]:.1f}%" for c in countries]
        table.append(cells + ([f"{r['targets_in_range']:,}"] if targets else []))
    print_table(table)
    for r in df.to_dict("records"):
        if r["cities"]:
            listed = ", ".join(f"{c['name']} ({c['country']}, {c['population']:,}, {c['distance_km']:,.0f} km)"
                               for c in r["cities"][:named])
            print(f"{r['name']}: largest cities in range{where}: {listed}")


def _print_cities(town, countries: list[str]) -> None:
    if town.empty:
        print("no cities in range" + (f" in {', '.join(countries)}" if countries else ""))
        return
    table = [["CITY", "COUNTRY", "REGION", "POPULATION", "DISTANCE km", "NEAREST LAUNCH", "REACHED BY", "FROM"]]
    for r in town.itertuples():
        table.append([r.name, r.country, r.region, f"{r.population:,}", f"{r.distance_km:,.1f}", r.nearest_launch,
                      ", ".join(r.systems), ", ".join(r.launches)])
    print()
    print_table(table)


def _city_caveat(countries: list[str], raster: bool) -> str:
    """What the city figures are, so nobody quotes them as more than they are."""
    from ..coverage import sections_marked

    note = "cities: GeoNames places of 15,000+ people"
    note += ("; sections of a city (PPLX) are not counted" if sections_marked() else
             "; this gazetteer does not mark city districts, so a big city's districts can count its people twice")
    if countries:
        note += f"; limited to {', '.join(c.strip().upper() for c in countries)} by GeoNames country code (WORLD: everywhere)"
    if not raster:
        note += "; people outside these towns are not counted: --population FILE.tif sums a population raster"
    return note


def cmd_count(args: argparse.Namespace) -> int:
    from ..api import coverage_counts

    _one_of(args, "json", "csv")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    catalog = _catalog(args)
    df = coverage_counts(args.systems, _launches(args), _count_targets(args.targets), engine=args.engine,
                         scheduler=args.scheduler, population=args.population, catalog=catalog, progress=True)
    if args.json:
        rows = []
        for launch, row in df.iterrows():
            out: dict = {"launch": launch}
            if args.population:
                out["targets"] = {s: _plain(row["targets"][s]) for s in row["targets"].index}
                out["population"] = {s: _plain(row["population"][s]) for s in row["population"].index}
            else:
                out["targets"] = {s: _plain(v) for s, v in row.items()}
            rows.append(out)
        return emit_json(rows)
    if args.population:
        pairs = cast("list[tuple[str, str]]", df.columns.to_list())
        labels = [f"{system}_population" if quantity == "population" else system for quantity, system in pairs]
    else:
        labels = [str(c) for c in df.columns]
    flat = df.set_axis(labels, axis=1)
    if args.csv:
        sys.stdout.write(flat.to_csv())
        return 0
    table = [["FROM", *labels]]
    for launch, values in zip(flat.index, flat.to_numpy(), strict=True):
        table.append([str(launch), *[f"{v:,.0f}" for v in values]])
    print_table(table)
    return 0


def _plain(value):
    """numpy scalars as JSON numbers."""
    return value.item() if hasattr(value, "item") else value


def _count_targets(path: str):
    """A Parquet/CSV path goes to the engines as it is (read in blocks or partitions); anything else is refused."""
    if Path(path).suffix.lower() not in (".parquet", ".pq", ".csv"):
        raise InputError(f"targets file {path!r} must be .parquet or .csv with lat/lon columns", value=path,
                         accepted=".parquet, .csv")
    return path


def cmd_explore(args: argparse.Namespace) -> int:
    from ..explore.server import serve

    return serve(catalog=args.catalog, host=args.host, port=args.port, open_browser=args.browser,
                 tiles="osm" if args.online_tiles else "offline", workers=args.workers)


COMMANDS = {
    "list": cmd_list, "show": cmd_show, "check": cmd_check, "ring": cmd_ring, "distance": cmd_distance,
    "map": cmd_map, "render": cmd_render, "reach": cmd_reach, "compare": cmd_compare,
    "count": cmd_count, "explore": cmd_explore,
}
