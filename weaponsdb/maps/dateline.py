"""Where the map is cut and what it fits: rings across the dateline drawn whole, views Mercator can show.

RFC 7946 splits a ring at the antimeridian, so a ring around Fiji is two slivers at the map's
two edges. For display only, such rings are drawn in a frame that runs past 180° (see
:func:`dateline_cut`); the geometry and every export stay RFC 7946.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from shapely.affinity import translate
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from ..fans import boundary, is_cut_edge
from .html import MERCATOR_MAX_LAT

WORLD_VIEW = [[-60.0, -180.0], [80.0, 180.0]]
VIEW_MAX_LAT = 84.0  # views are fitted to latitudes within this, so what can be shown is in view
MERCATOR_NOTE = ("Web Mercator cannot show latitudes above 85° north or south: the parts of rings and "
                 "launch points beyond that are not on this map.")
POLE = 89.999


def parts_of(geom: BaseGeometry) -> list[Any]:
    """The polygons (or lines) of a geometry, a single one as a one-item list."""
    return list(getattr(geom, "geoms", [geom]))


def _spans(parts: Sequence[BaseGeometry], points: Iterable[float]) -> list[list[float]]:
    """Longitude intervals covered by the parts and points, merged where they overlap, west to east."""
    merged: list[list[float]] = []
    for west, east in sorted([(p.bounds[0], p.bounds[2]) for p in parts] + [(x, x) for x in points]):
        if merged and west <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], east)
        else:
            merged.append([west, east])
    return merged


def dateline_cut(geoms: Iterable[BaseGeometry], points: Iterable[float]) -> float | None:
    """Where to cut longitudes so that what is drawn is contiguous: those <= the cut are drawn +360.

    Chosen from every ring on the map at once. When rings and points leave a wider gap somewhere
    else than across the dateline, the map is drawn in the frame that cuts there. A ring around
    one pole spans every longitude, so it fits any frame: the frame is then chosen from the other
    rings and the points, and centred on them when they lie nearer the dateline than Greenwich.
    None (draw as is) when nothing needs it or a ring covers both poles (the world view).
    """
    parts = [p for g in geoms for p in parts_of(g) if not p.is_empty]
    north = [p.bounds[3] >= POLE for p in parts]
    south = [p.bounds[1] <= -POLE for p in parts]
    if any(north) and any(south):
        return None
    polar = any(north) or any(south)
    merged = _spans([p for p, n, s in zip(parts, north, south) if not (n or s)], points)
    if not merged:
        return None
    west, east = merged[0][0], merged[-1][1]
    if len(merged) > 1:
        across = merged[0][0] + 360.0 - merged[-1][1]
        gap, i = max((b[0] - a[1], i) for i, (a, b) in enumerate(itertools.pairwise(merged)))
        if gap > across:
            if not polar:
                return merged[i][1]
            west, east = merged[i + 1][0], merged[i][1] + 360.0
    if not polar:
        return None
    middle = ((west + east) / 2.0 + 180.0) % 360.0 - 180.0
    return (middle - 180.0 if middle > 0 else middle + 180.0) if abs(middle) > 90.0 else None


def shown_lon(lon: float, cut: float | None) -> float:
    """A longitude as drawn in the frame of ``cut``."""
    return lon + 360.0 if cut is not None and lon <= cut else lon


def shown(parts: Iterable[BaseGeometry], cut: float | None) -> list[BaseGeometry]:
    """Parts as drawn: those west of the cut moved by +360 (display only: exports stay RFC 7946).

    A part across the cut (a ring round a pole spans every longitude) is split there.
    """
    if cut is None:
        return list(parts)
    out = []
    for p in parts:
        if p.bounds[2] <= cut:
            out.append(translate(p, xoff=360.0))
        elif p.bounds[0] >= cut:
            out.append(p)
        else:
            west = shapely.intersection(p, shapely.box(-180.0, -90.0, cut, 90.0))
            east = shapely.intersection(p, shapely.box(cut, -90.0, 180.0, 90.0))
            out += [g for g in (*parts_of(east), *parts_of(translate(west, xoff=360.0))) if not g.is_empty
                    and g.geom_type in ("Polygon", "LineString")]
    return out


def on_cut(a: Sequence[float], b: Sequence[float]) -> bool:
    """An edge RFC 7946 adds (along the antimeridian or a pole) rather than part of the true ring."""
    return is_cut_edge(a, b)


def beyond_mercator_lat(geom: BaseGeometry) -> bool:
    """Whether a geometry reaches latitudes Leaflet would squash onto the map's top or bottom edge."""
    return not geom.is_empty and (geom.bounds[1] < -MERCATOR_MAX_LAT or geom.bounds[3] > MERCATOR_MAX_LAT)


