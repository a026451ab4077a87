"""The benchmark runs end to end at a small size and writes its report (speed is never asserted
here: it is measured by `python -m bench`, on purpose, on a quiet machine)."""

import json
import statistics

import pytest

from bench import report, run
from bench.pages import PAGES

SMALL = 3_000


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    return out, run.run(SMALL, out, runs=1, workdir=tmp_path_factory.mktemp("work"), quiet=True)


def test_writes_markdown_and_json_named_for_the_size(result):
    out, _ = result
    assert sorted(p.name for p in out.iterdir()) == ["bench-3000.json", "bench-3000.md"]
    saved = json.loads((out / "bench-3000.json").read_text())
    assert saved["generate"]["incidents"] == SMALL
    assert saved["machine"]["cores"] >= 1 and saved["machine"]["cpu_model"]


def test_times_every_page_cold_warm_and_against_pandas_under_both_filters(result):
    _, res = result
    rows = report.page_rows(res)
    assert {(r["script"], r["scenario"]) for r in rows} == {
        (s, sc) for s in PAGES for sc in ("default", "narrow")}
    compared = {s for s, page in PAGES.items() if all(c.baseline for c in page.calls)}
    for r in rows:
        assert r["cold_ms"] > 0 and r["warm_ms"] > 0
        if r["script"] in compared:
            assert r["ratio"] == pytest.approx(r["cold_ms"] / r["baseline_ms"])
    assert {r["script"] for r in rows if "ratio" in r} >= compared
    # the part of the pandas time spent in the code both share (bench.shared): never more
    for r in rows:
        if r["script"] in compared:
            assert 0 <= r["baseline_shared_ms"] <= r["baseline_ms"]
    assert all(r["baseline_shared_ms"] > 0 for r in rows if r["script"] == "pages/contexts.py")


def test_times_the_polars_app_wherever_the_pandas_app_is_timed(result):
    _, res = result
    assert res["polars"]["frames_mb"] > 0 and res["polars"]["load_seconds"] > 0
    for r in report.page_rows(res):
        assert ("polars_ms" in r) == ("baseline_ms" in r), (r["script"], r["scenario"])
        if "polars_ms" in r:
            assert r["polars_ms"] > 0
            assert r["polars_ratio"] == pytest.approx(r["cold_ms"] / r["polars_ms"])


def test_times_all_three_apps_side_by_side_round_by_round(result):
    _, res = result
    side = res["side_by_side"]
    for scenario, pages in side["scenarios"].items():
        # the pages both twins time whole under these filters, as in the separate rounds
        assert {p["script"] for p in pages} == {
            r["script"] for r in report.page_rows(res)
            if r["scenario"] == scenario and "ratio" in r and "polars_ratio" in r}
        for page in pages:
            rounds = [page[f"{app}_ms"] for app in ("ours", "pandas", "polars")]
            assert all(len(r) == side["runs"] and min(r) > 0 for r in rounds)
            assert page["ratio"] == pytest.approx(statistics.median(
                o / p for o, p in zip(page["ours_ms"], page["pandas_ms"], strict=True)))
    assert {r["script"] for r in report.side_by_side_rows(res)} >= {"pages/overview.py"}
    # the speed-up budget reads the side-by-side ratio where there is one
    overview = next(r for r in report.side_by_side_rows(res)
                    if r["script"] == "pages/overview.py" and r["scenario"] == "default")
    budget = next(b for b in report.budgets(res)
                  if b["budget"].startswith("Faster than pandas, Overview, default"))
    assert budget["value"] == pytest.approx(1 / overview["ratio"], abs=0.01)
    assert "Side by side" in report.markdown(res)


def test_reports_memory_database_size_and_start_up(result):
    _, res = result
    assert res["database_mb"] > 0
    assert res["startup"]["titles"] == ["Overview"] and res["startup"]["exceptions"] == []
    assert res["pages"]["peak_rss_mb"] > 0 and res["baseline"]["frames_mb"] > 0
    assert res["ingest"]["status"] in ("ok", "not yet available")


def test_markdown_states_each_budget_and_whether_it_is_met(result):
    out, res = result
    text = (out / "bench-3000.md").read_text()
    assert "| Overview | default |" in text and "| Risk overlap | narrow |" in text
    assert "load average" in text and "cores" in text
    budgets = res["budgets"]
    assert any(b["budget"].startswith("Warm, Overview") for b in budgets)
    assert any(b["budget"].startswith("Peak memory") for b in budgets)
    for b in budgets:
        assert f"| {b['budget']} |" in text


def test_times_the_board_packs_sections_html_and_pdf(result):
    out, res = result
    from analytics.board import briefing

    pack = res["pack"]
    assert list(pack["sections_s"]) == list(briefing.PACK_ORDER)
    assert pack["html_s"] > 0 and pack["html_mb"] > 1  # plotly.js is inlined once
    assert ("pdf_s" in pack) == (pack["pdf_unavailable"] is None)
    assert "| HTML laid out" in (out / "bench-3000.md").read_text()


def test_a_database_without_partnership_incidents_is_refused_plainly(tmp_path):
    # e.g. one holding only police.uk street crime: the in-process timings need incidents.
    from analytics.store.store import Store
    from bench import measure

    store = Store(tmp_path / "empty.duckdb")
    with pytest.raises(SystemExit, match="holds no partnership incidents"):
        measure.scenarios(store.cursor())
    store.close()
