"""weaponsdb: a cited weapon-systems catalogue and geodesically exact range rings.

The public API is imported lazily, so ``weaponsdb show`` never pays for the geometry
and map libraries it does not use.
"""

__version__ = "0.1.0"

_API = {
    "load_catalog": "catalog",
    "Catalog": "catalog",
    "range_ring": "geodesy",
    "area_km2": "geodesy",
    "distance_km": "points",
    "parse_point": "points",
    "Point": "points",
    "reach": "coverage",
    "compare": "coverage",
    "InputError": "errors",
    "UnknownNameError": "errors",
    "CatalogError": "errors",
}
__all__ = sorted(_API)


def __getattr__(name):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
