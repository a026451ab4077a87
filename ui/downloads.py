"""Downloads: a table as CSV (safe for spreadsheets), the board pack (made only when asked, with
its progress shown) and a load's rows to check, each allowed by role, built only when its button
is clicked, and written to the audit log then.

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

from analytics.board import boardpack, briefing
from analytics.governance import audit
from analytics.governance.access import Access, Permission, scoped
from analytics.governance.exports import safe_csv
from analytics.ingest import ingest
from analytics.store.filters import Filters
from analytics.store.store import Store
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
    """'Make the board pack', which builds it with a progress bar; then 'Board pack (HTML)' and
    'Board pack (PDF)' for the pack made (kept for the session until the filters or the data
    change), or why the PDF cannot be made here."""
    if not state.may(Permission.AGGREGATES):
        return
    within = scoped(filters, state.current_access())
    made = st.session_state.get(_PACK)
    if made is None or made[0] != (within, state.store().data_version()):
        reason = boardpack.pdf_unavailable()
        if reason:
            st.caption(md.escape(reason))
        if not st.button("Make the board pack", icon=":material/description:", key="pack-make",
                         help="Builds every section for these filters: a few seconds for the "
                              "HTML, about ten more for the PDF."):
            return
        made = ((within, state.store().data_version()), make_pack(filters, reason is None))
        st.session_state[_PACK] = made
    html, pdf = made[1]
    what = f"board pack ({filters.describe()})"
    download("Board pack (HTML)", lambda: html, what=f"{what}, HTML", action="board pack",
             file_name=f"{stem}.html", mime="text/html", key="pack-html",
             help="One file with interactive charts; opens in any browser, offline.")
    download("Board pack (PDF)", lambda: pdf or b"", what=f"{what}, PDF", action="board pack",
             file_name=f"{stem}.pdf", mime="application/pdf", key="pack-pdf",
             icon=":material/picture_as_pdf:", disabled=pdf is None,
             help="A4, numbered, for printing and board papers.")


_PACK = "_board_pack"


def make_pack(filters: Filters, pdf: bool) -> tuple[bytes, bytes | None]:
    """The board pack for these filters as HTML and (when `pdf`) PDF bytes, its progress shown
    section by section. The sections come through the page cache (scoped to the user, as every
    analysis is); a failed PDF is written to the audit log and said, the HTML still offered."""
    keys = briefing.PACK_ORDER
    steps = len(keys) + 1 + pdf
    with st.status("Making the board pack…", expanded=True) as status:
        bar = st.progress(0.0)
        sections = []
        for i, key in enumerate(keys):
            bar.progress(i / steps, text=f"Section {i + 1} of {len(keys)}")
            sections.append(state.compute(briefing.section, filters, key=key))
        bar.progress(len(keys) / steps, text="Laying out the pages")
        pack = briefing.pack(state.store().cursor(), scoped(filters, state.current_access()),
                             sections=sections)
        html = boardpack.to_html(pack).encode("utf-8")
        printed = None
        if pdf:
            bar.progress((len(keys) + 1) / steps, text="Printing the PDF")
            try:
                printed = boardpack.to_pdf(pack)
            except RuntimeError as problem:
                audit.record(state.store(), state.current_access(), "board pack",
                             "board pack, PDF", f"failed: {problem}")
                st.warning(md.escape(f"The PDF could not be made: {problem}"))
        bar.progress(1.0, text="Ready")
        status.update(label="Board pack ready", state="complete", expanded=False)
    return html, printed


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
