"""Launch points (or targets) from a file: CSV with coordinates or place names, or GeoJSON points.

* CSV (``,``, ``;`` or tab separated; a header row): a name column (``name``, ``label``, ``site``,
  ``city``, ``place``, ``location``, ``title``) plus latitude (``lat``, ``latitude``, ``y``) and
  longitude (``lon``, ``lng``, ``long``, ``longitude``, ``x``) columns; or a name column alone,
  each cell read like ``--from`` (place names, ``lat,lon``, DMS, MGRS). A file with a single
  column and no recognised header is a plain list of places. Blank lines and lines starting
  with ``#`` are skipped.
* GeoJSON: a FeatureCollection (or one Feature, or a bare geometry) of Point / MultiPoint
  geometries; the label comes from ``properties.name`` (or ``label``, ``title``, ``site``).

Every bad row is reported, all at once, as ``FILE:LINE: problem`` in one :class:`PlaceFileError`
(an InputError: the CLI exits 2 and writes nothing).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from .errors import InputError
from .model import Place

NAME_COLUMNS = ("name", "label", "site", "city", "place", "location", "title", "town")
LAT_COLUMNS = ("lat", "latitude", "y")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x")
_LABEL_PROPERTIES = ("name", "label", "title", "site", "city", "place")


class PlaceFileError(InputError):
    """Problems in a launch-point file; ``problems`` holds every ``FILE:LINE: problem``."""

    def __init__(self, path: str, problems: list[str]):
        self.path, self.problems = path, list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in {path}:\n" + "\n".join(self.problems), value=path)


def read_places(path: str | Path, *, geocode: bool = False) -> list[Place]:
    """The points in a CSV or GeoJSON file, in file order. ``geocode`` as in :func:`parse_point`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", value=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})", value=str(path)) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}", value=str(path)) from None
    stripped = text.lstrip()
    if path.suffix.lower() in (".geojson", ".json") or stripped.startswith("{"):
        places = _read_geojson(path, text, geocode)
    else:
        places = _read_csv(path, text, geocode)
    if not places:
        raise InputError(f"{path}: no points in the file", value=str(path))
    return places


# --- CSV -----------------------------------------------------------------------------------------

def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [h.strip().casefold() for h in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, text: str, geocode: bool) -> list[Place]:

    delim = _delimiter(text)
    rows = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim), 1)]
    rows = [(i, r) for i, r in rows if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        return []
    line0, header = rows[0]
    name_col, lat_col, lon_col = _column(header, NAME_COLUMNS), _column(header, LAT_COLUMNS), _column(header, LON_COLUMNS)
    body = rows[1:]
    problems: list[str] = []
    if (lat_col is None) != (lon_col is None):
        have, missing = ("latitude", "longitude") if lat_col is not None else ("longitude", "latitude")
        expected = ", ".join(LON_COLUMNS if missing == "longitude" else LAT_COLUMNS)
        raise PlaceFileError(str(path), [f"{path}:{line0}: a {have} column but no {missing} column (expected one of {expected})"])
    if lat_col is None and name_col is None:
        if max(len(r) for _, r in rows) == 1:
            name_col, body = 0, rows  # a plain list of places, no header
        else:
            raise PlaceFileError(str(path), [
                f"{path}:{line0}: no recognised columns in header {','.join(header)!r}: expected a name column "
                f"({'/'.join(NAME_COLUMNS)}) and/or lat ({'/'.join(LAT_COLUMNS)}) and lon ({'/'.join(LON_COLUMNS)}) columns"])
    places: list[Place] = []
    def cell(row: list[str], c: int | None) -> str:
        return row[c].strip() if c is not None and c < len(row) else ""

    for line, row in body:
        where = f"{path}:{line}"
        name = cell(row, name_col)
        try:
            if lat_col is not None:
                lat, lon = cell(row, lat_col), cell(row, lon_col)
                if not lat or not lon:
                    raise InputError(f"missing {'latitude' if not lat else 'longitude'}")
                place = _coordinates(lat, lon, delim)
                places.append(place.relabel(name) if name else place)
            else:
                if not name:
                    raise InputError("empty place name")
                places.append(_named(name, where, geocode))
        except InputError as exc:
            problems.append(f"{where}: {_short(exc)}")
    if problems:
        raise PlaceFileError(str(path), problems)
    return places


def _named(text: str, where: str, geocode: bool) -> Place:
    """``parse_point(text)``, with any place-name warning re-issued as ``FILE:LINE: note``."""
    import warnings

    from .gazetteer import PlaceWarning
    from .points import parse_point

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PlaceWarning)
        place = parse_point(text, geocode=geocode)
    for w in caught:
        if issubclass(w.category, PlaceWarning):
            warnings.warn(f"{where}: {w.message}", w.category, stacklevel=3)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return place


