"""The audit log: who signed in, loaded, rolled back, exported or changed what, and how it went.

Append-only. `record` is the only function that writes it and it only inserts; nothing in the
app updates or deletes an entry, and DuckDB itself refuses to (see migration 2 in store.py).
Reading it needs the AUDIT permission. Times are stored in UTC and shown in UK time.

    record(store, access, "load", "police-2026-10.csv (extract 7)", "done: 1,234 rows loaded")
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from analytics.access import ACTION_PERMISSIONS, Access, Permission, requires, utc_now
from analytics.store import Store

ACTIONS: tuple[str, ...] = tuple(ACTION_PERMISSIONS)
NO_ROLE = "none"  # the role recorded for someone the role map does not list
MAX_TEXT = 500  # characters kept of a label, object or outcome
UK = ZoneInfo("Europe/London")
COLUMNS = ("seq", "at", "user_id", "user_label", "role", "action", "object", "outcome")
HEADINGS = {"seq": "Entry", "at": "When (UK time)", "user_label": "Who", "user_id": "User id",
            "role": "Role", "action": "Action", "object": "What", "outcome": "Outcome"}

_WRITE = threading.Lock()  # one writer at a time, so entry numbers run without gaps
_VALUES = "VALUES ($seq, $at, $user_id, $user_label, $role, $action, $object, $outcome)"
_INSERT_ENTRY = 'INSERT INTO audit_log (seq, "at", user_id, user_label, role, action, object, outcome) '
_INSERT_PIN = 'INSERT INTO audit_log_pins (seq, "at", user_id, user_label, role, action, object, outcome) '



def record(store: Store, access: Access, action: str, object: str, outcome: str) -> int:
    """Append one entry: `access` did `action` to `object` with `outcome`; returns its number.

    `action` is one of ACTIONS; `object` names what was acted on (a file, an extract, a table);
    `outcome` says how it went, starting with "done", "refused" or "failed". Text is cut to
    MAX_TEXT characters and line breaks become spaces, so one entry is one line.
    Call it after the work's own transaction has ended: the entry is kept even if the work failed.
    """
    return _append(store, access.user_id, access.user_label, access.role.value, action, object,
                   outcome)


def record_refusal(store: Store, user_id: str, user_label: str, action: str, object: str,
                   outcome: str) -> int:
    """Append an entry for someone the role map does not list (their role is recorded as 'none')."""
    return _append(store, user_id, user_label, NO_ROLE, action, object, outcome)


def _append(store: Store, user_id: str, user_label: str, role: str, action: str, object: str,
            outcome: str) -> int:
    if action not in ACTION_PERMISSIONS:
        raise ValueError(f"{action!r} is not an audit action (one of {', '.join(ACTIONS)}).")
    row = {
        "at": utc_now(),
        "user_id": _clean(user_id) or "unknown",
        "user_label": _clean(user_label) or "unknown",
        "role": role,
        "action": action,
        "object": _clean(object),
        "outcome": _clean(outcome),
    }
    with _WRITE:
        cur = store.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            row["seq"] = cur.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchall()[0][0]
            cur.execute(_INSERT_ENTRY + _VALUES, row)
            cur.execute(_INSERT_PIN + _VALUES, row)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    return int(row["seq"])


def _clean(text: object) -> str:
    """One line of printable text, at most MAX_TEXT characters."""
    flat = " ".join(str(text or "").split())
    flat = "".join(ch for ch in flat if ch.isprintable())
    return flat if len(flat) <= MAX_TEXT else flat[: MAX_TEXT - 1] + "…"


@requires(Permission.AUDIT)
def entries(con: duckdb.DuckDBPyConnection, start: date | None = None, end: date | None = None,
            users: tuple[str, ...] = (), actions: tuple[str, ...] = ()) -> pd.DataFrame:
    """Entries from `start` to `end` (inclusive UK dates), by any of `users` and `actions`
    (empty: all), newest first, with 'at' in UK time."""
    clauses, params = ["TRUE"], {}
    if start:
        clauses.append('"at" >= $start')
        params["start"] = _uk_midnight_utc(start)
    if end:
        clauses.append('"at" < $end')
        params["end"] = _uk_midnight_utc(end + timedelta(days=1))
    if users:
        clauses.append("list_contains($users::VARCHAR[], user_id)")
        params["users"] = list(users)
    if actions:
        clauses.append("list_contains($actions::VARCHAR[], action)")
        params["actions"] = list(actions)
    frame = con.execute(
        f"SELECT {', '.join(_q(c) for c in COLUMNS)} FROM audit_log "
        f"WHERE {' AND '.join(clauses)} ORDER BY seq DESC", params).df()
    frame["at"] = (pd.to_datetime(frame["at"]).dt.tz_localize("UTC").dt.tz_convert(UK)
                   .dt.tz_localize(None))
    return frame


@requires(Permission.AUDIT)
def people(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """user_id -> the latest label seen for that user, for the audit page's 'who' filter."""
    rows = con.execute(
        "SELECT user_id, arg_max(user_label, seq) AS label FROM audit_log "
        "GROUP BY user_id ORDER BY label").fetchall()
    return dict(rows)


@requires(Permission.AUDIT)
def integrity(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems that mean the log was altered outside the app (none when it is intact)."""
    problems = []
    # fetchall, not fetchone: a half-read result would keep a transaction open on the cursor.
    n, first, last = con.execute(
        "SELECT count(*), min(seq), max(seq) FROM audit_log").fetchall()[0]
    if n and (first != 1 or last != n):
        problems.append(f"Entries are missing: {n:,} entries are numbered {first:,} to {last:,}.")
    unpinned = con.execute(
        "SELECT count(*) FROM audit_log a ANTI JOIN audit_log_pins p USING (seq)").fetchall()[0][0]
    if unpinned:
        problems.append(f"{unpinned:,} {'entry is' if unpinned == 1 else 'entries are'} no longer "
                        "protected against change.")
    return problems


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The entries as a reader sees them: UK date and time in words, plain headings."""
    out = frame.copy()
    out["at"] = [f"{t.day} {t:%B %Y, %H:%M:%S}" for t in out["at"]]
    out = out[["at", "user_label", "role", "action", "object", "outcome", "user_id", "seq"]]
    return out.rename(columns=HEADINGS)


def _uk_midnight_utc(day: date) -> datetime:
    """The UTC time (without zone) at which `day` begins in the UK."""
    return (datetime(day.year, day.month, day.day, tzinfo=UK).astimezone(ZoneInfo("UTC"))
            .replace(tzinfo=None))


def _q(column: str) -> str:
    return f'"{column}"'
