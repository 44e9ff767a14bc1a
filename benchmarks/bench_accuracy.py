"""How far off are the usual shortcuts? folium.Circle and a spherical ring against the WGS84 geodesic.

For a launch point at 55N 37E and ranges of 100, 1,000, 5,000 and 12,000 km, three boundaries:

* folium.Circle: Leaflet 1.9's ``L.Circle``, reproduced from ``Circle._project`` in the installed
  xstatic-leaflet ``leaflet-src.js`` (the same Leaflet folium loads). Leaflet turns the radius into
  a latitude span on its 6,371,000 m sphere, projects the top and bottom points to Web Mercator
  (clamped at +-85.0511 degrees), centres the shape half-way between them, takes the half-width
  from the spherical law of cosines at that centre's latitude (falling back to latR / cos(lat)
  when acos is out of range), and draws an axis-aligned ellipse in Mercator pixel space. Leaflet
  rounds both radii to whole pixels at the current zoom; that rounding is left out here.
* spherical ring: the destination formula on a sphere of radius 6,371.0088 km.
* weaponsdb: ``geodesy.ring``, its vertices and points a quarter, half and three quarters
  along each edge drawn straight in Web Mercator (as Leaflet draws GeoJSON; without the 85.0511
  degree clamp, which limits what any Web Mercator map shows, not the ring). Edges along a pole or
  the antimeridian (closing edges, not boundary) are skipped.

Each boundary is sampled along 360 bearings from the launch point (for the Leaflet ellipse, rays
in Mercator, which is conformal, so a screen direction is a true bearing). The error of a point is
its true geodesic distance from the launch point (pyproj Geod.inv) minus the intended range.
Prints a table and writes benchmarks/accuracy.png. Run: python benchmarks/bench_accuracy.py
"""

import math
import sys
from pathlib import Path

try:
    import matplotlib
except ImportError:
    sys.exit("bench_accuracy.py needs matplotlib for its plot: pip install matplotlib")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402

from weaponsdb.geodesy import GEOD, ring, tolerance_m  # noqa: E402

LAT, LON = 55.0, 37.0
RANGES_KM = (100.0, 1000.0, 5000.0, 12000.0)
SWEEP_KM = np.geomspace(50.0, 15000.0, 60)
BEARINGS = np.arange(360.0)
PNG = Path(__file__).with_name("accuracy.png")

# Leaflet 1.9.3 constants (leaflet-src.js: L.CRS.Earth.R and L.Projection.SphericalMercator)
LEAFLET_EARTH_R = 6371000.0
MERC_R = 6378137.0
MERC_MAX_LAT = 85.0511287798
SPHERE_R = 6371008.8
D = math.pi / 180.0


def merc_project(lat, lng, clamp=True):
    """SphericalMercator.project: metres, y to the north (Leaflet's pixel y is flipped; irrelevant here)."""
    if clamp:
        lat = np.clip(lat, -MERC_MAX_LAT, MERC_MAX_LAT)
    s = np.sin(lat * D)
    return MERC_R * lng * D, MERC_R * np.log((1 + s) / (1 - s)) / 2


def merc_unproject(x, y):
    return (2 * np.arctan(np.exp(y / MERC_R)) - math.pi / 2) / D, x / D / MERC_R


def leaflet_ellipse(lat, lng, radius_m):
    """Circle._project: (centre x, centre y, x radius, y radius) in Mercator metres."""
    lat_r = (radius_m / LEAFLET_EARTH_R) / D
    _, top_y = merc_project(lat + lat_r, lng)
    _, bottom_y = merc_project(lat - lat_r, lng)
    px, py = merc_project(lat, lng)[0], (top_y + bottom_y) / 2
    lat2 = float(merc_unproject(px, py)[0])
    arg = (math.cos(lat_r * D) - math.sin(lat * D) * math.sin(lat2 * D)) / (math.cos(lat * D) * math.cos(lat2 * D))
    lng_r = math.acos(arg) / D if -1.0 <= arg <= 1.0 else math.nan  # JS Math.acos gives NaN out of range
    if math.isnan(lng_r) or lng_r == 0:
        lng_r = lat_r / math.cos(math.pi / 180 * lat)  # "Fallback for edge case, #2425"
    rx = px - merc_project(lat2, lng - lng_r)[0]
    ry = top_y - py
    return px, py, rx, ry


