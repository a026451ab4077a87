"""The session book: sign-ins, their activity and their end, kept in the database so that
signing out survives a restart (issue 24: a cookie saved before sign-out signed in again once the
server restarted)."""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.governance import access as ac
from analytics.governance.access import SessionLimits
from analytics.governance.sessions import SessionBook
from analytics.store.store import Store

T0 = datetime(2026, 11, 23, 9, 0)
LIMITS = SessionLimits()


def test_the_session_book_counts_activity_and_keeps_an_ended_sign_in_ended():
    book, key = SessionBook(Store()), ("user#1", T0)
    assert book.begin(key, T0) is True and book.begin(key, T0) is False
    assert book.activity(key, T0 + timedelta(minutes=20), LIMITS) is None
    assert book.activity(key, T0 + timedelta(minutes=45), LIMITS) is None  # 25 idle minutes
    assert book.check(key, T0 + timedelta(minutes=75), LIMITS) == ac.IDLE
    assert book.activity(key, T0 + timedelta(minutes=80), LIMITS) == ac.IDLE
    assert book.activity(key, T0 + timedelta(minutes=81), LIMITS) == ac.IDLE  # stays ended
    fresh = ("user#1", T0 + timedelta(minutes=82))  # signing in again starts afresh
    assert book.begin(fresh, fresh[1]) and book.activity(fresh, fresh[1], LIMITS) is None


def test_looking_at_the_clock_is_not_activity():
    book, key = SessionBook(Store()), ("user#1", T0)
    book.begin(key, T0)
    for minutes in (10, 20, 29):
        assert book.check(key, T0 + timedelta(minutes=minutes), LIMITS) is None
    assert book.activity(key, T0 + timedelta(minutes=30), LIMITS) == ac.IDLE


def test_signing_out_ends_the_sign_in_for_every_tab_and_others_are_untouched():
    book, mine, theirs = SessionBook(Store()), ("me#1", T0), ("them#1", T0)
    book.begin(mine, T0)
    book.begin(theirs, T0)
    book.end(mine)
    assert book.activity(mine, T0 + timedelta(minutes=1), LIMITS) == ac.SIGNED_OUT
    assert book.activity(theirs, T0 + timedelta(minutes=1), LIMITS) is None


def test_the_absolute_limit_runs_from_sign_in_however_active_the_user_is():
    book, key = SessionBook(Store()), ("user#1", T0)
    book.begin(key, T0)
    now = T0
    while now < T0 + timedelta(hours=12) - timedelta(minutes=10):
        now += timedelta(minutes=10)
        assert book.activity(key, now, LIMITS) is None
    assert book.activity(key, now + timedelta(minutes=10), LIMITS) == ac.ABSOLUTE



def test_a_sign_out_survives_a_restart(tmp_path):
    path = tmp_path / "app.duckdb"
    store = Store(path)
    book, key = SessionBook(store), ("user#1", T0)
    book.begin(key, T0)
    book.end(key)
    store.close()  # the server stops; its memory is gone
    again = SessionBook(Store(path))
    assert again.check(key, T0 + timedelta(minutes=2), LIMITS) == ac.SIGNED_OUT
    assert again.activity(key, T0 + timedelta(minutes=2), LIMITS) == ac.SIGNED_OUT
    assert again.begin(key, T0 + timedelta(minutes=2)) is False  # not a new sign-in


def test_keeping_the_book_does_not_move_the_data_version():
    store = Store()
    version, book = store.data_version(), SessionBook(store)
    book.begin(("user#1", T0), T0)
    book.activity(("user#1", T0), T0 + timedelta(minutes=1), LIMITS)
    book.end(("user#1", T0))
    assert store.data_version() == version


def test_sign_ins_long_past_their_limit_are_forgotten():
    store = Store()
    book = SessionBook(store)
    book.begin(("old#1", T0), T0)
    later = T0 + LIMITS.absolute + timedelta(days=2)
    book.activity(("new#1", later), later, LIMITS)
    assert store.cursor().execute("SELECT user_id FROM sign_ins").fetchall() == [("new#1",)]
    # forgotten, an old sign-in still ends at once: its limit runs from its own start time
    assert book.activity(("old#1", T0), later, LIMITS) == ac.ABSOLUTE
