"""Small pieces every page draws the same way: the banner (demo notice, the view in force, share,
board pack and presenter), the freshness line, a chart with its caption and 'show as table'
(with its CSV), a table with its CSV, and the empty-selection message."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.governance.disclosure import VIEWS, base_view, shows_detail, view_name, view_rule
from analytics.store.filters import uk_date
from analytics.store.sources import reword, source
from analytics.style import charts
from ui import digest, downloads, page_table, share
from ui import markdown as md
from ui.state import PageContext, current_access

T = TypeVar("T")  # what a builder passed to `kept` returns

# A table on a page shows this many rows at most (its CSV holds them all): a table is sent whole
# to the browser, and 10,000 places with their reasons are 5 MB a render at a million incidents.
TABLE_ROWS = 200
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage", "lasso2d", "select2d"]}
VIEW_COLOURS = {"board": "blue", "lead": "violet", "analyst": "orange"}


def banner(ctx: PageContext) -> None:
    """Say, on every page, whether the data is the fictional demo and which view is in force;
    offer the link to this view, the board pack and presenter mode."""
    if ctx.facts.demo_hidden:
        st.info("The fictional demo borough is still loaded, but kept off every page while your "
                "area's boundaries are in. Roll its extract back on the Data page to remove it.",
                icon=":material/info:")
    elif ctx.facts.shows_demo:
        st.info(
            "**Fictional demo data.** Fernley is an invented borough: its places, people and "
            "incidents are made up to show what the dashboard does. Load real extracts on the "
            "Data page to replace it.",
            icon=":material/info:",
        )
    about, actions = st.columns([3, 2], vertical_alignment="center")
    about.badge(view_name(ctx.view), icon=":material/visibility:",
                color=VIEW_COLOURS.get(base_view(ctx.view), "blue"),
                help=md.escape(VIEWS.get(base_view(ctx.view), "")))
    local = "Local mode: no sign-in. " if current_access().local else ""
    about.caption(md.escape(f"{local}{view_rule(ctx.view).capitalize()}. {freshness(ctx)}"))
    row = actions.container(horizontal=True, horizontal_alignment="right", gap="small")
    with row.popover("Copy link", icon=":material/link:"):
        st.caption("This link opens this page with these filters and settings. Copy it with the "
                   "button at the right of the box. It leaves the view out: whoever opens it "
                   "sees the view their role allows.")
        share.link_box()
    with row.popover("Board pack", icon=":material/description:"):
        st.caption("Every page for these filters, in the board view (small numbers hidden, "
                   "others rounded), with a cover saying where the data came from.")
        downloads.board_pack_buttons(ctx.filters, pack_stem(ctx))
    row.page_link("pages/present.py", label="Present", icon=":material/slideshow:",
                  query_params={**share.query_without(share.VIEW_KEY),
                                share.PRESENT_KEY: "1", share.SLIDE_KEY: "1"},
                  help="Slides for a meeting: large type, board view, no controls.")


HOW_WORKED_OUT = "How this was worked out"


def method_note(view: str, plain: str, method: str) -> None:
    """The method behind a figure: in the board view a plain sentence, the method folded away
    under 'How this was worked out'; leads and analysts read the method itself."""
    if shows_detail(view):
        st.caption(md.escape(method))
        return
    if plain:
        st.caption(md.escape(plain))
    with st.expander(HOW_WORKED_OUT, icon=":material/calculate:"):
        st.caption(md.escape(method))


def pack_stem(ctx: PageContext) -> str:
    """'board-pack-2025-11-01-to-2026-10-31': the file name of the pack, without extension."""
    f = ctx.filters
    span = f"{f.start:%Y-%m-%d}-to-{f.end:%Y-%m-%d}" if f.start and f.end else "all-data"
    return f"board-pack-{span}"


def freshness(ctx: PageContext) -> str:
    """'Incidents to 31 October 2026; last load 23 November 2026 (file.csv).' (police.uk
    street crime, published by month: 'Crimes to December 2025; ...')."""
    facts, code = ctx.facts, ctx.filters.source
    parts = []
    if facts.span(code).latest:
        parts.append(f"{source(code).nouns.capitalize()} to {facts.data_to(code)}")
    if facts.last_load_at:
        parts.append(f"last load {uk_date(facts.last_load_at.date())} ({facts.last_load_file})")
    if not parts:
        return "No data loaded yet."
    text = "; ".join(parts)  # with no incidents the load comes first: 'Last load …'
    return text[0].upper() + text[1:] + "."


def sections(parts: dict[str, Callable[[], None]], *, key: str) -> None:
    """A long page's sections as tabs, the open one named in the address (`?section=`): only its
    section runs and is sent, so a filter change redraws one section, not the whole page.
    `parts` is each tab's name and the function that draws it; the first is open by default.
    (ui.page_table.SECTIONS lists the names too, for the warm-up to open every one.)"""
    names = list(parts)
    # Labels are Markdown; the pages' names are plain words, so escaping leaves them as they are
    # and the open tab (its label) is still one of `names`.
    tabs = st.tabs([md.escape(name) for name in names],
                   key=share.bind(page_table.SECTION_PARAM, key, names, names[0]),
                   on_change="rerun")
    name, tab = next((name, tab) for name, tab in zip(names, tabs, strict=True) if tab.open)
    with tab:
        parts[name]()


def chart(fig: go.Figure, caption: str, table: pd.DataFrame, *, key: str) -> None:
    """Draw a figure (made by `figure`) with its caption and a 'show as table' of the same
    (suppressed) numbers, which can be downloaded as CSV."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)
    st.caption(md.escape(in_words_markdown(caption)))
    with st.expander("Show as table"):
        table_with_csv(table, what=_title(fig) or "The chart's numbers", key=key)


