"""coverage_counts: exact against Geod.inv (called here), on every input shape, and the same on Dask as locally.

Boundary-hugging targets are placed with ``Geod.fwd`` a hair inside and outside each range; the
truth is always ``Geod.inv`` of the placed point, never the distance it was placed at.
"""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

import weaponsdb
from weaponsdb.counts import Targets, count_block, targets_from
from weaponsdb.errors import InputError
from weaponsdb.model import Place, RangeSpec, System

GEOD = pyproj.Geod(ellps="WGS84")


def system(sid: str, max_km: float, min_km: float = 0.0) -> System:
    return System(id=sid, name=sid, range=RangeSpec(max_km=max_km, min_km=min_km))


SYSTEMS = [system("short", 120.7), system("band", 2000.0, 300.0), system("mid", 5500.0), system("far", 15000.0),
           system("world", 20_003.0)]
LAUNCHES = [Place(50.5954, 36.5873, "Belgorod"), Place(-0.5, 179.9, "Pacific"), Place(89.9, 10.0, "Pole"),
            Place(-33.9, 18.4, "Cape")]


def truth(systems, launches, lat, lon, weight=None):
    """(launches, systems) sums by brute-force Geod.inv over every pair."""
    w = np.ones(lat.size) if weight is None else weight
    out = np.zeros((len(launches), len(systems)))
    for i, p in enumerate(launches):
        d = np.asarray(GEOD.inv(np.full(lat.size, p.lon), np.full(lat.size, p.lat), lon, lat)[2]) / 1000.0
        for k, s in enumerate(systems):
            out[i, k] = w[(d >= s.range.min_km) & (d <= s.range.max_km)].sum()
    return out


def random_targets(rng, n):
    return np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)


def hugging_targets(rng, systems, launches, per=400):
    """Points within a metre (down to a micrometre) of every range boundary around every launch point."""
    lats, lons = [], []
    for p in launches:
        for s in systems:
            for r in {s.range.min_km, s.range.max_km} - {0.0}:
                offsets = rng.choice([-1, 1], per) * 10.0 ** rng.uniform(-6, 0, per)  # metres
                az = rng.uniform(0, 360, per)
                lon, lat, _ = GEOD.fwd(np.full(per, p.lon), np.full(per, p.lat), az, r * 1000.0 + offsets)
                lats.append(lat)
                lons.append(lon)
    return np.concatenate(lats), np.concatenate(lons)


def test_exact_on_random_targets():
    rng = np.random.default_rng(11)
    lat, lon = random_targets(rng, 30_000)
    got = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, np.column_stack([lat, lon]))
    assert list(got.columns) == [s.id for s in SYSTEMS] and list(got.index) == [p.label for p in LAUNCHES]
    assert np.array_equal(got.to_numpy(), truth(SYSTEMS, LAUNCHES, lat, lon))


def test_exact_on_boundary_hugging_targets():
    rng = np.random.default_rng(12)
    usable = [s for s in SYSTEMS if s.range.max_km < 19_000]
    lat, lon = hugging_targets(rng, usable, LAUNCHES)
    expected = truth(usable, LAUNCHES, lat, lon)
    got = weaponsdb.coverage_counts(usable, LAUNCHES, np.column_stack([lat, lon]))
    assert np.array_equal(got.to_numpy(), expected)
    assert expected.min() > 0 and expected.max() < lat.size  # both sides of the boundaries are populated


def test_exact_targets_on_the_boundary_and_at_the_launch_point():
    launch = LAUNCHES[0]
    lon, lat, _ = GEOD.fwd(launch.lon, launch.lat, 45.0, 120_700.0)
    d = GEOD.inv(np.array([launch.lon]), np.array([launch.lat]), np.array([lon]), np.array([lat]))[2][0] / 1000.0
    edge = system("edge", float(d))  # exactly the distance Geod.inv reports (array call, as truth() makes): <= is in
    points = np.array([[lat, lon], [launch.lat, launch.lon]])
    got = weaponsdb.coverage_counts([edge, system("hole", 200.0, float(d))], [launch], points)
    assert got.to_numpy().tolist() == [[2, 1]]


