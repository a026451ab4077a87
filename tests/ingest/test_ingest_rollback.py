"""Rolling back: a load of several files is one load that rolls back in one step; any chosen set
rolls back in one transaction; the plan shown before the click is exactly what is removed and
put back; and any extract's rows to check can be read, flagged rows included."""

from __future__ import annotations

import pytest

from analytics.ingest import ingest
from analytics.ingest.ingest import IngestError
from tests.ingest_helpers import (
    INSIDE_EAST,
    OUTSIDE,
    assert_same,
    csv_bytes,
    incident,
    incidents_csv,
    load,
    snapshot,
    wards_geojson,
    with_wards,
)

PLACES = csv_bytes([["context_id", "name", "context_type", "lat", "lon"],
                    ["C1", "Alder Park", "park", 52.25, -0.75],
                    ["C2", "Birch Station", "transport_hub", *INSIDE_EAST]])


def at_places(*ids: str) -> bytes:
    """Incidents at the place C1 (so they depend on the places file)."""
    return csv_bytes([["incident_id", "occurred_at", "risk_types", "context_id"],
                      *[[i, "10/03/2025 20:00", "cse", "C1"] for i in ids]])


def commit_batch(store, *files: tuple[bytes, str]) -> list[int]:
    staged = [ingest.read(store, data, name) for data, name in files]
    return ingest.commit(store, staged, "test")


@pytest.fixture
def area():
    return with_wards()


def test_the_rows_to_check_of_an_extract_with_flagged_and_duplicate_rows_can_be_read(area):
    """The reported crash: rows loaded but flagged keep no cells (NULL), beside a duplicate's."""
    row = incident("A1", where=OUTSIDE)
    _, extract_id = load(area, incidents_csv(row, row, incident("A2")), "mixed.csv")
    notes = ingest.row_notes(area.cursor(), extract_id)
    assert sorted(notes["outcome"]) == ["duplicate", "flagged"]
    flagged = notes[notes["outcome"] == "flagged"].iloc[0]
    assert flagged.drop(["row", "outcome", "column", "reason"]).isna().all()
    assert notes.loc[notes["outcome"] == "duplicate", "file: incident_id"].tolist() == ["A1"]
    assert ingest.row_notes_csv(area.cursor(), extract_id).startswith("\ufeffrow,outcome".encode())


def test_files_loaded_together_are_one_load_and_roll_back_in_one_step(area):
    before, version = snapshot(area), area.data_version()
    ids = commit_batch(area, (incidents_csv(incident("A1")), "jan.csv"),
                       (incidents_csv(incident("B1"), incident("B2")), "feb.csv"))
    assert ingest.same_load(area.cursor(), ids[0]) == ingest.same_load(area.cursor(), ids[1]) \
        == ids
    removed = ingest.rollback(area, ids, "test")
    assert removed["incidents"] == 3 and area.data_version() == version + 2  # load, rollback
    assert_same(before, snapshot(area))
    history = ingest.history(area.cursor()).set_index("extract_id")
    assert (history.loc[ids, "status"] == ingest.STATUS_ROLLED_BACK).all()


def test_a_later_load_is_a_load_of_its_own(area):
    [first] = commit_batch(area, (incidents_csv(incident("A1")), "jan.csv"))
    [second] = commit_batch(area, (incidents_csv(incident("B1")), "feb.csv"))
    assert ingest.same_load(area.cursor(), first) == [first]
    assert ingest.same_load(area.cursor(), second) == [second]


def test_the_plan_is_exactly_what_the_rollback_removes_and_changes_nothing(area):
    [places] = commit_batch(area, (PLACES, "places.csv"))
    [incidents] = commit_batch(area, (at_places("A1", "A2"), "incidents.csv"))
    before, version = snapshot(area), area.data_version()
    plan = ingest.rollback_plan(area, [places, incidents])
    assert plan.refusal is None and plan.extract_ids == (incidents, places)
    assert {t: n for t, n in plan.removed.items() if n} == {
        "contexts": 2, "incidents": 2, "incident_risks": 2}
    assert_same(before, snapshot(area))
    assert area.data_version() == version
    assert ingest.rollback(area, [places, incidents], "test", expected=plan.removed) \
        == plan.removed


def test_a_set_rolls_back_whole_whichever_order_its_members_depend_on_each_other(area):
    before = snapshot(area)
    [places] = commit_batch(area, (PLACES, "places.csv"))
    [incidents] = commit_batch(area, (at_places("A1"), "incidents.csv"))
    ingest.rollback(area, [incidents, places])
    assert_same(before, snapshot(area))


def test_a_dependant_outside_the_set_stops_the_whole_rollback_and_says_which(area):
    [places] = commit_batch(area, (PLACES, "places.csv"))
    [other] = commit_batch(area, (incidents_csv(incident("B1")), "other.csv"))
    [incidents] = commit_batch(area, (at_places("A1"), "incidents.csv"))
    before = snapshot(area)
    plan = ingest.rollback_plan(area, [places, other])
    assert plan.refusal == (f"Extract {incidents} (incidents.csv) refers to places in extract "
                            f"{places}; roll that back first.")
    with pytest.raises(IngestError, match="refers to places"):
        ingest.rollback(area, [places, other])
    assert_same(before, snapshot(area))
    assert set(ingest.history(area.cursor())["status"]) == {ingest.STATUS_LOADED}


def test_a_rollback_whose_data_changed_since_it_was_confirmed_removes_nothing(area):
    [first] = commit_batch(area, (incidents_csv(incident("A1")), "jan.csv"))
    plan = ingest.rollback_plan(area, first)
    before = snapshot(area)
    with pytest.raises(IngestError, match="The data changed since this rollback was confirmed"):
        ingest.rollback(area, first, expected={**plan.removed, "incidents": 5})
    assert_same(before, snapshot(area))


def test_the_plan_says_what_a_rollback_puts_back(area):
    renamed = {"E05000001": ("Westfield North", (-1.0, 52.0, -0.5, 52.5)),
               "E05000002": ("Eastgate", (-0.5, 52.0, 0.0, 52.5))}
    [wards] = commit_batch(area, (wards_geojson(renamed), "wards-2024.geojson"))
    plan = ingest.rollback_plan(area, wards)
    assert (plan.removed["wards"], plan.restored["wards"]) == (2, 2)
    assert plan.describe() == "removes 2 wards and puts back 2 wards"
    assert plan.describe(done=True) == "removed 2 wards and put back 2 wards"


def test_counts_are_said_in_words_table_by_table():
    assert ingest.count_words({"area_crime": 3, "contexts": 0, "incidents": 1204}) == (
        "1,204 incidents and 3 police.uk records")
    assert ingest.count_words({"wards": 1, "lsoa": 2}) == "2 LSOAs and 1 ward"
    assert ingest.count_words({"incidents": 0}) == "nothing"


def test_an_empty_set_or_an_unknown_extract_is_refused_with_the_reason(area):
    with pytest.raises(IngestError, match="Choose at least one extract"):
        ingest.rollback(area, [])
    assert ingest.rollback_plan(area, [99]).refusal == "There is no extract 99."
