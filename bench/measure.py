"""The benchmark's measurements, each run in a process of its own (`python -m bench.measure`).

Each task writes one JSON file. Separate processes keep the figures honest: the app's memory is
not inflated by the demo generator or by the pandas baseline's frames, imports are paid where an
app would pay them, and one task's caches cannot warm another's.

    python -m bench.measure generate DB OUT --incidents N --seed S
    python -m bench.measure ingest DB OUT --csv CSV
    python -m bench.measure pages DB OUT --runs R
    python -m bench.measure baseline DB OUT --runs R
    python -m bench.measure polars DB OUT --runs R
    python -m bench.measure sidebyside DB OUT --runs R
    python -m bench.measure startup DB OUT
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of one call (CPU counts every thread: DuckDB's too)."""

    wall: float
    cpu: float


def timed(fn: Callable[[], Any]) -> tuple[Timing, Any]:
    """Run fn once and say how long it took.

    A ValueError is an answer too: an analysis raises one with the plain reason a page shows
    instead of a chart (say, too few places to group), and finding that out takes time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = fn()
    except ValueError as refused:
        result = refused
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


# ---- the filters every page is measured under ----------------------------------------------

NARROW_RISKS = ("cce", "county_lines")


def scenarios(con) -> dict[str, Any]:
    """The default selection (the sidebar's: the last 12 months) and a typical narrow one:
    one ward, two risk types, one calendar year (the last complete year of data)."""
    from analytics.demo import demo
    from analytics.store import reference
    from analytics.store.filters import DEFAULT_PERIOD, Filters, period_dates

    facts = reference.data_facts(con)
    if facts.latest_incident is None:
        raise SystemExit(
            "This database holds no partnership incidents. The analyses and their pandas and "
            "polars twins are timed on partnership incidents (generate them with `python -m "
            "bench`); `python -m bench.browser` times a database of police.uk street crime.")
    start, end = period_dates(DEFAULT_PERIOD, facts.latest_incident, facts.first_incident)
    default = Filters(start=start, end=end, period=DEFAULT_PERIOD)
    wards = [w for (w,) in con.execute("SELECT ward_code FROM wards").fetchall()]
    ward = demo.PLANTED["rising_ward"] if demo.PLANTED["rising_ward"] in wards else (
        con.execute("SELECT ward_code FROM incidents GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        .fetchone()[0])
    year = facts.latest_incident.year - 1
    narrow = Filters(start=date(year, 1, 1), end=date(year, 12, 31), period="custom",
                     wards=(ward,), risk_types=NARROW_RISKS)
    return {"default": default, "narrow": narrow}


SCENARIO_WORDS = {
    "default": "default filters (the last 12 months, everything)",
    "narrow": "narrow filter (one ward, two risk types, one calendar year)",
}


def _page_list():
    from bench.pages import PAGES, SIDEBAR

    return [SIDEBAR, *PAGES.values()]


def _resolved(call, con, filters) -> dict[str, Any] | None:
    """The call's arguments under these filters; None if the page would not run it (it stops
    first: no places, no pairs of risk types, no interventions)."""
    kwargs = dict(call.kwargs)
    if call.resolve is not None:
        extra = call.resolve(con, filters)
        if extra is None:
            return None
        kwargs.update(extra)
    return kwargs


def access():
    """Who the benchmark is: an administrator in local mode, who may open every page (the
    analyses cost the same for every role; only row-level ones check the role)."""
    from analytics.governance.access import local_access

    return local_access("analyst")


def direct(call, con, filters, kwargs: dict[str, Any]) -> Any:
    """The analysis straight from DuckDB, no cache (with the access a row-level one needs)."""
    from analytics.governance.access import required_permission

    if required_permission(call.fn) is not None:
        kwargs = {**kwargs, "access": access()}
    args = (filters,) if call.uses_filters else ()
    return call.fn(con, *args, **kwargs)


# ---- tasks ---------------------------------------------------------------------------------

def task_generate(db: Path, incidents: int, seed: int) -> dict:
    """Write the demo borough at the given size into a fresh database file."""
    from analytics.demo import demo
    from analytics.store.store import Store

    store = Store(db)
    t, made = timed(lambda: demo.generate(store, incidents=incidents, seed=seed))
    if isinstance(made, ValueError):  # a store that holds data already, or too few incidents
        store.close()
        raise SystemExit(f"{db}: {made}")
    counts = dict(store.cursor().execute(
        "SELECT 'incident_risks', count(*) FROM incident_risks UNION ALL "
        "SELECT 'incident_people', count(*) FROM incident_people").fetchall())
    store.cursor().execute("CHECKPOINT")
    store.close()
    return {"seconds": t.wall, "cpu_seconds": t.cpu, "incidents": made.incidents,
            "contexts": made.contexts, "young_people": made.young_people, "wards": made.wards,
            "interventions": made.interventions, **counts,
            "database_mb": db.stat().st_size / 2**20, "peak_rss_mb": peak_rss_mb()}


def task_ingest(db: Path, csv: Path) -> dict:
    """Load the generated incidents from a CSV through the real ingest path (read, check, one
    transaction), into a fresh database that already holds the same wards and places."""
    try:
        from analytics.ingest import ingest
    except ImportError:
        return {"status": "not yet available",
                "note": "analytics/ingest/ingest.py is not on this branch yet"}
    from bench import csvfile

    t_csv, rows = timed(lambda: csvfile.write_incidents_csv(db, csv))
    target = csv.with_suffix(".duckdb")
    store = csvfile.fresh_store_with_places(db, target)
    before = rss_mb()
    t_read, staged = timed(lambda: ingest.read(store, csv.read_bytes(), csv.name,
                                               kind="incidents"))
    if staged.error:
        return {"status": "failed", "note": staged.error}
    t_commit, _ = timed(lambda: ingest.commit(store, [staged], "benchmark"))
    loaded = store.cursor().execute("SELECT count(*) FROM incidents").fetchone()[0]
    store.close()
    return {"status": "ok", "rows": rows, "rows_loaded": int(loaded),
            "rows_rejected": int(staged.counts.rejected), "csv_mb": csv.stat().st_size / 2**20,
            "write_csv_seconds": t_csv.wall, "read_check_seconds": t_read.wall,
            "commit_seconds": t_commit.wall, "seconds": t_read.wall + t_commit.wall,
            "cpu_seconds": t_read.cpu + t_commit.cpu, "rss_before_mb": before,
            "peak_rss_mb": peak_rss_mb(), "database_mb": target.stat().st_size / 2**20}


def task_pages(db: Path, runs: int) -> dict:
    """Every page's analyses under both filters: cold (called directly on a fresh cursor, as
    after a load) and warm (through ui.state.compute, a Streamlit cache hit), `runs` times;
    then each page's extra settings, cold."""
    os.environ["SAFEGUARDING_DB"] = str(db)
    from bench import appcache

    appcache.quiet_streamlit()
    from ui import state

    store = state.store()
    state.set_access(access())
    out: dict[str, Any] = {"scenarios": {}, "extras": {}}
    for scenario, filters in scenarios(store.cursor()).items():
        out["scenarios"][scenario] = [_time_page(store, page, filters, runs)
                                      for page in _page_list()]
        out["extras"][scenario] = [_time_extras(store, page, filters, runs)
                                   for page in _page_list() if page.extras]
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _time_page(store, page, filters, runs: int) -> dict:
    """One page's calls: `runs` cold rounds, one round filling the cache, `runs` warm rounds."""
    from analytics.store import memo
    from bench import appcache

    calls = [{"name": call.name, "label": call.label, "call": call,
              "kwargs": _resolved(call, store.cursor(), filters),
              "cold": [], "cold_cpu": [], "warm": []} for call in page.calls]
    live = [c for c in calls if c["kwargs"] is not None]  # None: the page stops before it

    def cached(c: dict) -> Any:
        return appcache.compute(c["call"], filters, c["kwargs"])

    for _ in range(runs):
        memo.forget_all()  # each cold round is a first render after a load
        for c in live:
            t, _ = timed(lambda c=c: direct(c["call"], store.cursor(), filters, c["kwargs"]))
            c["cold"].append(t.wall)
            c["cold_cpu"].append(t.cpu)
    for c in live:
        t, _ = timed(lambda c=c: cached(c))
        c["first_cached"] = t.wall
    for _ in range(runs):
        for c in live:
            t, _ = timed(lambda c=c: cached(c))
            c["warm"].append(t.wall)
    return {"script": page.script, "title": page.title,
            "calls": [_summary(c) for c in calls], **_page_totals(live, runs)}


