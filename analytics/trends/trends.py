"""Trends: counts over time under the filters, judged with SPC, and the signals worth a look.

Counts of incidents, of distinct young people, or incidents per 1,000 children, by month or week,
optionally split by risk type, ward, context type or agency (an allow-listed dimension). Months
with no incidents are zero; periods not yet complete when the data was extracted are left out
(a half month would look like a fall). SPC limits need history, so a period shorter than
HISTORY_MONTHS is judged against the HISTORY_MONTHS to its end; the chosen period is marked.

Example:
    view = trend_view(store.cursor(), filters, measure="incidents", split="risk_type")
    view.overall.sentence  # 'Above the average for 8 months in a row, since March 2026'
    top_signals(store.cursor(), filters, n=5)["headline"]
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from analytics.governance.disclosure import (
    SUPPRESSED,
    display_count,
    is_small,
    rounds,
    shown_counts,
    suppresses,
)
from analytics.places import places
from analytics.store import memo
from analytics.store.filters import Filters, add_months, month_end, uk_date, uk_month
from analytics.store.reference import data_dates
from analytics.store.risk_sets import by_risk_type
from analytics.store.sources import INCIDENTS, risk_label
from analytics.store.sources import source as source_of
from analytics.store.store import quote_identifier
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS
from analytics.style.text import lower_initial, upper_initial
from analytics.trends import spc

MEASURES: dict[str, str] = {
    "incidents": "Incidents",
    "young_people": "Young people",
    "rate": "Incidents per 1,000 children",
}
SPLITS: dict[str, str] = {
    "none": "No split",
    "risk_type": "Risk type",
    "ward": "Ward",
    "context_type": "Context type",
    "agency": "Agency",
    "lsoa": "LSOA",
}
GRANULARITIES: dict[str, str] = {"month": "Month", "week": "Week"}
HISTORY: dict[str, int] = {"month": 24, "week": 6}  # months of history at least, per granularity
SEASONAL_MONTHS = 36  # the year-on-year comparison and the month-of-year profile look back this far
MAX_SERIES = 12  # small multiples drawn; the rest are named in a note
MIN_MEAN_COUNT = 1.0  # series averaging fewer events a period are too rare for XmR limits
WARD_SUMMARY_MIN = 3  # a ward with this many current concerns is told as one line
PER_CHILDREN = 1000

# The dimensions a series may be split or grouped by: (table alias, column) — never widget text.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "risk_type": ("r", "risk_type"),
    "ward": ("i", "ward_code"),
    "context_type": ("i", "location_type"),
    "agency": ("i", "source_agency"),
    "context": ("i", "context_id"),
    "lsoa": ("i", "lsoa_code"),
}
DIMENSION_COLUMNS = frozenset(column for _, column in DIMENSIONS.values())
DIMENSION_NOUNS = {"risk_type": "risk type", "ward": "ward", "context_type": "context type",
                   "agency": "agency", "context": "place", "lsoa": "LSOA"}


def measures(code: str = INCIDENTS) -> dict[str, str]:
    """The measures a source offers, in its words ('Crimes', 'Crimes per 1,000 residents');
    police.uk names no young people."""
    src = source_of(code)
    if not src.police:
        return dict(MEASURES)
    return {"incidents": src.nouns.capitalize(),
            "rate": f"{src.nouns.capitalize()} per 1,000 {src.population}"}


def splits(code: str = INCIDENTS) -> dict[str, str]:
    """The splits a source offers, in its words: police.uk by crime type (or object of search),
    ward, LSOA and type of place; incidents by risk type, ward, context type and agency."""
    src = source_of(code)
    if not src.police:
        return {k: v for k, v in SPLITS.items() if k != "lsoa"}
    return {"none": "No split", "risk_type": src.type_noun.capitalize(), "ward": "Ward",
            "lsoa": "LSOA", "context_type": "Type of place"}


def dimension_noun(dim: str, code: str = INCIDENTS) -> str:
    """'crime type' for a police.uk source's risk types; else DIMENSION_NOUNS."""
    return source_of(code).type_noun if dim == "risk_type" else DIMENSION_NOUNS[dim]
NOT_RECORDED = "Not recorded"


# ---- the window of periods -----------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The complete periods judged: from `first` to `last` (period starts), and why."""

    granularity: str
    periods: pd.DatetimeIndex = field(compare=False)
    chosen_start: date | None  # where the filter's period begins (for marking it)
    extended: bool  # history added before the chosen period, for the limits
    left_out: str | None  # a sentence about an incomplete period left out

    @property
    def first(self) -> date:
        return self.periods[0].date()

    @property
    def last_day(self) -> date:
        """The last day of the last period."""
        last = self.periods[-1].date()
        return month_end(last) if self.granularity == "month" else last + timedelta(days=6)

    def describe(self) -> str:
        """'24 months, March 2025 to February 2027 (history before the chosen period ...)'."""
        unit = self.granularity
        n = len(self.periods)
        span = (f"{uk_month(self.first)} to {uk_month(self.last_day)}" if unit == "month"
                else f"{uk_date(self.first)} to {uk_date(self.last_day)}")
        if n == 1:
            span = uk_month(self.first) if unit == "month" else f"the week of {uk_date(self.first)}"
        words = f"{n} {unit}{'s' * (n != 1)}, {span}"
        if self.extended:
            words += (", reaching back before the chosen period because limits need history "
                      f"(up to {HISTORY[unit]} months)")
        return words


