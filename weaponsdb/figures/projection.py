"""Which projection a figure uses, and how RFC 7946 lon/lat geometry gets into it without streaks.

Every projection is a one-to-one map from a *domain* on the Earth to the plane: the sphere
minus a small cap around the antipode (azimuthal equidistant), the visible hemisphere
(orthographic), or the longitudes within 180° of the central meridian between two latitude
limits (Lambert conformal conic, Mercator). Geometry is cut to the domain in lon/lat first,
where the rings and country outlines are exact, then each boundary ring is projected on its
own; the projected region is rebuilt by the even-odd rule (a point is inside when an odd number
of projected boundary rings enclose it). That rule holds for any homeomorphism of the domain,
so a ring around the antipode of an azimuthal map, or one cut at the antimeridian, comes out
as the right region with no wrap-around edge, whatever the projection.

Projection is done with pyproj (PROJ), using the cartopy CRS that the figure's axes use, so
anything a user adds with ``transform=ccrs.PlateCarree()`` lands in the same place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from ..errors import InputError
from ..geodesy import GEOD, WORLD, disk

#: Projections a figure can be forced into, and "auto".
PROJECTIONS = ("auto", "aeqd", "ortho", "lambert", "mercator")
ACCEPTED = "expected one of " + ", ".join(PROJECTIONS)
#: Everything drawn within this distance of the map centre counts as a regional map.
REGIONAL_KM = 3000.0
#: Launch points closer together than this (or than 5% of the longest range) share one centred azimuthal map.
CLUSTER_KM = 300.0
#: An orthographic globe shows a hemisphere; what reaches further from its centre needs the azimuthal map.
ORTHO_REACH_KM = 9000.0
#: The cap left out around the antipode of an azimuthal equidistant map. It must enclose the
#: antipode's cut locus on WGS84 (at most ~67 km either side), where shortest paths are not unique.
ANTIPODE_CAP_M = 200_000.0
#: The orthographic domain: a geodesic cap safely within the visible hemisphere (90° is ~10,000 km).
ORTHO_CAP_M = 9_850_000.0
MERCATOR_LATS = (-80.0, 84.0)
CONIC_FAR_LAT = 75.0  # a conic map stops this far towards the pole its cone does not point at
#: Longest straight lon/lat edge projected as a straight line, degrees.
SEGMENT_DEG = 0.5
GRID_M = 1.0
_EPS_LON = 1e-7
_GEODETIC = pyproj.CRS.from_epsg(4326)


@dataclass
class View:
    """A projection and the part of the Earth it shows.

    ``crs``: the cartopy projection of the axes. ``domain``: lon/lat polygon of what it can show,
    in the longitude frame ``[lon0 - 180, lon0 + 180]``, whose seam lies on the far side of the
    Earth (a straight line through the antipode in the azimuthal views, the map's edge in the
    others). ``extent``: (x0, x1, y0, y1) in projected metres. ``disk``: True when the map is
    round (its edge is the domain's edge).
    """

    name: str
    crs: Any
    domain: BaseGeometry
    centre: tuple[float, float]
    lon0: float
    caption: str
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    disk: bool = False
    _transformer: pyproj.Transformer | None = field(default=None, repr=False)
    _windows: dict = field(default_factory=dict, repr=False)

    @property
    def transformer(self) -> pyproj.Transformer:
        if self._transformer is None:
            self._transformer = pyproj.Transformer.from_crs(_GEODETIC, pyproj.CRS(self.crs.proj4_init), always_xy=True)
        return self._transformer

    # -- points -------------------------------------------------------------------------------
    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Projected metres of lon/lat arrays (NaN outside the domain)."""
        lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
        lon = (lon - (self.lon0 - 180.0)) % 360.0 + (self.lon0 - 180.0)
        x, y = self.transformer.transform(lon, lat)
        x, y = np.asarray(x, float), np.asarray(y, float)
        shapely.prepare(self.domain)
        inside = shapely.contains_xy(self.domain, lon, lat)
        bad = ~inside | ~np.isfinite(x) | ~np.isfinite(y)
        x[bad], y[bad] = np.nan, np.nan
        return x, y

    # -- geometry -----------------------------------------------------------------------------
    def _in_frame(self, geom: BaseGeometry) -> BaseGeometry:
        return rewrap(geom, self.lon0)

    def _area(self, window: BaseGeometry | None) -> BaseGeometry:
        """The domain, or the part of it in ``window`` (a lon/lat box in the view's frame)."""
        if window is None:
            return self.domain
        key = window.wkb
        if self._windows.get("key") != key:
            self._windows = {"key": key, "area": shapely.intersection(self.domain, window)}
        return self._windows["area"]

    def polygon(self, geom: BaseGeometry | None, window: BaseGeometry | None = None) -> BaseGeometry:
        """A lon/lat (Multi)Polygon as a valid projected (Multi)Polygon, cut at the domain's edge (and ``window``)."""
        if geom is None or geom.is_empty:
            return shapely.Polygon()
        clipped = shapely.intersection(self._in_frame(geom), self._area(window))
        parts = [p for p in shapely.get_parts(clipped) if shapely.get_type_id(p) == 3 and not p.is_empty]
        out = []
        for part in parts:
            part = shapely.segmentize(part, SEGMENT_DEG)
            region = None
            for ring in (part.exterior, *part.interiors):
                piece = self._ring_area(np.asarray(ring.coords))
                if piece is None:
                    continue
                region = piece if region is None else shapely.symmetric_difference(region, piece)
            if region is not None and not region.is_empty:
                out.append(region)
        if not out:
            return shapely.Polygon()
        # Snapping to a 1 m grid closes the zero-width slits a seam leaves (far below any tolerance).
        merged = _clean(shapely.set_precision(out[0] if len(out) == 1 else shapely.union_all(out), GRID_M))
        return shapely.orient_polygons(merged) if merged is not None else shapely.Polygon()

    def _ring_area(self, coords: np.ndarray):
        x, y = self.transformer.transform(coords[:, 0], coords[:, 1])
        xy = np.column_stack([x, y])
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) < 4:
            return None
        poly = shapely.Polygon(xy)
        if not poly.is_valid:
            # A ring that runs out along the frame's seam and back (to a pole inside it) projects to
            # a zero-width slit along a straight line; making it valid drops the slit.
            poly = _clean(shapely.make_valid(poly))
        return poly if poly is not None and poly.area > 0 else None

    def lines(self, geom: BaseGeometry | None, window: BaseGeometry | None = None) -> list[np.ndarray]:
        """Lon/lat lines as projected polylines (N x 2 arrays), cut where they leave the domain (and ``window``)."""
        if geom is None or geom.is_empty:
            return []
        clipped = shapely.intersection(self._in_frame(geom), self._area(window))
        out = []
        for part in shapely.get_parts(shapely.line_merge(clipped) if clipped.geom_type == "MultiLineString" else clipped):
            if shapely.get_type_id(part) not in (1, 2) or part.is_empty:
                continue
            coords = np.asarray(shapely.segmentize(part, SEGMENT_DEG).coords)
            x, y = self.transformer.transform(coords[:, 0], coords[:, 1])
            xy = np.column_stack([x, y])
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy) >= 2:
                out.append(xy)
        return _join(out)

    def boundary_xy(self) -> np.ndarray | None:
        """The outline of a round map (projected domain edge), closed; None for rectangular maps."""
        if not self.disk:
            return None
        region = self.polygon(WORLD)
        biggest = max(shapely.get_parts(region), key=lambda p: p.area)
        return np.asarray(biggest.exterior.coords)


