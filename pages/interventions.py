"""Interventions: what was done where, and what changed afterwards, with an honest statement of
certainty; analysts can add an intervention or record that one ended. Three sections, each a
tab: only the open one is worked out and sent."""

import streamlit as st

from analytics.board import overview
from analytics.governance.access import Permission
from analytics.governance.disclosure import THRESHOLD, shows_detail
from analytics.interventions import impact, impact_charts, interventions
from analytics.places import maps, places
from analytics.store.sources import source
from ui import components, intervention_form, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)
say = ctx.say

st.title("Interventions")
components.banner(ctx)
intervention_form.show_flash()
st.write(md.escape(say(
    "For each intervention we compare incidents at its place before and after it began with "
    "the change at similar places that had no intervention. If incidents fell by more at the "
    "place than at the comparison places, that is some evidence the intervention helped."
)))
if src.police:
    st.caption(md.escape(f"With {src.label}, an intervention at one of police.uk's locations is "
                         f"measured there; one at a registered place counts the {src.nouns} at "
                         f"every location within {impact.AROUND_M:,} metres of it, in and around "
                         "it. Comparison places are other locations further away."))

register = state.compute(interventions.register, filters)
has_incidents = state.compute(overview.has_incidents, filters)


def what_changed() -> None:
    """Each intervention's estimated change against similar places, with its certainty."""
    st.header("What changed after each intervention")
    if not has_incidents:
        components.no_incidents(ctx)
    elif register.empty:
        st.info("No interventions in the register ran at places in these wards and types during "
                "this period. Widen the period or clear a filter to see more."
                + (" Analysts can record one at any of police.uk's locations in the register."
                   if src.police else ""), icon=":material/info:")
    else:
        summary = state.compute(impact.impact_summary, filters)
        assessed = summary.dropna(subset=["ratio"])
        if assessed.empty:
            st.write(md.escape(say(impact.summary_headline(summary)) + "."))
        else:
            drawn = impact.chart_rows(assessed)
            components.chart(
                components.figure(impact_charts.estimates, drawn, "label",
                                  impact.summary_headline(summary)),
                ctx.caption("Change in incidents at each place after its intervention began, "
                            "relative to similar places without one, with 95% intervals (risk type "
                            "and agency filters apply; all dates and places are used)"
                            + impact.drawn_words(drawn, assessed)),
                impact.summary_table(drawn), key="impact-summary")
        components.table_with_csv(impact.summary_table(summary), what="What changed after each "
                                  "intervention", key="impact-summary-table")


def one_intervention() -> None:
    """One intervention in detail, and whether harm moved next door (lead and analyst views)."""
    st.header("One intervention in detail")
    if not has_incidents:
        components.no_incidents(ctx)
        return
    if register.empty:
        st.write("No interventions recorded for these filters.")
        return
    if not shows_detail(view):
        st.info("The detail of one intervention, and whether harm moved next door, is in the lead "
                "view; the board view keeps to what changed after each.",
                icon=":material/visibility:")
        return
    summary = state.compute(impact.impact_summary, filters)
    options = dict(zip(summary["intervention_id"], summary["label"], strict=True))
    best = impact.best_documented(summary)
    chosen = st.selectbox("Intervention", list(options), format_func=options.get,
                          key=share.bind("intervention", "impact-choice", list(options),
                                         best or next(iter(options))),
                          help="Opens on the intervention the data say most about.")
    result: impact.Impact = state.compute(impact.impact, filters, intervention_id=chosen)
    st.markdown(md.format("**{}**", say(impact.effect_sentence(result))))
    if not result.series.empty:
        components.chart(
            components.figure(impact_charts.before_after, result.series, result.context_name,
                              result.started_on, view, impact.headline(result)),
            ctx.caption(f"Incidents a month at {result.context_name}, and the average of its "
                        "comparison places scaled to its level before, which stands in for what "
                        "would have happened without the intervention (months with 1 to "
                        f"{THRESHOLD - 1} show as a hollow circle in views that hide small "
                        "numbers); the shaded months are after it began"),
            impact.comparison_table(result, view), key="impact-detail")
    if result.estimate is not None:
        st.write(md.escape(say(impact.method_note(result))))
    st.info(impact.CAVEAT, icon=":material/balance:")

    st.subheader("Did harm move next door?")
    radii = [100, 200, 300, 500, 750, 1000, 1500, 2000]
    radius = st.select_slider(
        "Neighbouring places: within", radii, format_func=lambda m: f"{m:,} metres",
        key=share.bind("within", "impact-radius", radii, impact.DISPLACEMENT_RADIUS_M))
    moved: impact.Displacement = state.compute(impact.displacement, filters,
                                               intervention_id=chosen, radius_m=radius)
    st.write(md.escape(say(impact.displacement_sentence(moved))))
    near = impact.chart_rows(moved.neighbours, verdict="verdict")
    if not near.empty:
        components.chart(
            components.figure(impact_charts.estimates, near.assign(
                label=[f"{n} ({d:,} m)" for n, d in zip(near["name"], near["distance_m"],
                                                       strict=True)]),
                "label", impact.displacement_headline(moved), verdict="verdict"),
            ctx.caption(f"Change in incidents at places within {radius:,} metres after it "
                        "began, each relative to similar places further away, with 95% "
                        "intervals"
                        + impact.drawn_words(near, moved.neighbours)),
            impact.neighbour_table(moved, view), key="impact-displacement")
    elif not moved.neighbours.empty:
        components.table_with_csv(impact.neighbour_table(moved, view),
                                  what="Places near the intervention", key="impact-neighbours")


def the_register() -> None:
    """Every intervention running in the period, on a map; analysts add one or record an end."""
    st.header("The register")
    if register.empty:
        st.write("No interventions recorded for these filters.")
    else:
        components.table_with_csv(interventions.register_table(register),
                                  what="Intervention register", key="impact-register")
        st.caption(md.escape(f"Interventions running at some time in the period, at places "
                             f"matching the filters ({filters.describe(ctx.ward_names)})."))
        where = components.kept(maps.interventions_map, register, view,
                                wards=state.compute(places.ward_shapes, filters),
                                counts=state.compute(places.ward_counts, filters),
                                chosen=filters.wards)
        if where is not None:
            st.subheader(md.escape(where.title))
            st.pydeck_chart(where.deck, height=maps.MAP_HEIGHT)
            unmapped = int(register[["lat", "lon"]].isna().any(axis=1).sum())
            st.caption(ctx.caption("Each ◆ is a place with an intervention running at some time in "
                                   "the period; point at it for what is being done, by whom and "
                                   "since when" + (f". {unmapped} with no map position (online "
                                                   "spaces, peer groups) are in the register only"
                                                   if unmapped else "")))
    if state.may(Permission.INTERVENTIONS):
        left, right = st.columns(2)
        with left:
            intervention_form.add_form(state.compute(interventions.places, filters))
        with right:
            intervention_form.end_form(register)
    else:
        st.caption("Analysts can add an intervention or record that one ended; your role shows "
                   "the register only.")


components.sections({"What changed": what_changed, "One intervention": one_intervention,
                     "The register": the_register}, key="interventions_section")
