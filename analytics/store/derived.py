"""Analysis tables derived from the data at every committed load: joins and conversions done once
per data version instead of once per query.

Almost every analysis filters incidents and then joins their risk types or their young people,
and many convert times to UK clock time. At a million incidents those string-keyed joins and
time-zone conversions were most of every page's time (0.1 to 0.2 s of CPU each, several per
page). So the store keeps these tables, rebuilt inside the same transaction as every load that
changes what they read (and on opening a database whose tables are missing, out of date, or
built by another version of BUILD):

- `incident_facts`: one row per incident with the incident's own columns, `local_at` (UK clock
  time), `risks` (its distinct risk types, sorted, as a list) and `risk_bits` (the same as the
  bits of `risk_codes`, one a code: a risk-type filter is then one AND a row, where finding
  codes in a list cost 15 to 40 ms a query at a million incidents; NULL for a row with a code
  past the 64th, whose list is read instead);
- `people_facts`: one row per incident and young person (a person linked to an incident twice,
  in two roles or by two loads, is one row), with the incident's columns and risks, and
  `person_no`, the young person as a number (the same in all their rows of one build): young
  people are counted and grouped by it, which takes about half the time of their text ids
  (distinct young people in 24 months at a million incidents, 17 to 8 ms); and `incident_no`,
  the incident as a number (its row in `incident_facts` as this build made it: compare it only
  with other rows of `people_facts`), on which the peer groups pair young people (the
  self-join at 24 months, 115 to 80 ms);
- `risk_codes`: every risk type code in `incident_facts`, in order, with its bit (0, 1, ...).

They are caches, never edited and never migrated: dropped and rebuilt from the data tables, so
they hold nothing the data tables do not. A transaction that leaves their sources as they were
(recording an intervention, say) keeps them: a fingerprint of the sources (row counts and a sum
of row hashes, a fraction of a second at a million incidents) says whether anything changed.
`Filters.predicate(alias, risk_list=True)` filters them, risk types through the list, so a
reader's query needs no join:

    p = filters.predicate("i", risk_list=True)
    con.execute(f"SELECT count(DISTINCT person_no) FROM people_facts i WHERE {p.sql}", p.params)

**Sources (issue 17).** police.uk street crime and stop and search are sources every analysis
runs on, so `incident_facts` holds them too, in the same shape, each row marked with its
`source` (analytics/store/sources.py) and selected by the filters' source like any other filter:

- a crime or a search is a row with a date (the month's first day for street crime, which
  police.uk publishes by month; `local_at` is NULL because there is no time of day), a ward and
  LSOA (the loaded boundaries containing its point, worked out here for each distinct point, so
  the order files were loaded in never matters), a place (`context_id`: its anonymised
  location), and its crime type or object of search as its one "risk type" (a code, see
  sources.code_of); `outcome` is the last outcome or the search's outcome, as a code;
- a search of a child (police.uk's "under 10" and "10-17") is there twice: once among all
  searches and once as `stop_search_children`, the source that is about children;
- rows outside the loaded wards (police.uk files reach into neighbouring areas) and rows with no
  location are not the area's, and are left out; with no ward boundaries at all, every row with
  a point is kept.

`place_facts` is every place a row can be at: the contexts register and police.uk's locations
("On or near Bishopsgate", one place per name in each ward, at the middle of its points), with
a context type read from the name where police.uk gives one (sources.PLACE_TYPES), and the
`kinds` of rows found there (sources.place_kind), so a location of searches alone is never
counted among street crime's places. Analyses name places from it instead of from `contexts`.

**The demo and real boundaries.** Once ward boundaries from a real load are in, the fictional
demo borough's rows (its extract is listed in `hidden_extracts`) are left out of every derived
table, so no page is ever half on the demo's wards and half on the real ones, even before the
analyst rolls the demo back.
"""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np
import pandas as pd

from analytics.store import geo
from analytics.store.sources import (
    CHILD_AGE_RANGES,
    CHILD_SEARCH,
    NO_NAME,
    PLACE_TYPES,
    SEARCH,
    STREET,
)

LOCAL_TIME_ZONE = "Europe/London"
INCIDENT_FACTS = "incident_facts"
PEOPLE_FACTS = "people_facts"
PLACE_FACTS = "place_facts"
RISK_CODES = "risk_codes"
DERIVED = (INCIDENT_FACTS, PEOPLE_FACTS, PLACE_FACTS, RISK_CODES, "police_points",
           "hidden_extracts")
# What the derived tables read.
SOURCES = ("incidents", "incident_risks", "incident_people", "contexts", "area_crime", "wards",
           "lsoa", "area_lineage", "extracts")


def code_sql(expr: str) -> str:
    """SQL for sources.code_of of a text column (a fixed expression written in code)."""
    return (f"coalesce(nullif(trim(regexp_replace(lower(trim({expr})), '[^a-z0-9]+', '-', 'g'), "
            f"'-'), ''), 'not-stated')")