def _coordinates(lat: str, lon: str, delim: str) -> Place:
    from .points import parse_point

    if delim != ",":
        lat, lon = lat.replace(",", "."), lon.replace(",", ".")
    try:
        return parse_point((float(lat), float(lon)))
    except ValueError:
        pass
    for what, value in (("latitude", lat), ("longitude", lon)):
        if not any(c.isdigit() for c in value):
            raise InputError(f"{what} {value!r} is not a coordinate")
    return parse_point(f"{lat} {lon}" if re.search(r"[NSEWnsew]", lat + lon) else f"{lat}, {lon}")


def _short(exc: Exception) -> str:
    """The error message without the long list of accepted notations."""
    message = str(exc).split("\n")[0]
    return re.sub(r"; expected lat,lon .*$", "", message)


# --- GeoJSON -------------------------------------------------------------------------------------

def _feature_lines(text: str) -> list[int]:
    """Line numbers where each element of the top-level ``features`` array starts (best effort)."""
    m = re.search(r'"features"\s*:\s*\[', text)
    if not m:
        return []
    decoder, pos = json.JSONDecoder(), m.end()
    lines: list[int] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines


def _read_geojson(path: Path, text: str, geocode: bool) -> list[Place]:
    from .points import parse_point

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlaceFileError(str(path), [f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})"]) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        lines = _feature_lines(text)
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features, lines = [data], [1]
    elif isinstance(data, dict) and data.get("type") in ("Point", "MultiPoint"):
        features, lines = [{"type": "Feature", "geometry": data, "properties": {}}], [1]
    else:
        raise PlaceFileError(str(path), [f"{path}:1: expected a GeoJSON FeatureCollection, Feature or Point"])
    if not isinstance(features, list):
        raise PlaceFileError(str(path), [f"{path}:1: 'features' is not a list"])
    places: list[Place] = []
    problems: list[str] = []
    for i, feature in enumerate(features):
        where = f"{path}:{lines[i] if i < len(lines) else 1}"
        if not isinstance(feature, dict):
            problems.append(f"{where}: feature {i + 1} is not an object")
            continue
        geometry = feature.get("geometry") or {}
        props = feature.get("properties") or {}
        label = next((str(props[k]).strip() for k in _LABEL_PROPERTIES if isinstance(props, dict) and props.get(k)), "")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if kind == "Point":
            points = [coords]
        elif kind == "MultiPoint" and isinstance(coords, list):
            points = coords
        elif not geometry and label:
            try:
                places.append(_named(label, where, geocode))
            except InputError as exc:
                problems.append(f"{where}: feature {i + 1}: {_short(exc)}")
            continue
        else:
            problems.append(f"{where}: feature {i + 1}: geometry {kind or 'missing'} is not a Point")
            continue
        for j, xy in enumerate(points):
            try:
                if not (isinstance(xy, list) and len(xy) >= 2 and all(isinstance(v, (int, float)) for v in xy[:2])):
                    raise InputError(f"coordinates {xy!r} are not [lon, lat]")
                place = parse_point((float(xy[1]), float(xy[0])))
                name = label if len(points) == 1 else (f"{label} {j + 1}" if label else "")
                places.append(place.relabel(name) if name else place)
            except InputError as exc:
                problems.append(f"{where}: feature {i + 1}: {_short(exc)}")
    if problems:
        raise PlaceFileError(str(path), problems)
    return places


__all__ = ["PlaceFileError", "read_places"]
