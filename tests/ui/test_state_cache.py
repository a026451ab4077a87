"""ui.state.compute caches an analysis's plain refusal (a ValueError) like an answer."""

from __future__ import annotations

import streamlit
from streamlit.testing.v1 import AppTest

from analytics.store.store import Store
from tests.apptest import TIMEOUT
from tests.conftest import seed_tiny


def _script():
    import functools
    from datetime import date

    import streamlit as st

    from analytics.contexts import clustering
    from analytics.governance.access import local_access
    from analytics.store.filters import Filters
    from ui import state

    calls = []
    original = clustering.cluster_contexts

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    clustering.cluster_contexts = counted  # ui.state looks the analysis up by its name
    try:
        state.set_access(local_access("board"))
        year = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")
        for _ in range(3):
            try:
                state.compute(clustering.cluster_contexts, year)
            except ValueError as refused:
                st.write(f"refused: {str(refused)[:40]}")
        st.write(f"computed {len(calls)} time(s)")
    finally:
        clustering.cluster_contexts = original


def test_a_refusal_is_computed_once_and_told_every_time(tmp_path, monkeypatch):
    path = tmp_path / "tiny.duckdb"
    store = Store(path)
    seed_tiny(store)  # four places: too few to group
    store.close()
    monkeypatch.setenv("SAFEGUARDING_DB", str(path))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    at = AppTest.from_function(_script, default_timeout=TIMEOUT).run()
    assert not at.exception
    lines = [m.value for m in at.markdown]
    assert lines[:3] == ["refused: None of the 4 places has at least 10 inc"] * 3
    assert lines[3] == "computed 1 time(s)"
