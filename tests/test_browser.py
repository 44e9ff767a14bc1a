"""Maps as a reader sees them: headless Chromium with the network cut off, driven by Playwright.

Uses the system Chromium (Debian's ``chromium``), never ``playwright install``. Without it the
tests skip, except under CI (``CI`` set), where a missing browser is a failure.
"""


import pytest

from weaponsdb.export import write_atomic
from weaponsdb.geodesy import distances_m
from weaponsdb.maps import build_map, render_html
from weaponsdb.model import MapSpec, Place, RangeSpec, Source, System

WIDTH, HEIGHT = 1200, 800
XSS = "<img src=x onerror=alert(1)>"


class Opened:
    """A map page with its console errors, blocked requests and dialogs recorded."""

    def __init__(self, browser, html, tmp_path, cdn=None):
        path = write_atomic(tmp_path / "map.html", html, force=True)
        self.cdn = cdn or {}
        self.errors, self.blocked, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route(lambda url: not url.startswith(("file:", "data:")), self._block)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("path.range-ring", state="attached")

    def _block(self, route):
        if route.request.url in self.cdn:
            return route.fulfill(path=self.cdn[route.request.url])
        self.blocked.append(route.request.url)
        route.abort()

    def count(self, selector):
        return self.page.locator(selector).count()

    def boxes(self, selector):
        return self.page.evaluate(
            "s => [...document.querySelectorAll(s)].map(p => p.getBoundingClientRect().width)", selector)

    def rects(self, selector):
        """Bounding boxes (left, top, right, bottom) of the matching elements, in page pixels."""
        return self.page.evaluate("""s => [...document.querySelectorAll(s)].map(e => {
            const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""", selector)

    def covered(self, lat, lon, selector="path.range-ring"):
        """Whether the ring's fill is under (lat, lon) on screen: catches streaks and inverted fills."""
        return self.page.evaluate("""([lat, lon, s]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const r = map.getContainer().getBoundingClientRect();
            const p = map.latLngToContainerPoint([lat, lon]);
            return document.elementsFromPoint(r.left + p.x, r.top + p.y).some(e => e.matches(s));
        }""", [lat, lon, selector])


@pytest.fixture
def opened(browser, tmp_path):
    pages = []

    def open_(html, cdn=None):
        pages.append(Opened(browser, html, tmp_path, cdn))
        return pages[-1]

    yield open_
    for o in pages:
        o.page.close()


def system(name, max_km) -> System:
    source = Source(id=name, title=f"{name} source", publisher="Example", url="https://example.org/", date="2024-01-01")
    return System(id=name.lower(), name=name, range=RangeSpec(max_km=max_km, reported=f"{max_km} km", source=source),
                  category="SRBM", status="in service", sources=(source,))


def adhoc(max_km) -> System:
    return System.adhoc(max_km)


def draw(systems, points, **options) -> str:
    """The page of a map of ``systems`` around ``points``."""
    return render_html(build_map(MapSpec(systems=tuple(systems), points=tuple(points), **options)))


def test_offline_map_works_with_no_network(opened):
    launches = [Place(50.6, 36.6, "Belgorod"), Place(51.73, 36.19, XSS), Place(53.25, 34.37, "Bryansk")]
    o = opened(draw([system("Alpha", 120.7), system("Beta", 300)], launches, title=XSS, offline=True))
    assert o.count("path.range-ring") == 6
    assert o.count("path.launch-point") == 3
    assert o.count(".leaflet-control-layers") == 1 and o.count(".leaflet-control-scale") == 1
    assert o.page.locator(".wdb-point-label").all_inner_texts()[1] == XSS
    assert o.page.locator(".wdb-title").inner_text() == XSS
    assert o.count(".wdb-lbl img") == 0 and o.count(".leaflet-tooltip img") == 0 and o.count(".wdb-title img") == 0

    o.page.locator("path.range-ring").last.click(force=True)
    popup = o.page.wait_for_selector(".leaflet-popup-content")
    assert "Beta" in popup.inner_text() and "km" in popup.inner_text() and "mi)" in popup.inner_text()

    o.page.locator(".leaflet-control-layers-overlays label", has_text="Alpha").locator("input").uncheck()
    assert o.count("path.range-ring") == 3
    o.page.locator(".leaflet-control-layers-overlays label", has_text="Alpha").locator("input").check()
    assert o.count("path.range-ring") == 6

    assert o.errors == [] and o.blocked == [] and o.dialogs == []


