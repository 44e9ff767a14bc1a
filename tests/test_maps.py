"""Maps: a real folium.Map built from a MapSpec; reproducible, escaped HTML, exact rings, truly offline when asked.

Most tests inspect the ``folium.Map`` (its layers, GeoJSON data and styles); only what exists only
in the page (escaping, ids, asset tags) is checked in the rendered HTML.
"""

import inspect
import itertools
import re

import folium
import pytest

from weaponsdb import maps, offline
from weaponsdb.errors import InputError
from weaponsdb.maps import build_map, dateline, render_html, save_html
from weaponsdb.model import MapSpec, Place, RangeSpec, Source, System

XSS = "<img src=x onerror=alert(1)>"
LAUNCHES = (Place(50.6, 36.6, "Belgorod"), Place(51.73, 36.19, "Kursk"), Place(53.25, 34.37, "Bryansk"))


def system(name="Test-1", max_km=120.7, *, min_km=0.0, low=None, high=None, note="", aliases=None,
           sources=None) -> System:
    source = Source(id=f"{name}-src", title=f"{name} report", publisher="Example News",
                    url="https://example.org/report", date="2024-09-10")
    srcs = tuple(sources) if sources is not None else (source,)
    rng = RangeSpec(max_km=max_km, min_km=min_km, low_km=low, high_km=high, reported=f"{max_km} km", note=note,
                    source=srcs[0])
    return System(id=name.lower(), name=name, range=rng, aliases=tuple(aliases or (f"{name}A",)), country="Nowhere",
                  category="SRBM", status="in service", sources=srcs)


def spec(systems, points=LAUNCHES, **options) -> MapSpec:
    return MapSpec(systems=tuple(systems), points=tuple(points), **options)


def adhoc(max_km, min_km=0.0) -> System:
    return System.adhoc(max_km, min_km)


def page(*args, **options) -> str:
    return render_html(build_map(spec(*args, **options)))


def elements(m, kind=object):
    """Every element under ``m``, depth first, of type ``kind``."""
    for child in m._children.values():
        if isinstance(child, kind):
            yield child
        yield from elements(child, kind)


def geojson(m, css_class: str) -> list[folium.GeoJson]:
    return [g for g in elements(m, folium.GeoJson) if g.options.get("className") == css_class]


def xs_of(layer: folium.GeoJson) -> list[float]:
    out = []
    for f in layer.data["features"]:
        geom = f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        out += [x for poly in polys for ring in poly for x, _ in ring]
    return out


def fit(m) -> list[list[float]]:
    (view,) = elements(m, maps.html.FitView)
    return view.bounds


def test_build_map_returns_a_folium_map_users_can_extend(tmp_path):
    m = build_map(spec([system()], LAUNCHES[:1]))
    assert isinstance(m, folium.Map)
    folium.Marker([50.0, 30.0], tooltip="mine").add_to(m)
    assert "mine" in render_html(m)
    assert "<iframe" in m._repr_html_()  # displays itself in Jupyter
    out = save_html(m, tmp_path / "m.html")
    assert out.read_text(encoding="utf-8") == render_html(m)


def test_same_inputs_give_byte_identical_html():
    args = ([system("A"), system("B", 500, low=400.0, high=500.0)], LAUNCHES)
    assert page(*args, title="T", uncertainty=True) == page(*args, title="T", uncertainty=True)
    assert page(*args, offline=True) == page(*args, offline=True)
    m = build_map(spec(*args, offline=True))
    assert render_html(m) == render_html(m)  # rendering twice continues the same id counter


def test_element_ids_are_numbered_not_random():
    html = page([system()], LAUNCHES[:1])
    assert re.search(r"map_[0-9a-f]{32}", html) is None
    assert "map_0001" in html


def test_one_ring_per_system_and_launch_point():
    m = build_map(spec([system("A"), system("B", 300)]))
    assert len(geojson(m, "range-ring")) == 6
    assert len(list(elements(m, folium.CircleMarker))) == 3


