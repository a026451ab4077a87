"""Plotly figures for interventions: before and after at the place against its comparisons, and
estimates with their intervals (for all interventions, and for neighbouring places).

Counts are masked with analytics.governance.disclosure before they are drawn, so a suppressing view never
plots a month with 1 to 4 incidents at a place.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import mask_small
from analytics.interventions.impact import FALL, RISE
from analytics.store.filters import uk_date
from analytics.style.charts import DARK_BLUE, DARK_GREY, ORANGE, TURQUOISE, hidden_marks, style

VERDICT_STYLE = {  # colour and shape together: never colour alone
    FALL: (DARK_BLUE, "triangle-down"),
    RISE: (ORANGE, "triangle-up"),
}
UNCLEAR_STYLE = (DARK_GREY, "circle")
RATIO_TICKS = (0.1, 0.25, 0.5, 1, 2, 4, 10)


def before_after(series: pd.DataFrame, place: str, started_on: date, view: str,
                 title: str) -> go.Figure:
    """Incidents a month at the place against what similar places suggest it would have had:
    their average, scaled to the place's own level before the start (so the two lines overlap
    before, and the gap after is the estimated effect); the start marked and the after shaded."""
    fig = go.Figure()
    after = series[series["period"] != "before"]
    if not after.empty:
        fig.add_vrect(x0=after["month"].iloc[0] - pd.Timedelta(days=15),
                      x1=after["month"].iloc[-1] + pd.Timedelta(days=15),
                      fillcolor="#F3F2F1", line_width=0, layer="below")
    if series["expected"].notna().any():
        # Drawn only where the comparisons' total is safe to show in this view.
        expected = series["expected"].where(mask_small(series["comparison_total"], view).notna())
        fig.add_trace(go.Scatter(
            x=series["month"], y=expected, name="Similar places, scaled to this place's level",
            mode="lines+markers", line={"color": TURQUOISE, "width": 2, "dash": "dash"},
            marker={"symbol": "square", "size": 6},
            hovertemplate="%{x|%B %Y}: about %{y:.1f}<extra>Similar places, scaled</extra>"))
    fig.add_trace(go.Scatter(
        x=series["month"], y=mask_small(series["place"], view), name=escape.plotly(place),
        mode="lines+markers", line={"color": DARK_BLUE, "width": 3},
        marker={"symbol": "circle", "size": 7}, connectgaps=False,
        hovertemplate="%{x|%B %Y}: %{y:,} incidents<extra>" + escape.plotly(place) + "</extra>"))
    marks = hidden_marks(series["month"], series["place"], view, DARK_BLUE, place)
    if marks is not None:
        fig.add_trace(marks)
    start = pd.Timestamp(started_on)
    fig.add_shape(type="line", x0=start, x1=start, y0=0, y1=1, yref="paper",
                  line={"color": DARK_GREY, "width": 1.5})
    fig.add_annotation(x=start, y=1, yref="paper", text=f"Began {uk_date(started_on)}",
                       showarrow=False, xanchor="left", yanchor="bottom", xshift=4)
    style(fig, title, height=400)
    fig.update_yaxes(title="Incidents a month")
    fig.update_xaxes(tickformat="%b %Y")
    return fig


def estimates(frame: pd.DataFrame, label: str, title: str, *,
              verdict: str = "certainty") -> go.Figure:
    """Each row's estimated change (ratio, log scale) with its 95% interval; shape and colour say
    whether it is a clear fall, a clear rise or no clear change. Rows without one are left out."""
    shown = frame.dropna(subset=["ratio"]).sort_values("ratio", ascending=False, kind="stable")
    shown = shown.assign(**{label: escape.plotly_all(shown[label])})  # names of places and work
    fig = go.Figure()
    for name, (colour, symbol) in (*VERDICT_STYLE.items(), ("No clear change", UNCLEAR_STYLE)):
        part = shown[shown[verdict] == name]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["ratio"], y=part[label], mode="markers", name=name,
            marker={"color": colour, "symbol": symbol, "size": 13},
            error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 2,
                     "array": part["high"] - part["ratio"],
                     "arrayminus": part["ratio"] - part["low"]},
            customdata=np.stack([_pct(part["ratio"]), _pct(part["low"]), _pct(part["high"])],
                                axis=-1),
            hovertemplate="%{y}: %{customdata[0]} (95% interval %{customdata[1]} to "
                          "%{customdata[2]})<extra></extra>"))
    fig.add_vline(x=1, line={"color": DARK_GREY, "width": 1.5})
    height = max(260, 40 * len(shown) + 170)
    style(fig, title, height=height)
    # A legend a fixed distance under the axis title, however tall the chart.
    fig.update_layout(legend={"orientation": "h", "x": 0, "yanchor": "top", "y": -90 / height},
                      margin={"l": 10, "r": 10, "t": 60, "b": 70})
    lo = min([*shown["low"], 0.5]) if not shown.empty else 0.5
    hi = max([*shown["high"], 2]) if not shown.empty else 2
    ticks = [t for t in RATIO_TICKS if lo * 0.8 <= t <= hi * 1.25]
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[_tick(t) for t in ticks],
                     range=[np.log10(lo * 0.8), np.log10(hi * 1.25)], showgrid=True,
                     tickangle=0,
                     gridcolor="#E5E6E7",
                     title="Change relative to similar places (left of the line: fewer)")
    # Categories run bottom to top: highest ratio at the bottom, the biggest fall at the top.
    fig.update_yaxes(rangemode="normal", gridcolor="white", automargin=True,
                     categoryorder="array", categoryarray=list(shown[label]))
    return fig


def _pct(values: pd.Series) -> list[str]:
    return [f"{(v - 1) * 100:+.0f}%" for v in values]


def _tick(ratio: float) -> str:
    return "no change" if ratio == 1 else f"{(ratio - 1) * 100:+.0f}%"
