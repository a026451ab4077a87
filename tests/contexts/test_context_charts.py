"""The Where to intervene figures: shapes as well as colours, titles that state the finding,
hidden counts never drawn to scale."""

import numpy as np
import pandas as pd
import pytest

from analytics.contexts import context_charts
from analytics.contexts.clustering import cluster_profiles
from analytics.style.charts import PALETTE
from tests.synthetic_contexts import synthetic_profiles


@pytest.fixture(scope="module")
def grouped():
    return cluster_profiles(synthetic_profiles(120, seed=11, groups=4)[0], k=4)


def test_scatter_gives_each_group_its_own_colour_and_marker_shape(grouped):
    names = dict(zip(grouped.groups["group"], grouped.groups["name"], strict=True))
    fig = context_charts.cluster_scatter(grouped.members, names, grouped.explained, "t")
    assert len(fig.data) == 4
    assert [t.marker.color for t in fig.data] == list(PALETTE[:4])
    assert len({t.marker.symbol for t in fig.data}) == 4
    assert fig.data[0].name.startswith("A: ")
    assert "%" in fig.layout.xaxis.title.text


def test_scatter_hover_names_places_but_carries_no_counts(grouped):
    names = dict(zip(grouped.groups["group"], grouped.groups["name"], strict=True))
    fig = context_charts.cluster_scatter(grouped.members, names, grouped.explained, "t")
    assert "incident" not in fig.data[0].hovertemplate.lower()


def test_scatter_draws_at_most_six_groups():
    members = pd.DataFrame({"group": list("ABCDEFG"), "x": range(7), "y": range(7),
                            "name": list("abcdefg"), "context_label": ["Park"] * 7})
    fig = context_charts.cluster_scatter(members, {g: g for g in "ABCDEFG"}, (0.5, 0.2), "t")
    assert len(fig.data) == context_charts.MAX_GROUPS_DRAWN == 6


def test_a_large_scatter_draws_a_sample_of_each_group_in_proportion_to_its_size():
    members = pd.DataFrame({"group": ["A"] * 2000 + ["B"] * 900 + ["C"] * 100,
                            "x": range(3000), "y": range(3000)})
    drawn = context_charts.drawn_members(members, n=300)
    assert drawn["group"].value_counts().to_dict() == {"A": 200, "B": 90, "C": 30}  # C: at least
    assert drawn.index.isin(members.index).all() and drawn.index.is_unique
    assert drawn.equals(context_charts.drawn_members(members, n=300))  # the same every time
    assert context_charts.drawn_words(drawn, members) == (
        "; 320 of the 3,000 places are drawn, a random sample of each group in proportion to its "
        "size (the table has every one)")


def test_a_scatter_of_few_places_draws_every_one(grouped):
    drawn = context_charts.drawn_members(grouped.members)
    assert drawn is grouped.members and context_charts.drawn_words(drawn, grouped.members) == ""


def test_scatter_title_names_the_number_of_groups_and_the_largest(grouped):
    title = context_charts.scatter_title(grouped.groups)
    top = grouped.groups.iloc[0]
    assert title == (f"The places fall into 4 groups; the largest, A, has {top['places']} places")


def test_heatmap_is_centred_on_the_average_with_one_row_per_feature(grouped):
    fig = context_charts.profile_heatmap(grouped.profile, "t")
    heat = fig.data[0]
    assert heat.zmid == 0 and heat.zmin == -heat.zmax
    assert list(heat.y) == list(grouped.profile.columns)
    assert list(heat.x) == [f"Group {g}" for g in "ABCD"]


def test_heatmap_title_states_the_strongest_difference():
    profile = pd.DataFrame({"Share at night": [0.2, -1.7], "County lines": [1.1, 0.3]},
                           index=pd.Index(["A", "B"], name="group"))
    assert context_charts.heatmap_title(profile) == (
        "Group B stands out most: share at night 1.7 standard deviations below average")


def _timeline(values):
    return pd.DataFrame({"month": pd.date_range("2025-01-01", periods=len(values), freq="MS"),
                         "incidents": values,
                         "shown": ["<5" if pd.isna(v) else str(v) for v in values]})


def test_timeline_marks_hidden_months_as_shown_at_no_height():
    frame = _timeline([0, np.nan, 7, 9, np.nan])
    frame.loc[4, "shown"] = "[c]"
    fig = context_charts.timeline(frame, [], "t")
    bars, hidden = fig.data[0], fig.data[1]
    assert list(bars.y) == [0, 7, 9]
    assert list(hidden.y) == [0, 0] and list(hidden.text) == ["<5", "[c]"]


def test_timeline_marks_interventions_with_a_dashed_line_and_a_legend_entry():
    fig = context_charts.timeline(_timeline([5, 6, 7]), [pd.Timestamp("2025-02-01").date()], "t")
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].line.dash == "dash"
    assert any(t.name == "Intervention began" for t in fig.data)


def test_timeline_title_names_the_peak_month_or_says_all_were_small():
    assert context_charts.timeline_title("Alder Park", _timeline([5, 9, 6])) == (
        "Alder Park: with the most incidents in February 2025")
    assert context_charts.timeline_title("Alder Park", _timeline([5, 9, 16]), 2.5) == (
        "Alder Park: rising, with the most incidents in March 2025")
    assert context_charts.timeline_title("Alder Park", _timeline([np.nan, 0, np.nan])) == (
        "Alder Park: every month had fewer than 5 incidents or none")


def test_risk_bars_label_hidden_counts_and_draw_them_at_zero():
    frame = pd.DataFrame({"label": ["County lines", "Going missing"],
                          "incidents": [12, np.nan], "shown": ["12", "<5"]})
    bars = context_charts.risk_bars(frame, "t").data[0]
    assert list(bars.x) == [0, 12] and list(bars.text) == ["<5", "12"]
