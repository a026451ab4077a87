"""Intervention figures: hidden small counts, the start marked, shapes with colours."""

import pandas as pd
import pytest

from analytics.interventions import impact, impact_charts
from analytics.store.store import Store
from tests.interventions.test_impact import ALL
from tests.peers_borough import seed_impact


@pytest.fixture(scope="module")
def borough() -> Store:
    store = Store()
    seed_impact(store)
    return store


def test_before_after_draws_the_place_its_comparisons_and_the_expected_line(borough):
    result = impact.impact(borough.cursor(), ALL, "INT-1")
    fig = impact_charts.before_after(result.series, "Alder Park", result.started_on,
                                     "analyst", "t")
    assert [t.name for t in fig.data] == ["Similar places, scaled to this place's level",
                                          "Alder Park"]
    assert fig.layout.annotations[0].text == "Began 1 July 2024"


def test_months_of_one_to_four_are_hidden_and_marked_where_suppressed():
    series = pd.DataFrame({
        "month": pd.date_range("2024-01-01", periods=4, freq="MS"),
        "period": ["before", "before", "after", "after"],
        "place": [8, 3, 0, 6], "comparison_mean": [2.0, 1.0, 3.0, 0.5],
        "comparison_total": [10, 5, 15, 2], "expected": [6.0, 5.0, 4.0, 4.0]})
    fig = impact_charts.before_after(series, "Here", series["month"][2].date(), "lead", "t")
    place = next(t for t in fig.data if t.name == "Here" and t.mode == "lines+markers")
    assert place.y[0] == 8 and place.y[1] != place.y[1] and list(place.y[2:]) == [0, 6]
    marks = [t for t in fig.data if t.marker.symbol == "circle-open"]
    assert len(marks) == 1 and len(marks[0].x) == 1
    comparison = fig.data[0]
    assert comparison.y[3] != comparison.y[3]  # a comparison total of 2 is hidden too
    assert list(comparison.y[:3]) == [6.0, 5.0, 4.0]


def test_estimates_use_shape_and_colour_for_each_verdict(borough):
    summary = impact.impact_summary(borough.cursor(), ALL)
    fig = impact_charts.estimates(summary, "label", "t")
    shapes = {t.name: t.marker.symbol for t in fig.data if t.mode == "markers"}
    assert shapes == {impact.FALL: "triangle-down", "No clear change": "circle"}
    assert fig.layout.xaxis.type == "log"


def test_estimates_leave_out_rows_without_one():
    frame = pd.DataFrame({"label": ["a", "b"], "ratio": [0.5, None], "low": [0.3, None],
                          "high": [0.8, None], "certainty": [impact.FALL, impact.TOO_FEW]})
    fig = impact_charts.estimates(frame, "label", "t")
    assert [list(t.y) for t in fig.data if t.mode == "markers"] == [["a"]]
