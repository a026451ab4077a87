"""Putting text into Streamlit Markdown safely: the pages' side of analytics.governance.escape.

Streamlit reads Markdown in st.markdown, captions, titles, alerts, widget labels and help, radio
and pill options, expander labels and metrics. A value from a file or the address goes in only
through one of these (selectbox and multiselect options, st.dataframe and st.text are plain text
and need nothing):

    st.caption(md.escape(f"Incidents at {place}"))        # a line that is all plain text
    st.markdown(md.format("**{}** ({})", name, where))    # the app's Markdown, values escaped
    st.markdown(f"**{md.escape(name)}**: rising")         # one value in an f-string

Both return analytics.governance.escape.Markdown, which both pass through unchanged, so wrapping a value
twice never shows backslashes. tests/test_markup_scan.py fails on a page or ui module that puts
a value into Markdown any other way.
"""

from __future__ import annotations

from analytics.governance.escape import Markdown
from analytics.governance.escape import markdown as escape
from analytics.governance.escape import markdown_format as format  # read as md.format(...)

__all__ = ["Markdown", "escape", "format"]
