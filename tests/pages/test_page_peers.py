"""The Peer groups page as each view sees it (AppTest over the three-group borough)."""

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, shown_text
from tests.peers_borough import seed_peers

PAGE = "pages/peers.py"
YEAR = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
PERSON_IDS = [f"P{n:02d}" for n in range(1, 14)]


@pytest.fixture
def peers_db(tmp_path):
    path = tmp_path / "peers.duckdb"
    store = Store(path)
    seed_peers(store)
    store.close()
    return path


def all_table_text(at) -> str:
    return "\n".join(df.value.to_csv() for df in at.dataframe)


def test_the_board_sees_groups_and_bridge_places_but_no_young_person(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, YEAR, monkeypatch)
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Peer groups": "3", "Young people in groups of 5 or more": "10",
                       "Largest group (young people)": "5", "Places shared by groups": "2"}
    text = shown_text(at)
    assert "1 smaller group (fewer than 5 young people) not described in this view" in text
    tables = all_table_text(at)
    assert "Birch Station" in tables and "Group 1" in tables
    assert not any(pid in tables or pid in text for pid in PERSON_IDS)
    assert "peers-level" not in [r.key for r in at.radio]


def test_the_lead_cannot_draw_young_people(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "view": "lead"}, monkeypatch)
    assert_no_exception(at)
    assert "peers-level" not in [r.key for r in at.radio]
    assert not any(pid in all_table_text(at) for pid in PERSON_IDS)


def test_the_analyst_sees_pseudonymous_ids_and_every_group(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "view": "analyst"}, monkeypatch)
    assert_no_exception(at)
    assert at.radio(key="peers-level").value == "Young people"
    tables = all_table_text(at)
    assert "P01" in tables and "Group 3" in tables
    assert "not described in this view" not in shown_text(at)
    assert {m.label: m.value for m in at.metric}["Young people in groups"] == "12"
    at.radio(key="peers-level").set_value("Groups").run()
    assert_no_exception(at)


def test_choosing_groups_to_colour_redraws_without_error(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "view": "analyst"}, monkeypatch)
    at.multiselect(key="peers-highlight").set_value(["Group 3"]).run()
    assert_no_exception(at)
    at.multiselect(key="peers-highlight").set_value([]).run()
    assert_no_exception(at)


def test_a_ward_filter_narrows_to_one_group_with_no_bridges(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "ward": "W3"}, monkeypatch)
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["Peer groups"] == "1"
    assert "No place is shared by 2 or more groups under these filters." in shown_text(at)


def test_a_month_where_everyone_was_alone_says_there_are_no_groups(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {"period": "custom", "from": "2025-10-01",
                                    "to": "2025-10-31"}, monkeypatch)
    assert_no_exception(at)
    assert "No two young people appear in the same incident" in shown_text(at)


def test_an_empty_selection_says_so_plainly(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "risk": "trafficking"}, monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)
    assert not at.metric


def test_linking_on_one_shared_incident_joins_more_young_people(peers_db, monkeypatch):
    at = open_page(peers_db, PAGE, {**YEAR, "view": "analyst"}, monkeypatch)
    assert "P07" in all_table_text(at)
    at.segmented_control(key="peers-min-shared").set_value(1).run()
    assert_no_exception(at)
    at.segmented_control(key="peers-min-shared").set_value(3).run()
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["Peer groups"] == "2"
