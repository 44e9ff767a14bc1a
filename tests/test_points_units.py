"""Reading points and distances as people write them, checked against independent arithmetic.

MGRS results are checked with pyproj's UTM projection and the MGRS lettering rules written out
here (not weaponsdb.mgrs): the returned point must be the south-west corner of the referenced
square. Fuzzing asserts the only two outcomes: a valid value, or weaponsdb.errors.InputError.
"""

import math
import re

import pyproj
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from weaponsdb.errors import InputError, UnknownNameError
from weaponsdb.model import Place as Point
from weaponsdb.points import parse_point
from weaponsdb.units import parse_distance

# --- independent MGRS (WGS84, AA lettering) -------------------------------------------------------
BANDS = "CDEFGHJKLMNPQRSTUVWX"
COLUMN_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV"
_UTM = {}


def utm(zone: int, south: bool) -> pyproj.Transformer:
    key = (zone, south)
    if key not in _UTM:
        _UTM[key] = pyproj.Transformer.from_crs("EPSG:4326", f"EPSG:{(32700 if south else 32600) + zone}", always_xy=True)
    return _UTM[key]


def utm_square(lat: float, lon: float, zone: int, digits: int, nudge_m: float = 0.0):
    """(MGRS reference, south, easting, northing) in ``zone`` of the point moved ``nudge_m`` north-east."""
    south = lat < 0
    e, n = utm(zone, south).transform(lon, lat)
    e, n = e + nudge_m, n + nudge_m
    size = 10 ** (5 - digits)
    band = BANDS[min(int((lat + 80.0) // 8.0), len(BANDS) - 1)]
    column = COLUMN_SETS[(zone - 1) % 3][int(e // 100_000) - 1]
    row = ROW_LETTERS[(int(n // 100_000) + (5 if zone % 2 == 0 else 0)) % 20]
    east = str(int(e % 100_000) // size).zfill(digits) if digits else ""
    north = str(int(n % 100_000) // size).zfill(digits) if digits else ""
    return f"{zone}{band}{column}{row}{east}{north}", south, e, n


def mgrs_of(lat: float, lon: float, digits: int = 5):
    """(reference, zone, south, easting, northing) of the 10**(5-digits) m square holding the point (standard zone)."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    ref, south, e, n = utm_square(lat, lon, zone, digits)
    return ref, zone, south, e, n


def assert_sw_corner_of_square(result: Point, zone: int, south: bool, e: float, n: float, digits: int):
    """The result, projected to the same UTM zone, is the SW corner of the square holding (e, n)."""
    size = 10 ** (5 - digits)
    e0, n0 = math.floor(e / size) * size, math.floor(n / size) * size
    re_, rn = utm(zone, south).transform(result.lon, result.lat)
    tol = 1e-3  # 1 mm
    assert e0 - tol <= re_ < e0 + size and n0 - tol <= rn < n0 + size, (
        f"result projects to E{re_:.3f} N{rn:.3f}; the square is E{e0}..{e0 + size} N{n0}..{n0 + size}")
    assert abs(re_ - e0) < 0.01 and abs(rn - n0) < 0.01, "expected the square's south-west corner"


# --- decimal, hemispheres, DMS --------------------------------------------------------------------
DMS_LAT, DMS_LON = 50 + 36 / 60, 36 + 35 / 60 + 54 / 3600


@pytest.mark.parametrize("text, lat, lon", [
    ("50.6,36.6", 50.6, 36.6),
    ("50.6, 36.6", 50.6, 36.6),
    (" 50.6 , 36.6 ", 50.6, 36.6),
    ("50.6 36.6", 50.6, 36.6),
    ("50.6;36.6", 50.6, 36.6),
    ("-33.9,18.4", -33.9, 18.4),
    ("-33.9,-70.65", -33.9, -70.65),
    ("+50.6,+36.6", 50.6, 36.6),
    ("0,0", 0.0, 0.0),
    ("90,180", 90.0, 180.0),
    ("-90,-180", -90.0, -180.0),
    ("50,200", 50.0, -160.0),  # 0..360 longitudes are wrapped into -180..180
], ids=str)
def test_decimal_degrees(text, lat, lon):
    p = parse_point(text)
    assert (p.lat, p.lon) == pytest.approx((lat, lon), abs=1e-12)


@pytest.mark.parametrize("text, lat, lon", [
    ("50.6N 36.6E", 50.6, 36.6),
    ("50.6 N, 36.6 E", 50.6, 36.6),
    ("50.6n 36.6e", 50.6, 36.6),
    ("N50.6 E36.6", 50.6, 36.6),
    ("33.9S 18.4E", -33.9, 18.4),
    ("S33.9 W70.65", -33.9, -70.65),
    ("50.6S 36.6W", -50.6, -36.6),
    ("36.6E 50.6N", 50.6, 36.6),  # longitude first: the letters say which is which
    ("0N 0E", 0.0, 0.0),
], ids=str)
def test_hemisphere_letters(text, lat, lon):
    p = parse_point(text)
    assert (p.lat, p.lon) == pytest.approx((lat, lon), abs=1e-12)


@pytest.mark.parametrize("text, lat, lon", [
    ("50°36'00\"N 36°35'54\"E", DMS_LAT, DMS_LON),
    ("50°36′00″N 36°35′54″E", DMS_LAT, DMS_LON),
    ("50° 36′ 00″ N, 36° 35′ 54″ E", DMS_LAT, DMS_LON),
    ("50° 36' 00\" N 36° 35' 54\" E", DMS_LAT, DMS_LON),
    ("50°36'00''N 36°35'54''E", DMS_LAT, DMS_LON),
    ("50 36 00 N 36 35 54 E", DMS_LAT, DMS_LON),
    ("50d36m00sN 36d35m54sE", DMS_LAT, DMS_LON),
    ("50º36'00\"N 36º35'54\"E", DMS_LAT, DMS_LON),
    ("N 50°36'00\" E 36°35'54\"", DMS_LAT, DMS_LON),
    ("50°36'N 36°35'E", DMS_LAT, 36 + 35 / 60),
    ("33°54'S 18°24'E", -(33 + 54 / 60), 18 + 24 / 60),
    ("33°54'30.5\"S 70°39'W", -(33 + 54 / 60 + 30.5 / 3600), -(70 + 39 / 60)),
    ("50.6° 36.6°", 50.6, 36.6),
    ("-33°54' 18°24'", -(33 + 54 / 60), 18 + 24 / 60),
], ids=str)
def test_degrees_minutes_seconds(text, lat, lon):
    p = parse_point(text)
    assert (p.lat, p.lon) == pytest.approx((lat, lon), abs=1e-12)


# --- MGRS -----------------------------------------------------------------------------------------

MGRS_REF = re.compile(r"(\d{1,2})([C-X])([A-Z])([A-V])(\d*)")


@pytest.mark.parametrize("ref", [
    "37UCS3003708064",      # Belgorod area (the CLI's example)
    "37U CS 30037 08064",
    "37ucs3003708064",
    "31UDQ4825211954",      # Paris
    "34HBH6188143182",      # Cape Town: southern hemisphere
    "18TWL8073504695",      # New York
    "60GUV1410926672",      # Wellington, next to the 180th meridian
    "58CEU3923257811",      # McMurdo, band C
    "27WVM5618411810",      # Reykjavik, band W
    "17NQA7827600011",      # just north of the equator
    "04QFJ1928355784",      # Honolulu, zero-padded zone
], ids=str)
def test_mgrs_is_the_south_west_corner_of_the_1m_square(ref):
    """Reference strings from an independent converter (the mgrs package), checked with pyproj UTM."""
    p = parse_point(ref)
    compact = ref.replace(" ", "").upper()
    assert p.label == compact
    zone, band, column, row, digits = MGRS_REF.fullmatch(compact).groups()
    zone = int(zone)
    half = len(digits) // 2
    assert utm_square(p.lat, p.lon, zone, half, 0.5)[0] == f"{zone}{band}{column}{row}{digits}", (
        f"{ref} parsed to ({p.lat}, {p.lon})")
    assert utm_square(p.lat, p.lon, zone, half, -0.5)[0] != f"{zone}{band}{column}{row}{digits}", (
        "half a metre south-west of the result must be outside the square: the result is its SW corner")


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(lat=st.floats(-79.9, 83.9), lon=st.floats(-179.9999, 179.9999))
@example(lat=50.6, lon=36.6)
@example(lat=48.0, lon=39.0)     # on a band's southern edge
@example(lat=-0.0001, lon=3.0)   # just south of the equator
def test_mgrs_1m_reference_lands_in_its_square(lat, lon):
    ref, zone, south, e, n = mgrs_of(lat, lon, 5)
    assert_sw_corner_of_square(parse_point(ref), zone, south, e, n, 5)


@pytest.mark.parametrize("lat, lon, digits", [
    (50.6, 36.6, 0), (50.6, 36.6, 2), (-33.9, 18.4, 1),      # squares well inside their band
    (48.05, 39.0, 0), (48.005, 39.0, 2), (48.0005, 39.0, 3),  # squares straddling band U's southern edge
    (-47.95, 21.0, 0),                                        # ... and band G's, south of the equator
], ids=lambda v: str(v))
def test_mgrs_coarse_reference_lands_in_its_square(lat, lon, digits):
    """A 100 km / 1 km / 100 m square may straddle a band edge; its corner is still the square's corner."""
    ref, zone, south, e, n = mgrs_of(lat, lon, digits)
    assert_sw_corner_of_square(parse_point(ref), zone, south, e, n, digits)


# --- place names and labels -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def places(gazetteer_cache):
    """Place lookups only after the gazetteer index is built in the session's temp cache."""
    return parse_point


@pytest.mark.parametrize("name", ["Kiev", "Kyiv", "Київ", "KYIV", "kyiv"])
def test_kyiv_in_every_spelling(places, name):
    p = places(name)
    assert p.label == "Kyiv"
    assert (p.lat, p.lon) == pytest.approx((50.45, 30.52), abs=0.05)


def test_kharkov_is_kharkiv(places):
    p = places("Kharkov")
    assert p.label == "Kharkiv"
    assert (p.lat, p.lon) == pytest.approx((49.98, 36.25), abs=0.05)


def test_odessa_defaults_to_ukraine_and_a_country_picks_texas(places):
    ua, us = places("Odessa"), places("Odessa, US")
    assert (ua.lat, ua.lon) == pytest.approx((46.48, 30.74), abs=0.05)
    assert (us.lat, us.lon) == pytest.approx((31.85, -102.37), abs=0.05)
    same = [places(t) for t in ("Odessa, USA", "Odessa, United States", "Odessa, Texas")]
    assert all((p.name, p.region, p.country, p.lat, p.lon) == (us.name, us.region, us.country, us.lat, us.lon) for p in same)
    assert ua.match == "alternate" and us.match == "exact" and us.country == "US"
    assert ua.note and "Odessa, Texas, US" in ua.note  # ambiguous: said so, in one line
    assert "\n" not in ua.note


def test_unknown_place_is_a_lookup_error_naming_it(places):
    with pytest.raises(UnknownNameError) as info:
        places("Kyivz")
    assert isinstance(info.value, LookupError) and isinstance(info.value, InputError)
    assert "'Kyivz'" in str(info.value) and "Kyiv, UA" in info.value.suggestions


def test_a_doubled_letter_is_a_fuzzy_match_that_says_so(places):
    p = places("Kyivv")
    assert (p.name, p.country, p.match) == ("Kyiv", "UA", "fuzzy")
    assert "closest spelling" in p.note


@pytest.mark.parametrize("text, label", [
    ("Site A=50.6,36.6", "Site A"),
    (" Site A = 50.6N 36.6E ", "Site A"),
    ("a=b=50,30", "a=b"),
    ("Battery 3=37UCS3003708064", "Battery 3"),
    ("50.6,36.6", "50.6000, 36.6000"),
    ("37U CS 30037 08064", "37UCS3003708064"),
])
def test_labels(text, label):
    assert parse_point(text).label == label


def test_place_labels(places):
    assert places("HQ = Kyiv").label == "HQ"
    assert places("Kiev").label == "Kyiv"


def test_point_str_and_passthrough():
    p = parse_point("Site A=50.6,36.6")
    assert str(p) == "Site A (50.6000, 36.6000)"
    assert parse_point(p) is p
    q = parse_point((50.6, 36.6))
    assert (q.lat, q.lon) == (50.6, 36.6)


@pytest.mark.parametrize("text, named", [
    ("", "''"),
    ("   ", "'   '"),
    ("91,0", "latitude 91"),
    ("-90.0001,0", "latitude -90.0001"),
    ("0,-180.5", "longitude -180.5"),
    ("50N", "'50N'"),
    ("50N 30N", "'50N 30N'"),
    ("50E 30W", "'50E 30W'"),
    ("1,2,3", "'1,2,3'"),
    ("50", "'50'"),
    ("nan,0", "'nan,0'"),
    ("0,inf", "'0,inf'"),
    ("-inf,0", "'-inf,0'"),
    ("50°61'N 30°E", "50°61'"),
    ("50°30'61\"N 30°E", "50°30\\'61\""),  # the message quotes the value with repr()
    ("-50.6N 36.6E", "'-50.6N 36.6E'"),
    ("50.6N 36.6E 12", "'50.6N 36.6E 12'"),
    ("=50,30", "'=50,30'"),
    ("Site A=", "'Site A='"),
    ("37UCS300370806", "'37UCS300370806'"),
    ("61UCS1234", "'61UCS1234'"),
    ("38UAS1234", "'38UAS1234'"),
    ("0UCS1234", "'0UCS1234'"),
], ids=repr)
def test_bad_points_raise_input_error_naming_the_value(text, named):
    with pytest.raises(InputError) as info:
        parse_point(text)
    assert named in str(info.value)


# --- distances ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, km", [
    ("75mi", 120.7008),           # international mile: 1.609344 km exactly
    ("75 mi", 120.7008),
    ("75 miles", 120.7008),
    ("75 MI", 120.7008),
    ("1 mile", 1.609344),
    ("1nmi", 1.852),              # nautical mile: 1.852 km exactly
    ("270nmi", 500.04),
    ("270 nm", 500.04),
    ("5 nautical miles", 9.26),
    ("500", 500.0),
    ("500km", 500.0),
    ("500 km", 500.0),
    ("500 kilometres", 500.0),
    ("1,000km", 1000.0),
    ("1_000 km", 1000.0),
    ("2.5km", 2.5),
    (".5km", 0.5),
    ("1e3", 1000.0),
    ("10 m", 0.01),
    ("1500 metres", 1.5),
    (500, 500.0),
    (0.5, 0.5),
], ids=repr)
def test_parse_distance(text, km):
    assert parse_distance(text) == pytest.approx(km, rel=1e-15, abs=0)


def test_unit_factors_are_the_exact_definitions():
    # 75 mi is 120.7008 km exactly; the float result is the nearest double, or one ulp from it.
    assert abs(parse_distance("75mi") - 120.7008) <= math.ulp(120.7008)
    assert parse_distance("1mi") == 1.609344 and parse_distance("1nmi") == 1.852


@pytest.mark.parametrize("text, named", [
    ("", "''"),
    ("   ", "'   '"),
    ("abc", "'abc'"),
    ("km", "'km'"),
    ("5parsecs", "'parsecs'"),
    ("5 furlongs", "'furlongs'"),
    ("5 km 3", "'5 km 3'"),
    ("-5", "'-5'"),
    ("-5km", "'-5km'"),
    ("0", "'0'"),
    ("0km", "'0km'"),
    ("0.0mi", "'0.0mi'"),
    ("nan", "'nan'"),
    ("inf", "'inf'"),
    ("-inf km", "'-inf km'"),
    ("1e999", "'1e999'"),
    ("1e-999", "'1e-999'"),
    ("0x10", "'0x10'"),
    (-5, "-5"),
    (0, "0"),
    (float("nan"), "nan"),
    (float("inf"), "inf"),
    (None, "None"),
    (True, "True"),
], ids=repr)
def test_bad_distances_raise_input_error_naming_the_value(text, named):
    with pytest.raises(InputError) as info:
        parse_distance(text)
    assert named in str(info.value)
    assert "km, mi or nmi" in str(info.value)


@pytest.mark.parametrize("text", ["2,5km", "10,5 mi", "0,5"], ids=repr)
def test_decimal_comma_is_refused_not_read_as_a_thousands_separator(text):
    """'2,5km' (European decimal comma) must not silently become 25 km; '1,000km' stays 1000 km."""
    with pytest.raises(InputError):
        parse_distance(text)


@pytest.mark.parametrize("text", ["1e308nmi", "1.7976931348623157e308mi"], ids=repr)
def test_huge_distance_in_miles_does_not_overflow_to_infinity(text):
    try:
        km = parse_distance(text)
    except InputError:
        return
    assert math.isfinite(km), f"parse_distance({text!r}) returned {km}"


# --- fuzzing: a valid value or InputError, nothing else -------------------------------------------

# Text made of the characters coordinates use, so that it exercises the coordinate parser rather than
# the gazetteer (a place lookup costs ~50 ms to ~1 s; arbitrary text gets its own, smaller test).
# NaN and infinity have explicit tests and test_fuzz_parse_point_from_numbers.
COORD_ALPHABET = "0123456789.,;: °º'\"′″+-NSEWnsewdms"
coordinate_numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000)


@st.composite
def coordinate_like(draw):
    a, b = draw(coordinate_numbers), draw(coordinate_numbers)
    form = draw(st.sampled_from([
        "{a},{b}", "{a} {b}", "{a}N {b}E", "{a}S {b}W", "{a}°{m}'{s}\"N {b}°{m}'{s}\"E", "{a} {m} {s} N {b} {m} E",
        "N{a} E{b}", "{a};{b};{m}", "L={a},{b}", "{a}d{m}m{s}sN {b}dE",
    ]))
    return form.format(a=a, b=b, m=draw(st.integers(-5, 75)), s=draw(st.floats(-1, 70)))


coordinate_text = st.one_of(
    st.text(alphabet=COORD_ALPHABET, max_size=30).filter(lambda t: any(c.isdigit() for c in t)),
    coordinate_like(),
    st.from_regex(r"\A\d{1,2} ?[C-HJ-NP-X] ?[A-HJ-NP-Z][A-HJ-NP-V] ?\d{0,10}\Z"),
)


def assert_valid_point(p):
    assert isinstance(p, Point)
    assert isinstance(p.lat, float) and isinstance(p.lon, float)
    assert math.isfinite(p.lat) and math.isfinite(p.lon)
    assert -90.0 <= p.lat <= 90.0 and -180.0 <= p.lon <= 180.0
    assert isinstance(p.label, str) and p.label


def check_parse_point(text):
    try:
        p = parse_point(text)
    except InputError:
        return
    assert_valid_point(p)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=coordinate_text)
def test_fuzz_parse_point_coordinate_like_text(places, text):
    check_parse_point(text)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=30))
def test_fuzz_parse_point_arbitrary_text(places, text):
    """Most arbitrary text ends in a gazetteer lookup (~50 ms each), hence fewer examples."""
    check_parse_point(text)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(lat=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**6, 10**6),
       lon=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**6, 10**6))
def test_fuzz_parse_point_from_numbers(lat, lon):
    for value in ((lat, lon), f"{lat!r},{lon!r}", f"{lat!r} {lon!r}"):
        try:
            p = parse_point(value)
        except InputError:
            continue
        assert_valid_point(p)


distance_text = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\A[-+]?[\d,_]{0,6}\.?\d{0,4}(e[-+]?\d{1,3})? ?(km|mi|nmi|m|nm|miles|metres|parsecs|\.)?\Z"),
    st.floats().map(repr),
    st.builds("{}{}".format, st.floats(min_value=0, exclude_min=True).map(repr), st.sampled_from(["km", "mi", "nmi", " m"])),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=distance_text | st.floats() | st.integers())
def test_fuzz_parse_distance(text):
    try:
        km = parse_distance(text)
    except InputError:
        return
    assert isinstance(km, float)
    assert math.isfinite(km) and km > 0, f"parse_distance({text!r}) = {km!r}"
