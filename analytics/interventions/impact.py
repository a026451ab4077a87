"""Did incidents at a place change after an intervention began, relative to similar places?

Method, stated on the page in plain words:

1. Months. For an intervention that began in month S, count incidents a month at its place in up
   to WINDOW_MONTHS months before S and after it. S counts as "after" when the intervention began
   on the 1st, and is left out otherwise (it is part before, part after). Months after stop when
   the intervention ended or when the data do; the latest month is left out unless complete.
2. Comparisons. The K_COMPARISONS places of the same context type, with no intervention of their
   own during those months and further than the displacement radius from the place, whose average
   a month before S was closest to the place's own (matched on the pre-period level).
3. Estimate. A difference in differences on the ratio scale: the place's change (rate after over
   rate before) divided by the comparisons' common change. The common change is a random-effects
   (DerSimonian-Laird) average of each comparison place's log change. The 95% interval adds the
   place's own count noise (Poisson, widened when months vary more than chance alone), how much
   single places' changes differ from the common change (tau squared), and the uncertainty of the
   common change. A ratio of 0.6 reads "fell by 40% more than at similar places".
4. Displacement. The same estimate for every place within the chosen distance (haversine, metres),
   each against its own matched comparisons further away: did incidents rise next door?

police.uk street crime (or stop and search) runs through the same steps, with police.uk's
anonymised locations as the places: an intervention at one of them is measured there; one at a
registered place (a park, a school) is measured by the crime at every location within
AROUND_M metres of it, "in and around" it. Comparisons are any locations (police.uk's types of
place are too coarse to match on), further than the displacement radius.

Too few data (named thresholds below) give a plain reason instead of an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.governance.disclosure import SUPPRESSED, is_small, suppresses
from analytics.interventions.interventions import register
from analytics.store import memo
from analytics.store.filters import Filters, add_months, uk_date, uk_month
from analytics.store.sources import place_kind
from analytics.store.vocab import CONTEXT_LABELS

WINDOW_MONTHS = 12  # months before and after compared, at most
MIN_MONTHS_BEFORE = 6  # fewer months of data before the start: too few to know the usual level
MIN_MONTHS_AFTER = 6  # fewer full months since the start: too soon to say
MIN_INCIDENTS_BEFORE = 10  # fewer incidents at the place before: too few to see a change
# Comparison places matched to each treated place. Ten, not five: how much single places'
# changes vary (tau squared) is badly estimated from five, which made intervals needlessly wide.
K_COMPARISONS = 10
CHART_ROWS = 20  # estimates drawn in a chart at most; the table under it has every one
MIN_COMPARISONS = 3  # fewer comparable places: nothing to compare with
DISPLACEMENT_RADIUS_M = 500  # "neighbouring" places: within this many metres
AROUND_M = 150  # police.uk: crime at locations this close to a registered place is "in and around" it
ANY_PLACE = "place"  # police.uk: the one type every location is matched within
MIN_NEIGHBOUR_INCIDENTS = 5  # a neighbour with fewer incidents before and after is not assessed
CONFIDENCE = 0.95
Z = 1.959963984540054  # the normal quantile for a 95% interval
CONTINUITY = 0.5  # added to both totals of a series when either is zero (log of zero)
EARTH_RADIUS_M = 6_371_008.8
# Interventions x candidate places matched in one step at most: bounds the memory of matching
# at police.uk's scale (a force's hundred thousand locations form one pool).
MATCH_CELLS = 2_000_000
LEVEL_MISMATCH = 2.0  # comparisons this many times busier or quieter before: say so
CAVEAT = (
    "This does not prove the intervention caused the change. Something else may have changed "
    "at the same time: patrols, recording practice, the time of year, or the young people "
    "themselves moving on. The comparison places stand in for what would have happened without "
    "the intervention; they are alike only in type and in how many incidents they had before."
)
FALL, RISE, UNCLEAR, TOO_FEW = "Clear fall", "Clear rise", "No clear change", "Too few data to say"


@dataclass(frozen=True)
class Estimate:
    """A difference-in-differences estimate as a ratio with its 95% interval and the inputs."""

    ratio: float  # (place after / before) / (comparisons' common change); 1 means no difference
    low: float
    high: float
    before: float  # the place's incidents a month before
    after: float  # ...and after
    expected_after: float  # before x the comparisons' common change: the "without it" line
    before_total: int
    after_total: int
    months_before: int
    months_after: int
    comparisons: int
    dispersion: float  # extra-Poisson variation of the months (1 = none)
    tau2: float  # spread of single places' changes beyond chance (log scale)

    @property
    def verdict(self) -> str:
        """'Clear fall', 'Clear rise' or 'No clear change': does the interval exclude no change?"""
        if self.high < 1:
            return FALL
        if self.low > 1:
            return RISE
        return UNCLEAR


@dataclass(frozen=True)
class Impact:
    """One intervention's before-and-after at its place against matched comparison places."""

    intervention_id: str
    label: str
    context_id: str | None
    context_name: str
    context_type: str | None
    started_on: date
    ended_on: date | None
    estimate: Estimate | None
    reason: str  # why there is no estimate ('' when there is one)
    comparisons: pd.DataFrame  # context_id, name, ward_name, before, after (incidents a month)
    series: pd.DataFrame  # month, period, place, comparison_mean, comparison_total, expected
    #                      (the comparisons' average scaled to the place's level before)
    pre_trend_differs: bool  # the place and comparisons already moved apart before the start


@dataclass(frozen=True)
class Displacement:
    """Changes at places within `radius_m` of the intervention, each against its own comparisons."""

    radius_m: int
    neighbours: pd.DataFrame  # context_id, name, context_type, distance_m, before_total,
    #                          after_total, before, after, ratio, low, high, verdict
    pooled: Estimate | None  # all assessed neighbours together
    reason: str
    months_before: int = 0
    months_after: int = 0


