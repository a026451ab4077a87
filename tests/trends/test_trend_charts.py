"""The Trends figures: what is drawn, how signals are told apart, and what is hidden."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.store.filters import Filters
from analytics.store.store import Store
from analytics.style.charts import DARK_BLUE, ORANGE, TURQUOISE
from analytics.trends import spc, trend_charts, trends
from tests.trend_fixture import seed_trend_borough

ALL = Filters(start=date(2024, 1, 1), end=date(2025, 12, 31), period="custom")
YEAR_2025 = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    seed_trend_borough(s)
    return s


def by_name(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_signal_points_differ_in_shape_as_well_as_colour(store):
    alder = trends.trend_view(store.cursor(), ALL, split="ward").series[0]
    fig = trend_charts.xmr_chart(alder, alder.headline, view="analyst", y_title="Incidents")
    concern = by_name(fig, trend_charts.MARKERS[spc.CONCERN][0])
    common = by_name(fig, trend_charts.MARKERS[spc.COMMON][0])
    assert concern.marker.symbol == "diamond" and concern.marker.color == ORANGE
    assert common.marker.symbol == "circle"
    assert len(concern.x) == 8 and len(common.x) == 16


def test_the_chart_draws_average_limits_and_band_and_states_the_finding(store):
    alder = trends.trend_view(store.cursor(), ALL, split="ward").series[0]
    fig = trend_charts.xmr_chart(alder, alder.headline, view="analyst", y_title="Incidents")
    names = {t.name for t in fig.data}
    assert {"Average", "Process limits", "Two-sigma band"} <= names
    assert by_name(fig, "Average").line.color == DARK_BLUE
    assert "above the average for 8 months in a row" in fig.layout.title.text


def test_lower_limits_below_zero_are_drawn_at_zero(store):
    alder = trends.trend_view(store.cursor(), ALL, split="ward").series[0]
    assert alder.result.segments[0].lower < 0
    fig = trend_charts.xmr_chart(alder, "t", view="analyst", y_title="Incidents")
    lower = [v for v in by_name(fig, "Lower limit").y if v is not None]
    assert min(lower) == 0


def test_a_run_chart_draws_the_median_and_no_limits(store):
    rare = next(s for s in trends.trend_view(store.cursor(), ALL, split="ward").series
                if s.key == "")
    fig = trend_charts.xmr_chart(rare, rare.headline, view="analyst", y_title="Incidents")
    names = {t.name for t in fig.data}
    assert "Median (too rare for limits)" in names and "Process limits" not in names


def test_a_short_segment_after_a_change_point_gets_trial_limits_of_its_own(store):
    view = trends.trend_view(store.cursor(), ALL, change_point=date(2025, 6, 1))
    fig = trend_charts.xmr_chart(view.overall, "t", view="lead", y_title="Incidents")
    centre = by_name(fig, "Average")
    breaks = [i for i, x in enumerate(centre.x) if x is None]
    assert len(breaks) == 2 and str(centre.x[breaks[0] + 1])[:10] == "2025-06-01"
    assert any("trial limits" in n for n in view.overall.result.notes)


def test_small_counts_are_left_out_of_board_charts_but_zeros_stay(store):
    rare = next(s for s in trends.trend_view(store.cursor(), ALL, split="ward").series
                if s.key == "")
    board = trend_charts.shown_values(rare, "board")
    assert np.isnan(board.iloc[2]) and board.iloc[0] == 0
    assert trend_charts.shown_values(rare, "analyst").iloc[2] == 1


def test_interventions_are_labelled_vertical_lines(store):
    view = trends.trend_view(store.cursor(), YEAR_2025)
    fig = trend_charts.xmr_chart(view.overall, "t", view="board", y_title="Incidents",
                                 interventions=view.interventions, window=view.window)
    lines = [s for s in fig.layout.shapes if s.type == "line" and s.line.color == TURQUOISE]
    assert len(lines) == 2
    labels = [a.text for a in fig.layout.annotations]
    assert "<b>1</b>" in labels and "<b>2</b>" in labels  # numbered on the chart ...
    names = [t.name for t in fig.data]  # ... and named in the legend
    assert "2: Detached youth work at Alder Park (Jan 2025)" in names
    assert "Before the chosen period" in labels


def test_only_the_latest_interventions_are_marked(store):
    view = trends.trend_view(store.cursor(), YEAR_2025)
    many = pd.concat([view.interventions] * 5, ignore_index=True)
    many["started_on"] = pd.date_range("2024-02-01", periods=len(many), freq="MS")
    fig = trend_charts.xmr_chart(view.overall, "t", view="board", y_title="Incidents",
                                 interventions=many)
    marked = [s for s in fig.layout.shapes if s.line.color == TURQUOISE]
    assert len(marked) == trend_charts.MAX_MARKERS


def test_fixed_limits_and_change_point_are_shown_on_the_chart(store):
    view = trends.trend_view(store.cursor(), ALL, fix_after=12, change_point=date(2025, 1, 1))
    fig = trend_charts.xmr_chart(view.overall, "t", view="board", y_title="Incidents")
    labels = [a.text for a in fig.layout.annotations]
    assert "Limits fixed on these points" in labels and "Limits recalculated" in labels


def test_compact_charts_keep_signals_but_drop_the_legend(store):
    alder = trends.trend_view(store.cursor(), ALL, split="ward").series[0]
    fig = trend_charts.xmr_chart(alder, alder.label, view="board", y_title="Incidents",
                                 compact=True, subtitle=alder.sentence)
    assert fig.layout.showlegend is False and fig.layout.title.text == "Alder"
    # the finding wraps under the name instead of being cut off
    assert fig.layout.title.subtitle.text == ("Above the average for 8 months in a row, since"
                                              "<br>May 2025")


def test_small_multiples_are_one_figure_of_panels_each_keeping_its_chart(store):
    view = trends.trend_view(store.cursor(), ALL, split="ward", change_point=date(2025, 1, 1))
    alone = [trend_charts.xmr_chart(s, s.label, view="analyst", y_title="Incidents",
                                    window=view.window, compact=True, subtitle=s.sentence)
             for s in view.series]
    fig = trend_charts.xmr_panels(tuple(view.series), "2 of the 3 largest show a current signal",
                                  view="analyst", y_title="Incidents", window=view.window)
    assert len(view.series) >= 2 and fig.layout.title.text.startswith("2 of the 3")
    for i, (small, series) in enumerate(zip(alone, view.series, strict=True)):
        n = "" if i == 0 else str(i + 1)
        traces = [t for t in fig.data if t.xaxis == f"x{n}" and t.yaxis == f"y{n}"]
        assert [(t.name, list(t.y)) for t in traces] == [(t.name, list(t.y)) for t in small.data]
        drawn = [s for s in fig.layout.shapes if s.xref == f"x{n}"]  # the change point, here
        assert len(drawn) == len(small.layout.shapes) >= 1
        assert all(s.yref in (f"y{n}", f"y{n} domain") for s in drawn)
        assert fig.layout[f"xaxis{n}"].range == small.layout.xaxis.range
        heads = [a.text for a in fig.layout.annotations if a.text.startswith(series.label)]
        assert heads == [f"{series.label}<br><span style='font-size:12px'>"
                         f"{small.layout.title.subtitle.text}</span>"]


def test_year_on_year_draws_a_line_a_year_with_different_dashes(store):
    season = trends.seasonality(store.cursor(), YEAR_2025)
    fig = trend_charts.year_on_year_chart(season, "t", view="board", y_title="Incidents")
    assert [t.name for t in fig.data] == ["2024", "2025"]
    assert len({t.line.dash for t in fig.data}) == 2


def test_the_profile_marks_the_busiest_month_by_colour_and_words(store):
    season = trends.seasonality(store.cursor(), YEAR_2025)
    fig = trend_charts.profile_chart(season, "t", view="board", y_title="Incidents")
    bar = fig.data[0]
    top = list(bar.x).index("Nov")
    assert bar.marker.color[top] == ORANGE and bar.text[top] == "Most"


def test_the_board_chart_draws_rounded_points_and_no_exact_average_or_limits(store):
    alder = trends.trend_view(store.cursor(), ALL, split="ward", view="board").series[0]
    fig = trend_charts.xmr_chart(alder, alder.label, view="board", y_title="Incidents")
    names = {t.name for t in fig.data}
    assert not names & {"Average", "Process limits", "Two-sigma band"}
    drawn = [v for t in fig.data if t.mode == "markers" for v in t.y if v == v]
    assert drawn and all(v % 5 == 0 for v in drawn)
    lead = trend_charts.xmr_chart(alder, alder.label, view="lead", y_title="Incidents")
    assert {"Average", "Process limits"} <= {t.name for t in lead.data}


def _types(n: int, values=(6, None, 9)) -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=len(values), freq="MS")
    return pd.concat([pd.DataFrame({"risk_type": f"r{i}", "month": months, "value": values})
                      for i in range(n)])


def test_each_risk_type_is_a_panel_of_one_figure_with_its_own_title_and_gaps():
    from analytics.style.charts import trend_grid

    fig = trend_grid(_types(4), {f"r{i}": f"Type {i}: 15 in the period" for i in range(4)},
                     "Type 0 had the most incidents: 15 in the period")
    assert [a.text for a in fig.layout.annotations] == [
        f"Type {i}: 15 in the period" for i in range(4)]
    assert len(fig.data) == 4 and all(np.isnan(t.y[1]) for t in fig.data)  # hidden: a gap
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3", "x4"}
    assert fig.layout.xaxis5.visible is False  # the last row's empty panels are not drawn


def test_one_risk_type_takes_the_whole_width():
    from analytics.style.charts import trend_grid

    fig = trend_grid(_types(1), {"r0": "Type 0: 15 in the period"}, "Type 0")
    assert fig.layout.xaxis.domain[1] == 1.0 and "xaxis2" not in fig.layout.to_plotly_json()
