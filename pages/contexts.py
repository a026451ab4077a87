"""Where to intervene: places ranked by priority with reasons and partners, one place in detail,
and groups of places that look alike, each a tab (a section): only the open one is worked out and
sent. The weights, above them, rank the places for all three."""

import streamlit as st

from analytics.contexts import clustering, context_charts, contexts, priorities
from analytics.governance.disclosure import (
    SECONDARY,
    SECONDARY_NOTE,
    display_count,
    shows_detail,
    suppresses,
)
from analytics.store.sources import source
from ui import components, downloads, priority_view, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)
say = ctx.say

st.title("Where to intervene")
components.banner(ctx)
if src.police:
    st.caption(md.escape(f"Places are {src.places}. police.uk names no one, so places are "
                         f"weighed on their {src.nouns}, whether they are rising and how many "
                         f"{src.type_nouns} occur there."))
st.write("Places ranked by how much they need a partnership response, with the reasons and the "
         "partners who can change each place. Move the weights to say what matters most.")

weights = priority_view.choose_weights(src, say)

explained = state.compute(priorities.explained, filters, weights=weights, view=view)
if explained.empty:
    components.no_incidents(ctx)
    st.stop()

shown = explained.head(components.TABLE_ROWS)  # the rest are in the CSV, a click away


def places_to_act_on_first() -> None:
    """The ranking: each place's score, why, and who can act; the table and its CSV."""
    st.header("Places to act on first")
    lengths = sorted({min(n, len(explained)) for n in (5, 10, 20, 50)})
    n_listed = st.columns([2, 3])[0].select_slider(
        "Places to list", options=lengths,
        key=share.bind("top", "top_n", lengths, min(10, len(explained))),
        format_func=lambda n: "All" if n == len(explained) else f"Top {n}")
    for _, row in explained.head(n_listed).iterrows():
        st.markdown(md.format("**{}. {}** ({}), priority {:.0f} out of 100  \nWhy: {}.  \n"
                              "Who can act: {}.", row["rank"], row["name"], row["where"],
                              row["score"], say(row["why"]), row["partners"]))
    st.caption(ctx.caption(f"Places ranked by priority score; {len(explained):,} places have "
                           f"{src.nouns}"))
    with st.expander("The highest-ranked places as a table" if len(explained) > len(shown)
                     else "Every place as a table"):
        priority_view.ranked_table(shown, len(explained))
    downloads.download_csv(priorities.export_table(explained, view),
                           what="Places ranked by priority", file_name="where-to-intervene.csv",
                           key="csv-ranked", label="Download the ranked list (CSV)")


def one_place() -> None:
    """One place in detail (lead and analyst views): its months, harms, interventions and
    neighbours."""
    st.header("A closer look at one place")
    if not shows_detail(view):
        st.info(md.escape(say("The detail of one place (its months, harms, interventions and "
                              "neighbours) is in the lead view; the board view keeps to the "
                              "ranked list.")), icon=":material/visibility:")
        return
    labels = priorities.place_labels(shown)
    picked = st.selectbox(
        "Place" if len(shown) == len(explained)
        else f"Place (the {len(shown):,} highest-ranked)", list(labels),
        format_func=labels.get,
        key=share.bind("place", "detail_place", list(labels), next(iter(labels))))
    place: contexts.ContextDetail = state.compute(contexts.detail, filters, context_id=picked)
    row = explained.set_index("context_id").loc[picked]
    shown_name = row["name"]  # a home is named as on every page: never by its address
    st.markdown(md.format("**{}** ({}). Partners who can act: {}.", shown_name, row["where"],
                          row["partners"]))
    cols = st.columns(4)
    cols[0].metric("Priority rank", f"{int(row['rank'])} of {len(explained):,}")
    cols[1].metric(md.escape(src.nouns.capitalize()), display_count(place.incidents, view))
    if src.people:
        cols[2].metric("Young people", display_count(place.young_people, view))
        cols[3].metric("Seen here more than once",
                       display_count(place.repeat_young_people, view))
    else:
        cols[2].metric(md.escape(src.type_nouns.capitalize()), f"{len(place.risk_mix):,}")

    timeline = contexts.timeline_for_view(place.timeline, view)
    note = f"; {SECONDARY_NOTE.rstrip('.')}" if (timeline["shown"] == SECONDARY).any() else ""
    components.chart(
        components.figure(context_charts.timeline, timeline, place.intervention_starts(),
                          context_charts.timeline_title(shown_name, timeline, row["trend"])),
        ctx.caption(say("Incidents a month at this place"
                        + ("; months with 1 to 4 incidents are marked <5 in this view"
                           if suppresses(view) else "")
                        + f"; dashed lines mark interventions beginning{note}")),
        contexts.timeline_table(timeline), key="detail-timeline")
    if not place.risk_mix.empty:
        mix = contexts.risk_mix_for_view(place.risk_mix, view)
        top = place.risk_mix.iloc[0]
        components.chart(
            components.figure(context_charts.risk_bars, mix,
                              f"{top['label']} is the most common "
                              f"{src.type_noun if src.police else 'harm'} at {shown_name}"),
            ctx.caption(say("Incidents at this place carrying each risk type (an incident "
                            "can carry several)")),
            mix[["label", "shown"]].rename(columns={"label": src.type_noun.capitalize(),
                                                    "shown": src.nouns.capitalize()}),
            key="detail-risks")
    st.subheader("Interventions here")
    if place.interventions.empty:
        st.write("No intervention has been recorded at this place.")
    else:
        components.table_with_csv(contexts.intervention_table(place.interventions),
                                  what=f"Interventions at {shown_name}",
                                  key="detail-interventions")
    st.subheader(f"Neighbouring places within {place.radius_m:,.0f} metres")
    if place.neighbours.empty:
        st.write("No other place is recorded this close (or this place has no location).")
    else:
        st.caption(md.escape(say(f"{len(place.neighbours):,} places, nearest first; harm can "
                                 "move next door when one place is made safer.")))
        components.table_with_csv(contexts.neighbour_table(place.neighbours, view),
                                  what=f"Places near {shown_name}", key="detail-neighbours",
                                  height=min(400, 35 * len(place.neighbours) + 40))


