"""'Download as CSV' for a table the reader may see: safe for spreadsheets, and audited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import audit
from analytics.access import Permission
from analytics.exports import safe_csv
from ui import state


def download_csv(frame: pd.DataFrame, *, what: str, file_name: str, key: str,
                 label: str = "Download as CSV") -> None:
    """A download button for `frame` (already disclosure-controlled for the view), or a line
    saying the role cannot download; each download writes an 'export' entry to the audit log."""
    if not state.may(Permission.EXPORT):
        st.caption("Your role cannot download tables.")
        return
    st.download_button(label, data=safe_csv(frame), file_name=file_name, mime="text/csv",
                       key=key, icon=":material/download:", on_click=record_export,
                       args=(what, len(frame)))


def record_export(what: str, rows: int) -> None:
    """The audit entry for one download (the button's callback)."""
    audit.record(state.store(), state.current_access(), "export", f"{what} ({rows:,} rows)",
                 "done")
