"""Loading extracts: what each rule does to each row, one transaction, lineage and rollback."""

import json

import pandas as pd
import pytest

from analytics.ingest import ingest
from analytics.ingest.ingest import IngestError, commit, read, rollback
from analytics.ingest.mapping import auto_mapping
from analytics.ingest.validate import NAME_MAX_CHARS
from analytics.store.store import Store
from tests.conftest import seed_tiny
from tests.ingest_helpers import (
    INCIDENT_HEADER,
    INSIDE_EAST,
    INSIDE_WEST,
    OUTSIDE,
    WARD_SQUARES,
    assert_same,
    csv_bytes,
    incident,
    incidents_csv,
    load,
    snapshot,
    wards_geojson,
    with_wards,
)


@pytest.fixture
def area() -> Store:
    return with_wards()


def reasons(staged, outcome="rejected"):
    """{row number: [(column, reason), ...]} for one outcome."""
    out = {}
    for r in staged.notes[staged.notes["outcome"] == outcome].itertuples():
        out.setdefault(r.row_number, []).append((r.column_name, r.reason))
    return out


# --- incidents from the template ---------------------------------------------------------------

def test_a_clean_template_file_loads_incidents_risks_people_and_wards(area):
    data = incidents_csv(incident("A1", risks="cse; missing", people="YP1; YP2"),
                         incident("A2", where=INSIDE_EAST, risks="Criminal exploitation"))
    staged, extract_id = load(area, data, "incidents.csv")
    assert staged.kind == "incidents"
    assert staged.counts == ingest.Counts(read=2, valid=2)
    rows = area.query("SELECT incident_id, ward_code, severity, extract_id FROM incidents "
                      "ORDER BY 1")
    assert rows.values.tolist() == [["A1", "E05000001", 2, extract_id],
                                    ["A2", "E05000002", 2, extract_id]]
    assert area.query("SELECT incident_id, risk_type FROM incident_risks ORDER BY 1, 2"
                      ).values.tolist() == [["A1", "cse"], ["A1", "missing"], ["A2", "cce"]]
    assert sorted(area.query("SELECT person_id FROM young_people")["person_id"]) == ["YP1", "YP2"]


def test_a_risk_type_or_young_person_named_twice_in_one_cell_is_stored_once(area):
    load(area, incidents_csv(incident("A1", risks="cse; CSE; Sexual exploitation",
                                      people="YP1; YP1")), "i.csv")
    assert area.query("SELECT count(*) AS n FROM incident_risks")["n"][0] == 1
    assert area.query("SELECT count(*) AS n FROM incident_people")["n"][0] == 1


def test_times_are_stored_in_utc(area):
    load(area, incidents_csv(incident("A1", when="01/07/2025 20:00")), "i.csv")
    assert str(area.query("SELECT occurred_at FROM incidents")["occurred_at"][0]) == \
        "2025-07-01 19:00:00"


def test_a_bad_cell_rejects_its_row_with_file_row_column_and_what_was_expected(area):
    data = incidents_csv(incident("A1"), incident("A2", when="31/02/2025"),
                         incident("A3", risks="cse; XYZ"), incident("A4", agency="Fire"))
    staged = read(area, data, "partner.csv")
    assert staged.counts.valid == 1 and staged.counts.rejected == 3
    found = reasons(staged)
    assert found[3] == [("occurred_at", "'31/02/2025' is not a date: expected a date such as "
                         "23/11/2026, or a date and time such as 23/11/2026 14:30 or "
                         "2026-11-23T14:30:00+00:00")]
    assert found[4][0][0] == "risk_types"
    assert found[4][0][1].startswith("'XYZ' is not a known risk type: expected one of cse, cce")
    assert found[5][0][1].startswith("'Fire' is not a known source agency")
    first = staged.first_problems()
    assert first[["column", "rows", "row"]].values.tolist() == [
        ["occurred_at", 1, 3], ["risk_types", 1, 4], ["source_agency", 1, 5]]
    assert first["message"][0].startswith(
        "partner.csv, row 3, column 'occurred_at': '31/02/2025' is not a date")


