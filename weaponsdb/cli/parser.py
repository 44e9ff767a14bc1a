"""The command line's arguments: every command, its options, help text and examples."""

from __future__ import annotations

import argparse
import re
import textwrap
from typing import Any, NoReturn

from .. import __version__
from ..errors import InputError
from ..units import parse_range

EPILOG = """\
examples:
  weaponsdb show "Fath 360"                      specs, aliases and sources of one system
  weaponsdb list --category SRBM --units mi      browse the catalogue
  weaponsdb map fath-360 --from Belgorod --from Kursk --offline
  weaponsdb map hwasong-17 --from Pyongyang -o hwasong-17.png      a figure to print (.png, .svg, .pdf)
  weaponsdb map iskander-m --from Belgorod --every 100km --sector 200-300 --mark Kyiv
  weaponsdb ring iskander-m --from "50.6N 36.6E" -o iskander.geojson
  weaponsdb distance Belgorod Kyiv
  weaponsdb reach Kyiv --from Belgorod --system fath-360 --system iskander-m
  weaponsdb reach Kyiv Lviv Warsaw --from Belgorod --operator Russia -o reach.html
  weaponsdb compare fath-360 iskander-m --from Belgorod --country UA
  weaponsdb count iskander-m kn-23 --from Belgorod --targets buildings.parquet --engine dask
  weaponsdb render maps/fath-360-ukraine-border.toml
  weaponsdb check --catalog my-systems.csv
  weaponsdb explore                              the interactive explorer in your browser

points (--from, targets) may be written as 50.6,36.6 | 50.6N 36.6E | 50°36'00"N 36°35'54"E |
MGRS 37UCS3003708064 | a place name from the offline gazetteer (Kyiv; Odessa, US),
optionally labelled: "Site A=50.6,36.6". Distances: 500km, 75mi, 270nmi (a bare number is km).
"""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error that points at --help.

    Values starting with a minus and a digit (``-33.9,18.4``, ``-5km``) are values, not options,
    so southern and western points can be typed as they are.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d")

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def distance_arg(text: str) -> float:
    """A range in km, checked as everywhere else (units.parse_range)."""
    try:
        return parse_range(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> Parser:
    p = Parser(
        prog="weaponsdb",
        description="A cited weapon-systems catalogue and geodesically exact (WGS84) range rings, drawn as HTML maps.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"weaponsdb {__version__}")
    p.add_argument("--catalog", metavar="FILE", help="add your own systems CSV to the bundled catalogue (columns id,name,"
                   "max_range_km at least; a row with a bundled id replaces that row)")
    p.add_argument("--catalog-only", action="store_true", help="with --catalog: use your file alone, not the bundled catalogue")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    def command(name: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
        examples = "\n".join(line for line in EPILOG.splitlines() if line.startswith(f"  weaponsdb {name} "))
        c = sub.add_parser(name, help=help_text, description=textwrap.fill(description or help_text, 88),
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog=f"example:\n{examples}" if examples else None)
        c.add_argument("--catalog", metavar="FILE", default=argparse.SUPPRESS,
                       help="add your own systems CSV to the bundled catalogue")
        c.add_argument("--catalog-only", action="store_true", default=argparse.SUPPRESS,
                       help="with --catalog: use your file alone")
        return c

    def display_args(c: argparse.ArgumentParser, csv: bool = False) -> None:
        c.add_argument("--units", choices=("km", "mi", "nmi"), default="km", help="unit for displayed distances (default: km)")
        c.add_argument("--json", action="store_true", help="print JSON for scripts")
        if csv:
            c.add_argument("--csv", action="store_true", help="print CSV")

    c = command("list", "list systems, optionally filtered", "List catalogue systems with their ranges. Filters combine.")
    c.add_argument("--category", action="append", help="e.g. SRBM, ICBM, 'loitering munition' (repeatable)")
    c.add_argument("--country", help="country of origin, e.g. Iran")
    c.add_argument("--min-range", metavar="DIST", help="only systems reaching at least DIST, e.g. 200mi")
    c.add_argument("--max-range", metavar="DIST", help="only systems reaching at most DIST")
    display_args(c)

    c = command("show", "one system with its sources", "Show one system: specs, aliases and where every figure comes from. "
                "Matching ignores case, spaces and punctuation and covers aliases (Fateh-360, Geran-2, SS-26).")
    c.add_argument("name", help="system name, id or alias")
    display_args(c)

    c = command("check", "validate the catalogue table", "Validate a catalogue (the bundled one, or --catalog FILE): "
                "reports every problem as FILE:LINE: column: problem and exits 2 if there is any.")
    c.add_argument("--strict", action="store_true", help="hold your file to the bundled catalogue's rules: every "
                   "column, every value cited, the headline policy and the category convention")

    c = command("ring", "range rings as GeoJSON or KML", "Geodesic range rings: one feature per system (or ad-hoc "
                "--range) and launch point, as an RFC 7946 FeatureCollection on stdout, or written with -o.")
    c.add_argument("systems", nargs="*", metavar="SYSTEM", help="systems to ring (omit with --range for an ad-hoc ring)")
    _launch_args(c, required=True)
    _range_args(c)
    _furniture_args(c)
    c.add_argument("-o", "--output", metavar="FILE", help="write .geojson or .kml, or .gpkg, .shp or .fgb for GIS "
                   "software, instead of printing GeoJSON")
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("distance", "geodesic distance and azimuth between two points")
    c.add_argument("a", metavar="A", help="first point")
    c.add_argument("b", metavar="B", help="second point")
    _geocode_arg(c)
    display_args(c)

    c = command("map", "draw range rings on an HTML map or a figure", "Draw range rings on a Leaflet HTML map. Online "
                "tiles by default; --offline makes a self-contained file that needs no network at all. With -o FILE.png, "
                ".svg or .pdf it draws a figure to print instead, in a projection chosen from the range.")
    c.add_argument("systems", nargs="*", metavar="SYSTEM", help="systems to draw (omit with --range for an ad-hoc ring)")
    _launch_args(c, required=True)
    _range_args(c)
    _furniture_args(c)
    c.add_argument("--mark", action="append", default=[], metavar="POINT",
                   help="a labelled reference point such as a target or city (repeatable); its popup gives distance "
                   "and bearing from each launch point")
    c.add_argument("--union", action="store_true", help="outline each system's combined coverage over all launch points")
    c.add_argument("-o", "--output", metavar="FILE", help="output file: .html for an interactive map, or .png, .svg "
                   "or .pdf for a figure to print (default: maps/<systems>-from-<places>.html)")
    c.add_argument("--offline", action="store_true", help="inline all assets and draw an embedded basemap: zero network requests")
    _figure_args(c)
    c.add_argument("--title", help="map title (default: the systems and launch points)")
    c.add_argument("--uncertainty", action="store_true", help="shade the band between the lowest and highest sourced ranges")
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("render", "draw the maps described by scenario files", "Render TOML scenario files (see maps/*.toml) to HTML.")
    c.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml")
    c.add_argument("--force", action="store_true", help="overwrite existing output files")

    c = command("reach", "which systems reach a target, and with what margin", "For each system and launch point: the "
                "geodesic distance to each TARGET, whether it is in range and the margin. Without --from, the launch "
                "footprint: the area from which each --system can reach TARGET.")
    c.add_argument("target", nargs="*", metavar="TARGET", help="target points or places (several allowed)")
    c.add_argument("--targets", metavar="FILE.csv", help="many targets: CSV with name,lat,lon (also city/label, "
                   "latitude/y, lng/longitude/x) or a column of place names")
    _launch_args(c, required=False)
    c.add_argument("--system", action="append", default=[], metavar="SYSTEM", help="limit to these systems (repeatable; default all)")
    c.add_argument("--operator", action="append", default=[], metavar="COUNTRY",
                   help="only systems this country operates (name or ISO code; repeatable)")
    c.add_argument("--category", action="append", default=[], metavar="CATEGORY",
                   help="only systems of this category, e.g. SRBM, 'cruise missile' (repeatable)")
    c.add_argument("-o", "--output", metavar="FILE", help="with --from: draw targets, launch points and distances on "
                   "an HTML map; footprint mode: write .geojson, .kml or .html")
    c.add_argument("--offline", action="store_true", help="with -o FILE.html: self-contained offline map")
    display_args(c, csv=True)
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")

    c = command("compare", "compare coverage between systems", "Compare systems fired from the same launch points: "
                "covered area, area added over the first system, cities and population in range, country shares.")
    c.add_argument("systems", nargs="+", metavar="SYSTEM")
    _launch_args(c, required=True)
    c.add_argument("--country", action="append", default=[], metavar="CODE", help="limit cities and population to this "
                   "country and report its share in range (ISO alpha-2/3 or name; repeatable)")
    c.add_argument("--targets", metavar="FILE.csv", help="also count your own places (CSV name,lat,lon) in range")
    c.add_argument("--cities", type=int, metavar="N", help="also list the N most populous cities in range: name, "
                   "country, region, population, distance from the nearest launch point, which systems and launch "
                   "points reach it (with --csv: print this table instead of the systems)")
    c.add_argument("--top", type=int, default=5, help="how many most populous cities to name per system (default: 5)")
    c.add_argument("--population", metavar="FILE.tif", help="also sum people in range from a population GeoTIFF "
                   "(WorldPop, GHS-POP, LandScan: people per cell), counting cut cells by the fraction covered")
    c.add_argument("--map", metavar="FILE.html", help="also draw the compared systems on a map")
    c.add_argument("--offline", action="store_true", help="with --map: self-contained offline map")
    c.add_argument("--json", action="store_true", help="print JSON for scripts")
    c.add_argument("--csv", action="store_true", help="print CSV")
    c.add_argument("--force", action="store_true", help="overwrite an existing map file")

    c = command("count", "count targets in range at scale, exactly", "Count the targets (rows of a Parquet or CSV file "
                "with lat/lon columns) each system reaches from each launch point, exactly as Geod.inv would judge "
                "them. --engine dask spreads the file's partitions over a local cluster or the one at --scheduler.")
    c.add_argument("systems", nargs="+", metavar="SYSTEM")
    _launch_args(c, required=True)
    c.add_argument("--targets", required=True, metavar="FILE", help="Parquet or CSV of target points (lat/latitude/y "
                   "and lon/lng/longitude/x columns)")
    c.add_argument("--population", metavar="COLUMN", help="also sum this column (people per target)")
    c.add_argument("--engine", choices=("local", "dask"), default="local", help="local (default): blocks in this "
                   "process; dask: partitions on a Dask cluster")
    c.add_argument("--scheduler", metavar="ADDR", help="with --engine dask: a running scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(default: a small local cluster for this run)")
    c.add_argument("--json", action="store_true", help="print JSON for scripts")
    c.add_argument("--csv", action="store_true", help="print CSV")

    c = command("explore", "interactive range explorer in the browser", "Start the range explorer, a local web app: "
                "pick systems, click and drag launch points and watch the exact rings follow; spec cards with sources, "
                "distances to a target, coverage comparison and exports. Also serves the HTTP API (OpenAPI at /docs). "
                "Works with no network.")
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    c.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    c.add_argument("--no-browser", dest="browser", action="store_false", help="do not open a browser")
    c.add_argument("--online-tiles", action="store_true", help="start with OpenStreetMap tiles instead of the offline basemap")
    c.add_argument("--workers", type=int, default=1, help="worker processes (default: 1); the app is stateless")
    return p


def _launch_args(c: argparse.ArgumentParser, required: bool) -> None:
    c.set_defaults(launches_required=required)
    c.add_argument("--from", dest="launches", action="append", default=[], metavar="POINT",
                   help="launch point (repeatable): 50.6,36.6 | 50.6N 36.6E | MGRS | place name | 'Label=POINT'")
    c.add_argument("--from-file", dest="from_files", action="append", default=[], metavar="FILE",
                   help="launch points from a CSV (name and lat/lon columns, or a column of place names) or GeoJSON "
                   "points file (repeatable)")
    _geocode_arg(c)


def _geocode_arg(c: argparse.ArgumentParser) -> None:
    c.add_argument("--geocode", action="store_true", help="look up place names missing from the offline gazetteer "
                   "online (OpenStreetMap Nominatim); without it nothing leaves this machine")


def _range_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--range", dest="ranges", action="append", default=[], type=distance_arg, metavar="DIST",
                   help="maximum range, e.g. 75mi (overrides the catalogue and is labelled user-set); repeat it for "
                   "more rings at other distances")
    c.add_argument("--min-range", dest="min_km", type=distance_arg, metavar="DIST", help="minimum range: the ring gets a hole")


def _figure_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--projection", choices=("auto", "aeqd", "ortho", "lambert", "mercator"), default="auto",
                   help="figures only: auto picks from the ranges (Lambert for a region, azimuthal equidistant "
                   "around one launch point for long ranges, an orthographic globe for distant launch points)")
    c.add_argument("--size", default="1600x1000", metavar="WxH", help="figures only: pixels (1600x1000) or print "
                   "sizes (A4, A4-portrait, 180x120mm, 7x4.5in)")
    c.add_argument("--dpi", type=float, default=150, help="figures only: dots per inch (default: 150)")


def _furniture_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("--every", type=distance_arg, metavar="DIST", help="interval rings every DIST up to the range, e.g. 100km")
    c.add_argument("--radials", type=int, default=0, metavar="N", help="N evenly spaced bearing lines from each launch point")
    c.add_argument("--bearing", dest="bearings", action="append", default=[], type=float, metavar="DEG",
                   help="a bearing line at DEG degrees clockwise from north (repeatable)")
    c.add_argument("--sector", metavar="FROM-TO", help="cut rings to a range fan between two bearings, clockwise "
                   "through north if need be, e.g. 300-60")
