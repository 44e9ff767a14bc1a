"""Range rings checked against independent truth.

Membership is judged by ``pyproj.Geod.inv`` distances (not by how the ring was built); areas
by integrating the reduced length m12 from geographiclib (an independent implementation of
the geodesic problem) over geodesic polar coordinates.
"""

import itertools
import math

import numpy as np
import pyproj
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weaponsdb import area_km2
from weaponsdb.errors import InputError
from weaponsdb.geodesy import ring

GEOD = pyproj.Geod(ellps="WGS84")
TRUTH = Geodesic.WGS84
_E = math.sqrt(TRUTH.f * (2 - TRUTH.f))
EARTH_KM2 = 2 * math.pi * TRUTH.a**2 * (1 + (1 - _E**2) / _E * math.atanh(_E)) / 1e6


def true_km(lat, lon, plat, plon):
    n = np.size(plat)
    return np.asarray(GEOD.inv(np.full(n, lon), np.full(n, lat), np.asarray(plon), np.asarray(plat))[2]) / 1000.0


def sample_points(lat, lon, max_km, rng, n=3000):
    """Uniform points on the sphere plus points scattered around the boundary."""
    ulat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    ulon = rng.uniform(-179.999999, 179.999999, n)
    az = rng.uniform(0, 360, n)
    dist = np.clip(max_km * rng.uniform(0.9, 1.1, n), 0.001, 20_000) * 1000.0
    blon, blat, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, dist)
    return np.concatenate([ulat, blat]), np.concatenate([ulon, blon])


def misclassified(geom, lat, lon, max_km, min_km, rng):
    """Points outside the tolerance band whose membership disagrees with their true distance."""
    plat, plon = sample_points(lat, lon, max_km, rng)
    if min_km:
        mlat, mlon = sample_points(lat, lon, min_km, rng)
        plat, plon = np.concatenate([plat, mlat]), np.concatenate([plon, mlon])
    d = true_km(lat, lon, plat, plon)
    inside = shapely.intersects_xy(geom, plon, plat)
    truth = (d <= max_km) & (d >= min_km)
    clear = np.abs(d - max_km) > max(1e-3 * max_km, 0.1)
    if min_km:
        clear &= np.abs(d - min_km) > max(1e-3 * min_km, 0.1)
    bad = (inside != truth) & clear
    return [(float(a), float(b), float(c)) for a, b, c in zip(plat[bad], plon[bad], d[bad])]


def assert_rfc7946(geom):
    assert geom.is_valid, shapely.is_valid_reason(geom)
    xmin, ymin, xmax, ymax = geom.bounds
    assert xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90
    for poly in getattr(geom, "geoms", [geom]):
        assert poly.exterior.is_ccw, "exterior rings must be counter-clockwise"
        for hole in poly.interiors:
            assert not hole.is_ccw, "holes must be clockwise"


def vertices_on_circles(geom, lat, lon, radii_km):
    """Largest distance (m) from any vertex to the nearest of the given circles, ignoring pole/corner closures."""
    c = shapely.get_coordinates(geom)
    c = c[np.abs(c[:, 1]) < 90.0]
    if len(c) == 0:
        return 0.0
    d = true_km(lat, lon, c[:, 1], c[:, 0]) * 1000.0
    return float(np.min([np.abs(d - r * 1000.0) for r in radii_km], axis=0).max())


