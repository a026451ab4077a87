"""Statistical process control (XmR charts) on one series, in the style of NHS "Making Data Count".

Pure maths on an ordered series of (period, value): no SQL, no plotting. The steps follow
NHSRplotthedots' `ptd_spc`: validate the options once, compute limits per segment, apply each
special-cause rule (one function per rule, named for it), label every point as concern,
improvement or common cause from the rule hits and the measure's direction, warn on short
baselines, and return the options with the result so every chart can state its settings.

Conventions (the ones boards see in NHS SPC charts):
- Limits are mean ± 2.66 × the mean moving range (never ± 3 standard deviations); the
  two-sigma band is two thirds of that distance. Moving ranges of 3.267 × their mean or more are
  screened out before the limits are set (the upper range limit), unless switched off.
- A run is 7 or more consecutive points on the same side of the mean; a point exactly on the
  mean breaks a run.
- A trend is 7 or more consecutive points each higher (or each lower) than the one before; two
  equal points in a row break a trend (a tie is neither a rise nor a fall).
- 2 of 3: two of any three consecutive points beyond the two-sigma band on the same side.
- Fewer than 15 points: a run chart (the median, no limits, no rules), with a note.
- Limits come from the baseline points where a baseline is chosen, and are recalculated at each
  change point; rules never look across a change point.

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

LIMIT_FACTOR = 2.66  # 3 / d2 (d2 = 1.128 for moving ranges of two points)
BAND_FACTOR = LIMIT_FACTOR * 2 / 3  # the two-sigma band
RANGE_SCREEN_FACTOR = 3.267  # D4: moving ranges at or above 3.267 × their mean are outliers
MIN_POINTS = 15  # fewer points than this: a run chart, not limits
MIN_BASELINE_POINTS = 12  # limits from fewer points than this are provisional
RUN_LENGTH = 7  # points in a row on one side of the mean
TREND_LENGTH = 7  # points in a row each higher (or lower) than the one before
BAND_WINDOW, BAND_NEEDED = 3, 2  # 2 of 3 beyond the two-sigma band, same side
MERGE_GAP = 2  # limit and 2-of-3 hits this few points apart are told as one signal
MERGED_RULES = frozenset({"beyond_limit", "two_of_three"})  # runs and trends are whole already
RECENT_POINTS = 3  # a signal ending this near the latest point is still "current"

DIRECTIONS = ("higher_is_worse", "higher_is_better")
CONCERN, IMPROVEMENT, COMMON = "concern", "improvement", "common cause"


@dataclass(frozen=True)
class Rule:
    """A special-cause rule: its code and how a reader is told it fired."""

    code: str
    label: str


# In order of precedence (strongest evidence first): it decides a point's side when two rules
# disagree, and which of two signals ending together a summary tells.
RULES: tuple[Rule, ...] = (
    Rule("beyond_limit", "A point beyond a limit"),
    Rule("run", f"{RUN_LENGTH} or more points in a row on one side of the average"),
    Rule("trend", f"{TREND_LENGTH} or more points in a row rising or falling"),
    Rule("two_of_three", f"{BAND_NEEDED} of {BAND_WINDOW} points close to a limit"),
)
RULE_LABELS = {r.code: r.label for r in RULES}


@dataclass(frozen=True)
class SpcOptions:
    """How a chart was made: direction of harm, baseline, change points, screening, minima."""

    direction: str = "higher_is_worse"
    baseline: tuple[date, date] | None = None
    change_points: tuple[date, ...] = ()
    screen_outliers: bool = True
    min_points: int = MIN_POINTS
    min_mean: float = 0.0  # series averaging less than this are too rare for limits

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, "
                             f"not {self.direction!r}")
        if self.baseline is not None:
            start, end = self.baseline
            if start > end:
                raise ValueError(f"The baseline starts ({_month(start)}) after it ends "
                                 f"({_month(end)}).")
        object.__setattr__(self, "change_points", tuple(sorted(set(self.change_points))))
        if self.min_points < 2:
            raise ValueError("Limits need at least 2 points (one moving range).")
        if self.min_mean < 0:
            raise ValueError("min_mean cannot be negative.")

    def describe(self) -> str:
        """The settings in plain English, for a chart's caption (no closing full stop)."""
        parts = [f"Limits at the average ± {LIMIT_FACTOR} × the average change from one point "
                 "to the next"]
        if self.baseline:
            parts.append(f"set from {_month(self.baseline[0])} to {_month(self.baseline[1])}")
        if self.change_points:
            parts.append("recalculated from " + ", ".join(_month(d) for d in self.change_points))
        harm = "higher is worse" if self.direction == "higher_is_worse" else "higher is better"
        return ", ".join(parts) + f"; {harm}"


