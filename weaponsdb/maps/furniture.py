"""What a reader orients by beyond the rings: interval rings, radials, reference marks, the combined
coverage of several sites, the out-of-range area of near-global rings, and a default title.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import shapely
from shapely.geometry.base import BaseGeometry

from .. import fans, style
from ..geodesy import WORLD, area_km2, inverse
from ..model import MapSpec, Place
from ..rangerings import Ring
from ..units import format_distance
from .dateline import in_mercator, parts_of, shown, shown_lon
from .html import km_mi, label, text
from .layers import LABEL_BEARINGS, Drawn, collection, on_ring

#: Rings reaching more than this share of the Earth get their out-of-range area drawn and labelled.
NEAR_GLOBAL = 0.5
EARTH_KM2 = area_km2(WORLD)
RADIAL_COLOUR = "#333333"


def near_global(geom: BaseGeometry) -> bool:
    """Whether a ring reaches most of the Earth (its out-of-range rest is then drawn as its own layer)."""
    return area_km2(geom) >= NEAR_GLOBAL * EARTH_KM2


def _lines(geom: BaseGeometry, cut: float | None) -> dict:
    return collection(shown(in_mercator(geom), cut))


def in_sector(bearings: Sequence[float], sector: tuple[float, float] | None) -> list[float]:
    """The bearings that lie in the sector (all of them without one)."""
    return [b for b in bearings if sector is None or fans.in_sector(b, *sector)]


def label_bearings(sector: tuple[float, float] | None) -> list[float]:
    """Where labels may sit on a ring: round the compass, or spread across a sector."""
    if sector is None:
        return list(LABEL_BEARINGS)
    sweep = (sector[1] - sector[0]) % 360.0 or 360.0
    return [(sector[0] + sweep * f) % 360.0 for f in (0.5, 0.25, 0.75, 0.1, 0.9)]


def interval_layers(d: Drawn, point: Place, spec: MapSpec, cut: float | None, dash: str | None,
                    fan: BaseGeometry | None) -> list[folium.Element]:
    """Rings at ``spec.every_km`` steps and ``spec.ranges_km`` inside the system's range, each its own feature."""
    rng = d.system.range
    out: list[folium.Element] = []
    for km in fans.interval_distances(rng.max_km, spec.every_km, spec.ranges_km):
        if km <= rng.min_km:
            continue
        geom: BaseGeometry = fans.circle(point.lat, point.lon, km)
        if fan is not None:
            geom = geom.intersection(fan.buffer(1e-9))
        line = {"color": d.colour, "weight": 1.2, "opacity": 0.85, "dashArray": dash or "6 4"}
        out.append(folium.GeoJson(_lines(geom, cut), style_function=lambda _f, st=line: st, control=False,
                                  smooth_factor=0.5, className="range-interval",
                                  tooltip=folium.Tooltip(f"{text(d.name)}: {km_mi(km)} from {text(point.label)}")))
        spots = on_ring(point, km, cut, label_bearings(spec.sector))
        if spots:
            out.append(label(spots[0][:2], km_mi(km), "wdb-interval-label", spots, priority=6))
    return out


def radials_layer(spec: MapSpec, systems: Sequence[Drawn], cut: float | None) -> folium.FeatureGroup | None:
    """Bearing lines from every point out to its outermost ring, labelled with their bearing."""
    bearings = sorted({round(b % 360.0, 6) for b in (*fans.even_bearings(spec.radials), *spec.bearings)})
    bearings = in_sector(bearings, spec.sector)
    if not bearings:
        return None
    reach = max(d.system.range.max_km for d in systems)
    group = folium.FeatureGroup(name="Bearings", overlay=True, control=True, show=True)
    line = {"color": RADIAL_COLOUR, "weight": 1.3, "opacity": 0.8, "dashArray": "6 4"}
    for p in spec.points:
        for b in bearings:
            geom = fans.radial(p.lat, p.lon, b, reach)
            folium.GeoJson(_lines(geom, cut), style_function=lambda _f, st=line: st, control=False,
                           className="range-radial", smooth_factor=0.5,
                           tooltip=folium.Tooltip(f"bearing {b:03.0f}° from {text(p.label)}")).add_to(group)
            spots = on_ring(p, reach, cut, [b]) + on_ring(p, reach * 0.85, cut, [b])
            if spots:
                label(spots[0][:2], f"{b:03.0f}°", "wdb-radial-label", spots, priority=5).add_to(group)
    return group


