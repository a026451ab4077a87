"""Risk overlap, for leads: which harms occur together, for whom and where. The controls apply
to three sections, each a tab: only the open one is worked out and sent."""

import streamlit as st

from analytics.board import overview
from analytics.governance.disclosure import (
    display_count,
    shows_detail,
    suppresses,
)
from analytics.overlap import overlap
from analytics.overlap import overlap_charts as oc
from analytics.store.sources import source
from analytics.style.text import upper_initial
from ui import components, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)



def say(text: str) -> str:
    """Words about incidents in the source's words (overlap.reworded)."""
    return overlap.reworded(text, src.code)


st.title("Risk overlap")
components.banner(ctx)
st.markdown(md.escape(overlap.introduction(src.code)))

if not state.compute(overview.has_incidents, filters):
    components.no_incidents(ctx)
    st.stop()

left, middle, right = st.columns(3)
UNITS, WINDOWS = overlap.units(src.code), overlap.windows(src.code)
units, windows, measures = list(UNITS), list(WINDOWS), list(overlap.MEASURES)
unit = left.radio("Count overlap in", units, horizontal=True,
                  key=share.bind("unit", "ov_unit", units, overlap.default_unit(src.code)),
                  format_func=lambda u: upper_initial(UNITS[u]),
                  help=md.escape(say(overlap.unit_help(src.code))))
window = overlap.WINDOW_DAYS[middle.selectbox(
    "Both recorded", windows,
    key=share.bind("window", "ov_window", windows, overlap.default_window(src.code)),
    format_func=WINDOWS.get,
    help="How close in time the two records must be to count together.")]
measure = right.selectbox("Measure", measures, format_func=overlap.MEASURES.get,
                          key=share.bind("measure", "ov_measure", measures, measures[0]))
noun, one = overlap.UNITS[unit], overlap.UNIT_ONE[unit]
if len(filters.risk_types) == 1:
    st.info(md.escape(say("One risk type is chosen in the sidebar, so every risk type is "
                          "compared here. Choose two or more to compare only those.")),
            icon=":material/info:")

result: overlap.Overlap = state.compute(overlap.analyse, filters, unit=unit, window=window)
if problem := overlap.nothing_to_compare(result):
    st.warning(md.escape(say(problem)), icon=":material/filter_alt_off:")
    st.stop()

hidden_note = oc.disclosure_note(view)
window_words = say(overlap.window_phrase(window))

def which_harms_go_together() -> None:
    """The strongest overlaps in words, and every pair on the heatmap."""
    st.header(md.escape(say("Which harms go together")))
    st.subheader("The strongest overlaps")
    for sentence in overlap.summary_sentences(result, view):
        st.markdown(md.format("- {}", say(sentence)))
    out_of = f"Out of {display_count(result.universe, view)} {noun} with any risk type recorded."
    components.method_note(
        view, say(f"The pairs most above chance, among pairs shared by at least "
                  f"{overlap.MIN_SUPPORT} {noun}. {out_of}"),
        say(f"Strongest by lift among pairs shared by at least {overlap.MIN_SUPPORT} {noun} and "
            f"stronger than chance. {out_of}"))
    if note := overlap.involvement_note(unit, window):
        st.caption(md.escape(note))
    if shows_detail(view):
        st.markdown(md.format("**How to read the chart.** {}",
                              say(oc.legend_sentence(measure, unit, window))))
    else:
        st.markdown(md.format("**How to read the chart.** {}",
                              say(oc.plain_sentence(measure, unit))))
        with st.expander(components.HOW_WORKED_OUT, icon=":material/calculate:"):
            st.caption(md.escape(say(oc.legend_sentence(measure, unit, window))))
    components.chart(
        components.figure(oc.heatmap, result, measure, view),
        ctx.caption(f"{overlap.MEASURES[measure]} for each pair of risk types, {noun} with both "
                    f"recorded {window_words}{hidden_note}"),
        oc.heatmap_table(result, view),
        key="overlap-heatmap",
    )


def most_common_combinations() -> None:
    """The exact combinations of risk types, largest first (an UpSet chart)."""
    st.header("The most common combinations")
    combos = state.compute(overlap.combinations, filters, unit=unit)
    st.markdown(md.format(say("{} Each bar counts those with exactly the risk types marked by the "
                              "dots beneath it; grey bars are a single risk type on its own."),
                          say(oc.multi_sentence(combos, unit, view))))
    components.chart(
        components.figure(oc.upset, combos, unit, view),
        ctx.caption(f"{upper_initial(noun)} by their exact combination of risk types recorded "
                    "anywhere in the period (the window does not apply)"
                    + oc.disclosure_note(view, rounded=True)),
        oc.upset_table(combos, unit, view),
        key="overlap-upset",
    )


