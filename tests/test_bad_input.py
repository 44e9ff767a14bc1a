"""Every user mistake ends as exit code 2 and one stderr line naming the bad value and what is accepted.

Each case runs the real CLI in a subprocess, in a folder of its own. All selected cases run
concurrently once per session (the ``results`` fixture); each test then checks one of them:

* exit code 2, nothing on stdout, no 'Traceback' anywhere;
* stderr is exactly one non-empty line, except catalogue validation, which lists every problem
  as ``FILE:LINE: column: problem`` and ends with a summary line;
* stderr names the bad value (verbatim) and hints at what is accepted;
* the case folder is unchanged afterwards: no output file, no temporary file, and files that
  were already there keep their content.
"""

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _tables import DATA, read_rows, write_rows

PROBLEM = re.compile(r"(?P<file>.+?):(?P<line>\d+): (?P<column>[a-z_]+): (?P<problem>\S.*)")
POINT_HINT = r"expected lat,lon \(50\.6,36\.6\), hemispheres"
DIST_HINT = r"expected a number with an optional unit km, mi or nmi"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple
    values: tuple          # each must appear verbatim in stderr
    hint: str              # regex (case-insensitive) for the hint at what is accepted
    setup: Callable | None = None
    problems: tuple = ()   # catalogue validation: the exact (file, line, column) problems expected
    keep: dict = field(default_factory=dict)  # files present before the run, whose content must survive
    places: bool = False   # looks up place names (slow: run first)


def case(id, args, values, hint, **kw):
    return Case(id, tuple(args), (values,) if isinstance(values, str) else tuple(values), hint, **kw)


# --- helpers that build broken files in a case folder -----------------------------------------

def _first_lines(path: Path) -> dict[str, int]:
    """id -> physical line on which its row starts (header is line 1)."""
    out, previous = {}, 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        for row in reader:
            if previous and row:
                out.setdefault(row[0], previous + 1)
            previous = reader.line_num
    return out


SYSTEM_LINE = _first_lines(DATA / "systems.csv")
SOURCE_LINE = _first_lines(DATA / "sources.csv")
_SYSTEM_ROWS = read_rows(DATA / "systems.csv")
_ISKANDER = dict(zip(_SYSTEM_ROWS[0], next(r for r in _SYSTEM_ROWS if r[0] == "iskander-m"), strict=True))
ISKANDER_SOURCE = _ISKANDER["range_source"]
ISKANDER_FIELDS_CITED = len([f for f in _ISKANDER["field_sources"].split(";") if f.strip()])


def broken_catalog(row_id, column, value, table="systems.csv"):
    """Copy the bundled systems.csv and sources.csv into ``cat/`` and change one cell of one row."""
    def setup(folder: Path):
        cat = folder / "cat"
        cat.mkdir()
        for name in ("systems.csv", "sources.csv"):
            shutil.copy(DATA / name, cat / name)
        rows = read_rows(cat / table)
        col = rows[0].index(column)
        target = next(r for r in rows[1:] if r and r[0] == row_id)
        target[col] = value
        write_rows(cat / table, rows)
    return setup


def catalog_without_column(column):
    def setup(folder: Path):
        cat = folder / "cat"
        cat.mkdir()
        shutil.copy(DATA / "sources.csv", cat / "sources.csv")
        rows = read_rows(DATA / "systems.csv")
        col = rows[0].index(column)
        write_rows(cat / "systems.csv", [r[:col] + r[col + 1:] for r in rows])
    return setup