@dataclass(frozen=True)
class _Inputs:
    """Everything the estimates read, as arrays indexed by month and place position.

    Looked up once per call of impact_summary, not once per intervention: at a million incidents
    there are thousands of interventions and twelve thousand places, and per-intervention pandas
    lookups (dates, sets of ids, distances to every place) took seconds.
    """

    counts: pd.DataFrame  # months x context_id, incidents, zero-filled
    contexts: pd.DataFrame  # indexed by context_id (the columns of counts, in that order)
    register: pd.DataFrame  # every intervention, whatever the filters
    values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=int))  # counts
    column: dict = field(default_factory=dict)  # context_id -> column of `values`
    by_type: dict = field(default_factory=dict)  # context_type -> array of columns, id order
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per column (NaN: unknown)
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    types: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # per column
    running: tuple = ()  # the register's (columns (-1: no known place), starts, ends) as arrays
    span: tuple = ()  # the first and last month of data, as Timestamps (empty: no data)
    cumulative: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), dtype=int))
    #   counts summed down the months, a row of zeros first: months a to b total row b - row a

    @classmethod
    def of(cls, counts: pd.DataFrame, contexts: pd.DataFrame, register: pd.DataFrame) -> _Inputs:
        """The inputs with their lookups."""
        column = {c: i for i, c in enumerate(counts.columns)}
        matched = contexts["match_type"] if "match_type" in contexts else contexts["context_type"]
        types = matched.reindex(counts.columns).to_numpy(dtype=object)
        by_type = {t: np.flatnonzero(types == t) for t in pd.unique(types) if isinstance(t, str)}
        starts = pd.to_datetime(register["started_on"]).to_numpy(dtype="datetime64[D]")
        ends = pd.to_datetime(register["ended_on"]).to_numpy(dtype="datetime64[D]")
        ends = np.where(np.isnat(ends), np.datetime64("9999-12-31"), ends)
        where = np.array([column.get(c, -1) for c in register["context_id"]], dtype=np.int64)
        located = contexts.reindex(counts.columns)
        span = (counts.index[0], counts.index[-1]) if len(counts.index) else ()
        values = np.ascontiguousarray(counts.to_numpy())
        cumulative = np.vstack([np.zeros((1, values.shape[1]), dtype=values.dtype),
                                values.cumsum(axis=0)])
        for shared in (values, cumulative):  # shared between analyses (store.memo): read only
            shared.setflags(write=False)
        return cls(counts, contexts, register, values, column,
                   by_type, located["lat"].to_numpy(dtype=float),
                   located["lon"].to_numpy(dtype=float), types, (where, starts, ends), span,
                   cumulative)

    def months(self, positions: np.ndarray) -> pd.DatetimeIndex:
        """The months at these positions (counted from the first month of data)."""
        return pd.DatetimeIndex(self.first_day(positions).astype("datetime64[ns]"))

    def first_day(self, positions: np.ndarray) -> np.ndarray:
        """The first day of the months at these positions, as datetime64[D]."""
        first = np.datetime64(self.span[0], "M") if self.span else np.datetime64("1970-01", "M")
        return (first + np.asarray(positions, dtype=np.int64)).astype("datetime64[D]")


def did(place_before: np.ndarray, place_after: np.ndarray, comp_before: np.ndarray,
        comp_after: np.ndarray) -> Estimate:
    """The ratio-of-ratios estimate from monthly counts: the place's before and after arrays and
    the comparisons' (months x places) arrays. See the module docstring for the method."""
    place_before, place_after = np.asarray(place_before, float), np.asarray(place_after, float)
    comp_before = np.asarray(comp_before, float).reshape(len(place_before), -1)
    comp_after = np.asarray(comp_after, float).reshape(len(place_after), -1)
    return _did_many(place_before[None], place_after[None], comp_before[None],
                     comp_after[None])[0]


def _did_many(place_before: np.ndarray, place_after: np.ndarray, comp_before: np.ndarray,
              comp_after: np.ndarray) -> list[Estimate]:
    """did for n places at once: the places' (n x months) arrays and their comparisons'
    (n x months x k) arrays, NaN past a row's months or where it has fewer than k comparisons.
    One pass of array arithmetic, not n: the summary estimates thousands of interventions."""
    m0 = (~np.isnan(place_before)).sum(axis=1)
    m1 = (~np.isnan(place_after)).sum(axis=1)
    phi = _dispersion([place_before[:, :, None], place_after[:, :, None], comp_before,
                       comp_after])
    before_total, after_total = np.nansum(place_before, axis=1), np.nansum(place_after, axis=1)
    d_place, v_place = _log_changes(before_total, after_total, m0, m1, phi)
    d, v = _log_changes(np.nansum(comp_before, axis=1), np.nansum(comp_after, axis=1),
                        m0[:, None], m1[:, None], phi[:, None])
    d, v = np.where(np.isnan(comp_before[:, 0, :]), np.nan, d), np.where(
        np.isnan(comp_before[:, 0, :]), np.nan, v)  # no such comparison: no change either
    tau2 = _between_places(d, v)
    w = 1 / (v + tau2[:, None])
    common = np.nansum(w * d, axis=1) / np.nansum(w, axis=1)
    log_ratio = d_place - common
    se = np.sqrt(v_place + tau2 + 1 / np.nansum(w, axis=1))
    before, after = before_total / m0, after_total / m1
    ratio, low, high = np.exp(log_ratio), np.exp(log_ratio - Z * se), np.exp(log_ratio + Z * se)
    expected = before * np.exp(common)
    k = (~np.isnan(d)).sum(axis=1)
    return [Estimate(ratio=float(ratio[i]), low=float(low[i]), high=float(high[i]),
                     before=float(before[i]), after=float(after[i]),
                     expected_after=float(expected[i]), before_total=int(before_total[i]),
                     after_total=int(after_total[i]), months_before=int(m0[i]),
                     months_after=int(m1[i]), comparisons=int(k[i]), dispersion=float(phi[i]),
                     tau2=float(tau2[i]))
            for i in range(len(m0))]


def dispersion(series: list[np.ndarray]) -> float:
    """Pearson dispersion of monthly counts about each series' own mean (at least 1)."""
    return float(_dispersion([np.asarray(y, float).reshape(1, -1, 1) for y in series])[0])


def _dispersion(blocks: list[np.ndarray]) -> np.ndarray:
    """dispersion over blocks of series, each an (n x months x series) array (NaN: past a
    row's months, or no such series): one value for each of the n."""
    chi2, dof = np.zeros(len(blocks[0])), np.zeros(len(blocks[0]))
    for block in blocks:
        months = (~np.isnan(block[:, :, :1])).sum(axis=1, keepdims=True)  # n x 1 x 1
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.nansum(block, axis=1, keepdims=True) / months
            terms = np.nansum((block - mean) ** 2, axis=1, keepdims=True) / mean
        used = (mean > 0) & (months >= 2) & ~np.isnan(block[:, :1, :])
        chi2 += np.where(used, terms, 0.0).sum(axis=(1, 2))
        dof += ((months - 1) * used).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dof > 0, np.maximum(1.0, chi2 / dof), 1.0)


