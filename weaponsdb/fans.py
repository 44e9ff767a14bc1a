"""Map furniture on the ellipsoid: interval circles, radials (bearing lines) and range fans (sectors).

Like rings, every vertex is an exact point from ``pyproj.Geod`` (Karney's algorithms) and the
results are RFC 7946 geometry in lon/lat: lines are split at the antimeridian, and a sector that
crosses it or contains a pole is cut and closed the way ``geodesy.ring`` does it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry

from .errors import InputError
from .geodesy import GEOD, WORLD, _split_at_antimeridian, ring, tolerance_m
from .units import check_range_km

if TYPE_CHECKING:
    from .model import MapSpec, Place
    from .rangerings import Ring

_ARC_STEP_DEG = 0.5  # azimuth step along a sector's arcs; refined for long ranges
_RADIAL_STEPS = 256  # vertices along a radial, at least


def is_cut_edge(a: Sequence[float], b: Sequence[float]) -> bool:
    """An edge RFC 7946 adds (along the antimeridian or a pole) rather than part of a true boundary."""
    return (a[0] == b[0] and abs(a[0]) == 180.0) or (a[1] == b[1] and abs(a[1]) == 90.0)


def boundary(geom: BaseGeometry) -> MultiLineString:
    """The true boundary of an RFC 7946 (multi)polygon: its rings without antimeridian or pole-closure edges."""
    runs: list[list[tuple[float, float]]] = []
    for poly in getattr(geom, "geoms", [geom]):
        for r in (poly.exterior, *poly.interiors):
            run = [r.coords[0]]
            for a, b in itertools.pairwise(r.coords):
                if is_cut_edge(a, b):
                    runs.append(run)
                    run = [b]
                else:
                    run.append(b)
            runs.append(run)
    return MultiLineString([run for run in runs if len(run) > 1])


def circle(lat: float, lon: float, km: float) -> MultiLineString:
    """The geodesic circle of radius ``km`` around (lat, lon) as lines: an interval ring, exact like ``ring``."""
    return boundary(ring(lat, lon, km))


def interval_distances(max_km: float, every_km: float | None = None, extra_km: Sequence[float] = ()) -> list[float]:
    """Distances of interval rings inside ``max_km``: multiples of ``every_km`` and the given ones, ascending."""
    out = set()
    if every_km:
        n = math.floor(max_km / every_km + 1e-9)
        if n > 500:
            raise InputError(f"ring interval {every_km:g} km gives {n} rings inside {max_km:g} km: expected at most 500")
        out |= {round(every_km * k, 6) for k in range(1, n + 1)}
    out |= {float(km) for km in extra_km if 0 < km <= max_km}
    return sorted(d for d in out if abs(d - max_km) > 1e-6)


def even_bearings(n: int, start: float = 0.0) -> list[float]:
    """``n`` bearings evenly spaced round the compass, the first at ``start``."""
    return [(start + 360.0 * k / n) % 360.0 for k in range(n)]


def _geodesic_points(lat: float, lon: float, bearing: float, d0_m: float, d1_m: float, n: int) -> np.ndarray:
    """(lon, lat) of ``n`` exact points along the geodesic from (lat, lon) at ``bearing``, from d0 to d1 metres."""
    dist = np.linspace(d0_m, d1_m, n)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), np.full(n, bearing % 360.0), dist, return_back_azimuth=False)
    return np.column_stack([x, y])


def _split_line(xy: np.ndarray) -> list[np.ndarray]:
    """A line's vertices cut into pieces at the antimeridian (each piece ends and the next starts at +-180)
    and over a pole (the longitude turns by more than 90 degrees between neighbours: it meets the pole)."""
    out: list[np.ndarray] = []
    run = [xy[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(xy):
        wrapped = (x1 - x0 + 180.0) % 360.0 - 180.0
        if abs(wrapped) > 90.0:
            pole = math.copysign(90.0, y0)
            out.append(np.array([*run, (x0, pole)]))
            run = [np.array([x1, pole])]
        elif abs(x1 - x0) > 180.0:
            side = math.copysign(180.0, x0)
            y = y0 + (y1 - y0) * (side - x0) / wrapped
            out.append(np.array([*run, (side, y)]))
            run = [np.array([-side, y])]
        run.append(np.array([x1, y1]))
    out.append(np.array(run))
    return [p for p in out if len(p) > 1]


def radial(lat: float, lon: float, bearing: float, km: float, start_km: float = 0.0) -> LineString | MultiLineString:
    """The geodesic from (lat, lon) at ``bearing`` (degrees clockwise from north) out to ``km``; RFC 7946 lines."""
    check_range_km(km, start_km)
    steps = max(_RADIAL_STEPS, math.ceil(km / 10.0))
    parts = [LineString(p) for p in _split_line(_geodesic_points(lat, lon, bearing, start_km * 1e3, km * 1e3, steps))]
    return parts[0] if len(parts) == 1 else MultiLineString(parts)


def _sweep(start: float, end: float) -> float:
    """Degrees clockwise from ``start`` to ``end``, in (0, 360]; equal bearings mean the full circle."""
    sweep = (end - start) % 360.0
    return sweep if sweep > 0 else 360.0


def _arc(lat: float, lon: float, radius_m: float, start: float, sweep: float) -> np.ndarray:
    """Exact points at ``radius_m`` from azimuth ``start`` clockwise through ``sweep`` degrees."""
    step = min(_ARC_STEP_DEG, _ARC_STEP_DEG * 2000e3 / max(radius_m, 1.0))
    n = max(2, math.ceil(sweep / step) + 1)
    az = (start + np.linspace(0.0, sweep, n)) % 360.0
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_m), return_back_azimuth=False)
    return np.column_stack([x, y])


def _fan_outline(lat: float, lon: float, max_km: float, min_km: float, start: float, sweep: float) -> np.ndarray:
    """The closed boundary of a fan, clockwise: out along ``start``, round the far arc, back along the end."""
    steps = max(_RADIAL_STEPS, math.ceil((max_km - min_km) / 10.0))
    out_edge = _geodesic_points(lat, lon, start, min_km * 1e3, max_km * 1e3, steps)
    far = _arc(lat, lon, max_km * 1e3, start, sweep)
    back = _geodesic_points(lat, lon, start + sweep, max_km * 1e3, min_km * 1e3, steps)
    near = _arc(lat, lon, min_km * 1e3, start, sweep)[::-1] if min_km else np.array([[lon, lat]])
    return np.vstack([out_edge, far[1:], back[1:], near[1:]])


def _inside_point(lat: float, lon: float, max_km: float, min_km: float, start: float, sweep: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, (start + sweep / 2.0) % 360.0, (max_km + min_km) / 2.0 * 1e3)
    return float(x), float(y)


def _assemble(xy: np.ndarray, probe: tuple[float, float]) -> BaseGeometry:
    """RFC 7946 polygon(s) for a closed curve given in wrapped longitudes; ``probe`` is a point inside."""
    dx = np.diff(xy[:, 0], append=xy[:1, 0])
    wrapped = (dx + 180.0) % 360.0 - 180.0
    ux = xy[0, 0] + np.concatenate([[0.0], np.cumsum(wrapped[:-1])])
    winding = round(float(wrapped.sum()) / 360.0)
    if winding == 0:
        inside = _valid(_split_at_antimeridian(_valid(Polygon(np.column_stack([ux, xy[:, 1]])))))
        if not shapely.intersects_xy(inside, *probe):
            inside = _valid(shapely.difference(WORLD, inside))
        return shapely.orient_polygons(inside)
    candidates = []
    for pole in (90.0, -90.0):
        end = ux[0] + 360.0 * winding
        closed = np.column_stack([np.append(ux, [end, end, ux[0]]), np.append(xy[:, 1], [xy[0, 1], pole, pole])])
        candidates.append(_valid(_split_at_antimeridian(_valid(Polygon(closed)))))
    inside = next((c for c in candidates if shapely.intersects_xy(c, *probe)), candidates[0])
    return shapely.orient_polygons(inside)


def _valid(geom: BaseGeometry) -> BaseGeometry:
    if geom.is_valid:
        return geom
    parts = shapely.get_parts(shapely.make_valid(geom))
    return shapely.union_all([p for p in parts if shapely.get_type_id(p) in (3, 6)])


def sector(lat: float, lon: float, max_km: float, start: float, end: float, min_km: float = 0.0) -> BaseGeometry:
    """The range fan: points within [min_km, max_km] of (lat, lon) whose bearing from it runs clockwise from
    ``start`` to ``end`` (degrees, wrapping through north: 300 to 60 faces north).

    Exact on the ellipsoid: every vertex is a Geod point on a bounding radial or arc. RFC 7946 like
    ``geodesy.ring``: split at the antimeridian, closed along a pole it contains.
    """
    check_range_km(max_km, min_km)
    sweep = _sweep(start, end)
    if sweep >= 360.0:
        return ring(lat, lon, max_km, min_km)
    if max_km > 19_900.0:
        raise InputError(f"a sector of {max_km:g} km reaches round to the antipode: expected at most 19900km")
    xy = _fan_outline(lat, lon, max_km, min_km, start % 360.0, sweep)
    return _assemble(xy, _inside_point(lat, lon, max_km, min_km, start % 360.0, sweep))


def in_sector(bearing: float, start: float, end: float, slack: float = 1e-7) -> bool:
    """Whether ``bearing`` lies clockwise between ``start`` and ``end`` (inclusive, wrapping through north)."""
    sweep = _sweep(start, end)
    return (bearing - start) % 360.0 <= sweep + slack or (bearing - start) % 360.0 >= 360.0 - slack


def cut_to_sector(rings: Sequence[Ring], arc: tuple[float, float] | None) -> list[Ring]:
    """Rings (and their uncertainty bands) cut to the sector ``arc`` a launcher faces; unchanged without one."""
    if arc is None:
        return list(rings)
    out = []
    for r in rings:
        rng = r.system.range
        band = sector_of(r.point, rng.band[1], arc, rng.band[0]) if r.band is not None and rng.band else None
        out.append(replace(r, geometry=sector_of(r.point, rng.max_km, arc, rng.min_km), band=band))
    return out


def sector_of(point: Place, max_km: float, arc: tuple[float, float], min_km: float = 0.0) -> BaseGeometry:
    """:func:`sector` around a Place, ``arc`` being (from, to) bearings."""
    return sector(point.lat, point.lon, max_km, arc[0], arc[1], min_km)


def furniture(spec: MapSpec) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    """Interval rings and radials of a map spec as (RFC 7946 lines, properties), for GeoJSON/KML export.

    Interval rings: every ``spec.every_km`` and at ``spec.ranges_km`` inside each system's range,
    cut to ``spec.sector``; radials: ``spec.radials`` evenly spaced plus ``spec.bearings`` (those in
    the sector), from each point out to its outermost range.
    """
    out: list[tuple[BaseGeometry, dict[str, Any]]] = []
    for p in spec.points:
        for s in spec.systems:
            fan = sector_of(p, s.range.max_km, spec.sector, s.range.min_km) if spec.sector else None
            for km in interval_distances(s.range.max_km, spec.every_km, spec.ranges_km):
                if km > s.range.min_km:
                    geom = circle(p.lat, p.lon, km)
                    out.append((geom.intersection(fan.buffer(1e-9)) if fan is not None else geom,
                                {"kind": "interval", "system": s.id or None, "launch": p.label, "distance_km": km}))
        reach = max(s.range.max_km for s in spec.systems)
        bearings = sorted({round(b % 360.0, 6) for b in (*even_bearings(spec.radials), *spec.bearings)})
        for b in bearings:
            if spec.sector is None or in_sector(b, *spec.sector):
                out.append((radial(p.lat, p.lon, b, reach),
                            {"kind": "radial", "launch": p.label, "bearing_deg": b, "distance_km": reach}))
    return out


__all__ = ["boundary", "circle", "cut_to_sector", "even_bearings", "furniture", "in_sector", "interval_distances",
           "is_cut_edge", "radial", "sector", "tolerance_m"]
