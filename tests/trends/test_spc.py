"""XmR maths on reference series whose answers can be checked on paper."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.trends import spc
from analytics.trends.spc import SpcOptions

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


def test_fixing_the_limits_after_twelve_points_leaves_later_points_out_of_them():
    values = [10, 12] * 6 + [30, 31, 29, 30, 31, 29, 30, 31]
    fixed = chart(values, fix_after_n_points=12)
    seg = fixed.segments[0]
    assert seg.basis_points == 12 and seg.centre == 11 and seg.mean_moving_range == 2
    assert list(fixed.points["rule"][12:]) == ["beyond_limit"] * 8
    assert fixed.points["fixed"].sum() == 12


def test_limits_can_only_be_fixed_after_twelve_or_more_points_as_the_package_allows():
    with pytest.raises(ValueError, match="12 or more points"):
        SpcOptions(fix_after_n_points=11)


def test_a_group_of_fewer_than_twelve_points_has_trial_limits():
    result = chart([10, 12] * 10 + [30, 31, 29], change_points=(date(2025, 9, 1),))
    assert [s.kind for s in result.segments] == ["xmr", "xmr"]
    assert any("rest on 3 points" in n and "trial limits" in n for n in result.notes)


def test_when_screening_leaves_no_range_there_are_no_limits_as_in_the_package():
    assert np.isnan(spc.mean_moving_range(np.array([5.0] * 15)))
    result = chart([5] * 15)
    assert np.isnan(result.segments[0].upper) and result.signals == ()


def test_mostly_zero_ranges_screen_the_rare_jumps_away_as_the_package_does():
    # ranges: 0 x 16, then 1, 1: mean 2/18, and 1 >= 3.267 x 2/18, so only the zeros are left
    values = [0] * 8 + [1] + [0] * 9
    assert spc.mean_moving_range(np.array(values, dtype=float)) == 0


# ---- the rules, one function each -------------------------------------------------------------

def row(*values) -> np.ndarray:
    return np.array([values], dtype=float)


def test_a_point_outside_a_limit_must_be_strictly_outside_it():
    out = spc.outside_limits(row(5, 6, 4, 3, 7), np.array([4.0]), np.array([6.0]))
    assert flags(out[0]) == [0, 0, 0, 1, 1]


def test_limits_that_are_not_set_flag_nothing():
    assert flags(spc.outside_limits(row(5, 60), np.array([np.nan]), np.array([np.nan]))[0]) == [
        0, 0]


def test_close_to_the_limits_means_beyond_the_two_sigma_line_but_not_outside():
    y = row(0, 1.5, 3, -1.5)
    outside = spc.outside_limits(y, np.array([-2.0]), np.array([2.0]))
    assert flags(spc.close_to_limits(y, outside, np.array([-1.0]), np.array([1.0]))[0]) == [
        0, 1, 0, 1]


def test_a_run_of_exactly_seven_above_the_mean_is_a_signal():
    assert flags(spc.part_of_run(row(*[1] * 7, -1))[0]) == [1] * 7 + [0]


def test_a_run_of_six_is_not():
    assert flags(spc.part_of_run(row(*[1] * 6, -1))[0]) == [0] * 7


def test_a_point_on_the_mean_breaks_a_run():
    assert flags(spc.part_of_run(row(1, 1, 1, 0, 1, 1, 1, 1))[0]) == [0] * 8


def test_seven_rising_points_are_a_trend_and_six_are_not():
    assert flags(spc.part_of_trend(row(*range(7)))[0]) == [1] * 7
    assert flags(spc.part_of_trend(row(*range(6)))[0]) == [0] * 6


def test_the_point_before_a_trend_is_not_part_of_it():
    assert flags(spc.part_of_trend(row(5, 1, 2, 3, 4, 5, 6, 7))[0]) == [0] + [1] * 7


def test_a_tie_breaks_a_trend():
    assert flags(spc.part_of_trend(row(1, 2, 3, 4, 4, 5, 6, 7))[0]) == [0] * 8


def test_a_trend_points_direction_is_the_trends_not_its_side_of_the_mean():
    y = row(1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1)
    trend = spc.part_of_trend(y)
    # the peak belongs to both stretches; the package reads it by the step after it
    assert flags(spc.trend_direction(y, trend)[0]) == [1] * 6 + [-1] * 7


def test_two_in_three_needs_two_close_and_all_three_on_one_side():
    close = np.array([[0, 0, 1, 0, 1, 0, 0]], dtype=bool)
    assert flags(spc.two_in_three(close, np.ones((1, 7), dtype=np.int8))[0]) == [
        0, 0, 1, 0, 1, 0, 0]
    sides = np.array([[1, 1, 1, -1, 1, 1, 1]], dtype=np.int8)
    assert flags(spc.two_in_three(close, sides)[0]) == [0] * 7


def test_two_close_points_three_apart_are_not_a_signal():
    close = np.array([[1, 0, 0, 1]], dtype=bool)
    assert flags(spc.two_in_three(close, np.ones((1, 4), dtype=np.int8))[0]) == [0] * 4


# ---- labelling --------------------------------------------------------------------------------

def test_a_high_signal_is_a_concern_when_higher_is_worse_and_an_improvement_when_better():
    side = np.array([1, -1, 0])
    assert list(spc.point_types(side, "higher_is_worse")) == [spc.CONCERN, spc.IMPROVEMENT,
                                                              spc.COMMON]
    assert list(spc.point_types(side, "higher_is_better")) == [spc.IMPROVEMENT, spc.CONCERN,
                                                               spc.COMMON]


def test_outside_the_limits_comes_before_a_trend_which_comes_before_a_run():
    pts = chart([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8]).points
    assert pts["rule"][0] == "beyond_limit" and pts["rule"][13] == "trend"
    assert list(pts["side"][13:16]) == [1, 1, 1]  # rising, though below the mean


def test_points_without_a_rule_hit_are_common_cause():
    assert set(chart([10, 12] * 8).points["point_type"]) == {spc.COMMON}


# ---- whole charts -------------------------------------------------------------------------------

def test_a_flat_series_has_no_signals():
    result = chart([5] * 20)
    assert result.kind == "xmr" and result.signals == ()
    assert spc.summary(result).startswith("No sign of real change")


def test_all_zeros_has_no_signals():
    result = chart([0] * 20)
    assert result.signals == () and np.isnan(result.segments[0].upper)  # no range to set them


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
    assert any(s.side == 1 for s in whole.signals) and any(s.side == -1 for s in whole.signals)
    split = chart(values, change_points=(date(2025, 9, 1),))
    assert [s.centre for s in split.segments] == [pytest.approx(11), pytest.approx(21)]
    assert split.signals == ()


def test_the_options_come_back_with_the_result_and_describe_themselves():
    options = SpcOptions(fix_after_n_points=12, change_points=(date(2025, 6, 1),))
    result = spc.xmr([10, 12] * 12, months(24), options)
    assert result.options is options
    words = options.describe()
    assert "2.66" in words and "fixed after the first 12 points" in words
    assert "recalculated from June 2025" in words and "higher is worse" in words


def test_the_callers_values_are_unchanged():
    values = [10.0, 12.0] * 8
    before = list(values)
    chart(values)
    assert values == before


# ---- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"direction": "sideways"}, "direction must be one of"),
    ({"fix_after_n_points": 5}, "12 or more points"),
    ({"min_mean": -1}, "min_mean cannot be negative"),
])
def test_impossible_options_are_refused_with_a_clear_message(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SpcOptions(**options)


def test_a_change_point_outside_the_series_is_refused():
    with pytest.raises(ValueError, match="must fall after the first period"):
        chart([1] * 20, change_points=(date(2024, 1, 1),))


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
    pts = chart(values).points.dropna(subset=["upper"])  # no limits where no range is left
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


def test_latest_signals_with_a_change_point_or_fixed_limits_match_each_chart():
    shapes = np.array([[10] * 10 + [20] * 10, [3, 4] * 10], dtype=float)
    for options in (SpcOptions(change_points=(date(2024, 11, 1),)),
                    SpcOptions(fix_after_n_points=12)):
        assert spc.latest_signals(shapes, months(20), options) == one_by_one(
            shapes, months(20), options)


def test_latest_signals_of_flat_series_or_no_series():
    assert spc.latest_signals(np.ones((3, 10)), months(10)) == [None, None, None]
    assert spc.latest_signals(np.zeros((0, 20)), months(20)) == []
    with pytest.raises(ValueError):
        spc.latest_signals(np.array([[1.0, np.nan] * 10]), months(20))
