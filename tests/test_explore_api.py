"""The explorer's HTTP API against the command line and against pyproj: same inputs, same answers.

Every endpoint is called through FastAPI's TestClient (httpx) and compared with what the CLI
prints for the same request (in-process ``weaponsdb.cli.main``, and one real ``python -m
weaponsdb`` subprocess), and geometry and distances with ``pyproj.Geod.inv``. Then bad input,
limits, escaping, errors that must not leak, CORS, host checks and the exports.
"""

import contextlib
import json
import re
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pyproj
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape

from weaponsdb.cli import main
from weaponsdb.explore import create_app
from weaponsdb.explore.inputs import Limits
from weaponsdb.geodesy import tolerance_m
from weaponsdb.offline import external_refs
from weaponsdb.points import parse_point

GEOD = pyproj.Geod(ellps="WGS84")
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_error(capsys, *args) -> str:
    """The message the CLI prints for a bad input (without its 'weaponsdb: error: ' prefix)."""
    code, _, err = cli(capsys, *args)
    assert code == 2, err
    return err.strip().removeprefix("weaponsdb: error: ")


@contextlib.contextmanager
def _no_exit():
    yield


def detail(response, status=422) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], list) and len(body["detail"]) == 1
    return body["detail"][0]


# ---- rings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params, argv", [
    ({"system": "fath-360", "launch": "50.6,36.6"}, ["fath-360", "--from", "50.6,36.6"]),
    ({"system": ["fath-360", "iskander-m"], "launch": ["Site A=50.6N 36.6E", "-33.9,18.4"]},
     ["fath-360", "iskander-m", "--from", "Site A=50.6N 36.6E", "--from", "-33.9,18.4"]),
    ({"launch": "53.0,158.65", "range": "3000km", "min_range": "300km"},
     ["--from", "53.0,158.65", "--range", "3000km", "--min-range", "300km"]),
    ({"system": "SS-26", "launch": "37UCS3003708064", "range": "75mi"},
     ["SS-26", "--from", "37UCS3003708064", "--range", "75mi"]),
])
def test_rings_are_the_cli_ring_output_byte_for_byte(client, capsys, params, argv):
    r = client.get("/api/rings", params=params)
    code, out, _ = cli(capsys, "ring", *argv)
    assert r.status_code == 200 and code == 0
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.text == out


def test_rings_match_a_real_cli_process(client, run_cli):
    args = ["ring", "hwasong-17", "--from", "Pyongyang=39.0392,125.7625", "--min-range", "1000km"]
    code, out, err = run_cli(*args)
    r = client.get("/api/rings", params={"system": "hwasong-17", "launch": "Pyongyang=39.0392,125.7625",
                                         "min_range": "1000km"})
    assert code == 0, err
    assert r.content == out.encode("utf-8")


def test_ring_boundaries_lie_on_the_geodesic_circles(client):
    r = client.get("/api/rings", params={"system": ["fath-360", "iskander-m"], "launch": "50.6,36.6", "min_range": "50km"})
    features = r.json()["features"]
    assert [f["properties"]["system"] for f in features] == ["fath-360", "iskander-m"]
    for f in features:
        p, geom = f["properties"], shape(f["geometry"])
        assert geom.is_valid
        polys = getattr(geom, "geoms", [geom])
        for ring, km in [(polys[0].exterior, p["max_range_km"]), (polys[0].interiors[0], p["min_range_km"])]:
            xy = np.asarray(ring.coords)
            d = GEOD.inv(np.full(len(xy), p["launch_lon"]), np.full(len(xy), p["launch_lat"]), xy[:, 0], xy[:, 1])[2]
            assert np.abs(d - km * 1000).max() < tolerance_m(km * 1000)
    assert features[1]["properties"]["max_range_km"] == 500.0 and features[0]["properties"]["min_range_km"] == 50.0


FURNITURE = {"system": "iskander-m", "launch": "Belgorod=50.60343,36.58091", "every": "100km", "radials": 8,
             "bearing": 45, "sector": "300-60"}
