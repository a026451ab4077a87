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

from analytics import boundaries, lineage, mapping, police, readers
from analytics.exports import safe_csv
from analytics.geo import GeometryError, lsoa_wards, ward_index
from analytics.mapping import Mapping
from analytics.readers import ReadError
from analytics.row_checks import stage_records
from analytics.staging import Counts, Staged, sample_rows
from analytics.store import Store

__all__ = ["Counts", "IngestError", "Staged", "commit", "read", "rollback"]

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
    "residents": "Residents by ward or LSOA",
    "demo": "Fictional demo borough",
}
UPLOAD_KINDS = tuple(k for k in KINDS if k != "demo")
GEOGRAPHY_KINDS = frozenset({"wards", "lsoa", "lsoa_lookup"})
DATA_TABLES = lineage.DATA_TABLES
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
        elif kind == "residents":
            tables, notes, counts, messages = boundaries.stage_residents(con, raw)
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


def commit(store: Store, staged: Sequence[Staged], uploaded_by: str,
           remove_demo: bool = False) -> list[int]:
    """Write every file's valid rows, row notes and extract record in one transaction.

    `remove_demo` rolls the fictional demo borough back in the same transaction, before the
    files are written: the one click that swaps the demo for an area's real boundaries
    (see demo_clash)."""
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
            if remove_demo:
                for (demo_id,) in cur.execute(
                        "SELECT extract_id FROM extracts WHERE kind = 'demo' AND status = $s",
                        {"s": STATUS_LOADED}).fetchall():
                    _remove(cur, demo_id, "demo", who)
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
        lineage.write_table(cur, table, frame, extract_id, replace=table in s.replaces,
                            merge=table in merges)
    if not s.notes.empty:
        cur.register("staged_notes", s.notes)
        cur.execute("INSERT INTO rejected_rows (extract_id, row_number, column_name, reason, raw, "
                    "outcome) SELECT $x, row_number, column_name, reason, raw, outcome "
                    "FROM staged_notes", {"x": extract_id})
        cur.unregister("staged_notes")
    return int(extract_id)


def rollback(store: Store, extract_id: int, by: str = "") -> dict[str, int]:
    """Remove exactly one extract's rows from every table; returns rows removed per table."""
    with store.transaction() as cur:
        row = cur.execute("SELECT kind, status, file_name FROM extracts WHERE extract_id = $x",
                          {"x": extract_id}).fetchone()
        if row is None:
            raise IngestError(f"There is no extract {extract_id}.")
        kind, status, file_name = row
        if status != STATUS_LOADED:
            raise IngestError(f"Extract {extract_id} ({file_name}) is already {status}.")
        removed = _remove(cur, extract_id, kind, by)
    return removed


def _remove(cur: duckdb.DuckDBPyConnection, extract_id: int, kind: str,
            by: str) -> dict[str, int]:
    """Take one loaded extract's rows out and mark it rolled back (in the caller's transaction)."""
    try:
        lineage.check_dependants(cur, extract_id)
    except lineage.LineageError as err:
        raise IngestError(str(err)) from None
    removed = lineage.remove(cur, extract_id, demo=kind == "demo")
    cur.execute("UPDATE extracts SET status = $s, rolled_back_at = $at, rolled_back_by = $by "
                "WHERE extract_id = $x", {"s": STATUS_ROLLED_BACK, "x": extract_id,
                                          "at": datetime.now(UTC).replace(tzinfo=None),
                                          "by": by or None})
    return removed


def demo_clash(store: Store, staged: Sequence[Staged]) -> bool:
    """Whether loading these files would put real ward (or LSOA) boundaries beside the fictional
    demo borough: the analyst then chooses to remove the demo in the same click, or to keep it
    apart (loaded, but off every page while real ward boundaries are in: analytics/derived.py;
    until they are, real LSOAs are off the demo's maps: places._in_area)."""
    if not any(s.ok and s.kind in ("wards", "lsoa") for s in staged):
        return False
    return bool(store.cursor().execute(
        "SELECT count(*) FROM extracts WHERE kind = 'demo' AND status = $s",
        {"s": STATUS_LOADED}).fetchone()[0])


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
