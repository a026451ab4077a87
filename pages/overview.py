"""Overview, for board members: how much harm, against the previous period, and what changed.

The headline figures and the most affected wards head the page; below them three tabs, only the
open one worked out and sent: what changed and the signals in words (open first: a board member
reads it in the time the charts took to arrive), each risk type month by month, and the wards and
places that changed most."""

import streamlit as st

from analytics.board import narrative, overview
from analytics.governance.disclosure import (
    display_count,
    drop_small_rows,
    mask_small,
    rounds,
    suppress_frame,
)
from analytics.store.filters import period_words
from analytics.store.sources import source
from analytics.style import charts
from analytics.trends.trends import HISTORY, top_signals
from ui import components, share, state
from ui import markdown as md
from ui.page_table import SECTION_PARAM

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)
st.title("Overview")
components.banner(ctx)

head: overview.Headline = state.compute(overview.headline, filters)
if head.current.incidents == 0:
    components.no_incidents(ctx)
    st.stop()

period = period_words(filters)
st.subheader(md.escape(f"The {period} to {filters.end:%-d %B %Y}") if filters.end else "All data")
st.caption(md.escape(filters.describe(ctx.ward_names)))


cur, prev = head.current, head.previous


def change(now: int, before: int | None, children: bool = True) -> str | None:
    return (overview.change_words(now, before, view, period, children=children)
            if before is not None else None)


cols = iter(st.columns(4 if src.people else 3))
components.change_metric(next(cols), src.nouns.capitalize(), display_count(cur.incidents, view),
                         change(cur.incidents, prev and prev.incidents))
if src.people:
    components.change_metric(next(cols), "Young people affected",
                             display_count(cur.young_people, view),
                             change(cur.young_people, prev and prev.young_people),
                             help="Distinct young people named in at least one incident.")
components.change_metric(next(cols), f"Places with {src.nouns}",
                         display_count(cur.contexts, view, children=False),
                         change(cur.contexts, prev and prev.contexts, children=False),
                         help=md.escape(f"Places are {src.places}.") if src.police else None)
components.change_metric(next(cols), f"Wards with {src.nouns}",
                         display_count(cur.wards, view, children=False),
                         change(cur.wards, prev and prev.wards, children=False))
if not src.people:
    st.caption(md.escape(f"police.uk publishes no details of people, so this source counts "
                         f"{src.nouns}, not young people."))
most = ", ".join(f"{r.ward_name} ({display_count(r.incidents, view)} {src.nouns})"
                 for r in head.top_wards.itertuples())
st.markdown(md.format("**Most affected wards:** {}.", most))
coverage = head.coverage_words(filters)
nothing_earlier = coverage if prev is None else ""
st.caption(md.escape(nothing_earlier or (
    "Changes compare with the period of the same length just before, worked out from the figures "
    "as shown. Rises are shown in orange and falls in blue, with an arrow for each; there is no "
    f"change where a figure is hidden. {coverage}").strip()))


def what_changed() -> None:
    """What changed, in words, and the signals worth a look."""
    st.header("What changed")
    told = state.compute(narrative.what_changed, filters, view=view)
    for sentence in told.sentences:
        st.markdown(md.format("- {}", sentence))
    st.caption(ctx.caption("Written from the data: the headline against the previous period, the "
                           f"largest rises and falls, signals of rising {src.harm} that began in the "
                           "last "
                           f"{narrative.NEW_SIGNAL_MONTHS} months, new hot spots and the places "
                           "ranked first to act on"))

    st.header("Signals worth a look")
    top = state.compute(top_signals, filters, n=5, view=view)
    if top.empty:
        st.write(md.escape(f"No {src.type_noun} in any ward shows a current signal of change: the "
                           "ups and downs are within the expected range, or too rare to judge."))
    for row in top.itertuples():
        st.markdown(md.format("- **{}.** {}", row.assessment.capitalize(), row.headline))
    st.caption(ctx.caption(f"Current signals from statistical process control charts of "
                           f"{src.nouns} a month for each {src.type_noun} in each ward, judged "
                           "against up to "
                           f"{HISTORY['month']} months of history; concerns first"))
    st.page_link("pages/trends.py", label="Every signal on the Trends page",
                 icon=":material/monitoring:",
                 query_params={**share.address_query(), SECTION_PARAM: "Signals worth a look"})


def month_by_month() -> None:
    """Each risk type month by month: one chart of panels."""
    st.header(md.escape(f"Each {src.type_noun}, month by month"))
    trends = state.compute(overview.risk_trends, filters)
    trends["value"] = mask_small(trends["value"], view)
    totals = trends.groupby("risk_type", sort=False)["value"].sum()  # of the counts as shown
    labels = dict(zip(trends["risk_type"], trends["label"], strict=True))
    titles = {code: f"{labels[code]}: {display_count(int(n), view)} in the period"
              for code, n in totals.items()}
    first = totals.idxmax()
    title = (f"{labels[first]} had the most {src.nouns}: {display_count(int(totals[first]), view)} "
             "in the period" if totals[first] else
             f"{src.nouns.capitalize()} a month by {src.type_noun}")
    st.plotly_chart(components.figure(charts.trend_grid, trends, titles, title), width="stretch",
                    config=components.PLOTLY_CONFIG, key="risk-trends-chart")
    several = (" (an incident can carry several); months with 1 to 4 incidents are left blank "
               "in this view" if not src.police else
               "; months with 1 to 4 are left blank in this view" if src.about_children else "")
    st.caption(ctx.caption(f"{src.nouns.capitalize()} a month by {src.type_noun}{several}"
                           + ("; others rounded to the nearest 5" if rounds(view) else "")))
    with st.expander("Show as table"):
        table = trends.pivot(index="month", columns="label", values="value").reset_index()
        table["month"] = table["month"].dt.strftime("%B %Y")
        components.table_with_csv(
            suppress_frame(table.fillna(0), [c for c in table.columns if c != "month"], view),
            what=f"{src.nouns.capitalize()} a month by {src.type_noun}", key="risk-trends")


def where_it_changed_most() -> None:
    """The wards and places that changed most on the previous period."""
    st.header("Where it changed most")
    if nothing_earlier:
        st.write(md.escape(nothing_earlier))
        return
    for unit, noun in (("ward", "Wards"), ("context", "Places")):
        moved = overview.biggest_changes(state.compute(overview.changes, filters, unit=unit))
        safe = drop_small_rows(moved, ["current", "previous"], view)
        safe = safe.assign(change=safe["current"] - safe["previous"])  # from the counts as shown
        safe = safe[safe["change"] != 0]
        if safe.empty:
            st.write(md.escape(f"No {noun.lower()} changed by enough to show on the previous {period}."))
            continue
        top = safe.iloc[safe["change"].abs().argmax()]
        title = (f"{noun}: {top['name']} changed most, {'up' if top['change'] > 0 else 'down'} "
                 f"{abs(int(top['change'])):,} {src.nouns}")
        components.chart(
            components.figure(charts.change_bars, safe, title),
            ctx.caption(f"Change in {src.nouns} on the previous {period}; the five largest rises "
                        "and falls"),
            suppress_frame(safe[["name", "current", "previous", "change"]],
                           ["current", "previous"], view),
            key=f"changes-{unit}",
        )
        with st.expander(md.escape(f"{noun} that changed most, in words")):
            for row in moved.itertuples():
                st.markdown(md.format("- {}", overview.change_sentence(
                    row.name, int(row.current), int(row.previous), view, period, src.nouns)))


components.sections({"What changed": what_changed, "Month by month": month_by_month,
                     "Where it changed most": where_it_changed_most}, key="overview_section")
