"""Plotly figures for the Trends page: XmR and run charts, year on year, month of year.

Built from analytics.trends.trends results (no maths here). Signal points carry shape as well as colour
(orange diamonds for concern, dark blue squares for improvement, grey circles for common cause),
so the reading survives greyscale printing and colour-blindness. Counts of 1 to 4 are left out
of charts in views that suppress them (disclosure.mask_small); the limits are drawn as computed.
"""

from __future__ import annotations

import calendar
import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import mask_small, rounds
from analytics.style.charts import (
    DARK_BLUE,
    DARK_GREY,
    INTERVENTION,
    LIGHT_PURPLE,
    ORANGE,
    TURQUOISE,
    house_layout,
    panels,
    plain_title,
    style,
)
from analytics.trends import spc
from analytics.trends.trends import Seasonality, TrendSeries, Window

MARKERS = {  # point type -> (legend name, colour, symbol, size)
    spc.CONCERN: ("Concern: a signal that harm rose", ORANGE, "diamond", 11),
    spc.IMPROVEMENT: ("Improvement: a signal that harm fell", DARK_BLUE, "square", 9),
    spc.COMMON: ("Common cause: ordinary variation", "#8A8C8E", "circle", 6),
}
MAX_MARKERS = 6  # intervention markers labelled on one chart (the most recent)
SUBTITLE_LINES = 3  # room kept for a small multiple's finding
LIMIT_COLOUR, BAND_COLOUR, SHADE = DARK_GREY, "#B1B4B6", "rgba(177, 180, 182, 0.18)"


def shown_values(series: TrendSeries, view: str) -> pd.Series:
    """The values drawn in this view: as the view shows them (rounded in the board's), blank
    where the count behind them is 1 to 4."""
    keep = mask_small(series.counts["count"], view).notna()
    return series.counts["shown"].where(keep)


def xmr_chart(series: TrendSeries, title: str, *, view: str, y_title: str, unit: str = "month",
              interventions: pd.DataFrame | None = None, window: Window | None = None,
              compact: bool = False, subtitle: str | None = None) -> go.Figure:
    """An XmR chart (or run chart) of one series: values, average, limits, two-sigma band,
    signals by shape and colour, fixed limits and change points, and intervention markers.

    The signals are the package's on the exact series (trends.judge), in every view. In the
    board's view the points are drawn at the rounded counts and the centre line and limits,
    worked out from the exact counts, are left out, so nothing drawn gives back an exact count;
    points whose count is 1 to 4 are left out in views that suppress them.

    Compact charts (small multiples) put the finding in `subtitle` under a short title. Built
    in one step from its parts (charts.house_layout): a page draws a dozen."""
    res, pts = series.result, series.result.points
    x, y = pts["period"], shown_values(series, view)
    hover = "%{x|%B %Y}: %{y:,.2f}<extra></extra>" if unit == "month" else \
        "Week of %{x|%-d %B %Y}: %{y:,.2f}<extra></extra>"
    traces = [_line(x=x, y=y, color="#6F777B", width=1.5, hoverinfo="skip", showlegend=False,
                    connectgaps=False)]
    for kind, (name, colour, symbol, size) in MARKERS.items():
        on = (pts["point_type"] == kind) & y.notna()
        if kind == spc.COMMON or on.any():
            traces.append({
                "type": "scatter", "x": x[on], "y": y[on], "mode": "markers", "name": name,
                "hovertemplate": hover,
                "marker": {"color": colour, "symbol": symbol,
                           "size": size - (2 if compact else 0),
                           "line": {"color": "#0B0C0C" if kind != spc.COMMON else colour,
                                    "width": 1}},
            })
    if not rounds(view):  # worked out from exact counts: an average times the months is a total
        traces += _centre_and_limits(res, compact)
    shapes, notes = _baseline_and_changes(res, compact)
    if window is not None and window.extended and window.chosen_start:
        shapes.append(_shade(x.iloc[0], pd.Timestamp(window.chosen_start), SHADE))
        if not compact:
            notes.append(_label(x.iloc[0], "Before the chosen period", 0.01))
    labelled = 0
    if interventions is not None and not interventions.empty:
        lines_at, numbers, legend = _interventions(interventions, compact)
        shapes, notes, traces = shapes + lines_at, notes + numbers, traces + legend
        labelled = len(lines_at)
    lines = SUBTITLE_LINES if subtitle else 0  # the same for all, so a grid's rows align
    layout = house_layout(title, wrap=110 if compact else 100,
                          height=260 + 16 * lines if compact else 450)
    layout["shapes"], layout["annotations"] = shapes, notes
    if not compact:
        layout["yaxis"]["title"] = {"text": y_title}
    half = pd.Timedelta(days=15 if unit == "month" else 4)
    layout["xaxis"]["tickformat"] = "%b %Y" if unit == "month" else "%-d %b %Y"
    if len(x):
        layout["xaxis"]["range"] = [x.iloc[0] - half, x.iloc[-1] + half]
    if compact:
        layout["title"].update({"font": {"size": 15}, "yref": "container", "y": 1,
                                "yanchor": "top", "pad": {"t": 8}})
        if subtitle:
            layout["title"]["subtitle"] = {"text": plain_title(subtitle, 46),
                                           "font": {"size": 12, "color": "#0B0C0C"}}
        layout.update(showlegend=False,
                      margin={"l": 10, "r": 10, "t": 48 + 16 * lines, "b": 10})
    else:
        # Plotly places a title of several lines by its first line's middle: put that 24 px
        # down, so the tops of its letters are not cut off
        layout["title"].update({"yref": "container", "y": 1 - 24 / layout["height"],
                                "yanchor": "middle", "pad": {"t": 0, "b": 0}})
        breaks = layout["title"]["text"].count("<br>")
        layout.update(margin={"l": 10, "r": 10, "b": 10,
                              "t": 70 + 20 * min(labelled, 2) + 24 * breaks},
                      legend={"orientation": "h", "y": -0.15, "x": 0})
    return go.Figure(data=traces, layout=layout)


