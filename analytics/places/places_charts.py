"""Plotly figures and headline sentences for the Places page, built from analytics.places.places results.

Counts reaching a figure have already been through analytics.governance.disclosure (masked or dropped);
headlines read only numbers that are safe to show in the view they are given.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics.governance import escape
from analytics.governance.disclosure import (
    display_count,
    is_small,
    mask_small,
    protect_table,
    shown_difference,
    shown_rate,
    shows_detail,
    suppresses,
)
from analytics.places import hotspots
from analytics.places.maps import LegendBin
from analytics.places.places import DAYS, Concentration, HotSpots, shareable_name, spot_sentence
from analytics.style.charts import (
    DARK_BLUE,
    DARK_GREY,
    PALETTE,
    SEQUENTIAL,
    TURQUOISE,
    house_layout,
    merged,
    style,
)

LEGEND_PER_ROW = 3
LEGEND_LINE_CHARS = 38  # a legend entry wraps at about this many characters
TREND_TYPES = 4  # the trend chart draws the busiest four types of place (four colours at most)
SYMBOLS = {"square": "square", "outline": "square-open", "circle": "circle",
           "ring": "circle-open", "diamond": "diamond"}


def legend_figure(bins: tuple[LegendBin, ...] | list[LegendBin], title: str) -> go.Figure:
    """The map's legend as a small figure: a marker and a label per entry, three to a row.
    Built in one step (`charts.house_layout`): a figure's updates cost about 5 ms each, and
    this one is rebuilt whenever the map changes."""
    traces = []
    for k, b in enumerate(bins):
        row, col = divmod(k, LEGEND_PER_ROW)
        traces.append({
            "type": "scatter", "x": [col], "y": [-row], "mode": "markers+text",
            "textposition": "middle right",
            # a long entry wraps rather than running off the right of the chart
            "text": ["<br>".join(escape.plotly(line) for line in
                                 textwrap.wrap(b.label, LEGEND_LINE_CHARS))],
            "marker": {"symbol": SYMBOLS.get(b.shape, "square"), "size": 18, "color": b.colour,
                       "line": {"color": b.colour if b.shape in ("outline", "ring")
                                else DARK_GREY,
                                "width": 3 if b.shape in ("outline", "ring") else 1}},
            "hoverinfo": "skip", "showlegend": False})
    rows = max(1, -(-len(bins) // LEGEND_PER_ROW))
    layout = merged(house_layout(title, height=60 + 44 * rows), {
        "title": {"font": {"size": 14}}, "margin": {"l": 10, "r": 10, "t": 40, "b": 5},
        "xaxis": {"visible": False, "range": [-0.1, LEGEND_PER_ROW]},
        "yaxis": {"visible": False, "range": [-rows + 0.5, 0.5], "rangemode": "normal"}})
    return go.Figure(data=traces, layout=layout)


# --- hot spots -----------------------------------------------------------------------------
def map_headline(spots: HotSpots) -> str:
    """The map's title: the strongest hot spot, or that nothing stands out."""
    hot = [s for s in spots.spots if s.kind == hotspots.HOT]
    if spots.reason:
        return "Where incidents happened"
    if hot:
        more = f" (and {len(hot) - 1} more)" if len(hot) > 1 else ""
        if spots.unit in ("ward", "lsoa"):
            return f"{hot[0].lead} and its neighbours are a hot spot{more}"
        return f"The area around {hot[0].lead} is a hot spot{more}"
    unit = {"ward": "ward", "lsoa": "LSOA"}.get(spots.unit, "area")
    return f"No {unit} stands out as a hot spot: the differences look like chance"


def spot_sentences(spots: HotSpots) -> list[str]:
    """Every hot and cold spot in words, hot first."""
    return [spot_sentence(s, spots.unit) for s in spots.spots]


