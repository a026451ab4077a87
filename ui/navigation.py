"""The menu of the pages, and presenter mode (the pages are listed in ui.page_table).

The menu is our own list of links in the sidebar (st.navigation draws none): Streamlit's own
menu drops the address's filters on every click, and writing them back added a second entry to
the browser's history, so Back seemed to do nothing (see ui.sidebar). Our links carry the
filters and the view, so the address is right at once and each click is one entry.

Presenter mode (`?present=1` in the address) shows one page, the slides, with no sidebar and no
navigation; the other pages stay registered (hidden) so that any page's address still opens.
"""

from __future__ import annotations

import streamlit as st

from ui import markdown as md
from ui.keys import PRESENT_KEY
from ui.sidebar import address_query

_MENU = "_menu_slot"


def presenting() -> bool:
    """Whether the address asks for presenter mode (`?present=1`)."""
    return st.query_params.get(PRESENT_KEY) == "1"


def reserve_menu() -> None:
    """Keep the top of the sidebar for the menu, drawn once the user's pages are known."""
    st.session_state[_MENU] = st.sidebar.container()


def menu(pages: dict[str, list[st.Page]]) -> None:
    """A link to every visible page, by group, each carrying the filters and the view."""
    slot = st.session_state.get(_MENU)
    if slot is None:
        return
    query = address_query()
    with slot:
        for group, items in pages.items():
            shown = [page for page in items if page.visibility == "visible"]
            if shown:
                st.caption(md.escape(group))
            for page in shown:
                st.page_link(page=page, label=md.escape(page.title), query_params=query)
