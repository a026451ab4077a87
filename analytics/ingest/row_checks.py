"""Check a mapped table of incidents, contexts or interventions, row by rule, without a loop.

Each field's cells are parsed by its parser; each failure becomes a row note naming the column as
the file writes it and what was expected. Then the row rules: an exact copy of an earlier row
loads once; two different rows with the same id are both rejected (we cannot tell which is right);
an id already loaded by another extract is rejected; a context or ward that does not exist is
rejected. Incidents and contexts get a ward from their coordinates, else their LSOA, else the
ward given; a point in no ward is loaded and flagged as outside the area.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.ingest import validate as v
from analytics.ingest.mapping import FIELDS, Field, Mapping, missing_required
from analytics.ingest.readers import RawTable, ReadError, duplicate_headers
from analytics.ingest.staging import (
    DUPLICATE,
    FLAGGED,
    REJECTED,
    Counts,
    duplicate_problems,
    exact_duplicates,
    notes_from,
    skipped_notes,
)
from analytics.store.geo import WardIndex, lsoa_wards

ID_FIELD = {"incidents": "incident_id", "contexts": "context_id",
            "interventions": "intervention_id"}
NOUN = {"incidents": "incident", "contexts": "context", "interventions": "intervention"}
# A date this far after today is a typing error, not a forecast.
FUTURE_TOLERANCE = timedelta(days=1)
TEXT_LIMIT = v.TEXT_MAX_CHARS
LOCATED_KINDS = ("incidents", "contexts")


def _expected(f: Field) -> str:
    """What a field's cells should look like, for messages."""
    if f.parser in ("code", "code_list"):
        return (f"one of {v.sample(list(dict.fromkeys(t.code for t in f.vocab)))} (codes or names;"
                " map other codes in the mapping step)")
    return {
        "id": v.EXPECTED_ID, "datetime": v.EXPECTED_DATETIME, "date": v.EXPECTED_DATE,
        "number": f"a number from {f.low:g} to {f.high:g}" if f.low is not None else "a number",
        "int": "a whole number", "severity": "1, 2 or 3 (or Low, Medium, High)",
        "lsoa": "an LSOA code such as E01000001", "id_list": "pseudonymous ids separated by ';' "
        "(letters, digits, - or _; never names)", "text": f"text of at most {TEXT_LIMIT} characters",
        "name": f"a name of at most {v.NAME_MAX_CHARS} characters, with letters or digits",
    }[f.parser]


def _parse(f: Field, cells: pd.Series, mapping: Mapping):
    """(values, bad mask, extra) for one field; extra holds list pairs for list fields."""
    if f.parser in ("datetime", "date"):
        return (*(v.parse_datetime if f.parser == "datetime" else v.parse_date)(cells), None)
    if f.parser == "number":
        return (*v.parse_number(cells, f.low, f.high), None)
    if f.parser == "severity":
        return (*v.parse_severity(cells), None)
    if f.parser == "code":
        return (*v.parse_code(cells, f.vocab, mapping.code_map(f.name)), None)
    if f.parser == "code_list":
        pairs, bad = v.parse_code_list(cells, f.vocab, mapping.code_map(f.name))
        return None, bad, pairs
    if f.parser == "id_list":
        pairs, bad = v.parse_id_list(cells)
        return None, bad, pairs
    if f.parser == "id":
        return (*v.parse_id(cells), None)
    text = cells.fillna("").astype("string").str.strip()
    if f.parser == "lsoa":
        text = text.str.upper()
        return text.where(text != ""), ~text.str.fullmatch(v.LSOA_PATTERN) & (text != ""), None
    return text.where(text != ""), v.bad_text(cells, **_text_rule(f)), None


def _text_rule(f: Field) -> dict:
    """A name's rule (no control characters, at most NAME_MAX_CHARS, not only punctuation) or
    free text's (no control characters but tabs and line breaks, at most TEXT_LIMIT)."""
    return {"name": True} if f.parser == "name" else {"name": False, "limit": TEXT_LIMIT}


