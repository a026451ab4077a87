"""Headlines and tables of the Places page, checked on hand-made results."""

import numpy as np
import pandas as pd

from analytics.places import hotspots, places
from analytics.places import places_charts as pc
from analytics.places.maps import LegendBin


def spots(*found, unit="ward", reason=""):
    return places.HotSpots(pd.DataFrame(), tuple(found), unit, "incidents", 9999, 1, 0.05, reason)


def test_map_headline_names_the_strongest_hot_spot_or_says_none_stands_out():
    hot = places.HotSpot(hotspots.HOT, "Millbrook", (), 2.3, 0.001)
    other = places.HotSpot(hotspots.HOT, "Ashby", (), 1.6, 0.02)
    assert pc.map_headline(spots(hot)) == "Millbrook and its neighbours are a hot spot"
    assert pc.map_headline(spots(hot, other)) == (
        "Millbrook and its neighbours are a hot spot (and 1 more)")
    assert pc.map_headline(spots()) == (
        "No ward stands out as a hot spot: the differences look like chance")
    assert pc.map_headline(spots(hot, unit="cell")) == "The area around Millbrook is a hot spot"
    assert pc.map_headline(spots(reason="no boundaries")) == "Where incidents happened"


def test_concentration_headline_and_its_table():
    conc = places.concentration_of(np.array([20, 5, 3] + [1] * 7 + [0] * 10))
    assert pc.concentration_headline(conc, "board") == (
        "The busiest 10% of the 20 places on record (2; 10 had incidents) had 71% of incidents")
    table = pc.concentration_table(conc, "board")
    assert table["Incidents there"].tolist() == ["20", "20", "25"]
    tiny = places.concentration_of(np.array([2, 1]))
    assert pc.concentration_headline(tiny, "board").startswith("Fewer than 5 incidents")
    assert pc.concentration_table(tiny, "board")["Share of incidents"].tolist() == ["–"] * 3


def test_when_headline_states_day_and_hours_but_not_small_counts():
    assert pc.when_headline(("Friday", 19, 73), "lead") == (
        "Incidents peak on Fridays, 19:00 to 22:00 (73 incidents in those hours)")
    assert pc.when_headline(("Friday", 19, 73), "board") == (
        "Incidents peak on Fridays, 19:00 to 22:00 (75 incidents in those hours)")
    assert pc.when_headline(("Friday", 22, 3), "board", " at Alder Park") == (
        "Too few incidents at Alder Park to show a peak time")
    assert pc.when_headline(("Friday", 22, 3), "analyst").endswith("22:00 to 01:00 (3 incidents "
                                                                   "in those hours)")


def test_when_heatmap_blanks_small_cells_in_the_board_view():
    grid = pd.DataFrame([(d, h, 0) for d in range(7) for h in range(24)],
                        columns=["day", "hour", "incidents"])
    grid.loc[0, "incidents"], grid.loc[1, "incidents"] = 3, 9
    fig = pc.when_heatmap(grid, "t", "board")
    z, text = fig.data[0].z, fig.data[0].text
    assert np.isnan(z[0][0]) and z[0][1] == 10 and text[0][0] == "<5"  # 9 rounded to 10
    assert pc.when_heatmap(grid, "t", "analyst").data[0].z[0][0] == 3


def test_when_table_protects_totals_against_differencing():
    grid = pd.DataFrame([(d, h, 0) for d in range(7) for h in range(24)],
                        columns=["day", "hour", "incidents"])
    grid.loc[0, "incidents"], grid.loc[1, "incidents"] = 3, 9
    table = pc.when_table(grid, "board").set_index("Day")
    assert table.loc["Monday", "00:00"] == "<5" and table.loc["Monday", "01:00"] == "[c]"