def test_first_problems_keep_five_messages_a_column_and_count_them_all(area):
    data = incidents_csv(*[incident(f"A{i}", when="nope") for i in range(7)])
    first = read(area, data, "i.csv").first_problems()
    assert first["row"].tolist() == [2, 3, 4, 5, 6] and set(first["rows"]) == {7}


def test_blank_ids_and_blank_required_cells_are_rejected(area):
    staged = read(area, incidents_csv(incident(""), incident("A2", when=""), incident("A3")), "i.csv")
    assert reasons(staged) == {
        2: [("incident_id", "is blank: every incident needs incident id")],
        3: [("occurred_at", "is blank: every incident needs occurred at")]}


def test_an_exact_duplicate_row_loads_once_and_is_counted(area):
    row = incident("A1")
    staged, _ = load(area, incidents_csv(row, incident("A2"), row), "i.csv")
    assert (staged.counts.valid, staged.counts.duplicate, staged.counts.rejected) == (2, 1, 0)
    assert reasons(staged, "duplicate") == {4: [(None, "Exact copy of row 2; loaded once")]}
    assert area.query("SELECT count(*) AS n FROM incidents")["n"][0] == 2


def test_the_same_id_on_two_different_rows_rejects_both(area):
    staged = read(area, incidents_csv(incident("A1"), incident("A1", risks="cce"),
                                      incident("A2")), "i.csv")
    assert staged.counts.valid == 1
    assert reasons(staged)[2] == [("incident_id", "the same incident id 'A1' is on rows 2, 3 "
                                   "with different values: we cannot tell which is right")]


def test_an_id_already_loaded_by_another_extract_is_rejected_with_that_extract(area):
    _, first = load(area, incidents_csv(incident("A1")), "january.csv")
    staged = read(area, incidents_csv(incident("A1", risks="cce"), incident("A2")), "feb.csv")
    assert staged.counts.valid == 1
    assert reasons(staged)[2] == [("incident_id", f"this incident id is already loaded (extract "
                                   f"{first}, january.csv): roll that extract back first to "
                                   "replace it")]


def test_rows_without_a_location_are_kept_and_counted(area):
    staged, _ = load(area, incidents_csv(incident("A1", where=None), incident("A2")), "i.csv")
    assert staged.counts.valid == 2 and staged.counts.no_location == 1
    assert area.query("SELECT ward_code FROM incidents WHERE incident_id = 'A1'")[
        "ward_code"].isna().all()


def test_coordinates_outside_the_area_are_loaded_without_a_ward_and_flagged(area):
    staged, _ = load(area, incidents_csv(incident("A1", where=OUTSIDE), incident("A2")), "i.csv")
    assert staged.counts.valid == 2 and staged.counts.outside == 1
    assert reasons(staged, "flagged") == {2: [(None, "lies outside the area's wards (53.5, -2.0):"
                                                " loaded without a ward")]}


def test_half_a_coordinate_is_rejected(area):
    header = INCIDENT_HEADER
    staged = read(area, csv_bytes([header, ["A1", "01/02/2025", "cse", "", "52.2", "", "police",
                                            "1"]]), "i.csv")
    assert reasons(staged) == {2: [("lat", "latitude is given without a longitude: give both "
                                           "or neither")]}


def test_future_dates_and_reports_before_the_incident_are_rejected(area):
    header = ["incident_id", "occurred_at", "reported_on", "risk_types"]
    staged = read(area, csv_bytes([header, ["A1", "01/01/2099", "", "cse"],
                                   ["A2", "05/01/2025", "04/01/2025", "cse"]]), "i.csv")
    assert reasons(staged)[2] == [("occurred_at", "'01/01/2099' is in the future: expected a "
                                   "date up to today")]
    assert reasons(staged)[3] == [("reported_on", "is before the incident occurred: expected "
                                   "the same day or later")]