def spot_table(spots: HotSpots, view: str) -> pd.DataFrame:
    """The areas behind the map's outlines, for 'show as table' (significant ones first)."""
    if spots.table.empty:
        return pd.DataFrame()
    t = spots.table.sort_values(["q", "z"], ascending=[True, False])
    if not shows_detail(view):  # the board's table in plain words; the statistics are the lead's
        return pd.DataFrame({
            "Area": t["name"], "Incidents": [display_count(v, view) for v in t["incidents"]],
            "Times the borough rate (with neighbours)": t["ratio"].round(1),
            "Result": t["label"].str.capitalize()})
    return pd.DataFrame({
        "Area": t["name"],
        "Incidents": [display_count(v, view) for v in t["incidents"]],
        "Times the borough rate (with neighbours)": t["ratio"].round(1),
        "Gi* z-score": t["z"].round(2),
        "p-value": t["p"].round(4),
        "After false-discovery correction (q)": t["q"].round(4),
        "Result": t["label"].str.capitalize(),
    })


# --- concentration -------------------------------------------------------------------------
def concentration_headline(conc: Concentration, view: str) -> str:
    """'The busiest 10% of the 65 places on record (7; 40 had incidents) had 46% of incidents':
    the places counted include those with none, so the sentence says how many had any (the
    figure the Overview gives as places with incidents)."""
    if conc.incidents == 0 or conc.places == 0:
        return "No incidents at a known place in this selection"
    if suppresses(view) and is_small(conc.incidents):
        return "Fewer than 5 incidents at known places: too few to show how they concentrate"
    top = conc.shares.iloc[-1]
    return (f"The busiest {int(top['top_percent'])}% of the {conc.places:,} places on record "
            f"({int(top['places']):,}; {conc.with_incidents:,} had incidents) had "
            f"{top['share']:.0%} of incidents")


