"""Publication figures: checked on the figure's data (projected metres, artists, texts), not by eye."""

import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from weaponsdb import specs
from weaponsdb.errors import InputError
from weaponsdb.figures import CAVEAT, figure, parse_size, save_figure
from weaponsdb.figures.projection import choose
from weaponsdb.geodesy import tolerance_m
from weaponsdb.model import MapSpec, Place

SMALL = (800, 500)  # the layout scales; small figures keep the suite quick


def artists(fig, prefix):
    ax = fig.axes[0]
    every = [*ax.patches, *ax.collections, *ax.lines, *ax.texts]
    return [a for a in every if (a.get_gid() or "").startswith(prefix)]


def one(fig, gid):
    found = [a for a in artists(fig, gid) if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def polylines(artist):
    """Every polyline an artist draws, in data coordinates (projected metres)."""
    if hasattr(artist, "get_segments"):
        return [np.asarray(s) for s in artist.get_segments()]
    if hasattr(artist, "get_paths"):
        return [np.asarray(p) for path in artist.get_paths() for p in path.to_polygons(closed_only=False)]
    if hasattr(artist, "get_path"):
        return [np.asarray(p) for p in artist.get_path().to_polygons(closed_only=False)]
    return [np.column_stack(artist.get_data())]


def text_of(fig, gid):
    return one(fig, gid).get_text()


def all_text(fig):
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for t in fig.axes[0].texts]
    texts += [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    return " ".join(" ".join(texts).split())  # wrapped lines read as one


@pytest.fixture(scope="module")
def regional():
    spec = specs.map_spec("Fath-360", ["Belgorod", "Kursk"], uncertainty=True)
    return spec, figure(spec, size=SMALL)


@pytest.fixture(scope="module")
def hwasong():
    spec = specs.map_spec("Hwasong-17", ["Pyongyang"])
    return spec, figure(spec, size=SMALL)


# -- projection ---------------------------------------------------------------------------------

def test_projection_follows_the_range(regional, hwasong):
    assert "Lambert conformal conic" in all_text(regional[1])
    assert "Azimuthal equidistant projection centred on Pyongyang" in all_text(hwasong[1])
    # distant launch points whose rings stay within a hemisphere: a globe at their mean
    tehran, pyongyang = (35.69, 51.39), (39.03, 125.75)
    assert choose("auto", [tehran, pyongyang], [(tehran, 2000.0), (pyongyang, 1500.0)]).name == "ortho"
    # ... and past a hemisphere: azimuthal equidistant at their mean
    assert choose("auto", [tehran, pyongyang], [(tehran, 12000.0), (pyongyang, 12000.0)]).name == "aeqd"
    # one launch point far from anything: centred on it; forced names are obeyed
    assert choose("auto", [pyongyang], [(pyongyang, 5500.0)]).centre == pyongyang
    for name in ("aeqd", "ortho", "lambert", "mercator"):
        assert choose(name, [pyongyang], [(pyongyang, 500.0)]).name == name


@pytest.mark.parametrize("where,km", [((39.03, 125.75), 15000.0), ((-18.14, 178.44), 1500.0), ((64.0, -170.0), 3000.0),
                                      ((-77.85, 166.67), 2500.0)])
def test_aeqd_single_launch_ring_vertices_lie_at_the_ring_distance(where, km):
    """Every vertex of the drawn ring (fill and outline), across the dateline and round a pole, is at its range."""
    spec = specs.map_spec(None, [f"{where[0]},{where[1]}"], max_range=km)
    fig = figure(spec, projection="aeqd", size=SMALL)
    tol = tolerance_m(km * 1000.0)
    marker = one(fig, "point-0")
    assert np.allclose(np.column_stack(marker.get_data()), 0.0, atol=1e-3), "the launch point is the map's centre"
    for gid in ("ring-0", "ring-outline-0"):
        pts = np.vstack(polylines(one(fig, gid)))
        r = np.hypot(pts[:, 0], pts[:, 1])
        assert len(pts) > 100
        assert np.abs(r - km * 1000.0).max() <= tol, f"{gid}: off by {np.abs(r - km * 1000.0).max():.0f} m"


def test_aeqd_annulus_keeps_its_hole_and_true_area():
    spec = specs.map_spec(None, ["Pyongyang"], max_range="3000km", min_range="1000km")
    fig = figure(spec, projection="aeqd", size=SMALL)
    rings = polylines(one(fig, "ring-0"))
    assert len(rings) == 2
    radii = sorted(float(np.hypot(*r.T).mean()) for r in rings)
    assert radii == pytest.approx([1_000_000.0, 3_000_000.0], rel=1e-3)


CASES = {
    "hwasong-mercator": (("Hwasong-17", ["Pyongyang"], None), "mercator"),
    "hwasong-lambert": (("Hwasong-17", ["Pyongyang"], None), "lambert"),
    "hwasong-ortho": (("Hwasong-17", ["Pyongyang"], None), "ortho"),
    "sarmat-two-points": ((["Hwasong-17", "RS-28 Sarmat"], ["Pyongyang", "55.3175,89.8313"], None), "auto"),
    "fiji-dateline": ((None, ["Suva"], "1500km"), "auto"),
    "fiji-mercator": ((None, ["Suva"], "1500km"), "mercator"),
    "alaska-ortho": ((None, ["64,-170"], "4000km"), "ortho"),
    "pole-lambert": ((None, ["80,30"], "2500km"), "lambert"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_clipped_parts_do_not_stretch_across_the_figure(case):
    (names, points, rng), projection = CASES[case]
    spec = specs.map_spec(names, points, max_range=rng)
    fig = figure(spec, projection=projection, size=SMALL)
    x0, x1 = fig.axes[0].get_xlim()
    y0, y1 = fig.axes[0].get_ylim()
    width = x1 - x0
    checked = 0
    for prefix in ("ring-", "ring-outline-", "band-", "land", "borders", "out-of-range", "graticule"):
        for artist in artists(fig, prefix):
            if isinstance(artist, matplotlib.text.Text):
                continue
            for line in polylines(artist):
                if len(line) < 2:
                    continue
                assert np.isfinite(line).all(), f"{case}: {artist.get_gid()} has non-finite vertices"
                a, b = line[:-1], line[1:]
                # edges that cross the figure (their bounding box meets the view), wherever their ends are
                shown = (np.maximum(a[:, 0], b[:, 0]) >= x0) & (np.minimum(a[:, 0], b[:, 0]) <= x1) & \
                        (np.maximum(a[:, 1], b[:, 1]) >= y0) & (np.minimum(a[:, 1], b[:, 1]) <= y1)
                if not shown.any():
                    continue
                seg = np.hypot(*(b - a)[shown].T)
                assert seg.max() < 0.1 * width, f"{case}: {artist.get_gid()} has a {seg.max() / width:.0%}-wide edge"
                checked += len(seg)
    assert checked > 500


def test_ring_covering_the_visible_hemisphere_fills_the_whole_globe():
    """The even-odd rebuild: a 15,000 km ring seen from its centre covers the whole orthographic disk."""
    spec = specs.map_spec("Hwasong-17", ["Pyongyang"])
    fig = figure(spec, projection="ortho", size=SMALL)
    import shapely

    polys = [shapely.Polygon(p) for p in polylines(one(fig, "ring-0"))]
    area = sum(p.area for p in polys)
    assert area == pytest.approx(math.pi * 6378137.0**2, rel=0.01)


def test_dateline_ring_is_drawn_in_one_piece():
    spec = specs.map_spec(None, ["Suva"], max_range="1500km")
    fig = figure(spec, size=SMALL)
    assert "Lambert conformal conic" in all_text(fig)
    assert len(polylines(one(fig, "ring-0"))) == 1
    assert len(polylines(one(fig, "ring-outline-0"))) == 1


def test_out_of_range_area_is_hatched_and_labelled_for_near_global_rings(hwasong):
    _, fig = hwasong
    hatch = one(fig, "out-of-range")
    assert hatch.get_hatch()
    pts = np.vstack(polylines(hatch))
    assert np.hypot(pts[:, 0], pts[:, 1]).min() >= 15_000_000.0 - tolerance_m(15e6)
    assert text_of(fig, "out-of-range-label") == "out of range"
    assert "out of range" in [t.get_text() for t in fig.legends[0].get_texts()]


# -- what the reader needs on the figure ------------------------------------------------------

def test_labels_for_every_ring_and_point(regional):
    spec, fig = regional
    rings = len(spec.systems) * len(spec.points)
    labels = [text_of(fig, f"ring-label-{i}") for i in range(rings)]
    assert all("km" in t and "mi" in t for t in labels)
    assert "Fath-360" in labels[0]
    assert [text_of(fig, f"point-label-{i}") for i in range(len(spec.points))] == ["Belgorod", "Kursk"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("Fath-360") and "km" in t and "mi" in t for t in legend)
    assert "launch points" in legend
    assert any("sources disagree" in t for t in legend)


def test_title_caption_sources_date_caveat_and_places(regional):
    spec, fig = regional
    text = all_text(fig)
    assert "Fath-360: range from Belgorod and Kursk" in text
    assert CAVEAT in text
    assert "itv.com" in text and "2024-09-10" in text
    assert f"Catalogue data as of {spec.data_date}" in text
    assert "Natural Earth" in text
    cities = [t.get_text() for t in artists(fig, "city-label-")]
    assert "Kharkiv" in cities
    assert artists(fig, "scale-bar") and "true at the map centre" in text_of(fig, "scale-label")


def test_user_set_range_says_so_in_the_legend():
    spec = specs.map_spec("Iskander-M", ["Belgorod"], max_range="300km")
    fig = figure(spec, size=SMALL)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("user-set" in t and "300 km" in t for t in legend)
    assert "User-set ranges" in all_text(fig)


def test_colours_match_the_html_palette():
    from weaponsdb.style import colour

    spec = specs.map_spec(["Fath-360", "Iskander-M"], ["Belgorod"])
    fig = figure(spec, size=SMALL)
    for i in range(2):
        edge = one(fig, f"ring-outline-{i}").get_colors()[0]
        assert matplotlib.colors.to_hex(edge) == colour(i).lower()


def test_aeqd_has_distance_circles_as_scale(hwasong):
    _, fig = hwasong
    circles = polylines(one(fig, "distance-circles"))
    radii = sorted(round(float(np.hypot(*c.T).mean())) for c in circles)
    assert radii[:3] == [5_000_000, 10_000_000, 15_000_000]
    assert any("distance from the centre" in t.get_text() for t in fig.legends[0].get_texts())


def test_marks_are_drawn_and_labelled_when_the_spec_has_them():
    @dataclass(frozen=True)
    class WithMarks(MapSpec):
        marks: tuple = ()

    base = specs.map_spec("Fath-360", ["Belgorod"])
    spec = WithMarks(systems=base.systems, points=base.points, marks=(Place(50.45, 30.52, "Kyiv"),))
    fig = figure(spec, size=SMALL)
    assert text_of(fig, "mark-label-0") == "Kyiv"
    assert artists(fig, "mark-0")


# -- output ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_same_spec_gives_the_same_bytes(regional, tmp_path, suffix):
    spec, _ = regional
    a = save_figure(figure(spec, size=SMALL), tmp_path / f"a{suffix}")
    b = save_figure(figure(spec, size=SMALL), tmp_path / f"b{suffix}")
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    if suffix == ".svg":
        texts = data.count(b"<text")
        assert texts >= len(artists(figure(spec, size=SMALL), "")) // 2  # map labels stay text, not outlines
        assert b"Belgorod</text>" in data or b">Belgorod<" in data
        assert b"<dc:date>" not in data
    if suffix == ".pdf":
        assert b"CreationDate" not in data


def test_save_refuses_to_overwrite_without_force(regional, tmp_path):
    _, fig = regional
    path = save_figure(fig, tmp_path / "map.png")
    save_figure(fig, path)  # same bytes: fine
    path.write_bytes(b"something else")
    with pytest.raises(InputError, match="already exists"):
        save_figure(fig, path)
    save_figure(fig, path, force=True)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary files left behind"


def test_size_and_dpi():
    spec = specs.map_spec("Fath-360", ["Belgorod"])
    fig = figure(spec, size=(1200, 900), dpi=100)
    assert tuple(fig.get_size_inches() * fig.dpi) == pytest.approx((1200, 900))
    assert parse_size("1600x1000") == (1600, 1000)
    assert parse_size("180x120mm", dpi=254) == (1800, 1200)
    assert parse_size("A4", dpi=100) == (1169, 827)
    assert parse_size("a4-portrait", dpi=100) == (827, 1169)


@pytest.mark.parametrize("kwargs,match", [
    ({"projection": "robinson"}, "unknown projection 'robinson': expected one of auto, aeqd"),
    ({"size": (0, 100)}, "bad size"),
    ({"size": (100_000, 1000)}, "bad size"),
    ({"size": "big"}, "bad size 'big'"),
    ({"size": (float("nan"), 500)}, "bad size"),
    ({"dpi": 0}, "bad dpi 0"),
    ({"dpi": "high"}, "bad dpi"),
])
def test_bad_options_are_one_line_input_errors(kwargs, match):
    spec = specs.map_spec("Fath-360", ["Belgorod"])
    with pytest.raises(InputError, match=match) as err:
        figure(spec, **kwargs)
    assert "\n" not in str(err.value)


def test_unknown_format_is_an_input_error(regional, tmp_path):
    with pytest.raises(InputError, match=r"unknown figure format '\.jpg'.*\.png, \.svg or \.pdf") as err:
        save_figure(regional[1], tmp_path / "map.jpg")
    assert "\n" not in str(err.value)


def test_compare_highlights_what_each_system_adds():
    spec = specs.map_spec(["Fath-360", "Iskander-M"], ["Belgorod"], compare=True)
    fig = figure(spec, size=SMALL)
    assert artists(fig, "added-iskander-m")
    assert any(t.get_text().startswith("added over Fath-360") for t in fig.legends[0].get_texts())


def test_rings_past_the_antipode_say_what_is_out_of_range():
    spec = specs.map_spec(None, ["Pyongyang"], max_range="19950km")
    fig = figure(spec, size=SMALL)
    assert "Azimuthal equidistant" in all_text(fig)
    assert "Out of range of every ring: only" in all_text(fig)
    spec = specs.map_spec(None, ["Pyongyang"], max_range="40000km")
    assert "The rings cover the whole Earth." in all_text(figure(spec, size=SMALL))


def test_cartopy_never_fetches_natural_earth(monkeypatch):
    """The bundled outlines are the basemap: cartopy's downloader must not even be asked."""
    import cartopy.io
    import cartopy.io.shapereader as shapereader

    def refuse(*args, **kwargs):
        raise AssertionError("cartopy was asked for Natural Earth data")

    monkeypatch.setattr(shapereader, "natural_earth", refuse)
    monkeypatch.setattr(cartopy.io.Downloader, "path", refuse)
    for projection in ("aeqd", "ortho", "lambert", "mercator"):
        fig = figure(specs.map_spec("KN-23", ["Pyongyang"]), projection=projection, size=SMALL)
        fig.savefig(io.BytesIO(), format="png")


def test_missing_matplotlib_is_one_line_naming_the_extra(monkeypatch):
    import builtins

    from weaponsdb.errors import WeaponsDBError
    from weaponsdb.figures import FiguresUnavailable

    real = builtins.__import__

    def no_cartopy(name, *args, **kwargs):
        if name.startswith("cartopy"):
            raise ModuleNotFoundError("No module named 'cartopy'", name="cartopy")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cartopy)
    with pytest.raises(FiguresUnavailable, match=r"weaponsdb\[figures\]") as err:
        figure(specs.map_spec("Fath-360", ["50.6,36.6"]))
    assert isinstance(err.value, WeaponsDBError) and "\n" not in str(err.value)


def test_same_bytes_from_a_fresh_process(cli_env, tmp_path):
    """What a second CLI run would do: a new interpreter (new hash seeds, font caches) writes the same files."""
    import hashlib
    import subprocess
    import sys

    code = ("import matplotlib, sys; matplotlib.use('Agg')\n"
            "from weaponsdb import specs\nfrom weaponsdb.figures import figure, save_figure\n"
            "spec = specs.map_spec('Fath-360', ['50.60343,36.58091', '51.72689,36.18457'], uncertainty=True)\n"
            "fig = figure(spec, size=(800, 500))\n"
            "for suffix in ('svg', 'pdf', 'png'):\n"
            "    save_figure(fig, sys.argv[1] + '.' + suffix)\n")
    digests = []
    for run in ("a", "b"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / run)], check=True, timeout=300,
                       env={**cli_env, "PYTHONHASHSEED": "random"})  # network-guarded like the CLI tests
        digests.append([hashlib.sha256((tmp_path / f"{run}.{s}").read_bytes()).hexdigest() for s in ("svg", "pdf", "png")])
    assert digests[0] == digests[1]


