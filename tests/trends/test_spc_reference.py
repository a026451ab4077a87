"""SPC labels equal NHSRplotthedots `ptd_spc` 0.2.2's, point for point.

The expected labels in tests/reference/ptd_spc_0.2.2.csv come from the package, not from our
reading of it: tests/reference/ptd_spc_labels.R ran each reference series through `ptd_spc`
(default options unless the row says otherwise). The series: the two examples in issue 18, the
package's own test vectors and bug reports (#143, #167, #171), hand-made edges (fixed limits, a
rebase, a short group, screening, a mostly-zero series), 120 seeded random small-count series,
and every risk type x ward series of the demo borough's signals table. The limits are checked
against the package's own snapshot (tests/testthat/_snaps/ptd_spc_standard.md) as well.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.trends import spc

REFERENCE = pd.read_csv(Path(__file__).parent.parent / "reference" / "ptd_spc_0.2.2.csv",
                        keep_default_na=False)
# The package's special_cause_type for each (rule, side) we give a point.
PACKAGE_TYPES = {("", 0): "Common Cause", ("beyond_limit", 1): "Above UCL",
                 ("beyond_limit", -1): "Below LCL", ("trend", 1): "7 Point Trend (Increasing)",
                 ("trend", -1): "7 Point Trend (Decreasing)", ("two_of_three", 1): "2 in 3 Above CL",
                 ("two_of_three", -1): "2 in 3 Below CL", ("run", 1): "7 Points Above CL",
                 ("run", -1): "7 Points Below CL"}
POINT_TYPES = {spc.COMMON: "common_cause", spc.CONCERN: "special_cause_concern",
               spc.IMPROVEMENT: "special_cause_improvement"}


def _case(row) -> tuple[np.ndarray, pd.DatetimeIndex, spc.SpcOptions]:
    values = np.array([float(v) for v in row.y.split()])
    periods = pd.date_range(row.start, periods=len(values), freq="MS")
    options = spc.SpcOptions(
        direction="higher_is_worse" if row.direction == "decrease" else "higher_is_better",
        change_points=tuple(date.fromisoformat(d) for d in row.rebase.split()),
        fix_after_n_points=int(row.fix) if str(row.fix) not in ("", "NA") else None,
        screen_outliers=str(row.screen) == "True")
    return values, periods, options


@pytest.mark.parametrize("row", list(REFERENCE.itertuples()), ids=list(REFERENCE["series"]))
def test_every_point_is_labelled_as_the_package_labels_it(row):
    values, periods, options = _case(row)
    pts = spc.xmr(values, periods, options).points
    ours = [PACKAGE_TYPES[(r, s if r else 0)] for r, s in zip(pts["rule"], pts["side"],
                                                                strict=True)]
    assert ours == row.special_cause_type.split(";")
    assert [POINT_TYPES[t] for t in pts["point_type"]] == row.point_type.split(";")


@pytest.mark.parametrize("row", list(REFERENCE.itertuples()), ids=list(REFERENCE["series"]))
def test_every_group_has_the_packages_mean_and_limits(row):
    values, periods, options = _case(row)
    segments = spc.xmr(values, periods, options).segments
    for column, got in (("mean", [s.centre for s in segments]),
                        ("lpl", [s.lower for s in segments]),
                        ("upl", [s.upper for s in segments])):
        expected = [float(v) for v in getattr(row, column).split()]
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12, nan_ok=True)


def test_the_issues_yarrowby_series_is_common_cause_in_its_latest_months():
    row = REFERENCE.set_index("series").loc["issue_cce_yarrowby"]
    assert row.special_cause_type.split(";")[-4:] == ["Common Cause"] * 4
    values, periods, options = _case(row.rename("issue").to_frame().T.itertuples().__next__())
    assert spc.summary(spc.xmr(values, periods, options)).startswith(
        "No sign of real change in the latest 3 months")


def test_a_rise_through_a_run_below_the_mean_is_an_increasing_trend_a_concern():
    row = next(r for r in REFERENCE.itertuples() if r.series == "issue_trend_through_a_run")
    assert row.special_cause_type.split(";")[13:16] == ["7 Point Trend (Increasing)"] * 3
    values, periods, options = _case(row)
    pts = spc.xmr(values, periods, options).points
    assert list(pts["point_type"][13:16]) == [spc.CONCERN] * 3


# rnorm(20) after set.seed(123) in R, the package's test data for ptd_spc_standard
RNORM_123 = [-0.560475646552213, -0.23017748948328, 1.55870831414912, 0.070508391424576,
             0.129287735160946, 1.71506498688328, 0.460916205989202, -1.26506123460653,
             -0.686852851893526, -0.445661970099958, 1.22408179743946, 0.359813827057364,
             0.400771450594052, 0.11068271594512, -0.555841134754075, 1.78691313680308,
             0.497850478229239, -1.96661715662964, 0.701355901563686, -0.472791407727934]


@pytest.mark.parametrize("outlier, screen, expected", [
    (False, True, (0.1416238, -3.01138, 3.294627)),
    (True, True, (0.6694159, -2.383666, 3.722497)),
    (True, False, (0.6694159, -4.596625, 5.935457)),
])
def test_limits_match_the_packages_snapshot(outlier, screen, expected):
    values = list(RNORM_123)
    if outlier:
        values[14] = 10
    seg = spc.xmr(values, pd.date_range("2020-01-02", periods=20, freq="D"),
                  spc.SpcOptions(screen_outliers=screen)).segments[0]
    assert (seg.centre, seg.lower, seg.upper) == pytest.approx(expected, abs=5e-7)


def test_many_series_at_once_give_each_ones_latest_signal():
    for _settings, rows in REFERENCE.groupby(
            ["start", "fix", "screen", "direction", "rebase"]):
        cases = [_case(r) for r in rows.itertuples()]
        for length in {len(v) for v, _, _ in cases}:
            same = [c for c in cases if len(c[0]) == length]
            matrix = np.vstack([v for v, _, _ in same])
            periods, options = same[0][1], same[0][2]
            assert spc.latest_signals(matrix, periods, options) == [
                spc.xmr(v, periods, options).latest_signal() for v in matrix]
