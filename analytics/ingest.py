"""File -> checked rows -> one transaction; every load an extract that can be rolled back.

1. `read(store, data, file_name, kind, mapping)` decodes and checks a file and returns a `Staged`
   (rows to load, row notes, counts, messages, or a plain error). Nothing is written.
2. `commit(store, staged, uploaded_by)` writes every valid row of one or several files, their row
   notes and their extract records in ONE transaction (the data version moves, so every cached
   page refreshes), or raises `IngestError` and changes nothing.
3. `rollback(store, extract_id)` removes exactly that extract's rows from every table (restoring
   any rows it replaced) in one transaction and marks it 'rolled back'.

    >>> from analytics.store import Store
    >>> s = Store()
    >>> staged = read(s, b"context_id,name,context_type\\nC1,Alder Park,park\\n", "places.csv")
    >>> staged.kind, staged.counts.valid
    ('contexts', 1)
    >>> [extract_id] = commit(s, [staged], "analyst")
    >>> rollback(s, extract_id)["contexts"]
    1
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pandas as pd

from analytics import boundaries, mapping, police, readers
from analytics.exports import safe_csv
from analytics.geo import GeometryError, lsoa_wards, ward_index
from analytics.mapping import Mapping
from analytics.readers import ReadError
from analytics.records import stage_records
from analytics.staging import Counts, Staged, sample_rows

__all__ = ["Counts", "IngestError", "Staged", "commit", "read", "rollback"]
from analytics.store import Store, quote_identifier

KINDS: dict[str, str] = {
    "incidents": "Incidents",
    "contexts": "Contexts register",
    "interventions": "Interventions",
    "street": "police.uk street crime",
    "stop_search": "police.uk stop and search",
    "wards": "Ward boundaries",
    "lsoa": "LSOA boundaries",
    "lsoa_lookup": "LSOA-to-ward lookup",
    "imd": "Deprivation (IMD) by LSOA",
    "demo": "Fictional demo borough",
}
UPLOAD_KINDS = tuple(k for k in KINDS if k != "demo")
GEOGRAPHY_KINDS = frozenset({"wards", "lsoa", "lsoa_lookup"})
# Every table whose rows belong to an extract (rollback removes them by extract_id).
DATA_TABLES = ("incident_risks", "incident_people", "incidents", "interventions", "contexts",
               "young_people", "area_crime", "lsoa", "wards")
ALLOWED_TABLES = frozenset(DATA_TABLES)
STATUS_LOADED, STATUS_ROLLED_BACK = "loaded", "rolled back"


class IngestError(ValueError):
    """A load or rollback that cannot go ahead; the message says why and what to do."""


def sha256(data: bytes) -> str:
    """The file's SHA-256, which recognises the same file loaded twice."""
    return hashlib.sha256(data).hexdigest()


def detect_kind(file_name: str, header: tuple[str, ...] = (),
                features: list[dict] | None = None) -> str | None:
    """The kind of extract a header or GeoJSON holds, if it is one we recognise."""
    if features is not None:
        return boundaries.geojson_kind(features)
    if police.is_street(header):
        return "street"
    if police.is_stop_search(header):
        return "stop_search"
    for kind in mapping.TABLE_KINDS:
        if not mapping.missing_required(mapping.auto_mapping(kind, header)):
            return kind
    return boundaries.table_kind(header)


