"""One story everywhere: the same settings give the same figure on every page, slide and in the
pack; a place has one name; words never contradict the figure beside them (issue 18).

On the demo borough (generated once a session), under the last 12 months in the board view.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from analytics.board import briefing, overview
from analytics.contexts import clustering, priorities
from analytics.interventions import interventions
from analytics.overlap import overlap
from analytics.places import places
from analytics.places import places_charts as pc
from analytics.store.filters import Filters
from analytics.trends import trends

BOARD = "board"


@pytest.fixture(scope="module")
def year(demo_store) -> Filters:
    from analytics.demo.demo import default_end

    end = default_end()
    return Filters(start=date(end.year - 1, end.month, 1) if end.month < 12 else
                   date(end.year, 1, 1), end=end, period="12m")


def test_the_packs_overlap_figure_is_the_risk_overlap_pages_and_states_its_window(demo_store,
                                                                                 year):
    con = demo_store.cursor()
    section = briefing.section(con, year, "overlap", BOARD)
    page = overlap.analyse(con, year, unit="people",
                           window=overlap.WINDOW_DAYS[overlap.DEFAULT_WINDOW])
    top = overlap.strongest(page).iloc[0]
    told = overlap.pair_headline(top["a_label"], top["b_label"], top["lift"], page.window)
    assert "within 30 days of each other" in told
    assert any(p.startswith(told) for p in section.points)
    assert section.figures[0].layout.title.text.replace("<br>", " ") == told


def test_a_home_has_one_name_on_every_page_and_in_the_pack(demo_store, year):
    con = demo_store.cursor()
    ranked = priorities.explain(priorities.rank(con, year, view=BOARD), BOARD, "12 months")
    homes = ranked[ranked["context_type"] == "residential"]
    assert not homes.empty and homes["name"].str.startswith("A home address").all()
    by_place = trends.signals(con, year, by=("context",), view=BOARD).frame
    told = set(by_place["label_a"]) & set(ranked["name"])
    assert not any(re.search(r"Residential address R\d+", n) for n in by_place["label_a"])
    assert told or by_place.empty
    groups = clustering.cluster_contexts(con, year, view=BOARD)
    assert not groups.members["name"].str.contains(r"Residential address R\d+").any()
    pack = briefing.section(con, year, "priorities", BOARD)
    assert not any(re.search(r"Residential address R\d+", line) for line in pack.summary)


def test_a_place_down_on_last_year_is_never_just_rising_beside_it():
    row = pd.Series({"incidents": 280, "previous_incidents": 360, "trend": 0.3, "months": 12,
                     "risk_types": 1, "top_risks": ("Criminal exploitation",),
                     "repeat_young_people": 0})
    words = priorities.reason(row, BOARD, "12 months")
    assert "down from 360, but rising within the 12 months" in words
    row["previous_incidents"] = 200
    assert "up from 200; rising within the 12 months" in priorities.reason(row, BOARD,
                                                                          "12 months")


def test_a_year_on_year_change_the_chart_does_not_call_a_signal_says_so(demo_store, year):
    con = demo_store.cursor()
    tv = trends.trend_view(con, year, measure="young_people", view=BOARD)
    season = trends.seasonality(con, year, measure="young_people", view=BOARD)
    words = trends.year_on_year_sentence(season, "young people", tv.overall)
    if tv.overall.current_signal is None and "about the same" not in words:
        assert words.endswith("within the ups and downs the control chart expects")
    fake = trends.Seasonality(season.by_year, season.profile, 2.3, 1.2, season.last_month)
    quiet = trends.TrendSeries("all", "Young people", tv.overall.result, "", tv.overall.counts)
    if quiet.current_signal is None:
        assert trends.year_on_year_sentence(fake, "young people", quiet) == (
            f"In the 12 months to {season.last_month:%B %Y}, 92% more young people a month "
            "than the 12 before, within the ups and downs the control chart expects")


def test_places_on_record_and_places_with_incidents_are_told_apart(demo_store, year):
    con = demo_store.cursor()
    conc = places.concentration(con, year)
    words = pc.concentration_headline(conc, BOARD)
    with_incidents = overview.totals(con, year).contexts
    assert f"{conc.places:,} places on record" in words
    assert f"{with_incidents:,} had incidents" in words


def test_an_intervention_at_a_home_is_marked_without_naming_it(demo_store, year):
    marked = trends.interventions(demo_store.cursor(), year,
                                  trends.window(demo_store.cursor(), year), "board")
    assert not marked["label"].str.contains(r"Residential address R\d+").any()
    assert marked["label"].str.contains("at a home address in ").any() or marked.empty


def test_no_intervention_label_names_a_home_in_any_view(demo_store):
    """The register's label reaches the Interventions page's charts and picker in every view."""
    register = interventions.register(demo_store.cursor(), Filters())
    at_home = register[register["context_type"] == "residential"]
    assert not at_home.empty  # the demo has interventions at homes
    assert not register["label"].str.contains(r"Residential address R\d+").any()
    assert at_home["label"].str.contains(" at a home address in ").all()