def in_mercator(lines: BaseGeometry) -> list[LineString]:
    """Lines cut to the latitudes Web Mercator shows: beyond them Leaflet would draw them along the map's edge."""
    if beyond_mercator_lat(lines):
        lines = lines.intersection(shapely.box(-540.0, -MERCATOR_MAX_LAT, 540.0, MERCATOR_MAX_LAT))
    return [p for p in parts_of(lines) if p.geom_type == "LineString" and not p.is_empty]


def outline(geom: BaseGeometry) -> list[LineString] | None:
    """The ring's true boundary to stroke, when stroking the polygon itself would mislead; else None.

    A polygon cut at the antimeridian or closed along a pole would be stroked along its cut edges
    (a line down the dateline or along the map's top), and one reaching past Web Mercator's edge
    along that edge; such rings get these lines instead.
    """
    rings = [r for p in parts_of(geom) for r in (p.exterior, *p.interiors)]
    cut = any(on_cut(a, b) for r in rings for a, b in itertools.pairwise(r.coords))
    if not cut and not beyond_mercator_lat(geom):
        return None
    return in_mercator(boundary(geom))


def view(parts: Sequence[BaseGeometry], points: Sequence[tuple[float, float]],
         cut: float | None = None) -> list[list[float]]:
    """[[south, west], [north, east]] to fit: everything drawn (display longitudes), in Web Mercator's reach.

    ``parts``: the drawn geometry; ``points``: (lat, lon) of the markers. Latitudes are clamped to
    +-VIEW_MAX_LAT, since fitting to a polar ring would fit to what Web Mercator cannot show. A ring
    around a pole spans every longitude; rings around both poles get the world view.
    """
    bounds = [p.bounds for p in parts if not p.is_empty]
    north_pole = any(b[3] >= POLE for b in bounds)
    south_pole = any(b[1] <= -POLE for b in bounds)
    if north_pole and south_pole:
        return WORLD_VIEW
    lats = [b[1] for b in bounds] + [b[3] for b in bounds] + [lat for lat, _ in points]
    lons = [b[0] for b in bounds] + [b[2] for b in bounds] + [lon for _, lon in points]
    south, north = (max(-VIEW_MAX_LAT, min(VIEW_MAX_LAT, y)) for y in (min(lats), max(lats)))
    if north_pole or south_pole:  # keep the world view's other edge rather than fit half the globe tall
        south, north = (max(south, WORLD_VIEW[0][0]), north) if north_pole else (south, min(north, WORLD_VIEW[1][0]))
        west = -180.0 if cut is None else cut
        return [[south, west], [north, west + 360.0]]
    return [[south, min(lons)], [north, max(lons)]]


def view_edge(bounds: list[list[float]]) -> int:
    """1 or -1 when the view reaches Web Mercator's north or south edge (see ``FitView``), else 0."""
    (south, _), (north, _) = bounds
    if bounds is WORLD_VIEW:
        return 0
    return 1 if north >= VIEW_MAX_LAT else -1 if south <= -VIEW_MAX_LAT else 0


def beyond_mercator(parts: Sequence[BaseGeometry], points: Sequence[tuple[float, float]]) -> bool:
    """Whether a ring or launch point reaches latitudes Web Mercator cannot show."""
    lats = [y for p in parts if not p.is_empty for y in (p.bounds[1], p.bounds[3])] + [lat for lat, _ in points]
    return any(abs(y) > MERCATOR_MAX_LAT for y in lats)
