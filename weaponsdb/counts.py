"""How many targets each system reaches from each launch point: exact, and fast enough for millions.

The verdict is the same as everywhere else, ``min <= geodesic distance <= max`` on WGS84, but
most pairs are decided without solving the geodesic. In geodetic coordinates the ellipsoid's
metric lies between ``K_LOW**2`` and ``K_HIGH**2`` times that of the unit sphere scaled by
``R`` (its meridian and prime-vertical radii of curvature stay within 6335.44..6399.59 km), so
every curve, and hence the geodesic distance, is between ``K_LOW`` and ``K_HIGH`` times the
great-circle distance. A pair whose great-circle distance clears a range by that factor is
decided by one dot product; only the thin band around each range goes to ``Geod.inv``.

Per launch point the targets are sorted by angular distance once, so every system's range is a
binary search and the uncertain band a contiguous slice: the cost hardly grows with the number
of systems. The same kernel runs on each partition when Dask spreads targets over a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .geodesy import distances_m
from .model import Place, System

_R_M = 6_371_008.8
#: Bounds on (ellipsoidal geodesic) / (great-circle distance at radius _R_M), with a margin for rounding.
K_LOW = 6_335_439.0 / _R_M - 1e-6
K_HIGH = 6_399_594.0 / _R_M + 1e-6


@dataclass(frozen=True)
class Targets:
    """Target points as columns: latitude, longitude (degrees) and a weight per target (1 = count)."""

    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray

    @classmethod
    def of(cls, lat, lon, weight=None) -> Targets:
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        w = np.ones(lat.shape) if weight is None else np.asarray(weight, dtype=float)
        return cls(lat.ravel(), lon.ravel(), w.ravel())


def unit_vectors(lat, lon) -> np.ndarray:
    """(N, 3) points on the unit sphere at geodetic latitude and longitude taken as spherical."""
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


#: Slack (km) for the rounding of unit vectors and dot products: far below any range, far above float error.
_SLACK_KM = 0.002


def _sure_in(km: np.ndarray) -> np.ndarray:
    """Dot products at or above which the geodesic distance is certainly <= ``km``."""
    theta = np.maximum(np.asarray(km) - _SLACK_KM, 0.0) * 1000.0 / (K_HIGH * _R_M)
    return np.where(theta >= np.pi, -1.0, np.cos(np.minimum(theta, np.pi)))


def _sure_out(km: np.ndarray) -> np.ndarray:
    """Dot products below which the geodesic distance is certainly > ``km`` (-inf: none, near the antipode)."""
    theta = (np.asarray(km) + _SLACK_KM) * 1000.0 / (K_LOW * _R_M)
    return np.where(theta >= np.pi, -np.inf, np.cos(np.minimum(theta, np.pi)))


def count_block(launches: Sequence[Place], targets: Targets, lo_km: np.ndarray, hi_km: np.ndarray) -> np.ndarray:
    """(launches, systems) sums of target weights with ``lo <= distance <= hi``, exact against Geod.inv."""
    out = np.zeros((len(launches), len(hi_km)))
    if targets.lat.size == 0:
        return out
    xyz = unit_vectors(targets.lat, targets.lon)
    thresholds = np.concatenate([hi_km, lo_km])
    sure_in, sure_out = _sure_in(thresholds), _sure_out(thresholds)
    for i, p in enumerate(launches):
        dots = xyz @ unit_vectors([p.lat], [p.lon])[0]
        order = np.argsort(-dots, kind="stable")
        ascending = -dots[order]  # ascending angular distance
        weights = targets.weight[order]
        cum = np.concatenate([[0.0], np.cumsum(weights)])
        first = np.searchsorted(ascending, -sure_in, side="right")  # before: certainly within the threshold
        last = np.searchsorted(ascending, -sure_out, side="left")  # from here: certainly beyond it
        first = np.minimum(first, last)
        exact = _exact_band(p, targets, order, first, last)
        le, lt = _below(cum, weights, exact, first, last, thresholds)
        out[i] = le[: len(hi_km)] - lt[len(hi_km):]
    return out


def _exact_band(p: Place, targets: Targets, order: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Exact distances (km) at the sorted positions inside any threshold's uncertain band, NaN elsewhere."""
    exact = np.full(order.size, np.nan)
    band = np.zeros(order.size + 1, dtype=np.int64)
    np.add.at(band, first, 1)
    np.add.at(band, last, -1)
    positions = np.flatnonzero(np.cumsum(band)[:-1] > 0)
    if positions.size:
        idx = order[positions]
        exact[positions] = distances_m(p.lat, p.lon, targets.lat[idx], targets.lon[idx]) / 1000.0
    return exact


def _below(cum, weights, exact, first, last, thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Weights with distance <= and < each threshold: the certain prefix plus the band's exact verdicts."""
    le, lt = cum[first].copy(), cum[first].copy()
    for k, (a, b, r) in enumerate(zip(first, last, thresholds, strict=True)):
        if b > a:
            d, w = exact[a:b], weights[a:b]
            le[k] += w[d <= r].sum()
            lt[k] += w[d < r].sum()
    return le, lt


def coverage_counts(systems: Sequence[System], launches: Sequence[Place], targets: Targets, *,
                    block: int = 1 << 20) -> pd.DataFrame:
    """One row per launch point, one column per system (in the order given): target weights in range.

    ``block`` bounds how many targets are handled at once, so memory stays flat for any input size.
    """
    lo = np.array([s.range.min_km for s in systems])
    hi = np.array([s.range.max_km for s in systems])
    total = np.zeros((len(launches), len(systems)))
    for start in range(0, targets.lat.size, block):
        part = Targets(targets.lat[start:start + block], targets.lon[start:start + block],
                       targets.weight[start:start + block])
        total += count_block(launches, part, lo, hi)
    return frame(total, systems, launches)


def frame(total: np.ndarray, systems: Sequence[System], launches: Sequence[Place]) -> pd.DataFrame:
    """Sums as a table; whole numbers when every weight was a whole number."""
    values = total.astype(np.int64) if np.all(total == np.round(total)) else total
    columns = pd.Index([s.id or s.name for s in systems], name="system")
    return pd.DataFrame(values, index=pd.Index([p.label for p in launches], name="launch"), columns=columns)
