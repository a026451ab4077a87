"""Turn the measurements into budgets met or missed, a Markdown report and the JSON beside it."""

from __future__ import annotations

import statistics
from typing import Any

from bench.measure import SCENARIO_WORDS

# Budgets at 1,000,000 incidents on a 2-core machine (issue 10; the speed-up, issue 19: each
# page's analyses, cold, at least twice as fast as a careful pandas app's, in the same run).
WARM_BUDGET_MS = 300
COLD_BUDGET_MS = 1500
SPEED_UP_BUDGET = 2.0
INGEST_BUDGET_S = 20
MEMORY_BUDGET_MB = 2048
BUDGET_SIZE = 1_000_000
SIDEBAR = "ui/sidebar.py"


def page_rows(result: dict) -> list[dict]:
    """One row per page and filter: our cold, CPU and warm totals (the sidebar's calls added, as
    every page run makes them), the pandas baseline's and the polars app's, and the ratios."""
    rows = []
    ours, base = result["pages"]["scenarios"], result.get("baseline", {}).get("scenarios", {})
    polars = result.get("polars", {}).get("scenarios", {})
    for scenario, pages in ours.items():
        side = next(p for p in pages if p["script"] == SIDEBAR)
        base_pages = {p["script"]: p for p in base.get(scenario, [])}
        polars_pages = {p["script"]: p for p in polars.get(scenario, [])}
        for page in pages:
            if page["script"] == SIDEBAR:
                continue
            row = {"page": page["title"], "script": page["script"], "scenario": scenario,
                   "cold_ms": page["cold_ms"] + side["cold_ms"],
                   "cold_cpu_ms": page["cold_cpu_ms"] + side["cold_cpu_ms"],
                   "warm_ms": page["warm_ms"] + side["warm_ms"]}
            twin = base_pages.get(page["script"], {})
            if twin.get("ms") is not None:
                row["baseline_ms"] = twin["ms"] + base_pages[SIDEBAR]["ms"]
                row["ratio"] = row["cold_ms"] / row["baseline_ms"]
            if twin.get("shared_ms") is not None:
                # The code both apps share costs us as much as it costs pandas: our ratio could
                # fall no lower than this even if our own data work took no time at all.
                row["baseline_shared_ms"] = twin["shared_ms"] + base_pages[SIDEBAR]["shared_ms"]
                row["best_ratio"] = row["baseline_shared_ms"] / row["baseline_ms"]
            if twin.get("cpu_ms") is not None:
                row["baseline_cpu_ms"] = twin["cpu_ms"] + base_pages[SIDEBAR]["cpu_ms"]
                row["cpu_ratio"] = row["cold_cpu_ms"] / row["baseline_cpu_ms"]
            # polars: where it has a total for the page and the sidebar (every analysis run twinned).
            pl_page, pl_side = polars_pages.get(page["script"], {}), polars_pages.get(SIDEBAR, {})
            if pl_page.get("ms") is not None and pl_side.get("ms") is not None:
                row["polars_ms"] = pl_page["ms"] + pl_side["ms"]
                row["polars_ratio"] = row["cold_ms"] / row["polars_ms"]
            rows.append(row)
    return rows


def side_by_side_rows(result: dict) -> list[dict]:
    """One row per page and filter from the side-by-side task (bench.measure.task_side_by_side):
    each app's median page time, and the medians of the rounds' own ratios."""
    rows = []
    for scenario, pages in result.get("side_by_side", {}).get("scenarios", {}).items():
        for page in pages:
            rows.append({"page": page["title"], "script": page["script"], "scenario": scenario,
                         **{f"{app}_ms": statistics.median(page[f"{app}_ms"])
                            for app in ("ours", "pandas", "polars")},
                         "ratio": page["ratio"], "polars_ratio": page["polars_ratio"]})
    return rows