def _time_extras(store, page, filters, runs: int) -> dict:
    """The analyses a reader's change of setting runs (not in the page's totals), cold."""
    rows = []
    for call in page.extras:
        kwargs = _resolved(call, store.cursor(), filters)
        if kwargs is None:
            continue
        times = [timed(lambda call=call, kwargs=kwargs: _forgetting(
            lambda: direct(call, store.cursor(), filters, kwargs))) for _ in range(runs)]
        refused = next((str(r) for _, r in times if isinstance(r, ValueError)), None)
        rows.append({"name": call.name, "label": call.label,
                     "cold_ms": 1000 * statistics.median(t.wall for t, _ in times),
                     "cold_cpu_ms": 1000 * statistics.median(t.cpu for t, _ in times),
                     "refused": refused})
    return {"script": page.script, "title": page.title, "calls": rows}


def _forgetting(fn: Callable[[], Any]) -> Any:
    """fn() with no intermediate result kept from before (analytics.store.memo)."""
    from analytics.store import memo

    memo.forget_all()
    return fn()


def _summary(c: dict) -> dict:
    """One call's medians (milliseconds), and whether the page runs it at all."""
    if c["kwargs"] is None:
        return {"name": c["name"], "label": c["label"], "skipped": True}
    return {"name": c["name"], "label": c["label"],
            "cold_ms": 1000 * statistics.median(c["cold"]),
            "cold_cpu_ms": 1000 * statistics.median(c["cold_cpu"]),
            "warm_ms": 1000 * statistics.median(c["warm"]),
            "first_cached_ms": 1000 * c.get("first_cached", float("nan"))}


