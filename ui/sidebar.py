"""The global filters in the sidebar: one selection for the whole session, mirrored in the address.

How the selection survives every way of moving between pages (Streamlit 1.67):
- A widget's value is dropped whenever Streamlit meets the widget under a new identity, and an
  element's identity includes the hash of the script drawing it. With a `pages/` folder beside
  app.py, a fresh server's first run goes through Streamlit's old pages-folder mode, which runs
  app.py as a page under another hash; from the second run on, the same sidebar widgets are new
  widgets and fall back to their first option (the Period to 'Last 3 months', the view to the
  board's). So the session keeps its own copy of every sidebar widget whose key starts with
  `f_` and puts it back before the widgets are drawn (`_keep`): a new filter needs nothing more.
- Streamlit's own page links (its sidebar menu, st.page_link or st.switch_page without
  query_params) drop every query parameter not bound to a widget. The menu (ui.navigation) and
  links inside pages carry `address_query()` instead, so a click adds one entry to the browser's
  history and the address never loses the selection.
- The address is read when a session starts, and whenever it names a selection other than the
  one we last wrote: the browser's back and forward buttons (each entry reopens what it showed)
  or a link naming filters. An address naming none of our keys (a link that dropped them) leaves
  the selection alone.

We write the address ourselves rather than with widgets' `bind="query-params"`: in 1.67 that
binding reads and writes each option's display label ('Last 24 months', 'Sexual exploitation')
rather than its code, and drops a value it does not know without a word, while our links carry
codes only and say when part of one could not be used.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from analytics.governance.access import Access, allowed_views, effective_view, scoped
from analytics.governance.disclosure import DEFAULT_VIEW, PRESENTER_VIEW, VIEWS, for_source
from analytics.store import reference
from analytics.store.filters import (
    DEFAULT_PERIOD,
    EARLIEST_DATE,
    LATEST_DATE,
    PERIOD_PRESETS,
    QUERY_KEYS,
    Filters,
    from_query,
    period_dates,
    source_from_query,
)
from analytics.store.sources import SOURCES, source
from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, codes, labels
from ui import markdown as md
from ui.keys import VIEW_KEY
from ui.state import PageContext, compute, current_access

ADDRESS_KEYS = (*QUERY_KEYS, VIEW_KEY)  # the address's keys that belong to the sidebar
WIDGET_PREFIX = "f_"  # every sidebar widget's key starts with this (see _keep)
_KEPT, _WRITTEN, _NOTICES = "_sidebar_kept", "_sidebar_written", "_url_notices"
CLEAR_HELP = (f"Back to the {PERIOD_PRESETS[DEFAULT_PERIOD].lower()} and every ward, risk type, "
              "context type and agency (crime type, place type and outcome for police.uk), in "
              "one click. The source and the view stay as they are.")

Query = dict[str, list[str]]


def widget_values(filters: Filters) -> dict[str, Any]:
    """Each filter widget's value for a selection: the one table that seeding from an address
    and Clear filters go through (a new filter adds its widget here)."""
    return {
        "f_source": filters.source,
        "f_outcomes": list(filters.outcomes),
        "f_period": filters.period,
        "f_dates": (filters.start, filters.end),
        "f_wards": list(filters.wards),
        "f_risks": list(filters.risk_types),
        "f_contexts": list(filters.context_types),
        "f_agencies": list(filters.agencies),
    }


def _clear_notices() -> None:
    st.session_state[_NOTICES] = []


def _address() -> Query:
    """Our keys in the address, with their values in the address's order."""
    return {k: st.query_params.get_all(k) for k in ADDRESS_KEYS if k in st.query_params}


def address_query() -> Query:
    """The selection as the address carries it (filters and view, codes only), for links that
    must keep it: the page menu and links inside pages."""
    return dict(st.session_state.get(_WRITTEN) or {})


def _settle(facts: reference.DataFacts, ward_codes: set[str], agency_codes: set[str]) -> None:
    """Before the widgets are drawn: the selection from the address when the session is new or
    the address names one we did not write; otherwise the session's own, put back."""
    address, written = _address(), st.session_state.get(_WRITTEN)
    if written is None or (address and address != written):
        _seed(address, facts, ward_codes, agency_codes)
    else:
        _keep()