def _clean(geom, tiny: float = 1e4):
    """Polygonal parts of ``geom`` without the slivers and pinholes (< ``tiny`` m²) that slits leave."""
    polys: list[Any] = []
    for p in shapely.get_parts(geom):
        if shapely.get_type_id(p) == 6:
            polys.extend(shapely.get_parts(p))
        elif shapely.get_type_id(p) == 3:
            polys.append(p)
    keep = []
    for p in polys:
        if p.area <= tiny:
            continue
        holes = [h for h in p.interiors if shapely.Polygon(h).area > tiny]
        keep.append(shapely.Polygon(p.exterior, holes) if len(holes) != len(p.interiors) else p)
    if not keep:
        return None
    return keep[0] if len(keep) == 1 else shapely.union_all(keep)


def _join(lines: list[np.ndarray], tol: float = 1.0) -> list[np.ndarray]:
    """Polylines whose ends meet (within ``tol`` m, as at a cut antimeridian) joined into one."""
    out: list[np.ndarray] = []
    for line in lines:
        for i, other in enumerate(out):
            if np.hypot(*(other[-1] - line[0])) <= tol:
                out[i] = np.vstack([other, line[1:]])
                break
            if np.hypot(*(line[-1] - other[0])) <= tol:
                out[i] = np.vstack([line, other[1:]])
                break
        else:
            out.append(line)
    return out


