"""Incident records, for analysts: the individual incidents behind every figure, to check a load."""

import streamlit as st

from analytics.ingest import records
from analytics.store.sources import source
from ui import components, downloads, state
from ui import markdown as md

ctx = state.context()
say = ctx.say
st.title("Incident records")
components.banner(ctx)
people = ("Young people are counted, never named." if source(ctx.filters.source).people
          else "police.uk names no one.")
st.markdown(md.escape(say("The individual incidents under the filters in the sidebar, newest "
                          f"first, to check what was loaded. {people} Only analysts see this "
                          "page.")))

found: records.Records = state.compute(records.incident_records, ctx.filters)
if found.total == 0:
    components.no_incidents(ctx)
    st.stop()

shown = f"{len(found.rows):,} newest of {found.total:,}" if found.truncated else f"{found.total:,}"
st.subheader(md.escape(say(f"{shown} incidents")))
st.caption(ctx.caption(say("Incidents, one row each")))
if found.truncated:
    st.info(md.escape(say(f"Only the newest {found.limit:,} incidents are listed. Narrow the "
                          "period or the filters to see the others.")), icon=":material/filter_alt:")
table = records.records_table(found.rows).rename(columns=lambda c: say(str(c)))
st.dataframe(table, hide_index=True, width="stretch")
downloads.download_csv(table, what=f"incident records ({ctx.filters.describe(ctx.ward_names)})",
                       file_name="incident-records.csv", key="records-csv")