def test_rings_are_geojson_never_leaflet_circles():
    m = build_map(spec([system(max_km=500)]))
    assert not [e for e in elements(m) if type(e) in (folium.Circle,)]
    assert "L.circle(" not in render_html(m)
    for module in (maps, maps.layers, maps.dateline, maps.basemap, maps.html):
        assert re.search(r"\bCircle\(", inspect.getsource(module)) is None


def test_minimum_range_is_a_hole():
    (layer,) = geojson(build_map(spec([system(max_km=500, min_km=100.0)], LAUNCHES[:1])), "range-ring")
    (feature,) = layer.data["features"]
    assert feature["geometry"]["type"] == "Polygon" and len(feature["geometry"]["coordinates"]) == 2


def test_uncertainty_band_only_when_asked_and_sources_disagree():
    systems = [system("A", low=100.0, high=120.7), system("B")]
    assert geojson(build_map(spec(systems)), "range-band") == []
    assert len(geojson(build_map(spec(systems, uncertainty=True)), "range-band")) == 3


def test_user_text_is_escaped_everywhere():
    title = "Title </script><script>alert(1)</script> `${alert(2)}` \\u0041"
    html = page([system(f"Bad {XSS}", aliases=[XSS], note=XSS)], [Place(50.6, 36.6, XSS)], title=title)
    assert XSS not in html
    assert "<script>alert(1)" not in html
    assert "${alert(2)}" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 4
    assert "<title>Title &lt;/script&gt;" in html


def test_javascript_urls_are_not_links():
    bad = Source(id="x", title="click", url="javascript:alert(1)")
    assert "javascript:alert" not in page([system(sources=[bad])], LAUNCHES[:1])


def test_one_colour_per_system_in_ring_legend_and_popup():
    from weaponsdb import style

    m = build_map(spec([system("A"), system("B")], LAUNCHES[:1]))
    fills = [layer.style_function(None) for layer in geojson(m, "range-ring")]
    assert [f["color"] for f in fills] == [f["fillColor"] for f in fills] == [style.colour(0), style.colour(1)]
    html = render_html(m)
    for colour in (style.colour(0), style.colour(1)):
        assert f"border-color:{colour}" in html and f"background:{colour}\"" in html


def test_caption_has_data_date_sources_and_caveat():
    html = page([system()], LAUNCHES[:1])
    assert maps.CAVEAT in html
    assert "Data as of 2024-09-10 (latest date of this map's sources)" in html
    assert 'href="https://example.org/report"' in html


def test_online_map_uses_osm_tiles_with_attribution():
    m = build_map(spec([system()], LAUNCHES[:1]))
    (tiles,) = elements(m, folium.TileLayer)
    assert tiles.tiles.startswith("https://tile.openstreetmap.org/")
    assert "openstreetmap.org/copyright" in tiles.options["attribution"]
    html = render_html(m)
    assert "L.control.scale()" in html and "L.control.layers(" in html
    hosts = set(re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="https://([^/"]+)', html))
    assert hosts == {"cdn.jsdelivr.net", "code.jquery.com"}
    assert "bootstrap" not in html and "fontawesome" not in html


def test_offline_html_loads_nothing_from_the_network():
    m = build_map(spec([system("A"), system("B", 2000)], offline=True))
    assert not list(elements(m, folium.TileLayer)) and geojson(m, "wdb-basemap")
    html = render_html(m)
    assert offline.external_refs(html) == []
    assert re.search(r"<(script|link|img)\b[^>]*(src|href)=[\"']?(https?:)?//", html, re.I) is None
    assert "L.Icon.Default.mergeOptions" in html


def test_inline_assets_refuses_unknown_urls():
    with pytest.raises(offline.OfflineError, match=r"cdn\.example\.com"):
        offline.inline_assets('<head><script src="https://cdn.example.com/plugin.js"></script></head>')


def test_pole_and_whole_earth_rings_fit_the_world():
    assert fit(build_map(spec([adhoc(15000)], [Place(39.03, 125.75, "Pyongyang")]))) == maps.WORLD_VIEW
    m = build_map(spec([adhoc(12000)], [Place(55.75, 37.62, "Moscow")]))
    (south, west), (north, east) = fit(m)
    assert (west, east) == (-180, 180) and north == maps.VIEW_MAX_LAT and -60 <= south < 0
    assert maps.MERCATOR_NOTE in render_html(m)


