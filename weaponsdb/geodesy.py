"""Distances and range rings on the WGS84 ellipsoid.

A range ring is the set of points whose geodesic distance from the launch point lies within
[min, max]. Its boundary is sampled with ``pyproj.Geod`` (Karney's algorithms) in one
vectorised call, densified where a straight lon/lat edge would stray from the true circle,
and assembled directly into RFC 7946 geometry: split at the antimeridian, closed along the
pole it contains, or built as "the world minus a hole" when it contains both poles.
"""

import math

import numpy as np
import pyproj
import shapely

from .errors import InputError
from .units import check_range_km

GEOD = pyproj.Geod(ellps="WGS84")
#: The longest geodesic on WGS84 (from any point to its antipode, over a pole), in metres.
HALF_MERIDIAN_M = GEOD.inv(0.0, 90.0, 0.0, -90.0)[2]
WORLD = shapely.box(-180.0, -90.0, 180.0, 90.0)

_R_MEAN = 6371008.8
_DEG = math.pi / 180.0
_ANTIPODAL_HOLE_M = 1_000_000.0
_MAX_EDGE_LON_DEG = 10.0
_CEA = pyproj.Transformer.from_crs("EPSG:4326", "+proj=cea +ellps=WGS84 +lat_ts=0", always_xy=True)


def tolerance_m(range_m: float) -> float:
    """How far from its boundary a point may be misclassified: max(0.1% of the range, 100 m)."""
    return max(1e-3 * range_m, 100.0)


def distances_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Geodesic distances in metres, broadcasting like numpy."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2)))
    return np.asarray(GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel(), return_back_azimuth=False)[2]).reshape(lat1.shape)


def inverse(lat1, lon1, lat2, lon2) -> tuple[float, float]:
    """(distance in km, initial azimuth in degrees from north, 0-360) between two points."""
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return dist / 1000.0, az % 360.0


def ring(lat: float, lon: float, max_km: float, min_km: float = 0.0):
    """Points within [min_km, max_km] of (lat, lon), as shapely (Multi)Polygon in lon/lat (RFC 7946)."""
    _check_range(lat, lon, max_km, min_km)
    outer = disk(lat, lon, max_km * 1000.0)
    if min_km and min_km > 0:
        return shapely.orient_polygons(shapely.difference(outer, disk(lat, lon, min_km * 1000.0)))
    return outer


def _check_range(lat: float, lon: float, max_km: float, min_km: float) -> None:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0 and math.isfinite(lon)):
        raise InputError(f"bad launch point ({lat}, {lon}): latitude must be in [-90, 90], longitude finite")
    check_range_km(max_km, min_km)


def disk(lat: float, lon: float, radius_m: float):
    """The geodesic disk of ``radius_m`` around (lat, lon), assembled by which poles it contains."""
    lon = ((lon + 180.0) % 360.0) - 180.0
    if radius_m >= HALF_MERIDIAN_M:
        return WORLD
    if radius_m > HALF_MERIDIAN_M - _ANTIPODAL_HOLE_M:
        gen, size = _antipodal_generator(lat, lon, radius_m), HALF_MERIDIAN_M - radius_m
    else:
        gen, size = _centre_generator(lat, lon, radius_m), radius_m
    t, x, y = _densify(gen, tolerance_m(radius_m), size)
    jumps = np.abs(np.concatenate((x[1:], x[:1])) - x) > 180.0
    if not jumps.any() and radius_m < 0.45 * HALF_MERIDIAN_M and np.abs(y).max() < 89.9:
        # No seam, no pole inside or near: azimuth runs clockwise, so reverse for RFC 7946.
        return shapely.Polygon(np.column_stack([x[::-1], y[::-1]]))
    winding = round(float(_wrap(np.diff(x, append=x[:1])).sum()) / 360.0)
    x, y, seam = _insert_seam_points(gen, t, x, y, jumps)
    if winding == 0:
        if seam.sum() == 2:
            inside = _polygonal(_two_sided(x, y, seam))
        else:
            inside = _split_at_antimeridian(_polygonal(shapely.Polygon(np.column_stack([_unwrap(x, seam), y]))))
        # The curve bounds either the ring (no pole inside) or the hole around the antipode (both
        # poles inside); the centre says which, even when a pole sits exactly on the boundary.
        if shapely.intersects_xy(inside, lon, lat):
            return shapely.orient_polygons(inside)
        return shapely.orient_polygons(_polygonal(shapely.difference(WORLD, inside)))
    # The curve separates the poles, so the ring holds the nearer one.
    pole = 90.0 if lat >= 0 else -90.0
    first = int(np.flatnonzero(seam)[0])
    x, y, seam = np.roll(x, -first), np.roll(y, -first), np.roll(seam, -first)
    ux = _unwrap(x, seam)
    end = ux[0] + 360.0 * winding
    ring = np.column_stack([np.append(ux, [end, end, ux[0]]), np.append(y, [y[0], pole, pole])])
    return shapely.orient_polygons(_polygonal(_split_at_antimeridian(_polygonal(shapely.Polygon(ring)))))