def rewrap(geom: BaseGeometry, lon0: float) -> BaseGeometry:
    """``geom`` (longitudes in [-180, 180]) moved into the frame [lon0 - 180, lon0 + 180]."""
    west = lon0 - 180.0
    if abs(west + 180.0) < 1e-12:
        return geom
    if west > -180.0:  # the strip [-180, west) moves east by 360
        moving, staying = shapely.box(-180.0, -90.0, west, 90.0), shapely.box(west, -90.0, 180.0, 90.0)
        shift = 360.0
    else:  # the strip (west + 360, 180] moves west by 360
        moving, staying = shapely.box(west + 360.0, -90.0, 180.0, 90.0), shapely.box(-180.0, -90.0, west + 360.0, 90.0)
        shift = -360.0
    minx, _, maxx, _ = geom.bounds
    if (shift > 0 and minx >= west) or (shift < 0 and maxx <= west + 360.0):
        return geom
    moved = shapely.transform(shapely.intersection(geom, moving), lambda c: c + np.array([shift, 0.0]))
    kept = shapely.intersection(geom, staying)
    parts = [p for g in (kept, moved) for p in shapely.get_parts(g) if not p.is_empty]
    polygons = [p for p in parts if shapely.get_type_id(p) == 3]
    lines = [p for p in parts if shapely.get_type_id(p) == 1]
    # Pieces cut at the antimeridian meet again along x = 180 exactly: glue them back.
    if polygons:
        return shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    return shapely.line_merge(shapely.MultiLineString(lines)) if lines else shapely.GeometryCollection()


# -- choosing the projection ------------------------------------------------------------------

