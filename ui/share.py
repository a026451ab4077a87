"""Shareable views: every page and every filter in the address, and a 'Copy link' that reopens it.

The sidebar writes the global filters into the address (ui.sidebar). A page's own controls are
bound here with `bind`: on the widget's first appearance in a session its value is read from the
address (codes only; an unknown code falls back to the default with a visible notice), and on
every run its value is written back, so the address always reopens what is on screen. We do this
ourselves rather than with widgets' `bind="query-params"`, which writes display labels.

The link offered for copying leaves the view out (the role aside): whoever opens it sees the view
their own role allows, the board view by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ui import markdown as md
from ui.keys import PRESENT_KEY, SLIDE_KEY, VIEW_KEY
from ui.sidebar import address_query

LINK_LEAVES_OUT = (VIEW_KEY,)  # the role aside: a shared link never widens or narrows a view
_SLOT = "_share_slot"
NONE = "none"  # an empty choice of several, or no choice at all


def code(option: Any) -> str:
    """How an option is written in the address: 'rate', '3', '2025-01-01', 'none', '1'/'0'."""
    if option is None:
        return NONE
    if isinstance(option, bool):
        return "1" if option else "0"
    if isinstance(option, date):
        return option.isoformat()
    return str(option)


def bind(param: str, key: str, options: Sequence[Any], default: Any, *,
         multi: bool = False) -> str:
    """The widget key `key`, its value bound to `?param=` in the address; call it in place of
    the widget's key and give the widget no default of its own (`default` is the default).

    The first time the widget appears in a session its value comes from the address (or the
    default, with a notice, when the address names something this page does not offer); a value
    no longer among `options` (the filters changed them) goes back to the default. `multi` is
    for a widget whose value is several options (a multiselect's list, a range's tuple).
    """
    options = list(options)
    by_code = {code(o): o for o in options}
    if key not in st.session_state:
        value = default
        if param in st.query_params:
            raw = st.query_params.get_all(param)
            parsed = ([] if multi and raw == [NONE] else
                      [by_code.get(v, _MISSING) for v in raw])
            if _MISSING in parsed or (not multi and len(parsed) != 1):
                st.warning(md.escape(f"The link's {param} ({', '.join(repr(v[:40]) for v in raw)})"
                                     " is not one this page offers; showing the default instead."),
                           icon=":material/link_off:")
            else:
                value = type(default)(parsed) if multi else parsed[0]
        st.session_state[key] = value
    elif not _valid(st.session_state[key], options, multi):
        st.session_state[key] = default
    value = st.session_state[key]
    if (tuple(value) == tuple(default)) if multi else value == default:
        if param in st.query_params:
            del st.query_params[param]
    else:
        wanted = ([code(v) for v in value] or [NONE]) if multi else [code(value)]
        if st.query_params.get_all(param) != wanted:
            st.query_params[param] = wanted if multi else wanted[0]
    _refresh_slot()
    return key


def _valid(value: Any, options: list[Any], multi: bool) -> bool:
    if multi:
        return isinstance(value, list | tuple) and all(v in options for v in value)
    return value in options


_MISSING = object()


def link(leave_out: Sequence[str] = LINK_LEAVES_OUT) -> str:
    """The full address of this page with its filters (relative where the app's own address is
    unknown, as in tests), leaving out the view."""
    pairs = [(k, v) for k in st.query_params if k not in leave_out
             for v in st.query_params.get_all(k)]
    query = urlencode(pairs)
    base = st.context.url or ""
    return f"{base}?{query}" if query else (base or "?")


def link_box() -> None:
    """The link to copy, in a box whose copy button puts it on the clipboard; kept up to date as
    the page's own controls are bound further down the page."""
    slot = st.empty()
    st.session_state[_SLOT] = slot
    _refresh_slot()


def new_run() -> None:
    """Forget the previous run's link box (app.py calls this before the page runs)."""
    st.session_state[_SLOT] = None


def _refresh_slot() -> None:
    slot = st.session_state.get(_SLOT)
    if slot is not None:
        slot.code(link(), language=None, wrap_lines=True)


def query_without(*keys: str) -> dict[str, str | list[str]]:
    """The address's query parameters, less `keys`, for a link to another page or mode."""
    out: dict[str, str | list[str]] = {}
    for k in st.query_params:
        if k in keys:
            continue
        values = st.query_params.get_all(k)
        out[k] = values[0] if len(values) == 1 else values
    return out


def leave_presenter() -> dict[str, str | list[str]]:
    """Where 'Leave' goes: the slides' filters, with the view the session had before presenting
    (the slides' own address leaves it out)."""
    query = query_without(PRESENT_KEY, SLIDE_KEY)
    view = address_query().get(VIEW_KEY)
    return {**query, VIEW_KEY: view} if view else query
