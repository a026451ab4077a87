"""Overview, for board members: how much harm, against the previous period, and what changed."""

import streamlit as st

from analytics import charts, overview
from analytics.disclosure import display_count, drop_small_rows, mask_small, suppress_frame
from analytics.trends import HISTORY, top_signals
from ui import components, state

ctx = state.context()
view, filters = ctx.view, ctx.filters
st.title("Overview")
components.banner(ctx)

head: overview.Headline = state.compute(overview.headline, filters)
if head.current.incidents == 0:
    components.no_incidents(ctx)
    st.stop()

period = overview.period_words(filters)
st.subheader(f"The {period} to {filters.end:%-d %B %Y}" if filters.end else "All data")
st.caption(filters.describe(ctx.ward_names))


def metric(column, label: str, now: int, before: int | None, help: str | None = None) -> None:
    """A headline count with its change on the previous period (rises in orange: worse for harm)."""
    change = overview.percent_change(now, before)
    if change is None:
        text, colour = None, "off"
    elif round(change, 2) == 0:
        text, colour = "No real change", "gray"
    else:
        text, colour = f"{change:+.0%} on the previous {period}", "orange" if change > 0 else "blue"
    column.metric(label, display_count(now, view), text, help=help, delta_color=colour,
                  delta_arrow="off" if colour == "gray" else "auto")


cur, prev = head.current, head.previous
cols = st.columns(4)
metric(cols[0], "Incidents", cur.incidents, prev and prev.incidents)
metric(cols[1], "Young people affected", cur.young_people, prev and prev.young_people,
       help="Distinct young people named in at least one incident.")
metric(cols[2], "Places with incidents", cur.contexts, prev and prev.contexts)
metric(cols[3], "Wards with incidents", cur.wards, prev and prev.wards)
most = ", ".join(f"{r.ward_name} ({display_count(r.incidents, view)} incidents)"
                 for r in head.top_wards.itertuples())
st.markdown(f"**Most affected wards:** {most}.")
st.caption("Changes compare with the period of the same length just before. Rises are shown in "
           "orange and falls in blue, with an arrow for each.")

st.header("Signals worth a look")
top = state.compute(top_signals, filters, n=5)
if top.empty:
    st.write("No risk type in any ward shows a current signal of change: the ups and downs are "
             "within the expected range, or too rare to judge.")
for row in top.itertuples():
    st.markdown(f"- **{row.assessment.capitalize()}.** {row.headline}")
st.caption(ctx.caption("Current signals from statistical process control charts of incidents a "
                       f"month for each risk type in each ward, judged against up to "
                       f"{HISTORY['month']} months of history; concerns first"))
st.page_link("pages/trends.py", label="Every signal, with its chart, on the Trends page",
             icon=":material/monitoring:")

st.header("Each risk type, month by month")
trends = state.compute(overview.risk_trends, filters)
trends["value"] = mask_small(trends["value"], view)
grid = st.columns(3)
for i, (code, frame) in enumerate(trends.groupby("risk_type", sort=False)):
    label = frame["label"].iloc[0]
    total = int(frame["value"].fillna(0).sum())
    fig = charts.small_trend(frame, f"{label}: {display_count(total, view)} in the period")
    with grid[i % 3]:
        st.plotly_chart(fig, width="stretch", config=components.PLOTLY_CONFIG, key=f"trend-{code}")
st.caption(ctx.caption("Incidents a month by risk type (an incident can carry several); months "
                       "with 1 to 4 incidents are left blank in this view"))
with st.expander("Show as table"):
    table = trends.pivot(index="month", columns="label", values="value").reset_index()
    table["month"] = table["month"].dt.strftime("%B %Y")
    st.dataframe(suppress_frame(table.fillna(0), [c for c in table.columns if c != "month"], view),
                 hide_index=True, width="stretch")

st.header("Where it changed most")
for unit, noun in (("ward", "Wards"), ("context", "Places")):
    moved = overview.biggest_changes(state.compute(overview.changes, filters, unit=unit))
    safe = drop_small_rows(moved, ["current", "previous"], view)
    if safe.empty:
        st.write(f"No {noun.lower()} changed by enough to show on the previous {period}.")
        continue
    top = safe.iloc[safe["change"].abs().argmax()]
    title = (f"{noun}: {top['name']} changed most, {'up' if top['change'] > 0 else 'down'} "
             f"{abs(int(top['change'])):,} incidents")
    components.chart(
        charts.change_bars(safe, title),
        ctx.caption(f"Change in incidents on the previous {period}; the five largest rises and "
                    "falls"),
        suppress_frame(safe[["name", "current", "previous", "change"]],
                       ["current", "previous"], view),
        key=f"changes-{unit}",
    )
    with st.expander(f"{noun} that changed most, in words"):
        for row in moved.itertuples():
            st.markdown("- " + overview.change_sentence(row.name, int(row.current),
                                                        int(row.previous), view, period))
