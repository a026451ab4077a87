"""Geography: ONS ward and LSOA boundaries (GeoJSON), the LSOA-to-ward lookup, and the IMD.

ONS names its properties by vintage (WD13CD/WD13NM, WD23CD/WD23NM, LSOA11CD, LSOA21CD...), so
we match the pattern, not one year. Others publish the same areas under their own names
(London Datastore's GSS_CODE and NAME, Ordnance Survey Boundary-Line's CODE and NAME): a
property whose value is a GSS code of a ward (E05, W05, S13, N08...) or an LSOA (E01, W01) is
taken as the code, and a property called a name as the name. Ward boundaries replace the whole current geography (the
demo borough's, at first); LSOA files update the LSOA table row by row, each file filling only
the columns it has. National files (the lookup, the IMD) keep only the area's rows once the
area is known.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import shapely

from analytics.ingest import validate as v
from analytics.ingest.readers import RawTable, ReadError, normalise
from analytics.ingest.staging import REJECTED, Counts, empty_notes, notes_from, skipped_notes
from analytics.store.geo import GeometryError, centroid, geometry_from_geojson

WARD_CODE = re.compile(r"^wd\d{2}cd$")
WARD_NAME = re.compile(r"^wd\d{2}nm$")
LSOA_CODE = re.compile(r"^lsoa\d{2}cd$")
LSOA_NAME = re.compile(r"^lsoa\d{2}nm$")
WARD_CODE_ALIASES = ("wardcode", "wdcode")
WARD_NAME_ALIASES = ("wardname", "wdname")
LSOA_CODE_ALIASES = ("lsoacode", "lsoacode2011", "lsoacode2021")
LSOA_NAME_ALIASES = ("lsoaname", "lsoaname2011", "lsoaname2021")
DECILE = re.compile(r"(imd|multipledeprivation).*decile")
# "Ward 2023 Code", "LSOA 2021 Code" (ONS population estimates), besides the WDyyCD style
WARD_CODE_WORDS = re.compile(r"^ward(\d{4})?code$")
LSOA_CODE_WORDS = re.compile(r"^lsoa(\d{4})?code$")
# Residents: ONS estimates ("Total", "All Ages"), IMD file 7 ("Total population: mid 2015
# (excluding prisoners)"), census counts ("Usual residents")
POPULATION = re.compile(r"^(population|residents|usualresidents|allusualresidents|allages|total"
                        r"|totalpopulation.*)$")
# GSS codes: wards in England (E05), Wales (W05), Scotland (S13) and Northern Ireland (N08); LSOAs
# in England and Wales (E01, W01).
WARD_VALUE = re.compile(r"^(E05|W05|S13|N08)\d{6}$")
LSOA_VALUE = re.compile(r"^[EW]01\d{6}$")
NAME_ALIASES = ("name", "areaname", "wardname", "lsoaname", "nm")


def _pick(names, pattern: re.Pattern, aliases: tuple[str, ...]) -> str | None:
    """The first name (as written) whose normalised form matches the pattern or an alias."""
    for name in names:
        key = normalise(name)
        if pattern.search(key) or key in aliases:
            return name
    return None


def _by_value(props: dict, pattern: re.Pattern) -> str | None:
    """The first property (as written) whose value is a code of this pattern."""
    return next((k for k, v in props.items() if isinstance(v, str)
                 and pattern.match(v.strip().upper())), None)


def _keys(props: dict, wards: bool) -> tuple[str | None, str | None]:
    """The (code, name) properties of a ward or LSOA feature: by ONS's names, else by value."""
    code = _pick(props, *((WARD_CODE, WARD_CODE_ALIASES) if wards else
                          (LSOA_CODE, LSOA_CODE_ALIASES)))
    name = _pick(props, *((WARD_NAME, WARD_NAME_ALIASES) if wards else
                          (LSOA_NAME, LSOA_NAME_ALIASES)))
    if code is None:
        code = _by_value(props, WARD_VALUE if wards else LSOA_VALUE)
        name = name or next((k for k in props if normalise(k) in NAME_ALIASES), None)
    return code, name


