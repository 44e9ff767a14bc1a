"""Build data/systems.csv and data/sources.csv: the curated base rows plus the research helpers' region files.

    python data/build_catalog.py                 # merge data/regions/*/ into data/
    python data/build_catalog.py PARTS_DIR ...   # merge the region folders given (or folders of them)
    python data/build_catalog.py --stats         # print fill rates and source counts (README numbers)
    python data/build_catalog.py --from-v1 OLD_SYSTEMS OLD_SOURCES   # one-off: v1 table -> data/base/

Merge rules:

* The base is ``data/base/systems.csv`` + ``sources.csv`` (the v1 catalogue converted to schema v2).
* Region folders are read in name order; a region row whose id already exists (in the base or an
  earlier region) REPLACES that row, and the replacement is reported.
* Sources are deduplicated by id and by URL: the same id with a different URL, or the same URL
  under two ids, is a conflict; the first id is kept, rows citing the other id are rewritten to it,
  and the conflict is reported. Sources no row cites are dropped.
* Rows that fail ``weaponsdb check`` rules are dropped and reported with their problems (unless
  ``--keep-invalid``), so the written table always validates.
* Output is sorted deterministically: systems by id, sources by id; cells are stripped.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from weaponsdb import catalog_checks as checks  # noqa: E402
from weaponsdb.catalog_checks import (  # noqa: E402
    CATEGORY_BANDS,
    CITED_FIELDS,
    COLUMNS,
    PRIMARY_KINDS,
    SOURCE_COLUMNS,
    SOURCE_KINDS,
    expected_category,
    format_field_sources,
    parse_field_sources,
    split,
)

BASE = HERE / "base"
PARTS = HERE / "regions"


# --- reading and writing ---------------------------------------------------------------------------

def read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        rows = []
        for r in csv.DictReader(fh):
            if not any((v or "").strip() for v in r.values() if isinstance(v, str)):
                continue
            rows.append({str(k).strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in r.items() if k})
        return rows


def write(path: Path, columns, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


# --- v1 -> v2 (one-off) ------------------------------------------------------------------------------

RESEARCH = ("csis", "missile threat", "missile defense project", "iiss", "arms control association", "38 north",
            "federation of american scientists", "nti", "rusi", "wisconsin project", "long war journal", "fdd",
            "missile defense advocacy alliance", "congressional research", "crs", "stimson", "rand", "sipri",
            "james martin", "cns", "carnegie", "bulletin of the atomic", "chatham", "brookings", "isw",
            "institute for the study of war", "royal united services")
GOVERNMENT = ("department of", "ministry", "u.s. army", "us army", "u.s. navy", "us navy", "office of naval intelligence",
              "nasic", "defense intelligence agency", "white house", "pentagon", "nato", "bundeswehr", "mod ", "defence ministry",
              "state department")
MANUFACTURER = ("lockheed", "raytheon", "rtx", "mbda", "rafael", "israel aerospace", "boeing", "northrop", "kongsberg",
                "diehl", "saab", "hanwha", "roketsan", "brahmos aerospace", "almaz-antey", "tactical missiles corporation")


def classify(publisher: str, url: str = "") -> str:
    """Publisher kind from the publisher's name; reprints ("X (via Y)", "(excerpt of ...)") stay press."""
    p = publisher.casefold()
    if re.search(r"\b(via|reprint|excerpt|citing|repost)\b", p):
        return "press"
    host = re.sub(r"^https?://(www\.)?", "", url.casefold()).split("/")[0]
    def has(words):
        return any(re.search(rf"(?<![a-z]){re.escape(w.strip())}(?![a-z])", p) for w in words)

    if has(RESEARCH) or host.endswith(("csis.org", "iiss.org", "armscontrol.org", "38north.org",
                                                          "crsreports.congress.gov", "fas.org", "nti.org", "rusi.org")):
        return "research"
    if host.endswith((".gov", ".mil", ".gov.uk", ".mod.uk")) or has(GOVERNMENT):
        return "government"
    if has(MANUFACTURER):
        return "manufacturer"
    return "press"