def places_that_look_alike() -> None:
    """Groups of places with the same pattern of harm, for one response a group."""
    st.header("Places that look alike")
    st.write(md.format("Places are grouped by the pattern of what happens there ({}, how much, "
                       "whether rising), not by type, so one response can be planned for each "
                       "group.",
                       f"which {src.type_nouns}" if src.police else "when, which harms"))
    cols = st.columns(2)
    methods = list(clustering.METHODS)
    method = cols[0].radio("Grouping method", methods, format_func=clustering.METHODS.get,
                           horizontal=True,
                           key=share.bind("method", "cl_method", methods, methods[0]))
    # 0 is "let the data choose": a None value shows as an empty box ('Choose an option')
    k_options = [0, *range(clustering.K_RANGE[0], clustering.K_RANGE[1] + 1)]
    let_data_choose = ("Let the data choose (best silhouette)" if shows_detail(view)
                       else "Let the data choose (the clearest groups)")
    k = cols[1].selectbox("Number of groups", k_options, index=0,
                          key=share.bind("groups", "cl_k", k_options, 0),
                          format_func=lambda v: let_data_choose if v == 0 else str(v)) or None
    try:  # the groups first: their stability (20 resamples) is worked out after the charts
        groups: clustering.Clustering = state.compute(clustering.cluster_contexts, filters,
                                                      method=method, k=k, view=view,
                                                      stability=False)
    except ValueError as problem:
        st.info(md.escape(say(str(problem))), icon=":material/info:")
        return
    in_words = st.empty()
    priority_view.how_far_to_trust(groups, in_words, view, say)
    names = {g: say(n) for g, n in zip(groups.groups["group"], groups.groups["name"], strict=True)}
    drawn = context_charts.drawn_members(groups.members)
    components.chart(
        components.figure(context_charts.cluster_scatter, drawn, names, groups.explained,
                          context_charts.scatter_title(groups.groups)),
        ctx.caption("Each point is a place, placed by the two main patterns in its profile "
                    + ("(principal components); " if shows_detail(view) else "")
                    + "places close together look alike"
                    + context_charts.drawn_words(drawn, groups.members)),
        context_charts.scatter_table(groups.members), key="cluster-scatter")
    profile = groups.profile.rename(columns=say)  # 'Crimes (log scale)', 'Number of crime types'
    components.chart(
        components.figure(context_charts.profile_heatmap, profile,
                          context_charts.heatmap_title(profile, plain=not shows_detail(view)),
                          plain=not shows_detail(view)),
        ctx.caption(say("How far each group's average sits from the average of all places"
                        + (", in standard deviations" if shows_detail(view)
                           else " (darker is further)")
                        + "; risk types are the share of incidents carrying them")),
        profile.T.round(2).reset_index(names="Measure"), key="cluster-heatmap")
    measured = state.compute(clustering.cluster_contexts, filters, method=method, k=k, view=view)
    priority_view.how_far_to_trust(measured, in_words, view, say)
    st.subheader("Members of each group")
    for _, g in groups.groups.iterrows():
        with st.expander(md.escape(f"Group {g['group']}: {names[g['group']]} ({g['places']:,} "
                                   f"{'place' if g['places'] == 1 else 'places'})")):
            components.table_with_csv(
                context_charts.group_table(groups.members, g["group"], view,
                                           src.nouns.capitalize()),
                what=f"Places in group {g['group']}", key=f"group-{g['group']}")


components.sections({"Places to act on first": places_to_act_on_first, "One place": one_place,
                     "Places that look alike": places_that_look_alike},
                    key="wti_section")