def haversine_m(lat: float | np.ndarray, lon: float | np.ndarray, lats: np.ndarray,
                lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres from one point to many (or, by broadcasting, from
    many points to many)."""
    p1, p2 = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lats, float))
    dphi = p2 - p1
    dlambda = np.radians(np.asarray(lons, float) - np.asarray(lon, float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _within(lats: np.ndarray, lons: np.ndarray, to_lats: np.ndarray, to_lons: np.ndarray,
            radius_m: float) -> np.ndarray:
    """(n x p): whether each of n points is within radius_m of each of p (haversine_m), the
    distance worked out only where the latitudes alone are close enough: a great circle is
    never shorter than its north-south part."""
    close = (np.abs(to_lats[None, :] - lats[:, None])
             <= np.degrees(radius_m / EARTH_RADIUS_M) * (1 + 1e-9))
    row, col = np.nonzero(close)
    within = np.zeros(close.shape, dtype=bool)
    within[row, col] = haversine_m(lats[row], lons[row], to_lats[col], to_lons[col]) <= radius_m
    return within


def _month_number(d: date | pd.Timestamp) -> int:
    return d.year * 12 + d.month - 1


def window_positions(started_on: date, ended_on: date | None, first_month: date | pd.Timestamp,
                     last_month: date | pd.Timestamp, window: int = WINDOW_MONTHS
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The months before and after the start that the estimate uses (see the module docstring),
    as positions counted from first_month (0). Months before may lie past the data only when
    there are no months after (the start is later than the data)."""
    ended = ended_on is not None and not pd.isna(ended_on)
    b0, m0, a0, m1 = _window_bounds(
        np.array([_month_number(started_on)]), np.array([started_on.day == 1]),
        np.array([_month_number(ended_on) if ended else np.iinfo(np.int64).max]),
        _month_number(first_month), _month_number(last_month), window)
    return np.arange(b0[0], b0[0] + m0[0]), np.arange(a0[0], a0[0] + m1[0])


def _window_bounds(start: np.ndarray, on_first: np.ndarray, end: np.ndarray, first: int,
                   last: int, window: int = WINDOW_MONTHS
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """window_positions for many interventions at once, from month numbers (year * 12 + month
    - 1) of their starts and ends: the first month before and how many, the first after and
    how many."""
    start = start - first
    first_after = np.where(on_first, start, start + 1)
    last_after = np.minimum(np.minimum(last - first, first_after + window - 1), end - first)
    b0 = np.maximum(0, start - window)
    return (b0, np.maximum(0, start - b0), first_after,
            np.maximum(0, last_after + 1 - first_after))


def windows(started_on: date, ended_on: date | None, first_month: pd.Timestamp,
            last_month: pd.Timestamp,
            window: int = WINDOW_MONTHS) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """window_positions as months."""
    before, after = window_positions(started_on, ended_on, first_month, last_month, window)
    first = pd.Period(first_month, "M").ordinal
    return tuple(pd.PeriodIndex.from_ordinals(first + p, freq="M").to_timestamp()
                 for p in (before, after))


def impact(con: duckdb.DuckDBPyConnection, filters: Filters, intervention_id: str,
           k: int = K_COMPARISONS, radius_m: int = DISPLACEMENT_RADIUS_M) -> Impact:
    """The before-and-after of one intervention under the filters' risk types and agencies."""
    data = _inputs(con, filters)
    rows = data.register[data.register["intervention_id"] == intervention_id]
    if rows.empty:
        raise ValueError(f"There is no intervention with the id {intervention_id!r}.")
    return _impact(data, rows.iloc[:1], k, radius_m)


def impact_summary(con: duckdb.DuckDBPyConnection, filters: Filters, k: int = K_COMPARISONS,
                   radius_m: int = DISPLACEMENT_RADIUS_M) -> pd.DataFrame:
    """Every intervention in the register under the filters, with its estimate in words."""
    data = _inputs(con, filters)
    shown = register(con, filters)
    rows = data.register[data.register["intervention_id"].isin(shown["intervention_id"])]
    found = _assess(data, rows, k, radius_m)
    ests = [a.estimate for a in found]

    def each(get, missing) -> list:
        return [get(e) if e else missing for e in ests]

    return pd.DataFrame({
        "intervention_id": rows["intervention_id"].to_numpy(), "label": rows["label"].to_numpy(),
        "place": rows["context_name"].to_numpy(), "started_on": rows["started_on"].to_numpy(),
        "ended_on": rows["ended_on"].to_numpy(),
        "ratio": each(lambda e: e.ratio, np.nan), "low": each(lambda e: e.low, np.nan),
        "high": each(lambda e: e.high, np.nan), "effect": each(effect_short, "–"),
        "certainty": each(lambda e: e.verdict, TOO_FEW), "reason": [a.reason for a in found],
        "before_total": each(lambda e: e.before_total, 0),
    }).sort_values("started_on", ascending=False, kind="stable").reset_index(drop=True)


def displacement(con: duckdb.DuckDBPyConnection, filters: Filters, intervention_id: str,
                 radius_m: int = DISPLACEMENT_RADIUS_M, k: int = K_COMPARISONS) -> Displacement:
    """Did incidents rise at places within `radius_m` metres after the intervention began,
    relative to similar places further away?"""
    data = _inputs(con, filters)
    rows = data.register[data.register["intervention_id"] == intervention_id]
    if rows.empty:
        raise ValueError(f"There is no intervention with the id {intervention_id!r}.")
    row = rows.iloc[0]
    empty = pd.DataFrame(columns=["context_id", "name", "context_type", "distance_m",
                                  "before_total", "after_total", "before", "after", "ratio",
                                  "low", "high", "verdict"])
    own = data.column.get(row["context_id"])
    if own is None or np.isnan(data.lat[own]) or np.isnan(data.lon[own]):
        return Displacement(radius_m, empty, None, "The place has no map position, so we cannot "
                                                   "tell which places are near it.")
    before, after = _positions(data, row)
    reason = _window_reason(row["started_on"], row["ended_on"], len(before), len(after))
    if reason:
        return Displacement(radius_m, empty, None, reason)
    distance = haversine_m(data.lat[own], data.lon[own], data.lat, data.lon)  # NaN: no position
    treated = _treated_within(data, before[:1], after[-1:] + 1,
                              np.arange(data.values.shape[1]))[0]
    within = distance <= radius_m
    near = np.flatnonzero(within)
    near = near[(near != own) & ~treated[near]]
    near = near[np.argsort(distance[near], kind="stable")]
    if not len(near):
        return Displacement(radius_m, empty, None,
                            f"There are no other recorded places within {radius_m:,} metres.")
    far = ~within  # further away, or with no map position
    far[treated] = False
    # Each neighbour against its own matched comparisons of its type, all at once (_assess).
    comps = np.full((len(near), k), -1, dtype=np.int64)
    cumulative = data.cumulative
    totals = cumulative[before[-1] + 1] - cumulative[before[0]]
    for match_type in pd.unique(data.types[near]):
        these = np.flatnonzero(data.types[near] == match_type)
        pool = data.by_type.get(match_type, np.zeros(0, dtype=np.int64))
        pool = pool[far[pool]]
        if len(pool):
            comps[these] = _nearest_in_level(totals[near[these]], pool, totals[pool],
                                             np.ones((len(these), len(pool)), dtype=bool), k)
    before_total = totals[near]
    after_total = cumulative[after[-1] + 1, near] - cumulative[after[0], near]
    assessed = np.flatnonzero(((comps >= 0).sum(axis=1) >= MIN_COMPARISONS)
                              & (before_total + after_total >= MIN_NEIGHBOUR_INCIDENTS))
    n = len(assessed)
    estimates = dict(zip(assessed.tolist(), _estimate(
        data, np.full(n, before[0]), np.full(n, len(before)), np.full(n, after[0]),
        np.full(n, len(after)), near[assessed], comps[assessed]), strict=True))
    info = data.contexts.reindex(data.counts.columns)
    kinds = info["context_type"].to_numpy(dtype=object)[near]
    ests = [estimates.get(j) for j in range(len(near))]
    neighbours = pd.DataFrame({
        "context_id": data.counts.columns[near], "name": info["name"].to_numpy()[near],
        "context_type": [CONTEXT_LABELS.get(t, t) for t in kinds],
        "distance_m": np.round(distance[near]).astype(int), "before_total": before_total,
        "after_total": after_total, "before": before_total / len(before),
        "after": after_total / len(after),
        "ratio": [e.ratio if e else np.nan for e in ests],
        "low": [e.low if e else np.nan for e in ests],
        "high": [e.high if e else np.nan for e in ests],
        "verdict": [e.verdict if e else TOO_FEW for e in ests]}, columns=empty.columns)
    pooled = None
    if n:
        places = near[assessed]
        pooled_comp = pd.unique(comps[assessed].ravel())
        pooled_comp = pooled_comp[pooled_comp >= 0]
        total = data.values[:, places].sum(axis=1)
        pooled = did(total[before], total[after], data.values[np.ix_(before, pooled_comp)],
                     data.values[np.ix_(after, pooled_comp)])
    return Displacement(radius_m, neighbours, pooled, "", months_before=len(before),
                        months_after=len(after))


def match_comparisons(counts: pd.DataFrame, before: pd.DatetimeIndex, place: str,
                      candidates: list[str], k: int = K_COMPARISONS) -> list[str]:
    """The k candidates with incidents before whose monthly average then was closest to the
    place's own (ties by id, so the choice is repeatable)."""
    if not candidates or before.empty:
        return []
    order = sorted(candidates)
    window = counts.loc[before]
    chosen = _nearest_in_level(window[place].to_numpy().sum(keepdims=True),
                               np.arange(len(order)), window[order].to_numpy().sum(axis=0),
                               np.ones((1, len(order)), dtype=bool), k)[0]
    return [order[i] for i in chosen if i >= 0]


def _nearest_in_level(totals: np.ndarray, pool: np.ndarray, pool_totals: np.ndarray,
                      allowed: np.ndarray, k: int) -> np.ndarray:
    """For each of n places' incidents before, the members of the pool (columns) of the k allowed
    candidates with incidents whose totals over the same months (one row for all, or a row for
    each place) are closest, nearest first, ties in the pool's order; (n x k), -1 where fewer
    qualify. Totals are whole numbers, so each candidate's gap and position make one exact
    key, and only the k smallest keys of a row are sorted."""
    totals, pool_totals = np.asarray(totals, np.int64), np.asarray(pool_totals, np.int64)
    size = allowed.shape[-1]
    allowed = allowed & (pool_totals > 0)
    key = np.abs(pool_totals - totals[:, None]) * size + np.arange(size)
    key = np.where(allowed, key, np.iinfo(np.int64).max)
    if size > k:
        key = np.take_along_axis(key, np.argpartition(key, k - 1, axis=1)[:, :k], axis=1)
    key.sort(axis=1)
    chosen = np.where(key[:, :k] < np.iinfo(np.int64).max, pool[key[:, :k] % size], -1)
    return np.pad(chosen, ((0, 0), (0, k - chosen.shape[1])), constant_values=-1)


# --- words for the board ---------------------------------------------------------------------

def change_words(ratio: float) -> str:
    """0.62 -> 'a fall of 38%'; 1.25 -> 'a rise of 25%'; 1.0 -> 'no change'."""
    pct = round(abs(ratio - 1) * 100)
    if pct == 0:
        return "no change"
    return f"a {'fall' if ratio < 1 else 'rise'} of {pct}%"


def effect_short(est: Estimate) -> str:
    """'Fell by 38% (95% interval: 20% to 52%)', for a summary table."""
    if est.verdict == UNCLEAR:
        return (f"No clear change (anything from {change_words(est.low)} to "
                f"{change_words(est.high)})")
    verb = "Fell" if est.verdict == FALL else "Rose"
    near, far = sorted((round(abs(est.low - 1) * 100), round(abs(est.high - 1) * 100)))
    return f"{verb} by {round(abs(est.ratio - 1) * 100)}% (95% interval: {near}% to {far}%)"


def interval_words(est: Estimate) -> str:
    """'a fall of between 9% and 68%', or 'anything from a fall of 30% to a rise of 84%'."""
    if est.verdict == UNCLEAR:
        return f"anything from {change_words(est.low)} to {change_words(est.high)}"
    near, far = sorted((round(abs(est.low - 1) * 100), round(abs(est.high - 1) * 100)))
    return f"a {'fall' if est.verdict == FALL else 'rise'} of between {near}% and {far}%"


def effect_sentence(result: Impact) -> str:
    """The finding in words a board member understands, or why there is none."""
    est = result.estimate
    if est is None:
        return (f"We cannot say whether incidents changed at {result.context_name}. "
                f"{result.reason}")
    places = f"{est.comparisons} similar {_type_plural(result.context_type)}"
    if est.verdict == UNCLEAR:
        return (f"No clear change at {result.context_name} since it began on "
                f"{uk_date(result.started_on)}, compared with {places}. Our best estimate is "
                f"{change_words(est.ratio)}, but the data fit {interval_words(est)}.")
    direction = "fell" if est.verdict == FALL else "rose"
    return (f"Since it began on {uk_date(result.started_on)}, incidents at "
            f"{result.context_name} {direction} by about {round(abs(est.ratio - 1) * 100)}% "
            f"more than at {places} (95% interval: {interval_words(est)}).")


def headline(result: Impact) -> str:
    """A chart title stating the finding."""
    est = result.estimate
    if est is None:
        return f"{result.context_name}: incidents a month around {uk_date(result.started_on)}"
    if est.verdict == UNCLEAR:
        return f"{result.context_name}: no clear change since {uk_month(result.started_on)}"
    direction = "fell" if est.verdict == FALL else "rose"
    return (f"{result.context_name}: incidents {direction} by about "
            f"{round(abs(est.ratio - 1) * 100)}% more than at similar places")


def summary_headline(summary: pd.DataFrame) -> str:
    """'1 of 2 interventions was followed by a clear fall in incidents'."""
    n = len(summary)
    falls = int((summary["certainty"] == FALL).sum())
    assessed = int((summary["certainty"] != TOO_FEW).sum())
    if assessed == 0:
        return f"None of the {n} interventions has enough data yet to say what changed"
    verb = "was" if falls == 1 else "were"
    return (f"{falls} of the {assessed} interventions with enough data {verb} followed by a "
            f"clear fall in incidents")


def displacement_headline(result: Displacement) -> str:
    """'Alder Takeaway, 200 m away, saw a clear rise' or 'No clear rise within 500 metres'."""
    rose = result.neighbours[result.neighbours["verdict"] == RISE]
    if not rose.empty:
        top = rose.sort_values("ratio", ascending=False).iloc[0]
        more = f" (and {len(rose) - 1} more)" if len(rose) > 1 else ""
        return f"{top['name']}, {top['distance_m']:,} m away, saw a clear rise{more}"
    return f"No clear rise at places within {result.radius_m:,} metres"


def method_note(result: Impact) -> str:
    """How the comparison was made, in one paragraph: months, comparison places, interval."""
    est = result.estimate
    if est is None:
        return ""
    names = "; ".join(result.comparisons["name"])
    trend = (" Before it began, incidents here were already moving differently from the "
             "comparison places, so treat this estimate with extra care."
             if result.pre_trend_differs else "")
    level = result.comparisons["before"].mean()
    if est.before > LEVEL_MISMATCH * level or level > LEVEL_MISMATCH * est.before:
        size = "smaller" if est.before > level else "larger"
        trend += (f" The comparison places are much {size} (about {level:.1f} incidents a month "
                  f"before, against {est.before:.1f} here): no closer match of this type exists, "
                  "so the comparison is rougher than usual.")
    return (f"We compared {est.months_before} months before with {est.months_after} months "
            f"after, at {result.context_name} and at the {est.comparisons} "
            f"{_type_plural(result.context_type)} without an intervention whose incidents before "
            f"were closest in number to its own ({names}). The 95% interval allows for chance "
            f"month-to-month variation and for how differently single places change.{trend}")


def displacement_sentence(result: Displacement) -> str:
    """Whether incidents rose nearby, in words, with the caution displacement needs."""
    if result.reason:
        return result.reason
    rose = result.neighbours[result.neighbours["verdict"] == RISE]
    assessed = result.neighbours[result.neighbours["verdict"] != TOO_FEW]
    within = f"within {result.radius_m:,} metres"
    if not rose.empty:
        names = ", ".join(f"{n} ({d:,} m away)" for n, d in zip(rose["name"], rose["distance_m"],
                                                               strict=True))
        return (f"Incidents rose clearly at {names} after it began, relative to similar places "
                f"further away. Harm may have moved rather than stopped (displacement).")
    if assessed.empty:
        return f"The places {within} have too few incidents to tell whether harm moved there."
    return (f"No clear rise at the {len(assessed)} place{'s' if len(assessed) != 1 else ''} "
            f"{within}: no sign that harm moved next door (which does not rule it out).")


def rate_text(total: int, months: int, view: str) -> str:
    """Incidents a month as '4.2', or '<5 in 12 months' where the total would be disclosive."""
    if months == 0:
        return "–"
    if suppresses(view) and is_small(total):
        return f"{SUPPRESSED} in {months} months"
    return f"{total / months:.1f}"


def comparison_table(result: Impact, view: str) -> pd.DataFrame:
    """The place and its comparison places, incidents a month before and after, for display."""
    est = result.estimate
    if est is None:
        return pd.DataFrame(columns=["Place", "Ward", "Incidents a month before",
                                     "Incidents a month after"])
    m0, m1 = est.months_before, est.months_after
    rows = [(f"{result.context_name} (this place)", "",
             rate_text(est.before_total, m0, view), rate_text(est.after_total, m1, view))]
    rows += [(r.name, r.ward_name if isinstance(r.ward_name, str) else "",
              rate_text(round(r.before * m0), m0, view), rate_text(round(r.after * m1), m1, view))
             for r in result.comparisons.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Place", "Ward", "Incidents a month before",
                                       "Incidents a month after"])


def neighbour_table(result: Displacement, view: str) -> pd.DataFrame:
    """Places within the radius, their incidents a month before and after, and the estimate."""
    m0, m1 = result.months_before, result.months_after
    rows = []
    for r in result.neighbours.itertuples(index=False):
        change = "–" if pd.isna(r.ratio) else f"{change_words(r.ratio).capitalize()}"
        rows.append((r.name, r.context_type, f"{r.distance_m:,} m",
                     rate_text(r.before_total, m0, view), rate_text(r.after_total, m1, view),
                     change, r.verdict))
    return pd.DataFrame(rows, columns=["Place", "Type", "Distance", "Incidents a month before",
                                       "Incidents a month after",
                                       "Change relative to similar places", "Certainty"])


def best_documented(summary: pd.DataFrame) -> str | None:
    """The intervention with an estimate and the most incidents before it began: the one the
    data say most about, shown first."""
    estimated = summary[summary["ratio"].notna()]
    if estimated.empty:
        return None
    return str(estimated.sort_values("before_total", ascending=False, kind="stable")
               ["intervention_id"].iloc[0])


def chart_rows(frame: pd.DataFrame, verdict: str = "certainty",
               n: int | None = None) -> pd.DataFrame:
    """The estimates a chart draws: at most `n` (CHART_ROWS) rows with an estimate, clear falls
    and rises first, then those the data say most about (most incidents before). A chart of
    hundreds of rows is read by no one; every row stays in the table under it and its CSV."""
    n = CHART_ROWS if n is None else n
    estimated = frame.dropna(subset=["ratio"])
    clear = (~estimated[verdict].isin([FALL, RISE])).astype(int)
    order = np.lexsort((-estimated["before_total"].to_numpy(), clear.to_numpy()))
    return estimated.iloc[order[:n]]


def drawn_words(drawn: pd.DataFrame, frame: pd.DataFrame) -> str:
    """For a chart's caption: which of `frame`'s estimates (chart_rows) it draws, when it leaves
    some out."""
    estimated = int(frame["ratio"].notna().sum())
    if len(drawn) == estimated:
        return ""
    return (f"; the {len(drawn)} of {estimated:,} estimates drawn are the clear falls and "
            "rises first, then those with the most incidents before; the table has every one")


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every intervention's estimate in words, for the board's table (the 'why' column only when
    some intervention has too few data)."""
    table = pd.DataFrame({
        "Intervention": summary["label"],
        "Began": [uk_date(d) for d in summary["started_on"]],
        "Ended": ["still running" if d is None or pd.isna(d) else uk_date(d)
                  for d in summary["ended_on"]],
        "Estimated change relative to similar places": summary["effect"],
        "Certainty": summary["certainty"],
        "Why we cannot say": summary["reason"],
    })
    return table if (summary["reason"] != "").any() else table.drop(columns="Why we cannot say")


# --- internals -------------------------------------------------------------------------------

def _inputs(con: duckdb.DuckDBPyConnection, filters: Filters) -> _Inputs:
    """Monthly incidents at every place (source, risk types, agencies and outcomes from the
    filters; all dates, wards and types), the places, and the whole register: all within the
    user's scope, so a comparison place or a count from outside it never enters an estimate."""
    return _outcome_inputs(con, replace(filters.everything(), risk_types=filters.risk_types,
                                        agencies=filters.agencies, outcomes=filters.outcomes))


@memo.per_data_version()
def _outcome_inputs(con: duckdb.DuckDBPyConnection, outcome: Filters) -> _Inputs:
    """_inputs for the outcome's risk types and agencies, kept per data version: the summary,
    one intervention and its displacement all start from it, whatever the period."""
    p = outcome.predicate("i", risk_list=True)
    kind = place_kind(outcome.source)
    scope = outcome.in_scope("c.ward_code")
    contexts = con.execute(
        f"""SELECT c.context_id, c.name, c.context_type, w.ward_name, c.lat, c.lon
           FROM place_facts c LEFT JOIN wards w ON w.ward_code = c.ward_code
           WHERE list_contains(c.kinds, $kind) AND {scope.sql} ORDER BY c.context_id""",
        {"kind": kind, **scope.params}
    ).df().set_index("context_id")
    first, latest = con.execute(
        "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE FROM incident_facts "
        "WHERE source = $s", {"s": outcome.source}).fetchone()
    if first is None:
        months = pd.DatetimeIndex([])
    else:
        last = pd.Timestamp(latest).to_period("M").to_timestamp()
        if kind == "incidents" and (pd.Timestamp(latest) + pd.Timedelta(days=1)).day != 1:
            last -= pd.DateOffset(months=1)  # the latest month is not complete (police.uk
            #                                  publishes whole months: its latest is complete)
        months = pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), last, freq="MS")
    # months x places, filled by position: DuckDB numbers the places in the order of `contexts`
    # and the months from the first, so no id or date is looked up in Python.
    matrix = np.zeros((len(months), len(contexts)), dtype=np.int64)
    if len(months):
        cells = con.execute(
            f"""WITH c AS (SELECT context_id, row_number() OVER (ORDER BY context_id) - 1 AS col
                           FROM place_facts c WHERE list_contains(kinds, $kind) AND {scope.sql})
                SELECT c.col, year(i.occurred_at) * 12 + month(i.occurred_at) - 1 - $first AS pos,
                       count(*) AS n
                FROM incident_facts i JOIN c USING (context_id)
                WHERE {p.sql} GROUP BY ALL""",
            {**p.params, **scope.params, "first": first.year * 12 + first.month - 1,
             "kind": kind},
        ).fetchnumpy()
        keep = cells["pos"] < len(months)  # the latest month, when incomplete, is left out
        matrix[cells["pos"][keep], cells["col"][keep]] = cells["n"][keep]
    wide = pd.DataFrame(matrix, index=months, columns=contexts.index)
    every = register(con, outcome.everything())
    if kind != "incidents":
        wide, contexts = _around(wide, contexts, every)
    return _Inputs.of(wide, contexts, every)


