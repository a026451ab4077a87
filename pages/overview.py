"""Overview, for board members: how much harm, against the previous period, and what changed."""

import streamlit as st

from analytics import charts, overview, trends
from analytics.disclosure import display_count, drop_small_rows, mask_small, suppress_frame
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


def delta(now: int, before: int | None) -> str | None:
    """'+12% on the previous period', or nothing where there is no comparison."""
    change = overview.percent_change(now, before)
    return None if change is None else f"{change:+.0%} on the previous {period}"


cur, prev = head.current, head.previous
cols = st.columns(4)
cols[0].metric("Incidents", display_count(cur.incidents, view),
               delta(cur.incidents, prev and prev.incidents), delta_color="inverse")
cols[1].metric("Young people affected", display_count(cur.young_people, view),
               delta(cur.young_people, prev and prev.young_people), delta_color="inverse",
               help="Distinct young people named in at least one incident.")
cols[2].metric("Places with incidents", display_count(cur.contexts, view),
               delta(cur.contexts, prev and prev.contexts), delta_color="inverse")
cols[3].metric("Most affected ward", head.top_wards["ward_name"].iloc[0],
               f"{display_count(head.top_wards['incidents'].iloc[0], view)} incidents",
               delta_color="off")
st.caption("Arrows compare with the period of the same length just before. For harm, a rise "
           "is shown in the warning colour.")

st.header("Signals worth a look")
top = state.compute(trends.top_signals, filters, n=5)
if top.empty:
    st.write("No risk type in any ward shows a current signal of change: the ups and downs are "
             "within the expected range, or too rare to judge.")
for row in top.itertuples():
    st.markdown(f"- **{row.assessment.capitalize()}.** {row.headline}")
st.caption(ctx.caption("Current signals from statistical process control charts of incidents a "
                       f"month for each risk type in each ward, judged against up to "
                       f"{trends.HISTORY['month']} months of history; concerns first"))
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
    if moved.empty:
        st.write(f"No {noun.lower()} changed on the previous {period}.")
        continue
    top = moved.iloc[moved["change"].abs().argmax()]
    title = (f"{top['name']} changed most: {'up' if top['change'] > 0 else 'down'} "
             f"{abs(int(top['change'])):,} incidents")
    for _, row in moved.iterrows():
        st.markdown("- " + overview.change_sentence(row["name"], int(row["current"]),
                                                    int(row["previous"]), view, period))
    safe = drop_small_rows(moved, ["current", "previous"], view)
    if safe.empty:
        continue
    components.chart(
        charts.change_bars(safe, f"{noun}: {title}"),
        ctx.caption(f"Change in incidents on the previous {period}"),
        suppress_frame(safe[["name", "current", "previous", "change"]],
                       ["current", "previous"], view),
        key=f"changes-{unit}",
    )
