"""Launch points and targets in the notations people paste: decimal, hemispheres, DMS, MGRS, place names."""

from __future__ import annotations

import math
import re

from .errors import InputError, UnknownNameError
from .mgrs import looks_like_mgrs, mgrs_to_latlon
from .model import Place

#: The old name of :class:`~weaponsdb.model.Place`, kept for code written against it.
Point = Place

ACCEPTED = (
    "expected lat,lon (50.6,36.6), hemispheres (50.6N 36.6E), DMS (50°36'00\"N 36°35'54\"E), "
    "MGRS (37UCS3003708064) or a place name (Kyiv; Odessa, US), optionally labelled (Site A=50.6,36.6)"
)
_COORD_CHARS = re.compile(r"^[\d\s.,;:°º'\"′″+\-NSEWnsewdms]+$")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?|[-+]?\.\d+")
_HEMI = re.compile(r"[NSEWnsew]")


def parse_point(text: str | Place | tuple[float, float] | list[float], *, geocode: bool = False,
                fuzzy: bool = False) -> Place:
    """A Place from any accepted notation; raises InputError naming the value and the accepted forms.

    Place names go to the offline gazetteer (:func:`weaponsdb.gazetteer.find_place`): the Place
    says what the name resolved to (``name``, ``region``, ``country``, ``match``) and, when the name
    is ambiguous, carries ``alternatives`` and a one-line ``note`` (also issued as an
    :class:`~weaponsdb.gazetteer.AmbiguousPlaceWarning`). With ``geocode=True`` a name the gazetteer
    does not know is looked up online (:mod:`weaponsdb.geocode`, OpenStreetMap Nominatim) and
    labelled ``match="geocoded"``; nothing reaches the network otherwise.
    """
    if isinstance(text, Place):
        return text
    if isinstance(text, (tuple, list)) and len(text) == 2:
        return _checked(float(text[0]), float(text[1]), None, str(text))
    raw = str(text).strip()
    label = None
    if "=" in raw:
        label, raw = (part.strip() for part in raw.rsplit("=", 1))
        if not label:
            raise InputError(f"bad point {str(text)!r}: empty label before '='; {ACCEPTED}")
    if not raw:
        raise InputError(f"bad point {str(text)!r}: empty; {ACCEPTED}")
    if re.search(r"\b(?:nan|inf|infinity)\b", raw, re.I) and len(re.split(r"[,;\s]+", raw.strip())) == 2:
        raise InputError(f"bad point {str(text)!r}: coordinates must be finite numbers; {ACCEPTED}")
    if looks_like_mgrs(raw):
        lat, lon = mgrs_to_latlon(raw)
        return _checked(lat, lon, label or raw.replace(" ", "").upper(), text)
    if any(c.isdigit() for c in raw) and _COORD_CHARS.match(raw):
        lat, lon = _coordinates(raw, text)
        return _checked(lat, lon, label, text)
    place = find_named_place(raw, geocode=geocode, fuzzy=fuzzy)
    return place.relabel(label) if label else place


def find_named_place(name: str, *, geocode: bool = False, fuzzy: bool = False) -> Place:
    """A place name through the offline gazetteer, then (only if ``geocode``) the online geocoder."""
    from .gazetteer import find_place

    try:
        return find_place(name, fuzzy=fuzzy)
    except UnknownNameError as exc:
        if geocode:
            import warnings

            from .gazetteer import PlaceWarning
            from .geocode import geocode_place

            place = geocode_place(name)
            warnings.warn(place.note, PlaceWarning, stacklevel=2)
            return place
        raise UnknownNameError(
            "place", name, exc.suggestions,
            "not in the offline gazetteer of towns over ~1,000 people, bases and launch sites; "
            "an online lookup needs --geocode; " + ACCEPTED) from None


def launch_points(texts=(), files=(), *, geocode: bool = False) -> list[Place]:
    """``--from`` values, then the points of each ``--from-file`` file, in the order given.

    Every file is read and checked before anything is returned, so a bad row stops the command
    before it writes anything (:class:`~weaponsdb.placefile.PlaceFileError`, one line per problem).
    """
    points = [parse_point(t, geocode=geocode) for t in texts]
    if files:
        from .placefile import read_places

        for path in files:
            points.extend(read_places(path, geocode=geocode))
    return points