def _place_type(expr: str) -> str:
    """SQL for the context type a police.uk location's name says (sources.PLACE_TYPES)."""
    what = f"lower(regexp_replace({expr}, '^On or near ', ''))"
    cases = " ".join(f"WHEN '{needle}' THEN '{kind}'" for needle, kind in PLACE_TYPES.items())
    return f"CASE WHEN {expr} IS NULL THEN 'other' ELSE CASE {what} {cases} ELSE 'street' END END"


_LOCAL = f"timezone('{LOCAL_TIME_ZONE}', timezone('UTC', {{}}))"
# A row's risk types as bits (bit i: the risk_codes row with bit i), or NULL when one of them has
# no bit (past the 64 an integer holds), so that its list is read instead (Filters.predicate).
_RISK_BITS = ("CASE WHEN len(list_filter(f.risks, lambda x: list_position(c.codes, x) IS NULL)) > 0 "
              "THEN NULL ELSE coalesce(list_aggregate(list_transform(f.risks, lambda x: "
              "1::UBIGINT << (list_position(c.codes, x) - 1)::UBIGINT), 'bit_or'), 0::UBIGINT) END")
BUILD = f"""
CREATE OR REPLACE TABLE hidden_extracts AS
SELECT extract_id FROM extracts
WHERE kind = 'demo' AND status = 'loaded' AND EXISTS (
    SELECT 1 FROM area_lineage l JOIN extracts e USING (extract_id)
    WHERE l.table_name = 'wards' AND e.kind <> 'demo' AND e.status = 'loaded');

CREATE OR REPLACE TEMP TABLE police_rows AS
WITH named AS (
    SELECT lat, lon, mode(location) AS location FROM area_crime
    WHERE lat IS NOT NULL AND location IS NOT NULL AND location <> 'No Location'
    GROUP BY lat, lon),
placed AS (
    SELECT a.rowid AS row_id, a.*, p.ward_code AS area_ward, p.lsoa_code AS area_lsoa,
           n.location AS place_name
    FROM area_crime a
    JOIN police_points p ON p.lat = a.lat AND p.lon = a.lon
    LEFT JOIN named n ON n.lat = a.lat AND n.lon = a.lon
    WHERE p.ward_code IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM wards WHERE geometry_geojson IS NOT NULL))
SELECT *, 'L' || substr(md5(coalesce(place_name, lat::VARCHAR || ',' || lon::VARCHAR) || '|'
                            || coalesce(area_ward, '')), 1, 12) AS place_id
FROM placed;

CREATE OR REPLACE TABLE {PLACE_FACTS} AS
SELECT c.context_id, c.name, c.context_type, c.ward_code, c.lat, c.lon, 'incidents' AS source,
       ['incidents'] AS kinds
FROM contexts c
WHERE c.extract_id IS NULL OR c.extract_id NOT IN (SELECT extract_id FROM hidden_extracts)
UNION ALL
SELECT place_id, any_value(coalesce(place_name, '{NO_NAME} at ' || round(lat, 4)::VARCHAR || ', '
                                    || round(lon, 4)::VARCHAR)),
       any_value({_place_type('place_name')}), any_value(area_ward), avg(lat), avg(lon), 'police',
       list_sort(list(DISTINCT kind))
FROM (SELECT DISTINCT place_id, place_name, area_ward, lat, lon, kind FROM police_rows)
GROUP BY place_id;

CREATE OR REPLACE TEMP TABLE incident_rows AS
SELECT i.incident_id, i.occurred_at, {_LOCAL.format('i.occurred_at')} AS local_at,
       i.ward_code, i.context_id, i.lat, i.lon, i.location_type, i.source_agency, i.severity,
       coalesce(r.risks, []::VARCHAR[]) AS risks, 'incidents' AS source, i.lsoa_code, i.outcome
FROM incidents i
LEFT JOIN (SELECT incident_id, list_sort(list_distinct(list(risk_type))) AS risks
           FROM incident_risks GROUP BY incident_id) r USING (incident_id)
WHERE i.extract_id IS NULL OR i.extract_id NOT IN (SELECT extract_id FROM hidden_extracts)
UNION ALL
SELECT r.kind || '-' || r.row_id::VARCHAR, coalesce(r.occurred_at, r.month::TIMESTAMP),
       CASE WHEN r.occurred_at IS NOT NULL THEN {_LOCAL.format('r.occurred_at')} END,
       r.area_ward, r.place_id, r.lat, r.lon, place.context_type, NULL, NULL,
       [{code_sql('r.crime_type')}], s.source, coalesce(r.area_lsoa, r.lsoa_code),
       {code_sql('r.last_outcome')}
FROM police_rows r
JOIN {PLACE_FACTS} place ON place.context_id = r.place_id
JOIN (VALUES ('street', '{STREET}', FALSE), ('stop_search', '{SEARCH}', FALSE),
             ('stop_search', '{CHILD_SEARCH}', TRUE)) s(kind, source, children)
  ON s.kind = r.kind AND (NOT s.children OR list_contains({list(CHILD_AGE_RANGES)}, r.age_range));

CREATE OR REPLACE TABLE {RISK_CODES} AS
SELECT code, (row_number() OVER (ORDER BY code) - 1)::INTEGER AS bit
FROM (SELECT DISTINCT unnest(risks) AS code FROM incident_rows);

CREATE OR REPLACE TABLE {INCIDENT_FACTS} AS
SELECT f.*, {_RISK_BITS} AS risk_bits
FROM incident_rows f,
     (SELECT coalesce(list(code ORDER BY bit), []::VARCHAR[]) AS codes FROM {RISK_CODES}
      WHERE bit < 64) c;

CREATE OR REPLACE TABLE {PEOPLE_FACTS} AS
SELECT f.occurred_at, f.local_at, f.incident_id, f.rowid AS incident_no, p.person_id,
       n.person_no, f.ward_code,
       f.context_id, f.location_type, f.source_agency, f.risks, f.risk_bits, f.source,
       f.lsoa_code, f.outcome
FROM (SELECT DISTINCT incident_id, person_id FROM incident_people) p
JOIN (SELECT person_id, (row_number() OVER (ORDER BY person_id))::INTEGER AS person_no
      FROM (SELECT DISTINCT person_id FROM incident_people)) n USING (person_id)
JOIN {INCIDENT_FACTS} f USING (incident_id)
WHERE f.source = 'incidents';

DROP TABLE police_rows;
DROP TABLE incident_rows;
"""
# Row counts and the sum of every row's hash, for each table the derived ones read, and which
# BUILD made them (a database made by another version of this module is rebuilt on opening).
BUILD_ID = hashlib.sha256(BUILD.encode()).hexdigest()[:12]
FINGERPRINT = "SELECT " + " || ':' || ".join(
    f"(SELECT count(*) || '/' || coalesce(sum(hash(t)), 0) FROM {table} t)" for table in SOURCES
) + f" || '#{BUILD_ID}'"


