"""A small seeded borough for the Where to intervene tests: 30 places of four kinds over 2024
and 2025, with one place whose incidents rise steeply through 2025 (RISING) and one busy steady
place (STEADY).

Small enough to run in a test, big enough to group (the tiny borough has only four places).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.store.filters import Filters
from analytics.store.store import Store

RISING = "R01"
STEADY = "S01"
YEAR = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")
# kind: (context_type, incidents a month, night hours?, weekend?, risk types)
KINDS = {
    "hub": ("transport_hub", 1.5, True, False, ("cce", "county_lines", "missing")),
    "school": ("school", 1.2, False, False, ("hsb", "relationship_abuse")),
    "park": ("park", 1.2, True, True, ("cse", "missing")),
    "online": ("online", 1.0, True, False, ("radicalisation",)),
}
RISING_MONTHLY = (0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9)  # January to December 2025


def seed_borough(store: Store, seed: int = 7) -> None:
    """Write the small borough into a store in one load."""
    rng = np.random.default_rng(seed)
    contexts, incidents, risks, people = [], [], [], []
    wards = [("B1", "Northgate"), ("B2", "Southmead"), ("B3", "Eastfield")]
    places = [(RISING, "Quarry Lane takeaway", "takeaway", "park"),
              (STEADY, "Central bus station", "transport_hub", "hub")]
    for i, kind in enumerate(k for k in KINDS for _ in range(7)):
        places.append((f"P{i:02d}", f"{kind.capitalize()} {i}", KINDS[kind][0], kind))
    for n, (cid, name, ctype, kind) in enumerate(places):
        ward = wards[n % 3][0]
        lat, lon = 51.5 + 0.004 * (n % 6), -0.1 + 0.004 * (n // 6)
        contexts.append((cid, name, ctype, None if ctype == "online" else ward,
                         None if ctype == "online" else lat, None if ctype == "online" else lon))
        _, rate, night, weekend, kinds = KINDS[kind]
        regulars = [f"{cid}-Y{j}" for j in range(4)]
        for month in pd.date_range("2024-01-01", "2025-12-01", freq="MS"):
            if cid == RISING:
                count = RISING_MONTHLY[month.month - 1] if month.year == 2025 else 0
            else:
                count = rng.poisson(rate * (5 if cid == STEADY else 1))
            for _ in range(int(count)):
                day = int(rng.integers(0, 28))
                if weekend:
                    day = day - day % 7 + 5  # a Saturday-ish day, then moved to a real Saturday
                stamp = month + pd.Timedelta(days=day % 28)
                if weekend:
                    stamp += pd.Timedelta(days=(5 - stamp.weekday()) % 7)
                hour = int(rng.choice([19, 21, 23, 1]) if night else rng.choice([10, 12, 14]))
                iid = f"{cid}-{len(incidents):05d}"
                severity = 3 if cid == RISING else int(rng.integers(1, 4))
                incidents.append((iid, stamp + pd.Timedelta(hours=hour), ward, cid, ctype,
                                  "police", severity))
                chosen = kinds if cid == RISING else kinds[: 1 + int(rng.integers(0, len(kinds)))]
                if cid == RISING:
                    chosen = ("cse", "cce", "missing", "county_lines")
                risks += [(iid, r) for r in chosen]
                who = [regulars[int(rng.integers(0, 4))], f"{iid}-new"]
                people += [(iid, p) for p in dict.fromkeys(who)]
    frame = pd.DataFrame(incidents, columns=["incident_id", "occurred_at", "ward_code",
                                             "context_id", "location_type", "source_agency",
                                             "severity"])
    risk_frame = pd.DataFrame(risks, columns=["incident_id", "risk_type"])
    people_frame = pd.DataFrame(people, columns=["incident_id", "person_id"])
    with store.transaction() as cur:
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                    "VALUES (1, 'incidents', 'borough.csv', TIMESTAMP '2026-01-05 09:00', "
                    "'loaded')")
        for code, name in wards:
            cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ($c, $n)",
                        {"c": code, "n": name})
        for row in contexts:
            cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code, lat, lon)"
                        " VALUES (?, ?, ?, ?, ?, ?)", list(row))
        cur.execute("INSERT INTO interventions (intervention_id, context_id, ward_code, "
                    "started_on, intervention_type, lead_agency, description) VALUES "
                    "('IV1', $c, 'B1', DATE '2025-10-01', 'disruption', 'police', "
                    "'=HYPERLINK(\"x\") patrols and licensing visit')", {"c": RISING})
        cur.register("inc", frame)
        cur.execute("INSERT INTO incidents (incident_id, occurred_at, ward_code, context_id, "
                    "location_type, source_agency, severity, extract_id) SELECT *, 1 FROM inc")
        cur.register("rsk", risk_frame)
        cur.execute("INSERT INTO incident_risks SELECT incident_id, risk_type, 1 FROM rsk")
        cur.register("ppl", people_frame)
        cur.execute("INSERT INTO young_people (person_id) SELECT DISTINCT person_id FROM ppl")
        cur.execute("INSERT INTO incident_people SELECT incident_id, person_id, 'subject', 1 "
                    "FROM ppl")