def test_names_in_place_of_pseudonymous_ids_are_rejected(area):
    staged = read(area, incidents_csv(incident("A1", people="Jane Doe")), "i.csv")
    assert reasons(staged)[2][0][0] == "person_ids"
    assert "never names" in reasons(staged)[2][0][1]


def test_a_ward_comes_from_the_lsoa_lookup_when_there_are_no_coordinates(area):
    lookup = csv_bytes([["LSOA21CD", "LSOA21NM", "WD23CD", "WD23NM"],
                        ["E01000001", "Somewhere 001A", "E05000002", "Eastgate"]])
    load(area, lookup, "lookup.csv")
    header = ["incident_id", "occurred_at", "risk_types", "lsoa_code"]
    staged, _ = load(area, csv_bytes([header, ["A1", "01/02/2025", "cse", "e01000001"]]), "i.csv")
    assert staged.counts.no_location == 0
    assert area.query("SELECT ward_code FROM incidents")["ward_code"][0] == "E05000002"


def test_an_incident_at_an_unknown_context_is_rejected_and_a_known_one_lends_its_ward():
    store = Store()
    seed_tiny(store)
    header = ["incident_id", "occurred_at", "risk_types", "context_id"]
    staged = read(store, csv_bytes([header, ["N1", "01/02/2025", "cse", "C2"],
                                    ["N2", "01/02/2025", "cse", "C99"]]), "i.csv")
    assert reasons(staged) == {3: [("context_id", "'C99' is not a context in the contexts "
                                    "register: load the register first, or leave it blank")]}
    commit(store, [staged], "test")
    row = store.query("SELECT ward_code, location_type FROM incidents WHERE incident_id = 'N1'")
    assert row.values.tolist() == [["W2", "transport_hub"]]


# --- other kinds and the mapping step ---------------------------------------------------------

def test_a_contexts_register_gets_wards_from_coordinates(area):
    data = csv_bytes([["Context ID", "Name", "Context type", "Latitude", "Longitude"],
                      ["C1", "Westfield Park", "Park or open space", *INSIDE_WEST],
                      ["C2", "Group chat", "online", "", ""],
                      ["C3", "Somewhere", "spaceship", "", ""]])
    staged, _ = load(area, data, "places.csv")
    assert staged.kind == "contexts" and staged.counts.valid == 2
    assert reasons(staged)[4][0][1].startswith("'spaceship' is not a known context type")
    assert area.query("SELECT context_id, context_type, coalesce(ward_code, '-') FROM contexts "
                      "ORDER BY 1").values.tolist() == [["C1", "park", "E05000001"],
                                                        ["C2", "online", "-"]]


def test_names_with_control_characters_past_the_limit_or_only_punctuation_are_refused(area):
    long = "Westfield " + "L" * NAME_MAX_CHARS
    data = csv_bytes([["Context ID", "Name", "Context type", "Latitude", "Longitude"],
                      ["C1", "[Westfield](https://x.example) *Park*", "park", *INSIDE_WEST],
                      ["C2", "Westfield \u202ekraP\u202c", "park", *INSIDE_WEST],
                      ["C3", "Bus \x1b[31mstop", "park", *INSIDE_WEST],
                      ["C4", long, "park", *INSIDE_WEST],
                      ["C5", "-- * --", "park", *INSIDE_WEST]])
    before = snapshot(area)
    staged = read(area, data, "places.csv")
    assert staged.counts.valid == 1  # odd but plain text: loaded, and shown as text
    assert reasons(staged) == {
        3: [("Name", "'Westfield <U+202E>kraP<U+202C>' holds an invisible control character "
                     "(U+202C, U+202E): expected plain text")],
        4: [("Name", "'Bus <U+001B>[31mstop' holds an invisible control character (U+001B): "
                     "expected plain text")],
        5: [("Name", f"is {len(long):,} characters long: expected a name of at most "
                     f"{NAME_MAX_CHARS} characters")],
        6: [("Name", "'-- * --' is only punctuation: expected a name with letters or digits")]}
    assert staged.first_problems()["message"].iloc[0].startswith(
        "places.csv, row 3, column 'Name': 'Westfield <U+202E>")
    assert_same(before, snapshot(area))  # checking writes nothing


