"""The global filters in the sidebar, kept across pages and written into the URL.

We sync the URL ourselves rather than with widgets' `bind="query-params"`: that binding writes
the widgets' display labels and silently drops values it does not know, while our links must carry
codes only and tell the reader when part of a link could not be used.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import reference
from analytics.access import Access, allowed_views, effective_view, scoped
from analytics.disclosure import DEFAULT_VIEW, PRESENTER_VIEW, VIEWS
from analytics.filters import (
    DEFAULT_PERIOD,
    EARLIEST_DATE,
    LATEST_DATE,
    PERIOD_PRESETS,
    QUERY_KEYS,
    Filters,
    from_query,
    period_dates,
)
from analytics.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES, codes, labels
from ui import markdown as md
from ui.state import PageContext, compute, current_access

VIEW_KEY = "view"


def _clear_notices() -> None:
    st.session_state["_url_notices"] = []


def _seed_from_url(facts: reference.DataFacts, ward_codes: set[str],
                   agency_codes: set[str]) -> None:
    """On a session's first run, put the URL's filters into the widgets (once, never again)."""
    if st.session_state.get("_seeded"):
        return
    st.session_state["_seeded"] = True
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    filters, notices = from_query(  # no incidents at all (say the demo was rolled back): today
        query, data_end=facts.latest_incident or date.today(), data_start=facts.first_incident,
        ward_codes=ward_codes, agency_codes=agency_codes,
    )
    view = (query.get(VIEW_KEY) or [DEFAULT_VIEW])[0]
    if view not in VIEWS:
        notices.append("The link asked for a view we do not have; showing the board view.")
        view = DEFAULT_VIEW
    elif (allowed := effective_view(current_access(), view)) != view:
        notices.append(f"The link asked for the {view} view; your role shows the {allowed} view.")
        view = allowed
    st.session_state.update({
        "f_period": filters.period,
        "f_dates": (filters.start, filters.end),
        "f_wards": list(filters.wards),
        "f_risks": list(filters.risk_types),
        "f_contexts": list(filters.context_types),
        "f_agencies": list(filters.agencies),
        "f_view": view,
        "_url_notices": notices,
    })


def _write_url(filters: Filters, view: str) -> None:
    """Make the address bar reopen this view: our keys set or removed, others left alone."""
    wanted = filters.to_query()
    if view != DEFAULT_VIEW:
        wanted[VIEW_KEY] = view
    for key in (*QUERY_KEYS, VIEW_KEY):
        if key in wanted:
            if st.query_params.get_all(key) != _as_list(wanted[key]):
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def sidebar_filters() -> PageContext:
    """Draw the filters and return the page context they define (only the wards, agencies and
    views the user's access allows are offered)."""
    access = current_access()
    facts: reference.DataFacts = compute(reference.data_facts)
    ward_names: dict[str, str] = compute(reference.ward_names, Filters())
    scope = access.scope
    ward_options, agency_options = _options(access, ward_names)
    _seed_from_url(facts, set(ward_options), set(agency_options))
    data_end = facts.latest_incident or date.today()
    sb = st.sidebar
    sb.header("Filters")
    period = sb.selectbox("Period", list(PERIOD_PRESETS), format_func=PERIOD_PRESETS.get,
                          key="f_period", on_change=_clear_notices,
                          help="Periods end with the latest month in the data.")
    if period == "custom":
        chosen = sb.date_input("From and to", key="f_dates", format="DD/MM/YYYY",
                               min_value=EARLIEST_DATE, max_value=LATEST_DATE,
                               on_change=_clear_notices)
        start, end = (tuple(chosen) + (None, None))[:2]
        if not (start and end):
            sb.caption("Choose both a start and an end date; until then, the last 12 months.")
            period, (start, end) = DEFAULT_PERIOD, period_dates(DEFAULT_PERIOD, data_end)
    else:
        start, end = period_dates(period, data_end, facts.first_incident)
    wards = sb.multiselect("Wards", ward_options, format_func=ward_names.get, key="f_wards",
                           placeholder="All wards" if scope.wards is None else "All your wards",
                           on_change=_clear_notices)
    risks = sb.multiselect("Risk types", codes(RISK_TYPES), format_func=labels(RISK_TYPES).get,
                           key="f_risks", placeholder="All risk types", on_change=_clear_notices)
    contexts = sb.multiselect("Context types", codes(CONTEXT_TYPES),
                              format_func=labels(CONTEXT_TYPES).get, key="f_contexts",
                              placeholder="All context types", on_change=_clear_notices)
    agencies = sb.multiselect("Agencies", agency_options, format_func=labels(AGENCIES).get,
                              key="f_agencies", on_change=_clear_notices,
                              placeholder="All agencies" if scope.agencies is None
                              else "All your agencies")
    sb.divider()
    views = allowed_views(access)
    if st.session_state.get("f_view") not in views:
        st.session_state["f_view"] = effective_view(access, st.session_state.get("f_view"))
    if len(views) > 1:
        view = sb.radio("View", views, format_func=lambda v: v.capitalize(), key="f_view",
                        horizontal=True, help="\n\n".join(VIEWS[v] for v in views))
    else:
        view = views[0]
        sb.caption(f"{VIEWS[view]} (the one view your role has).")
    view = effective_view(access, view)  # a role never gets a wider view, however it was asked
    for notice in st.session_state.get("_url_notices", []):
        sb.warning(md.escape(notice))
    filters = Filters(start=start, end=end, period=period, wards=tuple(wards),
                      risk_types=tuple(risks), context_types=tuple(contexts),
                      agencies=tuple(agencies))
    _write_url(filters, view)
    # Scoped here too (ui.state.compute scopes again, to the same), so captions name the wards
    # and agencies the user may see rather than saying "all wards".
    return PageContext(filters=scoped(filters, access), view=view, ward_names=ward_names,
                       facts=facts)


def _options(access: Access, ward_names: dict[str, str]) -> tuple[list[str], list[str]]:
    """The ward and agency codes this user may choose (their scope's, or all)."""
    scope = access.scope
    return ([w for w in ward_names if scope.wards is None or w in scope.wards],
            [a for a in codes(AGENCIES) if scope.agencies is None or a in scope.agencies])


def url_context() -> PageContext:
    """The page context straight from the address, drawing nothing: for presenter mode, which
    hides the sidebar and always shows the board view. The sidebar reads the address again when
    the presenter leaves, so the filters come back as they were."""
    facts: reference.DataFacts = compute(reference.data_facts)
    ward_names: dict[str, str] = compute(reference.ward_names, Filters())
    ward_options, agency_options = _options(current_access(), ward_names)
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    filters, notices = from_query(query, data_end=facts.latest_incident or date.today(),
                                  data_start=facts.first_incident, ward_codes=set(ward_options),
                                  agency_codes=set(agency_options))
    st.session_state["_seeded"] = False
    st.session_state["_url_notices"] = notices
    return PageContext(filters=scoped(filters, current_access()), view=PRESENTER_VIEW,
                       ward_names=ward_names, facts=facts)
