"""The map tooltips and the reasons each place ranks where it does are worked out a column at
a time, and say exactly what the row-by-row versions said (tests/loop_references.py), in every
view, on the demo borough and on edge cases."""

import pandas as pd
import pytest

from analytics.contexts import priorities
from analytics.interventions import interventions
from analytics.places import maps, places
from analytics.store import reference
from analytics.store.filters import DEFAULT_PERIOD, Filters, period_dates
from tests import loop_references as ref

VIEWS = ("analyst", "lead", "board")


@pytest.fixture(scope="module")
def demo(demo_store):
    con = demo_store.cursor()
    facts = reference.data_facts(con)
    start, end = period_dates(DEFAULT_PERIOD, facts.latest_incident, facts.first_incident)
    filters = Filters(start=start, end=end, period=DEFAULT_PERIOD)
    return {"register": interventions.register(con, filters),
            "points": places.context_points(con, filters),
            "ranked": priorities.rank(con, filters)}


def rows(layers: list) -> list[dict]:
    return layers[0].data if layers else []


@pytest.mark.parametrize("view", VIEWS)
def test_intervention_marks_say_what_the_loop_said(demo, view):
    assert rows(maps.intervention_layer(demo["register"], view)[0]) == ref.intervention_rows(
        demo["register"], view)


def test_intervention_marks_with_blanks_and_several_at_one_place(demo):
    register = demo["register"].head(4).copy()
    register["context_id"] = register["context_id"].iloc[0]
    register.loc[register.index[1], "ended_on"] = register["started_on"].iloc[1]
    register.loc[register.index[2], ["intervention_type", "lead_label"]] = ""
    register.loc[register.index[3], "partner_labels"] = "Police, Health"
    register.loc[register.index[0], "context_name"] = "@@=alert(1) \u202eevil"
    new = rows(maps.intervention_layer(register, "analyst")[0])
    assert new == ref.intervention_rows(register, "analyst")
    assert len(new) == 1 and new[0]["tip"].count("began") == 4


@pytest.mark.parametrize("view", VIEWS)
def test_place_circles_say_what_the_loop_said(demo, view):
    new = rows(maps.context_layer(demo["points"], view, "12 months")[0])
    assert new == ref.place_rows(demo["points"], view, "12 months")


def test_place_circles_with_no_risks_small_counts_and_no_change(demo):
    points = demo["points"].head(5).copy()
    points["risks"] = [(), (("cse", 3),), (("zzz", 7), ("cce", 1)), (), ()]
    points["incidents"] = [3, 7, 12, 1234, 6]
    points["previous"] = [3, 2, 12, 20, 0]
    for view in (*VIEWS, "board+public"):
        assert rows(maps.context_layer(points, view, "6 months", "Crimes")[0]) == ref.place_rows(
            points, view, "6 months", "Crimes")


@pytest.mark.parametrize("view", VIEWS)
def test_reasons_say_what_the_loop_said(demo, view):
    new = priorities.explain(demo["ranked"], view, "12 months")
    old = ref.explain(demo["ranked"], view, "12 months")
    pd.testing.assert_frame_equal(new, old)


def test_reasons_on_edge_cases(demo):
    ranked = demo["ranked"].head(8).copy()
    ranked["incidents"] = [1, 2, 4, 4, 10, 1, 3000, 5]
    ranked["previous_incidents"] = [None, 3, 4, 9, 10, 0, 2500, 12]
    ranked["trend"] = [0.0, 0.5, -2.0, 3.0, 0.0, -0.2, 40.0, -1.0]
    ranked["repeat_young_people"] = [0, 1, 2, 7, 0, 1, 1500, 4]
    ranked["risk_types"] = [1, 2, 0, 12, 3, 1, 5, 2]
    ranked["top_risks"] = [(), ("CSE",), (), ("A", "B"), ("X", "Y"), ("Only",), ("C",), ()]
    ranked["high_severity_share"] = [None, 0.0, 0.25, 1.0, 0.333, None, 0.5, 0.004]
    ranked["area_crime"] = [None, 0, 12, 1234.0, None, 3, 0, 5]
    ranked["days_since_last"] = [0, 90, 89, 1000, 5, 365, 0, 90]
    ranked["signal"] = ["", "Three months above the upper limit", "", "X", "", "", "", ""]
    ranked["signal_assessment"] = ["", "concern", "", "improvement", "", "", "", ""]
    for view in VIEWS:
        pd.testing.assert_frame_equal(priorities.explain(ranked, view, "6 months"),
                                      ref.explain(ranked, view, "6 months"))


def test_no_places_explain_to_an_empty_list(demo):
    empty = demo["ranked"].head(0)
    assert list(priorities.explain(empty, "board", "12 months").columns) == [
        *empty.columns, "why", "where"]


def test_the_map_draws_the_busiest_places_and_says_how_many_it_left_out(demo, monkeypatch):
    monkeypatch.setattr(maps, "MAP_PLACES", 10)
    layers, legend = maps.context_layer(demo["points"], "analyst", "12 months")
    drawn = rows(layers)
    everyone = ref.place_rows(demo["points"], "analyst", "12 months")
    busiest = sorted(everyone, key=lambda r: -r["radius"])[:10]
    assert sorted(r["tip"] for r in drawn) == sorted(r["tip"] for r in busiest)
    assert f"the 10 busiest of {len(everyone):,}" in legend[0].label


def test_a_deck_is_sent_as_the_same_json_without_its_indentation(demo):
    import json

    import pydeck as pdk

    result = maps.interventions_map(demo["register"], "lead", wards=pd.DataFrame(
        columns=["ward_code", "ward_name", "shape"]), counts=pd.DataFrame(
        columns=["ward_code", "incidents", "rate"]))
    compact = result.deck.to_json()
    assert json.loads(compact) == json.loads(pdk.Deck.to_json(result.deck))
    assert "\n" not in compact and len(compact) < 0.8 * len(pdk.Deck.to_json(result.deck))