def read(store: Store, data: bytes, file_name: str, kind: str | None = None,
         chosen: Mapping | None = None, sheet: str | None = None,
         limit_mb: float = readers.MAX_FILE_MB) -> Staged:
    """Decode and check one file against the current data; never writes. Errors come back in
    `Staged.error` as a message naming the file (and, for rows, row and column)."""
    digest = sha256(data)
    con = store.cursor()
    version = store.data_version()
    previous = _previous(con, digest)
    base = {"file_name": file_name, "sha256": digest, "data_version": version,
            "previous": previous, "sheet": sheet}
    header: tuple[str, ...] = ()
    sample, used = pd.DataFrame(), None
    try:
        readers.check_bytes(file_name, data, limit_mb)
        if readers.file_format(file_name) == "geojson":
            features = readers.read_geojson(file_name, data, limit_mb)
            kind = kind or detect_kind(file_name, features=features)
            if kind not in ("wards", "lsoa"):
                raise ReadError(f"{file_name} is GeoJSON, but its properties name neither wards "
                                "(WDyyCD) nor LSOAs (LSOAyyCD).")
            tables, notes, counts, messages = boundaries.stage_geojson(con, file_name, features,
                                                                       kind)
            replaces = ("wards",) if kind == "wards" else ()
            return Staged(kind=kind, tables=tables, notes=notes, counts=counts,
                          messages=messages, replaces=replaces,
                          merges=(("lsoa", "lsoa_code"),) if kind == "lsoa" else (), **base)
        raw = readers.read_table(file_name, data, sheet, limit_mb)
        header, sample = raw.header, sample_rows(raw)
        kind = kind or (chosen.kind if chosen else None) or detect_kind(file_name, header)
        if kind is None:
            raise ReadError(f"{file_name}: we could not tell what this file holds from its "
                            "columns. Choose its kind and map its columns.")
        if kind in ("wards", "lsoa"):
            raise ReadError(f"{file_name}: boundaries must be GeoJSON files (.geojson).")
        unknown: dict[str, tuple[str, ...]] = {}
        if kind in ("street", "stop_search"):
            tables, notes, counts, messages = police.stage_police(
                raw, kind, ward_index(con), lsoa_wards(con))
        elif kind in ("lsoa_lookup", "imd"):
            tables, notes, counts, messages = boundaries.stage_lsoa_table(con, raw, kind)
        else:
            used = chosen if chosen and chosen.kind == kind else _default_mapping(con, kind,
                                                                                   header)
            tables, notes, counts, messages, unknown = stage_records(con, raw, used,
                                                                     ward_index(con))
        merges = (("lsoa", "lsoa_code"),) if kind in ("lsoa_lookup", "imd") else ()
        return Staged(kind=kind, tables=tables, notes=notes, counts=counts,
                      messages=raw.notes + messages + _reading_notes(raw), header=header,
                      mapping=used, unknown_codes=tuple(unknown.items()), sample=sample,
                      merges=merges, **base)
    except (ReadError, GeometryError) as err:
        return Staged(kind=kind or "unknown", error=str(err), header=header, sample=sample,
                      mapping=used, **base)


def _default_mapping(con: duckdb.DuckDBPyConnection, kind: str, header: tuple[str, ...]) -> Mapping:
    """A saved profile for this exact header, else the automatic mapping."""
    found = mapping.find_profile(con, header)
    if found and found[1].kind == kind:
        return found[1]
    return mapping.auto_mapping(kind, header)


def _reading_notes(raw: readers.RawTable) -> tuple[str, ...]:
    """What we noticed while reading: encoding, separator, blank rows, ignored duplicate headers."""
    notes = []
    if raw.encoding == "Windows-1252":
        notes.append("Read as Windows-1252 text (not UTF-8); accented letters were kept.")
    if raw.blank_rows:
        notes.append(f"{raw.blank_rows:,} blank rows were skipped.")
    for name, positions in readers.duplicate_headers(raw.header).items():
        notes.append(f"The header names '{name}' more than once (columns "
                     f"{', '.join(map(str, positions))}); those columns were not used.")
    return tuple(notes)


def _previous(con: duckdb.DuckDBPyConnection, digest: str) -> tuple[int, str, str] | None:
    """The latest extract of the same file: (id, status, when), if it was ever loaded."""
    row = con.execute("SELECT extract_id, status, strftime(uploaded_at, '%d/%m/%Y %H:%M') "
                      "FROM extracts WHERE sha256 = $s ORDER BY extract_id DESC LIMIT 1",
                      {"s": digest}).fetchone()
    return tuple(row) if row else None


def check_batch(staged: Sequence[Staged]) -> None:
    """Refuse a batch that cannot be committed, with the reason (before touching the store)."""
    if not staged:
        raise IngestError("Nothing to load: add a file first.")
    for s in staged:
        if not s.ok:
            raise IngestError(f"{s.file_name} cannot be loaded: {s.error}")
        if s.previous and s.previous[1] == STATUS_LOADED:
            raise IngestError(f"{s.file_name} is already loaded (extract {s.previous[0]}, "
                              f"{s.previous[2]}). Roll that extract back to load it again.")
        if not s.counts.valid:
            raise IngestError(f"{s.file_name}: none of its {s.counts.read:,} rows can be loaded; "
                              "fix the problems listed and check it again.")
    digests = [s.sha256 for s in staged]
    if len(set(digests)) < len(digests):
        raise IngestError("The same file is in this batch twice; remove one copy.")
    kinds = {s.kind for s in staged}
    if kinds & GEOGRAPHY_KINDS and kinds - GEOGRAPHY_KINDS:
        raise IngestError("Load boundaries and lookups on their own first, then the other "
                          "files, so their rows are placed in the new wards.")


