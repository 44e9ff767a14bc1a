"""The domain model: what a system, a range, a source, a place and a map are.

Frozen dataclasses, built once by the catalogue, the point parser, the CLI, scenarios and the
Python API alike, so every layer speaks about the same things. A range the user set is a state
of :class:`RangeSpec` (``origin == "user-set"``), never a missing value, so nothing downstream can
label it as sourced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .errors import InputError
from .units import EARTH_CIRCUMFERENCE_KM, check_range_km


class Origin(StrEnum):
    """Where a drawn range comes from."""

    CATALOGUE = "catalogue"
    USER = "user-set"


@dataclass(frozen=True)
class Source:
    """One cited page or document."""

    id: str | None
    title: str
    publisher: str = ""
    url: str = ""
    date: str = ""
    kind: str = ""

    @classmethod
    def from_url(cls, url: str) -> Source:
        """A source a user's catalogue cites by URL alone."""
        return cls(id=None, title=url, url=url)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "publisher": self.publisher,
                               "url": self.url, "date": self.date}
        if self.kind:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class RangeSpec:
    """The range a ring is drawn at, and what that figure is.

    ``low_km``/``high_km`` keep the spread of sourced maximum-range figures when sources disagree.
    ``origin`` says whether the figures are the catalogue's or the user's; a user-set range
    carries no source.
    """

    max_km: float
    min_km: float = 0.0
    low_km: float | None = None
    high_km: float | None = None
    reported: str = ""
    kind: str = ""
    measures: str = ""
    note: str = ""
    source: Source | None = None
    origin: Origin = Origin.CATALOGUE

    def __post_init__(self) -> None:
        check_range_km(self.max_km, self.min_km)

    @classmethod
    def user(cls, max_km: float, min_km: float = 0.0) -> RangeSpec:
        return cls(max_km=float(max_km), min_km=float(min_km or 0.0), origin=Origin.USER)

    @property
    def user_set(self) -> bool:
        return self.origin is Origin.USER

    @property
    def band(self) -> tuple[float, float] | None:
        """(low, high) sourced maximum-range figures when they differ, else None."""
        if self.user_set or self.low_km is None or self.high_km is None or not self.low_km < self.high_km:
            return None
        return (self.low_km, self.high_km)


@dataclass(frozen=True)
class System:
    """A weapon system as the catalogue describes it.

    ``range`` is what rings are drawn at; :meth:`with_range` gives the same system at a user-set
    range. ``specs`` holds the remaining catalogue fields (warhead, guidance, length_m, ...) by
    column name, ``None`` where the catalogue has no sourced value; ``field_sources`` maps a field
    to the ids of the sources that give it (:meth:`sources_for` resolves them); ``catalogue_range``
    keeps the catalogue's figures when ``range`` is user-set. ``variant_of`` is the id of the parent
    system; ``user_catalogue`` marks a row from the user's own CSV, and ``sourced`` is False for a
    row that cites nothing (its range kind then reads "unsourced (your catalogue)").
    """

    id: str
    name: str
    range: RangeSpec
    aliases: tuple[str, ...] = ()
    country: str = ""
    operators: tuple[str, ...] = ()
    category: str = ""
    status: str = ""
    sources: tuple[Source, ...] = ()
    specs: Mapping[str, Any] = field(default_factory=dict)
    field_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    catalogue_range: RangeSpec | None = None
    variant_of: str = ""
    status_as_of: str = ""
    user_catalogue: bool = False

    @property
    def sourced(self) -> bool:
        """Whether the row cites any source (rows of the bundled catalogue always do)."""
        return bool(self.sources)

    def sources_for(self, name: str) -> tuple[Source, ...]:
        """The sources that give field ``name`` (``max_range_km`` -> the range source)."""
        if name == "max_range_km":
            rng = self.catalogue_range or self.range
            return (rng.source,) if rng.source else ()
        wanted = self.field_sources.get(name, ())
        by_id = {s.id or s.url: s for s in self.sources}
        return tuple(by_id[i] for i in wanted if i in by_id)

    @classmethod
    def adhoc(cls, max_km: float, min_km: float = 0.0) -> System:
        """A ring of a given range with no catalogue system behind it."""
        return cls(id="", name="Ad-hoc range", range=RangeSpec.user(max_km, min_km))

    @property
    def is_adhoc(self) -> bool:
        return not self.id

    def with_range(self, max_km: float | None = None, min_km: float | None = None) -> System:
        """This system drawn at a user-set range; the catalogue's figures stay reachable."""
        if max_km is None and min_km is None:
            return self
        base = self.catalogue_range or self.range
        spec = RangeSpec.user(max_km if max_km is not None else base.max_km,
                              min_km if min_km is not None else base.min_km)
        return replace(self, range=spec, catalogue_range=None if self.is_adhoc else base)

    def to_record(self) -> dict[str, Any]:
        """The row as a plain dict with its sources resolved: what ``show --json`` prints.

        Every schema-v2 column is a key (``None`` where empty); ``field_sources`` maps each cited
        field to its source ids, ``sources`` lists the resolved sources, ``sourced`` and
        ``user_catalogue`` say where the row comes from.
        """
        rng = self.catalogue_range or self.range
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "aliases": list(self.aliases), "variant_of": self.variant_of or None,
            "country": self.country, "operators": list(self.operators), "category": self.category,
            "status": self.status, "status_as_of": self.status_as_of or None,
            "min_range_km": rng.min_km or None, "max_range_km": rng.max_km,
            "range_reported": rng.reported, "range_low_km": rng.low_km, "range_high_km": rng.high_km,
            "range_kind": rng.kind, "range_measures": rng.measures or None, "range_note": rng.note,
            "range_source": rng.source.to_dict() if rng.source else None,
        }
        out.update(self.specs)
        out["field_sources"] = {k: list(v) for k, v in self.field_sources.items()}
        out["sources"] = [s.to_dict() for s in self.sources]
        out["sourced"] = self.sourced
        out["user_catalogue"] = self.user_catalogue
        return out


