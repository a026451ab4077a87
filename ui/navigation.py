"""Every page of the app, grouped for its users; app.py hands this to st.navigation."""

from __future__ import annotations

import streamlit as st


def pages() -> dict[str, list[st.Page]]:
    """The page groups, in the order the sidebar lists them."""
    return {
        "For the board": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:",
                    default=True),
            st.Page("pages/contexts.py", title="Where to intervene", icon=":material/place:",
                    url_path="where-to-intervene"),
            st.Page("pages/trends.py", title="Trends", icon=":material/monitoring:"),
            st.Page("pages/places.py", title="Places", icon=":material/map:"),
        ],
        "Explore": [
            st.Page("pages/overlap.py", title="Risk overlap", icon=":material/join_inner:"),
            st.Page("pages/peers.py", title="Peer groups", icon=":material/groups:"),
            st.Page("pages/interventions.py", title="Interventions", icon=":material/handshake:"),
        ],
        # Listed only for roles analytics.access.PAGE_PERMISSIONS allows (ui.guard hides the rest).
        "For analysts": [
            st.Page("pages/records.py", title="Incident records", icon=":material/table_rows:"),
        ],
        "Administration": [
            st.Page("pages/audit.py", title="Audit log", icon=":material/policy:"),
        ],
    }