def marks_layer(spec: MapSpec, cut: float | None) -> folium.FeatureGroup | None:
    """Reference points (targets, cities) as labelled black diamonds, with distance and bearing from each point."""
    if not spec.marks:
        return None
    group = folium.FeatureGroup(name="Reference points", overlay=True, control=True, show=True)
    for mark in spec.marks:
        at = (mark.lat, shown_lon(mark.lon, cut))
        rows = [f"<b>{text(mark.label)}</b>", f"{mark.lat:.4f}, {mark.lon:.4f}"]
        for p in spec.points:
            km, az = inverse(p.lat, p.lon, mark.lat, mark.lon)
            rows.append(f"from {text(p.label)}: {km_mi(km)}, bearing {az:03.0f}°")
        icon = folium.DivIcon(html='<div class="wdb-mark-icon"></div>', icon_size=(11, 11), icon_anchor=(6, 6),
                              class_name="wdb-mark")
        folium.Marker(list(at), icon=icon,
                      popup=folium.Popup('<div class="wdb-popup">' + "<br>".join(rows) + "</div>",
                                         max_width=320)).add_to(group)
        spots = [(at[0], at[1], where) for where in ("r", "l", "t", "b")]
        label(at, text(mark.label), "wdb-mark-label", spots, priority=1).add_to(group)
    return group


def out_of_range_layer(rings: Sequence[Ring], systems: Sequence[Drawn], cut: float | None,
                       around: bool) -> tuple[folium.FeatureGroup | None, list[Drawn]]:
    """For rings reaching most of the Earth, the unreachable rest as a hatched, labelled layer of its own.

    A near-global ring tints the whole map and its only outline is the hole, which reads backwards;
    drawing the hole as "out of range" says which side is reached. Returns the layer and the systems in it.
    """
    group = folium.FeatureGroup(name="Out of range", overlay=True, control=True, show=True)
    shown_for: list[Drawn] = []
    for r in rings:
        if not near_global(r.geometry):
            continue
        d = next(x for x in systems if x.system is r.system)
        rest = shapely.difference(WORLD, r.geometry)
        if rest.is_empty:
            continue
        where = "around" if around else "from"
        caption = f"out of range: {text(d.called)} {where} {text(r.point.label)}"
        fill = {"color": d.colour, "weight": 0, "fillColor": d.colour, "fillOpacity": 1.0, "stroke": False}
        folium.GeoJson(collection(shown(parts_of(rest), cut)), style_function=lambda _f, st=fill: st, control=False,
                       className="out-of-range", smooth_factor=0.5, tooltip=folium.Tooltip(caption)).add_to(group)
        biggest = max(parts_of(rest), key=lambda g: g.area)
        anchor = biggest.representative_point()
        at = (anchor.y, shown_lon(anchor.x, cut))
        label(at, caption, "wdb-out-label", [(at[0], at[1], "c")], priority=2).add_to(group)
        if d not in shown_for:
            shown_for.append(d)
    return (group if shown_for else None), shown_for


def union_layer(rings: Sequence[Ring], systems: Sequence[Drawn], cut: float | None) -> folium.FeatureGroup:
    """Each system's combined coverage over all its points, as one bold outline."""
    group = folium.FeatureGroup(name="Combined coverage", overlay=True, control=True, show=True)
    for d in systems:
        geoms = [r.geometry for r in rings if r.system is d.system]
        line = {"color": d.colour, "weight": 4, "opacity": 1.0}
        folium.GeoJson(_lines(fans.boundary(shapely.union_all(geoms)), cut), style_function=lambda _f, st=line: st,
                       control=False, className="range-union", smooth_factor=0.5,
                       tooltip=folium.Tooltip(f"{text(d.name)}: combined coverage of {len(geoms)} points")).add_to(group)
    return group


def _listed(names: Sequence[str], most: int = 3) -> str:
    if len(names) > most:
        names = [*names[:most], f"{len(names) - most} more"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def default_title(spec: MapSpec) -> str:
    """A title naming what is drawn and from where, for maps given none."""
    names = [f"{format_distance(s.range.max_km)} ring" if s.is_adhoc else s.name for s in spec.systems]
    where = "around" if spec.point_label == "target" else "from"
    return f"{_listed(names)} {where} {_listed([p.label for p in spec.points])}"


def site_dashes(spec: MapSpec) -> list[str | None]:
    """One outline dash per launch site when there are several (none otherwise: the system's own dash)."""
    return [style.site_dash(j) if len(spec.points) > 1 else None for j in range(len(spec.points))]
