"""Which extract owns each row, and how a load is written and taken back out exactly.

Most tables carry an `extract_id` column. Geography (wards, LSOAs) keeps the schema every other
module writes to, so its owner is recorded beside it in `area_lineage` (table, code, extract).
A load that replaces or updates existing rows first copies them, as JSON with their owner, into
`replaced_rows`; rolling that load back deletes its rows and puts the copies back, so the tables
are exactly as they were. Rows with no owner at all belong to the fictional demo borough.
All of this runs inside the caller's transaction.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from analytics.store.store import quote_identifier

# Every table whose rows belong to an extract; children before parents for readability only.
DATA_TABLES = ("incident_risks", "incident_people", "incidents", "interventions", "contexts",
               "young_people", "area_crime", "residents", "lsoa", "wards")
ALLOWED_TABLES = frozenset(DATA_TABLES)
# What each table's rows are, in the words a confirmation uses ("removes 1,204 incidents"):
# (one row, several rows).
TABLE_WORDS = {
    "incidents": ("incident", "incidents"),
    "incident_risks": ("risk type given to an incident", "risk types given to incidents"),
    "incident_people": ("link from an incident to a young person",
                        "links from incidents to young people"),
    "young_people": ("young person (a pseudonymous id)", "young people (pseudonymous ids)"),
    "contexts": ("place", "places"), "interventions": ("intervention", "interventions"),
    "area_crime": ("police.uk record", "police.uk records"),
    "residents": ("count of residents in a ward or LSOA", "counts of residents in wards or LSOAs"),
    "lsoa": ("LSOA", "LSOAs"),
    "wards": ("ward", "wards"),
}
GEOGRAPHY = {"wards": "ward_code", "lsoa": "lsoa_code"}  # owned through area_lineage
# Parent and child tables whose repeats within one cell ('cse; cse') collapse on insert.
DISTINCT_TABLES = frozenset({"incident_risks", "incident_people"})


class LineageError(ValueError):
    """A rollback that would leave other loads pointing at rows that are gone."""


def _name(table: str) -> str:
    return quote_identifier(table, ALLOWED_TABLES)


def _key(table: str) -> str:
    return quote_identifier(GEOGRAPHY[table], frozenset(GEOGRAPHY.values()))


def owned_by(table: str, demo: bool = False) -> str:
    """SQL condition for the rows of `table` that extract $x owns (and, for the demo, no one)."""
    if table in GEOGRAPHY:
        codes = "SELECT code FROM area_lineage WHERE table_name = '" + table + "'"
        mine = f"{_key(table)} IN ({codes} AND extract_id = $x)"
        return f"({mine} OR {_key(table)} NOT IN ({codes}))" if demo else mine
    return "(extract_id = $x OR extract_id IS NULL)" if demo else "extract_id = $x"


def write_table(cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                extract_id: int, *, replace: bool = False, merge: bool = False) -> None:
    """Insert a staged frame as extract `extract_id`'s rows.

    replace: the table's current rows are archived and removed first (ward boundaries).
    merge: rows with the same key are updated, this frame's columns winning (LSOA files).
    """
    name = _name(table)
    cur.register("staged_rows", frame)
    if replace:
        _archive(cur, table, extract_id, "TRUE")
        cur.execute(f"DELETE FROM {name}")
        cur.execute("DELETE FROM area_lineage WHERE table_name = $t", {"t": table})
    if merge:
        _merge(cur, table, list(frame.columns), extract_id)
    elif table in GEOGRAPHY:
        cur.execute(f"INSERT INTO {name} BY NAME SELECT * FROM staged_rows")
    else:
        distinct = "DISTINCT " if table in DISTINCT_TABLES else ""
        cur.execute(f"INSERT INTO {name} BY NAME SELECT {distinct}*, $x AS extract_id "
                    "FROM staged_rows", {"x": extract_id})
    if table in GEOGRAPHY:
        key = _key(table)
        cur.execute(f"DELETE FROM area_lineage WHERE table_name = $t AND code IN "
                    f"(SELECT {key} FROM staged_rows)", {"t": table})
        cur.execute(f"INSERT INTO area_lineage SELECT DISTINCT $t, {key}, $x FROM staged_rows",
                    {"t": table, "x": extract_id})
    if table == "incident_people":  # new young people, pseudonymous ids only
        cur.execute("INSERT INTO young_people (person_id, extract_id) SELECT DISTINCT "
                    "person_id, $x FROM staged_rows WHERE person_id NOT IN "
                    "(SELECT person_id FROM young_people)", {"x": extract_id})
    cur.unregister("staged_rows")


def _archive(cur: duckdb.DuckDBPyConnection, table: str, extract_id: int, where: str) -> None:
    """Copy the rows a load replaces, with their owner as `_extract_id`, to restore them later."""
    key = _key(table)
    cur.execute(
        f"INSERT INTO replaced_rows SELECT $x, $t, json_merge_patch(to_json(r), "
        f"json_object('_extract_id', l.extract_id))::VARCHAR FROM {_name(table)} r "
        f"LEFT JOIN area_lineage l ON l.table_name = $t AND l.code = r.{key} WHERE {where}",
        {"x": extract_id, "t": table})


def _merge(cur: duckdb.DuckDBPyConnection, table: str, columns: list[str], extract_id: int) -> None:
    """Update rows by key: the staged frame's columns win, the others keep their values."""
    name, key = _name(table), _key(table)
    all_columns = [r[0] for r in cur.execute(f"DESCRIBE {name}").fetchall()]
    allowed = frozenset(all_columns)
    _archive(cur, table, extract_id, f"r.{key} IN (SELECT {key} FROM staged_rows)")
    pick = ", ".join(f"{'s' if c in columns else 'e'}.{quote_identifier(c, allowed)}"
                     for c in all_columns)
    cur.execute(f"CREATE TEMP TABLE merged_rows AS SELECT {pick} FROM staged_rows s "
                f"LEFT JOIN {name} e USING ({key})")
    cur.execute(f"DELETE FROM {name} WHERE {key} IN (SELECT {key} FROM staged_rows)")
    cur.execute(f"INSERT INTO {name} SELECT * FROM merged_rows")
    cur.execute("DROP TABLE merged_rows")