def test_every_ring_of_every_system_is_labelled():
    spec = specs.map_spec(["Fath-360", "Iskander-M", "KN-23"], ["Belgorod", "Kursk"])
    fig = figure(spec, size=SMALL)
    labels = [text_of(fig, f"ring-label-{i}") for i in range(6)]
    for name in ("Fath-360", "Iskander-M", "KN-23"):
        assert any(t.startswith(name) for t in labels)
    assert all("km" in t and "mi" in t for t in labels)


def test_range_fan_radials_and_interval_rings_in_aeqd_stay_in_the_sector():
    """A fan is cut exactly: every drawn vertex lies within the bearings and the range (Geod.inv on unprojected points)."""
    import pyproj

    spec = specs.map_spec("Iskander-M", "Belgorod=50.6,36.6", sector="200-300", radials=8, every="100km")
    fig = figure(spec, projection="aeqd")
    to_lonlat = pyproj.Transformer.from_crs(fig.axes[0].projection, "EPSG:4326", always_xy=True)
    geod = pyproj.Geod(ellps="WGS84")
    pts = np.vstack(polylines(one(fig, "ring-outline-0")))
    lon, lat = to_lonlat.transform(pts[:, 0], pts[:, 1])
    az, _, dist = geod.inv(np.full(lon.size, 36.6), np.full(lon.size, 50.6), lon, lat)
    near = dist < 1_000.0  # the launch point itself, where the fan's sides meet
    bearings = np.mod(az[~near], 360.0)
    assert ((bearings >= 200.0 - 0.01) & (bearings <= 300.0 + 0.01)).all()
    assert dist.max() <= 500_000.0 + tolerance_m(500_000.0)
    labels = [t.get_text() for t in artists(fig, "radial-label")]
    assert sorted(labels) == ["225°", "270°"], "only the radials inside the sector"
    assert {t.get_text() for t in artists(fig, "interval-label")} >= {"100 km", "200 km", "300 km", "400 km"}