def _page_totals(live: list[dict], runs: int) -> dict:
    """The page's total per run (every call it makes), median over runs, in milliseconds."""

    def median_of_sums(key: str) -> float:
        return 1000 * statistics.median(sum(c[key][r] for c in live) for r in range(runs))

    return {"cold_ms": median_of_sums("cold"), "cold_cpu_ms": median_of_sums("cold_cpu"),
            "warm_ms": median_of_sums("warm")}


def task_baseline(db: Path, runs: int) -> dict:
    """The careful pandas app: its tables read into memory once (timed on its own, as its
    st.cache_data loader), then each page's analyses in the page's order, `runs` times, each run
    starting from the tables alone (the intermediates a page's analyses share forgotten, as ours
    are in task_pages)."""
    from bench import baseline

    return _task_twin(db, runs, baseline, "baseline")


def task_polars(db: Path, runs: int) -> dict:
    """The careful polars app (bench/polars_app.py), timed exactly as the pandas one: its
    tables read once (timed on its own), then each page's twins in the page's order, `runs`
    times, each run starting from the tables alone."""
    from bench import polars_app

    return _task_twin(db, runs, polars_app, "polars")


def _task_twin(db: Path, runs: int, module, twin: str) -> dict:
    """Time the app `module` (its `load`, then the pages through each Call's `twin`), with the
    time it spends in our library counted apart (bench.shared finds what that module calls)."""
    import duckdb

    from bench import shared

    before = rss_mb()
    con = duckdb.connect(str(db), read_only=True)
    t_load, frames = timed(lambda: module.load(con))
    loaded = rss_mb()
    out: dict[str, Any] = {"load_seconds": t_load.wall, "load_cpu_seconds": t_load.cpu,
                           "frames_mb": frames.memory_bytes() / 2**20,
                           "rss_growth_mb": loaded - before, "scenarios": {}}
    clock = shared.SharedClock(shared.shared_functions(module), callers=(module.__name__,))
    with clock:
        for scenario, filters in scenarios(con).items():
            out["scenarios"][scenario] = [_time_twin_page(frames, con, page, filters, runs,
                                                          clock, twin)
                                          for page in _page_list()]
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _time_twin_page(frames, con, page, filters, runs: int, clock, twin: str) -> dict:
    """One page's twins (each Call's `twin`: pandas or polars) in the page's order, `runs`
    rounds; the page's total per round, median over rounds (None when an analysis has no twin),
    and of that the time in code both apps share (bench.shared, counted by `clock`)."""
    calls = [{"name": call.name, "label": call.label, "call": call,
              "kwargs": _resolved(call, con, filters), "walls": [], "cpus": [], "shared": []}
             for call in page.calls]
    live = [c for c in calls if c["kwargs"] is not None and getattr(c["call"], twin) is not None]
    for _ in range(runs):
        frames.forget()  # each round is the page's first run after the app read its tables
        for c in live:
            args = (filters,) if c["call"].uses_filters else ()
            fn = getattr(c["call"], twin)
            before = clock.seconds
            t, _ = timed(lambda fn=fn, c=c, args=args: fn(frames, *args, **c["kwargs"]))
            c["walls"].append(t.wall)
            c["cpus"].append(t.cpu)
            c["shared"].append(clock.seconds - before)
    rows = []
    for c in calls:
        row = {"name": c["name"], "label": c["label"]}
        if c["kwargs"] is None:
            row["skipped"] = True
        elif getattr(c["call"], twin) is None:
            row[f"no_{twin}"] = True
        else:
            row |= {"ms": 1000 * statistics.median(c["walls"]),
                    "cpu_ms": 1000 * statistics.median(c["cpus"]),
                    "shared_ms": 1000 * statistics.median(c["shared"])}
        rows.append(row)
    complete = not any(r.get(f"no_{twin}") for r in rows)

    def median_of_sums(key: str) -> float | None:
        return (1000 * statistics.median(sum(c[key][r] for c in live) for r in range(runs))
                if complete else None)

    return {"script": page.script, "title": page.title, "calls": rows,
            "ms": median_of_sums("walls"), "cpu_ms": median_of_sums("cpus"),
            "shared_ms": median_of_sums("shared")}


