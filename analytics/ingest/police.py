"""police.uk street-level crime and stop-and-search files -> the area-crime context layer.

These are published open data about areas, not safeguarding records about children, so they
land in `area_crime`, never among incidents. What real files contain, and what we do with it:
- `Crime ID` is blank for anti-social behaviour, and the same id can sit on two different rows
  (kept: police.uk publishes each as its own record).
- Rows without a `Crime ID` that repeat another row exactly are separate reports at the same
  anonymised point, so they are all kept; an exact repeat *with* a Crime ID loads once.
- "No Location" rows have blank coordinates and LSOA: kept and counted.
- Points outside the loaded wards (a neighbouring borough) are kept, without a ward, and flagged.
Stop-and-search rows describe people (gender, age, ethnicity): we keep only when (date and
time), where, the object of the search, its outcome and the age range, because searches of
children (under 10, 10-17) are a source of their own (analytics/store/sources.py).
Both header styles in circulation read the same ("Crime ID, Month, ..." from the download page,
"crime_id,month,..." from some exports): headers are compared with `readers.normalise`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.ingest import validate as v
from analytics.ingest.readers import RawTable, ReadError, normalise
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
from analytics.store.geo import WardIndex

STREET_COLUMNS = {  # area_crime column -> police.uk header
    "crime_id": "Crime ID", "month": "Month", "reported_by": "Reported by",
    "falls_within": "Falls within", "lon": "Longitude", "lat": "Latitude",
    "location": "Location", "lsoa_code": "LSOA code", "lsoa_name": "LSOA name",
    "crime_type": "Crime type", "last_outcome": "Last outcome category", "context": "Context",
}
STOP_COLUMNS = {
    "context": "Type", "month": "Date", "lat": "Latitude", "lon": "Longitude",
    "crime_type": "Object of search", "last_outcome": "Outcome", "age_range": "Age range",
}
STREET_REQUIRED = ("month", "lat", "lon", "crime_type")
STOP_REQUIRED = ("month", "context", "lat", "lon")
EXPECTED_MONTH = "a month such as 2024-01"
AREA_COLUMNS = ("crime_id", "month", "kind", "reported_by", "falls_within", "lat", "lon",
                "location", "lsoa_code", "lsoa_name", "ward_code", "crime_type", "last_outcome",
                "context", "occurred_at", "age_range")


def is_street(header: tuple[str, ...]) -> bool:
    """Whether a header is police.uk's street-level crime header (in any case or spacing)."""
    have = {normalise(h) for h in header}
    return {normalise(STREET_COLUMNS[c]) for c in (*STREET_REQUIRED, "crime_id")} <= have


def is_stop_search(header: tuple[str, ...]) -> bool:
    """Whether a header is police.uk's stop-and-search header."""
    have = {normalise(h) for h in header}
    return {normalise(STOP_COLUMNS[c]) for c in STOP_REQUIRED} | {"objectofsearch"} <= have


def _sources(raw: RawTable, columns: dict[str, str], required: tuple[str, ...]) -> dict[str, str]:
    """Our column -> the file's header as written; refuse missing or repeated required columns."""
    by_norm: dict[str, list[str]] = {}
    for h in raw.header:
        by_norm.setdefault(normalise(h), []).append(h)
    found, missing = {}, []
    for ours, theirs in columns.items():
        names = by_norm.get(normalise(theirs), [])
        if len(names) > 1:
            raise ReadError(f"{raw.file_name}: the header names '{theirs}' twice; remove one.")
        if names:
            found[ours] = names[0]
        elif ours in required:
            missing.append(f"'{theirs}'")
    if missing:
        raise ReadError(f"{raw.file_name} is missing the police.uk column(s) {', '.join(missing)}.")
    return found