def data_bounds(con: duckdb.DuckDBPyConnection, code: str = INCIDENTS
                ) -> tuple[date | None, date | None, date | None]:
    """(first date, latest date, the last day complete in the data) of a source.

    The last complete day is the day before the latest load; if nothing records a load, the
    latest incident's date. police.uk publishes whole months, so its latest month is complete.
    """
    first, latest = data_dates(con, code)
    if source_of(code).police:
        return first, latest, latest and month_end(latest)
    loaded = con.execute(
        "SELECT max(uploaded_at)::DATE FROM extracts WHERE status = 'loaded'").fetchone()[0]
    through = latest
    if loaded is not None and latest is not None:
        through = max(latest, loaded - timedelta(days=1))
    return first, latest, through


def window(con: duckdb.DuckDBPyConnection, filters: Filters, granularity: str = "month",
           min_months: int | None = None) -> Window | None:
    """The complete months (or weeks) to judge: the filter's period, widened back to at least
    `min_months` (default HISTORY[granularity]) but never before the data begins."""
    _check(granularity, GRANULARITIES, "granularity")
    first, latest, through = data_bounds(con, filters.source)
    if latest is None:
        return None
    min_months = min_months or HISTORY[granularity]
    start = max(filters.start or first, first)
    end = min(filters.end or latest, through)
    chosen_start = filters.start
    left_out = None
    if granularity == "month":
        first_p = start.replace(day=1)
        if start > first_p and start != first:  # a chosen start mid-month leaves that month out
            first_p = add_months(first_p, 1)
        last_p = end.replace(day=1)
        if end < month_end(end):
            left_out = (f"{uk_month(end)} is left out: the data or the chosen period stops on "
                        f"{uk_date(end)}, part way through the month.")
            last_p = add_months(last_p, -1)
        floor = add_months(last_p, -(min_months - 1))
        own_first = first_p  # the first month of the chosen period itself
        first_p = max(min(first_p, floor), first.replace(day=1))
        periods = pd.date_range(first_p, last_p, freq="MS")
    else:
        first_p = start - timedelta(days=start.weekday())
        if first_p < start and start != first:
            first_p += timedelta(days=7)
        last_p = end - timedelta(days=end.weekday())
        if end < last_p + timedelta(days=6):
            left_out = (f"The week of {uk_date(last_p)} is left out: the data or the chosen "
                        f"period stops on {uk_date(end)}, part way through it.")
            last_p -= timedelta(days=7)
        floor = add_months(last_p.replace(day=1), -(min_months - 1))
        floor -= timedelta(days=floor.weekday())
        own_first = first_p
        data_week = first - timedelta(days=first.weekday())
        first_p = max(min(first_p, floor), data_week)
        periods = pd.date_range(first_p, last_p, freq="7D")
    if not len(periods):
        return None
    # Reaching back means judging months (weeks) before the chosen period's own first one; a
    # period that starts part way through the data's first month does not.
    extended = periods[0].date() < own_first
    return Window(granularity, periods, chosen_start, extended, left_out)


# ---- counts ----------------------------------------------------------------------------------

def counts(con: duckdb.DuckDBPyConnection, filters: Filters, *, measure: str = "incidents",
           split: str = "none", granularity: str = "month", win: Window | None = None
           ) -> pd.DataFrame:
    """key, label, period, count, population, value for every key and every period (zeros kept).

    `value` is the count, or incidents per 1,000 children for `rate` (only incidents in wards
    whose child population is known; `population` is the children behind each rate). For a
    police.uk source the rate is per 1,000 residents of the wards (or, split by LSOA, of the
    LSOAs) whose residents are loaded.
    """
    _check(measure, MEASURES, "measure")
    _check(split, SPLITS, "split")
    win = win or window(con, filters, granularity)
    columns = ["key", "label", "period", "count", "population", "value"]
    if win is None:
        return pd.DataFrame(columns=columns)
    raw = _grouped(con, filters, win, (split,) if split != "none" else (), measure)
    keys = sorted(raw["key0"].unique()) if split != "none" else ["all"]
    grid = pd.MultiIndex.from_product([keys, win.periods], names=["key", "period"])
    out = (raw.rename(columns={"key0": "key"}).set_index(["key", "period"])["n"]
           .reindex(grid, fill_value=0).rename("count").reset_index())
    out["count"] = out["count"].astype(int)
    out["label"] = (out["key"].map(_labeller(con, split)) if split != "none"
                    else measures(filters.source)[measure])
    out["population"] = np.nan
    if measure == "rate":
        pops = _populations(con, filters, "lsoa" if split == "lsoa" else "ward")
        if split in ("ward", "lsoa"):
            out["population"] = out["key"].map(pops).astype(float)
        else:
            out["population"] = float(sum(pops.values())) if pops else np.nan
        out["value"] = out["count"] / out["population"] * PER_CHILDREN
        out = out[out["population"].notna()]
    else:
        out["value"] = out["count"].astype(float)
    return out[columns].reset_index(drop=True)


