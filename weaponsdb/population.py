"""People inside a coverage area, summed from a population raster the user brings (WorldPop, GHS-POP, LandScan).

City lists miss everyone outside towns; the figure analysts quote comes from a gridded count of
people per cell. Each cell counts in proportion to the part of it the area covers (exactextract's
exact cell/polygon coverage fractions), on the raster's own grid, so the sum neither gains nor
loses the people in cells the boundary cuts. exactextract reads only the window each feature
needs, so a global raster never has to fit in memory.

The area arrives as RFC 7946 lon/lat (WGS84), already split at the antimeridian. A raster in a
projected CRS (GHS-POP's Mollweide) gets the geometry's vertices reprojected: ring vertices lie
on the exact geodesic boundary at ``geodesy.tolerance_m`` spacing, so straight edges between them
in the raster's plane stay within that tolerance too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .errors import InputError

_EXPECTED = ("expected a single-band GeoTIFF of people per cell with a CRS "
             "(WorldPop, GHS-POP or LandScan counts, not densities)")


@dataclass(frozen=True)
class PopulationRaster:
    """A checked population GeoTIFF: path, CRS (WKT), bounds in its CRS, and whether that CRS is geographic."""

    path: Path
    crs_wkt: str
    geographic: bool
    bounds: tuple[float, float, float, float]

    @classmethod
    def open(cls, path: str | Path) -> PopulationRaster:
        """Open and check the file's header only (no pixels read): GeoTIFF, one band, a CRS, plausible bounds."""
        import rasterio
        from rasterio.errors import RasterioIOError

        path = Path(path)
        if not path.is_file():
            raise InputError(f"population raster {str(path)!r} not found: {_EXPECTED}")
        try:
            with rasterio.open(path) as src:
                driver, count, crs, bounds = src.driver, src.count, src.crs, tuple(src.bounds)
                dtype, stats_min = src.dtypes[0], src.tags(1).get("STATISTICS_MINIMUM")
        except RasterioIOError:
            raise InputError(f"{path}: not a readable raster: {_EXPECTED}") from None
        if driver != "GTiff":
            raise InputError(f"{path}: a {driver} file, not a GeoTIFF: {_EXPECTED}")
        if count != 1:
            raise InputError(f"{path}: {count} bands, expected one: {_EXPECTED}")
        if crs is None:
            raise InputError(f"{path}: no coordinate reference system, so cells cannot be placed on the Earth: {_EXPECTED}")
        if dtype in ("complex64", "complex128", "bool") or dtype.startswith("c"):
            raise InputError(f"{path}: {dtype} values are not counts of people: {_EXPECTED}")
        if stats_min is not None and float(stats_min) < 0:
            raise InputError(f"{path}: negative values (minimum {float(stats_min):g}) are not counts of people: {_EXPECTED}")
        west, south, east, north = bounds
        if crs.is_geographic and (south < -90.5 or north > 90.5 or west < -540 or east > 540):
            raise InputError(f"{path}: CRS is in degrees but the bounds {_fmt(bounds)} are not: "
                             f"is the CRS wrong? {_EXPECTED}")
        if not crs.is_geographic and max(abs(v) for v in bounds) <= 360 and (east - west) < 720:
            raise InputError(f"{path}: CRS {crs.to_string()} is projected (metres) but the bounds {_fmt(bounds)} look "
                             f"like degrees: is the CRS wrong? {_EXPECTED}")
        return cls(path=path, crs_wkt=crs.to_wkt(), geographic=bool(crs.is_geographic), bounds=bounds)

    def total(self, geometry: BaseGeometry) -> float:
        """People inside ``geometry`` (RFC 7946 lon/lat): each cell's value times the fraction of it covered.

        Each antimeridian-split part is summed on its own; on a geographic raster laid out past
        ±180° (0..360, or 170..190 across the Pacific) a part is also tried shifted by ±360°.
        """
        if geometry is None or geometry.is_empty:
            return 0.0
        parts = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "Polygon"]
        box = shapely.box(*self.bounds)
        shapes = []
        for part in parts:
            moved = self._to_raster_crs(part)
            copies = [moved] if not self.geographic else [shapely.affinity.translate(moved, xoff=k * 360.0)
                                                          for k in (-1, 0, 1)]
            shapes += [c for c in copies if not c.is_empty and c.intersects(box)]
        return sum(self._sum(s) for s in shapes)

    def _to_raster_crs(self, geometry: BaseGeometry) -> BaseGeometry:
        from pyproj import CRS, Transformer

        target = CRS.from_wkt(self.crs_wkt)
        if target.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            return geometry
        transformer = Transformer.from_crs(4326, target, always_xy=True)
        def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return transformer.transform(x, y)

        moved = shapely.transform(geometry, project, interleaved=False)  # type: ignore[arg-type]
        return shapely.make_valid(moved) if not moved.is_valid else moved

    def _sum(self, geometry: BaseGeometry) -> float:
        from exactextract import exact_extract

        feature: dict[str, Any] = {"type": "Feature", "properties": {}, "geometry": mapping(geometry)}
        result = exact_extract(str(self.path), [feature], ["sum", "min"], output="geojson")
        props = result[0]["properties"] if result else {}
        low, total = props.get("min"), props.get("sum")
        if low is not None and not math.isnan(low) and low < 0:
            raise InputError(f"{self.path}: negative values (e.g. {low:g}) inside the area are not counts of people: "
                             f"{_EXPECTED}")
        return 0.0 if total is None or math.isnan(total) else float(total)


def raster_population(geometry: BaseGeometry, path: str | Path) -> float:
    """People in a GeoTIFF population raster inside ``geometry`` (RFC 7946 lon/lat), fractional cells included."""
    return PopulationRaster.open(path).total(geometry)


def _fmt(bounds: tuple[float, float, float, float]) -> str:
    return "(" + ", ".join(f"{v:g}" for v in bounds) + ")"
