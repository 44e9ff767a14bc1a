"""The systems catalogue: name matching, validation of broken tables, filters, JSON shape and the bundled data.

Broken tables are copies of a frozen schema-v2 fixture (tests/fixtures/catalog: thirteen rows taken
from the bundled catalogue) with one cell changed (csv module), validated with the bundled
catalogue's strict rules. Expected line numbers are physical lines of the file, counted with the
csv module, so a problem report points where an editor would show it.

Tests marked "CLI" shell out to ``weaponsdb``; they need the rewritten CLI (issue 10).
"""

import csv
import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _tables import DATA, FIXTURE, read_rows, write_rows

import weaponsdb
from weaponsdb.errors import CatalogError, InputError, UnknownNameError

KM_PER_UNIT = {"km": 1.0, "mi": 1.609344, "nmi": 1.852}  # international mile and nautical mile, exact
CATEGORIES = {"CRBM", "SRBM", "MRBM", "IRBM", "ICBM", "SLBM", "ALBM", "GLCM", "ALCM", "SLCM", "anti-ship",
              "loitering munition", "guided rocket", "rocket", "SAM interceptor", "ABM interceptor"}


def bundled_records() -> list[dict]:
    with (DATA / "systems.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class Table:
    """A private copy of the fixture catalogue to break, cell by cell."""

    def __init__(self, folder: Path, source: Path = FIXTURE):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.systems, self.sources = folder / "systems.csv", folder / "sources.csv"
        shutil.copy(source / "systems.csv", self.systems)
        shutil.copy(source / "sources.csv", self.sources)

    def set(self, row_id, column, value, table="systems"):
        path = self.systems if table == "systems" else self.sources
        rows = read_rows(path)
        col = rows[0].index(column)
        next(r for r in rows[1:] if r and r[0] == row_id)[col] = value
        write_rows(path, rows)
        return self

    def get(self, row_id, column, table="systems"):
        rows = read_rows(self.systems if table == "systems" else self.sources)
        return next(r for r in rows[1:] if r and r[0] == row_id)[rows[0].index(column)]

    def append(self, row, table="sources"):
        path = self.systems if table == "systems" else self.sources
        write_rows(path, [*read_rows(path), row])
        return self

    def drop_column(self, column, table="systems"):
        path = self.systems if table == "systems" else self.sources
        rows = read_rows(path)
        col = rows[0].index(column)
        write_rows(path, [r[:col] + r[col + 1:] for r in rows])
        return self

    def line(self, row_id, table="systems"):
        """The physical line (header = 1, blank lines and line breaks inside quotes counted) a row starts on."""
        path = self.systems if table == "systems" else self.sources
        return next(n for n, row in _row_starts(path) if row and row[0] == row_id)

    def problems(self, strict=True) -> list[str]:
        with pytest.raises(CatalogError) as info:
            weaponsdb.load_catalog(self.systems, only=True, strict=strict)
        return info.value.problems


@pytest.fixture
def table(tmp_path):
    return Table(tmp_path / "cat")


@pytest.fixture(scope="module")
def catalog():
    return weaponsdb.load_catalog()


def parse_problem(text: str):
    m = re.fullmatch(r"(?P<file>.+?):(?P<line>\d+): (?P<column>[a-z_]+): (?P<problem>\S.*)", text)
    assert m, f"not FILE:LINE: column: problem: {text!r}"
    return m["file"], int(m["line"]), m["column"], m["problem"]


# --- matching -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, sid", [
    ("Fath 360", "fath-360"), ("fath360", "fath-360"), ("FATEH-360", "fath-360"), ("Fath-360", "fath-360"),
    ("fateh 360", "fath-360"), ("Geran-2", "shahed-136"), ("geran 2", "shahed-136"), ("SS-26", "iskander-m"),
    ("ss26", "iskander-m"), ("Iskander M", "iskander-m"), ("iskander-m", "iskander-m"), ("9K720", "iskander-m"),
])
def test_matching_ignores_case_spaces_punctuation_and_knows_aliases(catalog, name, sid):
    assert catalog.get(name).id == sid


def test_unknown_name_is_a_lookup_error_with_suggestions():
    with pytest.raises(LookupError) as info:
        weaponsdb.load_catalog().get("Iskandr")
    err = info.value
    assert isinstance(err, UnknownNameError) and isinstance(err, InputError)
    assert err.suggestions and err.suggestions[0] == "Iskander-M"
    assert "'Iskandr'" in str(err) and "Iskander-M" in str(err)


