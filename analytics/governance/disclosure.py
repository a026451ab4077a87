"""Small-number suppression: the only place counts about children are hidden for display.

Counts of 1 to 4 that describe children could identify a child, so board, presenter and lead views
show them as "<5". Zero is shown (it discloses nothing about a child). Analysts see exact counts.

The three views, and what each may show, are decided here (VIEWS and the functions below it), so
the sidebar, the presenter and (later) the sign-in roles all read one rule:

- board: figures and charts only. Counts of 1 to 4 show as "<5", and every other count is rounded
  to the nearest 5. Rounding is the board's guard against differencing: a board member can open
  two filtered views (all wards, then all wards but one) and subtract, which would give away a
  small count that primary suppression hid. With both totals rounded, the difference is only
  known to within about 5, so no count of 1 to 4 can be worked out. Rounding is for the board
  because it browses and shares its figures; leads need working figures to act on, so they keep
  exact counts above 4 (and "<5" below). No drill-down into one place, no individual incidents or
  young people, no uploads. Presenter mode always uses the board view.
- lead: filters, drill-downs and the detail of one place; small counts still "<5".
- analyst: everything, exact.

Counts that are not about children (police.uk street crime, searches of people of any age:
published openly by police.uk, about offences and searches rather than identified children) are
shown exactly in every view, as DESIGN.md says of counts not about children. `for_source` gives
such a source's page a "public" form of its view: the same drill-downs and rows as the view,
counts unsuppressed and unrounded. Searches of children are about children and keep the view.

Anything worked out from counts is worked out from the counts as shown (shown_counts,
shown_number, shown_rate, shown_difference): an exact average times its months, or an exact rate
times a known population, is an exact count, and two of them differenced give a small one back.
In the board's view a Trends chart is drawn, and judged, from the rounded counts. Tables with
totals pass through protect_table, which hides more until no hidden small count can be worked
out from the totals (derived_note says on the page what was done).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 5
SUPPRESSED = "<5"
# A cell hidden only so that a small one cannot be worked out from a total (secondary suppression).
SECONDARY = "[c]"
SECONDARY_NOTE = (f"{SECONDARY} is hidden so that a figure under {THRESHOLD} cannot be worked out "
                  "from the totals.")
ROUND_TO = 5
VIEWS: dict[str, str] = {
    "board": f"Board view: figures only; numbers under {THRESHOLD} hidden, others rounded to the "
             f"nearest {ROUND_TO}",
    "lead": f"Lead view: filters, drill-downs and place detail; numbers under {THRESHOLD} hidden",
    "analyst": "Analyst view: exact figures, uploads and records",
}
DEFAULT_VIEW = "board"
PRESENTER_VIEW = "board"  # presenter mode always shows the board view, whoever is presenting
ROUNDING_VIEWS = frozenset({"board"})
DETAIL_VIEWS = frozenset({"lead", "analyst"})  # drill-downs and one place in detail
ROW_VIEWS = frozenset({"analyst"})  # individual incidents or young people, uploads
PUBLIC = "+public"  # a view's form for counts not about children (see for_source)


def for_source(view: str, about_children: bool) -> str:
    """The view to show a source's counts in: the view itself for counts about children; for
    others its public form ('board+public'), which shows counts exactly."""
    if about_children or view == "analyst" or view.endswith(PUBLIC):
        return view
    return view + PUBLIC


def base_view(view: str) -> str:
    """The view itself, without its public form."""
    return view.removesuffix(PUBLIC)


def derived_note(view: str) -> str | None:
    """What the page did to its derived figures in this view, to say beside them; None where
    nothing was done (the analyst's exact view)."""
    if rounds(view):
        return (f"In the board view every chart, average and rate here is worked out from the "
                f"counts rounded to the nearest {ROUND_TO} (counts under {THRESHOLD} hidden), "
                "so none gives back an exact count; control charts leave out their average and "
                "limits, which rest on the exact counts. Signals are judged on the exact counts, "
                "the same in every view.")
    if suppresses(view):
        return (f"Counts under {THRESHOLD} are hidden, and so is anything worked out from one "
                "alone.")
    return None


def suppresses(view: str) -> bool:
    """Whether counts of children are suppressed in this view (anything unknown is suppressed)."""
    return view != "analyst" and not view.endswith(PUBLIC)


def rounds(view: str) -> bool:
    """Whether counts are rounded to the nearest ROUND_TO in this view (the board's; see above)."""
    if view.endswith(PUBLIC):
        return False
    return view in ROUNDING_VIEWS or view not in VIEWS


def shows_detail(view: str) -> bool:
    """Whether the view may drill down (one place, one combination of harms, one ward)."""
    return base_view(view) in DETAIL_VIEWS


def shows_rows(view: str) -> bool:
    """Whether the view may see individual incidents or young people, and load data."""
    return base_view(view) in ROW_VIEWS


def view_name(view: str) -> str:
    """'Board view': the short name of a view, as the banner and the pack say it."""
    return VIEWS.get(base_view(view), VIEWS[DEFAULT_VIEW]).split(":")[0]


def view_rule(view: str) -> str:
    """What the view shows, after its name: 'figures only; numbers under 5 hidden, ...'."""
    rule = VIEWS.get(base_view(view), VIEWS[DEFAULT_VIEW]).split(": ", 1)[1]
    if view.endswith(PUBLIC):
        rule = rule.split(";")[0] + ("; these counts are public and not about children, so "
                                     "they are shown exactly")
    return rule


def is_small(n: float | int | None) -> bool:
    """True for a count between 1 and THRESHOLD - 1, the ones that could identify a child."""
    return n is not None and not pd.isna(n) and 0 < n < THRESHOLD


def display_count(n: float | int | None, view: str, rounded: bool | None = None,
                  children: bool = True) -> str:
    """A count formatted for the view: '1,234', '0', or '<5' where it would be disclosive.

    Counts are rounded to the nearest ROUND_TO where the view rounds (the board's). `rounded=True`
    rounds in the lead view too (for a figure the lead could otherwise subtract, such as exact
    combinations); `rounded=False` never rounds. `children=False` is for a count that is not
    about children (wards, places, interventions): shown exactly in every view ('Wards with
    incidents: 3', never '<5', which hides nothing and reads as an error).
    """
    if n is None or pd.isna(n):
        return "–"
    if not children:
        return f"{int(round(n)):,}"
    if suppresses(view) and is_small(n):
        return SUPPRESSED
    if _rounding(view, rounded):
        n = round_count(n)
    return f"{int(round(n)):,}"


def shown_number(n: float | int, view: str, rounded: bool | None = None,
                 children: bool = True) -> int | None:
    """The count as the view shows it, as a number: None where hidden ('<5'), else exact or
    rounded (exact where the count is not about children: see display_count). For arithmetic
    on shown figures (a change between two of them, a percentage)."""
    if not children and not pd.isna(n):
        return int(round(n))
    if pd.isna(n) or (suppresses(view) and is_small(n)):
        return None
    return round_count(n) if _rounding(view, rounded) else int(round(n))


def shown_rate(count: float | int, population: float | int | None, view: str,
               per: int = 1000) -> float | None:
    """A rate per `per` as the view may show it: from the count as shown (rounded where the view
    rounds), None where the count is hidden or there is no population. A rate from the exact
    count, times a known population, is the exact count."""
    shown = shown_number(count, view)
    if shown is None or population is None or pd.isna(population) or not population:
        return None
    return shown / float(population) * per


def shown_difference(current: float | int, previous: float | int, view: str) -> int | None:
    """current - previous as the view shows them (rounded where it rounds), or None where either
    is hidden: a change worked out from exact counts would undo the rounding ('up 3')."""
    now, before = shown_number(current, view), shown_number(previous, view)
    return None if now is None or before is None else now - before


def _rounding(view: str, rounded: bool | None) -> bool:
    if rounded is None:
        return rounds(view)
    return rounded and suppresses(view)


def round_count(n: float | int) -> int:
    """n to the nearest ROUND_TO (halves away from zero), never rounding a non-zero count to 0."""
    rounded = int(ROUND_TO * ((abs(n) + ROUND_TO / 2) // ROUND_TO)) * (1 if n >= 0 else -1)
    return rounded if rounded or not n else ROUND_TO * (1 if n > 0 else -1)


def shown_counts(counts, view: str) -> np.ndarray:
    """Counts as the view shows them, as numbers for arithmetic: rounded to the nearest ROUND_TO
    where the view rounds (1 to 4 become 5, as round_count makes them), exact elsewhere.

    Whatever is worked out from counts for a view that rounds (an average, a rate, an SPC
    chart's points, centre line and limits) is worked out from these, so it gives back nothing
    the rounded counts do not: an exact average times the months is the exact total.
    """
    values = np.asarray(counts, dtype=float)
    if not rounds(view):
        return values
    rounded = ROUND_TO * np.floor((np.abs(values) + ROUND_TO / 2) / ROUND_TO) * np.sign(values)
    return np.where((rounded == 0) & (values != 0), ROUND_TO * np.sign(values), rounded)


def round_values(values: pd.Series, view: str) -> pd.Series:
    """Counts rounded to the nearest ROUND_TO where the view rounds; NaN stays NaN."""
    if not rounds(view):
        return values
    return values.map(lambda v: v if pd.isna(v) else float(round_count(v)))


def suppress_frame(frame: pd.DataFrame, columns: list[str], view: str) -> pd.DataFrame:
    """A copy of `frame` with the count `columns` formatted, small ones shown as '<5'."""
    out = frame.copy()
    for column in columns:
        out[column] = display_counts(frame[column], view).astype(str)
    return out


def mask_small(values: pd.Series, view: str) -> pd.Series:
    """The numbers a chart may draw in this view: small counts replaced by NaN (a chart cannot
    show '<5'), the rest rounded where the view rounds."""
    if not suppresses(view):
        return values.astype(float)
    return round_values(values.astype(float).mask(values.between(1, THRESHOLD - 1)), view)


def drop_small_rows(frame: pd.DataFrame, columns: list[str], view: str) -> pd.DataFrame:
    """Rows of `frame` whose count `columns` are all safe to chart in this view, rounded where
    the view rounds (the caller's frame is unchanged).

    A change drawn between two counts reveals both, so a row with any small count leaves the chart;
    work out changes from the returned (shown) counts.
    """
    if not suppresses(view) or frame.empty:
        return frame
    small = frame[columns].apply(lambda col: col.between(1, THRESHOLD - 1)).any(axis=1)
    out = frame[~small].copy()
    if rounds(view):  # round_count, a column at a time
        for column in columns:
            out[column] = shown_counts(out[column], view).astype(np.int64)
    return out


def protect_table(counts: pd.DataFrame, view: str, total_label: str = "Total") -> pd.DataFrame:
    """A cross-table of counts with row and column totals, safe to show in the view.

    Primary suppression hides counts of 1 to 4 as '<5' (cells and totals alike). Secondary
    suppression then treats the table as the equations a reader can write (each row and each
    column sums to its total, and the totals to the grand total) and hides more, as SECONDARY,
    until no hidden figure of 1 to 4 can be worked out: no equation is left with exactly one
    hidden member, and no hidden count is pinned by the bounds the shown figures put on it (a
    '<5' total over four '<5' cells makes each 1, so that total is hidden too). Where the view
    rounds, shown cells and totals are each rounded on their own (so they need not add up) and
    a reader's bounds allow for it.
    """
    values = counts.fillna(0).astype(int)
    if not suppresses(view):
        out = values.copy()
        out[total_label] = values.sum(axis=1)
        out.loc[total_label] = out.sum(axis=0)
        return out.map(lambda v: f"{v:,}")
    grid = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=int)
    grid[:-1, :-1] = values.to_numpy()
    grid[:-1, -1] = grid[:-1, :-1].sum(axis=1)
    grid[-1, :] = grid[:-1, :].sum(axis=0)
    state = _protect(grid, rounds(view))
    labels = [display_count(v, view) for v in grid.ravel()]
    shown = np.array([SUPPRESSED if st == _SMALL else SECONDARY if st == _HIDDEN else text
                      for st, text in zip(state.ravel(), labels, strict=True)],
                     dtype=object).reshape(grid.shape)
    return pd.DataFrame(shown, index=[*values.index, total_label],
                        columns=[*values.columns, total_label])


_SHOWN, _SMALL, _HIDDEN = 0, 1, 2  # a grid member shown, shown as '<5', hidden as SECONDARY
_UNBOUNDED = 10**9


def _equations(rows: int, cols: int) -> list[list[tuple[int, int]]]:
    """The sums a reader can check on an (rows x cols) grid whose last row and column are
    totals: each row and each column, its last member being the total of the others."""
    return ([[(i, j) for j in range(cols)] for i in range(rows)]
            + [[(i, j) for i in range(rows)] for j in range(cols)])


def _protect(grid: np.ndarray, rounded: bool) -> np.ndarray:
    """The state (_SHOWN, _SMALL, _HIDDEN) of each member of a grid with totals, after primary
    and secondary suppression (see protect_table)."""
    rows, cols = grid.shape
    state = np.where((grid > 0) & (grid < THRESHOLD), _SMALL, _SHOWN)
    lines = _equations(rows, cols)
    changed = True
    while changed:
        changed = False
        for line in lines:  # an equation with one unknown gives it away
            unknown = [m for m in line if state[m] != _SHOWN]
            if len(unknown) != 1:
                continue
            if _hide_one(grid, state, line):
                changed = True
        if changed:
            continue
        small = (state != _SHOWN) & (grid > 0) & (grid < THRESHOLD)
        pinned = [m for m in zip(*np.nonzero(small), strict=True)
                  if not _can_move(grid, state, rounded, m)]
        for i, j in pinned:  # hide what pins it (its totals, or more of its sums), look again
            for m in ((i, cols - 1), (rows - 1, j)):
                if m != (i, j) and state[m] != _HIDDEN:
                    state[m], changed = _HIDDEN, True
            if not changed and (i == rows - 1 or j == cols - 1):  # a pinned total: hide it
                state[i, j], changed = _HIDDEN, True
            for line in (line for line in lines if (i, j) in line and not changed):
                changed = _hide_one(grid, state, line)
            if changed:
                break
        if pinned and not changed:  # pinned through other sums: hide a shown total, smallest first
            totals = [m for m in [*((i, cols - 1) for i in range(rows)),
                                  *((rows - 1, j) for j in range(cols - 1))]
                      if state[m] == _SHOWN and grid[m] > 0]
            if totals:
                state[min(totals, key=lambda m: (grid[m], m))] = _HIDDEN
                changed = True
    return state


def _hide_one(grid: np.ndarray, state: np.ndarray, line: list[tuple[int, int]]) -> bool:
    """Hide the smallest shown non-zero cell of a sum (a hidden zero protects nothing: a reader
    who sees the rest of its row or column add up knows it is 0), or else the sum's total."""
    cells = [m for m in line[:-1] if state[m] == _SHOWN and grid[m] > 0]
    if cells:
        state[min(cells, key=lambda m: (grid[m], m))] = _HIDDEN
        return True
    if state[line[-1]] == _SHOWN and grid[line[-1]] > 0:
        state[line[-1]] = _HIDDEN
        return True
    return False


def _can_move(grid: np.ndarray, state: np.ndarray, rounded: bool, m: tuple[int, int]) -> bool:
    """Whether another table, as consistent with everything shown as this one, gives member `m`
    another value: a certificate that no reader can pin it, however they combine the sums.

    The other table moves four members by one, at the corners of a rectangle through `m` (two
    rows, two columns, totals included), with signs that keep every row and column sum: opposite
    along a line between two cells, the same between a cell and its total. Each corner must be
    free to move that way: '<5' stays 1 to 4, a hidden cell stays 0 or 5 and more (a reader
    knows it was shown before it was hidden), a hidden total anything, a rounded figure within
    its rounding; an exact shown figure cannot move.
    """
    rows, cols = grid.shape
    small, hidden, shown = state == _SMALL, state == _HIDDEN, state == _SHOWN
    total = np.zeros(grid.shape, dtype=bool)
    total[-1, :], total[:, -1] = True, True
    up = (small & (grid < THRESHOLD - 1)) | (hidden & total) | (hidden & ~total & (grid > 0))
    down = (small & (grid > 1)) | (hidden & total & (grid > 0)) | (
        hidden & ~total & (grid > THRESHOLD))
    if rounded:  # a rounded figure can be anything its rounding allows
        r = np.vectorize(round_count)(grid)
        up |= shown & (grid > 0) & (grid + 1 <= r + ROUND_TO // 2)
        down |= shown & (grid > 0) & (grid - 1 >= np.maximum(THRESHOLD, r - ROUND_TO // 2))
    tau_r = np.where(np.arange(rows) == rows - 1, -1, 1)
    tau_c = np.where(np.arange(cols) == cols - 1, -1, 1)
    a, b = m
    for eps in (1, -1):
        def ok(sign: np.ndarray, i, j) -> np.ndarray:
            return np.where(sign > 0, up[i, j], down[i, j])
        if not ok(np.array(eps * tau_r[a] * tau_c[b]), a, b):
            continue
        along_row = ok(-eps * tau_r[a] * tau_c, a, slice(None))  # (a, j2)
        along_col = ok(-eps * tau_r * tau_c[b], slice(None), b)  # (i2, b)
        across = ok(eps * np.outer(tau_r, tau_c), slice(None), slice(None))  # (i2, j2)
        along_row[b], along_col[a] = False, False
        if (along_col[:, None] & along_row[None, :] & across).any():
            return True
    return False


def display_counts(counts: pd.Series, view: str, rounded: bool | None = None) -> pd.Series:
    """display_count of every value of a column, worked out once per distinct count (a column
    of 10,000 places holds a few hundred distinct counts): the same words, without a Python call
    per row."""
    words = {n: display_count(n, view, rounded) for n in pd.unique(counts.dropna())}
    return counts.map(words).astype(object).fillna("–")


def are_small(counts: pd.Series) -> pd.Series:
    """is_small of every count of a column (missing is not small)."""
    return (counts > 0) & (counts < THRESHOLD)