def _grouped(con: duckdb.DuckDBPyConnection, filters: Filters, win: Window,
             dims: tuple[str, ...], measure: str = "incidents") -> pd.DataFrame:
    """One grouped query: period, key0..keyN, n for the window under the filters.

    Reads the derived tables (analytics/store/derived.py): risk types are unnested from each
    incident's list of distinct types, so an (incident, risk type) row is never counted twice
    and incidents can be counted with count(*).
    """
    for d in dims:
        _check(d, DIMENSIONS, "dimension")
    f = replace(filters, start=win.first, end=win.last_day)
    p = f.predicate("i", risk_list=True)
    keys = ", ".join(f"coalesce(i.{quote_identifier(col, DIMENSION_COLUMNS)}, '') AS key{k}"
                     for k, (_, col) in enumerate(DIMENSIONS[d] for d in dims))
    source, value = "incident_facts", "count(*)"
    if measure == "young_people":
        source, value = "people_facts", "count(DISTINCT i.person_no)"
    join = ""
    if measure == "rate" and not source_of(filters.source).police:
        join = " JOIN wards wp ON wp.ward_code = i.ward_code AND wp.child_population > 0"
    elif measure == "rate":  # residents of the ward, or of the LSOA when split by LSOA
        unit = "i.lsoa_code" if "lsoa" in dims else "i.ward_code"
        join = f" JOIN residents wp ON wp.code = {unit} AND wp.residents > 0"
    params = {**p.params, "unit": win.granularity}
    if "risk_type" in dims:
        params["risks"] = list(filters.risk_types)
    if "risk_type" in dims and measure != "young_people":  # counts that add up over sets
        sql = _by_risk_type(dims, f"{source} i{join} WHERE {p.sql}")
    else:  # no split by risk type, or distinct young people (unnested: they do not add up)
        risk, where = "", ""
        if "risk_type" in dims:
            risk = ", unnest(i.risks) AS risk_type"
            where = " WHERE len($risks) = 0 OR list_contains($risks, i.risk_type)"
        sql = f"""
        WITH i AS (SELECT i.*{risk} FROM {source} i WHERE {p.sql})
        SELECT date_trunc($unit, i.occurred_at)::DATE AS period{', ' + keys if keys else ''},
               {value} AS n
        FROM i{join}{where}
        GROUP BY ALL
        """
    frame = con.execute(sql, params).df()
    frame["period"] = pd.to_datetime(frame["period"])
    if not dims:
        frame["key0"] = "all"
    return frame


def _by_risk_type(dims: tuple[str, ...], rows: str) -> str:
    """SQL for _grouped's incidents counted by period and `dims`, risk type among them, from
    each incident's set of risk types (analytics/store/risk_sets.py), not a row per incident and
    risk type. `rows` is the FROM ... WHERE of the selection, its table under `i`."""
    columns = [DIMENSIONS[d][1] for d in dims]
    others = [(k, col) for k, col in enumerate(columns) if col != "risk_type"]
    counted = by_risk_type(
        "SELECT date_trunc($unit, i.occurred_at)::DATE AS period, "
        + "".join(f"coalesce(i.{quote_identifier(col, DIMENSION_COLUMNS)}, '') AS key{k}, "
                  for k, col in others)
        + f"i.risk_bits, i.risks FROM {rows}",
        ["period", *(f"key{k}" for k, _ in others)], {"n": "count(*)"})
    keys = ", ".join(f"coalesce(risk_type, '') AS key{k}" if col == "risk_type" else f"key{k}"
                     for k, col in enumerate(columns))
    return (f"SELECT period, {keys}, n FROM ({counted}) "
            "WHERE len($risks) = 0 OR list_contains($risks, risk_type)")


def _populations(con: duckdb.DuckDBPyConnection, filters: Filters,
                 unit: str = "ward") -> dict[str, float]:
    """Ward code -> child population, for wards in the filter (and the user's scope) whose
    population is known; for a police.uk source, ward (or LSOA) code -> residents."""
    scope = filters.in_scope("ward_code")
    if not source_of(filters.source).police:
        sql = ("SELECT ward_code, child_population FROM wards WHERE child_population > 0 "
               f"AND (len($wards) = 0 OR list_contains($wards, ward_code)) AND {scope.sql}")
    elif unit == "lsoa":  # the LSOAs the selection's rows fall in
        sql = ("SELECT code, residents FROM residents WHERE residents > 0 AND code IN "
               "(SELECT DISTINCT lsoa_code FROM incident_facts WHERE source = $source AND "
               f"(len($wards) = 0 OR list_contains($wards, ward_code)) AND {scope.sql})")
    else:
        sql = ("SELECT code, residents FROM residents WHERE residents > 0 AND code IN "
               "(SELECT ward_code FROM wards WHERE (len($wards) = 0 OR "
               f"list_contains($wards, ward_code)) AND {scope.sql})")
    params = {"wards": list(filters.wards), **scope.params}
    if "$source" in sql:
        params["source"] = filters.source
    rows = con.execute(sql, params).fetchall()
    return {code: float(n) for code, n in rows}


def _labeller(con: duckdb.DuckDBPyConnection, dim: str,
              codes: list[str] | None = None, view: str = "board") -> dict[str, str]:
    """Code -> plain label for a dimension ('' is 'Not recorded'); for wards and places, only
    the `codes` given, when given (twelve thousand places' names cost more than the rest)."""
    only = {"codes": codes or [], "all": codes is None}
    if dim == "lsoa":
        names = dict(con.execute("SELECT lsoa_code, coalesce(lsoa_name, lsoa_code) FROM lsoa "
                                 "WHERE $all OR lsoa_code IN (SELECT unnest($codes))",
                                 only).fetchall())
    elif dim == "ward":
        names = dict(con.execute("SELECT ward_code, ward_name FROM wards WHERE $all OR "
                                 "ward_code IN (SELECT unnest($codes))", only).fetchall())
    elif dim == "context":
        # A home is named as every page names it (places.shareable_name): 'A home address in
        # Pennyfold' outside the analyst's view; a street address could point to a family.
        names = {cid: places.shareable_name(name, kind, ward, view)
                 for cid, name, kind, ward in con.execute(
                     """SELECT c.context_id, c.name, c.context_type, w.ward_name
                        FROM place_facts c LEFT JOIN wards w USING (ward_code)
                        WHERE $all OR c.context_id IN (SELECT unnest($codes))""",
                     only).fetchall()}
    elif dim == "risk_type":
        return _RiskLabels()
    else:
        names = {"context_type": CONTEXT_LABELS, "agency": AGENCY_LABELS}.get(dim, {})
    return _Labels(names)


