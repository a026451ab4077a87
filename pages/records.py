"""Incident records, for analysts: the individual incidents behind every figure, to check a load."""

import streamlit as st

from analytics.ingest import records
from analytics.store.sources import reword
from ui import components, downloads, state
from ui import markdown as md

ctx = state.context()
st.title("Incident records")
components.banner(ctx)
st.markdown("The individual incidents under the filters in the sidebar, newest first, to check "
            "what was loaded. Young people are counted, never named. Only analysts see this page.")

found: records.Records = state.compute(records.incident_records, ctx.filters)
if found.total == 0:
    components.no_incidents(ctx)
    st.stop()

shown = f"{len(found.rows):,} newest of {found.total:,}" if found.truncated else f"{found.total:,}"
st.subheader(md.escape(reword(f"{shown} incidents", ctx.filters.source)))
st.caption(ctx.caption(reword("Incidents, one row each", ctx.filters.source)))
if found.truncated:
    st.info(f"Only the newest {found.limit:,} incidents are listed. Narrow the period or the "
            "filters to see the others.", icon=":material/filter_alt:")
table = records.records_table(found.rows)
table = table.rename(columns=lambda c: reword(c, ctx.filters.source))
st.dataframe(table, hide_index=True, width="stretch")
downloads.download_csv(table, what=f"incident records ({ctx.filters.describe(ctx.ward_names)})",
                       file_name="incident-records.csv", key="records-csv")
