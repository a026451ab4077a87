"""pydeck maps built from analysis results: ward polygons as the base, then the chosen layers.

Offline by default: no basemap tiles at all (a tile request tells an outside server which area is
being looked at). A basemap is used only when $SAFEGUARDING_MAP_STYLE names a map style URL (for
example a council's own tile server). In board and lead views, cells and places with fewer than
THRESHOLD incidents are dropped before they reach the deck, and residential addresses are never
drawn as points; every count in a tooltip passes through analytics.governance.disclosure.
"""

from __future__ import annotations

import json
import math
import os
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry.base import BaseGeometry

from analytics.governance import escape
from analytics.governance.disclosure import (
    THRESHOLD,
    are_small,
    display_count,
    display_counts,
    drop_small_rows,
    is_small,
    shown_counts,
    shown_difference,
    shown_rate,
    suppresses,
)
from analytics.places import hotspots
from analytics.places.places import MAP_PLACES, PRIVATE_TYPES, GridHotSpots, HotSpots
from analytics.store.sources import risk_label
from analytics.style.charts import DARK_GREY, DARK_PINK, INTERVENTION, ORANGE, SEQUENTIAL, TURQUOISE
from analytics.style.text import joined

STYLE_ENV = "SAFEGUARDING_MAP_STYLE"
MAP_HEIGHT = 620  # pixels; the view is fitted to the data for a map about this tall
MAP_WIDTH = 900  # pixels we assume the map is wide when fitting the view
HIDDEN_GREY = "#D9D9D9"  # wards whose count is hidden (1 to 4) in this view
EMPTY_WHITE = "#FFFFFF"
FILL_ALPHA = 190
PLACE_RADIUS_M = 20  # a place's circle: this many metres times the square root of its incidents
# ...but the busiest place's circle is never wider than this share of the places' spread, so a
# small area (the City of London is 3 km across) is not hidden under its own circles
PLACE_RADIUS_SHARE = 0.04
TOOLTIP = {"text": "{tip}", "style": {"backgroundColor": "#0B0C0C", "color": "white",
                                      "fontFamily": "Arial, sans-serif", "fontSize": "13px"}}
MEASURES = {"incidents": "Incidents", "rate": "Incidents per 1,000 children"}


@dataclass(frozen=True)
class LegendBin:
    """One entry of a map legend: a colour (hex) and what it means."""

    colour: str
    label: str
    shape: str = "square"  # square (a fill), outline, circle or a text marker such as ▲


@dataclass(frozen=True)
class MapResult:
    """The deck and the legend entries the page draws beside it."""

    deck: pdk.Deck
    legend: tuple[LegendBin, ...]
    title: str  # what the colours show


def rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    """'#12436D' -> [18, 67, 109, alpha]."""
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def rings(geom: BaseGeometry) -> list[list[list[list[float]]]]:
    """A (multi)polygon as PolygonLayer polygons: each [outer ring, holes...] of [lon, lat]."""
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [[[[round(x, 6), round(y, 6)] for x, y in ring.coords]
             for ring in (part.exterior, *part.interiors)] for part in parts]


def nice_bins(values: Iterable[float], n: int = len(SEQUENTIAL) - 1) -> list[float]:
    """Up to n classes from 0 to the maximum, broken at round numbers (1, 2, 5, 10, 20 ...).

    Counts of harm are skewed (a few cells hold most), so classes grow geometrically rather than
    splitting the range evenly. Returns the breaks: [0, b1, ..., top].
    """
    v = np.asarray([x for x in values if x is not None and np.isfinite(x) and x > 0], float)
    if v.size == 0:
        return []
    low, top = float(v.min()), _round_up(float(v.max()))
    candidates = [m * 10.0 ** e for e in range(-2, 7) for m in (1, 2, 5)]
    inner = [c for c in candidates if low < c < top]
    while len(inner) > n - 1:
        inner = inner[1::2] if len(inner) % 2 == 0 else inner[::2]
    return [0.0, *inner, top]


NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def _round_up(x: float) -> float:
    """Round up to a round number: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten."""
    if x <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(x))
    for step in NICE_STEPS:
        if x <= step * power + 1e-9:
            return step * power
    return 10 * power


CLASS_COLOURS = SEQUENTIAL[1:]  # the palest blue is too close to white ("none")


def nice_bins_colours(breaks: list[float]) -> list[str]:
    """One colour a class, spread over the sequential scale, darkest for the top class."""
    classes = max(len(breaks) - 1, 1)
    picks = np.round(np.linspace(len(CLASS_COLOURS) - classes, len(CLASS_COLOURS) - 1, classes))
    return [CLASS_COLOURS[max(int(k), 0)] for k in picks]


def bin_colour(value: float, breaks: list[float]) -> str:
    """The sequential colour of a value's class (darker is more)."""
    return bin_colours([value], breaks)[0]


def bin_colours(values, breaks: list[float]) -> list[str]:
    """bin_colour of many values at once: the first class whose top is at or above each."""
    colours = nice_bins_colours(breaks)
    k = np.searchsorted(np.asarray(breaks[1:], float), np.asarray(values, float), side="left")
    return [colours[i] for i in np.minimum(k, len(colours) - 1)]


def _bin_legend(breaks: list[float], fmt: str) -> list[LegendBin]:
    """'up to 5', 'over 5 to 10', ..., 'over 50': one entry a class."""
    out = []
    for k in range(1, len(breaks)):
        low = breaks[k - 1]
        if k == 1:
            label = f"up to {breaks[k]:{fmt}}"
        elif k == len(breaks) - 1:
            label = f"over {low:{fmt}}"
        else:
            label = f"over {low:{fmt}} to {breaks[k]:{fmt}}"
        out.append(LegendBin(bin_colour(breaks[k], breaks), label))
    return out


def characters(rows: list[dict]) -> str:
    """Every character the text rows use: TextLayer draws only characters it was given."""
    return "".join(sorted({ch for row in rows for ch in row["text"]} - {'"'}))


def literal(text: str) -> str:
    """A string pydeck passes through as a value (unquoted strings become JS expressions)."""
    return '"' + text.replace('"', "") + '"'



# --- layers ------------------------------------------------------------------------------
def ward_layers(wards: pd.DataFrame, counts: pd.DataFrame, view: str, *,
                colour_by: str | None, chosen: tuple[str, ...] = (), noun: str = "Incidents",
                per: str = "children") -> tuple[pdk.Layer, pdk.Layer, list[LegendBin]]:
    """Ward polygons (filled by count or rate, or outlines only), their names, the legend."""
    frame = wards.merge(counts[["ward_code", "incidents", "rate"]], on="ward_code", how="left")
    if "child_population" in frame:  # the rate drawn and told is of the count as shown
        frame["rate"] = [shown_rate(n, p, view) for n, p in
                         zip(frame["incidents"], frame["child_population"], strict=True)]
        frame["rate"] = frame["rate"].astype(float)
    small = frame["incidents"].map(is_small) & suppresses(view)
    values = frame[colour_by].where(~small) if colour_by else pd.Series(np.nan, frame.index)
    breaks = nice_bins(values) if colour_by else []
    fmt = ",.0f" if colour_by == "incidents" else ",.1f"
    rows, labels = [], []
    for (_, ward), value, hidden in zip(frame.iterrows(), values, small, strict=True):
        rate = "–" if hidden or pd.isna(ward["rate"]) else f"{ward['rate']:.1f}"
        tip = escape.deck(f"{ward['ward_name']}\n{noun}: "
                          f"{display_count(ward['incidents'], view)}\nPer 1,000 {per}: {rate}")
        if colour_by is None:
            fill = rgba(EMPTY_WHITE, 0)
        elif hidden:
            fill = rgba(HIDDEN_GREY, FILL_ALPHA)
        elif not value or pd.isna(value):
            fill = rgba(EMPTY_WHITE, FILL_ALPHA)
        else:
            fill = rgba(bin_colour(value, breaks), FILL_ALPHA)
        faded = bool(chosen) and ward["ward_code"] not in chosen
        for polygon in rings(ward["shape"]):
            rows.append({"polygon": polygon, "fill": fill, "tip": tip,
                         "line": rgba(DARK_GREY, 90 if faded else 230)})
        centre = ward["shape"].representative_point()
        labels.append({"position": [centre.x, centre.y], "text": escape.deck(ward["ward_name"]),
                       "tip": tip})
    fill, names = (
        pdk.Layer("PolygonLayer", rows, id="wards", get_polygon="polygon", get_fill_color="fill",
                  get_line_color="line", line_width_min_pixels=1.5, stroked=True,
                  filled=colour_by is not None, pickable=True),
        pdk.Layer("TextLayer", labels, id="ward-names", get_position="position",
                  get_text="text", get_size=13, get_color=rgba("#0B0C0C"),
                  font_family=literal("Arial, Helvetica, sans-serif"), font_weight=600,
                  outline_width=3, outline_color=rgba("#FFFFFF"), font_settings={"sdf": True},
                  character_set=literal(characters(labels)), pickable=False),
    )
    legend = []
    if colour_by:
        legend = _bin_legend(breaks, fmt)
        legend.append(LegendBin(EMPTY_WHITE, "none" if colour_by == "incidents"
                                else f"no {noun.lower()}"))
        if small.any():
            legend.append(LegendBin(HIDDEN_GREY, f"fewer than {THRESHOLD} (hidden)"))
    return fill, names, legend