def _seed(address: Query, facts: reference.DataFacts, ward_codes: set[str],
          agency_codes: set[str]) -> None:
    """Put the address's filters and view into the widgets, with a notice for each part of it
    that could not be used."""
    filters, notices = _from_url(address, facts, ward_codes, agency_codes)
    kept = st.session_state.get(_KEPT, {})
    view = (address.get(VIEW_KEY) or [DEFAULT_VIEW])[0]
    if view not in VIEWS:
        notices.append("The link asked for a view we do not have; showing the board view.")
        view = DEFAULT_VIEW
    elif (allowed := effective_view(current_access(), view)) != view:
        notices.append(f"The link asked for the {view} view; your role shows the {allowed} view.")
        view = allowed
    st.session_state.update({**kept, **widget_values(filters), "f_view": view,
                             _NOTICES: notices})


def _keep() -> None:
    """Give every sidebar widget its value again before it is drawn (the value it has now, or the
    session's copy when Streamlit dropped it), so no change of identity can lose it."""
    kept = st.session_state.get(_KEPT, {})
    for key in {*kept, *(k for k in st.session_state if str(k).startswith(WIDGET_PREFIX))}:
        st.session_state[key] = st.session_state[key] if key in st.session_state else kept[key]


def _remember() -> None:
    """After the widgets are drawn: the session's copy of every sidebar widget's value."""
    st.session_state[_KEPT] = {k: st.session_state[k] for k in st.session_state
                               if str(k).startswith(WIDGET_PREFIX)}


def _clear_filters(defaults: dict[str, Any]) -> None:
    """Clear filters: every filter back to its default in one click; the view stays."""
    st.session_state.update(defaults)
    _clear_notices()


def _write_address(filters: Filters, view: str) -> None:
    """Make the address name this selection (other keys, such as a page's own settings, kept), in
    one change, so the browser's history gains at most one entry."""
    wanted = {k: _as_list(v) for k, v in filters.to_query().items()}  # codes sorted
    if view != DEFAULT_VIEW:
        wanted[VIEW_KEY] = [view]
    if _address() != wanted:
        others = {k: st.query_params.get_all(k) for k in st.query_params
                  if k not in ADDRESS_KEYS}
        st.query_params.from_dict({**others, **wanted})
    st.session_state[_WRITTEN] = wanted


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _from_url(query: Query, facts: reference.DataFacts, ward_codes: set[str],
              agency_codes: set[str]) -> tuple[Filters, list[str]]:
    """Filters from the address: its source first (only one with data; else what is loaded),
    then a period that follows that source's data (today when it has none)."""
    code, notices = source_from_query(query, facts.default_source())
    if code not in _source_options(facts):
        notices.append(f"The link asked for {source(code).label}, but none is loaded; "
                       f"showing {source(facts.default_source()).label}.")
        query = {**query, "source": [facts.default_source()]}
        code = facts.default_source()
    first, end = _data_dates(facts, code)
    filters, more = from_query(query, data_end=end, data_start=first, ward_codes=ward_codes,
                               agency_codes=agency_codes, default_source=code,
                               risk_codes=set(compute(reference.risk_options, code=code)),
                               outcome_codes=set(compute(reference.outcome_options, code=code)))
    return filters, notices + more


def _source_options(facts: reference.DataFacts) -> list[str]:
    """The sources with data loaded, in the selector's order (incidents when none has any)."""
    return [c for c in SOURCES if facts.span(c).rows] or [facts.default_source()]


def _data_dates(facts: reference.DataFacts, code: str) -> tuple[date | None, date]:
    """The first date of a source's data and the day its period presets count back from: the
    end of its latest month, never past today (today when it has no data)."""
    span = facts.span(code)
    return span.first, min(span.latest or date.today(), date.today())


def _clear_source_choices() -> None:
    """A new source has its own vocabulary: its crime types and outcomes start empty."""
    _clear_notices()
    st.session_state["f_risks"], st.session_state["f_outcomes"] = [], []


