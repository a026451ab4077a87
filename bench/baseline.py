"""The same analyses written as a plain Streamlit app would: DataFrames in memory, groupby, merge.

This is the yardstick the benchmark measures our DuckDB analytics against, so it is written the
way a competent pandas developer would write it, not as a strawman:
- every table is read once into memory at start-up (`load`, what the plain app caches with
  st.cache_data), with the conveniences such an app adds there: code columns as categoricals,
  the UK local time and month of each incident, and a True/False column per risk type (so the
  risk filter is a column test), all worked out once;
- each analysis then filters with boolean masks and aggregates with groupby, merge and
  pivot_table, vectorised throughout (no row loops where pandas has a verb for it);
- the statistics are the project's own (SPC, Gi*, k-means, Theil-Sen, Fisher), called on the
  pandas aggregates, exactly as a plain app reusing our library would: the comparison is about
  getting the numbers out of the data, which is what the two designs do differently.

Each function takes the frames and a Filters (plus the page's arguments) and returns the numbers
the analytics function returns; tests/bench/test_bench.py checks that they agree on a small borough.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from analytics.contexts import clustering, priorities
from analytics.contexts.contexts import (
    NEIGHBOUR_RADIUS_M,
    NIGHT_END_HOUR,
    NIGHT_START_HOUR,
    NO_WARD,
    RISK_COLUMNS,
    SEVERITY_COLUMNS,
    WEEKEND_START_HOUR,
    month_grid,
    theil_sen_slopes,
)
from analytics.overlap import overlap
from analytics.places import hotspots, places
from analytics.store.filters import Filters, add_months, month_end, period_words
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS, RISK_LABELS
from analytics.trends import spc, trends

LOCAL_ZONE = "Europe/London"
CODE_COLUMNS = ("ward_code", "location_type", "source_agency")


@dataclass
class Frames:
    """Every table the pages read, held in memory as the plain app would."""

    incidents: pd.DataFrame
    risks: pd.DataFrame
    people: pd.DataFrame
    contexts: pd.DataFrame
    wards: pd.DataFrame
    interventions: pd.DataFrame
    extracts: pd.DataFrame
    area_crime: pd.DataFrame
    lsoa: pd.DataFrame

    def memory_bytes(self) -> int:
        """What the frames hold in memory (deep: strings counted)."""
        return int(sum(f.memory_usage(deep=True).sum() for f in vars(self).values()))


def load(con) -> Frames:
    """Read every table once (the plain app's cached loader) and add the derived columns."""
    def table(name: str) -> pd.DataFrame:
        return con.execute(f"SELECT * FROM {name}").df()  # fixed names, never user input

    inc = table("incidents")
    # Incidents numbered 0, 1, 2 ... in the order of their ids, and young people by category
    # codes: a match of people to incidents is then on integers, never on text ids.
    number, ids = pd.factorize(inc["incident_id"], sort=True)
    inc["incident_ref"], inc["incident_id"] = inc["incident_id"], number
    for column in CODE_COLUMNS:
        inc[column] = inc[column].astype("category")
    local = inc["occurred_at"].dt.tz_localize("UTC").dt.tz_convert(LOCAL_ZONE)
    inc["local_at"] = local.dt.tz_localize(None)
    inc["month"] = inc["occurred_at"].dt.to_period("M").dt.to_timestamp()
    risks = table("incident_risks")[["incident_id", "risk_type"]]
    risks["incident_id"] = ids.get_indexer(risks["incident_id"])
    risks["risk_type"] = risks["risk_type"].astype("category")
    # One True/False column per risk type on each incident, so the risk filter is a column
    # test rather than an isin over hundreds of thousands of string ids.
    flags = pd.crosstab(risks["incident_id"], risks["risk_type"]).gt(0)
    flags = flags.reindex(inc["incident_id"], fill_value=False).add_prefix("risk_")
    inc = pd.concat([inc, flags.reset_index(drop=True).set_index(inc.index)], axis=1)
    people = table("incident_people")[["incident_id", "person_id"]]
    people["incident_id"] = ids.get_indexer(people["incident_id"])
    people["person_id"] = people["person_id"].astype("category")
    return Frames(incidents=inc, risks=risks, people=people, contexts=table("contexts"),
                  wards=table("wards"), interventions=table("interventions"),
                  extracts=table("extracts"), area_crime=table("area_crime"),
                  lsoa=table("lsoa"))


# ---- selection -----------------------------------------------------------------------------

def select(fr: Frames, f: Filters, *, risks: bool = True, wards: bool = True) -> pd.DataFrame:
    """The incidents the filters choose (boolean masks, as any pandas app filters)."""
    inc = fr.incidents
    mask = np.ones(len(inc), dtype=bool)
    if f.start:
        mask &= (inc["occurred_at"] >= pd.Timestamp(f.start)).to_numpy()
    if f.end:
        mask &= (inc["occurred_at"] < pd.Timestamp(f.end + timedelta(days=1))).to_numpy()
    if f.wards and wards:
        mask &= inc["ward_code"].isin(f.wards).to_numpy()
    if f.risk_types and risks:
        columns = [f"risk_{r}" for r in f.risk_types if f"risk_{r}" in inc]
        mask &= inc[columns].any(axis=1).to_numpy() if columns else False
    if f.context_types:
        mask &= inc["location_type"].isin(f.context_types).to_numpy()
    if f.agencies:
        mask &= inc["source_agency"].isin(f.agencies).to_numpy()
    return inc[mask]


def _risk_counts(sel: pd.DataFrame, keys: list) -> pd.Series:
    """Incidents by `keys` and risk type (non-zero only), summing the risk columns."""
    flags = [c for c in sel.columns if str(c).startswith("risk_")]
    wide = sel.groupby(keys, observed=True)[flags].sum()
    wide.columns = [c.removeprefix("risk_") for c in flags]
    long = wide.rename_axis(columns="risk_type").stack()
    return long[long > 0]


def _with_risks(fr: Frames, sel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return sel[["incident_id", *columns]].merge(fr.risks, on="incident_id")


def _with_people(fr: Frames, sel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return sel[["incident_id", *columns]].merge(fr.people, on="incident_id")


def _ward_name_map(fr: Frames) -> dict[str, str]:
    return dict(zip(fr.wards["ward_code"], fr.wards["ward_name"], strict=True))


# ---- sidebar -------------------------------------------------------------------------------

def data_facts(fr: Frames) -> tuple:
    """First and latest incident dates, count, the latest load and whether it is the demo."""
    inc = fr.incidents["occurred_at"]
    loaded = fr.extracts[fr.extracts["status"] == "loaded"].sort_values(
        ["uploaded_at", "extract_id"])
    last = loaded.iloc[-1] if len(loaded) else None
    return (inc.min().date() if len(inc) else None, inc.max().date() if len(inc) else None,
            None if last is None else last["uploaded_at"],
            None if last is None else last["file_name"],
            bool((loaded["kind"] == "demo").any()), len(inc))


def ward_names(fr: Frames, f: Filters) -> dict[str, str]:
    """Ward code -> name, in name order (the benchmark's user has no scope: `f` limits nothing)."""
    w = fr.wards.sort_values("ward_name")
    return dict(zip(w["ward_code"], w["ward_name"], strict=True))


# ---- overview ------------------------------------------------------------------------------

def totals(fr: Frames, f: Filters) -> tuple[int, int, int, int]:
    """Incidents, young people, places and wards with incidents."""
    sel = select(fr, f)
    people = fr.people.loc[fr.people["incident_id"].isin(sel["incident_id"]), "person_id"]
    return (len(sel), int(people.nunique()), int(sel["context_id"].nunique()),
            int(sel["ward_code"].nunique()))


def headline(fr: Frames, f: Filters, top: int = 3) -> tuple:
    """Totals now and in the previous period, and the busiest wards."""
    previous = totals(fr, f.previous()) if f.start and f.end else None
    sel = select(fr, f)
    counts = (sel.groupby("ward_code", observed=True).size().rename("incidents").reset_index()
              .merge(fr.wards[["ward_code", "ward_name"]], on="ward_code"))
    top_wards = counts.sort_values(["incidents", "ward_name"], ascending=[False, True]).head(top)
    return totals(fr, f), previous, top_wards.reset_index(drop=True)


def risk_trends(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents a month by risk type, zeros filled."""
    counts = _risk_counts(select(fr, f), ["month"]).reorder_levels(["risk_type", "month"])
    if f.risk_types:
        counts = counts[counts.index.get_level_values("risk_type").isin(f.risk_types)]
    months = (pd.date_range(f.start.replace(day=1), f.end, freq="MS") if f.start and f.end
              else pd.DatetimeIndex([]))
    grid = pd.MultiIndex.from_product([list(f.risk_types) or list(RISK_LABELS), months],
                                      names=["risk_type", "month"])
    out = counts.reindex(grid, fill_value=0).rename("value").reset_index()
    out["label"] = out["risk_type"].map(RISK_LABELS)
    return out


def changes(fr: Frames, f: Filters, unit: str = "ward") -> pd.DataFrame:
    """Incidents now and before for every ward (or place), largest change first."""
    if not (f.start and f.end):
        return pd.DataFrame(columns=["code", "name", "current", "previous", "change"])
    key = "ward_code" if unit == "ward" else "context_id"
    names = (fr.wards[["ward_code", "ward_name"]] if unit == "ward"
             else fr.contexts[["context_id", "name"]])
    names = names.set_axis(["code", "name"], axis=1)
    now = select(fr, f).groupby(key, observed=True).size().rename("current")
    before = select(fr, f.previous()).groupby(key, observed=True).size().rename("previous")
    both = pd.concat([now, before], axis=1).fillna(0).astype(int).rename_axis("code")
    out = names.merge(both.reset_index(), on="code")
    out["change"] = out["current"] - out["previous"]
    out = out.assign(size=out["change"].abs()).sort_values(["size", "name"],
                                                           ascending=[False, True])
    return out.drop(columns="size").reset_index(drop=True)


# ---- trends --------------------------------------------------------------------------------

def _bounds(fr: Frames) -> tuple[date | None, date | None, date | None]:
    inc = fr.incidents["occurred_at"]
    if not len(inc):
        return None, None, None
    first, latest = inc.min().date(), inc.max().date()
    loaded = fr.extracts.loc[fr.extracts["status"] == "loaded", "uploaded_at"]
    through = latest
    if len(loaded):
        through = max(latest, loaded.max().date() - timedelta(days=1))
    return first, latest, through


def window(fr: Frames, f: Filters, granularity: str = "month",
           min_months: int | None = None) -> pd.DatetimeIndex:
    """The complete months (or weeks) judged, widened back for history (as trends.window)."""
    first, latest, through = _bounds(fr)
    if latest is None:
        return pd.DatetimeIndex([])
    min_months = min_months or trends.HISTORY[granularity]
    start, end = max(f.start or first, first), min(f.end or latest, through)
    if granularity == "month":
        first_p = start.replace(day=1)
        if start > first_p and start != first:
            first_p = add_months(first_p, 1)
        last_p = end.replace(day=1)
        if end < month_end(end):
            last_p = add_months(last_p, -1)
        floor = add_months(last_p, -(min_months - 1))
        first_p = max(min(first_p, floor), first.replace(day=1))
        return pd.date_range(first_p, last_p, freq="MS")
    first_p = start - timedelta(days=start.weekday())
    if first_p < start and start != first:
        first_p += timedelta(days=7)
    last_p = end - timedelta(days=end.weekday())
    if end < last_p + timedelta(days=6):
        last_p -= timedelta(days=7)
    floor = add_months(last_p.replace(day=1), -(min_months - 1))
    floor -= timedelta(days=floor.weekday())
    first_p = max(min(first_p, floor), first - timedelta(days=first.weekday()))
    return pd.date_range(first_p, last_p, freq="7D")


def _last_day(periods: pd.DatetimeIndex, granularity: str) -> date:
    last = periods[-1].date()
    return month_end(last) if granularity == "month" else last + timedelta(days=6)


DIMENSION = {"risk_type": "risk_type", "ward": "ward_code", "context_type": "location_type",
             "agency": "source_agency", "context": "context_id"}


def grouped(fr: Frames, f: Filters, periods: pd.DatetimeIndex, dims: tuple[str, ...],
            granularity: str = "month", measure: str = "incidents") -> pd.Series:
    """Distinct incidents (or young people) by period and the dimensions, over the window."""
    sel = select(fr, replace(f, start=periods[0].date(), end=_last_day(periods, granularity)))
    columns = [DIMENSION[d] for d in dims if d != "risk_type"]
    freq = "M" if granularity == "month" else "W-SUN"
    if "risk_type" in dims and measure == "incidents":  # count the risk columns by group
        keyed = sel.assign(period=sel["occurred_at"].dt.to_period(freq).dt.start_time,
                           **{d: sel[DIMENSION[d]].astype(object).fillna("")
                              for d in dims if d != "risk_type"})
        counts = _risk_counts(keyed, ["period", *[d for d in dims if d != "risk_type"]])
        if f.risk_types:
            counts = counts[counts.index.get_level_values("risk_type").isin(f.risk_types)]
        return counts.reorder_levels(["period", *dims])
    rows = sel[["incident_id", "occurred_at", *columns]]
    if "risk_type" in dims:
        rows = rows.merge(fr.risks, on="incident_id")
        if f.risk_types:
            rows = rows[rows["risk_type"].isin(f.risk_types)]
    if measure == "young_people":
        rows = rows.merge(fr.people, on="incident_id")
    if measure == "rate":
        known = fr.wards.loc[fr.wards["child_population"] > 0, "ward_code"]
        rows = rows[rows["ward_code"].isin(known)]
    period = rows["occurred_at"].dt.to_period(freq).dt.start_time
    keys = [rows[DIMENSION[d]].astype(object).fillna("").rename(d) for d in dims]
    value = "person_id" if measure == "young_people" else "incident_id"
    return rows.groupby([period.rename("period"), *keys], observed=True)[value].nunique()


def _labels(fr: Frames, dim: str) -> dict[str, str]:
    if dim == "ward":
        return _ward_name_map(fr)
    if dim == "context":
        c = fr.contexts.merge(fr.wards[["ward_code", "ward_name"]], on="ward_code", how="left")
        private = c["context_type"] == "residential"
        names = c["name"].where(~private, "Residential address " + c["context_id"]
                                + (", " + c["ward_name"]).fillna(""))
        return dict(zip(c["context_id"], names, strict=True))
    return {"risk_type": RISK_LABELS, "context_type": CONTEXT_LABELS,
            "agency": AGENCY_LABELS}.get(dim, {})


def _series(fr: Frames, f: Filters, periods: pd.DatetimeIndex, split: str, measure: str,
            granularity: str) -> pd.DataFrame:
    """key, label, period, count, population, value for every key and period (as trends.counts)."""
    dims = (split,) if split != "none" else ()
    raw = grouped(fr, f, periods, dims, granularity, measure)
    if split == "none":
        out = (raw.reindex(periods, fill_value=0).rename_axis("period").rename("count")
               .reset_index().assign(key="all"))
    else:
        wide = raw.unstack("period", fill_value=0).reindex(columns=periods, fill_value=0)
        out = (wide.rename_axis(columns="period").stack().rename("count").reset_index()
               .rename(columns={split: "key"}))
    labels = _labels(fr, split) if split != "none" else {}
    out["label"] = out["key"].map(labels).fillna(out["key"]) if labels else trends.MEASURES[
        measure]
    out["population"] = np.nan
    out["value"] = out["count"].astype(float)
    return out[["key", "label", "period", "count", "population", "value"]]


def trend_view(fr: Frames, f: Filters, *, measure: str = "incidents", split: str = "none",
               granularity: str = "month", fix_after=None, change_point=None) -> tuple:
    """The overall series and the largest split series, judged with SPC, and interventions."""
    options = trends.spc_options(fix_after, change_point)
    periods = window(fr, f, granularity)
    total = _series(fr, f, periods, "none", measure, granularity)
    overall = trends.judge("all", trends.MEASURES[measure], total, options, granularity)
    series = []
    if split != "none":
        parts = _series(fr, f, periods, split, measure, granularity)
        sizes = parts.groupby("key")["count"].sum().sort_values(ascending=False, kind="stable")
        for key in sizes[sizes > 0].index[:trends.MAX_SERIES]:
            frame = parts[parts["key"] == key]
            series.append(trends.judge(key, frame["label"].iloc[0], frame, options, granularity))
    v = fr.interventions.merge(fr.contexts[["context_id", "name", "ward_code", "context_type"]]
                               .rename(columns={"ward_code": "c_ward"}), on="context_id",
                               how="left")
    v = v[(v["started_on"] >= pd.Timestamp(periods[0]))
          & (v["started_on"] <= pd.Timestamp(_last_day(periods, granularity)))]
    if f.wards:
        v = v[v["ward_code"].fillna(v["c_ward"]).isin(f.wards)]
    if f.context_types:
        v = v[v["context_type"].isin(f.context_types)]
    return overall, tuple(series), v.sort_values(["started_on", "intervention_id"])


def signals(fr: Frames, f: Filters, *, by: tuple[str, ...] = ("risk_type", "ward"),
            granularity: str = "month", fix_after=None, change_point=None) -> tuple:
    """(signal frame, series judged, too small): the latest signal of every series."""
    options = trends.spc_options(fix_after, change_point)
    periods = window(fr, f, granularity)
    raw = grouped(fr, f, periods, by, granularity)
    keys = [raw.index.get_level_values(d) for d in by]
    raw = raw[np.logical_and.reduce([k != "" for k in keys])]
    wide = raw.unstack("period", fill_value=0).reindex(columns=periods, fill_value=0)
    labels = [_labels(fr, d) for d in by]
    matrix = wide.to_numpy(dtype=float)
    rare = matrix.mean(axis=1) < options.min_mean if len(matrix) else np.zeros(0, dtype=bool)
    too_small = int(rare.sum())
    judged = np.flatnonzero(~rare)
    rows = []  # every series judged at once, as the library offers (spc.latest_signals)
    for i, latest in zip(judged, spc.latest_signals(matrix[judged], periods, options),
                         strict=True):
        if latest is None:
            continue
        key = wide.index[i] if isinstance(wide.index[i], tuple) else (wide.index[i],)
        rows.append((*key, *(lab.get(k, k) for lab, k in zip(labels, key, strict=True)),
                     latest.rule, spc.describe(latest, granularity), latest.start, latest.end,
                     latest.current, latest.side, latest.assessment, latest.points,
                     int(matrix[i].sum())))
    names = [f"key_{i}" for i in range(len(by))] + [f"label_{i}" for i in range(len(by))]
    frame = pd.DataFrame(rows, columns=[*names, "rule", "sentence", "since", "until", "current",
                                        "side", "assessment", "points", "total"])
    frame = frame.sort_values(["current", "assessment", "until", "points", "total"],
                              ascending=[False, True, False, False, False], kind="stable")
    return frame.reset_index(drop=True), len(wide) - too_small, too_small


def top_signals(fr: Frames, f: Filters, n: int = 5) -> pd.DataFrame:
    """The Overview's current signals: a ward with several concerns told once, then the rest."""
    frame, _, _ = signals(fr, f)
    current = frame.loc[frame["current"].astype(bool)]
    concerns = current[current["assessment"] == spc.CONCERN]
    per_ward = concerns.groupby("key_1", sort=False).size()
    busy = list(per_ward.index[per_ward >= trends.WARD_SUMMARY_MIN])
    rest = current[~((current["assessment"] == spc.CONCERN) & current["key_1"].isin(busy))]
    rows = [("", ward) for ward in busy] + list(zip(rest["key_0"], rest["key_1"], strict=True))
    return pd.DataFrame(rows[:n], columns=["key_a", "key_b"])


def seasonality(fr: Frames, f: Filters, *, measure: str = "incidents") -> tuple:
    """Monthly values by year and the month-of-year profile over up to 36 months."""
    periods = window(fr, f, "month", min_months=trends.SEASONAL_MONTHS)
    frame = _series(fr, f, periods, "none", measure, "month")
    frame = frame.assign(year=frame["period"].dt.year, month=frame["period"].dt.month)
    profile = frame.groupby("month").agg(months=("value", "size"), count=("count", "sum"),
                                         value=("value", "mean")).reset_index()
    return frame[["year", "month", "count", "value"]], profile


# ---- where to intervene --------------------------------------------------------------------

def profiles(fr: Frames, f: Filters) -> pd.DataFrame:
    """One row per place with incidents, every measure contexts.profiles gives."""
    sel = select(fr, f)
    sel = sel[sel["context_id"].notna()]
    local = sel["local_at"]
    hour, dow = local.dt.hour, local.dt.day_of_week  # Monday 0
    base = pd.DataFrame({
        "context_id": sel["context_id"],
        "night": ((hour >= NIGHT_START_HOUR) | (hour < NIGHT_END_HOUR)).astype(float),
        "weekend": ((dow >= 5) | ((dow == 4) & (hour >= WEEKEND_START_HOUR))).astype(float),
        "severity": sel["severity"], "local_at": local,
    })
    inc = base.groupby("context_id").agg(
        incidents=("night", "size"), night_share=("night", "mean"),
        weekend_share=("weekend", "mean"), last_incident=("local_at", "max"))
    severity = (base.groupby(["context_id", "severity"]).size().unstack(fill_value=0)
              .reindex(columns=list(SEVERITY_COLUMNS.values()), fill_value=0))
    severity.columns = list(SEVERITY_COLUMNS)
    seen = (_with_people(fr, sel, ["context_id"])
            .groupby(["context_id", "person_id"])["incident_id"].nunique())
    people = pd.DataFrame({"young_people": seen.groupby(level="context_id").size(),
                           "repeat_young_people": (seen > 1).groupby(level="context_id").sum()})
    out = inc.join(severity).join(people).fillna({"young_people": 0, "repeat_young_people": 0})
    out = out.join(fr.contexts.set_index("context_id")[["name", "context_type", "ward_code",
                                                        "lat", "lon"]])
    out["ward_name"] = out["ward_code"].map(_ward_name_map(fr)).fillna(NO_WARD)
    out["context_label"] = out["context_type"].map(CONTEXT_LABELS).fillna("Other")
    ids = out.index
    shares = (_risk_counts(sel, ["context_id"]).unstack("risk_type", fill_value=0)
              .reindex(ids, fill_value=0))
    out["risk_types"] = (shares > 0).sum(axis=1)
    for column, code in RISK_COLUMNS.items():
        counts = shares[code] if code in shares else 0
        out[column] = counts / out["incidents"]
    rated = out[list(SEVERITY_COLUMNS)].sum(axis=1)
    out["high_severity_share"] = out["severity_high"] / rated.where(rated > 0)
    monthly = (base.assign(month=local.dt.to_period("M").dt.to_timestamp())
               .groupby(["context_id", "month"]).size().rename("incidents").reset_index())
    grid = month_grid(f, monthly["month"] if len(monthly) else None)
    matrix = (monthly.pivot_table(index="context_id", columns="month", values="incidents",
                                  fill_value=0).reindex(index=ids, columns=grid, fill_value=0))
    out["trend"] = theil_sen_slopes(matrix.to_numpy()) if len(ids) else []
    out["months"] = len(grid)
    first = fr.incidents["occurred_at"].min().date()
    if f.start and f.end and f.previous().start >= first.replace(day=1):
        before = select(fr, f.previous()).groupby("context_id").size()
        out["previous_incidents"] = before.reindex(ids, fill_value=0).astype(float)
    else:
        out["previous_incidents"] = np.nan
    out["area_crime"] = np.nan  # no police.uk crime in the benchmark's data
    latest = fr.incidents["occurred_at"].max().date()
    as_of = min(d for d in (f.end, latest) if d)
    out["days_since_last"] = (pd.Timestamp(as_of) - out["last_incident"].dt.normalize()
                              ).dt.days.clip(lower=0)
    return out.reset_index()


def rank(fr: Frames, f: Filters, weights: priorities.Weights = priorities.DEFAULT_WEIGHTS
         ) -> pd.DataFrame:
    """Places ranked by priority with each one's current signal (scoring shared)."""
    ranked = priorities.score(profiles(fr, f), weights)
    found, _, _ = signals(fr, f, by=("context",))
    return priorities.with_signals(ranked, found.rename(columns={"key_0": "key_a"}))


def explained(fr: Frames, f: Filters, weights: priorities.Weights = priorities.DEFAULT_WEIGHTS,
              view: str = "analyst") -> pd.DataFrame:
    """The ranked places with their reasons for the view (the words shared)."""

    return priorities.explain(rank(fr, f, weights), view, period_words(f))


def detail(fr: Frames, f: Filters, context_id: str,
           radius_m: float = NEIGHBOUR_RADIUS_M) -> tuple:
    """One place: counts, monthly timeline, risk mix, neighbours with their incidents."""
    sel = select(fr, f)
    here = sel[sel["context_id"] == context_id]
    seen = fr.people[fr.people["incident_id"].isin(here["incident_id"])].groupby(
        "person_id")["incident_id"].nunique()
    monthly = here["local_at"].dt.to_period("M").dt.to_timestamp().value_counts()
    grid = month_grid(f, pd.Series(monthly.index))
    timeline = monthly.reindex(grid, fill_value=0)
    mix = (_with_risks(fr, here, []).groupby("risk_type", observed=True)["incident_id"]
           .nunique().sort_values(ascending=False))
    place = fr.contexts.set_index("context_id").loc[context_id]
    near = fr.contexts[(fr.contexts["context_id"] != context_id) & fr.contexts["lat"].notna()]
    lat1, lon1, lat2, lon2 = (np.radians(v) for v in (place["lat"], place["lon"],
                                                      near["lat"], near["lon"]))
    distance = 2 * 6_371_000 * np.arcsin(np.sqrt(
        np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2)
        * np.sin((lon2 - lon1) / 2) ** 2))
    near = near.assign(distance_m=distance)
    near = near[near["distance_m"] <= radius_m]
    counts = sel[sel["context_id"].isin(near["context_id"])].groupby("context_id").size()
    near = near.assign(incidents=near["context_id"].map(counts).fillna(0).astype(int))
    near = near.sort_values(["distance_m", "name"])
    done = fr.interventions[fr.interventions["context_id"] == context_id].sort_values(
        "started_on", ascending=False)
    return (len(here), len(seen), int((seen > 1).sum())), timeline, mix, near, done


def cluster_contexts(fr: Frames, f: Filters, method: str = "kmeans", k: int | None = None
                     ) -> clustering.Clustering:
    """Groups of places that look alike (the clustering itself is clustering.cluster_profiles)."""
    return clustering.cluster_profiles(profiles(fr, f), method=method, k=k)


# ---- places --------------------------------------------------------------------------------

def has_area_crime(fr: Frames, f: Filters) -> bool:
    """Whether any street crime is loaded (no scope in the benchmark)."""
    return len(fr.area_crime) > 0


def lsoa_deciles(fr: Frames, f: Filters) -> pd.DataFrame:
    """LSOAs with a decile and a usable boundary (no scope in the benchmark)."""
    rows = fr.lsoa[fr.lsoa["imd_decile"].between(1, 10)].sort_values("lsoa_code")
    shapes = [places._parse_shape(g) for g in rows["geometry_geojson"]]
    keep = np.array([s is not None for s in shapes], dtype=bool)
    return rows.assign(shape=shapes).loc[keep]


def lsoa_counts(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents in every LSOA with a usable boundary (zero where none)."""
    rows = fr.lsoa.sort_values("lsoa_code")
    shapes = [places._parse_shape(g) for g in rows["geometry_geojson"]]
    rows = rows.assign(shape=shapes).loc[np.array([s is not None for s in shapes], dtype=bool)]
    sel = select(fr, f)
    counts = sel["lsoa_code"].value_counts() if "lsoa_code" in sel else pd.Series(dtype=int)
    return rows.assign(incidents=rows["lsoa_code"].map(counts).fillna(0).astype(int))


def risk_options(fr: Frames, code: str) -> dict[str, str]:
    """The risk types the sidebar offers for incidents: the whole vocabulary."""
    return dict(RISK_LABELS)


def outcome_options(fr: Frames, code: str) -> dict[str, str]:
    """Search outcomes the sidebar offers: the plain app holds no police.uk searches."""
    return {}


def ward_shapes(fr: Frames, f: Filters) -> pd.DataFrame:
    """Every ward with a usable boundary (GeoJSON parsed the same way; no scope here)."""
    w = fr.wards.sort_values("ward_name")
    shapes = [places._parse_shape(g) for g in w["geometry_geojson"]]
    keep = np.array([s is not None for s in shapes], dtype=bool)
    return w.assign(shape=shapes).loc[keep, ["ward_code", "ward_name", "child_population",
                                             "shape"]]


def ward_counts(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents and rate per 1,000 children in every ward."""
    counts = select(fr, f).groupby("ward_code", observed=True).size()
    out = fr.wards[["ward_code", "ward_name", "child_population"]].sort_values("ward_name")
    out = out.assign(incidents=out["ward_code"].map(counts).fillna(0).astype(int))
    children = out["child_population"].astype(float)
    out["rate"] = (out["incidents"] / children.where(children > 0) * places.RATE_PER).round(1)
    return out.reset_index(drop=True)


def ward_hot_spots(fr: Frames, f: Filters) -> tuple:
    """Gi* over wards on the rate per 1,000 children (the statistics are the project's)."""
    shapes = ward_shapes(fr, f)
    counts = ward_counts(fr, replace(f, wards=())).set_index("ward_code")
    frame = shapes.join(counts[["incidents", "rate"]], on="ward_code")
    weights = hotspots.queen_weights(tuple(frame["ward_code"]), list(frame["shape"]))
    table = places._judge(frame["rate"].to_numpy(), weights, hotspots.PERMUTATIONS,
                          hotspots.SEED)
    table["name"] = frame["ward_name"].to_numpy()
    table["ratio"] = places._neighbourhood_ratio(
        frame["incidents"].to_numpy(float),
        pd.to_numeric(frame["child_population"]).to_numpy(float), weights)
    return table, places._spots(table, weights)


def grid_hot_spots(fr: Frames, f: Filters) -> tuple:
    """Incidents on the hexagon grid and Gi* over its cells."""
    points = select(fr, f, wards=False)[["lat", "lon", "ward_code"]]
    placed = points.dropna(subset=["lat", "lon"])
    shapes = ward_shapes(fr, f)
    area = shapely.union_all(list(shapes["shape"]))
    grid = hotspots.grid_for(area, hotspots.TARGET_CELLS)
    q, r = grid.cells_covering(area)
    pq, pr = grid.cell_of(placed["lat"].to_numpy(), placed["lon"].to_numpy())
    chosen = (placed["ward_code"].isin(f.wards).to_numpy() if f.wards
              else np.ones(len(placed), dtype=bool))
    counts = (pd.DataFrame({"q": pq, "r": pr, "selected": chosen}).groupby(["q", "r"])
              .agg(incidents=("selected", "size"), selected=("selected", "sum")).reset_index())
    cells = (pd.DataFrame({"q": q, "r": r}).merge(counts, on=["q", "r"], how="outer")
             .fillna(0).astype(int).sort_values(["r", "q"], ignore_index=True))
    cells["lat"], cells["lon"] = grid.centre(cells["q"], cells["r"])
    ids = tuple(f"{a},{b}" for a, b in zip(cells["q"], cells["r"], strict=True))
    weights = hotspots.hex_weights(ids, cells["q"].to_numpy(), cells["r"].to_numpy())
    table = places._judge(cells["incidents"].to_numpy(float), weights, hotspots.PERMUTATIONS,
                          hotspots.SEED)
    tree = shapely.STRtree(list(shapes["shape"]))
    nearest = tree.nearest(shapely.points(cells["lon"].to_numpy(), cells["lat"].to_numpy()))
    table["name"] = shapes["ward_name"].to_numpy()[nearest]
    return cells, table, _components(table, weights), len(points) - len(placed)


def _components(table: pd.DataFrame, weights: hotspots.Weights) -> int:
    """How many joined hot or cold spots (as places._spots joins them)."""
    n = 0
    for kind in (hotspots.HOT, hotspots.COLD):
        chosen = set(np.flatnonzero(table["label"].to_numpy() == kind).tolist())
        graph = nx.Graph()
        graph.add_nodes_from(chosen)
        graph.add_edges_from((a, b) for a in chosen for b in weights.neighbours[a] if b in chosen)
        n += nx.number_connected_components(graph)
    return n


def context_points(fr: Frames, f: Filters) -> pd.DataFrame:
    """Places on the map with incidents now and before, and their incidents by risk type."""
    now = select(fr, f)
    before = select(fr, f.previous()) if f.start and f.end else now.iloc[:0]
    counts = pd.concat([now.groupby("context_id").size().rename("incidents"),
                        before.groupby("context_id").size().rename("previous")], axis=1)
    placed = fr.contexts[fr.contexts["lat"].notna() & fr.contexts["lon"].notna()]
    out = placed.merge(counts.fillna(0).astype(int), left_on="context_id", right_index=True)
    out = out.sort_values(["incidents", "name"], ascending=[False, True])
    risks = (_risk_counts(now, ["context_id"]).rename("n").reset_index()
             .sort_values(["n", "risk_type"], ascending=[False, True]))
    risks["pair"] = list(zip(risks["risk_type"].astype(str), risks["n"], strict=True))
    by_place = risks.groupby("context_id", sort=False)["pair"].agg(tuple)
    out["risks"] = out["context_id"].map(by_place).apply(
        lambda v: v if isinstance(v, tuple) else ())
    out["type"] = out["context_type"].map(CONTEXT_LABELS).fillna(out["context_type"])
    return out.reset_index(drop=True)


def concentration(fr: Frames, f: Filters) -> places.Concentration:
    """Share of incidents at the busiest places (the curve is places.concentration_of)."""
    sel = select(fr, f)
    counts = sel.groupby("context_id").size()
    c = fr.contexts
    keep = np.ones(len(c), dtype=bool)
    if f.context_types:
        keep &= c["context_type"].isin(f.context_types).to_numpy()
    n = c["context_id"].map(counts).fillna(0).astype(int)
    if f.wards:
        keep &= (c["ward_code"].isin(f.wards) | (n > 0)).to_numpy()
    unplaced = int((~sel["context_id"].isin(c["context_id"])).sum())
    return places.concentration_of(n[keep].to_numpy(), unplaced)


def repeat_locations(fr: Frames, f: Filters, minimum: int = places.REPEAT_MIN,
                     limit: int = 20) -> pd.DataFrame:
    """Places with at least `minimum` incidents, busiest first, with when and what."""
    sel = select(fr, f)
    sel = sel[sel["context_id"].notna()]
    per = sel.groupby("context_id").agg(incidents=("incident_id", "size"),
                                        months=("month", "nunique"),
                                        first=("occurred_at", "min"), last=("occurred_at", "max"))
    per = per[per["incidents"] >= minimum]
    risk = (_risk_counts(sel, ["context_id"]).rename("n").reset_index()
            .sort_values(["n", "risk_type"], ascending=[False, True])
            .drop_duplicates("context_id").set_index("context_id")["risk_type"])
    out = per.join(fr.contexts.set_index("context_id")[["name", "context_type", "ward_code"]],
                   how="inner")
    out["ward_name"] = out["ward_code"].map(_ward_name_map(fr))
    out["main_risk"] = out.index.map(risk).map(RISK_LABELS).fillna("")
    out = out.reset_index().sort_values(["incidents", "name"], ascending=[False, True])
    return out.head(limit).reset_index(drop=True)


def when_grid(fr: Frames, f: Filters, context_id: str | None = None) -> pd.DataFrame:
    """Incidents by day of the week and hour, UK clock time, all 168 cells."""
    sel = select(fr, f)
    if context_id is not None:
        sel = sel[sel["context_id"] == context_id]
    local = sel["local_at"]
    counts = local.groupby([local.dt.day_of_week.rename("day"), local.dt.hour.rename("hour")]).size()
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["day", "hour"])
    return counts.reindex(full, fill_value=0).rename("incidents").reset_index()


def month_of_year(fr: Frames, f: Filters, context_id: str | None = None) -> pd.DataFrame:
    """Incidents in each calendar month, January first."""
    sel = select(fr, f)
    if context_id is not None:
        sel = sel[sel["context_id"] == context_id]
    counts = sel["local_at"].dt.month.value_counts()
    return (counts.reindex(range(1, 13), fill_value=0).rename("incidents").rename_axis("month")
            .reset_index())


def _type_of(fr: Frames, sel: pd.DataFrame) -> pd.Series:
    ctype = sel["context_id"].map(fr.contexts.set_index("context_id")["context_type"])
    return sel["location_type"].astype(object).fillna(ctype).fillna("other")


def location_types(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents by type of place now and in the previous period."""
    now = select(fr, f)
    before = select(fr, f.previous()) if f.start and f.end else now.iloc[:0]
    out = pd.concat([_type_of(fr, now).value_counts().rename("incidents"),
                     _type_of(fr, before).value_counts().rename("previous")], axis=1)
    out = out.fillna(0).astype(int).rename_axis("context_type").reset_index()
    out["label"] = out["context_type"].map(CONTEXT_LABELS).fillna(out["context_type"])
    out = out.sort_values(["incidents", "label"], ascending=[False, True], ignore_index=True)
    out["change"] = out["incidents"] - out["previous"]
    return out


def location_type_months(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents a month for each type of place, zeros filled."""
    sel = select(fr, f)
    counts = sel.groupby([_type_of(fr, sel).rename("context_type"), sel["month"]]).size()
    months = pd.date_range(f.start.replace(day=1), f.end, freq="MS")
    types = sorted(counts.index.get_level_values(0).unique())
    full = pd.MultiIndex.from_product([types, months], names=["context_type", "month"])
    out = counts.reindex(full, fill_value=0).rename("incidents").reset_index()
    out["label"] = out["context_type"].map(CONTEXT_LABELS).fillna(out["context_type"])
    return out


def ward_ranking(fr: Frames, f: Filters) -> pd.DataFrame:
    """Every ward: incidents, rate, change, its main risk types and types of place."""
    now = ward_counts(fr, f)
    before = ward_counts(fr, f.previous())[["ward_code", "incidents"]]
    out = now.merge(before.rename(columns={"incidents": "previous"}), on="ward_code")
    out["change"] = out["incidents"] - out["previous"]
    sel = select(fr, f)

    def top(counts: pd.Series, names: dict[str, str]) -> pd.Series:
        frame = counts.rename("n").reset_index().set_axis(["ward_code", "code", "n"], axis=1)
        frame = frame[frame["n"] > 0].sort_values(["n", "code"], ascending=[False, True])
        first = frame.groupby("ward_code", observed=True).head(places.MAIN_TYPES)
        return first.groupby("ward_code", observed=True)["code"].agg(
            lambda c: ", ".join(names.get(x, x) for x in c))

    risks = _risk_counts(sel, ["ward_code"])
    types = sel.groupby([sel["ward_code"], _type_of(fr, sel).rename("code")],
                        observed=True).size()
    out["main_risks"] = out["ward_code"].map(top(risks, RISK_LABELS)).fillna("")
    out["main_places"] = out["ward_code"].map(top(types, CONTEXT_LABELS)).fillna("")
    out = out[(out["incidents"] > 0) | (out["previous"] > 0)]
    return out.sort_values(["incidents", "ward_name"], ascending=[False, True],
                           ignore_index=True)


# ---- risk overlap --------------------------------------------------------------------------

def records(fr: Frames, f: Filters, unit: str = "people") -> pd.DataFrame:
    """Distinct (entity, risk type, day) in the selection; the risk filter does not narrow it."""
    sel = select(fr, f, risks=False)
    sel = sel.assign(day=sel["occurred_at"].dt.normalize())
    if unit == "people":
        rows = _with_people(fr, sel, ["day"]).rename(columns={"person_id": "entity"})
    else:
        rows = sel.loc[sel["context_id"].notna(), ["incident_id", "day", "context_id"]].rename(
            columns={"context_id": "entity"})
    rows = rows.merge(fr.risks, on="incident_id")
    return rows[["entity", "risk_type", "day"]].drop_duplicates()


def overlap_analyse(fr: Frames, f: Filters, unit: str = "people", window: int | None = None
                    ) -> overlap.Overlap:
    """Every pair of compared risk types: counts and measures (pair_statistics is shared); with
    a window, a pair counts when the two were recorded within `window` days of each other."""
    compared = overlap.compared_types(f)
    recs = records(fr, f, unit)
    universe = recs["entity"].nunique()
    mine = recs[recs["risk_type"].isin(compared)]
    mine = mine.assign(risk_type=mine["risk_type"].astype(str))
    members = mine[["entity", "risk_type"]].drop_duplicates()
    n = members.groupby("risk_type").size()
    pairs = members.merge(members, on="entity", suffixes=("_a", "_b"))
    pairs = pairs[pairs["risk_type_a"] < pairs["risk_type_b"]]
    both = pairs.groupby(["risk_type_a", "risk_type_b"]).size()
    close = both
    if window is not None:
        near = mine.merge(mine, on="entity", suffixes=("_a", "_b"))
        near = near[(near["risk_type_a"] < near["risk_type_b"])
                    & ((near["day_a"] - near["day_b"]).abs() <= pd.Timedelta(days=window))]
        close = (near.drop_duplicates(["entity", "risk_type_a", "risk_type_b"])
                 .groupby(["risk_type_a", "risk_type_b"]).size())
    types = tuple(t for t in compared if n.get(t, 0) > 0)
    rows = []
    for i, a in enumerate(types):
        for b in types[i + 1:]:
            key = (min(a, b), max(a, b))
            rows.append((a, b, int(n[a]), int(n[b]), int(close.get(key, 0)),
                         int(both.get(key, 0))))
    counts = pd.DataFrame(rows, columns=["a", "b", "n_a", "n_b", "n_ab", "n_ab_period"])
    singles = pd.DataFrame({"risk_type": list(types), "label": [overlap.label(t) for t in types],
                            "n": [int(n[t]) for t in types]})
    return overlap.Overlap(unit=unit, window=window, universe=int(universe), types=types,
                           singles=singles, pairs=overlap.pair_statistics(int(universe), counts))


def combinations(fr: Frames, f: Filters, unit: str = "people") -> pd.DataFrame:
    """How many members have exactly each combination of the compared risk types."""
    types = overlap.compared_types(f)
    order = {c: i for i, c in enumerate(types)}
    recs = records(fr, f, unit)
    members = recs.loc[recs["risk_type"].isin(types), ["entity", "risk_type"]]
    members = members.assign(risk_type=members["risk_type"].astype(str)).drop_duplicates()
    members = members.assign(order=members["risk_type"].map(order)).sort_values("order")
    combos = members.groupby("entity", sort=False)["risk_type"].agg(tuple).value_counts()
    out = combos.rename("n").rename_axis("combo").reset_index()
    out["key"] = out["combo"].map(overlap.SEPARATOR.join)
    out["size"] = out["combo"].map(len)
    return out.sort_values(["n", "size", "key"], ascending=[False, False, True],
                           ignore_index=True)


def drilldown(fr: Frames, f: Filters, risks: tuple[str, ...], unit: str = "people",
              exact: bool = False, window: int | None = None) -> tuple:
    """Wards, places and months of the members with every one of `risks` (a pair, anywhere in
    the period or within `window` days of each other)."""
    recs = records(fr, f, unit)
    mine = recs[recs["risk_type"].isin(risks)]
    mine = mine.assign(month=mine["day"].dt.to_period("M").dt.to_timestamp())
    if window is None:
        have = mine.groupby("entity")["risk_type"].nunique()
        members = have.index[have == len(risks)]
        k = mine.groupby(["entity", "month"])["risk_type"].nunique()
        monthly = k[k == len(risks)].groupby(level="month").size()
    else:
        a, b = risks
        near = mine[mine["risk_type"] == a].merge(mine[mine["risk_type"] == b], on="entity",
                                                  suffixes=("_a", "_b"))
        near = near[(near["day_a"] - near["day_b"]).abs() <= pd.Timedelta(days=window)]
        members = near["entity"].unique()
        later = near[["month_a", "month_b"]].max(axis=1)
        monthly = (pd.DataFrame({"entity": near["entity"], "month": later}).drop_duplicates()
                   .groupby("month").size())
    sel = select(fr, f, risks=False)
    rows = sel[["incident_id", "ward_code", "context_id"]]
    if unit == "people":
        rows = rows.merge(fr.people, on="incident_id").rename(columns={"person_id": "entity"})
    else:
        rows = rows[rows["context_id"].notna()].assign(entity=rows["context_id"])
    rows = rows.merge(fr.risks[fr.risks["risk_type"].isin(risks)], on="incident_id")
    rows = rows[rows["entity"].isin(members)].drop_duplicates(
        ["incident_id", "ward_code", "context_id", "entity"])
    wards = (rows.groupby("ward_code", observed=True, dropna=False)
             .agg(members=("entity", "nunique"), incidents=("incident_id", "nunique"))
             .reset_index().sort_values(["members", "incidents"], ascending=False))
    places_ = (rows[rows["context_id"].notna()].groupby("context_id")
               .agg(members=("entity", "nunique"), incidents=("incident_id", "nunique"))
               .reset_index().merge(fr.contexts[["context_id", "name"]], on="context_id")
               .sort_values(["members", "incidents", "name"], ascending=[False, False, True]))
    months = pd.date_range(f.start.replace(day=1), f.end, freq="MS")
    return len(members), wards, places_, monthly.reindex(months, fill_value=0)


# ---- interventions and records -------------------------------------------------------------

def register(fr: Frames, f: Filters) -> pd.DataFrame:
    """Interventions running at some time in the period at places of the chosen wards and types."""
    v = fr.interventions.merge(
        fr.contexts[["context_id", "name", "context_type", "ward_code"]].rename(
            columns={"ward_code": "c_ward", "name": "context_name"}), on="context_id", how="left")
    v["ward_code"] = v["ward_code"].fillna(v["c_ward"])
    keep = np.ones(len(v), dtype=bool)
    if f.wards:
        keep &= v["ward_code"].isin(f.wards).to_numpy()
    if f.context_types:
        keep &= v["context_type"].isin(f.context_types).to_numpy()
    if f.end:
        keep &= (v["started_on"] <= pd.Timestamp(f.end)).to_numpy()
    if f.start:
        keep &= (v["ended_on"].isna() | (v["ended_on"] >= pd.Timestamp(f.start))).to_numpy()
    out = v[keep].merge(fr.wards[["ward_code", "ward_name"]], on="ward_code", how="left")
    return out.sort_values(["started_on", "intervention_id"], ascending=[False, True],
                           ignore_index=True)


def incident_records(fr: Frames, f: Filters, limit: int = 2000) -> tuple[int, pd.DataFrame]:
    """The newest `limit` incidents under the filters, with their risk types and young people."""
    sel = select(fr, f)
    rows = sel.sort_values(["occurred_at", "incident_id"], ascending=[False, True]).head(limit)
    risks = (fr.risks[fr.risks["incident_id"].isin(rows["incident_id"])]
             .assign(risk_type=lambda r: r["risk_type"].astype(str))
             .sort_values("risk_type").groupby("incident_id")["risk_type"].agg(list))
    people = fr.people[fr.people["incident_id"].isin(rows["incident_id"])].groupby(
        "incident_id")["person_id"].nunique()
    out = rows.merge(fr.wards[["ward_code", "ward_name"]], on="ward_code", how="left").merge(
        fr.contexts[["context_id", "name"]], on="context_id", how="left")
    out["risks"] = out["incident_id"].map(risks)
    out["young_people"] = out["incident_id"].map(people).fillna(0).astype(int)
    out["incident_id"] = out.pop("incident_ref")  # the id as recorded, for the reader
    return len(sel), out


# ---- the Overview's narrative ----------------------------------------------------------------

def risk_changes(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents carrying each risk type now and in the previous period."""
    cur = _with_risks(fr, select(fr, f), []).groupby("risk_type", observed=True).size()
    prev = _with_risks(fr, select(fr, f.previous()), []).groupby("risk_type",
                                                                 observed=True).size()
    out = pd.concat([cur.rename("current"), prev.rename("previous")], axis=1).fillna(0)
    if f.risk_types:
        out = out[out.index.isin(f.risk_types)]
    out = out[(out["current"] > 0) | (out["previous"] > 0)].astype(int)
    return out.assign(change=out["current"] - out["previous"]).rename_axis("code").reset_index()


def what_changed(fr: Frames, f: Filters, view: str = "board") -> tuple:
    """The narrative's data: headline, changes by ward, place and risk type, signals, hot spots
    now and before, and the priority ranking (the sentences are the same code's)."""
    head = headline(fr, f)
    out = [head]
    if f.start and f.end and head[1] and head[1][0]:
        out += [changes(fr, f, "ward"), changes(fr, f, "context"), risk_changes(fr, f)]
    out.append(signals(fr, f))
    if f.start and f.end:
        out += [ward_hot_spots(fr, f), ward_hot_spots(fr, f.previous())]
    out.append(rank(fr, f))
    return tuple(out)
