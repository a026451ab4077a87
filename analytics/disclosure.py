"""Small-number suppression: the only place counts about children are hidden for display.

Counts of 1 to 4 that describe children could identify a child, so board, presenter and lead views
show them as "<5". Zero is shown (it discloses nothing about a child). Analysts see exact counts.
"""

from __future__ import annotations

import pandas as pd

THRESHOLD = 5
SUPPRESSED = "<5"
# A cell hidden only so that a small one cannot be worked out from a total (secondary suppression).
SECONDARY = "[c]"
SECONDARY_NOTE = (f"{SECONDARY} is hidden so that a figure under {THRESHOLD} cannot be worked out "
                  "from the totals.")
ROUND_TO = 5
VIEWS: dict[str, str] = {
    "board": "Board view: figures only, small numbers hidden",
    "lead": "Lead view: filters and drill-downs, small numbers hidden",
    "analyst": "Analyst view: exact figures and uploads",
}
SUPPRESSING_VIEWS = frozenset({"board", "lead", "presenter"})


def suppresses(view: str) -> bool:
    """Whether counts of children are suppressed in this view (anything unknown is suppressed)."""
    return view != "analyst"


def is_small(n: float | int | None) -> bool:
    """True for a count between 1 and THRESHOLD - 1, the ones that could identify a child."""
    return n is not None and not pd.isna(n) and 0 < n < THRESHOLD


def display_count(n: float | int | None, view: str, rounded: bool = False) -> str:
    """A count formatted for the view: '1,234', '0', or '<5' where it would be disclosive.

    `rounded` shows counts to the nearest ROUND_TO in suppressing views, which also stops two
    filtered views from being subtracted to reveal a small difference.
    """
    if n is None or pd.isna(n):
        return "–"
    if suppresses(view) and is_small(n):
        return SUPPRESSED
    if rounded and suppresses(view):
        n = round_count(n)
    return f"{int(round(n)):,}"


def round_count(n: float | int) -> int:
    """n to the nearest ROUND_TO (halves away from zero), never rounding a non-zero count to 0."""
    rounded = int(ROUND_TO * ((abs(n) + ROUND_TO / 2) // ROUND_TO)) * (1 if n >= 0 else -1)
    return rounded if rounded or not n else ROUND_TO


def suppress_frame(frame: pd.DataFrame, columns: list[str], view: str) -> pd.DataFrame:
    """A copy of `frame` with the count `columns` formatted, small ones shown as '<5'."""
    out = frame.copy()
    for column in columns:
        out[column] = [display_count(v, view) for v in frame[column]]
    return out


def mask_small(values: pd.Series, view: str) -> pd.Series:
    """The numbers with small counts replaced by NaN, for charts that cannot show '<5'."""
    if not suppresses(view):
        return values.astype(float)
    return values.astype(float).mask(values.between(1, THRESHOLD - 1))


def drop_small_rows(frame: pd.DataFrame, columns: list[str], view: str) -> pd.DataFrame:
    """Rows of `frame` whose count `columns` are all safe to chart exactly in this view.

    A change drawn between two counts reveals both, so a row with any small count leaves the chart.
    """
    if not suppresses(view) or frame.empty:
        return frame
    small = frame[columns].apply(lambda col: col.between(1, THRESHOLD - 1)).any(axis=1)
    return frame[~small]


def protect_table(counts: pd.DataFrame, view: str, total_label: str = "Total") -> pd.DataFrame:
    """A cross-table of counts with row and column totals, safe to show in the view.

    Primary suppression hides counts of 1 to 4 as '<5'. Secondary suppression then hides the
    smallest other cell of any row or column left with exactly one hidden cell (shown as
    SECONDARY), repeating until no hidden cell can be worked out from a shown total.
    """
    values = counts.fillna(0).astype(int)
    if not suppresses(view):
        out = values.copy()
        out[total_label] = values.sum(axis=1)
        out.loc[total_label] = out.sum(axis=0)
        return out.map(lambda v: f"{v:,}")
    primary = values.apply(lambda col: col.between(1, THRESHOLD - 1))
    hidden = _secondary_mask(values.to_numpy(), primary.to_numpy())
    shown = values.astype(object).copy()
    for (i, j), value in _cells(values):
        if primary.iat[i, j]:
            shown.iat[i, j] = SUPPRESSED
        elif hidden[i][j]:
            shown.iat[i, j] = SECONDARY
        else:
            shown.iat[i, j] = f"{value:,}"
    shown[total_label] = [display_count(v, view) for v in values.sum(axis=1)]
    shown.loc[total_label] = [display_count(v, view) for v in values.sum(axis=0)] + [
        display_count(int(values.to_numpy().sum()), view)]
    return shown


def _cells(frame: pd.DataFrame):
    for i in range(frame.shape[0]):
        for j in range(frame.shape[1]):
            yield (i, j), int(frame.iat[i, j])


def _secondary_mask(values, primary) -> list[list[bool]]:
    """Hidden cells after secondary suppression: no row or column has exactly one hidden cell."""
    rows, cols = len(values), len(values[0]) if len(values) else 0
    hidden = [[bool(primary[i][j]) for j in range(cols)] for i in range(rows)]
    lines = [[(i, j) for j in range(cols)] for i in range(rows)]
    lines += [[(i, j) for i in range(rows)] for j in range(cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) < 2 or sum(hidden[i][j] for i, j in line) != 1:
                continue
            # Hide the smallest shown cell (a non-zero one if there is any: zeros protect least).
            candidates = [(values[i][j] == 0, values[i][j], i, j) for i, j in line
                          if not hidden[i][j]]
            _, _, i, j = min(candidates)
            hidden[i][j] = True
            changed = True
    return hidden
