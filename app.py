"""Contextual safeguarding dashboard: the entrypoint. Run with `streamlit run app.py`.

Lists every page, draws the global filters (so they survive page changes) and hands each page
its context. Pages hold no SQL and no statistics: they call analytics through ui.state.compute.
ui.guard decides who is using the app before any data is read, and lists only the pages their
role may open.
"""

from __future__ import annotations

import streamlit as st

from ui import guard, sidebar, state

st.set_page_config(
    page_title="Contextual safeguarding dashboard",
    page_icon=":material/shield_person:",
    layout="wide",
    initial_sidebar_state="expanded",
)

with st.spinner("Preparing the database (the first run builds the fictional demo borough)…"):
    state.store()

PAGES = {
    "For the board": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
}

# Listed only for the roles analytics.access.PAGE_PERMISSIONS allows (ui.guard hides the rest).
PAGES["For analysts"] = [
    st.Page("pages/records.py", title="Incident records", icon=":material/table_rows:"),
]
PAGES["Administration"] = [
    st.Page("pages/audit.py", title="Audit log", icon=":material/policy:"),
]

guard.sign_in(PAGES)  # stops here, showing only why, unless this user may see data
state.set_context(sidebar.sidebar_filters())
guard.run_page(PAGES)  # lists and opens only the pages the user's role allows
