"""Figures for the Where to intervene page: groups of places, what sets them apart, one place.

Builders take analysis results and return plotly figures (no maths here). Groups get a colour and
a marker shape each, so they are told apart without colour; counts of children reach charts
already masked by analytics.governance.disclosure and hidden months are marked "<5", never drawn to scale.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import SUPPRESSED, suppress_frame
from analytics.store.filters import uk_month
from analytics.style.charts import DARK_BLUE, DARK_GREY, DIVERGING, ORANGE, PALETTE, style

SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x")
MAX_GROUPS_DRAWN = len(SYMBOLS)
# Places the groups scatter draws at most: beyond about a thousand points the cloud looks the
# same and only costs the browser (3,325 points at a million incidents: a quarter of a second
# to draw and half of the page's bytes). The table under the chart lists every place.
SCATTER_POINTS = 1000
MIN_GROUP_POINTS = 30  # each group keeps at least this many (or all it has), so a small one shows


def cluster_scatter(members: pd.DataFrame, names: dict[str, str], explained: tuple[float, float],
                    title: str) -> go.Figure:
    """Places on the two main patterns (PCA), one colour and marker shape per group."""
    fig = go.Figure()
    for i, (group, frame) in enumerate(members.groupby("group", sort=True)):
        if i >= MAX_GROUPS_DRAWN:
            break
        fig.add_trace(go.Scatter(
            x=frame["x"], y=frame["y"], mode="markers",
            name=escape.plotly(f"{group}: {names[group]}"),
            # No outline: at thousands of points the browser draws them a third faster, and a
            # half-pixel white edge was not seen at this size.
            marker={"color": PALETTE[i], "symbol": SYMBOLS[i], "size": 9, "opacity": 0.85,
                    "line": {"width": 0}},
            customdata=frame[["name", "context_label"]].map(escape.plotly).to_numpy(),
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>%{{customdata[1]}}<br>Group {group}"
                           "<extra></extra>"),
        ))
    style(fig, title, height=520)
    fig.update_layout(legend={"orientation": "v", "y": -0.18, "x": 0, "yanchor": "top"},
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_xaxes(title=f"Main pattern ({explained[0]:.0%} of the differences between places)",
                     zeroline=True, zerolinecolor="#E5E6E7", showticklabels=False)
    fig.update_yaxes(title=f"Second pattern ({explained[1]:.0%})", rangemode="normal",
                     zeroline=True, zerolinecolor="#E5E6E7", showticklabels=False)
    return fig


def drawn_members(members: pd.DataFrame, n: int = SCATTER_POINTS) -> pd.DataFrame:
    """The places the groups scatter draws: every one up to `n`, else a random sample of each
    group in proportion to its size (at least MIN_GROUP_POINTS of each), the same every time."""
    if len(members) <= n:
        return members
    share = n / len(members)
    return pd.concat(
        group.sample(n=min(len(group), max(MIN_GROUP_POINTS, round(len(group) * share))),
                     random_state=0)
        for _, group in members.groupby("group", sort=True)).sort_index()


def drawn_words(drawn: pd.DataFrame, members: pd.DataFrame) -> str:
    """For the scatter's caption: how many places it draws, when it leaves some out."""
    if len(drawn) == len(members):
        return ""
    return (f"; {len(drawn):,} of the {len(members):,} places are drawn, a random sample of "
            "each group in proportion to its size (the table has every one)")


def scatter_title(groups: pd.DataFrame) -> str:
    """'The places fall into 4 groups; the largest, A, has 31 places'."""
    top = groups.sort_values(["places", "group"], ascending=[False, True]).iloc[0]
    places = "place" if int(top["places"]) == 1 else "places"
    return (f"The places fall into {len(groups)} groups; the largest, {top['group']}, has "
            f"{int(top['places']):,} {places}")


def profile_heatmap(profile: pd.DataFrame, title: str, plain: bool = False) -> go.Figure:
    """Groups (columns) by features (rows): how far each group's centre sits from the average
    (in standard deviations; `plain` for the board, which reads 'above or below average')."""
    z = profile.T
    limit = max(1.0, float(z.abs().to_numpy().max()))
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=[f"Group {g}" for g in z.columns], y=list(z.index),
        colorscale=[[i / (len(DIVERGING) - 1), c] for i, c in enumerate(DIVERGING)],
        zmin=-limit, zmax=limit, zmid=0,
        text=[[f"{v:+.1f}" for v in row] for row in z.to_numpy()], texttemplate="%{text}",
        colorbar={"title": {"text": "Above (+) or<br>below (−)<br>average" + (
            "" if plain else ",<br>in SDs")}},
        hovertemplate="%{x}, %{y}: %{z:+.2f} " + ("times the usual spread from average"
                                                 if plain else "standard deviations")
                      + "<extra></extra>",
    ))
    style(fig, title, height=max(320, 30 * len(z) + 110))
    fig.update_yaxes(autorange="reversed", gridcolor="white", rangemode="normal")
    fig.update_xaxes(side="top")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90, "b": 10})
    return fig


