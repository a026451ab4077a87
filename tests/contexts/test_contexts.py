"""Context profiles and the one-place detail, checked by hand against the tiny borough."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.contexts import contexts
from analytics.store.filters import Filters
from tests.conftest import YEAR_2025

# March to December 2025: the previous 10 months (May 2024 to February 2025) are covered by data.
MARCH_ON = Filters(start=date(2025, 3, 1), end=date(2025, 12, 31), period="custom")


@pytest.fixture
def prof(tiny):
    return contexts.profiles(tiny.cursor(), YEAR_2025).set_index("context_id")


def test_one_row_per_context_with_incidents_and_its_names(prof):
    assert list(prof.index) == ["C1", "C2", "C3", "C4"]
    assert prof.loc["C2", ["name", "context_label", "ward_name"]].tolist() == [
        "Birch Station", "Transport hub", "Birch"]
    assert prof.loc["C4", "ward_name"] == contexts.NO_WARD


def test_incidents_young_people_and_repeat_young_people(prof):
    assert prof["incidents"].tolist() == [3, 4, 2, 1]
    assert prof["young_people"].tolist() == [3, 3, 2, 1]
    # P1 twice at Alder Park; P4 three times and P5 twice at Birch Station.
    assert prof["repeat_young_people"].tolist() == [1, 2, 0, 0]


def test_a_young_person_named_twice_in_one_incident_is_not_seen_there_more_than_once(tiny):
    with tiny.transaction() as cur:  # P3 was at Alder Park once (I03), now in two roles
        cur.execute("INSERT INTO incident_people (incident_id, person_id, role) "
                    "VALUES ('I03', 'P3', 'witness')")
    prof = contexts.profiles(tiny.cursor(), YEAR_2025).set_index("context_id")
    assert prof.loc["C1", "repeat_young_people"] == 1  # P1 still, not P3
    assert contexts.detail(tiny.cursor(), YEAR_2025, "C1").repeat_young_people == 1


def test_risk_types_and_their_shares_of_incidents(prof):
    assert prof["risk_types"].tolist() == [2, 4, 1, 1]
    assert prof.loc["C1", "risk_cse"] == pytest.approx(2 / 3)
    assert prof.loc["C1", "risk_missing"] == 1.0
    assert prof.loc["C2", ["risk_cce", "risk_county_lines", "risk_gangs"]].tolist() == [
        0.75, 0.5, 0.25]
    assert prof.loc["C3", "risk_cse"] == 0.0


def test_an_incident_with_risk_types_past_the_64th_counts_every_one_from_its_list(tiny):
    with tiny.transaction() as cur:  # I01 (Alder Park) gains 70 more: past the bits it can hold
        cur.executemany("INSERT INTO incident_risks (incident_id, risk_type) VALUES ('I01', ?)",
                        [(f"zz_{n:02d}",) for n in range(70)])
    prof = contexts.profiles(tiny.cursor(), YEAR_2025).set_index("context_id")
    assert prof["risk_types"].tolist() == [72, 4, 1, 1]
    assert prof.loc["C1", "risk_cse"] == pytest.approx(2 / 3)  # I01's own, and I02's by bits
    assert prof.loc["C1", "risk_missing"] == 1.0
    assert prof.loc["C2", ["risk_cce", "risk_county_lines", "risk_gangs"]].tolist() == [
        0.75, 0.5, 0.25]


def test_night_and_weekend_shares_use_uk_local_time(prof):
    assert prof.loc["C1", "night_share"] == 1.0
    # 15 June 2025 23:00 UTC is Monday 00:00 in London: night, but not the weekend.
    assert prof.loc["C2", "night_share"] == 0.75
    assert prof.loc["C2", "weekend_share"] == 0.25
    # Friday 10 January 20:00 is the weekend (from Friday 18:00); Tuesday and Wednesday are not.
    assert prof.loc["C1", "weekend_share"] == pytest.approx(1 / 3)
    assert prof.loc["C3", ["night_share", "weekend_share"]].tolist() == [0.0, 0.5]


def test_severity_mix_and_high_share(prof):
    assert prof.loc["C2", ["severity_low", "severity_medium", "severity_high"]].tolist() == [
        0, 2, 2]
    assert prof.loc["C2", "high_severity_share"] == 0.5
    assert prof.loc["C3", "high_severity_share"] == 0.0


def test_days_since_last_count_from_the_latest_incident_when_the_period_runs_on(prof):
    # The data ends 19 December 2025, before the period's end.
    assert prof.loc["C2", "days_since_last"] == 0
    assert prof.loc["C1", "days_since_last"] == (date(2025, 12, 19) - date(2025, 3, 12)).days


def test_previous_period_is_left_out_when_the_data_does_not_cover_it(prof):
    assert prof["previous_incidents"].isna().all()


def test_previous_period_counts_when_the_data_covers_it(tiny):
    prof = contexts.profiles(tiny.cursor(), MARCH_ON).set_index("context_id")
    assert prof["incidents"].tolist() == [1, 4, 2, 1]
    assert prof["previous_incidents"].tolist() == [2, 1, 0, 0]


def test_area_crime_is_missing_until_loaded_then_counted_within_the_radius(tiny, prof):
    assert prof["area_crime"].isna().all()
    with tiny.transaction() as cur:
        for lat, month in ((52.003, "2025-05-01"), (52.006, "2025-05-01"),
                           (52.001, "2024-05-01")):
            cur.execute("INSERT INTO area_crime (month, kind, lat, lon) VALUES "
                        "($m, 'street', $lat, -1.0)", {"m": month, "lat": lat})
    again = contexts.profiles(tiny.cursor(), YEAR_2025).set_index("context_id")
    # 334 m from Alder Park counts; 668 m does not; May 2024 is outside the period.
    assert again.loc["C1", "area_crime"] == 1
    assert again.loc["C2", "area_crime"] == 0
    assert np.isnan(again.loc["C4", "area_crime"])  # online: no location


def test_filters_narrow_the_profiles(tiny):
    f = Filters(start=YEAR_2025.start, end=YEAR_2025.end, risk_types=("cce",), period="custom")
    prof = contexts.profiles(tiny.cursor(), f)
    assert prof["context_id"].tolist() == ["C2"] and prof["incidents"].iloc[0] == 3


def test_an_empty_selection_gives_an_empty_frame_with_every_column(tiny, prof):
    f = Filters(start=YEAR_2025.start, end=YEAR_2025.end, risk_types=("trafficking",),
                period="custom")
    empty = contexts.profiles(tiny.cursor(), f)
    assert empty.empty
    assert set(prof.reset_index().columns) <= set(empty.columns)


@pytest.mark.parametrize("months", [2, 3, 4, 6, 12, 24, 60])  # odd and even numbers of pairs
def test_theil_sen_slopes_match_scipy_row_by_row(months):
    rng = np.random.default_rng(months)
    counts = rng.poisson(4, size=(25, months))
    expected = [stats.theilslopes(row).slope for row in counts]
    assert np.allclose(contexts.theil_sen_slopes(counts), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("months", [2, 3, 5, 6, 12, 24, 60])
def test_theil_sen_slopes_of_mostly_empty_places_match_scipy(months):
    """Places with incidents in a few months (most of them at a million incidents): every
    number of empty months, either side of where the empty pairs reach half of all pairs."""
    rng = np.random.default_rng(months)
    counts = np.zeros((4 * (months + 1), months), dtype=int)
    for row in range(len(counts)):
        busy = rng.choice(months, size=row % (months + 1), replace=False)
        counts[row, busy] = rng.integers(1, 9, size=len(busy))
    expected = [stats.theilslopes(row).slope for row in counts]
    assert np.allclose(contexts.theil_sen_slopes(counts), expected, rtol=0, atol=1e-12)


def test_theil_sen_slope_of_four_empty_months_in_six_is_not_taken_as_zero():
    # 6 of the 15 pairs are two empty months: under half, and the middle slope is a rise.
    row = [0, 0, 0, 0, 5, 9]
    slope = contexts.theil_sen_slopes(np.array([row]))[0]
    assert slope > 0 and slope == pytest.approx(stats.theilslopes(row).slope)


def test_theil_sen_ignores_one_odd_month_and_needs_two_months():
    assert contexts.theil_sen_slopes(np.array([[1, 2, 3, 40, 5, 6]]))[0] == pytest.approx(1.0)
    assert contexts.theil_sen_slopes(np.array([[7]])).tolist() == [0.0]


def test_trend_of_a_steadily_rising_place(tiny):
    with tiny.transaction() as cur:
        for month in range(1, 13):
            for n in range(month):
                cur.execute("INSERT INTO incidents (incident_id, occurred_at, context_id) VALUES "
                            "($id, $t, 'C3')", {"id": f"X{month}-{n}",
                                                "t": pd.Timestamp(2025, month, 20, 12)})
    prof = contexts.profiles(tiny.cursor(), YEAR_2025).set_index("context_id")
    assert prof.loc["C3", "trend"] == pytest.approx(1.0)


def test_detail_of_one_place(tiny):
    place = contexts.detail(tiny.cursor(), YEAR_2025, "C2")
    assert (place.name, place.incidents, place.young_people, place.repeat_young_people) == (
        "Birch Station", 4, 3, 2)
    assert len(place.timeline) == 12 and place.timeline["incidents"].sum() == 4
    assert place.timeline.set_index("month").loc["2025-12-01", "incidents"] == 1
    assert place.risk_mix["risk_type"].tolist()[0] == "cce"
    assert place.risk_mix.set_index("risk_type").loc["cce", "share"] == 0.75
    assert place.neighbours.empty  # the others are about 1.3 km away
    assert place.interventions.empty and place.intervention_starts() == []


def test_neighbours_within_a_wider_radius_nearest_first(tiny):
    place = contexts.detail(tiny.cursor(), YEAR_2025, "C2", radius_m=2000)
    # Both about 1.3 km away; Cedar is a little nearer (a degree of longitude shrinks northwards).
    assert place.neighbours["name"].tolist() == ["Cedar School", "Alder Park"]
    assert place.neighbours["incidents"].tolist() == [2, 3]
    assert place.neighbours["distance_m"].between(1200, 1400).all()


def test_interventions_at_a_place_are_listed_and_marked(tiny):
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO interventions (intervention_id, context_id, started_on, "
                    "intervention_type, lead_agency) VALUES ('V1', 'C1', DATE '2025-04-01', "
                    "'patrols', 'police'), ('V0', 'C1', DATE '2020-01-01', 'lighting', NULL)")
    place = contexts.detail(tiny.cursor(), YEAR_2025, "C1")
    assert place.intervention_starts() == [date(2025, 4, 1)]
    table = contexts.intervention_table(place.interventions)
    assert table["Began"].tolist() == ["1 April 2025", "1 January 2020"]
    assert table["Ended"].tolist() == ["Continuing", "Continuing"]
    assert table["Lead agency"].tolist() == ["Police", "Not recorded"]


def test_detail_of_an_unknown_place_says_so(tiny):
    with pytest.raises(ValueError, match="no place with the id 'NOPE'"):
        contexts.detail(tiny.cursor(), YEAR_2025, "NOPE")


def test_tables_for_readers_suppress_small_counts_in_the_board_view(tiny):
    place = contexts.detail(tiny.cursor(), YEAR_2025, "C2", radius_m=2000)
    assert contexts.neighbour_table(place.neighbours, "board")["Incidents"].tolist() == [
        "<5", "<5"]
    assert contexts.neighbour_table(place.neighbours, "analyst")["Incidents"].tolist() == [
        "2", "3"]
    table = contexts.timeline_table(contexts.timeline_for_view(place.timeline, "board"))
    assert table["Month"].iloc[0] == "January 2025" and set(table["Incidents"]) == {"0", "<5"}


def _months(values):
    return pd.DataFrame({"month": pd.date_range("2025-01-01", periods=len(values), freq="MS"),
                         "incidents": values})


def test_a_lone_hidden_month_takes_the_smallest_other_with_it_in_lead_view():
    shown = contexts.timeline_for_view(_months([0, 3, 7, 9, 6]), "lead")
    # With the total on screen, 3 could be worked out; 6 is hidden as well.
    assert shown["shown"].tolist() == ["0", "<5", "7", "9", "[c]"]
    assert shown["incidents"].isna().tolist() == [False, True, False, False, True]


def test_the_board_view_of_a_timeline_is_rounded_as_well():
    shown = contexts.timeline_for_view(_months([0, 3, 7, 9, 6]), "board")
    assert shown["shown"].tolist() == ["0", "<5", "5", "10", "[c]"]


def test_two_hidden_months_protect_each_other_and_analysts_see_all():
    assert contexts.timeline_for_view(_months([2, 7, 3]), "lead")["shown"].tolist() == [
        "<5", "7", "<5"]
    analyst = contexts.timeline_for_view(_months([0, 3, 7]), "analyst")
    assert analyst["shown"].tolist() == ["0", "3", "7"]
    assert analyst["incidents"].tolist() == [0, 3, 7]
