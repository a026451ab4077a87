"""A hand-written borough for trend tests: four series with monthly counts written out, so every
SPC answer can be checked on paper (24 months, January 2024 to December 2025)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.store.store import Store
from tests.conftest import insert_incidents

MONTHS = pd.date_range("2024-01-01", periods=24, freq="MS")
WARDS = [("W1", "Alder", 1000), ("W2", "Birch", 2000), ("W3", "Cedar", None)]
CONTEXTS = [
    ("C1", "Alder Park", "park", "W1"),
    ("C2", "Birch Station", "transport_hub", "W2"),
    ("C3", "Cedar School", "school", "W3"),
    ("C4", "Group chat", "online", None),
]
# series: (ward, risk type, context, agency, 24 monthly counts)
SERIES = {
    # mean 3.67: the last 8 months (May to December 2025) sit above it, inside the limits
    "A": ("W1", "cce", "C1", "police", [5, 1] * 8 + [4, 6] * 4),
    # alternating 3, 4: ordinary variation, no signal
    "B": ("W2", "cse", "C2", "childrens_social_care", [3, 4] * 12),
    # steady 2, 3 with a spike of 12 in November 2025: beyond the upper limit
    "C": ("W3", "missing", "C3", "education", [2, 3] * 11 + [12, 3]),
    # rare: one incident in four months only, no ward (online)
    "D": (None, "radicalisation", "C4", "youth_services",
          [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
}
INTERVENTIONS = [
    ("V1", "C1", "W1", date(2025, 1, 15), "detached_youth_work", "youth_services",
     "Detached youth work in the park"),
    ("V2", "C2", "W2", date(2024, 6, 3), "guardianship", "police", "Station guardianship"),
]
UPLOADED = "2026-01-05 09:00"


def incidents_frame() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(incidents, risks, people): each series' count in each month, on the 10th; two young
    people take turns in each series-month, so young people a month = min(count, 2)."""
    context_type = {c[0]: c[2] for c in CONTEXTS}
    inc, risks, people = [], [], []
    for name, (ward, risk, ctx, agency, counts) in SERIES.items():
        for month, n in zip(MONTHS, counts, strict=True):
            for k in range(n):
                iid = f"{name}-{month:%Y%m}-{k:02d}"
                inc.append((iid, month + pd.Timedelta(days=9, hours=12 + k % 10), ward, ctx,
                            context_type[ctx], agency))
                risks.append((iid, risk))
                people.append((iid, f"P-{name}-{month:%Y%m}-{k % 2}"))
    return (pd.DataFrame(inc, columns=["incident_id", "occurred_at", "ward_code", "context_id",
                                       "location_type", "source_agency"]),
            pd.DataFrame(risks, columns=["incident_id", "risk_type"]),
            pd.DataFrame(people, columns=["incident_id", "person_id"]))


def seed_trend_borough(store: Store, *, with_extract: bool = True) -> None:
    """Write the trend borough into a store in one load."""
    inc, risks, people = incidents_frame()
    with store.transaction() as cur:
        if with_extract:
            cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                        "VALUES (1, 'incidents', 'trends.csv', $t, 'loaded')", {"t": UPLOADED})
        for code, name, children in WARDS:
            cur.execute("INSERT INTO wards (ward_code, ward_name, child_population) "
                        "VALUES ($c, $n, $p)", {"c": code, "n": name, "p": children})
        for cid, name, ctype, ward in CONTEXTS:
            cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code) "
                        "VALUES ($i, $n, $t, $w)", {"i": cid, "n": name, "t": ctype, "w": ward})
        for vid, cid, ward, started, kind, lead, desc in INTERVENTIONS:
            cur.execute("INSERT INTO interventions (intervention_id, context_id, ward_code, "
                        "started_on, intervention_type, lead_agency, description) VALUES "
                        "($v, $c, $w, $s, $k, $l, $d)",
                        {"v": vid, "c": cid, "w": ward, "s": started, "k": kind, "l": lead,
                         "d": desc})
        insert_incidents(cur, inc, risks, people)
