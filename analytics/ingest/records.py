"""Incident records: one row per incident, for analysts checking what was loaded.

Row-level, so only a role with the ROWS permission may run it (`requires` checks the caller's
access and narrows the filters to their scope). Young people appear only as a count per
incident, never by id; the CSV download passes through analytics.governance.exports.safe_csv.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.governance.access import Permission, requires
from analytics.store.filters import Filters
from analytics.store.sources import risk_label
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS, SEVERITY_LABELS

RECORD_LIMIT = 2000  # rows shown and downloaded at once; narrow the filters to see others
HEADINGS = {
    "incident_id": "Incident", "occurred_at": "When", "ward": "Ward", "place": "Place",
    "context_type": "Type of place", "agency": "Agency", "severity": "Severity",
    "risks": "Risk types", "young_people": "Young people",
}


@dataclass(frozen=True)
class Records:
    """The newest `limit` incidents under the filters, and how many match in all."""

    rows: pd.DataFrame
    total: int
    limit: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


@requires(Permission.ROWS)
def incident_records(con: duckdb.DuckDBPyConnection, filters: Filters,
                     limit: int = RECORD_LIMIT) -> Records:
    """The incidents under the filters, newest first, with plain labels (at most `limit` rows)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    # The derived tables (analytics/store/derived.py) carry each incident's risk types, and young
    # people are counted only for the incidents listed, not joined for the whole table.
    p = filters.predicate("i", risk_list=True)
    total = con.execute(f"SELECT count(*) FROM incident_facts i WHERE {p.sql}",
                        p.params).fetchall()[0][0]
    rows = con.execute(
        f"""
        WITH sel AS (SELECT * FROM incident_facts i WHERE {p.sql}
                     ORDER BY i.occurred_at DESC, i.incident_id LIMIT $limit),
        ppl AS (SELECT pf.incident_id, count(DISTINCT pf.person_id) AS n FROM people_facts pf
                WHERE pf.occurred_at >= (SELECT min(occurred_at) FROM sel)
                  AND pf.incident_id IN (SELECT incident_id FROM sel)
                GROUP BY pf.incident_id)
        SELECT sel.incident_id, sel.occurred_at, w.ward_name AS ward, c.name AS place,
               sel.location_type AS context_type, sel.source_agency AS agency, sel.severity,
               CASE WHEN len(sel.risks) > 0 THEN sel.risks END AS risks,
               coalesce(ppl.n, 0) AS young_people
        FROM sel LEFT JOIN wards w USING (ward_code) LEFT JOIN place_facts c USING (context_id)
        LEFT JOIN ppl USING (incident_id)
        ORDER BY sel.occurred_at DESC, sel.incident_id
        """,
        {**p.params, "limit": limit},
    ).df()
    return Records(rows=rows, total=int(total), limit=limit)


def records_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The records as a reader sees them: labels for codes, UK dates, plain headings."""
    out = rows.copy()
    out["occurred_at"] = [f"{t.day} {t:%B %Y %H:%M}" for t in pd.to_datetime(out["occurred_at"])]
    for column, labels in (("context_type", CONTEXT_LABELS), ("agency", AGENCY_LABELS)):
        # a code's label, an unknown code as it is, nothing recorded as blank (not NaN)
        out[column] = out[column].map(labels).fillna(out[column]).astype(object).fillna("")
    out["severity"] = out["severity"].map(lambda s: SEVERITY_LABELS.get(s, "") if pd.notna(s)
                                          else "")
    out["risks"] = out["risks"].map(
        lambda rs: ", ".join(risk_label(r) for r in rs) if rs is not None else "")
    out[["ward", "place"]] = out[["ward", "place"]].fillna("Not known")
    return out.rename(columns=HEADINGS)
