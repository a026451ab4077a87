"""Plotly figures built from analysis results, in the house style (no maths here).

Colours are the UK Analysis Function's colour-blind-safe palette; every figure gets a headline
title that states the finding; the caption (measure, period, filters, data date) sits under it.

Plotly reads tags in every text it draws (a title, a tick, a hover, a legend), so text from a
file goes in escaped (analytics.governance.escape.plotly): titles here in `style`, names on axes, in hovers
and legends where each builder puts them (`plotly_all` for a column).
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.store.sources import reword, source

# UK Government Analysis Function categorical palette (colour-blind safe; at most four a chart).
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = PALETTE
# Sequential scale for heatmaps (light to dark blue; readable in greyscale too).
SEQUENTIAL = ["#F7FBFF", "#C6DBEF", "#6BAED6", "#2171B5", "#12436D"]
# Diverging scale (orange for below, blue for above), never red against green.
DIVERGING = ["#F46A25", "#FBD3BC", "#F7F7F7", "#BCCBDD", "#12436D"]
FONT = "Arial, Helvetica, sans-serif"
# Interventions, on trend charts and maps: a darker turquoise, readable as small text on white.
INTERVENTION = "#1B6F68"


def plain_title(text: str, width: int | None = None) -> str:
    """A title for Plotly from plain text: escaped, and broken into lines of at most `width`
    characters (Plotly titles do not wrap themselves)."""
    if width is None:
        return escape.plotly(text)
    lines = textwrap.wrap(text, width) or [text]
    return "<br>".join(escape.plotly(line) for line in lines)


X_AXIS = {"showgrid": False, "linecolor": "#B1B4B6"}  # the house axes (see `house_layout`)
Y_AXIS = {"gridcolor": "#E5E6E7", "zeroline": False, "rangemode": "tozero"}


def house_layout(title: str, *, height: int = 360, wrap: int | None = None) -> dict:
    """The house layout as a dict: headline title (plain text, which may name places: escaped
    here; wrapped at `wrap` characters), plain background, readable font, quiet axes.

    For a figure built in one step, go.Figure(data=..., layout=...): Plotly validates it once,
    where every update of a built figure also goes through its change machinery, about 5 ms a
    call (most of a small chart's cost, and 0.3 s of a page of small multiples)."""
    return {
        "title": {"text": plain_title(title, wrap), "x": 0, "xanchor": "left",
                  "font": {"size": 18}},
        "font": {"family": FONT, "size": 14, "color": "#0B0C0C"},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "legend": {"orientation": "h", "y": -0.2, "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": dict(X_AXIS),
        "yaxis": dict(Y_AXIS),
    }


def style(fig: go.Figure, title: str, *, height: int = 360, wrap: int | None = None) -> go.Figure:
    """Apply the house layout (`house_layout`) to a built figure, its axes all included."""
    layout = house_layout(title, height=height, wrap=wrap)
    del layout["xaxis"], layout["yaxis"]
    fig.update_layout(layout)
    fig.update_xaxes(X_AXIS)
    fig.update_yaxes(Y_AXIS)
    return fig


def merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` laid over it, nested dicts merged key by key as Plotly's updates
    merge them (a new dict; neither argument is changed)."""
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = merged(old, value) if isinstance(value, dict) and isinstance(old, dict) \
            else value
    return out


def grid_domains(rows: int, columns: int, h_space: float,
                 v_space: float) -> list[tuple[list[float], list[float]]]:
    """The (x, y) domain of each cell of a grid of panels, row by row from the top left, with
    `h_space` and `v_space` (fractions of the figure) between them, as make_subplots lays
    them out."""
    width = (1 - h_space * (columns - 1)) / columns
    height = (1 - v_space * (rows - 1)) / rows
    cells = []
    for row in range(rows):
        bottom = (rows - 1 - row) * (height + v_space)
        for column in range(columns):
            left = column * (width + h_space)
            cells.append(([left, min(1.0, left + width)], [bottom, min(1.0, bottom + height)]))
    return cells


def _panels_layout(title: str, *, height: int, margin: dict) -> dict:
    """The house layout for one figure of panels: no axes of its own (each panel brings its
    pair, `_cells`), no legend, the title hung from the top of the figure."""
    layout = house_layout(title, height=height)
    del layout["xaxis"], layout["yaxis"]
    layout["title"].update({"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}})
    layout.update(showlegend=False, margin=margin)
    return layout


def _cells(rows: int, columns: int, filled: int, h_space: float,
           v_space: float) -> list[tuple[str, dict, dict]]:
    """Each cell of a grid of panels (`grid_domains`): its axes' suffix ("" for the first, then
    "2", "3", ...) and its x and y axes, anchored to each other in their domains; the cells
    past the first `filled` (the end of the last row) are hidden."""
    cells = []
    for i, (x, y) in enumerate(grid_domains(rows, columns, h_space, v_space)):
        n = "" if i == 0 else str(i + 1)
        hidden = {} if i < filled else {"visible": False}
        cells.append((n, {"anchor": f"y{n}", "domain": x, **hidden},
                      {"anchor": f"x{n}", "domain": y, **hidden}))
    return cells


def tick_step(values: pd.Series, ticks: int = 6) -> dict:
    """Axis ticks in steps of 5 (5, 10, 25, 50, ...) when every value is a multiple of 5, as
    the board view's rounded counts are, so the scale never suggests a count of 1 to 4."""
    values = pd.Series(values).dropna()
    if values.empty or (values % 5 != 0).any():
        return {}
    span = float(values.max() - min(values.min(), 0)) or 5.0
    step = next((s for s in (5, 10, 25, 50, 100, 250, 500, 1000) if span / s <= ticks), None)
    return {"tick0": 0, "dtick": step} if step else {}


def trend_grid(frame: pd.DataFrame, titles: dict[str, str], title: str, *, columns: int = 3,
               y_title: str = "Incidents") -> go.Figure:
    """Small multiples from a frame with `risk_type`, `month` and `value`: a compact monthly line
    for each risk type, titled from `titles`, in one figure of `columns` panels a row (one figure
    draws in about half the time of one a panel), built in one step (see `house_layout`)."""
    codes = list(dict.fromkeys(frame["risk_type"]))
    columns = max(1, min(columns, len(codes)))  # one or two types: wider panels, none empty
    rows = max(1, -(-len(codes) // columns))
    panel, top, gap = 190, 95, 90  # pixels: a panel's plot, the title, and the space between
    height = top + rows * panel + (rows - 1) * gap + 30
    layout = _panels_layout(title, height=height, margin={"l": 10, "r": 10, "t": top, "b": 10})
    parts = dict(list(frame.groupby("risk_type", sort=False)))
    data, heads = [], []
    cells = _cells(rows, columns, len(codes), 0.07, gap / (height - top - 30) if rows > 1 else 0.0)
    for i, (n, x_axis, y_axis) in enumerate(cells):
        layout[f"xaxis{n}"] = {**x_axis, **X_AXIS, "tickformat": "%b %Y", "nticks": 5}
        layout[f"yaxis{n}"] = {**y_axis, **Y_AXIS}
        if i % columns == 0:
            layout[f"yaxis{n}"]["title"] = {"text": y_title}
        if i >= len(codes):
            continue
        part = parts[codes[i]]
        data.append({"type": "scatter", "x": part["month"], "y": part["value"],
                     "mode": "lines+markers", "line": {"color": DARK_BLUE, "width": 2},
                     "marker": {"size": 4}, "hovertemplate": "%{x|%B %Y}: %{y:,}<extra></extra>",
                     "xaxis": f"x{n}", "yaxis": f"y{n}"})
        heads.append({"text": plain_title(titles[codes[i]], 120 // columns),
                      "x": x_axis["domain"][0], "y": y_axis["domain"][1], "xref": "paper",
                      "yref": "paper", "xanchor": "left", "yanchor": "bottom", "align": "left",
                      "showarrow": False, "font": {"size": 14}})
    return go.Figure(data=data, layout={**layout, "annotations": heads})


def panels(figures: list[go.Figure], title: str, *, columns: int = 3, panel: int = 170,
           head: int = 86) -> go.Figure:
    """Small figures as one figure of panels, `columns` a row: each panel keeps its figure's
    traces, shapes, annotations and axes, with its title (and subtitle) above it. One figure
    draws in about half the browser's time of one a panel. `head` is the room above a panel for
    its title and up to three lines under it, `panel` a panel's plot, in pixels. Built in one
    step from the small figures' JSON (see `house_layout`)."""
    columns = max(1, min(columns, len(figures)))
    rows = max(1, -(-len(figures) // columns))
    top, ticks = 50 + head, 40  # the chart's title and the first row's heads; tick labels
    between = head + ticks
    plots = rows * panel + (rows - 1) * between
    height = top + plots + ticks
    layout = _panels_layout(title, height=height,
                            margin={"l": 10, "r": 10, "t": top, "b": ticks})
    data, shapes, notes = [], [], []
    cells = _cells(rows, columns, len(figures), 0.06, between / plots if rows > 1 else 0.0)
    for i, (n, x_axis, y_axis) in enumerate(cells):
        if i >= len(figures):  # the empty cells at the end of the last row
            layout[f"xaxis{n}"], layout[f"yaxis{n}"] = x_axis, y_axis
            continue
        small_layout = figures[i].layout.to_plotly_json()
        data += [{**trace.to_plotly_json(), "xaxis": f"x{n}", "yaxis": f"y{n}"}
                 for trace in figures[i].data]
        for kind, house, own in (("xaxis", X_AXIS, x_axis), ("yaxis", Y_AXIS, y_axis)):
            spec = {k: v for k, v in small_layout.get(kind, {}).items()
                    if k not in ("domain", "anchor")}
            layout[f"{kind}{n}"] = merged(merged(own, spec), house)
        for item, into in [*((s, shapes) for s in small_layout.get("shapes", ())),
                           *((a, notes) for a in small_layout.get("annotations", ()))]:
            spec = dict(item)
            for axis in ("x", "y"):  # "x" -> "x3", "y domain" -> "y3 domain", "paper" -> domain
                ref = spec.get(f"{axis}ref", axis)
                spec[f"{axis}ref"] = (f"{axis}{n} domain" if ref == "paper"
                                      else ref.replace(axis, f"{axis}{n}", 1))
            into.append(spec)
        heading = small_layout.get("title", {})
        words = heading.get("text") or ""
        if heading.get("subtitle", {}).get("text"):
            words += f"<br><span style='font-size:12px'>{heading['subtitle']['text']}</span>"
        # hung from the top of the room above the panel, so a row's titles line up however
        # many lines their findings take
        notes.append({"text": words, "x": x_axis["domain"][0], "y": y_axis["domain"][1],
                      "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "top",
                      "yshift": head - 4, "align": "left", "showarrow": False,
                      "font": {"size": 15}})
    return go.Figure(data=data, layout={**layout, "shapes": shapes, "annotations": notes})


def name_rows(names: pd.Series) -> dict:
    """A bar per row, named on the axis: rows sit at positions 0, 1, 2 ... with their names as
    tick labels (escaped), so two places of the same name (police.uk has many an 'On or near
    Shopping Area') are two bars, never one category; the bar's customdata is its name."""
    shown = escape.plotly_all(names)
    rows = list(range(len(shown)))
    return {"trace": {"y": rows, "customdata": shown},
            "axis": {"tickvals": rows, "ticktext": shown, "range": [-0.6, len(rows) - 0.4]}}


def change_bars(frame: pd.DataFrame, title: str, *, label: str = "name") -> go.Figure:
    """Horizontal bars of change (current minus previous), rises and falls told apart by colour and sign."""
    ordered = frame.sort_values("change")
    change = ordered["change"]
    rows = name_rows(ordered[label])
    bars = {"type": "bar", "x": change, "orientation": "h",
            "marker": {"color": [DARK_PINK if c > 0 else TURQUOISE for c in change]},
            **rows["trace"], "text": [f"{c:+,}" for c in change], "textposition": "outside",
            "hovertemplate": "%{customdata}: %{x:+,} incidents<extra></extra>"}
    layout = merged(house_layout(title, height=max(240, 40 * len(ordered) + 90)), {
        "xaxis": {"title": {"text": "Change in incidents on the previous period"},
                  "zeroline": True, "zerolinecolor": "#3D3D3D", "rangemode": "normal",
                  **tick_step(change)},
        "yaxis": {"gridcolor": "white", **rows["axis"]}})
    return go.Figure(data=[bars], layout=layout)


def hidden_marks(x: pd.Series, counts: pd.Series, view: str, colour: str,
                 name: str) -> go.Scatter | None:
    """Hollow markers where a count of 1 to 4 is hidden in this view, drawn at half the threshold
    and labelled '<5' on hover, so a gap in a line is never read as zero (None if none hidden)."""
    from analytics.governance.disclosure import SUPPRESSED, THRESHOLD, mask_small

    hidden = mask_small(counts, view).isna() & counts.notna()
    if not hidden.any():
        return None
    name = escape.plotly(name)  # a place's name, in the legend and the hover
    return go.Scatter(
        x=x[hidden], y=[THRESHOLD / 2] * int(hidden.sum()), mode="markers", name=name,
        marker={"symbol": "circle-open", "size": 9, "color": colour, "line": {"width": 2}},
        hovertemplate=f"%{{x|%B %Y}}: {SUPPRESSED}<extra>{name}</extra>", showlegend=False,
    )


def in_words(fig: go.Figure, code: str) -> go.Figure:
    """A chart built about incidents, with its title, axes, legend and hover text in the words
    of a source (sources.reword: 'Crimes a month'); the figure passed in is unchanged."""
    if not source(code).police:
        return fig
    fig = go.Figure(fig)
    if fig.layout.title.text:
        fig.layout.title.text = reword(fig.layout.title.text, code)
    for name in dir(fig.layout):
        axis = getattr(fig.layout, name, None) if name[:5] in ("xaxis", "yaxis") else None
        if axis is not None and getattr(axis.title, "text", None):
            axis.title.text = reword(axis.title.text, code)
    for trace in fig.data:
        for attribute in ("name", "hovertemplate", "text"):
            value = getattr(trace, attribute, None)
            if isinstance(value, str):
                setattr(trace, attribute, reword(value, code))
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                setattr(trace, attribute, [reword(v, code) for v in value])
        bar = getattr(trace, "colorbar", None)
        if bar is not None and getattr(bar.title, "text", None):
            bar.title.text = reword(bar.title.text, code)
    return fig
