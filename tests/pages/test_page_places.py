"""The Places page as a reader sees it (AppTest over the seeded synthetic borough and the tiny one)."""

import json

import pytest

from analytics.places import places
from analytics.store.store import Store
from tests.apptest import assert_no_exception, each_section, open_page, shown_text
from tests.borough import build_borough
from tests.conftest import YEAR_2025

YEAR = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
WHEN = {**YEAR, "section": "When"}
# Each section (a tab, named in the address) and words only it shows.
SECTIONS = {"Map": ("Where harm concentrates", "Hot and cold spots in words"),
            "Concentration": ("How concentrated harm is", "Places with repeat incidents"),
            "When": ("When harm happens", "UK clock time"),
            "Types of place": ("Types of place", "four busiest types of place"),
            "Wards ranked": ("Wards ranked", "rate per 1,000")}


@pytest.fixture(scope="module")
def borough_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("places") / "borough.duckdb"
    store = Store(path)
    build_borough(store, seed=7, hot=True, planted=300)
    busiest = places.repeat_locations(store.cursor(), YEAR_2025).iloc[0]
    store.close()
    return path, busiest["context_id"], busiest["name"]



def table_with(at, column: str):
    """The first table on the page with this column."""
    return next(t.value for t in at.dataframe if column in t.value.columns)


def deck_spec(at) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1, "the page should draw one map"
    return json.loads(decks[0].proto.json)


def test_the_board_sees_the_hot_spot_in_words_and_on_the_map(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", YEAR, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Millbrook and its neighbours are a hot spot" in [s.value for s in at.subheader]
    assert "- Millbrook and its neighbours are a hot spot: 1.5 times the borough rate" in text
    assert "9,999 random rearrangements" in text
    assert "with fewer than 5 incidents are not drawn. 1 January 2025" in text  # one full stop
    spec = deck_spec(at)
    ids = [layer["id"] for layer in spec["layers"]]
    assert {"density", "wards", "hot-spots", "ward-names"} <= set(ids)
    density = next(layer for layer in spec["layers"] if layer["id"] == "density")
    assert all("<5" not in row["tip"] for row in density["data"])
    assert spec["mapStyle"] == "__MAP_STYLE__"  # no basemap tiles


def test_the_page_says_when_and_where_to_act(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", YEAR, monkeypatch)
    assert [t.label for t in at.tabs] == list(SECTIONS)
    for section, words in SECTIONS.items():
        at.session_state["places_section"] = section
        at.run()
        assert_no_exception(at)
        assert all(w in shown_text(at) for w in words), section
        assert at.query_params.get("section") == (None if section == "Map" else section)
    ranking = table_with(at, "Main risk types")
    assert ranking["Ward"].iloc[0] == "Millbrook"
    # the disclosure and scope scans open every tab with this, starting from the open one
    assert list(each_section(at)) == ["Wards ranked", *list(SECTIONS)[:-1]]


def test_only_the_open_section_is_worked_out_and_sent(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", {**YEAR, "section": "Wards ranked"},
                   monkeypatch)
    assert_no_exception(at)
    assert "Wards ranked" in [h.value for h in at.header]
    assert not at.get("deck_gl_json_chart") and not at.get("plotly_chart")
    at = open_page(borough_db[0], "pages/places.py", YEAR, monkeypatch)
    assert [h.value for h in at.header] == ["Where harm concentrates"]
    assert len(at.get("deck_gl_json_chart")) == 1


def test_a_link_to_a_section_this_page_lacks_opens_the_map_and_says_so(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", {**YEAR, "section": "Nowhere"}, monkeypatch)
    assert "The link's section ('Nowhere') is not one this page offers" in shown_text(at)
    assert [h.value for h in at.header] == ["Where harm concentrates"]


def test_hexagon_cells_and_rate_colouring(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", YEAR, monkeypatch)
    at.radio(key="places_unit").set_value("cell").run()
    at.radio(key="places_colour").set_value("rate").run()
    assert_no_exception(at)
    assert "The area around Millbrook is a hot spot" in shown_text(at)
    assert "normal approximation" in shown_text(at)
    ids = [layer["id"] for layer in deck_spec(at)["layers"]]
    assert "density" not in ids and ids[0] == "wards"


def test_the_board_view_shows_when_for_all_places_only(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", WHEN, monkeypatch)
    box = at.selectbox(key="places_when")
    assert box.options == ["All places in the selection"] and box.disabled


def test_one_place_for_the_when_charts(borough_db, monkeypatch):
    path, context_id, busiest = borough_db
    at = open_page(path, "pages/places.py", {**WHEN, "view": "lead"}, monkeypatch)
    box = at.selectbox(key="places_when")
    assert box.options[1] == busiest
    box.set_value(context_id).run()
    assert_no_exception(at)
    assert f"Incidents at {busiest} by day of the week" in shown_text(at)


def test_a_ward_filter_keeps_hot_spots_borough_wide(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", {**YEAR, "ward": "W00"}, monkeypatch)
    assert_no_exception(at)
    assert "Millbrook and its neighbours are a hot spot" in shown_text(at)
    assert "whatever wards are chosen" in shown_text(at)


def test_an_empty_selection_says_so_plainly(borough_db, monkeypatch):
    at = open_page(borough_db[0], "pages/places.py", {**YEAR, "risk": "trafficking"}, monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)
    assert not at.get("deck_gl_json_chart")


def test_without_boundaries_the_map_shows_places_and_says_why_there_are_no_hot_spots(
        tiny_db, monkeypatch):
    at = open_page(tiny_db, "pages/places.py", {**YEAR, "view": "analyst"}, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Where incidents happened" in text
    assert "Hot spots need the boundaries of at least 5 wards; there are none here." in text
    ids = [layer["id"] for layer in deck_spec(at)["layers"]]
    assert "places" in ids
    at.session_state["places_section"] = "Concentration"
    assert "Birch Station" in table_with(at.run(), "Place")["Place"].tolist()


def test_small_counts_are_hidden_from_the_board_but_not_the_analyst(tiny_db, monkeypatch):
    repeats = {**YEAR, "section": "Concentration"}
    board = open_page(tiny_db, "pages/places.py", repeats, monkeypatch)
    assert set(table_with(board, "Place")["Incidents"]) == {"<5"}
    analyst = open_page(tiny_db, "pages/places.py", {**repeats, "view": "analyst"}, monkeypatch)
    assert table_with(analyst, "Place")["Incidents"].tolist() == ["4", "3", "2"]