def table_with_csv(frame: pd.DataFrame, *, what: str, key: str, **dataframe_kwargs) -> None:
    """A table (already disclosure-controlled for the view), its first TABLE_ROWS rows with its
    columns fitted to the page (so none is cut off at the right: see fitted_columns), and its
    CSV download with every row."""
    code = _source()
    frame = frame.rename(columns=lambda c: reword(c, code) if isinstance(c, str) else c)
    shown = frame.head(TABLE_ROWS)
    if "column_config" not in dataframe_kwargs:
        dataframe_kwargs["column_config"] = fitted_columns(shown)
    st.dataframe(shown, hide_index=True, width="stretch", **dataframe_kwargs)
    rows_note(len(frame))
    downloads.download_csv(frame, what=what, file_name=f"{_slug(key)}.csv", key=f"csv-{key}")


def rows_note(rows: int) -> None:
    """'The first 200 of 10,742 rows; the CSV has them all.', under a table cut to TABLE_ROWS."""
    if rows > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {rows:,} rows are shown; the CSV download has "
                   "them all.")


TABLE_ROOM_PX = 940  # a table's width on a 1440 px screen with the sidebar open
CHAR_PX, CELL_PAD_PX, NARROWEST_PX = 7.5, 26, 70


def fitted_columns(frame: pd.DataFrame, room_px: int = TABLE_ROOM_PX) -> dict | None:
    """Column widths in pixels that fit the table into `room_px`, the widest columns narrowed
    first (their text ends in '…'; the full text is in the cell and the CSV); None where the
    table fits as it is."""
    if frame.empty:
        return None
    # (a categorical column's missing values stay missing through astype(str): no length)
    need = {str(c): CELL_PAD_PX + CHAR_PX * max(len(str(c)), int(frame[c].astype(str).str.len()
                                                               .fillna(0).max()))
            for c in frame.columns}
    if sum(need.values()) <= room_px:
        return None
    widths = dict(need)
    while sum(widths.values()) > room_px:  # trim the widest column to the next widest
        ranked = sorted(widths.values(), reverse=True)
        widest, next_widest = ranked[0], ranked[1] if len(ranked) > 1 else NARROWEST_PX
        excess = sum(widths.values()) - room_px
        cut = max(1.0, min(widest - max(next_widest, NARROWEST_PX), excess))
        if widest <= NARROWEST_PX:
            break
        for name, width in widths.items():
            if width == widest:
                widths[name] = max(NARROWEST_PX, width - cut)
                break
    return {name: st.column_config.Column(width=int(width)) for name, width in widths.items()}


def _source() -> str:
    """The source of the page being drawn (partnership incidents before any context is set)."""
    ctx = st.session_state.get("_page_context")
    return ctx.filters.source if isinstance(ctx, PageContext) else "incidents"


def in_words_markdown(text: str) -> md.Markdown:
    """A line written about incidents, escaped (as it is, if it already was) and in the words
    of the page's source."""
    return reword(md.escape(text), _source())  # Markdown stays Markdown: reword adds no markup