def test_dateline_ring_has_no_streak(opened):
    centre = Place(53.0, 158.65, "Petropavlovsk-Kamchatsky")
    o = opened(draw([adhoc(3000)], [centre], offline=True))
    widths = o.boxes("path.range-ring") + o.boxes("path.range-ring-outline")
    map_width = o.page.evaluate("() => document.querySelector('.folium-map').getBoundingClientRect().width")
    assert len(widths) >= 4 and max(widths) < 0.9 * map_width
    # Drawn in a frame past 180 so the ring is whole: -175 is shown as 185.
    for lat, lon in [(53.0, 150.0), (53.0, 185.0), (53.0, 200.0), (53.0, 120.0), (20.0, 158.65)]:
        inside = distances_m(centre.lat, centre.lon, lat, lon) < 3_000_000
        assert o.covered(lat, lon) == inside, (lat, lon)
    assert o.errors == [] and o.blocked == []


def test_ring_across_the_dateline_is_whole_and_in_view(opened):
    taveuni = Place(-16.8, -179.95, "Taveuni")
    o = opened(draw([system("Fath-360", 120.7)], [taveuni], offline=True))
    rects = o.rects("path.range-ring")
    assert len(rects) == 2  # still two RFC 7946 parts, now side by side
    for left, top, right, bottom in rects:
        assert 0 <= left < right <= WIDTH and 0 <= top < bottom <= HEIGHT
        assert right - left > 20 and bottom - top > 100
    assert max(r[2] for r in rects) - min(r[0] for r in rects) > 200  # the whole ring, not a sliver
    seam = min(r[2] for r in rects)
    assert abs(max(r[0] for r in rects) - seam) < 2  # the halves meet at 180
    assert o.covered(-16.8, 180.05) and o.covered(-16.8, 179.5) and o.covered(-16.8, 180.6)
    # Land east of 180 (Taveuni itself) comes from the basemap's shifted copy.
    assert any(seam - 2 <= left and seam + 20 < right for left, _, right, _ in o.rects("path.wdb-basemap"))
    assert o.errors == [] and o.blocked == []


def test_polar_rings_show_what_mercator_can(opened):
    o = opened(draw([system("Alpha", 690)], [Place(89.9, 179.9, "Near pole")], offline=True))
    rects = o.rects("path.range-ring")  # one part, or two where the frame centred on the point splits it
    left, top = min(r[0] for r in rects), min(r[1] for r in rects)
    right, bottom = max(r[2] for r in rects), max(r[3] for r in rects)
    assert top <= 2 and bottom > 5 and right - left > 0.8 * WIDTH  # the strip below 85N, at the top
    assert "cannot show latitudes above 85" in o.page.locator(".wdb-caption").inner_text()
    assert o.errors == [] and o.blocked == []


def test_many_systems_keep_the_legend_clear_of_the_layer_control(opened):
    from weaponsdb.catalog import load_catalog

    catalog = load_catalog()
    systems = list(catalog)[:16]
    o = opened(draw(systems, [Place(50.6, 36.6, "Belgorod")], uncertainty=True, offline=True))
    ((_, _, _, control_bottom),) = o.rects(".leaflet-control-layers")
    ((_, legend_top, _, legend_bottom),) = o.rects(".wdb-legend")
    assert control_bottom < legend_top and legend_bottom <= HEIGHT
    rows = o.page.locator(".wdb-legend .wdb-legend-row").count()
    assert rows > 16
    o.page.locator(".wdb-legend").evaluate("e => e.scrollTop = e.scrollHeight")
    assert o.page.locator(".wdb-legend .wdb-legend-row").last.is_visible()
    assert o.errors == [] and o.blocked == []


def test_pole_ring_fills_the_right_side(opened):
    moscow = Place(55.75, 37.62, "Moscow")
    o = opened(draw([adhoc(12000)], [moscow], offline=True))
    assert o.count("path.range-ring") == 1
    for lat, lon in [(60.0, 37.0), (75.0, -150.0), (75.0, 179.0), (0.0, 100.0), (-50.0, -142.0), (-40.0, -120.0)]:
        inside = distances_m(moscow.lat, moscow.lon, lat, lon) < 12_000_000
        assert o.covered(lat, lon) == inside, (lat, lon)
    assert o.errors == [] and o.blocked == []