def measures_for(category: str) -> str:
    if category in ("SAM interceptor", "ABM interceptor"):
        return "engagement range"
    if category == "loitering munition":
        return "one-way range"
    return "ground range"


#: Corrections applied while converting v1 rows, each backed by a source the row already cites.
V1_FIXES = {
    # Its own source (RT, 12 Dec 2023) reports Tochka-U use in December 2023.
    "tochka-u": {"status": "in service", "status_as_of": "2023-12-12",
                 "field_sources": {"status": ["rt-2023-12-12-tochka"]}},
    "er-gmlrs": {"variant_of": "gmlrs"},
    "long-neptune": {"variant_of": "r-360-neptune"},
}


def convert_v1(systems_path: Path, sources_path: Path, out: Path) -> None:
    sources = read(sources_path)
    for s in sources:
        s["kind"] = s.get("kind") or classify(s["publisher"], s["url"])
    kinds = {s["id"]: s["kind"] for s in sources}
    dates = {s["id"]: s["date"] for s in sources}
    rows = []
    for old in read(systems_path):
        r = {c: old.get(c, "") for c in COLUMNS}
        r["warhead"] = old.get("payload", "")
        refs = split(old["sources"])
        fix = V1_FIXES.get(r["id"], {})
        r.update({k: v for k, v in fix.items() if k != "field_sources"})
        if r["category"] in CATEGORY_BANDS and r["max_range_km"]:
            r["category"] = expected_category(float(r["max_range_km"]))
        r["range_measures"] = measures_for(r["category"])
        r["range_kind"] = "estimate" if kinds.get(r["range_source"]) in ("government", "research") else "claimed"
        # v1 cited the whole row: every figure came from one of the row's sources, so each filled
        # field is cited to the row's sources (its single source where it has one).
        fs = {f: list(refs) for f in CITED_FIELDS if r.get(f)}
        fs.update(fix.get("field_sources", {}))
        r["field_sources"] = format_field_sources(fs)
        status_refs = fs.get("status", refs)
        if r["status"] and not r["status_as_of"]:
            r["status_as_of"] = max((dates.get(i, "") for i in status_refs), key=checks.date_key, default="")
        rows.append(r)
    out.mkdir(parents=True, exist_ok=True)
    write(out / "systems.csv", COLUMNS, sorted(rows, key=lambda r: r["id"]))
    write(out / "sources.csv", SOURCE_COLUMNS, sorted(sources, key=lambda s: s["id"]))
    print(f"converted {len(rows)} systems, {len(sources)} sources -> {out}", file=sys.stderr)


# --- merge -----------------------------------------------------------------------------------------

def region_dirs(args: list[str]) -> list[Path]:
    out = []
    for a in args or [str(PARTS)]:
        p = Path(a)
        if (p / "systems.csv").is_file():
            out.append(p)
        else:
            out.extend(sorted(d for d in p.iterdir() if (d / "systems.csv").is_file()))
    return out


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").casefold()


