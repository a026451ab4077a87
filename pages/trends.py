"""Trends, for the board: which changes are signals and which are noise (SPC charts). The
controls apply to four sections, each a tab: only the open one is worked out and sent, the
measure as a whole first."""

import streamlit as st

from analytics.governance.disclosure import derived_note
from analytics.store.sources import source
from analytics.trends import spc, trend_charts, trends
from ui import components, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)
MEASURES, SPLITS = trends.measures(src.code), trends.splits(src.code)
st.title("Trends")
components.banner(ctx)
st.write(md.format("Each chart separates **signals** (changes too large or too steady to be "
                   "chance) from **common cause** (the ordinary ups and downs). Orange diamonds "
                   "mark a signal of more {}, blue squares a signal of less.", src.harm))
if note := derived_note(view):
    st.caption(md.escape(note))

c1, c2 = st.columns([2, 1])
# police.uk street crime is published by month: no weekly points
grans = [g for g in trends.GRANULARITIES if src.time_of_day or g == "month"]
measures = list(MEASURES)
measure = c1.radio("Measure", measures, format_func=MEASURES.get, horizontal=True,
                   key=share.bind("measure", "t_measure", measures, measures[0]))
gran = c2.radio("Each point is a", grans, horizontal=True, format_func=lambda g: g,
                key=share.bind("each", "t_gran", grans, grans[0]))
unit, noun = gran, MEASURES[measure].lower()

plain = state.compute(trends.trend_view, filters, measure=measure, split="none",
                      granularity=gran, fix_after=None, change_point=None, view=view)
if plain.overall is None or plain.overall.total == 0:
    if plain.window is not None and plain.overall is None:  # a rate with no population known
        st.info(md.escape(" ".join(plain.notes)), icon=":material/info:")
    else:
        components.no_incidents(ctx)
    st.stop()

with st.expander("Limits: fix them, or recalculate from a change point"):
    counts = list(range(spc.MIN_FIX_POINTS, len(plain.window.periods) + 1))
    fix_after = None
    if counts:
        fix = st.checkbox("Fix the limits on the first points",
                          key=share.bind("fix", "t_fix", (False, True), False),
                          help="For example on the year before an intervention began, so later "
                               "points are judged against it (NHSRplotthedots' "
                               "fix_after_n_points).")
        if fix:
            fix_after = st.select_slider(
                md.escape(f"Fix the limits after this many {gran}s"), counts,
                key=share.bind("after", "t_after", counts, counts[0]))
    choices = trends.change_point_choices(plain)
    change = st.selectbox("Recalculate the limits from", [None, *choices],
                          format_func=lambda d: "No change point" if d is None else choices[d],
                          key=share.bind("change", "t_change", [None, *choices], None),
                          help=md.escape("When something changed the process: an "
                                         f"intervention, or a change in how {src.nouns} are "
                                         "recorded."))


def trend_view(split: str) -> trends.TrendView:
    """The measure, and its split's largest groups, with the limits as set above."""
    try:
        return state.compute(trends.trend_view, filters, measure=measure, split=split,
                             granularity=gran, fix_after=fix_after, change_point=change,
                             view=view)
    except ValueError as problem:
        st.warning(md.escape(f"These limits cannot be set: {problem}"), icon=":material/warning:")
        st.stop()


tv = trend_view("none")


def is_it_changing() -> None:
    """The measure as a whole, as an XmR chart."""
    st.header("Is it changing?")
    overall = tv.overall
    fig = components.figure(trend_charts.xmr_chart, overall, overall.headline, view=view,
                            y_title=MEASURES[measure], unit=unit,
                            interventions=tv.interventions, window=tv.window)
    components.chart(
        fig,
        ctx.caption(f"{MEASURES[measure]} a {unit}: {tv.window.describe()}. "
                    f"{tv.options.describe()}"),
        trends.xmr_table(overall, view, measure, gran, MEASURES[measure]), key="xmr-overall")
    for note in (*overall.result.notes, *tv.notes):
        st.caption(md.escape(note))
    if not tv.interventions.empty:
        marked = min(len(tv.interventions), trend_charts.MAX_MARKERS)
        with st.expander(f"Interventions that started in this period ({len(tv.interventions)}; "
                         f"the latest {marked:d} are numbered on the chart)"):
            components.table_with_csv(trends.interventions_table(tv.interventions),
                                      what="Interventions that started in the period",
                                      key="trend-interventions")