# Density hexagons are drawn a little smaller than their cells, so the background between them
# parts them as a thin line would. Outlining each instead cost 60 to 90 ms of every frame of the
# Places map drawn without a GPU (155 to 194 ms a frame with the outlines, 68 to 112 without).
HEX_DRAWN = 0.96


def density_layer(grid_result: GridHotSpots, view: str) -> tuple[list, list]:
    """Incidents on the hexagon grid; in board and lead views cells under THRESHOLD are dropped."""
    grid, cells = grid_result.grid, grid_result.cells
    if grid is None or cells.empty:
        return [], []
    shown = drop_small_rows(cells, ["selected"], view)
    shown = shown[shown["selected"] > 0]
    breaks = nice_bins(shown["selected"])
    fills = {c: rgba(c, 215) for c in nice_bins_colours(breaks)}
    rows = pd.DataFrame({
        "polygon": grid.polygons(shown["q"].to_numpy(), shown["r"].to_numpy(), HEX_DRAWN),
        "fill": [fills[c] for c in bin_colours(shown["selected"], breaks)],
        "tip": (f"Incidents in this {grid.width_m:,.0f} m hexagon: "
                + display_counts(shown["selected"], view)).to_numpy()})
    layer = pdk.Layer("PolygonLayer", rows, id="density", get_polygon="polygon",
                      get_fill_color="fill", stroked=False, pickable=True)
    legend = _bin_legend(breaks, ",.0f")
    if suppresses(view):
        legend.append(LegendBin(EMPTY_WHITE, f"cells with fewer than {THRESHOLD}: not shown"))
    return [layer], legend