def merge(regions: list[Path], base: Path = BASE, report=print) -> tuple[list[dict], list[dict]]:
    systems: dict[str, dict] = {}
    origin: dict[str, str] = {}
    sources: dict[str, dict] = {}
    by_url: dict[str, str] = {}
    for folder in [base, *regions]:
        label = "base" if folder == base else folder.name
        rename: dict[str, str] = {}
        for s in read(folder / "sources.csv"):
            sid, key = s.get("id", ""), _url_key(s.get("url", ""))
            if not sid:
                continue
            if sid in sources:
                if _url_key(sources[sid]["url"]) != key:
                    report(f"conflict: source id {sid!r} in {label} has URL {s['url']} but already {sources[sid]['url']}; "
                           "kept the first")
                else:
                    # Same source: fill what the first copy lacks (kind, date, publisher).
                    for c in SOURCE_COLUMNS:
                        if not sources[sid].get(c) and s.get(c):
                            sources[sid][c] = s[c]
                continue
            if key in by_url:
                rename[sid] = by_url[key]
                report(f"conflict: {label} source {sid!r} has the URL of {by_url[key]!r}; "
                       f"rows citing it now cite {by_url[key]!r}")
                continue
            sources[sid] = {c: s.get(c, "") for c in SOURCE_COLUMNS}
            by_url[key] = sid
        for r in read(folder / "systems.csv"):
            r = {c: r.get(c, "") for c in COLUMNS}
            if rename:
                _rename_sources(r, rename)
            sid = r["id"]
            if sid in systems:
                report(f"replace: {sid} from {origin[sid]} by {label}")
            systems[sid] = r
            origin[sid] = label
    for s in sources.values():
        if s.get("kind") not in SOURCE_KINDS:
            s["kind"] = classify(s.get("publisher", ""), s.get("url", ""))
    return [systems[k] for k in sorted(systems)], [sources[k] for k in sorted(sources)]


def _rename_sources(r: dict, rename: dict[str, str]) -> None:
    def ren(i: str) -> str:
        return rename.get(i, i)
    r["sources"] = ";".join(dict.fromkeys(ren(i) for i in split(r["sources"])))
    r["range_source"] = ren(r["range_source"])
    try:
        fs = parse_field_sources(r["field_sources"])
        r["field_sources"] = format_field_sources({f: list(dict.fromkeys(ren(i) for i in ids)) for f, ids in fs.items()})
    except ValueError:
        pass


def validate(systems: list[dict], sources: list[dict], report=print) -> tuple[list[dict], list[dict]]:
    """Drop rows (and then unused sources) until the table passes the strict checks; report each drop."""
    dropped_total = []
    while True:
        cited = {i for r in systems for i in split(r["sources"])}
        used = [s for s in sources if s["id"] in cited]
        with tempfile.TemporaryDirectory() as tmp:
            sp, op = Path(tmp) / "systems.csv", Path(tmp) / "sources.csv"
            write(sp, COLUMNS, systems)
            write(op, SOURCE_COLUMNS, used)
            sdf, odf = checks.read_csv(sp), checks.read_csv(op)
            found = checks.problems(sdf, sp, odf, op, strict=True)
            lines = sdf.attrs["lines"]
        if not found:
            return systems, used
        bad_rows: dict[int, list[str]] = defaultdict(list)
        bad_sources = []
        for p in found:
            fname, line, rest = p.split(":", 2)
            if fname.endswith("sources.csv"):
                bad_sources.append((int(line), rest.strip()))
            else:
                idx = lines.index(int(line)) if int(line) in lines else None
                if idx is not None:
                    bad_rows[idx].append(rest.strip())
        if bad_sources:
            for line, problem in bad_sources:
                report(f"source problem (line {line} of the merged sources): {problem}")
            raise SystemExit("fix the source problems above in the region files, then run again")
        for idx in sorted(bad_rows, reverse=True):
            r = systems.pop(idx)
            dropped_total.append(r["id"])
            report(f"drop: {r['id']}: " + " | ".join(bad_rows[idx]))


# --- stats -----------------------------------------------------------------------------------------

STAT_FIELDS = ("aliases", "variant_of", "operators", "status", "status_as_of", "min_range_km", "range_low_km",
               "range_high_km", "range_note", "length_m", "diameter_m", "launch_mass_kg", "warhead", "nuclear_capable",
               "propulsion", "guidance", "cep_m", "basing", "in_service_year", "manufacturer")