def test_month_and_type_headlines():
    months = pd.DataFrame({"month": range(1, 13), "incidents": [3] * 6 + [40] + [3] * 5,
                           "month_name": list(places.MONTHS)})
    assert pc.month_headline(months, "board") == "Most incidents in July (40)"
    types = pd.DataFrame({"context_type": ["park", "school"], "label": ["Park or open space",
                          "School or college"], "incidents": [30, 6], "previous": [20, 5],
                          "change": [10, 1]})
    assert pc.types_headline(types, "board", "12 months") == (
        "Park or open space had most incidents: 30, up 10 on the previous 12 months")
    assert pc.type_change_headline(types, "board", "12 months") == (
        "Park or open space changed most: up 10 on the previous 12 months")
    types.loc[0, "previous"] = 3
    assert pc.types_headline(types, "board", "12 months") == (
        "Park or open space had most incidents: 30")
    assert pc.types_table(types, "lead")["Change"].tolist() == ["–", "+1"]
    assert pc.types_table(types, "board")["Change"].tolist() == ["–", "+0"]  # 5 and 5, shown


def test_the_trend_headline_speaks_only_of_the_types_the_chart_draws():
    types = pd.DataFrame({"label": list("ABCDE"), "incidents": [50, 40, 30, 20, 10],
                          "previous": [49, 41, 29, 22, 60], "change": [1, -1, 1, -2, -50]})
    assert pc.type_change_headline(types, "lead", "12 months") == (
        "D changed most: down 2 on the previous 12 months")
    # rounded for the board, A to D read 50, 40, 30 and 20 against the same: none changed
    assert pc.type_change_headline(types, "board", "12 months") == (
        "Incidents a month at the busiest types of place")
    monthly = pd.DataFrame({"label": list("ABCDE"), "incidents": [50, 40, 30, 20, 10],
                            "month": pd.Timestamp("2025-01-01")})
    fig = pc.type_trend(monthly, "t", "board")
    assert [t.name for t in fig.data] == ["A", "B", "C", "D"]


def test_ranking_table_hides_rates_and_changes_beside_small_counts():
    rank = pd.DataFrame({"ward_name": ["Birch", "Alder"], "incidents": [40, 3],
                         "child_population": [2000, 1000],
                         "rate": [20.0, 3.0], "previous": [30, 2], "change": [10, 1],
                         "main_risks": ["Criminal exploitation", ""], "main_places": ["Park", ""]})
    board = pc.ranking_table(rank, "board")
    assert board["Incidents"].tolist() == ["40", "<5"]
    assert board["Per 1,000 children"].tolist() == ["20.0", "–"]
    assert board["Change"].tolist() == ["+10", "–"]
    assert pc.ranking_table(rank, "analyst")["Per 1,000 children"].tolist() == ["20.0", "3.0"]


def test_a_board_rate_times_the_population_gives_back_only_the_rounded_count():
    # 43 incidents among 2,000 children: 21.5 from the exact count gives 43 back; the board's
    # rate is of the 45 it shows
    rank = pd.DataFrame({"ward_name": ["Birch"], "incidents": [43], "child_population": [2000],
                         "rate": [21.5], "previous": [30], "change": [13],
                         "main_risks": [""], "main_places": [""]})
    rate = float(pc.ranking_table(rank, "board")["Per 1,000 children"].iloc[0])
    assert rate * 2000 / 1000 == 45


def test_repeat_table_does_not_name_home_addresses_on_the_board():
    repeat = pd.DataFrame({"name": ["12 Elm Road"], "context_type": ["residential"],
                           "ward_name": ["Alder"], "type": ["Residential address"],
                           "incidents": [7], "months": [3],
                           "first": [pd.Timestamp("2025-01-02").date()],
                           "last": [pd.Timestamp("2025-05-09").date()], "main_risk": ["Going missing"]})
    board = pc.repeat_table(repeat, "board")
    assert board["Place"].tolist() == ["A home address in Alder"]
    assert board["First"].tolist() == ["2 January 2025"]


def test_legend_figure_draws_each_entry_with_its_shape():
    fig = pc.legend_figure([LegendBin("#12436D", "up to 10"),
                            LegendBin("#801650", "▲ hot spot", "outline"),
                            LegendBin("#3D3D3D", "place", "ring")], "Incidents")
    assert [t.text[0] for t in fig.data] == ["up to 10", "▲ hot spot", "place"]
    assert [t.marker.symbol for t in fig.data] == ["square", "square-open", "circle-open"]
