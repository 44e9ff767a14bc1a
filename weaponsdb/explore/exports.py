"""What the explorer's export buttons return: files built in memory, never written to disk.

* a scenario TOML (the ``maps/*.toml`` format) that ``weaponsdb render`` turns into the same map;
* the offline HTML map of the view;
* the rings as GeoJSON (byte for byte the CLI's ``weaponsdb ring`` output), KML or GeoPackage;
* a PNG/SVG figure (501 when the figures extra is not installed).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence

from ..catalog import Catalog
from ..export import features_text
from ..model import Place, System
from .inputs import Furniture


def slug(systems: Sequence[System], points: Sequence[Place]) -> str:
    """An ASCII file name stem: ``fath-360-from-belgorod``."""
    names = "-".join(s.id for s in systems if not s.is_adhoc) or "rings"
    raw = f"{names}-from-{'-'.join(p.label for p in points)}"
    raw = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:80] or "explorer"


def rings_text(drawn, fmt: str, furniture: Sequence = ()) -> str:
    """GeoJSON exactly as ``weaponsdb ring`` prints it, or KML as ``weaponsdb ring -o x.kml`` writes it.

    ``furniture``: the interval rings and radials (``fans.furniture``), after the rings as the CLI puts them.
    """
    features = [(r.geometry, r.properties()) for r in drawn] + list(furniture)
    return features_text(features, None if fmt == "geojson" else f"rings.{fmt}")


def rings_gpkg(drawn, furniture: Sequence = ()) -> bytes:
    """A GeoPackage (layer ``rings``) of the same table ``weaponsdb ring -o rings.gpkg`` writes, in memory."""
    from .. import rangerings
    from ..export import features_frame

    if furniture:  # as cmd_ring: the rings with their range origin, then the interval rings and radials
        frame = features_frame([(r.geometry, {**r.properties(), "range_origin": str(r.system.range.origin)})
                                for r in drawn] + list(furniture))
    else:
        frame = rangerings.frame(drawn)
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GPKG", engine="pyogrio", layer="rings")
    return buffer.getvalue()


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_number(value: float) -> str:
    """A float as TOML and as the scenario loader reads it back: the same double, never in e-notation."""
    text = repr(float(value))
    if "e" in text or "E" in text or not math.isfinite(value):
        text = f"{value:.12f}".rstrip("0").rstrip(".")
        text = text if "." in text else text + ".0"
    return text


def scenario_toml(systems: Sequence[System], points: Sequence[Place], *, title: str | None,
                  max_range: str | None, min_range: str | None, offline: bool = True,
                  output: str | None = None, furniture: Furniture | None = None) -> str:
    """The view as a scenario file: ``weaponsdb render`` on it draws the same map as the HTML export."""
    lines = ["# Exported from the weaponsdb explorer. Render it with: weaponsdb render FILE.toml"]
    if title:
        lines.append(f"title = {toml_string(title)}")
    named = [s.name for s in systems if not s.is_adhoc]
    lines.append("systems = [" + ", ".join(toml_string(n) for n in named) + "]")
    if max_range:
        lines.append(f"range = {toml_string(max_range.strip())}")
    if min_range:
        lines.append(f"min_range = {toml_string(min_range.strip())}")
    if furniture is not None:
        if furniture.every:
            lines.append(f"every = {toml_string(furniture.every)}")
        if furniture.radials:
            lines.append(f"radials = {furniture.radials:d}")
        if furniture.bearings:
            lines.append("bearings = [" + ", ".join(toml_number(b) for b in furniture.bearings) + "]")
        if furniture.sector is not None:
            lines.append(f"sector = [{toml_number(furniture.sector[0])}, {toml_number(furniture.sector[1])}]")
    lines.append(f"offline = {'true' if offline else 'false'}")
    lines.append(f"output = {toml_string((output or slug(systems, points)) + '.html')}")
    lines.append("")
    lines.append("launch = [")
    for p in points:
        lines.append(f"  {{ label = {toml_string(p.label)}, lat = {toml_number(p.lat)}, lon = {toml_number(p.lon)} }},")
    lines.append("]")
    return "\n".join(lines) + "\n"


def map_html(systems: Sequence[System], points: Sequence[Place], *, title: str | None, offline: bool,
             max_km: float | None, min_km: float | None, catalog: Catalog,
             furniture: Furniture | None = None) -> str:
    """The HTML of the view's map, built as ``weaponsdb render`` builds the exported scenario."""
    from .. import api
    from ..maps import render_html

    names = [s for s in systems if not s.is_adhoc] or None
    extra = furniture.options() if furniture is not None else {}
    return render_html(api.map(names, list(points), range=max_km, min_range=min_km, title=title, offline=offline,
                               catalog=catalog, **extra))


class FigureUnavailable(Exception):
    """This installation lacks the figure extra (matplotlib and cartopy)."""


def figure_bytes(systems: Sequence[System], points: Sequence[Place], fmt: str, *, title: str | None,
                 catalog: Catalog, furniture: Furniture | None = None) -> bytes:
    """A PNG or SVG figure of the view, the same bytes ``weaponsdb map -o FILE.png`` writes."""
    import tempfile
    from pathlib import Path

    from .. import specs
    from ..errors import WeaponsDBError

    try:
        from ..figures import figure, save_figure
    except (ImportError, WeaponsDBError):
        raise FigureUnavailable("figure export needs matplotlib and cartopy: pip install 'weaponsdb[figures]'") from None
    spec = specs.map_spec(list(systems), list(points), title=title, catalog=catalog,
                          **(furniture.options() if furniture is not None else {}))
    with tempfile.TemporaryDirectory() as tmp:
        return save_figure(figure(spec), Path(tmp) / f"figure.{fmt}").read_bytes()
