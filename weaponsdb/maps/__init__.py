"""Range-ring maps: a :class:`folium.Map` built from a :class:`~weaponsdb.model.MapSpec`, saved as one HTML file.

``build_map`` gives a real folium map (add layers to it, or show it in Jupyter); ``render_html``
and ``save_html`` turn it into a page. Same inputs give byte-identical HTML, and a map built
offline is saved with every asset inlined, so the file opens with no network.

Modules by concern: ``html`` (escaping, fixed boxes, ids), ``dateline`` (cut, outline, view),
``basemap`` (offline countries), ``layers`` (rings, points, legend, caption).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import folium
from branca.element import Element
from shapely.geometry.base import BaseGeometry

from ..model import MapSpec
from ..rangerings import Ring, compute
from ..screenshot import CHROMIUM_ARGS, screenshot
from ..style import PALETTE
from .basemap import RangeMap, base_map, figure
from .dateline import (
    MERCATOR_NOTE,
    VIEW_MAX_LAT,
    WORLD_VIEW,
    beyond_mercator,
    dateline_cut,
    outline,
    parts_of,
    shown,
    shown_lon,
    view,
    view_edge,
)
from .html import STYLE, Box, FitView, deterministic_ids, text
from .layers import CAVEAT, Drawn, added_layer, caption, drawn, legend, points_layer, ring_layers

MAX_OPEN_OVERLAYS = 6  # more layers than this and the layer control starts collapsed


class _Frame:
    """Where everything lands on the page: the dateline cut, marker positions, the view and extra notes."""

    def __init__(self, spec: MapSpec, rings: Sequence[Ring]):
        geoms = [g for r in rings for g in (r.geometry, r.band) if g is not None]
        self.cut = dateline_cut(geoms, [p.lon for p in spec.points])
        parts = shown([p for g in geoms for p in parts_of(g)], self.cut)
        self.markers = [(p.lat, shown_lon(p.lon, self.cut)) for p in spec.points]
        self.view = view(parts, self.markers)
        self.notes = [*spec.notes, *([MERCATOR_NOTE] if beyond_mercator(parts, self.markers) else [])]


def build_map(spec: MapSpec, *, added: Mapping[str, BaseGeometry] | None = None) -> RangeMap:
    """The map of ``spec``: one ring per system and point, the points, legend, caption and layer control.

    ``added``: system id -> geometry that system covers beyond the first one (a comparison map),
    drawn as a stronger fill in its own toggleable layer.
    """
    systems = drawn(spec.systems)
    rings = compute([d.system for d in systems], spec.points, uncertainty=spec.uncertainty)
    frame = _Frame(spec, rings)
    with deterministic_ids() as ids:
        m = base_map(spec.offline, frame.view)
        root = figure(m)
        root.title = text(spec.title or "Range rings")
        root.header.add_child(Element(STYLE), name="wdb_style")
        _draw_rings(m, spec, systems, rings, frame.cut)
        if added:
            added_layer(systems, added, frame.cut).add_to(m)
        points_layer(spec.points, frame.markers, systems, spec.point_label).add_to(m)
        _draw_boxes(m, spec, systems, frame.notes, bool(added))
        FitView(frame.view, view_edge(frame.view)).add_to(m)
    m.offline, m.next_id = spec.offline, ids.next
    return m


def _draw_rings(m: folium.Map, spec: MapSpec, systems: Sequence[Drawn], rings: Sequence[Ring],
                cut: float | None) -> None:
    """One toggleable layer per system holding its rings (and uncertainty bands) around every point."""
    around = spec.point_label == "target"
    fill = 0.12 if len(rings) <= 4 else 0.06
    for d in systems:
        group = folium.FeatureGroup(name=text(d.name), overlay=True, control=True, show=True)
        for r in (r for r in rings if r.system is d.system):
            layers = (ring_layers(r.band, d, r.point, "range-band", fill / 2, band=True, cut=cut, around=around)
                      if r.band is not None else [])
            for layer in layers + ring_layers(r.geometry, d, r.point, "range-ring", fill, cut=cut, around=around):
                layer.add_to(group)
        group.add_to(m)


def _draw_boxes(m: folium.Map, spec: MapSpec, systems: Sequence[Drawn], notes: Sequence[str], added: bool) -> None:
    """Title, legend, caption and layer control.

    An open layer control with many systems reaches down over the legend: fold it, and let the
    legend scroll past a height that leaves room for whatever is in the top-right corner.
    """
    if spec.title:
        Box(text(spec.title), "wdb-box wdb-title").add_to(m)
    collapsed = len(systems) + added + 1 > MAX_OPEN_OVERLAYS
    legend_class = "wdb-box wdb-legend" + (" wdb-legend-tall" if collapsed else "")
    Box(legend(systems, spec.uncertainty, spec.point_label), legend_class, "bottomright").add_to(m)
    Box(caption(systems, notes, spec.data_date), "wdb-box wdb-caption", "bottomleft").add_to(m)
    folium.LayerControl(collapsed=collapsed, position="topright").add_to(m)


def render_html(m: folium.Map) -> str:
    """The complete page of a map; assets inlined when it was built offline, unused CDN tags dropped otherwise.

    Rendering creates elements too (script and style links), so a map from :func:`build_map`
    continues its id counter here: the page is the same bytes every time.
    """
    from ..offline import drop_unused, inline_assets

    start = getattr(m, "next_id", None)
    if start is None:
        page = m.get_root().render()
    else:
        with deterministic_ids(start):
            page = m.get_root().render()
    return inline_assets(page) if getattr(m, "offline", False) else drop_unused(page)


def save_html(m: folium.Map, path: str | Path, *, force: bool = False) -> Path:
    """Write the map's page atomically; an existing different file is replaced only with ``force``."""
    from ..export import write_atomic

    return write_atomic(path, render_html(m), force=force)


__all__ = ["CAVEAT", "CHROMIUM_ARGS", "MERCATOR_NOTE", "PALETTE", "VIEW_MAX_LAT", "WORLD_VIEW", "RangeMap",
           "build_map", "dateline_cut", "outline", "render_html", "save_html", "screenshot"]
