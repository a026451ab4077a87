"""The board's overview: headline figures against the previous period, and what changed most.

Every figure compares the chosen period with the period of the same length just before it, so a
board member reads "up 12% on the previous 12 months" rather than a bare number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.governance.disclosure import display_count, shown_number
from analytics.store import memo, sources
from analytics.store.filters import Filters, uk_month
from analytics.store.reference import data_dates
from analytics.store.risk_sets import by_risk_type
from analytics.store.sources import risk_label, risk_vocabulary


@dataclass(frozen=True)
class Totals:
    """Headline counts for one period."""

    incidents: int
    young_people: int
    contexts: int
    wards: int


@dataclass(frozen=True)
class Headline:
    """The chosen period's totals, the previous period's, and the wards with most incidents.

    `previous` is None where there is nothing to compare with: an open period, or a previous
    period that ends before the source's data begin (`data_from`, their first date): it has no
    figures at all, not zeros."""

    current: Totals
    previous: Totals | None
    top_wards: pd.DataFrame  # ward_code, ward_name, incidents
    data_from: date | None = None

    def partly_covered(self, filters: Filters) -> bool:
        """Whether the data begin in a month part way through the previous period, so it is
        compared with, but has fewer months of data than this one."""
        if self.previous is None or self.data_from is None:
            return False
        return filters.previous().start < self.data_from.replace(day=1)

    def coverage_words(self, filters: Filters) -> str:
        """'The data begin in March 2024, part way through the previous period.', 'The data
        begin in January 2019, so there is no earlier period to compare with.', or ''."""
        if self.data_from is None or not (filters.start and filters.end):
            return ""
        if self.previous is None:
            return (f"The data begin in {uk_month(self.data_from)}, so there is no earlier "
                    "period to compare with.")
        if self.partly_covered(filters):
            return (f"The data begin in {uk_month(self.data_from)}, part way through the "
                    "previous period.")
        return ""


@memo.per_data_version(maxsize=16)  # small, and asked for by every page
def totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> Totals:
    """Incidents, distinct young people, contexts and wards with at least one incident."""
    p = filters.predicate("i", risk_list=True)
    row = con.execute(
        f"""
        SELECT count(*), (SELECT count(DISTINCT person_no) FROM people_facts i WHERE {p.sql}),
               count(DISTINCT context_id), count(DISTINCT ward_code)
        FROM incident_facts i WHERE {p.sql}
        """,
        p.params,
    ).fetchone()
    return Totals(*(int(v) for v in row))


def has_incidents(con: duckdb.DuckDBPyConnection, filters: Filters) -> bool:
    """Whether any incident matches `filters`: the question a page asks before it draws, without
    the distinct counts of `totals` (10 to 16 ms of a filter change at a million incidents)."""
    p = filters.predicate("i", risk_list=True)
    return con.execute(f"SELECT EXISTS (SELECT 1 FROM incident_facts i WHERE {p.sql})",
                       p.params).fetchone()[0]


@memo.per_data_version()
def headline(con: duckdb.DuckDBPyConnection, filters: Filters, top: int = 3) -> Headline:
    """Totals for the period and the one before it (where the data reach back into it), and the
    `top` wards by incidents."""
    data_from, _ = data_dates(con, filters.source)
    before = filters.previous() if filters.start and filters.end else None
    reached = before is not None and data_from is not None and before.end >= data_from
    previous = totals(con, before) if reached else None
    p = filters.predicate("i", risk_list=True)
    top_wards = con.execute(
        f"""
        SELECT i.ward_code, w.ward_name, count(*) AS incidents
        FROM incident_facts i JOIN wards w USING (ward_code)
        WHERE {p.sql}
        GROUP BY ALL ORDER BY incidents DESC, w.ward_name LIMIT $top
        """,
        {**p.params, "top": top},
    ).df()
    return Headline(current=totals(con, filters), previous=previous, top_wards=top_wards,
                    data_from=data_from)


