"""Reach tables, footprints and coverage comparisons checked against independent truth.

Distances come from ``pyproj.Geod(ellps="WGS84").inv`` called here, never from the code under
test; areas are checked against the inclusion-exclusion identity and a spherical-cap estimate.
"""

import json
import math

import numpy as np
import pyproj
import pytest
import shapely

from weaponsdb import gazetteer
from weaponsdb.catalog import load_catalog
from weaponsdb.coverage import (
    REACH_COLUMNS,
    cities_in_range,
    compare,
    coverage_geometry,
    distance_matrix_km,
    footprint,
    reach,
    reach_counts,
    read_targets,
    select,
)
from weaponsdb.errors import InputError, UnknownNameError
from weaponsdb.gazetteer import cities
from weaponsdb.geodesy import area_km2, tolerance_m
from weaponsdb.model import Place, RangeSpec, System

GEOD = pyproj.Geod(ellps="WGS84")
BELGOROD = Place(50.5954, 36.5873, "Belgorod")
KYIV = Place(50.4501, 30.5234, "Kyiv")


def system(sid: str, max_km: float, min_km: float = 0.0) -> System:
    return System(id=sid, name=sid.title(), range=RangeSpec(max_km=max_km, min_km=min_km))


LONG, SHORT, BAND = system("long", 1000.0), system("short", 120.0), system("band", 1000.0, 500.0)


def inv_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(lat1, lon1, lat2, lon2))
    return np.asarray(GEOD.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())[2]).reshape(lat1.shape) / 1000.0


def random_points(rng, n, lat=(-70, 70), lon=(-180, 180), prefix="p"):
    lats, lons = rng.uniform(*lat, n), rng.uniform(*lon, n)
    return [Place(float(a), float(b), f"{prefix}{i}") for i, (a, b) in enumerate(zip(lats, lons))]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_kyiv_from_belgorod():
    frame = reach([LONG, SHORT], [BELGOROD], [KYIV])
    verdict = dict(zip(frame["system"], frame["in_range"]))
    assert verdict == {"long": True, "short": False}
    truth = inv_km(BELGOROD.lat, BELGOROD.lon, KYIV.lat, KYIV.lon)
    assert np.allclose(frame["distance_km"], truth, rtol=0, atol=1e-6)


def test_place_names_and_labels_are_accepted():
    frame = reach([LONG], ["Launcher=50.5954, 36.5873"], ["Kyiv"])
    assert frame.loc[0, "target"] == "Kyiv" and frame.loc[0, "launch"] == "Launcher"
    assert bool(frame.loc[0, "in_range"])


def test_every_catalogue_system_and_distances_match_inv(catalog):
    rng = np.random.default_rng(1)
    targets, launches = random_points(rng, 7, prefix="t"), random_points(rng, 4, prefix="l")
    frame = reach(None, launches, targets, catalog=catalog)
    assert tuple(frame.columns[:len(REACH_COLUMNS)]) == REACH_COLUMNS
    assert len(frame) == len(catalog) * len(targets) * len(launches)
    assert set(frame["system"]) == set(catalog.df.index)
    assert not frame.duplicated(["system", "launch", "target"]).any()
    truth = inv_km(frame["launch_lat"], frame["launch_lon"], frame["target_lat"], frame["target_lon"])
    assert np.allclose(frame["distance_km"], truth, rtol=0, atol=1e-6)
    for _, row in frame.sample(20, random_state=0).iterrows():
        record = catalog.get(row["system"])
        assert row["max_range_km"] == record.range.max_km
        assert row["min_range_km"] == record.range.min_km


def test_systems_by_name_resolve_in_catalogue(catalog):
    frame = reach(["Iskander-M"], [BELGOROD], [KYIV], catalog=catalog)
    assert list(frame["system"]) == [catalog.resolve("Iskander-M")]


