"""The session book: every sign-in the server has seen, when it was last active and whether it
ended, kept in the database so that signing out survives a restart.

Streamlit's sign-in cookie lasts 30 days and a copy of it signs in again until then: before this
book lived in the database, a cookie saved before its owner signed out worked again once the
server restarted. A sign-in is keyed by (user id, the time the identity provider issued it), so
every browser tab of one sign-in shares its clock and a sign-in that ended stays ended; a new
sign-in starts afresh. The rules for when a sign-in must end are analytics.governance.access.session_end.

    >>> book = SessionBook(store)
    >>> book.begin(("iss#sub", signed_in), now)
    True
    >>> book.activity(("iss#sub", signed_in), later, limits)  # None while it may go on
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import duckdb

from analytics.governance.access import SIGNED_OUT, SessionLimits, session_end
from analytics.store.store import Store

Key = tuple[str, datetime]  # (user id, signed in at)
KEPT_AFTER_LIMIT = timedelta(days=1)  # an ended sign-in is forgotten this long after its limit

_ROW = "SELECT last_active, ended FROM sign_ins WHERE user_id = $user AND signed_in_at = $at"


class SessionBook:
    """The sign-ins in the database's `sign_ins` table. Thread-safe within the process (one
    writer at a time: two tabs of one sign-in would otherwise update one row at once)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()

    def begin(self, key: Key, now: datetime) -> bool:
        """Note a sign-in (started at key[1]); True the first time it is seen."""
        with self._lock, self._writing() as cur:
            if cur.execute(_ROW, _params(key)).fetchall():
                return False
            cur.execute("INSERT INTO sign_ins VALUES ($user, $at, $now, NULL)",
                        {**_params(key), "now": now})
            return True

    def activity(self, key: Key, now: datetime, limits: SessionLimits) -> str | None:
        """A user acted: why the sign-in has ended (and it stays ended), else record the activity."""
        with self._lock, self._writing() as cur:
            found = cur.execute(_ROW, _params(key)).fetchall()
            last_active, ended = found[0] if found else (now, None)
            reason = ended or session_end(key[1], last_active, now, limits)
            if not found:
                cur.execute("INSERT INTO sign_ins VALUES ($user, $at, $now, $ended)",
                            {**_params(key), "now": now, "ended": reason})
            elif reason:
                cur.execute("UPDATE sign_ins SET ended = $ended "
                            "WHERE user_id = $user AND signed_in_at = $at",
                            {**_params(key), "ended": reason})
            else:
                cur.execute("UPDATE sign_ins SET last_active = $now "
                            "WHERE user_id = $user AND signed_in_at = $at",
                            {**_params(key), "now": now})
            cur.execute("DELETE FROM sign_ins WHERE signed_in_at < $cutoff",
                        {"cutoff": now - limits.absolute - KEPT_AFTER_LIMIT})
            return reason

    def check(self, key: Key, now: datetime, limits: SessionLimits) -> str | None:
        """Why the sign-in has ended, without counting this look as activity."""
        found = self._store.cursor().execute(_ROW, _params(key)).fetchall()
        if not found:
            return None
        last_active, ended = found[0]
        return ended or session_end(key[1], last_active, now, limits)

    def end(self, key: Key, reason: str = SIGNED_OUT) -> None:
        """Close a sign-in for good (the user signed out)."""
        with self._lock, self._writing() as cur:
            if cur.execute(_ROW, _params(key)).fetchall():
                cur.execute("UPDATE sign_ins SET ended = coalesce(ended, $ended) "
                            "WHERE user_id = $user AND signed_in_at = $at",
                            {**_params(key), "ended": reason})
            else:
                cur.execute("INSERT INTO sign_ins VALUES ($user, $at, $at, $ended)",
                            {**_params(key), "ended": reason})

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction of its own (not Store.transaction: a sign-in changes no data, so the
        data version, every cache's key, stays as it is)."""
        cur = self._store.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")


def _params(key: Key) -> dict:
    return {"user": key[0], "at": key[1]}
