"""Interval circles, radials and range fans checked against ``pyproj.Geod.inv``, not against how they were built."""

import math

import numpy as np
import pyproj
import pytest
import shapely

from weaponsdb import fans
from weaponsdb.errors import InputError
from weaponsdb.geodesy import tolerance_m

GEOD = pyproj.Geod(ellps="WGS84")


def inv(lat, lon, plat, plon):
    """(azimuth 0..360, distance m) from (lat, lon) to each point."""
    n = np.size(plat)
    az, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), np.asarray(plon, float), np.asarray(plat, float))
    return np.asarray(az) % 360.0, np.asarray(dist)


def vertices(geom):
    out = []
    for part in getattr(geom, "geoms", [geom]):
        rings = [part] if part.geom_type == "LineString" else [part.exterior, *part.interiors]
        out += [xy for r in rings for xy in r.coords]
    return np.array(out)


def angle_off(az, start, end):
    """Degrees by which each azimuth lies outside the clockwise sector start..end (0 inside)."""
    sweep = (end - start) % 360.0 or 360.0
    rel = (az - start) % 360.0
    return np.where(rel <= sweep, 0.0, np.minimum(rel - sweep, 360.0 - rel))


def angle_in(az, start, end):
    """Degrees by which each azimuth lies inside the sector, from its nearer edge (0 outside)."""
    sweep = (end - start) % 360.0 or 360.0
    rel = (az - start) % 360.0
    return np.where(rel <= sweep, np.minimum(rel, sweep - rel), 0.0)


SECTORS = [
    # lat, lon, max_km, min_km, start, end
    (50.6, 36.6, 500.0, 0.0, 300.0, 60.0),            # faces north, wraps through 0
    (53.0, 158.65, 3000.0, 500.0, 45.0, 135.0),       # crosses the antimeridian, with a minimum range
    (-16.8, -179.95, 800.0, 0.0, 200.0, 340.0),       # starts at the dateline, faces west
    (51.5, 46.1, 5500.0, 0.0, 330.0, 30.0),           # over the North Pole
    (-70.0, 10.0, 3000.0, 0.0, 120.0, 240.0),         # over the South Pole
    (39.03, 125.75, 15000.0, 0.0, 0.0, 180.0),        # intercontinental half fan
]


@pytest.mark.parametrize("lat,lon,max_km,min_km,start,end", SECTORS)
def test_sector_vertices_lie_within_bearings_and_range(lat, lon, max_km, min_km, start, end):
    geom = fans.sector(lat, lon, max_km, start, end, min_km)
    assert geom.is_valid and not geom.is_empty
    xy = vertices(geom)
    real = np.abs(xy[:, 1]) < 90.0  # pole-closure vertices are not points of the fan's boundary
    real &= np.abs(xy[:, 0]) < 180.0  # nor are the antimeridian cut's (checked by membership below)
    az, dist = inv(lat, lon, xy[real, 1], xy[real, 0])
    assert dist.max() <= max_km * 1e3 + 1.0
    assert dist.min() >= min_km * 1e3 - 1.0
    away = dist > 1.0  # the launch point itself has no bearing
    assert angle_off(az[away], start, end).max() < 1e-6


@pytest.mark.parametrize("lat,lon,max_km,min_km,start,end", SECTORS)
def test_sector_membership_matches_geod_inv(lat, lon, max_km, min_km, start, end):
    geom = fans.sector(lat, lon, max_km, start, end, min_km)
    rng = np.random.default_rng(7)
    n = 4000
    plat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    plon = rng.uniform(-179.999, 179.999, n)
    # and points near the fan: random bearings and distances around it
    az0 = rng.uniform(0, 360, n)
    d0 = rng.uniform(0, min(max_km * 1.2, 19_900.0), n) * 1e3
    blon, blat, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az0, d0)
    plat, plon = np.concatenate([plat, blat]), np.concatenate([plon, blon])
    az, dist = inv(lat, lon, plat, plon)
    tol = tolerance_m(max_km * 1e3)
    # cross-track distance to the nearer bounding radial (a lower bound on the sphere's sin rule)
    inside_by = np.minimum.reduce([max_km * 1e3 - dist, dist - min_km * 1e3,
                                   dist * np.sin(np.radians(np.minimum(angle_in(az, start, end), 90.0)))])
    outside_by = np.maximum.reduce([dist - max_km * 1e3, min_km * 1e3 - dist,
                                    dist * np.sin(np.radians(np.minimum(angle_off(az, start, end), 90.0)))])
    sure_in, sure_out = inside_by > tol, outside_by > tol
    hit = shapely.contains_xy(geom, plon, plat)
    assert sure_in.sum() > 50 and sure_out.sum() > 50
    assert hit[sure_in].all(), list(zip(plat[sure_in & ~hit], plon[sure_in & ~hit]))[:5]
    assert not hit[sure_out].any(), list(zip(plat[sure_out & hit], plon[sure_out & hit]))[:5]


