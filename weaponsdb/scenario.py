"""Scenario files: a map's systems, launch points and options in TOML, so a map can be re-made and reviewed.

Example::

    title = "Fath-360 from the Ukrainian border"
    systems = ["Fath-360"]
    uncertainty = true
    launch = [
      { label = "Belgorod", point = "Belgorod" },
      { label = "Kursk area", lat = 51.73, lon = 36.19 },
    ]

``range`` / ``min_range`` (distances such as ``"75mi"``) override the catalogue figures, and with
``systems = []`` draw an ad-hoc ring. ``output`` is an HTML file name relative to the TOML file
(default: the TOML's name with ``.html``). ``note`` adds a line to the map's caption.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .units import parse_distance

KEYS = ("title", "systems", "launch", "offline", "uncertainty", "range", "min_range", "output", "note")
LAUNCH_KEYS = ("label", "point", "lat", "lon")


@dataclass(frozen=True)
class Scenario:
    path: Path
    title: str | None
    systems: tuple[str, ...]
    launches: tuple  # of weaponsdb.points.Point
    offline: bool
    uncertainty: bool
    max_km: float | None
    min_km: float | None
    output: Path
    note: str | None


def _fail(path: Path, key: str, problem: str):
    raise InputError(f"{path}: {key}: {problem}")


def _typed(path: Path, data: dict, key: str, kind, what: str, default=None):
    value = data.get(key, default)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is not bool):
        _fail(path, key, f"expected {what}, got {value!r}")
    return value


def _launch(path: Path, i: int, entry):
    from .points import Point, parse_point

    key = f"launch[{i}]"
    if not isinstance(entry, dict):
        _fail(path, key, f"expected a table such as {{ label = \"Site A\", point = \"50.6,36.6\" }}, got {entry!r}")
    unknown = sorted(set(entry) - set(LAUNCH_KEYS))
    if unknown:
        _fail(path, f"{key}.{unknown[0]}", f"unknown key; expected {', '.join(LAUNCH_KEYS)}")
    label = _typed(path, entry, "label", str, "a text label")
    has_point, has_latlon = "point" in entry, "lat" in entry or "lon" in entry
    if has_point == has_latlon:
        _fail(path, key, "give either point = \"...\" or both lat and lon")
    try:
        if has_point:
            if not isinstance(entry["point"], str):
                _fail(path, f"{key}.point", f"expected a point such as \"50.6,36.6\" or a place name, got {entry['point']!r}")
            text = entry["point"]
            point = parse_point(text)
        else:
            lat, lon = entry.get("lat"), entry.get("lon")
            for name, value in (("lat", lat), ("lon", lon)):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    _fail(path, f"{key}.{name}", f"expected a number in degrees, got {value!r}")
            point = parse_point(f"{float(lat)!r},{float(lon)!r}")
    except InputError as exc:
        if str(exc).startswith(f"{path}:"):
            raise
        raise InputError(f"{path}: {key}: {exc}") from exc
    return Point(point.lat, point.lon, label or point.label)


def load_scenario(path) -> Scenario:
    """Read and check a scenario file; every problem is an InputError naming the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"scenario file {str(path)!r} not found: expected a .toml file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        _fail(path, unknown[0], f"unknown key; expected {', '.join(KEYS)}")
    if "systems" not in data:
        _fail(path, "systems", "missing; give a list of system names, e.g. systems = [\"Fath-360\"]")
    systems = _typed(path, data, "systems", list, "a list of system names")
    if not all(isinstance(s, str) and s.strip() for s in systems):
        _fail(path, "systems", f"expected a list of system names, got {systems!r}")
    launches = _typed(path, data, "launch", list, "a list of launch tables")
    if not launches:
        _fail(path, "launch", "missing or empty; give at least one { label = ..., point = ... }")
    distances = {}
    for key in ("range", "min_range"):
        value = data.get(key)
        if value is None:
            distances[key] = None
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            _fail(path, key, f"expected a distance such as \"75mi\" or \"500km\", got {value!r}")
        else:
            try:
                distances[key] = parse_distance(value)
            except InputError as exc:
                raise InputError(f"{path}: {key}: {exc}") from exc
            if distances[key] > 40_075:
                _fail(path, key, f"{value!r} is longer than the Equator: expected at most 40075km")
    if distances["range"] is not None and distances["min_range"] is not None and distances["min_range"] >= distances["range"]:
        _fail(path, "min_range", f"{data['min_range']!r} is not below range {data['range']!r}")
    if not systems and distances["range"] is None:
        _fail(path, "systems", "empty; name at least one system, or give range = \"...\" for an ad-hoc ring")
    output = _typed(path, data, "output", str, "an HTML file name such as \"map.html\"", path.stem + ".html")
    if not output.lower().endswith((".html", ".htm")):
        _fail(path, "output", f"expected an HTML file name ending in .html, got {output!r}")
    return Scenario(
        path=path,
        title=_typed(path, data, "title", str, "a text title"),
        systems=tuple(s.strip() for s in systems),
        launches=tuple(_launch(path, i, e) for i, e in enumerate(launches)),
        offline=_typed(path, data, "offline", bool, "true or false", False),
        uncertainty=_typed(path, data, "uncertainty", bool, "true or false", False),
        max_km=distances["range"],
        min_km=distances["min_range"],
        output=(path.parent / output).resolve(),
        note=_typed(path, data, "note", str, "a text note"),
    )


def render_scenario(path, catalog, out=None, *, force: bool = True) -> Path:
    """Draw a scenario (a TOML path or a loaded Scenario) with ``catalog`` and write it.

    Written to ``out``, default the scenario's ``output``; ``force=False`` refuses to replace a
    different existing file.
    """
    from .export import write_atomic
    from .maps import draw

    scenario = path if isinstance(path, Scenario) else load_scenario(path)
    records = []
    for name in scenario.systems:
        try:
            records.append(catalog.get(name))
        except InputError as exc:
            raise InputError(f"{scenario.path}: systems: {exc}") from exc
    page = draw(records or [None], list(scenario.launches), title=scenario.title, offline=scenario.offline,
                uncertainty=scenario.uncertainty, max_km=scenario.max_km, min_km=scenario.min_km,
                extra=[scenario.note] if scenario.note else None, catalog=catalog)
    return write_atomic(Path(out) if out is not None else scenario.output, page, force=force)
