"""What the ring, distance and show commands hand to other tools: GeoJSON, KML, JSON."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from weaponsdb.cli import main

GEOD = pyproj.Geod(ellps="WGS84")
KML = "{http://www.opengis.net/kml/2.2}"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ring_geojson_is_rfc7946_with_properties(capsys):
    code, out, _ = run(capsys, "ring", "fath-360", "iskander-m", "--from", "Belgorod", "--from", "Site B=51.7N 36.2E")
    assert code == 0
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 4
    for feature in fc["features"]:
        props = feature["properties"]
        assert {"system", "launch", "launch_lat", "launch_lon", "min_range_km", "max_range_km", "area_km2"} <= set(props)
        geom = shape(feature["geometry"])
        assert geom.is_valid and all(p.exterior.is_ccw for p in getattr(geom, "geoms", [geom]))
        # The boundary lies on the geodesic circle of the catalogue range.
        ring = np.asarray(getattr(geom, "geoms", [geom])[0].exterior.coords)
        d = GEOD.inv(np.full(len(ring), props["launch_lon"]), np.full(len(ring), props["launch_lat"]), ring[:, 0], ring[:, 1])[2]
        assert np.allclose(d / 1000.0, props["max_range_km"], atol=1e-5)
    assert {f["properties"]["launch"] for f in fc["features"]} == {"Belgorod", "Site B"}
    assert {f["properties"]["system"] for f in fc["features"]} == {"fath-360", "iskander-m"}


def test_ring_across_dateline_is_a_multipolygon(capsys):
    code, out, _ = run(capsys, "ring", "--range", "3000km", "--from", "53.0,158.65")
    feature = json.loads(out)["features"][0]
    assert code == 0 and feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["system"] is None
    lons = [c[0] for poly in feature["geometry"]["coordinates"] for ring in poly for c in ring]
    assert min(lons) == -180.0 and max(lons) == 180.0


def test_kml_keeps_holes_and_styles(tmp_path, capsys):
    out = tmp_path / "rings.kml"
    code, _, _ = run(capsys, "ring", "--range", "1000km", "--min-range", "300km", "--from", "60,179", "-o", str(out))
    assert code == 0
    root = ET.parse(out).getroot()
    placemarks = root.findall(f".//{KML}Placemark")
    assert len(placemarks) == 1
    polygons = placemarks[0].findall(f".//{KML}Polygon")
    assert len(polygons) >= 2, "a ring crossing the antimeridian is written as several polygons"
    assert root.find(f".//{KML}PolyStyle/{KML}color") is not None


def test_kml_annulus_has_inner_boundary(tmp_path, capsys):
    out = tmp_path / "annulus.kml"
    assert run(capsys, "ring", "--range", "1000km", "--min-range", "300km", "--from", "50,30", "-o", str(out))[0] == 0
    root = ET.parse(out).getroot()
    inner = root.findall(f".//{KML}innerBoundaryIs//{KML}coordinates")
    assert len(inner) == 1
    pts = np.array([[float(v) for v in c.split(",")[:2]] for c in inner[0].text.split()])
    d = GEOD.inv(np.full(len(pts), 30.0), np.full(len(pts), 50.0), pts[:, 0], pts[:, 1])[2]
    assert np.allclose(d, 300_000.0, atol=0.05)


def test_distance_json_matches_geod(capsys):
    code, out, _ = run(capsys, "distance", "50.6,36.6", "50.45,30.52", "--json", "--units", "mi")
    data = json.loads(out)
    az, _, dist = GEOD.inv(36.6, 50.6, 30.52, 50.45)
    assert code == 0
    assert data["distance_km"] == pytest.approx(dist / 1000.0, abs=1e-9)
    assert data["azimuth_deg"] == pytest.approx(az % 360.0, abs=1e-9)
    assert data["distance_mi"] == pytest.approx(dist / 1609.344, abs=1e-9)


def test_ring_area_property_matches_geometry(capsys):
    from weaponsdb.geodesy import area_km2

    _, out, _ = run(capsys, "ring", "--range", "12000km", "--from", "Moscow")
    feature = json.loads(out)["features"][0]
    assert feature["properties"]["area_km2"] == pytest.approx(area_km2(shape(feature["geometry"])), rel=1e-6)
    assert shapely.intersects_xy(shape(feature["geometry"]), 0.0, 90.0)


def test_show_does_not_import_map_or_geometry_libraries():
    code = (
        "import sys; from weaponsdb.cli import main; main(['show', 'fath-360']);"
        "heavy = [m for m in ('folium', 'shapely', 'pyproj', 'branca') if m in sys.modules];"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_help_teaches_with_examples():
    out = subprocess.run([sys.executable, "-m", "weaponsdb", "--help"], capture_output=True, text=True, check=True).stdout
    assert "examples:" in out and "weaponsdb map" in out and "MGRS" in out
    ring_help = subprocess.run([sys.executable, "-m", "weaponsdb", "ring", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--from" in ring_help and "75mi" in ring_help


@pytest.mark.parametrize("args", [
    ("reach", "Kyiv", "--from", "Belgorod", "--system", "fath-360", "--csv"),
    ("compare", "fath-360", "iskander-m", "--from", "Belgorod", "--csv"),
])
def test_csv_output_exits_zero(capsys, args):
    code, out, _ = run(capsys, *args)
    assert code == 0 and out.splitlines()[0].startswith("system,")


@pytest.mark.parametrize("typed", [" ua ", "UKR", "Ukraine"])
def test_compare_country_as_typed(capsys, typed):
    code, out, _ = run(capsys, "compare", "iskander-m", "--from", "Kyiv", "--country", typed)
    assert code == 0 and "100.0%" not in out and "%" in out


def test_country_aliases_and_codes(capsys):
    from weaponsdb.countries import country_geometry

    assert country_geometry("UK").equals(country_geometry("GBR"))
    assert country_geometry("DPRK").equals(country_geometry("KP"))
    code, out, _ = run(capsys, "list", "--country", "US", "--json")
    countries = [r["country"].split(";") for r in json.loads(out)]
    assert code == 0 and countries and all("United States" in c for c in countries)


def test_range_filter_finds_the_system_at_its_reported_figure(capsys):
    code, out, _ = run(capsys, "list", "--min-range", "75mi", "--max-range", "75mi", "--json")
    assert code == 0 and "fath-360" in [r["id"] for r in json.loads(out)]


def test_point_labels_use_the_normalised_longitude():
    from weaponsdb.points import parse_point

    assert parse_point("0,181").label == "0.0000, -179.0000"
