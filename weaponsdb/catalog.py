"""The systems catalogue: a cited CSV table, validated on load and searchable by any alias.

Kept free of geometry and map imports so that ``weaponsdb show`` starts quickly.
"""

import csv
import math
import re
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import CatalogError, InputError, UnknownNameError
from .matching import normalise, suggest
from .units import KM_PER, parse_distance, split_distance

CATEGORIES = (
    "CRBM", "SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "ALBM", "GLCM", "ALCM", "SLCM",
    "anti-ship", "loitering munition", "guided rocket", "SAM interceptor", "ABM interceptor",
)
STATUSES = ("in service", "in development", "tested", "retired")
COLUMNS = (
    "id", "name", "aliases", "country", "operators", "category", "min_range_km", "max_range_km",
    "range_reported", "range_low_km", "range_high_km", "range_note", "range_source",
    "payload", "propulsion", "guidance", "cep_m", "status", "sources",
)
NUMBERS = ("min_range_km", "max_range_km", "range_low_km", "range_high_km", "cep_m")
LISTS = ("aliases", "operators", "sources")
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "date")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")


def bundled_path(name: str = "systems.csv") -> Path:
    return Path(str(resources.files("weaponsdb.data").joinpath(name)))


def load_catalog(path=None) -> "Catalog":
    """Load and validate a catalogue CSV (the bundled one by default).

    Source ids resolve against ``sources.csv`` beside the table, else the bundled sources;
    a user's table may also cite a URL directly in ``sources``. Raises CatalogError listing
    every problem as ``FILE:LINE: column: problem``.
    """
    path = Path(path) if path is not None else bundled_path()
    sources_path = path.with_name("sources.csv")
    if not sources_path.is_file():
        sources_path = bundled_path("sources.csv")
    systems = _read_csv(path)
    sources = _read_csv(sources_path)
    problems = _check_sources(sources, sources_path) + _check_systems(systems, path, sources)
    if problems:
        raise CatalogError(problems)
    return Catalog(_typed(systems), _source_lookup(sources), path)


def _read_csv(path: Path) -> pd.DataFrame:
    """The table as text cells; ``attrs["lines"]`` holds each row's first line in the file."""
    if not path.is_file():
        raise InputError(f"catalogue file {str(path)!r} not found: expected a CSV file in the format of data/systems.csv")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        df.attrs["lines"] = _record_lines(path)[1:]
        return df
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, csv.Error) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read {str(path)!r} as CSV ({first}): expected a UTF-8 CSV file with a header row") from None


def _country_key(text: str) -> str:
    """Normalised country name; ISO codes (US, GBR) become the GeoNames name the table uses."""
    if len(text.strip()) in (2, 3) and text.strip().isalpha():
        from .gazetteer import countries, country_code

        code = country_code(text)
        if code:
            return normalise(countries()[code]["name"])
    return normalise(text)


def _record_lines(path: Path) -> list[int]:
    """First line number of every non-blank CSV record; quoted cells may span several lines."""
    starts, end = [], 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                starts.append(start)
    return starts


def _line(df: pd.DataFrame, i: int) -> int:
    lines = df.attrs.get("lines") or []
    return lines[i] if i < len(lines) else i + 2


def _split(cell: str) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _number(cell: str):
    cell = str(cell).strip().replace(",", "")
    if not cell:
        return None
    value = float(cell)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def _check_sources(df: pd.DataFrame, path: Path) -> list[str]:
    problems = [f"{path}:1: {col}: missing column" for col in SOURCE_COLUMNS if col not in df.columns]
    if problems:
        return problems
    seen = {}
    for i, row in df.iterrows():
        line = _line(df, i)
        if not _SLUG.match(row["id"]):
            problems.append(f"{path}:{line}: id: {row['id']!r} is not a slug (lower-case letters, digits and '-')")
        elif row["id"] in seen:
            problems.append(f"{path}:{line}: id: duplicate id {row['id']!r} (first on line {seen[row['id']]})")
        seen.setdefault(row["id"], line)
        if not _URL.match(row["url"].strip()):
            problems.append(f"{path}:{line}: url: {row['url']!r} is not an http(s) URL")
        if not row["title"].strip():
            problems.append(f"{path}:{line}: title: empty")
    return problems


