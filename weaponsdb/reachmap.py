"""A reach table drawn: targets, launch points and the geodesic between each pair, with distances and margins.

``add_reach_layers`` only adds layers to a ``folium.Map``: the command line puts them on the
range-ring map ``maps.build_map`` draws. Lines are sampled along the WGS84 geodesic (a straight Leaflet line would be a rhumb-ish
Mercator chord, hundreds of km off on long shots) and unwrapped across the antimeridian so a
Pacific shot is one line, not one that runs round the world.
"""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd

from .errors import InputError
from .geodesy import GEOD

IN_RANGE, OUT_OF_RANGE = "#1a7f37", "#b42318"
#: Vertices per geodesic line: smooth at any zoom a reader uses for a reach question.
SAMPLES = 64


def geodesic_line(lat1: float, lon1: float, lat2: float, lon2: float, n: int = SAMPLES) -> list[list[float]]:
    """[[lat, lon], ...] along the geodesic, longitudes unwrapped so the line never jumps 360°."""
    inner = GEOD.npts(lon1, lat1, lon2, lat2, max(0, n - 2))
    lons = np.array([lon1, *(p[0] for p in inner), lon2], dtype=float)
    lats = np.array([lat1, *(p[1] for p in inner), lat2], dtype=float)
    lons = np.degrees(np.unwrap(np.radians(lons)))
    return [[float(a), float(b)] for a, b in zip(lats, lons, strict=True)]


def _pair_text(rows: pd.DataFrame) -> str:
    first = rows.to_dict("records")[0]
    lines = [f"<b>{html.escape(str(first['launch']))} → {html.escape(str(first['target']))}</b>: "
             f"{float(first['distance_km']):,.1f} km"]
    for name, ok, margin in zip(rows["name"], rows["in_range"], rows["margin_km"].astype(float), strict=True):
        verdict = "in range" if ok else ("inside minimum range" if margin >= 0 else "out of range")
        lines.append(f"{html.escape(str(name))}: margin {margin:+,.1f} km ({verdict})")
    return "<br>".join(lines)


def add_reach_layers(m: folium.Map, frame: pd.DataFrame, *, max_lines_per_pair: int = 12,
                     points: bool = True) -> folium.Map:
    """Add targets, launch points and one geodesic line per (launch, target) pair to ``m``; returns ``m``.

    ``points=False`` leaves out the point layers, for a map that draws its points already.
    ``frame`` is a :func:`weaponsdb.reach` table. A line is green when at least one system
    reaches the target from that launch point, red otherwise; its tooltip lists the distance
    and each system's margin (the best ``max_lines_per_pair`` first, as the table sorts them).
    """
    if frame.empty:
        raise InputError("nothing to draw: the reach table is empty")
    lines = folium.FeatureGroup(name="Distances and margins", overlay=True, control=True, show=True)
    for _, rows in frame.groupby(["launch", "target"], sort=False):
        first = rows.iloc[0]
        ok = bool(rows["in_range"].any())
        path = geodesic_line(first["launch_lat"], first["launch_lon"], first["target_lat"], first["target_lon"])
        tip = _pair_text(rows.head(max_lines_per_pair))
        folium.PolyLine(path, color=IN_RANGE if ok else OUT_OF_RANGE, weight=3, opacity=0.85,
                        dash_array=None if ok else "6 6", class_name="reach-line",
                        tooltip=folium.Tooltip(tip, sticky=True)).add_to(lines)
        mid = path[len(path) // 2]
        folium.Marker(mid, icon=folium.DivIcon(
            html=f'<div class="reach-distance" style="font:12px sans-serif;white-space:nowrap;background:#fff;'
                 f'padding:1px 4px;border-radius:3px;opacity:.85">{first["distance_km"]:,.0f} km</div>',
            icon_size=(0, 0)), tooltip=folium.Tooltip(tip)).add_to(lines)
    lines.add_to(m)
    for kind, colour, label in () if not points else (("launch", "#000000", "Launch points"), ("target", "#b42318", "Targets")):
        group = folium.FeatureGroup(name=label, overlay=True, control=True, show=True)
        places = frame.drop_duplicates(kind)[[kind, f"{kind}_lat", f"{kind}_lon"]]
        for name, lat, lon in places.itertuples(index=False):
            folium.CircleMarker([lat, lon], radius=6, color=colour, weight=2, fill_color="#ffffff", fill_opacity=1.0,
                                class_name=f"reach-{kind}",
                                tooltip=folium.Tooltip(html.escape(str(name)), permanent=True, direction="right"),
                                ).add_to(group)
        group.add_to(m)
    return m