def stage_police(raw: RawTable, kind: str, index: WardIndex, lsoa_to_ward: dict[str, str]):
    """Check a police.uk file; returns (tables, notes, counts, messages)."""
    street = kind == "street"
    src = _sources(raw, STREET_COLUMNS if street else STOP_COLUMNS,
                   STREET_REQUIRED if street else STOP_REQUIRED)
    frame, problems = raw.frame, v.Problems()
    cell = {ours: raw.column(theirs) for ours, theirs in src.items()}
    if street:
        text = cell["month"].fillna("").str.strip()
        month = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}")) + "-01",
                               format="%Y-%m-%d", errors="coerce")
        problems.add(month.isna(), src["month"], v.cell_reason(text, " is not a month: expected "
                     + EXPECTED_MONTH))
    else:
        when, bad = v.parse_datetime(cell["month"])
        month = when.dt.to_period("M").dt.start_time
        problems.add(bad | v.blank(cell["month"]), src["month"], v.cell_reason(
            cell["month"], " is not a date: expected " + v.EXPECTED_DATETIME))
    lat, bad_lat = v.parse_number(cell["lat"], -90, 90)
    lon, bad_lon = v.parse_number(cell["lon"], -180, 180)
    problems.add(bad_lat, src["lat"], v.cell_reason(cell["lat"], " is not a latitude: expected a "
                 "number from -90 to 90, or blank for no location"))
    problems.add(bad_lon, src["lon"], v.cell_reason(cell["lon"], " is not a longitude: expected a "
                 "number from -180 to 180, or blank for no location"))
    problems.add(lat.notna() & lon.isna() & ~bad_lon, src["lon"],
                 "is blank but the latitude is not: expected both or neither")
    problems.add(lon.notna() & lat.isna() & ~bad_lat, src["lat"],
                 "is blank but the longitude is not: expected both or neither")
    for name in ("location", "lsoa_name", "crime_type", "last_outcome", "context"):
        if name in cell:  # place names and categories as police.uk writes them: plain text
            problems.add(v.bad_text(cell[name], name=False, limit=v.TEXT_MAX_CHARS), src[name],
                         v.text_reason(cell[name], name=False, limit=v.TEXT_MAX_CHARS))
    type_column = "crime_type" if street else "context"
    problems.add(v.blank(cell[type_column]), src[type_column], "is blank: expected the "
                 + ("crime type" if street else "type of search"))
    if "lsoa_code" in cell:
        code = cell["lsoa_code"].fillna("").str.strip()
        problems.add(~code.str.fullmatch(v.LSOA_PATTERN) & (code != ""), src["lsoa_code"],
                     v.cell_reason(code, " is not an LSOA code: expected one such as E01000001"))
    # Only rows with a Crime ID can be true repeats (see the module docstring).
    with_id = ~v.blank(cell["crime_id"]) if "crime_id" in cell else pd.Series(False, frame.index)
    first_of = exact_duplicates(frame, with_id.to_numpy())
    identical = len(exact_duplicates(frame, (~with_id).to_numpy()))
    rejected = np.zeros(len(frame), dtype=bool)
    rejected[problems.records()] = True
    good = ~rejected & ~frame.index.isin(first_of.index)
    rows = np.flatnonzero(good)
    out = pd.DataFrame({c: (cell[c].iloc[rows].str.strip().replace("", None).reset_index(
        drop=True) if c in cell else pd.Series([None] * len(rows), dtype="object"))
        for c in AREA_COLUMNS})
    out["kind"] = kind
    out["month"] = month.iloc[rows].dt.date.reset_index(drop=True)
    out["occurred_at"] = None if street else when.iloc[rows].reset_index(drop=True)
    out["lat"] = lat.iloc[rows].reset_index(drop=True)
    out["lon"] = lon.iloc[rows].reset_index(drop=True)
    has_point = out["lat"].notna()
    ward = pd.Series(index.assign(out["lon"].to_numpy(float), out["lat"].to_numpy(float)),
                     dtype="object")
    outside = has_point & ward.isna() & index.has_geometry
    ward = ward.where(has_point, out["lsoa_code"].map(lsoa_to_ward))
    out["ward_code"] = ward.where(ward.notna(), None)
    flagged = pd.DataFrame({"record": rows[outside.to_numpy()], "column_name": None,
                            "reason": "lies outside the area's wards: loaded without a ward"})
    notes = pd.concat([skipped_notes(raw), notes_from(raw, problems.frame(), REJECTED),
                       notes_from(raw, duplicate_problems(raw, first_of), DUPLICATE),
                       notes_from(raw, flagged, FLAGGED)], ignore_index=True)
    messages = []
    if identical:
        messages.append(f"{identical:,} rows without a Crime ID repeat an earlier row exactly; "
                        "police.uk publishes each report as its own row, so all were kept.")
    if has_point.any() and not index.has_geometry:
        messages.append("No ward boundaries with shapes are loaded, so points could not be "
                        "placed in wards or checked against the area.")
    counts = Counts(read=len(frame) + len(raw.skipped), valid=len(out),
                    rejected=int(rejected.sum()) + len(raw.skipped), duplicate=len(first_of),
                    outside=int(outside.sum()), no_location=int((~has_point).sum()),
                    blank=raw.blank_rows)
    return {"area_crime": out}, notes.sort_values("row_number", kind="stable"), counts, tuple(
        messages)
