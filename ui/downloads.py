"""Downloads: a table as CSV (safe for spreadsheets), the board pack and a load's rows to check,
each allowed by role, built only when its button is clicked, and written to the audit log then.

Every download on every page goes through `download` here, so what a role may download is decided
in one place and nothing is on the server before someone asks for it: Streamlit keeps a file it
is given at a /media address that anyone holding the address can fetch, with no session, so
files are made on the click (a callable, run off the page's thread) and dropped again within
2 x DOWNLOAD_EXPIRY_SECONDS, once the browser that asked has fetched it. Tables arrive already
disclosure-controlled for the view; the board pack is always built in the board view, so any
role that may see figures may take it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import audit, boardpack, briefing, ingest
from analytics.access import Access, Permission, scoped
from analytics.exports import safe_csv
from analytics.filters import Filters
from analytics.store import Store
from ui import markdown as md
from ui import state

# A file built on a click stays at its /media address between one and two times this long: the
# browser that clicked fetches it at once; anyone else holding the address finds nothing after.
DOWNLOAD_EXPIRY_SECONDS = 5


def download(label: str, build: Callable[[], bytes], *, what: str, file_name: str, mime: str,
             key: str, action: str = "export", icon: str = ":material/download:",
             disabled: bool = False, help: str | None = None) -> None:
    """A download button whose file `build` makes only when it is clicked, writing an `action`
    entry about `what` to the audit log as it does (and saying if it failed)."""
    st.download_button(md.escape(label), data=_audited(build, action, what), file_name=file_name,
                       mime=mime, key=key, icon=icon, on_click="ignore", disabled=disabled,
                       help=md.escape(help) if help else None)


def download_csv(frame: pd.DataFrame, *, what: str, file_name: str, key: str,
                 label: str = "Download as CSV") -> None:
    """A download button for `frame` (already disclosure-controlled for the view), or a line
    saying the role cannot download; each download writes an 'export' entry to the audit log."""
    if not state.may(Permission.EXPORT):
        st.caption("Your role cannot download tables.")
        return
    download(label, lambda: safe_csv(frame), what=f"{what} ({len(frame):,} rows)",
             file_name=file_name, mime="text/csv", key=key)


def rows_to_check_button(extract_id: int, file_name: str) -> None:
    """A load's rejected, duplicate and flagged rows as CSV: rows of any ward or agency, so only
    for someone who may load data and whose view no scope limits."""
    access = state.current_access()
    if not access.scope.unlimited:
        st.caption("Its rows to check can hold any ward's or agency's data, so only someone who "
                   "may see all of them can download them.")
        return
    store = state.store()
    download("Download its rejected, duplicate and flagged rows (CSV)",
             lambda: ingest.row_notes_csv(store.cursor(), extract_id),
             what=f"rows to check of extract {extract_id}", file_name=file_name, mime="text/csv",
             key=f"rows-to-check-{extract_id}")


def board_pack_buttons(filters: Filters, stem: str) -> None:
    """'Board pack (HTML)' and 'Board pack (PDF)', or why the PDF cannot be made here."""
    if not state.may(Permission.AGGREGATES):
        return
    what = f"board pack ({filters.describe()})"
    download("Board pack (HTML)", pack_builder(filters, "html"), what=f"{what}, HTML",
             action="board pack", file_name=f"{stem}.html", mime="text/html", key="pack-html",
             help="One file with interactive charts; opens in any browser, offline.")
    reason = boardpack.pdf_unavailable()
    download("Board pack (PDF)", pack_builder(filters, "pdf"), what=f"{what}, PDF",
             action="board pack", file_name=f"{stem}.pdf", mime="application/pdf",
             key="pack-pdf", icon=":material/picture_as_pdf:", disabled=reason is not None,
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
    """`build`, writing an audit entry when it runs (on the click), saying whether it worked,
    and dropping the file it made once the browser has had time to fetch it."""
    store: Store = state.store()
    access: Access = state.current_access()

    def run() -> bytes:
        try:
            data = build()
        except Exception as problem:
            audit.record(store, access, action, what, f"failed: {problem}")
            raise
        audit.record(store, access, action, what, "done")
        _forget_later()
        return data

    return run


def _forget_later() -> None:
    """Drop the file just built once its browser has fetched it: Streamlit keeps a built file
    unreferenced by any page and deletes such a file on the second sweep that finds it (the
    first marks it), so sweep twice, DOWNLOAD_EXPIRY_SECONDS apart. Any other page's file swept
    with it has had at least that long to be fetched too."""
    from streamlit import runtime

    if not runtime.exists():
        return
    sweep = runtime.get_instance().media_file_mgr.remove_orphaned_files

    def after(then: Callable[[], None]) -> None:
        timer = threading.Timer(DOWNLOAD_EXPIRY_SECONDS, then)
        timer.daemon = True
        timer.start()

    after(lambda: (sweep(), after(sweep)))
