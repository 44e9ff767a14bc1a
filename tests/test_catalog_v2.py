"""Catalogue 2.0 (issue 12): v2 fields on System, names in every script, family and shared names,
a user's own systems added to the bundled catalogue, the merge script and the bundled data's policy.

Python API only (no CLI subprocesses), so these tests hold whatever the CLI looks like.
"""

import csv
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from _tables import DATA, FIXTURE, read_rows, write_rows

import weaponsdb
from weaponsdb.catalog import AmbiguousNameError, load_catalog
from weaponsdb.catalog_checks import (
    BASINGS,
    CATEGORY_BANDS,
    CITED_FIELDS,
    COLUMNS,
    PRIMARY_KINDS,
    RANGE_KINDS,
    RANGE_MEASURES,
    SOURCE_KINDS,
    UNSOURCED,
    expected_category,
    parse_field_sources,
)
from weaponsdb.errors import CatalogError, UnknownNameError
from weaponsdb.matching import normalise, prefixes

PROBLEM = re.compile(r"(?P<file>.+?):(?P<line>\d+): (?P<column>[a-z_]+): (?P<problem>\S.*)")


def bundled_rows() -> list[dict]:
    with (DATA / "systems.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def bundled_sources() -> dict[str, dict]:
    with (DATA / "sources.csv").open(newline="", encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def fixture_catalog():
    return load_catalog(FIXTURE / "systems.csv", only=True, strict=True)


def write_csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **kw) -> list[tuple[str, int, str, str]]:
    with pytest.raises(CatalogError) as info:
        load_catalog(path, **kw)
    out = []
    for p in info.value.problems:
        m = PROBLEM.fullmatch(p)
        assert m, f"not FILE:LINE: column: problem: {p!r}"
        out.append((m["file"], int(m["line"]), m["column"], m["problem"]))
    return out


# --- matching: normalisation ------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("فاتح ۱۱۰", "فاتح ١١٠"),  # Persian vs Arabic-Indic digits
    ("فاتح ۱۱۰", "فاتح 110"),  # vs ASCII digits
    ("قیام ۱", "قيام 1"),  # Persian yeh vs Arabic yeh
    ("خیبرشکن", "خيبرشكن"),  # Persian keheh and yeh vs Arabic kaf and yeh
    ("شهاب ۳", "شهاب\u200c۳"),  # zero-width non-joiner
    ("صماد 3", "صمـاد 3"),  # tatweel
    ("ذوالفقار", "ذُوالْفَقار"),  # harakat
    ("Искандер-М", "искандер м"),  # Cyrillic case and punctuation
    ("Ёлка", "елка"),  # ё
    ("화성-17", "화성17"),  # Hangul
    ("东风-41", "東風-41"),  # simplified vs traditional Chinese
    ("חץ 3", "חֵץ 3"),  # Hebrew points
    ("Fateh-360", "FATEH 360"),
    ("Zolfaghar", "Zolfāghār"),  # Latin diacritics
])
def test_normalise_folds_script_variants(a, b):
    assert normalise(a) == normalise(b) and normalise(a)


def test_prefixes_end_at_token_boundaries():
    assert normalise("Kh-47M2") in prefixes("Kh-47M2 Kinzhal")
    assert normalise("Hwasong") in prefixes("Hwasong-15")
    assert normalise("Hwasong-1") not in prefixes("Hwasong-15")  # a digit run is not cut
    assert normalise("화성") in prefixes("화성-17")


# --- matching: names people type ----------------------------------------------------------------

SCRIPTS = {
    "Cyrillic": lambda c: "CYRILLIC" in c,
    "Arabic script (Persian, Arabic, Urdu)": lambda c: "ARABIC" in c,
    "Hangul": lambda c: "HANGUL" in c,
    "Chinese": lambda c: "CJK UNIFIED" in c,
    "Hebrew": lambda c: "HEBREW" in c,
}


def script_of(text: str) -> set[str]:
    names = [unicodedata.name(ch, "") for ch in text if ch.isalpha()]
    return {s for s, test in SCRIPTS.items() if any(test(n) for n in names)}


def native_aliases() -> list[tuple[str, str]]:
    return [(a.strip(), r["id"]) for r in bundled_rows() for a in r["aliases"].split(";") if script_of(a)]