def test_margin_sign_and_verdict_follow_true_distance():
    rng = np.random.default_rng(2)
    targets = random_points(rng, 40, lat=(40, 60), lon=(20, 50), prefix="t")
    frame = reach([LONG, SHORT, BAND], [BELGOROD, KYIV], targets)
    d = inv_km(frame["launch_lat"], frame["launch_lon"], frame["target_lat"], frame["target_lon"])
    hi = frame["max_range_km"].to_numpy()
    lo = frame["min_range_km"].to_numpy()
    assert np.allclose(frame["margin_km"], hi - d, atol=1e-6)
    assert (np.sign(frame["margin_km"]) == np.sign(hi - d)).all()
    assert (frame["in_range"].to_numpy() == ((d >= lo) & (d <= hi))).all()
    assert frame["in_range"].any() and not frame["in_range"].all()


def test_minimum_range_excludes_close_targets():
    kharkiv, lviv = Place(49.9935, 36.2304, "Kharkiv"), Place(49.8397, 24.0297, "Lviv")
    frame = reach([BAND], [BELGOROD], [kharkiv, lviv]).set_index("target")
    assert inv_km(BELGOROD.lat, BELGOROD.lon, kharkiv.lat, kharkiv.lon) < 500
    assert 500 < inv_km(BELGOROD.lat, BELGOROD.lon, lviv.lat, lviv.lon) < 1000
    assert not frame.loc["Kharkiv", "in_range"] and frame.loc["Kharkiv", "margin_km"] > 0
    assert frame.loc["Lviv", "in_range"]


def test_sort_order_in_range_first_then_margin_descending():
    rng = np.random.default_rng(3)
    frame = reach([LONG, SHORT, BAND], [BELGOROD, KYIV], random_points(rng, 30, lat=(30, 70), lon=(0, 70)))
    flags = frame["in_range"].to_numpy()
    assert flags.any() and not flags.all()
    assert not flags[np.argmin(flags):].any(), "an in-range row follows an out-of-range one"
    for block in (frame[flags], frame[~flags]):
        assert (np.diff(block["margin_km"].to_numpy()) <= 0).all()


def test_reach_counts_agree_with_reach_and_brute_force():
    rng = np.random.default_rng(4)
    targets, launches = random_points(rng, 50, prefix="t"), random_points(rng, 6, prefix="l")
    systems = [LONG, SHORT, BAND, system("far", 9000.0, 2000.0)]
    lo = np.array([s.range.min_km for s in systems])
    hi = np.array([s.range.max_km for s in systems])
    d = distance_matrix_km([p.lat for p in launches], [p.lon for p in launches],
                           [p.lat for p in targets], [p.lon for p in targets])
    truth = inv_km(np.array([p.lat for p in launches])[:, None], np.array([p.lon for p in launches])[:, None],
                   np.array([p.lat for p in targets])[None], np.array([p.lon for p in targets])[None])
    ok = (truth[None] >= lo[:, None, None]) & (truth[None] <= hi[:, None, None])
    for block in (7, 1000, 1 << 23):
        pairs, reached = reach_counts(d, lo, hi, block=block)
        assert (pairs == ok.sum(axis=(1, 2))).all()
        assert (reached == ok.any(axis=1)).all()
    frame = reach(systems, launches, targets)
    per_system = frame.groupby("system", sort=False)["in_range"].sum()
    assert [int(per_system[s.id]) for s in systems] == list(ok.sum(axis=(1, 2)))


@pytest.mark.parametrize("system", [LONG, BAND, SHORT])
def test_footprint_membership_matches_inv(system):
    target = KYIV
    geom = footprint(system, target)
    rng = np.random.default_rng(5)
    n = 4000
    hi, lo = system.range.max_km, system.range.min_km
    az = rng.uniform(0, 360, n)
    dist = rng.uniform(0.0, 1.3 * hi, n)
    lon, lat, _ = GEOD.fwd(np.full(n, target.lon), np.full(n, target.lat), az, dist * 1000.0)
    d = inv_km(lat, lon, target.lat, target.lon)
    inside = shapely.contains_xy(geom, lon, lat)
    tol = tolerance_m(hi * 1000.0) / 1000.0
    clear = (np.abs(d - hi) > tol) & (np.abs(d - lo) > tol)
    assert (inside[clear] == ((d >= lo) & (d <= hi))[clear]).all()
    assert clear.sum() > 0.9 * n


