"""Shareable views (AppTest): every filter and every page's own controls are written into the
address, and opening that address in a new session reproduces the view; the link offered for
copying leaves the view out; a link naming something a page does not offer says so."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, shown_text

YEAR = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture(scope="module")
def borough_db(tmp_path_factory):
    from tests.borough import build_borough

    path = tmp_path_factory.mktemp("share") / "borough.duckdb"
    store = Store(path)
    build_borough(store, seed=5, background=500, planted=80)
    store.close()
    return path


def _query(at) -> dict:
    """The address's query as a new session would receive it."""
    return {k: at.query_params[k] for k in at.query_params}


def _reopen(db, page, at, monkeypatch):
    return open_page(db, page, _query(at), monkeypatch)


def test_the_sidebar_filters_round_trip_through_the_address(borough_db, monkeypatch):
    asked = {"period": "24m", "ward": ["W12", "W03"], "risk": "cce", "context": "park",
             "agency": "police", "view": "lead"}
    at = open_page(borough_db, None, asked, monkeypatch)
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="f_period").value == "24m"
    assert at.sidebar.multiselect(key="f_wards").value == ["W03", "W12"]
    assert at.sidebar.multiselect(key="f_risks").value == ["cce"]
    assert at.sidebar.multiselect(key="f_contexts").value == ["park"]
    assert at.sidebar.multiselect(key="f_agencies").value == ["police"]
    assert at.sidebar.radio(key="f_view").value == "lead"
    written = _query(at)  # what the app wrote back: codes only, in a canonical order
    assert written["ward"] == ["W03", "W12"] and written["view"] in ("lead", ["lead"])
    again = open_page(borough_db, None, written, monkeypatch)
    assert _query(again) == written
    assert [m.value for m in again.metric] == [m.value for m in at.metric]
    assert shown_text(again) == shown_text(at)


def test_chosen_dates_round_trip_through_the_address(borough_db, monkeypatch):
    at = open_page(borough_db, None, {**YEAR, "view": "lead"}, monkeypatch)
    assert at.sidebar.date_input(key="f_dates").value == (date(2025, 1, 1), date(2025, 12, 31))
    again = _reopen(borough_db, None, at, monkeypatch)
    assert again.sidebar.date_input(key="f_dates").value == at.sidebar.date_input(
        key="f_dates").value
    assert shown_text(again) == shown_text(at)


# page, its script, (widget kind, key, value to set), the address parameter and code written
PAGE_CONTROLS = [
    ("pages/trends.py", "radio", "t_measure", "young_people", "measure", "young_people"),
    ("pages/trends.py", "selectbox", "t_split", "ward", "split", "ward"),
    ("pages/trends.py", "radio", "t_gran", "week", "each", "week"),
    ("pages/overlap.py", "radio", "ov_unit", "contexts", "unit", "contexts"),
    ("pages/overlap.py", "selectbox", "ov_measure", "jaccard", "measure", "jaccard"),
    ("pages/places.py", "radio", "places_colour", "rate", "colour", "rate"),
    ("pages/places.py", "toggle", "places_spots", False, "spots", "0"),
    ("pages/contexts.py", "slider", "w_volume", 5, "w_volume", "5"),
    ("pages/contexts.py", "radio", "cl_method", "agglomerative", "method", "agglomerative"),
    ("pages/peers.py", "segmented_control", "peers-min-shared", 1, "together", "1"),
]
# controls in a section other than their page's first (a tab: ui.components.sections)
SECTION_OF = {"cl_method": "Places that look alike", "t_split": "Which groups are changing?"}


@pytest.mark.parametrize(("page", "kind", "key", "value", "param", "code"), PAGE_CONTROLS)
def test_a_pages_own_control_round_trips_through_the_address(borough_db, monkeypatch, page,
                                                             kind, key, value, param, code):
    section = {"section": SECTION_OF[key]} if key in SECTION_OF else {}
    at = open_page(borough_db, page, {**YEAR, "view": "lead", **section}, monkeypatch)
    assert param not in at.query_params  # defaults leave the address clean
    _widget(at, kind, key).set_value(value).run()
    assert_no_exception(at)
    assert at.query_params[param] in (code, [code])
    again = _reopen(borough_db, page, at, monkeypatch)
    assert_no_exception(again)
    assert _widget(again, kind, key).value == value
    assert at.title[0].value == again.title[0].value


def _widget(at, kind: str, key: str):
    if kind == "segmented_control":
        return next(w for w in at.get("button_group") if w.key == key)
    return getattr(at, kind)(key=key)


def test_a_place_chosen_on_where_to_intervene_reopens_from_its_link(borough_db, monkeypatch):
    from analytics.contexts import priorities
    from analytics.store.filters import Filters

    store = Store(borough_db)
    try:
        ranked = priorities.rank(store.cursor(), Filters(start=date(2025, 1, 1),
                                                         end=date(2025, 12, 31), period="custom"))
    finally:
        store.close()
    second = ranked["context_id"].iloc[1]
    at = open_page(borough_db, "pages/contexts.py", {**YEAR, "view": "lead", "section": "One place"},
                   monkeypatch)
    at.selectbox(key="detail_place").set_value(second).run()
    assert at.query_params["place"] in (second, [second])
    again = _reopen(borough_db, "pages/contexts.py", at, monkeypatch)
    assert again.selectbox(key="detail_place").value == second


def test_the_copy_link_carries_every_filter_and_control_but_not_the_view(borough_db,
                                                                         monkeypatch):
    at = open_page(borough_db, "pages/trends.py", {**YEAR, "risk": "cse", "view": "analyst"},
                   monkeypatch)
    at.radio(key="t_measure").set_value("young_people").run()
    link = at.code[0].value
    assert "period=custom" in link and "from=2025-01-01" in link and "risk=cse" in link
    assert "measure=young_people" in link
    assert "view=" not in link


def test_a_link_naming_an_option_a_page_does_not_offer_falls_back_with_a_notice(borough_db,
                                                                                monkeypatch):
    at = open_page(borough_db, "pages/trends.py", {**YEAR, "measure": "nonsense"}, monkeypatch)
    assert_no_exception(at)
    assert "The link's measure ('nonsense') is not one this page offers" in shown_text(at)
    assert at.radio(key="t_measure").value == "incidents"
    assert "measure" not in at.query_params