def test_population_is_a_second_exact_sum():
    rng = np.random.default_rng(13)
    lat, lon = random_targets(rng, 8000)
    people = rng.integers(0, 5000, lat.size).astype(float)
    frame = pd.DataFrame({"Latitude": lat, "LNG": lon, "people": people})
    got = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, frame, population="people")
    assert list(got.columns.get_level_values(0).unique()) == ["targets", "population"]
    assert np.array_equal(got["targets"].to_numpy(), truth(SYSTEMS, LAUNCHES, lat, lon))
    assert np.array_equal(got["population"].to_numpy(), truth(SYSTEMS, LAUNCHES, lat, lon, people))
    by_array = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, np.column_stack([lat, lon]), population=people)
    assert by_array.equals(got)


def test_every_input_shape_gives_the_same_table(tmp_path):
    rng = np.random.default_rng(14)
    lat, lon = random_targets(rng, 5000)
    systems = ["iskander-m", "fath-360", SYSTEMS[1]]
    launches = pd.DataFrame({"name": ["Belgorod", "Kursk"], "lat": [50.5954, 51.73], "lon": [36.5873, 36.19]})
    base = weaponsdb.coverage_counts(systems, launches, np.column_stack([lat, lon]))
    assert list(base.index) == ["Belgorod", "Kursk"] and list(base.columns) == ["iskander-m", "fath-360", "band"]
    frame = pd.DataFrame({"y": lat, "x": lon})
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    frame.to_parquet(tmp_path / "t.parquet")
    frame.rename(columns={"y": "latitude", "x": "longitude"}).to_csv(tmp_path / "t.csv", index=False)
    for targets in (frame, points, points.to_crs(3857), str(tmp_path / "t.parquet"), tmp_path / "t.csv"):
        got = weaponsdb.coverage_counts(systems, launches, targets)
        if isinstance(targets, gpd.GeoDataFrame) and targets.crs.to_epsg() == 3857:
            assert (got - base).abs().to_numpy().max() <= 1  # a round trip through metres may move a point 1e-9 deg
        else:
            assert got.equals(base), type(targets)
    sites = gpd.GeoDataFrame({"label": ["Belgorod", "Kursk"]}, crs=4326,
                             geometry=gpd.points_from_xy(launches["lon"], launches["lat"])).to_crs(3857)
    from_gdf = weaponsdb.coverage_counts(systems, sites, np.column_stack([lat, lon]))
    assert list(from_gdf.index) == ["Belgorod", "Kursk"] and from_gdf.equals(base)
    three = weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], ["Kharkiv", "Kyiv", "50.0,36.2"])
    assert three.to_numpy().tolist() == [[2]]


def test_bad_inputs_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="recognisable latitude"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(InputError, match=r"\(N, 2\)"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], np.zeros((3, 3)))
    with pytest.raises(InputError, match="valid latitude"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], np.array([[95.0, 1.0]]))
    with pytest.raises(InputError, match="engine"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], np.zeros((1, 2)), engine="spark")
    with pytest.raises(InputError, match="not found"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"], tmp_path / "missing.parquet")
    with pytest.raises(InputError, match="points"):
        weaponsdb.coverage_counts(["fath-360"], ["Belgorod"],
                                  gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_wkt(["LINESTRING (0 0, 1 1)"]), crs=4326))


def test_blocks_of_any_size_add_up():
    rng = np.random.default_rng(15)
    lat, lon = random_targets(rng, 3000)
    lo = np.array([s.range.min_km for s in SYSTEMS])
    hi = np.array([s.range.max_km for s in SYSTEMS])
    whole = count_block(LAUNCHES, Targets.of(lat, lon), lo, hi)
    parts = sum(count_block(LAUNCHES, Targets.of(lat[i:i + 257], lon[i:i + 257]), lo, hi) for i in range(0, 3000, 257))
    assert np.array_equal(whole, parts)
    assert count_block(LAUNCHES, Targets.of([], []), lo, hi).sum() == 0