def remove(cur: duckdb.DuckDBPyConnection, extract_id: int,
           demo: bool) -> tuple[dict[str, int], dict[str, int]]:
    """Delete every row the extract owns and restore what it replaced: the rows removed and the
    rows put back, per table."""
    params = {"x": extract_id}
    # young people this extract created but another extract's incidents still name move there
    cur.execute(f"UPDATE young_people y SET extract_id = (SELECT min(p.extract_id) FROM "
                f"incident_people p WHERE p.person_id = y.person_id AND p.extract_id <> $x) "
                f"WHERE {owned_by('young_people', demo).replace('extract_id', 'y.extract_id')} "
                "AND EXISTS (SELECT 1 FROM incident_people p WHERE p.person_id = y.person_id "
                "AND p.extract_id <> $x)", params)
    removed = {}
    for table in DATA_TABLES:
        removed[table] = int(cur.execute(f"DELETE FROM {_name(table)} WHERE "
                                         f"{owned_by(table, demo)}", params).fetchone()[0])
    cur.execute("DELETE FROM area_lineage WHERE extract_id = $x", params)
    restored = _restore(cur, extract_id)
    if demo:  # the demo's rows that a later load archived must never come back
        cur.execute("DELETE FROM replaced_rows WHERE coalesce(json_extract_string(row_json, "
                    "'$._extract_id')::INTEGER, $x) = $x", params)
    return removed, restored