def kept(builder: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`builder(*args, **kwargs)`, built once for these arguments and kept: a Plotly figure costs
    20 to 130 ms of the server's CPU to build and a map up to 300 ms at a million incidents, most
    of a warm render. What it returns is shared by every session: draw it, never change it."""
    key = digest.digest((builder.__module__, builder.__qualname__, args, kwargs))
    return _kept(key, builder, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=512)
def _kept(key: str, _builder: Callable[..., T], _args: tuple, _kwargs: dict) -> T:
    """What `kept` keeps under `key`, the digest of its builder's name and arguments."""
    return _builder(*_args, **_kwargs)


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)` in the words of the page's source, built once and kept."""
    return kept(_in_words, _source(), builder, *args, **kwargs)


def _in_words(code: str, builder: Callable[..., go.Figure], *args: Any,
              **kwargs: Any) -> go.Figure:
    """A chart built about incidents, in the words of a source (charts.in_words)."""
    return charts.in_words(builder(*args, **kwargs), code)


def no_incidents(ctx: PageContext) -> None:
    """The clear message for a selection with nothing in it (and, for police.uk rows that lie
    outside every loaded ward, what to load)."""
    src = source(ctx.filters.source)
    kind = "street" if ctx.filters.source == "street" else "stop_search"
    if src.police and ctx.facts.police_rows.get(kind) and not ctx.facts.span(src.code).rows:
        st.warning(md.escape(f"{src.label} is loaded, but none of it lies in the loaded ward "
                             "boundaries. Load your area's ward boundaries on the Data page: "
                             "the rows are placed in them as soon as they arrive."),
                   icon=":material/map:")
        return
    st.warning(
        md.escape(f"No {src.nouns} match these filters "
                  f"({ctx.filters.describe(ctx.ward_names)}). Widen the period or clear a "
                  "filter in the sidebar."),
        icon=":material/filter_alt_off:",
    )


def change_metric(column, label: str, value: str, change: str | None,
                  help: str | None = None) -> None:
    """A headline count with its change ('+12% on the previous 12 months'): rises in orange
    (worse, for harm), falls in blue, each with its arrow, so colour never carries the meaning
    alone; 'No real change' in grey; no change line where there is nothing to compare."""
    if not change:
        column.metric(md.escape(label), value, help=None if help is None else md.escape(help))
        return
    colour = {"+": "orange", "-": "blue"}.get(change[0], "gray")
    column.metric(md.escape(label), value, change,
                  help=None if help is None else md.escape(help), delta_color=colour,
                  delta_arrow="off" if colour == "gray" else "auto")


def slide_metric(column, label: str, value: str, change: str | None) -> None:
    """A headline count on a slide with every word at least 16 px, readable from the back of a
    room (a metric's own label and change are 14 px): the label in bold body text, the number,
    then the change in its colour with its arrow, as change_metric shows it."""
    column.markdown(md.format("**{}**", label))
    column.metric(md.escape(label), value, label_visibility="collapsed")
    if change:
        template = {"+": ":orange[:material/arrow_upward: {}]",
                    "-": ":blue[:material/arrow_downward: {}]"}.get(change[0], ":gray[{}]")
        column.markdown(md.format(template, change))


SLIDE_POINTS, SLIDE_POINTS_BESIDE_CHART = 7, 5  # points on one slide, at most
SHORT_POINT = 70  # characters: points this short are set in the larger heading size
# A point's size on a 1280 x 720 slide: characters to a line (beside a chart, across the slide)
# and pixels to a line, for each heading level; and the pixels between two points.
# The caption under the points likewise, in its small type.
LINE_CHARS = {("####", True): 35, ("#####", True): 44, ("####", False): 95, ("#####", False): 115}
LINE_PX, POINT_GAP_PX = {"####": 30, "#####": 24}, 22
CAPTION_CHARS, CAPTION_LINE_PX = {True: 62, False: 165}, 26


def _lines(text: str, chars: int) -> int:
    return -(-len(text) // chars)


def slide_points(points: list[str], *, beside_chart: bool, room_px: int,
                 caption: str) -> list[str]:
    """A slide's points as headings, large enough to read from the back of a room: h4 when every
    point is short, else h5 (one size for the whole slide); as many as fit in `room_px` with the
    caption below them, so a presenter never scrolls (the page behind the slide has them all)."""
    points = points[:SLIDE_POINTS_BESIDE_CHART if beside_chart else SLIDE_POINTS]
    short = all(len(p) <= SHORT_POINT for p in points)
    level = "####" if short or (not beside_chart and len(points) <= 3) else "#####"
    room = room_px - CAPTION_LINE_PX * _lines(caption, CAPTION_CHARS[beside_chart])
    kept: list[str] = []
    for point in points:
        lines = _lines(point, LINE_CHARS[level, beside_chart])
        room -= lines * LINE_PX[level] + POINT_GAP_PX
        if kept and room < 0:
            break
        kept.append(point)
    return [md.Markdown(f"{level} {md.escape(p)}") for p in kept]


def slide_number(raw: str | None, slides: int) -> int:
    """The slide asked for in the address (1 to `slides`); anything else is the first."""
    try:
        return min(max(int(raw or 1), 1), slides)
    except ValueError:
        return 1


def _title(fig: go.Figure) -> str:
    """The chart's title as plain text (its line breaks and escapes read), for the audit log."""
    text = fig.layout.title.text or ""
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"
