"""The yardstick says how far apart the two apps can be: the code the pandas app borrows from ours
costs both the same, so its share of the pandas time is the best ratio we could reach."""

import itertools
import sys
from types import ModuleType

import pytest

from analytics.contexts import clustering
from analytics.contexts.contexts import theil_sen_slopes
from analytics.store.filters import Filters
from analytics.trends import spc
from bench import baseline, report
from bench.shared import SharedClock, shared_functions


def test_the_shared_code_is_our_library_as_the_pandas_app_calls_it():
    found = shared_functions(baseline)
    assert {clustering.cluster_profiles, spc.latest_signals, theil_sen_slopes} <= found
    assert baseline.select not in found and Filters not in found  # its own work; a class
    assert all(f.__module__.startswith("analytics") for f in found)


@pytest.fixture
def stats(monkeypatch):
    """A module of ours in which one function calls another."""
    module = ModuleType("analytics.fake_stats")
    exec("def inner():\n    return 1\n\ndef outer():\n    return inner() + inner()\n",
         module.__dict__)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def test_a_call_within_a_shared_call_is_counted_once(stats):
    ticks = itertools.count()  # each reading of the clock one second later
    with SharedClock(frozenset({stats.inner, stats.outer}), clock=lambda: next(ticks)) as clock:
        assert stats.outer() == 2
    assert clock.seconds == 1  # outer's start and end; its two inner calls not again


def test_every_binding_is_put_back_on_leaving(stats):
    inner, outer = stats.inner, stats.outer
    with SharedClock(frozenset({inner, outer})):
        assert stats.inner is not inner
    assert (stats.inner, stats.outer) == (inner, outer)


def result(ours_ms: float, pandas_ms: float, shared_ms: float) -> dict:
    def page(script, ms, **more):
        return {"script": script, "title": script, "cold_ms": ms, "cold_cpu_ms": ms,
                "warm_ms": 1.0, "ms": ms, "cpu_ms": ms, **more}

    return {"pages": {"scenarios": {"default": [page(report.SIDEBAR, 0.0),
                                                page("pages/contexts.py", ours_ms)]}},
            "baseline": {"scenarios": {"default": [
                page(report.SIDEBAR, 0.0, shared_ms=0.0),
                page("pages/contexts.py", pandas_ms, shared_ms=shared_ms)]}}}


def test_the_report_gives_the_best_ratio_the_shared_code_allows():
    [row] = report.page_rows(result(ours_ms=900, pandas_ms=1000, shared_ms=600))
    assert row["ratio"] == pytest.approx(0.9) and row["best_ratio"] == pytest.approx(0.6)


def test_a_speed_up_the_shared_code_rules_out_is_named_so():
    def faster(shared_ms):
        [b] = [b for b in report.budgets(result(900, 1000, shared_ms))
               if b["budget"].startswith("Faster than pandas")]
        return b["budget"]

    assert faster(600).endswith("(at most 1.7× possible: shared code)")
    assert "possible" not in faster(400)  # 2.5× is possible


def with_polars(res: dict, polars_ms: float | None, sidebar_ms: float | None = 0.0) -> dict:
    """The synthetic result with a polars step (None: a page or sidebar not twinned whole)."""
    def page(script, ms):
        return {"script": script, "title": script, "ms": ms, "cpu_ms": ms, "shared_ms": 0.0,
                "calls": []}

    return {**res, "polars": {"load_seconds": 1.0, "frames_mb": 10.0, "peak_rss_mb": 50.0,
                              "scenarios": {"default": [page(report.SIDEBAR, sidebar_ms),
                                                        page("pages/contexts.py", polars_ms)]}}}


def test_the_report_sets_ours_beside_polars_where_the_page_is_twinned_whole():
    [row] = report.page_rows(with_polars(result(900, 1000, 600), polars_ms=450))
    assert row["polars_ms"] == 450 and row["polars_ratio"] == pytest.approx(2.0)
    assert row["ratio"] == pytest.approx(0.9)  # the pandas columns as before


@pytest.mark.parametrize("page_ms, sidebar_ms", [(None, 0.0), (450, None)])
def test_no_polars_figure_for_a_page_or_sidebar_not_twinned_whole(page_ms, sidebar_ms):
    [row] = report.page_rows(with_polars(result(900, 1000, 600), page_ms, sidebar_ms))
    assert "polars_ms" not in row and "polars_ratio" not in row
    assert row["ratio"] == pytest.approx(0.9)


def test_the_markdown_shows_polars_or_a_dash():
    def line(res: dict) -> str:
        res = {**res, "machine": {"date": "today", "cpu_model": "cpu", "cores": 2,
                                  "python": "3", "duckdb": "2", "pandas": "3",
                                  "load_before": 0.0, "load_after": 0.0},
               "generate": {"incidents": 10, "young_people": 1, "contexts": 1, "seconds": 0.1},
               "runs": 1, "database_mb": 1.0, "budgets": []}
        res["pages"]["peak_rss_mb"] = 1.0
        res["baseline"] |= {"load_seconds": 1.0, "frames_mb": 1.0, "peak_rss_mb": 1.0}
        for pages in res["pages"]["scenarios"].values():
            for p in pages:
                p["calls"] = []
        text = report.markdown(res)
        return next(x for x in text.splitlines() if x.startswith("| pages/contexts.py |"))

    twinned = line(with_polars(result(900, 1000, 600), polars_ms=450))
    assert "| 450 | 2.00 (2.0× slower) |" in twinned  # ours 900 ms against polars 450 ms
    not_twinned = line(with_polars(result(900, 1000, 600), polars_ms=None))
    assert "| – | – |" in not_twinned
