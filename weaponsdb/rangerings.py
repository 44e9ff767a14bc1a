"""Range rings for systems x launch points: computed once, then drawn, exported or tabulated.

Every output (HTML map, GeoJSON/KML/GeoPackage export, the ``rings`` GeoDataFrame) starts from
:func:`compute`, so a ring is the same geometry wherever it appears.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from .geodesy import area_km2, ring
from .model import Place, System

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns of :func:`frame`, before ``geometry``.
COLUMNS = ("system", "name", "launch", "launch_lat", "launch_lon", "min_range_km", "max_range_km", "area_km2",
           "range_source", "range_origin")


@dataclass(frozen=True)
class Ring:
    """One system's ring around one point; ``band`` is the uncertainty band between sourced figures."""

    system: System
    point: Place
    geometry: BaseGeometry
    band: BaseGeometry | None = None

    def properties(self) -> dict[str, Any]:
        """The ring's attributes as exported (GeoJSON properties, KML extended data, table columns)."""
        s, p, rng = self.system, self.point, self.system.range
        return {
            "system": s.id or None,
            "name": s.name if not s.is_adhoc else f"{_format(rng.max_km)} ring",
            "launch": p.label,
            "launch_lat": p.lat,
            "launch_lon": p.lon,
            "min_range_km": rng.min_km,
            "max_range_km": rng.max_km,
            "area_km2": round(area_km2(self.geometry), 1),
            "range_source": rng.source.url if rng.source and not rng.user_set else None,
        }


def _format(km: float) -> str:
    from .units import format_distance

    return format_distance(km)


def compute(systems: Sequence[System], points: Sequence[Place], *, uncertainty: bool = False) -> list[Ring]:
    """Every system x point ring, system-major; with ``uncertainty``, the band where sources disagree."""
    out = []
    for s in systems:
        rng = s.range
        for p in points:
            band = ring(p.lat, p.lon, rng.band[1], rng.band[0]) if uncertainty and rng.band else None
            out.append(Ring(s, p, ring(p.lat, p.lon, rng.max_km, rng.min_km), band))
    return out


def frame(rings: Iterable[Ring]) -> gpd.GeoDataFrame:
    """Rings as a GeoDataFrame in EPSG:4326 (RFC 7946 lon/lat), one row per ring."""
    import geopandas as gpd

    rows, geoms = [], []
    for r in rings:
        props = r.properties()
        props["range_origin"] = str(r.system.range.origin)
        rows.append(props)
        geoms.append(r.geometry)
    return gpd.GeoDataFrame(rows, columns=list(COLUMNS), geometry=geoms, crs="EPSG:4326")