def refresh(cur: duckdb.DuckDBPyConnection) -> bool:
    """Bring the derived tables up to date inside the caller's transaction (the data version
    already moved); True if they were rebuilt, False if their sources had not changed."""
    cur.execute("SET enable_progress_bar = false")  # a long rebuild must not draw on stdout
    fingerprint = cur.execute(FINGERPRINT).fetchone()[0]
    rebuild = _built_from(cur) != fingerprint
    if rebuild:
        _place_points(cur)
        cur.execute(BUILD)
    cur.execute("CREATE OR REPLACE TABLE derived_version AS "
                "SELECT version, $f::VARCHAR AS fingerprint FROM data_version", {"f": fingerprint})
    return rebuild


def is_current(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when the derived tables exist and were brought up to date at the current version,
    by this BUILD."""
    built = _built_from(cur)
    if built is None or not built.endswith(f"#{BUILD_ID}"):
        return False
    row = cur.execute("SELECT (SELECT max(version) FROM derived_version) = "
                      "(SELECT version FROM data_version)").fetchone()
    return bool(row[0])


def _exists(cur: duckdb.DuckDBPyConnection) -> bool:
    present = {name for (name,) in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    return {*DERIVED, "derived_version"} <= present


def _built_from(cur: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the data the derived tables were last built from, if they exist."""
    if not _exists(cur) or not cur.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = 'derived_version' AND column_name = 'fingerprint'").fetchone()[0]:
        return None
    row = cur.execute("SELECT max(fingerprint) FROM derived_version").fetchone()
    return row[0] if row else None


def _place_points(cur: duckdb.DuckDBPyConnection) -> None:
    """`police_points`: the ward and LSOA of every distinct police.uk point, from the loaded
    boundaries (a few hundred points a borough, so a point-in-polygon pass costs little)."""
    points = cur.execute("SELECT DISTINCT lat, lon FROM area_crime "
                         "WHERE lat IS NOT NULL AND lon IS NOT NULL").df()
    lon, lat = points["lon"].to_numpy(float), points["lat"].to_numpy(float)
    frame = pd.DataFrame({
        "lat": points["lat"], "lon": points["lon"],
        "ward_code": pd.Series(geo.ward_index(cur).assign(lon, lat), dtype="object"),
        "lsoa_code": pd.Series(geo.lsoa_index(cur).assign(lon, lat), dtype="object"),
    })
    frame = frame.replace({np.nan: None})
    cur.register("placed_points", frame)
    cur.execute("CREATE OR REPLACE TABLE police_points (lat DOUBLE, lon DOUBLE, "
                "ward_code VARCHAR, lsoa_code VARCHAR)")
    cur.execute("INSERT INTO police_points SELECT * FROM placed_points")
    cur.unregister("placed_points")
