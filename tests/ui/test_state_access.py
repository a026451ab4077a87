"""ui.state.compute under access control: scope in every cache key, row-level analyses refused."""

from __future__ import annotations

import streamlit
from streamlit.testing.v1 import AppTest

from analytics.store.store import Store
from tests.apptest import TIMEOUT
from tests.conftest import seed_tiny


def _script():
    from datetime import date

    import streamlit as st

    from analytics.board import overview
    from analytics.governance.access import Access, Role, Scope
    from analytics.ingest import records
    from analytics.store.filters import Filters
    from ui import state

    year = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")
    for label, access in [("W1 lead", Access(Role.LEAD, Scope(wards=("W1",)))),
                          ("whole-borough lead", Access(Role.LEAD)),
                          ("W1 lead again", Access(Role.LEAD, Scope(wards=("W1",))))]:
        state.set_access(access)
        st.write(f"{label}: {state.compute(overview.totals, year).incidents}")
    for role in (Role.BOARD, Role.LEAD, Role.ANALYST):
        state.set_access(Access(role, Scope(wards=("W3",))))
        try:
            st.write(f"{role.value} records: {state.compute(records.incident_records, year).total}")
        except PermissionError as error:
            st.write(f"{role.value} records: refused ({error})")
    state.set_access(None)
    try:
        state.compute(overview.totals, year)
    except PermissionError as error:
        st.write(f"nobody: {error}")


def test_cached_results_follow_the_scope_and_row_level_analyses_check_the_role(tmp_path,
                                                                                monkeypatch):
    path = tmp_path / "tiny.duckdb"
    store = Store(path)
    seed_tiny(store)
    store.close()
    monkeypatch.setenv("SAFEGUARDING_DB", str(path))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    at = AppTest.from_function(_script, default_timeout=TIMEOUT).run()
    assert not at.exception
    lines = [m.value for m in at.markdown]
    assert lines[:3] == ["W1 lead: 3", "whole-borough lead: 10", "W1 lead again: 3"]
    assert lines[3].startswith("board records: refused (Your role (board member) may not see")
    assert lines[4].startswith("lead records: refused (Your role (lead) may not see")
    assert lines[5] == "analyst records: 2"  # Cedar's two incidents only
    assert lines[6] == "nobody: No one is signed in. Open the dashboard from its main address."
