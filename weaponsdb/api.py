"""The Python API: the same operations as the command line, returning the ecosystem's objects.

Maps are ``folium.Map`` objects, rings a ``geopandas.GeoDataFrame`` (EPSG:4326), tables
``pandas.DataFrame``. Every function takes systems first, then launch points, then targets or
options; systems may be names or :class:`~weaponsdb.model.System` objects, points any notation
the point parser reads, and distances numbers (km) or texts such as ``"75mi"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import specs
from .catalog import Catalog
from .model import Place, System
from .specs import DistanceLike, PointLike, SystemLike
from .units import parse_range

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd
    from matplotlib.figure import Figure
    from shapely.geometry.base import BaseGeometry

Systems = SystemLike | Sequence[SystemLike] | None
Points = PointLike | Sequence[PointLike]


def map(systems: Systems, launches: Points, *, range: DistanceLike | None = None,  # noqa: A001
        min_range: DistanceLike | None = None, catalog: Catalog | None = None, **options: Any) -> folium.Map:
    """A range-ring map of ``systems`` from ``launches``, as a ``folium.Map``.

    ``range``/``min_range`` draw the systems at a user-set range (labelled so on the map); with no
    systems they draw an ad-hoc ring. ``options`` are those of :func:`weaponsdb.specs.map_spec`:
    ``title``, ``offline`` (the embedded basemap instead of online tiles, so that :func:`save_html`
    writes a file that needs no network), ``uncertainty``, ``notes``, ``every``, ``ranges``,
    ``radials``, ``bearings``, ``sector``, ``marks``, ``union``.
    """
    from .maps import build_map

    return build_map(specs.map_spec(systems, launches, max_range=range, min_range=min_range, catalog=catalog,
                                    **options))


def figure(systems: Systems, launches: Points, *, range: DistanceLike | None = None,  # noqa: A001
           min_range: DistanceLike | None = None, catalog: Catalog | None = None, projection: str = "auto",
           size: tuple[float, float] | str = (1600, 1000), dpi: float = 150, **options: Any) -> Figure:
    """The same map as :func:`map` as a matplotlib Figure for print, in a projection fit for the range.

    ``projection``: ``auto`` (chosen from the ranges), ``aeqd``, ``ortho``, ``lambert`` or ``mercator``;
    ``size`` in pixels (``"1600x1000"``) or print sizes (``"A4"``, ``"180x120mm"``). Save it with
    :func:`save_figure` (PNG, SVG or PDF, same inputs, same bytes).
    """
    from .figures import figure as draw

    spec = specs.map_spec(systems, launches, max_range=range, min_range=min_range, catalog=catalog, **options)
    return draw(spec, projection=projection, size=size, dpi=dpi)


def save_figure(fig: Figure, path: str | Path, *, force: bool = False) -> Path:
    """Write a figure as .png, .svg or .pdf (by suffix), deterministically; nothing replaced without ``force``."""
    from .figures import save_figure as save

    return save(fig, path, force=force)


def save_html(m: folium.Map, path: str | Path, *, force: bool = False) -> Path:
    """Write a map as one HTML file (assets inlined when it was built offline); same map, same bytes.

    An existing file is replaced only with ``force`` or when it already holds the same bytes.
    """
    from .maps import save_html as save

    return save(m, path, force=force)


def rings(systems: Systems, launches: Points, *, range: DistanceLike | None = None,  # noqa: A001
          min_range: DistanceLike | None = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """One row per system x launch point: attributes and the exact ring, in EPSG:4326.

    ``rings(...).to_file("rings.gpkg")`` writes a GeoPackage; :func:`write_rings` also writes
    RFC 7946 GeoJSON and KML.
    """
    from . import rangerings as ring_table

    chosen = specs.systems(systems, catalog, max_range=range, min_range=min_range)
    return ring_table.frame(ring_table.compute(chosen, specs.points(launches)))


def write_rings(frame: gpd.GeoDataFrame, path: str | Path, *, force: bool = False) -> Path:
    """Write a :func:`rings` table as GeoJSON, KML, GeoPackage, Shapefile or FlatGeobuf, by suffix."""
    from .export import write_frame

    return write_frame(frame, path, force=force)


def range_ring(point: PointLike, max_range: DistanceLike, min_range: DistanceLike = 0) -> BaseGeometry:
    """The points within [min_range, max_range] of ``point``: a shapely (Multi)Polygon in RFC 7946 lon/lat."""
    from .geodesy import ring

    p = specs.points(point)[0]
    return ring(p.lat, p.lon, parse_range(max_range), parse_range(min_range) if min_range else 0.0)


def distance_km(a: PointLike, b: PointLike) -> float:
    """Geodesic (WGS84) distance in km between two points in any accepted notation."""
    return distance(a, b)[0]


def distance(a: PointLike, b: PointLike) -> tuple[float, float]:
    """(distance in km, initial azimuth in degrees clockwise from north) from ``a`` to ``b``."""
    from .geodesy import inverse

    p, q = specs.points([a, b])
    return inverse(p.lat, p.lon, q.lat, q.lon)


def reach(systems: Systems, launches: Points, targets: Points, *, catalog: Catalog | None = None) -> pd.DataFrame:
    """Every (system, launch, target) verdict with distance and margin; no systems means the whole catalogue."""
    from .coverage import reach as verdicts

    return verdicts(specs.as_list(systems, System), specs.points(launches), specs.points(targets), catalog=catalog)


def compare(systems: Systems, launches: Points, *, countries: Sequence[str] = (), top: int = 5,
            targets: Points | None = None, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per system: area reached from any launch point, added over the first, cities, country shares."""
    from .coverage import compare as table

    return table(specs.systems(systems, catalog), specs.points(launches), countries=countries, top=top,
                 targets=specs.points(targets) if targets else None)


def footprints(systems: Systems, targets: Points, *, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """From where each system reaches each target: one launch footprint per system x target."""
    import geopandas as gpd

    from . import rangerings as ring_table

    table = ring_table.frame(ring_table.compute(specs.systems(systems, catalog), specs.points(targets)))
    table = table.rename(columns={"launch": "target", "launch_lat": "target_lat", "launch_lon": "target_lon"})
    table["name"] = [f"{n} launch footprint for {t}" for n, t in zip(table["name"], table["target"], strict=True)]
    return gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")


def parse_point(text: PointLike) -> Place:
    """A :class:`Place` from lat,lon, hemispheres, DMS, MGRS or a gazetteer name (``"Label=POINT"`` labels it)."""
    return specs.points(text)[0]