def sidebar_filters() -> PageContext:
    """Draw the filters and return the page context they define (only the wards, agencies and
    views the user's access allows are offered)."""
    access = current_access()
    facts: reference.DataFacts = compute(reference.data_facts)
    ward_names: dict[str, str] = compute(reference.ward_names, Filters())
    scope = access.scope
    ward_options, agency_options = _options(access, ward_names)
    _settle(facts, set(ward_options), set(agency_options))
    sb = st.sidebar
    sb.header("Filters")
    sources = _source_options(facts)
    if st.session_state.get("f_source") not in sources:
        st.session_state["f_source"] = facts.default_source()
    code = sb.selectbox("Source", sources, format_func=lambda c: source(c).label,
                        key="f_source", on_change=_clear_source_choices,
                        help="Partnership incidents, or police.uk's open data for the area. "
                             "Opens on what is loaded: incidents when there are any.")
    src = source(code)
    first, data_end = _data_dates(facts, code)
    period = sb.selectbox("Period", list(PERIOD_PRESETS), format_func=PERIOD_PRESETS.get,
                          key="f_period", on_change=_clear_notices,
                          help="Periods end with the latest month of the source's data, "
                               "never after today.")
    if period == "custom":
        chosen = sb.date_input("From and to", key="f_dates", format="DD/MM/YYYY",
                               min_value=EARLIEST_DATE, max_value=LATEST_DATE,
                               on_change=_clear_notices)
        start, end = (tuple(chosen) + (None, None))[:2]
        if not (start and end):
            sb.caption("Choose both a start and an end date; until then, the last 12 months.")
            period, (start, end) = DEFAULT_PERIOD, period_dates(DEFAULT_PERIOD, data_end)
    else:
        start, end = period_dates(period, data_end, first)
    wards = sb.multiselect("Wards", ward_options, format_func=ward_names.get, key="f_wards",
                           placeholder="All wards" if scope.wards is None else "All your wards",
                           on_change=_clear_notices)
    risk_names = compute(reference.risk_options, code=code)
    risks = sb.multiselect(md.escape(src.type_nouns.capitalize()), list(risk_names),
                           format_func=risk_names.get, key=_kept("f_risks", risk_names),
                           placeholder=f"All {src.type_nouns}", on_change=_clear_notices)
    places = "Place types" if src.police else "Context types"
    contexts = sb.multiselect(md.escape(places), codes(CONTEXT_TYPES),
                              format_func=labels(CONTEXT_TYPES).get, key="f_contexts",
                              placeholder=f"All {places.lower()}", on_change=_clear_notices)
    agencies, outcomes = (), ()
    if src.outcome_noun:
        outcome_names = compute(reference.outcome_options, code=code)
        outcomes = sb.multiselect("Outcomes", list(outcome_names), format_func=outcome_names.get,
                                  key=_kept("f_outcomes", outcome_names),
                                  placeholder="All outcomes", on_change=_clear_notices)
    elif not src.police:  # agencies are partners'; police.uk's open data come from none
        agencies = sb.multiselect("Agencies", agency_options, format_func=labels(AGENCIES).get,
                                  key="f_agencies", on_change=_clear_notices,
                                  placeholder="All agencies" if scope.agencies is None
                                  else "All your agencies")
    filters = Filters(start=start, end=end, period=period, wards=tuple(wards),
                      risk_types=tuple(risks), context_types=tuple(contexts),
                      agencies=tuple(agencies), source=code, outcomes=tuple(outcomes))
    default = _from_url({"source": [code]}, facts, set(ward_options), set(agency_options))[0]
    sb.button("Clear filters", icon=":material/filter_alt_off:", on_click=_clear_filters,
              args=(widget_values(default),), disabled=filters == default,
              help=CLEAR_HELP)
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
    for notice in st.session_state.get(_NOTICES, []):
        sb.warning(md.escape(notice))
    _remember()
    _write_address(filters, view)
    # Scoped here too (ui.state.compute scopes again, to the same), so captions name the wards
    # and agencies the user may see rather than saying "all wards".
    return PageContext(filters=scoped(filters, access), view=for_source(view, src.about_children),
                       ward_names=ward_names, facts=facts)


def _kept(key: str, options: dict[str, str]) -> str:
    """A multiselect's key, its choices cut to the options it now offers (they follow the
    source, and a link may name a crime type another source does not have)."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    return key


def _options(access: Access, ward_names: dict[str, str]) -> tuple[list[str], list[str]]:
    """The ward and agency codes this user may choose (their scope's, or all)."""
    scope = access.scope
    return ([w for w in ward_names if scope.wards is None or w in scope.wards],
            [a for a in codes(AGENCIES) if scope.agencies is None or a in scope.agencies])


def link_notices() -> list[str]:
    """What the address asked for that could not be used (an unknown ward, reversed dates)."""
    return list(st.session_state.get(_NOTICES, []))


def url_context() -> PageContext:
    """The page context straight from the address, drawing nothing: for presenter mode, which
    hides the sidebar and always shows the board view; its address leaves the view out, and
    'Leave' puts the session's back (ui.share.leave_presenter)."""
    facts: reference.DataFacts = compute(reference.data_facts)
    ward_names: dict[str, str] = compute(reference.ward_names, Filters())
    ward_options, agency_options = _options(current_access(), ward_names)
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    filters, notices = _from_url(query, facts, set(ward_options), set(agency_options))
    st.session_state[_NOTICES] = notices
    return PageContext(filters=scoped(filters, current_access()), ward_names=ward_names,
                       facts=facts,
                       view=for_source(PRESENTER_VIEW, source(filters.source).about_children))
