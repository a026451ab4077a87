"""The sidebar's selection (AppTest over the tiny borough): one selection for the session, kept
when a link drops the address, taken from an address that names another, cleared in one click.
The browser tests (tests/test_browser_navigation.py) click the same paths in Chromium."""

from __future__ import annotations

import pytest

from tests.apptest import assert_no_exception, open_page, through_app
from tests.police_area import police_store

CHOSEN = {"period": "24m", "ward": ["W1", "W2"], "risk": "cse", "context": "park",
          "agency": "police", "view": "lead"}


def widgets(at) -> dict:
    return {"period": at.sidebar.selectbox(key="f_period").value,
            "wards": at.sidebar.multiselect(key="f_wards").value,
            "risks": at.sidebar.multiselect(key="f_risks").value,
            "contexts": at.sidebar.multiselect(key="f_contexts").value,
            "agencies": at.sidebar.multiselect(key="f_agencies").value,
            "view": at.sidebar.radio(key="f_view").value}


def address(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


@pytest.fixture
def chosen(tiny_db, monkeypatch):
    through_app(monkeypatch)
    at = open_page(tiny_db, None, CHOSEN, monkeypatch)
    assert_no_exception(at)
    assert widgets(at) == {"period": "24m", "wards": ["W1", "W2"], "risks": ["cse"],
                           "contexts": ["park"], "agencies": ["police"], "view": "lead"}
    return at


def test_a_link_that_drops_the_address_keeps_the_selection_and_writes_it_back(chosen):
    before, written = widgets(chosen), address(chosen)
    chosen.query_params.clear()  # what Streamlit's own page links do
    chosen.switch_page("pages/trends.py").run()
    assert_no_exception(chosen)
    assert widgets(chosen) == before
    assert address(chosen) == written


def test_an_address_naming_another_selection_wins_as_back_and_forward_need(chosen):
    chosen.query_params.clear()
    chosen.query_params.update({"period": "6m", "risk": "missing"})  # an older history entry
    chosen.run()
    assert widgets(chosen) == {"period": "6m", "wards": [], "risks": ["missing"],
                               "contexts": [], "agencies": [], "view": "board"}
    assert address(chosen) == {"period": "6m", "risk": "missing"}


def test_clear_filters_returns_every_filter_to_its_default_and_keeps_the_view(chosen):
    clear = next(b for b in chosen.sidebar.button if b.label == "Clear filters")
    assert not clear.disabled
    clear.click().run()
    assert_no_exception(chosen)
    assert widgets(chosen) == {"period": "12m", "wards": [], "risks": [], "contexts": [],
                               "agencies": [], "view": "lead"}
    assert address(chosen) == {"view": "lead"}
    assert next(b for b in chosen.sidebar.button if b.label == "Clear filters").disabled


def test_a_change_in_the_sidebar_is_kept_on_the_next_page(chosen):
    chosen.sidebar.multiselect(key="f_risks").set_value(["cse", "missing"]).run()
    chosen.sidebar.radio(key="f_view").set_value("analyst").run()
    chosen.switch_page("pages/data.py").run()
    assert_no_exception(chosen)
    assert widgets(chosen)["risks"] == ["cse", "missing"] and widgets(chosen)["view"] == "analyst"
    assert address(chosen)["risk"] == ["cse", "missing"] and address(chosen)["view"] == "analyst"


@pytest.fixture(scope="module")
def police_db(tmp_path_factory):
    """The tiny police-only area (tests/police_area.py): street crime and stop and search."""
    path = tmp_path_factory.mktemp("police-sidebar") / "police.duckdb"
    police_store(path=path).close()
    return path


def source_widgets(at) -> dict:
    return {"source": at.sidebar.selectbox(key="f_source").value,
            "period": at.sidebar.selectbox(key="f_period").value,
            "outcomes": at.sidebar.multiselect(key="f_outcomes").value
            if any(w.key == "f_outcomes" for w in at.sidebar.multiselect) else None}


def test_the_source_is_kept_and_read_from_the_address_like_every_filter(police_db, monkeypatch):
    through_app(monkeypatch)
    at = open_page(police_db, None, {"source": "stop_search", "outcome": "arrest",
                                     "period": "all"}, monkeypatch)
    assert_no_exception(at)
    chosen = {"source": "stop_search", "period": "all", "outcomes": ["arrest"]}
    assert source_widgets(at) == chosen
    written = address(at)
    at.query_params.clear()  # a link that drops the address
    at.switch_page("pages/trends.py").run()
    assert_no_exception(at)
    assert source_widgets(at) == chosen and address(at) == written
    at.query_params.clear()
    at.query_params.update({"source": "street", "period": "6m"})  # back to an older entry
    at.run()
    assert source_widgets(at) == {"source": "street", "period": "6m", "outcomes": None}
    assert address(at) == {"source": "street", "period": "6m"}
    at.sidebar.selectbox(key="f_source").set_value("stop_search_children").run()
    at.switch_page("pages/places.py").run()  # a change in the sidebar carries to the next page
    assert_no_exception(at)
    assert source_widgets(at)["source"] == "stop_search_children"
    assert address(at)["source"] == "stop_search_children"


def test_clear_filters_keeps_the_source(police_db, monkeypatch):
    through_app(monkeypatch)
    at = open_page(police_db, None, {"source": "stop_search", "outcome": "arrest",
                                     "period": "all"}, monkeypatch)
    next(b for b in at.sidebar.button if b.label == "Clear filters").click().run()
    assert_no_exception(at)
    assert source_widgets(at) == {"source": "stop_search", "period": "12m", "outcomes": []}
    assert address(at) == {"source": "stop_search"}
