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
``systems = []`` draw an ad-hoc ring. ``output`` is a file name relative to the TOML file
(default: the TOML's name with ``.html``); ``.png``, ``.svg`` or ``.pdf`` make a figure, shaped by
``projection``, ``size`` and ``dpi`` as on the command line. ``note`` adds a line to the map's caption.

Map furniture: ``every = "100km"`` (interval rings), ``ranges = ["100km", "200km"]`` (rings at
those distances), ``radials = 8`` and ``bearings = [45, 90]`` (bearing lines), ``sector = [300, 60]``
(a range fan, degrees clockwise), ``marks = [{ label = "Kyiv", point = "Kyiv" }]`` (reference
points, tables like ``launch``) and ``union = true`` (combined coverage of several sites).

A scenario becomes the same :class:`~weaponsdb.model.MapSpec` the CLI builds (through
:func:`weaponsdb.specs.map_spec`), so ranges are checked with the same rules and messages; every
problem is reported as ``FILE: KEY: problem``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import InputError, UnknownNameError
from .model import MapSpec, Place
from .outputs import FIGURE_SUFFIXES, HTML_SUFFIXES, save_map
from .units import parse_range

if TYPE_CHECKING:
    from .catalog import Catalog

KEYS = ("title", "systems", "launch", "offline", "uncertainty", "range", "min_range", "output", "note",
        "every", "ranges", "radials", "bearings", "sector", "marks", "union", "projection", "size", "dpi")
PROJECTIONS = ("auto", "aeqd", "ortho", "lambert", "mercator")
LAUNCH_KEYS = ("label", "point", "lat", "lon")


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: the map it describes, where it goes, and how a figure is shaped."""

    path: Path
    spec: MapSpec
    output: Path
    figure: dict[str, Any] = field(default_factory=dict)


def _fail(path: Path, key: str, problem: str) -> NoReturn:
    raise InputError(f"{path}: {key}: {problem}")


def _typed(path: Path, data: dict, key: str, kind: type, what: str, default: Any = None) -> Any:
    value = data.get(key, default)
    if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
        _fail(path, key, f"expected {what}, got {value!r}")
    return value


def _point(path: Path, key: str, entry: dict) -> Place:
    """The place of one launch table: a point text, or lat and lon numbers."""
    from .points import parse_point

    if "point" in entry:
        if not isinstance(entry["point"], str):
            _fail(path, f"{key}.point", f"expected a point such as \"50.6,36.6\" or a place name, got {entry['point']!r}")
        return parse_point(entry["point"])
    degrees = []
    for name in ("lat", "lon"):
        value = entry.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            _fail(path, f"{key}.{name}", f"expected a number in degrees, got {value!r}")
        degrees.append(float(value))
    return parse_point(f"{degrees[0]!r},{degrees[1]!r}")


def _launch(path: Path, i: int, entry: object, key: str = "launch") -> Place:
    key = f"{key}[{i}]"
    if not isinstance(entry, dict):
        _fail(path, key, f"expected a table such as {{ label = \"Site A\", point = \"50.6,36.6\" }}, got {entry!r}")
    unknown = sorted(set(entry) - set(LAUNCH_KEYS))
    if unknown:
        _fail(path, f"{key}.{unknown[0]}", f"unknown key; expected {', '.join(LAUNCH_KEYS)}")
    label = _typed(path, entry, "label", str, "a text label")
    if ("point" in entry) == ("lat" in entry or "lon" in entry):
        _fail(path, key, "give either point = \"...\" or both lat and lon")
    try:
        point = _point(path, key, entry)
    except InputError as exc:
        if str(exc).startswith(f"{path}:"):
            raise
        raise InputError(f"{path}: {key}: {exc}") from exc
    return point.relabel(label) if label else point


def _read(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"scenario file {str(path)!r} not found: expected a .toml file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        _fail(path, unknown[0], f"unknown key; expected {', '.join(KEYS)}")
    return data


def _system_names(path: Path, data: dict) -> list[str]:
    if "systems" not in data:
        _fail(path, "systems", "missing; give a list of system names, e.g. systems = [\"Fath-360\"]")
    systems = _typed(path, data, "systems", list, "a list of system names")
    if not all(isinstance(s, str) and s.strip() for s in systems):
        _fail(path, "systems", f"expected a list of system names, got {systems!r}")
    if not systems and data.get("range") is None:
        _fail(path, "systems", "empty; name at least one system, or give range = \"...\" for an ad-hoc ring")
    return [s.strip() for s in systems]


def _distance(path: Path, data: dict, key: str) -> float | None:
    """A range key in km, checked by the same rule as the CLI's ``--range``."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(path, key, f"expected a distance such as \"75mi\" or \"500km\", got {value!r}")
    try:
        return parse_range(value)
    except InputError as exc:
        raise InputError(f"{path}: {key}: {exc}") from exc


def _output(path: Path, data: dict) -> Path:
    output = _typed(path, data, "output", str, "a file name such as \"map.html\" or \"map.png\"", path.stem + ".html")
    if not output.lower().endswith(HTML_SUFFIXES + FIGURE_SUFFIXES):
        _fail(path, "output", f"expected a file name ending in .html (or .png, .svg, .pdf for a figure), got {output!r}")
    return (path.parent / output).resolve()


def load_scenario(path: str | Path, catalog: Catalog | None = None) -> Scenario:
    """Read and check a scenario file into a MapSpec; every problem is an InputError naming the file and the key."""
    from .specs import map_spec

    path = Path(path)
    data = _read(path)
    names = _system_names(path, data)
    launches = _typed(path, data, "launch", list, "a list of launch tables")
    if not launches:
        _fail(path, "launch", "missing or empty; give at least one { label = ..., point = ... }")
    max_km, min_km = _distance(path, data, "range"), _distance(path, data, "min_range")
    points = [_launch(path, i, e) for i, e in enumerate(launches)]
    note = _typed(path, data, "note", str, "a text note")
    options = {"title": _typed(path, data, "title", str, "a text title"),
               "offline": _typed(path, data, "offline", bool, "true or false", False),
               "uncertainty": _typed(path, data, "uncertainty", bool, "true or false", False)}
    output = _output(path, data)
    if names:
        from .catalog import load_catalog

        catalog = catalog or load_catalog()
    try:
        spec = map_spec(names, points, max_range=max_km, min_range=min_km, notes=[note] if note else [],
                        catalog=catalog, **options)
    except UnknownNameError as exc:
        raise InputError(f"{path}: systems: {exc}") from exc
    except InputError as exc:  # a range pair the model rejects, e.g. min_range at or above the maximum
        raise InputError(f"{path}: {'min_range' if min_km is not None else 'range'}: {exc}") from exc
    return Scenario(path=path, spec=replace(spec, **_furniture(path, data)), output=output,
                    figure=_figure_options(path, data))


def _figure_options(path: Path, data: dict) -> dict[str, Any]:
    """``projection``, ``size`` and ``dpi`` for figure outputs, checked as the command line checks them."""
    out: dict[str, Any] = {}
    projection = _typed(path, data, "projection", str, f"one of {', '.join(PROJECTIONS)}")
    if projection is not None:
        if projection not in PROJECTIONS:
            _fail(path, "projection", f"expected one of {', '.join(PROJECTIONS)}, got {projection!r}")
        out["projection"] = projection
    size = _typed(path, data, "size", str, "a size such as \"1600x1000\" or \"A4\"")
    if size is not None:
        out["size"] = size
    dpi = data.get("dpi")
    if dpi is not None:
        if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
            _fail(path, "dpi", f"expected a positive number of dots per inch, got {dpi!r}")
        out["dpi"] = float(dpi)
    return out


def _furniture(path: Path, data: dict) -> dict[str, Any]:
    """The MapSpec fields for interval rings, radials, sectors, marks and union, checked key by key."""
    out: dict[str, Any] = {}
    if data.get("every") is not None:
        out["every_km"] = _distance(path, data, "every")
    ranges = _typed(path, data, "ranges", list, "a list of distances such as [\"100km\", \"200km\"]", [])
    out["ranges_km"] = tuple(_distance(path, {"ranges": r}, "ranges") for r in ranges)
    radials = _typed(path, data, "radials", int, "a whole number of bearing lines such as 8", 0)
    if not 0 <= radials <= 360:
        _fail(path, "radials", f"expected 0 to 360 bearing lines, got {radials!r}")
    out["radials"] = radials
    out["bearings"] = tuple(_degrees(path, "bearings", b)
                            for b in _typed(path, data, "bearings", list, "a list of bearings in degrees", []))
    sector = _typed(path, data, "sector", list, "[from, to] bearings in degrees such as [300, 60]")
    if sector is not None:
        if len(sector) != 2:
            _fail(path, "sector", f"expected [from, to] bearings in degrees such as [300, 60], got {sector!r}")
        out["sector"] = (_degrees(path, "sector", sector[0]), _degrees(path, "sector", sector[1]))
    marks = _typed(path, data, "marks", list, "a list of mark tables", [])
    out["marks"] = tuple(_launch(path, i, e, key="marks") for i, e in enumerate(marks))
    out["union"] = _typed(path, data, "union", bool, "true or false", False)
    return out


def _degrees(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 360:
        _fail(path, key, f"expected a bearing in degrees from 0 to 360, got {value!r}")
    return float(value)


def render_scenario(scenario: Scenario | str | Path, out: str | Path | None = None, *, force: bool = True) -> Path:
    """Draw a scenario and write its HTML to ``out`` (default: the scenario's ``output``).

    ``force=False`` refuses to replace a different existing file; an identical one is left as is.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return save_map(scenario.spec, Path(out) if out is not None else scenario.output, force=force,
                    **scenario.figure)