def test_whole_earth_ring_keeps_its_hole(opened):
    pyongyang = Place(39.03, 125.75, "Pyongyang")
    o = opened(draw([adhoc(15000)], [pyongyang], offline=True))
    antipode = (-39.03, 125.75 - 180)
    assert distances_m(pyongyang.lat, pyongyang.lon, *antipode) > 15_000_000
    assert not o.covered(*antipode)
    assert o.covered(0.0, 0.0) and o.covered(60.0, -100.0)
    assert o.errors == [] and o.blocked == []


def test_online_map_needs_only_leaflet_and_jquery(opened):
    from weaponsdb.offline import ASSETS

    cdn = {url: str(entry[0]() / entry[1]) for url, entry in ASSETS.items() if entry is not None}
    o = opened(draw([system("Alpha", 300)], [Place(50.6, 36.6, "Belgorod")]), cdn=cdn)
    assert o.count("path.range-ring") == 1 and o.count(".leaflet-control-attribution a") >= 1
    assert o.page.locator(".leaflet-control-attribution").inner_text().count("OpenStreetMap") == 1
    assert {url.split("/")[2] for url in o.blocked} == {"tile.openstreetmap.org"}
    assert [e for e in o.errors if "Failed to load resource" not in e] == []


VISIBLE_LABELS = """s => [...document.querySelectorAll(s)].filter(e => e.style.display !== "none")
    .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, e.innerText]; })"""


def visible_labels(o, selector=".wdb-lbl"):
    return o.page.evaluate(VISIBLE_LABELS, selector)


