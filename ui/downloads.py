"""Downloads: a table as CSV (safe for spreadsheets) and the board pack (made only when asked,
with its progress shown), each allowed by role and written to the audit log.

Every download on every page goes through here, so what a role may download is decided in one
place. Tables arrive already disclosure-controlled for the view; the board pack is always built
in the board view, so any role that may see figures may take it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import audit, boardpack, briefing
from analytics.access import Permission, scoped
from analytics.exports import safe_csv
from analytics.filters import Filters
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
    st.download_button("Board pack (HTML)", data=html, file_name=f"{stem}.html",
                       mime="text/html", on_click=record_pack, args=(f"{what}, HTML",),
                       icon=":material/download:", key="pack-html",
                       help="One file with interactive charts; opens in any browser, offline.")
    st.download_button("Board pack (PDF)", data=pdf or b"", file_name=f"{stem}.pdf",
                       mime="application/pdf", on_click=record_pack, args=(f"{what}, PDF",),
                       icon=":material/picture_as_pdf:", key="pack-pdf", disabled=pdf is None,
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


def record_pack(what: str) -> None:
    """The audit entry for a board pack taken (the download button's callback)."""
    audit.record(state.store(), state.current_access(), "board pack", what, "done")
