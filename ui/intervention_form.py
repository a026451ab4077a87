"""The analyst's forms to add an intervention to the register or record that one has ended.

Writes go through analytics.interventions.interventions, which checks them and commits in one transaction; a
refused write shows its reason, never a stack trace. After a write the page reruns so every
figure reflects the new register, and the confirmation is shown once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.interventions import interventions
from analytics.store.filters import uk_date
from analytics.store.vocab import AGENCIES, codes, labels
from ui import markdown as md
from ui import state

FLASH_KEY = "_intervention_flash"
AGENCY_NAMES = labels(AGENCIES)


def show_flash() -> None:
    """The confirmation of the last write, shown once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(md.escape(message), icon=":material/check_circle:")


def add_form(places: pd.DataFrame) -> None:
    """Add an intervention: place, type, lead agency and partners, dates, description."""
    names = dict(zip(places["context_id"], places["label"], strict=True))
    with st.form("add-intervention", clear_on_submit=False):
        st.markdown("**Add an intervention**")
        place = st.selectbox("Place", list(names), format_func=names.get, index=None,
                             placeholder="Choose a place", key="add-place")
        kind = st.selectbox("Type of intervention", interventions.COMMON_TYPES, index=None,
                            accept_new_options=True, placeholder="Choose or type a type",
                            key="add-type")
        left, right = st.columns(2)
        lead = left.selectbox("Lead agency", codes(AGENCIES), format_func=AGENCY_NAMES.get,
                              index=None, placeholder="Choose the lead agency", key="add-lead")
        partners = right.multiselect("Partner agencies", codes(AGENCIES),
                                     format_func=AGENCY_NAMES.get, key="add-partners")
        started = left.date_input("Started on", value=None, format="DD/MM/YYYY",
                                  key="add-started")
        ended = right.date_input("Ended on (blank if running)", value=None,
                                 format="DD/MM/YYYY", key="add-ended")
        description = st.text_area("What is being done", key="add-description",
                                   max_chars=interventions.MAX_DESCRIPTION_LENGTH)
        submitted = st.form_submit_button("Add to the register")
    if not submitted:
        return
    try:
        new_id = interventions.add_intervention(
            state.store(), access=state.current_access(), context_id=place,
            intervention_type=kind or "",
            started_on=started, ended_on=ended, lead_agency=lead, partners=tuple(partners),
            description=description)
    except (interventions.InterventionError, PermissionError) as error:
        st.error(md.escape(error), icon=":material/error:")
        return
    st.session_state[FLASH_KEY] = (f"Added “{kind.strip()}” at {names[place]}, from "
                                   f"{uk_date(started)} (record {new_id}).")
    st.rerun()


def end_form(register: pd.DataFrame) -> None:
    """Record the date a running intervention ended."""
    running = register[register["ended_on"].isna()]
    if running.empty:
        st.caption("No running interventions to end under these filters.")
        return
    names = dict(zip(running["intervention_id"],
                     [f"{lab} (from {uk_date(d)})" for lab, d in
                      zip(running["label"], running["started_on"], strict=True)], strict=True))
    with st.form("end-intervention"):
        st.markdown("**Record that an intervention has ended**")
        chosen = st.selectbox("Intervention", list(names), format_func=names.get, index=None,
                              placeholder="Choose a running intervention", key="end-which")
        ended = st.date_input("Ended on", value=None, format="DD/MM/YYYY", key="end-date")
        submitted = st.form_submit_button("Record the end")
    if not submitted:
        return
    if chosen is None:
        st.error("Choose which intervention has ended.", icon=":material/error:")
        return
    try:
        interventions.end_intervention(state.store(), chosen, ended,
                                       access=state.current_access())
    except (interventions.InterventionError, PermissionError) as error:
        st.error(md.escape(error), icon=":material/error:")
        return
    st.session_state[FLASH_KEY] = f"Recorded that {names[chosen]} ended on {uk_date(ended)}."
    st.rerun()
