"""Point-in-polygon ward assignment and the boundaries we accept."""

import numpy as np
import pytest
import shapely

from analytics.store.geo import GeometryError, WardIndex, geometry_from_geojson, ward_index
from tests.ingest_helpers import INSIDE_EAST, INSIDE_WEST, OUTSIDE, square, with_wards

INDEX = WardIndex(["W", "E"], [shapely.box(-1, 52, -0.5, 52.5), shapely.box(-0.5, 52, 0, 52.5)])


@pytest.fixture(params=["few wards: one by one", "many wards: STRtree"])
def search(request, monkeypatch):
    """Run a test through both search paths."""
    if request.param.startswith("many"):
        monkeypatch.setattr("analytics.store.geo.FEW_WARDS", 0)
    return request.param


def test_each_point_gets_the_ward_it_lies_in_and_none_outside(search):
    lat = np.array([INSIDE_WEST[0], INSIDE_EAST[0], OUTSIDE[0], np.nan])
    lon = np.array([INSIDE_WEST[1], INSIDE_EAST[1], OUTSIDE[1], np.nan])
    assert INDEX.assign(lon, lat).tolist() == ["W", "E", None, None]


def test_both_searches_agree_on_many_random_points(monkeypatch):
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-1.2, 0.2, 5000), rng.uniform(51.9, 52.6, 5000)
    one_by_one = INDEX.assign(lon, lat)
    monkeypatch.setattr("analytics.store.geo.FEW_WARDS", 0)
    assert (INDEX.assign(lon, lat) == one_by_one).all()
    assert {"W", "E", None} == set(one_by_one)


def test_a_point_on_a_shared_boundary_gets_exactly_one_ward(search):
    out = INDEX.assign(np.array([-0.5]), np.array([52.25]))
    assert out.tolist()[0] in ("W", "E")


def test_without_boundaries_nothing_is_placed():
    empty = WardIndex([], [])
    assert not empty.has_geometry
    assert empty.assign(np.array([0.0]), np.array([0.0])).tolist() == [None]


def test_the_index_is_built_from_the_loaded_wards():
    store = with_wards()
    index = ward_index(store.cursor())
    assert sorted(index.codes) == ["E05000001", "E05000002"]
    assert index.assign(np.array([INSIDE_EAST[1]]), np.array([INSIDE_EAST[0]])).tolist() == [
        "E05000002"]


def test_british_national_grid_boundaries_are_read_as_longitude_and_latitude():
    # a square kilometre of the City of London, as the London Datastore publishes it
    shape = geometry_from_geojson(square((532000, 181000, 533000, 182000)))
    lon_min, lat_min, lon_max, lat_max = shape.bounds
    assert -0.10 < lon_min < lon_max < -0.08 and 51.51 < lat_min < lat_max < 51.53


def test_coordinates_neither_degrees_nor_the_national_grid_are_refused_with_the_fix():
    with pytest.raises(GeometryError, match="export the boundaries in WGS84"):
        geometry_from_geojson(square((5_300_000, 1_800_000, 5_310_000, 1_810_000)))


@pytest.mark.parametrize("geometry, message", [
    ({"type": "Point", "coordinates": [0, 0]}, "found Point"),
    (None, "found no geometry"),
    ({"type": "Polygon", "coordinates": []}, "empty"),
])
def test_geometries_that_are_not_areas_are_refused(geometry, message):
    with pytest.raises(GeometryError, match=message):
        geometry_from_geojson(geometry)


def test_a_self_crossing_polygon_is_repaired_not_refused():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert geometry_from_geojson(bow_tie).is_valid
