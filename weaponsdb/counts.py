"""How many targets each system reaches from each launch point: exact, and fast enough for millions.

The verdict is the same as everywhere else, ``min <= geodesic distance <= max`` on WGS84, but
most pairs are decided without solving the geodesic. In geodetic coordinates the ellipsoid's
metric lies between ``K_LOW**2`` and ``K_HIGH**2`` times that of the unit sphere scaled by
``R`` (its meridian and prime-vertical radii of curvature stay within 6335.44..6399.59 km), so
every curve, and hence the geodesic distance, is between ``K_LOW`` and ``K_HIGH`` times the
great-circle distance. A pair whose great-circle distance clears a range by that factor is
decided by one dot product; only the thin band around each range goes to ``Geod.inv``.

Per launch point each target is binned once among the thresholds' certainty bounds (a binary
search over a few hundred edges, not a sort of the targets), so the cost hardly grows with the
number of systems. The same kernel runs on each partition when Dask spreads targets over a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .geodesy import distances_m
from .model import Place, System
from .placefile import LAT_COLUMNS, LON_COLUMNS

_R_M = 6_371_008.8
#: Bounds on (ellipsoidal geodesic) / (great-circle distance at radius _R_M), with a margin for rounding.
K_LOW = 6_335_439.0 / _R_M - 1e-6
K_HIGH = 6_399_594.0 / _R_M + 1e-6


@dataclass(frozen=True)
class Targets:
    """Target points as columns: latitude, longitude (degrees) and weights per target.

    ``weight`` is (N,) (1 = count) or (N, W): several sums (targets and people, say) from one
    pass, since the sort and the band's geodesics are the cost, not the additions.
    """

    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, lat, lon, weight=None) -> Targets:
        lat, lon = np.asarray(lat, dtype=float).ravel(), np.asarray(lon, dtype=float).ravel()
        w = np.ones(lat.shape) if weight is None else np.asarray(weight, dtype=float)
        return cls(lat, lon, w.reshape(lat.size, -1) if w.ndim > 1 else w.ravel())

    def __len__(self) -> int:
        return int(self.lat.size)

    def slice(self, start: int, stop: int) -> Targets:
        return Targets(self.lat[start:stop], self.lon[start:stop], self.weight[start:stop])


def unit_vectors(lat, lon) -> np.ndarray:
    """(N, 3) points on the unit sphere at geodetic latitude and longitude taken as spherical."""
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


#: Slack (km) for the rounding of unit vectors and dot products: far below any range, far above float error.
_SLACK_KM = 0.002


def _sure_in(km: np.ndarray) -> np.ndarray:
    """Dot products at or above which the geodesic distance is certainly < ``km`` (inf: none).

    A threshold within the slack of zero decides nothing: a target on the launch point has a
    dot product of 1 yet is not closer than a zero minimum range, so it must go to Geod.inv.
    """
    km = np.asarray(km, dtype=float)
    theta = np.maximum(km - _SLACK_KM, 0.0) * 1000.0 / (K_HIGH * _R_M)
    return np.where(km <= _SLACK_KM, np.inf, np.where(theta >= np.pi, -1.0, np.cos(np.minimum(theta, np.pi))))


def _sure_out(km: np.ndarray) -> np.ndarray:
    """Dot products below which the geodesic distance is certainly > ``km`` (-inf: none, near the antipode)."""
    theta = (np.asarray(km) + _SLACK_KM) * 1000.0 / (K_LOW * _R_M)
    return np.where(theta >= np.pi, -np.inf, np.cos(np.minimum(theta, np.pi)))


def count_block(launches: Sequence[Place], targets: Targets, lo_km: np.ndarray, hi_km: np.ndarray) -> np.ndarray:
    """(launches, systems[, W]) sums of target weights with ``lo <= distance <= hi``, exact against Geod.inv.

    Every threshold's two certainty bounds become bin edges on the dot product; one binary search
    per target over those few hundred edges and a weighted histogram give each threshold's
    certain-in sum (no sort of the targets), and only targets in some threshold's band get an
    exact distance. For threshold r, with band B and certainly-closer edge ``in(r)``:
    ``sum(d <= r) = sum(dot >= in(r)) + sum(B, d <= r) - sum(B, dot >= in(r))``, because band
    targets above ``in(r)`` are certainly within r and band targets below ``out(r)`` certainly not.
    """
    n = len(targets)
    extra = targets.weight.shape[1:]
    out = np.zeros((len(launches), len(hi_km), *extra))
    if n == 0 or len(launches) == 0:
        return out
    weights = targets.weight.reshape(n, -1)
    thresholds = np.concatenate([hi_km, lo_km])
    sure_in, sure_out = _sure_in(thresholds), _sure_out(thresholds)
    edges = np.unique(np.concatenate([sure_in, sure_out]))
    i_in, i_out = np.searchsorted(edges, sure_in), np.searchsorted(edges, sure_out)
    # Bin b holds dot products with exactly b edges at or below them; threshold k's band is bins i_out+1..i_in.
    cover = np.zeros(edges.size + 2, dtype=np.int64)
    np.add.at(cover, i_out + 1, 1)
    np.add.at(cover, np.maximum(i_in + 1, i_out + 1), -1)
    band_bins = np.cumsum(cover)[: edges.size + 1] > 0
    xyz = unit_vectors(targets.lat, targets.lon)
    centres = unit_vectors([p.lat for p in launches], [p.lon for p in launches])
    for i, p in enumerate(launches):
        dots = xyz @ centres[i]
        bins = np.searchsorted(edges, dots, side="right")
        hist = np.column_stack([np.bincount(bins, weights=weights[:, k], minlength=edges.size + 1)
                                for k in range(weights.shape[1])])
        above = np.cumsum(hist[::-1], axis=0)[::-1]  # above[j]: weight in bins >= j
        certain = np.vstack([above, np.zeros((1, weights.shape[1]))])[i_in + 1]
        le, lt = certain.copy(), certain.copy()
        band = np.flatnonzero(band_bins[bins])
        if band.size:
            d = distances_m(p.lat, p.lon, targets.lat[band], targets.lon[band]) / 1000.0
            w = weights[band]
            by_d = np.argsort(d)
            cum_d = np.vstack([np.zeros((1, w.shape[1])), np.cumsum(w[by_d], axis=0)])
            by_dot = np.argsort(dots[band])
            cum_dot = np.vstack([np.zeros((1, w.shape[1])), np.cumsum(w[by_dot], axis=0)])
            sure = cum_dot[-1] - cum_dot[np.searchsorted(dots[band][by_dot], sure_in, side="left")]
            le += cum_d[np.searchsorted(d[by_d], thresholds, side="right")] - sure
            lt += cum_d[np.searchsorted(d[by_d], thresholds, side="left")] - sure
        out[i] = (le[: len(hi_km)] - lt[len(hi_km):]).reshape(len(hi_km), *extra)
    return out


def coverage_counts(systems: Sequence[System], launches: Sequence[Place], targets: Targets, *,
                    block: int = 1 << 20, quantities: Sequence[str] = ()) -> pd.DataFrame:
    """One row per launch point, one column per system (in the order given): target weights in range.

    ``block`` bounds how many targets are handled at once, so memory stays flat for any input size;
    ``quantities`` names the weight columns of 2-D weights (see :func:`frame`).
    """
    lo, hi = ranges(systems)
    total = np.zeros((len(launches), len(systems), *targets.weight.shape[1:]))
    for start in range(0, len(targets), block):
        total += count_block(launches, targets.slice(start, start + block), lo, hi)
    return frame(total, systems, launches, quantities)


def ranges(systems: Sequence[System]) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) ranges in km, in the order of ``systems``."""
    return (np.array([s.range.min_km for s in systems], dtype=float),
            np.array([s.range.max_km for s in systems], dtype=float))


