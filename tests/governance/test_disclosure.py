"""Disclosure control: counts of 1 to 4 about children are never shown exactly outside the analyst view."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.governance.disclosure import (
    SUPPRESSED,
    display_count,
    drop_small_rows,
    mask_small,
    suppress_frame,
    suppresses,
)


def test_one_to_four_are_shown_as_less_than_five_for_the_board_and_leads():
    assert [display_count(n, "lead") for n in range(7)] == ["0", "<5", "<5", "<5", "<5", "5", "6"]
    assert [display_count(n, "board") for n in range(9)] == [
        "0", "<5", "<5", "<5", "<5", "5", "5", "5", "10"]


def test_the_board_view_rounds_every_count_to_the_nearest_five():
    assert [display_count(n, "board") for n in (12, 13, 1002, 12345)] == [
        "10", "15", "1,000", "12,345"]
    assert display_count(12, "board", rounded=False) == "12"  # not a count of children
    assert display_count(12, "lead", rounded=True) == "10"


def test_what_each_view_may_show():
    from analytics.governance.disclosure import rounds, shows_detail, shows_rows
    assert [rounds(v) for v in ("board", "lead", "analyst", "unknown")] == [True, False, False,
                                                                            True]
    assert [shows_detail(v) for v in ("board", "lead", "analyst", "x")] == [False, True, True,
                                                                           False]
    assert [shows_rows(v) for v in ("board", "lead", "analyst", "x")] == [False, False, True,
                                                                         False]


def test_shown_number_is_what_the_view_shows_as_a_number():
    from analytics.governance.disclosure import shown_number
    assert [shown_number(n, "board") for n in (0, 3, 12, 13)] == [0, None, 10, 15]
    assert [shown_number(n, "lead") for n in (0, 3, 12)] == [0, None, 12]
    assert shown_number(3, "analyst") == 3


def test_charts_in_the_board_view_draw_rounded_counts():
    assert mask_small(pd.Series([0, 3, 7, 12]), "board").tolist()[1:] == [
        pytest.approx(float("nan"), nan_ok=True), 5.0, 10.0]
    assert mask_small(pd.Series([7, 12]), "lead").tolist() == [7.0, 12.0]


def test_the_threshold_edge_five_is_shown():
    assert display_count(5, "lead") == "5"


def test_analysts_see_exact_counts():
    assert display_count(3, "analyst") == "3"


def test_unknown_views_are_suppressed_to_be_safe():
    assert suppresses("presenter") and suppresses("anything") and not suppresses("analyst")


def test_large_counts_get_thousands_separators():
    assert display_count(12345, "board") == "12,345"


def test_suppress_frame_leaves_the_callers_frame_unchanged():
    frame = pd.DataFrame({"n": [0, 2, 9]})
    out = suppress_frame(frame, ["n"], "lead")
    assert list(out["n"]) == ["0", SUPPRESSED, "9"]
    assert list(frame["n"]) == [0, 2, 9]


def test_mask_small_blanks_small_values_in_charts():
    masked = mask_small(pd.Series([0, 1, 4, 5]), "board")
    assert masked.isna().tolist() == [False, True, True, False]


def test_rows_with_a_small_count_leave_a_chart_of_changes():
    frame = pd.DataFrame({"cur": [10, 3, 0], "prev": [7, 8, 9]})
    assert drop_small_rows(frame, ["cur", "prev"], "board").index.tolist() == [0, 2]
    assert len(drop_small_rows(frame, ["cur", "prev"], "analyst")) == 3
    assert drop_small_rows(frame, ["cur", "prev"], "board")["prev"].tolist() == [5, 10]
    assert frame["prev"].tolist() == [7, 8, 9]  # the caller's frame is unchanged


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=50),
       st.sampled_from(["board", "lead", "presenter"]))
def test_no_suppressing_view_ever_shows_one_to_four(values, view):
    shown = suppress_frame(pd.DataFrame({"n": values}), ["n"], view)["n"]
    assert not set(shown) & {"1", "2", "3", "4"}


def test_rounding_to_the_nearest_five_never_shows_small_counts():
    from analytics.governance.disclosure import round_count
    assert [round_count(n) for n in (5, 7, 8, 12, 13, 102)] == [5, 5, 10, 10, 15, 100]
    assert display_count(12, "board", rounded=True) == "10"
    assert display_count(12, "analyst", rounded=True) == "12"


def test_a_lone_small_cell_in_a_row_hides_its_smallest_neighbour_too():
    from analytics.governance.disclosure import SECONDARY, protect_table
    counts = pd.DataFrame({"a": [3, 20], "b": [10, 30], "c": [50, 40]}, index=["x", "y"])
    shown = protect_table(counts, "lead")
    assert shown.loc["x", "a"] == SUPPRESSED
    assert shown.loc["x", "b"] == SECONDARY      # smallest other cell in row x
    assert shown.loc["y", "a"] == SECONDARY      # column a would otherwise give away x,a
    assert shown.loc["y", "b"] == SECONDARY      # and then column b and row y need a partner
    assert shown.loc["Total", "Total"] == "153"
    assert protect_table(counts, "board").loc["Total", "Total"] == "155"


def test_protect_table_is_exact_for_analysts():
    from analytics.governance.disclosure import protect_table
    counts = pd.DataFrame({"a": [3, 20]}, index=["x", "y"])
    assert protect_table(counts, "analyst").loc["x", "a"] == "3"


@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=6))
def test_no_row_or_column_sum_is_left_with_one_hidden_member(rows):
    from analytics.governance.disclosure import SECONDARY, protect_table
    counts = pd.DataFrame(rows, columns=["a", "b", "c"])
    shown = protect_table(counts, "board")
    hidden = shown.isin([SUPPRESSED, SECONDARY])
    assert not set(shown.to_numpy().ravel()) & {"1", "2", "3", "4"}
    assert (hidden.sum(axis=1) != 1).all() and (hidden.sum(axis=0) != 1).all()


SMALL_TABLES = st.lists(st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 12, 30]),
                                 min_size=4, max_size=4), min_size=2, max_size=5)


@settings(max_examples=40, deadline=None)
@given(SMALL_TABLES, st.sampled_from(["board", "lead"]))
def test_no_hidden_small_count_can_be_worked_out_from_the_table_by_an_exact_attacker(rows, view):
    from analytics.governance.disclosure import protect_table
    from tests.disclosure_scan import table_attack
    shown = protect_table(pd.DataFrame(rows, columns=list("abcd")), view)
    assert table_attack(shown, rounded=view == "board") == []


def test_a_small_total_over_small_cells_is_hidden_so_they_are_not_pinned_to_one():
    from analytics.governance.disclosure import SECONDARY, protect_table
    from tests.disclosure_scan import table_attack
    # the board case: four '<5' cells under a '<5' total make each of them 1
    counts = pd.DataFrame({"a": [1, 1, 1, 1], "b": [20, 30, 25, 40]})
    shown = protect_table(counts, "board")
    assert shown.loc["Total", "a"] == SECONDARY
    assert table_attack(shown, rounded=True) == []
    # the lead's: a column total beside hidden cells, exact, pinned them
    counts = pd.DataFrame({"a": [3, 0, 0], "b": [2, 9, 7], "c": [0, 12, 30]})
    assert table_attack(protect_table(counts, "lead"), rounded=False) == []


def test_the_attacker_finds_what_an_unprotected_table_gives_away():
    from tests.disclosure_scan import table_attack
    naive = pd.DataFrame({"a": ["<5", "<5", "<5", "<5", "<5"], "b": ["20", "30", "25", "40",
                                                                      "115"],
                          "Total": ["20", "30", "25", "45", "120"]},
                         index=["w", "x", "y", "z", "Total"])
    assert "Total x a = 4" in table_attack(naive, rounded=True)
