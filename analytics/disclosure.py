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

What rounding does not cover: a control chart on the Trends page draws each month at its exact
height (limits are computed from the exact series; rounded points would cross them), so its
table and hover text are rounded but a point's position is not.
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


def display_count(n: float | int | None, view: str, rounded: bool | None = None) -> str:
    """A count formatted for the view: '1,234', '0', or '<5' where it would be disclosive.

    Counts are rounded to the nearest ROUND_TO where the view rounds (the board's). `rounded=True`
    rounds in the lead view too (for a figure the lead could otherwise subtract, such as exact
    combinations); `rounded=False` never rounds, for counts that are not about children (wards).
    """
    if n is None or pd.isna(n):
        return "–"
    if suppresses(view) and is_small(n):
        return SUPPRESSED
    if _rounding(view, rounded):
        n = round_count(n)
    return f"{int(round(n)):,}"


def shown_number(n: float | int, view: str, rounded: bool | None = None) -> int | None:
    """The count as the view shows it, as a number: None where hidden ('<5'), else exact or
    rounded. For arithmetic on shown figures (a change between two of them, a percentage)."""
    if pd.isna(n) or (suppresses(view) and is_small(n)):
        return None
    return round_count(n) if _rounding(view, rounded) else int(round(n))


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


def round_values(values: pd.Series, view: str) -> pd.Series:
    """Counts rounded to the nearest ROUND_TO where the view rounds; NaN stays NaN."""
    if not rounds(view):
        return values
    return values.map(lambda v: v if pd.isna(v) else float(round_count(v)))


def suppress_frame(frame: pd.DataFrame, columns: list[str], view: str) -> pd.DataFrame:
    """A copy of `frame` with the count `columns` formatted, small ones shown as '<5'."""
    out = frame.copy()
    for column in columns:
        out[column] = [display_count(v, view) for v in frame[column]]
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
    if rounds(view):
        for column in columns:
            out[column] = [round_count(v) for v in out[column]]
    return out


def protect_table(counts: pd.DataFrame, view: str, total_label: str = "Total") -> pd.DataFrame:
    """A cross-table of counts with row and column totals, safe to show in the view.

    Primary suppression hides counts of 1 to 4 as '<5'. Secondary suppression then hides the
    smallest other cell of any row or column left with exactly one hidden cell (shown as
    SECONDARY), repeating until no hidden cell can be worked out from a shown total. Where the
    view rounds, shown cells and totals are each rounded on their own (so they need not add up).
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
            shown.iat[i, j] = display_count(value, view)
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