FURNITURE_ARGV = ["ring", "iskander-m", "--from", "Belgorod=50.60343,36.58091", "--every", "100km", "--radials", "8",
                  "--bearing", "45", "--sector", "300-60"]


def test_rings_with_interval_rings_radials_and_a_sector_are_the_cli_output(client, run_cli):
    code, out, err = run_cli(*FURNITURE_ARGV)
    r = client.get("/api/rings", params=FURNITURE)
    assert code == 0, err
    assert r.status_code == 200 and r.content == out.encode("utf-8")
    kinds = [f["properties"].get("kind") for f in r.json()["features"]]
    assert kinds == [None] + ["interval"] * 4 + ["radial"] * 3  # 100..400 km; 0, 45 (given and even) and 315


def test_sector_rings_and_furniture_lie_within_the_sector_bearings(client, capsys):
    r = client.get("/api/rings", params={**FURNITURE, "min_range": "50km", "bearing": [45, 90]})
    assert r.text == cli(capsys, *FURNITURE_ARGV, "--min-range", "50km", "--bearing", "90")[1]
    features = r.json()["features"]
    ring, lines = features[0], features[1:]
    p = ring["properties"]

    def within(xy):
        az, _, d = GEOD.inv(np.full(len(xy), p["launch_lon"]), np.full(len(xy), p["launch_lat"]), xy[:, 0], xy[:, 1])
        az = np.mod(az, 360.0)
        far = d > 1.0  # the launch point itself has no bearing
        # within 1 m sideways of the bounding geodesics: coordinates are rounded to ~1 cm, and an interval ring's
        # cut ends lie on the fan's edge between its exact vertices (a few cm off the geodesic)
        slack = np.degrees(1.0 / np.maximum(d, 1.0))
        inside = (az >= 300.0 - slack) | (az <= 60.0 + slack)
        assert inside[far].all(), az[far][~inside[far]]
        return d

    geom = shape(ring["geometry"])
    assert geom.is_valid and geom.geom_type == "Polygon"
    d = within(np.asarray(geom.exterior.coords))
    assert d.max() == pytest.approx(500e3, abs=tolerance_m(500e3)) and d.min() == pytest.approx(50e3, abs=tolerance_m(50e3))
    for f in lines:
        for part in getattr(shape(f["geometry"]), "geoms", [shape(f["geometry"])]):
            d = within(np.asarray(part.coords))
            if f["properties"]["kind"] == "interval":
                km = f["properties"]["distance_km"]
                assert np.abs(d - km * 1e3).max() < tolerance_m(km * 1e3)
    assert [f["properties"]["bearing_deg"] for f in lines if f["properties"]["kind"] == "radial"] == [0.0, 45.0, 315.0]


def test_every_alone_and_a_full_circle_sector(client, capsys):
    params = {"system": "fath-360", "launch": "50.6,36.6", "every": "25mi"}
    assert client.get("/api/rings", params=params).text == cli(capsys, "ring", "fath-360", "--from", "50.6,36.6",
                                                                "--every", "25mi")[1]
    params = {"system": "fath-360", "launch": "50.6,36.6", "sector": "90-90", "radials": 0}
    assert client.get("/api/rings", params=params).text == cli(capsys, "ring", "fath-360", "--from", "50.6,36.6",
                                                                "--sector", "90-90")[1]


