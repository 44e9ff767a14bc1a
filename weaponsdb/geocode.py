"""Opt-in online geocoding through geopy's Nominatim client, for places the offline gazetteer lacks.

Nothing here runs unless a caller asks for it (``parse_point(..., geocode=True)``, the CLI's
``--geocode``). Requests follow the OpenStreetMap Nominatim usage policy: an identifying user
agent, at most one request a second (geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`), and
each query asked once per run. The answer is labelled ``match="geocoded"`` and its ``note``
says where it came from, so a geocoded point is never mistaken for a gazetteer entry.

``WEAPONSDB_NOMINATIM_URL`` points the client at another Nominatim server (``http://host:port``,
e.g. a self-hosted one); ``WEAPONSDB_USER_AGENT`` sets the user agent (put a contact address in it).
"""

from __future__ import annotations

import functools
import os
from urllib.parse import urlsplit

from .errors import UnknownNameError, WeaponsDBError
from .model import Place

DEFAULT_URL = "https://nominatim.openstreetmap.org"
#: Nominatim's policy: no more than one request per second.
MIN_DELAY_SECONDS = 1.0


class GeocodeError(WeaponsDBError, RuntimeError):
    """The online geocoder could not be reached or gave an unusable answer."""


def user_agent() -> str:
    from . import __version__

    return os.environ.get("WEAPONSDB_USER_AGENT") or (
        f"weaponsdb/{__version__} (range-ring tool; opt-in place lookup; python-geopy)")


def _endpoint(url: str | None) -> tuple[str, str, str]:
    """(scheme, domain, display URL) of a Nominatim server."""
    url = url or os.environ.get("WEAPONSDB_NOMINATIM_URL") or DEFAULT_URL
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GeocodeError(f"bad Nominatim address {url!r}: expected http(s)://host[:port][/path]")
    return parts.scheme, parts.netloc + parts.path.rstrip("/"), f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


@functools.lru_cache(maxsize=4)
def _client(url: str | None, agent: str, timeout: float, min_delay: float):
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    scheme, domain, _ = _endpoint(url)
    geocoder = Nominatim(user_agent=agent, domain=domain, scheme=scheme, timeout=timeout)
    return RateLimiter(geocoder.geocode, min_delay_seconds=min_delay, max_retries=1, error_wait_seconds=2.0,
                       swallow_exceptions=False)


def _split(query: str) -> tuple[str, str | None]:
    """``"Name, UA"`` -> (``"Name"``, ``"ua"``) when the last part is a country; else (query, None)."""
    if "," in query:
        head, tail = (p.strip() for p in query.rsplit(",", 1))
        from .gazetteer import country_code

        code = country_code(tail) if tail else None
        if code and head:
            return head, code.lower()
    return query.strip(), None


@functools.lru_cache(maxsize=256)
def _lookup(query: str, url: str | None, agent: str, timeout: float, min_delay: float) -> tuple:
    from geopy.exc import GeopyError

    name, country = _split(query)
    geocode = _client(url, agent, timeout, min_delay)
    try:
        found = geocode(name, exactly_one=False, limit=5, addressdetails=True, language="en",
                        country_codes=country) or []
    except GeopyError as exc:
        raise GeocodeError(f"online geocoder at {_endpoint(url)[2]} failed for {query!r}: {exc}") from None
    return tuple(found)


def _describe(loc) -> tuple[str, str, str, str]:
    raw = getattr(loc, "raw", {}) or {}
    address = raw.get("address") or {}
    name = raw.get("name") or str(loc.address).split(",")[0].strip()
    region = address.get("state") or address.get("region") or address.get("province") or ""
    country = (address.get("country_code") or "").upper()
    kind = raw.get("addresstype") or raw.get("type") or ""
    return name, region, country, kind


def geocode_place(query: str, *, url: str | None = None, agent: str | None = None, timeout: float = 10.0,
                  min_delay_seconds: float = MIN_DELAY_SECONDS) -> Place:
    """The best Nominatim answer for ``query`` as a Place with ``match="geocoded"``.

    ``"Name, CC"`` restricts the search to a country. Other answers go to ``alternatives``; the
    ``note`` always says that the point was geocoded online, and by whom. Raises
    :class:`UnknownNameError` when the geocoder finds nothing and :class:`GeocodeError` when it
    cannot be reached.
    """
    found = _lookup(query, url, agent or user_agent(), float(timeout), float(min_delay_seconds))
    if not found:
        raise UnknownNameError("place", query, [], f"neither the offline gazetteer nor the geocoder at "
                               f"{_endpoint(url)[2]} knows it")
    best, *others = found
    name, region, country, kind = _describe(best)
    where = _endpoint(url)[2]
    alternatives = []
    for loc in others:
        n, r, c, k = _describe(loc)
        alternatives.append(f"{', '.join(p for p in (n, r, c) if p)} ({loc.latitude:.4f}, {loc.longitude:.4f}"
                            f"{', ' + k if k else ''}; geocoded)")
    described = ", ".join(p for p in (name, region, country) if p)
    note = (f"place {query!r} is not in the offline gazetteer: geocoded online by Nominatim ({where}) to "
            f"{described} ({best.latitude:.4f}, {best.longitude:.4f})"
            + (f"; {len(alternatives)} other answer(s): {'; '.join(alternatives[:3])}" if alternatives else ""))
    return Place(float(best.latitude), float(best.longitude), name, name=name, country=country, region=region,
                 match="geocoded", kind=kind, alternatives=tuple(alternatives), note=note,
                 source=f"OpenStreetMap Nominatim ({where}); data (c) OpenStreetMap contributors, ODbL")


__all__ = ["GeocodeError", "geocode_place", "user_agent"]
