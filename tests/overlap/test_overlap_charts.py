"""The overlap figures: colour scales, significance marks, words, and small numbers hidden in
board and lead views (built from the hand-checked boroughs in tests/overlap_fixtures.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analytics.overlap import overlap
from analytics.overlap import overlap_charts as oc
from analytics.store.store import Store
from analytics.style.charts import DIVERGING, SEQUENTIAL
from tests.overlap_fixtures import YEAR, medium_incidents, seed

SMALL = re.compile(r"(?<![\d.,])[1-4](?![\d.,%])")  # a bare count of 1 to 4


@pytest.fixture
def hand() -> Store:
    store = Store()
    seed(store)
    return store


@pytest.fixture
def medium() -> Store:
    store = Store()
    seed(store, medium_incidents())
    return store


def cell_texts(fig) -> dict[tuple[str, str], str]:
    """(row label, column label) -> the text written in that heatmap cell."""
    scatter = fig.data[1]
    return {(y, x): t for x, y, t in zip(scatter.x, scatter.y, scatter.text, strict=True)}


def strip_count(label: str) -> str:
    return label.rsplit(" (", 1)[0]


def test_lift_uses_the_diverging_scale_centred_on_chance(medium):
    fig = oc.heatmap(overlap.analyse(medium.cursor(), YEAR), "lift", "analyst")
    heat = fig.data[0]
    assert [c for _, c in heat.colorscale] == [c.upper() for c in DIVERGING] or [
        c for _, c in heat.colorscale] == DIVERGING
    assert heat.zmid == 0 and heat.zmin == -heat.zmax  # log2 scale: 1 = chance sits mid-scale
    assert "1 = chance" in heat.colorbar.ticktext


@pytest.mark.parametrize("measure", ["count", "jaccard", "share"])
def test_other_measures_use_the_sequential_scale(medium, measure):
    heat = oc.heatmap(overlap.analyse(medium.cursor(), YEAR), measure, "analyst").data[0]
    assert [c for _, c in heat.colorscale] == SEQUENTIAL and heat.zmin == 0


def test_significant_pairs_are_marked_in_the_cell_both_ways_round(medium):
    """cse and missing: 20 of 60 share both, lift 1.92, p far below 0.05 after correction."""
    texts = {(strip_count(r), strip_count(c)): t
             for (r, c), t in cell_texts(oc.heatmap(overlap.analyse(medium.cursor(), YEAR),
                                                   "lift", "analyst")).items()}
    assert texts[("Sexual exploitation", "Going missing")] == "1.9*"
    assert texts[("Going missing", "Sexual exploitation")] == "1.9*"
    assert not any(t.endswith("*") for (r, c), t in texts.items()
                   if {r, c} != {"Sexual exploitation", "Going missing"})


def test_the_share_cells_read_along_the_row(medium):
    texts = {(strip_count(r), strip_count(c)): t
             for (r, c), t in cell_texts(oc.heatmap(overlap.analyse(medium.cursor(), YEAR),
                                                   "share", "analyst")).items()}
    assert texts[("Sexual exploitation", "Going missing")] == "83%*"  # 20 of 24
    assert texts[("Going missing", "Sexual exploitation")] == "77%*"  # 20 of 26


def test_pairs_never_together_are_written_zero_and_left_uncoloured(medium):
    fig = oc.heatmap(overlap.analyse(medium.cursor(), YEAR), "lift", "analyst")
    labels = list(fig.data[0].y)
    z = pd.DataFrame(fig.data[0].z, index=labels, columns=labels)
    cse = next(lab for lab in labels if lab.startswith("Sexual"))
    cce = next(lab for lab in labels if lab.startswith("Criminal"))
    assert np.isnan(z.loc[cse, cce]) and cell_texts(fig)[(cse, cce)] == "0"


@pytest.mark.parametrize("view", ["board", "lead"])
@pytest.mark.parametrize("measure", ["count", "lift", "jaccard", "share"])
def test_board_and_lead_views_never_show_a_count_of_one_to_four(hand, medium, view, measure):
    for store in (hand, medium):
        for unit in overlap.UNITS:
            fig = oc.heatmap(overlap.analyse(store.cursor(), YEAR, unit=unit), measure, view)
            for (row, col), text in cell_texts(fig).items():
                if measure == "count":
                    assert not SMALL.fullmatch(text.rstrip("*")), (row, col, text)
            labels = list(fig.data[0].x)
            assert not any(re.search(r"\(([1-4])\)", lab) for lab in labels), labels


def test_measures_worked_out_from_small_counts_are_hidden_too(medium):
    """cce and hsb: 3 young people, lift 3 * 60 / (30 * 3) = 2. The lift would let a reader
    work the 3 out."""
    result = overlap.analyse(medium.cursor(), YEAR)
    board = {(strip_count(r), strip_count(c)): t
             for (r, c), t in cell_texts(oc.heatmap(result, "lift", "board")).items()}
    analyst = {(strip_count(r), strip_count(c)): t
               for (r, c), t in cell_texts(oc.heatmap(result, "lift", "analyst")).items()}
    key = ("Criminal exploitation", "Harmful sexual behaviour")
    assert board[key] == "<5" and analyst[key] == "2.0"
    table = oc.heatmap_table(result, "board")
    row = table[(table["Risk type A"] == "Criminal exploitation")
                & (table["Risk type B"] == "Harmful sexual behaviour")].iloc[0]
    assert (row["Both"], row["Lift"], row["Jaccard"], row["Stronger than chance"]) == (
        "<5", "<5", "<5", "<5")
    assert row["A"] == "30" and row["B"] == "<5"


def test_hover_text_in_board_view_hides_small_pairs(medium):
    fig = oc.heatmap(overlap.analyse(medium.cursor(), YEAR), "lift", "board")
    hovers = [h for row in fig.data[0].customdata for h in row]
    small = [h for h in hovers if "Criminal exploitation and harmful" in h]
    assert small and all("<5" in h and "Lift" not in h for h in small)


def test_the_legend_sentence_explains_the_measure_and_the_mark():
    sentence = oc.legend_sentence("share", "people", None)
    assert "Read along a row" in sentence and "*" in sentence
    assert "Fisher's exact test, one-sided" in sentence and "Benjamini-Hochberg" in sentence
    assert "within 7 days of each other" in oc.legend_sentence("count", "contexts", 7)
    assert "places" in oc.legend_sentence("count", "contexts", 7)
    assert "chance here is overlap anywhere in the period" in oc.legend_sentence("lift", "people", 30)
    with pytest.raises(ValueError):
        oc.legend_sentence("odds", "people", None)


def test_heatmap_titles_state_the_finding(medium, hand):
    result = overlap.analyse(medium.cursor(), YEAR)
    assert oc.heatmap_title(result, "lift", "board") == (
        "Sexual exploitation and going missing occur together 1.9 times as often as chance "
        "would give, anywhere in the period")
    assert oc.heatmap_title(result, "count", "board") == (
        "Sexual exploitation and going missing share the most young people: 20")
    assert oc.heatmap_title(result, "share", "board") == (
        "83% of young people with sexual exploitation also have going missing")
    assert oc.heatmap_title(overlap.analyse(hand.cursor(), YEAR), "lift", "board") == (
        "Too few young people share two risk types to say which overlap most")


# --- UpSet ----------------------------------------------------------------------------------

def test_upset_has_a_bar_per_combination_over_a_dot_matrix(medium):
    combos = overlap.combinations(medium.cursor(), YEAR)
    fig = oc.upset(combos, "people", "analyst")
    bars = fig.data[0]
    assert list(bars.y) == [27, 20, 6, 4, 3]
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"  # shared x
    columns = [t for t in fig.data if getattr(t, "mode", None) == "lines+markers"]
    assert len(columns) == 5
    rows = fig.layout.yaxis2.ticktext
    assert rows[0].startswith("Criminal exploitation (30)")
    assert fig.layout.title.text == (
        "Most common combination: sexual exploitation and going missing (20 young people)")


def test_upset_in_board_view_hides_small_bars_and_rounds_the_rest(medium):
    """Exact bars could be subtracted from the heatmap's exact totals: n(cse) 24 less
    cse+missing 20 would give away 'cse only', 4. Rounded to the nearest 5 they leave a range."""
    combos = overlap.combinations(medium.cursor(), YEAR)
    fig = oc.upset(combos, "people", "board")
    bars = fig.data[0]  # cce 27, cse+missing 20, missing 6; then cse only 4 and cce+hsb 3
    assert list(bars.y[:3]) == [25, 20, 5] and np.isnan(bars.y[3:]).all()
    assert list(bars.text) == ["25", "20", "5", "<5", "<5"]
    assert [h[0] for h in bars.customdata][3:] == [
        "Sexual exploitation only", "Criminal exploitation + Harmful sexual behaviour"]
    assert not {"3", "4", "6", "27"} & {h[1] for h in bars.customdata}
    marks = fig.data[1]
    assert list(marks.text) == ["<5", "<5"] and list(marks.x) == [3, 4]
    table = oc.upset_table(combos, "people", "board")
    assert table["Young people"].tolist() == ["25", "20", "5", "<5", "<5"]
    assert not any(re.search(r"\(([1-4])\)", t) for t in fig.layout.yaxis2.ticktext)
    assert oc.upset_table(combos, "people", "analyst")["Young people"].tolist() == [
        "27", "20", "6", "4", "3"]


def test_upset_orders_hidden_combinations_by_name_not_by_size():
    combos = pd.DataFrame({"key": ["c", "b", "a"], "combo": [("hsb",), ("cse",), ("cce",)],
                           "label": ["C", "B", "A"], "size": [1, 1, 1], "n": [9, 4, 1]})
    assert oc._upset_order(combos, "board")["key"].tolist() == ["c", "a", "b"]
    assert oc._upset_order(combos, "analyst")["key"].tolist() == ["c", "b", "a"]


def test_upset_title_when_no_one_has_two_risk_types():
    combos = pd.DataFrame({"key": ["cse"], "combo": [("cse",)], "label": ["x"], "size": [1],
                           "n": [9]})
    assert oc.upset_title(combos, "people", "board") == (
        "No young person has more than one risk type recorded")


# --- drill-down charts ----------------------------------------------------------------------

def test_ranked_bars_draw_no_bar_for_a_hidden_count():
    frame = pd.DataFrame({"name": ["Alder", "Birch"], "value": [12, 3]})
    fig = oc.ranked_bars(frame, "name", "value", "Most in Alder", "board", "Young people")
    assert list(fig.data[0].x) == [0, 12] and list(fig.data[0].text) == ["<5", "12"]
    fig = oc.ranked_bars(frame, "name", "value", "Most in Alder", "analyst", "Young people")
    assert list(fig.data[0].x) == [3, 12]


def _months(values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2025-01-01", periods=len(values), freq="MS"),
                         "value": values})


def test_trend_titles_compare_the_two_halves_of_the_period():
    monthly = _months([8, 8, 8, 12, 12, 12])
    assert oc.trend_title(monthly, "Both", "board") == (
        "Both: up to 12 a month in the last 3 months, from 8 in the 3 months before")
    assert oc.trend_title(_months([9, 10, 10, 9]), "Both", "board") == (
        "Both: steady at about 10 a month")
    assert oc.trend_title(_months([0, 0]), "Both", "board") == (
        "Both: none in any month of this period")


def test_trend_titles_give_no_averages_that_would_reveal_hidden_months():
    monthly = _months([20, 19, 8, 1, 1, 1])
    title = oc.trend_title(monthly, "Both", "board")
    assert title == "Both: fewer a month in the last 3 months than in the 3 months before"
    assert "from" not in oc.trend_title(monthly, "Both", "lead")
    assert "from 16" in oc.trend_title(monthly, "Both", "analyst")
    assert oc.trend_title(_months([0, 1, 0, 2]), "Both", "board") == (
        "Both: fewer than 5 in every month")
    fig = oc.trend(monthly, title, "board", "Young people")
    assert np.isnan(fig.data[0].y[-1]) and fig.data[0].y[0] == 20


def test_peak_sentence():
    assert oc.peak_sentence(_months([3, 9, 2]), "young people", "board") == (
        "The most in one month was 9, in February 2025.")
    assert oc.peak_sentence(_months([3, 1]), "young people", "board") == "No month had 5 or more."
    assert oc.peak_sentence(_months([3, 1]), "young people", "analyst") == (
        "The most in one month was 3, in January 2025.")


def test_the_two_or_more_sentence_is_rounded_like_the_bars(medium):
    """23 of 60 have two or more: cse+missing (20) and cce+hsb (3, hidden in board view)."""
    combos = overlap.combinations(medium.cursor(), YEAR)
    assert oc.multi_sentence(combos, "people", "analyst").startswith(
        "**23 of 60 young people (38%)** have two or more")
    board = oc.multi_sentence(combos, "people", "board")
    assert board.startswith("**About 25 of 60 young people** have two or more")
    only_small = combos[combos["key"] != "cse+missing"]
    assert oc.multi_sentence(only_small, "people", "lead").startswith("**<5 of 40 young people**")


def test_drill_down_tables_and_bars_can_be_rounded_like_the_combinations():
    frame = pd.DataFrame({"name": ["Alder", "Birch"], "members": [27, 3], "incidents": [31, 3]})
    table = oc.count_table(frame, {"name": "Ward", "members": "Young people",
                                   "incidents": "Incidents"}, ["Young people", "Incidents"],
                           "board", rounded=True)
    assert table.values.tolist() == [["Alder", "25", "30"], ["Birch", "<5", "<5"]]
    fig = oc.ranked_bars(frame, "name", "members", "Most in Alder", "board", "Young people",
                         rounded=True)
    assert list(fig.data[0].x) == [0, 25] and list(fig.data[0].text) == ["<5", "25"]


def test_the_count_diagonal_is_written_but_not_coloured(medium):
    """Totals dwarf the pairs; colouring them would wash every pair out to the palest blue."""
    fig = oc.heatmap(overlap.analyse(medium.cursor(), YEAR), "count", "analyst")
    z = np.array(fig.data[0].z, dtype=float)
    assert np.isnan(np.diag(z)).all() and np.nanmax(z) == 20
    texts = cell_texts(fig)
    label = fig.data[0].y[0]
    assert texts[(label, label)] == "24"


def test_top_titles_name_the_first_row():
    frame = pd.DataFrame({"name": ["Alder", "Birch"], "members": [27, 3]})
    assert oc.top_title(frame, "name", "members", "young people", "board", True, "in") == (
        "Most in Alder: 25 young people")
    assert oc.top_title(frame, "name", "members", "young people", "analyst", True, "at") == (
        "Most at Alder: 27 young people")


def test_with_a_window_lifts_under_one_are_not_coloured_as_less_than_chance(hand):
    """Within 7 days the chance baseline is overlap at any time, so cse with missing at 1.0 and
    anything lower say nothing about 'less often': those cells get no colour."""
    result = overlap.analyse(hand.cursor(), YEAR, window=7)
    fig = oc.heatmap(result, "lift", "analyst")
    heat = fig.data[0]
    assert [c for _, c in heat.colorscale] == DIVERGING[2:] and heat.zmin == 0
    assert np.isnan(np.array(heat.z, dtype=float)).all()  # every lift here is 1 or below
    texts = {(strip_count(r), strip_count(c)): t for (r, c), t in cell_texts(fig).items()}
    assert texts[("Sexual exploitation", "Going missing")] == "1.0"
    assert "left uncoloured" in oc.legend_sentence("lift", "people", 7)
    assert "orange less often" in oc.legend_sentence("lift", "people", None)


def test_ranked_bars_and_their_title_order_by_the_value_drawn():
    frame = pd.DataFrame({"name": ["Alder", "Birch"], "members": [3, 2], "incidents": [6, 40]})
    fig = oc.ranked_bars(frame, "name", "incidents", "t", "analyst", "Incidents")
    assert list(fig.data[0].customdata) == ["Alder", "Birch"]  # bottom to top: Birch on top
    assert oc.top_title(frame, "name", "incidents", "incidents", "analyst", False, "in") == (
        "Most in Birch: 40 incidents")


def test_two_places_of_one_name_are_two_bars():
    """police.uk names many locations alike ('On or near Shopping Area'): a category axis would
    stack them into one bar, the larger hidden behind the smaller."""
    frame = pd.DataFrame({"name": ["On or near Shopping Area", "On or near Mill Lane",
                                   "On or near Shopping Area"], "n": [146, 90, 12]})
    fig = oc.ranked_bars(frame, "name", "n", "t", "analyst", "Crimes")
    assert list(fig.data[0].x) == [12, 90, 146]
    assert len(set(fig.data[0].y)) == 3
    assert list(fig.layout.yaxis.ticktext) == ["On or near Shopping Area", "On or near Mill Lane",
                                               "On or near Shopping Area"]


@pytest.mark.parametrize(("view", "rounded", "expected"), [
    ("analyst", True, ""),
    ("lead", False, "; counts of 1 to 4, and measures worked out from them, show as <5"),
    ("lead", True, "; counts of 1 to 4, and measures worked out from them, show as <5; other "
                   "counts are rounded to the nearest 5"),
    ("board", False, "; counts of 1 to 4, and measures worked out from them, show as <5; other "
                     "counts are rounded to the nearest 5"),
    ("board", True, "; counts of 1 to 4, and measures worked out from them, show as <5; other "
                    "counts are rounded to the nearest 5"),  # said once, not twice
    ("board+public", True, ""),
])
def test_a_caption_says_once_which_counts_are_hidden_or_rounded(view, rounded, expected):
    assert oc.disclosure_note(view, rounded=rounded) == expected
