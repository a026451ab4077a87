"""The Overview page as a board member sees it (AppTest over the tiny borough)."""

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, shown_text


def test_overview_shows_headline_figures_against_the_previous_period(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31",
                                   "view": "analyst"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Incidents 10" in text
    assert "+400% on the previous 12 months" in text
    # ...against a year whose data begin in its third month, and the reader is told so
    assert "The data begin in March 2024, part way through the previous period." in text


def test_board_view_shows_no_change_that_would_give_away_a_hidden_count(tiny_db, monkeypatch):
    # 10 incidents against 2 before: "+400%" would tell the board the hidden "<5" was 2.
    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Incidents 10" in text
    assert "%" not in {m.label: m.delta or "" for m in at.metric}["Incidents"]
    assert "Most affected wards:** Birch (<5 incidents), Alder (<5 incidents)" in text


def test_board_view_never_shows_small_counts_of_young_people(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"period": "custom", "from": "2024-01-01", "to": "2024-12-31"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Young people affected"] == "<5"
    assert metrics["Incidents"] == "<5"


def test_analyst_view_shows_exact_counts(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"period": "custom", "from": "2024-01-01", "to": "2024-12-31",
                                   "view": "analyst"}, monkeypatch=monkeypatch)
    assert {m.label: m.value for m in at.metric}["Young people affected"] == "2"


def test_an_empty_selection_says_so_plainly(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31",
                                   "risk": "trafficking"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)


def test_a_malformed_link_falls_back_with_a_visible_notice(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"ward": "NOPE", "period": "forever"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    warnings = " ".join(read(w.value) for w in at.sidebar.warning)
    assert "unknown ward ('NOPE')" in warnings and "period ('forever')" in warnings


@pytest.fixture
def borough_db(tmp_path):
    from tests.trend_fixture import seed_trend_borough

    path = tmp_path / "trends.duckdb"
    store = Store(path)
    seed_trend_borough(store)
    store.close()
    return path


def test_overview_names_the_signals_worth_a_look(borough_db, monkeypatch):
    at = open_page(borough_db, query={"period": "custom", "from": "2025-01-01",
                                      "to": "2025-12-31", "view": "lead"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Signals worth a look" in text
    assert ("**Concern.** Criminal exploitation in Alder: above the average for 8 months in a "
            "row, since May 2025") in text


def test_overview_says_when_no_signal_is_worth_a_look(tiny_db, monkeypatch):
    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert "No risk type in any ward shows a current signal of change" in shown_text(at)


def test_each_risk_type_is_a_panel_of_one_chart_titled_with_the_busiest(tiny_db, monkeypatch):
    import json

    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31",
                                   "view": "analyst", "section": "Month by month"},
                   monkeypatch=monkeypatch)
    assert_no_exception(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    [spec] = [s for s in specs if "had the most incidents:" in s["layout"]["title"]["text"]]
    panels = [a["text"].replace("<br>", " ") for a in spec["layout"]["annotations"]]
    assert len(spec["data"]) == len(panels) > 1
    assert all(t.endswith("in the period") for t in panels)


def test_the_board_reads_what_changed_first_and_the_charts_are_a_tab_away(tiny_db,
                                                                          monkeypatch):
    # Only the open tab is worked out and sent: the words first, no chart until asked for.
    from ui import state

    order, compute = [], state.compute

    def noted(fn, *args, **kwargs):
        order.append(fn.__name__)
        return compute(fn, *args, **kwargs)

    monkeypatch.setattr(state, "compute", noted)
    at = open_page(tiny_db, query={"period": "custom", "from": "2025-01-01", "to": "2025-12-31",
                                   "view": "analyst"}, monkeypatch=monkeypatch)
    assert_no_exception(at)
    assert [t.label for t in at.tabs] == ["What changed", "Month by month",
                                          "Where it changed most"]
    assert [h.value for h in at.main.header] == ["What changed", "Signals worth a look"]
    assert not at.get("plotly_chart") and "risk_trends" not in order
    at.session_state["overview_section"] = "Month by month"
    assert [h.value for h in at.run().main.header] == ["Each risk type, month by month"]
    at.session_state["overview_section"] = "Where it changed most"
    assert [h.value for h in at.run().main.header] == ["Where it changed most"]
    assert len(at.get("plotly_chart")) == 2  # wards and places