def commit(store: Store, staged: Sequence[Staged], uploaded_by: str) -> list[int]:
    """Write every file's valid rows, row notes and extract record in one transaction."""
    check_batch(staged)
    who = uploaded_by.strip()
    if not who:
        raise IngestError("Say who is loading the files (your name or initials).")
    ids = []
    try:
        with store.transaction() as cur:
            version = cur.execute("SELECT version FROM data_version").fetchone()[0]
            if any(s.data_version != version for s in staged):
                raise IngestError("The data changed since these files were checked (another load "
                                  "or a rollback). They have been checked again: review the "
                                  "summary and confirm again.")
            for s in staged:
                ids.append(_write(cur, s, who))
    except duckdb.ConstraintException as err:
        raise IngestError("Two of these files hold the same id, so neither was loaded: "
                          f"{str(err).splitlines()[0][:200]}") from None
    return ids


def _write(cur: duckdb.DuckDBPyConnection, s: Staged, who: str) -> int:
    """Insert one staged file under a new extract id (inside the caller's transaction)."""
    extract_id = cur.execute("SELECT coalesce(max(extract_id), 0) + 1 FROM extracts").fetchone()[0]
    c = s.counts
    cur.execute(
        "INSERT INTO extracts (extract_id, kind, file_name, sha256, uploaded_by, uploaded_at, "
        "rows_read, rows_loaded, rows_rejected, rows_duplicate, rows_outside, rows_no_location, "
        "notes, status) VALUES ($id, $kind, $file, $sha, $who, $at, $read, $loaded, $rejected, "
        "$dup, $outside, $noloc, $notes, $status)",
        {"id": extract_id, "kind": s.kind, "file": s.file_name, "sha": s.sha256, "who": who,
         "at": datetime.now(UTC).replace(tzinfo=None), "read": c.read, "loaded": c.valid,
         "rejected": c.rejected, "dup": c.duplicate, "outside": c.outside,
         "noloc": c.no_location, "notes": "\n".join(s.messages) or None,
         "status": STATUS_LOADED})
    merges = dict(s.merges)
    for table, frame in s.tables.items():
        name = quote_identifier(table, ALLOWED_TABLES)
        cur.register("staged_rows", frame)
        if table in s.replaces:
            _archive(cur, table, extract_id, "TRUE")
            cur.execute(f"DELETE FROM {name}")
        if table in merges:
            _merge(cur, table, merges[table], list(frame.columns), extract_id)
        else:  # DISTINCT: a cell may list the same risk type or young person twice
            distinct = "DISTINCT " if table in ("incident_risks", "incident_people") else ""
            cur.execute(f"INSERT INTO {name} BY NAME SELECT {distinct}*, $x AS extract_id "
                        "FROM staged_rows", {"x": extract_id})
        if table == "incident_people":
            cur.execute("INSERT INTO young_people (person_id, extract_id) SELECT DISTINCT "
                        "person_id, $x FROM staged_rows WHERE person_id NOT IN "
                        "(SELECT person_id FROM young_people)", {"x": extract_id})
        cur.unregister("staged_rows")
    if not s.notes.empty:
        cur.register("staged_notes", s.notes)
        cur.execute("INSERT INTO rejected_rows (extract_id, row_number, column_name, reason, raw, "
                    "outcome) SELECT $x, row_number, column_name, reason, raw, outcome "
                    "FROM staged_notes", {"x": extract_id})
        cur.unregister("staged_notes")
    return int(extract_id)


def _archive(cur: duckdb.DuckDBPyConnection, table: str, extract_id: int, where: str) -> None:
    """Keep the rows a load replaces, so rolling it back restores them exactly."""
    name = quote_identifier(table, ALLOWED_TABLES)
    cur.execute(f"INSERT INTO replaced_rows SELECT $x, $t, to_json(r)::VARCHAR FROM {name} r "
                f"WHERE {where}", {"x": extract_id, "t": table})


