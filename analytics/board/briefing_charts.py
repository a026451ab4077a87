"""Figures for the board pack and presenter slides, and the presenter's large type.

Built from analysis results (no maths here), counts already disclosure-controlled by the caller
or passed through analytics.governance.disclosure here, in the house style of analytics.style.charts.
"""

from __future__ import annotations

import base64
import copy
import math
import re
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import display_count, mask_small
from analytics.style.charts import DARK_BLUE, TURQUOISE, style
from analytics.style.text import lower_initial

TOP_WARDS = 10  # wards drawn in the ranking chart
TOP_PLACES = 10  # places drawn in the priority chart
# Presenter type: readable from the back of a room on a 1280 x 720 screen.
SLIDE_FONT, SLIDE_TITLE, SLIDE_TICKS, SLIDE_LEGEND = 20, 24, 18, 16
SLIDE_SMALLEST = 16  # pixels: no text on a slide is smaller (value labels, names of many bars)
SLIDE_TITLE_CHARS = 54  # a chart title wraps at about this many characters on a slide
SLIDE_AXIS_CHARS = 30  # an axis title, centred under a plot that long labels can make narrow
# pixels: with the slide's title above, the whole slide fits a 1280 x 720 screen
SLIDE_HEIGHT, SLIDE_HEIGHT_UNDER_METRICS = 450, 330
# the slide's own title (st.title at 1280 px): characters to a line, and pixels a line
SLIDE_HEADING_CHARS, SLIDE_HEADING_LINE_PX = 50, 56


def ward_bars(rank: pd.DataFrame, title: str, view: str, top: int = TOP_WARDS) -> go.Figure:
    """The wards with most incidents, this period against the previous one (counts as shown)."""
    head = rank.head(top).iloc[::-1]
    fig = go.Figure()
    for column, name, colour in (("previous", "Previous period", TURQUOISE),
                                 ("incidents", "This period", DARK_BLUE)):
        fig.add_trace(go.Bar(
            y=escape.plotly_all(head["ward_name"]), x=mask_small(head[column].fillna(0), view),
            orientation="h",
            name=name, marker_color=colour,
            text=[display_count(v, view) for v in head[column]], textposition="outside",
            hovertemplate="%{y}: %{text}<extra>" + name + "</extra>"))
    style(fig, title, height=max(300, 44 * len(head) + 120))
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig.update_xaxes(title="Incidents")
    fig.update_yaxes(rangemode="normal", gridcolor="white")
    return fig


def ward_title(rank: pd.DataFrame, view: str) -> str:
    """'Larkspur Vale had most incidents: 660'."""
    if rank.empty:
        return "No ward had incidents in this selection"
    top = rank.iloc[0]
    return f"{top['ward_name']} had most incidents: {display_count(top['incidents'], view)}"


def priority_bars(explained: pd.DataFrame, title: str, top: int = TOP_PLACES) -> go.Figure:
    """The places ranked first by priority score (0 to 100), highest at the top."""
    head = explained.head(top).iloc[::-1]
    labels = escape.plotly_all(f"{r}. {n}" for r, n in zip(head["rank"], head["shown_name"],
                                                              strict=True))
    fig = go.Figure(go.Bar(
        y=labels, x=head["score"].round(0), orientation="h", marker_color=DARK_BLUE,
        text=[f"{s:.0f}" for s in head["score"]], textposition="outside",
        hovertemplate="%{y}: priority %{x:.0f} out of 100<extra></extra>"))
    style(fig, title, height=max(300, 40 * len(head) + 110))
    fig.update_xaxes(title="Priority score (0 to 100)", range=[0, 110])
    fig.update_yaxes(rangemode="normal", gridcolor="white")
    return fig


def pair_bars(pairs: pd.DataFrame, title: str, view: str) -> go.Figure:
    """The strongest overlaps as bars of lift (times what chance would give), each labelled with
    how many young people have both (as the view shows it)."""
    head = pairs.iloc[::-1]
    labels = [f"{a} and {lower_initial(b)}"
              for a, b in zip(head["a_label"], head["b_label"], strict=True)]
    fig = go.Figure(go.Bar(
        y=labels, x=head["lift"].round(1), orientation="h", marker_color=DARK_BLUE,
        text=[f"{lift:.1f} times" for lift in head["lift"]], textposition="outside",
        customdata=[display_count(n, view) for n in head["n_ab"]],
        hovertemplate="%{y}: %{text} what chance would give; %{customdata} young people have "
                      "both<extra></extra>"))
    style(fig, title, height=max(300, 44 * len(head) + 120))
    fig.add_vline(x=1, line_dash="dash", line_color="#505A5F")
    fig.update_xaxes(title="Times chance would give",
                     range=[0, float(head["lift"].max()) * 1.35 if len(head) else 2])
    fig.update_yaxes(rangemode="normal", gridcolor="white")
    return fig