def test_polar_launch_points_fit_what_mercator_can_show_and_say_so():
    from weaponsdb.catalog import load_catalog

    catalog = load_catalog()
    systems = [catalog.get("iskander-m"), catalog.get("kn-23")]
    m = build_map(spec(systems, [Place(90, 0, "Pole"), Place(89.9, 179.9, "Near pole")], offline=True))
    (south, west), (north, east) = fit(m)
    assert (west, east) == (-180, 180) and north == maps.VIEW_MAX_LAT and 83 < south < maps.VIEW_MAX_LAT
    (view,) = elements(m, maps.html.FitView)
    assert view.edge == 1  # the world's top edge is pulled to the top of the screen
    assert "Web Mercator cannot show latitudes above 85°" in render_html(m)
    plain = build_map(spec(systems))
    assert maps.MERCATOR_NOTE not in render_html(plain) and fit(plain) and next(elements(plain, maps.html.FitView)).edge == 0
    (south, _), (north, _) = fit(build_map(spec(systems, [Place(-88, 10, "South")])))
    assert south == -maps.VIEW_MAX_LAT and north < -80


PACIFIC = {
    "Taveuni": ([system("Fath-360", 120.7)], [Place(-16.8, -179.95, "Taveuni")]),
    "three": ([adhoc(3000)], [Place(60, 179.5, "A"), Place(60, -179.5, "B"), Place(-18.14, 178.44, "Suva")]),
    "kn-23": ([system("KN-23", 690)], [Place(53, 158, "Kamchatka"), Place(-17, 179.9, "Fiji"),
                                       Place(66, -170, "Chukotka")]),
}


@pytest.mark.parametrize("case", PACIFIC)
def test_rings_across_the_dateline_get_a_pacific_view(case):
    systems, launches = PACIFIC[case]
    m = build_map(spec(systems, launches, offline=True))
    (_, west), (_, east) = fit(m)
    assert west < 180 < east and east - west < 140, (west, east)
    xs = [x for layer in geojson(m, "range-ring") for x in xs_of(layer)]
    assert west - 1e-4 <= min(xs) and max(xs) <= east + 1e-4  # every ring part inside the fitted view
    markers = [c.location[1] for c in elements(m, folium.CircleMarker)]
    assert len(markers) == len(launches) and all(west <= x <= east for x in markers)
    (land,) = geojson(m, "wdb-basemap")
    xs = xs_of(land)
    past = [x for x in xs if x > 180]  # land past the dateline, copied just as far as the view needs
    assert past and max(past) > east - 1 and len(past) < len(xs) - len(past)
    assert render_html(m) == page(systems, launches, offline=True)


def test_taveuni_ring_is_drawn_whole_but_its_geometry_stays_rfc7946():
    from weaponsdb.geodesy import ring

    m = build_map(spec([system("Fath-360", 120.7)], [Place(-16.8, -179.95, "Taveuni")]))
    (layer,) = geojson(m, "range-ring")
    xs = xs_of(layer)
    assert 178.5 < min(xs) < 180 < max(xs) < 181.5
    (marker,) = elements(m, folium.CircleMarker)
    assert marker.location == pytest.approx([-16.8, 180.05])  # the marker sits with its ring
    assert "-179.9500" in render_html(m)  # popups still give the real coordinate
    assert all(-180 <= x <= 180 for x in ring(-16.8, -179.95, 120.7).bounds[::2])
    assert len(list(elements(m, folium.TileLayer))) == 1  # online tiles repeat past 180: no second basemap


