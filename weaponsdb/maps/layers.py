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
from .dateline import VIEW_MAX_LAT, outline, parts_of, shown, shown_lon
from .html import km_mi, label, link, text

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

    @property
    def called(self) -> str:
        """What labels call it: its name, or "500 km ring" for an ad-hoc range."""
        return f"{format_distance(self.system.range.max_km)} ring" if self.system.is_adhoc else self.name

    @property
    def user_set(self) -> bool:
        return self.system.range.user_set

    def label(self) -> str:
        """The ring's permanent label: name, range in km and miles, and "user-set" when it is not sourced."""
        name = "" if self.system.is_adhoc else f"{text(self.name)} "
        return name + km_mi(self.system.range.max_km) + (", <i>user-set</i>" if self.user_set else "")


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
    rows = [f"Maximum range: {km_mi(rng.max_km)}" + (" (<b>user-set</b>, not a sourced figure)" if d.user_set else "")]
    if cat and d.user_set:
        rows.append(f"Catalogue gives {km_mi(cat.max_km)}" + (f", reported as {text(cat.reported)}" if cat.reported else ""))
    elif cat and cat.reported:
        rows.append(f"Reported as: {text(cat.reported)}")
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
        rows.append(f"{'Catalogue range source' if d.user_set else 'Range source'}: {link(cat.source)}")
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
                cut: float | None = None, around: bool = False, dash: str | None = None) -> list[folium.GeoJson]:
    """The ring's fill (with popup and tooltip) and, where stroking the polygon would mislead, its outline.

    A cut polygon would be stroked along its cut edges (down the dateline, along the map's top).
    ``cut``: see ``dateline_cut``; ``around``: the point is a target and the ring its footprint;
    ``dash``: the launch site's outline dash on a map with several sites.
    """
    line = {"color": d.colour, "weight": 1 if band else 2, "opacity": 0.7 if band else 0.9,
            "dashArray": "4 4" if band else dash or d.dash}
    edges = outline(geom)
    fill_style = {**line, "fillColor": d.colour, "fillOpacity": fill, "stroke": edges is None}
    what = "uncertainty band" if band else "range" + (" (user-set)" if d.user_set else "")
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


#: Bearings tried, in order, for a label on a ring: north and south first, where rings rarely meet.
LABEL_BEARINGS = (0.0, 180.0, 90.0, 270.0, 45.0, 135.0, 225.0, 315.0, 22.5, 157.5, 202.5, 337.5)


def on_ring(point: Place, km: float, cut: float | None, bearings: Sequence[float] = LABEL_BEARINGS,
            placement: str = "c") -> list[tuple[float, float, str]]:
    """Label candidates on the circle of ``km`` around ``point``, in display longitudes, within Mercator's reach."""
    import numpy as np

    from ..geodesy import GEOD

    n = len(bearings)
    x, y, _ = GEOD.fwd(np.full(n, point.lon), np.full(n, point.lat), np.asarray(bearings), np.full(n, km * 1e3))
    return [(float(lat), shown_lon(float(lon), cut), placement) for lon, lat in zip(x, y) if abs(lat) < VIEW_MAX_LAT]


def ring_label(d: Drawn, point: Place, cut: float | None, bearings: Sequence[float] = LABEL_BEARINGS) -> folium.Marker | None:
    """The ring's range as a permanent label on the ring itself, placed where it collides with nothing."""
    spots = on_ring(point, d.system.range.max_km, cut, bearings)
    if not spots:
        return None
    return label(spots[0][:2], d.label(), "wdb-ring-label", spots, priority=3)


def points_layer(points: Sequence[Place], markers: Sequence[tuple[float, float]], systems: Sequence[Drawn],
                 point_label: str) -> folium.FeatureGroup:
    """The launch points (or targets) as labelled markers, in their own toggleable layer."""
    plural = point_label[:1].upper() + point_label[1:] + "s"
    group = folium.FeatureGroup(name=text(plural), overlay=True, control=True, show=True)
    for p, marker in zip(points, markers):
        folium.CircleMarker(list(marker), radius=5, color="#000000", weight=1.5, fill_color="#ffffff",
                            fill_opacity=1.0, className="launch-point",
                            popup=folium.Popup(point_popup(p, systems), max_width=320)).add_to(group)
        around = [(marker[0], marker[1], where) for where in ("r", "l", "t", "b")]
        label(marker, text(p.label), "wdb-point-label", around, priority=0).add_to(group)
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


def line_key(dash: str | None, colour: str = "#333333", width: float = 2) -> str:
    dasharray = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg class="wdb-line" viewBox="0 0 22 10"><line x1="0" y1="5" x2="22" y2="5" stroke="{colour}" '
            f'stroke-width="{width:g}"{dasharray}/></svg>')


def _row(key: str, body: str) -> str:
    return f'<div class="wdb-legend-row">{key}<span>{body}</span></div>'


def legend(systems: Sequence[Drawn], uncertainty: bool, point_label: str = "launch point", *,
           sites: Sequence[tuple[str | None, str]] = (), extras: Sequence[tuple[str, str]] = ()) -> str:
    """One row per system (range, "user-set" when it is not sourced), per launch site when several, then extras.

    ``sites``: (dash, label) per launch site; ``extras``: (key HTML, text HTML) rows such as "out of range".
    """
    rows = []
    for d in systems:
        rng = d.system.range
        key = _key(d.colour, "dashed" if d.dash else "solid", "33")
        detail = km_mi(rng.max_km) + (f", min {format_distance(rng.min_km)}" if rng.min_km else "")
        detail += ", <i>user-set</i>" if d.user_set else ""
        category = f" &middot; {text(d.system.category)}" if d.system.category else ""
        rows.append(_row(key, f"<b>{text(d.name)}</b> {detail}{category}"))
        if uncertainty and rng.band:
            rows.append(_row(_key(d.colour, "dotted", "18"), f"sources disagree: "
                             f"{format_distance(rng.band[0])} to {format_distance(rng.band[1])}"))
    rows += [_row(line_key(dash), text(site)) for dash, site in sites]
    rows += [_row(key, body) for key, body in extras]
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
    if any(d.user_set and not d.system.is_adhoc for d in systems):
        parts.append("Ranges marked user-set were given by the user, not taken from the sources listed.")
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