@pytest.mark.parametrize("script", SCRIPTS)
def test_bundled_catalogue_has_aliases_in_every_script(script):
    assert any(script in script_of(a) for a, _ in native_aliases()), script


@pytest.mark.parametrize("alias, sid", native_aliases(), ids=[f"{s}:{a}" for a, s in native_aliases()])
def test_every_native_script_alias_finds_its_row(catalog, alias, sid):
    assert catalog.get(alias).id == sid
    # Typed with Arabic letter and digit variants, without spaces or hyphens; and the other way round.
    as_arabic = alias.translate(str.maketrans("یک۰۱۲۳۴۵۶۷۸۹", "يك٠١٢٣٤٥٦٧٨٩")).replace(" ", "").replace("-", "")
    as_persian = alias.translate(str.maketrans("يكى٠١٢٣٤٥٦٧٨٩0123456789", "یکی۰۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹"))
    assert catalog.get(as_arabic).id == sid
    assert catalog.get(as_persian).id == sid


PERSIAN_ONLY, ARABIC_ONLY = set("یکگپچژ۰۱۲۳۴۵۶۷۸۹"), set("يكةى٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("letters", [PERSIAN_ONLY, ARABIC_ONLY], ids=["Persian", "Arabic"])
def test_bundled_catalogue_has_persian_and_arabic_spellings(letters):
    assert any(set(a) & letters for a, _ in native_aliases())


@pytest.mark.parametrize("name, sid", [
    ("Kh-47M2", "kh-47m2-kinzhal"),  # a prefix of one system's full name
    ("kh 47m2", "kh-47m2-kinzhal"),
    ("فتح ٣٦٠", "fath-360"),  # Arabic-Indic digits for a Persian alias
    ("Герань 2", "shahed-136"),
    ("화성-15", "hwasong-15"),
    ("화성포-17형", "hwasong-17"),
    ("東風-41", "df-41"),
    ("东风41", "df-41"),
    ("חץ 3", "arrow-3"),
    ("SS-26", "iskander-m"),
    ("9K720", "iskander-m"),
    ("Fath 360", "fath-360"),
    ("er-gmlrs", "er-gmlrs"),  # an id is never ambiguous
])
def test_names_people_type(catalog, name, sid):
    assert catalog.get(name).id == sid


@pytest.mark.parametrize("family, at_least", [("Hwasong", 4), ("Agni", 3), ("Shahed", 2), ("DF", 4), ("화성", 3)])
def test_family_name_lists_every_member(catalog, family, at_least):
    with pytest.raises(AmbiguousNameError) as info:
        catalog.get(family)
    err = info.value
    assert isinstance(err, UnknownNameError) and isinstance(err, LookupError)
    assert len(err.matches) >= at_least and err.reason == "family"
    assert all(m.id in catalog for m in err.matches)
    for m in err.matches:
        assert m.name in str(err) and m.id in str(err)
    assert err.suggestions == [m.name for m in err.matches]
    assert catalog.matches(family) == err.matches


def test_family_prefix_that_fits_one_system_finds_it(tmp_path):
    path = write_csv(tmp_path / "iskander.csv", "id,name,max_range_km\n"
                     "isk-m,Iskander-M,500\nisk-k,Iskander-K,500\nkh-x,Kh-47M2 Kinzhal,2000\n")
    cat = load_catalog(path, only=True)
    with pytest.raises(AmbiguousNameError) as info:
        cat.get("Iskander")
    assert [m.id for m in info.value.matches] == ["isk-k", "isk-m"]
    assert "Iskander-K" in str(info.value) and "Iskander-M" in str(info.value)
    assert cat.get("Kh-47M2").id == "kh-x"
    assert cat.get("Iskander-M").id == "isk-m"


def test_a_spelling_two_systems_share_shows_both(tmp_path):
    """Iran's Zolfaghar (alias Zulfiqar) and a Houthi Zulfiqar recorded as 'Zulfiqar (Houthi)'."""
    path = write_csv(tmp_path / "zulfiqar.csv", "id,name,aliases,operators,country,max_range_km\n"
                     "zolfaghar,Zolfaghar,Zulfiqar;Zolfaqar,Iran,Iran,700\n"
                     "zulfiqar-houthi,Zulfiqar (Houthi),Houthi Zulfiqar,Houthis,Yemen,1200\n")
    cat = load_catalog(path, only=True)
    with pytest.raises(AmbiguousNameError) as info:
        cat.get("Zulfiqar")
    assert info.value.reason == "shared"
    assert [m.id for m in info.value.matches] == ["zolfaghar", "zulfiqar-houthi"]
    assert "Zolfaghar" in str(info.value) and "Zulfiqar (Houthi)" in str(info.value)
    assert cat.get("Zolfaghar").id == "zolfaghar"
    assert cat.get("Houthi Zulfiqar").id == "zulfiqar-houthi"


def test_a_variant_qualifier_is_not_a_shared_name(tmp_path):
    path = write_csv(tmp_path / "hf.csv", "id,name,max_range_km,country\n"
                     "hf-2e,Hsiung Feng IIE,600,Taiwan\nhf-2e-er,Hsiung Feng IIE (extended range),1200,Taiwan\n")
    cat = load_catalog(path, only=True)
    assert cat.get("Hsiung Feng IIE").id == "hf-2e"


def test_unknown_name_still_suggests(catalog):
    with pytest.raises(UnknownNameError) as info:
        catalog.get("Iskandr")
    assert not isinstance(info.value, AmbiguousNameError)
    assert "Iskander-M" in info.value.suggestions


# --- the System model and show --json -----------------------------------------------------------

def test_to_record_carries_every_v2_key(catalog):
    for system in catalog:
        r = system.to_record()
        missing = set(COLUMNS) - set(r)
        assert not missing, (system.id, missing)
        assert isinstance(r["field_sources"], dict)
        json.dumps(r, ensure_ascii=False)  # JSON-serialisable
    fath = catalog.get("fath-360").to_record()
    assert fath["range_kind"] in RANGE_KINDS and fath["range_measures"] == "ground range"
    assert fath["sourced"] is True and fath["user_catalogue"] is False


def test_field_sources_resolve_to_the_rows_sources(catalog):
    for system in catalog:
        ids = {s.id for s in system.sources}
        for field, refs in system.field_sources.items():
            assert set(refs) <= ids, (system.id, field)
            assert [s.id for s in system.sources_for(field)] == list(refs)
        assert system.sources_for("max_range_km") == (system.range.source,)


def test_typed_spec_values(catalog):
    seen = {"nuclear_capable": False, "basing": False, "in_service_year": False, "length_m": False}
    for system in catalog:
        s = system.specs
        assert set(s) >= {"length_m", "diameter_m", "launch_mass_kg", "warhead", "nuclear_capable", "propulsion",
                          "guidance", "cep_m", "basing", "in_service_year", "manufacturer"}
        if s["nuclear_capable"] is not None:
            assert isinstance(s["nuclear_capable"], bool)
            seen["nuclear_capable"] = True
        if s["basing"] is not None:
            assert set(s["basing"]) <= set(BASINGS)
            seen["basing"] = True
        if s["in_service_year"] is not None:
            assert isinstance(s["in_service_year"], int) and 1900 < s["in_service_year"] < 2100
            seen["in_service_year"] = True
        if s["length_m"] is not None:
            assert isinstance(s["length_m"], float)
            seen["length_m"] = True
    assert all(seen.values()), seen


def test_variants_link_to_their_parent(catalog):
    linked = [s for s in catalog if s.variant_of]
    assert linked
    for s in linked:
        parent = catalog.get(s.variant_of)
        assert s in catalog.variants(parent)


# --- your own systems ---------------------------------------------------------------------------

def test_minimal_user_csv_is_added_to_the_bundled_catalogue(tmp_path, catalog):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nmy-rocket,My Rocket,150\n")
    cat = load_catalog(path)
    assert len(cat) == len(catalog) + 1 and cat.overrides == ()
    mine = cat.get("My Rocket")
    assert mine.user_catalogue and not mine.sourced
    assert mine.range.kind == UNSOURCED == "unsourced (your catalogue)" and mine.range.source is None
    r = mine.to_record()
    assert r["sourced"] is False and r["user_catalogue"] is True and r["range_kind"] == UNSOURCED
    assert cat.get("Fath-360").id == "fath-360"  # the bundled rows are all there


def test_user_row_with_a_bundled_id_overrides_it_and_says_so(tmp_path, catalog):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nfath-360,Fath-360,130\nmy-rocket,My Rocket,150\n")
    cat = load_catalog(path)
    assert cat.overrides == ("fath-360",)
    assert len(cat) == len(catalog) + 1
    fath = cat.get("Fath-360")
    assert fath.range.max_km == 130 and fath.user_catalogue and not fath.sourced


def test_catalog_only_uses_the_file_alone(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nmy-rocket,My Rocket,150\n")
    cat = load_catalog(path, only=True)
    assert len(cat) == 1 and cat.get("my rocket").id == "my-rocket"
    with pytest.raises(UnknownNameError):
        cat.get("Fath-360")


def test_user_rows_may_cite_urls_and_bundled_sources(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,range_source,sources,warhead,field_sources,variant_of\n"
                     "a,Rocket A,150,https://example.org/a,https://example.org/a,,,\n"
                     "b,Fath-360 Extended,200,itv-2024-09-10,itv-2024-09-10,150 kg,warhead=itv-2024-09-10,fath-360\n")
    cat = load_catalog(path)
    a, b = cat.get("Rocket A"), cat.get("Fath-360 Extended")
    assert a.sourced and a.range.source.url == "https://example.org/a" and a.range.kind == ""
    assert b.range.source.id == "itv-2024-09-10" and b.variant_of == "fath-360"
    assert [s.id for s in b.sources_for("warhead")] == ["itv-2024-09-10"]
    assert b in cat.variants("fath-360")


def test_v1_payload_column_is_read_as_warhead(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,payload\nmy-rocket,My Rocket,150,90 kg\n")
    assert load_catalog(path, only=True).get("my-rocket").specs["warhead"] == "90 kg"


def test_missing_columns_are_one_problem_line(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,title\nmy-rocket,My Rocket\n")
    (problem,) = problems_of(path)
    assert problem[:3] == (str(path), 1, "name")
    assert "missing columns name, max_range_km" in problem[3]


def test_every_user_problem_at_once_with_file_and_line(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,category,sources,range_reported\n"
                     "Bad Id,Rocket,100,CRBM,,\n"
                     "ok-1,Rocket 1,lots,CRBM,,\n"
                     "ok-2,Rocket 2,500,CRBM,,\n"
                     "ok-3,Iskander-M,400,SRBM,,\n"
                     "ok-4,Rocket 4,100,,no-such-source,100 mi\n")
    got = sorted(p[1:3] for p in problems_of(path))
    assert got == [(2, "id"), (3, "max_range_km"), (4, "category"), (5, "name"), (6, "range_reported"), (6, "sources")]
    texts = " | ".join(p[3] for p in problems_of(path))
    assert "already used by bundled system 'Iskander-M' (iskander-m); give its id 'iskander-m' to replace it" in texts


def test_a_user_override_frees_the_bundled_names(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,aliases,max_range_km\niskander-m,Iskander-M,SS-26,450\n")
    cat = load_catalog(path)
    assert cat.get("SS-26").range.max_km == 450 and cat.overrides == ("iskander-m",)


def test_user_file_beside_its_own_sources_csv(tmp_path):
    write_csv(tmp_path / "sources.csv", "id,title,url\nmy-src,My page,https://example.org/p\n")
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,range_source,sources\nx,Rocket X,150,my-src,my-src\n")
    cat = load_catalog(path)
    assert cat.get("Rocket X").range.source.title == "My page"
    assert cat.get("Fath-360").range.source.id == "itv-2024-09-10"  # bundled sources still resolve


def test_strict_rules_on_a_user_file(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nmy-rocket,My Rocket,150\n")
    (problem,) = problems_of(path, only=True, strict=True)
    assert problem[1:3] == (1, "aliases") and "the bundled schema needs every column" in problem[3]


# --- category convention and policy -------------------------------------------------------------

@pytest.mark.parametrize("km, cat", [(120.7, "CRBM"), (299.9, "CRBM"), (300, "SRBM"), (1000, "SRBM"), (1000.1, "MRBM"),
                                     (3000, "MRBM"), (3000.1, "IRBM"), (5500, "IRBM"), (5500.1, "ICBM"), (15000, "ICBM")])
def test_expected_category_bands(km, cat):
    assert expected_category(km) == cat


def test_slbm_and_albm_are_exempt(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,category\n"
                     "s,Short SLBM,150,SLBM\na,Long ALBM,2000,ALBM\n")
    assert len(load_catalog(path, only=True)) == 2


@pytest.mark.parametrize("record", bundled_rows(), ids=lambda r: r["id"])
def test_bundled_row_follows_schema_v2_and_policy(record):
    assert record["range_kind"] in RANGE_KINDS and record["range_measures"] in RANGE_MEASURES
    km = float(record["max_range_km"])
    if record["category"] in CATEGORY_BANDS:
        assert expected_category(km) == record["category"]
    if record["category"] in ("SAM interceptor", "ABM interceptor"):
        assert record["range_measures"] == "engagement range"
    low = float(record["range_low_km"]) if record["range_low_km"] else None
    high = float(record["range_high_km"]) if record["range_high_km"] else None
    assert low is None or km >= low - 0.05
    assert high is None or km <= high + 0.05
    fs = parse_field_sources(record["field_sources"])
    cited = set(record["sources"].split(";"))
    for field in CITED_FIELDS:
        if record[field]:
            assert field in fs and set(fs[field]) <= cited, field
    assert record["range_source"] in cited
    if record["variant_of"]:
        assert record["variant_of"] in {r["id"] for r in bundled_rows()}


def test_bundled_sources_have_a_publisher_kind():
    sources = bundled_sources()
    assert {s["kind"] for s in sources.values()} <= set(SOURCE_KINDS)
    urls = [s["url"] for s in sources.values()]
    assert len(urls) == len(set(urls))
    assert set(PRIMARY_KINDS) < set(SOURCE_KINDS)


def test_bundled_catalogue_is_big_enough(catalog):
    assert len(catalog) >= 150


# --- the merge script ---------------------------------------------------------------------------

def _build_module():
    spec = importlib.util.spec_from_file_location("build_catalog", DATA / "build_catalog.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_catalog", module)
    spec.loader.exec_module(module)
    return module


def _region(folder: Path, systems: list[list[str]], sources: list[list[str]]) -> Path:
    folder.mkdir(parents=True)
    write_rows(folder / "systems.csv", [list(COLUMNS), *systems])
    write_rows(folder / "sources.csv", [["id", "title", "publisher", "url", "date", "kind"], *sources])
    return folder


def _row(**cells) -> list[str]:
    return [cells.get(c, "") for c in COLUMNS]


def test_merge_replaces_by_id_dedups_sources_and_drops_invalid_rows(tmp_path):
    build = _build_module()
    base = tmp_path / "base"
    base.mkdir()
    for name in ("systems.csv", "sources.csv"):
        (base / name).write_bytes((FIXTURE / name).read_bytes())
    fath_src = next(r for r in read_rows(FIXTURE / "sources.csv") if r[0] == "itv-2024-09-10")
    good = dict(country="Iran", category="SRBM", status="in service", status_as_of="2024", max_range_km="500",
                range_reported="500 km", range_kind="estimate", range_measures="ground range", range_source="r-a",
                field_sources="status=r-a", sources="r-a")
    region = _region(tmp_path / "parts" / "iran", [
        _row(id="iskander-m", name="Iskander-M", **{**good, "country": "Russia"}),  # replaces the base row
        _row(id="new-srbm", name="New SRBM", **good),
        _row(id="bad-srbm", name="Bad SRBM", **{**good, "category": "MRBM"}),  # breaks the convention
        _row(id="dup-src", name="Dup Src", **{**good, "range_source": "itv-copy", "field_sources": "status=itv-copy",
                                              "sources": "itv-copy"}),
    ], [["r-a", "Region page", "CSIS Missile Threat", "https://example.org/a", "2024", "research"],
        ["itv-copy", "Same page, other id", "ITV News", fath_src[3], "2024-09-10", "press"]])
    messages = []
    systems, sources = build.merge([region], base, report=messages.append)
    systems, sources = build.validate(systems, sources, report=messages.append)
    ids = [r["id"] for r in systems]
    assert ids == sorted(ids)
    assert "new-srbm" in ids and "bad-srbm" not in ids
    assert next(r for r in systems if r["id"] == "iskander-m")["country"] == "Russia"
    assert next(r for r in systems if r["id"] == "dup-src")["range_source"] == "itv-2024-09-10"
    assert len({s["url"] for s in sources}) == len(sources)
    assert any(m.startswith("replace: iskander-m") for m in messages)
    assert any(m.startswith("drop: bad-srbm") and "makes it SRBM" in m for m in messages)
    assert any("itv-copy" in m and "conflict" in m for m in messages)


@pytest.mark.parametrize("publisher, url, kind", [
    ("CSIS Missile Defense Project (Missile Threat)", "https://missilethreat.csis.org/x", "research"),
    ("Arms Control Association", "https://www.armscontrol.org/x", "research"),
    ("U.S. Department of Defense", "https://www.defense.gov/x", "government"),
    ("Lockheed Martin", "https://www.lockheedmartin.com/x", "manufacturer"),
    ("Reuters (via Lincoln Daily News)", "https://lincolndailynews.com/x", "press"),
    ("The Guardian", "https://www.theguardian.com/x", "press"),
    ("DNA India", "https://www.dnaindia.com/x", "press"),
])
def test_publisher_kind_classification(publisher, url, kind):
    assert _build_module().classify(publisher, url) == kind


def test_api_exports_the_loader():
    assert weaponsdb.load_catalog is load_catalog


def test_see_also_lists_parent_variants_and_longer_names(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,variant_of\n"
                     "burkan,Burkan,10,\nburkan-1,Burkan-1,800,\nburkan-2h,Burkan-2H,800,burkan-1\nother,Other,5,\n")
    cat = load_catalog(path, only=True)
    assert cat.get("Burkan").id == "burkan"  # an exact name wins over the family
    assert [s.id for s in cat.see_also("Burkan")] == ["burkan-1", "burkan-2h"]
    assert [s.id for s in cat.see_also("burkan-2h")] == ["burkan-1"]
    assert [s.id for s in cat.see_also("burkan-1")] == ["burkan-2h"]


def test_override_notice(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nfath-360,Fath-360,130\n")
    cat = load_catalog(path)
    assert cat.override_notice() == f"{path} replaces 1 bundled system: Fath-360 (fath-360)"
    assert load_catalog().override_notice() == ""


def test_summary_for_check(tmp_path, catalog):
    assert catalog.summary().startswith(f"{len(catalog)} systems, ") and catalog.summary().endswith("every row cited")
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km\nfath-360,Fath-360,130\nmy-rocket,My Rocket,150\n")
    text = load_catalog(path).summary()
    assert f"{len(catalog) + 1} systems" in text and f"2 from {path}" in text and "2 unsourced (your catalogue)" in text
    assert text.endswith(f"{path} replaces 1 bundled system: Fath-360 (fath-360)")


def test_see_also_includes_names_extending_what_was_typed(tmp_path):
    path = write_csv(tmp_path / "mine.csv", "id,name,aliases,max_range_km\n"
                     "khorramshahr-4,Khorramshahr-4,Kheibar,2000\nkheibar-shekan,Kheibar Shekan,,1450\n")
    cat = load_catalog(path, only=True)
    assert cat.get("Kheibar").id == "khorramshahr-4"  # the exact alias wins
    assert [s.id for s in cat.see_also("Kheibar")] == ["kheibar-shekan"]


def test_spreadsheet_csv_with_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id,name,max_range_km\r\nmy-rocket,My Rocket,150\r\n".encode("utf-8-sig"))
    assert load_catalog(path, only=True).get("My Rocket").range.max_km == 150


def test_catalog_only_with_own_sources_may_still_cite_bundled_ones(tmp_path):
    write_csv(tmp_path / "sources.csv", "id,title,url\nmy-src,My page,https://example.org/p\n")
    path = write_csv(tmp_path / "mine.csv", "id,name,max_range_km,range_source,sources\n"
                     "x,Rocket X,150,my-src,my-src\ny,Rocket Y,120.7,itv-2024-09-10,itv-2024-09-10\n")
    cat = load_catalog(path, only=True)
    assert len(cat) == 2 and cat.get("Rocket Y").range.source.publisher == "ITV News"
