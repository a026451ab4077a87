"""The Streamlit edge: the one store, cached analyses, and the page context (filters, view, facts).

Pages call `context()` for the selection in force and `compute(fn, filters, ...)` to run an
analysis; results are cached by (analysis, filters, view-independent arguments, data version, and
the user's role and scope), so every load refreshes every page at once and no user is ever served
a result computed for a wider scope. compute narrows the filters to that scope
(analytics.governance.access.scoped) and refuses a row-level analysis to a role without the permission.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from analytics.governance import audit
from analytics.governance.access import (
    WHOLE_AREA,
    Access,
    Permission,
    may_open,
    page_permission,
    require,
    required_permission,
    scoped,
)
from analytics.store.filters import Filters
from analytics.store.reference import DataFacts
from analytics.store.sources import reword
from analytics.store.store import Store, database_path
from ui import markdown as md
from ui import page_table


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The process's one DuckDB store, made (and filled with the demo borough) on first use."""
    s = Store(database_path())
    if s.is_empty():
        from analytics.demo import demo  # only a first run needs the generator

        demo.ensure_demo(s)
    return s


@dataclass(frozen=True)
class _Refusal:
    """An analysis's ValueError (the plain reason a page shows instead of a chart), cached like
    an answer: st.cache_data never caches an exception, so without this every rerun of the
    page would recompute a refusal it already knew (a second of k-means at a million incidents)."""

    error: ValueError


@st.cache_data(show_spinner=False, max_entries=1024)
def _compute(name: str, filters: Filters | None, version: int, kwargs: tuple,
             grant: Access) -> Any:
    """`_analyse`, with its refusals kept as values so they are cached too."""
    try:
        return _analyse(name, filters, kwargs, grant)
    except ValueError as error:
        return _Refusal(error)


def _analyse(name: str, filters: Filters | None, kwargs: tuple, grant: Access) -> Any:
    """Run an analytics function by name on a fresh cursor; `version` is only the cache key,
    `grant` (role and scope, no identity) is the key and, for a row-level analysis, its access."""
    module_name, _, func_name = name.partition(":")
    if not module_name.startswith("analytics."):
        raise ValueError(f"{name} is not an analysis")
    fn = getattr(importlib.import_module(module_name), func_name)
    kwargs = dict(kwargs)
    if required_permission(fn) is not None:
        kwargs["access"] = grant
    if filters is None:
        return fn(store().cursor(), **kwargs)
    return fn(store().cursor(), filters, **kwargs)


def compute(fn: Callable[..., Any], filters: Filters | None = None, **kwargs: Any) -> Any:
    """`fn(cursor, filters, **kwargs)`, cached per data version (pass filters=None if it takes none).

    The filters are narrowed to the user's scope first; PermissionError if `fn` is row-level
    and the user's role may not see rows.
    """
    access = current_access()
    needed = required_permission(fn)
    if needed is not None:
        require(access, needed)
    name = f"{fn.__module__}:{fn.__qualname__}"
    if filters is not None:
        filters = scoped(filters, access)
    elif name not in WHOLE_AREA:
        raise TypeError(f"{name} needs the filters: they carry the user's scope.")
    arguments = tuple(sorted(kwargs.items()))
    result = _compute(name, filters, store().data_version(), arguments, access.grant())
    if isinstance(result, _Refusal):
        raise result.error
    if needed is Permission.ROWS:
        _note_rows_viewed(access, fn, filters, arguments)
    return result


def _note_rows_viewed(access: Access, fn: Callable[..., Any], filters: Filters | None,
                      arguments: tuple) -> None:
    """Write each view of row-level data to the audit log: once a session for each selection
    (a rerun of the same view is not a new one)."""
    seen = st.session_state.setdefault("_rows_viewed", set())
    view = (fn.__qualname__, filters, arguments)
    if view in seen:
        return
    seen.add(view)
    what = fn.__name__.replace("_", " ")
    if filters is not None:
        what += f" ({filters.describe()})"
    audit.record(store(), access, "rows viewed", what, "done")


def uncached(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """`fn(cursor, **kwargs)` run now, for what changes without a load (the audit log)."""
    access = current_access()
    if required_permission(fn) is not None:
        kwargs["access"] = access
    return fn(store().cursor(), **kwargs)


ACCESS_KEY = "_access"


def current_access() -> Access:
    """Who is using this session and what they may do (set by app.py through ui.guard)."""
    access = st.session_state.get(ACCESS_KEY)
    if not isinstance(access, Access):
        raise PermissionError("No one is signed in. Open the dashboard from its main address.")
    return access


def set_access(access: Access | None) -> None:
    """Called by ui.guard at the start of every run; None until the user may see data."""
    st.session_state[ACCESS_KEY] = access


def may(permission: Permission) -> bool:
    """Whether this session's user may do something (False when no one is signed in)."""
    access = st.session_state.get(ACCESS_KEY)
    return isinstance(access, Access) and access.may(permission)


@dataclass(frozen=True)
class PageContext:
    """What every page needs: the filters, the view in force, ward names and the data's dates."""

    filters: Filters
    view: str
    ward_names: dict[str, str]
    facts: DataFacts

    def caption(self, measure: str) -> md.Markdown:
        """'Measure. Period; filters. Data to 31 October 2026.': the line under every chart, as
        plain text escaped for st.caption (it names wards, and places in `measure`); police.uk
        data, published by month, ends in a month: 'Data to December 2025'."""
        data_to = self.facts.data_to(self.filters.source)
        measure = measure.rstrip().removesuffix(".")  # a measure may end its own sentence
        return md.escape(f"{measure}. {self.filters.describe(self.ward_names)}. Data to {data_to}.")

    def say(self, text: str) -> str:
        """Words written about incidents in the words of the page's source (police.uk: crimes,
        crime types); Markdown the app wrote stays Markdown (sources.reword)."""
        return reword(text, self.filters.source)


def context() -> PageContext:
    """The context app.py set for this run, for a page the user's role may open.

    Every page calls this first, so it is where a page guards itself. Streamlit runs a page
    script alone, without app.py, when a fresh server's first request names a page under pages/
    (and so does AppTest.switch_page after a first run): with no context yet, leaving that mode
    through st.navigation and rerunning sends the request through app.py and its sign-in. A page
    run alone with a stale context but no signed-in user, or by a role it is closed to, stops
    here with a message and shows nothing else.
    """
    if "_page_context" not in st.session_state:
        st.navigation(page_table.pages(), position="hidden")
        st.rerun()
    ctx = st.session_state["_page_context"]
    access = st.session_state.get(ACCESS_KEY)
    if not isinstance(access, Access):
        _refuse("Open the dashboard from its main address: this page cannot run on its own.")
    page = Path(sys._getframe(1).f_globals.get("__file__") or "").stem
    if not may_open(access, page):
        _refuse(closed_message(page))
    return ctx


def closed_message(page: str) -> str:
    """What someone reads on a page their role may not open."""
    return (f"This page is not open to your role: it needs permission to "
            f"{page_permission(page).value}. Ask your administrator if you need it.")


def _refuse(message: str) -> NoReturn:
    st.error(md.escape(message), icon=":material/block:")
    st.stop()


def set_context(ctx: PageContext) -> None:
    """Called by app.py once the sidebar filters are read."""
    st.session_state["_page_context"] = ctx


def today() -> date:
    """Today's date (a function so tests can see where 'now' enters)."""
    return date.today()
