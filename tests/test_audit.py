"""The audit log: one entry per action, readable by administrators only, and never changed."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import audit
from analytics.access import Access, Role, utc_now
from analytics.exports import ENCODING, safe_csv
from analytics.store import Store

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Access(Role.ADMIN, user_id="https://idp.test#ada", user_label="Ada Admin")
ANALYST = Access(Role.ANALYST, user_id="https://idp.test#al", user_label="Al Analyst")


@pytest.fixture
def store() -> Store:
    return Store()


def _rows(store: Store) -> pd.DataFrame:
    return store.query('SELECT * FROM audit_log ORDER BY seq')


@pytest.mark.parametrize("action", audit.ACTIONS)
def test_every_action_is_recorded_with_who_what_and_how_it_went(store, action):
    before = utc_now()
    seq = audit.record(store, ANALYST, action, "police-2026-10.csv (extract 7)", "done: 1,234 rows")
    row = _rows(store).iloc[0]
    assert seq == 1
    assert (row.user_id, row.user_label, row.role, row.action, row.object, row.outcome) == (
        "https://idp.test#al", "Al Analyst", "analyst", action,
        "police-2026-10.csv (extract 7)", "done: 1,234 rows")
    assert before <= row["at"] <= utc_now()


def test_the_actions_are_those_of_the_issue():
    assert {"sign-in", "load", "rollback", "export", "mapping saved",
            "intervention added"} <= set(audit.ACTIONS)


def test_an_unknown_action_is_refused_and_nothing_is_written(store):
    with pytest.raises(ValueError, match="not an audit action"):
        audit.record(store, ANALYST, "deleted everything", "x", "done")
    assert _rows(store).empty


def test_entries_are_numbered_one_after_another(store):
    assert [audit.record(store, ANALYST, "export", f"table {n}", "done") for n in range(5)] == [
        1, 2, 3, 4, 5]


def test_text_is_kept_to_one_printable_line_of_bounded_length(store):
    audit.record(store, ANALYST, "load", "evil\nname\r\n.csv\x07", "x" * 2000)
    row = _rows(store).iloc[0]
    assert row.object == "evil name .csv"
    assert len(row.outcome) == audit.MAX_TEXT and row.outcome.endswith("…")


def test_a_refused_sign_in_is_recorded_with_no_role(store):
    audit.record_refusal(store, "https://idp.test#zz", "Zed", "sign-in", "dashboard",
                         "refused: not in the role map")
    row = _rows(store).iloc[0]
    assert (row.role, row.outcome) == ("none", "refused: not in the role map")


def test_recording_does_not_change_the_data_version(store):
    version = store.data_version()
    audit.record(store, ANALYST, "export", "table", "done")
    assert store.data_version() == version  # so an export does not empty every cache


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET outcome = 'nothing happened'",
    "UPDATE audit_log SET \"at\" = now()::TIMESTAMP WHERE seq = 1",
    "DELETE FROM audit_log WHERE seq = 1",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "DROP TABLE audit_log",
    "ALTER TABLE audit_log DROP COLUMN outcome",
    "ALTER TABLE audit_log RENAME TO old_log",
    "INSERT OR REPLACE INTO audit_log VALUES (1, now()::TIMESTAMP, 'u', 'l', 'r', 'export', "
    "'o', 'x')",
    "INSERT INTO audit_log VALUES (1, now()::TIMESTAMP, 'u', 'l', 'r', 'export', 'o', 'x')",
])
def test_duckdb_itself_refuses_to_change_or_remove_an_entry(store, statement):
    audit.record(store, ANALYST, "load", "a.csv", "done")
    audit.record(store, ANALYST, "rollback", "a.csv", "done")
    before = _rows(store)
    with pytest.raises(duckdb.Error):
        store.cursor().execute(statement)
    pd.testing.assert_frame_equal(_rows(store), before)


def test_the_guard_survives_closing_and_reopening_the_database(tmp_path):
    path = tmp_path / "audit.duckdb"
    first = Store(path)
    audit.record(first, ANALYST, "load", "a.csv", "done")
    first.close()
    again = Store(path)
    with pytest.raises(duckdb.Error):
        again.cursor().execute("DELETE FROM audit_log")
    assert len(_rows(again)) == 1
    assert audit.record(again, ANALYST, "export", "t", "done") == 2


def test_rolling_back_an_extract_never_touches_the_audit_log(tiny):
    """A rollback removes rows by extract_id from the tables that have one; the log has none."""
    audit.record(tiny, ANALYST, "load", "tiny.csv (extract 1)", "done")
    tables = [t for (t,) in tiny.cursor().execute(
        "SELECT DISTINCT table_name FROM information_schema.columns "
        "WHERE column_name = 'extract_id'").fetchall()]
    assert "audit_log" not in tables and "audit_log_pins" not in tables
    with tiny.transaction() as cur:
        for table in tables:
            cur.execute(f'DELETE FROM "{table}" WHERE extract_id = $id', {"id": 1})
    audit.record(tiny, ANALYST, "rollback", "tiny.csv (extract 1)", "done")
    assert tiny.query("SELECT count(*) AS n FROM incidents").n[0] == 0
    assert _rows(tiny).action.tolist() == ["load", "rollback"]


WRITE_TO_LOG = re.compile(
    r"\b(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE|INSERT\s+OR\s+REPLACE\s+INTO)"
    r"\s+(IF\s+EXISTS\s+)?\"?audit_log", re.IGNORECASE)


def test_no_code_in_the_app_updates_or_deletes_audit_entries():
    sources = [p for folder in ("analytics", "ui", "pages") for p in (ROOT / folder).rglob("*.py")]
    sources.append(ROOT / "app.py")
    offenders = [str(p.relative_to(ROOT)) for p in sources if WRITE_TO_LOG.search(p.read_text())]
    assert offenders == []
    # ... and the pattern does find such a statement when there is one.
    assert WRITE_TO_LOG.search('cur.execute("DELETE FROM audit_log WHERE seq = 1")')
    assert WRITE_TO_LOG.search("UPDATE audit_log_pins SET x = 1")


def test_only_the_audit_module_writes_to_the_log():
    sources = [p for folder in ("analytics", "ui", "pages") for p in (ROOT / folder).rglob("*.py")]
    writers = [str(p.relative_to(ROOT)) for p in sources
               if re.search(r'INSERT\s+INTO\s+"?audit_log', p.read_text(), re.IGNORECASE)]
    assert writers == ["analytics/audit.py"]


# --- reading it ------------------------------------------------------------------------------

def _at(store: Store, when: str, access: Access, action: str, object: str = "x") -> None:
    """Write an entry, then move its time (test set-up only: in a fresh table with no pin yet)."""
    audit.record(store, access, action, object, "done")
    cur = store.cursor()
    seq = cur.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    row = cur.execute("SELECT * FROM audit_log WHERE seq = $s", {"s": seq}).fetchone()
    cur.execute("DELETE FROM audit_log_pins WHERE seq = $s", {"s": seq})
    cur.execute("DELETE FROM audit_log WHERE seq = $s", {"s": seq})
    cur.execute("INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                [row[0], datetime.fromisoformat(when), *row[2:]])
    cur.execute("INSERT INTO audit_log_pins SELECT * FROM audit_log WHERE seq = $s", {"s": seq})


@pytest.fixture
def history(store) -> Store:
    # UTC times; the UK is on GMT in January and on BST (UTC+1) in July.
    _at(store, "2026-01-10 09:00", ADMIN, "sign-in")
    _at(store, "2026-07-01 23:30", ANALYST, "load", "police.csv")  # 2 July 00:30 in the UK
    _at(store, "2026-07-02 10:00", ANALYST, "export", "records")
    _at(store, "2026-07-03 12:00", ADMIN, "rollback", "police.csv")
    return store


def test_entries_are_newest_first_in_uk_time(history):
    got = audit.entries(history.cursor(), access=ADMIN)
    assert got.seq.tolist() == [4, 3, 2, 1]
    assert got.loc[got.seq == 2, "at"].iloc[0] == pd.Timestamp("2026-07-02 00:30")


def test_entries_filter_by_uk_dates_users_and_actions(history):
    cur = history.cursor()
    july2 = audit.entries(cur, start=date(2026, 7, 2), end=date(2026, 7, 2), access=ADMIN)
    assert july2.seq.tolist() == [3, 2]  # the 23:30 UTC load fell on 2 July in the UK
    assert audit.entries(cur, users=(ADMIN.user_id,), access=ADMIN).seq.tolist() == [4, 1]
    assert audit.entries(cur, actions=("load", "rollback"), access=ADMIN).seq.tolist() == [4, 2]
    assert audit.entries(cur, start=date(2027, 1, 1), access=ADMIN).empty


def test_hostile_filter_values_are_parameters_and_match_nothing(history):
    got = audit.entries(history.cursor(), users=("' OR 1=1 --",), actions=("export'",),
                        access=ADMIN)
    assert got.empty


def test_the_people_list_names_each_user_once(history):
    assert audit.people(history.cursor(), access=ADMIN) == {ADMIN.user_id: "Ada Admin",
                                                            ANALYST.user_id: "Al Analyst"}


@pytest.mark.parametrize("role", [Role.BOARD, Role.LEAD, Role.ANALYST])
def test_only_an_administrator_may_read_the_log(history, role):
    for read in (audit.entries, audit.people, audit.integrity):
        with pytest.raises(PermissionError, match="read the audit log"):
            read(history.cursor(), access=Access(role))
        with pytest.raises(PermissionError):
            read(history.cursor())


def test_an_intact_log_has_no_integrity_problems(history):
    assert audit.integrity(history.cursor(), access=ADMIN) == []


def test_tampering_outside_the_app_is_detected(history):
    cur = history.cursor()
    cur.execute("DELETE FROM audit_log_pins WHERE seq IN (2, 3)")  # needs deliberate work
    assert audit.integrity(cur, access=ADMIN) == [
        "2 entries are no longer protected against change."]
    cur.execute("DELETE FROM audit_log WHERE seq = 2")
    assert audit.integrity(cur, access=ADMIN) == [
        "Entries are missing: 3 entries are numbered 1 to 4.",
        "1 entry is no longer protected against change."]


def test_the_exported_log_is_readable_and_cannot_run_as_a_formula(store):
    sneaky = Access(Role.ANALYST, user_id="https://idp.test#x", user_label="=HYPERLINK(\"x\")")
    audit.record(store, sneaky, "export", "@SUM(A1)", "done")
    table = audit.display_table(audit.entries(store.cursor(), access=ADMIN))
    back = pd.read_csv(io.StringIO(safe_csv(table).decode(ENCODING)), dtype=str)
    assert list(back.columns[:6]) == ["When (UK time)", "Who", "Role", "Action", "What",
                                      "Outcome"]
    assert back["Who"].iloc[0] == "'=HYPERLINK(\"x\")" and back["What"].iloc[0] == "'@SUM(A1)"