def test_footprint_is_where_reach_says_in_range():
    geom = footprint(System.adhoc(450.0), KYIV)
    rng = np.random.default_rng(6)
    launches = random_points(rng, 200, lat=(44, 57), lon=(22, 40), prefix="l")
    frame = reach([system("x", 450.0)], launches, [KYIV])
    d = frame["distance_km"].to_numpy()
    clear = np.abs(d - 450.0) > tolerance_m(450_000.0) / 1000.0
    inside = shapely.contains_xy(geom, frame["launch_lon"].to_numpy(), frame["launch_lat"].to_numpy())
    assert (inside[clear] == frame["in_range"].to_numpy()[clear]).all()


def test_footprint_overrides():
    geom = footprint(LONG.with_range(min_km=300.0), KYIV)
    near = GEOD.fwd(KYIV.lon, KYIV.lat, 90.0, 200_000.0)
    mid = GEOD.fwd(KYIV.lon, KYIV.lat, 90.0, 600_000.0)
    assert not geom.contains(shapely.Point(near[:2])) and geom.contains(shapely.Point(mid[:2]))
    with pytest.raises(InputError, match="minimum range"):
        LONG.with_range(min_km=1200.0)


def cap_km2(r_km):
    """Spherical cap on the WGS84 authalic sphere: a rough but independent area."""
    radius = 6371.0072
    return 2 * math.pi * radius**2 * (1 - math.cos(r_km / radius))


MID = system("mid", 700.0)


def test_single_ring_area_close_to_spherical_cap():
    assert compare([LONG], [KYIV])["area_km2"].iloc[0] == pytest.approx(cap_km2(1000.0), rel=1e-2)


def test_compare_areas_satisfy_inclusion_exclusion():
    launches = [BELGOROD, Place(45.0, 34.0, "Crimea")]
    table = compare([BAND, MID], launches)
    assert list(table["system"]) == ["band", "mid"]
    first, second = table.iloc[0], table.iloc[1]
    assert first["added_km2"] == 0.0 and first["overlap_km2"] == first["area_km2"]
    union = area_km2(shapely.union_all([coverage_geometry(BAND, launches), coverage_geometry(MID, launches)]))
    assert first["area_km2"] + second["area_km2"] - second["overlap_km2"] == pytest.approx(union, rel=1e-6)
    assert second["added_km2"] == pytest.approx(second["area_km2"] - second["overlap_km2"], rel=1e-6)
    assert 0 < second["overlap_km2"] < min(first["area_km2"], second["area_km2"])
    assert second["added_km2"] > 0


def test_added_and_overlap_of_annulus_and_disk():
    table = compare([BAND, MID], [KYIV])
    assert table.loc[1, "overlap_km2"] == pytest.approx(cap_km2(700.0) - cap_km2(500.0), rel=1e-2)
    assert table.loc[1, "added_km2"] == pytest.approx(cap_km2(500.0), rel=1e-2)
    nested = compare([LONG, MID], [KYIV, BELGOROD])
    assert nested.loc[1, "added_km2"] == pytest.approx(0.0, abs=1e-6 * nested.loc[0, "area_km2"])
    assert nested.loc[1, "overlap_km2"] == pytest.approx(nested.loc[1, "area_km2"], rel=1e-6)


def test_compare_cities_against_brute_force():
    launches = [BELGOROD, KYIV]
    systems = [SHORT, BAND]
    table = compare(systems, launches, top=4)
    c = cities()
    d = inv_km(np.array([p.lat for p in launches])[:, None], np.array([p.lon for p in launches])[:, None],
               c["lat"][None], c["lon"][None])
    for row, system in zip(table.itertuples(), systems):
        lo, hi = system.range.min_km, system.range.max_km
        hit = ((d >= lo) & (d <= hi)).any(axis=0)
        assert row.cities_in_range == hit.sum() > 0
        assert row.population_in_range == c["population"][hit].sum()
        order = np.argsort(-c["population"][hit], kind="stable")[:4]
        assert [(x["name"], x["country"], x["population"]) for x in row.cities] == [
            (c["name"][hit][i], c["country"][hit][i], c["population"][hit][i]) for i in order]
        for x in row.cities:
            j = np.flatnonzero((c["lat"] == x["lat"]) & (c["lon"] == x["lon"]))[0]
            reaching = [k for k in range(len(launches)) if lo <= d[k, j] <= hi]
            assert x["distance_km"] == pytest.approx(min(d[k, j] for k in reaching), abs=1e-3)
            assert x["launch"] in [launches[k].label for k in reaching]
    assert "Kyiv" in [x["name"] for x in table.loc[0, "cities"]]
    assert "Kyiv" not in [x["name"] for x in table.loc[1, "cities"]]