def context_layer(points: pd.DataFrame, view: str, period: str,
                  noun: str = "Incidents") -> tuple[list, list]:
    """Places as circles sized by incidents, with name, type, risks and trend in the tooltip."""
    if points.empty:
        return [], []
    shown = points[points["incidents"] > 0]
    if suppresses(view):
        shown = shown[~shown["context_type"].isin(PRIVATE_TYPES)]
        shown = drop_small_rows(shown, ["incidents"], view)
    places = len(shown)
    scale = _place_scale(shown)  # over every place, drawn or not: the spread of the area
    if places > MAP_PLACES:  # the busiest; every place is in the tables and their CSV
        shown = shown.nlargest(MAP_PLACES, "incidents", keep="first")
    rows = pd.DataFrame({
        "position": shown[["lon", "lat"]].to_numpy().tolist(),
        "radius": (scale * PLACE_RADIUS_M * np.sqrt(shown["incidents"].astype(float))
                   ).to_numpy(),
        "tip": escape.deck_all(
            shown["name"].astype(str) + " (" + shown["type"].astype(str) + f")\n{noun}: "
            + display_counts(shown["incidents"], view) + "\n" + _risk_lines(shown["risks"], view)
            + "\n" + trend_words_all(shown["incidents"], shown["previous"], view, period)
        ).to_numpy()})
    layer = pdk.Layer("ScatterplotLayer", rows, id="places", get_position="position",
                      get_radius="radius", radius_units=literal("meters"),
                      get_fill_color=rgba("#FFFFFF", 150), get_line_color=rgba(DARK_GREY),
                      line_width_min_pixels=2, stroked=True, pickable=True,
                      radius_min_pixels=3)
    busiest = f"; the {MAP_PLACES:,} busiest of {places:,}" if places > MAP_PLACES else ""
    size = f"size = {noun.lower()}{busiest}"
    note = (f"place ({size}; fewer than {THRESHOLD} and home addresses not shown)"
            if suppresses(view) else f"place ({size})")
    return [layer], [LegendBin(DARK_GREY, note, "ring")]


def _place_scale(points: pd.DataFrame) -> float:
    """1, or less where the busiest place's circle would be wider than PLACE_RADIUS_SHARE of
    the distance the places spread over."""
    if len(points) < 2:
        return 1.0
    lat = points["lat"].astype(float)
    spread = max((lat.max() - lat.min()) * 111_000, (points["lon"].astype(float).max()
                 - points["lon"].astype(float).min()) * 111_000 * math.cos(math.radians(lat.mean())))
    widest = PLACE_RADIUS_M * math.sqrt(float(points["incidents"].max()))
    return min(1.0, PLACE_RADIUS_SHARE * spread / widest) if widest and spread else 1.0


def trend_words(current: int, previous: int, view: str, period: str) -> str:
    """'Up 4 on the previous 12 months', hiding the change when either count is small."""
    if suppresses(view) and (is_small(current) or is_small(previous)):
        return f"Previous {period}: {display_count(previous, view)}"
    change = shown_difference(current, previous, view)
    if change == 0:
        return f"Same as the previous {period}"
    return f"{'Up' if change > 0 else 'Down'} {abs(change):,} on the previous {period}"


def _risk_lines(risks: pd.Series, view: str) -> pd.Series:
    """Each place's '  Risk type: count' lines, from its (code, count) pairs, most common first."""
    pairs = risks.explode().dropna()
    if pairs.empty:
        return pd.Series("", index=risks.index, dtype=object)
    split = pd.DataFrame(pairs.tolist(), index=pairs.index, columns=["code", "n"])
    labels = {code: risk_label(code) for code in pd.unique(split["code"])}
    lines = ("  " + split["code"].map(labels) + ": "
             + display_counts(split["n"], view))
    return joined(lines, lines.index, "\n").reindex(risks.index, fill_value="")


def trend_words_all(current: pd.Series, previous: pd.Series, view: str,
                    period: str) -> pd.Series:
    """trend_words of every place at once."""
    now, before = shown_counts(current, view), shown_counts(previous, view)
    change = pd.Series(now - before, index=current.index).astype(int)
    words = np.where(change > 0, "Up ", "Down ") + _thousands(change.abs())
    out = pd.Series(words, index=current.index, dtype=object) + f" on the previous {period}"
    out = out.where(change != 0, f"Same as the previous {period}")
    if suppresses(view):
        hidden = are_small(current) | are_small(previous)
        out = out.where(~hidden, f"Previous {period}: " + display_counts(previous, view))
    return out



def _thousands(values: pd.Series) -> pd.Series:
    """'1,234' for every whole number of a column (worked out once per distinct value)."""
    return values.map({v: f"{int(v):,}" for v in pd.unique(values)}).astype(object)


