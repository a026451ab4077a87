"""Peer groups, for leads and analysts: who is seen with whom, and the places groups share."""

import streamlit as st

from analytics.board import overview
from analytics.governance.disclosure import THRESHOLD, display_count, shows_detail, suppresses
from analytics.peers import peers, peers_charts
from analytics.store.sources import source
from ui import components, share, state
from ui import markdown as md

ctx = state.context()
view, filters = ctx.view, ctx.filters
st.title("Peer groups")
components.banner(ctx)
if source(filters.source).police:
    st.info(md.escape(f"{source(filters.source).label} names no people, so it has no peer "
                      "groups: choose partnership incidents in the sidebar to see them."),
            icon=":material/group_off:")
    st.stop()
st.write(
    "Young people who spend time with other vulnerable young people are more likely to be "
    "harmed outside the home. Two young people are **linked** when they appear together in "
    "incidents; a **group** is a set of young people more linked to each other than to anyone "
    "else, and a group is **seen at** a place when two or more of its members are there "
    "together. Young people never linked are in no group. Only pseudonymous ids are used."
)

if not state.compute(overview.has_incidents, filters):
    components.no_incidents(ctx)
    st.stop()
min_shared = st.segmented_control(
    "Link two young people when seen together in at least", [1, 2, 3],
    key=share.bind("together", "peers-min-shared", [1, 2, 3], peers.MIN_SHARED_INCIDENTS),
    format_func=lambda n: "1 incident" if n == 1 else f"{n} incidents",
    help="One shared incident is often chance (a busy evening, a police operation); friends are "
         "seen together again and again.") or peers.MIN_SHARED_INCIDENTS
# At one shared incident a million incidents' network takes seconds: say so (after half a second).
with st.spinner("Finding who is seen with whom, and the groups they form...", show_time=True):
    network: peers.PeerNetwork = state.compute(peers.peer_groups, filters, min_shared=min_shared)
if network.empty:
    st.info("No two young people appear in the same incident under these filters, so there are "
            "no peer groups to show. Widen the period or clear a filter to see more.",
            icon=":material/group_off:")
    st.stop()
bridges = peers.bridges_from(network.places)
groups = network.groups

cols = st.columns(4)
cols[0].metric("Peer groups", f"{len(groups):,}",
               help="Sets of young people linked by appearing in the same incidents.")
label, shown_people = peers.young_people_shown(network, view)
cols[1].metric(md.escape(label), display_count(shown_people, view))
cols[2].metric("Largest group (young people)", display_count(groups["size"].iloc[0], view))
cols[3].metric("Places shared by groups", f"{len(bridges):,}",
               help=f"Places where young people from {peers.MIN_BRIDGE_GROUPS} or more groups "
                    "were seen.")

choices = list(groups["group"])
shown = tuple(choices[:peers_charts.HIGHLIGHT_MAX])
# The network and each group's months are the lead's: at a board's counts they were mostly white
# space and hollow circles. The board reads how many groups, how big, and where they meet.
board = not shows_detail(view)
if board:
    st.info("How many groups there are, how big, and the places where they meet are below; the "
            "drawing of who is linked to whom, and each group month by month, are in the lead "
            "view.", icon=":material/visibility:")
else:
    st.header("Who is linked to whom")
    highlight = tuple(st.multiselect(
        "Groups drawn in colour", choices, max_selections=peers_charts.HIGHLIGHT_MAX,
        key=share.bind("groups", "peers-highlight", choices,
                       list(choices[:peers_charts.HIGHLIGHT_MAX]), multi=True),
        help="Up to four groups in colour (each with its own shape); the rest are grey."))
    title = peers.network_headline(network, view)
    person_level = not suppresses(view) and st.radio(
        "Draw", ["Young people", "Groups"], horizontal=True,
        key=share.bind("draw", "peers-level", ["Young people", "Groups"], "Young people"),
        help="The analyst view can draw each young person (pseudonymous ids in the hover); other "
             "views see groups only.") == "Young people"
    if person_level:
        layout = state.compute(peers.person_layout_for, filters, highlight=highlight,
                               min_shared=min_shared)
        if len(layout) < len(network.people):
            title = (f"{title} (drawn: the {len(layout):,} young people in the chosen and largest "
                     f"groups, of {len(network.people):,})")
        fig = components.figure(peers_charts.person_network, network, layout, highlight, title)
        table = network.people.rename(columns={
            "person_id": "Young person (pseudonymous id)", "group": "Group",
            "component": "Network", "incidents": "Incidents", "links": "Linked to (people)"})
        measure = ("Young people linked by appearing in the same incident (thicker lines: together "
                   "more than once); dot size shows incidents")
    else:
        fig = components.figure(peers_charts.group_network, network, bridges, view, highlight,
                                title)
        table, _ = peers.group_table(network, view)
        measure = ("Peer groups (numbered circles, sized by young people) linked where their members "
                   "appear together, and the places they share (squares)"
                   + (f"; in this view only groups of {THRESHOLD} or more young people are drawn"
                      if suppresses(view) else ""))
    components.chart(fig, ctx.caption(measure), table, key="peers-network")

st.header("Each group")
table, hidden = peers.group_table(network, view)
if table.empty:
    st.write(f"Every group has fewer than {THRESHOLD} young people, so in this view none is "
             "described. The analyst view lists them.")
else:
    components.table_with_csv(table, what="Peer groups", key="peers-groups")
if hidden:
    st.caption(f"{hidden:,} smaller group{'s' if hidden != 1 else ''} (fewer than {THRESHOLD} "
               "young people) not described in this view, so that no child can be identified.")

if not board:
    st.header("When each group was seen")
    shown = highlight or shown
    trend = network.trend
    components.chart(
        components.figure(peers_charts.group_trend, trend, shown, view,
                          peers.trend_headline(trend, shown)),
        ctx.caption("Incidents a month involving each group's members; in views that hide small "
                    "numbers, months with 1 to 4 show as a hollow circle"),
        peers.trend_table(trend, shown, view),
        key="peers-trend",
    )

st.header("Places that bridge groups")
st.write("A place where several groups are seen is where work could reach more than one group "
         "at once, and where groups may meet and draw others in.")
if bridges.empty:
    st.write(f"No place is shared by {peers.MIN_BRIDGE_GROUPS} or more groups under these "
             "filters.")
else:
    components.chart(
        components.figure(peers_charts.bridge_bars, bridges, peers.bridge_headline(bridges)),
        ctx.caption("Peer groups whose members were seen at each place"),
        peers.bridge_table(bridges, view),
        key="peers-bridges",
    )