def files(**contents):
    """Create files (name=text; '__' in a keyword stands for '.')."""
    def setup(folder: Path):
        for name, text in contents.items():
            (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return setup


def folders(*names):
    def setup(folder: Path):
        for name in names:
            (folder / name).mkdir()
    return setup


GOOD_LAUNCH = 'launch = [ { label = "A", point = "50.6,36.6" } ]\n'


def scenario(text):
    return files(bad__toml=text)


def _unwritable_folder():
    """A folder this process cannot create files in: a read-only folder, or for root a kernel one."""
    if os.geteuid() != 0:
        return "locked", lambda folder: (folder / "locked").mkdir(mode=0o555)
    for candidate in ("/sys", "/proc"):
        try:
            fd, tmp = tempfile.mkstemp(dir=candidate)
        except OSError:
            return candidate, None
        os.close(fd)
        os.unlink(tmp)
    return None, None


UNWRITABLE, UNWRITABLE_SETUP = _unwritable_folder()
RING = ("ring", "--range", "100km", "--from")

CASES = [
    # --- system names ------------------------------------------------------------------------
    case("show-misspelt-iskandr", ["show", "Iskandr"], "'Iskandr'", r"did you mean 'Iskander-M'"),
    case("show-misspelt-tomahwak", ["show", "Tomahwak"], "'Tomahwak'", r"did you mean 'Tomahawk'"),
    case("show-misspelt-shahed-163", ["show", "Shahed-163"], "'Shahed-163'", r"did you mean 'Shahed-136'"),
    case("show-misspelt-kalibur", ["show", "Kalibur"], "'Kalibur'", r"did you mean 'Kalibr'"),
    case("show-unknown-system-no-close-name", ["show", "Xyzzy-9000"], "'Xyzzy-9000'",
         r"weaponsdb list|system name, id or alias|did you mean"),
    case("show-empty-name", ["show", ""], "''", r"weaponsdb list|system name, id or alias|empty"),
    case("ring-misspelt-system", ["ring", "Iskandr", "--from", "50,30"], "'Iskandr'", r"did you mean 'Iskander-M'"),
    case("reach-misspelt-system", ["reach", "50,30", "--from", "50,31", "--system", "Iskandr"], "'Iskandr'",
         r"did you mean 'Iskander-M'"),
    case("unknown-command", ["bogus"], "'bogus'", r"choose from 'list', 'show'"),
    # --- points ------------------------------------------------------------------------------
    case("point-empty", [*RING, ""], "''", POINT_HINT),
    case("point-latitude-91", [*RING, "91,0"], ("'91,0'", "latitude 91"), r"-90\.\.90"),
    case("point-latitude-minus-91", [*RING[:-1], "--from=-91,0"], ("'-91,0'", "latitude -91"), r"-90\.\.90"),
    case("point-longitude-minus-200", [*RING[:-1], "--from=10,-200"], ("'10,-200'", "longitude -200"), r"-180\.\.180"),
    case("point-abc-def", [*RING, "abc,def"], "'abc,def'", POINT_HINT, places=True),
    case("point-only-latitude-50N", [*RING, "50N"], "'50N'", r"one N/S and one E/W hemisphere"),
    case("point-two-north-hemispheres", [*RING, "50N 30N"], "'50N 30N'", r"one N/S and one E/W hemisphere"),
    case("point-three-coordinates", [*RING, "1,2,3"], "'1,2,3'", r"exactly two coordinates"),
    case("point-nan", [*RING, "nan,0"], "'nan,0'", r"finite numbers"),
    case("point-infinity", [*RING, "inf,0"], "'inf,0'", r"finite numbers"),
    case("point-minus-infinity-longitude", [*RING, "0,-inf"], "'0,-inf'", r"finite numbers"),
    case("point-61-minutes", [*RING, "50°61'N 30°E"], "50°61'", r"0\.\.60"),
    case("point-minus-and-hemisphere", [*RING[:-1], "--from=-50.6N 36.6E"], "'-50.6N 36.6E'",
         r"either a minus sign or a hemisphere letter"),
    case("point-trailing-text", [*RING, "50.6N 36.6E 12"], "'50.6N 36.6E 12'", r"after the last hemisphere"),
    case("point-mgrs-odd-digits", [*RING, "37UCS300370806"], "'37UCS300370806'", r"even number of digits"),
    case("point-mgrs-zone-61", [*RING, "61UCS1234"], "'61UCS1234'", r"zone 1-60"),
    case("point-mgrs-column-not-in-zone", [*RING, "38UAS1234"], "'38UAS1234'", r"column letter 'A'.*expected one of"),
    case("point-empty-label", [*RING, "=50,30"], "'=50,30'", r"empty label"),
    case("point-label-without-point", [*RING, "Site A="], "'Site A='", POINT_HINT),
    case("distance-bad-second-point", ["distance", "50,30", "50,30,1"], "'50,30,1'", r"exactly two coordinates"),
    # --- distances and ranges ----------------------------------------------------------------
    case("range-empty", ["ring", "--range", "", "--from", "50,30"], "''", DIST_HINT),
    case("range-negative", ["ring", "--range=-5km", "--from", "50,30"], "'-5km'", r"greater than zero"),
    case("range-negative-as-typed", ["ring", "--range", "-5km", "--from", "50,30"], "'-5km'", r"greater than zero"),
    case("range-zero", ["ring", "--range", "0", "--from", "50,30"], "'0'", r"greater than zero"),
    case("range-absurd-99999999km", ["ring", "--range", "99999999km", "--from", "50,30"], "'99999999km'",
         r"at most 40075\s?km"),
    case("range-unknown-unit-parsecs", ["ring", "--range", "5parsecs", "--from", "50,30"], "'parsecs'", DIST_HINT),
    case("range-nan", ["ring", "--range", "nan", "--from", "50,30"], "'nan'", DIST_HINT),
    case("range-infinity", ["ring", "--range", "inf", "--from", "50,30"], "'inf'", DIST_HINT),
    case("range-overflows-to-infinity", ["ring", "--range", "1e999km", "--from", "50,30"], "'1e999km'", DIST_HINT),
    case("min-range-above-max", ["ring", "--range", "100km", "--min-range", "200km", "--from", "50,30"],
         ("200 km", "100 km"), r"give --min-range below --range"),
    case("min-range-equal-to-max", ["ring", "--range", "100km", "--min-range", "100km", "--from", "50,30"],
         "100 km", r"below"),
    case("min-range-negative", ["ring", "--range", "100km", "--min-range=-5km", "--from", "50,30"], "'-5km'",
         r"greater than zero"),
    case("ring-no-range-no-system", ["ring", "--from", "50,30"], "--range", r"name a system or give --range"),
    case("list-min-range-parsecs", ["list", "--min-range", "5parsecs"], "'5parsecs'", DIST_HINT),
    case("list-max-range-not-a-number", ["list", "--max-range", "abc"], "'abc'", DIST_HINT),
    case("list-unknown-units", ["list", "--units", "furlongs"], "'furlongs'", r"choose from 'km', 'mi', 'nmi'"),
    case("list-unknown-category", ["list", "--category", "Loitering Munitions"], "'Loitering Munitions'",
         r"did you mean 'loitering munition'"),
    case("list-unknown-country", ["list", "--country", "Narnia"], "'Narnia'", r"did you mean|expected|one of"),
    case("ring-missing-from", ["ring", "iskander-m"], "--from", r"required"),
    case("compare-missing-from", ["compare", "iskander-m", "fath-360"], "--from", r"required"),
    # --- output files ------------------------------------------------------------------------
    case("output-format-unknown", [*RING, "50,30", "-o", "x.xyz"], "'x.xyz'", r"expected \.geojson, \.json or \.kml, or \.gpkg"),
    case("output-without-extension", [*RING, "50,30", "-o", "rings"], "'rings'", r"expected \.geojson"),
    case("map-output-not-a-map-format", ["map", "iskander-m", "--from", "50,30", "-o", "x.gif"], "'x.gif'", r"\.html.*\.png"),
    case("output-folder-missing", [*RING, "50,30", "-o", "nodir/x.geojson"], "'nodir'", r"create it"),
    case("output-path-is-a-folder", [*RING, "50,30", "-o", "out.geojson"], "'out.geojson'", r"expected a file name",
         setup=folders("out.geojson")),
    case("output-folder-unwritable", [*RING, "50,30", "-o", f"{UNWRITABLE}/out.geojson"], f"'{UNWRITABLE}'",
         r"writable", setup=UNWRITABLE_SETUP),
    case("map-output-exists-without-force", ["map", "iskander-m", "--from", "50,30", "-o", "map.html"], "'map.html'",
         r"--force", keep={"map.html": "<p>annotated by hand</p>\n"}),
    case("map-default-output-bad-point", ["map", "iskander-m", "--from", "91,0"], "'91,0'", r"-90\.\.90"),
    case("output-exists-without-force", [*RING, "50,30", "-o", "rings.geojson"], "'rings.geojson'", r"--force",
         keep={"rings.geojson": '{"made by": "a journalist, by hand"}\n'}),
    case("footprint-output-exists-without-force", ["reach", "50,30", "--system", "iskander-m", "-o", "fp.kml"],
         "'fp.kml'", r"--force", keep={"fp.kml": "<kml>edited by hand</kml>\n"}),
    # --- scenario files ----------------------------------------------------------------------
    case("scenario-missing-file", ["render", "nope.toml"], "'nope.toml'", r"expected a \.toml file"),
    case("scenario-invalid-toml", ["render", "bad.toml"], "bad.toml", r"not valid TOML",
         setup=scenario('title = "unterminated\nsystems = ["Iskander-M"]\n' + GOOD_LAUNCH)),
    case("scenario-unknown-system", ["render", "bad.toml"], "'Iskandr'", r"did you mean 'Iskander-M'",
         setup=scenario('systems = ["Iskandr"]\n' + GOOD_LAUNCH)),
    case("scenario-missing-launch", ["render", "bad.toml"], "launch", r"label = \.\.\., point = \.\.\.",
         setup=scenario('systems = ["Iskander-M"]\n')),
    case("scenario-unknown-key", ["render", "bad.toml"], "colour", r"expected title, systems",
         setup=scenario('systems = ["Iskander-M"]\ncolour = "red"\n' + GOOD_LAUNCH)),
    case("scenario-launch-latitude-91", ["render", "bad.toml"], ("launch[0]", "latitude 91"), r"-90\.\.90",
         setup=scenario('systems = ["Iskander-M"]\nlaunch = [ { label = "A", lat = 91, lon = 30 } ]\n')),
    case("scenario-launch-point-and-lat", ["render", "bad.toml"], "launch[0]", r"either point = .* or both lat and lon",
         setup=scenario('systems = ["Iskander-M"]\nlaunch = [ { point = "50,30", lat = 50, lon = 30 } ]\n')),
    case("scenario-range-parsecs", ["render", "bad.toml"], ("range", "'5parsecs'"), DIST_HINT,
         setup=scenario('systems = []\nrange = "5parsecs"\n' + GOOD_LAUNCH)),
    case("scenario-offline-not-boolean", ["render", "bad.toml"], ("offline", "'yes'"), r"true or false",
         setup=scenario('systems = ["Iskander-M"]\noffline = "yes"\n' + GOOD_LAUNCH)),
    case("scenario-batch-second-has-unknown-system", ["render", "good.toml", "bad.toml"], "'Iskandr'",
         r"did you mean 'Iskander-M'",
         setup=files(good__toml='systems = ["Iskander-M"]\n' + GOOD_LAUNCH, bad__toml='systems = ["Iskandr"]\n' + GOOD_LAUNCH)),
    case("scenario-output-not-a-map-format", ["render", "bad.toml"], "'map.gif'", r"ending in \.html",
         setup=scenario('systems = ["Iskander-M"]\noutput = "map.gif"\n' + GOOD_LAUNCH)),
    case("scenario-unknown-projection", ["render", "bad.toml"], "'globe'", r"one of auto, aeqd",
         setup=scenario('systems = ["Iskander-M"]\noutput = "map.png"\nprojection = "globe"\n' + GOOD_LAUNCH)),
    # --- compare and reach -------------------------------------------------------------------
    case("compare-unknown-country-code", ["compare", "iskander-m", "--from", "50,30", "--country", "ZZ"], "'ZZ'",
         r"alpha-2|alpha-3|did you mean"),
    case("compare-misspelt-country", ["compare", "iskander-m", "--from", "50,30", "--country", "Ukrain"], "'Ukrain'",
         r"did you mean 'Ukraine'"),
    case("targets-file-missing", ["reach", "--targets", "missing.csv", "--from", "50,30", "--system", "iskander-m"],
         "'missing.csv'", r"name,lat,lon"),
    case("targets-bad-latitude-text", ["reach", "--targets", "t.csv", "--from", "50,30", "--system", "iskander-m"],
         ("t.csv:3", "'abc'"), r"decimal degrees", setup=files(t__csv="name,lat,lon\nA,50,30\nB,abc,30\n")),
    case("targets-latitude-91", ["reach", "--targets", "t.csv", "--from", "50,30", "--system", "iskander-m"],
         ("t.csv:3", "latitude 91"), r"-90\.\.90", setup=files(t__csv="name,lat,lon\nA,50,30\nB,91,30\n")),
    case("targets-bad-header", ["reach", "--targets", "t.csv", "--from", "50,30", "--system", "iskander-m"],
         ("t.csv:1", "town,east,north"), r"lat and lon columns or a place column",
         setup=files(t__csv="town,east,north\nKyiv,1,2\n")),
    case("targets-not-utf8", ["reach", "--targets", "t.csv", "--from", "50,30", "--system", "iskander-m"], "t.csv",
         r"UTF-8", setup=lambda folder: (folder / "t.csv").write_bytes(b"name,lat,lon\nK\xf6ln,50.94,6.96\n")),
    case("compare-negative-top", ["compare", "iskander-m", "--from", "50,30", "--top=-1"], "-1", r"0 or more"),
    case("reach-no-target", ["reach", "--from", "50,30", "--system", "iskander-m"], "no target", r"--targets FILE\.csv"),
    # --- catalogue files (--catalog) ---------------------------------------------------------
    case("catalog-file-missing", ["--catalog", "nope.csv", "check"], "'nope.csv'", r"format of data/systems\.csv"),
    case("catalog-file-empty", ["--catalog", "empty.csv", "check"], "'empty.csv'", r"CSV file with a header row",
         setup=files(empty__csv="")),
    case("catalog-duplicate-id", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'fath-360'",
         r"first on line \d+", setup=broken_catalog("fateh-110", "id", "fath-360"),
         problems=(("cat/systems.csv", max(SYSTEM_LINE["fateh-110"], SYSTEM_LINE["fath-360"]), "id"),)),
    case("catalog-range-not-a-number", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'500 km'", r"is not a number",
         setup=broken_catalog("iskander-m", "max_range_km", "500 km"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "max_range_km"),)),
    case("catalog-missing-sources", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "sources",
         r"every row needs at least one source with a URL", setup=broken_catalog("iskander-m", "sources", ""),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "sources"),
                   ("cat/systems.csv", SYSTEM_LINE["iskander-m"], "range_source"),
                   *[("cat/systems.csv", SYSTEM_LINE["iskander-m"], "field_sources")] * ISKANDER_FIELDS_CITED)),
    case("catalog-min-above-max", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], ("600 km", "500 km"), r"above max_range_km",
         setup=broken_catalog("iskander-m", "min_range_km", "600"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "min_range_km"),)),
    case("catalog-unknown-category", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'Tactical BM'",
         r"expected one of: CRBM, SRBM", setup=broken_catalog("iskander-m", "category", "Tactical BM"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "category"),)),
    case("catalog-broken-on-show", ["--catalog", "cat/systems.csv", "show", "iskander-m"], "'Tactical BM'",
         r"expected one of: CRBM, SRBM", setup=broken_catalog("iskander-m", "category", "Tactical BM"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "category"),)),
    case("catalog-unknown-source-id", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'no-such-source'",
         r"expected an id from sources\.csv",
         setup=broken_catalog("iskander-m", "sources", f"{_ISKANDER['sources']};no-such-source"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "sources"),)),
    case("catalog-range-reported-wrong-unit", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'500 mi'",
         r"max_range_km says 500", setup=broken_catalog("iskander-m", "range_reported", "500 mi"),
         problems=(("cat/systems.csv", SYSTEM_LINE["iskander-m"], "range_reported"),)),
    case("catalog-source-url-without-scheme", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "'www.example.org/page'",
         r"not an http\(s\) URL", setup=broken_catalog(ISKANDER_SOURCE, "url", "www.example.org/page", "sources.csv"),
         problems=(("cat/sources.csv", SOURCE_LINE[ISKANDER_SOURCE], "url"),)),
    case("catalog-missing-column", ["--catalog", "cat/systems.csv", "--catalog-only", "check", "--strict"], "sources", r"every column: id, name",
         setup=catalog_without_column("sources"), problems=(("cat/systems.csv", 1, "sources"),)),
]

assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


@dataclass
class Result:
    code: int
    out: str
    err: str
    before: dict
    after: dict


def _snapshot(folder: Path) -> dict:
    """Every file and folder under ``folder`` (hidden ones included) with its content."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="session")
def results(request, tmp_path_factory, run_cli_at) -> dict:
    """Run every selected case concurrently, each in a fresh folder; snapshot the folder before and after."""
    selected = {item.callspec.params["case"].id for item in request.session.items
                if getattr(item, "originalname", None) == "test_bad_input" and hasattr(item, "callspec")}
    # Place lookups first: the first one builds the shared gazetteer cache while the rest run.
    cases = sorted((c for c in CASES if c.id in selected), key=lambda c: not c.places)
    base = tmp_path_factory.mktemp("bad-input")
    before = {}
    for c in cases:
        folder = base / c.id
        folder.mkdir()
        for name, text in c.keep.items():
            (folder / name).write_text(text, encoding="utf-8")
        if c.setup:
            c.setup(folder)
        before[c.id] = _snapshot(folder)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        futures = {c.id: pool.submit(run_cli_at, base / c.id, *c.args) for c in cases}
    out = {}
    for c in cases:
        code, stdout, stderr = futures[c.id].result()
        out[c.id] = Result(code, stdout, stderr, before[c.id], _snapshot(base / c.id))
    for locked in base.glob("*/locked"):
        locked.chmod(0o755)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, results):
    if case.args[-1].startswith("None/"):
        pytest.skip("no unwritable folder available to this user")
    r = results[case.id]
    report = f"\n$ weaponsdb {' '.join(repr(a) if ' ' in a or not a else a for a in case.args)}\nexit {r.code}\n" \
             f"--- stdout ---\n{r.out[:2000]}\n--- stderr ---\n{r.err[-3000:]}"
    assert "Traceback" not in r.out + r.err, report
    assert r.code == 2, report
    assert r.out == "", "nothing may be printed on stdout on error" + report
    lines = [line for line in r.err.splitlines() if line.strip()]
    if case.problems:
        *problems, summary = lines
        assert summary == f"weaponsdb: error: {len(problems)} problem(s) in the catalogue", report
        parsed = [PROBLEM.fullmatch(p) for p in problems]
        assert all(parsed), "every problem must read FILE:LINE: column: problem" + report
        found = sorted((m["file"], int(m["line"]), m["column"]) for m in parsed)
        assert found == sorted(case.problems), report
    else:
        assert len(lines) == 1, "expected exactly one non-empty stderr line" + report
    for value in case.values:
        assert value in r.err, f"stderr does not name {value!r}" + report
    assert re.search(case.hint, r.err, re.I), f"stderr does not hint at what is accepted (/{case.hint}/)" + report
    created = sorted(set(r.after) - set(r.before))
    assert not created, f"files left behind: {created}" + report
    changed = sorted(k for k in r.before if r.after.get(k) != r.before[k])
    assert not changed, f"existing files changed or removed: {changed}" + report


# --- not bad input, but found while driving the CLI ----------------------------------------------

@pytest.mark.parametrize("args", [
    ("ring", "--range", "100km", "--from", "-33.9,18.4"),
    ("distance", "-33.9,18.4", "-34,18.5"),
    ("distance", "33.9S 18.4E", "-34.0 18.5"),
    ("reach", "-34,18.5", "--from", "-33.9,18.4", "--system", "iskander-m"),
], ids=["ring-from", "distance-comma", "distance-space", "reach-from"])
def test_negative_coordinates_are_not_taken_for_options(run_cli, args):
    """Southern and western points start with '-': they must work as typed, without '=' or '--'."""
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "-33.9" in out


def test_python_dash_m_weaponsdb_runs(cli_env, tmp_path):
    """`python -m weaponsdb` is how the tests (and users without the console script on PATH) run the CLI."""
    proc = subprocess.run([sys.executable, "-m", "weaponsdb", "--version"], cwd=tmp_path, env=cli_env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("weaponsdb ")


def test_network_is_blocked_here_and_in_cli_subprocesses(cli_env, tmp_path):
    """The suite's guard refuses the network (in process and in subprocesses) but leaves loopback open."""
    guard = sys.modules["_netguard"]
    start = len(guard.ATTEMPTS)
    try:
        with pytest.raises(guard.NetworkBlocked):
            socket.create_connection(("example.com", 80), timeout=1)
        with pytest.raises(guard.NetworkBlocked):
            socket.getaddrinfo("example.com", 443)
        with socket.socket() as sock, pytest.raises(guard.NetworkBlocked):
            sock.connect(("93.184.216.34", 80))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(guard.NetworkBlocked):
            sock.sendto(b"x", ("8.8.8.8", 53))
    finally:
        del guard.ATTEMPTS[start:]
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    child = subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 80)"],
                           cwd=tmp_path, env=cli_env, capture_output=True, text=True)
    assert child.returncode != 0
    assert "network access blocked: getaddrinfo('example.com')" in child.stderr