def side_by_side_markdown(result: dict) -> list[str]:
    """The side-by-side table, when the task ran."""
    rows = side_by_side_rows(result)
    if not rows:
        return []
    lines = ["", f"Side by side: each page's analyses, ours and both twins, timed in turn in one "
             f"process, {result['side_by_side']['runs']} rounds (the order turning each round), "
             "medians; each ratio the median of the rounds' own:", "",
             "| Page | Filters | Ours (ms) | pandas (ms) | polars (ms) | ours / pandas "
             "| ours / polars |", "|---|---|--:|--:|--:|--:|--:|"]
    for row in rows:
        lines.append(f"| {row['page']} | {row['scenario']} | {_ms(row['ours_ms'])} | "
                     f"{_ms(row['pandas_ms'])} | {_ms(row['polars_ms'])} | "
                     f"{row['ratio']:.2f} ({_faster(row['ratio'])}) | "
                     f"{row['polars_ratio']:.2f} ({_faster(row['polars_ratio'])}) |")
    return lines


def budgets(result: dict) -> list[dict]:
    """Each budget, the figure measured against it and whether it is met."""
    rows = page_rows(result)
    # The speed-up from the side-by-side rounds where they ran: drift cannot fall on one app.
    side = {(r["script"], r["scenario"]): r["ratio"] for r in side_by_side_rows(result)}
    out = []
    for row in rows:
        where = f"{row['page']}, {row['scenario']} filters"
        out.append(_budget(f"Warm, {where}", f"≤ {WARM_BUDGET_MS} ms", row["warm_ms"],
                           row["warm_ms"] <= WARM_BUDGET_MS, "ms"))
        out.append(_budget(f"Cold, {where}", f"≤ {COLD_BUDGET_MS:,} ms", row["cold_ms"],
                           row["cold_ms"] <= COLD_BUDGET_MS, "ms"))
        if "ratio" in row:
            speed = 1 / side.get((row["script"], row["scenario"]), row["ratio"])
            most = 1 / row["best_ratio"] if row.get("best_ratio") else float("inf")
            reach = (f" (at most {most:.1f}× possible: shared code)"
                     if most < SPEED_UP_BUDGET else "")
            out.append(_budget(f"Faster than pandas, {where}{reach}", f"≥ {SPEED_UP_BUDGET:g}×",
                               speed, speed >= SPEED_UP_BUDGET, "×"))
    ingest = result.get("ingest", {})
    if ingest.get("status") == "ok":
        out.append(_budget("Load the incidents CSV through the real ingest path",
                           f"≤ {INGEST_BUDGET_S} s", ingest["seconds"],
                           ingest["seconds"] <= INGEST_BUDGET_S, "s"))
    peak = app_peak_mb(result)
    out.append(_budget("Peak memory of an app process (pages, start-up, ingest)",
                       f"≤ {MEMORY_BUDGET_MB:,} MB", peak, peak <= MEMORY_BUDGET_MB, "MB"))
    return out


def app_peak_mb(result: dict) -> float:
    """The largest peak resident memory of the processes that do what the app does."""
    return max(result.get(k, {}).get("peak_rss_mb", 0.0) for k in ("pages", "startup", "ingest"))


def _budget(name: str, limit: str, value: float, met: bool, unit: str) -> dict:
    return {"budget": name, "limit": limit, "value": round(value, 2), "unit": unit, "met": met}


def _load(step: dict | None) -> str:
    """'2.1 to 3.4': the 1-minute load average when a step started and when it ended."""
    if not step or "load_average" not in step:
        return "not recorded"
    before, after = step["load_average"]
    return f"{before:.1f} to {after:.1f}"