def stage_records(con: duckdb.DuckDBPyConnection, raw: RawTable, mapping: Mapping,
                  index: WardIndex, today: datetime | None = None):
    """Check a table kind; returns (tables, notes, counts, messages, unknown codes per field).

    Raises ReadError when the file cannot be used at all (a required field has no column).
    """
    kind, fields = mapping.kind, FIELDS[mapping.kind]
    used = {f.name: mapping.source(f.name) for f in fields if mapping.source(f.name)}
    if missing := missing_required(mapping):
        names = ", ".join(f"'{f.label}'" for f in missing)
        raise ReadError(f"{raw.file_name} has no column for {names} (required). Choose which "
                        "column holds it in the mapping step.")
    for name, positions in duplicate_headers(raw.header).items():
        if any(raw.header[p - 1] in used.values() for p in positions):
            cols = " and ".join(str(p) for p in positions)
            raise ReadError(f"{raw.file_name}: the header names '{name}' twice (columns {cols}); "
                            "rename one so we know which to use.")
    if unknown := [s for s in used.values() if s not in raw.header]:
        raise ReadError(f"{raw.file_name} has no column called {unknown[0]!r}; check the mapping.")
    frame, problems = raw.frame, v.Problems()
    first_of = exact_duplicates(frame)
    considered = ~frame.index.isin(first_of.index)
    values, lists, unknown = {}, {}, {}
    for f in fields:
        source = used.get(f.name)
        if not source:
            continue
        cells = raw.column(source)
        parsed, bad, pairs = _parse(f, cells, mapping)
        values[f.name] = parsed
        if pairs is not None:
            lists[f.name] = pairs
        is_blank = v.blank(cells)
        if f.required:
            problems.add(is_blank & considered, source,
                         f"is blank: every {NOUN[kind]} needs {f.label.lower()}")
        if bad.any():
            problems.add(bad & considered, source, _bad_reason(f, cells, mapping))
            if f.vocab:
                unknown[f.name] = v.unknown_values(cells[bad], f.vocab, mapping.code_map(f.name),
                                                   f.parser == "code_list")
    _row_rules(kind, values, used, problems, considered, today or datetime.now())
    ids = values[ID_FIELD[kind]]
    rejected_mask = np.zeros(len(frame), dtype=bool)
    rejected_mask[problems.records()] = True
    _same_id_rules(kind, raw, ids, considered & ~rejected_mask, used, problems)
    _existing_rules(con, kind, values, used, problems, considered)
    rejected_mask[problems.records()] = True
    good = considered & ~rejected_mask
    tables, flagged, stats = _build(con, kind, values, lists, good, index)
    notes = pd.concat([skipped_notes(raw), notes_from(raw, problems.frame(), REJECTED),
                       notes_from(raw, duplicate_problems(raw, first_of), DUPLICATE),
                       notes_from(raw, flagged, FLAGGED)], ignore_index=True)
    counts = Counts(read=len(frame) + len(raw.skipped), valid=int(good.sum()),
                    rejected=int(rejected_mask.sum()) + len(raw.skipped),
                    duplicate=len(first_of), outside=stats["outside"],
                    no_location=stats["no_location"], blank=raw.blank_rows)
    return (tables, notes.sort_values("row_number", kind="stable"), counts, stats["messages"],
            unknown)


def _bad_reason(f: Field, cells: pd.Series, mapping: Mapping):
    """The reason for each failing cell: the cell (or its unknown items), then what was expected."""
    expected = ": expected " + _expected(f)
    if f.parser in ("text", "name"):
        return v.text_reason(cells, **_text_rule(f))
    if f.parser != "code_list":
        return v.cell_reason(cells, f" is not {_article(f)}" + expected)
    noun = f.label.lower().removesuffix("s")

    def reason(mask: np.ndarray) -> pd.Series:
        failing = cells[mask]
        items = v.unknown_items(failing, f.vocab, mapping.code_map(f.name))
        return "'" + items.reindex(failing.index).fillna("") + f"' is not a known {noun}" + expected

    return reason


def _article(f: Field) -> str:
    return {"datetime": "a date", "date": "a date", "number": "a number", "int": "a whole number",
            "severity": "a severity", "lsoa": "an LSOA code", "id": "a usable id",
            "id_list": "a list of pseudonymous ids", "code": f"a known {f.label.lower()}",
            }[f.parser]


