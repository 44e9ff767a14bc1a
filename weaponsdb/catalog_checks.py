"""Validation of catalogue tables: every problem found at once, as ``FILE:LINE: column: problem``.

Kept apart from lookup (``catalog.py``) so the rules a contributor must meet read in one place.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd

from .errors import InputError
from .matching import normalise
from .units import EARTH_CIRCUMFERENCE_KM, KM_PER, split_distance

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


def problems(systems: pd.DataFrame, systems_path: Path, sources: pd.DataFrame, sources_path: Path) -> list[str]:
    """Every problem in a systems table and the sources table it cites; empty when both are valid."""
    return _check_sources(sources, sources_path) + _check_systems(systems, systems_path, sources)


def read_csv(path: Path) -> pd.DataFrame:
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


def split(cell: str) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def number(cell: str) -> float | None:
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
        for label in [row["name"], *split(row["aliases"])]:
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
                values[col] = number(row[col])
            except ValueError:
                bad(col, f"{row[col]!r} is not a number")
                continue
            if values[col] is not None and values[col] <= 0:
                bad(col, f"{row[col]!r} must be greater than zero")
        low, high, lo_r, hi_r = (values.get(c) for c in ("min_range_km", "max_range_km", "range_low_km", "range_high_km"))
        if "max_range_km" in values and high is None:
            bad("max_range_km", "empty: every system needs a cited maximum range")
        if high is not None and high > EARTH_CIRCUMFERENCE_KM:
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
        cited = split(row["sources"])
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