def risk_trends(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents a month for each risk type in the period, months with none filled with zero."""
    p = filters.predicate("i", risk_list=True)
    months = _month_frame(filters)
    counted = by_risk_type(
        f"SELECT date_trunc('month', i.occurred_at)::DATE AS month, i.risk_bits, i.risks "
        f"FROM incident_facts i WHERE {p.sql}", ["month"], {"value": "count(*)"})
    counts = con.execute(
        f"""
        SELECT risk_type, month, value FROM ({counted})
        WHERE len($risks) = 0 OR list_contains($risks, risk_type)
        """,
        {**p.params, "risks": list(filters.risk_types)},
    ).df()
    risk_types = list(filters.risk_types) or list(_observed(counts, filters.source))
    grid = pd.MultiIndex.from_product([risk_types, months], names=["risk_type", "month"])
    counts["month"] = pd.to_datetime(counts["month"])
    out = (counts.set_index(["risk_type", "month"])["value"]
           .reindex(grid, fill_value=0).reset_index())
    out["label"] = out["risk_type"].map(risk_label)
    return out


def _observed(counts: pd.DataFrame, source: str) -> list[str]:
    """Every risk type of the source's vocabulary (police.uk: those with any row), in order,
    then any code the data holds that the vocabulary lacks."""
    seen = set(counts["risk_type"])
    vocabulary = [c for c in risk_vocabulary(source)
                  if not sources.source(source).police or c in seen]
    return vocabulary + sorted(seen - set(vocabulary))


@memo.per_data_version()
def changes(con: duckdb.DuckDBPyConnection, filters: Filters, unit: str = "ward") -> pd.DataFrame:
    """Incidents in this period and the previous one for every ward (or context), with the change."""
    if unit not in ("ward", "context"):
        raise ValueError("unit must be 'ward' or 'context'")
    if not (filters.start and filters.end):
        return pd.DataFrame(columns=["code", "name", "current", "previous", "change"])
    cur = filters.predicate("i", risk_list=True)
    prev = filters.previous().predicate("i", prefix="p_", risk_list=True)
    key, names = (("ward_code", "SELECT ward_code AS code, ward_name AS name FROM wards")
                  if unit == "ward" else
                  ("context_id", "SELECT context_id AS code, name FROM place_facts"))
    frame = con.execute(
        f"""
        WITH cur AS (SELECT i.{key} AS code, count(*) AS n FROM incident_facts i
                     WHERE {cur.sql} GROUP BY 1),
             prev AS (SELECT i.{key} AS code, count(*) AS n FROM incident_facts i
                      WHERE {prev.sql} GROUP BY 1),
             names AS ({names})
        SELECT names.code, names.name,
               coalesce(cur.n, 0) AS current, coalesce(prev.n, 0) AS previous,
               coalesce(cur.n, 0) - coalesce(prev.n, 0) AS change
        FROM names LEFT JOIN cur USING (code) LEFT JOIN prev USING (code)
        WHERE cur.n IS NOT NULL OR prev.n IS NOT NULL
        ORDER BY abs(change) DESC, names.name
        """,
        {**cur.params, **prev.params},
    ).df()
    return frame


def biggest_changes(frame: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The n largest rises and the n largest falls (rises first), dropping unchanged places."""
    rises = frame[frame["change"] > 0].nlargest(n, "change")
    falls = frame[frame["change"] < 0].nsmallest(n, "change")
    return pd.concat([rises, falls], ignore_index=True)


def change_sentence(name: str, current: int, previous: int, view: str, period: str,
                    nouns: str = "incidents") -> str:
    """'Millbrook: 120 incidents, up 35 (41%) on the previous 12 months', suppressing small counts
    and working the change out from the counts as the view shows them (rounded on the board's)."""
    now = display_count(current, view)
    shown_now, shown_before = shown_number(current, view), shown_number(previous, view)
    if shown_now is None or shown_before is None:
        return f"{name}: {now} {nouns}, {display_count(previous, view)} in the previous {period}"
    change = shown_now - shown_before
    if change == 0:
        return f"{name}: {now} {nouns}, the same as the previous {period}"
    direction = "up" if change > 0 else "down"
    pct = f" ({abs(change) / shown_before:.0%})" if shown_before else ""
    return f"{name}: {now} {nouns}, {direction} {abs(change):,}{pct} on the previous {period}"


def percent_change(current: int, previous: int | None) -> float | None:
    """Relative change, or None where there is nothing to compare with."""
    if not previous:
        return None
    return (current - previous) / previous


def change_words(current: int, previous: int | None, view: str, period: str,
                 rounded: bool | None = None, children: bool = True) -> str | None:
    """'+12% on the previous 12 months', 'No real change', or None where there is no comparison
    the view may show (see shown_change; `children=False` for wards or places)."""
    change = shown_change(current, previous, view, rounded, children)
    if change is None:
        return None
    return NO_CHANGE if round(change, 2) == 0 else f"{change:+.0%} on the previous {period}"


NO_CHANGE = "No real change"


def shown_change(current: int, previous: int | None, view: str,
                 rounded: bool | None = None, children: bool = True) -> float | None:
    """Relative change between the two counts as the view shows them (rounded where it rounds),
    or None where either is hidden or there is nothing to compare with: a percentage worked out
    from exact counts would give away what '<5' or rounding hides (10 against 2 is +400%)."""
    if previous is None:
        return None
    now = shown_number(current, view, rounded, children)
    before = shown_number(previous, view, rounded, children)
    if now is None or before is None:
        return None
    return percent_change(now, before)


def _month_frame(filters: Filters) -> pd.DatetimeIndex:
    """Every month start in the filter's period."""
    if not (filters.start and filters.end):
        return pd.DatetimeIndex([])
    return pd.date_range(filters.start.replace(day=1), filters.end, freq="MS")