@pytest.mark.parametrize("params, loc", [
    ({"every": "5 parsecs"}, ["query", "every"]),
    ({"every": "0.5km"}, ["query", "every"]),
    ({"sector": "300"}, ["query", "sector"]),
    ({"sector": "300-400"}, ["query", "sector"]),
    ({"radials": 361}, ["query", "radials"]),
    ({"radials": -1}, ["query", "radials"]),
    ({"radials": "eight"}, ["query", "radials"]),
    ({"bearing": [10, 400]}, ["query", "bearing", 1]),
    ({"bearing": "north"}, ["query", "bearing", 0]),
    ({"bearing": list(range(Limits.bearings + 1))}, ["query", "bearing"]),
])
def test_bad_ring_options_are_422_naming_the_field(client, capsys, params, loc):
    item = detail(client.get("/api/rings", params={"system": "iskander-m", "launch": "50,36", **params}))
    assert item["loc"] == loc
    argv = {"every": "--every", "sector": "--sector"}
    field = loc[1]
    if field in argv:  # the CLI's message, word for word (argparse's own error for --every)
        with pytest.raises(SystemExit) if field == "every" and "parsecs" in params[field] else _no_exit():
            code = main(["ring", "iskander-m", "--from", "50,36", argv[field], params[field]])
            assert code == 2
        assert item["msg"] in capsys.readouterr().err


# ---- distance, reach, compare ---------------------------------------------------------------------------


def test_distance_is_the_cli_json_and_geod_inv(client, capsys):
    r = client.get("/api/distance", params={"from": "Belgorod", "to": "Kyiv"})
    _, out, _ = cli(capsys, "distance", "Belgorod", "Kyiv", "--json")
    assert r.status_code == 200 and r.json() == json.loads(out)
    body = r.json()
    azimuth, _, metres = GEOD.inv(body["from"]["lon"], body["from"]["lat"], body["to"]["lon"], body["to"]["lat"])
    assert body["distance_km"] == pytest.approx(metres / 1000, abs=1e-9)
    assert body["azimuth_deg"] == pytest.approx(azimuth % 360, abs=1e-9)


def test_reach_is_the_cli_json(client, capsys):
    params = {"system": ["fath-360", "iskander-m"], "launch": ["Belgorod", "Kursk area=51.73,36.19"],
              "target": ["Kharkiv", "Kyiv"]}
    r = client.get("/api/reach", params=params)
    code, out, _ = cli(capsys, "reach", "Kharkiv", "--system", "fath-360", "--system", "iskander-m",
                       "--from", "Belgorod", "--from", "Kursk area=51.73,36.19", "--json")
    rows = r.json()
    assert r.status_code == 200 and code == 0
    assert [x for x in rows if x["target"] == "Kharkiv"] == json.loads(out)
    assert len(rows) == 2 * 2 * 2
    for x in rows:
        metres = GEOD.inv(x["launch_lon"], x["launch_lat"], x["target_lon"], x["target_lat"])[2]
        assert x["distance_km"] == pytest.approx(metres / 1000, abs=1e-6)
        assert x["in_range"] == (x["min_range_km"] <= x["distance_km"] <= x["max_range_km"])
        assert x["margin_km"] == pytest.approx(x["max_range_km"] - x["distance_km"], abs=1e-6)


def test_reach_without_systems_is_the_whole_catalogue(client, capsys):
    r = client.get("/api/reach", params={"launch": "Belgorod", "target": "Kyiv"})
    _, out, _ = cli(capsys, "reach", "Kyiv", "--from", "Belgorod", "--json")
    assert r.json() == json.loads(out) and len(r.json()) > 40


def test_reach_at_a_user_set_range(client):
    rows = client.get("/api/reach", params={"system": "fath-360", "launch": "Belgorod", "target": "Kyiv",
                                            "range": "500km"}).json()
    assert rows[0]["max_range_km"] == 500.0 and rows[0]["in_range"]


def test_compare_is_the_cli_json(client, capsys):
    params = {"system": ["fath-360", "iskander-m"], "launch": ["Belgorod"], "country": ["UA"], "top": 3}
    r = client.get("/api/compare", params=params)
    code, out, _ = cli(capsys, "compare", "fath-360", "iskander-m", "--from", "Belgorod", "--country", "UA",
                       "--top", "3", "--json")
    assert r.status_code == 200 and code == 0
    assert r.json() == json.loads(out)
    first, second = r.json()
    assert second["added_km2"] + second["overlap_km2"] == pytest.approx(second["area_km2"], rel=1e-9)
    assert first["cities_in_range"] < second["cities_in_range"] and "UA" in second["country_share"]


# ---- systems, places, points ------------------------------------------------------------------------------


