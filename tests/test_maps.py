"""Map HTML: reproducible, escaped, exact rings (never Leaflet circles), and truly offline when asked."""

import inspect
import itertools
import json
import re

import pytest

from weaponsdb import maps, offline
from weaponsdb.errors import InputError
from weaponsdb.points import Point

XSS = "<img src=x onerror=alert(1)>"
LAUNCHES = [Point(50.6, 36.6, "Belgorod"), Point(51.73, 36.19, "Kursk"), Point(53.25, 34.37, "Bryansk")]


def system(name="Test-1", max_km=120.7, **extra):
    source = {"id": f"{name}-src", "title": f"{name} report", "publisher": "Example News",
              "url": "https://example.org/report", "date": "2024-09-10"}
    record = {"id": name.lower(), "name": name, "aliases": [f"{name}A"], "country": "Nowhere", "operators": [],
              "category": "SRBM", "min_range_km": None, "max_range_km": max_km, "range_reported": f"{max_km} km",
              "range_low_km": None, "range_high_km": None, "range_note": "", "payload": "", "propulsion": "",
              "guidance": "", "cep_m": None, "status": "in service", "sources": [source], "range_source": source}
    record.update(extra)
    return record


def geojson_layers(html: str) -> dict[str, list[dict]]:
    """className -> the GeoJSON data of each folium GeoJson layer with that class."""
    out: dict[str, list[dict]] = {}
    for name in re.findall(r"var (geo_json_\w+) = L\.geoJson\(", html):
        block = html[html.index(f"var {name} = L.geoJson("):]
        cls = re.search(r'"className": "([\w-]+)"', block[:2000])
        data = re.search(rf"{name}_add\((\{{.*?\}})\);\n", html, re.S)
        out.setdefault(cls.group(1) if cls else "", []).append(json.loads(data.group(1)))
    return out


def test_same_inputs_give_byte_identical_html():
    args = ([system("A"), system("B", 500, range_low_km=400.0, range_high_km=500.0)], LAUNCHES)
    assert maps.draw(*args, title="T", uncertainty=True) == maps.draw(*args, title="T", uncertainty=True)
    assert maps.draw(*args, offline=True) == maps.draw(*args, offline=True)


def test_element_ids_are_numbered_not_random():
    html = maps.draw([system()], LAUNCHES[:1])
    assert re.search(r"map_[0-9a-f]{32}", html) is None
    assert "map_0001" in html


def test_one_ring_per_system_and_launch_point():
    html = maps.draw([system("A"), system("B", 300)], LAUNCHES)
    assert len(geojson_layers(html)["range-ring"]) == 6
    assert html.count("L.circleMarker(") == 3


def test_rings_are_geojson_never_leaflet_circles():
    html = maps.draw([system(max_km=500)], LAUNCHES)
    assert "L.circle(" not in html
    assert re.search(r"\bCircle\(", inspect.getsource(maps)) is None


def test_minimum_range_is_a_hole():
    html = maps.draw([system(max_km=500, min_range_km=100.0)], LAUNCHES[:1])
    (layer,) = geojson_layers(html)["range-ring"]
    (feature,) = layer["features"]
    assert feature["geometry"]["type"] == "Polygon" and len(feature["geometry"]["coordinates"]) == 2


def test_uncertainty_band_only_when_asked_and_sources_disagree():
    args = ([system("A", range_low_km=100.0, range_high_km=120.7), system("B")], LAUNCHES)
    assert "range-band" not in geojson_layers(maps.draw(*args))
    assert len(geojson_layers(maps.draw(*args, uncertainty=True))["range-band"]) == 3


def test_user_text_is_escaped_everywhere():
    title = "Title </script><script>alert(1)</script> `${alert(2)}` \\u0041"
    name = f"Bad {XSS}"
    html = maps.draw([system(name, aliases=[XSS], range_note=XSS)], [Point(50.6, 36.6, XSS)], title=title)
    assert XSS not in html
    assert "<script>alert(1)" not in html
    assert "${alert(2)}" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 4
    assert "<title>Title &lt;/script&gt;" in html


def test_javascript_urls_are_not_links():
    bad = {"id": "x", "title": "click", "publisher": "", "url": "javascript:alert(1)", "date": ""}
    html = maps.draw([system(sources=[bad], range_source=bad)], LAUNCHES[:1])
    assert "javascript:alert" not in html


def test_one_colour_per_system_in_ring_legend_and_popup():
    html = maps.draw([system("A"), system("B")], LAUNCHES[:1])
    for colour in maps.PALETTE[:2]:
        assert f'"color": "{colour}"' in html
        assert f"border-color:{colour}" in html
        assert f"background:{colour}\"" in html


def test_caption_has_data_date_sources_and_caveat():
    html = maps.draw([system()], LAUNCHES[:1])
    assert "a range ring shows distance only: it is not a statement of what can be hit" in html
    assert "Data as of 2024-09-10 (latest date of this map's sources)" in html
    assert 'href="https://example.org/report"' in html


