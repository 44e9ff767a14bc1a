"""Raster population inside a coverage area, checked against an independent cell-by-cell computation.

The truth here never touches exactextract or the ring polygons: each cell's covered fraction is
the share of a k x k grid of sub-cell centres whose ``pyproj.Geod.inv`` distance to a launch
point lies in [min, max]. Cells farther from the boundary than their own centre-to-corner size
are wholly in or out and are decided by their centre alone, so only the boundary cells are
sampled.

Tolerance (worst case, summed, never a fudge factor):
* sampling: in each row of sub-cells the boundary crosses at most twice for these discs and
  annuli, and each crossing misplaces at most half a sub-cell (1/2k of the row), so a boundary
  cell's fraction is off by at most 1/k: sum(value / k) over boundary cells;
* the ring polygon: its boundary is within ``geodesy.tolerance_m`` of the exact one, so at most
  perimeter x tolerance of area is misplaced, times the highest density in the raster.
"""

import math
import os

import numpy as np
import pyproj
import pytest
import rasterio
import rasterio.windows
from rasterio.transform import from_origin

from weaponsdb.coverage import compare, coverage_geometry
from weaponsdb.errors import InputError
from weaponsdb.geodesy import tolerance_m
from weaponsdb.model import Place, RangeSpec, System
from weaponsdb.population import PopulationRaster, raster_population

GEOD = pyproj.Geod(ellps="WGS84")
NODATA = -99999.0  # WorldPop's nodata value: negative, and must not count as a negative population
K = 24


def system(sid: str, max_km: float, min_km: float = 0.0) -> System:
    return System(id=sid, name=sid, range=RangeSpec(max_km=max_km, min_km=min_km))


def write_tif(path, values, transform, crs="EPSG:4326"):
    """A small single-band float32 GeoTIFF with WorldPop's nodata value."""
    profile = {"driver": "GTiff", "height": values.shape[0], "width": values.shape[1], "count": 1,
               "dtype": "float32", "transform": transform, "nodata": NODATA}
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values.astype("float32")[None])
    return path


def synthetic(rng, shape, nodata_share=0.02):
    values = rng.integers(0, 100, shape).astype(float)
    values[rng.random(shape) < nodata_share] = NODATA
    return values


def independent_total(values, transform, launches, lo_km, hi_km, to_lonlat=None):
    """(truth, bound): sum of value x sampled in-range fraction, and the worst-case error of that sum plus the ring's."""
    rows, cols = values.shape
    a, e = transform.a, transform.e
    jj, ii = np.meshgrid(np.arange(cols), np.arange(rows))
    cx, cy = transform.c + (jj + 0.5) * a, transform.f + (ii + 0.5) * e
    convert = to_lonlat or (lambda x, y: (x, y))

    def in_range(x, y):
        lon, lat = convert(x, y)
        ok = np.zeros(np.shape(x), dtype=bool)
        for p in launches:
            d = np.asarray(GEOD.inv(np.full(lon.size, p.lon), np.full(lat.size, p.lat), lon.ravel(), lat.ravel())[2])
            d = d.reshape(np.shape(x)) / 1000.0
            ok |= (d >= lo_km) & (d <= hi_km)
        return ok

    lon_c, lat_c = convert(cx, cy)
    lon_k, lat_k = convert(cx + a / 2, cy + e / 2)
    half_diag_km = np.asarray(GEOD.inv(lon_c.ravel(), lat_c.ravel(), lon_k.ravel(), lat_k.ravel())[2]).reshape(cx.shape) / 1000
    near = np.zeros(cx.shape, dtype=bool)
    for p in launches:
        d = np.asarray(GEOD.inv(np.full(cx.size, p.lon), np.full(cx.size, p.lat), lon_c.ravel(), lat_c.ravel())[2])
        d = d.reshape(cx.shape) / 1000.0
        for r in (lo_km, hi_km):
            if r > 0:
                near |= np.abs(d - r) <= 1.5 * half_diag_km
    fraction = in_range(cx, cy).astype(float)
    offsets = (np.arange(K) + 0.5) / K - 0.5
    ox, oy = np.meshgrid(offsets * a, offsets * e)
    ni, nj = np.nonzero(near)
    sx = cx[ni, nj][:, None] + ox.ravel()[None]
    sy = cy[ni, nj][:, None] + oy.ravel()[None]
    fraction[ni, nj] = in_range(sx, sy).mean(axis=1)
    valid = values != NODATA
    truth = float((values * fraction)[valid].sum())
    sampling = float(values[near & valid].sum()) / K
    if to_lonlat:
        smallest_cell_km2 = abs(a * e) / 1e6
    else:
        smallest_cell_km2 = abs(a) * 111.3 * math.cos(math.radians(np.abs(lat_c).max() + abs(e))) * abs(e) * 110.5
    density = float(np.where(valid, values, 0).max()) / smallest_cell_km2
    perimeter = sum(2 * math.pi * r for r in (lo_km, hi_km) if r > 0) * len(launches)
    ring = perimeter * tolerance_m(hi_km * 1000.0) / 1000.0 * density
    return truth, sampling + ring


