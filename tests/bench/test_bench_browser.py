"""The browser benchmark's own arithmetic (the browser run itself is `python -m bench
--browser`: speed is measured there, never asserted in tests)."""

import os

from bench import browser


def test_server_cpu_reads_a_process_s_user_and_system_seconds():
    before = browser.server_cpu(os.getpid())
    sum(i * i for i in range(300_000))  # some work of our own
    after = browser.server_cpu(os.getpid())
    assert 0 <= before <= after


def test_the_table_has_a_row_a_page_and_a_cell_a_kind_of_visit():
    result = {"startup_to_first_overview_s": 4.25, "warm_up": True, "visits": [
        {"page": "Overview", "kind": "cold", "seconds": 1.234, "server_cpu_s": 0.5,
         "bytes_received": 96_400, "settled_seconds": 3.5},
        {"page": "Overview", "kind": "warm", "seconds": 0.4, "server_cpu_s": 0.1,
         "bytes_received": 1_200_000},  # measured before settled_seconds existed
        {"page": "Trends", "kind": "filter change", "seconds": 2.0, "server_cpu_s": 1.0,
         "bytes_received": 500}]}
    text = browser.table(result)
    assert "| Overview | 1.23 (3.50), 0.50, 96 | 0.40 (0.40), 0.10, 1,200 | – |" in text
    assert "| Trends | – | – | 2.00 (2.00), 1.00, 0 |" in text
    assert "4.2 s (warm-up on)" in text
    quiet = browser.table({**result, "waited_for_quiet_s": 12.4})
    assert "Warm visits began once the server was quiet, 12 s after the last cold one." in quiet
    assert "Other sections" not in text


def test_the_table_lists_each_other_section_opened_after_the_filter_change():
    result = {"startup_to_first_overview_s": 4.0, "warm_up": True, "visits": [
        {"page": "Places", "kind": "filter change", "seconds": 0.8, "server_cpu_s": 0.2,
         "bytes_received": 500_000, "settled_seconds": 0.8},
        {"page": "Places", "kind": "section: When", "seconds": 0.61, "server_cpu_s": 0.25,
         "bytes_received": 40_200, "settled_seconds": 0.7}]}
    text = browser.table(result)
    assert "| Places | – | – | 0.80 (0.80), 0.20, 500 |" in text
    assert ("Other sections of a page, each opened once after its filter change (so its "
            "analyses were new too): Places, When 0.61 s (0.70), 0.25 s CPU, 40 kB.") in text


def test_each_page_widens_the_period_then_narrows_it_to_one_it_has_not_shown():
    assert browser.changes("Last 12 months") == ("Last 24 months", "Last 6 months")
    assert browser.changes("Last 6 months") == ("Last 24 months", "Last 3 months")
    assert browser.changes("Last 3 months") == ("Last 24 months", "Last 6 months")


def test_the_narrower_filter_has_its_own_column_once_measured():
    visits = [{"page": "Places", "kind": "filter change", "seconds": 1.4, "server_cpu_s": 0.6,
               "bytes_received": 604_000, "settled_seconds": 1.4},
              {"page": "Places", "kind": "back to the first tab", "seconds": 0.3,
               "server_cpu_s": 0.1, "bytes_received": 600_000, "settled_seconds": 0.3},
              {"page": "Places", "kind": "narrower filter", "seconds": 0.9, "server_cpu_s": 0.5,
               "bytes_received": 495_000, "settled_seconds": 1.0}]
    text = browser.table({"startup_to_first_overview_s": 4.0, "warm_up": True, "visits": visits})
    assert "narrower filter: s (settled), CPU s, kB |" in text
    assert "| Places | – | – | 1.40 (1.40), 0.60, 604 | 0.90 (1.00), 0.50, 495 |" in text
    assert "back to the first tab" not in text


def test_a_page_settles_when_its_last_long_task_after_it_was_drawn_ends():
    assert browser.settled_at(drawn_ms=1200.0, last_long_task_end_ms=3400.0) == 3400.0
    # a long task that ended before the page was drawn does not count
    assert browser.settled_at(drawn_ms=1200.0, last_long_task_end_ms=900.0) == 1200.0


def test_the_warm_round_waits_until_the_server_is_quiet():
    readings = iter([0.0, 0.9, 1.8, 1.82, 5.0])  # busy, busy, then quiet
    waited = browser.wait_quiet(1, window_s=0.01, cpu=lambda pid: next(readings))
    assert 0.03 <= waited < 1
    busy = iter(range(0, 10_000))
    assert browser.wait_quiet(1, window_s=0.01, timeout_s=0.05, cpu=lambda pid: next(busy)) < 1


def test_the_floor_app_draws_its_overview_and_follows_its_period_box():
    from streamlit.testing.v1 import AppTest

    from bench.measure import ROOT

    at = AppTest.from_file(str(ROOT / browser.FLOOR_APP)).run()
    assert not at.exception and at.title[0].value == "Overview"
    assert at.metric[0].value == "4,800"
    at.sidebar.selectbox(key="period").set_value("Last 24 months").run()
    assert at.metric[0].value == "9,600"
