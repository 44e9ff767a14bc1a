"""Country outlines: the TopoJSON decoder, the UN-view borders, lookups and the offline basemap."""

import itertools
import json

import pytest
import shapely
from shapely.geometry import Point, shape

from weaponsdb import countries
from weaponsdb.errors import UnknownNameError

COLLAPSED = {"VAT", "ATC"}  # quantised to a single point in the 50m file: no area left
TINY = {  # two squares sharing an edge (arc 1), quantised and delta-encoded as TopoJSON stores them
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    "arcs": [[[2, 0], [-2, 0], [0, 4], [2, 0]], [[2, 4], [0, -4]], [[2, 4], [2, 0], [0, -4], [-2, 0]]],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[0, 1]]},
        {"type": "MultiPolygon", "arcs": [[[2, ~1]]]},
    ]}},
}


def test_decoder_undoes_quantisation_deltas_and_reversed_arcs():
    arcs = countries.decode_arcs(TINY)
    assert arcs[1] == [[11.0, 21.0], [11.0, 20.0]]
    west = countries.decode_geometry(TINY["objects"]["countries"]["geometries"][0], arcs)
    east = countries.decode_geometry(TINY["objects"]["countries"]["geometries"][1], arcs)
    assert west == {"type": "Polygon", "coordinates": [[[11.0, 20.0], [10.0, 20.0], [10.0, 21.0], [11.0, 21.0],
                                                        [11.0, 20.0]]]}
    assert east["coordinates"][0][0][-2:] == [[11.0, 20.0], [11.0, 21.0]]
    assert shape(west).area == shape(east).area == 1.0
    assert shape(west).touches(shape(east))


@pytest.mark.parametrize("resolution,count", [("110m", 177), ("50m", 242)])
def test_every_outline_decodes_to_a_valid_shape(resolution, count):
    features = countries.outlines(resolution)
    assert len(features) == count
    for feature in features:
        assert set(feature["properties"]) == {"name", "iso_a3", "iso_a2"}
        geom = countries._shape(feature["geometry"])
        assert geom.is_valid, feature["properties"]["name"]
        assert not geom.is_empty or feature["properties"]["iso_a3"] in COLLAPSED


def test_no_outline_streaks_across_the_antimeridian():
    for resolution in countries.RESOLUTIONS:
        for feature in countries.outlines(resolution):
            for polygon in feature["geometry"]["coordinates"]:
                for ring in polygon:
                    for a, b in itertools.pairwise(ring):
                        assert abs(b[0] - a[0]) <= 180 or abs(a[1]) == abs(b[1]) == 90, feature["properties"]


@pytest.mark.parametrize("code", ["UA", "ua", "UKR", "Ukraine", " ukraine "])
def test_lookup_by_alpha2_alpha3_or_name(code):
    assert countries.country_geometry(code) is countries.country_geometry("Ukraine")


def test_un_view_puts_crimea_in_ukraine():
    crimea, kyiv = Point(34.1, 45.0), Point(30.52, 50.45)
    assert countries.country_geometry("UA").contains(crimea)
    assert countries.country_geometry("UA").contains(kyiv)
    assert not countries.country_geometry("RU").contains(crimea)


def test_countries_across_the_antimeridian_and_around_the_pole():
    russia = countries.country_geometry("RUS")
    assert russia.contains(Point(37.62, 55.75)) and russia.contains(Point(-175.0, 65.5))
    assert not russia.contains(Point(0.0, 60.0))
    antarctica = countries.country_geometry("Antarctica")
    assert antarctica.contains(Point(0.0, -89.0)) and not antarctica.contains(Point(0.0, 0.0))
    fiji = countries.country_geometry("FJ")
    assert fiji.bounds[0] == -180.0 and fiji.bounds[2] == 180.0 and fiji.area < 3


def test_misspelt_name_suggests_the_country():
    with pytest.raises(UnknownNameError) as err:
        countries.country_geometry("Ukriane")
    assert "Ukraine" in err.value.suggestions
    assert "'Ukriane'" in str(err.value)
    with pytest.raises(UnknownNameError, match="alpha-2 or alpha-3 code or an English country name"):
        countries.country_geometry("XX")


def test_alpha2_comes_from_geonames_and_may_be_missing():
    props = {f["properties"]["iso_a3"]: f["properties"] for f in countries.outlines()}
    assert props["UKR"]["iso_a2"] == "UA" and props["RUS"]["iso_a2"] == "RU"
    assert props["SOL"]["iso_a2"] is None


def test_basemap_is_compact_and_can_be_cut_to_a_region():
    world = countries.basemap_geojson()
    text = json.dumps(world, separators=(",", ":"))
    assert len(world["features"]) == 177 and len(text) < 250_000
    coords = world["features"][0]["geometry"]["coordinates"][0][0]
    assert all(round(v, 3) == v for xy in coords for v in xy)
    region = countries.basemap_geojson("50m", bbox=(30, 44, 40, 53))
    names = {f["properties"]["name"] for f in region["features"]}
    assert {"Ukraine", "Russia", "Belarus"} <= names and "Brazil" not in names


def test_regional_basemap_is_fine_inside_the_box_and_coarse_outside():
    bbox = (20, 40, 50, 60)
    region = countries.regional_basemap(bbox)
    box = shapely.box(*bbox)
    parts = [(f["properties"]["name"], shape(f["geometry"])) for f in region["features"]]
    inside = [g for _, g in parts if box.contains(g.representative_point())]
    assert all(box.buffer(1e-9).contains(g) or not box.intersects(g.buffer(-1e-3)) for _, g in parts)
    assert sum(shapely.get_num_coordinates(g) for g in inside) > 3000
    assert {"Ukraine", "Brazil", "Australia"} <= {name for name, _ in parts}
    assert len(json.dumps(region, separators=(",", ":"))) < 600_000
