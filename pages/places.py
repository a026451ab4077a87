"""Places, for the board: where harm concentrates, whether a hot spot is more than chance, when
it happens, at which kinds of place, and how the wards rank. Each is a tab (a section): only the
open one is worked out and sent, the map first."""

import streamlit as st

from analytics.board import overview
from analytics.governance.disclosure import (
    THRESHOLD,
    derived_note,
    display_count,
    shows_detail,
    suppresses,
)
from analytics.interventions import interventions
from analytics.places import maps, places
from analytics.places import places_charts as pc
from analytics.store.filters import period_words
from analytics.store.sources import reword, source
from ui import components, map_controls, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
src = source(filters.source)
nouns = src.nouns
period = period_words(filters)
st.title("Places")
components.banner(ctx)

if not state.compute(overview.has_incidents, filters):
    components.no_incidents(ctx)
    st.stop()


def where_harm_concentrates() -> None:
    """The map, its hot and cold spots, in words too."""
    st.header(md.escape(reword("Where harm concentrates", src.code)))
    if src.police:
        st.caption(md.escape(f"Places are {src.places}: police.uk moves each {src.noun} to the "
                             "nearest of a set of map points, so a place is a street or a named "
                             "spot, never an address."))
    areas = state.compute(places.lsoa_counts, filters)
    has_crime = not src.police and state.compute(places.has_area_crime, filters)
    lsoa = state.compute(places.lsoa_deciles, filters)
    chosen = map_controls.choose(src, lsoas=not areas.empty, has_crime=has_crime,
                                 has_deciles=not lsoa.empty)

    wards = state.compute(places.ward_shapes, filters)
    grid = state.compute(places.grid_hot_spots, filters, view=view)
    spots = {"ward": lambda: state.compute(places.ward_hot_spots, filters, view=view),
             "lsoa": lambda: state.compute(places.lsoa_hot_spots, filters, view=view),
             "cell": lambda: grid.result}[chosen.unit]()
    crime = (state.compute(places.area_crime_cells, filters, grid=grid.grid)
             if chosen.crime and grid.grid else None)
    result = components.kept(
        maps.places_map,
        maps.MapOptions(colour_by=chosen.colour_by, places=chosen.places,
                        hot_spots=chosen.spots, area_crime=crime is not None,
                        deprivation=chosen.deprivation, interventions=chosen.interventions),
        view, wards=wards, counts=state.compute(places.ward_counts, filters), grid=grid,
        spots=spots, points=state.compute(places.context_points, filters), period=period,
        chosen=filters.wards, crime=crime, lsoa=lsoa,
        interventions=(state.compute(interventions.register, filters) if chosen.interventions
                       else None),
        areas=areas if not areas.empty else None, noun=nouns.capitalize(), per=src.population)
    if result is None:
        st.info("There are no ward boundaries or mapped incidents to draw a map from. Load ward "
                "boundaries on the Data page.")
    else:
        st.subheader(md.escape(pc.map_headline(spots)))
        st.pydeck_chart(result.deck, height=maps.MAP_HEIGHT)
        st.plotly_chart(components.figure(pc.legend_figure, result.legend, result.title),
                        width="stretch",
                        config={"staticPlot": True}, key="places-legend")
        hidden = (f" Hexagons and places with fewer than {THRESHOLD} {nouns} are not drawn."
                  if suppresses(view) else "")
        st.caption(ctx.caption(f"{result.title}.{hidden}"))
        components.method_note(
            view, ctx.say("A hot spot has more incidents than chance would give once its "
                          "neighbours are counted; hot spots are judged across the whole "
                          "borough, whatever wards are chosen."),
            f"Hot spots: {spots.method()}. Hot spots are judged across the whole borough, whatever "
            "wards are chosen.")
        with st.expander("Show as table"):
            components.table_with_csv(pc.spot_table(spots, view), what="Hot and cold spots",
                                      key="places-spots")
    if grid.unplaced:
        plural = "s" if grid.unplaced != 1 or suppresses(view) else ""
        st.caption(md.escape(f"{display_count(grid.unplaced, view)} {src.noun}{plural} in the "
                             "selection have no map position (online spaces, peer groups, or no "
                             "location recorded) and are not on the map."))

    st.subheader("Hot and cold spots in words")
    if spots.reason:
        st.info(md.escape(spots.reason))
    elif not spots.spots:
        st.markdown(md.escape(f"No ward or area has more, or fewer, {nouns} than chance would give "
                              "once its neighbours are taken into account."))
    for sentence in pc.spot_sentences(spots):
        st.markdown(md.format("- {}", sentence))


