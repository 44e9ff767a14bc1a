"""MGRS grid references (``37UCS3003708064``) to latitude and longitude, through UTM with pyproj."""

import re

from .errors import InputError

BANDS = "CDEFGHJKLMNPQRSTUVWX"
_COLUMNS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
_ROWS = "ABCDEFGHJKLMNPQRSTUV"
PATTERN = re.compile(r"^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])(\d{0,10})$")


def looks_like_mgrs(text: str) -> bool:
    return bool(PATTERN.match(text.replace(" ", "").upper()))


def mgrs_to_latlon(text: str) -> tuple[float, float]:
    """South-west corner of the referenced square, as the MGRS standard defines it."""
    import pyproj

    ref = text.replace(" ", "").upper()
    m = PATTERN.match(ref)
    digits = m.group(5) if m else ""
    if not m or len(digits) % 2 or not 1 <= int(m.group(1)) <= 60:
        raise InputError(f"bad MGRS reference {text!r}: expected zone 1-60, band letter, 100 km square and an even number of digits, e.g. 37UCS3003708064")
    zone, band, col, row = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    columns = _COLUMNS[(zone - 1) % 3]
    if col not in columns:
        raise InputError(f"bad MGRS reference {text!r}: column letter {col!r} does not occur in zone {zone} (expected one of {columns})")
    half = len(digits) // 2
    scale = 10 ** (5 - half)
    east = (columns.index(col) + 1) * 100_000 + (int(digits[:half]) * scale if half else 0)
    north = ((_ROWS.index(row) - (5 if zone % 2 == 0 else 0)) % 20) * 100_000 + (int(digits[half:]) * scale if half else 0)
    south = band < "N"
    utm = pyproj.Transformer.from_crs(_utm_epsg(zone, south), "EPSG:4326", always_xy=True)
    # The row letters repeat every 2,000 km; bands are under 1,400 km tall, so the cycle whose
    # northing lies nearest the middle of the band is the right one.
    band_middle = -80.0 + 8.0 * BANDS.index(band) + (6.0 if band == "X" else 4.0)
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", _utm_epsg(zone, south), always_xy=True)
    middle = to_utm.transform(-183.0 + 6.0 * zone, band_middle)[1]
    north += 2_000_000 * round((middle - north) / 2_000_000)
    lon, lat = utm.transform(east, north)
    return lat, lon


def _utm_epsg(zone: int, south: bool) -> str:
    return f"EPSG:{(32700 if south else 32600) + zone}"
