"""Personal details in a file: found by heading or by cell, warned about before loading, and
their text never stored, so no view can show it; the real public files raise no false alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.ingest import ingest, personal_data, readers
from tests.ingest_helpers import csv_bytes, load, with_wards

REALDATA = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "realdata"


@pytest.mark.parametrize(("heading", "kinds"), [
    ("Child surname", ["names"]), ("First name", ["names"]), ("Name", ["names"]),
    ("DOB", ["dates of birth"]), ("Date of birth", ["dates of birth"]),
    ("Home address", ["addresses"]), ("Post code", ["postcodes"]), ("postcode", ["postcodes"]),
    ("LSOA name", []), ("Location", []), ("Policing operation", []), ("Outcome", []),
    ("Last outcome category", []), ("Crime type", []), ("Description", []),
])
def test_a_heading_says_what_a_column_holds_unless_it_names_an_area(heading, kinds):
    assert personal_data.header_kinds(heading) == kinds


@pytest.mark.parametrize(("text", "kinds"), [
    ("Seen with Mrs Patel at the station", ["names"]),
    ("Dr. Okafor referred", ["names"]),
    ("DOB 01/02/2010", ["dates of birth"]),
    ("d.o.b: 3 March 2011", ["dates of birth"]),
    ("born 2011", ["dates of birth"]),
    ("lives at 12 Acacia Avenue", ["addresses"]),
    ("Flat 3, the tower", ["addresses"]),
    ("EC2V 7HH", ["postcodes"]),
    ("near sw1a1aa", ["postcodes"]),
])
def test_a_cell_that_looks_personal_is_found(text, kinds):
    assert personal_data.cell_kinds(text) == kinds


@pytest.mark.parametrize("text", [
    "On or near Fleet Street", "City of London 001A", "E01000001", "E05009288", "2024-01",
    "Detached youth work at Alder Park", "Status update unavailable", "Referred to MASH",
    "Misuse of Drugs Act 1971 (section 23)", "Investigation complete; no suspect identified",
    "a3f5b1c2d4e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2",
    "Police and Criminal Evidence Act 1984 (section 1)", "Under 10", "10-17", "Born Free Trust",
])
def test_ordinary_text_is_not_taken_for_personal_details(text):
    assert personal_data.cell_kinds(text) == []


PERSONAL = csv_bytes([
    ["incident_id", "occurred_at", "risk_types", "outcome", "Child surname", "Notes"],
    ["A1", "10/03/2025", "cse", "Referred to Mrs Patel", "Bloggs", "seen at the park"],
    ["A2", "11/03/2025", "cse", "Closed", "Smith", "lives at 12 Acacia Avenue"],
    ["A3", "31/02/2025", "cse", "Closed", "Smith", "DOB 01/02/2010"],
])


def test_a_file_with_personal_details_is_warned_about_before_loading():
    staged = ingest.read(with_wards(), PERSONAL, "referrals.csv")
    assert [f.describe() for f in staged.personal] == [
        "column 'outcome': names (row 2)",
        "column 'Child surname': names (its heading says so)",
        "column 'Notes': dates of birth and addresses (rows 3 and 4)",
    ]
    assert set(staged.sample["Notes"]) == set(staged.sample["Child surname"]) == {
        ingest.WITHHELD}


def test_their_text_is_never_stored_so_no_view_can_show_it():
    store = with_wards()
    staged, extract_id = load(store, PERSONAL, "referrals.csv")
    assert store.query("SELECT outcome FROM incidents")["outcome"].isna().all()
    notes = ingest.row_notes(store.cursor(), extract_id)  # the rejected 31 February row
    assert list(notes["file: incident_id"]) == ["A3"]
    assert not {"file: Notes", "file: Child surname", "file: outcome"} & set(notes.columns)
    everything = " ".join(str(v) for table in ("incidents", "rejected_rows")
                          for v in store.query(f"SELECT * FROM {table}").to_numpy().ravel())
    for secret in ("Patel", "Bloggs", "Smith", "Acacia", "01/02/2010"):
        assert secret not in everything
    recorded = ingest.history(store.cursor()).set_index("extract_id").loc[extract_id, "notes"]
    assert "Left out as personal details: column 'Notes'" in recorded


def test_a_line_that_cannot_be_read_is_not_kept_when_it_looks_personal():
    data = PERSONAL + b"A4,12/03/2025,cse,Closed,Jones,at 4 Mill Lane,extra cell\n"
    staged = ingest.read(with_wards(), data, "referrals.csv")
    assert staged.personal[-1].describe() == (
        "rows that could not be split into columns: addresses (row 5)")
    lines = [r for r in staged.notes["raw"] if r and '"line"' in r]
    assert lines == ['{"line": "' + ingest.WITHHELD + '"}']


@pytest.mark.realdata
@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no real data at {REALDATA}")
def test_no_real_public_file_raises_a_false_alarm():
    for path in sorted(REALDATA.rglob("*.csv")):
        raw = readers.read_table(path.name, path.read_bytes())
        assert personal_data.scan(raw, personal_data.unique_names(raw.header)) == (), path.name
