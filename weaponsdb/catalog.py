"""The systems catalogue: a cited CSV table, validated on load and searchable by any name people type.

Rows become :class:`~weaponsdb.model.System` objects. Kept free of geometry and map imports so
that ``weaponsdb show`` starts quickly.

A user's own CSV (``load_catalog(path)``) is *added* to the bundled catalogue: a user row with the
id of a bundled row replaces it (``Catalog.overrides`` lists those ids), ``only=True`` uses the
file alone. A user's table needs only ``id,name,max_range_km``; rows that cite nothing are allowed
and marked unsourced.

Names resolve in this order: an exact name, alias or id (forgiving case, punctuation, accents and
script variants, see :mod:`weaponsdb.matching`); a name two systems share (``Zulfiqar``: Iran's
Zolfaghar and the Houthi Zulfiqar) or a family prefix covering several rows (``Iskander``,
``Hwasong``) raises :class:`AmbiguousNameError` listing them; a prefix that fits one system only
(``Kh-47M2``) finds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import catalog_checks as checks
from .catalog_checks import (
    CATEGORIES,
    COLUMNS,
    NUMBERS,
    SOURCE_COLUMNS,
    SPEC_FIELDS,
    UNSOURCED,
    number,
    parse_field_sources,
    split,
)
from .datafiles import data_file
from .errors import CatalogError, InputError, UnknownNameError
from .matching import normalise, prefixes, suggest, tokens
from .model import RangeSpec, Source, System
from .units import parse_distance

#: Catalogue columns that become ``System.specs``, in the order ``show --json`` prints them.
SPEC_COLUMNS = SPEC_FIELDS
_LIST_COLUMNS = ("aliases", "operators", "sources", "basing")
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")


class AmbiguousNameError(UnknownNameError):
    """A name that fits several systems: a family (``Iskander``) or a spelling two systems share.

    ``matches`` holds the Systems, in display order; ``suggestions`` their names; ``reason`` is
    ``"family"`` (a prefix of several names) or ``"shared"`` (the same spelling names different
    systems). The message lists every match with id, country and headline range.
    """

    def __init__(self, name: str, matches: Sequence[System], reason: str = "family"):
        self.kind, self.name, self.reason = "system", name, reason
        self.matches = list(matches)
        self.suggestions = [s.name for s in self.matches]
        listing = "; ".join(f"{s.name} [{s.id}] ({s.country or 'country not given'}, {s.category or 'no category'}, "
                            f"{s.range.max_km:g} km)" for s in self.matches)
        what = "is a name shared by" if reason == "shared" else "matches"
        accepted = "give one of these names or ids"
        InputError.__init__(self, f"{name!r} {what} {len(self.matches)} systems: {listing}; {accepted}",
                            value=name, accepted=accepted)


def load_catalog(path: str | Path | None = None, *, only: bool = False, strict: bool | None = None) -> Catalog:
    """Load and validate a catalogue: the bundled one, or the bundled one plus a user's CSV.

    ``path`` is a user's systems CSV: its rows are added to the bundled catalogue (a row with a
    bundled id replaces that row; ``Catalog.overrides`` lists them). ``only=True`` uses the file
    alone. A user's table needs only ``id``, ``name`` and ``max_range_km``; its source ids
    resolve against ``sources.csv`` beside it (else the bundled sources), and it may cite a URL
    directly in ``sources``. ``strict`` applies the bundled catalogue's rules (every column,
    every value cited, the headline policy and category convention); it defaults to True for
    the bundled catalogue and False for a user's file.

    Raises CatalogError listing every problem as ``FILE:LINE: column: problem``.
    """
    bundled = data_file("systems.csv")
    if path is None or (Path(path).resolve() == bundled.resolve() and not only):
        return _bundled(True if strict is None else strict)
    path = Path(path)
    user_strict = bool(strict)
    beside = path.with_name("sources.csv")
    if only:
        bundled_sources = _source_lookup(checks.read_csv(data_file("sources.csv")))
        sources_path = beside if beside.is_file() else data_file("sources.csv")
        systems, sources = checks.read_csv(path), checks.read_csv(sources_path)
        found = checks.problems(systems, path, sources, sources_path, strict=user_strict,
                                known_sources=frozenset() if user_strict else frozenset(bundled_sources))
        if found:
            raise CatalogError(found)
        return Catalog(_typed(checks.prepare(systems, path, strict=user_strict)[0]),
                       {**bundled_sources, **_source_lookup(sources)}, path, user_ids=frozenset(systems["id"].str.strip()))
    base = _bundled(True)
    systems = checks.read_csv(path)
    sources = checks.read_csv(beside) if beside.is_file() else pd.DataFrame(columns=list(SOURCE_COLUMNS))
    user_ids = frozenset(systems["id"].str.strip()) if "id" in systems.columns else frozenset()
    overrides = tuple(sid for sid in base.df.index if sid in user_ids)
    kept = base.df[~base.df.index.isin(user_ids)]
    taken = {normalise(label): f"bundled system {row['name']!r} ({sid}); give its id {sid!r} to replace it"
             for sid, row in kept.iterrows() for label in [row["name"], *row["aliases"]]}
    found = checks.problems(systems, path, sources, beside, strict=user_strict, other_ids=frozenset(kept.index),
                            taken_names=taken, known_sources=frozenset(base.sources))
    if found:
        raise CatalogError(found)
    user_df = _typed(checks.prepare(systems, path, strict=user_strict)[0])
    merged = pd.concat([kept, user_df])
    all_sources = {**base.sources, **_source_lookup(sources)}
    return Catalog(merged, all_sources, path, user_ids=user_ids, overrides=overrides)


_BUNDLED: dict[bool, Catalog] = {}


def _bundled(strict: bool) -> Catalog:
    """The bundled catalogue, validated once per process."""
    if strict not in _BUNDLED:
        path, sources_path = data_file("systems.csv"), data_file("sources.csv")
        systems, sources = checks.read_csv(path), checks.read_csv(sources_path)
        found = checks.problems(systems, path, sources, sources_path, strict=strict)
        if found:
            raise CatalogError(found)
        _BUNDLED[strict] = Catalog(_typed(checks.prepare(systems, path, strict=strict)[0]), _source_lookup(sources), path)
    return _BUNDLED[strict]


def check_catalog(path: str | Path | None = None, *, only: bool = False, strict: bool | None = None) -> Catalog:
    """What ``weaponsdb check`` runs: :func:`load_catalog` with the same arguments, never cached."""
    _BUNDLED.clear()
    return load_catalog(path, only=only, strict=strict)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df[list(COLUMNS)].copy()
    df.attrs = {}  # pandas deep-copies attrs (the line numbers) into every row it yields
    for col in df.columns:
        df[col] = df[col].map(lambda v: str(v).strip())
    for col in NUMBERS:
        df[col] = df[col].map(number).astype(float)
    df["in_service_year"] = df["in_service_year"].map(lambda v: int(v) if v else None).astype(object)
    for col in _LIST_COLUMNS:
        df[col] = df[col].map(split)
    return df.set_index("id", drop=False)


def _source_lookup(df: pd.DataFrame) -> dict[str, Source]:
    return {str(row["id"]).strip(): Source(**{c: str(row.get(c, "")).strip() for c in SOURCE_COLUMNS})
            for row in df.to_dict("records")}


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _natural(text: str) -> list:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in tokens(text)]


class Catalog:
    """The validated table (``df``, indexed by id) with name lookup returning Systems.

    ``path`` is the file the rows came from (the user's file when one was given);
    ``user_ids`` the ids of rows from a user's file; ``overrides`` the bundled ids a user's
    rows replaced, in catalogue order.
    """

    def __init__(self, df: pd.DataFrame, sources: dict[str, Source], path: Path, *,
                 user_ids: Iterable[str] = (), overrides: Iterable[str] = ()):
        self.df, self.sources, self.path = df, sources, path
        self.user_ids = frozenset(user_ids)
        self.overrides = tuple(overrides)
        self._systems: dict[str, System] = {}
        self._exact: dict[str, str] = {}
        self._shared: dict[str, set[str]] = {}
        self._prefix: dict[str, set[str]] = {}
        for sid, row in df.iterrows():
            labels = [row["name"], *row["aliases"]]
            for label in labels:
                self._exact.setdefault(normalise(label), str(sid))
            qualifiers = {normalise(w) for w in [*row["operators"], *split(row["country"])]}
            for label in [*labels, str(sid)]:
                for key in prefixes(label):
                    self._prefix.setdefault(key, set()).add(str(sid))
                for base in _unqualified(label, qualifiers):
                    self._shared.setdefault(base, set()).add(str(sid))
        for sid in df.index:
            self._exact.setdefault(normalise(sid), str(sid))

    def summary(self) -> str:
        """What ``weaponsdb check`` prints on success: counts, the user's rows, unsourced rows, overrides."""
        cited = {ref for refs in self.df["sources"] for ref in refs}
        parts = [f"{len(self)} systems, {len(cited)} sources"]
        if self.user_ids:
            parts.append(f"{len(self.user_ids)} from {self.path}")
        unsourced = [s for s in self.df.index if not self.df.at[s, "sources"]]
        parts.append(f"{len(unsourced)} unsourced (your catalogue)" if unsourced else "every row cited")
        notice = self.override_notice()
        return ", ".join(parts) + (f"; {notice}" if notice else "")

    def override_notice(self) -> str:
        """One line saying which bundled systems a user's file replaced; empty when none."""
        if not self.overrides:
            return ""
        names = ", ".join(f"{self._name(s)} ({s})" for s in self.overrides)
        n = len(self.overrides)
        return f"{self.path} replaces {n} bundled system{'s' if n != 1 else ''}: {names}"

    def __len__(self) -> int:
        return len(self.df)

    def __iter__(self) -> Iterator[System]:
        return (self.system(str(sid)) for sid in self.df.index)

    def __contains__(self, sid: object) -> bool:
        return sid in self.df.index

    def names(self) -> list[str]:
        return [label for _, row in self.df.iterrows() for label in [row["name"], *row["aliases"]]]

    def matches(self, name: str) -> list[System]:
        """Every system ``name`` could mean: one for an exact or unique match, several for a family or
        a shared spelling, none when nothing fits."""
        try:
            return [self.get(name)]
        except AmbiguousNameError as exc:
            return exc.matches
        except UnknownNameError:
            return []

    def resolve(self, name: str) -> str:
        """The id for a name, alias, id or unique prefix.

        AmbiguousNameError (a subclass of UnknownNameError) when it fits several systems;
        UnknownNameError with suggestions when it fits none.
        """
        if name.strip() in self.df.index:  # an id is never ambiguous
            return name.strip()
        key = normalise(name)
        exact = self._exact.get(key)
        shared = self._shared.get(key, set()) - {exact}
        if exact and not shared:
            return exact
        if shared:
            ids = ([exact] if exact else []) + sorted(shared, key=lambda s: _natural(self._name(s)))
            if len(ids) == 1:
                return ids[0]
            raise AmbiguousNameError(name, [self.system(s) for s in ids], "shared")
        family = self._prefix.get(key, set()) if len(key) >= 2 else set()
        if len(family) == 1:
            return next(iter(family))
        if family:
            ids = sorted(family, key=lambda s: (_natural(self._name(s)), s))
            raise AmbiguousNameError(name, [self.system(s) for s in ids], "family")
        raise UnknownNameError("system", name, suggest(name, self.names()),
                               "expected a system name, id or alias; 'weaponsdb list' shows them all")

    def _name(self, sid: str) -> str:
        return str(self.df.at[sid, "name"])

    def get(self, name: str | System) -> System:
        """One system by name, id, alias or unique prefix (a System passes through)."""
        return name if isinstance(name, System) else self.system(self.resolve(name))

    def system(self, sid: str) -> System:
        """The System with id ``sid``, its sources resolved."""
        if sid not in self._systems:
            row: dict[str, Any] = {str(k): v for k, v in self.df.loc[sid].items()}
            user = sid in self.user_ids
            refs = row["sources"]
            sourced_range = bool(row["range_source"])
            kind = row["range_kind"] if sourced_range or not user else UNSOURCED
            rng = RangeSpec(max_km=float(row["max_range_km"]), min_km=_float(row["min_range_km"]) or 0.0,
                            low_km=_float(row["range_low_km"]), high_km=_float(row["range_high_km"]),
                            reported=row["range_reported"], kind=kind, measures=row["range_measures"],
                            note=row["range_note"], source=self.source(row["range_source"]) if sourced_range else None)
            specs = {c: self._spec(row, c) for c in SPEC_COLUMNS}
            field_sources = {f: tuple(ids) for f, ids in parse_field_sources(row["field_sources"]).items()}
            self._systems[sid] = System(
                id=sid, name=row["name"], range=rng, aliases=tuple(row["aliases"]), country=row["country"],
                operators=tuple(row["operators"]), category=row["category"], status=row["status"],
                sources=tuple(self.source(ref) for ref in refs), specs=specs, field_sources=field_sources,
                variant_of=row["variant_of"], status_as_of=row["status_as_of"], user_catalogue=user)
        return self._systems[sid]

    @staticmethod
    def _spec(row, column):
        value = row[column]
        if column in NUMBERS:
            return _float(value)
        if column == "in_service_year":
            return None if value is None or pd.isna(value) else int(value)
        if column == "nuclear_capable":
            return {"yes": True, "no": False}.get(value)
        if column == "basing":
            return list(value) or None
        return value or None

    def source(self, ref: str) -> Source:
        """A source by id; a bare URL cited by a user's table becomes a Source of its own."""
        return self.sources.get(ref) or Source.from_url(ref)

    def variants(self, name: str | System) -> list[System]:
        """Rows recorded as variants of a system (``variant_of``), by name."""
        sid = self.get(name).id
        ids = self.df.index[self.df["variant_of"] == sid]
        return sorted((self.system(str(s)) for s in ids), key=lambda s: _natural(s.name))

    def see_also(self, name: str | System) -> list[System]:
        """Other systems a reader of ``name`` may want: its parent, its variants and rows whose names
        extend its name (``Fattah`` -> Fattah-2; ``Burkan`` -> Burkan-1, Burkan-2H)."""
        system = self.get(name)
        ids = set(self._prefix.get(normalise(system.name), set()))
        if isinstance(name, str):  # what was typed: "Kheibar" (Khorramshahr-4) -> Kheibar Shekan too
            ids |= self._prefix.get(normalise(name), set())
        ids |= {str(s) for s in self.df.index[self.df["variant_of"] == system.id]}
        if system.variant_of and system.variant_of in self.df.index:
            ids.add(system.variant_of)
        ids.discard(system.id)
        return sorted((self.system(s) for s in ids), key=lambda s: (_natural(s.name), s.id))

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
        """The newest date of a source the rows cite: what a map caption calls the data date."""
        cited = {ref for refs in self.df["sources"] for ref in refs}
        dates = [s.date for sid, s in self.sources.items() if s.date and sid in cited]
        # A year or month alone ranks before any fuller date in it: "2025" is not later than "2025-12-01".
        return max(dates, key=checks.date_key) if dates else ""


def _unqualified(label: str, qualifiers: set[str]) -> list[str]:
    """Keys a label also answers to when it is qualified by one of the row's operators or countries:
    ``Zulfiqar (Houthi)`` and ``Houthi Zulfiqar`` -> zulfiqar when an operator is "Houthis".

    Other qualifiers (``Hsiung Feng IIE (extended range)``) name a variant, not a homonym.
    """
    def operator(word: str) -> bool:
        w = normalise(word)
        return len(w) >= 4 and any(q and (q.startswith(w) or w.startswith(q)) for q in qualifiers)

    out = []
    m = _QUALIFIED.match(label)
    if m and operator(m["qualifier"]):
        out.append(normalise(m["base"]))
    first, _, rest = label.strip().partition(" ")
    if rest and operator(first):
        out.append(normalise(rest))
    return [k for k in out if k]


def _country_key(text: str) -> str:
    """Normalised country name; ISO codes (US, GBR) become the GeoNames name the table uses."""
    if len(text.strip()) in (2, 3) and text.strip().isalpha():
        from .gazetteer import countries, country_code

        code = country_code(text)
        if code:
            return normalise(countries()[code]["name"])
    return normalise(text)
