"""Response shapes for the OpenAPI page (``/docs``, ``/openapi.json``).

Endpoints that mirror a CLI command (``ring``, ``reach --json``, ``compare --json``, ``show
--json``) return the CLI's JSON as it is; these models document it without re-serialising it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description='where the bad value is, e.g. ["query", "launch", 0]')
    msg: str = Field(description="what is wrong and what would be accepted, as the CLI says it")
    type: str = "value_error"
    input: Any | None = Field(None, description="the value that was rejected")
    accepted: str | None = Field(None, description="what the field accepts")
    suggestions: list[str] | None = Field(None, description="close names, for an unknown system or place")


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


class SourceOut(BaseModel):
    id: str | None
    title: str
    publisher: str = ""
    url: str = ""
    date: str = ""


class SystemSummary(BaseModel):
    id: str
    name: str
    aliases: list[str]
    category: str
    country: str
    status: str
    max_range_km: float
    min_range_km: float | None
    matched: str | None = Field(None, description="the name or alias the query matched")


class SystemSearch(BaseModel):
    query: str
    systems: list[SystemSummary]
    suggestions: list[str] = Field(description="close names when nothing matches exactly (the CLI's 'did you mean')")


class SystemRecord(BaseModel):
    """``weaponsdb show NAME --json``: every catalogue field and its sources."""

    model_config = {"extra": "allow"}
    id: str
    name: str
    aliases: list[str]
    max_range_km: float
    range_source: SourceOut | None
    sources: list[SourceOut]


class PointOut(BaseModel):
    lat: float
    lon: float
    label: str
    name: str = ""
    country: str = ""
    match: str = ""


class DistanceOut(BaseModel):
    """``weaponsdb distance A B --json``."""

    model_config = {"extra": "allow"}
    from_: PointOut = Field(alias="from")
    to: PointOut
    distance_km: float
    azimuth_deg: float = Field(description="initial azimuth at 'from', degrees clockwise from north")


class ReachRow(BaseModel):
    """One row of ``weaponsdb reach --json``."""

    system: str
    name: str
    category: str = ""
    operators: list[str] = Field(default_factory=list)
    launch: str
    launch_lat: float
    launch_lon: float
    target: str
    target_lat: float
    target_lon: float
    distance_km: float
    min_range_km: float
    max_range_km: float
    in_range: bool
    margin_km: float


class CityRow(BaseModel):
    """A city in range: where it is, how many live there, and how far the nearest launch point is."""

    name: str
    country: str
    region: str = ""
    population: int
    lat: float
    lon: float
    distance_km: float
    launch: str


class CompareRow(BaseModel):
    """One row of ``weaponsdb compare --json``."""

    system: str
    name: str
    max_range_km: float
    area_km2: float
    added_km2: float
    overlap_km2: float
    cities_in_range: int
    population_in_range: int
    cities: list[CityRow]
    country_share: dict[str, float]
    cities_in_range_global: int | None = None
    population_in_range_global: int | None = None


class PlaceOut(BaseModel):
    name: str
    country: str
    region: str = ""
    kind: str = Field(description="populated place, section of populated place, air base, launch site, ...")
    lat: float
    lon: float
    population: int | None = None
    match: str = Field(description="how the text matched: exact, alternate, historical or fuzzy")
    chosen: bool = Field(description="the place the CLI picks for this text (none when it would ask which)")


class PlaceSearch(BaseModel):
    query: str
    places: list[PlaceOut]
    ambiguous: bool = Field(description="more than one place has this exact name")
    suggestions: list[str]


class Config(BaseModel):
    version: str
    palette: list[str]
    limits: dict[str, int]
    tiles: str
    data_date: str
    figure: bool