@pytest.mark.parametrize(("launches", "lo", "hi"), [
    ([Place(50.45, 30.52, "Kyiv")], 0.0, 90.0),
    ([Place(50.45, 30.52, "Kyiv")], 40.0, 90.0),
    ([Place(50.45, 30.52, "Kyiv"), Place(50.0, 31.6, "East")], 0.0, 70.0),
], ids=["disc", "annulus", "union"])
def test_geographic_raster_matches_independent_sum(tmp_path, launches, lo, hi):
    rng = np.random.default_rng(1)
    transform = from_origin(28.9, 51.5, 0.025, 0.02)
    values = synthetic(rng, (120, 150))
    path = write_tif(tmp_path / "pop.tif", values, transform)
    geom = coverage_geometry(system("s", hi, lo), launches)
    got = raster_population(geom, path)
    truth, bound = independent_total(values, transform, launches, lo, hi)
    assert truth > 1e5
    assert abs(got - truth) <= bound, (got, truth, bound)
    assert bound < 0.02 * truth and abs(got - truth) < 1e-3 * truth


def test_projected_raster_reprojects_the_coverage(tmp_path):
    """LAEA Europe (EPSG:3035), metres: the geometry goes to the raster's CRS, never the raster to degrees."""
    rng = np.random.default_rng(2)
    transform = from_origin(5_300_000.0, 3_300_000.0, 2_000.0, 2_000.0)
    values = synthetic(rng, (110, 110))
    path = write_tif(tmp_path / "laea.tif", values, transform, crs="EPSG:3035")
    back = pyproj.Transformer.from_crs(3035, 4326, always_xy=True)
    centre_lon, centre_lat = back.transform(5_300_000.0 + 110_000.0, 3_300_000.0 - 110_000.0)
    launch = Place(float(centre_lat), float(centre_lon), "c")
    got = raster_population(coverage_geometry(system("s", 80.0), [launch]), path)
    truth, bound = independent_total(values, transform, [launch], 0.0, 80.0,
                                     to_lonlat=lambda x, y: tuple(np.asarray(v) for v in back.transform(x, y)))
    assert truth > 1e5 and abs(got - truth) <= bound, (got, truth, bound)


def test_antimeridian_split_coverage_is_summed_whole(tmp_path):
    """A ring at 179.5°E is two polygons (RFC 7946); a raster laid out -180..180 or 170..190 holds all of it."""
    launch = Place(-17.0, 179.5, "Fiji")
    geom = coverage_geometry(system("s", 150.0), [launch])
    assert geom.geom_type == "MultiPolygon"
    rng = np.random.default_rng(3)
    east = synthetic(rng, (80, 100), nodata_share=0.0)   # 176..180
    west = synthetic(rng, (80, 100), nodata_share=0.0)   # -180..-176
    split = write_tif(tmp_path / "world.tif", np.hstack([west, np.zeros((80, 8800)), east]),
                      from_origin(-180.0, -14.0, 0.04, 0.04))
    pacific = write_tif(tmp_path / "pacific.tif", np.hstack([east, west]), from_origin(176.0, -14.0, 0.04, 0.04))
    whole, _ = independent_total(np.hstack([east, west]), from_origin(176.0, -14.0, 0.04, 0.04), [launch], 0.0, 150.0)
    got_split, got_pacific = raster_population(geom, split), raster_population(geom, pacific)
    _, bound = independent_total(np.hstack([east, west]), from_origin(176.0, -14.0, 0.04, 0.04), [launch], 0.0, 150.0)
    assert abs(got_split - whole) <= bound and abs(got_pacific - whole) <= bound
    assert got_split == pytest.approx(got_pacific, rel=1e-9)


def test_compare_reports_raster_population_within_countries(tmp_path):
    rng = np.random.default_rng(4)
    transform = from_origin(34.0, 52.5, 0.05, 0.05)
    values = synthetic(rng, (80, 100), nodata_share=0.0)
    path = write_tif(tmp_path / "pop.tif", values, transform)
    belgorod = Place(50.5954, 36.5873, "Belgorod")
    table = compare([system("s", 120.0)], [belgorod], countries=["UA"], population=path)
    row = table.iloc[0]
    whole = raster_population(coverage_geometry(system("s", 120.0), [belgorod]), path)
    assert row["raster_population_global"] == pytest.approx(whole, rel=1e-12)
    assert 0.2 * whole < row["raster_population"] < 0.8 * whole
    plain = compare([system("s", 120.0)], [belgorod], population=path)
    assert plain.loc[0, "raster_population"] == pytest.approx(whole, rel=1e-12)
    assert "raster_population_global" not in plain.columns


def test_compare_cli_population_json(tmp_path, run_cli):
    rng = np.random.default_rng(5)
    write_tif(tmp_path / "pop.tif", synthetic(rng, (60, 80)), from_origin(34.0, 52.0, 0.05, 0.05))
    code, out, err = run_cli("compare", "fath-360", "--from", "Belgorod", "--population", "pop.tif", "--json")
    assert code == 0, err
    import json

    assert json.loads(out)[0]["raster_population"] > 0


