"""Scenario files: the shipped ones load and render byte-identically; a bad file names itself, the key and the problem."""

from pathlib import Path

import pytest

from weaponsdb import offline
from weaponsdb.catalog import load_catalog
from weaponsdb.errors import InputError
from weaponsdb.model import Place
from weaponsdb.scenario import load_scenario, render_scenario

MAPS = Path(__file__).resolve().parent.parent / "maps"
SHIPPED = ["fath-360-ukraine-border", "iran-missiles", "long-range", "pacific-dateline", "iskander-fan"]
GOOD = 'systems = ["Fath-360"]\nlaunch = [{ label = "A", point = "50.6,36.6" }]\n'


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_render_as_committed(name, catalog, tmp_path):
    scenario = load_scenario(MAPS / f"{name}.toml", catalog)
    assert scenario.output == (MAPS / f"{name}.html").resolve()
    out = render_scenario(scenario, out=tmp_path / "map.html")
    html = out.read_text(encoding="utf-8")
    assert html == scenario.output.read_text(encoding="utf-8")  # committed maps are re-made byte for byte
    assert html.count('"className": "range-ring"') == len(scenario.spec.systems) * len(scenario.spec.points)
    if scenario.spec.offline:
        assert offline.external_refs(html) == []


def test_launch_by_place_or_lat_lon_and_distances(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('title = "T"\nsystems = []\nrange = "75mi"\nmin_range = "10 km"\noffline = true\n'
                    'launch = [{ point = "Kyiv" }, { label = "Site B", lat = 50, lon = 36.5 }]\n')
    s = load_scenario(path)
    assert s.spec.points[0].label == "Kyiv" and s.spec.points[1] == Place(50.0, 36.5, "Site B")
    (adhoc,) = s.spec.systems
    assert adhoc.is_adhoc and adhoc.range.user_set
    assert adhoc.range.max_km == pytest.approx(75 * 1.609344) and adhoc.range.min_km == 10.0 and s.spec.offline
    assert s.spec.title == "T" and s.output == tmp_path / "s.html"


def test_range_overrides_the_catalogue_as_a_user_set_range(tmp_path, catalog):
    path = tmp_path / "s.toml"
    path.write_text(GOOD + 'range = "200km"\nnote = "N"\n')
    s = load_scenario(path, catalog)
    (fath,) = s.spec.systems
    assert fath.range.user_set and fath.range.max_km == 200.0 and fath.catalogue_range.max_km == 120.7
    assert s.spec.notes == ("N",) and s.spec.data_date == catalog.data_date()


def test_map_furniture_keys(tmp_path, catalog):
    path = tmp_path / "s.toml"
    path.write_text(GOOD + 'every = "50km"\nranges = ["30km", "60mi"]\nradials = 8\nbearings = [45, 90.5]\n'
                    'sector = [300, 60]\nunion = true\nmarks = [{ label = "K", point = "50.45,30.52" }]\n')
    spec = load_scenario(path, catalog).spec
    assert spec.every_km == 50.0 and spec.ranges_km == (30.0, pytest.approx(60 * 1.609344))
    assert spec.radials == 8 and spec.bearings == (45.0, 90.5) and spec.sector == (300.0, 60.0) and spec.union
    assert spec.marks == (Place(50.45, 30.52, "K"),)


@pytest.mark.parametrize("body,key", [
    (GOOD + "every = 'often'\n", "every"),
    (GOOD + "ranges = '100km'\n", "ranges"),
    (GOOD + "ranges = ['100km', 'far']\n", "ranges"),
    (GOOD + "radials = 'eight'\n", "radials"),
    (GOOD + "radials = 400\n", "radials"),
    (GOOD + "bearings = [45, 400]\n", "bearings"),
    (GOOD + "sector = [300]\n", "sector"),
    (GOOD + "sector = '300-60'\n", "sector"),
    (GOOD + "union = 'yes'\n", "union"),
    (GOOD + "marks = [{ place = 'Kyiv' }]\n", "marks[0].place"),
    (GOOD + "colour = 'red'\n", "colour"),
    ('launch = [{ point = "Kyiv" }]\n', "systems"),
    ('systems = ["Fath-360"]\n', "launch"),
    ('systems = "Fath-360"\nlaunch = [{ point = "Kyiv" }]\n', "systems"),
    (GOOD + "offline = 'yes'\n", "offline"),
    (GOOD + "range = 'far'\n", "range"),
    (GOOD + "range = '50000km'\n", "range"),
    (GOOD + "min_range = '500km'\n", "min_range"),
    (GOOD + "range = '100km'\nmin_range = '200km'\n", "min_range"),
    (GOOD + "output = 'map.gif'\n", "output"),
    ('systems = ["Fath-360"]\nlaunch = [{ point = "Nowhereville-on-Sea" }]\n', "launch[0]"),
    ('systems = ["Fath-360"]\nlaunch = [{ point = "Kyiv", lat = 1, lon = 2 }]\n', "launch[0]"),
    ('systems = ["Fath-360"]\nlaunch = [{ label = "A", lat = 91, lon = 2 }]\n', "launch[0]"),
    ('systems = ["Fath-360"]\nlaunch = [{ label = "A", lat = "x", lon = 2 }]\n', "launch[0].lat"),
    ('systems = ["Fath-360"]\nlaunch = [{ place = "Kyiv" }]\n', "launch[0].place"),
    ('systems = []\nlaunch = [{ point = "Kyiv" }]\n', "systems"),
    ('systems = ["Fath-306"]\nlaunch = [{ point = "Kyiv" }]\n', "systems"),
    ("systems = [\n", "not valid TOML"),
])
def test_bad_files_name_the_file_and_key(tmp_path, body, key, catalog):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(InputError) as err:
        load_scenario(path, catalog)
    assert str(err.value).startswith(f"{path}: {key}")
    assert "\n" not in str(err.value)


def test_unknown_system_names_the_file(tmp_path, catalog):
    path = tmp_path / "s.toml"
    path.write_text('systems = ["Fath-306"]\nlaunch = [{ point = "Kyiv" }]\n')
    with pytest.raises(InputError, match=r"s\.toml: systems: unknown system 'Fath-306'"):
        load_scenario(path, catalog)


def test_render_refuses_to_replace_a_different_file_without_force(tmp_path, catalog):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    (tmp_path / "s.html").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        render_scenario(load_scenario(path, catalog), force=False)
    assert render_scenario(path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_missing_file():
    with pytest.raises(InputError, match="not found"):
        load_scenario("no-such-scenario.toml")