@pytest.fixture(scope="module")
def dask_client():
    """An in-process local cluster: same scheduler and partitions as a real one, no worker processes to spawn."""
    import distributed

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_equals_local_on_a_local_cluster(tmp_path, dask_client):
    rng = np.random.default_rng(16)
    lat, lon = random_targets(rng, 40_000)
    hug_lat, hug_lon = hugging_targets(rng, SYSTEMS[:3], LAUNCHES[:2], per=100)
    lat, lon = np.concatenate([lat, hug_lat]), np.concatenate([lon, hug_lon])
    people = rng.integers(0, 1000, lat.size).astype(float)
    frame = pd.DataFrame({"lat": lat, "lon": lon, "pop": people})
    path = tmp_path / "targets.parquet"
    frame.to_parquet(path, row_group_size=7000)
    csv = tmp_path / "targets.csv"
    frame.to_csv(csv, index=False)
    local = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, frame, population="pop")
    assert np.array_equal(local["targets"].to_numpy(), truth(SYSTEMS, LAUNCHES, lat, lon))
    import dask.dataframe as dd

    assert dd.read_parquet(path).npartitions > 1 or dd.read_csv(csv, blocksize="200KB").npartitions > 1
    for targets in (path, frame, dd.read_csv(csv, blocksize="200KB")):
        got = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, targets, engine="dask", scheduler=dask_client,
                                        population="pop")
        assert got.equals(local), type(targets)
    plain = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, str(csv), engine="dask", scheduler=dask_client)
    assert plain.equals(local["targets"])
    by_address = weaponsdb.coverage_counts(SYSTEMS, LAUNCHES, path, engine="dask", scheduler=dask_client.scheduler.address)
    assert by_address.equals(local["targets"])


def test_count_cli(tmp_path, run_cli):
    rng = np.random.default_rng(17)
    lat, lon = random_targets(rng, 3000)
    lat = np.concatenate([lat, 50.0 + rng.uniform(-2, 2, 500)])
    lon = np.concatenate([lon, 36.0 + rng.uniform(-3, 3, 500)])
    pd.DataFrame({"latitude": lat, "longitude": lon, "people": np.full(lat.size, 10)}).to_parquet(tmp_path / "t.parquet")
    code, out, err = run_cli("count", "iskander-m", "fath-360", "--from", "Belgorod", "--from", "Kursk",
                             "--targets", "t.parquet", "--population", "people", "--json")
    assert code == 0, err
    rows = json.loads(out)
    catalog = weaponsdb.load_catalog()
    launches = [weaponsdb.parse_point("Belgorod"), weaponsdb.parse_point("Kursk")]
    expected = truth([catalog.get("iskander-m"), catalog.get("fath-360")], launches, lat, lon)
    assert [r["launch"] for r in rows] == ["Belgorod", "Kursk"]
    assert [[r["targets"]["iskander-m"], r["targets"]["fath-360"]] for r in rows] == expected.tolist()
    assert rows[0]["population"]["iskander-m"] == 10 * expected[0, 0]
    code, out, err = run_cli("count", "iskander-m", "--from", "Belgorod", "--targets", "t.parquet", "--csv")
    assert code == 0 and out.splitlines()[0] == "launch,iskander-m"
    code, _, err = run_cli("count", "iskander-m", "--from", "Belgorod", "--targets", "t.parquet", "--scheduler", "tcp://x:1")
    assert code == 2 and "--engine dask" in err
    code, _, err = run_cli("count", "iskander-m", "--from", "Belgorod", "--targets", "t.parquet", "--engine", "dask",
                           "--scheduler", "bogus://x")
    errors = [line for line in err.strip().splitlines() if not line.startswith("weaponsdb: place:")]
    assert code == 2 and "cannot reach the Dask scheduler" in err and len(errors) == 1
    code, _, err = run_cli("count", "iskander-m", "--from", "Belgorod", "--targets", "t.geojson")
    assert code == 2 and ".parquet or .csv" in err


def test_targets_from_keeps_weights_per_target():
    t = targets_from(np.array([[1.0, 2.0], [3.0, 4.0]]), population=np.array([5.0, np.nan]))
    assert t.weight.tolist() == [[1.0, 5.0], [1.0, 0.0]]


def test_count_cli_dask_engine_starts_its_own_local_cluster(tmp_path, run_cli):
    rng = np.random.default_rng(18)
    lat = 50.0 + rng.uniform(-5, 5, 4000)
    lon = 36.0 + rng.uniform(-8, 8, 4000)
    pd.DataFrame({"lat": lat, "lon": lon}).to_csv(tmp_path / "t.csv", index=False)
    local = run_cli("count", "iskander-m", "kn-23", "--from", "Belgorod", "--targets", "t.csv", "--csv")
    dask = run_cli("count", "iskander-m", "kn-23", "--from", "Belgorod", "--targets", "t.csv", "--csv", "--engine", "dask")
    assert local[0] == 0 and dask[0] == 0, dask[2]
    assert dask[1] == local[1] and "network access blocked" not in dask[2]
