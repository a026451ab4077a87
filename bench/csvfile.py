"""The benchmark's incidents as a partner would send them: one CSV in our template's layout.

The file holds the same incidents as the generated database, written as a partner's system
would write them: UK clock times (dd/mm/yyyy hh:mm), risk types and young people's ids joined
with '; ' in one cell each. Loading it exercises the real path: decoding, header mapping, date
and code checks, placing points in wards, and the one-transaction write.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.csv as pacsv

from analytics.store.store import Store

INCIDENTS_CSV = """
    SELECT i.incident_id,
           strftime(timezone('Europe/London', timezone('UTC', i.occurred_at)), '%d/%m/%Y %H:%M')
               AS occurred_at,
           r.risk_types, p.person_ids,
           strftime(i.reported_on, '%d/%m/%Y') AS reported_on,
           i.lat, i.lon, i.lsoa_code, i.ward_code, i.context_id, i.location_type,
           i.source_agency, i.severity, i.outcome
    FROM incidents i
    LEFT JOIN (SELECT incident_id, string_agg(risk_type, '; ' ORDER BY risk_type) AS risk_types
               FROM incident_risks GROUP BY 1) r USING (incident_id)
    LEFT JOIN (SELECT incident_id, string_agg(person_id, '; ' ORDER BY person_id) AS person_ids
               FROM incident_people GROUP BY 1) p USING (incident_id)
    ORDER BY i.occurred_at, i.incident_id
"""
PLACE_TABLES = ("wards", "contexts")


def write_incidents_csv(db: Path, csv: Path) -> int:
    """Write every incident in `db` to `csv` in the template layout; return the rows written."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        table = con.sql(INCIDENTS_CSV).to_arrow_table()
        if not hasattr(table, "num_rows"):  # a RecordBatchReader in newer DuckDB
            table = table.read_all()
    finally:
        con.close()
    pacsv.write_csv(table, csv)
    return table.num_rows


def fresh_store_with_places(db: Path, target: Path) -> Store:
    """A new database at `target` holding `db`'s wards and places (what a partnership loads
    before its first incidents), so points fall in wards and context ids are known."""
    for path in (target, Path(f"{target}.wal")):
        path.unlink(missing_ok=True)
    source = duckdb.connect(str(db), read_only=True)
    try:
        frames = {t: source.execute(f"SELECT * FROM {t}").df() for t in PLACE_TABLES}
    finally:
        source.close()
    store = Store(target)
    with store.transaction() as cur:
        for table, frame in frames.items():
            cur.register("rows", frame)
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
            cur.unregister("rows")
    return store