def test_online_map_uses_osm_tiles_with_attribution():
    html = maps.draw([system()], LAUNCHES[:1])
    assert "https://tile.openstreetmap.org/" in html
    assert "openstreetmap.org/copyright" in html and "OpenStreetMap\\u003c/a\\u003e contributors" in html
    assert "L.control.scale()" in html and "L.control.layers(" in html
    hosts = set(re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="https://([^/"]+)', html))
    assert hosts == {"cdn.jsdelivr.net", "code.jquery.com"}
    assert "bootstrap" not in html and "fontawesome" not in html


def test_offline_html_loads_nothing_from_the_network():
    html = maps.draw([system("A"), system("B", 2000)], LAUNCHES, offline=True)
    assert offline.external_refs(html) == []
    assert re.search(r"<(script|link|img)\b[^>]*(src|href)=[\"']?(https?:)?//", html, re.I) is None
    assert "L.tileLayer" not in html and "wdb-basemap" in html
    assert "L.Icon.Default.mergeOptions" in html


def test_inline_assets_refuses_unknown_urls():
    page = '<head><script src="https://cdn.example.com/plugin.js"></script></head>'
    with pytest.raises(offline.OfflineError, match="cdn.example.com"):
        offline.inline_assets(page)


def fitted_view(html: str) -> list[list[float]]:
    return json.loads(re.search(r"map\.fitBounds\((\[\[.*?\]\]),", html).group(1))


def test_pole_and_whole_earth_rings_fit_the_world():
    assert fitted_view(maps.draw([None], [Point(39.03, 125.75, "Pyongyang")], max_km=15000)) == maps.WORLD_VIEW
    html = maps.draw([None], [Point(55.75, 37.62, "Moscow")], max_km=12000)
    (south, west), (north, east) = fitted_view(html)
    assert (west, east) == (-180, 180) and north == maps.VIEW_MAX_LAT and -60 <= south < 0
    assert maps.MERCATOR_NOTE in html


def test_polar_launch_points_fit_what_mercator_can_show_and_say_so():
    from weaponsdb.catalog import load_catalog

    catalog = load_catalog()
    systems = [catalog.get("iskander-m"), catalog.get("kn-23")]
    html = maps.draw(systems, [Point(90, 0, "Pole"), Point(89.9, 179.9, "Near pole")], offline=True)
    (south, west), (north, east) = fitted_view(html)
    assert (west, east) == (-180, 180) and north == maps.VIEW_MAX_LAT and 83 < south < maps.VIEW_MAX_LAT
    assert "Web Mercator cannot show latitudes above 85°" in html
    assert "map.panBy(" in html  # the world's top edge is pulled to the top of the screen
    assert maps.MERCATOR_NOTE not in maps.draw(systems, LAUNCHES)
    assert "map.panBy(" not in maps.draw(systems, LAUNCHES)
    (south, _), (north, _) = fitted_view(maps.draw(systems, [Point(-88, 10, "South")]))
    assert south == -maps.VIEW_MAX_LAT and north < -80


PACIFIC = {
    "Taveuni": ([system("Fath-360", 120.7)], [Point(-16.8, -179.95, "Taveuni")], None),
    "three": ([None], [Point(60, 179.5, "A"), Point(60, -179.5, "B"), Point(-18.14, 178.44, "Suva")], 3000),
    "kn-23": ([system("KN-23", 690)], [Point(53, 158, "Kamchatka"), Point(-17, 179.9, "Fiji"),
                                       Point(66, -170, "Chukotka")], None),
}


@pytest.mark.parametrize("case", PACIFIC)
def test_rings_across_the_dateline_get_a_pacific_view(case):
    systems, launches, max_km = PACIFIC[case]
    html = maps.draw(systems, launches, max_km=max_km, offline=True)
    (south, west), (north, east) = fitted_view(html)
    assert west < 180 < east and east - west < 140, (west, east)
    xs = [x for layer in geojson_layers(html)["range-ring"] for f in layer["features"]
          for ring in f["geometry"]["coordinates"] for x, _ in ring]
    assert west - 1e-4 <= min(xs) and max(xs) <= east + 1e-4  # every ring part inside the fitted view
    markers = [float(x) for x in re.findall(r"L\.circleMarker\(\s*\[[-\d.]+, ([-\d.]+)\]", html)]
    assert len(markers) == len(launches) and all(west <= x <= east for x in markers)
    (base, copy) = geojson_layers(html)["wdb-basemap"]
    copy_xs = [x for f in copy["features"] for poly in f["geometry"]["coordinates"] for r in poly for x, _ in r]
    assert copy_xs and 180 <= min(copy_xs) and max(copy_xs) > east - 1
    assert len(json.dumps(copy)) < len(json.dumps(base))  # only the part needed past the dateline
    assert html == maps.draw(systems, launches, max_km=max_km, offline=True)