APPS = ("ours", "pandas", "polars")


def task_side_by_side(db: Path, runs: int) -> dict:
    """Each page's analyses cold, ours and the pandas and polars apps' twins, in turn in one
    process, round by round, the order of the three turning each round: a slower spell of the
    machine falls on all three alike. The pages, baseline and polars tasks run one after the
    other, each meeting the machine as it was in its own half-minute; their rounds differed by
    up to a quarter with nothing changed (5 December 2026), more than the changes they were to
    judge. Pages with a twin for every analysis, in both apps; each round of a page includes the
    sidebar's analyses, which every page run makes (as report.page_rows adds them), and each app
    runs the page once, untimed, before its rounds. Each ratio is the median of the rounds' own
    ratios."""
    from analytics.store import memo
    from analytics.store.store import Store
    from bench import baseline, polars_app
    from bench.pages import SIDEBAR

    store = Store(db)
    try:
        con = store.cursor()
        frames = {"pandas": baseline.load(con), "polars": polars_app.load(con)}
        twin_of = {"pandas": "baseline", "polars": "polars"}
        out: dict[str, Any] = {"runs": runs, "scenarios": {}}
        for scenario, filters in scenarios(con).items():
            rows = []
            for page in _page_list()[1:]:
                calls = [(call, _resolved(call, con, filters))
                         for call in (*SIDEBAR.calls, *page.calls)]
                live = [(call, kwargs) for call, kwargs in calls if kwargs is not None]
                if not all(call.baseline and call.polars for call, _ in live):
                    continue

                def ours(live=live, filters=filters) -> None:
                    memo.forget_all()
                    for call, kwargs in live:
                        timed(lambda call=call, kwargs=kwargs: direct(
                            call, store.cursor(), filters, kwargs))  # a refusal is an answer

                def twin(app: str, live=live, filters=filters) -> None:
                    frames[app].forget()
                    for call, kwargs in live:
                        args = (filters,) if call.uses_filters else ()
                        fn = getattr(call, twin_of[app])
                        timed(lambda fn=fn, args=args, kwargs=kwargs: fn(frames[app], *args,
                                                                         **kwargs))

                run = {"ours": ours, "pandas": lambda: twin("pandas"),
                       "polars": lambda: twin("polars")}
                walls: dict[str, list[float]] = {app: [] for app in APPS}
                for app in APPS:  # once untimed: a function's first call pays for imports
                    run[app]()
                for r in range(runs):
                    for app in APPS[r % 3:] + APPS[:r % 3]:
                        walls[app].append(timed(run[app])[0].wall)
                rows.append({"script": page.script, "title": page.title,
                             **{f"{app}_ms": [1000 * w for w in walls[app]] for app in APPS},
                             "ratio": statistics.median(
                                 o / p for o, p in zip(walls["ours"], walls["pandas"],
                                                       strict=True)),
                             "polars_ratio": statistics.median(
                                 o / p for o, p in zip(walls["ours"], walls["polars"],
                                                       strict=True))})
            out["scenarios"][scenario] = rows
        out["peak_rss_mb"] = peak_rss_mb()
        return out
    finally:
        store.close()