def slide_height(under_metrics: bool, title: str = "") -> int:
    """How tall a slide's chart is: shorter under a row of headline figures, and for each line
    past the first that the slide's title takes."""
    extra = max(0, math.ceil(len(title) / SLIDE_HEADING_CHARS) - 1) * SLIDE_HEADING_LINE_PX
    return (SLIDE_HEIGHT_UNDER_METRICS if under_metrics else SLIDE_HEIGHT) - extra


def enlarge(fig: go.Figure, height: int = SLIDE_HEIGHT) -> go.Figure:
    """A copy of the figure with presenter type: larger title (wrapped to the slide's chart
    column), labels and ticks; a long list of bars gets ticks small enough to show every name."""
    big = copy.deepcopy(fig)
    title = re.sub(r"<br\s*/?>", " ", big.layout.title.text or "")
    lines = textwrap.wrap(title, SLIDE_TITLE_CHARS) or [""]
    top = 24 + 32 * len(lines)  # room above the plot for the title's lines
    big.update_layout(font={"size": SLIDE_FONT}, height=height, legend_font_size=SLIDE_LEGEND,
                      title={"text": "<br>".join(lines), "font": {"size": SLIDE_TITLE},
                             # Plotly places a title of several lines by its first line's middle
                             "yref": "container", "y": 1 - 28 / height,
                             "yanchor": "middle", "pad": {"t": 0, "b": 0}},
                      margin={"l": 10, "r": 40, "t": top, "b": 10},
                      legend={"orientation": "h", "x": 0, "yref": "container", "y": 0,
                              "yanchor": "bottom"})  # under the ticks, however tall they are
    bars = max((len(t.y) for t in big.data if t.type == "bar" and t.orientation == "h"
                and t.y is not None), default=0)
    ticks = SLIDE_TICKS if not bars else max(SLIDE_SMALLEST,
                                             min(SLIDE_TICKS, (height - 160) // bars - 8))
    ink = {"color": "#0B0C0C"}
    big.update_xaxes(tickfont={"size": SLIDE_TICKS, **ink}, title_font_size=SLIDE_FONT,
                     automargin=True)
    big.update_yaxes(tickfont={"size": ticks, **ink}, title_font_size=SLIDE_FONT, automargin=True)
    for axis in (big.layout.xaxis, big.layout.yaxis):
        if axis.title.text:
            axis.title.text = "<br>".join(textwrap.wrap(axis.title.text, SLIDE_AXIS_CHARS))
    big.update_traces(textfont_size=ticks, cliponaxis=False, constraintext="none",
                      selector={"type": "bar"})  # Plotly would otherwise shrink a label to its bar
    big.update_traces(textfont_size=SLIDE_SMALLEST, selector={"mode": "text"})
    big.update_annotations(font_size=SLIDE_SMALLEST)
    big.update_coloraxes(colorbar_tickfont_size=SLIDE_SMALLEST)
    if bars:
        _room_for_labels(big)
    return big


def _room_for_labels(fig: go.Figure, share: float = 0.3) -> None:
    """Widen a horizontal bar chart's value axis so labels written beside the bars fit."""
    values = [v for t in fig.data if t.type == "bar" and t.orientation == "h"
              for v in _numbers(t.x) if v == v]
    if not values:
        return
    low, high = min(0.0, float(min(values))), max(0.0, float(max(values)))
    span = (high - low) or 1.0
    fig.update_xaxes(range=[low - share * span if low < 0 else 0, high + share * span])


def _numbers(values) -> list[float]:
    """A trace's values as floats, whether a list, an array or plotly's typed array
    ({"dtype": ..., "bdata": ...}, as a figure comes back from the cache)."""
    if values is None:
        return []
    if isinstance(values, dict):
        if "bdata" not in values:
            return []
        data = base64.b64decode(values["bdata"])
        return [float(v) for v in np.frombuffer(data, dtype=np.dtype(values["dtype"]))]
    return [float(v) for v in values if v is not None]
