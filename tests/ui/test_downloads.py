"""Downloads are made only when asked for, and each one is written to the audit log.

Streamlit serves a file it is handed at /media/<id> to anyone holding the address, with no
session: a table's CSV handed over as bytes sat there from the moment a page drew (issue 24). So
every download button must carry a file-making function, not a file (checked on every page here
and in tests/test_scope.py), and clicking one (running its function, as Streamlit does) writes
the audit entry.
"""

from __future__ import annotations

from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, record_downloads

YEAR_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31", "view": "analyst"}


def audit_actions(db) -> list[tuple[str, str]]:
    """The audit log's downloads (viewing the records is audited too, as 'rows viewed')."""
    store = Store(db)
    try:
        return store.cursor().execute(
            "SELECT action, object FROM audit_log WHERE action <> 'rows viewed' "
            "ORDER BY seq").fetchall()
    finally:
        store.close()


def made_on_the_click(at) -> list[str]:
    """The labels of download buttons that handed Streamlit a file before any click (none may):
    a button carries a file-making function, or is disabled."""
    return [b.proto.label for b in at.get("download_button")
            if b.proto.url or not (b.proto.deferred_file_id or b.proto.disabled)]


def test_the_audit_log_puts_no_file_on_the_server_before_it_is_asked_for(tiny_db, monkeypatch):
    """Every other page is checked the same way by tests/test_scope.py, which opens them all."""
    at = open_page(tiny_db, "pages/audit.py", YEAR_2025, monkeypatch)
    assert_no_exception(at)
    at.button(key="pack-make").click().run()  # the pack is made, its buttons drawn, none taken
    assert at.get("download_button") and made_on_the_click(at) == []
    assert audit_actions(tiny_db) == []


def test_a_table_download_is_made_on_the_click_and_audited_with_its_rows(tiny_db, monkeypatch):
    made = record_downloads(monkeypatch)
    at = open_page(tiny_db, "pages/records.py", YEAR_2025, monkeypatch)
    button = next(b for b in at.get("download_button") if b.proto.label == "Download as CSV")
    csv = made[button.proto.deferred_file_id]().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Incident,When,Ward")
    assert len(csv.splitlines()) == 11
    [(action, what)] = audit_actions(tiny_db)
    assert action == "export" and what.startswith("incident records (1 January 2025 to 31")
    assert what.endswith("(10 rows)")


def test_the_board_pack_is_audited_when_made(tiny_db, monkeypatch):
    made = record_downloads(monkeypatch)
    at = open_page(tiny_db, None, YEAR_2025, monkeypatch)
    at.button(key="pack-make").click().run()
    assert audit_actions(tiny_db) == []  # made, but not yet taken
    button = next(b for b in at.get("download_button")
                  if read(b.proto.label) == "Board pack (HTML)")
    assert b"<html" in made[button.proto.deferred_file_id]()[:400].lower()
    [(action, what)] = audit_actions(tiny_db)
    assert action == "board pack" and what.endswith(", HTML")