def polar_area_km2(lat, lon, r_km, n_az=48, n_s=24):
    """Area of the geodesic disk: integral of the reduced length m12 over azimuth and distance."""
    s_nodes, s_w = np.polynomial.legendre.leggauss(n_s)
    s = 0.5 * r_km * 1000.0 * (s_nodes + 1.0)
    total = 0.0
    for k in range(n_az):
        azi = 360.0 * (k + 0.5) / n_az
        line = TRUTH.Line(lat, lon, azi, Geodesic.REDUCEDLENGTH | Geodesic.DISTANCE_IN)
        m = np.array([line.Position(si, Geodesic.REDUCEDLENGTH)["m12"] for si in s])
        total += 0.5 * r_km * 1000.0 * float(np.dot(s_w, m)) * (2 * math.pi / n_az)
    return total / 1e6


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    max_km=st.floats(1, 21_000),
    seed=st.integers(0, 2**32 - 1),
)
def test_membership_matches_geodesic_distance(lat, lon, max_km, seed):
    geom = ring(lat, lon, max_km)
    assert_rfc7946(geom)
    assert shapely.intersects_xy(geom, lon, lat), "the launch point lies inside its own ring"
    assert misclassified(geom, lat, lon, max_km, 0.0, np.random.default_rng(seed)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    min_km=st.floats(1, 15_000),
    factor=st.floats(1.05, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_annulus_membership(lat, lon, min_km, factor, seed):
    max_km = min(min_km * factor, 21_000)
    geom = ring(lat, lon, max_km, min_km)
    assert_rfc7946(geom)
    assert not shapely.intersects_xy(geom, lon, lat), "the launch point lies in the hole of an annulus"
    assert misclassified(geom, lat, lon, max_km, min_km, np.random.default_rng(seed)) == []


@settings(max_examples=25, deadline=None)
@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-180, 180), radii=st.lists(st.floats(1, 20_100), min_size=2, max_size=5, unique=True))
def test_area_grows_with_range(lat, lon, radii):
    radii = sorted(radii)
    areas = [area_km2(ring(lat, lon, r)) for r in radii]
    assert all(a <= b * (1 + 1e-9) for a, b in itertools.pairwise(areas)), list(zip(radii, areas, strict=True))
    assert areas[-1] <= EARTH_KM2 * (1 + 1e-9)


CASES = {
    "antimeridian_kamchatka_3000": (53.0, 158.65, 3000.0, 0.0),
    "antimeridian_centre_on_180": (-40.0, 180.0, 1500.0, 0.0),
    "north_pole_from_moscow_12000": (55.75, 37.62, 12000.0, 0.0),
    "pole_centred_11000": (90.0, 0.0, 11000.0, 0.0),
    "south_pole_from_cape_town_8000": (-33.9, 18.4, 8000.0, 0.0),
    "both_poles_sarmat_18000": (55.75, 37.62, 18000.0, 0.0),
    "near_antipodal_hole_crossing_180": (0.0, 0.0, 19990.0, 0.0),
    "near_antipodal_hole_at_pole": (89.5, 30.0, 19900.0, 0.0),
    "near_antipodal_beyond_cut_locus": (0.0, 10.0, 20000.0, 0.0),
    "tiny_ring_near_pole": (89.99, 45.0, 5.0, 0.0),
    "pole_on_the_edge": (80.0, 0.0, 1117.0, 0.0),
    "near_hemisphere_from_equator": (0.0, 90.0, 10010.0, 0.0),
    "boundary_hugs_the_antimeridian": (0.05, -90.05, 10007.0, 0.0),
    "annulus_hole_crossing_180": (60.0, 179.0, 1000.0, 300.0),
    "annulus_hole_containing_pole": (80.0, 0.0, 3000.0, 1500.0),
    "annulus_both_poles_hole_at_pole": (39.0, 125.75, 18000.0, 11000.0),
}


@pytest.mark.parametrize("lat,lon,max_km,min_km", CASES.values(), ids=CASES.keys())
def test_named_cases(lat, lon, max_km, min_km):
    geom = ring(lat, lon, max_km, min_km)
    assert_rfc7946(geom)
    assert misclassified(geom, lat, lon, max_km, min_km, np.random.default_rng(7)) == []
    radii = [max_km, min_km] if min_km else [max_km]
    assert vertices_on_circles(geom, lat, lon, radii) < 1e-3


def test_antimeridian_ring_is_split_into_two_parts():
    geom = ring(53.0, 158.65, 3000.0)
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    east, west = sorted(geom.geoms, key=lambda p: -p.bounds[0])
    assert east.bounds[2] == 180.0 and west.bounds[0] == -180.0