def geojson_kind(features: list[dict]) -> str | None:
    """'wards' or 'lsoa' from the first feature's property names (or codes), else None."""
    props = next((f.get("properties") for f in features if isinstance(f, dict)), None) or {}
    props = props if isinstance(props, dict) else {}
    if _pick(props, WARD_CODE, WARD_CODE_ALIASES):
        return "wards"
    if _pick(props, LSOA_CODE, LSOA_CODE_ALIASES):
        return "lsoa"
    if _by_value(props, WARD_VALUE):
        return "wards"
    if _by_value(props, LSOA_VALUE):
        return "lsoa"
    return None


def table_kind(header: tuple[str, ...]) -> str | None:
    """'lsoa_lookup', 'imd' or 'residents' from a CSV header, else None."""
    lsoa = _pick(header, LSOA_CODE, LSOA_CODE_ALIASES)
    if lsoa and _pick(header, DECILE, ()):
        return "imd"
    if lsoa and _pick(header, WARD_CODE, WARD_CODE_ALIASES):
        return "lsoa_lookup"
    if _area_code(header) and _pick(header, POPULATION, ()):
        return "residents"
    return None


def _area_code(header) -> str | None:
    """The column of ward or LSOA codes in a residents file (ONS's names in either style)."""
    return (_pick(header, LSOA_CODE, LSOA_CODE_ALIASES) or _pick(header, LSOA_CODE_WORDS, ())
            or _pick(header, WARD_CODE, WARD_CODE_ALIASES) or _pick(header, WARD_CODE_WORDS, ()))


def stage_residents(con: duckdb.DuckDBPyConnection, raw: RawTable):
    """Check a file of residents by ward or LSOA (ONS population estimates, or any file with a
    ward or LSOA code and a population column); returns (tables, notes, counts, messages).
    Rates per 1,000 residents on police.uk pages divide by these."""
    code_col, number_col = _area_code(raw.header), _pick(raw.header, POPULATION, ())
    if not (code_col and number_col):
        raise ReadError(f"{raw.file_name} needs a ward or LSOA code column (WD23CD, LSOA21CD, "
                        "'LSOA 2021 Code'...) and a population column ('Total', 'All Ages', "
                        "'Population').")
    problems = v.Problems()
    code = raw.column(code_col).fillna("").str.strip().str.upper()
    problems.add(~code.str.fullmatch(r"[EWSN]\d{8}"), code_col, v.cell_reason(
        code, " is not a ward or LSOA code: expected one such as E05009288 or E01000001"))
    people = raw.column(number_col).fillna("").str.replace(",", "", regex=False)
    residents, bad = v.parse_int(people, 0, 100_000_000)
    problems.add(bad | v.blank(people), number_col,
                 v.cell_reason(people, " is not a number of residents: expected a whole number"))
    known = {c for (c,) in con.execute("SELECT code FROM residents").fetchall()}
    problems.add(code.isin(known), code_col,
                 v.cell_reason(code, " already has residents loaded: roll that load back first"))
    problems.add(code.duplicated(keep="first"), code_col,
                 v.cell_reason(code, " is listed again: expected each area once"))
    found = problems.frame()
    good = ~code.index.isin(found["record"])
    out = pd.DataFrame({"code": code[good], "residents": residents[good]}).reset_index(drop=True)
    notes = pd.concat([skipped_notes(raw), notes_from(raw, found, REJECTED)], ignore_index=True)
    counts = Counts(read=len(raw.frame) + len(raw.skipped), valid=len(out),
                    rejected=int(found["record"].nunique()) + len(raw.skipped),
                    blank=raw.blank_rows)
    return {"residents": out}, notes, counts, ()