def test_suggestions_are_names_not_ids(catalog):
    with pytest.raises(UnknownNameError) as info:
        catalog.get("Shahed-163")
    assert info.value.suggestions[0] == "Shahed-136"


# --- validation: one rule, one broken cell --------------------------------------------------------

def fixture_records() -> list[dict]:
    with (FIXTURE / "systems.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _iskander_source():
    return next(r["range_source"] for r in fixture_records() if r["id"] == "iskander-m")


def _new_source(sid="new-source", url="https://example.org/", kind="press", when="2024"):
    return [sid, "A title", "Pub", url, when, kind]


# (id, how to break the table, [(row id for the line or 1 for the header, table, column)], message regex)
RULES = [
    ("id-not-a-slug", lambda t: t.set("iskander-m", "id", "Iskander M"),
     [("Iskander M", "systems", "id")], r"'Iskander M' is not a slug"),
    ("duplicate-id", lambda t: t.set("fateh-110", "id", "fath-360"),
     [("fath-360#2", "systems", "id")], r"duplicate id 'fath-360' \(first on line \d+\)"),
    ("empty-name", lambda t: t.set("iskander-m", "name", ""),
     [("iskander-m", "systems", "name"), ("iskander-m", "systems", "aliases")], r"empty"),
    ("alias-without-letters", lambda t: t.set("iskander-m", "aliases", "9K720;--"),
     [("iskander-m", "systems", "aliases")], r"'--' has no letters or digits"),
    ("alias-used-by-another-system", lambda t: t.set("kalibr", "aliases", "3M-14;SS-26"),
     [("kalibr", "systems", "aliases")], r"'SS-26' is already used by 'Iskander-M' on line \d+"),
    ("native-alias-used-by-another-system", lambda t: t.set("kalibr", "aliases", "3M-14;فتح ٣٦٠"),
     [("kalibr", "systems", "aliases")], r"'فتح ٣٦٠' is already used by 'Fath-360'"),
    ("unknown-category", lambda t: t.set("iskander-m", "category", "SRBM (quasi-ballistic)"),
     [("iskander-m", "systems", "category")], r"unknown category 'SRBM \(quasi-ballistic\)' \(expected one of: CRBM"),
    ("unknown-status", lambda t: t.set("iskander-m", "status", "active"),
     [("iskander-m", "systems", "status")], r"unknown status 'active' \(expected one of: in service"),
    ("number-not-numeric", lambda t: t.set("iskander-m", "max_range_km", "about 500"),
     [("iskander-m", "systems", "max_range_km")], r"'about 500' is not a number"),
    ("range-not-numeric", lambda t: t.set("iskander-m", "max_range_km", "five hundred"),
     [("iskander-m", "systems", "max_range_km")], r"'five hundred' is not a number"),
    ("number-not-positive", lambda t: t.set("fateh-110", "length_m", "-5"),
     [("fateh-110", "systems", "length_m")], r"'-5' must be greater than zero"),
    ("max-range-empty", lambda t: t.set("iskander-m", "max_range_km", ""),
     [("iskander-m", "systems", "max_range_km")], r"empty: every system needs a maximum range"),
    ("min-above-max", lambda t: t.set("iskander-m", "min_range_km", "600"),
     [("iskander-m", "systems", "min_range_km")], r"600 km is above max_range_km 500 km"),
    ("max-outside-sourced-low-high", lambda t: t.set("fath-360", "range_high_km", "120.5"),
     [("fath-360", "systems", "max_range_km")], r"120\.7 km lies outside range_low_km\.\.range_high_km \(120\.\.120\.5\)"),
    ("low-above-high", lambda t: t.set("fath-360", "range_low_km", "130"),
     [("fath-360", "systems", "range_low_km"), ("fath-360", "systems", "max_range_km")],
     r"130 km is above range_high_km 120\.7 km"),
    ("max-above-the-only-high", lambda t: t.set("tomahawk", "range_high_km", "1500"),
     [("tomahawk", "systems", "max_range_km")], r"1609\.3 km is above range_high_km 1500 km"),
    ("range-reported-unreadable", lambda t: t.set("iskander-m", "range_reported", "about 500 km"),
     [("iskander-m", "systems", "range_reported")], r"'about 500 km'"),
    ("range-reported-other-unit", lambda t: t.set("iskander-m", "range_reported", "500 mi"),
     [("iskander-m", "systems", "range_reported")], r"'500 mi' is 804\.7 km but max_range_km says 500"),
    ("range-reported-empty", lambda t: t.set("iskander-m", "range_reported", ""),
     [("iskander-m", "systems", "range_reported")], r"range_reported"),
    ("no-sources", lambda t: t.set("er-gmlrs", "sources", ""),
     [("er-gmlrs", "systems", "sources"), ("er-gmlrs", "systems", "range_source"), ("er-gmlrs", "systems", "field_sources")],
     r"no source: every row needs at least one source with a URL"),
    ("unknown-source", lambda t: t.set("iskander-m", "sources", t.get("iskander-m", "sources") + ";no-such-source"),
     [("iskander-m", "systems", "sources")], r"unknown source 'no-such-source'"),
    ("url-as-source-is-for-user-tables-only", lambda t: t.set("iskander-m", "sources", t.get("iskander-m", "sources") + ";https://example.org/x"),
     [("iskander-m", "systems", "sources")], r"unknown source 'https://example.org/x' \(expected an id from sources.csv\)"),
    ("range-source-not-cited", lambda t: t.set("iskander-m", "range_source", "itv-2024-09-10"),
     [("iskander-m", "systems", "range_source")], r"'itv-2024-09-10' is not among the row's sources"),
    ("range-source-empty", lambda t: t.set("iskander-m", "range_source", ""),
     [("iskander-m", "systems", "range_source")], r"empty: name the source that gives the headline range"),
    ("missing-column", lambda t: t.drop_column("range_reported"),
     [(1, "systems", "range_reported")], r"missing column range_reported \(the bundled schema needs every column: id, name"),
    ("missing-columns-are-one-line", lambda t: t.drop_column("range_kind").drop_column("warhead").drop_column("basing"),
     [(1, "systems", "range_kind")], r"missing columns range_kind, warhead, basing"),
    ("source-url-not-http", lambda t: t.set(_iskander_source(), "url", "javascript:alert(1)", "sources"),
     [(_iskander_source(), "sources", "url")], r"'javascript:alert\(1\)' is not an http\(s\) URL"),
    ("source-title-empty", lambda t: t.set(_iskander_source(), "title", "", "sources"),
     [(_iskander_source(), "sources", "title")], r"title: empty"),
    ("source-id-not-a-slug", lambda t: t.append(_new_source("New Source")),
     [("New Source", "sources", "id")], r"'New Source' is not a slug"),
    ("duplicate-source-id", lambda t: t.append(_new_source(_iskander_source())),
     [(_iskander_source() + "#2", "sources", "id")], rf"duplicate id '{_iskander_source()}' \(first on line \d+\)"),
    ("duplicate-source-url", lambda t: t.append(_new_source(url=t.get(_iskander_source(), "url", "sources"))),
     [("new-source", "sources", "url")], rf"the same URL is already source '{_iskander_source()}'"),
    ("source-kind-unknown", lambda t: t.append(_new_source(kind="blog")),
     [("new-source", "sources", "kind")], r"'blog' is not a publisher kind \(expected one of: government, manufacturer"),
    ("source-date-not-a-date", lambda t: t.append(_new_source(when="2024-13")),
     [("new-source", "sources", "date")], r"'2024-13' is not a date"),
    ("sources-missing-column", lambda t: t.drop_column("url", "sources"),
     [(1, "sources", "url")], r"url: missing column"),
    # schema v2
    ("variant-of-unknown-id", lambda t: t.set("er-gmlrs", "variant_of", "gmlrs-x"),
     [("er-gmlrs", "systems", "variant_of")], r"'gmlrs-x' is not the id of a system in the catalogue"),
    ("variant-of-itself", lambda t: t.set("er-gmlrs", "variant_of", "er-gmlrs"),
     [("er-gmlrs", "systems", "variant_of")], r"a system cannot be a variant of itself"),
    ("status-as-of-not-a-date", lambda t: t.set("iskander-m", "status_as_of", "last year"),
     [("iskander-m", "systems", "status_as_of")], r"'last year' is not a date \(YYYY-MM-DD, YYYY-MM or YYYY\)"),
    ("status-as-of-empty", lambda t: t.set("iskander-m", "status_as_of", ""),
     [("iskander-m", "systems", "status_as_of")], r"empty: give the date of the newest source for the status"),
    ("range-kind-unknown", lambda t: t.set("iskander-m", "range_kind", "guess"),
     [("iskander-m", "systems", "range_kind")], r"unknown range kind 'guess' \(expected one of: claimed, estimate"),
    ("range-kind-empty", lambda t: t.set("iskander-m", "range_kind", ""),
     [("iskander-m", "systems", "range_kind")], r"empty: say what the headline figure is"),
    ("range-measures-unknown", lambda t: t.set("arrow-3", "range_measures", "altitude"),
     [("arrow-3", "systems", "range_measures")], r"unknown measure 'altitude'"),
    ("range-measures-does-not-fit-the-category", lambda t: t.set("arrow-3", "range_measures", "ground range"),
     [("arrow-3", "systems", "range_measures")], r"'ground range' does not fit category ABM interceptor"),
    ("range-measures-of-a-missile", lambda t: t.set("tomahawk", "range_measures", "combat radius"),
     [("tomahawk", "systems", "range_measures")], r"'combat radius' does not fit category SLCM \(expected 'ground range'\)"),
    ("nuclear-capable-not-yes-no", lambda t: t.set("zolfaghar", "nuclear_capable", "maybe")
     .set("zolfaghar", "field_sources", t.get("zolfaghar", "field_sources") + ";nuclear_capable=aca-2017-zolfaghar"),
     [("zolfaghar", "systems", "nuclear_capable")], r"'maybe' is not 'yes' or 'no'"),
    ("basing-unknown", lambda t: t.set("zolfaghar", "basing", "road-mobile;truck"),
     [("zolfaghar", "systems", "basing")], r"unknown basing 'truck'"),
    ("in-service-year-not-a-year", lambda t: t.set("arrow-3", "in_service_year", "'17"),
     [("arrow-3", "systems", "in_service_year")], r"is not a four-digit year"),
    ("filled-field-without-source", lambda t: t.set("er-gmlrs", "guidance", "inertial + GPS"),
     [("er-gmlrs", "systems", "guidance")], r"guidance: no source: add 'field_sources' entry 'guidance=SOURCE-ID'"),
    ("field-sources-names-a-source-not-cited", lambda t: t.set("er-gmlrs", "field_sources",
                                                               "variant_of=washtimes-gmlrs-2021;status=itv-2024-09-10;manufacturer=washtimes-gmlrs-2021"),
     [("er-gmlrs", "systems", "field_sources")], r"status=itv-2024-09-10: 'itv-2024-09-10' is not among the row's sources"),
    ("field-sources-cites-an-empty-field", lambda t: t.set("er-gmlrs", "field_sources",
                                                           t.get("er-gmlrs", "field_sources") + ";cep_m=washtimes-gmlrs-2021"),
     [("er-gmlrs", "systems", "field_sources")], r"cep_m is empty but cited to washtimes-gmlrs-2021"),
    ("field-sources-unknown-field", lambda t: t.set("er-gmlrs", "field_sources",
                                                    t.get("er-gmlrs", "field_sources") + ";colour=washtimes-gmlrs-2021"),
     [("er-gmlrs", "systems", "field_sources")], r"'colour' is not a field that takes sources"),
    ("field-sources-malformed", lambda t: t.set("er-gmlrs", "field_sources", t.get("er-gmlrs", "field_sources") + ";status"),
     [("er-gmlrs", "systems", "field_sources")], r"'status' is not 'field=source-id'"),
    ("range-note-empty-when-sources-disagree", lambda t: t.set("fath-360", "range_note", ""),
     [("fath-360", "systems", "range_note")], r"empty: sources disagree \(120\.\.120\.7 km\)"),
    ("manufacturer-figure-is-a-claim", lambda t: t.set(t.get("er-gmlrs", "range_source"), "kind", "manufacturer", "sources")
     .set("er-gmlrs", "range_kind", "estimate"),
     [("er-gmlrs", "systems", "range_kind")], r"'estimate' but range_source 'washtimes-gmlrs-2021' is the manufacturer's"),
    # category convention, by headline range
    ("convention-crbm-is-below-300", lambda t: t.set("fath-360", "category", "SRBM"),
     [("fath-360", "systems", "category")], r"SRBM but the headline range 120\.7 km makes it CRBM"),
    ("convention-srbm-up-to-1000", lambda t: t.set("iskander-m", "category", "MRBM"),
     [("iskander-m", "systems", "category")], r"MRBM but the headline range 500 km makes it SRBM"),
    ("convention-icbm-above-5500", lambda t: t.set("hwasong-15", "category", "IRBM"),
     [("hwasong-15", "systems", "category")], r"IRBM but the headline range 13000 km makes it ICBM"),
]


def _expected_line(t: Table, where, table):
    if isinstance(where, int):
        return where
    path = t.systems if table == "systems" else t.sources
    name, _, nth = str(where).partition("#")
    starts = [n for n, row in _row_starts(path) if row and row[0] == name]
    return starts[int(nth or 1) - 1]


def _row_starts(path: Path):
    previous = 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        for row in reader:
            yield previous + 1, row
            previous = reader.line_num


@pytest.mark.parametrize("rule, breaks, where, message", RULES, ids=[r[0] for r in RULES])
def test_each_validation_rule_reports_file_line_column(table, rule, breaks, where, message):
    breaks(table)
    problems = table.problems()
    parsed = [parse_problem(p) for p in problems]
    expected = {(str(table.systems if tb == "systems" else table.sources), _expected_line(table, w, tb), col)
                for w, tb, col in where}
    assert {p[:3] for p in parsed} == expected, "\n".join(problems)
    assert any(re.search(message, p) for p in problems), "\n".join(problems)


def test_every_problem_is_reported_at_once(table, run_cli):
    table.set("fath-360", "category", "CRBMX")
    table.set("iskander-m", "max_range_km", "lots")
    table.set("kalibr", "sources", table.get("kalibr", "sources") + ";no-such-source")
    table.set("tomahawk", "status", "mothballed")
    table.set(_iskander_source(), "url", "ftp://example.org/x", "sources")
    expected = sorted([
        (str(table.systems), table.line("fath-360"), "category"),
        (str(table.systems), table.line("iskander-m"), "max_range_km"),
        (str(table.systems), table.line("kalibr"), "sources"),
        (str(table.systems), table.line("tomahawk"), "status"),
        (str(table.sources), table.line(_iskander_source(), "sources"), "url"),
    ])
    assert sorted(parse_problem(p)[:3] for p in table.problems()) == expected
    # The same problems under a user's rules (the CLI's --catalog FILE): all of them break those too.
    assert sorted(parse_problem(p)[:3] for p in table.problems(strict=False)) == expected

    code, out, err = run_cli("--catalog", table.systems, "check")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and out == "" and "Traceback" not in err
    assert lines[-1] == f"weaponsdb: error: {len(expected)} problem(s) in the catalogue"
    assert sorted(parse_problem(p)[:3] for p in lines[:-1]) == expected


def test_line_numbers_count_lines_inside_quoted_cells(table):
    """A range_note with a line break (Alt+Enter in a spreadsheet) must not shift later line numbers."""
    table.set("fath-360", "range_note", table.get("fath-360", "range_note") + "\nSecond paragraph.")
    table.set("iskander-m", "category", "XRBM")
    (problem,) = table.problems()
    assert parse_problem(problem)[1] == table.line("iskander-m"), problem


def test_line_numbers_count_blank_lines(table):
    rows = read_rows(table.systems)
    with table.systems.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerows(rows[:5])
        fh.write("\n")
        writer.writerows(rows[5:])
    table.set("iskander-m", "category", "XRBM")
    (problem,) = table.problems()
    assert parse_problem(problem)[1] == table.line("iskander-m"), problem


def test_a_copied_catalogue_loads_and_resolves_its_own_sources(table):
    alone = weaponsdb.load_catalog(table.systems, only=True)
    assert len(alone) == len(fixture_records())
    assert alone.get("Fath 360").range.source.url.startswith("https://")
    added = weaponsdb.load_catalog(table.systems)  # every fixture row has a bundled id: all override
    assert len(added) == len(bundled_records())
    assert set(added.overrides) == {r["id"] for r in fixture_records()}


# --- the CLI: list filters, units and JSON --------------------------------------------------------

CLI_RUNS = {
    "srbm": ("list", "--category", "SRBM", "--json"),
    "srbm-mrbm": ("list", "--category", "SRBM", "--category", "mrbm", "--json"),
    "loitering": ("list", "--category", "Loitering Munition", "--json"),
    "iran": ("list", "--country", "Iran", "--json"),
    "usa": ("list", "--country", "united states", "--json"),
    "min-200mi": ("list", "--min-range", "200mi", "--json"),
    "max-300km": ("list", "--max-range", "300km", "--json"),
    "combined": ("list", "--category", "SRBM", "--country", "Russia", "--min-range", "100km", "--max-range", "600km", "--json"),
    "all": ("list", "--json"),
    "table-mi": ("list", "--units", "mi", "--category", "SLCM"),
    "show-json": ("show", "Fath 360", "--json"),
    "show-mi": ("show", "tomahawk", "--units", "mi"),
    "check": ("check",),
}


@pytest.fixture(scope="module")
def cli(run_cli_at, tmp_path_factory):
    """Run every CLI command this module needs at once, in parallel."""
    folder = tmp_path_factory.mktemp("catalog-cli")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {k: pool.submit(run_cli_at, folder, *args) for k, args in CLI_RUNS.items()}
    return {k: f.result() for k, f in futures.items()}


def listed(cli, key) -> list[dict]:
    code, out, err = cli[key]
    assert code == 0, err
    return json.loads(out)


def expected_ids(keep) -> set[str]:
    """Ids computed from the raw CSV, independently of the package."""
    return {r["id"] for r in bundled_records() if keep(r)}


def countries_of(r):
    return {c.strip() for c in r["country"].split(";")}


FILTERS = {
    "srbm": lambda r: r["category"] == "SRBM",
    "srbm-mrbm": lambda r: r["category"] in ("SRBM", "MRBM"),
    "loitering": lambda r: r["category"] == "loitering munition",
    "iran": lambda r: "Iran" in countries_of(r),
    "usa": lambda r: "United States" in countries_of(r),
    "min-200mi": lambda r: float(r["max_range_km"]) >= 200 * 1.609344,
    "max-300km": lambda r: float(r["max_range_km"]) <= 300,
    "combined": lambda r: (r["category"] == "SRBM" and "Russia" in countries_of(r)
                           and 100 <= float(r["max_range_km"]) <= 600),
    "all": lambda r: True,
}


@pytest.mark.parametrize("key", FILTERS)
def test_list_filters(cli, key):
    rows = listed(cli, key)
    assert {r["id"] for r in rows} == expected_ids(FILTERS[key])
    assert [r["max_range_km"] for r in rows] == sorted(r["max_range_km"] for r in rows), "sorted by range"


def test_list_filter_boundaries_are_inclusive(cli):
    assert {"fateh-110", "atacms", "p-800-oniks"} <= {r["id"] for r in listed(cli, "max-300km")}


def test_list_units_mi_adds_a_miles_column(cli):
    code, out, err = cli["table-mi"]
    assert code == 0, err
    header, *rows = out.splitlines()
    assert re.search(r"\bMAX RANGE\s+MI\b", header)
    tomahawk = next(r for r in rows if r.startswith("Tomahawk"))
    assert "1,609 km" in tomahawk and "1,000 mi" in tomahawk
    slcm = len(expected_ids(lambda r: r["category"] == "SLCM"))
    assert f"{slcm} of {len(bundled_records())} systems" in err


def test_show_units_mi(cli):
    code, out, err = cli["show-mi"]
    assert code == 0, err
    assert "1,000 mi" in out and "1000 mi" in out  # converted figure, and the range as reported


JSON_KEYS = {"id", "name", "aliases", "category", "country", "min_range_km", "max_range_km", "range_reported", "sources"}


def _check_record_shape(r):
    assert set(r) >= JSON_KEYS, sorted(JSON_KEYS - set(r))
    assert isinstance(r["id"], str) and isinstance(r["name"], str)
    assert isinstance(r["aliases"], list) and all(isinstance(a, str) for a in r["aliases"])
    assert r["category"] in CATEGORIES
    assert isinstance(r["country"], str) and r["country"]
    assert r["min_range_km"] is None or isinstance(r["min_range_km"], float)
    assert isinstance(r["max_range_km"], float) and r["max_range_km"] > 0
    assert isinstance(r["range_reported"], str)
    assert isinstance(r["sources"], list) and r["sources"]
    for s in r["sources"]:
        assert isinstance(s, dict) and {"title", "url"} <= set(s)
        assert isinstance(s["title"], str) and s["title"]


def test_show_json_keys(cli):
    code, out, err = cli["show-json"]
    assert code == 0, err
    r = json.loads(out)
    _check_record_shape(r)
    assert r["id"] == "fath-360" and r["name"] == "Fath-360" and "Fateh-360" in r["aliases"]
    assert r["max_range_km"] == 120.7 and r["range_reported"] == "75 mi" and r["min_range_km"] is None


def test_list_json_keys(cli):
    rows = listed(cli, "all")
    assert len(rows) == len(bundled_records())
    for r in rows:
        _check_record_shape(r)


def test_check_passes_on_bundled_data(cli):
    code, out, err = cli["check"]
    assert code == 0, err
    assert out.startswith(f"ok: {len(bundled_records())} systems")


# --- the bundled data -----------------------------------------------------------------------------

@pytest.mark.parametrize("record", bundled_records(), ids=lambda r: r["id"])
def test_bundled_row_is_cited_with_an_http_url(catalog, record):
    r = catalog.get(record["id"])
    assert r.sourced and not r.user_catalogue
    assert any(re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", s.url) for s in r.sources), r.sources
    assert re.fullmatch(r"https?://\S+", r.range.source.url)
    assert r.range.source.url in {s.url for s in r.sources}


@pytest.mark.parametrize("record", bundled_records(), ids=lambda r: r["id"])
def test_bundled_max_range_matches_range_as_reported(record):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(km|mi|nmi)", record["range_reported"].replace(",", ""))
    assert m, f"range_reported {record['range_reported']!r} is not 'NUMBER km|mi|nmi'"
    km = float(m[1]) * KM_PER_UNIT[m[2]]
    # max_range_km is the reported figure converted to km and rounded to 0.1 km at most
    assert abs(float(record["max_range_km"]) - km) <= 0.05 + 1e-9, (record["max_range_km"], km)
    assert record["category"] in CATEGORIES


# --- the CLI contract for catalogue 2.0 (needs the rewritten CLI, issue 10) -----------------------

V2_KEYS = {"id", "name", "aliases", "variant_of", "country", "operators", "category", "status", "status_as_of",
           "min_range_km", "max_range_km", "range_reported", "range_low_km", "range_high_km", "range_kind",
           "range_measures", "range_note", "range_source", "length_m", "diameter_m", "launch_mass_kg", "warhead",
           "nuclear_capable", "propulsion", "guidance", "cep_m", "basing", "in_service_year", "manufacturer",
           "field_sources", "sources"}


@pytest.fixture
def my_catalog(tmp_path):
    path = tmp_path / "mine" / "my-systems.csv"
    path.parent.mkdir()
    path.write_text("id,name,max_range_km\nmy-rocket,My Rocket,150\nfath-360,Fath-360,130\n", encoding="utf-8")
    return path


def test_cli_show_json_carries_every_v2_key(cli):
    code, out, err = cli["show-json"]
    assert code == 0, err
    r = json.loads(out)
    assert set(r) >= V2_KEYS, sorted(V2_KEYS - set(r))
    assert isinstance(r["field_sources"], dict) and r["range_kind"] and r["range_measures"] == "ground range"


def test_cli_catalog_adds_rows_and_reports_the_override(run_cli, my_catalog):
    code, out, err = run_cli("--catalog", my_catalog, "list", "--json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert len(rows) == len(bundled_records()) + 1
    mine = rows["my-rocket"]
    assert mine["range_kind"] == "unsourced (your catalogue)" and mine["sources"] == []
    assert rows["fath-360"]["max_range_km"] == 130
    assert re.search(r"replac|overrid", err, re.I) and "fath-360" in err.casefold()


def test_cli_catalog_only_uses_the_file_alone(run_cli, my_catalog):
    code, out, err = run_cli("--catalog", my_catalog, "--catalog-only", "list", "--json")
    assert code == 0, err
    assert sorted(r["id"] for r in json.loads(out)) == ["fath-360", "my-rocket"]


def test_cli_show_unsourced_row_says_so(run_cli, my_catalog):
    code, out, err = run_cli("--catalog", my_catalog, "show", "My Rocket")
    assert code == 0, err
    assert "unsourced (your catalogue)" in out


def test_cli_family_name_lists_the_family(run_cli):
    code, _out, err = run_cli("show", "Hwasong")
    assert code == 2 and "Traceback" not in err
    for name in ("Hwasong-12", "Hwasong-15", "Hwasong-17"):
        assert name in err


def test_cli_user_catalogue_missing_columns_is_one_line(run_cli, tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("id,title\nx,Y\n", encoding="utf-8")
    code, _out, err = run_cli("--catalog", path, "check")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 2, err
    assert parse_problem(lines[0])[1:3] == (1, "name") and "name, max_range_km" in lines[0]
