"""The pages on an area with only police.uk data, as a reader sees them (AppTest over the tiny
police-only area of tests/police_area.py: 18 street crimes in January to March 2025, 5 searches
in March 2025, two of them of children)."""

from __future__ import annotations

import json

import pytest

from tests.apptest import assert_no_exception, open_page, read, shown_text
from tests.police_area import police_store


@pytest.fixture(scope="module")
def police_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("police") / "police.duckdb"
    police_store(path=path).close()
    return path


def test_an_area_with_only_police_uk_data_opens_on_its_street_crime(police_db, monkeypatch):
    at = open_page(police_db, monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert at.selectbox(key="f_source").value == "street"
    assert at.query_params["source"] == "street"
    text = shown_text(at)
    # the last 12 months count back from March 2025, the latest month of street crime
    assert "police.uk street crime; 1 April 2024 to 31 March 2025" in text
    assert "Crimes 18" in text and "Young people" not in text
    assert "Data to March 2025" in text


def test_a_link_to_searches_of_children_hides_their_small_numbers_from_the_board(
        police_db, monkeypatch):
    at = open_page(police_db, query={"source": "stop_search_children", "period": "all"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Searches <5" in text  # two searches of children
    at = open_page(police_db, query={"source": "stop_search", "period": "all"},
                   monkeypatch=monkeypatch)
    assert "Searches 5" in shown_text(at)  # searches of anyone are not about children


def test_places_maps_the_lsoas_and_says_street_crime_has_no_time_of_day(police_db,
                                                                       monkeypatch):
    at = open_page(police_db, "pages/places.py", {"period": "all", "colour": "lsoa",
                                                  "spots_in": "lsoa"}, monkeypatch)
    assert_no_exception(at)
    assert "Where crimes concentrate" in shown_text(at)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    names = {row["text"] for layer in deck["layers"] if layer.get("id") == "ward-names"
             for row in layer["data"]}
    assert names == {f"Area 00{k}A" for k in range(1, 7)}  # the LSOAs, named on the map
    at.session_state["places_section"] = "When"
    at.run()
    assert "police.uk publishes street crime by month only" in shown_text(at)


def test_peer_groups_say_in_one_line_that_police_uk_names_no_people(police_db, monkeypatch):
    at = open_page(police_db, "pages/peers.py", monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert [read(i.value) for i in at.info] == [
        "police.uk street crime names no people, so it has no peer groups: choose "
        "partnership incidents in the sidebar to see them."]


def test_risk_overlap_reads_in_crime_words_and_keeps_its_bold(police_db, monkeypatch):
    at = open_page(police_db, "pages/overlap.py", {"period": "all"}, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Which crime types go together" in text and "crime types recorded" in text
    at.session_state["overlap_section"] = "Most common combinations"
    bold = [m.value for m in at.run().markdown if "of 6 places" in m.value]
    assert bold and bold[0].startswith("**2 of 6 places")  # the app's Markdown, still bold



def test_too_few_places_to_group_is_said_in_crime_words(police_db, monkeypatch):
    at = open_page(police_db, "pages/contexts.py",
                   {"period": "custom", "from": "2025-01-01", "to": "2025-03-31",
                    "section": "Places that look alike"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert "None of the 6 places has at least 10 crimes under these filters" in shown_text(at)


def test_the_overview_says_the_data_begin_after_the_period_it_would_compare_with(
        police_db, monkeypatch):
    at = open_page(police_db, query={"period": "custom", "from": "2025-01-01",
                                     "to": "2025-03-31"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "The data begin in January 2025, so there is no earlier period to compare with." in text
    assert "Changes compare with the period of the same length just before" not in text
    at.session_state["overview_section"] = "Where it changed most"
    text = shown_text(at.run())
    assert text.count("so there is no earlier period to compare with") == 2  # the tab says so too
    assert not [d for d in at.dataframe if "previous" in d.value.columns]  # no change on nothing


def test_the_records_of_street_crime_are_introduced_in_its_words(police_db, monkeypatch):
    at = open_page(police_db, "pages/records.py", {"period": "custom", "from": "2025-01-01",
                                                   "to": "2025-03-31", "view": "analyst"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "The individual crimes under the filters" in text and "police.uk names no one" in text
    assert "Young people" not in text and "18 crimes" in text