@dataclass(frozen=True)
class Segment:
    """One stretch between change points, with its own centre line and limits."""

    start: pd.Timestamp
    end: pd.Timestamp
    kind: str  # "xmr" or "run"
    points: int
    basis_points: int  # how many points set the limits (the baseline's, or all)
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
    """Per-point values, limits, rule hits and labels, with the options that made them."""

    options: SpcOptions
    columns: dict[str, np.ndarray] = field(repr=False)  # POINT_COLUMNS as arrays
    segments: tuple[Segment, ...]
    signals: tuple[Signal, ...]
    notes: tuple[str, ...]
    run_reason: str | None = None  # "short" or "rare" when the whole chart is a run chart

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
        """The signal that ended most recently; on a tie, the first in RULES, then the longest."""
        if not self.signals:
            return None
        order = {r.code: i for i, r in enumerate(RULES)}
        return max(self.signals, key=lambda s: (s.end, -order[s.rule], s.points))


# ---- validation ----------------------------------------------------------------------------

def validate(options: SpcOptions, periods: pd.DatetimeIndex) -> list[str]:
    """Check the options against the series once; raise on impossible ones, return warnings."""
    if len(periods) and not periods.is_monotonic_increasing:
        raise ValueError("The periods must be in time order.")
    if periods.has_duplicates:
        raise ValueError("Each period may appear only once.")
    notes: list[str] = []
    if not len(periods):
        return notes
    first, last = periods[0], periods[-1]
    for cp in options.change_points:
        ts = pd.Timestamp(cp)
        if ts <= first or ts > last:
            raise ValueError(f"The change point ({_month(cp)}) must fall after the first period "
                             f"({_month(first)}) and no later than the last ({_month(last)}).")
    if options.baseline:
        start, end = (pd.Timestamp(d) for d in options.baseline)
        inside = int(((periods >= start) & (periods <= end)).sum())
        if inside < 2:
            raise ValueError(f"The baseline ({_month(start)} to {_month(end)}) holds {inside} "
                             "point(s); limits need at least 2.")
    return notes


# ---- limits --------------------------------------------------------------------------------

def moving_ranges(values: np.ndarray) -> np.ndarray:
    """|x[i] - x[i-1]|, with NaN for the first point."""
    out = np.full(len(values), np.nan)
    out[1:] = np.abs(np.diff(values))
    return out


def mean_moving_range(values: np.ndarray, screen_outliers: bool = True) -> float:
    """The average moving range; with screening, ranges of 3.267 × the average or more go."""
    ranges = moving_ranges(values)[1:]
    if not len(ranges):
        return float("nan")
    amr = float(ranges.mean())
    if screen_outliers and amr > 0:
        kept = ranges[ranges < RANGE_SCREEN_FACTOR * amr]
        # When most ranges are zero every other one looks like an outlier; screening them all
        # would set the limits on the mean itself, so keep the unscreened average then.
        screened = float(kept.mean()) if len(kept) else 0.0
        amr = screened if screened > 0 else amr
    return amr


def limits(basis: np.ndarray, screen_outliers: bool = True) -> tuple[float, float, float, float]:
    """(mean, mean moving range, lower limit, upper limit) from the points that set the limits."""
    mean = float(basis.mean())
    amr = mean_moving_range(basis, screen_outliers)
    return mean, amr, mean - LIMIT_FACTOR * amr, mean + LIMIT_FACTOR * amr


# ---- the special-cause rules (one function each; +1 above/rising, -1 below/falling, 0 none) --