def overlapping(rects):
    return [(a[4], b[4]) for i, a in enumerate(rects) for b in rects[i + 1:]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def polyline_lats(o, css_class):
    """Latitudes of every vertex of the Leaflet polylines drawn with ``css_class``."""
    return o.page.evaluate("""c => { const map = Object.values(window).find(v => v instanceof L.Map); const out = [];
        map.eachLayer(l => { if (l instanceof L.Polyline && (l.options.className || "").split(" ").includes(c)) {
            out.push(...l.getLatLngs().flat(3).map(p => p.lat)); } }); return out; }""", css_class)


def test_labels_rings_radials_and_marks_are_drawn_and_never_overlap(opened):
    launches = [Place(50.6, 36.6, "Belgorod"), Place(51.73, 36.19, "Kursk")]
    marks = (Place(50.45, 30.52, "Kyiv"), Place(49.99, 36.23, "Kharkiv"))
    o = opened(draw([system("Alpha", 300), system("Beta", 500)], launches, offline=True, every_km=100, radials=8,
                    marks=marks))
    assert o.count("path.range-ring") == 4 and o.count("path.range-radial") == 16
    assert o.count("path.range-interval") == 2 * 2 + 2 * 4
    assert o.count(".wdb-mark") == 2
    labels = visible_labels(o)
    assert overlapping(labels) == []
    texts = [t for *_, t in labels]
    assert any(t.startswith("Alpha 300 km (186 mi)") for t in texts)
    assert any(t.startswith("Beta 500 km (311 mi)") for t in texts)
    assert {"Belgorod", "Kursk", "Kyiv", "Kharkiv"} <= set(texts)
    assert any(t.endswith("°") for t in texts)  # bearings
    title = o.rects(".wdb-title")[0]
    assert overlapping([[*title, "title"], *labels]) == []
    o.page.locator(".leaflet-control-zoom-in").click()  # placed again at every zoom
    o.page.wait_for_timeout(400)
    assert overlapping(visible_labels(o)) == []
    assert o.errors == [] and o.blocked == []


def test_offline_basemap_names_countries_and_places(opened):
    o = opened(draw([system("Alpha", 120.7)], [Place(50.6, 36.6, "Belgorod")], offline=True))
    cities = [t for *_, t in visible_labels(o, ".wdb-city-label")]
    countries = [t for *_, t in visible_labels(o, ".wdb-country-label")]
    assert len(cities) >= 5 and "Kharkiv" in cities
    assert any(c.lower() in ("ukraine", "russia") for c in countries)
    assert o.errors == [] and o.blocked == []


def test_user_set_range_reads_user_set_on_the_page(opened):
    alpha = system("Alpha", 120.7).with_range(200)
    o = opened(draw([alpha], [Place(50.6, 36.6, "Belgorod")], offline=True))
    assert "user-set" in o.page.locator(".wdb-legend").inner_text()
    assert any("user-set" in t for *_, t in visible_labels(o, ".wdb-ring-label"))
    assert o.errors == [] and o.blocked == []


def test_near_global_ring_shows_its_out_of_range_area(opened):
    pyongyang = Place(39.03, 125.75, "Pyongyang")
    o = opened(draw([adhoc(15000)], [pyongyang], offline=True))
    assert o.count("path.out-of-range") >= 1
    fill = o.page.evaluate("() => getComputedStyle(document.querySelector('path.out-of-range')).fill")
    assert "wdb-hatch" in fill
    assert any(t.startswith("out of range") for *_, t in visible_labels(o, ".wdb-out-label"))
    assert "out of range" in o.page.locator(".wdb-legend").inner_text()
    assert o.covered(-39.03, 125.75 - 180, "path.out-of-range") and not o.covered(39.03, 125.75, "path.out-of-range")
    assert o.errors == [] and o.blocked == []


def test_pole_ring_is_not_stroked_along_the_pole_closure(opened):
    o = opened(draw([adhoc(4500)], [Place(51.48, 46.12, "Engels")], offline=True))
    assert o.page.evaluate("() => document.querySelector('path.range-ring').getAttribute('stroke')") == "none"
    lats = polyline_lats(o, "range-ring-outline")
    assert lats and max(lats) <= 85.0512  # nothing squashed onto the map's top edge
    assert o.errors == [] and o.blocked == []


def test_basemap_draws_no_seams_as_borders(opened):
    """Land is cut where the detailed outlines meet the coarse ones; no border line runs along that cut."""
    from weaponsdb.maps.basemap import detail_box
    from weaponsdb.maps.html import FitView

    m = build_map(MapSpec(systems=(system("Alpha", 500),), points=(Place(50.6, 36.6, "Belgorod"),), offline=True))
    (view,) = [e.bounds for e in m._children.values() if isinstance(e, FitView)]
    o = opened(render_html(m))
    west, south, east, north = detail_box(view).bounds
    along = o.page.evaluate("""([xs, ys]) => {
        const map = Object.values(window).find(v => v instanceof L.Map), out = {land: 0, borders: 0};
        const near = (v, w) => Math.abs(v - w) < 0.006;  // coordinates are rounded to 0.01 degree
        const on = (a, b) => (a.lng === b.lng && Math.abs(a.lat - b.lat) > 0.3 && xs.some(x => near(a.lng, x))) ||
                             (a.lat === b.lat && Math.abs(a.lng - b.lng) > 0.3 && ys.some(y => near(a.lat, y)));
        map.eachLayer(l => {
            const c = (l.options.className || "").split(" ");
            const kind = c.includes("wdb-basemap") ? "land" : c.includes("wdb-borders") ? "borders" : null;
            if (!kind || !(l instanceof L.Polyline)) return;
            let rings = l.getLatLngs();
            while (rings.length && rings[0].lat === undefined && rings[0][0] && rings[0][0].lat === undefined) {
                rings = rings.flat(1);
            }
            if (rings.length && rings[0].lat !== undefined) rings = [rings];
            for (const r of rings) for (let i = 0; i + 1 < r.length; i++) if (on(r[i], r[i + 1])) out[kind]++;
        });
        return out; }""", [[west, east], [south, north]])
    assert along["land"] > 0  # the land really is cut there, so the check below means something
    assert along["borders"] == 0, (view, along)
    stroke = o.page.evaluate("() => document.querySelector('path.wdb-basemap').getAttribute('stroke')")
    assert stroke == "none"
    assert o.errors == [] and o.blocked == []


def test_dateline_view_is_the_same_with_a_polar_ring_added(opened):
    centre = Place(53.0, 158.65, "Petropavlovsk-Kamchatsky")
    kalibr, kh101 = system("Kalibr", 2500), system("Kh-101", 4500)
    for systems in ([kalibr], [kalibr, kh101]):
        o = opened(draw(systems, [centre], offline=True))
        ((left, _, right, _),) = o.rects("path.launch-point")
        assert abs((left + right) / 2 - WIDTH / 2) < WIDTH / 4, systems  # Pacific-centred either way
        assert o.covered(53.0, 185.0) and o.covered(53.0, 150.0)
        assert o.errors == [] and o.blocked == []