def _check_systems(df: pd.DataFrame, path: Path, sources: pd.DataFrame) -> list[str]:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        return [f"{path}:1: {c}: missing column (expected columns: {', '.join(COLUMNS)})" for c in missing]
    known = set(sources["id"]) if "id" in sources.columns else set()
    problems, ids, names = [], {}, {}
    if df.empty:
        problems.append(f"{path}:2: id: no systems: the table has a header but no rows")
    for i, row in df.iterrows():
        line = _line(df, i)
        def bad(column, problem):
            problems.append(f"{path}:{line}: {column}: {problem}")

        if not _SLUG.match(row["id"]):
            bad("id", f"{row['id']!r} is not a slug (lower-case letters, digits and '-')")
        elif row["id"] in ids:
            bad("id", f"duplicate id {row['id']!r} (first on line {ids[row['id']]})")
        ids.setdefault(row["id"], line)
        if not row["name"].strip():
            bad("name", "empty")
        for label in [row["name"], *_split(row["aliases"])]:
            key = normalise(label)
            if not key:
                bad("aliases", f"{label!r} has no letters or digits")
            elif key in names and names[key][0] != line:
                bad("aliases", f"{label!r} is already used by {names[key][1]!r} on line {names[key][0]}")
            else:
                names[key] = (line, row["name"])
        if row["category"] not in CATEGORIES:
            bad("category", f"unknown category {row['category']!r} (expected one of: {', '.join(CATEGORIES)})")
        if row["status"] and row["status"] not in STATUSES:
            bad("status", f"unknown status {row['status']!r} (expected one of: {', '.join(STATUSES)})")
        values = {}
        for col in NUMBERS:
            try:
                values[col] = _number(row[col])
            except ValueError:
                bad(col, f"{row[col]!r} is not a number")
                continue
            if values[col] is not None and values[col] <= 0:
                bad(col, f"{row[col]!r} must be greater than zero")
        low, high, lo_r, hi_r = (values.get(c) for c in ("min_range_km", "max_range_km", "range_low_km", "range_high_km"))
        if "max_range_km" in values and high is None:
            bad("max_range_km", "empty: every system needs a cited maximum range")
        if high is not None and high > 40_075:
            bad("max_range_km", f"{high:g} km is longer than the Equator (40,075 km)")
        if low is not None and high is not None and low > high:
            bad("min_range_km", f"{low:g} km is above max_range_km {high:g} km")
        if lo_r is not None and hi_r is not None and lo_r > hi_r:
            bad("range_low_km", f"{lo_r:g} km is above range_high_km {hi_r:g} km")
        if high is not None and lo_r is not None and hi_r is not None and not lo_r - 0.05 <= high <= hi_r + 0.05:
            bad("max_range_km", f"{high:g} km lies outside range_low_km..range_high_km ({lo_r:g}..{hi_r:g})")
        try:
            value, unit = split_distance(row["range_reported"])
            if high is not None and abs(value * KM_PER[unit] - high) > max(0.051, 0.001 * high):
                bad("range_reported", f"{row['range_reported']!r} is {value * KM_PER[unit]:.1f} km but max_range_km says {high:g}")
        except InputError as exc:
            bad("range_reported", str(exc))
        cited = _split(row["sources"])
        if not cited:
            bad("sources", "no source: every row needs at least one source with a URL")
        for ref in cited:
            if not (_URL.match(ref) or ref in known):
                bad("sources", f"unknown source {ref!r} (expected an id from sources.csv or an http(s) URL)")
        if row["range_source"] and row["range_source"] not in cited:
            bad("range_source", f"{row['range_source']!r} is not among the row's sources")
        if not row["range_source"]:
            bad("range_source", "empty: name the source that gives the headline range")
    return problems


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df[list(COLUMNS)].copy()
    for col in NUMBERS:
        df[col] = df[col].map(_number).astype(float)
    for col in LISTS:
        df[col] = df[col].map(_split)
    return df.set_index("id", drop=False)


