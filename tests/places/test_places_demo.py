"""The demo borough's planted hot spot is found significant (runs once analytics.demo.demo is on main)."""

import pytest

from analytics.places import hotspots, places
from analytics.store.filters import Filters

demo = pytest.importorskip("analytics.demo.demo", reason="the demo generator has not landed yet")


def test_the_demo_planted_hot_spot_ward_is_a_significant_hot_spot(demo_store):
    planted = demo.PLANTED["hot_spot_ward"]
    result = places.ward_hot_spots(demo_store.cursor(), Filters(period="all"))
    table = result.table.set_index("id")
    code = planted if planted in table.index else table.index[table["name"] == planted][0]
    assert table.at[code, "label"] == hotspots.HOT
    assert table.at[code, "q"] < hotspots.ALPHA
    assert any(s.kind == hotspots.HOT for s in result.spots)


def test_the_demo_hot_spot_shows_on_the_grid_too(demo_store):
    grid = places.grid_hot_spots(demo_store.cursor(), Filters(period="all"))
    assert any(s.kind == hotspots.HOT for s in grid.result.spots)