def xmr_panels(series: tuple[TrendSeries, ...], title: str, *, view: str, y_title: str,
               unit: str = "month", window: Window | None = None) -> go.Figure:
    """Small multiples: each series' compact XmR chart (its name, its finding under it) as a
    panel of one figure, three a row."""
    return panels([xmr_chart(s, s.label, view=view, y_title=y_title, unit=unit, window=window,
                             compact=True, subtitle=s.sentence) for s in series], title)


def _line(**spec: object) -> dict:
    """A scatter trace drawn as a line: `color`, `width` and `dash` style it, the rest are the
    trace's own properties."""
    look = {k: spec.pop(k) for k in ("color", "width", "dash") if k in spec}
    return {"type": "scatter", "mode": "lines", "line": look, **spec}


def _centre_and_limits(res: spc.SpcResult, compact: bool) -> list[dict]:
    """Average, limits and the two-sigma band for segments with limits, a dashed median for
    segments too short for them; lines break at change points."""
    pts = res.points
    lines: dict[str, dict[str, list]] = {k: {"x": [], "centre": [], "lower": [], "upper": [],
                                             "lower_band": [], "upper_band": []}
                                         for k in ("xmr", "run")}
    for _, seg in pts.groupby("segment", sort=True):
        line = lines[seg["kind"].iloc[0]]
        line["x"] += [*seg["period"], None]
        for col in ("centre", "lower", "upper", "lower_band", "upper_band"):
            line[col] += [*seg[col], None]
    traces = []
    if lines["run"]["x"]:
        traces.append(_line(x=lines["run"]["x"], y=lines["run"]["centre"],
                            name="Median (too rare for limits)", color=DARK_BLUE, width=2,
                            dash="dash", hovertemplate="Median: %{y:,.2f}<extra></extra>"))
    xmr = lines["xmr"]
    if not xmr["x"]:
        return traces
    lower = [None if v is None or pd.isna(v) else max(v, 0.0) for v in xmr["lower"]]  # ≥ 0
    limits = {"color": LIMIT_COLOUR, "width": 1.5, "dash": "dash", "legendgroup": "limits"}
    traces += [
        _line(x=xmr["x"], y=xmr["centre"], name="Average", color=DARK_BLUE, width=2,
              hovertemplate="Average: %{y:,.2f}<extra></extra>"),
        _line(x=xmr["x"], y=xmr["upper"], name="Process limits",
              hovertemplate="Upper limit: %{y:,.2f}<extra></extra>", **limits),
        _line(x=xmr["x"], y=lower, name="Lower limit", showlegend=False,
              hovertemplate="Lower limit: %{y:,.2f}<extra></extra>", **limits),
    ]
    if not compact:
        traces += [_line(x=xmr["x"], y=xmr[col], showlegend=show, name="Two-sigma band",
                         legendgroup="band", color=BAND_COLOUR, width=1, dash="dot",
                         hoverinfo="skip")
                   for col, show in (("upper_band", True), ("lower_band", False))]
    return traces


def _shade(x0: object, x1: object, colour: str) -> dict:
    """A band shaded from x0 to x1, the plot's full height, under the data (add_vrect's)."""
    return {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1,
            "yref": "y domain", "fillcolor": colour, "line": {"width": 0}, "layer": "below"}


