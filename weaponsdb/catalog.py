"""The systems catalogue: a cited CSV table, validated on load and searchable by any alias.

Rows become :class:`~weaponsdb.model.System` objects. Kept free of geometry and map imports so
that ``weaponsdb show`` starts quickly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from . import catalog_checks as checks
from .catalog_checks import CATEGORIES, COLUMNS, LISTS, NUMBERS, SOURCE_COLUMNS, number, split
from .datafiles import data_file
from .errors import CatalogError, UnknownNameError
from .matching import normalise, suggest
from .model import RangeSpec, Source, System
from .units import parse_distance

#: Catalogue columns that become ``System.specs``, in the order ``show --json`` prints them.
SPEC_COLUMNS = ("payload", "propulsion", "guidance", "cep_m")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalogue CSV (the bundled one by default).

    Source ids resolve against ``sources.csv`` beside the table, else the bundled sources;
    a user's table may also cite a URL directly in ``sources``. Raises CatalogError listing
    every problem as ``FILE:LINE: column: problem``.
    """
    path = Path(path) if path is not None else data_file("systems.csv")
    sources_path = path.with_name("sources.csv")
    if not sources_path.is_file():
        sources_path = data_file("sources.csv")
    systems = checks.read_csv(path)
    sources = checks.read_csv(sources_path)
    found = checks.problems(systems, path, sources, sources_path)
    if found:
        raise CatalogError(found)
    return Catalog(_typed(systems), _source_lookup(sources), path)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df[list(COLUMNS)].copy()
    for col in NUMBERS:
        df[col] = df[col].map(number).astype(float)
    for col in LISTS:
        df[col] = df[col].map(split)
    return df.set_index("id", drop=False)


def _source_lookup(df: pd.DataFrame) -> dict[str, Source]:
    return {row["id"]: Source(**{c: row[c].strip() for c in SOURCE_COLUMNS}) for _, row in df.iterrows()}


def _float(value) -> float | None:
    return None if pd.isna(value) else float(value)


class Catalog:
    """The validated table (``df``, indexed by id) with alias-aware lookup returning Systems."""

    def __init__(self, df: pd.DataFrame, sources: dict[str, Source], path: Path):
        self.df, self.sources, self.path = df, sources, path
        self._keys: dict[str, str] = {}
        self._systems: dict[str, System] = {}
        for sid, row in df.iterrows():
            for label in [row["name"], *row["aliases"], sid]:
                self._keys.setdefault(normalise(label), str(sid))

    def __len__(self) -> int:
        return len(self.df)

    def __iter__(self) -> Iterator[System]:
        return (self.system(str(sid)) for sid in self.df.index)

    def names(self) -> list[str]:
        return [label for _, row in self.df.iterrows() for label in [row["name"], *row["aliases"]]]

    def resolve(self, name: str) -> str:
        """The id for a name or alias; UnknownNameError with suggestions otherwise."""
        sid = self._keys.get(normalise(name))
        if sid is None:
            raise UnknownNameError("system", name, suggest(name, self.names()),
                                   "expected a system name, id or alias; 'weaponsdb list' shows them all")
        return sid

    def get(self, name: str | System) -> System:
        """One system by name, id or alias (a System passes through)."""
        return name if isinstance(name, System) else self.system(self.resolve(name))

    def system(self, sid: str) -> System:
        """The System with id ``sid``, its sources resolved."""
        if sid not in self._systems:
            row = self.df.loc[sid]
            rng = RangeSpec(max_km=float(row["max_range_km"]), min_km=_float(row["min_range_km"]) or 0.0,
                            low_km=_float(row["range_low_km"]), high_km=_float(row["range_high_km"]),
                            reported=row["range_reported"], note=row["range_note"],
                            source=self.source(row["range_source"]))
            specs = {c: _float(row[c]) if c in NUMBERS else row[c] for c in SPEC_COLUMNS}
            self._systems[sid] = System(
                id=sid, name=row["name"], range=rng, aliases=tuple(row["aliases"]), country=row["country"],
                operators=tuple(row["operators"]), category=row["category"], status=row["status"],
                sources=tuple(self.source(ref) for ref in row["sources"]), specs=specs)
        return self._systems[sid]

    def source(self, ref: str) -> Source:
        """A source by id; a bare URL cited by a user's table becomes a Source of its own."""
        return self.sources.get(ref) or Source.from_url(ref)

    def filter(self, category: str | Sequence[str] | None = None, country: str | None = None,
               min_range: str | float | None = None, max_range: str | float | None = None) -> list[System]:
        """Systems matching every given filter; ranges accept distances such as ``200mi``."""
        df = self.df
        if category:
            typed = [category] if isinstance(category, str) else list(category)
            known = {normalise(c) for c in CATEGORIES}
            for c in typed:
                if normalise(c) not in known:
                    raise UnknownNameError("category", c, suggest(c, CATEGORIES), "expected one of: " + ", ".join(CATEGORIES))
            df = df[df["category"].map(normalise).isin({normalise(c) for c in typed})]
        if country:
            key = _country_key(country)
            hits = df["country"].map(lambda c: key in {normalise(p) for p in split(c)})
            if not hits.any():
                countries = sorted({p for c in self.df["country"] for p in split(c)})
                if key not in {normalise(c) for c in countries}:
                    raise UnknownNameError("country", country, suggest(country, countries),
                                           "expected a country of origin in the catalogue: " + ", ".join(countries))
            df = df[hits]
        # Ranges are stored to 0.1 km, so "75mi" (120.7008 km) must still find the 75-mile Fath-360.
        if min_range is not None:
            df = df[df["max_range_km"] >= parse_distance(min_range) - 0.05]
        if max_range is not None:
            df = df[df["max_range_km"] <= parse_distance(max_range) + 0.05]
        return [self.system(str(sid)) for sid in df.index]

    def data_date(self) -> str:
        """The newest source date: what a map caption calls the data date."""
        dates = [s.date for s in self.sources.values() if s.date]
        # A year or month alone ranks before any fuller date in it: "2025" is not later than "2025-12-01".
        return max(dates, key=lambda d: (d + "-00-00")[:10]) if dates else ""


def _country_key(text: str) -> str:
    """Normalised country name; ISO codes (US, GBR) become the GeoNames name the table uses."""
    if len(text.strip()) in (2, 3) and text.strip().isalpha():
        from .gazetteer import countries, country_code

        code = country_code(text)
        if code:
            return normalise(countries()[code]["name"])
    return normalise(text)
