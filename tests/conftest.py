"""Shared fixtures: a tiny hand-written borough whose answers can be checked on paper, and the
default demo borough (built once per test session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from analytics.store.filters import Filters
from analytics.store.store import Store

# Timing belongs to the benchmark, not to tests: no deadlines, even on a busy 2-core machine.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")

# The longest test files first: with two workers taking a file at a time (pytest-xdist,
# --dist=loadfile) the run ends when the last long file does, so they start at once and the
# short files fill in around them.
LONGEST_FIRST = ("test_browser_data.py", "test_browser_payloads.py", "test_browser_realdata.py",
                 "test_browser.py", "test_upload_properties.py", "test_browser_navigation.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run LONGEST_FIRST's files first, in that order; the rest keep their order. (xdist keeps
    this order only with --no-loadscope-reorder, in pyproject's addopts: by default it sends
    the files with the most tests first, which left the longest, with one or two tests, running
    alone at the end: 924 s against 746 s.)"""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))

# Three wards, four contexts, ten incidents in 2025 (and two in 2024 for the previous period).
TINY_WARDS = [
    ("W1", "Alder", 1000),
    ("W2", "Birch", 2000),
    ("W3", "Cedar", 500),
]
TINY_CONTEXTS = [
    ("C1", "Alder Park", "park", "W1", 52.0, -1.0),
    ("C2", "Birch Station", "transport_hub", "W2", 52.01, -1.01),
    ("C3", "Cedar School", "school", "W3", 52.02, -1.02),
    ("C4", "Group chat", "online", None, None, None),
]
# incident_id, occurred_at, ward, context, agency, severity, risks, people
TINY_INCIDENTS = [
    ("I01", "2025-01-10 20:00", "W1", "C1", "police", 2, ["cse", "missing"], ["P1"]),
    ("I02", "2025-02-11 21:00", "W1", "C1", "police", 3, ["cse", "missing"], ["P1", "P2"]),
    ("I03", "2025-03-12 22:00", "W1", "C1", "childrens_social_care", 1, ["missing"], ["P3"]),
    ("I04", "2025-04-13 18:00", "W2", "C2", "police", 2, ["cce", "county_lines"], ["P4"]),
    ("I05", "2025-05-14 19:00", "W2", "C2", "police", 3, ["cce", "county_lines"], ["P4", "P5"]),
    ("I06", "2025-06-15 23:00", "W2", "C2", "police", 2, ["cce"], ["P5"]),
    ("I07", "2025-07-16 12:00", "W3", "C3", "education", 1, ["hsb"], ["P6"]),
    ("I08", "2025-08-17 13:00", "W3", "C3", "education", 2, ["hsb"], ["P7"]),
    ("I09", "2025-09-18 14:00", None, "C4", "youth_services", 1, ["radicalisation"], ["P8"]),
    ("I10", "2025-12-19 15:00", "W2", "C2", "police", 3, ["syv", "gangs"], ["P9", "P4"]),
    ("I11", "2024-03-01 20:00", "W1", "C1", "police", 1, ["cse"], ["P1"]),
    ("I12", "2024-06-01 20:00", "W2", "C2", "police", 1, ["cce"], ["P4"]),
]
YEAR_2025 = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")


def seed_tiny(store: Store) -> None:
    """Write the tiny borough into a store in one load."""
    incidents = pd.DataFrame(
        [(i, pd.Timestamp(t), w, c, a, s) for i, t, w, c, a, s, _, _ in TINY_INCIDENTS],
        columns=["incident_id", "occurred_at", "ward_code", "context_id", "source_agency",
                 "severity"],
    )
    ctx_types = {c[0]: c[2] for c in TINY_CONTEXTS}
    incidents["location_type"] = incidents["context_id"].map(ctx_types)
    risks = pd.DataFrame([(i, r) for i, *_, rs, _ in TINY_INCIDENTS for r in rs],
                         columns=["incident_id", "risk_type"])
    people = pd.DataFrame([(i, p) for i, *_, ps in TINY_INCIDENTS for p in ps],
                          columns=["incident_id", "person_id"])
    with store.transaction() as cur:
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, status) "
                    "VALUES (1, 'incidents', 'tiny.csv', TIMESTAMP '2026-01-05 09:00', 'loaded')")
        for code, name, children in TINY_WARDS:
            cur.execute("INSERT INTO wards (ward_code, ward_name, child_population) "
                        "VALUES ($c, $n, $p)", {"c": code, "n": name, "p": children})
        for row in TINY_CONTEXTS:
            cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code, lat, lon)"
                        " VALUES (?, ?, ?, ?, ?, ?)", list(row))
        insert_incidents(cur, incidents, risks, people)


def insert_incidents(cur, incidents: pd.DataFrame, risks: pd.DataFrame,
                     people: pd.DataFrame, extract_id: int = 1) -> None:
    """Write hand-made incidents (any subset of the table's columns), their risk types and their
    young people, as extract `extract_id`; shared by every test borough."""
    cur.register("inc", incidents.assign(extract_id=extract_id))
    cur.execute("INSERT INTO incidents BY NAME SELECT * FROM inc")
    cur.register("rsk", risks[["incident_id", "risk_type"]].assign(extract_id=extract_id))
    cur.execute("INSERT INTO incident_risks BY NAME SELECT * FROM rsk")
    cur.register("ppl", people[["incident_id", "person_id"]].assign(extract_id=extract_id))
    cur.execute("INSERT INTO young_people (person_id) SELECT DISTINCT person_id FROM ppl")
    cur.execute("INSERT INTO incident_people SELECT incident_id, person_id, 'subject', extract_id "
                "FROM ppl")
    for name in ("inc", "rsk", "ppl"):
        cur.unregister(name)


@pytest.fixture
def tiny() -> Store:
    """A fresh in-memory store holding the tiny hand-written borough."""
    store = Store()
    seed_tiny(store)
    return store


def tiny_database(path: Path) -> Path:
    """The tiny borough written to a database file at `path` (returned), for an app to open."""
    store = Store(path)
    seed_tiny(store)
    store.close()
    return path


@pytest.fixture
def tiny_db(tmp_path):
    """The tiny borough in a database file, for tests that open the app on it."""
    return tiny_database(tmp_path / "tiny.duckdb")


@pytest.fixture(scope="session")
def demo_store() -> Store:
    """The default fictional demo borough, generated once for the whole test session."""
    from analytics.demo import demo

    store = Store()
    demo.generate(store)
    return store


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a module of browser tests (tests/live_app.py)."""
    from tests.live_app import chromium

    with chromium() as b:
        yield b
