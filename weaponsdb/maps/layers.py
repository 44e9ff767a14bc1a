"""What is drawn over the basemap: ring layers with popups, launch points, the legend and the caption.

Rings are drawn as GeoJSON, never as Leaflet circles: a Leaflet circle is a Web-Mercator circle,
wrong by hundreds of km at long range, and it streaks across the map at the dateline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .. import style
from ..export import rounded
from ..model import Place, RangeSpec, Source, System
from ..units import format_distance
from .dateline import outline, parts_of, shown
from .html import km_mi, link, text

CAVEAT = "a range ring shows distance only: it is not a statement of what can be hit"
COORD_DIGITS = 5  # ~1 m, far below the geodesy tolerance


@dataclass(frozen=True)
class Drawn:
    """One system as drawn: the system (its ``range`` is what is drawn) and its colour and dash."""

    system: System
    colour: str
    dash: str | None

    @property
    def name(self) -> str:
        return self.system.name

    @property
    def catalogue(self) -> RangeSpec | None:
        """The catalogue's figures for this system (None for an ad-hoc ring)."""
        return None if self.system.is_adhoc else self.system.catalogue_range or self.system.range

    @property
    def band(self) -> tuple[float, float] | None:
        """(low, high) sourced maximum-range figures when sources disagree."""
        return self.catalogue.band if self.catalogue else None


def drawn(systems: Sequence[System]) -> list[Drawn]:
    """Systems in drawing order with their style (duplicates dropped), colours from ``weaponsdb.style``."""
    out: list[Drawn] = []
    for s in systems:
        if any(d.system.id == s.id for d in out):
            continue
        out.append(Drawn(s, style.colour(len(out)), style.dash(len(out))))
    return out


def _feature(geom: BaseGeometry) -> dict:
    """RFC 7946 geometry as a Feature; no user text goes into the GeoJSON."""
    return {"type": "Feature", "properties": {}, "geometry": mapping(rounded(geom, COORD_DIGITS))}


def collection(parts: Sequence[BaseGeometry]) -> dict:
    """One Feature per part, so each part is its own SVG path and pieces either side of the map stay apart."""
    return {"type": "FeatureCollection", "features": [_feature(p) for p in parts]}


def _swatch(colour: str) -> str:
    return f'<span class="wdb-swatch" style="background:{colour}"></span>'


def _range_rows(d: Drawn) -> list[str]:
    """Popup rows about the drawn range and where the catalogue's figure comes from."""
    rng, cat = d.system.range, d.catalogue
    rows = [f"Maximum range: {km_mi(rng.max_km)}"]
    if cat and cat.reported:
        rows.append(f"Reported as: {text(cat.reported)}")
    if cat and abs(cat.max_km - rng.max_km) > 1e-9:
        rows.append(f"Drawn at a user-set range; catalogue gives {km_mi(cat.max_km)}")
    if rng.min_km:
        rows.append(f"Minimum range: {km_mi(rng.min_km)}")
    if d.band:
        rows.append(f"Sources give {km_mi(d.band[0])} to {km_mi(d.band[1])}")
    if cat and cat.note:
        rows.append(f"<small>{text(cat.note)}</small>")
    return rows


def _source_rows(d: Drawn) -> list[str]:
    s, cat = d.system, d.catalogue
    rows = []
    if s.category:
        status = f" &middot; {text(s.status)}" if s.status else ""
        rows.append(f"Category: {text(s.category)}{status}")
    if cat and cat.source:
        rows.append(f"Range source: {link(cat.source)}")
    headline = cat.source.id if cat and cat.source else None
    others = [src for src in s.sources if src.id != headline]
    if others:
        rows.append("Other sources: " + "; ".join(link(src) for src in others))
    if s.is_adhoc:
        rows.append("Ad-hoc range, not from the catalogue")
    return rows


def ring_popup(d: Drawn, point: Place, around: bool = False) -> str:
    rows = [f"{_swatch(d.colour)}<b>{text(d.name)}</b>"]
    if d.system.aliases:
        rows.append(f"<i>also: {text(', '.join(d.system.aliases))}</i>")
    rows.append(f"{'footprint around' if around else 'from'} {text(point.label)}")
    rows += _range_rows(d) + _source_rows(d)
    return '<div class="wdb-popup">' + "<br>".join(rows) + "</div>"


def point_popup(point: Place, systems: Sequence[Drawn]) -> str:
    rows = [f"<b>{text(point.label)}</b>", f"{point.lat:.4f}, {point.lon:.4f}"]
    rows += [f"{_swatch(d.colour)}{text(d.name)}: {km_mi(d.system.range.max_km)}" for d in systems]
    return '<div class="wdb-popup">' + "<br>".join(rows) + "</div>"