def _centre_generator(lat, lon, radius_m):
    """Boundary points by azimuth from the centre: exact while the radius stays short of the cut locus."""
    def gen(t):
        n = len(t)
        x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), t, np.full(n, radius_m), return_back_azimuth=False)
        return np.asarray(x), np.asarray(y)
    return gen


def _antipodal_generator(lat, lon, radius_m):
    """Boundary points by bearing from the antipode, found by bisection on the true distance.

    Near-antipodal rings pass the cut locus, where ``fwd`` from the centre no longer gives
    shortest paths; walking out from the antipode until ``inv`` says the distance has fallen
    to the range stays exact there.
    """
    alat, alon = -lat, ((lon + 360.0) % 360.0) - 180.0
    hole = HALF_MERIDIAN_M - radius_m

    def gen(t):
        n = len(t)
        lo, hi = np.zeros(n), np.full(n, 2.0 * hole + 10_000.0)
        while n:
            x, y, _ = GEOD.fwd(np.full(n, alon), np.full(n, alat), t, hi, return_back_azimuth=False)
            short = distances_m(lat, lon, y, x) > radius_m
            if not short.any():
                break
            lo, hi = np.where(short, hi, lo), np.where(short, 2.0 * hi, hi)
        while n and np.max(hi - lo) > 1e-5:
            mid = 0.5 * (lo + hi)
            x, y, _ = GEOD.fwd(np.full(n, alon), np.full(n, alat), t, mid, return_back_azimuth=False)
            outside = distances_m(lat, lon, y, x) > radius_m
            lo, hi = np.where(outside, mid, lo), np.where(outside, hi, mid)
        x, y, _ = GEOD.fwd(np.full(n, alon), np.full(n, alat), t, 0.5 * (lo + hi), return_back_azimuth=False)
        return np.asarray(x), np.asarray(y)
    return gen


def _wrap(dlon):
    return (np.asarray(dlon) + 180.0) % 360.0 - 180.0


def _unwrap(x, seam):
    """Continuous longitudes along the curve; seam points snapped to their exact odd multiple of 180."""
    ux = x[0] + np.concatenate([[0.0], np.cumsum(_wrap(np.diff(x)))])
    ux[seam] = np.round((ux[seam] - 180.0) / 360.0) * 360.0 + 180.0
    return ux


def _initial_count(tol_fraction: float) -> int:
    """Vertices for a planar circle whose chords stay within a quarter of the tolerance."""
    return int(min(4096, max(32, math.ceil(1.3 * math.pi / math.sqrt(tol_fraction / 2.0)))))


def _densify(gen, tol_m, size_m):
    """Sample the boundary and split edges until each straight lon/lat edge is within tol/4 of the curve.

    The sagitta of each edge is estimated from the local curvature (Menger curvature of vertex
    triples in a local metric frame), so checking costs no geodesic calls; an edge that is too
    coarse is split into as many pieces as the estimate asks for, so one pass usually suffices.
    """
    t = np.linspace(0.0, 360.0, _initial_count(tol_m / size_m), endpoint=False)
    x, y = gen(t)
    for _ in range(40):
        pieces = _pieces_needed(x, y, tol_m / 4.0)
        idx = np.flatnonzero(pieces > 1)
        if idx.size == 0:
            break
        counts = pieces[idx]
        start = np.repeat(t[idx], counts - 1)
        span = np.repeat(np.append(t[1:], 360.0 + t[0])[idx] - t[idx], counts - 1)
        step = np.concatenate([np.arange(1, k) / k for k in counts])
        t_new = start + span * step
        xn, yn = gen(t_new)
        at = np.repeat(idx + 1, counts - 1)
        t, x, y = (np.insert(a, at, b) for a, b in ((t, t_new), (x, xn), (y, yn)))
    return t, x, y


def _pieces_needed(x, y, limit_m):
    """How many pieces each edge (i -> i+1, cyclic) must be cut into to stay within ``limit_m`` of the curve.

    Works on squared quantities so the common case (nothing to refine) stays a handful of array ops.
    """
    dlon = (np.concatenate((x[1:], x[:1])) - x + 180.0) % 360.0 - 180.0
    ex = dlon * np.cos(y * _DEG)
    ey = np.concatenate((y[1:], y[:1])) - y
    px, py = np.concatenate((ex[-1:], ex[:-1])), np.concatenate((ey[-1:], ey[:-1]))
    l2, p2 = ex * ex + ey * ey, px * px + py * py
    cross = px * ey - py * ex
    # Menger curvature at each vertex, squared: 4 cross^2 / (|prev|^2 |next|^2 |prev + next|^2).
    denom = l2 * p2 * ((px + ex) ** 2 + (py + ey) ** 2)
    k2 = 4.0 * cross * cross / np.where(denom > 0, denom, np.inf)
    # Sagitta of edge i ~ kappa * L^2 / 8 with the larger curvature of its two ends; it shrinks with
    # the square of the edge length, so k pieces divide it by k^2.
    s2 = np.maximum(k2, np.concatenate((k2[1:], k2[:1]))) * l2 * l2 * (_DEG * _R_MEAN / 8.0) ** 2
    need = np.maximum((s2 / (limit_m * limit_m)) ** 0.25, np.abs(dlon) / _MAX_EDGE_LON_DEG)
    # A little over-splitting of the edges that fail saves another round of checks.
    return np.where(need > 1.0, np.minimum(np.ceil(need * 1.25), 64), 1).astype(np.int64)


