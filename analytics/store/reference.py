"""Reference facts every page needs: ward names, each source's dates, where the data came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from analytics.store.filters import Filters, uk_date, uk_month
from analytics.store.sources import (
    INCIDENTS,
    OUTCOME_LABELS,
    SOURCES,
    default_source,
    risk_label,
    risk_vocabulary,
    source,
)


@dataclass(frozen=True)
class Span:
    """What one source covers: its first and latest dates, and how many rows."""

    first: date | None = None
    latest: date | None = None
    rows: int = 0


@dataclass(frozen=True)
class DataFacts:
    """What the loaded data covers and where it came from, for the freshness line and banner."""

    first_incident: date | None
    latest_incident: date | None
    last_load_at: datetime | None
    last_load_file: str | None
    is_demo: bool
    incidents: int
    spans: dict[str, Span] = field(default_factory=dict)  # source code -> what it covers
    demo_hidden: bool = False  # the demo is loaded, but real boundaries keep it off every page
    police_rows: dict[str, int] = field(default_factory=dict)  # area_crime kind -> rows loaded

    @property
    def shows_demo(self) -> bool:
        """The pages show the fictional demo: it is loaded and not kept apart behind real
        boundaries (then every page, slide and pack shows the real area only)."""
        return self.is_demo and not self.demo_hidden

    def span(self, code: str) -> Span:
        """What a source covers (nothing, for a source with no rows)."""
        return self.spans.get(code, Span())

    def default_source(self) -> str:
        """The source the pages open on: incidents when there are any, else street crime."""
        return default_source({code: s.rows for code, s in self.spans.items()})

    def data_to(self, code: str) -> str:
        """'31 October 2026' for incidents; 'December 2025' for police.uk, published by month."""
        latest = self.span(code).latest
        if latest is None:
            return "no date"
        return uk_month(latest) if source(code).police and not source(code).time_of_day \
            else uk_date(latest)


def ward_names(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, str]:
    """Ward code -> ward name for the wards in the user's scope, in name order."""
    scope = filters.in_scope("ward_code")
    rows = con.execute(f"SELECT ward_code, ward_name FROM wards WHERE {scope.sql} "
                       "ORDER BY ward_name", scope.params).fetchall()
    return dict(rows)


def data_dates(con: duckdb.DuckDBPyConnection, code: str) -> tuple[date | None, date | None]:
    """The first and latest dates of a source's rows in the whole store (None, None if none)."""
    first, latest = con.execute(
        "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE FROM incident_facts "
        "WHERE source = $s", {"s": code}).fetchone()
    return first, latest


def data_facts(con: duckdb.DuckDBPyConnection) -> DataFacts:
    """Each source's first and latest dates, the last committed load, and whether the demo is
    loaded (and whether real boundaries hide it)."""
    spans = {code: Span(first, latest, int(n)) for code, first, latest, n in con.execute(
        "SELECT source, min(occurred_at)::DATE, max(occurred_at)::DATE, count(*) "
        "FROM incident_facts GROUP BY source").fetchall() if code in SOURCES}
    last = con.execute(
        "SELECT uploaded_at, file_name FROM extracts WHERE status = 'loaded' "
        "ORDER BY uploaded_at DESC, extract_id DESC LIMIT 1"
    ).fetchone()
    kinds = {k for (k,) in con.execute(
        "SELECT DISTINCT kind FROM extracts WHERE status = 'loaded'").fetchall()}
    hidden = con.execute("SELECT count(*) FROM hidden_extracts").fetchone()[0]
    police = dict(con.execute("SELECT kind, count(*) FROM area_crime GROUP BY kind").fetchall())
    incidents = spans.get(INCIDENTS, Span())
    return DataFacts(
        first_incident=incidents.first,
        latest_incident=incidents.latest,
        last_load_at=last[0] if last else None,
        last_load_file=last[1] if last else None,
        is_demo="demo" in kinds,
        incidents=incidents.rows,
        spans=spans,
        demo_hidden=bool(hidden),
        police_rows={k: int(n) for k, n in police.items()},
    )


def risk_options(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, str]:
    """Code -> label of the risk types (crime types, objects of search) a source's filter
    offers: the whole vocabulary for incidents; for police.uk, the categories its rows carry,
    in the vocabulary's order, then any category it publishes that we have not met."""
    vocabulary = risk_vocabulary(code)
    if not source(code).police:
        return dict(vocabulary)
    present = {c for (c,) in con.execute(
        "SELECT DISTINCT unnest(risks) FROM incident_facts WHERE source = $s", {"s": code})
        .fetchall()}
    known = {c: label for c, label in vocabulary.items() if c in present}
    return known | {c: risk_label(c) for c in sorted(present - set(vocabulary))}


def outcome_options(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, str]:
    """Code -> label of the outcomes a stop-and-search source's filter offers (those present)."""
    present = {c for (c,) in con.execute(
        "SELECT DISTINCT outcome FROM incident_facts WHERE source = $s AND outcome IS NOT NULL",
        {"s": code}).fetchall()}
    known = {c: label for c, label in OUTCOME_LABELS.items() if c in present}
    return known | {c: risk_label(c) for c in sorted(present - set(OUTCOME_LABELS))}