def stage_geojson(con: duckdb.DuckDBPyConnection, file_name: str, features: list[dict],
                  kind: str):
    """Check ward or LSOA features; returns (tables, notes, counts, messages, props used)."""
    props = next((f.get("properties") for f in features if isinstance(f, dict)), None) or {}
    wards = kind == "wards"
    code_key, name_key = _keys(props if isinstance(props, dict) else {}, wards)
    noun = "ward" if wards else "LSOA"
    if not code_key:
        want = "WD23CD (or another year's WDyyCD)" if wards else "LSOA21CD (or LSOA11CD)"
        raise ReadError(f"{file_name}: the features have no {noun} code property; expected "
                        f"{want}. Found: {', '.join(list(props)[:8]) or 'no properties'}.")
    rows, problems, seen = [], [], {}
    for number, feature in enumerate(features, start=1):
        p = feature.get("properties") if isinstance(feature, dict) else None
        p = p if isinstance(p, dict) else {}
        code = str(p.get(code_key) or "").strip()
        name = str(p.get(name_key) or "").strip() if name_key else ""
        if not code:
            problems.append((number, code_key, f"is blank: every feature needs a {noun} code"))
            continue
        if code in seen:
            problems.append((number, code_key, f"'{code}' is also feature {seen[code]}: expected "
                             "each code once"))
            continue
        if name and (problem := v.text_problem(name)):
            problems.append((number, name_key, problem))
            continue
        try:
            shape = geometry_from_geojson(feature.get("geometry"))
        except GeometryError as err:
            problems.append((number, "geometry", str(err)))
            continue
        seen[code] = number
        lat, lon = centroid(shape)
        rows.append({f"{noun.lower()}_code": code, f"{noun.lower()}_name": name or code,
                     "geometry_geojson": shapely.to_geojson(shape), "centroid_lat": lat,
                     "centroid_lon": lon, "_feature": number})
    frame = pd.DataFrame(rows)
    notes = _feature_notes(features, problems, code_key)
    messages = []
    if frame.empty:
        raise ReadError(f"{file_name}: none of its {len(features):,} features could be used; "
                        f"the first problem: feature {problems[0][0]}, {problems[0][2]}.")
    frame = frame.drop(columns="_feature")
    if wards:
        table = frame
        current = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE l.extract_id IS NULL OR e.kind = 'demo') "
            "FROM wards w LEFT JOIN area_lineage l ON l.table_name = 'wards' AND "
            "l.code = w.ward_code LEFT JOIN extracts e ON e.extract_id = l.extract_id").fetchone()
        if current[0] and current[1] == current[0]:
            messages.append(f"Loading these {len(table):,} wards replaces the fictional demo "
                            f"borough's {current[0]:,} wards; roll this load back to restore "
                            "them.")
        elif current[0]:
            messages.append(f"Loading these {len(table):,} wards replaces the current "
                            f"{current[0]:,} wards. police.uk rows are placed in the new wards; "
                            "other data already loaded keeps the wards it was given. Roll this "
                            "load back to restore the current wards.")
        tables = {"wards": table.assign(child_population=None)}
    else:
        tables = {"lsoa": frame[["lsoa_code", "lsoa_name", "geometry_geojson"]]}
    counts = Counts(read=len(features), valid=len(frame), rejected=len(problems))
    return tables, notes, counts, tuple(messages)


def _feature_notes(features: list[dict], problems: list, code_key: str) -> pd.DataFrame:
    """Row notes for rejected features (row number = feature number), with their properties."""
    if not problems:
        return empty_notes()
    import json

    def props(n: int) -> str:
        f = features[n - 1]
        p = f.get("properties") if isinstance(f, dict) else None
        return json.dumps(p if isinstance(p, dict) else {}, default=str, ensure_ascii=False)

    return pd.DataFrame({"row_number": [n for n, _, _ in problems],
                         "column_name": [c for _, c, _ in problems],
                         "reason": [r for _, _, r in problems],
                         "raw": [props(n) for n, _, _ in problems], "outcome": REJECTED})