def _insert_seam_points(gen, t, x, y, crosses):
    """Insert an exact boundary point wherever the curve crosses 180°.

    The crossing parameter is bracketed by two rounds of 32-way search (one vectorised ``gen``
    call each) and finished by linear interpolation across the last, tiny bracket. The point's
    longitude is exactly +-180 on the side of the vertex before it; returns the new arrays and
    a mask of the inserted points.
    """
    idx = np.flatnonzero(crosses)
    if idx.size == 0:
        return x, y, np.zeros(len(x), bool)
    lo, hi = t[idx], np.append(t[1:], 360.0 + t[0])[idx]
    x0 = x[idx]
    side = np.where(x0 > 0, 180.0, -180.0)
    rows, steps = np.arange(idx.size), np.linspace(0.0, 1.0, 33)
    for _ in range(2):
        ts = lo[:, None] + (hi - lo)[:, None] * steps
        ux = x0[:, None] + _wrap(gen(ts.ravel())[0].reshape(ts.shape) - x0[:, None])
        k = np.clip(np.sum(np.abs(ux) < 180.0, axis=1) - 1, 0, len(steps) - 2)
        lo, hi, ua, ub = ts[rows, k], ts[rows, k + 1], ux[rows, k], ux[rows, k + 1]
    frac = np.clip((side - ua) / np.where(ub != ua, ub - ua, 1.0), 0.0, 1.0)
    ys = gen(lo + (hi - lo) * frac)[1]
    seam = np.insert(np.zeros(len(x), bool), idx + 1, True)
    return np.insert(x, idx + 1, side), np.insert(y, idx + 1, ys), seam


def _two_sided(x, y, seam):
    """A curve that crosses the antimeridian exactly twice, as the two polygons either side of it.

    Each run between the two seam points is closed along the seam; no overlay is needed.
    """
    a, b = np.flatnonzero(seam)
    pieces = []
    for ids in (np.arange(a, b + 1), np.r_[np.arange(b, len(x)), np.arange(0, a + 1)]):
        px = x[ids].copy()
        px[0] = px[-1] = math.copysign(180.0, px[1])  # the vertex beside the seam shows the run's side
        pieces.append(shapely.Polygon(np.column_stack([px, y[ids]])))
    return shapely.MultiPolygon(pieces)


def _polygonal(geom):
    """``geom`` made valid, keeping only its area.

    A boundary that runs along the antimeridian or through a pole can touch itself exactly at
    a seam or pole vertex; GEOS calls that invalid and would refuse later overlays.
    """
    if geom.is_valid:
        return geom
    parts = shapely.get_parts(shapely.make_valid(geom))
    return shapely.union_all([p for p in parts if shapely.get_type_id(p) in (3, 6)])


def _split_at_antimeridian(poly):
    """Cut a polygon drawn in continuous longitudes into pieces within [-180, 180].

    Cuts fall on exact multiples of 180 and shifts by 360 are exact in floating point over
    this range, so the pieces meet the antimeridian exactly.
    """
    xmin, _, xmax, _ = poly.bounds
    if xmin >= -180.0 and xmax <= 180.0:
        return poly
    if xmax - xmin <= 360.0 and (xmin >= 180.0 or xmax <= -180.0):
        shift = 360.0 if xmin >= 180.0 else -360.0
        return shapely.transform(poly, _shift_x(-shift))
    pieces = []
    for k in range(math.floor((xmin + 180.0) / 360.0), math.ceil((xmax - 180.0) / 360.0) + 1):
        piece = shapely.intersection(poly, shapely.box(360.0 * k - 180.0, -90.0, 360.0 * k + 180.0, 90.0))
        for part in shapely.get_parts(piece):
            if shapely.get_type_id(part) in (3, 6) and part.area > 0:
                pieces.append(shapely.transform(part, _shift_x(-360.0 * k)))
    return shapely.union_all(pieces)


def _shift_x(dx: float):
    """A coordinate transform moving x by ``dx`` (whole turns of longitude are exact in floating point)."""
    offset = np.array([dx, 0.0])
    return lambda xy: xy + offset


def area_km2(geom) -> float:
    """Area on the WGS84 ellipsoid, via an equal-area cylindrical projection.

    Cylindrical equal-area maps the lon/lat box onto a rectangle, so polygons closed along a
    pole or cut at the antimeridian keep their true area (``Geod.geometry_area_perimeter``
    returns the complement for such polygons).
    """
    if geom is None or geom.is_empty:
        return 0.0
    projected = shapely.transform(geom, lambda xy: np.column_stack(_CEA.transform(xy[:, 0], xy[:, 1])))
    return float(shapely.area(projected)) / 1e6
