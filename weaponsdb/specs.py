"""Turning what a user typed (names, points, distances) into the domain model.

The CLI, TOML scenarios and the Python API all come through here, so a system name, a point or
a range means the same thing and fails with the same message everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .catalog import Catalog, load_catalog
from .errors import InputError
from .model import MapSpec, Place, System
from .points import parse_point
from .units import parse_range

SystemLike = str | System
PointLike = str | Place | tuple[float, float]
DistanceLike = str | float | int


def as_list(value, single: type) -> list:
    """One value (a string, a ``single`` object or a (lat, lon) pair) or an iterable of them, as a list."""
    if value is None:
        return []
    if isinstance(value, (str, single)):
        return [value]
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return [value]
    return list(value)


def points(values: PointLike | Iterable[PointLike] | None) -> list[Place]:
    """Places from any notation the point parser reads (one value or several)."""
    return [parse_point(v) for v in as_list(values, Place)]


def systems(names: SystemLike | Iterable[SystemLike] | None, catalog: Catalog | None = None, *,
            max_range: DistanceLike | None = None, min_range: DistanceLike | None = None) -> list[System]:
    """Systems by name (or as given), with a user-set range applied; no names and a range give an ad-hoc ring.

    Duplicates are dropped, keeping the first; every range is checked before any geometry is made.
    """
    max_km = parse_range(max_range) if max_range is not None else None
    min_km = parse_range(min_range) if min_range is not None else None
    wanted = as_list(names, System)
    if not wanted:
        if max_km is None:
            raise InputError("no range: name a system or give --range DIST (e.g. --range 75mi)")
        return [System.adhoc(max_km, min_km or 0.0)]
    if any(isinstance(n, str) for n in wanted):
        catalog = catalog or load_catalog()
    out: list[System] = []
    for name in wanted:
        system = catalog.get(name) if isinstance(name, str) and catalog else name
        if any(s.id == system.id for s in out):
            continue
        out.append(system.with_range(max_km, min_km))
    return out


def parse_sector(value: str | Sequence[float] | None) -> tuple[float, float] | None:
    """A range fan's (from, to) bearings from ``"300-60"`` (clockwise, wrapping through north) or a pair."""
    if value is None:
        return None
    accepted = "expected FROM-TO bearings in degrees clockwise from north, e.g. 300-60 or 45-135"
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*(?:-|:|\.\.|to)\s*(\d+(?:\.\d*)?)\s*", value)
        if not match:
            raise InputError(f"bad sector {value!r}: {accepted}", value=value, accepted=accepted)
        pair = (float(match.group(1)), float(match.group(2)))
    else:
        pair = (float(value[0]), float(value[1]))
    if not all(0.0 <= b <= 360.0 for b in pair):
        raise InputError(f"bad sector {value!r}: bearings must be 0 to 360; {accepted}", value=value, accepted=accepted)
    return pair


def map_spec(system_names: SystemLike | Sequence[SystemLike] | None, launches: PointLike | Sequence[PointLike], *,
             max_range: DistanceLike | None = None, min_range: DistanceLike | None = None, title: str | None = None,
             offline: bool = False, uncertainty: bool = False, notes: Sequence[str] = (),
             point_label: str = "launch point", compare: bool = False, catalog: Catalog | None = None,
             every: DistanceLike | None = None, ranges: Sequence[DistanceLike] = (), radials: int = 0,
             bearings: Sequence[float] = (), sector: str | Sequence[float] | None = None,
             marks: PointLike | Sequence[PointLike] | None = None, union: bool = False) -> MapSpec:
    """The one way a map description is built from user input.

    Map furniture: ``every`` adds interval rings, ``ranges`` rings at more distances, ``radials``
    evenly spaced bearing lines and ``bearings`` given ones, ``sector`` cuts rings to a range fan
    (``"300-60"``), ``marks`` are labelled reference points and ``union`` outlines the combined coverage.
    """
    if catalog is None and any(isinstance(n, str) for n in as_list(system_names, System)):
        catalog = load_catalog()
    return MapSpec(systems=tuple(systems(system_names, catalog, max_range=max_range, min_range=min_range)),
                   points=tuple(points(launches)), title=title, offline=offline, uncertainty=uncertainty,
                   notes=tuple(notes), point_label=point_label, compare=compare,
                   data_date=catalog.data_date() if catalog else None,
                   every_km=parse_range(every) if every is not None else None,
                   ranges_km=tuple(parse_range(r) for r in ranges), radials=int(radials),
                   bearings=tuple(float(b) for b in bearings), sector=parse_sector(sector),
                   marks=tuple(points(marks)), union=union)
