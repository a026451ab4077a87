"""Property test of the Data page's own functions (ui.upload): any sequence of loads and
rollbacks, of single extracts or whole loads, leaves the database exactly as loading only the
files that remain would, in the same loads and order; a refused load or rollback changes
nothing; and every rollback removes exactly what its confirmation said.

The same examples are drawn on every run (CI is repeatable); UPLOAD_SWEEP=1 draws new ones.
"""

from __future__ import annotations

import os
from unittest.mock import patch

import pandas as pd
import streamlit as st
from hypothesis import event, example, given, settings
from hypothesis import strategies as hs

from analytics.governance.access import local_access
from analytics.ingest import ingest
from analytics.ingest.police import STREET_COLUMNS
from tests.ingest_helpers import (
    INSIDE_EAST,
    INSIDE_WEST,
    OUTSIDE,
    SNAPSHOT_TABLES,
    WARD_SQUARES,
    csv_bytes,
    incident,
    incidents_csv,
    wards_geojson,
    with_wards,
)
from ui import state, upload

FIXED = not os.environ.get("UPLOAD_SWEEP")
WHO = "property test"

_street = list(STREET_COLUMNS.values())
_crime = {"Crime ID": "c1", "Month": "2025-03", "Reported by": "Force", "Falls within": "Force",
          "Latitude": INSIDE_EAST[0], "Longitude": INSIDE_EAST[1], "Location": "On or near X",
          "LSOA code": "", "LSOA name": "", "Crime type": "Robbery",
          "Last outcome category": "", "Context": ""}
FILES = [  # a small partnership: files that depend on each other, replace, repeat and reject
    ("places.csv", csv_bytes([["context_id", "name", "context_type", "lat", "lon"],
                              ["C1", "Alder Park", "park", *INSIDE_WEST],
                              ["C2", "Birch Station", "transport_hub", *INSIDE_EAST]])),
    ("at-places.csv", csv_bytes([["incident_id", "occurred_at", "risk_types", "context_id",
                                  "person_ids"],
                                 ["P1", "10/03/2025 20:00", "cse", "C1", "YP1"]])),
    ("jan.csv", incidents_csv(incident("A1"), incident("A1"), incident("A2", people="YP1;YP2"),
                              incident("A3", when="31/02/2025"))),
    ("feb.csv", incidents_csv(incident("B1", people="YP2", where=OUTSIDE))),
    ("interventions.csv", csv_bytes([["intervention_id", "started_on", "context_id"],
                                     ["V1", "01/04/2025", "C2"]])),
    ("wards-2024.geojson", wards_geojson({c: (f"{n} (2024)", box)
                                          for c, (n, box) in WARD_SQUARES.items()})),
    ("street.csv", csv_bytes([_street, [_crime[c] for c in _street],
                              [_crime[c] for c in _street],
                              [{**_crime, "Crime ID": "c2", "Latitude": INSIDE_WEST[0],
                                "Longitude": INSIDE_WEST[1]}[c] for c in _street]])),
]

loads = hs.tuples(hs.just("load"), hs.sets(hs.integers(0, len(FILES) - 1), min_size=1,
                                           max_size=3))
rollbacks = hs.tuples(hs.just("rollback"), hs.integers(0, 30), hs.booleans())


def by_file(store) -> dict[str, pd.DataFrame]:
    """Every data table, each row's owning extract named by its file (extract ids differ from
    one database to another), in a fixed order."""
    files = dict(store.query("SELECT extract_id, file_name FROM extracts").itertuples(
        index=False))
    out = {}
    for table in SNAPSHOT_TABLES:
        frame = store.query(f"SELECT * FROM {table}")
        if "extract_id" in frame:  # wards and LSOAs name theirs in area_lineage
            frame["extract_id"] = frame["extract_id"].map(files)
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def assert_same(one: dict[str, pd.DataFrame], other: dict[str, pd.DataFrame]) -> None:
    for table in one:
        pd.testing.assert_frame_equal(one[table], other[table], obj=table,
                                      check_dtype=False)


def page_load(store, indices) -> list[tuple[int, int]]:
    """What the page does: check each file against the data now, load those that can load;
    (file, extract) for each file loaded."""
    staged = {i: ingest.read(store, FILES[i][1], FILES[i][0]) for i in indices}
    ready = [i for i, s in staged.items() if s.ok and s.counts.valid]
    return list(zip(ready, upload.commit([staged[i] for i in ready], WHO), strict=True))


@settings(max_examples=int(os.environ.get("UPLOAD_EXAMPLES", 12)), derandomize=FIXED,
          deadline=None)
@given(steps=hs.lists(hs.one_of(loads, rollbacks), min_size=3, max_size=8))
# a rollback refused while another load still uses the places, then allowed once it is gone
@example(steps=[("load", {0}), ("load", {1}), ("rollback", 0, False), ("rollback", 1, False),
                ("rollback", 0, False)])
# new ward boundaries, rows placed in them, the boundaries rolled back (the old ones return)
@example(steps=[("load", {5}), ("load", {2, 3}), ("rollback", 0, True), ("load", {5, 6}),
                ("load", {6}), ("rollback", 1, True)])
def test_any_loads_and_rollbacks_leave_the_database_as_loading_only_what_remains(steps):
    store = with_wards()
    st.session_state[state.ACCESS_KEY] = local_access("analyst", WHO)
    remaining: list[list[tuple[int, int]]] = []  # each load: (file, extract) still loaded
    with patch.object(state, "store", lambda: store):
        for step in steps:
            before = by_file(store)
            if step[0] == "load":
                try:
                    remaining.append(page_load(store, sorted(step[1])))
                    event("a load")
                except ingest.IngestError:
                    assert_same(before, by_file(store))
                    event("a load refused")
                continue
            loaded = [x for load in remaining for _, x in load]
            if not loaded:
                continue
            chosen = loaded[step[1] % len(loaded)]
            ids = ingest.same_load(store.cursor(), chosen) if step[2] else [chosen]
            plan = upload.rollback_plan(ids)
            assert by_file(store).keys() == before.keys()
            if plan.refusal:
                try:
                    upload.rollback(ids, WHO, expected=plan.removed)
                except ingest.IngestError:
                    assert_same(before, by_file(store))
                    event("a rollback refused")
                    continue
                raise AssertionError(f"the plan refused ({plan.refusal}) but the rollback ran")
            assert upload.rollback(ids, WHO, expected=plan.removed) == plan.removed
            event(f"a rollback of {'a load' if step[2] else 'an extract'}")
            remaining = [[(f, x) for f, x in load if x not in ids] for load in remaining]
    replay = with_wards()
    for load in remaining:
        if load:
            staged = [ingest.read(replay, FILES[f][1], FILES[f][0]) for f, _ in load]
            ingest.commit(replay, staged, WHO)
    assert_same(by_file(replay), by_file(store))
