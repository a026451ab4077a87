"""Figures and words for the risk overlap page, built from analytics.overlap.overlap results (no maths).

The heatmap colours lift on a diverging scale centred on 1 ("no association": what chance would
give), on a log scale so that twice and half as often sit equally far from the centre; counts,
Jaccard and shares use the sequential scale. Every cell carries its value as text, with * where
the pair is stronger than chance. In board and lead views counts of 1 to 4, and any measure
worked out from them, show as "<5" with no colour.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.governance.disclosure import (
    ROUND_TO,
    SUPPRESSED,
    THRESHOLD,
    display_count,
    is_small,
    mask_small,
    rounds,
    suppress_frame,
    suppresses,
)
from analytics.governance.escape import Markdown
from analytics.overlap import overlap
from analytics.store.filters import uk_month
from analytics.style.charts import DARK_BLUE, DARK_GREY, DIVERGING, SEQUENTIAL, name_rows, style
from analytics.style.text import lower_initial, upper_initial

SIGNIFICANT_MARK = "*"
LIFT_CAP = 3  # the lift colour scale runs from 1/2**LIFT_CAP to 2**LIFT_CAP at most
TOP_COMBINATIONS = 12  # bars in the UpSet chart
TOP_PLACES = 10  # rows in a drill-down bar chart
LIGHT_GREY = "#DCDDDE"
NO_COLOUR = "#F3F2F1"  # background behind empty, diagonal and hidden cells


def legend_sentence(measure: str, unit: str, window: int | None) -> str:
    """One sentence saying how to read the chosen measure, and what * means."""
    noun, one = overlap.UNITS[unit], overlap.UNIT_ONE[unit]
    both = "both risk types recorded"
    if window is not None:
        both += " " + overlap.window_phrase(window)
    star = (f"{SIGNIFICANT_MARK} marks a pair seen together more often than chance would explain "
            f"(Fisher's exact test, one-sided, Benjamini-Hochberg adjusted p below "
            f"{overlap.ALPHA:g})")
    if measure == "lift":
        if window is None:
            colours = "blue is more often, orange less often, blank is never together"
        else:
            colours = ("blue is more often; chance here is overlap anywhere in the period, so "
                       "values under 1 are left uncoloured, as they may only mean the two were "
                       "recorded further apart")
        return (f"Lift is how many times more often the same {one} has {both} than if the two "
                f"were unrelated: 1 is chance, {colours}; {star}.")
    if measure == "count":
        return (f"Each cell counts the {noun} with {both} (the diagonal counts those with that "
                f"risk type at all); {star}.")
    if measure == "jaccard":
        return (f"The Jaccard index is the share of {noun} with either risk type who have "
                f"{both}, from 0% (never together) to 100% (always together); {star}.")
    if measure == "share":
        return (f"Read along a row: of the {noun} with the row's risk type, the share who also "
                f"have the column's ({both}), so the two halves of the chart differ; {star}.")
    raise ValueError(f"Unknown measure {measure!r}")


def plain_sentence(measure: str, unit: str) -> str:
    """How to read the chosen measure in the board's words (the method: legend_sentence)."""
    noun = overlap.UNITS[unit]
    if measure == "lift":
        return (f"A coloured cell is a pair of harms recorded for the same {noun} more often than "
                "chance would give; its number is how many times as often (2.0 is twice). "
                "Blank cells are ordinary overlap.")
    if measure == "count":
        return f"Each cell counts the {noun} with both harms recorded."
    if measure == "jaccard":
        return f"Each cell is the share of {noun} with either harm who have both."
    return (f"Read along a row: of the {noun} with the row's harm, the share who also have the "
            "column's.")