def frame(total: np.ndarray, systems: Sequence[System], launches: Sequence[Place],
          quantities: Sequence[str] = ()) -> pd.DataFrame:
    """Sums as a table; whole numbers when every weight was a whole number.

    With ``quantities`` (one name per weight column of a 3-D ``total``) the columns are a
    (quantity, system) MultiIndex, so ``df["population"]`` is the per-system people table.
    """
    index = pd.Index([p.label for p in launches], name="launch")
    ids = [s.id or s.name for s in systems]
    if total.ndim == 3:
        parts = [frame(total[:, :, k], systems, launches) for k in range(total.shape[2])]
        names = list(quantities) or [str(k) for k in range(total.shape[2])]
        return pd.concat(parts, axis=1, keys=names, names=["quantity", "system"])
    values = total.astype(np.int64) if np.all(total == np.round(total)) else total
    return pd.DataFrame(values, index=index, columns=pd.Index(ids, name="system"))


# --- Inputs and engines: what coverage_counts in the API accepts, and where the kernel runs. ---------------------

#: Column spellings read as labels, as in a targets CSV (latitude and longitude: placefile's).
LABEL_NAMES = ("name", "label", "city", "target", "place")
FILE_SUFFIXES = (".parquet", ".pq", ".csv")


def coordinate_columns(columns: Sequence[str], what: str = "targets") -> tuple[str, str]:
    """The (lat, lon) column names among ``columns`` (any case); an error naming the accepted spellings if absent."""
    from .errors import InputError

    folded = {str(c).strip().lower(): str(c) for c in columns}
    lat = next((folded[n] for n in LAT_COLUMNS if n in folded), None)
    lon = next((folded[n] for n in LON_COLUMNS if n in folded), None)
    if lat is None or lon is None:
        raise InputError(f"{what} columns {', '.join(map(str, columns))} have no recognisable latitude and longitude: "
                         f"expected one of {'/'.join(LAT_COLUMNS)} and one of {'/'.join(LON_COLUMNS)}")
    return lat, lon