def brute_force_cities(systems, launches, country=None, pplx=None):
    """Mask of gazetteer rows any system reaches from any launch point, by Geod.inv called here."""
    c = cities()
    d = inv_km(np.array([p.lat for p in launches])[:, None], np.array([p.lon for p in launches])[:, None],
               c["lat"][None], c["lon"][None])
    hit = np.zeros(len(c["lat"]), dtype=bool)
    for s in systems:
        hit |= ((d >= s.range.min_km) & (d <= s.range.max_km)).any(axis=0)
    if country:
        hit &= c["country"] == country
    if pplx is not None:
        hit &= ~pplx
    return c, d, hit


def test_country_limits_cities_and_population_and_keeps_global_figures():
    belgorod_to_kyiv = system("reach-kyiv", 500.0)
    table = compare([belgorod_to_kyiv], [BELGOROD], countries=["Ukraine"], top=50)
    c, _, ua = brute_force_cities([belgorod_to_kyiv], [BELGOROD], country="UA")
    _, _, world = brute_force_cities([belgorod_to_kyiv], [BELGOROD])
    row = table.iloc[0]
    assert row["cities_in_range"] == ua.sum() > 0 and row["population_in_range"] == c["population"][ua].sum()
    assert row["cities_in_range_global"] == world.sum() > ua.sum()
    assert row["population_in_range_global"] == c["population"][world].sum()
    assert {x["country"] for x in row["cities"]} == {"UA"}
    assert "Belgorod" not in [x["name"] for x in row["cities"]]
    assert "cities_in_range_global" not in compare([belgorod_to_kyiv], [BELGOROD]).columns


@pytest.fixture
def marked_sections(monkeypatch):
    """The gazetteer with a PPLX flag (as GeoNames feature codes give it): every fifth Ukrainian place a section."""
    table = dict(cities())
    pplx = np.zeros(len(table["lat"]), dtype=bool)
    pplx[np.flatnonzero(table["country"] == "UA")[1::5]] = True
    table["pplx"] = pplx
    table["region"] = np.array([f"R{i % 7}" for i in range(len(pplx))], dtype=object)
    monkeypatch.setattr(gazetteer, "cities", lambda: table)
    return table


def test_sections_of_cities_are_never_counted(marked_sections):
    pplx = marked_sections["pplx"]
    wide = system("wide", 900.0)
    table = compare([wide], [KYIV], countries=["UA"], top=10_000)
    c, _, hit = brute_force_cities([wide], [KYIV], country="UA", pplx=pplx)
    row = table.iloc[0]
    assert row["cities_in_range"] == hit.sum() and row["population_in_range"] == c["population"][hit].sum()
    sections = set(zip(c["lat"][pplx], c["lon"][pplx]))
    assert sections and not sections & {(x["lat"], x["lon"]) for x in row["cities"]}
    assert len(row["cities"]) == hit.sum()
    town = cities_in_range([wide], [KYIV], countries=["UA"])
    assert len(town) == hit.sum() and not sections & set(zip(town["lat"], town["lon"]))
    assert set(town["region"]) <= {f"R{i}" for i in range(7)} and town["region"].iloc[0]