def lorenz_figure(conc: Concentration, title: str) -> go.Figure:
    """Cumulative share of incidents against share of places, busiest first, with equality."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="If every place had "
                             "the same", line={"color": DARK_GREY, "dash": "dash", "width": 1.5},
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=conc.curve["share_places"] * 100, y=conc.curve["share_incidents"] * 100,
        mode="lines", name="Places, busiest first", line={"color": DARK_BLUE, "width": 3},
        hovertemplate="Busiest %{x:.0f}% of places: %{y:.0f}% of incidents<extra></extra>"))
    for row in conc.shares.itertuples():
        if pd.notna(row.share) and conc.places:
            fig.add_trace(go.Scatter(
                x=[row.places / conc.places * 100], y=[row.share * 100], mode="markers+text",
                marker={"symbol": "diamond", "size": 10, "color": TURQUOISE},
                text=[f"top {row.top_percent}%: {row.share:.0%}"], textposition="middle right",
                showlegend=False, hoverinfo="skip"))
    style(fig, title, height=380)
    fig.update_xaxes(title="Share of places (%)", range=[0, 100])
    fig.update_yaxes(title="Share of incidents (%)", range=[0, 101])
    return fig


# --- when ----------------------------------------------------------------------------------
def when_headline(peak: tuple[str, int, int] | None, view: str, where: str = "") -> str:
    """'Incidents peak on Saturdays, 19:00 to 22:00' (or a plain statement when too few)."""
    if peak is None:
        return f"No incidents{where} in this selection"
    day, start, total = peak
    if suppresses(view) and is_small(total):
        return f"Too few incidents{where} to show a peak time"
    return (f"Incidents{where} peak on {day}s, {start:02d}:00 to {(start + 3) % 24:02d}:00 "
            f"({display_count(total, view)} incidents in those hours)")


def when_heatmap(grid: pd.DataFrame, title: str, view: str) -> go.Figure:
    """Day of week by hour of day (UK time), darker for more; small counts blank in this view."""
    shown = grid.assign(value=mask_small(grid["incidents"], view))
    z = shown.pivot(index="day", columns="hour", values="value").reindex(range(7))
    text = grid.pivot(index="day", columns="hour", values="incidents").reindex(range(7)).map(
        lambda v: display_count(v, view) if v else "")
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=[f"{h:02d}" for h in range(24)], y=list(DAYS), text=text.to_numpy(),
        texttemplate="%{text}", textfont={"size": 10}, colorscale=_scale(),
        hovertemplate="%{y} %{x}:00: %{text} incidents<extra></extra>", xgap=1, ygap=1,
        colorbar={"title": "Incidents"}))
    style(fig, title, height=380)
    fig.update_xaxes(title="Hour of the day (UK time)", showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, rangemode="normal")
    return fig


def month_headline(months: pd.DataFrame, view: str) -> str:
    """'Most incidents in July (54)'."""
    if months["incidents"].sum() == 0:
        return "No incidents in this selection"
    top = months.loc[months["incidents"].idxmax()]
    return f"Most incidents in {top['month_name']} ({display_count(top['incidents'], view)})"


def month_bars(months: pd.DataFrame, title: str, view: str) -> go.Figure:
    """Incidents in each month of the year (years of the period added together)."""
    values = mask_small(months["incidents"], view)
    fig = go.Figure(go.Bar(
        x=months["month_name"], y=values, marker_color=DARK_BLUE,
        text=[display_count(v, view) for v in months["incidents"]], textposition="outside",
        hovertemplate="%{x}: %{text}<extra></extra>"))
    style(fig, title, height=320)
    fig.update_yaxes(title="Incidents")
    return fig


# --- location types ------------------------------------------------------------------------
def types_headline(types: pd.DataFrame, view: str, period: str) -> str:
    """'Parks or open spaces had most incidents: 120, up 14 on the previous 12 months'."""
    if types.empty or types["incidents"].sum() == 0:
        return "No incidents in this selection"
    top = types.iloc[0]
    text = f"{top['label']} had most incidents: {display_count(top['incidents'], view)}"
    change = shown_difference(top["incidents"], top["previous"], view)
    if not change or period == "period":
        return text
    return f"{text}, {'up' if change > 0 else 'down'} {abs(change):,} on the previous {period}"


def type_bars(types: pd.DataFrame, title: str, view: str) -> go.Figure:
    """Incidents by type of place, this period against the previous one."""
    ordered = types.sort_values("incidents")
    fig = go.Figure()
    for column, name, colour in (("previous", "Previous period", TURQUOISE),
                                 ("incidents", "This period", DARK_BLUE)):
        fig.add_trace(go.Bar(
            y=ordered["label"], x=mask_small(ordered[column], view), orientation="h", name=name,
            marker_color=colour, text=[display_count(v, view) for v in ordered[column]],
            textposition="outside", hovertemplate="%{y}: %{text}<extra>" + name + "</extra>"))
    style(fig, title, height=max(260, 46 * len(ordered) + 110))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Incidents")
    fig.update_yaxes(rangemode="normal", gridcolor="white")
    return fig


def type_trend(monthly: pd.DataFrame, title: str, view: str, top: int = TREND_TYPES) -> go.Figure:
    """Incidents a month for the `top` busiest types of place (at most four lines)."""
    totals = monthly.groupby("label")["incidents"].sum().reset_index()
    order = totals.sort_values(["incidents", "label"], ascending=[False, True])["label"].head(top)
    fig = go.Figure()
    for k, (colour, label) in enumerate(zip(PALETTE, order, strict=False)):
        frame = monthly[monthly["label"] == label]
        fig.add_trace(go.Scatter(
            x=frame["month"], y=mask_small(frame["incidents"], view), name=label,
            mode="lines+markers", line={"color": colour, "width": 2},
            marker={"symbol": ("circle", "square", "diamond", "triangle-up")[k], "size": 7},
            hovertemplate="%{x|%B %Y}: %{y}<extra>" + label + "</extra>"))
    style(fig, title, height=360)
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_yaxes(title="Incidents")
    return fig


def type_change_headline(types: pd.DataFrame, view: str, period: str) -> str:
    """Of the busiest types (those the trend chart draws), the one that changed most."""
    safe = types.head(TREND_TYPES)
    if suppresses(view):
        safe = safe[~safe["incidents"].map(is_small) & ~safe["previous"].map(is_small)]
    safe = safe.assign(shown=[shown_difference(c, p, view) for c, p in
                              zip(safe["incidents"], safe["previous"], strict=True)])
    safe = safe[safe["shown"] != 0]
    if safe.empty or period == "period":
        return "Incidents a month at the busiest types of place"
    top = safe.loc[safe["shown"].abs().idxmax()]
    return (f"{top['label']} changed most: {'up' if top['shown'] > 0 else 'down'} "
            f"{abs(int(top['shown'])):,} on the previous {period}")


# --- tables --------------------------------------------------------------------------------
def ranking_table(rank: pd.DataFrame, view: str) -> pd.DataFrame:
    """The ward ranking as shown: counts suppressed, and rates and changes hidden beside them."""
    hide = rank["incidents"].map(is_small) & suppresses(view)
    hide_change = hide | (rank["previous"].map(is_small) & suppresses(view))
    return pd.DataFrame({
        "Ward": rank["ward_name"],
        "Incidents": [display_count(v, view) for v in rank["incidents"]],
        "Per 1,000 children": ["–" if (r := shown_rate(c, p, view)) is None else f"{r:.1f}"
                               for c, p in zip(rank["incidents"], rank["child_population"],
                                               strict=True)],
        "Previous period": [display_count(v, view) for v in rank["previous"]],
        "Change": [("–" if h or pd.isna(c) or pd.isna(p) else
                    f"{shown_difference(c, p, view):+,}")
                   for c, p, h in zip(rank["incidents"], rank["previous"], hide_change,
                                      strict=True)],
        "Main risk types": rank["main_risks"],
        "Main types of place": rank["main_places"],
    })


def repeat_table(repeat: pd.DataFrame, view: str) -> pd.DataFrame:
    """Repeat locations as shown: home addresses unnamed in board and lead views."""
    return pd.DataFrame({
        "Place": [shareable_name(n, t, w, view) for n, t, w in
                  zip(repeat["name"], repeat["context_type"], repeat["ward_name"], strict=True)],
        "Type": repeat["type"],
        "Ward": repeat["ward_name"].fillna("–"),
        "Incidents": [display_count(v, view) for v in repeat["incidents"]],
        "Months with incidents": repeat["months"],
        "First": [f"{d:%-d %B %Y}" for d in repeat["first"]],
        "Latest": [f"{d:%-d %B %Y}" for d in repeat["last"]],
        "Main risk type": repeat["main_risk"],
    })


def concentration_table(conc: Concentration, view: str) -> pd.DataFrame:
    """The top 1%, 5% and 10% of places and their share of incidents."""
    hide = suppresses(view) and is_small(conc.incidents)
    return pd.DataFrame({
        "Busiest": [f"{p}% of places" for p in conc.shares["top_percent"]],
        "Places": conc.shares["places"],
        "Incidents there": [display_count(v, view) for v in conc.shares["incidents"]],
        "Share of incidents": ["–" if hide or pd.isna(v) else f"{v:.0%}"
                               for v in conc.shares["share"]],
    })


def when_table(grid: pd.DataFrame, view: str) -> pd.DataFrame:
    """The day-by-hour grid as a table with totals, protected against differencing."""
    counts = grid.pivot(index="day", columns="hour", values="incidents")
    counts.index = [DAYS[d] for d in counts.index]
    counts.columns = [f"{h:02d}:00" for h in counts.columns]
    return protect_table(counts, view).rename_axis("Day").reset_index()


def month_table(months: pd.DataFrame, view: str) -> pd.DataFrame:
    """Month of the year and incidents."""
    return pd.DataFrame({"Month": months["month_name"],
                         "Incidents": [display_count(v, view) for v in months["incidents"]]})


def types_table(types: pd.DataFrame, view: str) -> pd.DataFrame:
    """Type of place, this period, the previous one and the change (hidden beside small counts)."""
    hide = (types["incidents"].map(is_small) | types["previous"].map(is_small)) & suppresses(view)
    return pd.DataFrame({
        "Type of place": types["label"],
        "Incidents": [display_count(v, view) for v in types["incidents"]],
        "Previous period": [display_count(v, view) for v in types["previous"]],
        "Change": ["–" if h else f"{shown_difference(c, p, view):+,}"
                   for c, p, h in zip(types["incidents"], types["previous"], hide, strict=True)],
    })


def type_month_table(monthly: pd.DataFrame, view: str) -> pd.DataFrame:
    """Incidents a month (rows) by type of place (columns)."""
    table = monthly.pivot(index="month", columns="label", values="incidents").fillna(0)
    table = table.map(lambda v: display_count(v, view))
    table.insert(0, "Month", [f"{m:%B %Y}" for m in table.index])
    return table.reset_index(drop=True)


def _scale() -> list[list]:
    """The sequential scale as a Plotly colourscale."""
    step = 1 / (len(SEQUENTIAL) - 1)
    return [[k * step, c] for k, c in enumerate(SEQUENTIAL)]

