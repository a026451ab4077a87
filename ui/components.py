"""Small pieces every page draws the same way: the banner, the freshness line, a chart with its
caption and 'show as table', and the empty-selection message."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.disclosure import VIEWS
from analytics.filters import uk_date
from ui.state import PageContext, current_access

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage", "lasso2d", "select2d"]}


def banner(ctx: PageContext) -> None:
    """Say, on every page, whether the data is the fictional demo, and which view is in force."""
    if ctx.facts.is_demo:
        st.info(
            "**Fictional demo data.** Fernley is an invented borough: its places, people and "
            "incidents are made up to show what the dashboard does. Load real extracts on the "
            "Data page to replace it.",
            icon=":material/info:",
        )
    local = "Local mode: no sign-in. " if current_access().local else ""
    st.caption(f"{local}{VIEWS[ctx.view]}. {freshness(ctx)}")


def freshness(ctx: PageContext) -> str:
    """'Incidents to 31 October 2026; last load 23 November 2026 (file.csv).'"""
    facts = ctx.facts
    parts = []
    if facts.latest_incident:
        parts.append(f"Incidents to {uk_date(facts.latest_incident)}")
    if facts.last_load_at:
        parts.append(f"last load {uk_date(facts.last_load_at.date())} ({facts.last_load_file})")
    return "; ".join(parts) + "." if parts else "No data loaded yet."


def chart(fig: go.Figure, caption: str, table: pd.DataFrame, *, key: str) -> None:
    """Draw a figure with its caption and a 'show as table' of the same (suppressed) numbers."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)
    st.caption(caption)
    with st.expander("Show as table"):
        st.dataframe(table, hide_index=True, width="stretch")


def no_incidents(ctx: PageContext) -> None:
    """The clear message for a selection with nothing in it."""
    st.warning(
        f"No incidents match these filters ({ctx.filters.describe(ctx.ward_names)}). "
        "Widen the period or clear a filter in the sidebar.",
        icon=":material/filter_alt_off:",
    )