def test_system_search_by_alias_with_suggestions(client):
    found = client.get("/api/systems", params={"q": "SS-26"}).json()
    assert found["systems"][0]["id"] == "iskander-m" and found["systems"][0]["matched"] == "SS-26"
    assert found["suggestions"] == []
    partial = client.get("/api/systems", params={"q": "fateh"}).json()
    assert {"fath-360", "fateh-110"} <= {s["id"] for s in partial["systems"]}
    typo = client.get("/api/systems", params={"q": "Fathh 360"}).json()
    assert typo["systems"] == [] and "Fath-360" in typo["suggestions"]
    everything = client.get("/api/systems").json()["systems"]
    assert len(everything) == len({s["id"] for s in everything}) > 40


def test_one_system_is_show_json(client, capsys):
    r = client.get("/api/systems/Fateh-360")
    _, out, _ = cli(capsys, "show", "Fateh-360", "--json")
    assert r.status_code == 200 and r.json() == json.loads(out)
    assert r.json()["range_source"]["url"].startswith("https://") and r.json()["sources"]


def test_unknown_system_is_404_with_the_cli_message_and_suggestions(client, capsys):
    item = detail(client.get("/api/systems/Fathh-360"), 404)
    assert item["loc"] == ["path", "name"]
    assert item["msg"] == cli_error(capsys, "show", "Fathh-360")
    assert "Fath-360" in item["suggestions"]


def test_places_show_ambiguity_and_the_cli_choice(client):
    body = client.get("/api/places", params={"q": "Odessa"}).json()
    assert body["ambiguous"] and {p["country"] for p in body["places"]} >= {"UA", "US"}
    chosen = [p for p in body["places"] if p["chosen"]]
    cli_pick = parse_point("Odessa")
    assert len(chosen) == 1 and (chosen[0]["lat"], chosen[0]["lon"]) == (cli_pick.lat, cli_pick.lon)
    us = client.get("/api/places", params={"q": "Odessa, US"}).json()
    assert {p["country"] for p in us["places"]} == {"US"} and us["places"][0]["region"] == "Texas"
    assert [p["chosen"] for p in us["places"]][:2] == [True, False]
    assert client.get("/api/places", params={"q": "Київ"}).json()["places"][0]["name"] == "Kyiv"
    donetsk = client.get("/api/places", params={"q": "Pokrovsk, Donetsk"}).json()
    assert donetsk["places"][0]["region"].startswith("Donetsk") and donetsk["places"][0]["chosen"]
    assert client.get("/api/places", params={"q": "Artemivsk"}).json()["places"][0]["name"] == "Bakhmut"
    typo = client.get("/api/places", params={"q": "Belgorodd"}).json()["places"][0]
    assert (typo["name"], typo["match"]) == ("Belgorod", "fuzzy")
    assert "Belgorod, RU" in client.get("/api/places", params={"q": "Belgorodskaya"}).json()["suggestions"]


def test_points_parse_every_cli_notation(client):
    values = ["50.6,36.6", "50.6N 36.6E", "50°36'00\"N 36°35'54\"E", "37UCS3003708064", "Kyiv", "Site A=50.6,36.6"]
    got = client.get("/api/points", params={"launch": values}).json()
    for value, point in zip(values, got, strict=True):
        want = parse_point(value)
        assert (point["lat"], point["lon"], point["label"]) == (want.lat, want.lon, want.label)


# ---- bad input: the CLI's messages, the field named ------------------------------------------------------