def _row_rules(kind, values, used, problems: v.Problems, considered, today: datetime) -> None:
    """Rules across fields: both coordinates or neither; dates in order and not in the future."""
    if "lat" in values or "lon" in values:
        lat, lon = values.get("lat"), values.get("lon")
        if lat is None or lon is None:
            one = "lat" if lat is not None else "lon"
            other = "longitude" if one == "lat" else "latitude"
            problems.add(values[one].notna() & considered, used[one],
                         f"is given but there is no {other} column: map both or neither")
        else:
            problems.add(lat.notna() & lon.isna() & considered, used["lat"],
                         "latitude is given without a longitude: give both or neither")
            problems.add(lon.notna() & lat.isna() & considered, used["lon"],
                         "longitude is given without a latitude: give both or neither")
    latest = pd.Timestamp(today + FUTURE_TOLERANCE)
    for name in ("occurred_at", "reported_on"):
        if name in values:
            when = values[name]
            problems.add((when > latest) & considered, used[name],
                         lambda m, when=when: v.quoted(when[m].dt.strftime("%d/%m/%Y"))
                         + " is in the future: expected a date up to today")
    if "occurred_at" in values and "reported_on" in values:
        early = values["reported_on"] < values["occurred_at"].dt.normalize()
        problems.add(early & considered, used["reported_on"],
                     "is before the incident occurred: expected the same day or later")
    if "started_on" in values and "ended_on" in values:
        problems.add((values["ended_on"] < values["started_on"]) & considered, used["ended_on"],
                     "is before the start date: expected the same day or later")


def _same_id_rules(kind, raw: RawTable, ids: pd.Series, candidates, used, problems) -> None:
    """Reject every row that shares its id with a different row: we cannot tell which is right."""
    live = ids[candidates & ids.notna()]
    shared = live[live.duplicated(keep=False)]
    if shared.empty:
        return
    rows = pd.Series(raw.row_numbers[shared.index.to_numpy()], index=shared.index)
    all_rows = rows.groupby(shared.to_numpy()).agg(lambda r: ", ".join(map(str, r)))
    reason = ("the same " + NOUN[kind] + " id " + v.quoted(shared) + " is on rows "
              + shared.map(all_rows) + " with different values: we cannot tell which is right")
    mask = pd.Series(False, index=ids.index)
    mask[shared.index] = True
    problems.add(mask, used[ID_FIELD[kind]], reason.reindex(ids.index))


def _existing_rules(con, kind, values, used, problems: v.Problems, considered) -> None:
    """Ids already loaded, and contexts or wards that are not in the database, are rejected."""
    id_name = ID_FIELD[kind]
    checks = [(id_name, f"SELECT t.{id_name} AS key, e.extract_id, e.file_name FROM {kind} t "
               f"LEFT JOIN extracts e USING (extract_id)", True)]
    if kind != "contexts" and "context_id" in values:
        checks.append(("context_id", "SELECT context_id AS key FROM contexts", False))
    if "ward_code" in values:
        checks.append(("ward_code", "SELECT ward_code AS key FROM wards", False))
    for name, sql, clash in checks:
        keys = values[name]
        wanted = pd.DataFrame({"key": keys[keys.notna() & considered].unique()})
        if wanted.empty:
            continue
        con.register("wanted_keys", wanted)
        found = con.execute(f"SELECT w.key, s.* EXCLUDE (key) FROM wanted_keys w "
                            f"JOIN ({sql}) s USING (key)").df()
        con.unregister("wanted_keys")
        if clash:
            if found.empty:
                continue
            source = ("extract " + found["extract_id"].astype("Int64").astype(str) + ", "
                      + found["file_name"].fillna("")).where(found["extract_id"].notna(),
                                                             "an earlier load")
            where = dict(zip(found["key"], source, strict=True))
            mask = keys.isin(where.keys()) & considered
            problems.add(mask, used[name], "this " + NOUN[kind] + " id is already loaded ("
                         + keys.astype(object).map(where).fillna("").astype(str) + "): roll that extract back first to "
                         "replace it")
        else:
            mask = keys.notna() & ~keys.isin(set(found["key"])) & considered
            what = "context" if name == "context_id" else "ward"
            home = "the contexts register: load the register first" if what == "context" else (
                "the loaded wards: load the ward boundaries first")
            problems.add(mask, used[name], v.cell_reason(keys.fillna(""), f" is not a {what} in "
                                                         f"{home}, or leave it blank"))


