"""Who reaches what: launch/target pairs against every system's range, footprints and coverage comparisons.

The geodesic solve is the only costly step, so it runs once per (launch, target) pair and every
system's range is compared with the result by broadcasting; looping over systems would repeat it
for each one. "In range" always means ``min <= exact geodesic distance <= max``, never a test
against a ring polygon, whose boundary is only within ``geodesy.tolerance_m`` of the truth.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from .errors import InputError
from .geodesy import area_km2, distances_m, ring
from .model import Place, System
from .placefile import LAT_COLUMNS, LON_COLUMNS
from .points import parse_point

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from .population import PopulationRaster

REACH_COLUMNS = (
    "system", "name", "category", "operators", "launch", "launch_lat", "launch_lon", "target", "target_lat", "target_lon",
    "distance_km", "min_range_km", "max_range_km", "in_range", "margin_km",
)
COMPARE_COLUMNS = (
    "system", "name", "max_range_km", "area_km2", "added_km2", "overlap_km2",
    "cities_in_range", "population_in_range", "cities", "country_share",
)
CITY_COLUMNS = ("name", "country", "region", "population", "lat", "lon", "distance_km", "nearest_launch", "systems",
                "launches")
#: Booleans evaluated at once by reach_counts: bounds its memory whatever the input size.
BLOCK = 1 << 23


def distance_matrix_km(launch_lat, launch_lon, target_lat, target_lon) -> np.ndarray:
    """(launches, targets) geodesic distances in km, from a single ``distances_m`` call shared by all systems."""
    lat1, lon1 = (np.asarray(v, dtype=float).reshape(-1, 1) for v in (launch_lat, launch_lon))
    lat2, lon2 = (np.asarray(v, dtype=float).reshape(1, -1) for v in (target_lat, target_lon))
    return distances_m(lat1, lon1, lat2, lon2) / 1000.0


def in_range_matrix(distance_km, min_km, max_km) -> np.ndarray:
    """``min <= d <= max`` for each system (new leading axis) against every distance, by broadcasting.

    The single definition of "in range" behind reach(), reach_counts() and compare(). It holds
    systems x distances booleans, so inputs too large for that go through reach_counts().
    """
    d = np.asarray(distance_km, dtype=float)
    shape = (-1,) + (1,) * d.ndim
    lo = np.asarray(min_km, dtype=float).reshape(shape)
    hi = np.asarray(max_km, dtype=float).reshape(shape)
    return (d >= lo) & (d <= hi)


def reach_counts(distance_km, min_km, max_km, *, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Per system: how many (launch, target) pairs are in range, and which targets any launch reaches.

    ``distance_km`` is (launches, targets). Returns ``(pairs, reached)``: int64 (systems,) and
    bool (systems, targets). Every city against 100 launch points and the whole catalogue is
    ~160 million verdicts, tens of gigabytes as reach()'s DataFrame; here in_range_matrix runs
    over blocks of targets, so memory beyond the distance matrix stays at ``block`` booleans.
    """
    d = np.asarray(distance_km, dtype=float)
    lo, hi = np.atleast_1d(np.asarray(min_km, dtype=float)), np.atleast_1d(np.asarray(max_km, dtype=float))
    n_launch, n_target = d.shape
    pairs = np.zeros(len(hi), dtype=np.int64)
    reached = np.zeros((len(hi), n_target), dtype=bool)
    step = max(1, block // max(1, len(hi) * n_launch))
    for start in range(0, n_target, step):
        ok = in_range_matrix(d[:, start:start + step], lo, hi)
        pairs += np.count_nonzero(ok, axis=(1, 2))
        reached[:, start:start + step] = ok.any(axis=1)
    return pairs, reached


def reach(systems, launches, targets, *, catalog=None) -> pd.DataFrame:
    """Every (system, launch, target) verdict, in range first and then by margin, largest first.

    ``systems`` are Systems or names (resolved in ``catalog``); empty means the whole catalogue
    (the bundled one unless ``catalog`` is given). ``margin_km`` is max range minus
    distance: negative when the target is too far. A target closer than the minimum range has a
    positive margin but is not in range.
    """
    targets, launches = _points(targets, "target"), _points(launches, "launch point")
    records = _records(systems, catalog)
    lo, hi = _ranges(records)
    dist = distance_matrix_km([p.lat for p in launches], [p.lon for p in launches],
                              [p.lat for p in targets], [p.lon for p in targets])
    ok = in_range_matrix(dist, lo, hi)
    s, li, t = np.indices(ok.shape).reshape(3, -1)
    d = dist[li, t]
    frame = pd.DataFrame({
        "system": np.array([r.id for r in records], dtype=object)[s],
        "name": np.array([r.name for r in records], dtype=object)[s],
        "category": np.array([r.category for r in records], dtype=object)[s],
        "operators": _object_array([list(r.operators) for r in records])[s],
        "launch": np.array([p.label for p in launches], dtype=object)[li],
        "launch_lat": np.array([p.lat for p in launches])[li],
        "launch_lon": np.array([p.lon for p in launches])[li],
        "target": np.array([p.label for p in targets], dtype=object)[t],
        "target_lat": np.array([p.lat for p in targets])[t],
        "target_lon": np.array([p.lon for p in targets])[t],
        "distance_km": d,
        "min_range_km": lo[s],
        "max_range_km": hi[s],
        "in_range": ok.ravel(),
        "margin_km": hi[s] - d,
    }, columns=list(REACH_COLUMNS))
    order = np.lexsort((-frame["margin_km"].to_numpy(), ~frame["in_range"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _object_array(values: list) -> np.ndarray:
    """A 1-D object array of lists (np.array would make a 2-D array when the lists have equal lengths)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def select(systems: Sequence[System], *, operators: Sequence[str] = (), categories: Sequence[str] = ()) -> list[System]:
    """The systems operated by any of ``operators`` and of any of ``categories`` (each filter only when given).

    Operators match as the catalogue filter matches countries (names, ISO alpha-2/3, common
    aliases); a name no system is operated by, or an unknown category, is an error with
    suggestions rather than an empty table.
    """
    from .catalog import _country_key
    from .catalog_checks import CATEGORIES
    from .errors import UnknownNameError
    from .matching import normalise, suggest

    out = list(systems)
    if categories:
        known = {normalise(c) for c in CATEGORIES}
        for c in categories:
            if normalise(c) not in known:
                raise UnknownNameError("category", c, suggest(c, CATEGORIES), "expected one of: " + ", ".join(CATEGORIES))
        wanted = {normalise(c) for c in categories}
        out = [s for s in out if normalise(s.category) in wanted]
    if operators:
        everyone = sorted({o for s in systems for o in s.operators})
        keys = set()
        for o in operators:
            key = _country_key(o)
            if key not in {normalise(e) for e in everyone}:
                raise UnknownNameError("operator", o, suggest(o, everyone),
                                       "expected a country that operates a catalogue system: " + ", ".join(everyone))
            keys.add(key)
        out = [s for s in out if keys & {normalise(o) for o in s.operators}]
    return out


def footprint(system: System, target):
    """Where a launcher must stand to reach ``target``: the system's range ring centred on the target.

    Geodesic distance is symmetric, so the launch footprint is the ring drawn around the target.
    """
    p = parse_point(target)
    return ring(p.lat, p.lon, system.range.max_km, system.range.min_km)


def coverage_geometry(system: System, launches):
    """The area the system reaches from any of the launch points: the union of their range rings."""
    points = _points(launches, "launch point")
    rings = [ring(p.lat, p.lon, system.range.max_km, system.range.min_km) for p in points]
    return rings[0] if len(rings) == 1 else shapely.orient_polygons(shapely.union_all(rings))


def compare(systems, launches, *, countries=(), top: int = 5, targets=None, progress: bool = False,
            catalog=None, population=None) -> pd.DataFrame:
    """One row per system (in the order given) over what it reaches from any of the launch points.

    Areas are ellipsoidal; ``added_km2`` and ``overlap_km2`` are measured against the first
    system, so the table reads as "what each alternative adds to the first". City figures use
    exact distances from a launches x cities matrix computed once for all systems; sections of a
    city (GeoNames PPLX) are never counted, so a city's districts do not count its people twice.
    With ``countries``, ``cities_in_range``, ``population_in_range`` and ``cities`` cover only
    those countries (a quoted "people in range of X in Ukraine" must not include Moscow); the
    worldwide figures stay in ``*_global`` columns. ``cities`` lists the ``top`` most populous
    cities in range as dicts (name, country, region, population, lat, lon, distance_km, launch): the
    distance is from the nearest launch point that reaches the city.
    ``country_share`` maps each requested country, upper-cased as typed, to the fraction of its
    area covered. With ``targets`` (the user's own places), ``targets_in_range`` counts them too.
    With ``population`` (a GeoTIFF of people per cell), ``raster_population`` sums it over the
    coverage (inside the countries' outlines when countries are given; ``raster_population_global``
    then holds the whole coverage).
    ``progress`` shows a bar on a terminal: unions and country overlays take a while for many systems.
    ``attrs["coverage"]`` holds each row's coverage geometry, so a map of the comparison reuses it.
    """
    outlines, country_area = _outlines(countries)
    records = _records(systems, catalog, default_all=False)
    points = _points(launches, "launch point")
    table, in_country = _city_table(countries)
    own = _points(targets, "target") if targets else []
    context = _CompareContext(
        points=points, table=table, in_country=in_country, outlines=outlines, country_area=country_area,
        dist=distance_matrix_km([p.lat for p in points], [p.lon for p in points], table["lat"], table["lon"]),
        inside=shapely.union_all(list(outlines.values())) if outlines else None, top=top,
        raster=_population_raster(population),
        own_reached=reach_counts(distance_matrix_km([p.lat for p in points], [p.lon for p in points],
                                                    [t.lat for t in own], [t.lon for t in own]),
                                 *_ranges(records))[1] if own else None)
    from tqdm import tqdm

    rows, geometries = [], []
    for i, record in enumerate(tqdm(records, total=len(records), desc="comparing", unit="system",
                                    disable=None if progress else True, leave=False)):
        geometries.append(coverage_geometry(record, points))
        rows.append(context.row(i, record, geometries[i], geometries[0]))
    extra = (["cities_in_range_global", "population_in_range_global"] if outlines else []) \
        + (["raster_population"] + (["raster_population_global"] if outlines else []) if context.raster is not None else []) \
        + (["targets_in_range"] if own else [])
    frame = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS) + extra)
    frame.attrs["coverage"] = geometries
    return frame


def _outlines(countries) -> tuple[dict, dict[str, float]]:
    """Country outlines by code as typed (upper-cased) and their ellipsoidal areas; too-small countries refused."""
    from .countries import country_geometry

    outlines = {str(c).strip().upper(): country_geometry(c) for c in countries}
    areas = {code: area_km2(shape) for code, shape in outlines.items()}
    for code, area in areas.items():
        if area <= 0:
            raise InputError(f"country {code!r} is too small to have an outline in the 1:50m country data, "
                             "so its share cannot be measured: expected a larger country")
    return outlines, areas


def _population_raster(path) -> PopulationRaster | None:
    if path is None:
        return None
    from .population import PopulationRaster

    return PopulationRaster.open(path)


@dataclass
class _CompareContext:
    """What every row of a comparison is measured against: cities, distances, countries, raster, targets."""

    points: list[Place]
    table: dict
    in_country: np.ndarray
    outlines: dict
    country_area: dict[str, float]
    dist: np.ndarray
    inside: BaseGeometry | None
    top: int
    raster: PopulationRaster | None
    own_reached: np.ndarray | None

    def row(self, i: int, record: System, geom, first) -> dict:
        """One system's figures; areas added and shared are against the first system's coverage."""
        area = area_km2(geom)
        hit, nearest_km, nearest_launch = _nearest_reaching(self.dist, record)
        index = np.flatnonzero(hit & self.in_country)
        row = {
            "system": record.id,
            "name": record.name,
            "max_range_km": float(record.range.max_km),
            "area_km2": area,
            "added_km2": 0.0 if i == 0 else area_km2(shapely.difference(geom, first)),
            "overlap_km2": area if i == 0 else area_km2(shapely.intersection(geom, first)),
            "cities_in_range": int(index.size),
            "population_in_range": int(self.table["population"][index].sum()),
            "cities": [_city(self.table, j, nearest_km[j], self.points[nearest_launch[j]].label)
                       for j in index[:max(0, self.top)]],
            "country_share": {code: area_km2(shapely.intersection(geom, shape)) / self.country_area[code]
                              for code, shape in self.outlines.items()},
        }
        if self.outlines:
            row["cities_in_range_global"] = int(np.count_nonzero(hit))
            row["population_in_range_global"] = int(self.table["population"][hit].sum())
        if self.raster is not None:
            row["raster_population"] = self.raster.total(geom if self.inside is None else shapely.intersection(geom, self.inside))
            if self.inside is not None:
                row["raster_population_global"] = self.raster.total(geom)
        if self.own_reached is not None:
            row["targets_in_range"] = int(self.own_reached[i].sum())
        return row


def cities_in_range(systems, launches, *, countries=(), top: int | None = None, catalog=None) -> pd.DataFrame:
    """One row per city that any of the systems reaches from any launch point, most populous first.

    Columns: name, country, region, population, lat, lon, distance_km and nearest_launch (the nearest
    launch point, whether or not it is itself in range), systems (ids reaching the city) and
    launches (labels of the launch points from which at least one system reaches it). PPLX
    sections are left out and ``countries`` limits the rows as in :func:`compare`.
    """
    for c in countries:
        from .countries import country_geometry

        country_geometry(c)
    records = _records(systems, catalog, default_all=False)
    points = _points(launches, "launch point")
    table, in_country = _city_table(countries)
    dist = distance_matrix_km([p.lat for p in points], [p.lon for p in points], table["lat"], table["lon"])
    ok = in_range_matrix(dist, *_ranges(records)) & in_country  # (systems, launches, cities)
    index = np.flatnonzero(ok.any(axis=(0, 1)))[: None if top is None else max(0, top)]
    nearest = dist[:, index].argmin(axis=0) if index.size else np.zeros(0, dtype=int)
    ids = np.array([r.id or r.name for r in records], dtype=object)
    labels = np.array([p.label for p in points], dtype=object)
    region = table.get("region")
    return pd.DataFrame({
        "name": table["name"][index],
        "country": table["country"][index],
        "region": region[index] if region is not None else np.full(index.size, "", dtype=object),
        "population": table["population"][index],
        "lat": table["lat"][index],
        "lon": table["lon"][index],
        "distance_km": dist[nearest, index],
        "nearest_launch": labels[nearest],
        "systems": [list(ids[ok[:, :, j].any(axis=1)]) for j in index],
        "launches": [list(labels[ok[:, :, j].any(axis=0)]) for j in index],
    }, columns=list(CITY_COLUMNS))


def sections_marked() -> bool:
    """Whether the gazetteer flags sections of populated places (PPLX), so compare() can leave them out."""
    from .gazetteer import cities

    table = cities()
    return "feature" in table or table.get("pplx") is not None


def _city_table(countries) -> tuple[dict, np.ndarray]:
    """The gazetteer without PPLX sections (when it marks them), and which rows lie in ``countries``.

    Rows stay most populous first. A country is matched by GeoNames' country code, which is what
    the gazetteer records; no countries means every row.
    """
    from .gazetteer import cities

    full = cities()
    table = {k: np.asarray(full[k]) for k in ("name", "country", "lat", "lon", "population", "region") if k in full}
    pplx = full.get("pplx")
    if pplx is None and "feature" in full:
        pplx = np.asarray(full["feature"]) == "PPLX"
    if pplx is not None and np.any(pplx):
        keep = ~np.asarray(pplx, dtype=bool)
        table = {k: v[keep] for k, v in table.items()}
    codes = {_iso2(c) for c in countries}
    in_country = np.isin(table["country"], list(codes)) if codes else np.ones(len(table["lat"]), dtype=bool)
    return table, in_country


def _iso2(text: str) -> str:
    """GeoNames' two-letter code of a country as the outlines resolve it (code, alpha-3 or name)."""
    from . import countries as atlas
    from .gazetteer import country_code

    atlas.country_geometry(text)
    feature = atlas._index().get(str(text).strip().casefold())
    code = feature["properties"]["iso_a2"] if feature else None
    return str(code or country_code(str(text)) or str(text).strip().upper())


def _nearest_reaching(dist: np.ndarray, record: System) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per city: reached at all, the distance (km) to the nearest launch point that reaches it, and that point."""
    ok = in_range_matrix(dist, record.range.min_km, record.range.max_km)[0]
    masked = np.where(ok, dist, np.inf)
    nearest = masked.argmin(axis=0)
    return ok.any(axis=0), masked[nearest, np.arange(dist.shape[1])], nearest


def _city(table: dict, j: int, distance_km: float, launch: str) -> dict:
    region = table.get("region")
    return {"name": str(table["name"][j]), "country": str(table["country"][j]),
            "region": str(region[j]) if region is not None else "", "population": int(table["population"][j]),
            "lat": float(table["lat"][j]), "lon": float(table["lon"][j]),
            "distance_km": round(float(distance_km), 3), "launch": launch}


def _points(values, what: str) -> list[Place]:
    if isinstance(values, (str, Place)):
        values = [values]
    points = [parse_point(v) for v in (values or [])]
    if not points:
        raise InputError(f"no {what}s given: at least one is needed")
    return points


def _records(systems, catalog, default_all: bool = True) -> list[System]:
    """Systems as given, names resolved in the catalogue; nothing given means all of it."""
    if isinstance(systems, (str, System)):
        systems = [systems]
    systems = list(systems or [])
    if not systems and not default_all:
        raise InputError("no systems given: at least one is needed")
    if (not systems or any(isinstance(s, str) for s in systems)) and catalog is None:
        from .catalog import load_catalog

        catalog = load_catalog()
    if not systems:
        return list(catalog)
    return [s if isinstance(s, System) else catalog.get(s) for s in systems]


def _ranges(records: Sequence[System]) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) ranges in km as arrays, in the order of ``records``."""
    return (np.array([r.range.min_km for r in records], dtype=float),
            np.array([r.range.max_km for r in records], dtype=float))


_EXPECTED = ("expected a UTF-8 CSV with a header row and columns name,lat,lon (also city/label, latitude/y, "
             "lng/longitude/x; decimal degrees or DMS) or a single column place (place names or any point notation)")
_NAME = ("name", "city", "label", "target")
_COORD_CELL = re.compile(r"^[\d\s.°º'\"′″+\-NSEWnsewdms]*\d[\d\s.°º'\"′″+\-NSEWnsewdms]*$")


def read_targets(path) -> list[Place]:
    """Targets from a CSV file (``--targets FILE.csv``): name,lat,lon columns, or one ``place`` column.

    Header spellings people export with are all read: ``name/city/label/target``,
    ``lat/latitude/y``, ``lon/lng/long/longitude/x`` (any case); a header with none of them is an
    error, never a silent loss of names or points.

    A ``place`` (or lone ``name``) column takes anything parse_point reads, place names included;
    with both, ``name`` labels the place. Every bad row is reported as FILE:LINE so a long list
    can be fixed in one pass.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"targets file {str(path)!r} not found: {_EXPECTED}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text: {_EXPECTED}") from None
    except OSError as exc:
        raise InputError(f"cannot read targets file {str(path)!r} ({exc.strerror or exc}): {_EXPECTED}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header, columns, points, problems, end = None, {}, [], [], 0
    try:
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                columns = _target_columns(header, path, line)
                continue
            try:
                points.append(_target_row(row, header, columns))
            except InputError as exc:
                problems.append(f"{path}:{line}: {exc}")
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: cannot read as CSV ({exc}): {_EXPECTED}") from None
    if problems:
        raise InputError(problems[0] if len(problems) == 1 else
                         f"{len(problems)} bad rows in targets file {path}:\n" + "\n".join(problems))
    if not points:
        raise InputError(f"{path}: no targets: {_EXPECTED}")
    return points


def _target_columns(header: list[str], path: Path, line: int) -> dict:
    """Column positions for this header; raises if it has neither lat+lon nor a place column."""
    def find(names):
        return next((header.index(n) for n in names if n in header), None)

    columns = {"lat": find(LAT_COLUMNS), "lon": find(LON_COLUMNS), "name": find(_NAME), "place": find(("place",))}
    if columns["lat"] is not None and columns["lon"] is not None:
        if columns["name"] is None:
            columns["name"] = columns["place"]
        columns["place"] = None
        return columns
    if columns["place"] is None and columns["name"] is not None:
        columns["place"], columns["name"] = columns["name"], None
    if columns["place"] is None or columns["lat"] is not None or columns["lon"] is not None:
        raise InputError(f"{path}:{line}: header {','.join(header)!r} needs both lat and lon columns "
                         f"or a place column: {_EXPECTED}")
    return columns


def _target_row(row: list[str], header: list[str], columns: dict) -> Place:
    if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
        raise InputError(f"{len(row)} fields but the header has {len(header)} ({','.join(header)}); "
                         "quote values that contain commas")
    def cell(key):
        index = columns[key]
        return row[index].strip() if index is not None and index < len(row) else ""

    name = cell("name")
    if columns["place"] is not None:
        place = cell("place")
        if not place:
            raise InputError(f"{header[columns['place']]} is empty")
        point = parse_point(place)
        return point.relabel(name) if name else point
    lat, lon = cell("lat"), cell("lon")
    for key, value in (("lat", lat), ("lon", lon)):
        if not value:
            raise InputError(f"{header[columns[key]]} is empty")
        if not (_is_float(value) or _COORD_CELL.match(value)):
            raise InputError(f"{header[columns[key]]} {value!r} is not a coordinate: expected decimal degrees "
                             "with a point as decimal separator (50.45) or DMS (50°27'N)")
    point = parse_point((float(lat), float(lon))) if _is_float(lat) and _is_float(lon) else parse_point(f"{lat}, {lon}")
    return point.relabel(name) if name else point


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