def hot_spot_layers(result: HotSpots, *, wards: pd.DataFrame | None = None,
                    grid: hotspots.HexGrid | None = None,
                    cells: pd.DataFrame | None = None) -> tuple[list, list, list]:
    """Thick outlines round significant wards or cells, ▲ (hot) and ▼ (cold) markers, legend."""
    if result.table.empty or not (result.table["label"] != hotspots.NOT_SIGNIFICANT).any():
        return [], [], []
    marked = result.table[result.table["label"] != hotspots.NOT_SIGNIFICANT]
    leads = {s.lead_id for s in result.spots}  # one marker a spot, on its strongest area
    rows, marks = [], []
    for row in marked.itertuples():
        hot = row.label == hotspots.HOT
        colour = DARK_PINK if hot else TURQUOISE
        tip = escape.deck(f"{'Hot' if hot else 'Cold'} spot: {row.name}\n{row.ratio:.1f} times "
                          f"the borough rate, {hotspots.confidence_words(row.q)}")
        if result.unit in ("ward", "lsoa") and wards is not None:  # the areas' own shapes
            geom = wards.set_index("ward_code").at[row.id, "shape"]
            polygons, centre = rings(geom), geom.representative_point()
            position = [centre.x, centre.y - 0.15 * (geom.bounds[3] - geom.bounds[1])]
        elif grid is not None and cells is not None:
            q, r = (int(v) for v in row.id.split(","))
            polygons = [[grid.polygon(q, r)]]
            lat, lon = grid.centre(np.array([q]), np.array([r]))
            position = [float(lon[0]), float(lat[0])]
        else:
            continue
        rows += [{"polygon": p, "line": rgba(colour), "tip": tip} for p in polygons]
        if row.id in leads:
            marks.append({"position": position, "text": "▲" if hot else "▼",
                          "colour": rgba(colour), "tip": tip})
    outlines = [
        pdk.Layer("PolygonLayer", rows, id="hot-spots", get_polygon="polygon", filled=False,
                  stroked=True, get_line_color="line", line_width_min_pixels=4, pickable=True)]
    markers = [
        pdk.Layer("TextLayer", marks, id="hot-spot-marks", get_position="position",
                  get_text="text", get_color="colour", get_size=20, character_set=literal("▲▼"),
                  outline_width=2, outline_color=rgba("#FFFFFF"), font_settings={"sdf": True},
                  pickable=True)]
    kinds = set(marked["label"])
    legend = ([LegendBin(DARK_PINK, "▲ hot spot (more than chance)", "outline")]
              if hotspots.HOT in kinds else [])
    if hotspots.COLD in kinds:
        legend.append(LegendBin(TURQUOISE, "▼ cold spot (fewer than chance)", "outline"))
    return outlines, markers, legend


def area_crime_layer(cells: pd.DataFrame, grid: hotspots.HexGrid) -> tuple[list, list]:
    """police.uk street crime on the same grid, as orange circles sized by crimes."""
    if cells.empty:
        return [], []
    top = max(float(cells["crimes"].max()), 1.0)
    rows = [{"position": [c.lon, c.lat], "radius": grid.size_m * 0.9 * math.sqrt(c.crimes / top),
             "tip": f"Street crime recorded by police (police.uk): {int(c.crimes):,}"}
            for c in cells.itertuples()]
    layer = pdk.Layer("ScatterplotLayer", rows, id="area-crime", get_position="position",
                      get_radius="radius", radius_units=literal("meters"),
                      get_fill_color=rgba(ORANGE, 120), get_line_color=rgba(ORANGE),
                      line_width_min_pixels=1, stroked=True, pickable=True)
    return [layer], [LegendBin(ORANGE, "street crime, all ages (police.uk; size = crimes)",
                               "circle")]


INTERVENTION_MARK = "◆"
# A ◆ of text with a white outline costs 30 to 80 ms of each frame Chromium draws without a GPU.
# Two filled diamonds a place (white under the colour) drew each frame in less, but sent 40%
# more (a halo carries its place's tooltip too) and made a first visit's first frame 1.7 s
# slower in three runs of seven (docs/bench/browser-1000000.md, 5 December, afternoon).