def test_city_table_names_reaching_systems_and_launch_points():
    near, far = system("near", 100.0), system("far", 900.0, 300.0)
    launches = [BELGOROD, Place(46.48, 30.73, "Odesa")]
    town = cities_in_range([near, far], launches, top=40)
    assert list(town.columns) == ["name", "country", "region", "population", "lat", "lon", "distance_km",
                                  "nearest_launch", "systems", "launches"]
    assert (np.diff(town["population"].to_numpy()) <= 0).all() and len(town) == 40
    c = cities()
    d = inv_km(np.array([p.lat for p in launches])[:, None], np.array([p.lon for p in launches])[:, None],
               c["lat"][None], c["lon"][None])
    for r in town.itertuples():
        j = np.flatnonzero((c["lat"] == r.lat) & (c["lon"] == r.lon))[0]
        assert r.distance_km == pytest.approx(d[:, j].min(), abs=1e-3)
        assert r.nearest_launch == launches[int(d[:, j].argmin())].label
        for s in (near, far):
            reaches = [p.label for k, p in enumerate(launches) if s.range.min_km <= d[k, j] <= s.range.max_km]
            assert (s.id in r.systems) == bool(reaches)
        assert set(r.launches) == {p.label for k, p in enumerate(launches)
                                   if any(s.range.min_km <= d[k, j] <= s.range.max_km for s in (near, far))}
    kharkiv = town[town["name"] == "Kharkiv"].iloc[0]
    assert kharkiv["systems"] == ["near", "far"] and "Odesa" in kharkiv["launches"]


def test_country_share():
    world = system("world", 20_000.0)
    table = compare([world, SHORT], [KYIV], countries=["Ukraine", "ua"])
    assert set(table.loc[0, "country_share"]) == {"UKRAINE", "UA"}
    assert table.loc[0, "country_share"]["UKRAINE"] == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < table.loc[1, "country_share"]["UA"] < 0.2
    far = compare([SHORT], [Place(-35.28, 149.13, "Canberra")], countries=["UA"])
    assert far.loc[0, "country_share"] == {"UA": 0.0}


def test_unknown_country_raises_before_work():
    with pytest.raises(UnknownNameError) as exc:
        compare([LONG], [KYIV], countries=["UA", "Ukrane"])
    assert exc.value.kind == "country"


def test_empty_or_bad_inputs_raise_input_error():
    with pytest.raises(InputError):
        reach([LONG], [BELGOROD], [])
    with pytest.raises(InputError):
        reach([LONG], [], [KYIV])
    with pytest.raises(InputError):
        reach([system("bad", 100.0, 200.0)], [BELGOROD], [KYIV])
    with pytest.raises(InputError):
        compare([], [KYIV])


