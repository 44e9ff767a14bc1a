"""Writing results: RFC 7946 GeoJSON, KML for Google Earth, GIS formats via pyogrio, and atomic file writes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

from .errors import InputError
from .style import colour as palette_colour
from .style import kml_colour

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    Features = Iterable[tuple[BaseGeometry, dict[str, Any]]]

#: Output suffix -> format. GeoJSON and KML are written here; the rest through GDAL (pyogrio).
FORMATS = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".gpkg": "GPKG", ".shp": "ESRI Shapefile",
           ".fgb": "FlatGeobuf"}
ACCEPTED = "expected .geojson, .json or .kml, or .gpkg, .shp or .fgb for GIS software"
#: Shapefile field names stop at 10 characters.
_SHAPEFILE_NAMES = {"min_range_km": "min_km", "max_range_km": "max_km", "range_source": "range_src",
                    "range_origin": "origin"}


def feature_collection(features: Features) -> dict:
    """``features`` are (geometry, properties) pairs; coordinates rounded to ~1 cm (7 decimals)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(rounded(shapely.orient_polygons(geom), 7))}
            for geom, props in features
        ],
    }


def rounded(geom: BaseGeometry, digits: int) -> BaseGeometry:
    """``geom`` with coordinates rounded to ``digits`` decimals (7 is ~1 cm): smaller, stable files."""
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


def geojson_text(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def kml_text(features: Features, colours: Mapping[str | None, str] | None = None) -> str:
    """One styled Placemark per ring, holes kept as inner boundaries; extended data carries the properties.

    ``colours`` maps a system id to its colour; by default systems take the shared palette in
    order of first appearance, as on the HTML map.
    """
    import simplekml

    kml = simplekml.Kml(name="weaponsdb range rings")
    order: dict[str | None, str] = dict(colours or {})
    for geom, props in features:
        colour = order.setdefault(props.get("system"), palette_colour(len(order)))
        polygons: list[Polygon] = list(getattr(geom, "geoms", [geom]))
        multi = kml.newmultigeometry(name=props.get("name") or props.get("system") or "range ring")
        for poly in polygons:
            multi.newpolygon(
                outerboundaryis=list(poly.exterior.coords),
                innerboundaryis=[list(r.coords) for r in poly.interiors],
            )
        multi.style.linestyle.color = kml_colour(colour)
        multi.style.linestyle.width = 2
        multi.style.polystyle.color = kml_colour(colour, "40")
        for key, value in props.items():
            multi.extendeddata.newdata(key, "" if value is None else str(value))
    return kml.kml()


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown output format {suffix or str(path)!r} for {str(path)!r}: {ACCEPTED}",
                         value=str(path), accepted=ACCEPTED)
    return FORMATS[suffix]


def features_text(features: Features, path: str | Path | None) -> str:
    """GeoJSON (the default, for stdout) or KML text of (geometry, properties) pairs."""
    fmt = output_format(path) if path is not None else "geojson"
    return kml_text(features) if fmt == "kml" else geojson_text(feature_collection(features))


def write_frame(frame: gpd.GeoDataFrame, path: str | Path, *, force: bool = False) -> Path:
    """A GeoDataFrame of rings in the format its suffix names; nothing replaced without ``force``."""
    fmt = output_format(path)
    properties = [c for c in frame.columns if c != frame.geometry.name]
    if fmt in ("geojson", "kml"):
        features = [(geom, {k: _plain(row[k]) for k in properties})
                    for geom, (_, row) in zip(frame.geometry, frame.iterrows(), strict=True)]
        return write_atomic(path, features_text(features, path), force=force)
    if fmt == "ESRI Shapefile":
        frame = frame.rename(columns=_SHAPEFILE_NAMES)
    return _write_gdal(frame, Path(path), fmt, force)


def features_frame(features: Features) -> gpd.GeoDataFrame:
    """(geometry, properties) pairs as a GeoDataFrame in EPSG:4326; columns in order of first appearance."""
    import geopandas as gpd

    pairs = list(features)
    columns = list(dict.fromkeys(k for _, props in pairs for k in props))
    return gpd.GeoDataFrame([props for _, props in pairs], columns=columns,
                            geometry=[geom for geom, _ in pairs], crs="EPSG:4326")


def _plain(value: Any) -> Any:
    """numpy scalars and missing values as JSON-ready Python values."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _write_gdal(frame: gpd.GeoDataFrame, path: Path, driver: str, force: bool) -> Path:
    """Write with pyogrio into a temporary folder, then move every file of the dataset into place."""
    folder = _writable_folder(path)
    if path.exists() and not force:
        raise InputError(f"output file {str(path)!r} already exists: pass --force to overwrite it, or choose another name")
    with tempfile.TemporaryDirectory(dir=folder, prefix=f".{path.name}.") as tmp:
        staged = Path(tmp) / path.name
        kinds = set(frame.geometry.geom_type)
        if driver == "ESRI Shapefile" and len({k.replace("Multi", "") for k in kinds}) > 1:
            raise InputError(f"{str(path)!r}: a Shapefile holds one geometry type, but these are {', '.join(sorted(kinds))}: "
                             "write .gpkg or .fgb for rings with interval rings or radials")
        frame.to_file(staged, driver=driver, engine="pyogrio")
        for part in sorted(Path(tmp).iterdir()):
            os.replace(part, folder / part.name)
    return path


def _writable_folder(path: Path) -> Path:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output folder {str(folder)!r} does not exist: create it or choose another path")
    if path.is_dir():
        raise InputError(f"output path {str(path)!r} is a folder: expected a file name")
    return folder


def write_atomic(path: str | Path, text: str, force: bool = False) -> Path:
    """Write text as UTF-8 with :func:`write_bytes_atomic`'s rules."""
    return write_bytes_atomic(path, text.encode("utf-8"), force=force)


def write_bytes_atomic(path: str | Path, data: bytes, force: bool = False) -> Path:
    """Write via a temporary file and rename, so a failure never leaves a partial file behind.

    An existing file is replaced only with ``force`` or when its content is already identical
    (deterministic output re-rendered), so nothing a user made is overwritten without asking.
    """
    path = Path(path)
    folder = _writable_folder(path)
    if path.exists() and not force:
        if path.read_bytes() == data:
            return path
        raise InputError(f"output file {str(path)!r} already exists: pass --force to overwrite it, or choose another name")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write to {str(folder)!r} ({exc.strerror}): choose a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {str(path)!r} ({exc.strerror}): choose a writable path") from None
    return path