def _population_column(columns: Sequence[str], population) -> str | None:
    from .errors import InputError

    if population is None or not isinstance(population, str):
        return None
    if population not in columns:
        raise InputError(f"no population column {population!r} among the targets' columns ({', '.join(map(str, columns))})")
    return population


def targets_from(data, population=None) -> Targets:
    """Targets in memory from an (N, 2) lat/lon array, a DataFrame with lat/lon columns or a GeoDataFrame of points.

    ``population`` is a column name or an array of people per target; given, the weights are
    (count, people) so one pass yields both sums.
    """
    from .errors import InputError

    if _is_geodataframe(data):
        lat, lon, columns = *_point_coordinates(data), list(data.columns)
    elif isinstance(data, pd.DataFrame):
        lat_col, lon_col = coordinate_columns(list(data.columns))
        lat, lon, columns = data[lat_col].to_numpy(float), data[lon_col].to_numpy(float), list(data.columns)
    else:
        array = np.asarray(data, dtype=float)
        if array.ndim != 2 or array.shape[1] != 2:
            raise InputError(f"targets as an array must be (N, 2) latitude, longitude; got shape {array.shape}")
        lat, lon, columns = array[:, 0], array[:, 1], []
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90))
    if bad.any():
        raise InputError(f"{int(bad.sum())} target(s) without a valid latitude/longitude, e.g. row {int(np.argmax(bad))}")
    if population is None:
        return Targets.of(lat, lon)
    name = _population_column(columns, population)
    people = data[name].to_numpy(float) if name is not None else np.asarray(population, dtype=float).ravel()
    if people.shape != lat.shape:
        raise InputError(f"population has {people.size} values for {lat.size} targets")
    return Targets.of(lat, lon, np.column_stack([np.ones(lat.size), np.nan_to_num(people)]))


def _is_geodataframe(data) -> bool:
    return type(data).__name__ == "GeoDataFrame" and hasattr(data, "geometry")


def _point_coordinates(gdf) -> tuple[np.ndarray, np.ndarray]:
    """lat, lon of a GeoDataFrame's points, in EPSG:4326 whatever its CRS."""
    from .errors import InputError

    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    kinds = set(gdf.geometry.geom_type.dropna())
    if kinds - {"Point"}:
        raise InputError(f"targets must be points; this GeoDataFrame holds {', '.join(sorted(kinds))}")
    return gdf.geometry.y.to_numpy(float), gdf.geometry.x.to_numpy(float)


def launches_from(data) -> list[Place]:
    """Launch points from the same shapes targets take (labels from a name/label column), or any point notation."""
    from . import specs
    from .points import parse_point

    if isinstance(data, pd.DataFrame) or (isinstance(data, np.ndarray) and data.ndim == 2):
        t = targets_from(data)
        labels = None
        if isinstance(data, pd.DataFrame):
            folded = {str(c).strip().lower(): c for c in data.columns}
            label = next((folded[n] for n in LABEL_NAMES if n in folded), None)
            labels = data[label].astype(str).tolist() if label is not None else None
        points = [parse_point((float(a), float(b))) for a, b in zip(t.lat, t.lon, strict=True)]
        return [p.relabel(labels[i]) for i, p in enumerate(points)] if labels else points
    return specs.points(data)


def is_file(targets) -> bool:
    from pathlib import Path

    return isinstance(targets, (str, Path)) and Path(targets).suffix.lower() in FILE_SUFFIXES


def local_file_counts(systems: Sequence[System], launches: Sequence[Place], path, *, population=None,
                      block: int = 1 << 20, progress: bool = False) -> np.ndarray:
    """Sums over a Parquet or CSV file read ``block`` rows at a time: memory stays flat however big the file."""
    from pathlib import Path

    from tqdm import tqdm

    lo, hi = ranges(systems)
    path = Path(path)
    total: np.ndarray | None = None
    for chunk in tqdm(_chunks(path, population, block), desc="counting", unit="block", disable=None if progress else True,
                      leave=False):
        part = count_block(launches, targets_from(chunk, population), lo, hi)
        total = part if total is None else total + part
    if total is None:
        total = np.zeros((len(launches), len(systems), *((2,) if population is not None else ())))
    return total