def _merge(cur, table: str, key: str, columns: list[str], extract_id: int) -> None:
    """Update rows by key: this file's columns win, the others keep their current values."""
    name = quote_identifier(table, ALLOWED_TABLES)
    all_columns = [r[0] for r in cur.execute(f"DESCRIBE {name}").fetchall()]
    allowed = frozenset(all_columns)
    k = quote_identifier(key, allowed)
    _archive(cur, table, extract_id, f"{k} IN (SELECT {k} FROM staged_rows)")
    pick = ", ".join(
        f"s.{quote_identifier(c, allowed)}" if c in columns else
        ("$x" if c == "extract_id" else f"e.{quote_identifier(c, allowed)}")
        for c in all_columns)
    cur.execute(f"CREATE TEMP TABLE merged_rows AS SELECT {pick} FROM staged_rows s "
                f"LEFT JOIN {name} e USING ({k})", {"x": extract_id})
    cur.execute(f"DELETE FROM {name} WHERE {k} IN (SELECT {k} FROM staged_rows)")
    cur.execute(f"INSERT INTO {name} SELECT * FROM merged_rows")
    cur.execute("DROP TABLE merged_rows")


def rollback(store: Store, extract_id: int, by: str = "") -> dict[str, int]:
    """Remove exactly one extract's rows from every table; returns rows removed per table."""
    removed: dict[str, int] = {}
    with store.transaction() as cur:
        row = cur.execute("SELECT kind, status, file_name FROM extracts WHERE extract_id = $x",
                          {"x": extract_id}).fetchone()
        if row is None:
            raise IngestError(f"There is no extract {extract_id}.")
        kind, status, file_name = row
        if status != STATUS_LOADED:
            raise IngestError(f"Extract {extract_id} ({file_name}) is already {status}.")
        _check_dependants(cur, extract_id, kind)
        demo = kind == "demo"
        mine = "(extract_id = $x OR extract_id IS NULL)" if demo else "extract_id = $x"
        # people this extract created but other extracts' incidents still name move to them
        cur.execute(f"UPDATE young_people y SET extract_id = (SELECT min(p.extract_id) FROM "
                    f"incident_people p WHERE p.person_id = y.person_id AND p.extract_id <> $x) "
                    f"WHERE {mine.replace('extract_id', 'y.extract_id')} AND EXISTS (SELECT 1 "
                    "FROM incident_people p WHERE p.person_id = y.person_id AND "
                    "p.extract_id <> $x)", {"x": extract_id})
        for table in DATA_TABLES:
            name = quote_identifier(table, ALLOWED_TABLES)
            n = cur.execute(f"DELETE FROM {name} WHERE {mine}", {"x": extract_id}).fetchone()[0]
            removed[table] = int(n)
        _restore(cur, extract_id)
        if demo:  # rows the demo had that a later load replaced must not come back either
            cur.execute("DELETE FROM replaced_rows WHERE json_extract(row_json, '$.extract_id') "
                        "IS NULL OR json_extract(row_json, '$.extract_id')::INTEGER = $x",
                        {"x": extract_id})
        cur.execute("UPDATE extracts SET status = $s, rolled_back_at = $at, rolled_back_by = $by "
                    "WHERE extract_id = $x", {"s": STATUS_ROLLED_BACK, "x": extract_id,
                                              "at": datetime.now(UTC).replace(tzinfo=None),
                                              "by": by or None})
    return removed


def _check_dependants(cur: duckdb.DuckDBPyConnection, extract_id: int, kind: str) -> None:
    """Refuse a rollback that would leave a later load pointing at rows that no longer exist."""
    later = cur.execute(
        "SELECT DISTINCT r.replaced_by FROM replaced_rows r JOIN extracts e ON "
        "e.extract_id = r.replaced_by WHERE e.status = 'loaded' AND r.replaced_by <> $x AND "
        "json_extract(r.row_json, '$.extract_id')::INTEGER = $x ORDER BY 1",
        {"x": extract_id}).fetchall()
    if later:
        raise IngestError(f"Extract {_names(cur, [r[0] for r in later])} replaced rows that "
                          f"extract {extract_id} loaded; roll that back first.")
    users = cur.execute(
        "SELECT DISTINCT extract_id FROM (SELECT extract_id, context_id FROM incidents UNION ALL "
        "SELECT extract_id, context_id FROM interventions) WHERE extract_id <> $x AND context_id "
        "IN (SELECT context_id FROM contexts WHERE extract_id = $x) ORDER BY 1",
        {"x": extract_id}).fetchall()
    if users and kind != "demo":
        raise IngestError(f"Extract {_names(cur, [r[0] for r in users])} refers to places in "
                          f"extract {extract_id}; roll that back first.")
    placed = cur.execute(
        "WITH gone AS (SELECT ward_code FROM wards WHERE extract_id = $x EXCEPT SELECT "
        "json_extract_string(row_json, '$.ward_code') FROM replaced_rows WHERE replaced_by = $x "
        "AND table_name = 'wards') SELECT DISTINCT extract_id FROM (SELECT extract_id, ward_code "
        "FROM incidents UNION ALL SELECT extract_id, ward_code FROM contexts UNION ALL SELECT "
        "extract_id, ward_code FROM interventions UNION ALL SELECT extract_id, ward_code FROM "
        "area_crime UNION ALL SELECT extract_id, ward_code FROM lsoa) WHERE extract_id <> $x AND "
        "ward_code IN (SELECT ward_code FROM gone) ORDER BY 1", {"x": extract_id}).fetchall()
    if placed and kind != "demo":
        raise IngestError(f"Extract {_names(cur, [r[0] for r in placed])} placed rows in the "
                          f"wards of extract {extract_id}; roll that back first.")


