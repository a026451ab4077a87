"""Time the Trends analyses on a generated demo borough (not a test: speed is measured here).

    python -m bench.trends                  # 25,000 incidents
    python -m bench.trends --incidents 1000000

Prints the median of a few runs of each analysis on a fresh in-memory store.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from analytics import demo, trends
from analytics.filters import Filters, period_dates
from analytics.reference import data_facts
from analytics.store import Store


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=demo.DEFAULT_INCIDENTS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = Store()
    made = demo.generate(store, incidents=args.incidents)
    print(f"demo borough: {made.incidents:,} incidents, {made.contexts:,} places "
          f"(generated in {made.seconds} s)")
    con = store.cursor()
    facts = data_facts(con)
    start, end = period_dates("12m", facts.latest_incident, facts.first_incident)
    f = Filters(start=start, end=end, period="12m")
    cases = {
        "signals, risk type x ward (month)": lambda: trends.signals(con, f),
        "signals, every place (month)": lambda: trends.signals(con, f, by=("context",)),
        "top_signals for the Overview": lambda: trends.top_signals(con, f),
        "trend_view, split by risk type (month)": lambda: trends.trend_view(
            con, f, split="risk_type"),
        "trend_view, split by ward (week)": lambda: trends.trend_view(
            con, f, split="ward", granularity="week"),
        "seasonality (36 months)": lambda: trends.seasonality(con, f),
    }
    for name, fn in cases.items():
        print(f"{name:42s} {timed(fn, args.runs):8.0f} ms")


if __name__ == "__main__":
    main()
