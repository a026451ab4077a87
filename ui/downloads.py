"""Downloads: a table as CSV (safe for spreadsheets) and the board pack, built only when asked.

Every download on every page goes through here, so what a role may download is decided in one
place. Tables arrive already disclosure-controlled for the view; the board pack is always built
in the board view.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import boardpack, briefing
from analytics.exports import safe_csv
from analytics.filters import Filters
from ui import state


def download_csv(frame: pd.DataFrame, *, what: str, file_name: str, key: str,
                 label: str = "Download as CSV") -> None:
    """A download button for `frame` as CSV (formula-like cells neutralised); the file is only
    written when the button is clicked."""
    st.download_button(label, data=lambda: safe_csv(frame), file_name=file_name,
                       mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
                       help=f"{what}, as the table shows it, for a spreadsheet.")


def pack_builder(filters: Filters, kind: str) -> Callable[[], bytes]:
    """A function that builds the board pack for these filters as HTML or PDF bytes.

    It runs off the page's thread when the button is clicked, so it uses the store directly
    rather than the page's cache.
    """
    store = state.store()

    def build() -> bytes:
        pack = briefing.pack(store.cursor(), filters)
        if kind == "pdf":
            return boardpack.to_pdf(pack)
        return boardpack.to_html(pack).encode("utf-8")

    return build


def board_pack_buttons(filters: Filters, stem: str) -> None:
    """'Board pack (HTML)' and 'Board pack (PDF)', or why the PDF cannot be made here."""
    st.download_button("Board pack (HTML)", data=pack_builder(filters, "html"),
                       file_name=f"{stem}.html", mime="text/html", on_click="ignore",
                       icon=":material/download:", key="pack-html",
                       help="One file with interactive charts; opens in any browser, offline.")
    reason = boardpack.pdf_unavailable()
    st.download_button("Board pack (PDF)", data=pack_builder(filters, "pdf") if not reason
                       else b"", file_name=f"{stem}.pdf", mime="application/pdf",
                       on_click="ignore", icon=":material/picture_as_pdf:", key="pack-pdf",
                       disabled=reason is not None,
                       help="For printing and board papers; takes up to a minute to make.")
    if reason:
        st.caption(reason)