def point_beyond_limit(values: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Points strictly above the upper limit (+1) or below the lower limit (-1)."""
    return np.where(values > upper, 1, np.where(values < lower, -1, 0)).astype(np.int8)


def run_on_one_side(values: np.ndarray, centre: float, length: int = RUN_LENGTH) -> np.ndarray:
    """Points in a run of `length` or more on one side of the centre; a point on it breaks a run."""
    side = np.sign(values - centre)
    side = np.where(np.isnan(side), 0, side).astype(np.int8)
    out = np.zeros(len(values), dtype=np.int8)
    for start, end, value in _stretches(side):
        if value != 0 and end - start + 1 >= length:
            out[start:end + 1] = value
    return out


def trend_rising_or_falling(values: np.ndarray, length: int = TREND_LENGTH) -> np.ndarray:
    """Points in a stretch of `length` or more, each higher (or lower) than the one before.

    A tie (the same value twice) is neither a rise nor a fall, so it ends the trend.
    """
    out = np.zeros(len(values), dtype=np.int8)
    if len(values) < 2:
        return out
    steps = np.sign(np.diff(values)).astype(np.int8)
    for start, end, value in _stretches(steps):
        # steps start..end join points start..end+1
        if value != 0 and end - start + 2 >= length:
            out[start:end + 2] = value
    return out


def two_of_three_beyond_band(values: np.ndarray, lower_band: float, upper_band: float,
                             window: int = BAND_WINDOW, needed: int = BAND_NEEDED) -> np.ndarray:
    """Points that, with another of any three in a row, lie beyond the two-sigma band (same side)."""
    out = np.zeros(len(values), dtype=np.int8)
    if len(values) < window:
        return out
    kernel = np.ones(window, dtype=int)
    for side, beyond in ((1, values > upper_band), (-1, values < lower_band)):
        # windows (starting at i) holding enough points beyond the band on this side ...
        full = (np.convolve(beyond.astype(int), kernel, mode="valid") >= needed).astype(int)
        # ... and the points that sit in at least one of them and are beyond themselves
        covered = np.convolve(full, kernel, mode="full")[:len(values)] > 0
        out[beyond & covered] = side
    return out


def label_points(hits: dict[str, np.ndarray], direction: str) -> tuple[np.ndarray, np.ndarray]:
    """(side, label) per point from the rule hits: the first rule in RULES with a hit decides the
    side; a high side is a concern when higher is worse, an improvement when higher is better."""
    n = len(next(iter(hits.values()))) if hits else 0
    side = np.zeros(n, dtype=np.int8)
    for rule in reversed(RULES):  # earlier rules overwrite later ones: precedence
        h = hits[rule.code]
        side = np.where(h != 0, h, side).astype(np.int8)
    worse = 1 if direction == "higher_is_worse" else -1
    label = np.where(side == 0, COMMON, np.where(side == worse, CONCERN, IMPROVEMENT))
    return side, label


# ---- the whole chart -----------------------------------------------------------------------

POINT_COLUMNS = ["period", "value", "segment", "kind", "centre", "lower", "upper", "lower_band",
                 "upper_band", "moving_range", "in_baseline", *[r.code for r in RULES], "side",
                 "point_type"]


def xmr(values: Sequence[float], periods: Sequence, options: SpcOptions | None = None) -> SpcResult:
    """An XmR chart (or a run chart when there are too few points) of `values` over `periods`.

    Each segment between change points gets its own centre line and limits, set from the
    segment's baseline points when a baseline overlaps it, else from all its points.
    """
    options = options or SpcOptions()
    if not isinstance(periods, pd.DatetimeIndex):
        periods = pd.DatetimeIndex(pd.to_datetime(list(periods)))
    y = np.asarray(values, dtype=float)
    if len(y) != len(periods):
        raise ValueError("values and periods must be the same length")
    if np.isnan(y).any():
        raise ValueError("The series has gaps: fill periods with no events with zero first.")
    notes = validate(options, periods)
    n = len(y)
    seg_id = np.searchsorted(np.array([pd.Timestamp(d) for d in options.change_points],
                                      dtype="datetime64[ns]"),
                             periods.values, side="right") if n else np.zeros(0, dtype=int)
    in_base = np.ones(n, dtype=bool)
    if options.baseline:
        b0, b1 = (pd.Timestamp(d) for d in options.baseline)
        in_base = np.asarray((periods >= b0) & (periods <= b1))
    cols = {name: np.full(n, np.nan) for name in ("centre", "lower", "upper", "lower_band",
                                                  "upper_band", "moving_range")}
    kinds = np.full(n, "run", dtype=object)
    hits = {r.code: np.zeros(n, dtype=np.int8) for r in RULES}
    segments: list[Segment] = []
    too_short = n < options.min_points
    too_rare = bool(n) and not too_short and float(y.mean()) < options.min_mean
    run_only = too_short or too_rare
    for s in np.unique(seg_id):
        idx = np.flatnonzero(seg_id == s)
        seg = y[idx]
        cols["moving_range"][idx] = moving_ranges(seg)
        basis_mask = in_base[idx] if options.baseline and in_base[idx].sum() >= 2 else np.ones(
            len(idx), dtype=bool)
        basis = seg[basis_mask]
        start, end = periods[idx[0]], periods[idx[-1]]
        if run_only or len(idx) < options.min_points:
            centre = float(np.median(seg))
            cols["centre"][idx] = centre
            segments.append(Segment(start, end, "run", len(idx), len(idx), centre, float("nan"),
                                    float("nan"), float("nan")))
            if not run_only:
                notes.append(f"From {_month(start)} there are only {len(idx)} points: too few "
                             f"for limits (at least {options.min_points}), so that part is a "
                             "run chart.")
            continue
        mean, amr, lower, upper = limits(basis, options.screen_outliers)
        band = BAND_FACTOR * amr
        cols["centre"][idx], cols["lower"][idx], cols["upper"][idx] = mean, lower, upper
        cols["lower_band"][idx], cols["upper_band"][idx] = mean - band, mean + band
        kinds[idx] = "xmr"
        hits["beyond_limit"][idx] = point_beyond_limit(seg, lower, upper)
        hits["run"][idx] = run_on_one_side(seg, mean)
        hits["trend"][idx] = trend_rising_or_falling(seg)
        hits["two_of_three"][idx] = two_of_three_beyond_band(seg, mean - band, mean + band)
        if len(basis) < MIN_BASELINE_POINTS:
            notes.append(f"The limits from {_month(start)} rest on {len(basis)} points; with "
                         f"fewer than {MIN_BASELINE_POINTS} treat them as provisional.")
        segments.append(Segment(start, end, "xmr", len(idx), len(basis), mean, amr, lower, upper))
    if too_short:
        notes.insert(0, f"Only {n} points: too few to set limits (at least {options.min_points} "
                        "are needed), so this is a run chart around the median and no change "
                        "is called a signal.")
    elif too_rare:
        notes.insert(0, f"The values average less than {options.min_mean:g}: too rare for "
                        "limits, so this is a run chart around the median and no change is "
                        "called a signal.")
    side, label = label_points(hits, options.direction)
    columns = {"period": periods, "value": y, "segment": seg_id, "kind": kinds, **cols,
               "in_baseline": in_base if options.baseline else np.zeros(n, dtype=bool),
               **hits, "side": side, "point_type": label}
    signals = find_signals(hits, seg_id, periods, options.direction)
    reason = "short" if too_short else "rare" if too_rare else None
    return SpcResult(options, columns, tuple(segments), signals, tuple(notes), reason)


def find_signals(hits: dict[str, np.ndarray], seg: np.ndarray, periods: pd.DatetimeIndex,
                 direction: str) -> tuple[Signal, ...]:
    """Group each rule's hits into signals: consecutive hits of one rule, side and segment (for
    limits and 2 of 3, hits up to MERGE_GAP points apart too)."""
    worse = 1 if direction == "higher_is_worse" else -1
    n = len(seg)
    found: list[Signal] = []
    for rule in RULES:
        h = hits[rule.code]
        if not h.any():
            continue
        for side in (1, -1):
            where = np.flatnonzero(h == side)
            gap = MERGE_GAP + 1 if rule.code in MERGED_RULES else 1
            groups: list[list[int]] = []
            for i in where:
                if groups and i - groups[-1][-1] <= gap and seg[i] == seg[groups[-1][-1]]:
                    groups[-1].append(int(i))
                else:
                    groups.append([int(i)])
            for g in groups:
                found.append(Signal(
                    rule=rule.code, side=side,
                    assessment=CONCERN if side == worse else IMPROVEMENT,
                    start=periods[g[0]], end=periods[g[-1]],
                    points=len(g), current=g[-1] >= n - RECENT_POINTS,
                ))
    return tuple(sorted(found, key=lambda s: (s.start, s.rule)))


# ---- many series at once -------------------------------------------------------------------

def latest_signals(values: np.ndarray, periods: Sequence,
                   options: SpcOptions | None = None) -> list[Signal | None]:
    """The latest signal of each row of a (series x periods) matrix of counts, or None.

    The same answer as `[xmr(row, periods, options).latest_signal() for row in values]`, worked
    out for every row at once: a signals table judges thousands of places, and one xmr call
    each cost 0.3 ms of Python, seconds in all. With a baseline or change points (per-segment
    limits), it makes exactly those calls. Limits are compared exactly as xmr compares them for
    whole-number counts, which is what signals are judged on.
    """
    options = options or SpcOptions()
    if not isinstance(periods, pd.DatetimeIndex):
        periods = pd.DatetimeIndex(pd.to_datetime(list(periods)))
    y = np.asarray(values, dtype=float)
    if y.ndim != 2 or y.shape[1] != len(periods):
        raise ValueError("values must be a matrix with one column per period")
    if np.isnan(y).any():
        raise ValueError("The series has gaps: fill periods with no events with zero first.")
    if options.baseline or options.change_points:
        return [xmr(row, periods, options).latest_signal() for row in y]
    validate(options, periods)
    m, n = y.shape
    if m == 0 or n < options.min_points:
        return [None] * m
    mean = y.mean(axis=1)
    amr = _mean_moving_ranges(y, options.screen_outliers)
    lower, upper = mean - LIMIT_FACTOR * amr, mean + LIMIT_FACTOR * amr
    band = BAND_FACTOR * amr
    col = mean[:, None]
    hits = {
        "beyond_limit": np.where(y > upper[:, None], 1, np.where(y < lower[:, None], -1, 0)),
        "run": _runs(np.sign(y - col), RUN_LENGTH, 0),
        "trend": _runs(np.sign(np.diff(y, axis=1)), TREND_LENGTH - 1, 1),
        "two_of_three": _two_of_three(y, (mean - band)[:, None], (mean + band)[:, None]),
    }
    judged = mean >= options.min_mean  # rarer series are run charts: never a signal
    worse = 1 if options.direction == "higher_is_worse" else -1
    best = np.full(m, -1)  # end index of the latest signal so far
    found: list[tuple | None] = [None] * m
    for rule in RULES:  # in precedence order: on an equal end the earlier rule stays
        gap = MERGE_GAP + 1 if rule.code in MERGED_RULES else 1
        for side in (1, -1):
            end, start, points = _last_group(hits[rule.code] == side, gap)
            better = judged & (end >= 0) & (end > best)  # a tie goes to the earlier rule
            for row in np.flatnonzero(better):
                found[row] = (rule.code, side, int(start[row]), int(end[row]), int(points[row]))
            best = np.where(better, end, best)
    stamps = list(periods)  # Timestamps by position: indexing the DatetimeIndex each time cost more
    out: list[Signal | None] = []
    for item in found:
        if item is None:
            out.append(None)
            continue
        code, side, start, end, points = item
        out.append(Signal(rule=code, side=side,
                          assessment=CONCERN if side == worse else IMPROVEMENT,
                          start=stamps[start], end=stamps[end], points=points,
                          current=end >= n - RECENT_POINTS))
    return out


def _mean_moving_ranges(y: np.ndarray, screen: bool) -> np.ndarray:
    """mean_moving_range for each row: the mean |step|, screened as mean_moving_range does."""
    ranges = np.abs(np.diff(y, axis=1))
    amr = ranges.mean(axis=1)
    if not screen:
        return amr
    kept = ranges < RANGE_SCREEN_FACTOR * amr[:, None]
    count = kept.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        screened = np.where(count > 0, np.where(kept, ranges, 0.0).sum(axis=1) / count, 0.0)
    return np.where((amr > 0) & (screened > 0), screened, amr)


def _runs(side: np.ndarray, min_length: int, extend: int) -> np.ndarray:
    """Each row's stretches of one non-zero value at least `min_length` long, as hits on points
    (a stretch of steps covers one point more than it has steps: `extend` = 1)."""
    m, k = side.shape
    out = np.zeros((m, k + extend), dtype=np.int8)
    if k == 0:
        return out
    starts = np.ones((m, k), dtype=bool)
    starts[:, 1:] = side[:, 1:] != side[:, :-1]
    run_id = np.cumsum(starts.ravel()).reshape(m, k) - 1  # unique across rows: row starts are starts
    length = np.bincount(run_id.ravel())[run_id]
    keep = (length >= min_length) & (side != 0)
    out[:, :k] = np.where(keep, side, 0)
    if extend:
        # the point after each kept step belongs to its stretch too
        last = np.zeros((m, k), dtype=bool)
        last[:, :-1] = keep[:, :-1] & ~keep[:, 1:] | keep[:, :-1] & starts[:, 1:]
        last[:, -1] = keep[:, -1]
        tail = np.where(last, side, 0)  # a stretch starting there (written later) wins
        out[:, 1:] = np.where((tail != 0) & (out[:, 1:] == 0), tail, out[:, 1:])
    return out


def _two_of_three(y: np.ndarray, lower_band: np.ndarray, upper_band: np.ndarray) -> np.ndarray:
    """two_of_three_beyond_band for each row."""
    m, n = y.shape
    out = np.zeros((m, n), dtype=np.int8)
    if n < BAND_WINDOW:
        return out
    for side, beyond in ((1, y > upper_band), (-1, y < lower_band)):
        b = beyond.astype(int)
        windows = sum(b[:, i:n - BAND_WINDOW + 1 + i] for i in range(BAND_WINDOW))
        full = (windows >= BAND_NEEDED).astype(int)  # window starting at j
        covered = np.zeros((m, n), dtype=int)
        for i in range(BAND_WINDOW):  # point p is in windows p-2 .. p
            covered[:, i:i + full.shape[1]] += full
        out[beyond & (covered > 0)] = side
    return out


def _last_group(hit: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row: (end, start, points) of its last group of hits, where hits up to `gap`
    apart belong together; end is -1 for a row without hits."""
    m, n = hit.shape
    index = np.broadcast_to(np.arange(n), (m, n))
    seen = np.where(hit, index, -(10 * n + 10))
    previous = np.full((m, n), -(10 * n + 10))
    previous[:, 1:] = np.maximum.accumulate(seen, axis=1)[:, :-1]
    starts = hit & (index - previous > gap)
    group = np.cumsum(starts, axis=1)
    end = np.where(hit.any(axis=1), n - 1 - np.argmax(hit[:, ::-1], axis=1), -1)
    last_group = group[np.arange(m), np.maximum(end, 0)]
    mine = hit & (group == last_group[:, None])
    start = np.argmax(mine, axis=1)
    return end, start, mine.sum(axis=1)


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
            return f"{_capital(_when(signal.start, unit))} was {where}"
        return f"{n} {units} {where}{tail}"
    comma_tail = f",{tail}" if since else ""
    if signal.rule == "run":
        return f"{'Above' if up else 'Below'} the average for {n} {units} in a row{comma_tail}"
    if signal.rule == "trend":
        return f"{'Rising' if up else 'Falling'} for {n} {units} in a row{comma_tail}"
    where = "upper" if up else "lower"
    return f"{n} {units} close to or beyond the {where} limit{tail}"