def _around(wide: pd.DataFrame, contexts: pd.DataFrame, every: pd.DataFrame
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """police.uk: add a column for each registered place with an intervention, counting the
    crime at locations within AROUND_M of it; every place is matched within one type."""
    placed = every[~every["context_id"].isin(contexts.index) & every["lat"].notna()]
    placed = placed.drop_duplicates("context_id").set_index("context_id")
    lat, lon = contexts["lat"].to_numpy(float), contexts["lon"].to_numpy(float)
    columns = {}
    for context_id, row in placed.iterrows():
        near = haversine_m(row["lat"], row["lon"], lat, lon) <= AROUND_M
        columns[context_id] = wide.iloc[:, near].sum(axis=1)
    if columns:
        wide = pd.concat([wide, pd.DataFrame(columns, index=wide.index)], axis=1)
        contexts = pd.concat([contexts, placed.assign(name=placed["context_name"])[
            ["name", "context_type", "ward_name", "lat", "lon"]]])
    return wide, contexts.assign(match_type=ANY_PLACE)


_EMPTY_COMPARISONS = pd.DataFrame(columns=["context_id", "name", "ward_name", "before", "after"])
_EMPTY_SERIES = pd.DataFrame(columns=["month", "period", "place", "comparison_mean",
                                      "comparison_total", "expected"])


@dataclass(frozen=True)
class _Assessed:
    """What _assess found for one intervention: its estimate, or the reason there is none."""

    estimate: Estimate | None
    reason: str
    before: np.ndarray  # the months before and after (positions)
    after: np.ndarray
    comparisons: np.ndarray  # the matched comparison places (columns)


def _assess(data: _Inputs, rows: pd.DataFrame, k: int, radius_m: int) -> list[_Assessed]:
    """Each intervention's matched comparisons and estimate (see the module docstring), or why
    there is none. Every intervention is matched and estimated at once, in array arithmetic
    over (interventions x months x places): one intervention and two thousand take the same
    path, so the summary and the detail always agree."""
    n = len(rows)
    own = np.array([data.column.get(c, -1) if isinstance(c, str) else -1
                    for c in rows["context_id"].tolist()], dtype=np.int64)
    b0, m0, a0, m1 = _bounds(data, rows)
    cumulative = data.cumulative
    last = len(cumulative) - 1
    before_total = (cumulative[np.minimum(b0 + m0, last), own]
                    - cumulative[np.minimum(b0, last), own])
    reasons = [""] * n
    for i, (started_on, ended_on) in enumerate(zip(rows["started_on"].tolist(),
                                                   rows["ended_on"].tolist(), strict=True)):
        if own[i] < 0:
            reasons[i] = "It has no known place recorded, so there is nothing to measure."
        elif m0[i] < MIN_MONTHS_BEFORE or m1[i] < MIN_MONTHS_AFTER:
            reasons[i] = _window_reason(started_on, ended_on, m0[i], m1[i])
        elif before_total[i] < MIN_INCIDENTS_BEFORE:
            reasons[i] = (f"There were fewer than {MIN_INCIDENTS_BEFORE} incidents at the place "
                          f"in the {m0[i]} months before it began: too few to see a change.")
    comps = np.full((n, k), -1, dtype=np.int64)
    ready = np.flatnonzero(np.array([not r for r in reasons], dtype=bool))
    types = data.types[own[ready]] if len(ready) else np.zeros(0, dtype=object)
    for ctx_type in pd.unique(types):
        pool = data.by_type.get(ctx_type, np.zeros(0, dtype=np.int64))
        of_type = ready[types == ctx_type]
        for these in np.array_split(of_type, -(-len(of_type) * len(pool) // MATCH_CELLS)):
            totals = (cumulative[(b0 + m0)[these, None], pool]
                      - cumulative[b0[these, None], pool])
            near = _within(data.lat[own[these]], data.lon[own[these]], data.lat[pool],
                           data.lon[pool], radius_m)
            allowed = ((pool[None, :] != own[these, None]) & ~near
                       & ~_treated_within(data, b0[these], a0[these] + m1[these], pool))
            comps[these] = _nearest_in_level(before_total[these], pool, totals, allowed, k)
    enough = ready[(comps[ready] >= 0).sum(axis=1) >= MIN_COMPARISONS]
    estimates = dict(zip(enough.tolist(), _estimate(data, b0[enough], m0[enough], a0[enough],
                                                    m1[enough], own[enough], comps[enough]),
                         strict=True))
    found = []
    for i in range(n):
        est = estimates.get(i)
        if est is None and not reasons[i]:
            reasons[i] = (f"Fewer than {MIN_COMPARISONS} other "
                          f"{_type_plural(data.types[own[i]])} without an intervention had "
                          "incidents before it began, so there is nothing to compare with.")
        found.append(_Assessed(est, reasons[i], np.arange(b0[i], b0[i] + m0[i]),
                               np.arange(a0[i], a0[i] + m1[i]),
                               comps[i][comps[i] >= 0] if est else np.zeros(0, dtype=np.int64)))
    return found


def _bounds(data: _Inputs, rows: pd.DataFrame
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """_window_bounds of the interventions in these rows, over the months of the inputs."""
    zero = np.zeros(len(rows), dtype=np.int64)
    if not data.span:
        return zero, zero, zero, zero
    starts = pd.to_datetime(rows["started_on"]).to_numpy(dtype="datetime64[D]")
    ends = pd.to_datetime(rows["ended_on"]).to_numpy(dtype="datetime64[D]")
    month = starts.astype("datetime64[M]")
    end_month = np.where(np.isnat(ends), np.iinfo(np.int64).max,
                         ends.astype("datetime64[M]").astype(np.int64) + 1970 * 12)
    return _window_bounds(month.astype(np.int64) + 1970 * 12,
                          month.astype("datetime64[D]") == starts, end_month,
                          *(_month_number(m) for m in data.span))


def _estimate(data: _Inputs, first_before: np.ndarray, months_before: np.ndarray,
              first_after: np.ndarray, months_after: np.ndarray, places: np.ndarray,
              comps: np.ndarray) -> list[Estimate]:
    """did for each row: a place (column), its months before and after (first and how many)
    and its comparisons (n x k columns, -1: none)."""
    place_before, comp_before = _months_of(data, first_before, months_before, places, comps)
    place_after, comp_after = _months_of(data, first_after, months_after, places, comps)
    return _did_many(place_before, place_after, comp_before, comp_after)


def _months_of(data: _Inputs, first: np.ndarray, months: np.ndarray, places: np.ndarray,
               comps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monthly counts from each row's first month for its number of months: its own place's
    (n x WINDOW_MONTHS) and its comparisons' (n x WINDOW_MONTHS x k), NaN past its months
    (and where a comparison is missing, -1)."""
    span = np.arange(WINDOW_MONTHS)
    inside = span[None, :] < months[:, None]
    at = np.where(inside, first[:, None] + span[None, :], 0)
    values = data.values
    place = np.where(inside, values[at, places[:, None]], np.nan)
    comp = values[at[:, :, None], np.maximum(comps, 0)[:, None, :]]
    return place, np.where(inside[:, :, None] & (comps >= 0)[:, None, :], comp, np.nan)


def _treated_within(data: _Inputs, first: np.ndarray, end: np.ndarray, pool: np.ndarray
                    ) -> np.ndarray:
    """(n x pool) True where the pool's place had an intervention running at any time from
    each row's first month to the month before `end` (positions)."""
    treated = np.zeros((len(first), len(pool)), dtype=bool)
    where, starts, ends = data.running
    position = np.full(data.values.shape[1] + 1, -1)
    position[pool] = np.arange(len(pool))
    at = position[where]  # -1 for no known place (where == -1 reads the spare last slot)
    on, off = data.first_day(first), data.first_day(end) - 1
    row, entry = np.nonzero((at >= 0)[None, :] & (starts[None, :] <= off[:, None])
                            & (ends[None, :] >= on[:, None]))
    treated[row, at[entry]] = True
    return treated


def _impact(data: _Inputs, rows: pd.DataFrame, k: int, radius_m: int) -> Impact:
    """The Impact of the intervention in this one row, from the loaded inputs, with the chart's
    series, the comparison places and the placebo test."""
    row = rows.iloc[0]
    context_id = row["context_id"] if isinstance(row["context_id"], str) else None
    own = data.column.get(context_id) if context_id else None
    base = {"intervention_id": row["intervention_id"], "label": row["label"],
            "context_id": context_id, "context_name": row["context_name"],
            "context_type": data.types[own] if own is not None else None,
            "started_on": row["started_on"], "ended_on": row["ended_on"]}
    found = _assess(data, rows, k, radius_m)[0]
    months_before, months_after = data.months(found.before), data.months(found.after)
    if found.estimate is None:
        series = (_EMPTY_SERIES.copy() if own is None else
                  _series(data.counts[context_id], months_before, months_after, row, None, data))
        return Impact(**base, estimate=None, reason=found.reason,
                      comparisons=_EMPTY_COMPARISONS.copy(), series=series,
                      pre_trend_differs=False)
    comps = found.comparisons
    ids = data.counts.columns[comps].to_list()
    comparisons = pd.DataFrame({
        "context_id": ids, "name": data.contexts.loc[ids, "name"].to_list(),
        "ward_name": data.contexts.loc[ids, "ward_name"].to_list(),
        "before": data.values[np.ix_(found.before, comps)].mean(axis=0).tolist(),
        "after": data.values[np.ix_(found.after, comps)].mean(axis=0).tolist(),
    })
    place = data.counts[context_id]
    return Impact(**base, estimate=found.estimate, reason="", comparisons=comparisons,
                  series=_series(place, months_before, months_after, row, ids, data),
                  pre_trend_differs=_pre_trend_differs(data.counts, months_before, context_id,
                                                       ids))


def _positions(data: _Inputs, row: dict | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """window_positions of the intervention in this row, over the months of the inputs."""
    if not data.span:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return window_positions(row["started_on"], row["ended_on"], *data.span)


def _window_reason(start: date, ended: date | None, months_before: int, months_after: int
                   ) -> str:
    """Why the months around the start are too few to say anything ('' when they are enough)."""
    if months_before < MIN_MONTHS_BEFORE:
        return (f"There {'is' if months_before == 1 else 'are'} only {months_before} "
                f"month{'s' if months_before != 1 else ''} of data before it began on "
                f"{uk_date(start)}; we need at least {MIN_MONTHS_BEFORE} to know the usual level.")
    if months_after < MIN_MONTHS_AFTER:
        if ended is not None and not pd.isna(ended):
            return (f"It ran for fewer than {MIN_MONTHS_AFTER} full months of data "
                    f"({uk_date(start)} to {uk_date(ended)}): too short to say.")
        ready = add_months(start.replace(day=1),
                           MIN_MONTHS_AFTER - 1 + (0 if start.day == 1 else 1))
        return (f"Only {months_after} full month{'s' if months_after != 1 else ''} of data "
                f"since it began on {uk_date(start)}; we need at least {MIN_MONTHS_AFTER}. Look "
                f"again once the data reach the end of {uk_month(ready)}.")
    return ""


def _series(place: pd.Series, before: pd.DatetimeIndex, after: pd.DatetimeIndex, row: pd.Series,
            comps: list[str] | None, data: _Inputs) -> pd.DataFrame:
    """Month by month for the chart: the place, the comparisons' average and total, and the
    'without the intervention' line (the place's level before times the comparisons' change)."""
    if before.empty and after.empty:
        return pd.DataFrame(columns=["month", "period", "place", "comparison_mean",
                                     "comparison_total", "expected"])
    months = pd.date_range(before[0] if len(before) else after[0],
                           after[-1] if len(after) else before[-1], freq="MS")
    months = months[months.isin(data.counts.index)]
    out = pd.DataFrame({"month": months, "place": place.reindex(months).to_numpy()})
    out["period"] = np.where(out["month"].isin(before), "before",
                             np.where(out["month"].isin(after), "after", "start month"))
    if comps:
        comp = data.counts.loc[months, comps]
        out["comparison_mean"] = comp.mean(axis=1).to_numpy()
        out["comparison_total"] = comp.sum(axis=1).to_numpy()
        scale = place[before].mean() / comp.loc[before].mean(axis=1).mean()
        out["expected"] = out["comparison_mean"] * scale
    else:
        out["comparison_mean"] = out["comparison_total"] = out["expected"] = np.nan
    return out


def _pre_trend_differs(counts: pd.DataFrame, before: pd.DatetimeIndex, place: str,
                       comps: list[str]) -> bool:
    """A placebo test: split the months before in two; a 'clear change' between the halves means
    the place and its comparisons were already moving apart."""
    half = len(before) // 2
    if half < MIN_MONTHS_BEFORE // 2:
        return False
    first, second = before[:half], before[half:]
    est = did(counts.loc[first, place].to_numpy(), counts.loc[second, place].to_numpy(),
              counts.loc[first, comps].to_numpy(), counts.loc[second, comps].to_numpy())
    return est.verdict != UNCLEAR


def _log_changes(before_totals: np.ndarray, after_totals: np.ndarray, m0: int, m1: int,
                 phi: float) -> tuple[np.ndarray, np.ndarray]:
    """The log of (rate after / rate before) of each series and its variance (quasi-Poisson);
    CONTINUITY is added to both totals of a series when either is zero."""
    a, b = np.asarray(before_totals, float), np.asarray(after_totals, float)
    zero = (a == 0) | (b == 0)
    a, b = a + CONTINUITY * zero, b + CONTINUITY * zero
    return np.log((b / m1) / (a / m0)), phi * (1 / a + 1 / b)


def _between_places(d: np.ndarray, v: np.ndarray) -> np.ndarray:
    """DerSimonian-Laird tau squared: how much places' log changes vary beyond chance; one for
    each row of (n x k) arrays (NaN: no such place)."""
    w = 1 / v
    count = (~np.isnan(d)).sum(axis=1)
    total = np.nansum(w, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.nansum(w * d, axis=1) / total
        q = np.nansum(w * (d - mean[:, None]) ** 2, axis=1)
        c = total - np.nansum(w ** 2, axis=1) / total
        tau2 = np.where(c > 0, np.maximum(0.0, (q - (count - 1)) / c), 0.0)
    return np.where(count < 2, 0.0, tau2)


def _type_plural(context_type: str | None) -> str:
    """'park' -> 'parks or open spaces' for sentences; 'places' when unknown."""
    label = CONTEXT_LABELS.get(context_type or "", "")
    plurals = {"park": "parks or open spaces", "transport_hub": "transport hubs",
               "takeaway": "takeaways or food outlets", "shopping_centre": "shopping centres",
               "housing_estate": "housing estates", "school": "schools or colleges",
               "street": "streets", "residential": "residential addresses", "hotel": "hotels",
               "youth_venue": "youth or leisure venues", "peer_group": "peer groups",
               "online": "online platforms"}
    return plurals.get(context_type or "", "places" if not label else f"{label.lower()} places")