def intervention_layer(register: pd.DataFrame, view: str,
                       incidents: pd.Series | None = None) -> tuple[list, list]:
    """A ◆ at each place with an intervention in the period; the tooltip says what is being done,
    by whom and since when. No counts of children are involved, but in board and lead views home
    addresses are never drawn, as for places.

    With `incidents` (each place's count, by context_id), at most MAP_PLACES places are marked:
    those with the most incidents as the view shows them (`_busiest`)."""
    shown = register.dropna(subset=["lat", "lon"])
    if suppresses(view):
        shown = shown[~shown["context_type"].isin(PRIVATE_TYPES)]
    if shown.empty:
        return [], []
    marked = shown["context_id"].nunique()
    if incidents is not None and marked > MAP_PLACES:
        shown = shown[shown["context_id"].isin(_busiest(shown, incidents, view))]
    partners = _words(shown["partner_labels"], "")
    lines = (_words(shown["intervention_type"], "Intervention") + ": began "
             + uk_dates(shown["started_on"]) + ", "
             + ("ended " + uk_dates(shown["ended_on"])).fillna("still running")
             + "\n  Lead: " + _words(shown["lead_label"], "–")
             + ("; partners: " + partners).where(partners != "", ""))
    # one ◆ a place: its name, then two lines an intervention, in the register's order
    first = shown.drop_duplicates("context_id")
    tips = (first["context_name"].astype(str) + " (" + first["context_label"].astype(str) + ")\n"
            + first["context_id"].map(joined(lines, shown["context_id"], "\n")))
    rows = pd.DataFrame({"position": first[["lon", "lat"]].astype(float).to_numpy().tolist(),
                         "text": INTERVENTION_MARK, "tip": escape.deck_all(tips).to_numpy(),
                         "id": first["context_id"].astype(str).to_numpy()})
    layer = pdk.Layer("TextLayer", rows, id="interventions", get_position="position",
                      get_text="text", get_color=rgba(INTERVENTION), get_size=22,
                      character_set=literal(INTERVENTION_MARK), outline_width=2,
                      outline_color=rgba("#FFFFFF"), font_settings={"sdf": True}, pickable=True)
    note = (f"; the {len(first):,} busiest of {marked:,} places with one"
            if len(first) < marked else "")
    return [layer], [LegendBin(INTERVENTION, f"◆ intervention in the period{note}", "diamond")]


def _busiest(shown: pd.DataFrame, incidents: pd.Series, view: str) -> list:
    """The MAP_PLACES places of `shown` with the most incidents, ties by name. The counts are
    those the view shows, with 1 to 4 as none: which places are marked says no more than the
    map's circles and tables do."""
    places = shown.drop_duplicates("context_id")[["context_id", "context_name"]]
    counts = places["context_id"].map(incidents).fillna(0)
    if suppresses(view):
        counts = pd.Series(np.where(are_small(counts), 0, shown_counts(counts, view)),
                           index=counts.index)
    order = places.assign(n=counts).sort_values(["n", "context_name", "context_id"],
                                                ascending=[False, True, True])
    return order["context_id"].head(MAP_PLACES).tolist()


def uk_dates(values: pd.Series) -> pd.Series:
    """uk_date of every value of a column of dates ('23 November 2026'); missing stays missing."""
    d = pd.to_datetime(values)
    return (d.dt.day.astype("Int64").astype(str) + " " + d.dt.month_name() + " "
            + d.dt.year.astype("Int64").astype(str)).where(d.notna())


