"""The Data page as an analyst and as a board member sees it (AppTest over the tiny borough)."""

import pytest

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, shown_text
from tests.conftest import seed_tiny
from tests.ingest_helpers import incident, incidents_csv

ANALYST = {"view": "analyst", "period": "custom", "from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
def demo_db(tmp_path):
    path = tmp_path / "tiny.duckdb"
    store = Store(path)
    seed_tiny(store)
    with store.transaction() as cur:
        cur.execute("UPDATE extracts SET kind = 'demo', file_name = 'Fernley demo' "
                    "WHERE extract_id = 1")
    store.close()
    return path


def button(at, label):
    return next(b for b in at.button if b.label == label)


def upload(at, name, data):
    at.file_uploader[0].set_value((name, data, "text/csv"))
    at.run()
    assert_no_exception(at)


def audit_actions(db_path) -> list[tuple]:
    """What the audit log recorded, oldest first (action, object, outcome)."""
    store = Store(db_path)
    rows = store.cursor().execute(
        "SELECT action, object, outcome FROM audit_log ORDER BY seq").fetchall()
    store.close()
    return rows


def test_an_analyst_uploads_checks_and_loads_a_file_and_the_figures_change(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    assert_no_exception(at)
    upload(at, "march.csv", incidents_csv(incident("N1", when="14/03/2025"),
                                          incident("N2", when="15/03/2025", where=None),
                                          incident("N3", when="31/02/2025")))
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows read"], metrics["Will load"], metrics["Rejected"]) == ("3", "2", "1")
    assert "**Ready to load:** 2 rows from 1 file." in shown_text(at)
    assert button(at, "Load 1 file").disabled  # not until the analyst gives a name
    at.text_input(key="loaded_by").input("AN")
    at.run()
    button(at, "Load 1 file").click()
    at.run()
    assert_no_exception(at)
    text = shown_text(at)
    assert "Loaded 2 rows from 1 file as extract 2. Every page now shows the new data." in text
    history = at.dataframe[-1].value
    assert history["File"].tolist() == ["march.csv", "Fernley demo"]
    assert history.iloc[0][["Loaded", "Rejected", "Status"]].tolist() == ["2", "1", "loaded"]
    at.switch_page("pages/overview.py")
    at.run()
    assert {m.label: m.value for m in at.metric}["Incidents"] == "12"  # 10 before the load
    assert audit_actions(demo_db) == [("load", "march.csv", "loaded as extract 2")]


def test_a_wrong_file_says_why_and_cannot_be_loaded(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert "photo.csv is not a CSV file: it looks like a PNG image." in [read(e.value) for e in at.error]
    assert button(at, "Load 0 files").disabled


def test_problems_are_listed_per_column_with_file_row_and_column(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    upload(at, "bad.csv", incidents_csv(incident("N1", when="31/02/2025"), incident("N2")))
    assert any(read(e.label) == "occurred_at: 1 row rejected" for e in at.expander)
    assert "- bad.csv, row 2, column 'occurred_at': '31/02/2025' is not a date" in shown_text(at)


def test_an_analyst_rolls_back_an_extract_after_confirming(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    assert "roll it back to remove the demo data" in shown_text(at)
    button(at, "Roll back extract 1…").click()
    at.run()
    assert "Roll back extract 1 (Fernley demo)?" in shown_text(at)
    button(at, "Cancel").click()
    at.run()
    assert at.dataframe[-1].value["Status"].tolist() == ["loaded"]
    button(at, "Roll back extract 1…").click()
    at.run()
    button(at, "Yes, roll back extract 1").click()
    at.run()
    assert_no_exception(at)
    assert "Rolled back extract 1" in shown_text(at)
    assert at.dataframe[-1].value["Status"].tolist() == ["rolled back"]
    assert [row[:2] for row in audit_actions(demo_db)] == [("rollback", "extract 1")]


def test_other_views_see_the_history_read_only(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", {"view": "lead"}, monkeypatch)
    assert_no_exception(at)
    assert "Uploading and rolling back extracts is for analysts" in shown_text(at)
    assert not at.file_uploader
    assert not [b for b in at.button if b.label.startswith("Roll back")]
    assert at.dataframe[-1].value["File"].tolist() == ["Fernley demo"]


def test_the_board_view_hides_small_counts_in_the_history(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    store = Store(path)
    seed_tiny(store)
    from tests.ingest_helpers import load

    load(store, incidents_csv(incident("N1"), incident("N2")), "two.csv")
    store.close()
    at = open_page(path, "pages/data.py", {"view": "board"}, monkeypatch)
    row = at.dataframe[-1].value.iloc[0]
    assert (row["File"], row["Loaded"], row["Rejected"]) == ("two.csv", "<5", "0")


def pick(at, label, value):
    next(s for s in at.selectbox if read(s.label) == label).set_value(value)


def test_a_partner_file_is_mapped_by_hand_saved_and_recognised_next_time(demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    data = (b"Ref,Date of concern,Category\r\nX1,01/03/2025,CE\r\nX2,02/03/2025,CSE\r\n")
    upload(at, "csc.csv", data)
    assert [read(e.value) for e in at.error] == [
        "csc.csv has no column for 'Occurred at', 'Risk types' (required). Choose which column "
        "holds it in the mapping step."]
    pick(at, "Occurred at (required)", "Date of concern")
    pick(at, "Risk types (required)", "Category")
    pick(at, "Incident id (required)", "Ref")
    at.run()
    button(at, "Check again with this mapping").click()
    at.run()
    assert {m.label: m.value for m in at.metric}["Will load"] == "1"  # CE is not a code of ours
    pick(at, "'CE' means", "cce")
    at.run()
    button(at, "Check again with this mapping").click()
    at.run()
    assert {m.label: m.value for m in at.metric}["Will load"] == "2"
    at.text_input(key=next(t.key for t in at.text_input if t.label == "Save this mapping as")
                  ).input("CSC monthly")
    at.run()
    button(at, "Save mapping").click()
    at.run()
    assert "Saved 'CSC monthly'; files with these columns will use it." in shown_text(at)
    assert audit_actions(demo_db) == [("mapping saved", "CSC monthly", "saved")]
    at.run()
    assert any(e.label == "Saved column mappings (1)" for e in at.expander)
    upload(at, "csc-april.csv", data.replace(b"X1", b"Y1").replace(b"X2", b"Y2"))
    assert {m.label: m.value for m in at.metric}["Will load"] == "2"
    assert_no_exception(at)


def test_an_excel_workbook_offers_its_sheets(demo_db, monkeypatch):
    from tests.ingest_helpers import INCIDENT_HEADER, xlsx_bytes

    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    book = xlsx_bytes({"Read me": [["This workbook holds March's incidents."]],
                       "Incidents": [INCIDENT_HEADER, incident("N1", when="14/03/2025")]})
    at.file_uploader[0].set_value(("march.xlsx", book, "application/octet-stream"))
    at.run()
    assert next(s for s in at.selectbox if s.label == "Sheet").options == ["Read me", "Incidents"]
    pick(at, "Sheet", "Incidents")
    at.run()
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["Will load"] == "1"


def test_every_page_opens_after_the_demo_is_rolled_back(demo_db, monkeypatch):
    from analytics.ingest import ingest

    store = Store(demo_db)
    ingest.rollback(store, 1)
    store.close()
    at = open_page(demo_db, None, {"view": "analyst"}, monkeypatch)  # a session's first run
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)
    at.switch_page("pages/data.py")
    at.run()
    assert_no_exception(at)
    assert at.dataframe[-1].value["Status"].tolist() == ["rolled back"]


def test_a_file_with_personal_details_is_warned_about_before_loading(demo_db, monkeypatch):
    from tests.ingest.test_personal_data import PERSONAL

    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    upload(at, "referrals.csv", PERSONAL)
    warning = next(read(w.value) for w in at.warning if "personal details" in w.value)
    assert "Column 'Child surname': names (its heading says so)." in warning
    assert "left out of the load" in warning
    assert "3 columns that look personal left out." in shown_text(at)


def test_files_loaded_together_are_chosen_after_the_load_and_roll_back_in_one_step(
        demo_db, monkeypatch):
    at = open_page(demo_db, "pages/data.py", ANALYST, monkeypatch)
    at.file_uploader[0].set_value([
        ("jan.csv", incidents_csv(incident("N1", when="14/01/2025")), "text/csv"),
        ("feb.csv", incidents_csv(incident("N2", when="14/02/2025"),
                                  incident("N3", when="15/02/2025")), "text/csv")])
    at.run()
    at.text_input(key="loaded_by").input("AN")
    at.run()
    button(at, "Load 2 files").click()
    at.run()
    assert_no_exception(at)
    assert ("Loaded 3 rows from 2 files as extracts 2 and 3 (one load: it rolls back in one "
            "step).") in shown_text(at)
    assert at.selectbox(key="history_extract").value == 3  # the new load, not the demo
    assert at.multiselect(key="rollback-set-3").value == [2, 3]
    button(at, "Roll back extracts 2 and 3…").click()
    at.run()
    assert ("Roll back extracts 2 and 3 (2 files: jan.csv to feb.csv)? This removes 3 "
            "incidents, 3 risk types given to incidents, 3 links from incidents to young people "
            "and 1 young person (a pseudonymous id), and nothing else.") in shown_text(at)
    button(at, "Yes, roll back extracts 2 and 3").click()
    at.run()
    assert_no_exception(at)
    assert ("Rolled back extracts 2 and 3: removed 3 incidents, 3 risk types given to "
            "incidents, 3 links from incidents to young people and 1 young person (a pseudonymous "
            "id).") in shown_text(at)
    assert at.dataframe[-1].value["Status"].tolist() == ["rolled back", "rolled back", "loaded"]
    assert audit_actions(demo_db)[-1][:2] == ("rollback", "extracts 2 and 3")
