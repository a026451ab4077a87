"""Small-number suppression: the only place counts about children are hidden for display.

Counts of 1 to 4 that describe children could identify a child, so board, presenter and lead views
show them as "<5". Zero is shown (it discloses nothing about a child). Analysts see exact counts.
"""

from __future__ import annotations

import pandas as pd

THRESHOLD = 5
SUPPRESSED = "<5"
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


def display_count(n: float | int | None, view: str) -> str:
    """A count formatted for the view: '1,234', '0', or '<5' where it would be disclosive."""
    if n is None or pd.isna(n):
        return "–"
    if suppresses(view) and is_small(n):
        return SUPPRESSED
    return f"{int(round(n)):,}"


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
