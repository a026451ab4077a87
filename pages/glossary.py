"""Glossary: the words on every page, each in one plain sentence, for a board member."""

import streamlit as st

from analytics.board import glossary
from ui import components, state
from ui import markdown as md

ctx = state.context()
st.title("Words used in this dashboard")
components.banner(ctx)
st.markdown("Each page says what it shows in plain words; the method behind a figure is folded "
            "under **How this was worked out** beside it. These are the words you will meet.")
for term, meaning in glossary.terms():
    st.markdown(md.format("**{}**: {}", term, meaning))
