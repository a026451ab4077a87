"""Time loads through the real path (read -> check -> one transaction), as the Data page does.

    python bench/ingest_bench.py                 # the 24 real police.uk months (../shared)
    python bench/ingest_bench.py /tmp/incidents-1m.csv   # plus a large incidents CSV
Make the large CSV first with bench/make_incidents_csv.py. Each load runs on a fresh database
file in /tmp that already holds the real ward boundaries, so points are placed in wards.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from analytics.ingest import ingest
from analytics.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the repository (or beside the folder of worktrees, for an engineer's worktree)
REALDATA = next((p for p in (ROOT.parent / "shared" / "realdata",
                             ROOT.parent.parent / "shared" / "realdata") if p.is_dir()),
                ROOT.parent / "shared" / "realdata")


def fresh_store(folder: Path) -> Store:
    """A new database file holding the real ward boundaries."""
    store = Store(folder / f"bench-{time.time_ns()}.duckdb")
    wards = REALDATA / "boundaries" / "city-of-london-wards-2013.geojson"
    ingest.commit(store, [ingest.read(store, wards.read_bytes(), wards.name)], "bench")
    return store


def timed(store: Store, files: list[Path]) -> dict[str, float]:
    """Wall and CPU seconds to read and check, and to commit; rows loaded.

    CPU time (all threads of this process) is reported too because the machine is shared:
    wall time includes waiting for other people's work.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    staged = [ingest.read(store, f.read_bytes(), f.name) for f in files]
    check_wall, check_cpu = time.perf_counter() - wall, time.process_time() - cpu
    for s in staged:
        assert s.ok, s.error
    wall, cpu = time.perf_counter(), time.process_time()
    ingest.commit(store, staged, "bench")
    return {"check_wall": check_wall, "check_cpu": check_cpu,
            "commit_wall": time.perf_counter() - wall, "commit_cpu": time.process_time() - cpu,
            "rows": sum(s.counts.valid for s in staged)}


def report(name: str, t: dict[str, float]) -> None:
    total = t["check_wall"] + t["commit_wall"]
    print(f"{name}: {t['rows']:,} rows loaded in {total:.1f} s wall (read and check "
          f"{t['check_wall']:.1f} s wall / {t['check_cpu']:.1f} s CPU; commit "
          f"{t['commit_wall']:.1f} s wall / {t['commit_cpu']:.1f} s CPU); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    """Run each load on a fresh database and print its times."""
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        folder = Path(tmp)
        months = sorted((REALDATA / "police-uk" / "city-of-london").glob("*.csv"))
        if months:
            report(f"police.uk, {len(months)} monthly files", timed(fresh_store(folder), months))
        for arg in sys.argv[1:]:
            report(Path(arg).name, timed(fresh_store(folder), [Path(arg)]))


if __name__ == "__main__":
    main()