def leaflet_boundary(lat, lng, radius_m, bearings):
    """Where a ray from the launch point, at each bearing, meets the ellipse Leaflet draws."""
    cx, cy, rx, ry = leaflet_ellipse(lat, lng, radius_m)
    x0, y0 = merc_project(lat, lng)
    sb, cb = np.sin(bearings * D), np.cos(bearings * D)
    a = (sb / rx) ** 2 + (cb / ry) ** 2
    b = 2 * (y0 - cy) * cb / ry**2
    c = ((y0 - cy) / ry) ** 2 - 1  # < 0: the launch point is inside the ellipse
    t = (-b + np.sqrt(b * b - 4 * a * c)) / (2 * a)
    blat, blon = merc_unproject(x0 + t * sb, y0 + t * cb)
    return blat, blon


def sphere_boundary(lat, lon, radius_m, bearings):
    """Destination formula on a sphere (haversine-style great-circle ring)."""
    p1, l1, th, dl = lat * D, lon * D, bearings * D, radius_m / SPHERE_R
    p2 = np.arcsin(np.sin(p1) * np.cos(dl) + np.cos(p1) * np.sin(dl) * np.cos(th))
    l2 = l1 + np.arctan2(np.sin(th) * np.sin(dl) * np.cos(p1), np.cos(dl) - np.sin(p1) * np.sin(p2))
    return p2 / D, ((l2 / D + 180) % 360) - 180


def weaponsdb_boundary(lat, lon, radius_m):
    """Vertices of the weaponsdb ring plus points along each edge drawn straight in Web Mercator."""
    pts = []
    for boundary in shapely.get_rings(shapely.get_parts(ring(lat, lon, radius_m / 1000.0))):
        xy = shapely.get_coordinates(boundary)
        a, b = xy[:-1], xy[1:]
        keep = ~((np.abs(a[:, 1]) >= 89.9999) | (np.abs(b[:, 1]) >= 89.9999)
                 | ((np.abs(a[:, 0]) == 180.0) & (np.abs(b[:, 0]) == 180.0)))
        a, b = a[keep], b[keep]
        pts.append(a[:, ::-1])
        # Unclamped: Leaflet clamps at 85.0511 like every Web Mercator map, which is a limit of the
        # display, not of the ring (the clamped Leaflet circle above is a different matter: its
        # top is computed at the clamp, so it stops short even where the map could show the ring).
        ax, ay = merc_project(a[:, 1], a[:, 0], clamp=False)
        bx, by = merc_project(b[:, 1], b[:, 0], clamp=False)
        for f in (0.25, 0.5, 0.75):
            mlat, mlon = merc_unproject(ax + f * (bx - ax), ay + f * (by - ay))
            pts.append(np.column_stack([mlat, mlon]))
    p = np.concatenate(pts)
    return p[:, 0], p[:, 1]


def errors_km(lat, lon, radius_m, blat, blon):
    """(true distance - intended) in km and the geodesic azimuth from the launch point, per point."""
    n = len(blat)
    az, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), blon, blat)
    return (np.asarray(dist) - radius_m) / 1000.0, np.asarray(az) % 360


def worst(err):
    i = int(np.argmax(np.abs(err)))
    return err[i], i


