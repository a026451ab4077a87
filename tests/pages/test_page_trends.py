"""The Trends page as a reader sees it (AppTest over the hand-written trend borough)."""

from datetime import date

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, shown_text
from tests.trend_fixture import seed_trend_borough

YEAR_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture(scope="module")
def borough_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("trends") / "trends.duckdb"
    store = Store(path)
    seed_trend_borough(store)
    store.close()
    return path


def trends_page(db, monkeypatch, **query):
    return open_page(db, "pages/trends.py", {**YEAR_2025, **query}, monkeypatch)


def open_section(at, name: str):
    """Click another of the page's tabs."""
    at.session_state["trends_section"] = name
    return at.run()


def frames(at):
    return [d.value for d in at.dataframe]


def test_the_page_names_the_signals_in_words(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, view="lead")
    assert_no_exception(at)
    assert [t.label for t in at.tabs] == ["Is it changing?", "Which groups are changing?",
                                          "Signals worth a look", "Same time last year"]
    assert "By risk type" not in shown_text(at)  # the next tab's: the measure as a whole first
    assert "By risk type" in shown_text(open_section(at, "Which groups are changing?"))
    text = shown_text(open_section(at, "Signals worth a look"))
    assert "2 current signals of rising harm across 3 risk type and ward pairs" in text
    assert "2 current signals of rising harm across 3 places" in text
    signals = next(f for f in frames(at) if "What changed" in f)
    assert signals["What changed"].tolist() == [
        "Above the average for 8 months in a row", "November 2025 was above the upper limit"]
    assert signals["Since"].tolist() == ["May 2025", "November 2025"]
    assert "reaching back before the chosen period" in text
    assert "one line a year" not in text  # another tab's
    assert "one line a year" in shown_text(open_section(at, "Same time last year"))


def test_small_totals_are_hidden_in_the_board_view(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, section="Which groups are changing?")
    at.selectbox(key="t_split").set_value("ward").run()
    assert_no_exception(at)
    table = next(f for f in frames(at) if "What it shows" in f)
    totals = dict(zip(table["Ward"], table["Incidents in the window"], strict=True))
    assert totals["Not recorded"] == "<5" and totals["Alder"] == "90"  # 88, rounded to 5


def test_the_analyst_view_shows_exact_small_totals(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, view="analyst", section="Which groups are changing?")
    at.selectbox(key="t_split").set_value("ward").run()
    table = next(f for f in frames(at) if "What it shows" in f)
    assert dict(zip(table["Ward"], table["Incidents in the window"], strict=True))[
        "Not recorded"] == "4"


def test_an_empty_selection_says_so_plainly(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, risk="trafficking")
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)


def test_a_ward_filter_narrows_the_signals(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, ward="W2", section="Signals worth a look")
    assert_no_exception(at)
    text = shown_text(at)
    assert "No current signals of rising harm across 1 risk type and ward pair" in text
    assert "No risk type and ward pair shows a signal in this period." in text


def test_series_all_too_rare_to_judge_are_said_so_not_counted_as_no_signal_across_none(
        borough_db, monkeypatch):
    # radicalisation: one incident in four months, online (series D)
    at = trends_page(borough_db, monkeypatch, risk="radicalisation",
                     section="Signals worth a look")
    assert_no_exception(at)
    text = shown_text(at)
    assert "No place has enough incidents a month to judge" in text
    assert "No risk type and ward pair has enough incidents a month to judge" in text
    assert "across 0" not in text and "shows a signal in this period" not in text
    assert "1 averages under 1 a month and is too rare to judge" in text


def test_weekly_points_work_and_drop_the_month_of_year_charts(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch)
    at.radio(key="t_gran").set_value("week").run()
    assert_no_exception(at)
    assert "Incidents a week" in shown_text(at)
    text = shown_text(open_section(at, "Same time last year"))
    assert 'compares calendar months: set "Each point is a" to month' in text
    assert not at.get("plotly_chart")


def test_a_rate_where_no_population_is_known_says_why(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, ward="W3")
    at.radio(key="t_measure").set_value("rate").run()
    assert_no_exception(at)
    assert "no rate" in shown_text(at)


def test_young_people_measure_explains_how_people_are_counted(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch)
    at.radio(key="t_measure").set_value("young_people").run()
    assert_no_exception(at)
    assert "A young person is counted once in each period they appear in." in shown_text(at)


def test_a_change_point_at_an_intervention_recalculates_the_limits(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch)
    options = at.selectbox(key="t_change").options
    assert "January 2025 (Detached youth work at Alder Park started)" in options
    at.selectbox(key="t_change").set_value(date(2025, 1, 1)).run()
    assert_no_exception(at)
    assert "recalculated from January 2025" in shown_text(at)


def test_fixed_limits_are_stated_under_the_chart(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch)
    at.checkbox(key="t_fix").check().run()
    assert_no_exception(at)
    assert "fixed after the first 12 points" in shown_text(at)
    # and under each group's chart, for the same limits apply to every tab
    assert "fixed after the first 12 points" in shown_text(
        open_section(at, "Which groups are changing?"))


def test_a_link_to_the_groups_opens_them_split_as_it_says(borough_db, monkeypatch):
    at = trends_page(borough_db, monkeypatch, section="Which groups are changing?", split="ward")
    assert_no_exception(at)
    assert at.selectbox(key="t_split").value == "ward" and "By ward" in shown_text(at)
    assert at.selectbox(key="t_split").options == ["Risk type", "Ward", "Context type", "Agency"]
