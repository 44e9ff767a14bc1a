"""weaponsdb: a cited weapon-systems catalogue and geodesically exact range rings.

    >>> import weaponsdb
    >>> m = weaponsdb.map("Fath-360", ["Belgorod", "Kursk"])       # a folium.Map
    >>> weaponsdb.rings("Iskander-M", "Belgorod").to_file("rings.gpkg")
    >>> weaponsdb.distance_km("Belgorod", "Kyiv")

Names are imported on first use, so ``weaponsdb show`` never pays for the geometry and map
libraries it does not use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_HOMES = {
    "load_catalog": "catalog", "Catalog": "catalog",
    "System": "model", "RangeSpec": "model", "Source": "model", "Place": "model", "MapSpec": "model",
    "Origin": "model",
    "map": "api", "save_html": "api", "figure": "api", "save_figure": "api", "rings": "api", "write_rings": "api",
    "range_ring": "api",
    "distance_km": "api", "distance": "api", "reach": "api", "compare": "api", "footprints": "api",
    "parse_point": "api", "coverage_counts": "api", "cities_in_range": "api",
    "raster_population": "population",
    "parse_distance": "units", "area_km2": "geodesy",
    "WeaponsDBError": "errors", "InputError": "errors", "UnknownNameError": "errors", "CatalogError": "errors",
    "DataError": "errors", "OfflineError": "errors", "AmbiguousNameError": "catalog", "AmbiguousPlaceError": "gazetteer",
}
__all__ = [
    "AmbiguousNameError",
    "AmbiguousPlaceError",
    "Catalog",
    "CatalogError",
    "DataError",
    "InputError",
    "MapSpec",
    "OfflineError",
    "Origin",
    "Place",
    "RangeSpec",
    "Source",
    "System",
    "UnknownNameError",
    "WeaponsDBError",
    "__version__",
    "area_km2",
    "cities_in_range",
    "compare",
    "coverage_counts",
    "distance",
    "distance_km",
    "figure",
    "footprints",
    "load_catalog",
    "map",
    "parse_distance",
    "parse_point",
    "range_ring",
    "raster_population",
    "reach",
    "rings",
    "save_figure",
    "save_html",
    "write_rings",
]

if TYPE_CHECKING:
    from .api import (
        cities_in_range,
        compare,
        coverage_counts,
        distance,
        distance_km,
        figure,
        footprints,
        map,
        parse_point,
        range_ring,
        reach,
        rings,
        save_figure,
        save_html,
        write_rings,
    )
    from .catalog import AmbiguousNameError, Catalog, load_catalog
    from .errors import CatalogError, DataError, InputError, OfflineError, UnknownNameError, WeaponsDBError
    from .gazetteer import AmbiguousPlaceError
    from .geodesy import area_km2
    from .model import MapSpec, Origin, Place, RangeSpec, Source, System
    from .population import raster_population
    from .units import parse_distance


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
