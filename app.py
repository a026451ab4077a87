"""Contextual safeguarding dashboard: the entrypoint. Run with `streamlit run app.py`.

Lists every page, draws the global filters (so they survive page changes) and hands each page
its context. Pages hold no SQL and no statistics: they call analytics through ui.state.compute.
"""

from __future__ import annotations

import streamlit as st

from ui import navigation, sidebar, state

st.set_page_config(
    page_title="Contextual safeguarding dashboard",
    page_icon="🛡️",  # an emoji: a material icon here would be fetched from a font server
    layout="wide",
    initial_sidebar_state="expanded",
)

with st.spinner("Preparing the database (the first run builds the fictional demo borough)…"):
    state.store()

state.set_context(sidebar.sidebar_filters())

st.navigation(navigation.pages()).run()
