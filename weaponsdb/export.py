"""Writing results: RFC 7946 GeoJSON, KML for Google Earth, and atomic file writes."""

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from .errors import InputError

FORMATS = {".geojson": "geojson", ".json": "geojson", ".kml": "kml"}


def feature_collection(features) -> dict:
    """``features`` are (geometry, properties) pairs; coordinates rounded to ~1 cm (7 decimals)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(rounded(shapely.orient_polygons(geom), 7))}
            for geom, props in features
        ],
    }


def rounded(geom, digits: int):
    """``geom`` with coordinates rounded to ``digits`` decimals (7 is ~1 cm): smaller, stable files."""
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


def geojson_text(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def kml_text(features, colours=None) -> str:
    """One styled Placemark per ring, holes kept as inner boundaries; extended data carries the properties."""
    import simplekml

    kml = simplekml.Kml(name="weaponsdb range rings")
    for n, (geom, props) in enumerate(features):
        colour = (colours or {}).get(props.get("system")) or _PALETTE[n % len(_PALETTE)]
        polygons = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        multi = kml.newmultigeometry(name=props.get("name") or props.get("system") or "range ring")
        for poly in polygons:
            multi.newpolygon(
                outerboundaryis=list(poly.exterior.coords),
                innerboundaryis=[list(r.coords) for r in poly.interiors],
            )
        multi.style.linestyle.color = "ff" + _bgr(colour)
        multi.style.linestyle.width = 2
        multi.style.polystyle.color = "40" + _bgr(colour)
        for key, value in props.items():
            multi.extendeddata.newdata(key, "" if value is None else str(value))
    return kml.kml()


_PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]


def _bgr(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return (h[4:6] + h[2:4] + h[0:2]).lower()


def output_format(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown output format {suffix or str(path)!r} for {str(path)!r}: expected .geojson, .json or .kml")
    return FORMATS[suffix]


def write_atomic(path, text: str, force: bool = False) -> Path:
    """Write via a temporary file and rename, so a failure never leaves a partial file behind.

    An existing file is replaced only with ``force`` or when its content is already identical
    (deterministic output re-rendered), so nothing a user made is overwritten without asking.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output folder {str(folder)!r} does not exist: create it or choose another path")
    if path.is_dir():
        raise InputError(f"output path {str(path)!r} is a folder: expected a file name")
    data = text.encode("utf-8")
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
