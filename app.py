"""Contextual safeguarding dashboard: the entrypoint. Run with `streamlit run serve.py`, which serves it.

Lists every page, draws the global filters (so they survive page changes) and hands each page
its context. Pages hold no SQL and no statistics: they call analytics through ui.state.compute.
ui.guard decides who is using the app before any data is read, and lists only the pages their
role may open.

Presenter mode (`?present=1`) draws no sidebar and no navigation: the filters come from the
address, the view is always the board's, and the slides page runs whatever page was asked for.
"""

from __future__ import annotations

import streamlit as st

from ui import guard, navigation, page_table, share, sidebar, state

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
pages = page_table.pages()
guard.sign_in(pages)  # stops here, showing only why, unless this user may see data
if presenting:
    state.set_context(sidebar.url_context())
    guard.run_presenter(page_table.presenter_pages())  # the slides, board view, no sidebar
else:
    navigation.reserve_menu()  # the menu heads the sidebar; ui.guard fills it
    state.set_context(sidebar.sidebar_filters())
    guard.run_page(pages)  # lists and opens only the pages the user's role allows