def test_free_text_may_break_lines_but_not_hold_controls_that_reorder_it(area):
    data = csv_bytes([["intervention_id", "started_on", "intervention_type", "description"],
                      ["V1", "01/09/2025", "Detached youth work", '"Evenings,\nweekends"'],
                      ["V2", "01/09/2025", "Outreach", "Sees \u202eyadnoM"],
                      ["V3", "01/09/2025", "?!", "Fine"]])
    staged = read(area, data, "interventions.csv")
    assert staged.counts.valid == 1
    found = reasons(staged)
    assert found[3][0][0] == "description" and "(U+202E)" in found[3][0][1]
    assert found[4] == [("intervention_type", "'?!' is only punctuation: expected a name with "
                                              "letters or digits")]


def test_ward_and_lsoa_names_are_checked_as_they_load(area):
    squares = {code: (f"{name} \u202e", box) for code, (name, box) in WARD_SQUARES.items()}
    staged = read(area, wards_geojson(squares), "wards.geojson")
    assert not staged.ok or staged.counts.valid == 0
    assert "holds an invisible control character (U+202E)" in (staged.error or str(
        staged.notes["reason"].tolist()))
    lookup = csv_bytes([["LSOA21CD", "LSOA21NM", "WD23CD"],
                        ["E01000001", "Westfield 001A", "E05000001"],
                        ["E01000002", "*" * 3, "E05000001"]])
    staged = read(area, lookup, "lookup.csv", "lsoa_lookup")
    assert staged.counts.valid == 1
    assert reasons(staged)[3] == [("LSOA21NM", "'***' is only punctuation: expected a name with "
                                               "letters or digits")]


def test_interventions_must_end_after_they_start(area):
    data = csv_bytes([["intervention_id", "started_on", "ended_on", "lead_agency"],
                      ["V1", "01/09/2025", "30/11/2025", "youth_services"],
                      ["V2", "01/09/2025", "01/08/2025", "police"]])
    staged, _ = load(area, data, "interventions.csv")
    assert staged.kind == "interventions" and staged.counts.valid == 1
    assert reasons(staged) == {3: [("ended_on", "is before the start date: expected the same day "
                                    "or later")]}


def test_a_partner_file_loads_through_a_column_and_code_mapping(area):
    header = ("Ref", "Date of concern", "Category", "Team")
    data = csv_bytes([list(header), ["X1", "2025-03-01", "CE", "CSC"],
                      ["X2", "2025-03-02", "SE;MFH", "CSC"]])
    unmapped = read(area, data, "csc.csv")
    assert not unmapped.ok and "Choose its kind" in unmapped.error
    chosen = auto_mapping("incidents", header).with_columns({
        "incident_id": "Ref", "occurred_at": "Date of concern", "risk_types": "Category",
        "source_agency": "Team"}).with_codes("risk_types", {"CE": "cce", "SE": "cse",
                                                            "MFH": "missing"}).with_codes(
        "source_agency", {"CSC": "childrens_social_care"})
    staged, _ = load(area, data, "csc.csv", kind="incidents", chosen=chosen)
    assert staged.counts.valid == 2
    assert area.query("SELECT risk_type FROM incident_risks ORDER BY 1")["risk_type"].tolist() == [
        "cce", "cse", "missing"]


def test_a_saved_profile_is_used_for_the_next_file_with_that_header(area):
    from analytics.ingest.mapping import save_profile

    header = ("Ref", "When", "Category")
    chosen = auto_mapping("incidents", header).with_columns(
        {"incident_id": "Ref", "occurred_at": "When", "risk_types": "Category"}).with_codes(
        "risk_types", {"CE": "cce"})
    save_profile(area.cursor(), "CSC monthly", chosen, header, "ana")
    staged = read(area, csv_bytes([list(header), ["X1", "2025-03-01", "CE"]]), "march.csv",
                  kind="incidents")
    assert staged.mapping == chosen and staged.counts.valid == 1


