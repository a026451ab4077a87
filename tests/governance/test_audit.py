"""The audit log: one entry per action, readable by administrators only, and never changed."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics.governance import audit
from analytics.governance.access import Access, Role, utc_now
from analytics.governance.exports import ENCODING, safe_csv
from analytics.store.store import Store

ROOT = Path(__file__).resolve().parent.parent.parent
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
    assert writers == ["analytics/governance/audit.py"]


# --- reading it ------------------------------------------------------------------------------

@pytest.fixture
def history(store, monkeypatch) -> Store:
    """Four entries written at set times (UTC; the UK is on GMT in January, BST in July)."""
    for when, access, action, what in (
            ("2026-01-10 09:00", ADMIN, "sign-in", "x"),
            ("2026-07-01 23:30", ANALYST, "load", "police.csv"),  # 2 July 00:30 in the UK
            ("2026-07-02 10:00", ANALYST, "export", "records"),
            ("2026-07-03 12:00", ADMIN, "rollback", "police.csv")):
        monkeypatch.setattr(audit, "utc_now", lambda when=when: datetime.fromisoformat(when))
        audit.record(store, access, action, what, "done")
    monkeypatch.undo()
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


def check(store: Store) -> list[str]:
    """The Audit log page's check: the chain against the stored hashes and the seal."""
    return audit.integrity(store.cursor(), seal=audit.seal_of(store), access=ADMIN)


def test_an_intact_log_has_no_integrity_problems(history):
    assert check(history) == []


def test_tampering_outside_the_app_is_detected(history):
    cur = history.cursor()
    cur.execute("DELETE FROM audit_log_pins WHERE seq IN (2, 3)")  # needs deliberate work
    assert check(history) == ["2 entries are no longer protected against change."]
    cur.execute("DELETE FROM audit_log WHERE seq = 2")
    assert check(history) == [
        "Entries are missing: 3 entries are numbered 1 to 4.",
        "1 entry is no longer protected against change.",
        "Entry 3 has been changed, or entries before it removed, since it was written: the chain "
        "of hashes breaks there.",
        "The log no longer leads to the hash sealed at entry 4: entries were changed or "
        "replaced."]


ENTRY = 'SELECT seq, "at", user_id, user_label, role, action, object, outcome FROM audit_log '


def _unpin_edit_repin(store: Store, seq: int, outcome: str) -> None:
    """The attack of issue 24: remove an entry's pin, change the entry, pin it again."""
    cur = store.cursor()
    cur.execute("DELETE FROM audit_log_pins WHERE seq = $s", {"s": seq})
    row = cur.execute("SELECT * FROM audit_log WHERE seq = $s", {"s": seq}).fetchone()
    cur.execute("DELETE FROM audit_log WHERE seq = $s", {"s": seq})
    cur.execute("INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                [*row[:7], outcome])
    cur.execute("INSERT INTO audit_log_pins SELECT * FROM audit_log WHERE seq = $s", {"s": seq})


def test_an_entry_unpinned_edited_and_pinned_again_is_found(history):
    """The integrity check of issue 24 saw nothing: the entry was pinned again."""
    _unpin_edit_repin(history, 2, "nothing happened")
    assert check(history) == [
        "Entry 2 has been changed, or entries before it removed, since it was written: the chain "
        "of hashes breaks there.",
        "The log no longer leads to the hash sealed at entry 4: entries were changed or "
        "replaced."]


def test_an_edit_with_every_later_hash_recomputed_is_still_found_by_the_seal(history):
    _unpin_edit_repin(history, 2, "nothing happened")
    cur, previous = history.cursor(), None
    cur.execute("DELETE FROM audit_chain")
    for row in cur.execute(ENTRY + "ORDER BY seq").fetchall():
        previous = audit.entry_hash(previous or audit.GENESIS, row)
        cur.execute("INSERT INTO audit_chain VALUES ($1, $2)", [row[0], previous])
    assert check(history) == ["The log no longer leads to the hash sealed at entry 4: entries "
                              "were changed or replaced."]


def test_removing_the_last_entry_is_found(history):
    """The integrity check of issue 24 saw nothing: the numbering still ran without a gap."""
    cur = history.cursor()
    cur.execute("DELETE FROM audit_log_pins WHERE seq = 4")
    cur.execute("DELETE FROM audit_log WHERE seq = 4")
    assert check(history) == [
        "The log ends at entry 3 but was sealed at entry 4: its latest entries were removed (or "
        "the database was replaced; a new entry seals the new log)."]


def test_a_new_entry_written_after_tampering_does_not_hide_it(history):
    _unpin_edit_repin(history, 4, "nothing happened")
    cur = history.cursor()
    before = cur.execute("SELECT hash FROM audit_chain WHERE seq = 3").fetchone()[0]
    cur.execute("UPDATE audit_chain SET hash = $h WHERE seq = 4",  # the chain made to agree
                {"h": audit.entry_hash(before, cur.execute(ENTRY + "WHERE seq = 4").fetchone())})
    audit.record(history, ADMIN, "export", "table", "done")  # seals the log as it now stands
    assert check(history) == ["When entry 5 was written, the log did not end as sealed at entry "
                              "4: entries had been changed, removed or added outside the "
                              "dashboard."]


def test_the_seal_is_kept_in_a_file_beside_the_database_and_read_back(tmp_path):
    path = tmp_path / "audit.duckdb"
    first = Store(path)
    audit.record(first, ANALYST, "load", "a.csv", "done")
    first.close()
    seal = (tmp_path / "audit.duckdb.audit-seal")
    assert seal.exists()
    again = Store(path)
    assert check(again) == []
    seal.unlink()  # the seal removed: the end of the log cannot be vouched for
    assert check(again) == ["The seal kept beside the database (the latest entry's number and "
                            "hash) is missing, so the end of the log cannot be checked (a log "
                            "from before seals were kept is sealed by its next entry)."]
    audit.record(again, ANALYST, "export", "t", "done")
    assert "the seal of the log's first 1 entries was missing" in check(again)[0]


def test_a_log_from_before_the_chain_is_sealed_by_its_next_entry(store):
    audit.record(store, ANALYST, "load", "a.csv", "done")
    store.cursor().execute("DELETE FROM audit_chain")  # as a log written before migration 5
    audit._MEMORY_SEALS.clear()
    audit.record(store, ANALYST, "export", "t", "done")
    assert check(store) == []
    assert store.query("SELECT seq FROM audit_chain ORDER BY seq").seq.tolist() == [1, 2]


def test_the_exported_log_is_readable_and_cannot_run_as_a_formula(store):
    sneaky = Access(Role.ANALYST, user_id="https://idp.test#x", user_label="=HYPERLINK(\"x\")")
    audit.record(store, sneaky, "export", "@SUM(A1)", "done")
    table = audit.display_table(audit.entries(store.cursor(), access=ADMIN))
    back = pd.read_csv(io.StringIO(safe_csv(table).decode(ENCODING)), dtype=str)
    assert list(back.columns[:6]) == ["When (UK time)", "Who", "Role", "Action", "What",
                                      "Outcome"]
    assert back["Who"].iloc[0] == "'=HYPERLINK(\"x\")" and back["What"].iloc[0] == "'@SUM(A1)"
