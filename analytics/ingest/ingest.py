"""File -> checked rows -> one transaction; every load an extract that can be rolled back.

1. `read(store, data, file_name, kind, mapping)` decodes and checks a file and returns a `Staged`
   (rows to load, row notes, counts, messages, or a plain error). Nothing is written.
2. `commit(store, staged, uploaded_by)` writes every valid row of one or several files, their row
   notes and their extract records in ONE transaction (the data version moves, so every cached
   page refreshes), or raises `IngestError` and changes nothing.
3. `rollback(store, extract_ids)` removes exactly those extracts' rows from every table
   (restoring any rows they replaced) in one transaction and marks them 'rolled back';
   `rollback_plan(store, extract_ids)` says beforehand exactly what that will remove and put
   back, table by table, by doing it in a transaction that is then undone. Files loaded
   together are one load (they share their load time) and roll back together by default.

    >>> from analytics.store.store import Store
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import duckdb
import pandas as pd

from analytics.governance.exports import safe_csv
from analytics.ingest import boundaries, lineage, mapping, personal_data, police, readers
from analytics.ingest.mapping import Mapping
from analytics.ingest.readers import ReadError
from analytics.ingest.row_checks import stage_records
from analytics.ingest.staging import Counts, Staged, sample_rows
from analytics.store.geo import GeometryError, lsoa_wards, ward_index
from analytics.store.store import Store

__all__ = ["Counts", "IngestError", "RollbackPlan", "Staged", "commit", "read", "rollback",
           "rollback_plan"]

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
        staged = Staged(kind=kind, tables=tables, notes=notes, counts=counts,
                        messages=raw.notes + messages + _reading_notes(raw), header=header,
                        mapping=used, unknown_codes=tuple(unknown.items()), sample=sample,
                        merges=merges, **base)
        return _withhold_personal(staged, raw, used)
    except (ReadError, GeometryError) as err:
        return Staged(kind=kind or "unknown", error=str(err), header=header, sample=sample,
                      mapping=used, **base)


WITHHELD = "(withheld: looks like personal details)"
# Free text each kind loads: (table, column) -> the field (or police.uk column) it comes from.
# A place's name is not here: it is the place, and a residential address can be a context.
FREE_TEXT = {
    "incidents": {("incidents", "outcome"): "outcome"},
    "interventions": {("interventions", "intervention_type"): "intervention_type",
                      ("interventions", "description"): "description"},
    "street": {("area_crime", "context"): "context"},
}


def _withhold_personal(staged: Staged, raw: readers.RawTable, used: Mapping | None) -> Staged:
    """Scan the columns a file would load as free text and those it would not load at all for
    personal details (personal_data), and leave the text of any that look personal out: of
    the tables, of the rows kept to check and of the sample shown."""
    loaded, text = _loaded_columns(staged.kind, raw.header, used)
    names = personal_data.unique_names(raw.header)
    free_text = set(text.values())
    scanned = [n for n, h in zip(names, raw.header, strict=True)
               if h not in loaded or h in free_text]
    found = personal_data.scan(raw, scanned)
    if not found:
        return staged
    flagged = {f.column for f in found}
    tables = dict(staged.tables)
    for (table, column), header in text.items():
        if header in flagged and table in tables and column in tables[table]:
            tables[table] = tables[table].assign(**{column: None})
    notes = staged.notes.assign(raw=[_drop_cells(r, flagged) for r in staged.notes["raw"]])
    sample = staged.sample.assign(**{c: WITHHELD for c in flagged if c in staged.sample})
    return replace(staged, tables=tables, notes=notes, sample=sample, personal=found)


def _loaded_columns(kind: str, header: tuple[str, ...],
                    used: Mapping | None) -> tuple[set[str], dict[tuple[str, str], str]]:
    """The headers a kind loads, and of those the free text: (table, column) -> header."""
    if kind in ("street", "stop_search"):
        ours = police.STREET_COLUMNS if kind == "street" else police.STOP_COLUMNS
        by_norm = {readers.normalise(h): h for h in header}
        sources = {c: by_norm[readers.normalise(h)] for c, h in ours.items()
                   if readers.normalise(h) in by_norm}
    elif kind in mapping.TABLE_KINDS and used is not None:
        sources = dict(used.columns)
    else:  # reference files (LSOA lookups, the IMD): areas and numbers, nothing to scan
        return set(header), {}
    text = {key: sources[name] for key, name in FREE_TEXT.get(kind, {}).items()
            if name in sources}
    return set(sources.values()), text


def _drop_cells(raw: object, columns: set[str]) -> object:
    """A row note's cells (JSON) without the given columns; a line that could not be split into
    cells is kept only if nothing in it looks personal."""
    if not isinstance(raw, str) or not raw:
        return raw
    cells = json.loads(raw)
    if not isinstance(cells, dict):
        return raw
    if set(cells) == {"line"} and personal_data.cell_kinds(str(cells["line"])):
        return json.dumps({"line": WITHHELD})
    return json.dumps({k: v for k, v in cells.items() if k not in columns}, ensure_ascii=False)


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
    at = datetime.now(UTC).replace(tzinfo=None)  # one load: every file shares its time
    try:
        with store.transaction() as cur:
            version = cur.execute("SELECT version FROM data_version").fetchone()[0]
            if any(s.data_version != version for s in staged):
                raise IngestError("The data changed since these files were checked (another load "
                                  "or a rollback). They have been checked again: review the "
                                  "summary and confirm again.")
            if remove_demo:
                demo = [x for (x,) in cur.execute(
                    "SELECT extract_id FROM extracts WHERE kind = 'demo' AND status = $s",
                    {"s": STATUS_LOADED}).fetchall()]
                _take_out(cur, tuple(demo), who)
            for s in staged:
                ids.append(_write(cur, s, who, at))
    except duckdb.ConstraintException as err:
        raise IngestError("Two of these files hold the same id, so neither was loaded: "
                          f"{str(err).splitlines()[0][:200]}") from None
    return ids


def _write(cur: duckdb.DuckDBPyConnection, s: Staged, who: str, at: datetime) -> int:
    """Insert one staged file under a new extract id (inside the caller's transaction)."""
    extract_id = cur.execute("SELECT coalesce(max(extract_id), 0) + 1 FROM extracts").fetchone()[0]
    c = s.counts
    cur.execute(
        "INSERT INTO extracts (extract_id, kind, file_name, sha256, uploaded_by, uploaded_at, "
        "rows_read, rows_loaded, rows_rejected, rows_duplicate, rows_outside, rows_no_location, "
        "notes, status) VALUES ($id, $kind, $file, $sha, $who, $at, $read, $loaded, $rejected, "
        "$dup, $outside, $noloc, $notes, $status)",
        {"id": extract_id, "kind": s.kind, "file": s.file_name, "sha": s.sha256, "who": who,
         "at": at, "read": c.read, "loaded": c.valid,
         "rejected": c.rejected, "dup": c.duplicate, "outside": c.outside,
         "noloc": c.no_location,
         "notes": "\n".join([*s.messages, *(f"Left out as personal details: {f.describe()}."
                                            for f in s.personal)]) or None,
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


@dataclass(frozen=True)
class RollbackPlan:
    """What rolling back some extracts would do: rows removed and put back per table, or why it
    cannot go ahead."""

    extract_ids: tuple[int, ...]
    removed: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    refusal: str | None = None

    def describe(self, done: bool = False) -> str:
        """'removes 1,204 incidents and 3 places and puts back 25 wards' ('removed … put back …'
        once done)."""
        text = ("removed " if done else "removes ") + count_words(self.removed)
        if any(self.restored.values()):
            text += (" and put back " if done else " and puts back ") + count_words(self.restored)
        return text


def count_words(counts: dict[str, int]) -> str:
    """'1,204 incidents and 3 places' for the tables with rows; 'nothing' for none."""
    order = [*lineage.TABLE_WORDS, *(t for t in counts if t not in lineage.TABLE_WORDS)]
    parts = [f"{counts[t]:,} {lineage.TABLE_WORDS.get(t, (t, t))[counts[t] != 1]}"
             for t in order if counts.get(t)]
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def rollback_plan(store: Store, extract_ids: int | Iterable[int]) -> RollbackPlan:
    """Exactly what `rollback` would remove and put back, learnt by doing it in a transaction
    that is then undone (so the confirmation and the rollback cannot disagree)."""
    ids = _ids(extract_ids)
    with store.trial() as cur:
        try:
            removed, restored = _take_out(cur, ids, "")
        except IngestError as err:
            return RollbackPlan(ids, refusal=str(err))
    return RollbackPlan(ids, removed, restored)


def rollback(store: Store, extract_ids: int | Iterable[int], by: str = "",
             expected: dict[str, int] | None = None) -> dict[str, int]:
    """Remove exactly these extracts' rows from every table, in one transaction; returns rows
    removed per table. With `expected` (a plan's `removed`), refuse if that is no longer what
    the rollback removes (the data changed since the analyst confirmed)."""
    ids = _ids(extract_ids)
    with store.transaction() as cur:
        removed, _ = _take_out(cur, ids, by)
        if expected is not None and removed != dict(expected):
            raise IngestError("The data changed since this rollback was confirmed, so nothing was "
                              "removed. Check what it would remove now and confirm again.")
    return removed


def _ids(extract_ids: int | Iterable[int]) -> tuple[int, ...]:
    ids = (extract_ids,) if isinstance(extract_ids, int) else tuple(extract_ids)
    if not ids:
        raise IngestError("Choose at least one extract to roll back.")
    return tuple(sorted({int(i) for i in ids}, reverse=True))


def _take_out(cur: duckdb.DuckDBPyConnection, ids: tuple[int, ...],
              by: str) -> tuple[dict[str, int], dict[str, int]]:
    """Roll back each extract inside the caller's transaction; rows removed and put back.

    Newest first, and an extract another one in the set still depends on waits for it, so a
    set whose members depend on each other rolls back whole; a dependant outside the set stops
    it all, with the reason.
    """
    rows = {r[0]: r[1:] for r in cur.execute(
        "SELECT extract_id, kind, status, file_name FROM extracts WHERE list_contains($ids, "
        "extract_id)", {"ids": list(ids)}).fetchall()}
    for x in ids:
        if x not in rows:
            raise IngestError(f"There is no extract {x}.")
        kind, status, file_name = rows[x]
        if status != STATUS_LOADED:
            raise IngestError(f"Extract {x} ({file_name}) is already {status}.")
    removed = dict.fromkeys(DATA_TABLES, 0)
    restored = dict.fromkeys(DATA_TABLES, 0)
    waiting = list(ids)
    while waiting:
        blocked = []
        for x in waiting:
            try:
                lineage.check_dependants(cur, x)
            except lineage.LineageError as err:
                blocked.append((x, str(err)))
                continue
            gone, back = lineage.remove(cur, x, demo=rows[x][0] == "demo")
            for table, n in gone.items():
                removed[table] += n
            for table, n in back.items():
                restored[table] += n
            cur.execute("UPDATE extracts SET status = $s, rolled_back_at = $at, "
                        "rolled_back_by = $by WHERE extract_id = $x",
                        {"s": STATUS_ROLLED_BACK, "x": x, "by": by or None,
                         "at": datetime.now(UTC).replace(tzinfo=None)})
        if len(blocked) == len(waiting):
            raise IngestError(blocked[0][1])
        waiting = [x for x, _ in blocked]
    return removed, restored


def same_load(con: duckdb.DuckDBPyConnection, extract_id: int) -> list[int]:
    """The extracts loaded together with this one (one commit: the same time and person) that
    are still loaded, oldest first; just this one for a load of one file."""
    return [r[0] for r in con.execute(
        "SELECT e.extract_id FROM extracts e JOIN extracts x ON x.extract_id = $x AND "
        "e.uploaded_at = x.uploaded_at AND e.uploaded_by IS NOT DISTINCT FROM x.uploaded_by "
        "WHERE e.status = $loaded ORDER BY 1", {"x": extract_id, "loaded": STATUS_LOADED}
    ).fetchall()]


def demo_clash(store: Store, staged: Sequence[Staged]) -> bool:
    """Whether loading these files would put real ward (or LSOA) boundaries beside the fictional
    demo borough: the analyst then chooses to remove the demo in the same click, or to keep it
    apart (loaded, but off every page while real ward boundaries are in: analytics/store/derived.py;
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
    return _with_cells(notes.rename(columns={"row_number": "row", "column_name": "column"}))


def _with_cells(notes: pd.DataFrame) -> pd.DataFrame:
    """Row notes with each row's cells from the file spread into 'file: <header>' columns.

    A flagged row was loaded, so its note keeps no cells: its `raw` is missing (None, or NaN
    once a frame mixes it with text), and it gets empty cells rather than an error.
    """
    cells = pd.DataFrame([_cells(r) for r in notes["raw"]], index=notes.index)
    cells.columns = [f"file: {c}" for c in cells.columns]
    return pd.concat([notes.drop(columns="raw"), cells], axis=1)


def _cells(raw: object) -> dict:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        cells = json.loads(raw)
    except ValueError:
        return {"cells": raw}
    return cells if isinstance(cells, dict) else {"cells": raw}


def row_notes_csv(con: duckdb.DuckDBPyConnection, extract_id: int) -> bytes:
    """The row notes as a CSV download (cells that look like formulas neutralised)."""
    return safe_csv(row_notes(con, extract_id))


def staged_notes_csv(staged: Staged) -> bytes:
    """A checked file's row notes as CSV, before anything is loaded."""
    return safe_csv(_with_cells(staged.notes.rename(columns={"row_number": "row",
                                                             "column_name": "column"})))