@pytest.mark.parametrize("path, params, loc, argv", [
    ("/api/rings", {"system": "fath-360", "launch": "95,36.6"}, ["query", "launch", 0],
     ["ring", "fath-360", "--from", "95,36.6"]),
    ("/api/rings", {"system": "fath-360", "launch": ["50,36", "50.6N 36.6N"]}, ["query", "launch", 1],
     ["ring", "fath-360", "--from", "50.6N 36.6N"]),
    ("/api/rings", {"system": ["fath-360", "nonesuch-9"], "launch": "50,36"}, ["query", "system", 1],
     ["ring", "nonesuch-9", "--from", "50,36"]),
    ("/api/rings", {"system": "fath-360", "launch": "Atlantis City"}, ["query", "launch", 0],
     ["ring", "fath-360", "--from", "Atlantis City"]),
    ("/api/rings", {"system": "fath-360", "launch": "50,36", "min_range": "500km"}, ["query", "min_range"],
     ["ring", "fath-360", "--from", "50,36", "--min-range", "500km"]),
    ("/api/distance", {"from": "50,36", "to": "nan,nan"}, ["query", "to", 0], ["distance", "50,36", "nan,nan"]),
    ("/api/reach", {"system": "fath-360", "launch": "50,36", "target": "50,400"}, ["query", "target", 0],
     ["reach", "50,400", "--system", "fath-360", "--from", "50,36"]),
])
def test_bad_input_is_422_naming_the_field_with_the_cli_message(client, capsys, path, params, loc, argv):
    item = detail(client.get(path, params=params))
    assert item["loc"] == loc
    assert item["msg"] == cli_error(capsys, *argv)


@pytest.mark.parametrize("params, loc, accepted", [
    ({"system": "fath-360", "launch": "50,36", "range": "5 parsecs"}, ["query", "range"], "km, mi or nmi"),
    ({"system": "fath-360", "launch": "50,36", "range": "-5km"}, ["query", "range"], "km, mi or nmi"),
    ({"system": "fath-360", "launch": "50,36", "range": "50000km"}, ["query", "range"], "km, mi or nmi"),
    ({"launch": "50,36"}, ["query", "system"], "system name"),
    ({"system": "fath-360", "launch": "50,3x6"}, ["query", "launch", 0], "lat,lon"),
])
def test_bad_input_says_what_is_accepted(client, params, loc, accepted):
    item = detail(client.get("/api/rings", params=params))
    assert item["loc"] == loc and accepted in item["accepted"] and accepted.split()[0] in item["msg"] + item["accepted"]


def test_unknown_country_and_bad_top(client, capsys):
    item = detail(client.get("/api/compare", params={"system": "fath-360", "launch": "50,36", "country": ["UA", "Narnia"]}))
    assert item["loc"] == ["query", "country", 1] and "Narnia" in item["msg"]
    item = detail(client.get("/api/compare", params={"system": "fath-360", "launch": "50,36", "top": 500}))
    assert item["loc"] == ["query", "top"]
    item = detail(client.get("/api/compare", params={"launch": "50,36"}))
    assert item["loc"][:2] == ["query", "system"]


def test_missing_parameters_are_422_not_500(client):
    assert detail(client.get("/api/rings", params={"system": "fath-360"}))["loc"] == ["query", "launch"]
    assert detail(client.get("/api/distance", params={"from": "50,36"}))["loc"] == ["query", "to"]
    assert client.get("/api/places").status_code == 422


# ---- limits ------------------------------------------------------------------------------------------------


def test_limits_on_points_systems_and_text(client):
    lim = Limits()
    many = [f"{50 + i * 0.01:.2f},36" for i in range(lim.launches + 1)]
    item = detail(client.get("/api/rings", params={"system": "fath-360", "launch": many}))
    assert item["loc"] == ["query", "launch"] and str(lim.launches) in item["msg"]
    assert client.get("/api/rings", params={"system": "fath-360", "launch": many[:-1]}).status_code == 200
    names = [s["id"] for s in client.get("/api/systems").json()["systems"]][: lim.systems + 1]
    item = detail(client.get("/api/rings", params={"system": names, "launch": "50,36"}))
    assert item["loc"] == ["query", "system"] and str(lim.systems) in item["msg"]
    item = detail(client.get("/api/rings", params={"system": "fath-360", "launch": "x" * 5000}))
    assert item["loc"] == ["query", "launch", 0] and "too long" in item["msg"]
    targets = ["50,30"] * (lim.targets + 1)
    assert detail(client.get("/api/reach", params={"launch": "50,36", "target": targets}))["loc"] == ["query", "target"]
    assert detail(client.get("/api/systems", params={"q": "q" * 500}))["loc"] == ["query", "q"]
    # reach with every system, 25 launch points and 50 targets would be 62,500 rows
    item = detail(client.get("/api/reach", params={"launch": many[:-1], "target": targets[:-1]}))
    assert item["loc"] == ["query", "target"] and "too many verdicts" in item["msg"]


