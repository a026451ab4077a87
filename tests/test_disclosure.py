"""Disclosure control: counts of 1 to 4 about children are never shown exactly outside the analyst view."""

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analytics.disclosure import (
    SUPPRESSED,
    display_count,
    drop_small_rows,
    mask_small,
    suppress_frame,
    suppresses,
)


def test_one_to_four_are_shown_as_less_than_five_for_the_board():
    assert [display_count(n, "board") for n in range(7)] == ["0", "<5", "<5", "<5", "<5", "5", "6"]


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
    out = suppress_frame(frame, ["n"], "board")
    assert list(out["n"]) == ["0", SUPPRESSED, "9"]
    assert list(frame["n"]) == [0, 2, 9]


def test_mask_small_blanks_small_values_in_charts():
    masked = mask_small(pd.Series([0, 1, 4, 5]), "board")
    assert masked.isna().tolist() == [False, True, True, False]


def test_rows_with_a_small_count_leave_a_chart_of_changes():
    frame = pd.DataFrame({"cur": [10, 3, 0], "prev": [7, 8, 9]})
    assert drop_small_rows(frame, ["cur", "prev"], "board").index.tolist() == [0, 2]
    assert len(drop_small_rows(frame, ["cur", "prev"], "analyst")) == 3


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=50),
       st.sampled_from(["board", "lead", "presenter"]))
def test_no_suppressing_view_ever_shows_one_to_four(values, view):
    shown = suppress_frame(pd.DataFrame({"n": values}), ["n"], view)["n"]
    assert not set(shown) & {"1", "2", "3", "4"}