def test_taveuni_ring_is_drawn_whole_but_its_geometry_stays_rfc7946():
    from weaponsdb.geodesy import ring

    html = maps.draw([system("Fath-360", 120.7)], [Point(-16.8, -179.95, "Taveuni")])
    (layer,) = geojson_layers(html)["range-ring"]
    xs = [x for f in layer["features"] for r in f["geometry"]["coordinates"] for x, _ in r]
    assert 178.5 < min(xs) < 180 < max(xs) < 181.5
    assert "180.05, " in html or "[-16.8, 180.05]" in html  # the marker sits with its ring
    assert "-179.9500" in html  # popups still give the real coordinate
    assert all(-180 <= x <= 180 for x in ring(-16.8, -179.95, 120.7).bounds[::2])
    assert "L.tileLayer" in html  # online tiles repeat past 180 by themselves: no second basemap


def test_dateline_cut_only_when_it_makes_the_drawing_narrower():
    from weaponsdb.geodesy import ring

    assert maps.dateline_cut([ring(50.6, 36.6, 500)], [36.6]) is None
    assert maps.dateline_cut([ring(55.75, 37.62, 12000)], [37.62]) is None  # covers the pole: world view
    assert maps.dateline_cut([ring(0, 40, 2000), ring(0, -10, 2000)], [40, -10]) is None
    assert maps.dateline_cut([ring(0, 170, 2000), ring(0, -10, 2000)], [170, -10]) is not None  # tie: cut
    cut = maps.dateline_cut([ring(-16.8, -179.95, 120.7)], [-179.95])
    assert cut is not None and -179 < cut < -178.5


def test_many_systems_fold_the_layer_control_and_scroll_the_legend():
    few = maps.draw([system(f"S{i}", 100 + i) for i in range(5)], LAUNCHES[:1])
    many = maps.draw([system(f"S{i}", 100 + i) for i in range(16)], LAUNCHES[:1])
    assert '"collapsed": false' in few and "wdb-legend-tall" not in few.split("</style>")[-1]
    assert '"collapsed": true' in many and 'class="wdb-box wdb-legend wdb-legend-tall"' in many
    assert re.search(r"\.wdb-legend\{[^}]*max-height:[^}]*overflow-y:auto", many)


def test_point_label_names_targets_in_legend_layer_and_tooltips():
    html = maps.draw([system("Fath-360")], [Point(50.45, 30.52, "Kyiv")], point_label="target")
    assert "<span>target</span>" in html and '"Targets"' in html
    assert "Fath-360 range footprint around Kyiv" in html and "footprint around Kyiv<br>" in html
    assert "launch point" not in html.lower().replace("launch-point", "")
    default = maps.draw([system("Fath-360")], [Point(50.6, 36.6, "Belgorod")])
    assert "<span>launch point</span>" in default and '"Launch points"' in default
    assert "Fath-360 range from Belgorod" in default


def test_dateline_ring_is_split_and_its_cut_is_not_stroked():
    html = maps.draw([None], [Point(53.0, 158.65, "Petropavlovsk-Kamchatsky")], max_km=3000)
    layers = geojson_layers(html)
    (fill,) = layers["range-ring"]
    assert len(fill["features"]) == 2
    for feature in fill["features"]:
        xs = [x for ring in feature["geometry"]["coordinates"] for x, _ in ring]
        assert max(xs) - min(xs) < 90
    assert '"stroke": false' in html
    outline = layers["range-ring-outline"][0]["features"]
    assert all(abs(a[0]) != 180 or a[0] != b[0] for f in outline
               for a, b in itertools.pairwise(f["geometry"]["coordinates"]))


def test_ad_hoc_range_needs_a_distance_and_a_sane_minimum():
    with pytest.raises(InputError, match="ad-hoc"):
        maps.draw([None], LAUNCHES)
    with pytest.raises(InputError, match="minimum range"):
        maps.draw([None], LAUNCHES, max_km=100, min_km=200)
    with pytest.raises(InputError, match="launch"):
        maps.draw([system()], [])


def test_user_range_overrides_and_says_so():
    html = maps.draw([system(max_km=120.7)], LAUNCHES[:1], max_km=300)
    assert "user-set range" in html and "300 km (186 mi)" in html


def test_write_atomic_respects_force_and_leaves_no_temp_files(tmp_path):
    from weaponsdb.export import write_atomic

    target = tmp_path / "map.html"
    assert write_atomic(target, "<p>1</p>") == target
    assert target.read_text() == "<p>1</p>"
    write_atomic(target, "<p>1</p>", force=False)
    with pytest.raises(InputError, match="already exists"):
        write_atomic(target, "<p>2</p>", force=False)
    assert target.read_text() == "<p>1</p>"
    write_atomic(target, "<p>2</p>", force=True)
    assert target.read_text() == "<p>2</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["map.html"]
    assert target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "map.html", "x")


def test_real_catalogue_record_draws_with_the_catalogue_date():
    from weaponsdb.catalog import load_catalog

    catalog = load_catalog()
    html = maps.draw([catalog.get("Fath-360")], LAUNCHES, uncertainty=True, offline=True, catalog=catalog)
    assert "Fath-360" in html and offline.external_refs(html) == []
    assert f"Catalogue data as of {catalog.data_date()} (latest source date); newest source on this map: " in html
