"""XmR maths on reference series whose answers can be checked on paper."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics import spc
from analytics.spc import SpcOptions

JAN_2024 = "2024-01-01"


def months(n: int, start: str = JAN_2024) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="MS")


def chart(values, **options) -> spc.SpcResult:
    return spc.xmr(values, months(len(values)), SpcOptions(**options))


def flags(arr) -> list[int]:
    return [int(v) for v in arr]


# ---- limits -----------------------------------------------------------------------------------

def test_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges_not_3_sd():
    # 10, 12 alternating: mean 11, every moving range 2, so limits 11 ± 5.32
    result = chart([10, 12] * 8)
    seg = result.segments[0]
    assert seg.centre == 11 and seg.mean_moving_range == 2
    assert (seg.lower, seg.upper) == pytest.approx((5.68, 16.32))
    three_sd = 3 * np.std([10, 12] * 8, ddof=1)
    assert seg.upper - seg.centre != pytest.approx(three_sd)


def test_the_two_sigma_band_is_two_thirds_of_the_way_to_the_limits():
    pts = chart([10, 12] * 8).points
    assert pts["upper_band"].iloc[0] == pytest.approx(11 + 5.32 * 2 / 3)
    assert pts["lower_band"].iloc[0] == pytest.approx(11 - 5.32 * 2 / 3)


def test_moving_ranges_start_empty_and_are_absolute_differences():
    assert flags(spc.moving_ranges(np.array([3.0, 5, 2]))[1:]) == [2, 3]
    assert np.isnan(spc.moving_ranges(np.array([3.0]))[0])


SPIKED = [10, 12] * 4 + [30] + [12, 10, 12, 10, 12, 10, 12]  # one outlier at index 8


def test_screening_leaves_out_moving_ranges_at_or_above_3_267_times_their_mean():
    # ranges: 2 x 14 and 18, 18 round the spike; mean 4.0; 18 >= 13.07 so both go: mean 2
    assert spc.mean_moving_range(np.array(SPIKED, dtype=float), screen_outliers=True) == 2
    assert spc.mean_moving_range(np.array(SPIKED, dtype=float), screen_outliers=False) == (
        pytest.approx((2 * 13 + 36) / 15))


def test_screening_outliers_narrows_the_limits():
    screened = chart(SPIKED).segments[0]
    unscreened = chart(SPIKED, screen_outliers=False).segments[0]
    assert screened.upper - screened.lower < unscreened.upper - unscreened.lower


def test_a_baseline_without_the_outlier_gives_narrower_limits():
    whole = chart(SPIKED, screen_outliers=False).segments[0]
    base = chart(SPIKED, screen_outliers=False,
                 baseline=(date(2024, 1, 1), date(2024, 8, 1))).segments[0]
    assert base.basis_points == 8 and base.centre == 11 and base.mean_moving_range == 2
    assert base.upper - base.lower < whole.upper - whole.lower
    # the spike is then beyond the baseline's upper limit
    assert chart(SPIKED, baseline=(date(2024, 1, 1), date(2024, 8, 1))).points[
        "beyond_limit"].iloc[8] == 1


def test_a_short_baseline_warns_that_its_limits_are_provisional():
    result = chart([10, 12] * 10, baseline=(date(2024, 1, 1), date(2024, 6, 1)))
    assert any("rest on 6 points" in n and "provisional" in n for n in result.notes)


def test_mostly_zero_ranges_do_not_screen_every_other_range_away():
    # ranges: 0 x 16, 1, 1 -> screening would leave only zeros and put the limits on the mean
    values = [0] * 8 + [1] + [0] * 9
    assert spc.mean_moving_range(np.array(values, dtype=float)) == pytest.approx(2 / 17)


# ---- rule 1: a point beyond a limit -------------------------------------------------------------

def test_a_point_beyond_a_limit_must_be_strictly_beyond_it():
    assert flags(spc.point_beyond_limit(np.array([5.0, 6, 4, 3, 7]), 4, 6)) == [0, 0, 0, -1, 1]


def test_limits_that_are_not_set_flag_nothing():
    assert flags(spc.point_beyond_limit(np.array([5.0, 60]), np.nan, np.nan)) == [0, 0]


# ---- rule 2: a run of 7 or more on one side of the mean ----------------------------------------

def test_a_run_of_exactly_seven_above_the_mean_is_a_signal():
    assert flags(spc.run_on_one_side(np.array([1.0] * 7 + [-1]), 0)) == [1] * 7 + [0]


def test_a_run_of_six_is_not():
    assert flags(spc.run_on_one_side(np.array([1.0] * 6 + [-1]), 0)) == [0] * 7


def test_a_run_below_the_mean_is_flagged_minus_one():
    assert flags(spc.run_on_one_side(np.array([5.0] + [-1] * 8), 0)) == [0] + [-1] * 8


def test_a_point_on_the_mean_breaks_a_run():
    assert flags(spc.run_on_one_side(np.array([1.0, 1, 1, 0, 1, 1, 1, 1]), 0)) == [0] * 8


# ---- rule 3: 7 or more points in a row each higher (lower) than the one before -------------------

def test_seven_rising_points_are_a_trend():
    assert flags(spc.trend_rising_or_falling(np.arange(7.0))) == [1] * 7


def test_six_rising_points_are_not():
    assert flags(spc.trend_rising_or_falling(np.arange(6.0))) == [0] * 6


def test_the_point_before_a_trend_is_not_part_of_it():
    values = np.array([5.0, 1, 2, 3, 4, 5, 6, 7])
    assert flags(spc.trend_rising_or_falling(values)) == [0] + [1] * 7


def test_seven_falling_points_are_a_falling_trend():
    assert flags(spc.trend_rising_or_falling(np.arange(7.0)[::-1])) == [-1] * 7


def test_a_tie_breaks_a_trend():
    # 1 2 3 4 4 5 6 7: four rising, a tie, four rising: no stretch of seven
    values = np.array([1.0, 2, 3, 4, 4, 5, 6, 7])
    assert flags(spc.trend_rising_or_falling(values)) == [0] * 8


def test_a_trend_needs_at_least_two_points():
    assert flags(spc.trend_rising_or_falling(np.array([3.0]))) == [0]
    assert flags(spc.trend_rising_or_falling(np.array([]))) == []


# ---- rule 4: 2 of 3 beyond the two-sigma band on the same side -----------------------------------

def test_two_of_three_beyond_the_band_flags_the_two_points():
    values = np.array([0.0, 0, 2, 0, 2, 0, 0])
    assert flags(spc.two_of_three_beyond_band(values, -1, 1)) == [0, 0, 1, 0, 1, 0, 0]


def test_two_in_a_row_beyond_the_band_below():
    values = np.array([0.0, -2, -2, 0])
    assert flags(spc.two_of_three_beyond_band(values, -1, 1)) == [0, -1, -1, 0]


def test_two_beyond_the_band_but_three_apart_are_not_a_signal():
    assert flags(spc.two_of_three_beyond_band(np.array([2.0, 0, 0, 2]), -1, 1)) == [0] * 4


def test_two_beyond_the_band_on_opposite_sides_are_not_a_signal():
    assert flags(spc.two_of_three_beyond_band(np.array([2.0, -2, 0]), -1, 1)) == [0] * 3


def test_a_point_exactly_on_the_band_is_not_beyond_it():
    assert flags(spc.two_of_three_beyond_band(np.array([1.0, 1, 2]), -1, 1)) == [0] * 3


# ---- labelling --------------------------------------------------------------------------------

def test_a_high_signal_is_a_concern_when_higher_is_worse_and_an_improvement_when_better():
    hits = {r.code: np.zeros(2, dtype=np.int8) for r in spc.RULES}
    hits["run"] = np.array([1, -1], dtype=np.int8)
    assert list(spc.label_points(hits, "higher_is_worse")[1]) == [spc.CONCERN, spc.IMPROVEMENT]
    assert list(spc.label_points(hits, "higher_is_better")[1]) == [spc.IMPROVEMENT, spc.CONCERN]


def test_a_point_beyond_a_limit_decides_its_side_over_a_trend():
    hits = {r.code: np.zeros(1, dtype=np.int8) for r in spc.RULES}
    hits["beyond_limit"], hits["trend"] = np.array([-1], np.int8), np.array([1], np.int8)
    side, label = spc.label_points(hits, "higher_is_worse")
    assert side[0] == -1 and label[0] == spc.IMPROVEMENT


def test_points_without_a_rule_hit_are_common_cause():
    assert set(chart([10, 12] * 8).points["point_type"]) == {spc.COMMON}


# ---- whole charts -------------------------------------------------------------------------------

def test_a_flat_series_has_no_signals():
    result = chart([5] * 20)
    assert result.kind == "xmr" and result.signals == ()
    assert spc.summary(result).startswith("No sign of real change")


def test_all_zeros_has_no_signals():
    result = chart([0] * 20)
    assert result.signals == () and result.segments[0].upper == 0


def test_fourteen_points_make_a_run_chart_with_a_note_and_no_limits():
    result = chart(list(range(14)))  # a rising trend, but too few points to call it
    assert result.kind == "run" and result.run_reason == "short"
    assert result.points["upper"].isna().all() and result.signals == ()
    assert result.points["centre"].iloc[0] == 6.5  # the median
    assert "Only 14 points" in result.notes[0]
    assert spc.summary(result) == (
        "Too few months to tell a real change from noise (14; limits need 15)")


def test_fifteen_points_get_limits():
    assert chart(list(range(15))).kind == "xmr"


def test_a_series_too_rare_for_limits_is_a_run_chart():
    result = chart([0] * 10 + [1, 0, 0, 2, 0, 0, 1, 0], min_mean=1.0)
    assert result.kind == "run" and result.run_reason == "rare" and result.signals == ()


def test_a_rising_trend_is_summarised_in_words():
    result = chart([10, 14] * 8 + [8, 9, 10, 11, 12, 13, 14, 15])
    assert [s.rule for s in result.signals] == ["trend"]
    assert spc.summary(result) == "Rising for 8 months in a row, since May 2025"


def test_points_beyond_a_limit_a_month_apart_are_told_as_one_signal():
    result = chart([10, 12] * 8 + [30, 11, 30, 11])
    latest = result.latest_signal()
    assert latest.rule == "beyond_limit" and latest.points == 2 and latest.current
    assert spc.summary(result) == "2 months above the upper limit since May 2025"


def test_a_run_above_the_mean_is_summarised_as_above_the_average():
    values = [5, 1] * 6 + [4, 6] * 4  # mean 3.8; the last 8 sit above it, inside the limits
    result = chart(values)
    assert [s.rule for s in result.signals] == ["run"]
    assert spc.summary(result) == "Above the average for 8 months in a row, since January 2025"


def test_an_old_signal_is_told_as_earlier_not_current():
    values = [30] + [10, 12] * 10
    result = chart(values)
    assert not result.latest_signal().current
    assert spc.summary(result).startswith("No sign of real change in the latest 3 months "
                                          "(earlier: January 2024 was above the upper limit")


def test_a_signal_can_be_told_without_its_since_clause():
    latest = chart([10, 14] * 8 + [8, 9, 10, 11, 12, 13, 14, 15]).latest_signal()
    assert spc.describe(latest, since=False) == "Rising for 8 months in a row"
    latest = chart([10, 12] * 8 + [30, 11, 30, 11]).latest_signal()
    assert spc.describe(latest, since=False) == "2 months above the upper limit"


def test_a_weekly_signal_names_the_week():
    weeks = pd.date_range("2026-01-05", periods=20, freq="7D")
    result = spc.xmr([10, 12] * 9 + [40, 12], weeks)
    assert spc.summary(result, unit="week") == "The week of 11 May 2026 was above the upper limit"


def test_a_change_point_recalculates_the_limits_and_rules_do_not_look_across_it():
    values = [10, 12] * 10 + [20, 22] * 10  # a step up in January 2025
    whole = chart(values)
    assert any(s.rule == "run" and s.side == 1 for s in whole.signals)
    split = chart(values, change_points=(date(2025, 9, 1),))
    assert [s.centre for s in split.segments] == [pytest.approx(11), pytest.approx(21)]
    assert split.signals == ()


def test_a_segment_shorter_than_fifteen_after_a_change_point_is_a_run_chart():
    result = chart([10, 12] * 12, change_points=(date(2025, 7, 1),))
    assert [s.kind for s in result.segments] == ["xmr", "run"]
    assert any("only 6 points" in n for n in result.notes)
    assert spc.summary(result) == ("Since the change in July 2025, too few months to tell a real "
                                   "change from noise (6; limits need 15)")


def test_the_options_come_back_with_the_result_and_describe_themselves():
    options = SpcOptions(baseline=(date(2024, 1, 1), date(2024, 12, 1)),
                         change_points=(date(2025, 6, 1),))
    result = spc.xmr([10, 12] * 12, months(24), options)
    assert result.options is options
    words = options.describe()
    assert "2.66" in words and "January 2024 to December 2024" in words
    assert "recalculated from June 2025" in words and "higher is worse" in words


def test_the_callers_values_are_unchanged():
    values = [10.0, 12.0] * 8
    before = list(values)
    chart(values)
    assert values == before


# ---- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"direction": "sideways"}, "direction must be one of"),
    ({"baseline": (date(2025, 1, 1), date(2024, 1, 1))}, "The baseline starts (January 2025)"),
    ({"min_points": 1}, "at least 2 points"),
])
def test_impossible_options_are_refused_with_a_clear_message(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SpcOptions(**options)


def test_a_change_point_outside_the_series_is_refused():
    with pytest.raises(ValueError, match="must fall after the first period"):
        chart([1] * 20, change_points=(date(2024, 1, 1),))


def test_a_baseline_with_one_point_is_refused():
    with pytest.raises(ValueError, match="holds 1 point"):
        chart([1] * 20, baseline=(date(2024, 3, 1), date(2024, 3, 1)))


def test_gaps_must_be_filled_before_charting():
    with pytest.raises(ValueError, match="fill periods with no events with zero"):
        chart([1, np.nan] * 10)


def test_periods_out_of_order_are_refused():
    with pytest.raises(ValueError, match="in time order"):
        spc.xmr([1, 2], [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-01-01")])


def test_an_empty_series_says_so():
    assert spc.summary(spc.xmr([], [])) == "No data in this period"


# ---- properties -------------------------------------------------------------------------------

@given(st.lists(st.integers(min_value=0, max_value=60), min_size=15, max_size=40))
def test_doubling_every_value_changes_no_label(values):
    # doubling is exact in binary floating point, so every comparison keeps its outcome
    once = chart(values).points["point_type"].tolist()
    assert chart([2 * v for v in values]).points["point_type"].tolist() == once


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=15, max_size=40))
def test_limits_surround_the_band_which_surrounds_the_mean(values):
    pts = chart(values).points
    assert (pts["lower"] <= pts["lower_band"]).all() and (pts["lower_band"] <= pts["centre"]).all()
    assert (pts["centre"] <= pts["upper_band"]).all() and (pts["upper_band"] <= pts["upper"]).all()


# ---- many series at once ------------------------------------------------------------------------

def one_by_one(matrix, periods, options):
    return [spc.xmr(row, periods, options).latest_signal() for row in matrix]


@given(st.lists(st.lists(st.integers(0, 12), min_size=24, max_size=24), min_size=1, max_size=8),
       st.sampled_from([0.0, 1.0, 3.0]), st.booleans(),
       st.sampled_from(["higher_is_worse", "higher_is_better"]))
def test_latest_signals_of_many_series_match_one_chart_at_a_time(rows, min_mean, screen,
                                                                 direction):
    matrix = np.array(rows, dtype=float)
    options = SpcOptions(min_mean=min_mean, screen_outliers=screen, direction=direction)
    assert spc.latest_signals(matrix, months(24), options) == one_by_one(matrix, months(24),
                                                                         options)


@given(st.lists(st.lists(st.integers(0, 3), min_size=16, max_size=16), min_size=1, max_size=6))
def test_latest_signals_agree_on_sparse_series_with_ties_and_long_runs(rows):
    matrix = np.array(rows, dtype=float)
    options = SpcOptions()
    assert spc.latest_signals(matrix, months(16), options) == one_by_one(matrix, months(16),
                                                                         options)


def test_latest_signals_on_reference_shapes():
    shapes = np.array([
        [10] * 12 + [16, 17, 18, 19, 20, 21, 22, 23],  # rising out of the limits
        [10, 12] * 10,  # common cause only
        [5] * 19 + [40],  # one point beyond the upper limit, the latest
        [12, 11, 10, 9, 8, 7, 6, 5] + [9, 8] * 6,  # an early fall
    ], dtype=float)
    found = spc.latest_signals(shapes, months(20), SpcOptions())
    assert found == one_by_one(shapes, months(20), SpcOptions())
    assert found[1] is None
    assert found[2].rule == "beyond_limit" and found[2].current
    assert found[0].assessment == spc.CONCERN


def test_latest_signals_with_a_change_point_or_baseline_judge_each_chart_alone():
    shapes = np.array([[10] * 10 + [20] * 10, [3, 4] * 10], dtype=float)
    for options in (SpcOptions(change_points=(date(2024, 11, 1),)),
                    SpcOptions(baseline=(date(2024, 1, 1), date(2024, 12, 1)))):
        assert spc.latest_signals(shapes, months(20), options) == one_by_one(
            shapes, months(20), options)


def test_latest_signals_of_too_few_periods_or_no_series():
    assert spc.latest_signals(np.ones((3, 10)), months(10)) == [None, None, None]
    assert spc.latest_signals(np.zeros((0, 20)), months(20)) == []
    with pytest.raises(ValueError):
        spc.latest_signals(np.array([[1.0, np.nan] * 10]), months(20))