def _faster(ratio: float) -> str:
    """'2.1× faster' or '1.4× slower', from ours / pandas."""
    return f"{1 / ratio:.1f}× faster" if ratio <= 1 else f"{ratio:.1f}× slower"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def markdown(result: dict) -> str:
    """The report: headline table per page, budgets, the other figures, every analysis."""
    m, size = result["machine"], result["generate"]
    lines = [
        f"### {size['incidents']:,} incidents",
        "",
        f"Run {m['date']} on {m['cpu_model']} ({m['cores']} cores), Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}; load average {m['load_before']:.1f} "
        f"before and {m['load_after']:.1f} after (1-minute; {m['cores']} cores), "
        f"{result['runs']} runs each, medians; load average while timing ours "
        f"{_load(result.get('pages'))}, and the pandas app {_load(result.get('baseline'))}.",
        f"Data: {size['incidents']:,} incidents, {size.get('incident_risks', 0):,} risk records, "
        f"{size.get('incident_people', 0):,} links to {size['young_people']:,} young people, "
        f"{size['contexts']:,} places; generated in {size['seconds']:.1f} s; database file "
        f"{result['database_mb']:,.0f} MB.",
        "",
        "| Page | Filters | Ours, cold (ms) | pandas, cold, tables loaded (ms) | ours / pandas "
        "| polars, cold, tables loaded (ms) | ours / polars "
        "| of pandas, in shared code (ms) | ours / pandas at best "
        "| Ours, cold CPU (ms) | pandas, CPU (ms) | ours / pandas, CPU | Ours, warm (ms) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in page_rows(result):
        ratio, cpu_ratio, polars_ratio = (f"{row[k]:.2f} ({_faster(row[k])})" if k in row
                                          else "–"
                                          for k in ("ratio", "cpu_ratio", "polars_ratio"))
        best = f"{row['best_ratio']:.2f}" if "best_ratio" in row else "–"
        lines.append(f"| {row['page']} | {row['scenario']} | {_ms(row['cold_ms'])} | "
                     f"{_ms(row.get('baseline_ms'))} | {ratio} | "
                     f"{_ms(row.get('polars_ms'))} | {polars_ratio} | "
                     f"{_ms(row.get('baseline_shared_ms'))} | {best} | "
                     f"{_ms(row['cold_cpu_ms'])} | "
                     f"{_ms(row.get('baseline_cpu_ms'))} | {cpu_ratio} | "
                     f"{_ms(row['warm_ms'])} |")
    base, polars = result.get("baseline", {}), result.get("polars", {})
    lines += ["", "Page totals include the sidebar's analyses, which every page run makes. "
              "Ours, cold: each analysis called directly on a fresh cursor in the page's order, "
              "as the first render after a load does, with our intermediate results "
              "(analytics.store.memo) forgotten before each run of a page; warm: the same calls "
              "through `ui.state.compute`, a Streamlit cache hit. pandas: the same analyses "
              "written as a careful pandas developer would (bench/baseline.py), in the page's "
              "order, each run of a page starting from its tables in memory with nothing else "
              "kept, its results checked equal to ours (tests/bench/test_bench_baseline.py). "
              "It calls our library for the statistics (SPC, Gi*, k-means, Theil-Sen, the "
              "ranking and its words), as a plain app reusing it would: that shared code costs "
              "both apps the same, so ours / pandas can fall no lower than its share of the "
              "pandas time ('at best', bench/shared.py)"
              + (f"; it reads those tables once at start-up, in {base['load_seconds']:.1f} s "
                 f"({base['frames_mb']:,.0f} MB), not counted in the page times"
                 if base else "")
              + ". polars: the same analyses written as a careful polars developer would "
              "(bench/polars_app.py), timed the same way and checked equal to ours "
              "(tests/bench/test_bench_polars.py), twinning the same analyses as the pandas app"
              + (f"; it reads its tables in {polars['load_seconds']:.1f} s "
                 f"({polars['frames_mb']:,.0f} MB)" if polars else "")
              + ". All measured in the same run, one after the other. CPU counts every thread "
              "(DuckDB's too): on a shared machine it shows the work done, where wall time also "
              "shows the waiting (DuckDB's threads wait for cores a busy machine gives to others; "
              "pandas runs on one).", ""]
    lines += side_by_side_markdown(result)
    lines += _other(result)
    if "pack" in result:
        from bench import pack

        lines += pack.markdown(result["pack"])
    if "browser" in result:
        from bench import browser

        lines += ["", "In Chromium, each page opened from the sidebar until every chart and map "
                  "is drawn (seconds of wall time, seconds of the server's CPU, kB sent over "
                  "the websocket):", "", browser.table(result["browser"])]
    lines += ["", "| Budget | Limit | Measured | Met |", "|---|---|--:|---|"]
    for b in result["budgets"]:
        unit = "" if b["unit"] == "×" else f" {b['unit']}"
        value = f"{b['value']:.1f}×" if b["unit"] == "×" else f"{b['value']:,.1f}{unit}"
        lines.append(f"| {b['budget']} | {b['limit']} | {value} | "
                     f"{'yes' if b['met'] else '**no**'} |")
    if size["incidents"] != BUDGET_SIZE:
        lines.append(f"\nThe budgets are set for {BUDGET_SIZE:,} incidents; at this size they "
                     "are shown for reference.")
    lines += ["", *_detail(result)]
    return "\n".join(lines) + "\n"


def _other(result: dict) -> list[str]:
    start, base = result.get("startup", {}), result.get("baseline", {})
    ingest = result.get("ingest", {})
    lines = []
    if ingest.get("status") == "ok":
        lines.append(f"- Load a {ingest['rows']:,}-row incidents CSV ({ingest['csv_mb']:,.0f} MB) "
                     f"through the real ingest path: {ingest['seconds']:.1f} s "
                     f"(read and check {ingest['read_check_seconds']:.1f} s, one-transaction "
                     f"write {ingest['commit_seconds']:.1f} s; {ingest['rows_loaded']:,} loaded, "
                     f"{ingest['rows_rejected']:,} rejected); peak memory "
                     f"{ingest['peak_rss_mb']:,.0f} MB.")
    else:
        lines.append(f"- Load from a CSV through the real ingest path: "
                     f"{ingest.get('status', 'not run')} ({ingest.get('note', '')}).")
    if start:
        lines.append(f"- App start-up to the first rendered Overview (AppTest, fresh process): "
                     f"{start['seconds']:.1f} s (imports {start['import_seconds']:.1f} s, first "
                     f"run {start['first_run_seconds']:.1f} s); a rerun {start['rerun_seconds']:.2f}"
                     f" s; peak memory {start['peak_rss_mb']:,.0f} MB."
                     + (f" Exceptions: {start['exceptions']}" if start.get("exceptions") else ""))
    lines.append(f"- Peak memory of the process timing every page (cold and warm, both filters): "
                 f"{result['pages']['peak_rss_mb']:,.0f} MB.")
    for name, app in (("pandas", base), ("polars", result.get("polars", {}))):
        if app:
            lines.append(f"- The {name} app holds the tables in {app['frames_mb']:,.0f} MB of "
                         f"frames; it reads them in {app['load_seconds']:.1f} s at start-up; its "
                         f"process peaks at {app['peak_rss_mb']:,.0f} MB.")
    return lines


def _detail(result: dict) -> list[str]:
    """Every analysis: cold, warm, baseline and polars, per filter."""
    base = result.get("baseline", {}).get("scenarios", {})
    polars = result.get("polars", {}).get("scenarios", {})
    lines = ["<details><summary>Every analysis</summary>", ""]
    for scenario, pages in result["pages"]["scenarios"].items():
        lines += [f"{SCENARIO_WORDS[scenario].capitalize()}:", "",
                  "| Page | Analysis | Cold (ms) | Cold CPU (ms) | Warm (ms) | pandas (ms) | "
                  "pandas CPU (ms) | polars (ms) |",
                  "|---|---|--:|--:|--:|--:|--:|--:|"]
        base_pages = {p["script"]: p for p in base.get(scenario, [])}
        polars_pages = {p["script"]: p for p in polars.get(scenario, [])}
        for page in pages:
            base_calls = base_pages.get(page["script"], {}).get("calls", [])
            polars_calls = polars_pages.get(page["script"], {}).get("calls", [])
            for i, call in enumerate(page["calls"]):
                b = base_calls[i] if i < len(base_calls) else {}
                p = polars_calls[i] if i < len(polars_calls) else {}
                if call.get("skipped"):
                    lines.append(f"| {page['title']} | `{call['label']}` | not run (the page "
                                 "stops first) | | | | | |")
                    continue
                lines.append(f"| {page['title']} | `{call['label']}` | {_ms(call['cold_ms'])} | "
                             f"{_ms(call['cold_cpu_ms'])} | {_ms(call['warm_ms'])} | "
                             f"{_ms(b.get('ms'))} | {_ms(b.get('cpu_ms'))} | "
                             f"{_ms(p.get('ms'))} |")
        lines.append("")
    extras = result["pages"].get("extras", {})
    if extras:
        lines += ["Settings a reader often changes (cold, not in the page totals):", "",
                  "| Page | Filters | Analysis | Cold (ms) | Cold CPU (ms) |",
                  "|---|---|---|--:|--:|"]
        for scenario, pages in extras.items():
            for page in pages:
                for call in page["calls"]:
                    note = f" (refused: {call['refused']})" if call.get("refused") else ""
                    lines.append(f"| {page['title']} | {scenario} | `{call['label']}`{note} | "
                                 f"{_ms(call['cold_ms'])} | {_ms(call['cold_cpu_ms'])} |")
        lines.append("")
    lines.append("</details>")
    return lines


def summary(result: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    missed = [b for b in result["budgets"] if not b["met"]]
    size = result["generate"]["incidents"]
    head = (f"{size:,} incidents: {len(result['budgets']) - len(missed)} of "
            f"{len(result['budgets'])} budgets met"
            + ("" if size == BUDGET_SIZE else f" (they are set for {BUDGET_SIZE:,}: for reference)"))
    return "\n".join([head, *(f"  missed: {b['budget']} ({b['value']:,.1f} {b['unit']}, "
                              f"limit {b['limit']})" for b in missed)])


def growth(results: list[dict]) -> str:
    """One table over several sizes (the README's): each page's cold and warm time (default
    filters) and the other costs, smallest size first, with how much each grew."""
    results = sorted(results, key=lambda r: r["generate"]["incidents"])
    sizes = [r["generate"]["incidents"] for r in results]
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [f"| Cost (default filters) | {head} | growth, {sizes[0]:,} to {sizes[-1]:,} |",
             "|---|" + "--:|" * (len(sizes) + 1)]

    def row(label: str, values: list[float | None], unit: str) -> None:
        shown = " | ".join("–" if v is None else f"{_ms(v) if unit == 'ms' else f'{v:,.1f}'}"
                           f"{'' if unit == 'ms' else ' ' + unit}" for v in values)
        grew = (f"× {values[-1] / values[0]:,.1f}" if None not in (values[0], values[-1])
                and values[0] else "–")
        lines.append(f"| {label} | {shown} | {grew} |")

    per_size = [{(p["page"], p["scenario"]): p for p in page_rows(r)} for r in results]
    for page in [p["page"] for p in page_rows(results[-1]) if p["scenario"] == "default"]:
        row(f"{page}, cold (ms)", [s.get((page, "default"), {}).get("cold_ms") for s in per_size],
            "ms")
    for page in [p["page"] for p in page_rows(results[-1]) if p["scenario"] == "default"]:
        row(f"{page}, warm (ms)", [s.get((page, "default"), {}).get("warm_ms") for s in per_size],
            "ms")
    row("Load the incidents CSV", [r.get("ingest", {}).get("seconds") for r in results], "s")
    row("App start-up to the first Overview",
        [r.get("startup", {}).get("seconds") for r in results], "s")
    row("Peak memory of an app process", [app_peak_mb(r) for r in results], "MB")
    row("Database file", [r["database_mb"] for r in results], "MB")
    row("pandas app: its tables in memory",
        [r.get("baseline", {}).get("frames_mb") for r in results], "MB")
    row("pandas app: reading its tables at start-up",
        [r.get("baseline", {}).get("load_seconds") for r in results], "s")
    return "\n".join(lines) + "\n"


def versus(results: list[dict], scenario: str = "default") -> str:
    """One table over several sizes: each page's analyses, ours cold against the careful pandas
    app's (its tables loaded), and the ratio, as measured side by side in each size's run."""
    results = sorted(results, key=lambda r: r["generate"]["incidents"])
    head = " | ".join(f"{r['generate']['incidents']:,}: ours (ms) | pandas (ms) | ours / pandas"
                      for r in results)
    lines = [f"| Page ({scenario} filters) | {head} |", "|---|" + "--:|" * (3 * len(results))]
    per_size = [{p["page"]: p for p in page_rows(r) if p["scenario"] == scenario}
                for r in results]
    for page in per_size[-1]:
        cells = []
        for rows in per_size:
            row = rows.get(page, {})
            cells += [_ms(row.get("cold_ms")), _ms(row.get("baseline_ms")),
                      f"{row['ratio']:.2f}" if "ratio" in row else "–"]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    measured = [json.loads(Path(p).read_text()) for p in sys.argv[1:]]
    print(growth(measured))
    for scenario in ("default", "narrow"):
        print(versus(measured, scenario))