def _source_lookup(df: pd.DataFrame) -> dict:
    return {row["id"]: {c: row[c].strip() for c in SOURCE_COLUMNS} for _, row in df.iterrows()}


class Catalog:
    """The validated table (``df``, indexed by id) with alias-aware lookup."""

    def __init__(self, df: pd.DataFrame, sources: dict, path: Path):
        self.df, self.sources, self.path = df, sources, path
        self._keys = {}
        for sid, row in df.iterrows():
            for label in [row["name"], *row["aliases"], sid]:
                self._keys.setdefault(normalise(label), sid)

    def __len__(self):
        return len(self.df)

    def names(self) -> list[str]:
        return [label for _, row in self.df.iterrows() for label in [row["name"], *row["aliases"]]]

    def resolve(self, name: str) -> str:
        """The id for a name or alias; UnknownNameError with suggestions otherwise."""
        sid = self._keys.get(normalise(name))
        if sid is None:
            raise UnknownNameError("system", name, suggest(name, self.names()),
                                   "expected a system name, id or alias; 'weaponsdb list' shows them all")
        return sid

    def get(self, name: str) -> dict:
        """One system as a plain dict, its sources resolved to title/publisher/url/date."""
        return self.record(self.resolve(name))

    def record(self, sid: str) -> dict:
        row = self.df.loc[sid]
        out = {}
        for col in COLUMNS:
            value = row[col]
            if col in NUMBERS:
                value = None if pd.isna(value) else float(value)
            out[col] = list(value) if col in LISTS else value
        out["sources"] = [self._source(ref) for ref in row["sources"]]
        out["range_source"] = self._source(row["range_source"])
        return out

    def _source(self, ref: str) -> dict:
        if ref in self.sources:
            return dict(self.sources[ref])
        return {"id": None, "title": ref, "publisher": "", "url": ref, "date": ""}

    def systems(self):
        for sid in self.df.index:
            yield self.record(sid)

    def filter(self, category=None, country=None, min_range=None, max_range=None) -> list[dict]:
        """Records matching every given filter; ranges accept distances such as ``200mi``."""
        df = self.df
        if category:
            typed = list(category) if isinstance(category, (list, tuple)) else [category]
            known = {normalise(c) for c in CATEGORIES}
            for c in typed:
                if normalise(c) not in known:
                    raise UnknownNameError("category", c, suggest(c, CATEGORIES), "expected one of: " + ", ".join(CATEGORIES))
            df = df[df["category"].map(normalise).isin({normalise(c) for c in typed})]
        if country:
            key = _country_key(country)
            hits = df["country"].map(lambda c: key in {normalise(p) for p in _split(c)})
            if not hits.any():
                countries = sorted({p for c in self.df["country"] for p in _split(c)})
                if key not in {normalise(c) for c in countries}:
                    raise UnknownNameError("country", country, suggest(country, countries),
                                           "expected a country of origin in the catalogue: " + ", ".join(countries))
            df = df[hits]
        # Ranges are stored to 0.1 km, so "75mi" (120.7008 km) must still find the 75-mile Fath-360.
        if min_range is not None:
            df = df[df["max_range_km"] >= parse_distance(min_range) - 0.05]
        if max_range is not None:
            df = df[df["max_range_km"] <= parse_distance(max_range) + 0.05]
        return [self.record(sid) for sid in df.index]

    def data_date(self) -> str:
        """The newest source date: what a map caption calls the data date."""
        dates = [s["date"] for s in self.sources.values() if s["date"]]
        # A year or month alone ranks before any fuller date in it: "2025" is not later than "2025-12-01".
        return max(dates, key=lambda d: (d + "-00-00")[:10]) if dates else ""
