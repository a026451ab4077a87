"""Statistical process control (XmR charts) exactly as NHSRplotthedots `ptd_spc` 0.2.2 does it.

Pure maths on an ordered series of (period, value): no SQL, no plotting. Reference:
nhs-r-community/NHSRplotthedots 0.2.2 (`R/ptd_spc_standard.R`, `R/ptd_calculate_point_type.R`,
`R/ptd_add_short_group_warnings.R`), with its default options (`screen_outliers = TRUE`, no
`fix_after_n_points`, no rebase) unless told otherwise. Point for point:

- Limits (per rebase group): the mean of the group's points (its first `fix_after_n_points`
  when set) ± 2.66 × the mean moving range; moving ranges of 3.267 × their mean or more are
  screened out first. "Close to the limits" is beyond mean ± 2 × 2.66 / 3 × the mean moving
  range but NOT outside the limits. Outside is strictly beyond a limit.
- Rules: a point outside the limits; a trend (7 points in a row each higher, or each lower, than
  the one before; a tie breaks it); 2 in 3 (a window of 3 consecutive points, at least 2 close to
  the limits and all 3 strictly on the same side of the mean: only its close points are
  flagged); a run (7 points in a row strictly on one side of the mean; a point on it breaks it).
- Each point takes the first rule that holds, in that order (outside, trend, 2 in 3, run). Its
  side is the side of the mean, except for a trend point, whose side is the trend's direction
  (the step to the next point when that point is in a trend too, else the step from the one
  before), so a rise that crosses the mean is a rise.
- A high side is a concern when higher is worse (`improvement_direction = "decrease"`), an
  improvement when higher is better.
- A rebase date (a change point) starts a new group with its own limits; rules never look across
  it. A group of fewer than 12 points gets the package's warning: its limits are trial limits.

Two things here are the app's, not the package's, and both only withhold a judgement: a series
averaging under `min_mean` events a period is not judged at all (a run chart around its median;
the package's limits on a mostly-zero series collapse onto the mean and flag every point), and
signals group the labelled points into sentences ("3 months above the upper limit since ...").

Example:
    >>> import pandas as pd
    >>> months = pd.date_range("2024-01-01", periods=20, freq="MS")
    >>> result = xmr([10] * 12 + [16, 17, 18, 19, 20, 21, 22, 23], months)
    >>> summary(result)
    '8 months above the upper limit since January 2025'
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from analytics.style.text import lower_initial, upper_initial

LIMIT_FACTOR = 2.66  # 3 / d2 (d2 = 1.128 for moving ranges of two points)
BAND_FACTOR = 2 * (LIMIT_FACTOR / 3)  # "close to the limits" (the package's limitclose)
RANGE_SCREEN_FACTOR = 3.267  # D4: moving ranges at or above 3.267 × their mean are screened out
SHORT_GROUP = 12  # ptd_add_short_group_warnings: limits from fewer points are trial limits
MIN_FIX_POINTS = 12  # ptd_spc_options: fix_after_n_points must be at least 12
RUN_LENGTH = 7  # points in a row on one side of the mean
TREND_LENGTH = 7  # points in a row each higher (or lower) than the one before
BAND_WINDOW, BAND_NEEDED = 3, 2  # 2 in 3 close to the limits, all 3 on one side
MERGE_GAP = 2  # limit and 2-in-3 points this few points apart are told as one signal
MERGED_RULES = frozenset({"beyond_limit", "two_of_three"})  # runs and trends are whole already
RECENT_POINTS = 3  # a signal ending this near the latest point is still "current"

DIRECTIONS = ("higher_is_worse", "higher_is_better")
CONCERN, IMPROVEMENT, COMMON = "concern", "improvement", "common cause"


@dataclass(frozen=True)
class Rule:
    """A special-cause rule: its code and how a reader is told it fired."""

    code: str
    label: str


# In the package's order of precedence: a point takes the first rule that holds.
RULES: tuple[Rule, ...] = (
    Rule("beyond_limit", "A point outside the process limits"),
    Rule("trend", f"{TREND_LENGTH} or more points in a row rising or falling"),
    Rule("two_of_three", f"{BAND_NEEDED} of {BAND_WINDOW} points close to a limit, all on one "
                         "side of the average"),
    Rule("run", f"{RUN_LENGTH} or more points in a row on one side of the average"),
)
RULE_LABELS = {r.code: r.label for r in RULES}
RULE_CODES = ("", *(r.code for r in RULES))  # a point's rule as a small integer: 0 is none


@dataclass(frozen=True)
class SpcOptions:
    """How a chart was made: direction of harm, rebase dates, fixed limits, screening.

    `change_points` are the package's `rebase` dates; `fix_after_n_points` its option of the
    same name (limits from each group's first n points, n at least 12); `min_mean` is the app's
    own rarity gate (see the module docstring), 0 by default.
    """

    direction: str = "higher_is_worse"
    change_points: tuple[date, ...] = ()
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    min_mean: float = 0.0

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, "
                             f"not {self.direction!r}")
        object.__setattr__(self, "change_points", tuple(sorted(set(self.change_points))))
        n = self.fix_after_n_points
        if n is not None and (not isinstance(n, int | np.integer) or n < MIN_FIX_POINTS):
            raise ValueError(f"The limits can be fixed after {MIN_FIX_POINTS} or more points "
                             f"(as NHSRplotthedots allows), not after {n}.")
        if self.min_mean < 0:
            raise ValueError("min_mean cannot be negative.")

    @property
    def improvement(self) -> int:
        """The package's improvement_direction as a sign: -1 'decrease', +1 'increase'."""
        return -1 if self.direction == "higher_is_worse" else 1

    def describe(self) -> str:
        """The settings in plain English, for a chart's caption (no closing full stop)."""
        parts = [f"Limits at the average ± {LIMIT_FACTOR} × the average change from one point "
                 "to the next, as NHSRplotthedots sets them"]
        if self.fix_after_n_points:
            parts.append(f"fixed after the first {self.fix_after_n_points} points")
        if self.change_points:
            parts.append("recalculated from " + ", ".join(_month(d) for d in self.change_points))
        harm = "higher is worse" if self.direction == "higher_is_worse" else "higher is better"
        return ", ".join(parts) + f"; {harm}"


@dataclass(frozen=True)
class Segment:
    """One rebase group, with its own centre line and limits."""

    start: pd.Timestamp
    end: pd.Timestamp
    kind: str  # "xmr", or "run" for a series too rare to judge
    points: int
    basis_points: int  # how many points set the limits (fix_after_n_points, or all)
    centre: float
    mean_moving_range: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Signal:
    """One special cause: which rule, which side, how many points, from when to when."""

    rule: str
    side: int  # +1 above / rising, -1 below / falling
    assessment: str  # CONCERN or IMPROVEMENT
    start: pd.Timestamp
    end: pd.Timestamp
    points: int
    current: bool  # ends within RECENT_POINTS of the latest point


@dataclass(frozen=True, eq=False)
class SpcResult:
    """Per-point values, limits and labels, with the options that made them."""

    options: SpcOptions
    columns: dict[str, np.ndarray] = field(repr=False)  # POINT_COLUMNS as arrays
    segments: tuple[Segment, ...]
    signals: tuple[Signal, ...]
    notes: tuple[str, ...]
    run_reason: str | None = None  # "rare" when the whole chart is a run chart

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row a point: POINT_COLUMNS (built on first use: judging hundreds of series in
        a signals table never needs the frame)."""
        return pd.DataFrame(self.columns)[POINT_COLUMNS]

    @property
    def kind(self) -> str:
        """'xmr' when any segment has limits, else 'run'."""
        return "xmr" if any(s.kind == "xmr" for s in self.segments) else "run"

    def latest_signal(self) -> Signal | None:
        """The signal that ended most recently (each point carries one rule, so two signals
        never end on the same point); on a tie after merging, the longer."""
        if not self.signals:
            return None
        return max(self.signals, key=lambda s: (s.end, s.points))


# ---- limits ----------------------------------------------------------------------------------

def moving_ranges(values: np.ndarray) -> np.ndarray:
    """|x[i] - x[i-1]|, with NaN for the first point."""
    out = np.full(len(values), np.nan)
    out[1:] = np.abs(np.diff(values))
    return out


def mean_moving_range(values: np.ndarray, screen_outliers: bool = True) -> float:
    """The mean moving range; with screening, ranges of 3.267 × the mean or more are left out.
    NaN when no range is left (one point, or every range screened out), as in the package."""
    return float(_mean_moving_ranges(np.asarray(values, dtype=float)[None, :],
                                     screen_outliers)[0])


def _mean_moving_ranges(y: np.ndarray, screen: bool) -> np.ndarray:
    """mean_moving_range of each row of y."""
    ranges = np.abs(np.diff(y, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = ranges.sum(axis=1) / ranges.shape[1] if ranges.shape[1] else np.full(len(y), np.nan)
        if screen:
            kept = ranges < RANGE_SCREEN_FACTOR * amr[:, None]
            count = kept.sum(axis=1)
            amr = np.where(count > 0, np.where(kept, ranges, 0.0).sum(axis=1) / count, np.nan)
    return amr


def limits(basis: np.ndarray, screen_outliers: bool = True) -> tuple[float, float, float, float]:
    """(mean, mean moving range, lower limit, upper limit) from the points that set the limits."""
    mean = float(np.mean(basis))
    amr = mean_moving_range(basis, screen_outliers)
    return mean, amr, mean - LIMIT_FACTOR * amr, mean + LIMIT_FACTOR * amr


# ---- the rules (one function each, on a matrix of series: one row a series) -------------------

def outside_limits(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Points strictly above the upper or below the lower limit (none where limits are NaN)."""
    return (y > upper[:, None]) | (y < lower[:, None])


def close_to_limits(y: np.ndarray, outside: np.ndarray, lower_band: np.ndarray,
                    upper_band: np.ndarray) -> np.ndarray:
    """Points beyond the two-sigma line but not outside the limits."""
    return ~outside & ((y < lower_band[:, None]) | (y > upper_band[:, None]))


def part_of_trend(y: np.ndarray, length: int = TREND_LENGTH) -> np.ndarray:
    """Points in a stretch of `length` or more, each higher (or each lower) than the one before;
    a tie ends a stretch."""
    m, n = y.shape
    ends = np.zeros((m, n), dtype=bool)
    if n >= length:
        steps = sliding_window_view(np.sign(np.diff(y, axis=1)), length - 1, axis=1)
        ends[:, length - 1:] = (steps == 1).all(axis=2) | (steps == -1).all(axis=2)
    return _reaching_back(ends, length)


def trend_direction(y: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """Each trend point's direction: the step to the next point when that one is in a trend too,
    else the step from the point before (+1 rising, -1 otherwise, as the package reads it)."""
    m, n = y.shape
    steps = np.sign(np.diff(y, axis=1))
    before = np.zeros((m, n))
    before[:, 1:] = steps
    after = before.copy()
    after[:, :-1] = np.where(trend[:, 1:] & trend[:, :-1], steps, before[:, :-1])
    return np.where(after == 1, 1, -1).astype(np.int8)


def two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Close points in a window of three with at least two close and all three strictly on one
    side of the mean."""
    m, n = close.shape
    hit = np.zeros((m, n), dtype=bool)
    if n >= BAND_WINDOW:
        c = sliding_window_view(close, BAND_WINDOW, axis=1).sum(axis=2)
        s = sliding_window_view(side, BAND_WINDOW, axis=1).sum(axis=2)
        windows = (c >= BAND_NEEDED) & (np.abs(s) == BAND_WINDOW)  # window starting at j
        for offset in range(BAND_WINDOW):  # point j + offset sits in the window starting at j
            hit[:, offset:offset + windows.shape[1]] |= windows
    return hit & close


def part_of_run(side: np.ndarray, length: int = RUN_LENGTH) -> np.ndarray:
    """Points in `length` or more in a row strictly on one side of the mean."""
    m, n = side.shape
    ends = np.zeros((m, n), dtype=bool)
    if n >= length:
        w = sliding_window_view(side, length, axis=1)
        ends[:, length - 1:] = (w == w[:, :, :1]).all(axis=2) & (w[:, :, 0] != 0)
    return _reaching_back(ends, length)


def _reaching_back(ends: np.ndarray, length: int) -> np.ndarray:
    """Every point within `length` - 1 points before a flagged end (the package's part_of)."""
    m, n = ends.shape
    counts = np.zeros((m, n + 1), dtype=np.int32)
    np.cumsum(ends, axis=1, out=counts[:, 1:])
    upto = np.minimum(np.arange(n) + length, n)
    return (counts[:, upto] - counts[:, :n]) > 0


@dataclass(frozen=True)
class _Judged:
    """One group of series judged: limits (one per row) and, per point, the rule and side."""

    centre: np.ndarray
    amr: np.ndarray
    rule: np.ndarray  # index into RULE_CODES
    side: np.ndarray
    trend: np.ndarray  # raw rule membership, for telling a signal's whole stretch
    trend_side: np.ndarray
    run: np.ndarray
    mean_side: np.ndarray

    @property
    def lower(self) -> np.ndarray:
        return self.centre - LIMIT_FACTOR * self.amr

    @property
    def upper(self) -> np.ndarray:
        return self.centre + LIMIT_FACTOR * self.amr


def judge_group(y: np.ndarray, fix_after_n_points: int | None = None,
                screen_outliers: bool = True) -> _Judged:
    """Limits and each point's rule for every row of y (one rebase group of each series)."""
    m, n = y.shape
    k = n if fix_after_n_points is None else min(fix_after_n_points, n)
    basis = y[:, :k]
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = basis.sum(axis=1) / k if k else np.full(m, np.nan)
    amr = _mean_moving_ranges(basis, screen_outliers)
    outside = outside_limits(y, centre - LIMIT_FACTOR * amr, centre + LIMIT_FACTOR * amr)
    close = close_to_limits(y, outside, centre - BAND_FACTOR * amr, centre + BAND_FACTOR * amr)
    mean_side = np.sign(y - centre[:, None]).astype(np.int8)
    trend = part_of_trend(y)
    trend_side = trend_direction(y, trend)
    band = two_in_three(close, mean_side)
    run = part_of_run(mean_side)
    high = np.where(mean_side > 0, 1, -1).astype(np.int8)
    rule = np.select([outside, trend, band, run], [1, 2, 3, 4], 0).astype(np.int8)
    side = np.select([outside, trend, band | run], [np.where(mean_side == 1, 1, -1), trend_side,
                                                    high], 0).astype(np.int8)
    return _Judged(centre, amr, rule, side, trend, trend_side, run, mean_side)


# ---- the whole chart -------------------------------------------------------------------------

POINT_COLUMNS = ["period", "value", "segment", "kind", "centre", "lower", "upper", "lower_band",
                 "upper_band", "moving_range", "fixed", "rule", "side", "point_type"]


def validate(options: SpcOptions, periods: pd.DatetimeIndex) -> list[str]:
    """Check the options against the series once; raise on impossible ones, return warnings."""
    if len(periods) and not periods.is_monotonic_increasing:
        raise ValueError("The periods must be in time order.")
    if periods.has_duplicates:
        raise ValueError("Each period may appear only once.")
    if len(periods):
        first, last = periods[0], periods[-1]
        for cp in options.change_points:
            if not first < pd.Timestamp(cp) <= last:
                raise ValueError(f"The change point ({_month(cp)}) must fall after the first "
                                 f"period ({_month(first)}) and no later than the last "
                                 f"({_month(last)}).")
    return []


def point_types(side: np.ndarray, direction: str) -> np.ndarray:
    """concern, improvement or common cause for each point's side (0 is common cause)."""
    worse = -SpcOptions(direction=direction).improvement
    return np.where(side == 0, COMMON, np.where(side == worse, CONCERN, IMPROVEMENT))


def _groups(periods: pd.DatetimeIndex, options: SpcOptions) -> np.ndarray:
    """Each period's rebase group: 0 before the first change point, 1 from it, ..."""
    cps = np.array([pd.Timestamp(d) for d in options.change_points], dtype="datetime64[ns]")
    return np.searchsorted(cps, periods.values, side="right")


def xmr(values: Sequence[float], periods: Sequence, options: SpcOptions | None = None) -> SpcResult:
    """An XmR chart of `values` over `periods`, labelled point for point as ptd_spc does."""
    options = options or SpcOptions()
    periods = _index(periods)
    y = np.asarray(values, dtype=float)
    if len(y) != len(periods):
        raise ValueError("values and periods must be the same length")
    if np.isnan(y).any():
        raise ValueError("The series has gaps: fill periods with no events with zero first.")
    notes = validate(options, periods)
    n = len(y)
    group = _groups(periods, options) if n else np.zeros(0, dtype=int)
    cols = {name: np.full(n, np.nan) for name in ("centre", "lower", "upper", "lower_band",
                                                  "upper_band")}
    cols["moving_range"] = np.full(n, np.nan)
    kinds = np.full(n, "xmr", dtype=object)
    rule = np.zeros(n, dtype=np.int8)
    side = np.zeros(n, dtype=np.int8)
    fixed = np.zeros(n, dtype=bool)
    rare = bool(n) and options.min_mean > 0 and float(y.mean()) < options.min_mean
    segments: list[Segment] = []
    signals: list[Signal] = []
    for g in np.unique(group):
        idx = np.flatnonzero(group == g)
        seg = y[idx]
        cols["moving_range"][idx] = moving_ranges(seg)
        start, end = periods[idx[0]], periods[idx[-1]]
        basis = len(idx) if options.fix_after_n_points is None else min(
            options.fix_after_n_points, len(idx))
        fixed[idx[:basis]] = options.fix_after_n_points is not None
        if rare:
            centre = float(np.median(seg))
            cols["centre"][idx] = centre
            kinds[idx] = "run"
            segments.append(Segment(start, end, "run", len(idx), len(idx), centre, np.nan,
                                    np.nan, np.nan))
            continue
        j = judge_group(seg[None, :], options.fix_after_n_points, options.screen_outliers)
        centre, amr = float(j.centre[0]), float(j.amr[0])
        cols["centre"][idx] = centre
        cols["lower"][idx], cols["upper"][idx] = j.lower[0], j.upper[0]
        cols["lower_band"][idx] = centre - BAND_FACTOR * amr
        cols["upper_band"][idx] = centre + BAND_FACTOR * amr
        rule[idx], side[idx] = j.rule[0], j.side[0]
        signals += _signals(j, 0, periods[idx], n - 1 - idx[-1], options.direction)
        if len(idx) < SHORT_GROUP:
            notes.append(f"The limits from {_month(start)} rest on {len(idx)} points: fewer than "
                         f"{SHORT_GROUP}, so they are trial limits, to be revised as points are "
                         "added (NHSRplotthedots warns the same).")
        segments.append(Segment(start, end, "xmr", len(idx), basis, centre, amr,
                                float(j.lower[0]), float(j.upper[0])))
    if rare:
        notes.insert(0, f"The values average less than {options.min_mean:g}: too rare for "
                        "limits, so this is a run chart around the median and no change is "
                        "called a signal.")
    columns = {"period": periods, "value": y, "segment": group, "kind": kinds, **cols,
               "fixed": fixed, "rule": np.array(RULE_CODES, dtype=object)[rule],
               "side": side, "point_type": point_types(side, options.direction)}
    found = tuple(sorted(signals, key=lambda s: (s.start, s.rule)))
    return SpcResult(options, columns, tuple(segments), found, tuple(notes),
                     "rare" if rare else None)


def _signals(j: _Judged, row: int, periods: pd.DatetimeIndex, after: int,
             direction: str) -> list[Signal]:
    """The labelled points of one row of one group, told as signals: consecutive points of one
    rule and side (for limits and 2 in 3, up to MERGE_GAP apart); a trend or run is told from
    where its stretch began. `after` is how many points of the series follow the group."""
    out, i = [], j.rule.shape[1] - 1
    while i >= 0:
        if j.rule[row, i] == 0:
            i -= 1
            continue
        signal, i = _signal_ending(j, row, i, periods, after, direction)
        if not any(o.rule == signal.rule and o.side == signal.side and o.start <= signal.start
                   for o in out):  # a stretch a stronger rule cut in two is told once
            out.append(signal)
    return out


def _signal_ending(j: _Judged, row: int, end: int, periods: Sequence[pd.Timestamp],
                   after: int, direction: str) -> tuple[Signal, int]:
    """The signal whose last labelled point is `end`, and the point to look at next."""
    code, side = int(j.rule[row, end]), int(j.side[row, end])
    rule = RULE_CODES[code]
    gap = MERGE_GAP + 1 if rule in MERGED_RULES else 1
    first, points, i = end, 1, end - 1
    while i >= 0 and first - i <= gap:
        if j.rule[row, i] == code and j.side[row, i] == side:
            first, points = i, points + 1
        elif gap == 1:
            break
        i -= 1
    resume = first - 1
    if rule in ("trend", "run"):  # told from where it began, even points a stronger rule took
        member, sides = ((j.trend, j.trend_side) if rule == "trend" else (j.run, j.mean_side))
        while first > 0 and member[row, first - 1] and sides[row, first - 1] == side:
            first -= 1
        points = end - first + 1
    worse = -SpcOptions(direction=direction).improvement
    n_left = j.rule.shape[1] - 1 - end + after
    return Signal(rule=rule, side=side, assessment=CONCERN if side == worse else IMPROVEMENT,
                  start=periods[first], end=periods[end], points=points,
                  current=n_left < RECENT_POINTS), resume


# ---- many series at once ---------------------------------------------------------------------

def latest_signals(values: np.ndarray, periods: Sequence,
                   options: SpcOptions | None = None) -> list[Signal | None]:
    """The latest signal of each row of a (series x periods) matrix of counts, or None.

    The same answer as `[xmr(row, periods, options).latest_signal() for row in values]`, from
    the same rule functions run on every row at once: a signals table judges thousands of
    places, and one xmr call each cost seconds in all.
    """
    options = options or SpcOptions()
    periods = _index(periods)
    y = np.asarray(values, dtype=float)
    if y.ndim != 2 or y.shape[1] != len(periods):
        raise ValueError("values must be a matrix with one column per period")
    if np.isnan(y).any():
        raise ValueError("The series has gaps: fill periods with no events with zero first.")
    validate(options, periods)
    m, n = y.shape
    found: list[Signal | None] = [None] * m
    if m == 0 or n == 0:
        return found
    judged = (y.mean(axis=1) >= options.min_mean) | (options.min_mean <= 0)  # rarer series are run charts: never a signal
    group = _groups(periods, options)
    for g in np.unique(group)[::-1]:  # the latest group first: its signals end latest
        idx = np.flatnonzero(group == g)
        rows = np.flatnonzero(judged & np.array([f is None for f in found]))
        if not len(rows):
            break
        j = judge_group(y[np.ix_(rows, idx)], options.fix_after_n_points,
                        options.screen_outliers)
        labelled = j.rule != 0
        last = np.where(labelled.any(axis=1), len(idx) - 1 - np.argmax(labelled[:, ::-1], axis=1),
                        -1)
        stamps = list(periods[idx])  # a list: indexing a DatetimeIndex costs 20 µs a time
        for r in np.flatnonzero(last >= 0):
            found[rows[r]] = _signal_ending(j, r, int(last[r]), stamps, n - 1 - idx[-1],
                                            options.direction)[0]
    return found


def _index(periods: Sequence) -> pd.DatetimeIndex:
    if isinstance(periods, pd.DatetimeIndex):
        return periods
    return pd.DatetimeIndex(pd.to_datetime(list(periods)))


# ---- words ---------------------------------------------------------------------------------

def describe(signal: Signal, unit: str = "month", *, since: bool = True) -> str:
    """One signal in plain English: 'Rising for 8 months in a row, since March 2026' (without
    the 'since' clause when a table shows it in a column of its own)."""
    n, units = signal.points, _plural(unit, signal.points)
    up = signal.side > 0
    tail = f" since {_when(signal.start, unit)}" if since else ""
    if signal.rule == "beyond_limit":
        where = "above the upper limit" if up else "below the lower limit"
        if n == 1:
            return f"{upper_initial(_when(signal.start, unit))} was {where}"
        return f"{n} {units} {where}{tail}"
    comma_tail = f",{tail}" if since else ""
    if signal.rule == "run":
        return f"{'Above' if up else 'Below'} the average for {n} {units} in a row{comma_tail}"
    if signal.rule == "trend":
        return f"{'Rising' if up else 'Falling'} for {n} {units} in a row{comma_tail}"
    where = "upper" if up else "lower"
    return f"{n} {units} close to the {where} limit{tail}"


def summary(result: SpcResult, unit: str = "month") -> str:
    """The series in one plain sentence: its latest signal, or why there is none."""
    n = len(result.columns["value"])
    if n == 0:
        return "No data in this period"
    if result.run_reason == "rare":
        return (f"Too rare to tell a real change from noise (on average under "
                f"{result.options.min_mean:g} a {unit})")
    latest = result.latest_signal()
    if latest is None:
        return "No sign of real change: the ups and downs are within the expected range"
    if not latest.current:
        return (f"No sign of real change in the latest {RECENT_POINTS} {_plural(unit, 2)} "
                f"(earlier: {lower_first(describe(latest, unit))})")
    return describe(latest, unit)


def headline(subject: str, result: SpcResult, unit: str = "month") -> str:
    """A chart title stating the finding: 'Criminal exploitation in Millbrook: rising for 8 ...'."""
    return f"{subject}: {lower_first(summary(result, unit))}"


def _stretches(arr: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal values: (first index, last index, value)."""
    if not len(arr):
        return []
    starts = np.flatnonzero(np.r_[True, arr[1:] != arr[:-1]])
    ends = np.r_[starts[1:] - 1, len(arr) - 1]
    return [(int(a), int(b), int(arr[a])) for a, b in zip(starts, ends, strict=True)]


def _month(d) -> str:
    d = pd.Timestamp(d)
    return f"{calendar.month_name[d.month]} {d.year}"


def _when(d, unit: str) -> str:
    """'March 2026' for months; 'the week of 2 March 2026' for weeks."""
    d = pd.Timestamp(d)
    if unit == "week":
        return f"the week of {d.day} {calendar.month_name[d.month]} {d.year}"
    return _month(d)


def _plural(unit: str, n: int) -> str:
    return unit if n == 1 else unit + "s"


def lower_first(text: str) -> str:
    """Lower-case the first letter, unless it starts a month name or a number."""
    first = text.split(" ", 1)[0]
    if first in calendar.month_name or first[:1].isdigit():
        return text
    return lower_initial(text)