def _words(values: pd.Series, empty: str) -> pd.Series:
    """Text of a column, `empty` where it is missing or blank."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.where(text != "", empty)


DECILE_COLOURS = ("#3F1A6B", "#6B3FA0", "#A285D1", "#D5C8EC", "#F2EDF9")  # most to least deprived


def deprivation_layer(lsoa: pd.DataFrame) -> tuple[list, list]:
    """LSOAs shaded by deprivation decile, in pairs (1-2 most deprived, darkest)."""
    if lsoa.empty:
        return [], []
    rows = []
    for area in lsoa.itertuples():
        colour = DECILE_COLOURS[(area.imd_decile - 1) // 2]
        tip = escape.deck(f"{area.lsoa_name}\nDeprivation decile {area.imd_decile} (1 = most "
                          "deprived 10%)")
        rows += [{"polygon": p, "fill": rgba(colour, 150), "tip": tip} for p in rings(area.shape)]
    layer = pdk.Layer("PolygonLayer", rows, id="deprivation", get_polygon="polygon",
                      get_fill_color="fill", get_line_color=rgba("#FFFFFF", 120),
                      line_width_min_pixels=0.5, stroked=True, pickable=True)
    legend = [LegendBin(c, f"deprivation deciles {2 * k + 1} to {2 * k + 2}")
              for k, c in enumerate(DECILE_COLOURS)]
    return [layer], legend


@dataclass(frozen=True)
class MapOptions:
    """What the reader chose to see on the map."""

    colour_by: str = "density"  # "density", "incidents" or "rate"
    places: bool = True
    hot_spots: bool = True
    area_crime: bool = False
    deprivation: bool = False
    interventions: bool = True


def places_map(options: MapOptions, view: str, *, wards: pd.DataFrame, counts: pd.DataFrame,
               grid: GridHotSpots, spots: HotSpots, points: pd.DataFrame, period: str,
               chosen: tuple[str, ...] = (), crime: pd.DataFrame | None = None,
               lsoa: pd.DataFrame | None = None,
               interventions: pd.DataFrame | None = None,
               areas: pd.DataFrame | None = None, noun: str = "Incidents",
               per: str = "children") -> MapResult | None:
    """The Places map: layers stacked so outlines, circles and names stay on top of fills.

    `areas` are the LSOAs (places.lsoa_counts): coloured when `colour_by` is "lsoa", and the
    shapes of LSOA hot spots. `noun` and `per` name what is counted ('Crimes', 'residents')."""
    bounds = bounds_of(wards, chosen, points)
    if bounds is None:
        return None
    words = {"noun": noun, "per": per}
    by_ward = options.colour_by in MEASURES
    by_lsoa = options.colour_by == "lsoa" and areas is not None
    lsoas = (areas.rename(columns={"lsoa_code": "ward_code", "lsoa_name": "ward_name"})
             if areas is not None else None)
    fill, names, ward_legend = ward_layers(
        wards, counts, view, colour_by=options.colour_by if by_ward else None, chosen=chosen,
        **words)
    stack, legend = [], []

    def add(layers: list, entries: list) -> None:
        stack.extend(layers)
        legend.extend(entries)

    if options.deprivation and lsoa is not None:
        add(*deprivation_layer(lsoa))
    if by_lsoa:
        lsoa_fill, names, lsoa_legend = ward_layers(lsoas[["ward_code", "ward_name", "shape"]],
                                                    lsoas, view, colour_by="incidents", **words)
        add([lsoa_fill], lsoa_legend)
        stack.append(fill)  # ward outlines over the LSOAs
        title = f"{noun} by LSOA"
    elif by_ward:
        add([fill], ward_legend)
        title = f"{noun if options.colour_by == 'incidents' else f'{noun} per 1,000 {per}'} by ward"
    else:
        add(*density_layer(grid, view))
        stack.append(fill)  # ward outlines over the hexagons
        width = f"{grid.grid.width_m:,.0f} m" if grid.grid else ""
        title = f"{noun} in hexagons {width} across"
    if options.area_crime and crime is not None and grid.grid is not None:
        add(*area_crime_layer(crime, grid.grid))
    outlines, markers, spot_legend = (
        hot_spot_layers(spots, wards=lsoas if spots.unit == "lsoa" else wards, grid=grid.grid,
                        cells=grid.cells) if options.hot_spots else ([], [], []))
    add(outlines, spot_legend)
    if options.places:
        add(*context_layer(points, view, period, noun))
    if options.interventions and interventions is not None:
        add(*intervention_layer(interventions, view,
                                incidents=points.set_index("context_id")["incidents"]))
    stack += [names, *markers]
    return MapResult(deck(stack, bounds), tuple(legend), title)


def interventions_map(register: pd.DataFrame, view: str, *, wards: pd.DataFrame,
                      counts: pd.DataFrame, chosen: tuple[str, ...] = ()) -> MapResult | None:
    """The Interventions page's map: ward outlines and a ◆ at each place with an intervention;
    None when none of them is at a place with a map position."""
    layers, legend = intervention_layer(register, view)
    bounds = bounds_of(wards, chosen, register.dropna(subset=["lat", "lon"]))
    if not layers or bounds is None:
        return None
    fill, names, _ = ward_layers(wards, counts, view, colour_by=None, chosen=chosen)
    return MapResult(deck([fill, names, *layers], bounds), tuple(legend),
                     "Places with an intervention in the period")


# --- the deck ----------------------------------------------------------------------------
def fit_view(bounds: tuple[float, float, float, float], *, width: int = MAP_WIDTH,
             height: int = MAP_HEIGHT, padding: float = 0.08) -> pdk.ViewState:
    """The centre and zoom that fit (lon_min, lat_min, lon_max, lat_max) into the map."""
    lon_min, lat_min, lon_max, lat_max = bounds
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    dlon = max(lon_max - lon_min, 1e-4) * (1 + 2 * padding)
    dy = max(merc(lat_max) - merc(lat_min), 1e-6) * (1 + 2 * padding)
    zoom = min(math.log2(width * 360 / (512 * dlon)), math.log2(height * 2 * math.pi / (512 * dy)))
    centre_lat = math.degrees(2 * math.atan(math.exp((merc(lat_min) + merc(lat_max)) / 2))
                              - math.pi / 2)
    return pdk.ViewState(latitude=round(centre_lat, 6), longitude=round((lon_min + lon_max) / 2, 6),
                         zoom=round(min(max(zoom, 1.0), 17.0), 2), pitch=0, bearing=0)


class CompactDeck(pdk.Deck):
    """A deck whose JSON (what Streamlit sends to the browser) has no indentation: pydeck
    indents by two spaces, a third of a large map's bytes. A deck is built once and kept
    (ui.components.kept), never changed, so its JSON is written once too: 10 to 35 ms of
    every render of the Places page at a million incidents."""

    def to_json(self) -> str:
        text = _DECK_JSON.get(self)
        if text is None:  # kept beside the deck, not in it: pydeck writes a deck's attributes
            text = _DECK_JSON[self] = json.dumps(self, sort_keys=True,
                                                 default=default_serialize,
                                                 separators=(",", ":"))
        return text


_DECK_JSON: weakref.WeakKeyDictionary[CompactDeck, str] = weakref.WeakKeyDictionary()


def deck(layers: list, bounds: tuple[float, float, float, float]) -> pdk.Deck:
    """A deck over the layers, fitted to `bounds`; no basemap unless $SAFEGUARDING_MAP_STYLE."""
    style = os.environ.get(STYLE_ENV, "").strip()
    view = fit_view(bounds)
    if style:
        return CompactDeck(layers=layers, initial_view_state=view, map_style=style,
                           map_provider="carto", tooltip=TOOLTIP, height=MAP_HEIGHT)
    # map_provider=None leaves pydeck's "no style" marker in place; Streamlit then draws no
    # basemap. (map_style=None would make Streamlit fetch its default Carto basemap.)
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                       tooltip=TOOLTIP, height=MAP_HEIGHT,
                       parameters={"clearColor": [0.96, 0.96, 0.95, 1]})


def bounds_of(wards: pd.DataFrame, chosen: tuple[str, ...] = (),
              points: pd.DataFrame | None = None) -> tuple[float, float, float, float] | None:
    """The lon/lat box of the chosen wards (all if none chosen), else of the points."""
    if not wards.empty:
        frame = wards[wards["ward_code"].isin(chosen)] if chosen else wards
        frame = frame if not frame.empty else wards
        boxes = np.array([s.bounds for s in frame["shape"]])
        return (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())
    if points is not None and not points.dropna(subset=["lat", "lon"]).empty:
        p = points.dropna(subset=["lat", "lon"])
        return (p["lon"].min(), p["lat"].min(), p["lon"].max(), p["lat"].max())
    return None
