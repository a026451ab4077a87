"""A hand-written borough for the overlap tests, small enough to check every number on paper.

Twelve young people (P1 to P12) and four places in 2025, plus one record in 2024:

    person  risk types in 2025           days between the two records
    P1      cse, missing                 0 (one incident carries both)
    P2      cse, missing                 2
    P3      cse, missing                 20
    P4      cse, missing                 100
    P5      missing, cce                 10
    P6      missing                      -
    P7      cce  (and cse in 2024, outside the period)
    P8, P9  cce
    P10-12  hsb

So N = 12, n(cse) = 4, n(missing) = 6, n(cce) = 4, n(hsb) = 3; n(cse and missing) = 4,
n(missing and cce) = 1, every other pair 0.

Places: X1 park in W1 {cse, missing}; X2 station in W2 {cse, missing, cce}; X3 online, no ward,
{missing, cce}; X4 school in W3 {hsb}. So N = 4 places, n(cse) = 2, n(missing) = 3, n(cce) = 2,
n(hsb) = 1; n(cse and missing) = 2, n(cse and cce) = 1, n(missing and cce) = 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from analytics.store.filters import Filters
from analytics.store.store import Store

WARDS = [("W1", "Alder", 1000), ("W2", "Birch", 2000), ("W3", "Cedar", 500)]
CONTEXTS = [
    ("X1", "Alder Park", "park", "W1"),
    ("X2", "Birch Station", "transport_hub", "W2"),
    ("X3", "Group chat", "online", None),
    ("X4", "Cedar School", "school", "W3"),
]
# incident_id, date, ward, context, risk types, people
INCIDENTS = [
    ("I01", "2025-01-10", "W1", "X1", ["cse", "missing"], ["P1"]),
    ("I02", "2025-02-01", "W1", "X1", ["cse"], ["P2"]),
    ("I03", "2025-02-03", "W2", "X2", ["missing"], ["P2"]),
    ("I04", "2025-03-01", "W1", "X1", ["cse"], ["P3"]),
    ("I05", "2025-03-21", "W1", "X1", ["missing"], ["P3"]),
    ("I06", "2025-04-01", "W2", "X2", ["cse"], ["P4"]),
    ("I07", "2025-07-10", "W2", "X2", ["missing"], ["P4"]),
    ("I08", "2025-05-01", None, "X3", ["missing"], ["P5"]),
    ("I09", "2025-05-11", "W2", "X2", ["cce"], ["P5"]),
    ("I10", "2025-06-01", "W2", "X2", ["cce"], ["P7"]),
    ("I11", "2025-06-02", "W2", "X2", ["cce"], ["P8"]),
    ("I12", "2025-06-03", None, "X3", ["cce"], ["P9"]),
    ("I13", "2025-08-01", "W3", "X4", ["hsb"], ["P10"]),
    ("I14", "2025-08-02", "W3", "X4", ["hsb"], ["P11"]),
    ("I15", "2025-08-03", "W3", "X4", ["hsb"], ["P12"]),
    ("I16", "2025-09-01", "W1", "X1", ["missing"], ["P6"]),
    ("I17", "2024-06-01", "W1", "X1", ["cse"], ["P7"]),
]
YEAR = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")

Incident = tuple[str, str, str | None, str | None, Sequence[str], Sequence[str]]


def seed(store: Store, incidents: Sequence[Incident] = INCIDENTS,
         wards: Sequence[tuple] = WARDS, contexts: Sequence[tuple] = CONTEXTS) -> None:
    """Write wards, places and incidents (with their risk types and people) in one load."""
    ctx_type = {c[0]: c[2] for c in contexts}
    frame = pd.DataFrame(
        [(i, pd.Timestamp(d), w, c, ctx_type.get(c)) for i, d, w, c, _, _ in incidents],
        columns=["incident_id", "occurred_at", "ward_code", "context_id", "location_type"])
    risks = pd.DataFrame([(i, r) for i, *_, rs, _ in incidents for r in rs],
                         columns=["incident_id", "risk_type"])
    people = pd.DataFrame([(i, p) for i, *_, ps in incidents for p in ps],
                          columns=["incident_id", "person_id"])
    with store.transaction() as cur:
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                    "VALUES (1, 'incidents', 'overlap.csv', TIMESTAMP '2026-01-05 09:00', "
                    "'loaded')")
        for code, name, children in wards:
            cur.execute("INSERT INTO wards (ward_code, ward_name, child_population) "
                        "VALUES ($c, $n, $p)", {"c": code, "n": name, "p": children})
        for cid, name, ctype, ward in contexts:
            cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code) "
                        "VALUES ($i, $n, $t, $w)", {"i": cid, "n": name, "t": ctype, "w": ward})
        cur.register("inc", frame)
        cur.execute("INSERT INTO incidents (incident_id, occurred_at, ward_code, context_id, "
                    "location_type, source_agency, extract_id) SELECT incident_id, occurred_at, "
                    "ward_code, context_id, location_type, 'police', 1 FROM inc")
        cur.register("rsk", risks)
        cur.execute("INSERT INTO incident_risks SELECT incident_id, risk_type, 1 FROM rsk")
        cur.register("ppl", people)
        cur.execute("INSERT INTO young_people (person_id) SELECT DISTINCT person_id FROM ppl")
        cur.execute("INSERT INTO incident_people SELECT incident_id, person_id, 'subject', 1 "
                    "FROM ppl")


def medium_incidents() -> list[Incident]:
    """Sixty young people in 2025 with one strong pair, for the page tests.

    20 have sexual exploitation and going missing (same incident), 4 sexual exploitation only,
    6 going missing only, 27 criminal exploitation only and 3 criminal exploitation with harmful
    sexual behaviour. So N = 60, n(cse) = 24, n(missing) = 26, n(cse and missing) = 20: lift
    20 * 60 / (24 * 26) = 1.92, far beyond chance; and a combination of 3, hidden in board view.
    """
    plan = ([["cse", "missing"]] * 20 + [["cse"]] * 4 + [["missing"]] * 6 + [["cce"]] * 27
            + [["cce", "hsb"]] * 3)
    places = ["X1", "X2", "X4"]
    wards = {"X1": "W1", "X2": "W2", "X4": "W3"}
    out: list[Incident] = []
    for n, risks in enumerate(plan):
        place = places[n % 3]
        out.append((f"M{n:03d}", f"2025-{n % 12 + 1:02d}-15", wards[place], place, risks,
                    [f"Q{n:03d}"]))
    return out