class _Labels(dict):
    """A label map that names unknown codes by their code and the empty code 'Not recorded'."""

    def __missing__(self, key: str) -> str:
        return NOT_RECORDED if key == "" else str(key)


class _RiskLabels(_Labels):
    """Risk types, crime types and objects of search by their labels (sources.risk_label)."""

    def __missing__(self, key: str) -> str:
        return NOT_RECORDED if key == "" else risk_label(key)


# ---- SPC over the series -------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class TrendSeries:
    """One series judged: its key and label, the SPC result, the sentence, and its counts."""

    key: str
    label: str
    result: spc.SpcResult
    sentence: str
    counts: pd.DataFrame = field(repr=False)  # period, count, value

    @property
    def total(self) -> int:
        return int(self.counts["count"].sum())

    @property
    def headline(self) -> str:
        """'Criminal exploitation: above the average for 8 months in a row, since March 2026'."""
        return f"{self.label}: {spc.lower_first(self.sentence)}"

    @property
    def current_signal(self) -> spc.Signal | None:
        """The latest signal, if it is still going (ends within the latest few periods)."""
        latest = self.result.latest_signal()
        return latest if latest and latest.current else None


@dataclass(frozen=True, eq=False)
class TrendView:
    """Everything the Trends page draws for one choice of measure, split and granularity."""

    window: Window | None
    measure: str
    split: str
    options: spc.SpcOptions
    overall: TrendSeries | None
    series: tuple[TrendSeries, ...]
    more_series: int  # series left out of the small multiples
    interventions: pd.DataFrame
    notes: tuple[str, ...]
    source: str = INCIDENTS

    @property
    def measure_label(self) -> str:
        """'Incidents', 'Crimes per 1,000 residents': the measure in the source's words."""
        return measures(self.source)[self.measure]


def spc_options(fix_after: int | None = None,
                change_point: date | None = None) -> spc.SpcOptions:
    """SPC options for a harm count: higher is worse, too rare under MIN_MEAN_COUNT a period,
    limits optionally fixed after the first `fix_after` points and recalculated from a change
    point (NHSRplotthedots' fix_after_n_points and rebase)."""
    return spc.SpcOptions(direction="higher_is_worse", fix_after_n_points=fix_after,
                          change_points=(change_point,) if change_point else (),
                          min_mean=MIN_MEAN_COUNT)