def summary(result: SpcResult, unit: str = "month") -> str:
    """The series in one plain sentence: its latest signal, or why there is none."""
    n = len(result.columns["value"])
    if n == 0:
        return "No data in this period"
    if result.run_reason == "rare":
        return (f"Too rare to tell a real change from noise (on average under "
                f"{result.options.min_mean:g} a {unit})")
    if result.kind == "run":
        return (f"Too few {_plural(unit, 2)} to tell a real change from noise ({n}; limits need "
                f"{result.options.min_points})")
    last = result.segments[-1]
    if last.kind == "run":
        return (f"Since the change in {_when(last.start, unit)}, too few {_plural(unit, 2)} to "
                f"tell a real change from noise ({last.points}; limits need "
                f"{result.options.min_points})")
    latest = result.latest_signal()
    if latest is None:
        return "No sign of real change: the ups and downs are within the expected range"
    if not latest.current:
        return (f"No sign of real change in the latest {RECENT_POINTS} {_plural(unit, 2)} "
                f"(earlier: {_lower_first(describe(latest, unit))})")
    return describe(latest, unit)


def headline(subject: str, result: SpcResult, unit: str = "month") -> str:
    """A chart title stating the finding: 'Criminal exploitation in Millbrook: rising for 8 ...'."""
    return f"{subject}: {_lower_first(summary(result, unit))}"


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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower-case the first letter, unless it starts a month name or a number."""
    first = text.split(" ", 1)[0]
    if first in calendar.month_name or first[:1].isdigit():
        return text
    return text[:1].lower() + text[1:]