def test_pole_containment():
    north = ring(55.75, 37.62, 12000.0)
    assert shapely.intersects_xy(north, 0.0, 90.0) and not shapely.intersects_xy(north, 0.0, -89.0)
    both = ring(55.75, 37.62, 18000.0)
    assert shapely.intersects_xy(both, 0.0, 90.0) and shapely.intersects_xy(both, 0.0, -90.0)
    assert len(list(both.interiors)) == 1 or both.geom_type == "Polygon"


def test_beyond_farthest_point_is_whole_earth():
    geom = ring(10.0, 20.0, 20_100.0)
    assert geom.equals(shapely.box(-180, -90, 180, 90))
    assert area_km2(geom) == pytest.approx(EARTH_KM2, rel=1e-9)


AREA_CASES = [(55.0, 37.0, 120.7), (50.0, 36.6, 1000.0), (10.0, -60.0, 5000.0), (55.75, 37.62, 12000.0),
              (90.0, 0.0, 11000.0), (-70.0, 170.0, 3000.0), (80.0, 0.0, 1117.0), (0.0, 179.5, 800.0)]


@pytest.mark.parametrize("lat,lon,r_km", AREA_CASES)
def test_area_against_polar_integration(lat, lon, r_km):
    assert area_km2(ring(lat, lon, r_km)) == pytest.approx(polar_area_km2(lat, lon, r_km), rel=1e-3)


def test_annulus_area_is_difference():
    outer, inner = polar_area_km2(80.0, 0.0, 3000.0), polar_area_km2(80.0, 0.0, 1500.0)
    assert area_km2(ring(80.0, 0.0, 3000.0, 1500.0)) == pytest.approx(outer - inner, rel=1e-3)


def test_union_across_dateline_matches_nearest_launch():
    launches = [(60.0, 179.0), (60.0, -178.0), (-10.0, 178.0)]
    union = shapely.union_all([ring(a, b, 700.0) for a, b in launches])
    assert union.is_valid
    rng = np.random.default_rng(3)
    plat, plon = rng.uniform(-30, 75, 4000), rng.uniform(-180, 180, 4000)
    d = np.min([true_km(a, b, plat, plon) for a, b in launches], axis=0)
    clear = np.abs(d - 700.0) > 0.7
    assert np.array_equal(shapely.intersects_xy(union, plon, plat)[clear], (d <= 700.0)[clear])


@pytest.mark.parametrize("args", [(91.0, 0.0, 10.0), (0.0, 0.0, -5.0), (0.0, 0.0, float("nan")), (0.0, 0.0, 10.0, 20.0), (0.0, float("inf"), 10.0)])
def test_bad_arguments_raise_input_error(args):
    with pytest.raises(InputError):
        ring(*args)


def test_public_range_ring_takes_any_point_notation():
    from weaponsdb import range_ring  # the public API (weaponsdb/api.py, issue 10)

    by_name = range_ring("Belgorod", 120.7)
    by_text = range_ring("Belgorod=50.60343,36.58091", 120.7)
    by_tuple = range_ring((50.60343, 36.58091), 120.7)
    assert by_name.equals(by_text) and by_text.equals(by_tuple)
    assert by_name.equals(ring(50.60343, 36.58091, 120.7))
    with pytest.raises(InputError):
        range_ring("91,0", 100.0)


@pytest.mark.parametrize("lat,lon", [(65.904358, -76.745804), (-12.5, 33.3), (80.0, 170.0)])
def test_ring_through_a_pole_is_valid(lat, lon):
    for pole in (90.0, -90.0):
        r_km = float(np.ravel(true_km(lat, lon, pole, 0.0))[0])
        geom = ring(lat, lon, r_km)
        assert_rfc7946(geom)
        assert misclassified(geom, lat, lon, r_km, 0.0, np.random.default_rng(5)) == []
