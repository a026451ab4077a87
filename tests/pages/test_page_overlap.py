"""The Risk overlap page as a reader sees it (AppTest over the boroughs in overlap_fixtures)."""

from __future__ import annotations

import re

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, each_section, open_page, shown_text
from tests.overlap_fixtures import medium_incidents, seed

PAGE = "pages/overlap.py"
YEAR_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
COUNT_COLUMNS = {"A", "B", "Both", "Young people", "Places", "Incidents"}


@pytest.fixture
def medium_db(tmp_path):
    path = tmp_path / "medium.duckdb"
    store = Store(path)
    seed(store, medium_incidents())
    store.close()
    return path


@pytest.fixture
def hand_db(tmp_path):
    path = tmp_path / "hand.duckdb"
    store = Store(path)
    seed(store)
    store.close()
    return path


def small_counts_shown(at) -> list[str]:
    """Every place a count of 1 to 4 reaches the reader: in text, or in a table's count column."""
    found = re.findall(r"\b[1-4] (?:young (?:people|person)|places?|incidents?)\b|\([1-4]\)"
                       r"|\*\*[1-4]\*\*", shown_text(at))
    for frame in (d.value for d in at.dataframe):
        for column in COUNT_COLUMNS & set(frame.columns):
            found += [f"{column}={v}" for v in frame[column] if str(v) in {"1", "2", "3", "4"}]
    return found


WHERE = {**YEAR_2025, "section": "Where and when"}  # the page's tabs, named in the address


def every_section_text(at) -> str:
    """What a reader sees in every tab of the page, the open one first."""
    return "\n".join(shown_text(at) for _ in each_section(at))


def test_the_page_names_the_strongest_overlap_in_plain_english(medium_db, monkeypatch):
    at = open_page(medium_db, PAGE, {**YEAR_2025, "view": "analyst"}, monkeypatch)
    assert_no_exception(at)
    assert [t.label for t in at.tabs] == ["Which harms go together", "Most common combinations",
                                          "Where and when"]
    text = every_section_text(at)
    assert "Risk overlap" in text and "Which harms go together" in text
    assert ("**Sexual exploitation and going missing**: 20 young people have both recorded "
            "within 30 days of each other, 1.9 times what chance would give") in text
    assert "Of young people with sexual exploitation, 83% also have going missing." in text
    assert "**How to read the chart.** Lift is how many times more often" in text
    assert "**23 of 60 young people (38%)** have two or more" in text
    assert ("Young people with sexual exploitation and going missing recorded within 30 days "
            "of each other: **20**.") in text
    assert "collect many risk types" not in text


def test_over_the_whole_period_the_page_cautions_about_heavy_involvement(medium_db, monkeypatch):
    at = open_page(medium_db, PAGE, {**YEAR_2025, "view": "analyst"}, monkeypatch)
    at.selectbox(key="ov_window").set_value("period").run()
    assert_no_exception(at)
    text = every_section_text(at)
    assert "20 young people have both recorded, 1.9 times what chance would give" in text
    assert "young people involved in many incidents collect many risk types" in text
    assert ("Young people with sexual exploitation and going missing recorded anywhere in the "
            "period: **20**.") in text


@pytest.mark.parametrize("view", ["board", "lead"])
def test_board_and_lead_views_never_show_one_to_four(medium_db, hand_db, monkeypatch, view):
    for db in (medium_db, hand_db):
        at = open_page(db, PAGE, {**YEAR_2025, "view": view}, monkeypatch)
        for section in each_section(at):
            assert_no_exception(at)
            assert small_counts_shown(at) == [], section
        at.radio(key="ov_unit").set_value("contexts").run()
        for section in each_section(at):
            assert_no_exception(at)
            assert small_counts_shown(at) == [], section


def test_analyst_view_shows_the_exact_small_counts(medium_db, monkeypatch):
    at = open_page(medium_db, PAGE, {**YEAR_2025, "view": "analyst"}, monkeypatch)
    assert any(small_counts_shown(at) for _ in each_section(at))  # the check above can fail


def test_changing_unit_window_and_measure_redraws_without_error(hand_db, monkeypatch):
    at = open_page(hand_db, PAGE, {**WHERE, "view": "analyst"}, monkeypatch)
    assert ("Young people with sexual exploitation and going missing recorded within 30 days "
            "of each other: **3**.") in shown_text(at)  # the default window
    at.selectbox(key="ov_window").set_value("7").run()
    assert_no_exception(at)
    assert ("Young people with sexual exploitation and going missing recorded within 7 days "
            "of each other: **2**.") in shown_text(at)
    at.selectbox(key="ov_measure").set_value("share").run()
    at.session_state["overlap_section"] = "Which harms go together"
    assert "Read along a row" in shown_text(at.run())
    at.radio(key="ov_unit").set_value("contexts").run()
    assert_no_exception(at)
    assert "Out of 4 places with any risk type recorded" in shown_text(at)


def test_drilling_into_an_exact_combination(hand_db, monkeypatch):
    at = open_page(hand_db, PAGE, {**WHERE, "view": "analyst"}, monkeypatch)
    at.radio(key="ov_kind").set_value("exact").run()
    assert_no_exception(at)
    at.selectbox(key="ov_exact").set_value("cce+missing").run()
    assert_no_exception(at)
    assert ("Young people with exactly criminal exploitation and going missing recorded in the "
            "period: **1**.") in shown_text(at)


def test_an_empty_selection_says_so_plainly(hand_db, monkeypatch):
    at = open_page(hand_db, PAGE, {**YEAR_2025, "risk": "trafficking"}, monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)


def test_a_ward_with_a_single_risk_type_says_nothing_overlaps(hand_db, monkeypatch):
    at = open_page(hand_db, PAGE, {**YEAR_2025, "ward": "W3"}, monkeypatch)
    assert_no_exception(at)
    assert "Only one risk type is recorded for these young people" in shown_text(at)


def test_one_chosen_risk_type_compares_it_with_every_other(hand_db, monkeypatch):
    at = open_page(hand_db, PAGE, {**YEAR_2025, "risk": "cse", "view": "analyst"}, monkeypatch)
    assert_no_exception(at)
    assert "One risk type is chosen in the sidebar" in shown_text(at)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from analytics.demo import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    demo.generate(store)
    store.close()
    return path


def test_on_the_demo_borough_a_board_reads_the_planted_overlaps(demo_db, monkeypatch):
    at = open_page(demo_db, PAGE, {}, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Fictional demo data" in text
    assert "**Criminal exploitation and county lines**:" in text
    assert "**Sexual exploitation and going missing**:" in text
    assert all(small_counts_shown(at) == [] for _ in each_section(at))
    assert "Where and when each pair or combination of harms occurs is in the lead view" in \
        shown_text(at)  # each_section ends on the last tab
    at = open_page(demo_db, PAGE, {"section": "Where and when", "view": "lead"}, monkeypatch)
    at.radio(key="ov_kind").set_value("exact").run()
    assert_no_exception(at)
    assert small_counts_shown(at) == []


def test_the_board_views_combinations_say_once_that_counts_are_rounded(medium_db, monkeypatch):
    at = open_page(medium_db, PAGE, {**YEAR_2025, "view": "board",
                                     "section": "Most common combinations"}, monkeypatch)
    assert_no_exception(at)
    caption = next(c.value for c in at.caption if "exact combination" in c.value)
    assert caption.count("rounded to the nearest 5") == 1
