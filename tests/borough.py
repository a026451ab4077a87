"""A small seeded synthetic borough with real ward polygons, for the Places tests.

Twenty-five square wards in a 5 x 5 grid (fictional names), four mapped places a ward and one
online space. Incidents fall at random across the borough in proportion to children; with
`hot=True` a planted cluster is added in the centre ward (Millbrook) and, more thinly, in its
eight neighbours, on Friday and Saturday evenings. With `hot=False` the scatter is all there is.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analytics.store.store import Store

NAMES = ("Ashby", "Brookfield", "Carrow", "Denholm", "Eastwick",
         "Fairlee", "Greystone", "Hallam", "Ivydale", "Juniper",
         "Kestrel", "Larchmere", "Millbrook", "Northgate", "Oakhurst",
         "Pendle", "Quarry Hill", "Rookwood", "Saltmarsh", "Thornbury",
         "Upton Vale", "Wexley", "Yarrow", "Zennor Park", "Amberley")
HOT_WARD = "Millbrook"  # the centre ward: W12
LAT0, LON0, DLAT, DLON = 52.40, -1.60, 0.0125, 0.02
PLACE_TYPES = ("park", "transport_hub", "takeaway", "shopping_centre", "housing_estate",
               "school", "street", "youth_venue")
RISKS = ("cse", "cce", "county_lines", "missing", "syv", "gangs", "hsb")
AGENCIES = ("police", "childrens_social_care", "education", "youth_services")
START, DAYS_SPAN = pd.Timestamp("2024-01-01"), 731  # two years: 2024 and 2025


def ward_polygon(row: int, col: int) -> dict:
    """The GeoJSON square of the ward in grid row `row`, column `col`."""
    lat, lon = LAT0 + row * DLAT, LON0 + col * DLON
    ring = [[lon, lat], [lon + DLON, lat], [lon + DLON, lat + DLAT], [lon, lat + DLAT], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def build_borough(store: Store, *, seed: int = 7, hot: bool = True,
                  background: int = 900, planted: int = 160) -> None:
    """Write the borough into `store` in one load."""
    rng = np.random.default_rng(seed)
    wards, contexts = [], []
    for k, name in enumerate(NAMES):
        row, col = divmod(k, 5)
        children = int(rng.integers(1500, 2500))
        wards.append((f"W{k:02d}", name, json.dumps(ward_polygon(row, col)),
                      LAT0 + (row + 0.5) * DLAT, LON0 + (col + 0.5) * DLON, children))
        for j in range(4):
            lat = LAT0 + (row + rng.uniform(0.15, 0.85)) * DLAT
            lon = LON0 + (col + rng.uniform(0.15, 0.85)) * DLON
            kind = PLACE_TYPES[(k + j) % len(PLACE_TYPES)]
            contexts.append((f"C{k:02d}{j}", f"{name} {kind.replace('_', ' ')}", kind,
                             f"W{k:02d}", lat, lon))
    contexts.append(("ONLINE", "Group chat", "online", None, None, None))
    ctx = pd.DataFrame(contexts, columns=["context_id", "name", "context_type", "ward_code",
                                          "lat", "lon"])
    children = np.array([w[5] for w in wards], dtype=float)
    ward_of = list(rng.choice(25, size=background, p=children / children.sum()))
    evening = [False] * background
    if hot:
        hot_k = NAMES.index(HOT_WARD)
        ring = [k for k in range(25) if k != hot_k
                and abs(k // 5 - hot_k // 5) <= 1 and abs(k % 5 - hot_k % 5) <= 1]
        extra = [hot_k] * (planted // 2) + list(rng.choice(ring, size=planted - planted // 2))
        ward_of += extra
        evening += [True] * len(extra)
    rows, risks, people = [], [], []
    for n, (k, late) in enumerate(zip(ward_of, evening, strict=True)):
        mapped = ctx[ctx["ward_code"] == f"W{k:02d}"]
        place = mapped.iloc[0 if late and rng.random() < 0.5 else int(rng.integers(len(mapped)))]
        day = START + pd.Timedelta(days=int(rng.integers(DAYS_SPAN)))
        if late:  # Friday or Saturday evening, UK time (BST in summer: stored as UTC)
            day = day + pd.Timedelta(days=(4 + int(rng.integers(2)) - day.day_of_week) % 7)
            hour = int(rng.integers(19, 23))
        else:
            hour = int(rng.choice(24, p=_hour_weights()))
        local = day + pd.Timedelta(hours=hour, minutes=int(rng.integers(60)))
        utc = local.tz_localize("Europe/London", nonexistent="shift_forward",
                                ambiguous=False).tz_convert("UTC").tz_localize(None)
        online = rng.random() < 0.05
        rows.append((f"I{n:05d}", utc, f"W{k:02d}", "ONLINE" if online else place["context_id"],
                     None if online else place["lat"] + rng.normal(0, 0.0005),
                     None if online else place["lon"] + rng.normal(0, 0.0008),
                     "online" if online else place["context_type"],
                     AGENCIES[int(rng.integers(len(AGENCIES)))], int(rng.integers(1, 4))))
        for r in rng.choice(RISKS, size=int(rng.integers(1, 3)), replace=False):
            risks.append((f"I{n:05d}", str(r)))
        people.append((f"I{n:05d}", f"P{int(rng.integers(400)):04d}"))
    _write(store, wards, ctx, rows, risks, people)


def _hour_weights() -> np.ndarray:
    """More incidents in the afternoon and evening than at night."""
    w = np.array([1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 6, 7, 7, 7, 6, 5, 4, 3, 2], float)
    return w / w.sum()


def _write(store: Store, wards: list, ctx: pd.DataFrame, rows: list, risks: list,
           people: list) -> None:
    inc = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "ward_code", "context_id",
                                      "lat", "lon", "location_type", "source_agency", "severity"])
    rsk = pd.DataFrame(risks, columns=["incident_id", "risk_type"])
    ppl = pd.DataFrame(people, columns=["incident_id", "person_id"]).drop_duplicates()
    wrd = pd.DataFrame(wards, columns=["ward_code", "ward_name", "geometry_geojson",
                                       "centroid_lat", "centroid_lon", "child_population"])
    with store.transaction() as cur:
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                    "VALUES (1, 'incidents', 'borough.csv', TIMESTAMP '2026-01-05 09:00', "
                    "'loaded')")
        for name, frame in (("wrd", wrd), ("ctx", ctx), ("inc", inc), ("rsk", rsk),
                            ("ppl", ppl)):
            cur.register(name, frame)
        cur.execute("INSERT INTO wards SELECT * FROM wrd")
        cur.execute("INSERT INTO contexts SELECT *, 1 FROM ctx")
        cur.execute("INSERT INTO incidents (incident_id, occurred_at, ward_code, context_id, lat, "
                    "lon, location_type, source_agency, severity, extract_id) "
                    "SELECT *, 1 FROM inc")
        cur.execute("INSERT INTO incident_risks SELECT *, 1 FROM rsk")
        cur.execute("INSERT INTO young_people (person_id) SELECT DISTINCT person_id FROM ppl")
        cur.execute("INSERT INTO incident_people SELECT incident_id, person_id, 'subject', 1 "
                    "FROM ppl")