def test_a_mapped_column_that_is_named_twice_in_the_header_is_refused(area):
    data = csv_bytes([["incident_id", "occurred_at", "risk_types", "Occurred at"],
                      ["A1", "01/02/2025", "cse", "02/02/2025"]])
    staged = read(area, data, "i.csv")
    assert not staged.ok
    assert staged.error == ("i.csv: the header names 'occurred_at' twice (columns 2 and 4); "
                            "rename one so we know which to use.")


def test_a_duplicate_header_that_is_not_used_is_only_noted(area):
    data = csv_bytes([["incident_id", "occurred_at", "risk_types", "notes", "Notes"],
                      ["A1", "01/02/2025", "cse", "a", "b"]])
    staged = read(area, data, "i.csv")
    assert staged.counts.valid == 1
    assert any("names 'notes' more than once" in m for m in staged.messages)


# --- whole-file problems, and nothing changes when a load fails -------------------------------

@pytest.mark.parametrize("data, name, message", [
    (b"", "i.csv", "i.csv is empty"),
    (b"incident_id,occurred_at,risk_types\n", "i.csv", "i.csv has a header but no rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "i.csv", "it looks like a PNG image"),
    (b"a,b\n1,2\n", "i.csv", "we could not tell what this file holds"),
])
def test_a_file_that_cannot_be_loaded_says_why_and_changes_nothing(area, data, name, message):
    before, version = snapshot(area), area.data_version()
    staged = read(area, data, name)
    assert not staged.ok and message in staged.error
    with pytest.raises(IngestError, match="cannot be loaded"):
        commit(area, [staged], "test")
    assert_same(before, snapshot(area))
    assert area.data_version() == version


def test_a_file_over_the_limit_is_refused(area):
    staged = read(area, incidents_csv(*[incident(f"A{i}") for i in range(2000)]), "big.csv",
                  limit_mb=0.01)
    assert not staged.ok and "over the 0.01 MB limit" in staged.error


def test_a_batch_with_a_clash_between_files_loads_none_of_them(area):
    before = snapshot(area)
    one = read(area, incidents_csv(incident("A1")), "one.csv")
    two = read(area, incidents_csv(incident("A1", risks="cce")), "two.csv")
    with pytest.raises(IngestError, match="Two of these files hold the same id"):
        commit(area, [one, two], "test")
    assert_same(before, snapshot(area))
    assert area.query("SELECT count(*) AS n FROM extracts")["n"][0] == 1


def test_a_file_checked_before_the_data_changed_must_be_checked_again(area):
    staged = read(area, incidents_csv(incident("A1")), "one.csv")
    load(area, incidents_csv(incident("B1")), "other.csv")
    with pytest.raises(IngestError, match="The data changed since these files were checked"):
        commit(area, [staged], "test")


def test_boundaries_cannot_share_a_batch_with_the_data_they_place(area):
    wards = read(area, wards_geojson(code_key="WD13CD", name_key="WD13NM"), "wards.geojson")
    incidents = read(area, incidents_csv(incident("A1")), "i.csv")
    with pytest.raises(IngestError, match="Load boundaries and lookups on their own first"):
        commit(area, [wards, incidents], "test")


def test_a_load_needs_a_name_and_at_least_one_valid_row(area):
    staged = read(area, incidents_csv(incident("A1")), "i.csv")
    with pytest.raises(IngestError, match="Say who is loading"):
        commit(area, [staged], "  ")
    rejected = read(area, incidents_csv(incident("A2", when="nope")), "bad.csv")
    with pytest.raises(IngestError, match="none of its 1 rows can be loaded"):
        commit(area, [rejected], "test")


# --- lineage: extracts, the same file twice, row notes -----------------------------------------

def test_every_load_is_an_extract_with_its_counts_and_the_data_version_moves(area):
    version = area.data_version()
    data = incidents_csv(incident("A1"), incident("A2", when="x"), incident("A1"))
    staged, extract_id = load(area, data, "i.csv")
    row = ingest.history(area.cursor()).set_index("extract_id").loc[extract_id]
    assert (row["kind"], row["file_name"], row["uploaded_by"], row["status"]) == (
        "incidents", "i.csv", "test", "loaded")
    assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"],
            row["rows_duplicate"]) == (3, 1, 1, 1)
    assert row["sha256"] == ingest.sha256(data)
    assert area.data_version() == version + 1


