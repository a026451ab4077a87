"""The same analyses written as a careful pandas developer would: DataFrames in memory, numpy.

This is the yardstick the benchmark measures our DuckDB analytics against, so it is written the
way a competent pandas developer would write it, not as a strawman:
- every table is read once into memory at start-up (`load`, what the plain app caches with
  st.cache_data), with the conveniences such an app adds there: incidents numbered 0, 1, 2 ...
  so that young people and risk records point at an incident by its row position (a match is an
  array lookup, never a merge on text ids); codes, places and young people as categoricals; the
  UK local time and month of each incident; and the risk types of each incident as one integer
  bitmask, so a risk filter is one `&` and a count by risk type a few vector operations;
- within one page's run, what several of its analyses start from is worked out once per filters
  and shared (`shared`: the selection, totals, signals, the place profiles, the counts by ward),
  as such an app would with st.cache_data and as ours share theirs through analytics.store.memo;
  the benchmark forgets them before each run of a page, as it forgets ours (`Frames.forget`);
- each analysis then filters with boolean masks and aggregates with groupby, bincount and
  pivot_table, vectorised throughout (no row loops where pandas or numpy has a verb for it);
- the statistics are the project's own (SPC, Gi*, k-means, Theil-Sen, Fisher), called on the
  pandas aggregates, exactly as a plain app reusing our library would: every SPC series judged at
  once through spc.latest_signals, the path the app uses. The comparison is about getting the
  numbers out of the data, which is what the two designs do differently.

Each function takes the frames and a Filters (plus the page's arguments) and returns the numbers
the analytics function returns; tests/bench/test_bench_baseline.py checks that they agree on the
demo borough.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, TypeVar

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
CODE_COLUMNS = ("ward_code", "location_type", "source_agency", "context_id", "lsoa_code")
T = TypeVar("T")


@dataclass
class Frames:
    """Every table the pages read, held in memory as the plain app would."""

    incidents: pd.DataFrame  # row i is incident number i; `risks` holds its risk-type bitmask
    risks: pd.DataFrame  # incident (row number), risk_type: one row a risk record
    people: pd.DataFrame  # incident (row number), person_id (categorical)
    contexts: pd.DataFrame
    wards: pd.DataFrame
    interventions: pd.DataFrame
    extracts: pd.DataFrame
    area_crime: pd.DataFrame
    lsoa: pd.DataFrame
    risk_codes: tuple[str, ...]  # bit i of an incident's `risks` is risk_codes[i]
    kept: dict = field(default_factory=dict, repr=False)  # a page run's shared intermediates

    def memory_bytes(self) -> int:
        """What the tables hold in memory (deep: strings counted)."""
        return int(sum(f.memory_usage(deep=True).sum() for f in vars(self).values()
                       if isinstance(f, pd.DataFrame)))

    def forget(self) -> None:
        """Drop the shared intermediates: the next page run starts from the tables alone."""
        self.kept.clear()

    def bits(self, risk_types: tuple[str, ...]) -> int:
        """The bitmask of these risk types (0 when none of them is in the data)."""
        return sum(1 << i for i, code in enumerate(self.risk_codes) if code in risk_types)


def shared(fn: Callable[..., T]) -> Callable[..., T]:
    """Keep fn(fr, ...)'s result for the rest of the page's run, keyed by its arguments (the
    plain app's st.cache_data on an intermediate; ours is analytics.store.memo)."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def remembered(fr: Frames, *args: Any, **kwargs: Any) -> T:
        bound = signature.bind(fr, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__name__, *list(bound.arguments.values())[1:])
        if key not in fr.kept:
            fr.kept[key] = fn(fr, *args, **kwargs)
        found = fr.kept[key]
        return found.copy(deep=False) if isinstance(found, pd.DataFrame) else found

    return remembered


def load(con) -> Frames:
    """Read every table once (the plain app's cached loader) and add the derived columns."""
    def table(name: str) -> pd.DataFrame:
        return con.execute(f"SELECT * FROM {name}").df()  # fixed names, never user input

    # Incidents in the order of their ids, numbered by row: young people and risk records then
    # point at their incident's row, and a match is an array lookup on integers.
    inc = table("incidents").sort_values("incident_id", ignore_index=True)
    ids = pd.Index(inc["incident_id"])
    inc["incident_ref"], inc["incident_id"] = inc["incident_id"], np.arange(len(inc))
    for column in CODE_COLUMNS:
        inc[column] = inc[column].astype("category")
    local = inc["occurred_at"].dt.tz_localize("UTC").dt.tz_convert(LOCAL_ZONE)
    inc["local_at"] = local.dt.tz_localize(None)
    inc["local_hour"], inc["local_day"] = local.dt.hour.astype("int8"), local.dt.day_of_week.astype(
        "int8")  # Monday 0
    inc["local_month"] = (local.dt.year * 12 + local.dt.month - 1).astype("int32")  # since year 0
    inc["month"] = inc["occurred_at"].dt.to_period("M").dt.to_timestamp()
    inc["day"] = (inc["occurred_at"].to_numpy().astype("datetime64[D]")
                  .astype(np.int64).astype(np.int32))  # the date as a day number
    risks = table("incident_risks")[["incident_id", "risk_type"]]
    risks["incident_id"] = ids.get_indexer(risks["incident_id"])
    known = list(RISK_LABELS)
    codes = tuple(known + sorted(set(risks["risk_type"]) - set(known)))
    risks["risk_type"] = pd.Categorical(risks["risk_type"], categories=list(codes))
    # Each incident's risk types as one integer: bit i set when it carries risk_codes[i].
    bitmask = np.zeros(len(inc), dtype=np.uint32)
    np.bitwise_or.at(bitmask, risks["incident_id"].to_numpy(),
                     np.left_shift(1, risks["risk_type"].cat.codes.to_numpy(np.uint32)))
    inc["risks"] = bitmask
    people = table("incident_people")[["incident_id", "person_id"]]
    people["incident_id"] = ids.get_indexer(people["incident_id"])
    people["person_id"] = people["person_id"].astype("category")
    return Frames(incidents=inc, risks=risks.sort_values("incident_id", ignore_index=True),
                  people=people.sort_values("incident_id", ignore_index=True),
                  contexts=table("contexts"), wards=table("wards"),
                  interventions=table("interventions"), extracts=table("extracts"),
                  area_crime=table("area_crime"), lsoa=table("lsoa"), risk_codes=codes)


# ---- selection -----------------------------------------------------------------------------

@shared
def select(fr: Frames, f: Filters, *, risks: bool = True, wards: bool = True) -> pd.DataFrame:
    """The incidents the filters choose (boolean masks, as any pandas app filters), worked out
    once per filters for the page."""
    inc = fr.incidents
    mask = np.ones(len(inc), dtype=bool)
    if f.start:
        mask &= (inc["occurred_at"] >= pd.Timestamp(f.start)).to_numpy()
    if f.end:
        mask &= (inc["occurred_at"] < pd.Timestamp(f.end + timedelta(days=1))).to_numpy()
    if f.wards and wards:
        mask &= inc["ward_code"].isin(f.wards).to_numpy()
    if f.risk_types and risks:
        mask &= (inc["risks"].to_numpy() & fr.bits(f.risk_types)) != 0
    if f.context_types:
        mask &= inc["location_type"].isin(f.context_types).to_numpy()
    if f.agencies:
        mask &= inc["source_agency"].isin(f.agencies).to_numpy()
    return inc[mask]


def _flags(fr: Frames, sel: pd.DataFrame) -> pd.DataFrame:
    """0/1 a column per risk type, from the bitmask (a shift and an `&`)."""
    bits = sel["risks"].to_numpy()
    shifts = np.arange(len(fr.risk_codes), dtype=np.uint32)
    return pd.DataFrame((bits[:, None] >> shifts) & 1, index=sel.index,
                        columns=pd.Index(fr.risk_codes, name="risk_type"))


def _risk_counts(fr: Frames, sel: pd.DataFrame, keys: list) -> pd.Series:
    """Incidents by `keys` (columns of sel, or Series beside it) and risk type (non-zero only):
    each group numbered once, then one bincount a risk type over the bitmask."""
    groups = sel.groupby([sel[k] if isinstance(k, str) else k for k in keys], observed=True)
    number, index = groups.ngroup().to_numpy(), groups.size().index
    bits = sel["risks"].to_numpy()
    wide = pd.DataFrame({code: np.bincount(number, (bits >> np.uint32(i)) & 1,
                                           minlength=len(index)).astype(np.int64)
                         for i, code in enumerate(fr.risk_codes)}, index=index)
    long = wide.rename_axis(columns="risk_type").stack()
    return long[long > 0]


def _counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and how often each occurs (one sort)."""
    values = np.sort(values)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else values
    return values[starts], np.diff(np.r_[starts, len(values)])


def _risk_totals(fr: Frames, sel: pd.DataFrame) -> pd.Series:
    """Incidents carrying each risk type (zeros left out)."""
    counts = pd.Series(_flags(fr, sel).to_numpy().sum(axis=0), index=pd.Index(
        fr.risk_codes, name="risk_type"))
    return counts[counts > 0]


def _chosen(fr: Frames, sel: pd.DataFrame) -> np.ndarray:
    """True at the row number of every selected incident."""
    chosen = np.zeros(len(fr.incidents), dtype=bool)
    chosen[sel["incident_id"].to_numpy()] = True
    return chosen


def _with_risks(fr: Frames, sel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The selection's risk records, each with its incident's `columns` (by row number)."""
    return _beside(fr.risks[_chosen(fr, sel)[fr.risks["incident_id"].to_numpy()]], sel, columns)


def _with_people(fr: Frames, sel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The selection's links to young people, each with its incident's `columns`."""
    return _beside(fr.people[_chosen(fr, sel)[fr.people["incident_id"].to_numpy()]], sel,
                   columns)


def _beside(rows: pd.DataFrame, sel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` of sel put beside rows that name one of its incidents (both in number order:
    a binary search, no merge)."""
    at = np.searchsorted(sel["incident_id"].to_numpy(), rows["incident_id"].to_numpy())
    return rows.assign(**{c: sel[c].array.take(at) for c in columns})


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

@shared
def totals(fr: Frames, f: Filters) -> tuple[int, int, int, int]:
    """Incidents, young people, places and wards with incidents."""
    sel = select(fr, f)
    linked = _chosen(fr, sel)[fr.people["incident_id"].to_numpy()]
    people = np.count_nonzero(np.bincount(fr.people["person_id"].cat.codes.to_numpy()[linked]))
    return (len(sel), int(people), int(sel["context_id"].nunique()),
            int(sel["ward_code"].nunique()))


def has_incidents(fr: Frames, f: Filters) -> bool:
    """Whether any incident matches the filters."""
    return len(select(fr, f)) > 0


@shared
def headline(fr: Frames, f: Filters, top: int = 3) -> tuple:
    """Totals now and in the previous period (where the data reach back into it), and the
    busiest wards."""
    first = _bounds(fr)[0]
    before = f.previous() if f.start and f.end else None
    previous = totals(fr, before) if before and first and before.end >= first else None
    sel = select(fr, f)
    counts = (sel.groupby("ward_code", observed=True).size().rename("incidents").reset_index()
              .merge(fr.wards[["ward_code", "ward_name"]], on="ward_code"))
    top_wards = counts.sort_values(["incidents", "ward_name"], ascending=[False, True]).head(top)
    return totals(fr, f), previous, top_wards.reset_index(drop=True)


def risk_trends(fr: Frames, f: Filters) -> pd.DataFrame:
    """Incidents a month by risk type, zeros filled."""
    counts = _risk_counts(fr, select(fr, f), ["month"]).reorder_levels(["risk_type", "month"])
    if f.risk_types:
        counts = counts[counts.index.get_level_values("risk_type").isin(f.risk_types)]
    months = (pd.date_range(f.start.replace(day=1), f.end, freq="MS") if f.start and f.end
              else pd.DatetimeIndex([]))
    grid = pd.MultiIndex.from_product([list(f.risk_types) or list(RISK_LABELS), months],
                                      names=["risk_type", "month"])
    out = counts.reindex(grid, fill_value=0).rename("value").reset_index()
    out["label"] = out["risk_type"].map(RISK_LABELS)
    return out


@shared
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
    return periods(*_bounds(fr), f, granularity, min_months)


def periods(first: date | None, latest: date | None, through: date | None, f: Filters,
            granularity: str = "month", min_months: int | None = None) -> pd.DatetimeIndex:
    """The window's periods from the data's first and latest days and the day it is complete
    through: calendar arithmetic only, the same for every yardstick (bench.polars_app too)."""
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


def _key(column: pd.Series) -> pd.Series:
    """A grouping key with no value recorded as "" (on a categorical, a change of its codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        if "" not in column.cat.categories:
            column = column.cat.add_categories([""])
        return column.fillna("")
    return column.astype(object).fillna("")


def _plain(counts: pd.Series) -> pd.Series:
    """The small result's categorical keys as plain values, for the labels and sorting after."""
    if isinstance(counts.index, pd.MultiIndex):
        counts.index = counts.index.set_levels(
            [lv.astype(object) if isinstance(lv, pd.CategoricalIndex) else lv
             for lv in counts.index.levels])
    return counts


def grouped(fr: Frames, f: Filters, periods: pd.DatetimeIndex, dims: tuple[str, ...],
            granularity: str = "month", measure: str = "incidents", missing: bool = True
            ) -> pd.Series:
    """Distinct incidents (or young people) by period and the dimensions, over the window;
    with `missing`, incidents with no value of a dimension grouped under ""."""
    sel = select(fr, replace(f, start=periods[0].date(), end=_last_day(periods, granularity)))
    others = [d for d in dims if d != "risk_type"]
    period = (sel["month"] if granularity == "month"
              else sel["occurred_at"].dt.to_period("W-SUN").dt.start_time).rename("period")
    key = _key if missing else (lambda column: column)
    keys = [period, *(key(sel[DIMENSION[d]]).rename(d) for d in others)]
    if measure == "incidents" and "risk_type" in dims:  # the bitmask counted by group
        counts = _risk_counts(fr, sel, keys)
        if f.risk_types:
            counts = counts[counts.index.get_level_values("risk_type").isin(f.risk_types)]
        return _plain(counts.reorder_levels(["period", *dims]))
    if measure == "incidents":  # an incident is one row: counting rows counts incidents
        return _plain(sel.groupby(keys, observed=True).size())
    columns = dict.fromkeys(["incident_id", "occurred_at", "month",
                             *(DIMENSION[d] for d in others),
                             *(["ward_code"] if measure == "rate" else [])])
    rows = sel[list(columns)]
    if "risk_type" in dims:
        rows = _with_risks(fr, rows, list(rows.columns.drop("incident_id")))
        if f.risk_types:
            rows = rows[rows["risk_type"].isin(f.risk_types)]
    if measure == "young_people" and "risk_type" in dims:  # each young person with each type
        links = fr.people[_chosen(fr, rows)[fr.people["incident_id"].to_numpy()]]
        rows = rows.merge(links[["incident_id", "person_id"]], on="incident_id")
    elif measure == "young_people":
        rows = _with_people(fr, rows, list(rows.columns.drop("incident_id")))
    if measure == "rate":
        known = fr.wards.loc[fr.wards["child_population"] > 0, "ward_code"]
        rows = rows[rows["ward_code"].isin(known)]
    period = (rows["month"] if granularity == "month"
              else rows["occurred_at"].dt.to_period("W-SUN").dt.start_time).rename("period")
    keys = [_key(rows[DIMENSION[d]]).rename(d) for d in dims]
    value = "person_id" if measure == "young_people" else "incident_id"
    return _plain(rows.groupby([period, *keys], observed=True)[value].nunique())


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
               granularity: str = "month", fix_after=None, change_point=None,
               view: str = "analyst") -> tuple:
    """The overall series and the largest split series, judged with SPC, and interventions
    (the view names places; the numbers are the same in the lead's and the analyst's)."""
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


@shared
def signals(fr: Frames, f: Filters, *, by: tuple[str, ...] = ("risk_type", "ward"),
            granularity: str = "month", fix_after=None, change_point=None,
            view: str = "analyst") -> tuple:
    """(signal frame, series judged, too small): the latest signal of every series (the view
    names places; the numbers are the same in the lead's and the analyst's)."""
    options = trends.spc_options(fix_after, change_point)
    periods = window(fr, f, granularity)
    raw = grouped(fr, f, periods, by, granularity, missing=False)  # no place, no series
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


def top_signals(fr: Frames, f: Filters, n: int = 5, view: str = "analyst") -> pd.DataFrame:
    """The Overview's current signals: a ward with several concerns told once, then the rest."""
    frame, _, _ = signals(fr, f, view=view)
    current = frame.loc[frame["current"].astype(bool)]
    concerns = current[current["assessment"] == spc.CONCERN]
    per_ward = concerns.groupby("key_1", sort=False).size()
    busy = list(per_ward.index[per_ward >= trends.WARD_SUMMARY_MIN])
    rest = current[~((current["assessment"] == spc.CONCERN) & current["key_1"].isin(busy))]
    rows = [("", ward) for ward in busy] + list(zip(rest["key_0"], rest["key_1"], strict=True))
    return pd.DataFrame(rows[:n], columns=["key_a", "key_b"])


def seasonality(fr: Frames, f: Filters, *, measure: str = "incidents", view: str = "analyst"
                ) -> tuple:
    """Monthly values by year and the month-of-year profile over up to 36 months."""
    periods = window(fr, f, "month", min_months=trends.SEASONAL_MONTHS)
    frame = _series(fr, f, periods, "none", measure, "month")
    frame = frame.assign(year=frame["period"].dt.year, month=frame["period"].dt.month)
    profile = frame.groupby("month").agg(months=("value", "size"), count=("count", "sum"),
                                         value=("value", "mean")).reset_index()
    return frame[["year", "month", "count", "value"]], profile


# ---- where to intervene --------------------------------------------------------------------

@shared
def profiles(fr: Frames, f: Filters) -> pd.DataFrame:
    """One row per place with incidents, every measure contexts.profiles gives: each a count
    per place's integer code (np.bincount), the places in the order of their ids."""
    sel = select(fr, f)
    code = sel["context_id"].cat.codes.to_numpy()
    sel, code = sel[code >= 0], code[code >= 0]
    every = fr.incidents["context_id"].cat.categories
    here = np.flatnonzero(np.bincount(code, minlength=len(every)))  # places with incidents
    slot = np.full(len(every), -1)
    slot[here] = np.arange(len(here))
    g, m = slot[code], len(here)  # each incident's row in the result

    def per_place(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(g, weights, minlength=m)

    hour, dow = sel["local_hour"].to_numpy(), sel["local_day"].to_numpy()  # Monday 0
    night = (hour >= NIGHT_START_HOUR) | (hour < NIGHT_END_HOUR)
    weekend = (dow >= 5) | ((dow == 4) & (hour >= WEEKEND_START_HOUR))
    incidents = per_place()
    out = pd.DataFrame({"incidents": incidents, "night_share": per_place(night) / incidents,
                        "weekend_share": per_place(weekend) / incidents,
                        "last_incident": pd.Series(sel["local_at"].to_numpy()).groupby(g).max()
                        .to_numpy()},
                       index=pd.Index(every[here], name="context_id"))
    severity = sel["severity"].to_numpy()
    for column, value in SEVERITY_COLUMNS.items():
        out[column] = per_place(severity == value).astype(int)
    # Young people: distinct (place, person) pairs and how many incidents each pair shares.
    row_of = np.full(len(fr.incidents), -1)
    row_of[sel["incident_id"].to_numpy()] = g
    at = fr.people["incident_id"].to_numpy()
    linked = row_of[at] >= 0
    person = fr.people["person_id"].cat.codes.to_numpy()[linked].astype(np.int64)
    n_people = len(fr.people["person_id"].cat.categories)
    links, _ = _counted(at[linked].astype(np.int64) * n_people + person)  # each link once
    pair, seen = _counted(row_of[links // n_people] * n_people + links % n_people)
    out["young_people"] = np.bincount(pair // n_people, minlength=m)
    out["repeat_young_people"] = np.bincount(pair // n_people, seen > 1, minlength=m)
    out = out.join(fr.contexts.set_index("context_id")[["name", "context_type", "ward_code",
                                                        "lat", "lon"]])
    out["ward_name"] = out["ward_code"].map(_ward_name_map(fr)).fillna(NO_WARD)
    out["context_label"] = out["context_type"].map(CONTEXT_LABELS).fillna("Other")
    bits = sel["risks"].to_numpy()
    by_risk = {code: per_place((bits >> np.uint32(i)) & 1)
               for i, code in enumerate(fr.risk_codes)}
    out["risk_types"] = sum((n > 0).astype(int) for n in by_risk.values())
    for column, code in RISK_COLUMNS.items():
        out[column] = by_risk[code] / incidents if code in by_risk else 0.0
    rated = out[list(SEVERITY_COLUMNS)].sum(axis=1)
    out["high_severity_share"] = out["severity_high"] / rated.where(rated > 0)
    month = sel["local_month"].to_numpy()
    observed = (pd.Series(pd.to_datetime({"year": np.unique(month) // 12,
                                          "month": np.unique(month) % 12 + 1, "day": 1}))
                if len(month) else None)
    grid = month_grid(f, observed)
    first_month = grid[0].year * 12 + grid[0].month - 1 if len(grid) else 0
    column = month - first_month
    inside = (column >= 0) & (column < len(grid))
    matrix = np.bincount(g[inside] * len(grid) + column[inside],
                         minlength=m * len(grid)).reshape(m, len(grid))
    out["trend"] = theil_sen_slopes(matrix) if m else []
    out["months"] = len(grid)
    first = fr.incidents["occurred_at"].min().date()
    if f.start and f.end and f.previous().start >= first.replace(day=1):
        before = select(fr, f.previous())["context_id"].cat.codes.to_numpy()
        counts = np.bincount(before[before >= 0], minlength=len(every))
        out["previous_incidents"] = counts[here].astype(float)
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
    mix = _risk_totals(fr, here).sort_values(ascending=False)
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


def ward_hot_spots(fr: Frames, f: Filters, view: str = "analyst") -> tuple:
    """Gi* over wards on the rate per 1,000 children (the statistics are the project's; the
    view changes only how the ratio is shown)."""
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


def grid_hot_spots(fr: Frames, f: Filters, view: str = "analyst") -> tuple:
    """Incidents on the hexagon grid and Gi* over its cells (the same in every view)."""
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
    drawn = now[now["context_id"].isin(places.drawable(out))]  # only these list their risks
    risks = (_risk_counts(fr, drawn, ["context_id"]).rename("n").reset_index()
             .sort_values(["context_id", "n", "risk_type"], ascending=[True, False, True]))
    # Each place's (risk type, incidents) pairs: one slice a place of the sorted pairs.
    pairs = list(zip(risks["risk_type"].astype(str), risks["n"].tolist(), strict=True))
    place = risks["context_id"].astype(str).to_numpy()
    bounds = (np.r_[np.flatnonzero(np.r_[True, place[1:] != place[:-1]]), len(place)]
              if len(place) else [])
    by_place = {place[a]: tuple(pairs[a:b]) for a, b in itertools.pairwise(bounds)}
    out["risks"] = [by_place.get(c, ()) for c in out["context_id"]]
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
    risk = (_risk_counts(fr, sel, ["context_id"]).rename("n").reset_index()
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
    cell = sel["local_day"].to_numpy(np.int64) * 24 + sel["local_hour"].to_numpy()
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["day", "hour"])
    return pd.Series(np.bincount(cell, minlength=168), index=full, name="incidents").reset_index()


def month_of_year(fr: Frames, f: Filters, context_id: str | None = None) -> pd.DataFrame:
    """Incidents in each calendar month, January first."""
    sel = select(fr, f)
    if context_id is not None:
        sel = sel[sel["context_id"] == context_id]
    counts = np.bincount(sel["local_month"].to_numpy() % 12, minlength=12)
    return pd.DataFrame({"month": range(1, 13), "incidents": counts})


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

    risks = _risk_counts(fr, sel, ["ward_code"])
    types = sel.groupby([sel["ward_code"], _type_of(fr, sel).rename("code")],
                        observed=True).size()
    out["main_risks"] = out["ward_code"].map(top(risks, RISK_LABELS)).fillna("")
    out["main_places"] = out["ward_code"].map(top(types, CONTEXT_LABELS)).fillna("")
    out = out[(out["incidents"] > 0) | (out["previous"] > 0)]
    return out.sort_values(["incidents", "ward_name"], ascending=[False, True],
                           ignore_index=True)


# ---- risk overlap --------------------------------------------------------------------------

@shared
def _entity_days(fr: Frames, f: Filters, unit: str) -> tuple[np.ndarray, ...]:
    """Each entity's days with a risk record in the selection, in (entity, day) order, with the
    risk types of that day as one bitmask (entity codes, day numbers, bits)."""
    sel = select(fr, f, risks=False)  # the risk filter picks the types compared, not members
    if unit == "people":
        links = fr.people[_chosen(fr, sel)[fr.people["incident_id"].to_numpy()]]
        at = links["incident_id"].to_numpy()
        entity = links["person_id"].cat.codes.to_numpy()
    else:
        at = sel["incident_id"].to_numpy()
        entity = sel["context_id"].cat.codes.to_numpy()
        at, entity = at[entity >= 0], entity[entity >= 0]
    day = fr.incidents["day"].to_numpy()[at]
    bits = fr.incidents["risks"].to_numpy()[at]
    keep = bits != 0
    entity, day, bits = entity[keep], day[keep], bits[keep]
    order = np.lexsort((day, entity))
    entity, day, bits = entity[order], day[order], bits[order]
    starts = np.flatnonzero(np.r_[True, (entity[1:] != entity[:-1]) | (day[1:] != day[:-1])])
    own = np.bitwise_or.reduceat(bits, starts) if len(starts) else bits
    return entity[starts], day[starts], own


def _firsts(entity: np.ndarray) -> np.ndarray:
    """Where each entity's rows start (rows in entity order)."""
    return np.flatnonzero(np.r_[True, entity[1:] != entity[:-1]]) if len(entity) else entity


@shared
def _member_sets(fr: Frames, f: Filters, unit: str) -> tuple[int, pd.Series]:
    """The universe (entities with any risk record) and how many entities have exactly each set
    of the compared risk types (a bitmask, never empty)."""
    entity, _, own = _entity_days(fr, f, unit)
    firsts = _firsts(entity)
    sets = (np.bitwise_or.reduceat(own, firsts) if len(firsts) else own) & fr.bits(
        overlap.compared_types(f))
    return len(firsts), pd.Series(sets[sets != 0]).value_counts()


def _has(bits: np.ndarray | pd.Index, bit: int) -> np.ndarray:
    return (np.asarray(bits) >> np.uint32(bit)) & 1 == 1


def _seen_within(entity: np.ndarray, day: np.ndarray, own: np.ndarray, window: int
                 ) -> np.ndarray:
    """Each day's risk types OR-ed with those of the entity's days up to `window` days before
    it (rows in entity and day order): one shift at a time, until no entity has that many days
    within the window."""
    seen = own.copy()
    k = 1
    while k < len(own):
        near = (entity[k:] == entity[:-k]) & (day[k:] - day[:-k] <= window)
        if not near.any():
            break
        seen[k:] |= np.where(near, own[:-k], 0).astype(own.dtype)
        k += 1
    return seen


def _close_pairs(fr: Frames, f: Filters, unit: str, window: int) -> dict[frozenset, int]:
    """Entities with each pair of compared types recorded within `window` days of each other."""
    entity, day, own = _entity_days(fr, f, unit)
    own = own & fr.bits(overlap.compared_types(f))
    entity, day, own = entity[own != 0], day[own != 0], own[own != 0]
    seen = _seen_within(entity, day, own, window)
    bit = {code: i for i, code in enumerate(fr.risk_codes)}
    types = [t for t in overlap.compared_types(f) if t in bit]
    out = {}
    for i, a in enumerate(types):
        for b in types[i + 1:]:
            hit = ((_has(own, bit[a]) & _has(seen, bit[b]))
                   | (_has(own, bit[b]) & _has(seen, bit[a])))
            out[frozenset((a, b))] = len(_firsts(entity[hit]))
    return out


def overlap_analyse(fr: Frames, f: Filters, unit: str = "people", window: int | None = None
                    ) -> overlap.Overlap:
    """Every pair of compared risk types: counts and measures (pair_statistics is shared); with
    a window, a pair counts when the two were recorded within `window` days of each other.
    Each member's risk types are one bitmask: a type's count and a pair's are sums of the
    counts of the sets that hold them (at most 2^11 sets)."""
    compared = overlap.compared_types(f)
    universe, sets = _member_sets(fr, f, unit)
    bit = {code: i for i, code in enumerate(fr.risk_codes)}
    holds = {t: _has(sets.index, bit[t]) if t in bit else np.zeros(len(sets), dtype=bool)
             for t in compared}
    n = {t: int(sets[holds[t]].sum()) for t in compared}
    types = tuple(t for t in compared if n[t] > 0)
    close = _close_pairs(fr, f, unit, window) if window is not None else {}
    rows = []
    for i, a in enumerate(types):
        for b in types[i + 1:]:
            both = int(sets[holds[a] & holds[b]].sum())
            rows.append((a, b, n[a], n[b], close.get(frozenset((a, b)), 0) if window is not None
                         else both, both))
    counts = pd.DataFrame(rows, columns=["a", "b", "n_a", "n_b", "n_ab", "n_ab_period"])
    singles = pd.DataFrame({"risk_type": list(types), "label": [overlap.label(t) for t in types],
                            "n": [n[t] for t in types]})
    return overlap.Overlap(unit=unit, window=window, universe=int(universe), types=types,
                           singles=singles, pairs=overlap.pair_statistics(int(universe), counts))


def combinations(fr: Frames, f: Filters, unit: str = "people") -> pd.DataFrame:
    """How many members have exactly each combination of the compared risk types (the counts
    of their bitmasks, each turned into its types)."""
    _, sets = _member_sets(fr, f, unit)
    bit = {code: i for i, code in enumerate(fr.risk_codes)}
    types = [t for t in overlap.compared_types(f) if t in bit]
    combos = [tuple(t for t in types if (int(m) >> bit[t]) & 1) for m in sets.index]
    out = pd.DataFrame({"combo": combos, "n": sets.to_numpy()})
    out["key"] = out["combo"].map(overlap.SEPARATOR.join)
    out["size"] = out["combo"].map(len)
    return out.sort_values(["n", "size", "key"], ascending=[False, False, True],
                           ignore_index=True)


def drilldown(fr: Frames, f: Filters, risks: tuple[str, ...], unit: str = "people",
              exact: bool = False, window: int | None = None) -> tuple:
    """Wards, places and months of the members with every one of `risks` (a pair, anywhere in
    the period or within `window` days of each other), from each member's days as bitmasks."""
    entity, day, own = _entity_days(fr, f, unit)
    want = fr.bits(risks)
    month = day.astype("datetime64[D]").astype("datetime64[M]")
    if window is None:
        firsts = _firsts(entity)
        sets = np.bitwise_or.reduceat(own, firsts) if len(firsts) else own
        members = entity[firsts][(sets & want) == want]
        starts = (np.flatnonzero(np.r_[True, (entity[1:] != entity[:-1])
                                       | (month[1:] != month[:-1])]) if len(entity) else firsts)
        per_month = np.bitwise_or.reduceat(own, starts) if len(starts) else own
        hit = starts[(per_month & want) == want]
    else:
        a, b = (fr.risk_codes.index(r) for r in risks)
        seen = _seen_within(entity, day, own, window)
        hit = np.flatnonzero((_has(own, a) & _has(seen, b)) | (_has(own, b) & _has(seen, a)))
        members = np.unique(entity[hit])
    monthly = pd.Series(1, index=pd.MultiIndex.from_arrays([entity[hit], month[hit]])).groupby(
        level=[0, 1]).size().groupby(level=1).size()
    monthly.index = pd.DatetimeIndex(monthly.index)
    sel = select(fr, f, risks=False)
    sel = sel[(sel["risks"].to_numpy() & want) != 0]
    if unit == "people":
        rows = _with_people(fr, sel, ["ward_code", "context_id"])
        entity_of = rows["person_id"].cat.codes.to_numpy()
    else:
        rows = sel[["incident_id", "ward_code", "context_id"]]
        entity_of = rows["context_id"].cat.codes.to_numpy()
    rows = rows.assign(entity=entity_of)[np.isin(entity_of, members)]
    rows = rows.drop_duplicates(["incident_id", "entity"])
    wards = (rows.groupby("ward_code", observed=True, dropna=False)
             .agg(members=("entity", "nunique"), incidents=("incident_id", "nunique"))
             .reset_index().sort_values(["members", "incidents"], ascending=False))
    places_ = (rows[rows["context_id"].notna()].groupby("context_id", observed=True)
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
    cur = _risk_totals(fr, select(fr, f))
    prev = _risk_totals(fr, select(fr, f.previous()))
    out = pd.concat([cur.rename("current"), prev.rename("previous")], axis=1).fillna(0)
    if f.risk_types:
        out = out[out.index.isin(f.risk_types)]
    out = out[(out["current"] > 0) | (out["previous"] > 0)].astype(int)
    return out.assign(change=out["current"] - out["previous"]).rename_axis("code").reset_index()


def what_changed(fr: Frames, f: Filters, view: str = "board") -> tuple:
    """The narrative's data: headline, changes by ward, place and risk type, signals, hot spots
    now and before, and the places ranked by priority score (the ranking alone, as the
    narrative's sentence takes it; the sentences are the same code's)."""
    head = headline(fr, f)
    out = [head]
    if head[0][0] == 0:
        return tuple(out)
    if f.start and f.end and head[1] and head[1][0]:
        out += [changes(fr, f, "ward"), changes(fr, f, "context"), risk_changes(fr, f)]
    out.append(signals(fr, f, view=view))
    if f.start and f.end:
        out += [ward_hot_spots(fr, f), ward_hot_spots(fr, f.previous())]
    out.append(priorities.score(profiles(fr, f)))
    return tuple(out)