def test_dateline_cut_only_when_it_makes_the_drawing_narrower():
    from weaponsdb.geodesy import ring

    assert maps.dateline_cut([ring(50.6, 36.6, 500)], [36.6]) is None
    assert maps.dateline_cut([ring(55.75, 37.62, 12000)], [37.62]) is None  # covers the pole: world view
    assert maps.dateline_cut([ring(0, 40, 2000), ring(0, -10, 2000)], [40, -10]) is None
    assert maps.dateline_cut([ring(0, 170, 2000), ring(0, -10, 2000)], [170, -10]) is not None  # tie: cut
    cut = maps.dateline_cut([ring(-16.8, -179.95, 120.7)], [-179.95])
    assert cut is not None and -179 < cut < -178.5


def test_many_systems_fold_the_layer_control_and_scroll_the_legend():
    def control(m):
        (c,) = elements(m, folium.LayerControl)
        return c.options["collapsed"]

    few = build_map(spec([system(f"S{i}", 100 + i) for i in range(5)], LAUNCHES[:1]))
    many = build_map(spec([system(f"S{i}", 100 + i) for i in range(16)], LAUNCHES[:1]))
    assert control(few) is False and control(many) is True
    legends = [b for b in elements(many, maps.html.Box) if "wdb-legend" in b.css_class]
    assert [b.css_class for b in legends] == ["wdb-box wdb-legend wdb-legend-tall"]
    assert re.search(r"\.wdb-legend\{[^}]*max-height:[^}]*overflow-y:auto", maps.html.STYLE)


def test_point_label_names_targets_in_legend_layer_and_tooltips():
    html = page([system("Fath-360")], [Place(50.45, 30.52, "Kyiv")], point_label="target")
    assert "<span>target</span>" in html and '"Targets"' in html
    assert "Fath-360 range footprint around Kyiv" in html and "footprint around Kyiv<br>" in html
    assert "launch point" not in html.lower().replace("launch-point", "")
    default = page([system("Fath-360")], [Place(50.6, 36.6, "Belgorod")])
    assert "<span>launch point</span>" in default and '"Launch points"' in default
    assert "Fath-360 range from Belgorod" in default


def test_dateline_ring_is_split_and_its_cut_is_not_stroked():
    m = build_map(spec([adhoc(3000)], [Place(53.0, 158.65, "Petropavlovsk-Kamchatsky")]))
    (fill,) = geojson(m, "range-ring")
    assert len(fill.data["features"]) == 2
    for feature in fill.data["features"]:
        xs = [x for ring in feature["geometry"]["coordinates"] for x, _ in ring]
        assert max(xs) - min(xs) < 90
    assert fill.style_function(None)["stroke"] is False
    (outline,) = geojson(m, "range-ring-outline")
    assert all(abs(a[0]) != 180 or a[0] != b[0] for f in outline.data["features"]
               for a, b in itertools.pairwise(f["geometry"]["coordinates"]))


def test_spec_needs_systems_points_and_a_sane_range():
    with pytest.raises(InputError, match="no systems"):
        spec([])
    with pytest.raises(InputError, match="launch"):
        spec([system()], [])
    with pytest.raises(InputError, match="minimum range"):
        adhoc(100, 200)


def labels(m, css: str) -> list[str]:
    """The HTML of every permanent label of a kind (``wdb-ring-label``, ``wdb-point-label``, ...)."""
    return [mk.icon.options["html"] for mk in elements(m, folium.Marker)
            if isinstance(mk.icon, folium.DivIcon) and css in mk.icon.options.get("class_name", "").split()]


def legend_html(m) -> str:
    (box,) = [b for b in elements(m, maps.html.Box) if "wdb-legend" in b.css_class]
    return box.body


def test_user_range_reads_user_set_in_legend_label_tooltip_and_popup():
    m = build_map(spec([system(max_km=120.7).with_range(300)], LAUNCHES[:1]))
    assert "300 km (186 mi), <i>user-set</i>" in legend_html(m)
    (ring_label,) = labels(m, "wdb-ring-label")
    assert "300 km (186 mi), <i>user-set</i>" in ring_label
    (ring,) = geojson(m, "range-ring")
    tooltip = next(elements(ring, folium.Tooltip)).text
    popup = next(elements(ring, folium.Popup)).html.render()
    assert "range (user-set) from Belgorod" in tooltip
    assert "user-set</b>, not a sourced figure" in popup and "Catalogue gives 121 km (75.0 mi)" in popup
    assert "Catalogue range source" in popup and "Range source:" not in popup
    sourced = build_map(spec([system(max_km=120.7)], LAUNCHES[:1]))
    assert "user-set" not in legend_html(sourced) and "user-set" not in labels(sourced, "wdb-ring-label")[0]


