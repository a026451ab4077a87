"""The Interventions page: the board's reading of each intervention, and the analyst's forms
(AppTest over the synthetic impact borough)."""

from datetime import date

import pytest

from analytics.interventions import impact
from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, shown_text
from tests.peers_borough import seed_impact

PAGE = "pages/interventions.py"
ALL = {"period": "all"}
ONE = {**ALL, "section": "One intervention"}  # the page's tabs, named in the address
REGISTER = {**ALL, "section": "The register"}


def open_section(at, name: str):
    """Click another of the page's tabs."""
    at.session_state["interventions_section"] = name
    return at.run()


@pytest.fixture
def impact_db(tmp_path):
    path = tmp_path / "impact.duckdb"
    store = Store(path)
    seed_impact(store)
    store.close()
    return path


def submit(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def test_the_board_reads_what_changed_and_the_detail_is_the_leads(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, ALL, monkeypatch)
    assert_no_exception(at)
    assert set(at.dataframe[0].value["Certainty"]) == {impact.FALL, impact.UNCLEAR}
    assert [t.label for t in at.tabs] == ["What changed", "One intervention", "The register"]
    assert "The detail of one intervention" in shown_text(open_section(at, "One intervention"))
    assert "impact-choice" not in [s.key for s in at.selectbox]


def test_a_lead_reads_what_changed_with_its_certainty_and_caveat(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**ONE, "view": "lead"}, monkeypatch)
    assert_no_exception(at)
    assert at.selectbox(key="impact-choice").value == "INT-2"  # more incidents before: first
    at.selectbox(key="impact-choice").set_value("INT-1").run()
    text = shown_text(at)
    assert "Since it began on 1 July 2024, incidents at Alder Park fell by about" in text
    assert impact.CAVEAT in text
    assert "Incidents rose clearly at Alder Takeaway (200 m away)" in text
    summary = open_section(at, "What changed").dataframe[0].value
    assert set(summary["Certainty"]) == {impact.FALL, impact.UNCLEAR}
    open_section(at, "The register")
    assert "Add to the register" not in [b.label for b in at.button]
    assert "Analysts can add an intervention" in shown_text(at)


def test_the_null_intervention_says_no_clear_change(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**ONE, "view": "lead"}, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "No clear change at Fir Park since it began on 1 July 2024" in text
    assert "There are no other recorded places within 500 metres." in text


def test_a_smaller_radius_finds_no_neighbours(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**ONE, "view": "lead"}, monkeypatch)
    at.selectbox(key="impact-choice").set_value("INT-1").run()
    at.select_slider(key="impact-radius").set_value(100).run()
    assert_no_exception(at)
    assert "There are no other recorded places within 100 metres." in shown_text(at)


def test_an_analyst_adds_an_intervention_and_sees_it_in_the_register(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**REGISTER, "view": "analyst"}, monkeypatch)
    at.selectbox(key="add-place").set_value("T2")
    at.selectbox(key="add-type").set_value("Lighting and CCTV")
    at.selectbox(key="add-lead").set_value("police")
    at.multiselect(key="add-partners").set_value(["health"])
    at.date_input(key="add-started").set_value(date(2025, 3, 1))
    at = submit(at, "Add to the register")
    assert_no_exception(at)
    assert ("Added “Lighting and CCTV” at Birch Takeaway (Takeaway or food outlet, Birch), "
            "from 1 March 2025 (record DASH-0001).") in shown_text(at)
    register = at.dataframe[-1].value
    assert "Birch Takeaway" in set(register["Place"])
    assert "Health" in set(register["Partners"])


def test_an_analyst_is_told_plainly_what_is_wrong_with_a_form(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**REGISTER, "view": "analyst"}, monkeypatch)
    at = submit(at, "Add to the register")
    assert_no_exception(at)
    assert "Choose the place where the intervention is." in [read(e.value) for e in at.error]
    at.selectbox(key="add-place").set_value("T2")
    at.date_input(key="add-started").set_value(date(2025, 3, 1))
    at = submit(at, "Add to the register")
    assert any("the type is blank" in e.value for e in at.error)


def test_an_analyst_records_an_end_and_a_bad_end_is_refused(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**REGISTER, "view": "analyst"}, monkeypatch)
    at.selectbox(key="end-which").set_value("INT-2")
    at.date_input(key="end-date").set_value(date(2024, 1, 31))
    at = submit(at, "Record the end")
    assert [read(e.value) for e in at.error] == [
        "The end date (31 January 2024) is before the start date (1 July 2024)."]
    at.selectbox(key="end-which").set_value("INT-2")
    at.date_input(key="end-date").set_value(date(2025, 6, 30))
    at = submit(at, "Record the end")
    assert_no_exception(at)
    assert "Recorded that Lighting and CCTV at Fir Park (from 1 July 2024) ended on 30 June 2025." \
        in shown_text(at)
    assert "30 June 2025" in set(at.dataframe[-1].value["Ended"])


def test_a_ward_filter_keeps_only_interventions_there(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**REGISTER, "ward": "W3"}, monkeypatch)
    assert_no_exception(at)
    assert at.dataframe[-1].value["Place"].tolist() == ["Fir Park"]


def test_a_period_before_any_intervention_says_so(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {"period": "custom", "from": "2023-01-01",
                                     "to": "2023-12-31"}, monkeypatch)
    assert_no_exception(at)
    assert "No interventions in the register ran at places in these wards" in shown_text(at)


def test_an_empty_selection_says_so_and_still_shows_the_register(impact_db, monkeypatch):
    at = open_page(impact_db, PAGE, {**ALL, "risk": "trafficking", "view": "analyst"},
                   monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)
    open_section(at, "The register")
    assert len(at.dataframe[-1].value) == 2
    assert "Add to the register" in [b.label for b in at.button]


def test_every_place_with_an_intervention_is_marked_on_a_map(impact_db, monkeypatch):
    import json

    at = open_page(impact_db, PAGE, REGISTER, monkeypatch)
    assert "Places with an intervention in the period" in [s.value for s in at.subheader]
    (deck,) = at.get("deck_gl_json_chart")
    layers = {layer["id"]: layer for layer in json.loads(deck.proto.json)["layers"]}
    marks = layers["interventions"]["data"]
    assert {m["tip"].split(" (")[0] for m in marks} == {"Alder Park", "Fir Park"}
    assert all(m["text"] == "◆" for m in marks)


def test_the_chart_draws_the_clearest_estimates_and_the_table_keeps_every_one(impact_db,
                                                                              monkeypatch):
    import json

    monkeypatch.setattr(impact, "CHART_ROWS", 1)
    at = open_page(impact_db, PAGE, ALL, monkeypatch)
    assert_no_exception(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [(t["name"], len(t["y"])) for t in spec["data"]] == [(impact.FALL, 1)]
    assert "the 1 of 2 estimates drawn are the clear falls and rises first" in shown_text(at)
    summaries = [d.value for d in at.dataframe if "Certainty" in d.value.columns]
    assert max(len(table) for table in summaries) == 2  # the summary table: every one
