"""The board's briefing: one section for each page of the dashboard, built from the current filters.

The board pack prints these sections (analytics.board.boardpack) and presenter mode shows them as slides,
so what a board hears and what it takes away are the same figures. Sections are built in the board
view unless told otherwise: small counts hidden, others rounded (analytics.governance.disclosure).

    >>> pack(store.cursor(), filters).sections[0].title
    'What changed'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analytics.board import briefing_charts as bc
from analytics.board import narrative, overview
from analytics.board.boardpack import Pack, Section
from analytics.contexts import priorities
from analytics.governance.disclosure import (
    PRESENTER_VIEW,
    VIEWS,
    display_count,
    drop_small_rows,
    for_source,
)
from analytics.ingest.ingest import KINDS
from analytics.interventions import impact, impact_charts
from analytics.overlap import overlap
from analytics.overlap import overlap_charts as oc
from analytics.places import places
from analytics.places import places_charts as pc
from analytics.store.filters import Filters, period_words, uk_date
from analytics.store.reference import data_facts, ward_names
from analytics.store.sources import reword, risk_label, source
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS
from analytics.style import charts
from analytics.style.text import lower_initial, upper_initial
from analytics.trends import trend_charts, trends

TITLE = "Contextual safeguarding: board pack"
TOP_SIGNALS = 5  # signals named on the Trends section
TOP_PRIORITIES = 5  # places described in words on the priorities section
TABLE_ROWS = 10  # rows of a long table printed in the pack
TOP_PAIRS = 8  # strongest overlaps drawn as bars
CHANGES_EACH_WAY = 3  # wards with the largest rises, and with the largest falls, drawn


def _overview(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    head = overview.headline(con, filters)
    cur, prev = head.current, head.previous
    period = period_words(filters)
    if cur.incidents == 0:
        return _empty("Headline figures", "overview")

    def delta(now: int, before: int | None, children: bool = True) -> str:
        words = overview.change_words(now, before, view, period, children=children)
        return words or ("No earlier period to compare" if before is None else "Too few to compare")

    people = (("Young people affected", display_count(cur.young_people, view),
               delta(cur.young_people, prev and prev.young_people)),
              ) if source(filters.source).people else ()  # police.uk names no one
    metrics = (
        ("Incidents", display_count(cur.incidents, view), delta(cur.incidents, prev and prev.incidents)),
        *people,
        ("Places with incidents", display_count(cur.contexts, view, children=False),
         delta(cur.contexts, prev and prev.contexts, children=False)),
        ("Wards with incidents", display_count(cur.wards, view, children=False),
         delta(cur.wards, prev and prev.wards, children=False)),
    )
    most = ", ".join(f"{r.ward_name} ({display_count(r.incidents, view)} incidents)"
                     for r in head.top_wards.itertuples())
    summary = [f"The {period} to {uk_date(filters.end)}." if filters.end else "All data.",
               f"Most affected wards: {most}.", *filter(None, [head.coverage_words(filters)])]
    # with nothing earlier to compare with, no ward changed
    figures, tables = _ward_changes(con, filters, view, period) if prev is not None else ([], [])
    return Section("Headline figures", summary, figures, tables, metrics=metrics, page="overview",
                   points=summary[1:])


def _ward_changes(con: duckdb.DuckDBPyConnection, filters: Filters, view: str,
                  period: str) -> tuple[list[go.Figure], list[tuple[str, pd.DataFrame]]]:
    """The wards that changed most on the previous period, as a chart and its table (none when
    no change survives the view's rounding)."""
    moved = overview.biggest_changes(overview.changes(con, filters, unit="ward"),
                                     n=CHANGES_EACH_WAY)
    safe = drop_small_rows(moved, ["current", "previous"], view)
    if not safe.empty:
        safe = safe.assign(change=safe["current"] - safe["previous"])
        safe = safe[safe["change"] != 0]
    if safe.empty:
        return [], []
    top = safe.iloc[safe["change"].abs().argmax()]
    title = (f"{top['name']} changed most, {'up' if top['change'] > 0 else 'down'} "
             f"{abs(int(top['change'])):,} incidents on the previous {period}")
    table = safe[["name", "current", "previous", "change"]].rename(columns={
        "name": "Ward", "current": "This period", "previous": "Previous period",
        "change": "Change"})
    return [charts.change_bars(safe, title)], [("Wards that changed most", table)]


def _what_changed(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    told = narrative.what_changed(con, filters, view)
    return Section("What changed", told.sentences, page="overview")


def _trends(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    tv = trends.trend_view(con, filters, view=view)
    if tv.overall is None or tv.overall.total == 0:
        return _empty("Signals worth a look", "trends")
    top = trends.top_signals(con, filters, n=TOP_SIGNALS, view=view)
    summary = [f"{r.assessment.capitalize()}: {r.headline}." for r in top.itertuples()] or [
        "No risk type in any ward shows a current signal of change: the ups and downs are "
        "within the expected range, or too rare to judge."]
    fig = trend_charts.xmr_chart(tv.overall, tv.overall.headline, view=view,
                                 y_title=trends.MEASURES["incidents"], window=tv.window)
    table = trends.signals(con, filters, view=view)
    tables = []
    if not table.frame.empty:
        tables.append(("Signals for each risk type in each ward (latest first)",
                       trends.signal_table_for_display(table, view).head(TABLE_ROWS)))
    return Section("Signals worth a look", summary, [fig], tables, page="trends")


def _overlap(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    title = "Which harms go together"
    # the Risk overlap page's own defaults for the source (police.uk names no one: places), so
    # the same settings give the same figure
    unit = overlap.default_unit(filters.source)
    window = overlap.WINDOW_DAYS[overlap.default_window(filters.source)]
    result = overlap.analyse(con, filters, unit=unit, window=window)
    noun = overlap.UNITS[unit]
    if result.universe == 0 or len(result.types) < 2:
        return Section(title, [f"Too few {noun} have more than one risk type recorded in this "
                               "selection to show overlap."], page="overlap")
    summary = [s.replace("**", "") for s in overlap.summary_sentences(result, view)]
    points = [f"{overlap.pair_headline(r.a_label, r.b_label, r.lift, window)} "
              f"({display_count(r.n_ab, view)} {noun})"
              for r in overlap.strongest(result).itertuples()] or summary
    # The few pairs that matter in words, the matrix as one picture; every pair's figures are
    # the lead view's (the Risk overlap page's table). A slide draws the strongest as bars.
    strong = overlap.strongest(result, n=TOP_PAIRS)
    bars = None if strong.empty else bc.pair_bars(
        strong, f"The {len(strong)} pairs most above chance, {overlap.window_phrase(window)}",
        view)
    return Section(title, summary, [oc.heatmap(result, "lift", view)], page="overlap",
                   points=points, slide_figure=bars,
                   method=oc.legend_sentence("lift", unit, window))


def _places(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    title = "Where harm concentrates"
    rank = places.ward_ranking(con, filters)
    if rank.empty or rank["incidents"].sum() == 0:
        return _empty(title, "places")
    spots = places.ward_hot_spots(con, filters, view=view)
    summary = pc.spot_sentences(spots) or [spots.reason or pc.map_headline(spots) + "."]
    conc = places.concentration(con, filters)
    summary.append(pc.concentration_headline(conc, view) + ".")
    fig = bc.ward_bars(rank, bc.ward_title(rank, view), view)
    return Section(title, summary, [fig],
                   [("Wards ranked", pc.ranking_table(rank, view).head(TABLE_ROWS))],
                   page="places")


def _priorities(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    title = "Places to act on first"
    explained = priorities.explained(con, filters, view=view)
    if explained.empty:
        return _empty(title, "priorities")
    explained["shown_name"] = explained["name"]  # named for the view, as every page names it
    summary = [f"{r.rank}. {r.shown_name} ({r.where}): {r.why}. Who can act: {r.partners}."
               for r in explained.head(TOP_PRIORITIES).itertuples()]
    fig = bc.priority_bars(explained, f"{explained['shown_name'].iloc[0]} ranks first of "
                                      f"{len(explained):,} places with incidents")
    table = pd.DataFrame({"Rank": explained["rank"], "Place": explained["shown_name"],
                          "Where": explained["where"],
                          "Priority (0 to 100)": explained["score"].round(0).astype(int),
                          "Partners who can act": explained["partners"]}).head(TABLE_ROWS)
    points = [f"{r.rank}. {r.shown_name} ({r.where})"
              for r in explained.head(TOP_PRIORITIES).itertuples()]
    return Section(title, summary, [fig], [("Places ranked by priority", table)],
                   page="priorities", points=points)


def _interventions(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Section:
    title = "What changed after interventions"
    summary = impact.impact_summary(con, filters)
    if summary.empty:
        return Section(title, ["No intervention in the register ran at places matching these "
                               "filters during this period."], page="interventions")
    summary = summary.assign(label=_unnamed_homes(con, summary["label"], view))
    headline = impact.summary_headline(summary)
    assessed = summary.dropna(subset=["ratio"]).sort_values("before_total", ascending=False,
                                                            kind="stable")
    lines = [f"{headline}."] + [f"{r.label}: {lower_initial(r.effect)}."
                                for r in assessed.head(TOP_PRIORITIES).itertuples()]
    figures = [impact_charts.estimates(assessed, "label", headline)] if not assessed.empty else []
    lines.append(impact.CAVEAT)
    return Section(title, lines, figures,
                   [("Every intervention", impact.summary_table(summary).head(TABLE_ROWS))],
                   page="interventions")


def _unnamed_homes(con: duckdb.DuckDBPyConnection, labels: pd.Series, view: str) -> pd.Series:
    """Intervention labels with any home address replaced as places.shareable_name does."""
    homes = con.execute(
        "SELECT c.name, c.context_type, w.ward_name FROM place_facts c LEFT JOIN wards w "
        "USING (ward_code) WHERE list_contains($types, c.context_type)",
        {"types": sorted(places.PRIVATE_TYPES)}).fetchall()
    out = labels.copy()
    for name, kind, ward in homes:
        shown = places.shareable_name(name, kind, ward, view)
        if shown != name:
            out = out.str.replace(name, lower_initial(shown), regex=False)
    return out


def _empty(title: str, page: str) -> Section:
    return Section(title, ["No incidents match these filters."], page=page)


BUILDERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters, str], Section]] = {
    "overview": _overview,
    "what_changed": _what_changed,
    "trends": _trends,
    "overlap": _overlap,
    "places": _places,
    "priorities": _priorities,
    "interventions": _interventions,
}
# The pack opens with what changed, then follows the pages in the order the app lists them.
PACK_ORDER = ("what_changed", "overview", "priorities", "trends", "places", "overlap",
              "interventions")
# Slides open with the headline figures, then what changed, signals, overlap, places, priorities.
SLIDE_ORDER = ("overview", "what_changed", "trends", "overlap", "places", "priorities")


def section(con: duckdb.DuckDBPyConnection, filters: Filters, key: str,
            view: str = PRESENTER_VIEW) -> Section:
    """One section (or slide) of the briefing, for the filters, in the view: for a police.uk
    source in its words (crimes, crime types) and, for counts not about children, its view's
    public form (analytics.governance.disclosure.for_source)."""
    if key not in BUILDERS:
        raise ValueError(f"Unknown section {key!r}; choose one of {', '.join(BUILDERS)}.")
    src = source(filters.source)
    built = BUILDERS[key](con, filters, for_source(view, src.about_children))
    if not src.police:
        return built

    def say(text: str) -> str:
        return reword(text, src.code)

    return replace(
        built, title=say(built.title), summary=tuple(map(say, built.summary)),
        points=tuple(map(say, built.points)),
        metrics=tuple((say(label), value, say(change) if change else change)
                      for label, value, change in built.metrics),
        figures=tuple(charts.in_words(fig, src.code) for fig in built.figures),
        slide_figure=(None if built.slide_figure is None
                      else charts.in_words(built.slide_figure, src.code)),
        tables=tuple((say(caption), table.rename(columns=lambda c: say(str(c))))
                     for caption, table in built.tables),
        method=say(built.method))


def lineage(con: duckdb.DuckDBPyConnection, filters: Filters,
            view: str = PRESENTER_VIEW) -> pd.DataFrame:
    """Where the data came from: every extract loaded, oldest first, row counts for the view.
    A reader limited to some wards or agencies gets no row counts: a whole file's count covers
    data outside their scope (one agency's extract is that agency's total). The demo kept apart
    behind real boundaries is listed as such: none of the pack's figures come from it."""
    frame = con.execute(
        "SELECT e.file_name, e.kind, e.uploaded_at, e.rows_loaded, e.rows_rejected, e.status, "
        "h.extract_id IS NOT NULL AS kept_apart "
        "FROM extracts e LEFT JOIN hidden_extracts h USING (extract_id) "
        "ORDER BY e.uploaded_at, e.extract_id").df()
    out = pd.DataFrame({
        "File": frame["file_name"],
        "Kind": frame["kind"].map(lambda k: KINDS.get(k, k)),
        "Loaded on": [uk_date(t.date()) for t in frame["uploaded_at"]],
        "Rows loaded": [display_count(n, view) for n in frame["rows_loaded"]],
        "Rows rejected": [display_count(n, view) for n in frame["rows_rejected"]],
        "Status": frame["status"].str.capitalize().where(~frame["kept_apart"].astype(bool),
                                                         "Kept apart, not shown"),
    })
    return out.drop(columns=["Rows loaded", "Rows rejected"]) if filters.limited else out


def pack(con: duckdb.DuckDBPyConnection, filters: Filters, view: str = PRESENTER_VIEW,
         keys: tuple[str, ...] = PACK_ORDER, sections: Sequence[Section] | None = None) -> Pack:
    """The board pack for the filters: a cover (period, filters, data date, lineage) and one
    section per page (`sections` when already built, as the app builds them one at a time to
    show its progress). Board view unless told otherwise."""
    facts = data_facts(con)
    return Pack(
        title=TITLE,
        period=upper_initial(filters.period_phrase()),
        filters=filters.describe(ward_names(con, filters)),
        data_date=(facts.data_to(filters.source) if facts.span(filters.source).latest
                   else "no data loaded"),
        view=VIEWS.get(view, VIEWS[PRESENTER_VIEW]),
        lineage=lineage(con, filters, view),
        sections=tuple(sections if sections is not None
                       else (section(con, filters, key, view) for key in keys)),
        demo=facts.shows_demo,
    )


def scope_words(filters: Filters, names: dict[str, str]) -> str:
    """What a slide covers, short enough for its title: 'Larkspur Vale; sexual exploitation;
    12 months to 30 November 2026' (the whole borough and all harms when nothing is chosen)."""
    if filters.wards:
        where = ", ".join(names.get(w, w) for w in filters.wards)
    else:
        where = "the whole borough" if filters.within_wards is None else "the wards you may see"
    parts = [where, ", ".join(lower_initial(risk_label(r)) for r in filters.risk_types)
             or reword("all harms", filters.source)]  # police.uk: all crime types
    parts += [", ".join(lower_initial(CONTEXT_LABELS.get(c, c)) for c in filters.context_types),
              ", ".join(AGENCY_LABELS.get(a, a) for a in filters.agencies)]
    if filters.start and filters.end and filters.period != "custom":
        parts.append(f"{period_words(filters)} to {uk_date(filters.end)}")
    else:
        parts.append(filters.period_phrase())
    return "; ".join(part for part in parts if part)


def slide_title(title: str, filters: Filters, names: dict[str, str]) -> str:
    """'Headline figures: Larkspur Vale; sexual exploitation; 12 months to 30 November 2026':
    every slide says what it covers in its title, not only in a caption."""
    return f"{title}: {scope_words(filters, names)}"