@pytest.mark.parametrize(("make", "message"), [
    ("png", "not a GeoTIFF"),
    ("text", "not a readable raster"),
    ("missing", "not found"),
    ("no_crs", "no coordinate reference system"),
    ("two_bands", "2 bands"),
    ("negative", "negative values"),
    ("degrees_as_metres", "look like degrees"),
])
def test_bad_rasters_are_one_line_input_errors(tmp_path, make, message):
    transform = from_origin(30.0, 51.0, 0.05, 0.05)
    values = np.full((40, 40), 5.0)
    path = tmp_path / "pop.tif"
    if make == "png":
        path = tmp_path / "pop.png"
        with rasterio.open(path, "w", driver="PNG", height=40, width=40, count=1, dtype="uint8") as dst:
            dst.write(np.ones((1, 40, 40), dtype="uint8"))
    elif make == "text":
        path.write_text("not a raster\n", encoding="utf-8")
    elif make == "no_crs":
        write_tif(path, values, transform, crs=None)
    elif make == "two_bands":
        with rasterio.open(path, "w", driver="GTiff", height=40, width=40, count=2, dtype="float32",
                           crs="EPSG:4326", transform=transform) as dst:
            dst.write(np.ones((2, 40, 40), dtype="float32"))
    elif make == "negative":
        write_tif(path, values - 10.0, transform)
    elif make == "degrees_as_metres":
        write_tif(path, values, transform, crs="EPSG:3035")
    if make != "missing":
        assert path.exists()
    geom = coverage_geometry(system("s", 50.0), [Place(50.0, 31.0, "c")])
    with pytest.raises(InputError, match=message) as exc:
        raster_population(geom, path)
    assert "\n" not in str(exc.value)


def test_open_reads_no_pixels_and_outside_coverage_is_zero(tmp_path):
    path = write_tif(tmp_path / "pop.tif", np.full((20, 20), 7.0), from_origin(30.0, 51.0, 0.05, 0.05))
    raster = PopulationRaster.open(path)
    assert raster.geographic and raster.bounds == pytest.approx((30.0, 50.0, 31.0, 51.0))
    far = coverage_geometry(system("s", 50.0), [Place(-33.9, 18.4, "Cape Town")])
    assert raster.total(far) == 0.0


def test_reads_only_the_window_it_needs(tmp_path):
    """A global 0.005° raster (72,000 x 36,000 cells, 10 GB as float32) sums a 50 km ring in a small process.

    The file is sparse (GDAL SPARSE_OK: unwritten tiles cost nothing on disk and read as 0), so
    only the tiles around the ring hold data; peak memory of a fresh process shows that no more
    than a window around the ring was read.
    """
    import subprocess
    import sys

    path = tmp_path / "global.tif"
    width, height, cell = 72_000, 36_000, 0.005
    profile = {"driver": "GTiff", "height": height, "width": width, "count": 1, "dtype": "float32", "crs": "EPSG:4326",
               "transform": from_origin(-180.0, 90.0, cell, cell), "tiled": True, "blockxsize": 512, "blockysize": 512,
               "compress": "deflate", "sparse_ok": True}
    col, row = int((30.5 + 180) / cell) - 300, int((90 - 50.5) / cell) - 300
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((1, 600, 600), 2.0, dtype="float32"), window=rasterio.windows.Window(col, row, 600, 600))
    assert path.stat().st_size < 5_000_000
    script = (
        "import resource, sys\n"
        "from weaponsdb.coverage import coverage_geometry\n"
        "from weaponsdb.model import Place, RangeSpec, System\n"
        "from weaponsdb.population import raster_population\n"
        "ring = coverage_geometry(System(id='s', name='s', range=RangeSpec(max_km=50.0)), [Place(50.5, 30.5, 'c')])\n"
        "print(raster_population(ring, sys.argv[1]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    # The same sum over a raster holding only the window: the two processes' peaks differ by what was read.
    small = tmp_path / "window.tif"
    west, north = -180.0 + col * cell, 90.0 - row * cell
    with rasterio.open(small, "w", **{**profile, "width": 600, "height": 600,
                                      "transform": from_origin(west, north, cell, cell)}) as dst:
        dst.write(np.full((1, 600, 600), 2.0, dtype="float32"))
    # GDAL's block cache defaults to 5% of RAM; capped so the peaks measure what was read, not what was cached.
    env = {**os.environ, "GDAL_CACHEMAX": "64"}
    runs = [subprocess.run([sys.executable, "-c", script, str(p)], capture_output=True, text=True, timeout=300,
                           check=True, env=env).stdout.split() for p in (path, small)]
    (total, peak_mib), (window_total, window_peak_mib) = runs
    cells_in_ring = math.pi * 50.0**2 / ((cell * 111.32 * math.cos(math.radians(50.5))) * (cell * 110.6))
    assert float(total) == pytest.approx(2.0 * cells_in_ring, rel=0.01)
    assert float(total) == pytest.approx(float(window_total), rel=1e-9)
    extra = int(peak_mib) - int(window_peak_mib)
    assert extra < 150, f"peak {peak_mib} MiB vs {window_peak_mib} MiB: the raster was read far beyond the ring's window"
