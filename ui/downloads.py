"""Downloads: a table as CSV (safe for spreadsheets) and the board pack (built only when its button
is clicked), each allowed by role and written to the audit log.

Every download on every page goes through here, so what a role may download is decided in one
place. Tables arrive already disclosure-controlled for the view; the board pack is always built
in the board view, so any role that may see figures may take it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import audit, boardpack, briefing
from analytics.access import Access, Permission, scoped
from analytics.exports import safe_csv
from analytics.filters import Filters
from analytics.store import Store
from ui import markdown as md
from ui import state


def download_csv(frame: pd.DataFrame, *, what: str, file_name: str, key: str,
                 label: str = "Download as CSV") -> None:
    """A download button for `frame` (already disclosure-controlled for the view), or a line
    saying the role cannot download; each download writes an 'export' entry to the audit log."""
    if not state.may(Permission.EXPORT):
        st.caption("Your role cannot download tables.")
        return
    st.download_button(md.escape(label), data=safe_csv(frame), file_name=file_name, mime="text/csv",
                       key=key, icon=":material/download:", on_click=record_export,
                       args=(what, len(frame)))


def record_export(what: str, rows: int) -> None:
    """The audit entry for one download (the button's callback)."""
    audit.record(state.store(), state.current_access(), "export", f"{what} ({rows:,} rows)",
                 "done")


def board_pack_buttons(filters: Filters, stem: str) -> None:
    """'Board pack (HTML)' and 'Board pack (PDF)', or why the PDF cannot be made here."""
    if not state.may(Permission.AGGREGATES):
        return
    what = f"board pack ({filters.describe()})"
    st.download_button("Board pack (HTML)", data=_audited(pack_builder(filters, "html"),
                                                          "board pack", f"{what}, HTML"),
                       file_name=f"{stem}.html", mime="text/html", on_click="ignore",
                       icon=":material/download:", key="pack-html",
                       help="One file with interactive charts; opens in any browser, offline.")
    reason = boardpack.pdf_unavailable()
    pdf = _audited(pack_builder(filters, "pdf"), "board pack", f"{what}, PDF")
    st.download_button("Board pack (PDF)", data=pdf if not reason else b"",
                       file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore",
                       icon=":material/picture_as_pdf:", key="pack-pdf",
                       disabled=reason is not None,
                       help="For printing and board papers; takes up to a minute to make.")
    if reason:
        st.caption(md.escape(reason))


def pack_builder(filters: Filters, kind: str) -> Callable[[], bytes]:
    """A function that builds the board pack for these filters as HTML or PDF bytes.

    It runs off the page's thread when the button is clicked, so it takes the store now and
    reads it directly rather than through the page's cache; like every cached analysis, it sees
    the filters narrowed to the user's scope (analytics.access.scoped).
    """
    store = state.store()
    within = scoped(filters, state.current_access())

    def build() -> bytes:
        pack = briefing.pack(store.cursor(), within)
        if kind == "pdf":
            return boardpack.to_pdf(pack)
        return boardpack.to_html(pack).encode("utf-8")

    return build


def _audited(build: Callable[[], bytes], action: str, what: str) -> Callable[[], bytes]:
    """`build`, writing an audit entry when it runs (on the click), saying whether it worked."""
    store: Store = state.store()
    access: Access = state.current_access()

    def run() -> bytes:
        try:
            data = build()
        except Exception as problem:
            audit.record(store, access, action, what, f"failed: {problem}")
            raise
        audit.record(store, access, action, what, "done")
        return data

    return run