def how_concentrated() -> None:
    """How much harm a few places carry, and the places with repeats."""
    st.header(md.escape(f"How concentrated {nouns} are" if src.police
                        else "How concentrated harm is"))
    conc = state.compute(places.concentration, filters)
    components.chart(
        components.figure(pc.lorenz_figure, conc, pc.concentration_headline(conc, view)),
        ctx.caption(f"Cumulative share of {nouns} at places, busiest place first; all known "
                    f"places of the chosen types count, including those with none "
                    f"({conc.places:,} places)"),
        pc.concentration_table(conc, view), key="places-lorenz")
    repeat = state.compute(places.repeat_locations, filters)
    st.subheader(md.escape(f"Places with repeat {nouns}"))
    if repeat.empty:
        st.markdown(md.escape(f"No place had {places.REPEAT_MIN} or more {nouns} in this "
                              "selection."))
    else:
        components.table_with_csv(pc.repeat_table(repeat, view),
                                  what=f"Places with repeat {nouns}", key="places-repeat")
        st.caption(ctx.caption(f"Places with {places.REPEAT_MIN} or more {nouns}, busiest first"))


def when_it_happens() -> None:
    """Days, hours and months, at all places or one."""
    st.header(md.escape(f"When {nouns} happen" if src.police else "When harm happens"))
    options = {"": "All places in the selection"}
    if shows_detail(view):  # one place on its own is a drill-down: lead and analyst views
        repeat = state.compute(places.repeat_locations, filters)
        options |= {cid: places.shareable_name(n, t, w, view) for cid, n, t, w in
                    zip(repeat["context_id"], repeat["name"], repeat["context_type"],
                        repeat["ward_name"], strict=True)}
    place = st.selectbox("For", list(options), format_func=options.get,
                         key=share.bind("at", "places_when", list(options), ""),
                         disabled=len(options) == 1,
                         help=None if len(options) > 1 else
                         "One place on its own is in the lead view.")
    where = f" at {options[place]}" if place else ""
    if src.time_of_day:
        when = state.compute(places.when_grid, filters, context_id=place or None)
        components.chart(
            components.figure(pc.when_heatmap, when,
                              pc.when_headline(places.peak_window(when), view, where), view),
            ctx.caption(f"{nouns.capitalize()}{where} by day of the week and hour of the day, UK "
                        "clock time"),
            pc.when_table(when, view), key="places-when")
    else:
        st.info("police.uk publishes street crime by month only, with no day or time, so there "
                "is no pattern of days and hours to show. The months of the year are below.",
                icon=":material/schedule:")
    months = state.compute(places.month_of_year, filters, context_id=place or None)
    components.chart(
        components.figure(pc.month_bars, months, pc.month_headline(months, view), view),
        ctx.caption(f"{nouns.capitalize()}{where} in each month of the year, the years of the "
                    "period added together"), pc.month_table(months, view), key="places-months")


def types_of_place() -> None:
    """Harm by type of place, this period against the last, and by month."""
    st.header("Types of place")
    types = state.compute(places.location_types, filters)
    components.chart(
        components.figure(pc.type_bars, types, pc.types_headline(types, view, period), view),
        ctx.caption(f"{nouns.capitalize()} by type of place, this period and the previous "
                    f"{period}" + ("; police.uk's named spots ('Supermarket', 'Park/Open Space') "
                                  "by their type, every other location a street" if src.police
                                  else "")),
        pc.types_table(types, view), key="places-types")
    monthly = state.compute(places.location_type_months, filters)
    if not monthly.empty:
        components.chart(
            components.figure(pc.type_trend, monthly,
                              pc.type_change_headline(types, view, period), view),
            ctx.caption(f"{nouns.capitalize()} a month at the four busiest types of place; months "
                        "with 1 to 4 are left blank in this view" if suppresses(view) else
                        f"{nouns.capitalize()} a month at the four busiest types of place"),
            pc.type_month_table(monthly, view), key="places-type-trend")


def wards_ranked() -> None:
    """The wards by count, rate and change."""
    st.header("Wards ranked")
    rank = state.compute(places.ward_ranking, filters)
    components.table_with_csv(pc.ranking_table(rank, view), what="Wards ranked", key="places-rank")
    st.caption(ctx.caption(f"{nouns.capitalize()} by ward, rate per 1,000 {src.population} (where "
                           f"known) and change on the previous {period}; rates and changes beside "
                           "hidden counts are hidden too"))


components.sections({"Map": where_harm_concentrates, "Concentration": how_concentrated,
                     "When": when_it_happens, "Types of place": types_of_place,
                     "Wards ranked": wards_ranked},
                    key="places_section")
if note := derived_note(view):
    st.caption(md.escape(note))