@dataclass(frozen=True)
class Place:
    """A point on the Earth with the label it is shown under.

    Place names resolved from the gazetteer keep what they resolved to (``name``, ``country``,
    ``region``) and how (``match``), so a wrong guess is visible wherever the point is shown.
    """

    lat: float
    lon: float
    label: str
    name: str = ""
    country: str = ""
    region: str = ""
    #: how a name matched: "exact", "alternate", "historical", "fuzzy" (gazetteer) or "geocoded"
    #: (online, opt-in); "" for a point given as coordinates.
    match: str = ""
    #: "populated place", "section of populated place", "air base", "naval base", "launch site", ...
    kind: str = ""
    #: the other places the name could mean, described in one line each
    alternatives: tuple[str, ...] = ()
    #: one line to show the user when the resolution was a judgement call (ambiguous, fuzzy, geocoded)
    note: str = ""
    #: where the coordinates come from when they are not GeoNames' (a base's citation, the geocoder)
    source: str = ""

    def __str__(self) -> str:
        return f"{self.label} ({self.lat:.4f}, {self.lon:.4f})"

    def relabel(self, label: str) -> Place:
        return replace(self, label=label)

    def to_dict(self) -> dict[str, Any]:
        return {"lat": self.lat, "lon": self.lon, "label": self.label}

    def to_json(self) -> dict[str, Any]:
        """Coordinates and label, plus (for a place name) what it resolved to and how: the ``--json`` form."""
        resolved = self.resolution()
        return {**self.to_dict(), **({"resolved": resolved} if resolved else {})}

    def resolution(self) -> dict[str, Any] | None:
        """What a place name resolved to (``--json``); None for a point given as coordinates."""
        if not self.match:
            return None
        return {"label": self.label, "name": self.name, "region": self.region, "country": self.country,
                "lat": self.lat, "lon": self.lon, "match": self.match, "kind": self.kind,
                "alternatives": list(self.alternatives), "note": self.note, "source": self.source}


@dataclass(frozen=True)
class MapSpec:
    """Everything a range-ring map shows; built by CLI flags, TOML scenarios and the API alike.

    ``systems`` carry the ranges to draw (user-set ranges already applied); ``points`` are launch
    points, or targets when ``point_label`` is ``"target"`` (a footprint map). ``compare``
    highlights what each system adds over the first.

    Map furniture: ``marks`` are reference points (targets, cities) drawn with labels;
    ``every_km`` adds interval rings up to each system's range and ``ranges_km`` rings at given
    distances (repeated ``--range``); ``radials`` evenly spaced bearing lines and ``bearings``
    given ones; ``sector`` (from, to) in degrees clockwise cuts every ring to a range fan;
    ``union`` outlines each system's combined coverage over all points.
    """

    systems: tuple[System, ...]
    points: tuple[Place, ...]
    title: str | None = None
    offline: bool = False
    uncertainty: bool = False
    notes: tuple[str, ...] = ()
    point_label: str = "launch point"
    compare: bool = False
    data_date: str | None = None
    marks: tuple[Place, ...] = ()
    every_km: float | None = None
    ranges_km: tuple[float, ...] = ()
    radials: int = 0
    bearings: tuple[float, ...] = ()
    sector: tuple[float, float] | None = None
    union: bool = False

    def __post_init__(self) -> None:
        if not self.systems:
            raise InputError("no systems to draw: give at least one system name or a range")
        if not self.points:
            raise InputError("no launch points: give at least one place or lat,lon")
        if self.every_km is not None and not (math.isfinite(self.every_km) and self.every_km > 0):
            raise InputError(f"bad ring interval {self.every_km!r} km: expected a distance above 0, e.g. --every 100km")
        for km in self.ranges_km:
            check_range_km(km)
        if not 0 <= self.radials <= 360:
            raise InputError(f"bad number of radials {self.radials!r}: expected 0 to 360")
        for deg in (*self.bearings, *(self.sector or ())):
            if not (math.isfinite(deg) and -360.0 <= deg <= 360.0):
                raise InputError(f"bad bearing {deg!r}: expected degrees clockwise from north, 0 to 360")


__all__ = ["EARTH_CIRCUMFERENCE_KM", "MapSpec", "Origin", "Place", "RangeSpec", "Source", "System"]