def _build(con, kind, values, lists, good, index: WardIndex):
    """The rows each table gains, the flagged (outside-area) rows, and location counts."""
    rows = np.flatnonzero(np.asarray(good))
    take = {name: s.iloc[rows].reset_index(drop=True) for name, s in values.items()
            if s is not None}
    n = len(rows)
    out = pd.DataFrame({name: take.get(name, pd.Series([None] * n, dtype="object"))
                        for name in _columns(kind)})
    stats = {"outside": 0, "no_location": 0, "messages": ()}
    flagged = v.Problems().frame()
    if kind in LOCATED_KINDS:
        out, flagged, stats = _locate(con, kind, out, rows, index)
    tables = {kind: out}
    if kind == "incidents":
        ids = pa.array(out["incident_id"].astype("string"), pa.string())
        for name, table, column in (("risk_types", "incident_risks", "risk_type"),
                                    ("person_ids", "incident_people", "person_id")):
            pairs = lists.get(name)
            if pairs is None:
                continue
            records = pairs["record"].to_numpy()
            at = np.minimum(np.searchsorted(rows, records), max(n - 1, 0))
            kept = (rows[at] == records) if n else np.zeros(len(records), dtype=bool)
            value = pairs["code" if name == "risk_types" else "id"][kept]
            part = pd.DataFrame({
                "incident_id": pd.arrays.ArrowStringArray(ids.take(pa.array(at[kept]))),
                column: value.to_numpy() if n else value})
            if table == "incident_people":
                part["role"] = "subject"
            tables[table] = part  # repeats within a cell ('cse; cse') go at insert (DISTINCT)
    return tables, flagged, stats


def _columns(kind: str) -> list[str]:
    """The table columns a kind fills (list fields go to their own tables)."""
    return [f.name for f in FIELDS[kind] if f.parser not in ("code_list", "id_list")]


def _locate(con, kind, out: pd.DataFrame, rows: np.ndarray, index: WardIndex):
    """Ward from coordinates, else LSOA, else as given, else the context's; flag outside points."""
    has_point = out["lat"].notna() & out["lon"].notna()
    by_point = pd.Series(index.assign(out["lon"].to_numpy(float), out["lat"].to_numpy(float)),
                         dtype="object")
    outside = has_point & by_point.isna() & index.has_geometry
    ward = by_point.where(has_point)
    if "lsoa_code" in out:
        need = ward.isna() & ~has_point & out["lsoa_code"].notna()
        if need.any():
            ward[need] = out.loc[need, "lsoa_code"].map(lsoa_wards(con))
    given = ward.isna() & ~outside & out["ward_code"].notna()
    ward[given] = out.loc[given, "ward_code"]
    messages = []
    if kind == "incidents":
        has_context = out["context_id"].notna()
        if has_context.any():
            ctx = con.execute("SELECT context_id, ward_code, context_type FROM contexts").df()
            ctx_ward = dict(zip(ctx["context_id"], ctx["ward_code"], strict=True))
            ctx_type = dict(zip(ctx["context_id"], ctx["context_type"], strict=True))
            need = ward.isna() & ~outside & has_context
            ward[need] = out.loc[need, "context_id"].map(ctx_ward)
            need = out["location_type"].isna() & has_context
            out.loc[need, "location_type"] = out.loc[need, "context_id"].map(ctx_type)
        located = has_point | out["lsoa_code"].notna() | has_context
    else:
        located = has_point
    located |= out["ward_code"].notna()
    out["ward_code"] = ward.astype("object").where(ward.notna(), None)
    if has_point.any() and not index.has_geometry:
        messages.append("No ward boundaries with shapes are loaded, so coordinates could not be "
                        "placed in wards or checked against the area.")
    flagged = pd.DataFrame({
        "record": rows[outside.to_numpy()],
        "column_name": None,
        "reason": ("lies outside the area's wards (" + out["lat"][outside].round(5).astype(str)
                   + ", " + out["lon"][outside].round(5).astype(str)
                   + "): loaded without a ward").to_numpy(),
    })
    stats = {"outside": int(outside.sum()), "no_location": int((~located).sum()),
             "messages": tuple(messages)}
    return out, flagged, stats
