"""The overview's figures, checked by hand against the tiny borough in conftest."""

from analytics.board import overview
from analytics.board.overview import Totals
from analytics.store.filters import Filters, period_words
from tests.conftest import YEAR_2025


def test_totals_count_incidents_people_places_and_wards(tiny):
    assert overview.totals(tiny.cursor(), YEAR_2025) == Totals(10, 9, 4, 3)


def test_a_page_asks_only_whether_any_incident_matches(tiny):
    con = tiny.cursor()
    assert overview.has_incidents(con, YEAR_2025)
    nothing = Filters(start=YEAR_2025.start, end=YEAR_2025.end, wards=("E05999999",))
    assert not overview.has_incidents(con, nothing)
    assert overview.totals(con, nothing).incidents == 0


def test_headline_compares_with_the_previous_period_of_the_same_length(tiny):
    head = overview.headline(tiny.cursor(), YEAR_2025)
    assert head.previous == Totals(2, 2, 2, 2)
    assert head.top_wards["ward_name"].tolist() == ["Birch", "Alder", "Cedar"]
    assert head.top_wards["incidents"].tolist() == [4, 3, 2]


def test_risk_trends_fill_every_month_of_every_risk_type(tiny):
    trends = overview.risk_trends(tiny.cursor(), YEAR_2025)
    assert len(trends) == 11 * 12
    cse = trends[trends["risk_type"] == "cse"].set_index("month")["value"]
    assert cse.sum() == 2 and cse["2025-02-01"] == 1 and cse["2025-03-01"] == 0


def test_risk_trends_show_only_the_chosen_risk_types(tiny):
    f = Filters(start=YEAR_2025.start, end=YEAR_2025.end, risk_types=("cce",), period="custom")
    trends = overview.risk_trends(tiny.cursor(), f)
    assert set(trends["risk_type"]) == {"cce"} and trends["value"].sum() == 3


def test_changes_by_ward_against_the_previous_period(tiny):
    moved = overview.changes(tiny.cursor(), YEAR_2025, unit="ward").set_index("code")
    assert moved.loc["W2", ["current", "previous", "change"]].tolist() == [4, 1, 3]
    assert moved.loc["W1", ["current", "previous", "change"]].tolist() == [3, 1, 2]
    assert moved.loc["W3", ["current", "previous", "change"]].tolist() == [2, 0, 2]


def test_changes_by_context(tiny):
    moved = overview.changes(tiny.cursor(), YEAR_2025, unit="context").set_index("code")
    assert moved.loc["C4", "current"] == 1 and moved.loc["C4", "previous"] == 0


def test_biggest_changes_puts_rises_before_falls_and_drops_the_unchanged():
    import pandas as pd
    frame = pd.DataFrame({"name": list("abcd"), "change": [5, -7, 0, 2]})
    assert overview.biggest_changes(frame, n=5)["name"].tolist() == ["a", "d", "b"]


def test_change_sentences_are_plain_and_suppress_small_counts():
    assert overview.change_sentence("Alder", 120, 85, "board", "12 months") == (
        "Alder: 120 incidents, up 35 (41%) on the previous 12 months")
    assert overview.change_sentence("Alder", 3, 9, "lead", "12 months") == (
        "Alder: <5 incidents, 9 in the previous 12 months")
    assert overview.change_sentence("Alder", 3, 9, "board", "12 months") == (
        "Alder: <5 incidents, 10 in the previous 12 months")


def test_board_change_sentences_work_from_the_rounded_counts():
    # 13 against 12 is "up 1" exactly, which the board would read as a count: its shown counts
    # are 15 and 10, so it reads "up 5".
    assert overview.change_sentence("Alder", 13, 12, "board", "12 months") == (
        "Alder: 15 incidents, up 5 (50%) on the previous 12 months")
    assert overview.change_sentence("Alder", 13, 12, "lead", "12 months") == (
        "Alder: 13 incidents, up 1 (8%) on the previous 12 months")


def test_shown_change_is_none_beside_a_hidden_count():
    assert overview.shown_change(10, 2, "board") is None
    assert overview.shown_change(10, 2, "analyst") == 4.0
    assert overview.change_words(12, 8, "board", "12 months") == "No real change"
    assert overview.change_words(12, 8, "lead", "12 months") == "+50% on the previous 12 months"
    assert overview.change_sentence("Alder", 3, 9, "analyst", "12 months") == (
        "Alder: 3 incidents, down 6 (67%) on the previous 12 months")


def test_period_words():
    assert period_words(YEAR_2025) == "12 months"
    assert period_words(Filters(start=YEAR_2025.start, end=YEAR_2025.start)) == "day"
