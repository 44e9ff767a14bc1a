"""The public Python API: what a notebook user gets, checked against pyproj.Geod.inv and GDAL round trips."""

import numpy as np
import pyproj
import pytest
import shapely

import weaponsdb
from weaponsdb.model import Origin, Place, RangeSpec, System

GEOD = pyproj.Geod(ellps="WGS84")


def km_between(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2)))
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def test_public_names_are_listed_and_importable():
    assert {"map", "rings", "range_ring", "reach", "compare", "save_html", "load_catalog", "System",
            "WeaponsDBError"} <= set(weaponsdb.__all__)
    assert set(weaponsdb.__all__) <= set(dir(weaponsdb))
    for name in weaponsdb.__all__:
        assert getattr(weaponsdb, name) is not None


def test_errors_share_one_root():
    for name in ("InputError", "UnknownNameError", "CatalogError", "DataError", "OfflineError"):
        assert issubclass(getattr(weaponsdb, name), weaponsdb.WeaponsDBError)
    with pytest.raises(weaponsdb.UnknownNameError) as exc:
        weaponsdb.load_catalog().get("Fateh-36O")
    assert exc.value.kind == "system" and exc.value.name == "Fateh-36O" and "Fateh-360" in exc.value.suggestions


@pytest.mark.parametrize("text, km", [(120.7, 120.7), ("75mi", 120.7008), ("270nmi", 500.04), ("500 km", 500.0)])
def test_range_ring_takes_numbers_and_unit_strings(text, km):
    geom = weaponsdb.range_ring("50.6,36.6", text)
    lons, lats = np.asarray(geom.exterior.coords).T
    assert np.allclose(km_between(50.6, 36.6, lats, lons), km, atol=1e-3)


def test_range_ring_with_a_minimum_is_an_annulus():
    geom = weaponsdb.range_ring((50.6, 36.6), "300km", min_range="100km")
    assert len(geom.interiors) == 1
    lons, lats = np.asarray(geom.interiors[0].coords).T
    assert np.allclose(km_between(50.6, 36.6, lats, lons), 100.0, atol=1e-3)


def test_rings_is_a_geodataframe_in_wgs84_with_the_model_columns():
    frame = weaponsdb.rings(["Fath-360", "Iskander-M"], ["Belgorod", "Kursk"])
    assert frame.crs.to_epsg() == 4326
    assert list(frame["system"]) == ["fath-360", "fath-360", "iskander-m", "iskander-m"]
    for col in ("launch", "min_range_km", "max_range_km", "area_km2", "range_source", "range_origin"):
        assert col in frame.columns
    assert set(frame["range_origin"]) == {"catalogue"}
    assert frame["range_source"].str.startswith("https://").all()
    rng = np.random.default_rng(3)
    for row in frame.itertuples():
        lat = row.launch_lat + rng.uniform(-6, 6, 500)
        lon = row.launch_lon + rng.uniform(-9, 9, 500)
        d = km_between(np.full(500, row.launch_lat), np.full(500, row.launch_lon), lat, lon)
        clear = (np.abs(d - row.max_range_km) > 1.0) & (np.abs(d - row.min_range_km) > 1.0)
        inside = shapely.contains_xy(row.geometry, lon, lat)
        assert (inside[clear] == ((d >= row.min_range_km) & (d <= row.max_range_km))[clear]).all()


def test_user_set_range_is_marked_and_carries_no_source():
    frame = weaponsdb.rings("Fath-360", "Belgorod", range="200km")
    assert frame.loc[0, "range_origin"] == "user-set" and frame.loc[0, "range_source"] is None
    assert frame.loc[0, "max_range_km"] == 200.0


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".fgb", ".geojson"])
def test_rings_round_trip_through_gis_formats_with_holes_and_dateline_split(tmp_path, suffix):
    import geopandas as gpd

    frame = weaponsdb.rings("Kalibr", "Petropavlovsk=53.0,158.65", min_range="300km")
    path = weaponsdb.write_rings(frame, tmp_path / f"rings{suffix}")
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326 and len(back) == 1
    geom = back.geometry.iloc[0]
    parts = getattr(geom, "geoms", [geom])
    assert len(parts) == 2, "split at the antimeridian"
    assert sum(len(p.interiors) for p in parts) == 1, "the minimum-range hole survives"
    assert geom.symmetric_difference(frame.geometry.iloc[0]).area < 1e-4 * frame.geometry.iloc[0].area
    with pytest.raises(weaponsdb.InputError, match="already exists"):
        weaponsdb.write_rings(weaponsdb.rings("Kalibr", "53.0,158.65", range="100km"), path)


def test_argument_order_is_systems_launches_targets():
    table = weaponsdb.reach(["Fath-360", "Iskander-M"], ["Belgorod"], ["Kharkiv"])
    verdict = dict(zip(table["system"], table["in_range"], strict=True))
    assert verdict == {"fath-360": True, "iskander-m": True}
    d = km_between(table.loc[0, "launch_lat"], table.loc[0, "launch_lon"], table.loc[0, "target_lat"],
                   table.loc[0, "target_lon"])
    assert table.loc[0, "distance_km"] == pytest.approx(float(d), abs=1e-6)
    compared = weaponsdb.compare(["Fath-360", "Iskander-M"], ["Belgorod"])
    assert list(compared["system"]) == ["fath-360", "iskander-m"]


def test_distance_accepts_any_notation():
    km, azimuth = weaponsdb.distance("Belgorod=50.60343,36.58091", "50.45466N 30.5238E")
    assert km == pytest.approx(float(km_between(50.60343, 36.58091, 50.45466, 30.5238)), abs=1e-9)
    assert 260 < azimuth < 280


def test_model_states_user_ranges_explicitly():
    system = weaponsdb.load_catalog().get("fath-360")
    assert system.range.origin is Origin.CATALOGUE and system.range.source is not None
    user = system.with_range(200)
    assert user.range.user_set and user.range.source is None and user.range.band is None
    assert user.catalogue_range == system.range
    with pytest.raises(weaponsdb.InputError, match="minimum range"):
        RangeSpec(max_km=100, min_km=100)
    with pytest.raises(weaponsdb.InputError, match="40075"):
        RangeSpec.user(50_000)
    adhoc = System.adhoc(75)
    assert adhoc.is_adhoc and adhoc.range.user_set


def test_map_is_a_folium_map_that_saves_byte_identical_html(tmp_path):
    import folium

    m = weaponsdb.map("Fath-360", [Place(50.6, 36.6, "Site A"), "Kursk"], offline=True)
    assert isinstance(m, folium.Map)
    rings = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert rings, "systems are layers users can toggle and add to"
    a = weaponsdb.save_html(m, tmp_path / "a.html")
    b = weaponsdb.save_html(weaponsdb.map("Fath-360", [Place(50.6, 36.6, "Site A"), "Kursk"], offline=True),
                            tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()
    assert "leaflet" in a.read_text(encoding="utf-8").lower()