def stats(folder: Path = HERE) -> str:
    systems, sources = read(folder / "systems.csv"), read(folder / "sources.csv")
    kind = {s["id"]: s["kind"] for s in sources}
    n = len(systems)
    out = [f"{n} systems, {len(sources)} sources.", ""]
    cited = Counter(i for r in systems for i in set(split(r["sources"])))
    out += ["| publisher kind | sources | citations by systems | headline ranges |", "|---|---:|---:|---:|"]
    heads = Counter(kind.get(r["range_source"], "?") for r in systems)
    for k in SOURCE_KINDS:
        ids = [s["id"] for s in sources if s["kind"] == k]
        out.append(f"| {k} | {len(ids)} | {sum(cited[i] for i in ids)} | {heads[k]} |")
    primary = sum(heads[k] for k in PRIMARY_KINDS)
    out += ["", f"Headline ranges from primary sources (government, manufacturer, research): **{primary} of {n}**.", ""]
    out += ["| field | filled | rate |", "|---|---:|---:|"]
    for f in STAT_FIELDS:
        filled = sum(1 for r in systems if r.get(f))
        out.append(f"| `{f}` | {filled}/{n} | {100 * filled / n:.0f}% |" if n else f"| `{f}` | 0 | - |")
    out += ["", "| category | systems |", "|---|---:|"]
    for cat, c in sorted(Counter(r["category"] for r in systems).items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {cat} | {c} |")
    where = Counter()
    for r in systems:
        m = float(r["max_range_km"])
        lo, hi = (float(r[c]) if r[c] else None for c in ("range_low_km", "range_high_km"))
        if lo is None or hi is None or not lo < hi:
            where["one figure, or one bound only"] += 1
        else:
            where["the highest figure" if abs(m - hi) < 0.06 else "the lowest figure" if abs(m - lo) < 0.06
                  else "between the lowest and highest"] += 1
    out += ["", "Where the headline sits among the sourced figures (the policy picks the most credible source, "
            "not the high or low end):", "", "| headline is | systems |", "|---|---:|"]
    for k, c in sorted(where.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {k} | {c} |")
    out += ["", "| range_kind | systems |", "|---|---:|"]
    for k, c in sorted(Counter(r["range_kind"] for r in systems).items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"| {k} | {c} |")
    return "\n".join(out)


def update_readme(text: str, readme: Path = HERE / "README.md") -> None:
    begin, end = "<!-- stats:begin (data/build_catalog.py --stats --readme) -->", "<!-- stats:end -->"
    doc = readme.read_text(encoding="utf-8")
    if begin in doc and end in doc:
        head, _, rest = doc.partition(begin)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{begin}\n{text}\n{end}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("parts", nargs="*", help="region folders (each with systems.csv and sources.csv) or folders of them")
    ap.add_argument("--from-v1", nargs=2, metavar=("SYSTEMS", "SOURCES"), help="convert a v1 table into data/base/")
    ap.add_argument("--base", type=Path, default=BASE, help="base folder (default data/base)")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default data/)")
    ap.add_argument("--keep-invalid", action="store_true", help="write rows that fail validation too")
    ap.add_argument("--stats", action="store_true", help="print fill rates and source counts of the output folder")
    ap.add_argument("--readme", action="store_true", help="with --stats: also update the numbers in data/README.md")
    args = ap.parse_args(argv)
    if args.from_v1:
        convert_v1(Path(args.from_v1[0]), Path(args.from_v1[1]), args.base)
        return 0
    if args.stats:
        text = stats(args.out)
        print(text)
        if args.readme:
            update_readme(text)
        return 0
    regions = region_dirs(args.parts)
    print("regions: " + ", ".join(str(r) for r in regions), file=sys.stderr)
    systems, sources = merge(regions, args.base, report=lambda m: print(m, file=sys.stderr))
    if not args.keep_invalid:
        systems, sources = validate(systems, sources, report=lambda m: print(m, file=sys.stderr))
    else:
        cited = {i for r in systems for i in split(r["sources"])}
        sources = [s for s in sources if s["id"] in cited]
    write(args.out / "systems.csv", COLUMNS, systems)
    write(args.out / "sources.csv", SOURCE_COLUMNS, sources)
    print(f"wrote {len(systems)} systems, {len(sources)} sources to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