def test_full_circle_sector_is_the_ring():
    from weaponsdb.geodesy import ring

    assert fans.sector(50.6, 36.6, 500.0, 90.0, 90.0).equals(ring(50.6, 36.6, 500.0))


@pytest.mark.parametrize("lat,lon,bearing,km", [
    (50.6, 36.6, 45.0, 500.0), (53.0, 158.65, 90.0, 3000.0), (51.5, 46.1, 0.0, 5500.0),
    (-16.8, -179.95, 270.0, 800.0), (39.03, 125.75, 30.0, 12000.0),
])
def test_radial_follows_its_bearing_to_the_range(lat, lon, bearing, km):
    line = fans.radial(lat, lon, bearing, km)
    xy = vertices(line)
    assert np.all(np.abs(xy[:, 0]) <= 180.0)
    real = (np.abs(xy[:, 1]) < 90.0) & (np.abs(xy[:, 0]) < 180.0)
    az, dist = inv(lat, lon, xy[real, 1], xy[real, 0])
    assert dist.max() == pytest.approx(km * 1e3, abs=1.0)
    far = dist > 1.0
    # Past the pole the direct azimuth is the back side of the same great ellipse; before it, exact.
    straight = dist[far] < GEOD.inv(lon, lat, lon, math.copysign(90.0, math.cos(math.radians(bearing))))[2]
    assert angle_off(az[far][straight], bearing, bearing + 1e-9).max() < 1e-6
    for part in getattr(line, "geoms", [line]):  # no piece jumps across the map
        steps = np.abs(np.diff(np.asarray(part.coords)[:, 0]))
        assert steps.max() < 90.0


def test_interval_distances_and_even_bearings():
    assert fans.interval_distances(500, 100) == [100, 200, 300, 400]
    assert fans.interval_distances(500, None, [250, 600, 500]) == [250]
    assert fans.interval_distances(450, 100, [250]) == [100, 200, 250, 300, 400]
    assert fans.even_bearings(4) == [0.0, 90.0, 180.0, 270.0]
    with pytest.raises(InputError, match="at most 500"):
        fans.interval_distances(20000, 1)


def test_circle_is_the_ring_boundary_without_cut_edges():
    line = fans.circle(53.0, 158.65, 3000.0)
    xy = vertices(line)
    _, dist = inv(53.0, 158.65, xy[:, 1], xy[:, 0])
    assert np.abs(dist - 3e6).max() < tolerance_m(3e6)
    assert all(not fans.is_cut_edge(a, b) for part in line.geoms for a, b in zip(part.coords, part.coords[1:]))


def test_furniture_exports_interval_rings_and_radials_with_their_figures():
    from weaponsdb.model import MapSpec, Place, System

    spec = MapSpec(systems=(System.adhoc(500.0),), points=(Place(50.6, 36.6, "A"),), every_km=100.0, radials=4,
                   bearings=(45.0,), sector=(300.0, 60.0))
    items = fans.furniture(spec)
    intervals = [p["distance_km"] for _, p in items if p["kind"] == "interval"]
    radials = [p["bearing_deg"] for _, p in items if p["kind"] == "radial"]
    assert intervals == [100, 200, 300, 400] and radials == [0.0, 45.0]
    for geom, props in items:
        xy = vertices(geom)
        az, dist = inv(50.6, 36.6, xy[:, 1], xy[:, 0])
        far = dist > 1.0
        assert angle_off(az[far], 300.0, 60.0).max() < 1e-3  # everything inside the fan
        if props["kind"] == "interval":
            assert np.abs(dist - props["distance_km"] * 1e3).max() < tolerance_m(props["distance_km"] * 1e3)


def test_cut_to_sector_keeps_rings_without_a_sector():
    from weaponsdb.model import Place, System
    from weaponsdb.rangerings import compute

    rings = compute([System.adhoc(300.0)], [Place(50.6, 36.6, "A")])
    assert fans.cut_to_sector(rings, None) == rings
    (fan,) = fans.cut_to_sector(rings, (0.0, 90.0))
    assert fan.geometry.equals(fans.sector(50.6, 36.6, 300.0, 0.0, 90.0))