def heatmap_title(profile: pd.DataFrame, plain: bool = False) -> str:
    """The single strongest difference: 'Group B stands out most: share at night well above average'
    (in standard deviations, or in words where `plain`)."""
    stacked = profile.stack()
    group, feature = stacked.abs().idxmax()
    value = stacked[(group, feature)]
    side = "above" if value > 0 else "below"
    how = f"far {side} average" if plain else f"{abs(value):.1f} standard deviations {side} average"
    return f"Group {group} stands out most: {feature[0].lower() + feature[1:]} {how}"


def timeline(frame: pd.DataFrame, starts: list, title: str) -> go.Figure:
    """Monthly incidents at one place; hidden months marked as shown ('<5'); interventions marked.

    `frame` comes from contexts.timeline_for_view: month, incidents (NaN where hidden), shown.
    """
    shown = frame[frame["incidents"].notna()]
    hidden = frame[frame["incidents"].isna()]
    fig = go.Figure(go.Bar(x=shown["month"], y=shown["incidents"], marker_color=DARK_BLUE,
                           name="Incidents",
                           hovertemplate="%{x|%B %Y}: %{y:,} incidents<extra></extra>"))
    if not hidden.empty:
        fig.add_trace(go.Scatter(
            x=hidden["month"], y=[0] * len(hidden), mode="markers+text",
            text=hidden["shown"].tolist(), textposition="top center",
            marker={"symbol": "line-ew-open", "size": 10, "color": DARK_GREY},
            name=f"Hidden in this view ({SUPPRESSED}: 1 to 4 incidents)",
            hovertemplate="%{x|%B %Y}: %{text}<extra></extra>"))
    for start in starts:
        fig.add_vline(x=pd.Timestamp(start), line={"color": ORANGE, "dash": "dash", "width": 2})
    if starts:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="Intervention began",
                                 line={"color": ORANGE, "dash": "dash", "width": 2}))
    style(fig, title, height=340)
    fig.update_yaxes(title="Incidents a month")
    fig.update_xaxes(tickformat="%b %Y")
    return fig


def timeline_title(name: str, frame: pd.DataFrame, trend: float = 0.0) -> str:
    """'Birch Station: rising, with the most incidents in October 2025' (or all months hidden).

    `trend` is the place's monthly slope (contexts.profiles); its sign gives 'rising'/'falling'.
    """
    shown = frame.dropna(subset=["incidents"])
    if shown.empty or shown["incidents"].max() == 0:
        return f"{name}: every month had fewer than 5 incidents or none"
    peak = shown.loc[shown["incidents"].idxmax()]
    direction = "rising, with" if trend > 0 else "falling, with" if trend < 0 else "with"
    return f"{name}: {direction} the most incidents in {uk_month(peak['month'])}"


def risk_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Incidents at one place by risk type; small counts labelled '<5' at no length."""
    ordered = frame.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=ordered["incidents"].fillna(0), y=ordered["label"], orientation="h",
        marker_color=DARK_BLUE, text=ordered["shown"], textposition="outside",
        hovertemplate="%{y}: %{text} incidents<extra></extra>",
    ))
    style(fig, title, height=max(220, 34 * len(frame) + 100))
    fig.update_xaxes(title="Incidents carrying the risk type", rangemode="tozero")
    fig.update_yaxes(gridcolor="white", rangemode="normal")
    return fig


def scatter_table(members: pd.DataFrame) -> pd.DataFrame:
    """The table behind the scatter: every grouped place, its group and where it is."""
    return members[["group", "group_name", "name", "context_label", "ward_name"]].rename(
        columns={"group": "Group", "group_name": "Group name", "name": "Place",
                 "context_label": "Type", "ward_name": "Ward"})


def group_table(members: pd.DataFrame, group: int, view: str, nouns: str) -> pd.DataFrame:
    """One group's places with their counts (`nouns`: 'Incidents', 'Crimes'), as the view
    shows counts."""
    mine = suppress_frame(members[members["group"] == group], ["incidents"], view)
    return mine[["name", "context_label", "ward_name", "incidents"]].rename(columns={
        "name": "Place", "context_label": "Type", "ward_name": "Ward", "incidents": nouns})