def test_a_catalogue_file_and_the_environment_configure_the_app(monkeypatch):
    monkeypatch.setenv("WEAPONSDB_EXPLORE_TILES", "osm")
    monkeypatch.setenv("WEAPONSDB_EXPLORE_HOSTS", "*")
    monkeypatch.setenv("WEAPONSDB_CATALOG", str(Path(__file__).resolve().parent.parent / "data" / "systems.csv"))
    with TestClient(create_app(), base_url="http://any.example") as c:
        assert c.get("/api/config").json()["tiles"] == "osm"
        assert c.get("/api/systems/fath-360").status_code == 200


def test_limits_are_configurable(capsys):
    small = TestClient(create_app(limits=Limits(launches=1)), base_url="http://127.0.0.1")
    assert small.get("/api/rings", params={"system": "fath-360", "launch": ["50,36", "51,36"]}).status_code == 422
    assert small.get("/api/config").json()["limits"]["launches"] == 1


# ---- what must never happen ------------------------------------------------------------------------------


def test_internal_errors_leak_no_traceback_or_path(app, monkeypatch):
    import weaponsdb.rangerings

    def boom(*_a, **_k):
        raise RuntimeError("secret at /work/private/weaponsdb/rangerings.py line 3")

    monkeypatch.setattr(weaponsdb.rangerings, "compute", boom)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/api/rings", params={"system": "fath-360", "launch": "50,36"})
    assert r.status_code == 500 and r.json() == {"detail": "internal error"}
    assert "Traceback" not in r.text and "/work" not in r.text and "rangerings" not in r.text


def test_error_bodies_carry_no_paths(client):
    for path, params in [("/api/rings", {"system": "x", "launch": "y"}), ("/api/systems/%2Fetc%2Fpasswd", {}),
                         ("/static/../../app.py", {}), ("/api/nope", {})]:
        r = client.get(path, params=params)
        assert r.status_code in (400, 404, 422)
        assert "Traceback" not in r.text and "/work/" not in r.text and "site-packages" not in r.text