def mean_point(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(lat, lon) of the normalised mean of unit vectors; the first point when they cancel out."""
    lat = np.radians([p[0] for p in points])
    lon = np.radians([p[1] for p in points])
    v = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]).sum(axis=1)
    norm = float(np.linalg.norm(v))
    if norm < 1e-9 * len(points):
        return float(points[0][0]), float(points[0][1])
    v /= norm
    return float(np.degrees(np.arcsin(np.clip(v[2], -1, 1)))), float(np.degrees(np.arctan2(v[1], v[0])))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[1], a[0], b[1], b[0])[2]) / 1000.0


def _place(lat: float, lon: float) -> str:
    return f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'} {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"


def choose(projection: str, points: Sequence[tuple[float, float]], reaches: Sequence[tuple[tuple[float, float], float]],
           centre_name: str | None = None) -> View:
    """The view for a figure of rings ``reaches`` ((lat, lon), max_km) around ``points``.

    ``auto``: everything within ``REGIONAL_KM`` of the centre gives a Lambert conformal conic map
    (Mercator at the Equator); one launch point, or a tight cluster, an azimuthal equidistant map
    centred on it; distant launch points an orthographic globe at their mean, or an azimuthal
    equidistant map there when the rings reach past the visible hemisphere.
    """
    import cartopy.crs as ccrs

    name = str(projection).strip().lower()
    if name not in PROJECTIONS:
        raise InputError(f"unknown projection {projection!r}: {ACCEPTED}", value=projection, accepted=ACCEPTED)
    centre = mean_point(points)
    longest = max(km for _, km in reaches)
    reach = max(distance_km(centre, p) + km for p, km in reaches)
    spread = max(distance_km(centre, p) for p in points)
    polar = any(distance_km(p, (pole, 0.0)) <= km for p, km in reaches for pole in (90.0, -90.0))
    clustered = spread <= max(CLUSTER_KM, 0.05 * longest)
    if name == "auto":
        if reach <= REGIONAL_KM and not polar:
            name = "lambert"
        elif clustered:
            name = "aeqd"
        else:
            name = "ortho" if reach <= ORTHO_REACH_KM else "aeqd"
    if name == "aeqd" and len(points) == 1:
        centre = (float(points[0][0]), float(points[0][1]))
    where = centre_name if centre_name and (len(points) == 1 or (clustered and spread < 1.0)) else None
    label = where or (f"the launch points' mean ({_place(*centre)})" if len(points) > 1 else _place(*centre))
    lat0, lon0 = centre
    if name == "aeqd":
        crs = ccrs.AzimuthalEquidistant(central_longitude=lon0, central_latitude=lat0)
        alat, alon = -lat0, ((lon0 + 360.0) % 360.0) - 180.0
        domain = rewrap(shapely.difference(WORLD, disk(alat, alon, ANTIPODE_CAP_M)), lon0)
        caption = (f"Azimuthal equidistant projection centred on {label}: distances and directions from the centre "
                   "are true, so every ring around it is a true circle" +
                   (", and rings around points near it are close to circles." if len(points) > 1 else "."))
        return View("aeqd", crs, domain, centre, lon0, caption, disk=True)
    if name == "ortho":
        crs = ccrs.Orthographic(central_longitude=lon0, central_latitude=lat0)
        domain = rewrap(disk(lat0, lon0, ORTHO_CAP_M), lon0)
        caption = (f"Orthographic projection (the globe as seen from space) centred on {label}; "
                   "distances shrink towards the edge.")
        return View("ortho", crs, domain, centre, lon0, caption, disk=True)
    lats = [p[0] for p in points]
    span_km = max(reach, 200.0)
    dlat = math.degrees(span_km / 6371.0)
    south, north = max(-89.0, min(lats) - dlat), min(89.0, max(lats) + dlat)
    if name == "mercator" or (name == "lambert" and projection == "auto" and south < 0 < north and abs(lat0) < 15):
        crs = ccrs.Mercator(central_longitude=lon0, min_latitude=MERCATOR_LATS[0], max_latitude=MERCATOR_LATS[1])
        domain = shapely.box(lon0 - 180.0 + _EPS_LON, MERCATOR_LATS[0], lon0 + 180.0 - _EPS_LON, MERCATOR_LATS[1])
        caption = (f"Mercator projection centred on {_lon(lon0)}: conformal, but distances grow away from the "
                   f"Equator; latitudes beyond {MERCATOR_LATS[0]:g}° and {MERCATOR_LATS[1]:g}° are not shown.")
        return View("mercator", crs, domain, centre, lon0, caption)
    lat1, lat2 = south + (north - south) / 6.0, north - (north - south) / 6.0
    if lat1 * lat2 <= 0 or abs(lat1 + lat2) < 1.0:  # a cone needs both parallels on one side of the Equator
        sign = 1.0 if lat0 >= 0 else -1.0
        lat1, lat2 = sign * 1.0, sign * max(5.0, abs(lat0) + 5.0)
    north_cone = lat1 + lat2 > 0
    crs = ccrs.LambertConformal(central_longitude=lon0, central_latitude=lat0, standard_parallels=(lat1, lat2),
                                cutoff=-CONIC_FAR_LAT if north_cone else CONIC_FAR_LAT)
    limits = (-CONIC_FAR_LAT, 90.0) if north_cone else (-90.0, CONIC_FAR_LAT)
    domain = shapely.box(lon0 - 180.0 + _EPS_LON, limits[0], lon0 + 180.0 - _EPS_LON, limits[1])
    caption = (f"Lambert conformal conic projection centred on {label}, standard parallels "
               f"{_lat(lat1)} and {_lat(lat2)}: shapes are true locally; scale varies slightly across the map.")
    return View("lambert", crs, domain, centre, lon0, caption)


def _lat(v: float) -> str:
    return f"{abs(v):.1f}°{'N' if v >= 0 else 'S'}"


def _lon(v: float) -> str:
    return f"{abs(v):.1f}°{'E' if v >= 0 else 'W'}"


def fit_extent(view: View, shapes: Sequence[BaseGeometry], xy_points: np.ndarray, aspect: float,
               margin: float = 0.08) -> tuple[float, float, float, float]:
    """Projected (x0, x1, y0, y1) holding the projected ``shapes`` and points, widened to ``aspect`` (w/h).

    Round maps stop at their edge: an extent never reaches past the projected domain.
    """
    bounds = [s.bounds for s in shapes if s is not None and not s.is_empty]
    pts = xy_points[np.isfinite(xy_points).all(axis=1)] if len(xy_points) else xy_points
    xs = [b[0] for b in bounds] + [b[2] for b in bounds] + (list(pts[:, 0]) if len(pts) else [])
    ys = [b[1] for b in bounds] + [b[3] for b in bounds] + (list(pts[:, 1]) if len(pts) else [])
    if not xs:  # nothing drawn lies in this projection's reach: show all it can
        b = view.polygon(WORLD).bounds
        xs, ys = [b[0], b[2]], [b[1], b[3]]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if view.disk:
        edge = view.boundary_xy()
        assert edge is not None
        ex0, ey0, ex1, ey1 = edge[:, 0].min(), edge[:, 1].min(), edge[:, 0].max(), edge[:, 1].max()
        if view.name == "ortho":
            x0, x1, y0, y1 = ex0, ex1, ey0, ey1
        else:
            # centred views stay centred: the launch point sits in the middle of the figure
            r = max(abs(x0), abs(x1), abs(y0), abs(y1)) * (1.0 + margin)
            full = max(-ex0, ex1, -ey0, ey1)
            r = full if r > 0.7 * full else r  # near-global rings: the whole Earth, antipode included
            x0, x1, y0, y1 = -r, r, -r, r
        pad = 0.02
    else:
        pad = margin
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    x0, x1, y0, y1 = x0 - pad * w, x1 + pad * w, y0 - pad * h, y1 + pad * h
    # stay within what the projection can show (Mercator's world is so wide, no wider); round maps
    # stay whole and take the margins the figure's shape leaves
    (lx0, lx1), (ly0, ly1) = view.crs.x_limits, view.crs.y_limits
    if view.disk:
        lx0, lx1, ly0, ly1 = -math.inf, math.inf, -math.inf, math.inf
    x0, x1, y0, y1 = max(x0, lx0), min(x1, lx1), max(y0, ly0), min(y1, ly1)
    for _ in range(2):
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            grow = (h * aspect - w) / 2.0
            x0, x1 = x0 - grow, x1 + grow
            if x0 < lx0 or x1 > lx1:  # no room to widen: shift, then clip what is left
                shift = max(lx0 - x0, 0.0) - max(x1 - lx1, 0.0)
                x0, x1 = max(x0 + shift, lx0), min(x1 + shift, lx1)
                h = (x1 - x0) / aspect
                cy = (y0 + y1) / 2.0
                y0, y1 = cy - h / 2.0, cy + h / 2.0
        else:
            grow = (w / aspect - h) / 2.0
            y0, y1 = y0 - grow, y1 + grow
            if y0 < ly0 or y1 > ly1:
                shift = max(ly0 - y0, 0.0) - max(y1 - ly1, 0.0)
                y0, y1 = max(y0 + shift, ly0), min(y1 + shift, ly1)
                w = (y1 - y0) * aspect
                cx = (x0 + x1) / 2.0
                x0, x1 = cx - w / 2.0, cx + w / 2.0
    return (float(x0), float(x1), float(y0), float(y1))


__all__ = ["ACCEPTED", "PROJECTIONS", "View", "choose", "distance_km", "fit_extent", "mean_point", "rewrap"]
