"""The audit log: who signed in, loaded, rolled back, exported, viewed rows or changed what, and
how it went.

Append-only. `record` is the only function that writes it and it only inserts; nothing in the
app updates or deletes an entry, and DuckDB itself refuses to (each entry is pinned by a foreign
key: migration 3 in store.py). A pin can still be removed on purpose, so the log is also a hash
chain: each entry's hash covers the entry and the hash before it (table audit_chain), and the
latest entry's number and hash are kept apart from the database, in a file beside it (the seal).
`integrity` recomputes the chain from the first entry to the last and compares it with both, so
an entry changed, removed or added outside the app, even the last one, shows on the Audit log
page. Reading it needs the AUDIT permission. Times are stored in UTC and shown in UK time.

    record(store, access, "load", "police-2026-10.csv (extract 7)", "done: 1,234 rows loaded")
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from analytics.governance.access import ACTION_PERMISSIONS, Access, Permission, requires, utc_now
from analytics.store.store import Store

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
GENESIS = "0" * 64  # the hash "before" the first entry
SEAL_SUFFIX = ".audit-seal"  # the seal's file: the database's path with this added
_MEMORY_SEALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # in-memory stores'


@dataclass(frozen=True)
class Seal:
    """The number and hash of the latest entry, as the app last wrote them (kept apart), and
    what was wrong, if anything, when the app last extended the log: once found, a break stays
    in the seal, so writing a new entry never hides one."""

    seq: int
    hash: str
    broken: str = ""


def seal_of(store: Store) -> Seal | None:
    """The store's seal, if one was written: from the file beside a database file, or held in
    this process for an in-memory store."""
    if store.path == ":memory:":
        return _MEMORY_SEALS.get(store)
    try:
        data = json.loads(Path(store.path + SEAL_SUFFIX).read_text(encoding="utf-8"))
        return Seal(int(data["seq"]), str(data["hash"]), str(data.get("broken", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_seal(store: Store, seal: Seal) -> None:
    """Keep the seal apart from the table, replacing the old one in one step (rename)."""
    if store.path == ":memory:":
        _MEMORY_SEALS[store] = seal
        return
    path = Path(store.path + SEAL_SUFFIX)
    spare = path.with_name(path.name + ".new")
    try:
        spare.write_text(json.dumps({"seq": seal.seq, "hash": seal.hash, "broken": seal.broken}),
                         encoding="utf-8")
        os.replace(spare, path)
    except OSError:
        pass  # the next check finds the seal behind the log and says so


def entry_hash(previous: str, row: dict | tuple) -> str:
    """The hash of one entry: SHA-256 of the hash before it and the entry's columns."""
    values = [row[c] for c in COLUMNS] if isinstance(row, dict) else list(row)
    values[1] = values[1].isoformat()  # "at"
    text = json.dumps([previous, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()



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
            sealed_before = cur.execute("SELECT count(*) > 0 FROM audit_chain").fetchall()[0][0]
            previous = _chain_to(cur, row["seq"] - 1)
            broken = _as_sealed(seal_of(store), row["seq"] - 1, previous, sealed_before)
            cur.execute(_INSERT_ENTRY + _VALUES, row)
            cur.execute(_INSERT_PIN + _VALUES, row)
            sealed = entry_hash(previous, row)
            cur.execute("INSERT INTO audit_chain VALUES ($seq, $hash)",
                        {"seq": row["seq"], "hash": sealed})
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        _write_seal(store, Seal(int(row["seq"]), sealed, broken))
    return int(row["seq"])


def _as_sealed(seal: Seal | None, last: int, head: str, sealed_before: bool) -> str:
    """What is wrong with the log the app is about to extend ('' when it ends as sealed). A log
    from before seals were kept (no hash stored) is sealed as it stands by its next entry."""
    if seal is None:
        return "" if last == 0 or not sealed_before else (
            f"When entry {last + 1:,} was written, the seal of the log's first {last:,} entries "
            "was missing: removed outside the dashboard.")
    if seal.broken or (seal.seq, seal.hash) == (last, head):
        return seal.broken
    return (f"When entry {last + 1:,} was written, the log did not end as sealed at entry "
            f"{seal.seq:,}: entries had been changed, removed or added outside the dashboard.")


def _chain_to(cur: duckdb.DuckDBPyConnection, last: int) -> str:
    """The stored hash of entry `last` (GENESIS for none). Entries without one (a log from
    before the chain, migration 5) are chained on from the last hash stored, and stored."""
    found = cur.execute("SELECT seq, hash FROM audit_chain WHERE seq <= $last "
                        "ORDER BY seq DESC LIMIT 1", {"last": last}).fetchall()
    done, previous = found[0] if found else (0, GENESIS)
    for row in cur.execute(f"SELECT {', '.join(_q(c) for c in COLUMNS)} FROM audit_log "
                           "WHERE seq > $done AND seq <= $last ORDER BY seq",
                           {"done": done, "last": last}).fetchall():
        previous = entry_hash(previous, row)
        cur.execute("INSERT INTO audit_chain VALUES ($seq, $hash)",
                    {"seq": row[0], "hash": previous})
    return previous


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
def integrity(con: duckdb.DuckDBPyConnection, seal: Seal | None = None) -> list[str]:
    """Problems that mean the log was altered outside the app (none when it is intact): its
    numbering, its pins, and its hash chain recomputed end to end against the hashes stored
    with it and against `seal` (seal_of(store)), which is kept apart from it."""
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
    return problems + _chain_problems(con, seal)


def _chain_problems(con: duckdb.DuckDBPyConnection, seal: Seal | None) -> list[str]:
    """The hash chain recomputed from the first entry, against audit_chain and the seal."""
    stored = dict(con.execute("SELECT seq, hash FROM audit_chain").fetchall())
    rows = con.execute(f"SELECT {', '.join(_q(c) for c in COLUMNS)} FROM audit_log "
                       "ORDER BY seq").fetchall()
    chain, previous, changed = {}, GENESIS, None
    for row in rows:
        previous = chain[row[0]] = entry_hash(previous, row)
        if changed is None and stored.get(row[0]) != previous:
            changed = row[0]
    problems = [seal.broken] if seal is not None and seal.broken else []
    if changed is not None:
        problems.append(f"Entry {changed:,} has been changed, or entries before it removed, "
                        "since it was written: the chain of hashes breaks there.")
    last = rows[-1][0] if rows else 0
    if seal is None:
        if rows:
            problems.append("The seal kept beside the database (the latest entry's number and "
                            "hash) is missing, so the end of the log cannot be checked (a log "
                            "from before seals were kept is sealed by its next entry).")
    elif seal.seq > last:
        problems.append(f"The log ends at entry {last:,} but was sealed at entry {seal.seq:,}: "
                        "its latest entries were removed (or the database was replaced; a new "
                        "entry seals the new log).")
    elif chain.get(seal.seq) != seal.hash:
        problems.append(f"The log no longer leads to the hash sealed at entry {seal.seq:,}: "
                        "entries were changed or replaced.")
    elif seal.seq < last:
        problems.append(f"Entries {seal.seq + 1:,} to {last:,} were added after the last one "
                        "the dashboard sealed.")
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
