"""Reference facts every page needs: ward names, the data's dates, where the data came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from analytics.filters import Filters


@dataclass(frozen=True)
class DataFacts:
    """What the loaded data covers and where it came from, for the freshness line and banner."""

    first_incident: date | None
    latest_incident: date | None
    last_load_at: datetime | None
    last_load_file: str | None
    is_demo: bool
    incidents: int


def ward_names(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, str]:
    """Ward code -> ward name for the wards in the user's scope, in name order."""
    scope = filters.in_scope("ward_code")
    rows = con.execute(f"SELECT ward_code, ward_name FROM wards WHERE {scope.sql} "
                       "ORDER BY ward_name", scope.params).fetchall()
    return dict(rows)


def data_facts(con: duckdb.DuckDBPyConnection) -> DataFacts:
    """The first and latest incident dates, the last committed load, and whether it is the demo."""
    first, latest, n = con.execute(
        "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE, count(*) FROM incidents"
    ).fetchone()
    last = con.execute(
        "SELECT uploaded_at, file_name FROM extracts WHERE status = 'loaded' "
        "ORDER BY uploaded_at DESC, extract_id DESC LIMIT 1"
    ).fetchone()
    kinds = {k for (k,) in con.execute(
        "SELECT DISTINCT kind FROM extracts WHERE status = 'loaded'").fetchall()}
    return DataFacts(
        first_incident=first,
        latest_incident=latest,
        last_load_at=last[0] if last else None,
        last_load_file=last[1] if last else None,
        is_demo="demo" in kinds,
        incidents=int(n),
    )
