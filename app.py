"""Contextual safeguarding dashboard: the entrypoint. Run with `streamlit run app.py`.

Lists every page, draws the global filters (so they survive page changes) and hands each page
its context. Pages hold no SQL and no statistics: they call analytics through ui.state.compute.

Presenter mode (`?present=1`) draws no sidebar and no navigation: the filters come from the
address, the view is always the board's, and the slides page runs whatever page was asked for.
"""

from __future__ import annotations

import streamlit as st

from ui import navigation, share, sidebar, state

presenting = navigation.presenting()
st.set_page_config(
    page_title="Contextual safeguarding dashboard",
    page_icon="🛡️",  # an emoji: a material icon here would be fetched from a font server
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "expanded",
)

with st.spinner("Preparing the database (the first run builds the fictional demo borough)…"):
    state.store()

share.new_run()
if presenting:
    state.set_context(sidebar.url_context())
    page = st.navigation(navigation.presenter_pages(), position="hidden")
    if page.url_path != "present":  # another page's address with ?present=1: show the slides
        st.switch_page(navigation.PRESENTER, query_params=share.query_without())
    page.run()
else:
    state.set_context(sidebar.sidebar_filters())
    st.navigation(navigation.pages()).run()