def _upright(x: object, line: dict) -> dict:
    """A vertical line at x, the plot's full height."""
    return {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper", "line": line}


def _baseline_and_changes(res: spc.SpcResult, compact: bool) -> tuple[list[dict], list[dict]]:
    """Shapes and labels: the points the limits were fixed on, shaded, and a line at each
    change point."""
    pts = res.points
    shapes, notes = [], []
    for _, seg in pts[pts["fixed"]].groupby("segment"):
        shapes.append(_shade(seg["period"].iloc[0], seg["period"].iloc[-1],
                             "rgba(162, 133, 209, 0.15)"))
        if not compact:
            notes.append(_label(seg["period"].iloc[0], "Limits fixed on these points", 0.09,
                                "#5B3F8C"))
    for cp in res.options.change_points:
        ts = pd.Timestamp(cp)
        shapes.append(_upright(ts, {"color": DARK_BLUE, "width": 1.5}))
        if not compact:
            notes.append(_label(ts, "Limits recalculated", 0.01, DARK_BLUE))
    return shapes, notes


def _interventions(frame: pd.DataFrame, compact: bool) -> tuple[list[dict], list[dict],
                                                                 list[dict]]:
    """Shapes, labels and legend entries: a numbered dotted line where each of the latest
    MAX_MARKERS interventions started; the legend names each number, so labels never collide
    however close the lines are."""
    recent = frame.sort_values("started_on").tail(MAX_MARKERS).reset_index(drop=True)
    shapes, notes, legend = [], [], []
    dotted = {"color": TURQUOISE, "width": 2, "dash": "dot"}
    for i, row in recent.iterrows():
        ts = pd.Timestamp(row["started_on"])
        shapes.append(_upright(ts, dotted))
        if compact:
            continue
        notes.append({"x": ts, "y": 1, "yref": "paper", "text": f"<b>{i + 1}</b>",
                      "showarrow": False, "yanchor": "bottom", "yshift": 2 + 18 * (i % 2),
                      "font": {"size": 12, "color": INTERVENTION},
                      "bgcolor": "rgba(255,255,255,0.9)"})
        what = escape.plotly(textwrap.shorten(str(row["label"]), 50, placeholder="…"))
        legend.append(_line(x=[None], y=[None], name=f"{i + 1}: {what} ({ts:%b %Y})",
                            **dotted))
    return shapes, notes, legend


def _label(x: object, text: str, y: float, colour: str = DARK_GREY) -> dict:
    """A small label at date x, inside the plot, `y` of its height up from its foot."""
    return {"x": x, "y": y, "yref": "paper", "text": text, "showarrow": False,
            "xanchor": "left", "yanchor": "bottom", "yshift": 0,
            "font": {"size": 12, "color": colour}, "bgcolor": "rgba(255,255,255,0.85)"}


def year_on_year_chart(s: Seasonality, title: str, *, view: str, y_title: str) -> go.Figure:
    """One line per calendar year (the latest four) across the months of the year."""
    frame = s.by_year
    years = sorted(frame["year"].unique())[-4:]
    dashes = ("dot", "dash", "dashdot", "solid")[-len(years):]
    colours = (TURQUOISE, LIGHT_PURPLE, ORANGE, DARK_BLUE)[-len(years):]
    fig = go.Figure()
    for year, dash, colour in zip(years, dashes, colours, strict=True):
        part = frame[frame["year"] == year]
        y = part["value"].where(mask_small(part["count"], view).notna())
        fig.add_trace(go.Scatter(
            x=[calendar.month_abbr[m] for m in part["month"]], y=y, name=str(year),
            mode="lines+markers", line={"color": colour, "dash": dash, "width": 2.5},
            hovertemplate=f"%{{x}} {year}: %{{y:,.2f}}<extra></extra>",
        ))
    style(fig, title, wrap=48, height=400)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 10})
    fig.update_xaxes(categoryorder="array", categoryarray=list(calendar.month_abbr)[1:])
    fig.update_yaxes(title=y_title)
    return fig


def profile_chart(s: Seasonality, title: str, *, view: str, y_title: str) -> go.Figure:
    """Average of each calendar month, the busiest month marked by colour and its label."""
    p = s.profile
    y = p["value"].where(mask_small(p["count"], view).notna())
    top = p["value"].idxmax() if len(p) else None
    colours = [ORANGE if i == top else DARK_BLUE for i in p.index]
    fig = go.Figure(go.Bar(
        x=[calendar.month_abbr[m] for m in p["month"]], y=y, marker_color=colours,
        text=[("Most" if i == top else "") for i in p.index], textposition="outside",
        hovertemplate="%{x}: %{y:,.2f} on average<extra></extra>",
    ))
    style(fig, title, wrap=48, height=400)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 10})
    fig.update_yaxes(title=y_title)
    return fig
