"""Query parameters into the model, with the CLI's rules and messages, and per-request limits.

Every check goes through the same functions as the command line (``points.parse_point``,
``units.parse_range``, ``Catalog.get``, ``specs.systems``); what this module adds is *which
field* was bad, so the API can answer 422 with ``loc`` pointing at it, and limits on how much
one request may ask for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import specs
from ..catalog import Catalog
from ..errors import InputError, UnknownNameError
from ..model import Place, System
from ..points import ACCEPTED as POINT_ACCEPTED
from ..points import parse_point
from ..units import ACCEPTED as DISTANCE_ACCEPTED
from ..units import parse_range

SYSTEM_ACCEPTED = "a system name, id or alias (GET /api/systems lists them)"


@dataclass(frozen=True)
class Limits:
    """The most one request may ask for; larger requests get a 422 naming the limit."""

    systems: int = 12
    launches: int = 25
    targets: int = 50
    countries: int = 8
    top: int = 50
    text: int = 200  # characters in one value (a point, a label, a name, a title)
    places: int = 20  # results of one place search
    verdicts: int = 10_000  # systems x launch points x targets in one reach request
    bearings: int = 36  # bearing lines given one by one

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class FieldError(Exception):
    """A bad query value: becomes one item of a 422 body, FastAPI-style, naming the field."""

    def __init__(self, field: str, message: str, *, value: Any = None, index: int | None = None,
                 accepted: str = "", suggestions: Sequence[str] = (), status: int = 422,
                 where: str = "query"):
        super().__init__(message)
        self.field, self.message, self.value, self.index = field, message, value, index
        self.accepted, self.suggestions, self.status, self.where = accepted, list(suggestions), status, where

    @classmethod
    def wrap(cls, field: str, exc: InputError, *, index: int | None = None, status: int = 422,
             where: str = "query") -> FieldError:
        return cls(field, str(exc), value=exc.value, index=index, accepted=exc.accepted,
                   suggestions=getattr(exc, "suggestions", ()) if isinstance(exc, UnknownNameError) else (),
                   status=status, where=where)

    def item(self) -> dict[str, Any]:
        loc: list[Any] = [self.where] + ([self.field] if self.field else []) + ([self.index] if self.index is not None else [])
        out: dict[str, Any] = {"loc": loc, "msg": self.message, "type": "value_error"}
        if self.value is not None:
            out["input"] = self.value if isinstance(self.value, (str, int, float)) else str(self.value)
        if self.accepted:
            out["accepted"] = self.accepted
        if self.suggestions:
            out["suggestions"] = self.suggestions
        return out


def _count(field: str, values: Sequence[str], limit: int, what: str) -> None:
    if len(values) > limit:
        raise FieldError(field, f"too many {what}: {len(values)} given, at most {limit} per request",
                         value=len(values), accepted=f"at most {limit} {field} values")
    for i, v in enumerate(values):
        if len(v) > Limits.text:
            raise FieldError(field, f"{field} value too long: {len(v)} characters, at most {Limits.text}",
                             value=v[:40] + "...", index=i, accepted=f"at most {Limits.text} characters per value")


def text(field: str, value: str | None, limits: Limits) -> str | None:
    if value is not None and len(value) > limits.text:
        raise FieldError(field, f"{field} too long: {len(value)} characters, at most {limits.text}",
                         value=value[:40] + "...", accepted=f"at most {limits.text} characters")
    return value


def points(field: str, values: Sequence[str], limit: int, *, required: bool = True, what: str = "points") -> list[Place]:
    """Places in any CLI notation; the first bad one raises naming ``field`` and its index."""
    _count(field, values, limit, what)
    if required and not values:
        raise FieldError(field, f"no {what} given: at least one {field} is needed", accepted=POINT_ACCEPTED)
    out = []
    for i, v in enumerate(values):
        try:
            out.append(parse_point(v))
        except InputError as exc:
            error = FieldError.wrap(field, exc, index=i)
            error.value, error.accepted = v, error.accepted or POINT_ACCEPTED
            raise error from None
    return out


def distance(field: str, value: str | None) -> float | None:
    """A range in km, or None; the CLI's --range rules."""
    if value is None or not str(value).strip():
        return None
    try:
        return parse_range(value)
    except InputError as exc:
        raise FieldError(field, str(exc), value=value, accepted=DISTANCE_ACCEPTED) from None


def systems(catalog: Catalog, names: Sequence[str], limits: Limits, *, max_range: str | None = None,
            min_range: str | None = None, field: str = "system", adhoc: bool = True,
            required: bool = False) -> list[System]:
    """Systems by name at an optional user-set range, as ``specs.systems`` makes them for the CLI.

    With ``adhoc`` and no names, a ``range`` gives an ad-hoc ring (as ``weaponsdb ring --range``).
    """
    _count(field, names, limits.systems, "systems")
    max_km, min_km = distance("range", max_range), distance("min_range", min_range)
    found = []
    for i, name in enumerate(names):
        try:
            found.append(catalog.get(name))
        except InputError as exc:
            raise FieldError.wrap(field, exc, index=i) from None
    if not found and (required or not adhoc or max_km is None):
        what = "name at least one system" + (", or give range for an ad-hoc ring" if adhoc and not required else "")
        raise FieldError(field, f"no systems given: {what}", accepted=SYSTEM_ACCEPTED)
    try:
        return specs.systems(found or None, catalog, max_range=max_km, min_range=min_km)
    except InputError as exc:
        raise FieldError.wrap("min_range" if min_km is not None else "range", exc) from None


@dataclass(frozen=True)
class Furniture:
    """Interval rings, radials and a range fan, checked with the CLI's rules (``--every``, ``--radials``,
    ``--bearing``, ``--sector``); ``every`` and ``sector`` keep the text as typed for the scenario file."""

    every: str | None = None
    every_km: float | None = None
    radials: int = 0
    bearings: tuple[float, ...] = ()
    sector: tuple[float, float] | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments of ``specs.map_spec`` and ``api.map``."""
        return {"every": self.every_km, "radials": self.radials, "bearings": self.bearings, "sector": self.sector}

    def __bool__(self) -> bool:
        return bool(self.every_km or self.radials or self.bearings or self.sector)


def furniture(every: str | None, sector: str | None, radials: int | None, bearings: Sequence[float],
              limits: Limits) -> Furniture:
    """The ring options of a request; a bad one raises naming its field."""
    every_km = distance("every", every)
    text("sector", sector, limits)
    try:
        arc = specs.parse_sector(sector) if sector is not None and sector.strip() else None
    except InputError as exc:
        raise FieldError.wrap("sector", exc) from None
    if radials is not None and not 0 <= radials <= 360:
        raise FieldError("radials", f"expected 0 to 360 bearing lines, got {radials!r}", value=radials,
                         accepted="a whole number from 0 to 360")
    if len(bearings) > limits.bearings:
        raise FieldError("bearing", f"too many bearings: {len(bearings)} given, at most {limits.bearings} per request",
                         value=len(bearings), accepted=f"at most {limits.bearings} bearing values")
    for i, b in enumerate(bearings):
        if not math.isfinite(b) or not 0.0 <= b <= 360.0:
            raise FieldError("bearing", f"bad bearing {b!r}: expected degrees clockwise from north, 0 to 360",
                             value=str(b), index=i, accepted="degrees clockwise from north, 0 to 360")
    return Furniture(every=every.strip() if every_km is not None and every else None, every_km=every_km,
                     radials=int(radials or 0), bearings=tuple(float(b) for b in bearings), sector=arc)
