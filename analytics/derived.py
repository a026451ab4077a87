"""Analysis tables derived from the data at every committed load: joins and conversions done once
per data version instead of once per query.

Almost every analysis filters incidents and then joins their risk types or their young people,
and many convert times to UK clock time. At a million incidents those string-keyed joins and
time-zone conversions were most of every page's time (0.1 to 0.2 s of CPU each, several per
page). So the store keeps two tables, rebuilt inside the same transaction as every load that
changes incidents, their risk types or their young people (and on opening a database whose
tables are missing or out of date):

- `incident_facts`: one row per incident with the incident's own columns, `local_at` (UK clock
  time) and `risks` (its distinct risk types, sorted, as a list);
- `people_facts`: one row per incident and young person, with the incident's columns and risks.

They are caches, never edited and never migrated: dropped and rebuilt from the data tables, so
they hold nothing the data tables do not. A transaction that leaves those three tables as they
were (recording an intervention, say) keeps them: a fingerprint of the three (row counts and a
sum of row hashes, a fraction of a second at a million incidents) says whether anything changed.
`Filters.predicate(alias, risk_list=True)` filters them, risk types through the list, so a
reader's query needs no join:

    p = filters.predicate("i", risk_list=True)
    con.execute(f"SELECT count(DISTINCT person_id) FROM people_facts i WHERE {p.sql}", p.params)
"""

from __future__ import annotations

import duckdb

LOCAL_TIME_ZONE = "Europe/London"
INCIDENT_FACTS = "incident_facts"
PEOPLE_FACTS = "people_facts"
SOURCES = ("incidents", "incident_risks", "incident_people")  # what the derived tables read

BUILD = f"""
CREATE OR REPLACE TABLE {INCIDENT_FACTS} AS
SELECT i.incident_id, i.occurred_at,
       timezone('{LOCAL_TIME_ZONE}', timezone('UTC', i.occurred_at)) AS local_at,
       i.ward_code, i.context_id, i.lat, i.lon, i.location_type, i.source_agency, i.severity,
       coalesce(r.risks, []::VARCHAR[]) AS risks
FROM incidents i
LEFT JOIN (SELECT incident_id, list_sort(list_distinct(list(risk_type))) AS risks
           FROM incident_risks GROUP BY incident_id) r USING (incident_id);

CREATE OR REPLACE TABLE {PEOPLE_FACTS} AS
SELECT f.occurred_at, f.local_at, f.incident_id, p.person_id, f.ward_code, f.context_id,
       f.location_type, f.source_agency, f.risks
FROM incident_people p JOIN {INCIDENT_FACTS} f USING (incident_id);
"""
# Row counts and the sum of every row's hash, for each table the derived ones read.
FINGERPRINT = "SELECT " + " || ':' || ".join(
    f"(SELECT count(*) || '/' || coalesce(sum(hash(t)), 0) FROM {table} t)" for table in SOURCES)


def refresh(cur: duckdb.DuckDBPyConnection) -> bool:
    """Bring the derived tables up to date inside the caller's transaction (the data version
    already moved); True if they were rebuilt, False if their sources had not changed."""
    cur.execute("SET enable_progress_bar = false")  # a long rebuild must not draw on stdout
    fingerprint = cur.execute(FINGERPRINT).fetchone()[0]
    rebuild = _built_from(cur) != fingerprint
    if rebuild:
        cur.execute(BUILD)
    cur.execute("CREATE OR REPLACE TABLE derived_version AS "
                "SELECT version, $f::VARCHAR AS fingerprint FROM data_version", {"f": fingerprint})
    return rebuild


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when the derived tables exist and were brought up to date at the current version."""
    if not _exists(cur):
        return False
    row = cur.execute("SELECT (SELECT max(version) FROM derived_version) = "
                      "(SELECT version FROM data_version)").fetchone()
    return bool(row[0])


def _exists(cur: duckdb.DuckDBPyConnection) -> bool:
    present = {name for (name,) in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    return {INCIDENT_FACTS, PEOPLE_FACTS, "derived_version"} <= present


def _built_from(cur: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the data the derived tables were last built from, if they exist."""
    if not _exists(cur) or not cur.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = 'derived_version' AND column_name = 'fingerprint'").fetchone()[0]:
        return None
    row = cur.execute("SELECT max(fingerprint) FROM derived_version").fetchone()
    return row[0] if row else None
