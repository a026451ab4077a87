"""Plotly figures of peer groups: the network of young people (analyst view), the network of
groups and the places they share (every view), group trends and bridge places.

No maths here beyond drawing: layouts come from analytics.peers.peers (seeded), numbers are masked
with analytics.governance.disclosure before they size or label anything a suppressing view sees.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import THRESHOLD, display_count, mask_small, suppresses
from analytics.peers import peers
from analytics.style.charts import DARK_BLUE, DARK_GREY, PALETTE, hidden_marks, style

HIGHLIGHT_MAX = 4  # groups drawn in colour; the rest are grey
HIGHLIGHT_COLOURS = PALETTE[:HIGHLIGHT_MAX]
HIGHLIGHT_SYMBOLS = ("circle", "square", "diamond", "triangle-up")
GREY = "#B1B4B6"
EDGE_GREY = "#CFD1D3"
MAX_GROUP_NODES = 40  # the group network shows at most this many groups, largest first
MAX_PLACE_NODES = 12  # ...and at most this many bridge places
MAX_UNIT_TICKS = 10  # the bridge bars' axis has a tick for each group up to this many


def person_network(network: peers.PeerNetwork, layout: pd.DataFrame,
                   highlight: tuple[str, ...], title: str) -> go.Figure:
    """Every linked young person as a dot sized by incidents, in colour for up to four groups.

    For the analyst view only: hover shows the pseudonymous id, never anything else about them.
    """
    pos = layout.set_index("person_id")[["x", "y"]]
    drawn = network.links[network.links["source"].isin(pos.index)
                          & network.links["target"].isin(pos.index)]
    fig = go.Figure()
    for heavy, width in ((False, 0.6), (True, 1.8)):
        part = drawn[(drawn["weight"] > 1) == heavy]
        xs, ys = _segments(pos, part["source"], part["target"])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": EDGE_GREY if not heavy else "#9DA0A3",
                                       "width": width}))
    people = network.people.join(pos, on="person_id", how="inner")
    highlight = tuple(highlight)[:HIGHLIGHT_MAX]
    others = people[~people["group"].isin(highlight)]
    if not others.empty:
        fig.add_trace(_people_trace(others, "Other groups", GREY, "circle"))
    for i, group in enumerate(highlight):
        members = people[people["group"] == group]
        if not members.empty:
            fig.add_trace(_people_trace(members, group, HIGHLIGHT_COLOURS[i],
                                        HIGHLIGHT_SYMBOLS[i]))
    _network_style(fig, title, len(people))
    return fig


def group_network(network: peers.PeerNetwork, bridges: pd.DataFrame, view: str,
                  highlight: tuple[str, ...], title: str) -> go.Figure:
    """One node a group (sized by young people), linked to the groups its members appear with
    and to the places it shares with other groups. Views that hide small numbers draw only groups
    of at least THRESHOLD young people, as the groups table does."""
    min_size = THRESHOLD if suppresses(view) else 0
    graph = peers.group_graph(network, bridges, MAX_GROUP_NODES, MAX_PLACE_NODES, min_size)
    layout = peers.packed_layout(graph, even=True)
    pos = pd.DataFrame(list(layout.values()), columns=["x", "y"],  # empty when no group is big
                       index=pd.Index(list(layout), dtype=object))  # enough to draw in this view
    fig = go.Figure()
    for kind, dash in (("group", "solid"), ("place", "dot")):
        edges = [(a, b) for a, b, k in graph.edges(data="kind") if k == kind]
        xs, ys = _segments(pos, [a for a, _ in edges], [b for _, b in edges])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": "#9DA0A3", "width": 1.2, "dash": dash}))
    groups = network.groups[network.groups["group"].isin(list(graph.nodes))].join(pos, on="group")
    highlight = tuple(highlight)[:HIGHLIGHT_MAX]
    others = groups[~groups["group"].isin(highlight)]
    if not others.empty:
        fig.add_trace(_group_trace(others, "Other groups", GREY, "circle", view))
    for i, g in enumerate(highlight):
        part = groups[groups["group"] == g]
        if not part.empty:
            fig.add_trace(_group_trace(part, g, HIGHLIGHT_COLOURS[i], HIGHLIGHT_SYMBOLS[i], view))
    places = bridges[bridges["context_id"].isin(list(graph.nodes))].join(pos, on="context_id")
    if not places.empty:
        fig.add_trace(go.Scatter(
            x=places["x"], y=places["y"], mode="markers+text", name="Places groups share",
            marker={"symbol": "square", "size": 13, "color": DARK_GREY},
            text=escape.plotly_all(places["name"]), textfont={"size": 12},
            textposition=_label_positions(places["x"].to_list(), places["y"].to_list(),
                                          pos["x"].max() - pos["x"].min(),
                                          pos["y"].max() - pos["y"].min()),
            customdata=places[["context_type", "groups"]],
            hovertemplate="%{text} (%{customdata[0]})<br>%{customdata[1]} groups seen here"
                          "<extra></extra>",
        ))
    _network_style(fig, title, len(graph), minimum=560)
    return fig


def group_trend(trend: pd.DataFrame, groups: tuple[str, ...], view: str,
                title: str) -> go.Figure:
    """Incidents a month for up to four groups; months with 1 to 4 left out where suppressed."""
    fig = go.Figure()
    for i, group in enumerate(tuple(groups)[:HIGHLIGHT_MAX]):
        part = trend[trend["group"] == group]
        fig.add_trace(go.Scatter(
            x=part["month"], y=mask_small(part["incidents"], view), name=group,
            mode="lines+markers", connectgaps=False,
            line={"color": HIGHLIGHT_COLOURS[i], "width": 2},
            marker={"symbol": HIGHLIGHT_SYMBOLS[i], "size": 7},
            hovertemplate=f"{group}, " + "%{x|%B %Y}: %{y:,} incidents<extra></extra>",
        ))
        marks = hidden_marks(part["month"], part["incidents"], view, HIGHLIGHT_COLOURS[i], group)
        if marks is not None:
            fig.add_trace(marks)
    style(fig, title, height=340)
    fig.update_yaxes(title="Incidents a month")
    fig.update_xaxes(tickformat="%b %Y")
    return fig


def bridge_bars(bridges: pd.DataFrame, title: str) -> go.Figure:
    """Bars of how many groups are seen at each bridge place, most first."""
    shown = bridges.head(MAX_PLACE_NODES).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=shown["groups"], y=escape.plotly_all(shown["name"]), orientation="h",
        marker_color=DARK_BLUE,
        text=shown["groups"], textposition="outside",
        customdata=shown[["context_type", "ward_name", "group_labels"]].fillna("no ward").map(
            escape.plotly),
        hovertemplate="%{y} (%{customdata[0]}, %{customdata[1]})<br>%{x} groups: "
                      "%{customdata[2]}<extra></extra>",
    ))
    style(fig, title, height=max(220, 36 * len(shown) + 110))
    # a tick a group while they are few; past that Plotly's own steps: at a million incidents
    # a place seen by 111 groups had 112 labels on top of each other, each measured by the
    # browser (0.4 s of the page's redraw)
    fig.update_xaxes(title="Peer groups seen at the place", rangemode="tozero",
                     dtick=1 if shown["groups"].max() <= MAX_UNIT_TICKS else None,
                     tickformat=",d")
    fig.update_yaxes(rangemode="normal", gridcolor="white")
    return fig


def _people_trace(people: pd.DataFrame, name: str, colour: str, symbol: str) -> go.Scatter:
    sizes = [min(28.0, 7 + 3 * math.sqrt(n)) for n in people["incidents"]]
    return go.Scatter(
        x=people["x"], y=people["y"], mode="markers", name=name,
        marker={"color": colour, "symbol": symbol, "size": sizes,
                "line": {"color": "white", "width": 0.8}},
        customdata=people[["person_id", "group", "incidents", "links"]],
        hovertemplate="Young person %{customdata[0]}<br>%{customdata[1]}<br>"
                      "%{customdata[2]} incidents; linked to %{customdata[3]} others"
                      "<extra></extra>",
    )


def _group_trace(groups: pd.DataFrame, name: str, colour: str, symbol: str,
                 view: str) -> go.Scatter:
    sizes = [12 + 3 * math.sqrt(n) for n in groups["size"]]
    hover = [f"{g}: {display_count(s, view)} young people, {display_count(i, view)} incidents"
             + (f"<br>Linked to {links}" if links else "")
             for g, s, i, links in zip(groups["group"], groups["size"], groups["incidents"],
                                       groups["links_to"], strict=True)]
    return go.Scatter(
        x=groups["x"], y=groups["y"], mode="markers+text", name=name,
        text=groups["group"].str.replace(peers.GROUP_PREFIX + " ", "", regex=False),
        textfont={"size": 11, "color": "white"},
        marker={"color": colour, "symbol": symbol, "size": sizes,
                "line": {"color": "white", "width": 1.5}},
        hovertext=hover, hoverinfo="text",
    )


def _label_positions(xs: list[float], ys: list[float], width: float,
                     height: float) -> list[str]:
    """Above or below each point, so that labels of points close together do not overlap: a
    point near an already-labelled one takes the other side (and moves left or right of it)."""
    near_x, near_y = 0.2 * (width or 1), 0.08 * (height or 1)
    chosen: list[tuple[float, float, str]] = []
    out = []
    for x, y in zip(xs, ys, strict=True):
        clash = [p for px, py, p in chosen if abs(px - x) < near_x and abs(py - y) < near_y]
        if not clash:
            place = "top center"
        elif "top center" in clash and "bottom center" not in clash:
            place = "bottom center"
        else:
            place = "middle right" if "middle right" not in clash else "middle left"
        chosen.append((x, y, place))
        out.append(place)
    return out


def _segments(pos: pd.DataFrame, sources, targets) -> tuple[list, list]:
    """x and y lists drawing each (source, target) as a line, separated by None."""
    xs, ys = [], []
    for a, b in zip(sources, targets, strict=True):
        xs += [pos.at[a, "x"], pos.at[b, "x"], None]
        ys += [pos.at[a, "y"], pos.at[b, "y"], None]
    return xs, ys


def _network_style(fig: go.Figure, title: str, nodes: int, minimum: int = 480) -> None:
    style(fig, title, height=int(min(820, max(minimum, 360 + 1.5 * nodes))))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, rangemode="normal")
    fig.update_layout(legend={"orientation": "h", "y": -0.02, "x": 0})
