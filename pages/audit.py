"""Audit log, for administrators: who signed in, loaded, rolled back or exported what, and when."""

from datetime import timedelta

import streamlit as st

from analytics.governance import audit
from analytics.store.filters import uk_date
from ui import components, downloads, state
from ui import markdown as md

DEFAULT_DAYS = 30  # the date range the page opens on

ctx = state.context()
st.title("Audit log")
components.banner(ctx)
st.markdown("Every sign-in, sign-out, load, rollback, download, view of individual incidents, "
            "saved column mapping and change to the interventions register, with who did it and "
            "how it went. The dashboard can only add to this record, and each visit checks, "
            "entry by entry, that no one has changed or removed one since.")

problems = state.uncached(audit.integrity, seal=audit.seal_of(state.store()))
if problems:
    st.error(md.escape("The audit log has been altered outside the dashboard. " + " ".join(problems)),
             icon=":material/gpp_bad:")

today = state.today()
left, middle, right = st.columns([2, 3, 3])
chosen = left.date_input("From and to", value=(today - timedelta(days=DEFAULT_DAYS), today),
                         format="DD/MM/YYYY", key="audit_dates")
start, end = (tuple(chosen) + (None, None))[:2]
if not (start and end):
    left.caption("Choose both a start and an end date.")
    st.stop()
people = state.uncached(audit.people)
users = middle.multiselect("Who", list(people), format_func=people.get, placeholder="Everyone",
                           key="audit_users")
actions = right.multiselect("Action", list(audit.ACTIONS), placeholder="All actions",
                            format_func=str.capitalize, key="audit_actions")

found = state.uncached(audit.entries, start=start, end=end, users=tuple(users),
                       actions=tuple(actions))
period = f"{uk_date(start)} to {uk_date(end)}"
if found.empty:
    st.warning(md.escape(f"No audit entries match these filters ({period}). Widen the dates or "
                         "clear a filter."), icon=":material/filter_alt_off:")
    st.stop()

st.subheader(md.escape(f"{len(found):,} entr{'y' if len(found) == 1 else 'ies'}, {period}"))
if not problems:
    st.caption("Newest first; times are UK time. The log's entries are all present and unchanged.")
table = audit.display_table(found)
st.dataframe(table, hide_index=True, width="stretch")
downloads.download_csv(table, what=f"audit log ({period})", file_name="audit-log.csv",
                       key="audit-csv")
