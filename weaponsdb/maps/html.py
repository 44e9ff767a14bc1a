"""What reaches the page as HTML: escaped text, source links, fixed boxes, the view fit, CSS and ids.

Every string that reaches the page goes through :func:`text`. Element ids are numbered by
:class:`DeterministicIds` rather than drawn from ``os.urandom``, so the same inputs give
byte-identical HTML and a committed map shows a real diff when it changes.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
