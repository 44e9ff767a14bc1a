"""Distances as people write them: ``75mi``, ``500 km``, ``270nmi``; a bare number is kilometres."""

import math
import re

from .errors import InputError

#: The longest range worth drawing: once round the Equator. Beyond it a ring is the whole Earth many times.
EARTH_CIRCUMFERENCE_KM = 40_075.0
KM_PER = {"km": 1.0, "mi": 1.609344, "nmi": 1.852, "m": 0.001}
UNIT_NAMES = {
    "km": "km", "kms": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
    "mi": "mi", "mile": "mi", "miles": "mi",
    "nmi": "nmi", "nm": "nmi", "nautical mile": "nmi", "nautical miles": "nmi",
    "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
}
ACCEPTED = "a number with an optional unit km, mi or nmi (e.g. 500km, 75mi, 270nmi)"
_DIST = re.compile(r"^\s*([-+]?(?:(?:\d{1,3}(?:[,_]\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-z .]*?)\s*$", re.I)


def split_distance(text) -> tuple[float, str]:
    """``'75 mi'`` -> ``(75.0, 'mi')``; raises InputError for anything that is not a finite, positive distance."""
    m = _DIST.match(str(text))
    if not m:
        hint = " (use a dot for decimals: 2.5km)" if re.search(r"\d,\d", str(text)) else ""
        raise InputError(f"bad distance {str(text)!r}{hint}: expected {ACCEPTED}")
    number, unit = m.group(1).replace(",", "").replace("_", ""), m.group(2).strip().lower().rstrip(".") or "km"
    if unit not in UNIT_NAMES:
        raise InputError(f"unknown unit {m.group(2)!r} in {str(text)!r}: expected {ACCEPTED}")
    value = float(number)
    unit = UNIT_NAMES[unit]
    km = value * KM_PER[unit]
    if not math.isfinite(km):
        raise InputError(f"bad distance {str(text)!r}: must be a finite number; expected {ACCEPTED}")
    if km <= 0:
        raise InputError(f"bad distance {str(text)!r}: must be greater than zero; expected {ACCEPTED}")
    return value, unit


def parse_distance(text) -> float:
    """Kilometres from a distance such as ``75mi``; numbers pass through as km."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(float(text))
    value, unit = split_distance(text)
    return value * KM_PER[unit]


def parse_range(value) -> float:
    """A range in km from a number (km) or a distance text, checked to be at most the Equator's length."""
    km = parse_distance(value)
    if km > EARTH_CIRCUMFERENCE_KM:
        raise InputError(f"distance {str(value)!r} is longer than the Equator ({EARTH_CIRCUMFERENCE_KM:,.0f} km): "
                         "expected at most 40075km")
    return km


def check_range_km(max_km: float, min_km: float = 0.0) -> None:
    """The one check of a (min, max) range pair in km, wherever it was given."""
    if not (isinstance(max_km, (int, float)) and math.isfinite(max_km) and 0 < max_km <= EARTH_CIRCUMFERENCE_KM):
        raise InputError(f"bad maximum range {max_km!r} km: expected a number of km above 0 and at most 40075km")
    if not (isinstance(min_km, (int, float)) and math.isfinite(min_km) and min_km >= 0):
        raise InputError(f"bad minimum range {min_km!r} km: expected 0 or more km")
    if min_km >= max_km:
        raise InputError(f"minimum range {min_km:g} km is not below maximum range {max_km:g} km: "
                         "give --min-range below --range")


def convert(km: float, unit: str) -> float:
    return km / KM_PER[unit]


def format_distance(km: float, unit: str = "km") -> str:
    """``120.7`` -> ``'121 km'``; keeps one decimal below 100 so short ranges stay honest."""
    value = convert(km, unit)
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
