"""Places analyses: hand-checked on the tiny borough, and hot spots on the seeded synthetic borough
(planted cluster found; random scatter not)."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.places import hotspots, places
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.borough import DLAT, DLON, HOT_WARD, LAT0, LON0, build_borough
from tests.conftest import YEAR_2025


@pytest.fixture(scope="module")
def hot_borough() -> Store:
    store = Store()
    build_borough(store, seed=7, hot=True, planted=300)
    return store


@pytest.fixture(scope="module")
def scatter_borough() -> Store:
    """The same borough with no planted cluster, and every incident moved to a uniformly random
    point: complete spatial randomness."""
    store = Store()
    build_borough(store, seed=11, hot=False)
    rng = np.random.default_rng(11)
    ids = store.query("SELECT incident_id FROM incidents WHERE lat IS NOT NULL")
    moved = ids.assign(lat=rng.uniform(LAT0, LAT0 + 5 * DLAT, len(ids)),
                       lon=rng.uniform(LON0, LON0 + 5 * DLON, len(ids)))
    with store.transaction() as cur:
        cur.register("moved", moved)
        cur.execute("UPDATE incidents SET lat = moved.lat, lon = moved.lon FROM moved "
                    "WHERE incidents.incident_id = moved.incident_id")
    return store


# --- wards -----------------------------------------------------------------------------------
def test_ward_counts_and_rates_per_1000_children(tiny):
    counts = places.ward_counts(tiny.cursor(), YEAR_2025).set_index("ward_code")
    assert counts["incidents"].to_dict() == {"W1": 3, "W2": 4, "W3": 2}
    assert counts["rate"].to_dict() == {"W1": 3.0, "W2": 2.0, "W3": 4.0}


def test_without_ward_boundaries_hot_spots_say_why(tiny):
    result = places.ward_hot_spots(tiny.cursor(), YEAR_2025)
    assert result.spots == () and "at least 5" in result.reason and "there are none here" in result.reason


def test_the_planted_hot_spot_is_found_significant(hot_borough):
    result = places.ward_hot_spots(hot_borough.cursor(), YEAR_2025)
    assert result.measure == "incidents per 1,000 children"
    hot = [s for s in result.spots if s.kind == hotspots.HOT]
    assert hot and hot[0].lead == HOT_WARD and hot[0].q < hotspots.ALPHA and hot[0].ratio > 1
    row = result.table.set_index("name").loc[HOT_WARD]
    assert row["label"] == hotspots.HOT and row["z"] > 0


def test_the_planted_hot_spot_is_found_on_the_grid(hot_borough):
    grid = places.grid_hot_spots(hot_borough.cursor(), YEAR_2025)
    hot = [s for s in grid.result.spots if s.kind == hotspots.HOT]
    assert hot and hot[0].lead == HOT_WARD


def test_random_scatter_has_no_hot_or_cold_spots(scatter_borough):
    wards = places.ward_hot_spots(scatter_borough.cursor(), YEAR_2025)
    grid = places.grid_hot_spots(scatter_borough.cursor(), YEAR_2025)
    assert wards.reason == "" and wards.spots == ()
    assert grid.result.reason == "" and grid.result.spots == ()
    assert (wards.table["label"] == hotspots.NOT_SIGNIFICANT).all()


def test_hot_spots_are_judged_across_the_whole_borough_whatever_wards_are_chosen(hot_borough):
    one_ward = replace(YEAR_2025, wards=("W00",))
    a = places.ward_hot_spots(hot_borough.cursor(), YEAR_2025, permutations=99)
    b = places.ward_hot_spots(hot_borough.cursor(), one_ward, permutations=99)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_the_grid_counts_every_incident_with_a_position_once(hot_borough):
    grid = places.grid_hot_spots(hot_borough.cursor(), YEAR_2025)
    placed = hot_borough.query(
        "SELECT count(*) AS n FROM incidents WHERE lat IS NOT NULL AND occurred_at >= "
        "'2025-01-01' AND occurred_at < '2026-01-01'")["n"].iloc[0]
    assert grid.cells["incidents"].sum() == placed == grid.cells["selected"].sum()
    assert grid.unplaced > 0  # the online incidents
    chosen = places.grid_hot_spots(hot_borough.cursor(), replace(YEAR_2025, wards=("W12",)))
    assert chosen.cells["incidents"].sum() == placed > chosen.cells["selected"].sum() > 0


def test_the_method_sentence_states_permutations_seed_and_correction(hot_borough):
    words = places.ward_hot_spots(hot_borough.cursor(), YEAR_2025).method()
    assert "9,999 random rearrangements" in words and f"seed {hotspots.SEED}" in words
    assert "false-discovery-rate correction at 5% across all 25 wards" in words
    grid_words = places.grid_hot_spots(hot_borough.cursor(), YEAR_2025).result.method()
    assert "normal approximation" in grid_words


def test_permutations_are_used_only_where_they_can_pass_the_correction():
    assert places.uses_permutations(25, 9999)
    assert not places.uses_permutations(400, 9999)
    assert not places.uses_permutations(25, 0)


def test_hot_spot_sentences_read_plainly():
    spot = places.HotSpot(hotspots.HOT, "Millbrook", ("Hallam",), 2.34, 0.0004)
    assert places.spot_sentence(spot) == (
        "Millbrook and its neighbours are a hot spot: 2.3 times the borough rate, very unlikely "
        "to be chance. Also part of it: Hallam.")
    cold = places.HotSpot(hotspots.COLD, "Ashby", (), 0.41, 0.03)
    assert places.spot_sentence(cold, "cell") == (
        "The area around Ashby is a cold spot: 0.4 times the borough rate, probably not chance.")


# --- concentration ---------------------------------------------------------------------------
def test_concentration_by_hand():
    conc = places.concentration_of(np.array([0, 1, 5, 0, 3, 1, 0, 0, 0, 0]))
    assert conc.places == 10 and conc.incidents == 10
    assert conc.shares["places"].tolist() == [1, 1, 1]  # ceil(0.1), ceil(0.5), ceil(1.0)
    assert conc.shares["share"].tolist() == [0.5, 0.5, 0.5]
    # busiest first: 5, 3, 1, 1, then six places with none; only the corners are kept
    assert conc.curve["share_places"].tolist() == [0, 0.1, 0.2, 0.4, 1.0]
    assert conc.curve["share_incidents"].tolist() == [0, 0.5, 0.8, 1.0, 1.0]


@given(st.lists(st.integers(0, 30), max_size=60))
def test_the_curves_corners_draw_it_exactly(counts):
    # Every place's point of the full curve (busiest first) lies on the line through the corners.
    conc = places.concentration_of(np.array(counts, dtype=int))
    ranked = np.sort(np.array(counts, dtype=int))[::-1]
    n, total = len(ranked), ranked.sum()
    full = np.concatenate([[0], np.cumsum(ranked)]) / (total or 1)
    drawn = np.interp(np.arange(n + 1) / max(n, 1), conc.curve["share_places"],
                      conc.curve["share_incidents"])
    np.testing.assert_allclose(drawn, full, atol=1e-12)
    assert len(conc.curve) == (len(set(counts)) + 1 if n else 1)  # one corner per count, and 0


def test_concentration_of_nothing_is_empty_not_an_error():
    conc = places.concentration_of(np.array([], dtype=int))
    assert conc.places == 0 and conc.incidents == 0 and conc.shares["places"].tolist() == [0] * 3


def test_concentration_on_the_tiny_borough(tiny):
    conc = places.concentration(tiny.cursor(), YEAR_2025)
    assert (conc.places, conc.incidents, conc.without_place) == (4, 10, 0)
    assert conc.shares["incidents"].tolist() == [4, 4, 4]  # Birch Station


def test_repeat_locations_busiest_first(tiny):
    repeat = places.repeat_locations(tiny.cursor(), YEAR_2025)
    assert repeat["name"].tolist() == ["Birch Station", "Alder Park", "Cedar School"]
    station = repeat.iloc[0]
    assert (station["incidents"], station["months"]) == (4, 4)
    assert station["first"] == date(2025, 4, 13) and station["main_risk"] == "Criminal exploitation"


def test_repeat_locations_main_risk_ties_go_to_the_first_code_every_time(tiny):
    spring = Filters(start=date(2025, 4, 1), end=date(2025, 5, 31), period="custom")
    for _ in range(5):  # cce and county_lines are both recorded twice at Birch Station
        repeat = places.repeat_locations(tiny.cursor(), spring)
        assert repeat["main_risk"].tolist() == ["Criminal exploitation"]


def test_home_addresses_are_not_named_in_board_and_lead_views():
    assert places.shareable_name("12 Elm Road", "residential", "Alder", "board") == (
        "A home address in Alder")
    assert places.shareable_name("12 Elm Road", "residential", None, "lead") == "A home address"
    assert places.shareable_name("12 Elm Road", "residential", "Alder", "analyst") == "12 Elm Road"
    assert places.shareable_name("Alder Park", "park", "Alder", "board") == "Alder Park"


# --- when ------------------------------------------------------------------------------------
def test_when_grid_uses_uk_clock_time(tiny):
    grid = places.when_grid(tiny.cursor(), YEAR_2025).set_index(["day", "hour"])["incidents"]
    assert len(grid) == 168 and grid.sum() == 10
    assert grid[(4, 20)] == 1  # I01: Friday 10 January 2025, 20:00 GMT
    assert grid[(6, 19)] == 1  # I04: Sunday 13 April 2025, 18:00 UTC = 19:00 BST
    assert grid[(6, 18)] == 0


def test_when_grid_for_one_place(tiny):
    grid = places.when_grid(tiny.cursor(), YEAR_2025, context_id="C2")
    assert grid["incidents"].sum() == 4


def test_month_of_year(tiny):
    months = places.month_of_year(tiny.cursor(), YEAR_2025)
    assert months["incidents"].tolist() == [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1]
    assert months["month_name"].iloc[0] == "January"


def test_peak_window_finds_the_busiest_three_hours():
    grid = pd.DataFrame([(d, h, 0) for d in range(7) for h in range(24)],
                        columns=["day", "hour", "incidents"])
    grid.loc[(grid["day"] == 5) & grid["hour"].between(19, 21), "incidents"] = [4, 6, 5]
    grid.loc[(grid["day"] == 1) & (grid["hour"] == 9), "incidents"] = 12
    assert places.peak_window(grid) == ("Saturday", 19, 15)
    assert places.peak_window(grid.assign(incidents=0)) is None


# --- types and ranking -----------------------------------------------------------------------
def test_location_types_against_the_previous_period(tiny):
    types = places.location_types(tiny.cursor(), YEAR_2025).set_index("context_type")
    assert types.loc["transport_hub", ["incidents", "previous", "change"]].tolist() == [4, 1, 3]
    assert types.loc["park", ["incidents", "previous"]].tolist() == [3, 1]
    assert types.loc["online", "label"] == "Online platform"


def test_location_type_months_fill_every_month(tiny):
    monthly = places.location_type_months(tiny.cursor(), YEAR_2025)
    assert len(monthly) == 4 * 12 and monthly["incidents"].sum() == 10


def test_location_type_months_over_all_data_come_in_order_each_labelled(tiny):
    monthly = places.location_type_months(tiny.cursor(), Filters())
    keys = list(zip(monthly["context_type"], monthly["month"], strict=True))
    assert keys == sorted(keys) and monthly["label"].notna().all()
    assert monthly["incidents"].sum() == 12


def test_ward_ranking(tiny):
    rank = places.ward_ranking(tiny.cursor(), YEAR_2025)
    assert rank["ward_name"].tolist() == ["Birch", "Alder", "Cedar"]
    birch = rank.iloc[0]
    assert (birch["incidents"], birch["rate"], birch["previous"], birch["change"]) == (4, 2.0, 1, 3)
    assert birch["main_risks"] == "Criminal exploitation, County lines"
    assert birch["main_places"] == "Transport hub"


def test_context_points_of_places_seen_only_in_the_previous_period_list_no_risk_types(tiny):
    only_before = replace(YEAR_2025, start=date(2026, 1, 1), end=date(2026, 12, 31))
    points = places.context_points(tiny.cursor(), only_before)
    assert not points.empty and (points["incidents"] == 0).all()
    assert (points["risks"] == ()).all()


def test_context_points_leave_out_places_without_a_position(tiny):
    points = places.context_points(tiny.cursor(), YEAR_2025).set_index("context_id")
    assert "C4" not in points.index
    assert points.loc["C2", ["incidents", "previous"]].tolist() == [4, 1]
    assert points.loc["C2", "risks"] == (("cce", 3), ("county_lines", 2), ("gangs", 1),
                                         ("syv", 1))


# --- optional layers -------------------------------------------------------------------------
def test_area_crime_is_optional_and_counted_on_the_grid_within_the_period(hot_borough):
    cur = hot_borough.cursor()
    grid = places.grid_hot_spots(cur, YEAR_2025).grid
    assert not places.has_area_crime(cur, YEAR_2025)
    assert places.area_crime_cells(cur, YEAR_2025, grid).empty
    store = Store()
    build_borough(store, seed=7, hot=False, background=50)
    with store.transaction() as tx:
        for month, lat in (("2025-03-01", 52.41), ("2025-03-01", 52.41), ("2024-03-01", 52.41)):
            tx.execute("INSERT INTO area_crime (month, kind, lat, lon, ward_code) "
                       "VALUES ($m, 'street', $lat, -1.59, 'W00')", {"m": month, "lat": lat})
    cells = places.area_crime_cells(store.cursor(), YEAR_2025, grid)
    assert places.has_area_crime(store.cursor(), YEAR_2025)
    assert cells["crimes"].tolist() == [2]
    other_ward = replace(YEAR_2025, wards=("W05",))
    assert places.area_crime_cells(store.cursor(), other_ward, grid).empty


def test_deprivation_deciles_are_optional_and_skip_unusable_shapes(tiny):
    assert places.lsoa_deciles(tiny.cursor(), YEAR_2025).empty
    with tiny.transaction() as tx:
        tx.execute("INSERT INTO lsoa VALUES ('E01', 'Alder 001A', 'W1', 2, "
                   "'{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}')")
        tx.execute("INSERT INTO lsoa VALUES ('E02', 'Alder 001B', 'W1', 3, 'not json')")
    lsoa = places.lsoa_deciles(tiny.cursor(), YEAR_2025)
    assert lsoa["lsoa_code"].tolist() == ["E01"] and lsoa["imd_decile"].tolist() == [2]


def test_unparseable_ward_boundaries_are_left_out(tiny):
    with tiny.transaction() as tx:
        tx.execute("UPDATE wards SET geometry_geojson = '{\"type\": \"Point\", "
                   "\"coordinates\": [0, 0]}' WHERE ward_code = 'W1'")
        tx.execute("UPDATE wards SET geometry_geojson = '{oops' WHERE ward_code = 'W2'")
    assert places.ward_shapes(tiny.cursor(), YEAR_2025).empty


def test_an_empty_selection_gives_empty_results_not_errors(hot_borough):
    nothing = Filters(start=date(2030, 1, 1), end=date(2030, 12, 31), period="custom")
    cur = hot_borough.cursor()
    assert places.ward_hot_spots(cur, nothing).reason.startswith("No incidents")
    assert places.grid_hot_spots(cur, nothing).result.reason.startswith("No incidents")
    assert places.when_grid(cur, nothing)["incidents"].sum() == 0
    assert places.repeat_locations(cur, nothing).empty
    assert places.ward_ranking(cur, nothing).empty
    assert places.concentration(cur, nothing).incidents == 0
