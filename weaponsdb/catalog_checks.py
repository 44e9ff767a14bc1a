"""Validation of catalogue tables: every problem found at once, as ``FILE:LINE: column: problem``.

Kept apart from lookup (``catalog.py``) so the rules a contributor must meet read in one place.
Two levels:

* **strict** (the bundled catalogue, ``weaponsdb check``): every schema-v2 column present, every
  row cited (``range_source``, ``sources``, a ``field_sources`` entry for every filled field),
  ``range_kind``/``range_measures`` given, the headline policy and the category convention held.
* **user** (a user's own CSV): only ``id``, ``name`` and ``max_range_km`` are required; rows
  without sources are allowed (they are shown as unsourced); whatever *is* filled must still be
  well-formed, and sources that are named must exist.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pandas as pd

from .errors import InputError
from .matching import normalise
from .units import EARTH_CIRCUMFERENCE_KM, KM_PER, split_distance

CATEGORIES = (
    "CRBM", "SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "ALBM", "GLCM", "ALCM", "SLCM",
    "anti-ship", "loitering munition", "guided rocket", "rocket", "SAM interceptor", "ABM interceptor",
)
#: Ballistic categories named by range, and the headline ranges (km) each covers: (above, up to and including).
CATEGORY_BANDS = {
    "CRBM": (0.0, 300.0),  # below 300 km: upper bound exclusive, see expected_category
    "SRBM": (300.0, 1000.0),
    "MRBM": (1000.0, 3000.0),
    "IRBM": (3000.0, 5500.0),
    "ICBM": (5500.0, math.inf),
}
STATUSES = ("in service", "in development", "tested", "retired")
RANGE_KINDS = ("claimed", "estimate", "demonstrated", "requirement")
RANGE_MEASURES = ("ground range", "engagement range", "combat radius", "one-way range")
#: What a category's range measures; every category not listed measures ground range (launch point to impact).
MEASURES_BY_CATEGORY = {
    "SAM interceptor": ("engagement range",),
    "ABM interceptor": ("engagement range",),
    "loitering munition": ("one-way range", "combat radius"),
}
BASINGS = ("road-mobile", "silo", "ship", "submarine", "air", "rail", "fixed")
SOURCE_KINDS = ("government", "manufacturer", "research", "press")
#: Publisher kinds counted as primary sources.
PRIMARY_KINDS = ("government", "manufacturer", "research")
#: What a user-set range is called when a user's row cites nothing.
UNSOURCED = "unsourced (your catalogue)"

COLUMNS = (
    "id", "name", "aliases", "variant_of", "country", "operators", "category", "status", "status_as_of",
    "min_range_km", "max_range_km", "range_reported", "range_low_km", "range_high_km", "range_kind",
    "range_measures", "range_note", "range_source", "length_m", "diameter_m", "launch_mass_kg", "warhead",
    "nuclear_capable", "propulsion", "guidance", "cep_m", "basing", "in_service_year", "manufacturer",
    "field_sources", "sources",
)
#: The columns a user's own table must have; every other column is optional there.
REQUIRED_COLUMNS = ("id", "name", "max_range_km")
#: Columns of schema v1 that a user's older table may still use, and their v2 names.
RENAMED_COLUMNS = {"payload": "warhead"}
NUMBERS = ("min_range_km", "max_range_km", "range_low_km", "range_high_km", "length_m", "diameter_m",
           "launch_mass_kg", "cep_m")
LISTS = ("aliases", "operators", "sources", "basing")
#: Specification columns that become ``System.specs``, in schema order.
SPEC_FIELDS = ("length_m", "diameter_m", "launch_mass_kg", "warhead", "nuclear_capable", "propulsion", "guidance",
               "cep_m", "basing", "in_service_year", "manufacturer")
#: Filled fields that need a ``field_sources`` entry (``max_range_km`` is covered by ``range_source``).
CITED_FIELDS = ("operators", "status", "min_range_km", "range_low_km", "range_high_km", *SPEC_FIELDS, "variant_of")
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "date", "kind")
SOURCE_REQUIRED = ("id", "title", "url")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def expected_category(max_km: float) -> str:
    """The ballistic category a headline range falls in: CRBM < 300 <= SRBM <= 1,000 < MRBM <= 3,000 < IRBM <= 5,500 < ICBM."""
    if max_km < 300:
        return "CRBM"
    return next(cat for cat, (_, top) in CATEGORY_BANDS.items() if cat != "CRBM" and max_km <= top)


def problems(systems: pd.DataFrame, systems_path: Path, sources: pd.DataFrame, sources_path: Path, *,
             strict: bool = True, other_ids: frozenset[str] = frozenset(),
             taken_names: Mapping[str, str] | None = None, known_sources: frozenset[str] = frozenset()) -> list[str]:
    """Every problem in a systems table and the sources table it cites; empty when both are valid.

    ``other_ids`` are ids from another table that ``variant_of`` may name (the bundled catalogue,
    when a user's rows are added to it); ``taken_names`` maps normalised names already used there
    to a description, so a user's row cannot take a bundled system's name; ``known_sources`` are
    source ids the rows may cite besides those in ``sources``.
    """
    found = check_sources(sources, sources_path, strict=strict)
    known = known_sources | (set(sources["id"]) if "id" in sources.columns else set())
    kinds = dict(zip(sources["id"].str.strip(), sources["kind"].str.strip(), strict=False)) \
        if {"id", "kind"} <= set(sources.columns) else {}
    return found + check_systems(systems, systems_path, frozenset(known), strict=strict, other_ids=other_ids,
                                 taken_names=taken_names or {}, source_kinds=kinds)


def read_csv(path: Path) -> pd.DataFrame:
    """The table as text cells; ``attrs["lines"]`` holds each row's first line in the file."""
    if not path.is_file():
        raise InputError(f"catalogue file {str(path)!r} not found: expected a CSV file in the format of data/systems.csv")
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" export starts with a byte-order mark.
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
        df.attrs["lines"] = _record_lines(path)[1:]
        df.columns = [str(c).strip() for c in df.columns]
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


def line_of(df: pd.DataFrame, i: int) -> int:
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


def parse_field_sources(cell: str) -> dict[str, list[str]]:
    """``'status=a;warhead=a|b'`` -> ``{'status': ['a'], 'warhead': ['a', 'b']}``; ValueError on a malformed entry."""
    out: dict[str, list[str]] = {}
    for entry in split(cell):
        field, eq, refs = entry.partition("=")
        ids = [r.strip() for r in refs.split("|") if r.strip()]
        if not eq or not field.strip() or not ids:
            raise ValueError(entry)
        out.setdefault(field.strip(), []).extend(i for i in ids if i not in out.get(field.strip(), []))
    return out


def format_field_sources(mapping: Mapping[str, list[str] | tuple[str, ...]]) -> str:
    """The inverse of :func:`parse_field_sources`, fields in schema order."""
    order = {f: i for i, f in enumerate(COLUMNS)}
    return ";".join(f"{f}={'|'.join(ids)}" for f, ids in sorted(mapping.items(), key=lambda kv: order.get(kv[0], 999)) if ids)


def valid_date(text: str) -> bool:
    m = _DATE.match(text.strip())
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def date_key(text: str) -> str:
    """Sort key for a partial date: a year or month alone ranks before any fuller date in it."""
    return (text.strip() + "-00-00")[:10]


def prepare(df: pd.DataFrame, path: Path, *, strict: bool) -> tuple[pd.DataFrame, list[str]]:
    """The table with every schema column present (optional ones added empty) and the column problems.

    A table missing columns gets ONE problem line naming them all; without the required columns
    the rows are not checked further.
    """
    df = df.copy()
    for old, new in RENAMED_COLUMNS.items():
        if old in df.columns and new not in df.columns and not strict:
            df[new] = df[old]
    needed = COLUMNS if strict else REQUIRED_COLUMNS
    missing = [c for c in needed if c not in df.columns]
    if missing:
        what = "column" if len(missing) == 1 else "columns"
        hint = ("the bundled schema needs every column: " + ", ".join(COLUMNS)) if strict else \
            ("a catalogue needs at least " + ", ".join(REQUIRED_COLUMNS) + "; other columns are optional")
        return df, [f"{path}:1: {missing[0]}: missing {what} {', '.join(missing)} ({hint})"]
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = ""
    return df, []


def check_sources(df: pd.DataFrame, path: Path, *, strict: bool = True) -> list[str]:
    needed = SOURCE_COLUMNS if strict else SOURCE_REQUIRED
    missing = [c for c in needed if c not in df.columns]
    if missing:
        what = "column" if len(missing) == 1 else "columns"
        return [f"{path}:1: {missing[0]}: missing {what} {', '.join(missing)} (sources.csv columns: {', '.join(SOURCE_COLUMNS)})"]
    problems: list[str] = []
    seen: dict[str, int] = {}
    urls: dict[str, str] = {}
    for i, row in enumerate(df.astype(str).to_dict("records")):
        line = line_of(df, i)
        sid, url = row["id"].strip(), row["url"].strip()
        if not _SLUG.match(sid):
            problems.append(f"{path}:{line}: id: {row['id']!r} is not a slug (lower-case letters, digits and '-')")
        elif sid in seen:
            problems.append(f"{path}:{line}: id: duplicate id {sid!r} (first on line {seen[sid]})")
        seen.setdefault(sid, line)
        if not _URL.match(url):
            problems.append(f"{path}:{line}: url: {row['url']!r} is not an http(s) URL")
        elif strict and url in urls:
            problems.append(f"{path}:{line}: url: the same URL is already source {urls[url]!r}: cite that id")
        urls.setdefault(url, sid)
        if not row["title"].strip():
            problems.append(f"{path}:{line}: title: empty")
        kind = row.get("kind", "").strip()
        if (kind or strict) and kind not in SOURCE_KINDS:
            problems.append(f"{path}:{line}: kind: {kind!r} is not a publisher kind (expected one of: {', '.join(SOURCE_KINDS)})")
        when = row.get("date", "").strip()
        if when and not valid_date(when):
            problems.append(f"{path}:{line}: date: {when!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return problems


def check_systems(df: pd.DataFrame, path: Path, known: frozenset[str], *, strict: bool = True,
                  other_ids: frozenset[str] = frozenset(), taken_names: Mapping[str, str] | None = None,
                  source_kinds: Mapping[str, str] | None = None) -> list[str]:
    df, problems = prepare(df, path, strict=strict)
    if problems:
        return problems
    taken = dict(taken_names or {})
    all_ids = other_ids | {str(v).strip() for v in df["id"]}
    ids: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    if df.empty:
        problems.append(f"{path}:2: id: no systems: the table has a header but no rows")
    for i, row in enumerate(df.astype(str).to_dict("records")):
        row = {str(k): v.strip() for k, v in row.items()}
        line = line_of(df, i)

        def bad(column, problem, line=line):
            problems.append(f"{path}:{line}: {column}: {problem}")

        _check_identity(row, bad, ids, names, taken, line)
        _check_row(row, bad, known, all_ids, strict)
        if row["range_kind"] == "estimate" and (source_kinds or {}).get(row["range_source"]) == "manufacturer":
            bad("range_kind", f"'estimate' but range_source {row['range_source']!r} is the manufacturer's: "
                              "a producer's figure is 'claimed'")
    return problems


def _check_identity(row, bad, ids, names, taken, line) -> None:
    if not _SLUG.match(row["id"]):
        bad("id", f"{row['id']!r} is not a slug (lower-case letters, digits and '-')")
    elif row["id"] in ids:
        bad("id", f"duplicate id {row['id']!r} (first on line {ids[row['id']]})")
    ids.setdefault(row["id"], line)
    if not row["name"]:
        bad("name", "empty")
    for column, label in [("name", row["name"]), *(("aliases", a) for a in split(row["aliases"]))]:
        key = normalise(label)
        if not key:
            bad("aliases", f"{label!r} has no letters or digits")
        elif key in taken:
            bad(column, f"{label!r} is already used by {taken[key]}")
        elif key in names and names[key][0] != line:
            bad(column, f"{label!r} is already used by {names[key][1]!r} on line {names[key][0]}")
        else:
            names[key] = (line, row["name"])


def _check_row(row, bad, known: frozenset[str], all_ids: frozenset[str], strict: bool) -> None:
    def need(column, what):
        if strict and not row[column]:
            bad(column, f"empty: {what}")

    if row["category"] and row["category"] not in CATEGORIES:
        bad("category", f"unknown category {row['category']!r} (expected one of: {', '.join(CATEGORIES)})")
    need("category", "give one of: " + ", ".join(CATEGORIES))
    need("country", "give the country of origin")
    if row["status"] and row["status"] not in STATUSES:
        bad("status", f"unknown status {row['status']!r} (expected one of: {', '.join(STATUSES)})")
    if row["status_as_of"] and not valid_date(row["status_as_of"]):
        bad("status_as_of", f"{row['status_as_of']!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    if strict and row["status"] and not row["status_as_of"]:
        bad("status_as_of", "empty: give the date of the newest source for the status")
    if row["variant_of"]:
        if row["variant_of"] == row["id"]:
            bad("variant_of", "a system cannot be a variant of itself")
        elif row["variant_of"] not in all_ids:
            bad("variant_of", f"{row['variant_of']!r} is not the id of a system in the catalogue")
    if row["range_kind"] and row["range_kind"] not in RANGE_KINDS:
        bad("range_kind", f"unknown range kind {row['range_kind']!r} (expected one of: {', '.join(RANGE_KINDS)})")
    need("range_kind", "say what the headline figure is: " + ", ".join(RANGE_KINDS))
    if row["range_measures"] and row["range_measures"] not in RANGE_MEASURES:
        bad("range_measures", f"unknown measure {row['range_measures']!r} (expected one of: {', '.join(RANGE_MEASURES)})")
    need("range_measures", "say what the range measures: " + ", ".join(RANGE_MEASURES))
    fits = MEASURES_BY_CATEGORY.get(row["category"], ("ground range",))
    if row["category"] in CATEGORIES and row["range_measures"] in RANGE_MEASURES and row["range_measures"] not in fits:
        bad("range_measures", f"{row['range_measures']!r} does not fit category {row['category']} "
                              f"(expected {' or '.join(repr(f) for f in fits)})")
    if row["nuclear_capable"] and row["nuclear_capable"] not in ("yes", "no"):
        bad("nuclear_capable", f"{row['nuclear_capable']!r} is not 'yes' or 'no'")
    for b in split(row["basing"]):
        if b not in BASINGS:
            bad("basing", f"unknown basing {b!r} (expected ';'-separated: {', '.join(BASINGS)})")
    if row["in_service_year"] and not (re.fullmatch(r"\d{4}", row["in_service_year"])
                                       and 1900 <= int(row["in_service_year"]) <= 2100):
        bad("in_service_year", f"{row['in_service_year']!r} is not a four-digit year")

    values = _check_numbers(row, bad)
    _check_range(row, values, bad, strict)
    _check_citations(row, bad, known, strict)


def _check_numbers(row, bad) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for col in NUMBERS:
        try:
            values[col] = number(row[col])
        except ValueError:
            bad(col, f"{row[col]!r} is not a number")
            continue
        v = values[col]
        if v is not None and v <= 0:
            bad(col, f"{row[col]!r} must be greater than zero")
    return values


def _check_range(row, values, bad, strict: bool) -> None:
    low, high, lo_r, hi_r = (values.get(c) for c in ("min_range_km", "max_range_km", "range_low_km", "range_high_km"))
    if "max_range_km" in values and high is None:
        bad("max_range_km", "empty: every system needs a maximum range")
    if high is not None and high > EARTH_CIRCUMFERENCE_KM:
        bad("max_range_km", f"{high:g} km is longer than the Equator (40,075 km)")
    if low is not None and high is not None and low > high:
        bad("min_range_km", f"{low:g} km is above max_range_km {high:g} km")
    if lo_r is not None and hi_r is not None and lo_r > hi_r:
        bad("range_low_km", f"{lo_r:g} km is above range_high_km {hi_r:g} km")
    # Headline policy: the headline is one of the sourced figures, so it lies within their spread.
    if high is not None and lo_r is not None and hi_r is not None and not lo_r - 0.05 <= high <= hi_r + 0.05:
        bad("max_range_km", f"{high:g} km lies outside range_low_km..range_high_km ({lo_r:g}..{hi_r:g})")
    elif high is not None and lo_r is not None and hi_r is None and high < lo_r - 0.05:
        bad("max_range_km", f"{high:g} km is below range_low_km {lo_r:g} km")
    elif high is not None and hi_r is not None and lo_r is None and high > hi_r + 0.05:
        bad("max_range_km", f"{high:g} km is above range_high_km {hi_r:g} km")
    if strict and lo_r is not None and hi_r is not None and lo_r < hi_r and not row["range_note"]:
        bad("range_note", f"empty: sources disagree ({lo_r:g}..{hi_r:g} km): say who says what and why the headline was chosen")
    if row["range_reported"] or strict:
        try:
            value, unit = split_distance(row["range_reported"])
            if high is not None and abs(value * KM_PER[unit] - high) > max(0.051, 0.001 * high):
                bad("range_reported",
                    f"{row['range_reported']!r} is {value * KM_PER[unit]:.1f} km but max_range_km says {high:g}")
        except InputError as exc:
            bad("range_reported", str(exc))
    # Category convention: ballistic categories by headline range (SLBM and ALBM are exempt).
    if high is not None and row["category"] in CATEGORY_BANDS:
        want = expected_category(high)
        if want != row["category"]:
            bad("category", f"{row['category']} but the headline range {high:g} km makes it {want} "
                            "(convention: CRBM < 300 km <= SRBM <= 1,000 < MRBM <= 3,000 < IRBM <= 5,500 < ICBM)")


def _check_citations(row, bad, known: frozenset[str], strict: bool) -> None:
    cited = split(row["sources"])
    if strict and not cited:
        bad("sources", "no source: every row needs at least one source with a URL")
    for ref in cited:
        if not (ref in known or (not strict and _URL.match(ref))):
            accepted = "an id from sources.csv" + ("" if strict else " or an http(s) URL")
            bad("sources", f"unknown source {ref!r} (expected {accepted})")
    if row["range_source"] and row["range_source"] not in cited:
        bad("range_source", f"{row['range_source']!r} is not among the row's sources")
    if strict and not row["range_source"]:
        bad("range_source", "empty: name the source that gives the headline range")
    try:
        mapping = parse_field_sources(row["field_sources"])
    except ValueError as exc:
        bad("field_sources", f"{exc.args[0]!r} is not 'field=source-id' (several sources: 'field=id-a|id-b')")
        return
    for field, refs in mapping.items():
        if field not in CITED_FIELDS:
            bad("field_sources", f"{field!r} is not a field that takes sources (expected one of: {', '.join(CITED_FIELDS)})")
            continue
        if not row[field]:
            bad("field_sources", f"{field} is empty but cited to {'|'.join(refs)}")
        stray = [ref for ref in refs if ref not in cited]
        if stray:
            listed = ", ".join(repr(r) for r in stray)
            verb = "is" if len(stray) == 1 else "are"
            bad("field_sources", f"{field}={'|'.join(stray)}: {listed} {verb} not among the row's sources")
    if strict:
        for field in CITED_FIELDS:
            if row[field] and field not in mapping:
                bad(field, "no source: add 'field_sources' entry "
                           f"'{field}=SOURCE-ID' naming the source that gives it, or leave it empty")