def where_and_when() -> None:
    """One pair or combination by ward, by place and by month (lead and analyst views)."""
    st.header("Where and when")
    if not shows_detail(view):
        st.info(md.escape(say("Where and when each pair or combination of harms occurs is in the "
                              "lead view: the board view shows the overlap across the whole "
                              "selection only.")), icon=":material/visibility:")
        return
    combos = state.compute(overlap.combinations, filters, unit=unit)
    pair_keys, combo_keys = overlap.drill_options(result, combos, view)
    kinds = {"pair": say("A pair (they may have other risk types too)"),
             "exact": "An exact combination"}
    if not combo_keys:
        kinds.pop("exact")
    if not pair_keys:
        st.write(md.escape(say(f"No two risk types were recorded for the same {one}, so there is "
                               "nothing to drill into.")))
        return
    kind = st.radio("Look at", list(kinds), format_func=kinds.get, horizontal=True,
                    key=share.bind("look", "ov_kind", list(kinds), "pair"))
    exact = kind == "exact"
    keys = combo_keys if exact else pair_keys
    key = st.selectbox(md.escape(say("Risk types")), keys,
                       key=share.bind("risks", f"ov_{kind}", keys, keys[0]),
                       format_func=lambda k: overlap.describe(overlap.parse_key(k),
                                                              exact).capitalize())
    risks = overlap.parse_key(key)
    drill: overlap.Drilldown = state.compute(
        overlap.drilldown, filters, risks=risks, unit=unit, exact=exact,
        window=None if exact else window)
    what, short = overlap.describe(risks, exact), overlap.short_describe(risks, exact)
    if drill.members == 0:
        st.write(md.escape(f"No {one} has {what} recorded {window_words}."))
        return
    st.markdown(md.format("{} with {} recorded {}: **{}**.", upper_initial(noun), what,
                          "in the period" if exact else window_words,
                          display_count(drill.members, view, rounded=exact)))
    # Young people where they were seen; for places, their incidents (a ward has few such places)
    col, axis = ("members", noun) if unit == "people" else ("incidents", "incidents")
    subject = (f"{upper_initial(noun)} with {short}" if unit == "people"
               else f"Incidents of these risk types at places with {short}")
    columns = {"members": upper_initial(noun), "incidents": "Incidents"}
    def ranked(frame, column: str, label: str, by: str, where: str) -> None:
        """A bar chart of the drill-down's wards or places, largest first, with its table."""
        components.chart(
            components.figure(oc.ranked_bars, frame, column, col,
                              oc.top_title(frame, column, col, axis, view, exact, where),
                              view, axis.capitalize(), rounded=exact),
            ctx.caption(f"{subject}, by {by}{oc.disclosure_note(view, rounded=exact)}"),
            oc.count_table(frame, {column: label, **columns}, list(columns.values()), view,
                           rounded=exact),
            key=f"overlap-{by}s",
        )

    wards_col, places_col = st.columns(2)
    with wards_col:
        ranked(drill.wards, "ward_name", "Ward", "ward", "in")
    with places_col:
        if drill.contexts.empty:
            st.write(md.escape(say("None of these incidents names a place, so there are no places "
                                   "to rank.")))
        else:
            ranked(drill.contexts, "name", "Place", "place", "at")
    monthly = drill.monthly
    in_month = ("with exactly these risk types recorded in the month" if exact else
                "with both recorded in the same month" if window is None else
                f"with both recorded {window_words}, counted in the month of the later record")
    components.chart(
        components.figure(oc.trend, monthly, oc.trend_title(monthly, short.capitalize(), view),
                          view, upper_initial(noun)),
        ctx.caption(f"{upper_initial(noun)} each month {in_month}"
                    + ("; months with 1 to 4 are left blank" if suppresses(view) else "")),
        oc.count_table(monthly.assign(month=monthly["month"].dt.strftime("%B %Y")),
                       {"month": "Month", "value": upper_initial(noun)}, [upper_initial(noun)], view),
        key="overlap-trend",
    )
    st.caption(md.escape(oc.peak_sentence(monthly, noun, view)))


components.sections({"Which harms go together": which_harms_go_together,
                     "Most common combinations": most_common_combinations,
                     "Where and when": where_and_when}, key="overlap_section")