def _restore(cur: duckdb.DuckDBPyConnection, extract_id: int) -> dict[str, int]:
    """Put back the rows an extract replaced, exactly as they were, with their owners; returns
    how many rows each table got back."""
    archived = cur.execute("SELECT table_name, row_json FROM replaced_rows WHERE replaced_by = $x",
                           {"x": extract_id}).fetchall()
    by_table: dict[str, list[dict]] = {}
    for table, text in archived:
        by_table.setdefault(table, []).append(json.loads(text))
    for table, rows in by_table.items():
        types = dict(cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = $t ORDER BY ordinal_position",
                                 {"t": table}).fetchall())
        cur.register("restored_rows", pd.DataFrame(rows, columns=list(types)))
        cols = ", ".join(f"CAST({quote_identifier(c, frozenset(types))} AS {types[c]})"
                         for c in types)
        cur.execute(f"INSERT INTO {_name(table)} SELECT {cols} FROM restored_rows")
        cur.unregister("restored_rows")
        owners = pd.DataFrame([(table, r[GEOGRAPHY[table]], r["_extract_id"]) for r in rows
                               if r.get("_extract_id") is not None],
                              columns=["table_name", "code", "extract_id"])
        if not owners.empty:
            cur.register("restored_owners", owners)
            cur.execute("INSERT INTO area_lineage SELECT * FROM restored_owners")
            cur.unregister("restored_owners")
    cur.execute("DELETE FROM replaced_rows WHERE replaced_by = $x", {"x": extract_id})
    return {table: len(rows) for table, rows in by_table.items()}


def check_dependants(cur: duckdb.DuckDBPyConnection, extract_id: int) -> None:
    """Refuse (LineageError) a rollback that would leave another load pointing at lost rows."""
    params = {"x": extract_id}
    later = cur.execute(
        "SELECT DISTINCT r.replaced_by FROM replaced_rows r JOIN extracts e ON "
        "e.extract_id = r.replaced_by WHERE e.status = 'loaded' AND r.replaced_by <> $x AND "
        "json_extract_string(r.row_json, '$._extract_id')::INTEGER = $x ORDER BY 1",
        params).fetchall()
    if later:
        raise LineageError(f"Extract {names(cur, later)} replaced rows that extract "
                           f"{extract_id} loaded; roll that back first.")
    users = cur.execute(
        "SELECT DISTINCT extract_id FROM (SELECT extract_id, context_id FROM incidents UNION ALL "
        "SELECT extract_id, context_id FROM interventions) WHERE extract_id <> $x AND context_id "
        "IN (SELECT context_id FROM contexts WHERE extract_id = $x) ORDER BY 1",
        params).fetchall()
    if users:
        raise LineageError(f"Extract {names(cur, users)} refers to places in extract "
                           f"{extract_id}; roll that back first.")
    placed = cur.execute(
        "WITH gone AS (SELECT code FROM area_lineage WHERE table_name = 'wards' AND extract_id = "
        "$x EXCEPT SELECT json_extract_string(row_json, '$.ward_code') FROM replaced_rows WHERE "
        "replaced_by = $x AND table_name = 'wards'), lsoa_owned AS (SELECT l.ward_code, "
        "a.extract_id FROM lsoa l JOIN area_lineage a ON a.table_name = 'lsoa' AND a.code = "
        "l.lsoa_code) SELECT DISTINCT extract_id FROM (SELECT extract_id, ward_code FROM incidents "
        "UNION ALL SELECT extract_id, ward_code FROM contexts UNION ALL SELECT extract_id, "
        "ward_code FROM interventions UNION ALL SELECT extract_id, ward_code FROM area_crime "
        "UNION ALL SELECT extract_id, ward_code FROM lsoa_owned) WHERE extract_id <> $x AND "
        "ward_code IN (SELECT code FROM gone) ORDER BY 1", params).fetchall()
    if placed:
        raise LineageError(f"Extract {names(cur, placed)} placed rows in the wards of extract "
                           f"{extract_id}; roll that back first.")


def names(cur: duckdb.DuckDBPyConnection, ids: list[tuple[int]]) -> str:
    """'7 (crime-2024-01.csv), 8 (...)' for messages."""
    rows = cur.execute("SELECT extract_id, file_name FROM extracts WHERE list_contains($ids, "
                       "extract_id) ORDER BY 1", {"ids": [i for (i,) in ids]}).fetchall()
    return ", ".join(f"{i} ({f})" for i, f in rows)
