"""What reaches the page as HTML: escaped text, source links, fixed boxes, the view fit, CSS and ids.

Every string that reaches the page goes through :func:`text`. Element ids are numbered by
:class:`DeterministicIds` rather than drawn from ``os.urandom``, so the same inputs give
byte-identical HTML and a committed map shows a real diff when it changes.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from ..model import Source
from ..units import format_distance

MERCATOR_MAX_LAT = 85.0511  # Web Mercator's edge: nothing beyond it is drawn

_ID_LOCK = threading.Lock()


class DeterministicIds:
    """A counter that numbers branca element ids; ``next`` is the id the next element gets."""

    def __init__(self, start: int = 1):
        self.next = start

    def take(self) -> str:
        n, self.next = self.next, self.next + 1
        return f"{n:04d}"


@contextmanager
def deterministic_ids(start: int = 1) -> Iterator[DeterministicIds]:
    """Number branca element ids from ``start`` while the block runs.

    A module-wide patch, hence the lock: two maps drawn at once must not share a counter.
    Elements are created while a map is built and again while it renders (script and style
    links), so rendering continues the counter where building stopped.
    """
    counter = DeterministicIds(start)
    with _ID_LOCK:
        original = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(lambda cls: counter.take())  # type: ignore[method-assign,assignment]
        try:
            yield counter
        finally:
            Element._generate_id = original  # type: ignore[method-assign]


def text(value: object) -> str:
    """HTML-escaped text that also stays inert inside the JS template literals folium wraps popups in."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def link(source: Source) -> str:
    """A source as a link when its URL is http(s), else as plain text (no javascript: URLs)."""
    label = text(source.title or source.id or "source")
    url = source.url or ""
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{text(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
    return label


def km_mi(km: float) -> str:
    """A distance in km with miles beside it, as every label and popup gives it."""
    return f"{format_distance(km, 'km')} ({format_distance(km, 'mi')})"


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

    def __init__(self, bounds: list[list[float]], edge: int = 0):
        super().__init__()
        self._name = "FitView"
        self.bounds, self.edge, self.max_lat = bounds, edge, MERCATOR_MAX_LAT


#: Where a label may sit relative to its anchor: right, left, above, below, centred, or with its dot on it.
PLACEMENTS = ("r", "l", "t", "b", "c", "d")


def label(location: tuple[float, float], body: str, css: str, candidates: list[tuple[float, float, str]],
          priority: int, min_zoom: float = 0) -> folium.Marker:
    """A permanent map label (``body`` already escaped) that :class:`Labels` places where it collides with nothing.

    ``candidates`` are (lat, lon, placement) tried in order; a label that fits nowhere is hidden
    at that zoom. Lower ``priority`` is placed first; ``min_zoom`` hides it when zoomed out.
    """
    data = text(json.dumps([[round(a, 5), round(b, 5), c] for a, b, c in candidates], separators=(",", ":")))
    div = (f'<div class="wdb-lbl-body" data-p="{data}" data-k="{priority}" data-z="{min_zoom:g}">{body}</div>')
    return folium.Marker(list(location), icon=folium.DivIcon(html=div, class_name="wdb-lbl " + css),
                         interactive=False, keyboard=False)


class Labels(MacroElement):
    """Collision-aware placement of every permanent label, redone whenever the view or the layers change.

    Labels are placed in priority order at the first candidate position where they stay on screen
    and clear of labels already placed and of the title, legend, caption and controls; the rest are
    hidden until zooming makes room. Leaflet has no such thing built in.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            function hit(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
            function shift(p, w, h) {
                return {r: [8, -h / 2], l: [-w - 8, -h / 2], t: [-w / 2, -h - 6], b: [-w / 2, 6],
                        d: [-4, -h / 2], c: [-w / 2, -h / 2]}[p] || [-w / 2, -h / 2];
            }
            function place() {
                var frame = map.getContainer().getBoundingClientRect(), zoom = map.getZoom(), labels = [];
                var taken = [].map.call(document.querySelectorAll(".leaflet-control, .wdb-title"),
                                        function (e) { return e.getBoundingClientRect(); });
                map.eachLayer(function (l) {
                    var el = l instanceof L.Marker && l.getElement && l.getElement();
                    var body = el && el.querySelector(".wdb-lbl-body");
                    if (body) { labels.push({m: l, el: el, k: +body.dataset.k, z: +body.dataset.z,
                                             p: JSON.parse(body.dataset.p)}); }
                });
                labels.sort(function (a, b) { return a.k - b.k; });
                labels.forEach(function (it) {
                    var el = it.el;
                    el.style.display = zoom < it.z ? "none" : "";
                    if (zoom < it.z) { return; }
                    var w = el.offsetWidth, h = el.offsetHeight;
                    for (var i = 0; i < it.p.length; i++) {
                        var c = it.p[i], off = shift(c[2], w, h);
                        it.m.setLatLng([c[0], c[1]]);
                        el.style.marginLeft = off[0] + "px";
                        el.style.marginTop = off[1] + "px";
                        var r = el.getBoundingClientRect();
                        if (r.left < frame.left || r.right > frame.right || r.top < frame.top || r.bottom > frame.bottom) {
                            continue;
                        }
                        if (taken.some(function (t) { return hit(t, r); })) { continue; }
                        taken.push(r);
                        return;
                    }
                    el.style.display = "none";
                });
            }
            map.on("zoomend moveend overlayadd overlayremove resize", place);
            place();
        })({{ this._parent.get_name() }});
        {% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "Labels"


HATCH = ('<svg width="0" height="0" style="position:absolute"><defs><pattern id="wdb-hatch" '
         'patternUnits="userSpaceOnUse" width="9" height="9" patternTransform="rotate(45)">'
         '<rect width="9" height="9" fill="#ffffff" fill-opacity="0.35"/>'
         '<line x1="0" y1="0" x2="0" y2="9" stroke="#333" stroke-width="2.5" stroke-opacity="0.55"/>'
         '</pattern></defs></svg>')

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
.wdb-lbl{width:auto!important;height:auto!important;white-space:nowrap;pointer-events:none}
.wdb-lbl-body{font:11px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;
  background:rgba(255,255,255,.85);padding:1px 4px;border-radius:3px}
.wdb-ring-label .wdb-lbl-body{font-weight:600;border:1px solid currentColor}
.wdb-interval-label .wdb-lbl-body,.wdb-radial-label .wdb-lbl-body{font-size:10px;padding:0 3px}
.wdb-out-label .wdb-lbl-body{font-weight:600;font-style:italic;background:rgba(255,255,255,.9)}
.wdb-mark-label .wdb-lbl-body{font-weight:600}
.wdb-country-label .wdb-lbl-body{background:none;color:#5b5546;font-size:10px;letter-spacing:.08em;
  text-transform:uppercase;text-shadow:0 0 2px #fff,0 0 2px #fff}
.wdb-city-label .wdb-lbl-body{background:none;padding:0;font-size:10px;color:#333;text-shadow:0 0 2px #fff,0 0 2px #fff}
.wdb-dot-city{display:inline-block;width:5px;height:5px;border-radius:50%;background:#444;margin-right:3px;
  vertical-align:middle}
.wdb-line{flex:none;width:22px;height:10px}
.wdb-mark-icon{width:11px;height:11px;background:#000;border:1.5px solid #fff;box-sizing:border-box;transform:rotate(45deg)}
.out-of-range{fill:url(#wdb-hatch)!important;fill-opacity:1!important}
.wdb-key-hatch{background:repeating-linear-gradient(45deg,#666 0 2px,#fff 2px 6px)!important}
</style>"""
