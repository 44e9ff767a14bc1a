"""How systems look, in every output: one palette, so a system has the same colour in HTML, KML and figures."""

from __future__ import annotations

#: Okabe-Ito (colour-blind safe), most distinct first; yellow last as it is faint on a light basemap.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: After the palette runs out, systems repeat colours with a different outline dash (SVG dash arrays).
DASHES: tuple[str | None, ...] = (None, "10 5", "3 5", "12 5 3 5")


def colour(i: int) -> str:
    """The colour of the ``i``-th system drawn (0-based)."""
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str | None:
    """The outline dash of the ``i``-th system drawn: solid until the palette repeats."""
    return DASHES[(i // len(PALETTE)) % len(DASHES)]


def kml_colour(hex_colour: str, alpha: str = "ff") -> str:
    """``#RRGGBB`` as KML's ``aabbggrr``."""
    h = hex_colour.lstrip("#")
    return (alpha + h[4:6] + h[2:4] + h[0:2]).lower()


#: Outline dashes that tell launch sites apart when one system is drawn from several (SVG dash arrays).
SITE_DASHES: tuple[str | None, ...] = (None, "9 5", "2 5", "12 4 2 4", "5 5", "16 4", "2 4 8 4", "1 8")


def site_dash(j: int) -> str | None:
    """The outline dash of the ``j``-th launch site (0-based) on a map with several sites."""
    return SITE_DASHES[j % len(SITE_DASHES)]