def _names(cur, ids: list[int]) -> str:
    """'7 (crime-2024-01.csv)' for messages."""
    rows = cur.execute("SELECT extract_id, file_name FROM extracts WHERE list_contains($ids, "
                       "extract_id) ORDER BY 1", {"ids": ids}).fetchall()
    return ", ".join(f"{i} ({f})" for i, f in rows)


def _restore(cur: duckdb.DuckDBPyConnection, extract_id: int) -> None:
    """Put back the rows an extract replaced, exactly as they were."""
    archived = cur.execute("SELECT table_name, row_json FROM replaced_rows WHERE replaced_by = $x",
                           {"x": extract_id}).fetchall()
    by_table: dict[str, list[dict]] = {}
    for table, text in archived:
        by_table.setdefault(table, []).append(json.loads(text))
    for table, rows in by_table.items():
        name = quote_identifier(table, ALLOWED_TABLES)
        types = dict(cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = $t ORDER BY ordinal_position",
                                 {"t": table}).fetchall())
        frame = pd.DataFrame(rows, columns=list(types))
        cur.register("restored_rows", frame)
        cols = ", ".join(f"CAST({quote_identifier(c, frozenset(types))} AS {types[c]})"
                         for c in types)
        cur.execute(f"INSERT INTO {name} SELECT {cols} FROM restored_rows")
        cur.unregister("restored_rows")
    cur.execute("DELETE FROM replaced_rows WHERE replaced_by = $x", {"x": extract_id})


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every extract, newest first, with its counts and status."""
    return con.execute(
        "SELECT extract_id, kind, file_name, uploaded_by, uploaded_at, rows_read, rows_loaded, "
        "rows_rejected, rows_duplicate, rows_outside, rows_no_location, status, rolled_back_at, "
        "notes, sha256 FROM extracts ORDER BY extract_id DESC").df()


def row_notes(con: duckdb.DuckDBPyConnection, extract_id: int) -> pd.DataFrame:
    """An extract's rejected, duplicate and flagged rows: row, outcome, column, reason, cells."""
    notes = con.execute("SELECT row_number, outcome, column_name, reason, raw FROM rejected_rows "
                        "WHERE extract_id = $x ORDER BY row_number, outcome",
                        {"x": extract_id}).df()
    cells = pd.DataFrame([json.loads(r) if r else {} for r in notes["raw"]], index=notes.index)
    cells.columns = [f"file: {c}" for c in cells.columns]
    out = notes.drop(columns="raw").rename(columns={"row_number": "row", "column_name": "column"})
    return pd.concat([out, cells], axis=1)


def row_notes_csv(con: duckdb.DuckDBPyConnection, extract_id: int) -> bytes:
    """The row notes as a CSV download (cells that look like formulas neutralised)."""
    return safe_csv(row_notes(con, extract_id))


def staged_notes_csv(staged: Staged) -> bytes:
    """A checked file's row notes as CSV, before anything is loaded."""
    notes = staged.notes.rename(columns={"row_number": "row", "column_name": "column"})
    cells = pd.DataFrame([json.loads(r) if r else {} for r in notes["raw"]], index=notes.index)
    cells.columns = [f"file: {c}" for c in cells.columns]
    return safe_csv(pd.concat([notes.drop(columns="raw"), cells], axis=1))
