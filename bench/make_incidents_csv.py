"""Write a large incidents CSV in the template format, for timing loads (not used by tests).

    python bench/make_incidents_csv.py /tmp/incidents-1m.csv 1000000
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES, codes

# City of London, roughly: the real ward boundaries in ../shared/realdata cover this box.
LAT, LON = (51.508, 51.522), (-0.113, -0.073)


def make(rows: int, seed: int = 7) -> pd.DataFrame:
    """`rows` fictional incidents with UK dates, one to three risk types and pseudonymous ids."""
    rng = np.random.default_rng(seed)
    risks = np.array(codes(RISK_TYPES))
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 24 * 60, rows),
                                                         unit="min")
    first, second = rng.choice(risks, rows), rng.choice(risks, rows)
    two = rng.random(rows) < 0.4
    people = np.char.add("YP-", rng.integers(1, 60000, rows).astype(str))
    located = rng.random(rows) < 0.9
    lat = np.where(located, rng.uniform(*LAT, rows).round(6).astype(str), "")
    lon = np.where(located, rng.uniform(*LON, rows).round(6).astype(str), "")
    return pd.DataFrame({
        "incident_id": [f"BENCH-{i:07d}" for i in range(rows)],
        "occurred_at": when.strftime("%d/%m/%Y %H:%M"),
        "risk_types": np.where(two, np.char.add(np.char.add(first, "; "), second), first),
        "person_ids": people,
        "reported_on": (when + pd.Timedelta(days=1)).strftime("%d/%m/%Y"),
        "lat": lat,
        "lon": lon,
        "lsoa_code": "",
        "ward_code": "",
        "context_id": "",
        "location_type": rng.choice(np.array(codes(CONTEXT_TYPES)), rows),
        "source_agency": rng.choice(np.array(codes(AGENCIES)), rows),
        "severity": rng.integers(1, 4, rows),
        "outcome": "",
    })


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/incidents-1m.csv")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    make(n).to_csv(path, index=False)
    print(f"wrote {n:,} incidents to {path} ({path.stat().st_size / 1e6:,.0f} MB)")
