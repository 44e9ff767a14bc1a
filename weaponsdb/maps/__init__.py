"""Range-ring maps: a :class:`folium.Map` built from a :class:`~weaponsdb.model.MapSpec`, saved as one HTML file.

``build_map`` gives a real folium map (add layers to it, or show it in Jupyter); ``render_html``
and ``save_html`` turn it into a page. Same inputs give byte-identical HTML, and a map built
offline is saved with every asset inlined, so the file opens with no network.

Modules by concern: ``html`` (escaping, fixed boxes, ids), ``dateline`` (cut, outline, view),
``basemap`` (offline countries), ``layers`` (rings, points, legend, caption).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import folium
from branca.element import Element
from shapely.geometry.base import BaseGeometry

from .. import fans
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
from .furniture import (
    RADIAL_COLOUR,
    default_title,
    interval_layers,
    label_bearings,
    marks_layer,
    near_global,
    out_of_range_layer,
    radials_layer,
    site_dashes,
    union_layer,
)
from .html import HATCH, STYLE, Box, FitView, Labels, deterministic_ids, text
from .layers import CAVEAT, Drawn, added_layer, caption, drawn, legend, line_key, points_layer, ring_label, ring_layers

MAX_OPEN_OVERLAYS = 6  # more layers than this and the layer control starts collapsed


class _Frame:
    """Where everything lands on the page: the dateline cut, marker positions, the view and extra notes."""

    def __init__(self, spec: MapSpec, rings: Sequence[Ring]):
        geoms = [g for r in rings for g in (r.geometry, r.band) if g is not None]
        self.cut = dateline_cut(geoms, [p.lon for p in spec.points])
        parts = shown([p for g in geoms for p in parts_of(g)], self.cut)
        self.markers = [(p.lat, shown_lon(p.lon, self.cut)) for p in spec.points]
        self.view = view(parts, self.markers, self.cut)
        self.notes = [*spec.notes, *([MERCATOR_NOTE] if beyond_mercator(parts, self.markers) else [])]


def build_map(spec: MapSpec, *, added: Mapping[str, BaseGeometry] | None = None) -> RangeMap:
    """The map of ``spec``: one ring per system and point, the points, legend, caption and layer control.

    ``added``: system id -> geometry that system covers beyond the first one (a comparison map),
    drawn as a stronger fill in its own toggleable layer.
    """
    systems = drawn(spec.systems)
    rings = fans.cut_to_sector(compute([d.system for d in systems], spec.points, uncertainty=spec.uncertainty),
                               spec.sector)
    frame = _Frame(spec, rings)
    title = spec.title or default_title(spec)
    with deterministic_ids() as ids:
        m = base_map(spec.offline, frame.view)
        root = figure(m)
        root.title = text(title)
        root.header.add_child(Element(STYLE), name="wdb_style")
        root.html.add_child(Element(HATCH), name="wdb_hatch")
        _draw_rings(m, spec, systems, rings, frame.cut)
        extras = _draw_furniture(m, spec, systems, rings, frame.cut, added)
        _draw_boxes(m, spec, title, systems, frame.notes, extras)
        FitView(frame.view, view_edge(frame.view)).add_to(m)
        Labels().add_to(m)
    m.offline, m.next_id = spec.offline, ids.next
    return m


def _draw_rings(m: folium.Map, spec: MapSpec, systems: Sequence[Drawn], rings: Sequence[Ring],
                cut: float | None) -> None:
    """One toggleable layer per system holding its rings (and uncertainty bands, interval rings, labels) at every point."""
    around = spec.point_label == "target"
    fill = 0.12 if len(rings) <= 4 else 0.06
    dashes = site_dashes(spec)
    bearings = label_bearings(spec.sector)
    for d in systems:
        group = folium.FeatureGroup(name=text(d.name), overlay=True, control=True, show=True)
        for r in (r for r in rings if r.system is d.system):
            dash = dashes[spec.points.index(r.point)]
            layers: list[folium.Element] = []
            if r.band is not None:
                layers += ring_layers(r.band, d, r.point, "range-band", fill / 2, band=True, cut=cut, around=around)
            tint = min(fill, 0.05) if near_global(r.geometry) else fill  # it tints the whole map: keep it light
            layers += ring_layers(r.geometry, d, r.point, "range-ring", tint, cut=cut, around=around, dash=dash)
            layers += interval_layers(d, r.point, spec, cut, dash, r.geometry if spec.sector else None)
            layers += [x for x in [ring_label(d, r.point, cut, bearings)] if x is not None]
            for layer in layers:
                layer.add_to(group)
        group.add_to(m)


def _draw_furniture(m: folium.Map, spec: MapSpec, systems: Sequence[Drawn], rings: Sequence[Ring], cut: float | None,
                    added: Mapping[str, BaseGeometry] | None) -> list[tuple[str, str]]:
    """Out-of-range areas, combined coverage, bearings, compare highlights, points and marks; their legend rows."""
    extras = []
    out, out_systems = out_of_range_layer(rings, systems, cut, spec.point_label == "target")
    if out is not None:
        out.add_to(m)
        names = ", ".join(text(d.called) for d in out_systems)
        extras.append(('<span class="wdb-key wdb-key-hatch" style="border-color:#555"></span>',
                       f"out of range of {names}; the shaded rest is within range"))
    if spec.union and len(spec.points) > 1:
        union_layer(rings, systems, cut).add_to(m)
        extras.append((line_key(None, "#333333", 4), "combined coverage of all points"))
    if spec.every_km or spec.ranges_km:
        extras.append((line_key("6 4", "#555555", 1.2), "interval rings"))
    radials = radials_layer(spec, systems, cut)
    if radials is not None:
        radials.add_to(m)
        extras.append((line_key("6 4", RADIAL_COLOUR, 1.3), "bearings (degrees from true north)"))
    if added:
        added_layer(systems, added, cut).add_to(m)
    points_layer(spec.points, [(p.lat, shown_lon(p.lon, cut)) for p in spec.points], systems,
                 spec.point_label).add_to(m)
    marks = marks_layer(spec, cut)
    if marks is not None:
        marks.add_to(m)
        extras.append(('<span class="wdb-dot" style="background:#000;border-radius:0;transform:rotate(45deg)">'
                       "</span>", "reference point"))
    return extras


def _draw_boxes(m: folium.Map, spec: MapSpec, title: str, systems: Sequence[Drawn], notes: Sequence[str],
                extras: Sequence[tuple[str, str]]) -> None:
    """Title, legend, caption and layer control.

    An open layer control with many systems reaches down over the legend: fold it, and let the
    legend scroll past a height that leaves room for whatever is in the top-right corner.
    """
    Box(text(title), "wdb-box wdb-title").add_to(m)
    overlays = sum(1 for c in m._children.values() if isinstance(c, folium.FeatureGroup))
    collapsed = overlays > MAX_OPEN_OVERLAYS
    legend_class = "wdb-box wdb-legend" + (" wdb-legend-tall" if collapsed else "")
    sites = [(dash, p.label) for dash, p in zip(site_dashes(spec), spec.points)] if len(spec.points) > 1 else []
    Box(legend(systems, spec.uncertainty, spec.point_label, sites=sites, extras=extras), legend_class,
        "bottomright").add_to(m)
    Box(caption(systems, notes, spec.data_date), "wdb-box wdb-caption", "bottomleft").add_to(m)
    folium.LayerControl(collapsed=collapsed, position="topright").add_to(m)


def extend(m: RangeMap, add: Callable[[RangeMap], object]) -> RangeMap:
    """Run ``add(m)`` to put more layers on a built map, numbering their ids on from the map's, so it stays reproducible."""
    with deterministic_ids(m.next_id or 1) as ids:
        add(m)
    m.next_id = ids.next
    # Leaflet's layer control must come after every layer it lists, so it moves to the end.
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            m._children.move_to_end(key)
    return m


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
           "build_map", "dateline_cut", "extend", "outline", "render_html", "save_html", "screenshot"]
