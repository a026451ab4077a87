"""What changed, in words: every figure comes from the data, in the view's disclosure control.

The trend borough (tests/trend_fixture.py) has hand-written monthly counts: in 2025 Alder's
criminal exploitation runs above its average from May (an earlier signal) and Cedar's going
missing spikes in November (a new one); 136 incidents in 2025 against 110 in 2024.
"""

import pandas as pd
import pytest

from analytics.board import narrative
from analytics.places import hotspots
from analytics.places.places import HotSpot, HotSpots
from analytics.store.store import Store
from tests.conftest import YEAR_2025


@pytest.fixture(scope="module")
def con():
    from tests.trend_fixture import seed_trend_borough

    store = Store()
    seed_trend_borough(store)
    return store.cursor()


def test_the_headline_compares_with_the_previous_period_in_exact_figures_for_leads(con):
    told = narrative.what_changed(con, YEAR_2025, "lead")
    assert told.sentences[0] == ("In the 12 months to 31 December 2025 there were 136 incidents "
                                 "involving 72 young people, up 24% on the 12 months before (110).")


def test_the_board_reads_rounded_figures_and_a_change_worked_out_from_them(con):
    told = narrative.what_changed(con, YEAR_2025, "board")
    # 136 -> 135 and 110 -> 110: 25 more, 23% (not the exact 24%, which would undo the rounding)
    assert told.sentences[0] == ("In the 12 months to 31 December 2025 there were 135 incidents "
                                 "involving 70 young people, up 23% on the 12 months before (110).")
    assert "Among wards, Alder rose most (up 15 to 50 incidents)" in told.sentences[1]


def test_largest_rises_name_the_ward_the_place_and_the_risk_type(con):
    text = " ".join(narrative.what_changed(con, YEAR_2025, "analyst").sentences)
    assert "Among wards, Alder rose most (up 16 to 52 incidents)" in text
    assert "Among places, Alder Park rose most (up 16 to 52 incidents)" in text
    assert "Among risk types, criminal exploitation rose most (up 16 to 52 incidents)" in text


def test_a_new_signal_is_told_apart_from_one_that_continues(con):
    text = " ".join(narrative.what_changed(con, YEAR_2025, "lead").sentences)
    assert ("One new signal of rising harm began from October to December 2025: Cedar (going "
            "missing); one earlier signal continues.") in text


def test_the_board_and_the_lead_hear_the_same_signals(con):
    board = narrative.what_changed(con, YEAR_2025, "board").sentences
    lead = narrative.what_changed(con, YEAR_2025, "lead").sentences
    assert [s for s in board if "signal" in s] == [s for s in lead if "signal" in s]


def test_the_places_to_act_on_first_come_from_the_priority_ranking(con):
    assert narrative.what_changed(con, YEAR_2025, "board").sentences[-1] == (
        "Places to act on first, by priority score: Alder Park (park or open space, Alder); "
        "Birch Station (transport hub, Birch); Cedar School (school or college, Cedar).")


def test_an_empty_selection_says_so_and_nothing_else(con):
    from dataclasses import replace

    told = narrative.what_changed(con, replace(YEAR_2025, risk_types=("trafficking",)), "board")
    assert told.empty and told.sentences == (
        "No incidents match these filters, so nothing can be said about what changed.",)


def test_small_counts_never_get_a_direction_or_a_percentage(tiny):
    board = narrative.what_changed(tiny.cursor(), YEAR_2025, "board").sentences
    # The tiny borough's data begin in March 2024, part way through the 12 months before.
    assert board[0] == ("In the 12 months to 31 December 2025 there were 10 incidents involving "
                        "10 young people, against <5 in the 12 months before. The data begin in "
                        "March 2024, part way through the previous period.")
    assert not any(s.startswith("Among") for s in board)  # every ward and place is under 5
    analyst = narrative.what_changed(tiny.cursor(), YEAR_2025, "analyst").sentences
    assert "up 400% on the 12 months before (2). The data begin in March 2024" in analyst[0]


def test_change_words_edges():
    assert narrative.change_words(12, 0, "board", "the 12 months before") == (
        "with none in the 12 months before")
    assert narrative.change_words(12, 3, "board", "before") == "against <5 in before"
    assert narrative.change_words(12, 12, "board", "before") == "about the same as before (10)"
    # the board sees 10 against 15, and is told the change in those figures
    assert narrative.change_words(12, 13, "board", "before") == "down 33% on before (15)"
    assert narrative.change_words(100, 80, "lead", "before") == "up 25% on before (80)"


def test_rises_and_falls_leave_out_rows_with_a_hidden_count():
    changes = pd.DataFrame({"name": ["A", "B", "C"], "current": [40, 3, 10],
                            "previous": [20, 30, 22], "change": [20, -27, -12]})
    assert narrative.rise_and_fall(changes, "wards", "lead", "year") == (
        "Among wards, A rose most (up 20 to 40 incidents) and C fell most (down 12 to 10), on "
        "the previous year.")
    assert narrative.rise_and_fall(changes.iloc[1:2], "wards", "lead", "year") == ""


def _spots(*spots: HotSpot, reason: str = "") -> HotSpots:
    return HotSpots(pd.DataFrame(), spots, "ward", "incidents", 99, 1, 0.05, reason)


def test_a_hot_spot_is_new_only_if_none_of_its_wards_was_hot_before():
    millbrook = HotSpot(hotspots.HOT, "Millbrook", ("Ashby",), 2.34, 0.001)
    ashby = HotSpot(hotspots.HOT, "Ashby", (), 1.8, 0.01)
    assert narrative.hot_spot_sentence(_spots(millbrook), _spots(), "year") == (
        "New hot spot, not seen in the previous year: Millbrook and its neighbours, 2.3 times "
        "the borough rate.")
    assert narrative.hot_spot_sentence(_spots(millbrook), _spots(ashby), "year") == (
        "No new hot spot: Millbrook was already a hot spot in the previous year.")
    assert narrative.hot_spot_sentence(_spots(millbrook), _spots(reason="none"), "year") == (
        "Hot spot: Millbrook and its neighbours, 2.3 times the borough rate; there is no "
        "earlier period to compare with.")
    assert narrative.hot_spot_sentence(_spots(), _spots(), "year").startswith("No ward stands")
    assert narrative.hot_spot_sentence(_spots(reason="no shapes"), _spots(), "year") == ""