def stage_lsoa_table(con: duckdb.DuckDBPyConnection, raw: RawTable, kind: str):
    """Check an LSOA-to-ward lookup or IMD file; returns (tables, notes, counts, messages)."""
    code_col = _pick(raw.header, LSOA_CODE, LSOA_CODE_ALIASES)
    name_col = _pick(raw.header, LSOA_NAME, LSOA_NAME_ALIASES)
    other_col = (_pick(raw.header, WARD_CODE, WARD_CODE_ALIASES) if kind == "lsoa_lookup"
                 else _pick(raw.header, DECILE, ()))
    if not (code_col and other_col):
        want = "a ward code (WDyyCD)" if kind == "lsoa_lookup" else "an IMD decile"
        raise ReadError(f"{raw.file_name} needs an LSOA code column (LSOA21CD, LSOA11CD or "
                        f"'LSOA code') and {want} column.")
    problems = v.Problems()
    code = raw.column(code_col).fillna("").str.strip().str.upper()
    problems.add(~code.str.fullmatch(v.LSOA_PATTERN), code_col,
                 v.cell_reason(code, " is not an LSOA code: expected one such as E01000001"))
    out = pd.DataFrame({"lsoa_code": code})
    if name_col:
        out["lsoa_name"] = raw.column(name_col).fillna("").str.strip().replace("", None)
        problems.add(v.bad_text(raw.column(name_col)), name_col,
                     v.text_reason(raw.column(name_col)))
    if kind == "lsoa_lookup":
        ward = raw.column(other_col).fillna("").str.strip().str.upper()
        problems.add(~ward.str.fullmatch(r"[EWSN]\d{8}"), other_col,
                     v.cell_reason(ward, " is not a ward code: expected one such as E05009288"))
        out["ward_code"] = ward
    else:
        decile, bad = v.parse_int(raw.column(other_col), 1, 10)
        problems.add(bad | v.blank(raw.column(other_col)), other_col,
                     v.cell_reason(raw.column(other_col), " is not a decile: expected 1 to 10"))
        out["imd_decile"] = decile
    found = problems.frame()
    same = code.duplicated(keep="first") & ~code.index.isin(found["record"])
    problems.add(same, code_col, v.cell_reason(code, " is listed again: expected each LSOA once"))
    found = problems.frame()
    good = ~out.index.isin(found["record"])
    out = out[good]
    messages, left_out = [], 0
    area = _area_filter(con, kind)
    if area is not None:
        column, keys = area
        inside = out[column].isin(keys)
        left_out = int((~inside).sum())
        out = out[inside]
        if left_out:
            messages.append(f"{left_out:,} rows are for LSOAs outside the area and were left out "
                            "(the file covers more than the loaded wards).")
    notes = pd.concat([skipped_notes(raw), notes_from(raw, found, REJECTED)], ignore_index=True)
    counts = Counts(read=len(raw.frame) + len(raw.skipped), valid=len(out),
                    rejected=int(found["record"].nunique()) + len(raw.skipped),
                    outside=left_out, blank=raw.blank_rows)
    return {"lsoa": out.reset_index(drop=True)}, notes, counts, tuple(messages)


def _area_filter(con: duckdb.DuckDBPyConnection, kind: str) -> tuple[str, set[str]] | None:
    """The column and codes that mark the area's rows of a national file, once the area is known."""
    if kind == "lsoa_lookup":
        wards = {c for (c,) in con.execute(
            "SELECT ward_code FROM wards WHERE geometry_geojson IS NOT NULL").fetchall()}
        return ("ward_code", wards) if wards else None
    known = {c for (c,) in con.execute("SELECT lsoa_code FROM lsoa").fetchall()}
    return ("lsoa_code", known) if known else None
