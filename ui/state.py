"""The Streamlit edge: the one store, cached analyses, and the page context (filters, view, facts).

Pages call `context()` for the selection in force and `compute(fn, filters, ...)` to run an
analysis; results are cached by (analysis, filters, view-independent arguments, data version), so
every load refreshes every page at once and nothing depends on who is looking.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from analytics.filters import Filters, uk_date
from analytics.reference import DataFacts
from analytics.store import Store, database_path


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The process's one DuckDB store, made (and filled with the demo borough) on first use."""
    s = Store(database_path())
    if s.is_empty():
        from analytics import demo  # only a first run needs the generator

        demo.ensure_demo(s)
    return s


@st.cache_data(show_spinner=False, max_entries=1024)
def _compute(name: str, filters: Filters | None, version: int, kwargs: tuple) -> Any:
    """Run an analytics function by name on a fresh cursor; `version` is only the cache key."""
    module_name, _, func_name = name.partition(":")
    if not module_name.startswith("analytics."):
        raise ValueError(f"{name} is not an analysis")
    fn = getattr(importlib.import_module(module_name), func_name)
    if filters is None:
        return fn(store().cursor(), **dict(kwargs))
    return fn(store().cursor(), filters, **dict(kwargs))


def compute(fn: Callable[..., Any], filters: Filters | None = None, **kwargs: Any) -> Any:
    """`fn(cursor, filters, **kwargs)`, cached per data version (pass filters=None if it takes none)."""
    name = f"{fn.__module__}:{fn.__qualname__}"
    return _compute(name, filters, store().data_version(), tuple(sorted(kwargs.items())))


@dataclass(frozen=True)
class PageContext:
    """What every page needs: the filters, the view in force, ward names and the data's dates."""

    filters: Filters
    view: str
    ward_names: dict[str, str]
    facts: DataFacts

    def caption(self, measure: str) -> str:
        """'Measure. Period; filters. Data to 31 October 2026.': the line under every chart."""
        data_to = uk_date(self.facts.latest_incident) if self.facts.latest_incident else "no date"
        return f"{measure}. {self.filters.describe(self.ward_names)}. Data to {data_to}."


def context() -> PageContext:
    """The context app.py set for this run."""
    if "_page_context" not in st.session_state:
        # A page opened by its own address before app.py ever ran in this server process is run
        # alone, in Streamlit's old pages-folder mode. Calling st.navigation leaves that mode;
        # the rerun then goes through app.py, which runs this same page with its filters.
        from ui import navigation

        st.navigation(navigation.pages(), position="hidden")
        st.rerun()
    return st.session_state["_page_context"]


def set_context(ctx: PageContext) -> None:
    """Called by app.py once the sidebar filters are read."""
    st.session_state["_page_context"] = ctx


def today() -> date:
    """Today's date (a function so tests can see where 'now' enters)."""
    return date.today()