def ring_layers(geom: BaseGeometry, d: Drawn, point: Place, css_class: str, fill: float, *, band: bool = False,
                cut: float | None = None, around: bool = False) -> list[folium.GeoJson]:
    """The ring's fill (with popup and tooltip) and, where it was cut at the dateline or a pole, its outline.

    Stroking a cut polygon would draw its cut edges: a line down the dateline or along the map's top.
    ``cut``: see ``dateline_cut``; ``around``: the point is a target and the ring its footprint.
    """
    line = {"color": d.colour, "weight": 1 if band else 2, "opacity": 0.7 if band else 0.9,
            "dashArray": "4 4" if band else d.dash}
    edges = outline(geom)
    fill_style = {**line, "fillColor": d.colour, "fillOpacity": fill, "stroke": edges is None}
    what = "uncertainty band" if band else "range"
    where = "footprint around" if around else "from"
    layer = folium.GeoJson(collection(shown(parts_of(geom), cut)),
                           style_function=lambda _f, st=fill_style: st, control=False, smooth_factor=0.5,
                           className=css_class,
                           tooltip=folium.Tooltip(f"{text(d.name)} {what} {where} {text(point.label)}", sticky=True))
    folium.Popup(ring_popup(d, point, around), max_width=360).add_to(layer)
    if edges is None:
        return [layer]
    return [layer, folium.GeoJson(collection(shown(edges, cut)), style_function=lambda _f, st=line: st, control=False,
                                  smooth_factor=0.5, interactive=False, className=css_class + "-outline")]


def points_layer(points: Sequence[Place], markers: Sequence[tuple[float, float]], systems: Sequence[Drawn],
                 point_label: str) -> folium.FeatureGroup:
    """The launch points (or targets) as labelled markers, in their own toggleable layer."""
    plural = point_label[:1].upper() + point_label[1:] + "s"
    group = folium.FeatureGroup(name=text(plural), overlay=True, control=True, show=True)
    for p, marker in zip(points, markers):
        folium.CircleMarker(list(marker), radius=5, color="#000000", weight=1.5, fill_color="#ffffff",
                            fill_opacity=1.0, className="launch-point",
                            tooltip=folium.Tooltip(text(p.label), permanent=True, direction="right",
                                                   className="wdb-label", sticky=False),
                            popup=folium.Popup(point_popup(p, systems), max_width=320)).add_to(group)
    return group


def added_layer(systems: Sequence[Drawn], added: Mapping[str, BaseGeometry],
                cut: float | None = None) -> folium.FeatureGroup:
    """What each system reaches beyond the first: the question a comparison map exists to answer."""
    first = systems[0].name
    group = folium.FeatureGroup(name=text(f"Added over {first}"), overlay=True, control=True, show=True)
    for d in systems[1:]:
        geom = added.get(d.system.id)
        if geom is None or geom.is_empty:
            continue
        fill = {"color": d.colour, "weight": 0, "fillColor": d.colour, "fillOpacity": 0.22}
        folium.GeoJson(collection(shown(parts_of(geom), cut)), style_function=lambda _f, st=fill: st,
                       control=False, smooth_factor=0.5, className="added-area",
                       tooltip=folium.Tooltip(f"{text(d.name)} adds this over {text(first)}", sticky=True),
                       ).add_to(group)
    return group


def _key(colour: str, border: str, alpha: str) -> str:
    css = f"border-color:{colour};border-style:{border};background:{colour}{alpha}"
    return f'<span class="wdb-key" style="{css}"></span>'


def legend(systems: Sequence[Drawn], uncertainty: bool, point_label: str = "launch point") -> str:
    rows = []
    for d in systems:
        rng = d.system.range
        key = _key(d.colour, "dashed" if d.dash else "solid", "33")
        detail = km_mi(rng.max_km) + (f", min {format_distance(rng.min_km)}" if rng.min_km else "")
        category = f" &middot; {text(d.system.category)}" if d.system.category else ""
        rows.append(f'<div class="wdb-legend-row">{key}<span><b>{text(d.name)}</b> {detail}{category}</span></div>')
        if uncertainty and rng.band:
            rows.append(f'<div class="wdb-legend-row">{_key(d.colour, "dotted", "18")}<span>sources disagree: '
                        f'{format_distance(rng.band[0])} to {format_distance(rng.band[1])}</span></div>')
    rows.append(f'<div class="wdb-legend-row"><span class="wdb-dot"></span><span>{text(point_label)}</span></div>')
    return "".join(rows)


def _sources(systems: Sequence[Drawn]) -> dict[str | None, Source]:
    out: dict[str | None, Source] = {}
    for d in systems:
        for src in d.system.sources:
            out.setdefault(src.id or src.url or src.title, src)
    return out


def caption(systems: Sequence[Drawn], notes: Sequence[str], data_date: str | None = None) -> str:
    """Data date, the caveat and notes always shown; the source list folded, since it can be long."""
    sources = _sources(systems)
    dates = sorted(src.date for src in sources.values() if src.date)
    parts = []
    if data_date and dates:
        parts.append(f"Catalogue data as of {text(data_date)} (latest source date); "
                     f"newest source on this map: {text(dates[-1])}.")
    elif dates:
        parts.append(f"Data as of {text(dates[-1])} (latest date of this map's sources).")
    if any(d.system.is_adhoc for d in systems):
        parts.append("Ad-hoc ranges are user-supplied, not catalogue figures.")
    parts += [text(line) for line in notes]
    parts.append("Rings are geodesic distances on the WGS84 ellipsoid.")
    body = "".join(f"<div>{p}</div>" for p in parts) + f'<div class="wdb-caveat">{CAVEAT}</div>'
    if sources:
        items = "".join(f"<li>{_source_entry(src)}</li>" for src in sources.values())
        body += (f'<details class="wdb-sources"><summary>Sources ({len(sources)})</summary>'
                 f'<ol>{items}</ol></details>')
    return body


def _source_entry(src: Source) -> str:
    meta = ", ".join(text(v) for v in (src.publisher, src.date) if v)
    return link(src) + (f" ({meta})" if meta else "")