def test_every_ring_carries_its_range_in_km_and_miles():
    m = build_map(spec([system("A", 120.7), system("B", 300)]))
    texts = labels(m, "wdb-ring-label")
    assert len(texts) == 6
    assert sum("A 121 km (75.0 mi)" in t for t in texts) == 3 and sum("B 300 km (186 mi)" in t for t in texts) == 3
    assert len(labels(m, "wdb-point-label")) == 3


def test_default_title_names_systems_and_points():
    m = build_map(spec([system("A"), system("B", 300)], LAUNCHES[:2]))
    assert [b.body for b in elements(m, maps.html.Box) if "wdb-title" in b.css_class] == ["A and B from Belgorod and Kursk"]
    assert "<title>A and B from Belgorod and Kursk</title>" in render_html(m)
    targets = build_map(spec([adhoc(300)], [Place(50.45, 30.52, "Kyiv")], point_label="target"))
    assert "300 km ring around Kyiv" in render_html(targets)
    many = maps.furniture.default_title(spec([system(f"S{i}") for i in range(5)], LAUNCHES))
    assert many == "S0, S1, S2 and 2 more from Belgorod, Kursk and Bryansk"


def test_several_sites_get_their_own_dash_and_legend_row():
    m = build_map(spec([system("A")]))
    dashes = [layer.style_function(None)["dashArray"] for layer in geojson(m, "range-ring")]
    assert len(set(dashes)) == 3
    legend = legend_html(m)
    assert all(p.label in legend for p in LAUNCHES) and legend.count('class="wdb-line"') == 3
    single = build_map(spec([system("A")], LAUNCHES[:1]))
    assert geojson(single, "range-ring")[0].style_function(None)["dashArray"] is None


def test_near_global_ring_draws_its_out_of_range_area_labelled():
    import shapely

    pyongyang = Place(39.03, 125.75, "Pyongyang")
    m = build_map(spec([adhoc(15000)], [pyongyang]))
    (out,) = geojson(m, "out-of-range")
    area = shapely.geometry.shape(out.data["features"][0]["geometry"])
    assert shapely.contains_xy(area, 125.75 - 180, -39.03) and not shapely.contains_xy(area, 125.75, 39.03)
    (out_label,) = labels(m, "wdb-out-label")
    assert ">out of range: 15,000 km ring from Pyongyang<" in out_label
    assert "out of range of" in legend_html(m) and "within range" in legend_html(m)
    assert geojson(build_map(spec([system(max_km=500)], LAUNCHES[:1])), "out-of-range") == []


def test_rings_past_mercator_or_round_a_pole_are_never_stroked_along_the_map_edge():
    engels = Place(51.48, 46.12, "Engels")
    m = build_map(spec([adhoc(4500)], [engels]))
    (fill,) = geojson(m, "range-ring")
    assert fill.style_function(None)["stroke"] is False
    (outline,) = geojson(m, "range-ring-outline")
    ys = [y for f in outline.data["features"] for _, y in f["geometry"]["coordinates"]]
    assert max(ys) <= maps.html.MERCATOR_MAX_LAT + 1e-9
    assert all(not maps.dateline.on_cut(a, b) for f in outline.data["features"]
               for a, b in itertools.pairwise(f["geometry"]["coordinates"]))


def test_interval_rings_every_step_and_at_given_ranges():
    import pyproj

    m = build_map(spec([system("A", 500)], LAUNCHES[:1], every_km=100, ranges_km=(250.0, 900.0)))
    rings = geojson(m, "range-interval")
    assert len(rings) == 5  # 100, 200, 250, 300, 400 (500 is the ring itself, 900 is beyond it)
    geod = pyproj.Geod(ellps="WGS84")
    for layer, km in zip(rings, (100, 200, 250, 300, 400)):
        for f in layer.data["features"]:
            for lon, lat in f["geometry"]["coordinates"]:
                assert abs(geod.inv(36.6, 50.6, lon, lat)[2] / 1e3 - km) < 0.5
    assert sorted(t.split(">")[1].split(" km")[0] for t in labels(m, "wdb-interval-label")) == \
        ["100", "200", "250", "300", "400"]