def write(tmp_path, text, name="targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_targets_coordinates(tmp_path):
    path = write(tmp_path, "\ufeffName, Lat, Lon\nKyiv,50.4501,30.5234\n\n,-33.86,151.21\nDMS,50°36'N,36°35'E\n")
    points = read_targets(path)
    assert [p.label for p in points] == ["Kyiv", "-33.8600, 151.2100", "DMS"]
    assert (points[0].lat, points[0].lon) == (50.4501, 30.5234)
    assert points[2].lat == pytest.approx(50.6) and points[2].lon == pytest.approx(36 + 35 / 60)


def test_read_targets_place_names(tmp_path):
    points = read_targets(write(tmp_path, 'place\nKyiv\n"Odessa, US"\n"Site A=50.6,36.6"\n'))
    assert [p.label for p in points] == ["Kyiv", "Odessa", "Site A"]
    assert points[1].lon < -90  # Odessa, Texas
    named = read_targets(write(tmp_path, "name,place\nCapital,Kyiv\n", "named.csv"))
    assert named[0].label == "Capital" and inv_km(named[0].lat, named[0].lon, KYIV.lat, KYIV.lon) < 10
    lone = read_targets(write(tmp_path, "name\nKharkiv\n", "lone.csv"))
    assert lone[0].label == "Kharkiv"


@pytest.mark.parametrize("header", [
    "name,lat,lon", "city,latitude,longitude", "label,y,x", "City,Latitude,Lng", "NAME,LAT,LONG", "target,lat,lng",
    "x,y,name",
])
def test_read_targets_header_spellings_keep_names_and_points(tmp_path, header):
    columns = header.lower().split(",")
    values = {"lat": "50.4501", "latitude": "50.4501", "y": "50.4501", "lon": "30.5234", "longitude": "30.5234",
              "x": "30.5234", "lng": "30.5234", "long": "30.5234"}
    row = ",".join(values.get(c, "Kyiv centre") for c in columns)
    points = read_targets(write(tmp_path, f"{header}\n{row}\n"))
    assert [(p.label, p.lat, p.lon) for p in points] == [("Kyiv centre", 50.4501, 30.5234)]


@pytest.mark.parametrize("text, line, problem", [
    ("name,lat,lon\nA,50,30\nB,95,30\n", 3, "latitude"),
    ("name,lat,lon\nA,50,30\nB,,30\n", 3, "lat is empty"),
    ("name,lat,lon\nA,50,30\nB,50,abc\n", 3, "not a coordinate"),
    ("name,lat,lon\nA,50,30,7\n", 2, "4 fields"),
    ("name,lat,lon\nA,\"50,5\",30\n", 2, "decimal separator"),
    ("place\nKyiv\n\nNowhereville Zzz\n", 4, "unknown place"),
    ("town,easting,northing\nKyiv,1,2\n", 1, "header"),
    ("id,value\n1,2\n", 1, "header"),
    ("name,lat\nA,50\n", 1, "header"),
])
def test_read_targets_bad_rows_name_file_and_line(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        read_targets(path)
    assert f"{path}:{line}:" in str(exc.value)
    assert problem in str(exc.value)


def test_read_targets_reports_every_bad_row(tmp_path):
    path = write(tmp_path, "name,lat,lon\nA,95,30\nB,50,30\nC,50,\n")
    with pytest.raises(InputError) as exc:
        read_targets(path)
    assert f"{path}:2:" in str(exc.value) and f"{path}:4:" in str(exc.value)


def test_read_targets_missing_or_empty_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_targets(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no targets"):
        read_targets(write(tmp_path, "name,lat,lon\n"))
    with pytest.raises(InputError, match="no targets"):
        read_targets(write(tmp_path, "", "empty.csv"))
    with pytest.raises(InputError, match="UTF-8"):
        path = tmp_path / "latin1.csv"
        path.write_bytes("place\nK\xf6ln\n".encode("latin-1"))
        read_targets(path)


def test_compare_cli_json_cities_and_city_table(run_cli):
    code, out, err = run_cli("compare", "fath-360", "iskander-m", "--from", "Belgorod", "--country", "UA", "--json",
                             "--top", "3")
    assert code == 0, err
    rows = json.loads(out)
    for row in rows:
        assert len(row["cities"]) == 3
        assert all({"name", "country", "population", "distance_km"} <= set(c) for c in row["cities"])
        assert {c["country"] for c in row["cities"]} == {"UA"}
        assert row["population_in_range"] < row["population_in_range_global"]
    code, out, err = run_cli("compare", "fath-360", "iskander-m", "--from", "Belgorod", "--country", "UA", "--csv",
                             "--cities", "4")
    assert code == 0, err
    head, *lines = out.strip().splitlines()
    assert head.split(",")[:4] == ["name", "country", "region", "population"] and len(lines) == 4
    assert lines[0].startswith("Kyiv,UA,") and lines[0].endswith("iskander-m,Belgorod")
    code, out, err = run_cli("compare", "fath-360", "--from", "Belgorod", "--country", "UA", "--cities", "2")
    assert code == 0, err
    assert "CITIES UA" in out and "CITIES WORLD" in out and "REACHED BY" in out
    assert "limited to UA" in err and "--population" in err


def test_reach_rows_carry_category_and_operators(catalog):
    frame = reach([catalog.get("fath-360")], [BELGOROD], [KYIV])
    assert list(frame.columns) == list(REACH_COLUMNS)
    assert frame.loc[0, "operators"] == list(catalog.get("fath-360").operators)
    assert frame.loc[0, "category"] == catalog.get("fath-360").category


def test_select_by_operator_and_category(catalog):
    every = list(catalog)
    russian = select(every, operators=["Russia"])
    assert russian and all("Russia" in s.operators for s in russian)
    assert {s.id for s in select(every, operators=["RU"])} == {s.id for s in russian}
    srbm = select(every, operators=["Russia"], categories=["srbm"])
    assert srbm and all(s.category == "SRBM" and "Russia" in s.operators for s in srbm)
    assert {s.id for s in srbm} < {s.id for s in russian}
    with pytest.raises(UnknownNameError, match="Russia"):
        select(every, operators=["Russa"])
    with pytest.raises(UnknownNameError):
        select(every, categories=["SRMB"])


def test_reach_cli_several_targets_and_filters(run_cli, catalog):
    code, out, err = run_cli("reach", "Kyiv", "Lviv", "Warsaw", "--from", "Belgorod", "--operator", "Russia", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["target"] for r in rows} == {"Kyiv", "Lviv", "Warsaw"}
    assert rows and all("Russia" in r["operators"] for r in rows)
    russian = {s.id for s in catalog if "Russia" in s.operators}
    assert {r["system"] for r in rows} == russian and len(rows) == 3 * len(russian)
    code, out, err = run_cli("reach", "Kyiv", "--from", "Belgorod", "--operator", "Russia", "--category", "SRBM", "--csv")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("system,name,category,operators,") and all(",SRBM," in line for line in lines[1:])
    code, out, err = run_cli("reach", "Kyiv", "--from", "Belgorod", "--operator", "Israel", "--category", "CRBM")
    assert code == 2 and "no system matches" in err


def test_reach_map_draws_targets_launches_and_geodesic_lines(run_cli, tmp_path):
    code, _out, err = run_cli("reach", "Kyiv", "Lviv", "--from", "Belgorod", "--from", "Kursk", "--system", "iskander-m",
                             "-o", "reach.html")
    assert code == 0, err
    page = (tmp_path / "reach.html").read_text(encoding="utf-8")
    assert page.count("reach-line") >= 4 and "wdb-mark" in page and "launch-point" in page and "range-ring" in page
    assert "Belgorod → Kyiv" in page and "margin +70.3 km (in range)" in page
    assert "out of range" in page  # Lviv is beyond 500 km
    code, _, err = run_cli("reach", "Kyiv", "--from", "Belgorod", "-o", "reach.html")
    assert code == 2 and "exists" in err.lower()
    code, _, err = run_cli("reach", "Kyiv", "--from", "Belgorod", "-o", "reach.geojson")
    assert code == 2 and ".html" in err and not (tmp_path / "reach.geojson").exists()


def test_geodesic_line_follows_the_ellipsoid_and_crosses_the_dateline():
    from weaponsdb.reachmap import geodesic_line

    line = np.array(geodesic_line(-17.7, 178.0, 21.3, -157.8))  # Fiji to Honolulu
    assert np.all(np.abs(np.diff(line[:, 1])) < 5)
    assert line[-1, 1] == pytest.approx(360 - 157.8)
    mid = line[len(line) // 2]
    total = inv_km(-17.7, 178.0, 21.3, -157.8)
    halves = inv_km(-17.7, 178.0, mid[0], mid[1]) + inv_km(mid[0], mid[1], 21.3, -157.8)
    assert halves == pytest.approx(total, abs=1e-3)


def test_offline_reach_map_needs_no_network(run_cli, tmp_path):
    from weaponsdb.offline import external_refs

    code, _, err = run_cli("reach", "Kyiv", "--from", "Belgorod", "--system", "fath-360", "-o", "off.html", "--offline")
    assert code == 0, err
    page = (tmp_path / "off.html").read_text(encoding="utf-8")
    assert external_refs(page) == [] and "reach-line" in page and "tile.openstreetmap" not in page


def test_the_bundled_gazetteer_leaves_city_sections_out(run_cli):
    """GeoNames PPLX sections (Kharkiv's Saltivka) are never counted as cities, and the caveat says so."""
    from weaponsdb.coverage import sections_marked
    from weaponsdb.gazetteer import cities

    table = cities()
    assert sections_marked() and "PPLX" not in set(table["feature"])
    assert "PPLX" in set(cities(sections=True)["feature"]), "the gazetteer does know sections"
    code, _, err = run_cli("compare", "iskander-m", "--from", "Belgorod", "--country", "UA")
    assert code == 0 and "sections of a city (PPLX) are not counted" in err