def main():
    print(f"launch point {LAT}N {LON}E; error = true WGS84 geodesic distance of the drawn boundary - intended range")
    print(f"pyproj {pyproj.__version__}, shapely {shapely.__version__}, numpy {np.__version__}, "
          f"matplotlib {matplotlib.__version__}\n")
    print(f"{'range km':>9}  {'folium.Circle max|err| km':>26} {'at bearing':>10}  {'% of range':>10}   "
          f"{'sphere max|err| km':>18} {'at bearing':>10} {'% of range':>10}   {'weaponsdb max|err| km':>21} "
          f"{'tolerance km':>12}")
    for km in RANGES_KM:
        r = km * 1000.0
        el, _ = errors_km(LAT, LON, r, *leaflet_boundary(LAT, LON, r, BEARINGS))
        es, _ = errors_km(LAT, LON, r, *sphere_boundary(LAT, LON, r, BEARINGS))
        ew, _ = errors_km(LAT, LON, r, *weaponsdb_boundary(LAT, LON, r))
        (wl, il), (ws, is_), (ww, _) = worst(el), worst(es), worst(ew)
        print(f"{km:>9,.0f}  {wl:>+26,.2f} {BEARINGS[il]:>9.0f}°  {100 * abs(wl) / km:>9.2f}%   "
              f"{ws:>+18,.3f} {BEARINGS[is_]:>9.0f}° {100 * abs(ws) / km:>9.3f}%   {ww:>+21.4f} "
              f"{tolerance_m(r) / 1000:>12.3f}")
    print("\n(bearing: the direction from the launch point in which the worst point was drawn; "
          "weaponsdb: vertices and edges as Leaflet draws them, against its tolerance max(0.1% of range, 100 m))")

    leaf, sph, wdb = [], [], []
    for km in SWEEP_KM:
        r = km * 1000.0
        leaf.append(np.abs(errors_km(LAT, LON, r, *leaflet_boundary(LAT, LON, r, BEARINGS))[0]).max())
        sph.append(np.abs(errors_km(LAT, LON, r, *sphere_boundary(LAT, LON, r, BEARINGS))[0]).max())
        wdb.append(np.abs(errors_km(LAT, LON, r, *weaponsdb_boundary(LAT, LON, r))[0]).max())
    plot(np.array(leaf), np.array(sph), np.array(wdb))
    print(f"\nwrote {PNG}")
    return 0


def plot(leaf, sph, wdb):
    fig, ax = plt.subplots(figsize=(8, 5.2), dpi=110)
    ax.loglog(SWEEP_KM, leaf, color="#D55E00", lw=2, label="folium.Circle (Leaflet L.Circle, Web Mercator)")
    ax.loglog(SWEEP_KM, sph, color="#0072B2", lw=2, label="spherical ring (R = 6,371.0088 km)")
    ax.loglog(SWEEP_KM, np.maximum(wdb, 1e-6), color="#009E73", lw=1.5,
              label="weaponsdb range_ring, edges as drawn")
    ax.loglog(SWEEP_KM, [tolerance_m(k * 1000) / 1000 for k in SWEEP_KM], color="#777777", lw=1, ls=":",
              label="weaponsdb tolerance max(0.1%, 100 m)")
    kink = (MERC_MAX_LAT - LAT) * D * LEAFLET_EARTH_R / 1000.0  # where Leaflet's top point hits the clamp
    ax.annotate("L.Circle's top hits Web Mercator's\n85.05°N limit: it stops short of\nthe pole the true ring crosses",
                xy=(kink, float(np.interp(kink, SWEEP_KM, leaf))), xytext=(330, 120), fontsize=8.5,
                arrowprops=dict(arrowstyle="->", color="#555555"), color="#333333")
    for km in RANGES_KM:
        ax.axvline(km, color="#cccccc", lw=0.8, zorder=0)
    ax.set_xlabel("intended range (km)")
    ax.set_ylabel("max |true geodesic distance - range| (km)")
    ax.set_title(f"How far off is the drawn ring? Launch point {LAT:g}°N {LON:g}°E, WGS84 truth")
    ax.grid(True, which="major", color="#e5e5e5")
    ax.legend(loc="upper left", fontsize=9, frameon=True)
    fig.tight_layout()
    fig.savefig(PNG)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