def as_shown(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """The series with `shown`: each value worked out from the count as the view shows it
    (rounded in the board's view, so a rate is a rounded count over the population); `count`
    and `value` stay exact. The caller's frame is unchanged."""
    out = frame.copy()
    shown = shown_counts(out["count"], view)
    pop = out["population"] if "population" in out else pd.Series(np.nan, index=out.index)
    out["shown"] = np.where(pop.notna(), shown / pop * PER_CHILDREN, shown)
    return out


def judge(key: str, label: str, frame: pd.DataFrame, options: spc.SpcOptions,
          unit: str, view: str = "analyst") -> TrendSeries:
    """Run SPC on one series (frame: period, count, value) and say what it shows; keep the
    values as the view shows them (`shown`) for drawing.

    The signals are the package's on the exact series, the same in every view: a signal is a
    judgement, not a count, and a board and a lead must hear the same story. What is drawn in the
    board's view is the rounded series, without the centre line and limits (worked out from the
    exact counts, an average times the months is the exact total). Rarity is judged on the
    counts: for a rate the threshold is MIN_MEAN_COUNT events a period expressed as a rate of the
    series' population.
    """
    frame = as_shown(frame, view)
    population = frame["population"].iloc[0] if "population" in frame and len(frame) else np.nan
    if not np.isnan(population):
        options = replace(options, min_mean=options.min_mean / population * PER_CHILDREN)
    result = spc.xmr(frame["value"].to_numpy(), frame["period"], options)
    sentence = spc.summary(result, unit)
    if result.run_reason == "rare":
        sentence = (f"Too rare to tell a real change from noise (under {MIN_MEAN_COUNT:g} "
                    f"a {unit} on average)")
    return TrendSeries(key, label, result, sentence,
                       frame[["period", "count", "value", "shown"]].reset_index(drop=True))


def trend_view(con: duckdb.DuckDBPyConnection, filters: Filters, *, measure: str = "incidents",
               split: str = "none", granularity: str = "month", fix_after: int | None = None,
               change_point: date | None = None, view: str = "analyst") -> TrendView:
    """The overall series and the split's series (largest first), judged with SPC as the view
    shows them (see judge), and the interventions that started in the window (for markers)."""
    options = spc_options(fix_after, change_point)
    win = window(con, filters, granularity)
    notes: list[str] = []
    src = source_of(filters.source)
    if win is None:
        return TrendView(None, measure, split, options, None, (), 0, _no_interventions(), (),
                         filters.source)
    if win.left_out:
        notes.append(win.left_out)
    total = counts(con, filters, measure=measure, granularity=granularity, win=win)
    if total.empty:  # a rate with no ward population known
        notes.append(f"No ward in this selection has a known {_population_noun(src)}, so no "
                     "rate." + ("" if not src.police else " Load residents by ward or LSOA "
                                "(ONS population estimates) on the Data page for rates."))
        return TrendView(win, measure, split, options, None, (), 0,
                         interventions(con, filters, win, view), tuple(notes), filters.source)
    overall = judge("all", measures(filters.source)[measure], total, options, granularity, view)
    series: list[TrendSeries] = []
    more = 0
    if split != "none":
        parts = counts(con, filters, measure=measure, split=split, granularity=granularity,
                       win=win)
        sizes = parts.groupby("key")["count"].sum().sort_values(ascending=False, kind="stable")
        sizes = sizes[sizes > 0]
        more = max(0, len(sizes) - MAX_SERIES)
        for key in sizes.index[:MAX_SERIES]:
            frame = parts[parts["key"] == key]
            series.append(judge(key, frame["label"].iloc[0], frame, options, granularity, view))
    if measure == "rate":
        notes.append(f"Rates count {src.nouns} in wards whose {_population_noun(src)} is "
                     f"known; {src.nouns} with no ward recorded are left out.")
    if measure == "young_people":
        notes.append("A young person is counted once in each period they appear in.")
    if split == "risk_type" and not src.police:
        notes.append("An incident can carry several risk types, so it can count in several "
                     "charts.")
    return TrendView(win, measure, split, options, overall, tuple(series), more,
                     interventions(con, filters, win, view), tuple(notes), filters.source)


def _population_noun(src) -> str:
    return "child population" if src.population == "children" else "number of residents"


# ---- interventions -------------------------------------------------------------------------

INTERVENTION_COLUMNS = ["intervention_id", "started_on", "ended_on", "intervention_type",
                        "lead_agency", "description", "context_name", "ward_code", "label"]


def _no_interventions() -> pd.DataFrame:
    return pd.DataFrame(columns=INTERVENTION_COLUMNS)


def interventions(con: duckdb.DuckDBPyConnection, filters: Filters, win: Window | None,
                  view: str = "board") -> pd.DataFrame:
    """Interventions that started in the window, in the filter's wards and context types (and
    the user's scope); a home is named as every page names it in the view
    (places.shareable_name)."""
    if win is None:
        return _no_interventions()
    scope = filters.in_scope("v.ward_code", "c.ward_code")
    frame = con.execute(
        f"""
        SELECT v.intervention_id, v.started_on, v.ended_on, v.intervention_type, v.lead_agency,
               v.description, c.name AS context_name, c.context_type, w.ward_name,
               coalesce(v.ward_code, c.ward_code) AS ward_code
        FROM interventions v LEFT JOIN place_facts c USING (context_id)
        LEFT JOIN wards w ON w.ward_code = c.ward_code
        WHERE v.started_on BETWEEN $start AND $end
          AND (v.extract_id IS NULL OR v.extract_id NOT IN (SELECT extract_id FROM hidden_extracts))
          AND (len($wards) = 0 OR list_contains($wards, coalesce(v.ward_code, c.ward_code)))
          AND (len($types) = 0 OR list_contains($types, c.context_type)) AND {scope.sql}
        ORDER BY v.started_on, v.intervention_id
        """,
        {"start": win.first, "end": win.last_day, "wards": list(filters.wards),
         "types": list(filters.context_types), **scope.params},
    ).df()
    frame["started_on"] = pd.to_datetime(frame["started_on"])
    frame["context_name"] = [
        places.shareable_name(n, t, w if isinstance(w, str) else None, view)
        if isinstance(n, str) else n
        for n, t, w in zip(frame["context_name"], frame["context_type"], frame["ward_name"],
                           strict=True)]
    frame["label"] = _intervention_labels(frame)
    return frame[INTERVENTION_COLUMNS]


def _intervention_labels(frame: pd.DataFrame) -> pd.Series:
    """'Detached youth work at Alder Park' (or the description when there is no type, and
    'Intervention' when there is neither), a column at a time. Missing text is NaN, not None,
    and NaN is true in Python: a row at a time, an intervention with no type read 'Nan at'."""
    if frame.empty:  # most narrow views: the column steps cost a millisecond for nothing
        return pd.Series([], index=frame.index, dtype="str")
    kind = frame["intervention_type"].astype(object).fillna("")
    what = kind.where(kind != "", frame["description"].astype(object).fillna(""))
    what = what.where(what != "", "Intervention").astype(str).str.replace("_", " ")
    what = what.str[:1].str.upper() + what.str[1:]
    where = frame["context_name"].astype(object)  # text, or NaN for no place (all NaN: float)
    home = where.str.startswith("A home address", na=False)  # 'at a home address in Pennyfold'
    where = where.where(~home, "a" + where.str[1:])
    return (what + " at " + where.fillna("").astype(str)).where(where.notna(), what)


# ---- year on year and month of year ----------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Seasonality:
    """Monthly values by calendar year, the month-of-year profile, and the last 12 months
    against the 12 before."""

    by_year: pd.DataFrame  # year, month (1-12), count, value
    profile: pd.DataFrame  # month (1-12), months, count, value (the average)
    recent: float | None  # average a month in the latest 12 months
    previous: float | None  # average a month in the 12 before
    last_month: date | None


def seasonality(con: duckdb.DuckDBPyConnection, filters: Filters, *, measure: str = "incidents",
                view: str = "analyst") -> Seasonality:
    """Year-on-year and month-of-year views of the measure over up to SEASONAL_MONTHS months,
    worked out from the monthly counts as the view shows them (an exact average a month times
    the months would give back an exact total)."""
    win = window(con, filters, "month", min_months=SEASONAL_MONTHS)
    frame = counts(con, filters, measure=measure, win=win) if win else pd.DataFrame()
    if not frame.empty:
        frame = as_shown(frame, view).drop(columns="value").rename(columns={"shown": "value"})
    if frame.empty:
        empty = pd.DataFrame(columns=["year", "month", "count", "value"])
        return Seasonality(empty, pd.DataFrame(columns=["month", "months", "count", "value"]),
                           None, None, None)
    frame = frame.assign(year=frame["period"].dt.year, month=frame["period"].dt.month)
    by_year = frame[["year", "month", "count", "value"]].reset_index(drop=True)
    profile = (frame.groupby("month")
               .agg(months=("value", "size"), count=("count", "sum"), value=("value", "mean"))
               .reset_index())
    values = frame["value"].to_numpy()
    recent = float(values[-12:].mean()) if len(values) >= 12 else None
    previous = float(values[-24:-12].mean()) if len(values) >= 24 else None
    return Seasonality(by_year, profile, recent, previous, win.periods[-1].date())


def year_on_year_sentence(s: Seasonality, noun: str, judged: TrendSeries | None = None) -> str:
    """'In the 12 months to October 2026, 14% more incidents a month than the 12 before'.

    With the control chart of the same measure (`judged`), a change the chart does not call a
    signal says so, so the words never claim more than the chart beside them."""
    text = _year_on_year(s, noun)
    if judged is None or not text.startswith("In the 12 months") or "about the same" in text:
        return text
    latest = judged.current_signal
    if latest is None:
        return text + ", within the ups and downs the control chart expects"
    return text + f" (the control chart: {spc.lower_first(spc.describe(latest, 'month'))})"


def _year_on_year(s: Seasonality, noun: str) -> str:
    if s.last_month is None or s.recent is None:
        return f"Not enough months to compare {noun} year on year"
    to = uk_month(s.last_month)
    if s.previous is None:
        return f"{upper_initial(noun)} in the 12 months to {to}: fewer than 24 months, so no comparison"
    if s.previous == 0:
        return f"{upper_initial(noun)} in the 12 months to {to}: none in the 12 months before"
    change = (s.recent - s.previous) / s.previous
    if abs(change) < 0.005:
        return f"In the 12 months to {to}, about the same {noun} a month as the 12 before"
    more = "more" if change > 0 else "fewer"
    return f"In the 12 months to {to}, {abs(change):.0%} {more} {noun} a month than the 12 before"


def season_table(s: Seasonality, view: str, measure: str, *, by_year: bool,
                 label: str | None = None) -> pd.DataFrame:
    """The year-on-year lines (by_year) or the month-of-year averages as a table, suppressed."""
    rate = measure == "rate"
    if by_year:
        f = s.by_year
        return pd.DataFrame({
            "Month": [f"{calendar.month_name[m]} {y}" for y, m in zip(f["year"], f["month"],
                                                                       strict=True)],
            label or MEASURES[measure]: [_shown_value(v, c, view, rate) for v, c in
                                zip(f["value"], f["count"], strict=True)]})
    p = s.profile
    return pd.DataFrame({
        "Month of the year": [calendar.month_name[m] for m in p["month"]],
        "Years": p["months"],
        "Average a month": [SUPPRESSED if suppresses(view) and is_small(c) else f"{v:,.2f}"
                            for v, c in zip(p["value"], p["count"], strict=True)]})


def profile_sentence(s: Seasonality, noun: str) -> str:
    """'Over 3 years, July has averaged the most incidents and February the fewest'."""
    p = s.profile
    if p.empty or p["value"].max() == p["value"].min():
        return f"No month of the year stands out for {noun}"
    years = int(p["months"].max())
    hi = calendar.month_name[int(p.loc[p["value"].idxmax(), "month"])]
    lo = calendar.month_name[int(p.loc[p["value"].idxmin(), "month"])]
    span = "1 year" if years == 1 else f"{years} years"
    return f"Over {span}, {hi} has averaged the most {noun} and {lo} the fewest"


# ---- signals for every risk type x ward ---------------------------------------------------

SIGNAL_COLUMNS = ["key_a", "label_a", "key_b", "label_b", "rule", "rule_label", "sentence",
                  "what", "since", "until", "current", "side", "assessment", "points", "total"]


@dataclass(frozen=True, eq=False)
class SignalTable:
    """Signals found across every pair of (say) risk type and ward, and how many were judged."""

    by: tuple[str, ...]
    frame: pd.DataFrame  # SIGNAL_COLUMNS, current concerns first
    judged: int
    too_small: int
    window: Window | None
    options: spc.SpcOptions
    source: str = INCIDENTS

    @property
    def current(self) -> pd.DataFrame:
        """The signals still going at the end of the window."""
        return self.frame[self.frame["current"].astype(bool)]

    @property
    def current_concerns(self) -> int:
        """How many current signals say harm rose."""
        return int((self.current["assessment"] == spc.CONCERN).sum())


@memo.per_data_version()  # the Overview's list and its narrative both start from it
def signals(con: duckdb.DuckDBPyConnection, filters: Filters, *,
            by: tuple[str, ...] = ("risk_type", "ward"), granularity: str = "month",
            fix_after: int | None = None, change_point: date | None = None,
            view: str = "analyst") -> SignalTable:
    """The latest signal (if any) of every series of incidents by `by` (one or two dimensions),
    from one grouped query and SPC on each small array. Series with no ward (or other key)
    recorded are not places to act on, so they are left out. Every page, slide and the pack read
    their signals from here; the view only decides how a place is named."""
    if not 1 <= len(by) <= 2:
        raise ValueError("Signals are grouped by one or two dimensions.")
    options = spc_options(fix_after, change_point)
    win = window(con, filters, granularity)
    if win is None:
        return SignalTable(by, pd.DataFrame(columns=SIGNAL_COLUMNS), 0, 0, None, options,
                           filters.source)
    raw = _grouped(con, filters, win, by)
    if len(by) == 1:
        raw["key1"] = "-"
    raw = raw[(raw["key0"] != "") & (raw["key1"] != "")]
    if raw.empty:
        return SignalTable(by, pd.DataFrame(columns=SIGNAL_COLUMNS), 0, 0, win, options,
                           filters.source)
    series, matrix = _series_matrix(raw, win.periods)
    rare = matrix.mean(axis=1) < options.min_mean if len(matrix) else np.zeros(0, dtype=bool)
    too_small = int(rare.sum())
    judged_rows = np.flatnonzero(~rare)
    # Every series judged at once (spc.latest_signals): one xmr call per place cost seconds.
    found = [(i, latest) for i, latest in zip(
        judged_rows, spc.latest_signals(matrix[judged_rows], win.periods, options), strict=True)
        if latest is not None]
    keys = [series[i] for i, _ in found]
    labels = [_labeller(con, d, sorted({k[n] for k in keys}), view)
              for n, d in enumerate(by)] + (
        [_Labels()] if len(by) == 1 else [])
    rows = []
    for (i, latest), (a, b) in zip(found, keys, strict=True):
        rows.append((a, labels[0][a], b, labels[1][b], latest.rule, spc.RULE_LABELS[latest.rule],
                     spc.describe(latest, granularity),
                     spc.describe(latest, granularity, since=False), latest.start, latest.end,
                     latest.current,
                     latest.side, latest.assessment, latest.points, int(matrix[i].sum())))
    frame = pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
    if not frame.empty:
        frame = frame.sort_values(
            ["current", "assessment", "until", "points", "total"],
            ascending=[False, True, False, False, False], kind="stable").reset_index(drop=True)
    judged = len(series) - too_small
    return SignalTable(by, frame, judged, too_small, win, options, filters.source)


def _series_matrix(raw: pd.DataFrame, periods: pd.DatetimeIndex
                   ) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The (key0, key1) of each series, in order, and its counts in each of `periods` (series x
    periods, zeros where none): laid out by position from codes of the sorted keys, where a
    pandas groupby and unstack over the keys' Arrow strings took twice as long (tens of
    thousands of rows for a period's places)."""
    codes0, keys0 = pd.factorize(raw["key0"], sort=True)
    codes1, keys1 = pd.factorize(raw["key1"], sort=True)
    pairs, row = np.unique(codes0.astype(np.int64) * len(keys1) + codes1, return_inverse=True)
    column = periods.get_indexer(raw["period"])
    inside = column >= 0
    matrix = np.zeros((len(pairs), len(periods)))
    np.add.at(matrix, (row[inside], column[inside]), raw["n"].to_numpy(dtype=float)[inside])
    first, second = np.divmod(pairs, len(keys1))
    return list(zip(keys0[first].tolist(), keys1[second].tolist(), strict=True)), matrix


def top_signals(con: duckdb.DuckDBPyConnection, filters: Filters, n: int = 5,
                view: str = "analyst") -> pd.DataFrame:
    """The n current signals most worth a board's look, concerns first, one sentence each.

    A ward with WARD_SUMMARY_MIN or more current concerns is told once ('Larkspur Vale: harm
    rising in 7 risk types ...') so one ward cannot fill the list; other signals are told one
    by one ('Criminal exploitation in Millbrook: above the average for 8 months in a row, ...').
    Columns: key_a (risk type, '' for a ward summary), key_b (ward), assessment, headline.
    """
    current = signals(con, filters, view=view).current
    src = source_of(filters.source)
    concerns = current[current["assessment"] == spc.CONCERN]
    per_ward = concerns.groupby("key_b", sort=False).size()
    busy = [w for w in per_ward.index if per_ward[w] >= WARD_SUMMARY_MIN]
    rows = []
    for ward in busy:
        mine = concerns[concerns["key_b"] == ward]
        risks = [lower_initial(label) for label in mine["label_a"]]
        listed = ", ".join(risks[:3]) + (f" and {len(risks) - 3} more" if len(risks) > 3 else "")
        rows.append(("", ward, spc.CONCERN,
                     f"{mine['label_b'].iloc[0]}: {src.harm} rising in {len(risks)} "
                     f"{src.type_nouns} at "
                     f"once ({listed})"))
    rest = current[~((current["assessment"] == spc.CONCERN) & current["key_b"].isin(busy))]
    rows += [(r.key_a, r.key_b, r.assessment, f"{r.label_a} in {r.label_b}: {spc.lower_first(r.sentence)}")
             for r in rest.itertuples()]
    return pd.DataFrame(rows[:n], columns=["key_a", "key_b", "assessment", "headline"])


def signal_table_for_display(table: SignalTable, view: str) -> pd.DataFrame:
    """The signals as a reader sees them: plain columns, totals suppressed in board/lead views."""
    nouns = [dimension_noun(d, table.source).capitalize() for d in table.by]
    f = table.frame
    out = pd.DataFrame({nouns[0]: f["label_a"]})
    if len(table.by) == 2:
        out[nouns[1]] = f["label_b"]
    out["What changed"] = f["what"]
    out["Since"] = [uk_month(d) if table.window.granularity == "month" else uk_date(d)
                    for d in f["since"]]
    out["Direction"] = [f"{'Up' if s > 0 else 'Down'} ({a})"
                        for s, a in zip(f["side"], f["assessment"], strict=True)]
    out["Still going"] = ["Yes" if c else "No" for c in f["current"]]
    out[f"{source_of(table.source).nouns.capitalize()} ({len(table.window.periods)} "
        f"{table.window.granularity}s)"] = [
        display_count(v, view) for v in f["total"]]
    return out


# ---- tables for 'show as table' --------------------------------------------------------------

def series_table(view: TrendView, display: str) -> pd.DataFrame:
    """The small multiples as a table: each series, what it shows, and its total (suppressed)."""
    total = ("Young people, added up period by period" if view.measure == "young_people"
             else f"{source_of(view.source).nouns.capitalize()} in the window")
    return pd.DataFrame({splits(view.source)[view.split]: [s.label for s in view.series],
                         "What it shows": [s.sentence for s in view.series],
                         total: [display_count(s.total, display) for s in view.series]})


def interventions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The interventions marked on a chart, as a plain table (no counts, nothing to suppress)."""
    return pd.DataFrame({"Started": [uk_date(d.date()) for d in frame["started_on"]],
                         "Intervention": frame["label"], "Lead": frame["lead_agency"],
                         "Description": frame["description"]})


def xmr_table(series: TrendSeries, view: str, measure: str, granularity: str,
              label: str | None = None) -> pd.DataFrame:
    """One XmR chart as a table: period, value (suppressed), average, limits, and what it shows
    (`label` names the measure, MEASURES' name by default).

    Where the view rounds, values are the rounded ones and the average and limits are left out:
    worked out from the exact counts, an average times the periods is the exact total."""
    pts = series.result.points
    rate = measure == "rate"
    shown = [_shown_value(v, c, view, rate) for v, c in
             zip(series.counts["shown"], series.counts["count"], strict=True)]
    out = pd.DataFrame({
        GRANULARITIES[granularity]: [uk_month(d) if granularity == "month" else uk_date(d)
                                     for d in pts["period"]]})
    out[label or MEASURES[measure]] = shown
    if not rounds(view):
        out["Average" if series.result.kind == "xmr" else "Median"] = pts["centre"].round(2)
    if series.result.kind == "xmr" and not rounds(view):
        out["Lower limit"] = pts["lower"].clip(lower=0).round(2)
        out["Upper limit"] = pts["upper"].round(2)
    out["Reading"] = [_point_words(row) for row in pts.itertuples()]
    return out


def _shown_value(value: float, count: int, view: str, rate: bool) -> str:
    """A count (or rate) as shown in this view: '<5' where the count behind it is 1 to 4."""
    if suppresses(view) and is_small(count):
        return SUPPRESSED
    return f"{value:,.2f}" if rate else display_count(count, view)


POINT_WORDS = {("beyond_limit", 1): "above the upper limit",
               ("beyond_limit", -1): "below the lower limit",
               ("trend", 1): "part of a rise of 7 or more in a row",
               ("trend", -1): "part of a fall of 7 or more in a row",
               ("two_of_three", 1): "2 of 3 close to the upper limit",
               ("two_of_three", -1): "2 of 3 close to the lower limit",
               ("run", 1): "7 or more in a row above the average",
               ("run", -1): "7 or more in a row below the average"}


def _point_words(row) -> str:
    """'Concern: above the upper limit' or 'Common cause': the package's reading of one point."""
    if row.point_type == spc.COMMON:
        return "Common cause"
    return f"{row.point_type.capitalize()}: {POINT_WORDS[(row.rule, int(row.side))]}"


def _check(value: str, allowed: dict, what: str) -> None:
    if value not in allowed:
        raise ValueError(f"Unknown {what} {value!r}; choose one of {', '.join(allowed)}.")


# ---- choices for the page's controls -------------------------------------------------------

def period_label(d: date | pd.Timestamp, granularity: str) -> str:
    """'March 2026' for a month, 'week of 2 March 2026' for a week."""
    d = pd.Timestamp(d).date()
    return uk_month(d) if granularity == "month" else f"week of {uk_date(d)}"


def change_point_choices(view: TrendView) -> dict[date, str]:
    """Periods a change point may start at (all but the first), each named with any
    intervention that started in it, so "when the intervention began" is one click."""
    if view.window is None:
        return {}
    gran = view.window.granularity
    periods = [p.date() for p in view.window.periods[1:]]
    started: dict[date, list[str]] = {}
    for row in view.interventions.itertuples():
        ts = pd.Timestamp(row.started_on)
        start = (ts.replace(day=1) if gran == "month"
                 else ts - pd.Timedelta(days=ts.weekday())).date()
        started.setdefault(start, []).append(row.label)
    return {p: period_label(p, gran) + (f" ({'; '.join(started[p])} started)"
                                        if p in started else "") for p in periods}