def test_no_cors(client):
    r = client.get("/api/rings", params={"system": "fath-360", "launch": "50,36"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and not any(h.lower().startswith("access-control-") for h in r.headers)
    pre = client.options("/api/rings", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 405 and "access-control-allow-origin" not in pre.headers


def test_foreign_host_headers_are_refused(app):
    with TestClient(app, base_url="http://evil.example") as c:
        assert c.get("/api/config").status_code == 400
    with TestClient(app, base_url="http://localhost:8123") as c:
        assert c.get("/api/config").status_code == 200


def test_page_has_a_strict_content_security_policy(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert r.status_code == 200 and "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|eval\(",
                         client.get("/static/app.js").text)


def test_labels_stay_data(client):
    fc = client.get("/api/rings", params={"system": "fath-360", "launch": f"{XSS}=50,36"}).json()
    assert fc["features"][0]["properties"]["launch"] == XSS
    r = client.get("/api/export/map.html", params={"system": "fath-360", "launch": f"{XSS}=50,36", "title": XSS})
    assert r.status_code == 200 and XSS not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/systems", "/api/systems/{name}", "/api/rings", "/api/distance", "/api/reach", "/api/compare",
            "/api/places", "/api/points", "/api/export/scenario.toml", "/api/export/map.html",
            "/api/export/rings.{fmt}", "/api/export/figure.{fmt}"} <= paths
    assert "422" in spec["paths"]["/api/rings"]["get"]["responses"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/rings" in docs.text and "<script" not in docs.text
    assert "https://" not in docs.text.replace("https://tile.openstreetmap.org", "")  # no CDN: works offline
    assert client.get("/redoc").status_code == 404


# ---- exports --------------------------------------------------------------------------------------------

VIEW = {"system": ["fath-360", "iskander-m"], "launch": ["Belgorod region=50.60343,36.58091", "Kursk \"area\"=51.73,36.19"],
        "min_range": "20km", "title": "Fath-360 and Iskander-M"}


def test_geojson_kml_and_gpkg_exports_are_the_cli_files(client, capsys, tmp_path):
    argv = ["ring", "fath-360", "iskander-m", "--from", VIEW["launch"][0], "--from", VIEW["launch"][1], "--min-range", "20km"]
    r = client.get("/api/export/rings.geojson", params=VIEW)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.text == cli(capsys, *argv)[1]
    for fmt in ("kml", "gpkg"):
        cli(capsys, *argv, "-o", tmp_path / f"cli.{fmt}")
        got = client.get(f"/api/export/rings.{fmt}", params=VIEW)
        assert got.status_code == 200 and got.headers["content-disposition"].endswith(f'.{fmt}"')
        if fmt == "kml":  # simplekml numbers its ids from a process-wide counter
            assert _kml(got.text) == _kml((tmp_path / "cli.kml").read_text(encoding="utf-8"))
        else:
            import geopandas as gpd

            (tmp_path / "api.gpkg").write_bytes(got.content)
            ours, theirs = gpd.read_file(tmp_path / "api.gpkg"), gpd.read_file(tmp_path / "cli.gpkg")
            assert ours.drop(columns="geometry").equals(theirs.drop(columns="geometry"))
            assert all(a.equals_exact(b, 1e-9) for a, b in zip(ours.geometry, theirs.geometry, strict=True))


def _kml(text: str) -> str:
    return re.sub(r'(id="|styleUrl>#)\d+', r"\1N", text)


def test_scenario_export_reproduces_the_view(client):
    r = client.get("/api/export/scenario.toml", params=VIEW)
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.toml"')
    data = tomllib.loads(r.text)
    assert data["title"] == VIEW["title"] and data["systems"] == ["Fath-360", "Iskander-M"]
    assert data["min_range"] == "20km" and data["offline"] is True and "range" not in data
    assert [(x["label"], x["lat"], x["lon"]) for x in data["launch"]] == [
        ("Belgorod region", 50.60343, 36.58091), ('Kursk "area"', 51.73, 36.19)]


def test_adhoc_scenario_and_odd_labels_round_trip(client):
    labels = ['Quote " and \\ backslash', "Tab\there", "Кириллица", XSS]
    params = {"launch": [f"{lab}=-33.9,18.4" for lab in labels] + ["0.0000001,-0.0000001"], "range": "75mi",
              "min_range": "10 km"}
    data = tomllib.loads(client.get("/api/export/scenario.toml", params=params).text)
    assert data["systems"] == [] and data["range"] == "75mi" and data["min_range"] == "10 km"
    assert [x["label"] for x in data["launch"][:-1]] == labels
    assert (data["launch"][-1]["lat"], data["launch"][-1]["lon"]) == (1e-07, -1e-07)


def test_scenario_export_renders_to_the_html_export(client, run_cli, tmp_path):
    """``weaponsdb render`` on the exported TOML writes the same bytes as the HTML export."""
    toml = client.get("/api/export/scenario.toml", params=VIEW).text
    html = client.get("/api/export/map.html", params=VIEW)
    assert html.status_code == 200 and not external_refs(html.text)
    (tmp_path / "view.toml").write_text(toml, encoding="utf-8")
    code, _, err = run_cli("render", tmp_path / "view.toml", cwd=tmp_path, timeout=300)
    assert code == 0, err
    written = tmp_path / tomllib.loads(toml)["output"]
    assert written.read_bytes() == html.content


FURNISHED = {**VIEW, "every": "100km", "radials": 8, "bearing": [45, 22.5], "sector": "300-60"}


def test_scenario_export_carries_the_ring_options(client):
    data = tomllib.loads(client.get("/api/export/scenario.toml", params=FURNISHED).text)
    assert data["every"] == "100km" and data["radials"] == 8
    assert data["bearings"] == [45.0, 22.5] and data["sector"] == [300.0, 60.0]
    plain = tomllib.loads(client.get("/api/export/scenario.toml", params=VIEW).text)
    assert not {"every", "radials", "bearings", "sector"} & set(plain)


def test_scenario_export_with_ring_options_renders_to_the_html_export(client, run_cli, tmp_path):
    toml = client.get("/api/export/scenario.toml", params=FURNISHED).text
    html = client.get("/api/export/map.html", params=FURNISHED)
    assert html.status_code == 200 and not external_refs(html.text)
    assert html.content != client.get("/api/export/map.html", params=VIEW).content
    (tmp_path / "view.toml").write_text(toml, encoding="utf-8")
    code, _, err = run_cli("render", tmp_path / "view.toml", cwd=tmp_path, timeout=300)
    assert code == 0, err
    assert (tmp_path / tomllib.loads(toml)["output"]).read_bytes() == html.content


def test_ring_file_exports_carry_the_ring_options(client, capsys):
    r = client.get("/api/export/rings.geojson", params=FURNITURE)
    assert r.status_code == 200 and r.text == cli(capsys, *FURNITURE_ARGV)[1]


def test_figure_export_draws_the_view(client):
    """PNG and SVG exports of the view are real figures, and a bad format names the path field."""
    assert client.get("/api/config").json()["figure"] is True
    for fmt in ("png", "svg"):
        r = client.get(f"/api/export/figure.{fmt}", params=VIEW)
        assert r.status_code == 200 and len(r.content) > 10_000
    assert detail(client.get("/api/export/figure.gif", params=VIEW))["loc"] == ["path", "fmt"]


def test_exports_write_nothing(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in ("rings.geojson", "rings.kml", "rings.gpkg", "scenario.toml", "map.html"):
        assert client.get(f"/api/export/{path}", params=VIEW).status_code == 200
    assert list(tmp_path.iterdir()) == []


# ---- the command ----------------------------------------------------------------------------------------


def _start(cli_env, tmp_path, *args):
    proc = subprocess.Popen([sys.executable, "-m", "weaponsdb", "explore", "--no-browser", *args], cwd=tmp_path,
                            env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc


def test_explore_command_serves_on_loopback_and_a_free_port(cli_env, tmp_path):
    import httpx

    proc = _start(cli_env, tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.startswith("weaponsdb explorer: http://127.0.0.1:"), line
        url = line.split()[2]
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(url + "api/config", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "explorer did not start"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["tiles"] == "offline"
        assert httpx.get(url, timeout=5).text.count("leaflet.js") == 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_explore_runs_several_workers(cli_env, tmp_path):
    import httpx

    proc = _start(cli_env, tmp_path, "--workers", "2")
    try:
        url = proc.stdout.readline().split()[2]
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url + "api/rings", params={"system": "fath-360", "launch": "50.6,36.6"}, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "explorer workers did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["features"][0]["properties"]["system"] == "fath-360"
        assert httpx.get(url + "api/config", headers={"Host": "evil.example"}, timeout=10).status_code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_the_socket_is_tcp_so_nagle_is_off():
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; without it a keep-alive answer waits ~40 ms."""
    from weaponsdb.explore.server import bind

    with bind("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP


def test_explore_warns_on_all_interfaces(cli_env, tmp_path):
    proc = _start(cli_env, tmp_path, "--host", "0.0.0.0")
    try:
        assert proc.stdout.readline().startswith("weaponsdb explorer: http://127.0.0.1:")
        err = proc.stderr.readline()
        assert "warning" in err and "anyone who can reach this machine" in err
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_explore_on_a_busy_port_is_one_line(run_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        code, out, err = run_cli("explore", "--no-browser", "--port", busy.getsockname()[1], timeout=60)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "is in use" in err