def which_are_changing() -> None:
    """One XmR chart for each of the largest groups of a split (risk type, ward, ...)."""
    splits = [k for k in SPLITS if k != "none"]
    split = st.columns([1, 2])[0].selectbox("Split by", splits, format_func=SPLITS.get,
                                            key=share.bind("split", "t_split", splits,
                                                           splits[0]))
    by = SPLITS[split]
    by = by if by.isupper() else by.lower()
    st.header(md.escape(f"By {by}"))
    split_view = trend_view(split)
    if not split_view.series:
        st.info(md.escape(f"No {by} has {noun} to chart in this selection."))
        return
    signalled = [s for s in split_view.series if s.current_signal]
    n = len(split_view.series)
    found = (f"{len(signalled)} of the {n} largest "
             f"{'shows' if len(signalled) == 1 else 'show'} a current signal"
             if signalled else f"None of the {n} largest shows a current signal")
    fig = components.figure(trend_charts.xmr_panels, tuple(split_view.series), found, view=view,
                            y_title=MEASURES[measure], unit=unit, window=split_view.window)
    st.plotly_chart(fig, width="stretch", config=components.PLOTLY_CONFIG, key=f"xmr-{split}")
    more = (f" {split_view.more_series} smaller ones are not drawn."
            if split_view.more_series else "")
    st.caption(ctx.caption(f"{MEASURES[measure]} a {unit} by {by}, largest first.{more} "
                           f"{split_view.options.describe()}"))
    with st.expander("Show as table"):
        components.table_with_csv(trends.series_table(split_view, view), what=f"Trends by {by}",
                                  key=f"series-{split}")


def signals_worth_a_look() -> None:
    """Every current signal, by risk type and ward and by place, concerns first."""
    st.header("Signals worth a look")
    for by, what in ((("risk_type", "ward"), f"{src.type_noun} and ward pair"),
                     (("context",), "place")):
        table: trends.SignalTable = state.compute(trends.signals, filters, by=by, granularity=gran,
                                                  fix_after=fix_after, change_point=change,
                                                  view=view)
        concerns, judged = table.current_concerns, table.judged
        plural = "s" if concerns != 1 else ""
        if not judged:  # every series too rare: 'no signal across 0 places' says nothing
            st.subheader(md.escape(f"No {what} has enough {src.nouns} a {unit} to judge"))
        else:
            st.subheader(md.escape(f"{concerns or 'No'} current signal{plural} of "
                                   f"rising {src.harm} across {judged:,} {what}"
                                   f"{'s' if judged != 1 else ''}"))
        if table.frame.empty and judged:
            st.write(md.escape(f"No {what} shows a signal in this period."))
        else:
            components.table_with_csv(trends.signal_table_for_display(table, view),
                                      what=f"Signals for each {what}", key=f"signals-{by[0]}")
        rare, one = table.too_small, table.too_small == 1
        st.caption(ctx.caption(
            f"{src.nouns.capitalize()} a {unit} for each {what}, judged on "
            f"{table.window.describe() if table.window else 'no data'}; the latest signal of each"
            + (f". {rare:,} average{'s' * one} under {trends.MIN_MEAN_COUNT:g} a {unit} and "
               f"{'is' if one else 'are'} too rare to judge" if rare else "")))


def same_time_last_year() -> None:
    """Each year's months side by side, and the average calendar month."""
    st.header("Same time last year")
    if gran != "month":
        st.info('Same time last year compares calendar months: set "Each point is a" to month, '
                "above.", icon=":material/calendar_month:")
        return
    season: trends.Seasonality = state.compute(trends.seasonality, filters, measure=measure,
                                               view=view)
    left, right = st.columns(2)
    with left:
        components.chart(
            components.figure(trend_charts.year_on_year_chart, season,
                              trends.year_on_year_sentence(season, noun, tv.overall),
                              view=view, y_title=MEASURES[measure]),
            ctx.caption(f"{MEASURES[measure]} each month, one line a year"),
            trends.season_table(season, view, measure, by_year=True, label=MEASURES[measure]),
            key="yoy")
    with right:
        components.chart(
            components.figure(trend_charts.profile_chart, season,
                              trends.profile_sentence(season, noun),
                              view=view, y_title=f"Average {noun} a month"),
            ctx.caption(f"Average {noun} in each calendar month over the years shown; a "
                        "pattern over two or three years is a hint, not proof, of a season"),
            trends.season_table(season, view, measure, by_year=False), key="profile")


components.sections({"Is it changing?": is_it_changing,
                     "Which groups are changing?": which_are_changing,
                     "Signals worth a look": signals_worth_a_look,
                     "Same time last year": same_time_last_year}, key="trends_section")
