"""Benchmark every page at a given size against a plain pandas app; write Markdown and JSON.

    python -m bench --incidents 1000000 --out bench/results

1. generates the demo borough at that size into a fresh DuckDB file;
2. loads the same incidents from a CSV through the real ingest path (when analytics.ingest.ingest
   exists);
3. times every page's analyses (bench/pages.py) under the default and a narrow filter, cold
   and warm, the median of --runs runs;
4. times the same analyses as a careful pandas app would run them (bench/baseline.py) on the
   same data: its tables read into memory once (timed on its own), then each page's analyses
   in the page's order, cold as ours are (nothing kept from the page's previous run); then the
   same again for the careful polars app (bench/polars_app.py), the pages it twins whole;
   then all three side by side in one process, round by round in turn, so a slower spell of
   the machine falls on all three alike;
5. measures peak memory, the database file and the app's start-up to the first Overview;
   times the board pack's sections, its HTML and its PDF (bench/pack.py);
6. with --browser, serves the app and opens every page in Chromium (bench/browser.py): start-up
   to the first Overview drawn, each page cold, warm and after a filter change, with the
   server's CPU and the bytes sent to the browser;
7. writes bench-<incidents>.md and bench-<incidents>.json into --out.
Each step runs in a process of its own (bench/measure.py). Speed is measured here, never
asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.measure import ROOT


def machine() -> dict:
    """Cores, CPU model, versions and the date: what a reader needs to weigh the figures."""
    import duckdb
    import pandas

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "cpu_model": model or "unknown", "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pandas.__version__,
            "platform": platform.platform(),
            "date": datetime.now(UTC).strftime("%d %B %Y %H:%M UTC").lstrip("0")}


def step(task: str, db: Path, work: Path, *extra: str, quiet: bool = False) -> dict:
    """Run one measurement in a fresh process and return its JSON."""
    out = work / f"{task}.json"
    started = time.perf_counter()
    if not quiet:
        print(f"  {task} (load average {os.getloadavg()[0]:.1f}) ...", end="", flush=True,
              file=sys.stderr)
    subprocess.run([sys.executable, "-m", "bench.measure", task, str(db), str(out), *extra],
                   cwd=ROOT, check=True)
    if not quiet:
        print(f" {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return json.loads(out.read_text())


def run(incidents: int, out: Path, runs: int = 3, seed: int = 20261123,
        workdir: Path | None = None, keep: bool = False, quiet: bool = False,
        browser: bool = False) -> dict:
    """The whole benchmark; returns the result and writes bench-<incidents>.{md,json} to out."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(workdir or tempfile.mkdtemp(prefix="bench-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"bench-{incidents}.duckdb"
    for path in (db, Path(f"{db}.wal")):
        path.unlink(missing_ok=True)
    info = machine()
    info["load_before"] = os.getloadavg()[0]
    if not quiet:
        print(f"benchmark at {incidents:,} incidents in {work}", file=sys.stderr)
    try:
        result: dict = {"runs": runs, "seed": seed}
        result["generate"] = step("generate", db, work, "--incidents", str(incidents),
                                  "--seed", str(seed), quiet=quiet)
        result["database_mb"] = db.stat().st_size / 2**20
        result["pages"] = step("pages", db, work, "--runs", str(runs), quiet=quiet)
        result["baseline"] = step("baseline", db, work, "--runs", str(runs), quiet=quiet)
        result["polars"] = step("polars", db, work, "--runs", str(runs), quiet=quiet)
        result["side_by_side"] = step("sidebyside", db, work, "--runs", str(runs), quiet=quiet)
        result["startup"] = step("startup", db, work, quiet=quiet)
        result["pack"] = step("pack", db, work, "--runs", str(runs), quiet=quiet)
        if browser:  # the app served on the generated database, as a person opens it
            from bench import browser as in_browser

            if not quiet:
                print("  browser ...", file=sys.stderr)
            result["browser"] = in_browser.measure(db)
        result["ingest"] = step("ingest", db, work, "--csv", str(work / "incidents.csv"),
                                quiet=quiet)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = os.getloadavg()[0]
    result["machine"] = info
    result["budgets"] = report.budgets(result)
    stem = out / f"bench-{incidents}"
    Path(f"{stem}.json").write_text(json.dumps(result, indent=1, default=str))
    Path(f"{stem}.md").write_text(report.markdown(result))
    if not quiet:
        print(report.summary(result), file=sys.stderr)
        print(f"wrote {stem}.md and {stem}.json", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(
            __doc__.splitlines()[2:]))
    parser.add_argument("--incidents", type=int, default=25_000,
                        help="size of the demo borough (default 25,000, the app's demo)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results",
                        help="folder for bench-<incidents>.md and .json (default bench/results)")
    parser.add_argument("--runs", type=int, default=3, help="runs per timing; medians reported")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--workdir", type=Path, help="where the database and CSV go (default: "
                                                     "a temporary folder in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the database and CSV")
    parser.add_argument("--browser", action="store_true",
                        help="also open every page in Chromium (bench/browser.py)")
    args = parser.parse_args(argv)
    run(args.incidents, args.out, args.runs, args.seed, args.workdir, args.keep,
        browser=args.browser)