def test_the_same_file_is_recognised_and_refused_until_rolled_back(area):
    data = incidents_csv(incident("A1"))
    _, extract_id = load(area, data, "i.csv")
    again = read(area, data, "renamed.csv")
    assert again.previous[:2] == (extract_id, "loaded")
    with pytest.raises(IngestError, match=f"already loaded \\(extract {extract_id}"):
        commit(area, [again], "test")
    rollback(area, extract_id)
    load(area, data, "i.csv")


def test_rejected_rows_are_kept_with_their_cells_and_download_with_formulas_neutralised(area):
    data = incidents_csv(incident("A1"), incident("=HYPERLINK(\"x\")", when="bad"))
    _, extract_id = load(area, data, "i.csv")
    notes = ingest.row_notes(area.cursor(), extract_id)
    assert notes[["row", "outcome", "column"]].values.tolist()[0] == [3, "rejected", "incident_id"]
    assert notes["file: incident_id"].iloc[0] == '=HYPERLINK("x")'
    text = ingest.row_notes_csv(area.cursor(), extract_id).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text


def test_the_staged_notes_download_before_loading(area):
    staged = read(area, incidents_csv(incident("A1", agency="@fire")), "i.csv")
    frame = pd.read_csv(pd.io.common.BytesIO(ingest.staged_notes_csv(staged)), dtype=str)
    assert frame["file: source_agency"].tolist() == ["'@fire"]


# --- rollback ----------------------------------------------------------------------------------

def test_rollback_restores_the_exact_previous_table_contents():
    store = Store()
    seed_tiny(store)
    before = snapshot(store)
    data = incidents_csv(incident("N1", people="P1; NEW1"), incident("N2", where=None),
                         header=INCIDENT_HEADER)
    _, extract_id = load(store, data, "i.csv")
    assert snapshot(store)["incidents"].shape[0] == before["incidents"].shape[0] + 2
    removed = rollback(store, extract_id, by="ana")
    assert removed["incidents"] == 2 and removed["young_people"] == 2  # NEW1 and YP1
    assert_same(before, snapshot(store))
    row = ingest.history(store.cursor()).set_index("extract_id").loc[extract_id]
    assert row["status"] == "rolled back"


def test_rolling_back_one_extract_leaves_the_others_alone(area):
    _, first = load(area, incidents_csv(incident("A1", people="YP1")), "a.csv")
    middle = snapshot(area)
    _, second = load(area, incidents_csv(incident("B1", people="YP1; YP2")), "b.csv")
    rollback(area, second)
    assert_same(middle, snapshot(area))
    assert area.query("SELECT incident_id FROM incidents")["incident_id"].tolist() == ["A1"]
    assert first != second


def test_a_person_still_named_by_another_extract_survives_its_first_extract_rollback(area):
    _, first = load(area, incidents_csv(incident("A1", people="YP1")), "a.csv")
    _, second = load(area, incidents_csv(incident("B1", people="YP1")), "b.csv")
    rollback(area, first)
    assert area.query("SELECT person_id, extract_id FROM young_people").values.tolist() == [
        ["YP1", second]]


def test_rollback_is_refused_for_unknown_or_already_rolled_back_extracts(area):
    _, extract_id = load(area, incidents_csv(incident("A1")), "a.csv")
    rollback(area, extract_id)
    with pytest.raises(IngestError, match="is already rolled back"):
        rollback(area, extract_id)
    with pytest.raises(IngestError, match="There is no extract 999"):
        rollback(area, 999)