def test_radials_evenly_spaced_and_given_bearings_out_to_the_outer_ring():
    m = build_map(spec([system("A", 500), system("B", 300)], LAUNCHES[:2], radials=4, bearings=(45.0, 90.0)))
    assert len(geojson(m, "range-radial")) == 2 * 5  # 0, 45, 90, 180, 270 from each point
    texts = [t.split(">")[1].split("<")[0] for t in labels(m, "wdb-radial-label")]
    assert sorted(set(texts)) == ["000°", "045°", "090°", "180°", "270°"]


def test_sector_cuts_rings_to_the_fan():
    from weaponsdb import fans

    m = build_map(spec([system("A", 500)], LAUNCHES[:1], sector=(300.0, 60.0), radials=8))
    (ring,) = geojson(m, "range-ring")
    import shapely

    drawn = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in ring.data["features"]])
    exact = fans.sector(50.6, 36.6, 500, 300, 60)
    assert drawn.symmetric_difference(exact).area < 1e-5 * exact.area  # coordinates rounded to ~1 m
    assert len(geojson(m, "range-radial")) == 3  # 315, 0, 45 of the eight


def test_marks_are_drawn_with_labels_and_distances():
    m = build_map(spec([system("A")], LAUNCHES[:1], marks=(Place(50.45, 30.52, "Kyiv"),)))
    (mark,) = [mk for mk in elements(m, folium.Marker)
               if isinstance(mk.icon, folium.DivIcon) and mk.icon.options["class_name"] == "wdb-mark"]
    assert mark.location == [50.45, 30.52]
    assert labels(m, "wdb-mark-label") and "Kyiv" in labels(m, "wdb-mark-label")[0]
    popup = next(elements(mark, folium.Popup)).html.render()
    assert "from Belgorod: 431 km (268 mi), bearing 270°" in popup


def test_union_outlines_combined_coverage_of_several_sites():
    m = build_map(spec([system("A", 200), system("B", 300)], union=True))
    assert len(geojson(m, "range-union")) == 2
    assert geojson(build_map(spec([system("A", 200)])), "range-union") == []


def test_duplicate_systems_are_drawn_once():
    m = build_map(spec([system("A"), system("A")], LAUNCHES[:1]))
    assert len(geojson(m, "range-ring")) == 1


def test_compare_map_draws_added_coverage_over_the_first_system():
    from weaponsdb.geodesy import ring

    added = ring(50.6, 36.6, 500).difference(ring(50.6, 36.6, 120.7))
    m = build_map(spec([system("A"), system("B", 500)], LAUNCHES[:1], compare=True), added={"b": added})
    (layer,) = geojson(m, "added-area")
    assert layer.style_function(None)["fillColor"] == maps.PALETTE[1]
    assert "Added over A" in render_html(m)


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


def test_real_catalogue_system_draws_with_the_catalogue_date():
    from weaponsdb.catalog import load_catalog
    from weaponsdb.specs import map_spec

    catalog = load_catalog()
    m = build_map(map_spec(["Fath-360"], LAUNCHES, uncertainty=True, offline=True, catalog=catalog))
    html = render_html(m)
    assert "Fath-360" in html and offline.external_refs(html) == []
    assert f"Catalogue data as of {catalog.data_date()} (latest source date); newest source on this map: " in html


def test_dateline_helpers_live_in_their_module():
    assert maps.dateline_cut is dateline.dateline_cut and maps.outline is dateline.outline


def test_render_html_takes_any_folium_map():
    plain = folium.Map(location=[50, 30], zoom_start=5, tiles=None)
    html = render_html(plain)
    assert html.startswith("<!DOCTYPE html>") and "L.map(" in html and "bootstrap" not in html