def _chunks(path, population, block: int):
    """DataFrames of at most ``block`` rows holding only the coordinate (and population) columns."""
    from .errors import InputError

    if not path.is_file():
        raise InputError(f"targets file {str(path)!r} not found: expected Parquet or CSV with lat/lon columns")
    if path.suffix.lower() == ".csv":
        header = pd.read_csv(path, nrows=0).columns
        wanted = [*coordinate_columns(list(header)), *([population] if isinstance(population, str) else [])]
        _population_column(list(header), population)
        yield from pd.read_csv(path, usecols=wanted, chunksize=block)
        return
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    names = source.schema_arrow.names
    wanted = [*coordinate_columns(names), *([population] if isinstance(population, str) else [])]
    _population_column(names, population)
    for batch in source.iter_batches(batch_size=block, columns=wanted):
        yield batch.to_pandas()


def _partition_sums(part: pd.DataFrame, launches, lo, hi, population) -> pd.DataFrame:
    """One partition's sums flattened into a one-row frame, so Dask gathers a tiny table, not the targets."""
    sums = count_block(launches, targets_from(part, population), lo, hi)
    return pd.DataFrame(sums.reshape(1, -1))


def dask_counts(systems: Sequence[System], launches: Sequence[Place], targets, *, population=None,
                scheduler=None, progress: bool = False, blocksize: str = "64MB") -> np.ndarray:
    """The same sums with the kernel run on every partition by Dask; partitions are added in order.

    ``targets``: a Parquet or CSV path (read lazily by ``dask.dataframe``, never whole), a
    Dask DataFrame, or anything :func:`targets_from` takes (split into partitions here).
    ``scheduler``: a ``distributed.Client``, a scheduler address (``tcp://host:8786``), or None
    for a small local cluster that lives as long as the call. Counts are exact integers in
    float64, so they equal the local engine's whatever the partitioning.
    """
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    lo, hi = ranges(systems)
    ddf, column = _dask_frame(dd, targets, population, blocksize)
    width = len(launches) * len(hi) * (2 if population is not None else 1)
    meta = pd.DataFrame({k: pd.Series(dtype=float) for k in range(width)})
    sums = ddf.map_partitions(_partition_sums, list(launches), lo, hi, column, meta=meta)
    parts = sums.to_delayed()
    owned, cluster = None, None
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler:
        from .errors import InputError

        try:
            client = owned = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}): expected the address "
                             "a running scheduler prints, e.g. tcp://10.0.0.5:8786") from None
    else:
        cluster = LocalCluster(n_workers=min(4, _cpus()), threads_per_worker=1, host="127.0.0.1",
                               dashboard_address=None, processes=True)
        client = owned = Client(cluster)
    try:
        futures = client.compute(parts)
        for _ in tqdm(as_completed(futures), total=len(futures), desc="counting", unit="partition",
                      disable=None if progress else True, leave=False):
            pass
        rows = [f.result() for f in futures]
    finally:
        if owned is not None:
            owned.close()
        if cluster is not None:
            cluster.close()
    shape = (len(launches), len(hi), *((2,) if population is not None else ()))
    total = np.zeros(shape)
    for row in rows:
        for values in row.to_numpy():
            total += values.reshape(shape)
    return total


def _dask_frame(dd, targets, population, blocksize: str):
    """A Dask DataFrame holding the coordinate (and population) columns of ``targets``, and the population column."""
    from pathlib import Path

    from .errors import InputError

    if isinstance(targets, dd.DataFrame):
        return targets, population
    if is_file(targets):
        path = Path(targets)
        if not path.is_file():
            raise InputError(f"targets file {str(path)!r} not found: expected Parquet or CSV with lat/lon columns")
        if path.suffix.lower() == ".csv":
            names = list(pd.read_csv(path, nrows=0).columns)
        else:
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
        wanted = [*coordinate_columns(names), *([population] if isinstance(population, str) else [])]
        _population_column(names, population)
        if path.suffix.lower() == ".csv":
            return dd.read_csv(path, usecols=wanted, blocksize=blocksize), population
        # One partition per row group: dask's default merges a file's row groups into one partition,
        # which leaves every worker but one idle on a single big file.
        return dd.read_parquet(path, columns=wanted, split_row_groups=True), population
    t = targets_from(targets, population)
    data = {"lat": t.lat, "lon": t.lon}
    if population is not None:
        data["population"] = t.weight[:, 1]
    chunk = max(1, min(1 << 20, -(-len(t) // max(1, 4 * _cpus()))))
    return dd.from_pandas(pd.DataFrame(data), chunksize=chunk), ("population" if population is not None else None)


def _cpus() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