def test_a_register_whose_places_later_incidents_use_cannot_be_rolled_back_first(area):
    _, register = load(area, csv_bytes([["context_id", "name", "context_type"],
                                        ["C1", "Park", "park"]]), "places.csv")
    header = ["incident_id", "occurred_at", "risk_types", "context_id"]
    _, incidents = load(area, csv_bytes([header, ["A1", "01/02/2025", "cse", "C1"]]), "i.csv")
    with pytest.raises(IngestError, match=f"Extract {incidents} \\(i.csv\\) refers to places"):
        rollback(area, register)
    rollback(area, incidents)
    rollback(area, register)


def test_the_demo_is_an_extract_whose_rollback_removes_all_the_fictional_data():
    store = Store()
    seed_tiny(store)
    with store.transaction() as cur:
        cur.execute("UPDATE extracts SET kind = 'demo' WHERE extract_id = 1")
    removed = rollback(store, 1)
    assert removed["incidents"] == 12 and removed["wards"] == 3 and removed["contexts"] == 4
    for table in ingest.DATA_TABLES:
        assert store.query(f"SELECT count(*) AS n FROM {table}")["n"][0] == 0, table
    assert not store.is_empty()  # a rolled-back demo is not rebuilt on the next start


# --- boundaries, lookups and deprivation -------------------------------------------------------

def test_ward_boundaries_replace_the_demo_geography_and_rollback_restores_it():
    store = Store()
    seed_tiny(store)
    with store.transaction() as cur:
        cur.execute("UPDATE extracts SET kind = 'demo' WHERE extract_id = 1")
    before = snapshot(store)
    staged = read(store, wards_geojson(code_key="WD13CD", name_key="WD13NM"), "wards.geojson")
    assert staged.kind == "wards" and staged.counts.valid == 2
    assert staged.messages[0].startswith("Loading these 2 wards replaces the fictional demo "
                                         "borough's 3 wards")
    [extract_id] = commit(store, [staged], "test")
    assert store.query("SELECT ward_code FROM wards ORDER BY 1")["ward_code"].tolist() == [
        "E05000001", "E05000002"]
    rollback(store, extract_id)
    assert_same(before, snapshot(store))


def test_wards_that_later_data_was_placed_in_cannot_be_rolled_back_first(area):
    wards_id = int(ingest.history(area.cursor())["extract_id"].iloc[0])
    _, incidents = load(area, incidents_csv(incident("A1")), "i.csv")
    with pytest.raises(IngestError, match="placed rows in the wards"):
        rollback(area, wards_id)
    rollback(area, incidents)
    rollback(area, wards_id)
    assert area.query("SELECT count(*) AS n FROM wards")["n"][0] == 0


def test_a_bad_ward_feature_is_rejected_and_the_rest_load():
    features = json.loads(wards_geojson())["features"]
    features.append({"type": "Feature", "properties": {"WD23CD": "E05000009"},
                     "geometry": {"type": "Point", "coordinates": [0, 52]}})
    features.append({"type": "Feature", "properties": {"WD23CD": ""}, "geometry": None})
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    staged = read(Store(), data, "wards.geojson")
    assert staged.counts == ingest.Counts(read=4, valid=2, rejected=2)
    assert reasons(staged) == {3: [("geometry", "expected a Polygon or MultiPolygon, found Point")],
                               4: [("WD23CD", "is blank: every feature needs a ward code")]}


def test_lsoa_files_fill_their_own_columns_and_roll_back_in_order(area):
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LSOA11CD": "E01000001", "LSOA11NM": "West 001A"},
         "geometry": json.loads(wards_geojson())["features"][0]["geometry"]}]}
    _, shapes = load(area, json.dumps(geo).encode(), "lsoa.geojson")
    imd = csv_bytes([["LSOA code (2011)", "LSOA name (2011)", "Index of Multiple Deprivation (IMD) "
                      "Rank", "Index of Multiple Deprivation (IMD) Decile"],
                     ["E01000001", "West 001A", '"29,199"', "9"],
                     ["E01999999", "Elsewhere", "1", "1"]])
    staged, deprivation = load(area, imd, "imd.csv")
    assert staged.kind == "imd" and staged.counts.valid == 1 and staged.counts.outside == 1
    row = area.query("SELECT lsoa_code, imd_decile, geometry_geojson IS NOT NULL AS shaped, "
                     "a.extract_id FROM lsoa JOIN area_lineage a ON a.code = lsoa_code"
                     ).values.tolist()
    assert row == [["E01000001", 9, True, deprivation]]
    with pytest.raises(IngestError, match=f"Extract {deprivation} \\(imd.csv\\) replaced rows"):
        rollback(area, shapes)
    rollback(area, deprivation)
    assert area.query("SELECT coalesce(imd_decile, -1), a.extract_id FROM lsoa JOIN "
                      "area_lineage a ON a.code = lsoa_code").values.tolist() == [[-1, shapes]]