def print_place_warnings(prefix: str = "weaponsdb: warning: ", stream=None) -> None:
    """Show place-name warnings (ambiguous, closest spelling, geocoded) as one ``prefix + note`` line each.

    For the CLI: call once at start-up. Other warnings keep Python's usual format. Each note is
    shown every time it is issued (a batch of files may name the same place twice, on purpose).
    """
    import sys
    import warnings

    from .gazetteer import PlaceWarning

    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PlaceWarning):
            print(f"{prefix}{message}", file=stream or sys.stderr, flush=True)
        else:
            previous(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    warnings.simplefilter("always", PlaceWarning)


def resolved_line(place: Place) -> str:
    """One line saying what a place name resolved to (empty for a point given as coordinates).

    ``Pokrovsk -> Pokrovsk, Donetsk Oblast, UA (48.2801, 37.1771), exact name, populated place``
    """
    if not place.match:
        return ""
    where = ", ".join(p for p in (place.name, place.region, place.country) if p)
    kind = f", {place.kind}" if place.kind else ""
    how = {"fuzzy": "closest spelling", "geocoded": "geocoded online"}.get(place.match, f"{place.match} name")
    return f"{place.label} -> {where} ({place.lat:.4f}, {place.lon:.4f}), {how}{kind}"


def _checked(lat: float, lon: float, label: str | None, text: object) -> Place:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InputError(f"bad point {str(text)!r}: coordinates must be finite numbers; {ACCEPTED}")
    if not -90.0 <= lat <= 90.0:
        raise InputError(f"bad point {str(text)!r}: latitude {lat:g} is outside -90..90; {ACCEPTED}")
    if not -180.0 <= lon <= 360.0:
        raise InputError(f"bad point {str(text)!r}: longitude {lon:g} is outside -180..180 (or 0..360); {ACCEPTED}")
    lon = lon - 360.0 if lon > 180.0 else lon
    return Place(lat, lon, label if label is not None else f"{lat:.4f}, {lon:.4f}")


def _coordinates(raw: str, text) -> tuple[float, float]:
    norm = raw.replace("′", "'").replace("″", '"').replace("º", "°").replace("''", '"')
    letters = [(m.start(), m.group().upper()) for m in _HEMI.finditer(norm)]
    letters = [(i, c) for i, c in letters if c in "NSEW" and not _unit_letter(norm, i)]
    if letters:
        if len(letters) != 2 or {letters[0][1] in "NS", letters[1][1] in "NS"} != {True, False}:
            raise InputError(f"bad point {str(text)!r}: give one N/S and one E/W hemisphere; {ACCEPTED}")
        (i, a), (j, b) = letters
        if i == 0 or not norm[:i].strip():
            parts = [(norm[i + 1:j], a), (norm[j + 1:], b)]
        else:
            if norm[j + 1:].strip():
                raise InputError(f"bad point {str(text)!r}: unexpected text after the last hemisphere letter; {ACCEPTED}")
            parts = [(norm[:i], a), (norm[i + 1:j], b)]
        values = {}
        for body, hemi in parts:
            value = _dms(body.strip(" ,;"), text)
            if value < 0:
                raise InputError(f"bad point {str(text)!r}: use either a minus sign or a hemisphere letter, not both; {ACCEPTED}")
            values["lat" if hemi in "NS" else "lon"] = -value if hemi in "SW" else value
        return values["lat"], values["lon"]
    pieces: list[str]
    if "°" in norm and "," not in norm:
        pieces = re.split(r"\s+(?=[-+]?\d+(?:\.\d+)?\s*°)", norm.strip())
    elif "," in norm or ";" in norm:
        pieces = re.split(r"[,;]", norm)
    else:
        pieces = norm.split()
    if len(pieces) != 2:
        raise InputError(f"bad point {str(text)!r}: expected exactly two coordinates, got {len(pieces)}; {ACCEPTED}")
    return _dms(pieces[0].strip(), text), _dms(pieces[1].strip(), text)


def _unit_letter(text: str, i: int) -> bool:
    """'d', 'm', 's' after a number are DMS unit marks, not hemispheres (only 's' is ambiguous)."""
    return text[i] in "s" and i > 0 and (text[i - 1].isdigit() or text[i - 1] == " ") and i + 1 < len(text)


def _dms(body: str, text) -> float:
    """Degrees from '50.6', '50°36'00"', '50 36 00' or '50d36m00s'."""
    numbers = _NUMBER.findall(body)
    leftover = _NUMBER.sub("", body)
    if not numbers or len(numbers) > 3 or re.sub(r"[\s°'\"dms]", "", leftover):
        raise InputError(f"bad point {str(text)!r}: cannot read {body!r} as a coordinate; {ACCEPTED}")
    values = [float(n) for n in numbers]
    if any(v < 0 for v in values[1:]) or any(not 0 <= v < 60 for v in values[1:]):
        raise InputError(f"bad point {str(text)!r}: minutes and seconds must be in 0..60 in {body!r}; {ACCEPTED}")
    sign = -1.0 if numbers[0].startswith("-") else 1.0
    degrees = abs(values[0]) + sum(v / 60.0 ** k for k, v in enumerate(values[1:], 1))
    return sign * degrees