def task_startup(db: Path) -> dict:
    """A fresh app process to the first rendered Overview (AppTest on app.py), then a rerun."""
    started = time.perf_counter()
    os.environ["SAFEGUARDING_DB"] = str(db)
    from bench import appcache

    appcache.quiet_streamlit()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    first = time.perf_counter()
    problems = [str(e.value) for e in at.exception]
    titles = [str(t.value) for t in at.title]
    t_rerun, _ = timed(at.run)
    return {"seconds": first - started, "import_seconds": imported - started,
            "first_run_seconds": first - imported, "rerun_seconds": t_rerun.wall,
            "titles": titles, "exceptions": problems, "peak_rss_mb": peak_rss_mb()}


def task_pack(db: Path, runs: int) -> dict:
    """Seconds for each section, the HTML and the PDF, under the default filters: the median
    of `runs` (the PDF once: it starts a browser)."""
    from analytics.board import boardpack, briefing
    from analytics.store.store import Store

    store = Store(db)
    try:
        filters = scenarios(store.cursor())["default"]
        sections, built = {}, []
        for key in briefing.PACK_ORDER:
            times = []
            for _ in range(runs):
                took, section = timed(lambda k=key: briefing.section(store.cursor(), filters, k))
                times.append(took.wall)
            sections[key] = sorted(times)[len(times) // 2]
            built.append(section)
        took, pack = timed(lambda: briefing.pack(store.cursor(), filters, sections=built))
        cover = took.wall
        html_times = [timed(lambda: boardpack.to_html(pack))[0].wall for _ in range(runs)]
        result = {"sections_s": sections, "cover_s": cover,
                  "html_s": sorted(html_times)[len(html_times) // 2],
                  "html_mb": len(boardpack.to_html(pack).encode()) / 2**20,
                  "pdf_unavailable": boardpack.pdf_unavailable()}
        if result["pdf_unavailable"] is None:
            took, pdf = timed(lambda: boardpack.to_pdf(pack))
            result |= {"pdf_s": took.wall, "pdf_mb": len(pdf) / 2**20}
        result["peak_rss_mb"] = peak_rss_mb()
        return result
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["generate", "ingest", "pages", "baseline", "polars",
                                         "sidebyside", "startup", "pack"])
    parser.add_argument("db", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--incidents", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    if args.task == "generate":
        result = task_generate(args.db, args.incidents, args.seed)
    elif args.task == "ingest":
        result = task_ingest(args.db, args.csv)
    elif args.task == "pages":
        result = task_pages(args.db, args.runs)
    elif args.task == "baseline":
        result = task_baseline(args.db, args.runs)
    elif args.task == "polars":
        result = task_polars(args.db, args.runs)
    elif args.task == "sidebyside":
        result = task_side_by_side(args.db, args.runs)
    elif args.task == "pack":
        result = task_pack(args.db, args.runs)
    else:
        result = task_startup(args.db)
    result["load_average"] = [load_before, os.getloadavg()[0]]
    args.out.write_text(json.dumps(result, default=str, indent=1))


if __name__ == "__main__":
    sys.exit(main())