def test_a_bad_decile_is_rejected_with_its_row(area):
    imd = csv_bytes([["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Decile"],
                     ["E01000001", "11"], ["nonsense", "3"]])
    staged = read(area, imd, "imd.csv")
    assert reasons(staged) == {2: [("Index of Multiple Deprivation (IMD) Decile",
                                    "'11' is not a decile: expected 1 to 10")],
                               3: [("LSOA code (2011)", "'NONSENSE' is not an LSOA code: expected "
                                    "one such as E01000001")]}


# --- police.uk -------------------------------------------------------------------------------

STREET = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


def street_row(crime_id="abc", month="2025-01", where=INSIDE_WEST, kind="Burglary"):
    lat, lon = where if where else ("", "")
    location = "On or near High Street" if where else "No Location"
    return [crime_id, month, "Force", "Force", lon, lat, location, "E01000001" if where else "",
            "West 001A" if where else "", kind, "Under investigation", ""]


def test_police_street_crime_goes_to_the_area_layer_not_incidents(area):
    asb = street_row("", kind="Anti-social behaviour")
    data = csv_bytes([STREET, street_row("c1"), street_row("c1"), asb, asb,
                      street_row("c2", where=None), street_row("c3", where=OUTSIDE),
                      street_row("c4", month="2025/13")], newline="\r\n")
    staged, _ = load(area, data, "2025-01-force-street.csv")
    assert staged.kind == "street"
    assert staged.counts == ingest.Counts(read=7, valid=5, rejected=1, duplicate=1, outside=1,
                                          no_location=1)
    assert "1 rows without a Crime ID repeat an earlier row exactly" in staged.messages[0]
    assert area.query("SELECT count(*) AS n FROM incidents")["n"][0] == 0
    crimes = area.query("SELECT crime_id, month, kind, coalesce(ward_code, '-') AS ward_code, "
                        "location FROM area_crime ORDER BY crime_id NULLS FIRST")
    assert crimes["kind"].unique().tolist() == ["street"]
    assert str(crimes["month"].iloc[0].date()) == "2025-01-01"
    assert crimes["ward_code"].tolist() == ["E05000001", "E05000001", "E05000001", "-", "-"]
    assert crimes["location"].tolist()[3] == "No Location"
    assert reasons(staged) == {8: [("Month", "'2025/13' is not a month: expected a month such as "
                                             "2024-01")]}


def test_police_stop_and_search_keeps_when_where_and_outcome_but_not_the_person(area):
    header = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude",
              "Longitude", "Gender", "Age range", "Self-defined ethnicity",
              "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
              "Outcome linked to object of search", "Removal of more than just outer clothing"]
    row = ["Person search", "2025-01-03T11:50:00+00:00", "False", "", *INSIDE_EAST, "Male",
           "18-24", "White", "White", "Misuse of Drugs Act 1971 (section 23)", "Controlled drugs",
           "A no further action disposal", "False", "False"]
    staged, _ = load(area, csv_bytes([header, row]), "2025-01-force-stop-and-search.csv")
    assert staged.kind == "stop_search" and staged.counts.valid == 1
    crime = area.query("SELECT * FROM area_crime")
    assert crime[["kind", "crime_type", "ward_code"]].values.tolist() == [
        ["stop_search", "Controlled drugs", "E05000002"]]
    assert "Male" not in crime.astype(str).values.ravel()