def heatmap(result: overlap.Overlap, measure: str, view: str) -> go.Figure:
    """The risk x risk heatmap of one measure, values and * marks written in the cells."""
    values = overlap.matrix(result, measure)
    counts = overlap.matrix(result, "count")
    lookup = overlap.pair_lookup(result)
    labels = list(values.index)
    hidden = _hidden_cells(counts, view)
    # A pair never seen together gets no colour: with few members "0 times chance" is weak
    # evidence, and a wall of the strongest orange would drown the pairs that matter.
    z = values.where(~hidden & (counts != 0))
    plain = measure == "lift" and rounds(view)
    if plain:  # the board's matrix: only the pairs stronger than chance, coloured and labelled
        z = z.where(_stronger_than_chance(lookup, labels))
    if measure == "count":  # totals on the diagonal would drown the pairs: written, not coloured
        z = z.where(~np.eye(len(z), dtype=bool))
    if measure == "lift":
        shown = z[z > 1] if result.window is not None else z[z > 0]  # what gets a colour
        finite = np.log2(shown.stack().dropna())
        cap = int(min(LIFT_CAP, max(1, math.ceil(finite.abs().max())))) if len(finite) else 1
        if result.window is None:
            colour_z = np.log2(z.clip(lower=2.0 ** -cap, upper=2.0**cap))
            scale, zmin, zmax, zmid = _scale(DIVERGING), -cap, cap, 0
            ticks = list(range(-cap, cap + 1))
        else:  # chance is overlap at any time, so under 1 is no evidence of anything: no colour
            colour_z = np.log2(z.where(z > 1).clip(upper=2.0**cap))
            half = DIVERGING[len(DIVERGING) // 2:]
            scale, zmin, zmax, zmid = _scale(half), 0, cap, None
            ticks = list(range(0, cap + 1))
        colorbar = {"tickvals": ticks, "ticktext": [_lift_tick(t) for t in ticks],
                    "title": {"text": "Times chance"}}
    else:
        colour_z = z
        top = float(np.nanmax(z.to_numpy())) if z.notna().any().any() else 1.0
        scale, zmin, zmax, zmid = _scale(SEQUENTIAL), 0, max(top, 1e-9), None
        colorbar = {"title": {"text": "Count" if measure == "count" else "Share"},
                    "tickformat": "," if measure == "count" else ".0%"}
    text, hover, ink = [], [], []
    for r in labels:
        text_row, hover_row, ink_row = [], [], []
        for c in labels:
            cell = _cell_text(values.loc[r, c], measure, hidden.loc[r, c], r == c, view,
                              counts.loc[r, c])
            pair = lookup.loc[(r, c)] if r != c else None
            if plain and pd.isna(z.loc[r, c]) and not hidden.loc[r, c]:
                cell = ""  # ordinary overlap: its numbers are in the hover and the table
            elif pair is not None and bool(pair["significant"]) and not hidden.loc[r, c]:
                cell += SIGNIFICANT_MARK
            text_row.append(cell)
            hover_row.append(_hover(r, c, pair, result, view, counts.loc[r, c]))
            position = _position(colour_z.loc[r, c], zmin, zmax)
            ink_row.append(_ink(scale, position))
        text.append(text_row)
        hover.append(hover_row)
        ink.append(ink_row)
    axis_labels = _axis_labels(result, view)
    fig = go.Figure(go.Heatmap(
        z=colour_z.to_numpy(), x=axis_labels, y=axis_labels, colorscale=scale, zmin=zmin,
        zmax=zmax, zmid=zmid, xgap=2, ygap=2, colorbar={**colorbar, "thickness": 14},
        customdata=np.array(hover), hovertemplate="%{customdata}<extra></extra>",
        hoverongaps=False,
    ))
    xs = [x for x in axis_labels for _ in axis_labels]
    ys = [y for _ in axis_labels for y in axis_labels]
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="text", hoverinfo="skip", showlegend=False,
        text=[text[j][i] for i in range(len(labels)) for j in range(len(labels))],
        textfont={"color": [ink[j][i] for i in range(len(labels)) for j in range(len(labels))],
                  "size": 13},
    ))
    style(fig, heatmap_title(result, measure, view), height=max(380, 44 * len(labels) + 190))
    fig.update_layout(plot_bgcolor=NO_COLOUR, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_xaxes(tickangle=-35, showgrid=False, linecolor="white")
    fig.update_yaxes(autorange="reversed", showgrid=False, rangemode="normal")
    return fig


def _stronger_than_chance(lookup: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """A labels x labels mask: True where the pair occurs together more than chance explains."""
    return pd.DataFrame([[r != c and bool(lookup.loc[(r, c)]["significant"]) for c in labels]
                         for r in labels], index=labels, columns=labels)


def heatmap_title(result: overlap.Overlap, measure: str, view: str) -> str:
    """A headline that states the finding for the chosen measure."""
    noun = overlap.UNITS[result.unit]
    pairs = result.pairs
    if pairs.empty or pairs["n_ab"].sum() == 0:
        return f"No two risk types were recorded for the same {overlap.UNIT_ONE[result.unit]}"
    if measure == "count":
        row = pairs.sort_values(["n_ab", "lift"], ascending=False).iloc[0]
        return (f"{row['a_label']} and {lower_initial(row['b_label'])} share the most {noun}: "
                f"{display_count(row['n_ab'], view)}")
    supported = pairs[pairs["n_ab"] >= overlap.MIN_SUPPORT]
    if supported.empty:
        return f"Too few {noun} share two risk types to say which overlap most"
    if measure == "lift":
        top = overlap.strongest(result)
        if top.empty:
            return "No pair of risk types occurs together clearly more often than chance"
        row = top.iloc[0]
        return overlap.pair_headline(row["a_label"], row["b_label"], row["lift"], result.window)
    if measure == "jaccard":
        row = supported.sort_values("jaccard", ascending=False).iloc[0]
        return (f"{row['a_label']} and {lower_initial(row['b_label'])} overlap most: {row['jaccard']:.0%} "
                f"of {noun} with either have both")
    forward = supported.assign(share=supported["share_b_given_a"], given=supported["a_label"],
                               other=supported["b_label"])
    backward = supported.assign(share=supported["share_a_given_b"], given=supported["b_label"],
                                other=supported["a_label"])
    row = pd.concat([forward, backward]).sort_values("share", ascending=False).iloc[0]
    return (f"{row['share']:.0%} of {noun} with {lower_initial(row['given'])} also have "
            f"{lower_initial(row['other'])}")


def heatmap_table(result: overlap.Overlap, view: str) -> pd.DataFrame:
    """Every pair with all its measures, for 'Show as table' (same suppression as the chart)."""
    p = result.pairs
    hidden = p["n_ab"].apply(is_small) & suppresses(view)
    out = pd.DataFrame({
        "Risk type A": p["a_label"], "Risk type B": p["b_label"],
        "A": p["n_a"], "B": p["n_b"], "Both": p["n_ab"],
    })
    out = suppress_frame(out, ["A", "B", "Both"], view)

    def fmt(values: pd.Series, spec: str) -> list[str]:
        return [SUPPRESSED if h else ("–" if pd.isna(v) else format(v, spec))
                for v, h in zip(values, hidden, strict=True)]

    out["Jaccard"] = fmt(p["jaccard"], ".0%")
    out["Of A, share with B"] = fmt(p["share_b_given_a"], ".0%")
    out["Of B, share with A"] = fmt(p["share_a_given_b"], ".0%")
    out["Lift"] = fmt(p["lift"], ".2f")
    out["Lift 95% interval"] = [
        SUPPRESSED if h else ("–" if pd.isna(lo) else f"{lo:.2f} to {hi:.2f}")
        for lo, hi, h in zip(p["lift_low"], p["lift_high"], hidden, strict=True)]
    out["Adjusted p"] = fmt(p["q_value"], ".3g")
    out["Stronger than chance"] = [
        SUPPRESSED if h else ("Yes" if s else "No")
        for s, h in zip(p["significant"], hidden, strict=True)]
    return out


def upset(combos: pd.DataFrame, unit: str, view: str,
          top: int = TOP_COMBINATIONS) -> go.Figure:
    """UpSet chart: a bar per exact combination, and underneath, dots for the risk types in it."""
    shown = _upset_order(combos, view).head(top).reset_index(drop=True)
    noun = overlap.UNITS[unit]
    totals = {t: int(combos.loc[combos["combo"].apply(lambda c, t=t: t in c), "n"].sum())
              for t in {t for c in shown["combo"] for t in c}}
    types = sorted(totals, key=lambda t: (-totals[t], overlap.label(t)))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.02,
                        row_heights=[0.55, 0.45])
    x = list(range(len(shown)))
    hidden = shown["shown"].map(overlap.is_hidden)
    # bars are drawn to the number shown (rounded in board and lead views), never the exact one
    heights = pd.Series([np.nan if h else float(t.replace(",", ""))
                         for h, t in zip(hidden, shown["shown"], strict=True)])
    multi = shown["size"] >= 2
    fig.add_trace(go.Bar(
        x=x, y=heights, marker_color=[DARK_BLUE if m else DARK_GREY for m in multi],
        text=list(shown["shown"]), textposition="outside", cliponaxis=False,
        customdata=[[lab, text] for lab, text in zip(shown["label"], shown["shown"],
                                                     strict=True)],
        hovertemplate=f"%{{customdata[0]}}: %{{customdata[1]}} {noun}<extra></extra>",
        showlegend=False,
    ), row=1, col=1)
    if hidden.any():  # no bar for a hidden count: write '<5' on the axis instead
        fig.add_trace(go.Scatter(
            x=[i for i in x if hidden[i]], y=[0] * int(hidden.sum()), mode="text",
            text=list(shown.loc[hidden, "shown"]), textposition="top center",
            hoverinfo="skip", showlegend=False,
        ), row=1, col=1)
    row_of = {t: i for i, t in enumerate(types)}
    fig.add_trace(go.Scatter(
        x=[i for i in x for _ in types], y=[row_of[t] for _ in x for t in types],
        mode="markers", marker={"size": 14, "color": LIGHT_GREY}, hoverinfo="skip",
        showlegend=False,
    ), row=2, col=1)
    for i, combo in zip(x, shown["combo"], strict=True):
        rows = sorted(row_of[t] for t in combo)
        fig.add_trace(go.Scatter(
            x=[i] * len(rows), y=rows, mode="lines+markers",
            line={"color": DARK_BLUE if len(rows) > 1 else DARK_GREY, "width": 3},
            marker={"size": 14, "color": DARK_BLUE if len(rows) > 1 else DARK_GREY},
            hoverinfo="skip", showlegend=False,
        ), row=2, col=1)
    style(fig, upset_title(combos, unit, view), height=360 + 30 * len(types))
    fig.update_xaxes(showticklabels=False, range=[-0.6, len(x) - 0.4], row=1, col=1)
    fig.update_xaxes(showticklabels=False, showline=False, range=[-0.6, len(x) - 0.4],
                     row=2, col=1)
    fig.update_yaxes(title=upper_initial(noun), row=1, col=1)
    fig.update_yaxes(tickvals=list(range(len(types))),
                     ticktext=[f"{overlap.label(t)} ({display_count(totals[t], view)})"
                               for t in types],
                     autorange="reversed", showgrid=False, rangemode="normal", row=2, col=1)
    return fig


def upset_title(combos: pd.DataFrame, unit: str, view: str) -> str:
    """'Most common combination: criminal exploitation and county lines (85 young people)'."""
    noun = overlap.UNITS[unit]
    ordered = _upset_order(combos, view)
    multi = ordered[ordered["size"] >= 2]
    if multi.empty:
        return f"No {overlap.UNIT_ONE[unit]} has more than one risk type recorded"
    shown = multi[~multi["shown"].map(overlap.is_hidden)]
    if shown.empty:
        return f"Every combination of two or more risk types covers fewer than {THRESHOLD} {noun}"
    row = shown.sort_values(["n", "size"], ascending=False).iloc[0]
    return (f"Most common combination: {overlap.short_describe(row['combo'], exact=False)} "
            f"({row['shown']} {noun})")


def multi_sentence(combos: pd.DataFrame, unit: str, view: str) -> str:
    """'**23 of 60 young people (38%)** have two or more of the compared risk types ...', as
    Markdown (numbers and our own words only); the sentence saying there are none as text.

    In board and lead views the number is rounded like the bars ('about 25'), so the hidden bars
    cannot be found by subtracting the shown ones from it; the percentage is left out.
    """
    noun = overlap.UNITS[unit]
    several, everyone = overlap.multi_share(combos)
    tail = "have two or more of the compared risk types recorded in the period."
    if everyone == 0:
        return f"No {noun} have a risk type recorded in the period."
    if not suppresses(view):
        return Markdown(f"**{several:,} of {everyone:,} {noun} ({several / everyone:.0%})** {tail}")
    about = "" if is_small(several) or several == 0 else "About "
    return Markdown(f"**{about}{display_count(several, view, rounded=True)} of "
                    f"{display_count(everyone, view)} {noun}** {tail}")


def upset_table(combos: pd.DataFrame, unit: str, view: str) -> pd.DataFrame:
    """The combinations as a table, in the chart's order, counts shown as in the chart."""
    ordered = _upset_order(combos, view)
    return pd.DataFrame({"Combination (exactly these risk types)": ordered["label"],
                         "Risk types": ordered["size"],
                         upper_initial(overlap.UNITS[unit]):
                         ordered["shown"]})


def ranked_bars(frame: pd.DataFrame, name: str, value: str, title: str, view: str,
                axis_title: str, top: int = TOP_PLACES, rounded: bool = False) -> go.Figure:
    """Horizontal bars of the top rows; a hidden count has no bar, only '<5' beside its name.

    `rounded` draws and writes counts to the nearest 5 in board and lead views, as the UpSet
    bars are, so a drill-down cannot undo their rounding.
    """
    shown = frame.sort_values(value, ascending=False, kind="stable").head(top).iloc[::-1]
    texts = [display_count(v, view, rounded=rounded) for v in shown[value]]
    heights = [0.0 if t == SUPPRESSED else float(t.replace(",", "")) for t in texts]
    rows = name_rows(shown[name])
    fig = go.Figure(go.Bar(
        x=heights, orientation="h", marker_color=DARK_BLUE, **rows["trace"],
        text=texts, textposition="outside",
        cliponaxis=False, hovertemplate="%{customdata}: %{text}<extra></extra>",
    ))
    style(fig, title, height=max(240, 34 * len(shown) + 110))
    fig.update_xaxes(title=axis_title, rangemode="tozero", showgrid=True, gridcolor="#E5E6E7")
    fig.update_yaxes(gridcolor="white", **rows["axis"])
    return fig


def top_title(frame: pd.DataFrame, name: str, value: str, noun: str, view: str,
              rounded: bool, preposition: str) -> str:
    """'Most in Kingsmead: 44 young people', for the row with the most."""
    top = frame.sort_values(value, ascending=False, kind="stable").iloc[0]
    return (f"Most {preposition} {top[name]}: "
            f"{display_count(top[value], view, rounded=rounded)} {noun}")


def count_table(frame: pd.DataFrame, columns: dict[str, str], counts: list[str], view: str,
                rounded: bool = False) -> pd.DataFrame:
    """The frame's `columns` renamed for a 'Show as table', the `counts` formatted as the chart."""
    out = frame[list(columns)].rename(columns=columns)
    for column in counts:
        out[column] = [display_count(v, view, rounded=rounded) for v in out[column]]
    return out


def trend(monthly: pd.DataFrame, title: str, view: str, y_title: str) -> go.Figure:
    """New members a month as a line; months with 1 to 4 are gaps in board and lead views."""
    fig = go.Figure(go.Scatter(
        x=monthly["month"], y=mask_small(monthly["value"], view), mode="lines+markers",
        line={"color": DARK_BLUE, "width": 2}, marker={"size": 6, "symbol": "circle"},
        hovertemplate="%{x|%B %Y}: %{y:,}<extra></extra>", connectgaps=False,
    ))
    style(fig, title, height=300)
    fig.update_yaxes(title=y_title)
    fig.update_xaxes(tickformat="%b %Y")
    return fig


def trend_title(monthly: pd.DataFrame, what: str, view: str) -> str:
    """'Sexual exploitation and going missing: up to 12 a month in the last 6 months, from 8'."""
    values = monthly["value"]
    total = int(values.sum())
    if total == 0:
        return f"{what}: none in any month of this period"
    if len(values) < 2:
        return f"{what}: {display_count(total, view)} in {uk_month(monthly['month'].iloc[0])}"
    half = len(values) // 2
    before, after = values.iloc[: len(values) - half], values.iloc[len(values) - half:]
    old, new = before.mean(), after.mean()
    months, earlier = _months(half), _months(len(before))
    if suppresses(view) and (values < THRESHOLD).all():
        return f"{what}: fewer than {THRESHOLD} in every month"
    if suppresses(view) and values.apply(is_small).any():
        # averages over hidden months would let a reader work the hidden counts out
        if new == old:
            return f"{what}: about as many a month in the last {months} as before"
        more = "more" if new > old else "fewer"
        return f"{what}: {more} a month in the last {months} than in the {earlier} before"
    if round(old) == round(new):
        return f"{what}: steady at about {new:.0f} a month"
    direction = "up" if new > old else "down"
    return (f"{what}: {direction} to {new:.0f} a month in the last {months}, "
            f"from {old:.0f} in the {earlier} before")


def _months(n: int) -> str:
    """'month' or '6 months'."""
    return "month" if n == 1 else f"{n} months"


def peak_sentence(monthly: pd.DataFrame, noun: str, view: str) -> str:
    """'The most in one month was 9, in March 2026.' (left out where small counts hide it)."""
    if monthly.empty or monthly["value"].max() == 0:
        return ""
    peak = monthly.loc[monthly["value"].idxmax()]
    if suppresses(view) and is_small(peak["value"]):
        return f"No month had {THRESHOLD} or more."
    return (f"The most in one month was {int(peak['value']):,}, in {uk_month(peak['month'])}.")


def _upset_order(combos: pd.DataFrame, view: str) -> pd.DataFrame:
    """Largest first, with a `shown` column of counts as the view shows them; in suppressing
    views the hidden ones go last in a fixed order, so their order gives nothing away."""
    out = combos.assign(shown=overlap.combination_counts(combos, view))
    hidden = out["shown"].map(overlap.is_hidden)
    return pd.concat([out[~hidden], out[hidden].sort_values(["size", "key"])],
                     ignore_index=True)


def _hidden_cells(counts: pd.DataFrame, view: str) -> pd.DataFrame:
    """Cells whose count (and so every measure worked from it) is hidden in this view."""
    if not suppresses(view):
        return counts.map(lambda v: False)
    return counts.map(is_small)


def _cell_text(value: float, measure: str, hidden: bool, diagonal: bool, view: str,
               count: float) -> str:
    """The number written in a cell."""
    if diagonal and measure != "count":
        return ""
    if hidden:
        return SUPPRESSED
    if pd.isna(value):
        return "–"
    if measure == "count":
        return display_count(value, view)
    if measure == "lift":
        return "0" if value == 0 else f"{value:.1f}"
    return f"{value:.0%}"


def _hover(row: str, col: str, pair: pd.Series | None, result: overlap.Overlap, view: str,
           count: float) -> str:
    """The hover text of a cell: the pair's numbers in words."""
    noun = overlap.UNITS[result.unit]
    if pair is None:
        return f"{row}: {display_count(count, view)} {noun}"
    both = display_count(pair["n_ab"], view)
    if suppresses(view) and is_small(pair["n_ab"]):
        return f"{row} and {lower_initial(col)}: {both} {noun} (figures hidden in this view)"
    interval = ("" if pd.isna(pair["lift_low"]) else
                f" (95% interval {pair['lift_low']:.1f} to {pair['lift_high']:.1f})")
    verdict = ("stronger than chance" if pair["significant"]
               else "not clearly stronger than chance")
    return (f"{row} and {lower_initial(col)}: {both} {noun} have both<br>"
            f"Of those with {lower_initial(row)}, {pair['share_b_given_a']:.0%} also have "
            f"{lower_initial(col)}<br>Lift {pair['lift']:.2f}{interval}<br>"
            f"Adjusted p = {pair['q_value']:.3g}: {verdict}")


def _axis_labels(result: overlap.Overlap, view: str) -> list[str]:
    """'Sexual exploitation (48)': each risk type with how many have it."""
    return [f"{lab} ({display_count(n, view)})"
            for lab, n in zip(result.singles["label"], result.singles["n"], strict=True)]


def _scale(colours: list[str]) -> list[list]:
    """A plotly colour scale spreading the colours evenly from 0 to 1."""
    step = 1 / (len(colours) - 1)
    return [[round(i * step, 6), c] for i, c in enumerate(colours)]


def _position(value: float, zmin: float, zmax: float) -> float | None:
    """Where a value falls on the colour scale, 0 to 1 (None for an empty cell)."""
    if value is None or pd.isna(value) or zmax == zmin:
        return None
    return float(min(1.0, max(0.0, (value - zmin) / (zmax - zmin))))


def _ink(scale: list[list], position: float | None) -> str:
    """Black or white text, whichever stands out more against the cell's colour."""
    if position is None:
        return "#0B0C0C"
    for (p0, c0), (p1, c1) in zip(scale, scale[1:], strict=False):
        if p0 <= position <= p1:
            t = 0 if p1 == p0 else (position - p0) / (p1 - p0)
            rgb = [(1 - t) * int(c0[i:i + 2], 16) + t * int(c1[i:i + 2], 16) for i in (1, 3, 5)]
            break
    lum = _luminance(rgb)
    return "#FFFFFF" if (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.05) else "#0B0C0C"


def _luminance(rgb: list[float]) -> float:
    """WCAG relative luminance of an sRGB colour given as 0-255 values."""
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lift_tick(power: int) -> str:
    """Colour-bar label for 2**power: '1/4', '1 = chance', '4×'."""
    if power == 0:
        return "1 = chance"
    return f"{2**power}×" if power > 0 else f"1/{2**-power}"


def disclosure_note(view: str, rounded: bool = False) -> str:
    """What a caption says of hidden and rounded counts in the view: '; counts of 1 to 4, and
    measures worked out from them, show as <5', then '; other counts are rounded to the
    nearest 5' where the view rounds, or where the counts are `rounded` wherever small ones
    are hidden (exact combinations: see overlap.combination_counts). '' where nothing is."""
    if not suppresses(view):
        return ""
    note = (f"; counts of 1 to {THRESHOLD - 1}, and measures worked out from them, show as "
            f"<{THRESHOLD}")
    if rounded or rounds(view):
        note += f"; other counts are rounded to the nearest {ROUND_TO}"
    return note
