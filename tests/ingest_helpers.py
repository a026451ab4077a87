"""Small files the ingest tests build by hand, and a snapshot of every data table for comparing."""

from __future__ import annotations

import io
import json

import pandas as pd

from analytics.ingest import ingest
from analytics.store.store import Store

# Two square wards side by side, west (W-A) and east (W-B), in WGS84.
WARD_SQUARES = {
    "E05000001": ("Westfield", (-1.0, 52.0, -0.5, 52.5)),
    "E05000002": ("Eastgate", (-0.5, 52.0, 0.0, 52.5)),
}
INSIDE_WEST = (52.25, -0.75)  # lat, lon
INSIDE_EAST = (52.25, -0.25)
OUTSIDE = (53.5, -2.0)
SNAPSHOT_TABLES = (*ingest.DATA_TABLES, "area_lineage")


def square(box: tuple[float, float, float, float]) -> dict:
    """A GeoJSON polygon for a lon/lat box."""
    x0, y0, x1, y1 = box
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def wards_geojson(wards: dict | None = None, code_key: str = "WD23CD",
                  name_key: str = "WD23NM") -> bytes:
    """A FeatureCollection of square wards with ONS-style property names."""
    features = [{"type": "Feature", "properties": {code_key: code, name_key: name},
                 "geometry": square(box)} for code, (name, box) in (wards or WARD_SQUARES).items()]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def csv_bytes(rows: list[list[object]], sep: str = ",", newline: str = "\n",
              encoding: str = "utf-8") -> bytes:
    """A delimited file from rows of cells (the first row is the header)."""
    return newline.join(sep.join("" if c is None else str(c) for c in row)
                        for row in rows).encode(encoding) + newline.encode()


INCIDENT_HEADER = ["incident_id", "occurred_at", "risk_types", "person_ids", "lat", "lon",
                   "source_agency", "severity"]


def incident(i: str, when: str = "10/03/2025 20:00", risks: str = "cse", people: str = "YP1",
             where: tuple[float, float] | None = INSIDE_WEST, agency: str = "police",
             severity: str = "2") -> list[object]:
    """One row of the incidents template (the columns of INCIDENT_HEADER)."""
    lat, lon = where if where else ("", "")
    return [i, when, risks, people, lat, lon, agency, severity]


def incidents_csv(*rows: list[object], header: list[str] = INCIDENT_HEADER, **kw) -> bytes:
    return csv_bytes([header, *rows], **kw)


def with_wards() -> Store:
    """A fresh store holding the two square wards (loaded through ingest)."""
    store = Store()
    staged = ingest.read(store, wards_geojson(), "wards.geojson")
    assert staged.ok, staged.error
    ingest.commit(store, [staged], "test")
    return store


def load(store: Store, data: bytes, name: str, **kw) -> tuple[ingest.Staged, int]:
    """Read and commit one file; returns the staged file and the new extract id."""
    staged = ingest.read(store, data, name, **kw)
    assert staged.ok, staged.error
    [extract_id] = ingest.commit(store, [staged], "test")
    return staged, extract_id


def snapshot(store: Store) -> dict[str, pd.DataFrame]:
    """Every data table's rows in a fixed order, to compare before and after."""
    out = {}
    for table in SNAPSHOT_TABLES:
        frame = store.query(f"SELECT * FROM {table}")
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def fingerprint(con) -> dict[str, tuple[int, str]]:
    """Every data table's row count and a digest of its rows (order aside): equal fingerprints
    mean the tables hold exactly the same rows."""
    return {table: tuple(con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), "
        f"'')) FROM {table} t").fetchone()) for table in (*SNAPSHOT_TABLES, "replaced_rows")}


def assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    """Every table holds exactly the same rows."""
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An Excel workbook with the given sheets of rows."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
