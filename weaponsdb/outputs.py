"""Writing a map description to a file: an interactive HTML map or, by suffix, a figure to print."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .model import MapSpec

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

HTML_SUFFIXES = (".html", ".htm")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
ACCEPTED = ".html for an interactive map, or .png, .svg or .pdf for a figure"


def check_suffix(path: str | Path, what: str = "map output") -> Path:
    """``path`` when its suffix names a map format; InputError naming it otherwise."""
    if Path(path).suffix.lower() not in HTML_SUFFIXES + FIGURE_SUFFIXES:
        raise InputError(f"{what} {str(path)!r} must end in .html (or .png, .svg, .pdf): {ACCEPTED}",
                         value=str(path), accepted=ACCEPTED)
    return Path(path)


def save_map(spec: MapSpec, path: str | Path, *, force: bool = False, added: Mapping[str, BaseGeometry] | None = None,
             projection: str = "auto", size: tuple[float, float] | str = (1600, 1000), dpi: float = 150) -> Path:
    """Draw ``spec`` and write it; the suffix picks HTML (Leaflet) or a figure (matplotlib)."""
    path = check_suffix(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        from .maps import build_map, save_html

        return save_html(build_map(spec, added=added), path, force=force)
    from .figures import figure, save_figure

    return save_figure(figure(spec, projection=projection, size=size, dpi=dpi, added=added), path, force=force)
