"""Hand-checkable boroughs for the peer-group and intervention tests.

`seed_peers` writes three peer groups whose answers can be checked on paper; `seed_impact` writes
a seeded synthetic borough with one intervention that halved incidents, one that did nothing, and
a neighbouring place that incidents moved to.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.governance.access import Access, Role
from analytics.store.store import Store

PEER_YEAR = (date(2025, 1, 1), date(2025, 12, 31))
ANALYST = Access(role=Role.ANALYST, user_id="tester", user_label="Test analyst")
BOARD_MEMBER = Access(role=Role.BOARD, user_id="member", user_label="Test board member")

# Three wards; Station (C2) is where groups A and B both go, Park (C1) where A and C both go.
PEER_WARDS = [("W1", "Alder"), ("W2", "Birch"), ("W3", "Cedar")]
PEER_CONTEXTS = [
    ("C1", "Alder Park", "park", "W1", 52.000, -1.000),
    ("C2", "Birch Station", "transport_hub", "W2", 52.010, -1.010),
    ("C3", "Cedar School", "school", "W3", 52.020, -1.020),
    ("C4", "Birch Takeaway", "takeaway", "W2", 52.011, -1.011),
]
# Group A: P01-P05 (sexual exploitation); group B: P06-P10 (criminal exploitation); two incidents
# (I12, I16) link P05 and P06; group C: P11-P12 (serious youth violence), a separate network;
# P13 is only ever seen alone, so is in no group. P07 and P10 share only I11: with the default
# of two shared incidents they are not directly linked.
# incident_id, month (2025), context, ward, agency, risks, people
PEER_INCIDENTS = [
    ("I01", 1, "C1", "W1", "police", ["cse"], ["P01", "P02", "P03"]),
    ("I02", 2, "C1", "W1", "police", ["cse"], ["P02", "P03", "P04"]),
    ("I03", 3, "C1", "W1", "police", ["cse"], ["P03", "P04", "P05"]),
    ("I04", 4, "C2", "W2", "police", ["cse"], ["P01", "P04", "P05"]),
    ("I05", 5, "C1", "W1", "childrens_social_care", ["cse", "missing"], ["P01", "P02", "P05"]),
    ("I06", 6, "C1", "W1", "police", ["cse"], ["P01", "P03", "P05", "P02", "P04"]),
    ("I07", 1, "C3", "W3", "education", ["cce"], ["P06", "P07", "P08"]),
    ("I08", 2, "C3", "W3", "education", ["cce"], ["P07", "P08", "P09"]),
    ("I09", 3, "C2", "W2", "police", ["cce", "county_lines"], ["P08", "P09", "P10"]),
    ("I10", 4, "C3", "W3", "education", ["cce"], ["P06", "P09", "P10"]),
    ("I11", 5, "C3", "W3", "education", ["cce"], ["P06", "P07", "P10", "P08", "P09"]),
    ("I12", 7, "C2", "W2", "police", ["cce"], ["P05", "P06"]),
    ("I13", 8, "C4", "W2", "police", ["syv"], ["P11", "P12"]),
    ("I14", 9, "C1", "W1", "police", ["syv"], ["P11", "P12"]),
    ("I15", 10, "C4", "W2", "police", ["syv"], ["P13"]),
    ("I16", 8, "C2", "W2", "police", ["cce"], ["P05", "P06"]),
]
GROUP_A = {"P01", "P02", "P03", "P04", "P05"}
GROUP_B = {"P06", "P07", "P08", "P09", "P10"}
GROUP_C = {"P11", "P12"}


def write_borough(store: Store, wards: list[tuple], contexts: list[tuple], incidents: pd.DataFrame,
                  risks: pd.DataFrame, people: pd.DataFrame,
                  interventions: list[tuple] = (), file_name: str = "fixture.csv") -> None:
    """Write wards, contexts, incidents (with risks and people) and interventions in one load."""
    with store.transaction() as cur:
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                    "VALUES (1, 'incidents', $f, TIMESTAMP '2026-01-05 09:00', 'loaded')",
                    {"f": file_name})
        for code, name in wards:
            cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ($c, $n)",
                        {"c": code, "n": name})
        for row in contexts:
            cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code, lat, lon)"
                        " VALUES (?, ?, ?, ?, ?, ?)", list(row))
        cur.register("inc", incidents)
        cur.execute("INSERT INTO incidents (incident_id, occurred_at, ward_code, context_id, "
                    "location_type, source_agency, severity, extract_id) SELECT incident_id, "
                    "occurred_at, ward_code, context_id, location_type, source_agency, 2, 1 "
                    "FROM inc")
        cur.register("rsk", risks)
        cur.execute("INSERT INTO incident_risks SELECT incident_id, risk_type, 1 FROM rsk")
        cur.register("ppl", people)
        cur.execute("INSERT INTO young_people (person_id) SELECT DISTINCT person_id FROM ppl")
        cur.execute("INSERT INTO incident_people SELECT incident_id, person_id, 'subject', 1 "
                    "FROM ppl")
        for row in interventions:
            cur.execute("INSERT INTO interventions (intervention_id, context_id, ward_code, "
                        "started_on, ended_on, intervention_type, lead_agency, description, "
                        "extract_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)", list(row))


def seed_peers(store: Store, rows: list[tuple] = PEER_INCIDENTS,
               contexts: list[tuple] = PEER_CONTEXTS) -> None:
    """The three-group borough of PEER_INCIDENTS (or of `rows`, and `contexts`, written the same
    way)."""
    types = {c[0]: c[2] for c in contexts}
    incidents = pd.DataFrame(
        [(i, pd.Timestamp(2025, m, 10, 20), w, c, types[c], a)
         for i, m, c, w, a, _, _ in rows],
        columns=["incident_id", "occurred_at", "ward_code", "context_id", "location_type",
                 "source_agency"])
    risks = pd.DataFrame([(i, r) for i, *_, rs, _ in rows for r in rs],
                         columns=["incident_id", "risk_type"])
    people = pd.DataFrame([(i, p) for i, *_, ps in rows for p in ps],
                          columns=["incident_id", "person_id"])
    write_borough(store, PEER_WARDS, contexts, incidents, risks, people)


# The synthetic borough for impact: 36 months, January 2023 to December 2025.
IMPACT_MONTHS = pd.date_range("2023-01-01", "2025-12-01", freq="MS")
IMPACT_START = date(2024, 7, 1)  # both interventions begin here: 18 months before, 18 after
TRUE_RATIO = 0.5  # the treated park's incidents halve once its intervention begins
DISPLACED_RATIO = 2.5  # ...and the takeaway 200 metres away sees two and a half times as many
BASE_RATE = 12.0  # incidents a month at the treated parks before
IMPACT_WARDS = [("W1", "Alder"), ("W2", "Birch"), ("W3", "Cedar")]
# Fourteen parks spread 3 km or more apart; four takeaways: T1 next to the treated park P0.
IMPACT_CONTEXTS = [
    ("P0", "Alder Park", "park", "W1", 52.0000, -1.0000),
    ("P1", "Birch Park", "park", "W2", 52.0300, -1.0000),
    ("P2", "Cedar Park", "park", "W3", 52.0000, -1.0500),
    ("P3", "Dale Park", "park", "W1", 51.9700, -1.0000),
    ("P4", "Elm Park", "park", "W2", 52.0300, -1.0500),
    ("P5", "Fir Park", "park", "W3", 51.9700, -1.0500),
    ("P6", "Gorse Park", "park", "W1", 52.0000, -0.9500),
    ("P7", "Holly Park", "park", "W2", 52.0300, -0.9500),
    ("P8", "Ivy Park", "park", "W3", 51.9700, -0.9500),
    ("P9", "Juniper Park", "park", "W1", 52.0600, -1.0000),
    ("P10", "Kale Park", "park", "W2", 52.0600, -0.9500),
    ("P11", "Larch Park", "park", "W3", 51.9400, -1.0000),
    ("P12", "Maple Park", "park", "W1", 52.0600, -1.1000),
    ("P13", "Nettle Park", "park", "W2", 51.9400, -1.1000),
    ("T1", "Alder Takeaway", "takeaway", "W1", 52.0018, -1.0000),
    ("T2", "Birch Takeaway", "takeaway", "W2", 52.0600, -1.0500),
    ("T3", "Cedar Takeaway", "takeaway", "W3", 51.9400, -1.0500),
    ("T4", "Dale Takeaway", "takeaway", "W1", 51.9400, -0.9500),
]
# Pre-period monthly rates: the treated parks sit mid-pack so matching has neighbours either side.
IMPACT_RATES = {"P0": 12.0, "P1": 10.0, "P2": 14.0, "P3": 11.0, "P4": 13.0, "P5": 12.0,
                "P6": 9.0, "P7": 15.0, "P8": 12.0, "P9": 30.0, "P10": 11.0, "P11": 13.0,
                "P12": 10.0, "P13": 14.0, "T1": 5.0, "T2": 5.0,
                "T3": 6.0, "T4": 4.0}
# intervention_id, context, ward, started, ended, type, lead agency, description
IMPACT_INTERVENTIONS = [
    ("INT-1", "P0", "W1", IMPACT_START, None, "Detached youth work", "youth_services",
     "Youth workers in the park four evenings a week."),
    ("INT-2", "P5", "W3", IMPACT_START, None, "Lighting and CCTV", "police",
     "New lighting along the paths and two cameras."),
]


def impact_counts(seed: int = 11) -> pd.DataFrame:
    """Monthly incidents at each place: Poisson about a shared seasonal rhythm, with the planted
    fall at P0 and rise at T1 after IMPACT_START (P5's intervention changes nothing)."""
    rng = np.random.default_rng(seed)
    season = 1 + 0.2 * np.sin(2 * np.pi * (IMPACT_MONTHS.month.to_numpy() - 3) / 12)
    after = IMPACT_MONTHS >= pd.Timestamp(IMPACT_START)
    rows = []
    for context_id, rate in IMPACT_RATES.items():
        effect = np.ones(len(IMPACT_MONTHS))
        if context_id == "P0":
            effect[after] = TRUE_RATIO
        if context_id == "T1":
            effect[after] = DISPLACED_RATIO
        counts = rng.poisson(rate * season * effect)
        rows += [(context_id, m, int(n)) for m, n in zip(IMPACT_MONTHS, counts, strict=True)]
    return pd.DataFrame(rows, columns=["context_id", "month", "incidents"])


def seed_impact(store: Store, seed: int = 11) -> pd.DataFrame:
    """Write the synthetic impact borough (one incident row per count); return the counts."""
    counts = impact_counts(seed)
    places = {c[0]: c for c in IMPACT_CONTEXTS}
    agencies = ["police", "youth_services", "childrens_social_care"]
    rows, risks, people = [], [], []
    for context_id, month, n in counts.itertuples(index=False):
        ctx = places[context_id]
        for k in range(n):
            incident_id = f"{context_id}-{month:%Y%m}-{k:02d}"
            rows.append((incident_id, month + pd.Timedelta(days=k % 27, hours=18), ctx[3],
                         context_id, ctx[2], agencies[k % 3]))
            risks.append((incident_id, "cce" if k % 2 else "cse"))
            people.append((incident_id, f"Y{context_id}{k % 40:02d}"))
    incidents = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "ward_code",
                                            "context_id", "location_type", "source_agency"])
    write_borough(store, IMPACT_WARDS, IMPACT_CONTEXTS, incidents,
                  pd.DataFrame(risks, columns=["incident_id", "risk_type"]),
                  pd.DataFrame(people, columns=["incident_id", "person_id"]),
                  interventions=IMPACT_INTERVENTIONS, file_name="impact.csv")
    return counts
