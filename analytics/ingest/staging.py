"""A checked file waiting for the analyst's confirmation: rows to load, row notes and counts.

`Staged` is what `ingest.read` returns and `ingest.commit` writes. Row notes hold every row that
was rejected (with the reason), loaded once as an exact duplicate, or loaded but flagged (outside
the area), each with its spreadsheet row number, the column as written in the file and the raw
cells, so the analyst can see exactly what happened to every row and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analytics.ingest.mapping import Mapping
from analytics.ingest.readers import RawTable
from analytics.ingest.validate import Problems

REJECTED, DUPLICATE, FLAGGED = "rejected", "duplicate", "flagged"
NOTE_COLUMNS = ["row_number", "column_name", "reason", "raw", "outcome"]
FIRST_PROBLEMS = 5
WHOLE_ROW = "(whole row)"


@dataclass(frozen=True)
class Counts:
    """Rows read, loaded, rejected, exact duplicates, outside the area, without a location."""

    read: int = 0
    valid: int = 0
    rejected: int = 0
    duplicate: int = 0
    outside: int = 0
    no_location: int = 0
    blank: int = 0


@dataclass(frozen=True, eq=False)
class Staged:
    """One checked file: the rows each table would gain, the row notes, counts and messages."""

    file_name: str
    sha256: str
    kind: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: pd.DataFrame = field(default_factory=lambda: empty_notes())
    counts: Counts = Counts()
    messages: tuple[str, ...] = ()
    error: str | None = None
    header: tuple[str, ...] = ()
    mapping: Mapping | None = None
    replaces: tuple[str, ...] = ()  # tables whose current rows this load replaces (wards)
    merges: tuple[tuple[str, str], ...] = ()  # (table, key column) updated row by row (lsoa)
    data_version: int = -1
    previous: tuple[int, str, str] | None = None  # (extract id, status, date) of the same file
    sheet: str | None = None
    unknown_codes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field -> codes we do not know
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)  # the file's first rows, as is
    personal: tuple = ()  # personal_data.Finding per column that looks personal (text withheld)

    @property
    def ok(self) -> bool:
        """Whether there is something that could be loaded."""
        return self.error is None

    def preview(self, n: int = 10) -> pd.DataFrame:
        """The first n rows as they will be loaded into the main table."""
        if not self.tables:
            return pd.DataFrame()
        return next(iter(self.tables.values())).head(n)

    def first_problems(self, n: int = FIRST_PROBLEMS) -> pd.DataFrame:
        """The first n rejected rows of each column, with a message naming file, row and column."""
        return first_problems(self.notes, self.file_name, n)


def empty_notes() -> pd.DataFrame:
    """Row notes with no rows (but the right columns)."""
    return pd.DataFrame({"row_number": pd.Series(dtype="int64"),
                         "column_name": pd.Series(dtype="object"),
                         "reason": pd.Series(dtype="object"), "raw": pd.Series(dtype="object"),
                         "outcome": pd.Series(dtype="object")})


def sample_rows(raw: RawTable, n: int = 5) -> pd.DataFrame:
    """The first n records under the file's own column names (repeated names numbered)."""
    part = raw.frame.head(n).copy()
    part.columns = unique_names(raw.header)
    return part


def unique_names(header: tuple[str, ...]) -> list[str]:
    """'Date', 'Date (2)' for a header that repeats a name."""
    names, seen = [], {}
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def raw_json(raw: RawTable, records: np.ndarray) -> np.ndarray:
    """The original cells of some records as JSON objects keyed by the header as written."""
    if not len(records):
        return np.array([], dtype=object)
    part = raw.frame.iloc[records].copy()
    part.columns = unique_names(raw.header)  # a repeated header keeps every cell
    # split on newline only: JSON escapes it inside strings, but not U+0085 or U+2028, which
    # str.splitlines() would also split on
    lines = part.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n").split("\n")
    return np.array(lines, dtype=object)


def notes_from(raw: RawTable, problems: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Row notes from (record, column_name, reason) problems on a RawTable.

    Rejected and duplicate rows keep their cells (they are not in the database); a flagged row
    was loaded, so its note holds only the row number and the reason.
    """
    if problems.empty:
        return empty_notes()
    records = problems["record"].to_numpy()
    if outcome == FLAGGED:
        cells = np.full(len(records), None, dtype=object)
    else:
        unique, inverse = np.unique(records, return_inverse=True)
        cells = raw_json(raw, unique)[inverse]
    return pd.DataFrame({
        "row_number": raw.row_numbers[records].astype("int64"),
        "column_name": problems["column_name"].to_numpy(),
        "reason": problems["reason"].to_numpy(),
        "raw": cells,
        "outcome": outcome,
    })


def skipped_notes(raw: RawTable) -> pd.DataFrame:
    """Row notes for the rows the reader could not split into the header's columns."""
    if not raw.skipped:
        return empty_notes()
    return pd.DataFrame({
        "row_number": [n for n, _, _ in raw.skipped],
        "column_name": None,
        "reason": [reason for _, reason, _ in raw.skipped],
        "raw": [json.dumps({"line": text}, ensure_ascii=False) for _, _, text in raw.skipped],
        "outcome": REJECTED,
    })


def exact_duplicates(frame: pd.DataFrame, consider: np.ndarray | None = None) -> pd.Series:
    """For each record that repeats an earlier one cell for cell, that earlier record's index.

    Rows are compared by DuckDB's 64-bit hash of all their cells, computed in parallel (a
    collision is vanishingly unlikely next to a human-made duplicate).
    """
    part = frame if consider is None else frame[consider]
    if part.empty:
        return pd.Series(dtype="int64")
    columns = ", ".join(f'"{c}"' for c in part.columns)  # our own names: c0, c1, ...
    con = duckdb.connect()
    con.register("cells", part.reset_index(drop=True))
    hashes = con.execute(f"SELECT hash({columns}) FROM cells").fetchnumpy()
    con.close()
    hashes = pd.Series(next(iter(hashes.values())), index=part.index)
    dup = hashes.duplicated(keep="first")
    if not dup.any():
        return pd.Series(dtype="int64")
    first = pd.Series(part.index, index=part.index).groupby(hashes.to_numpy()).transform("min")
    return first[dup]


def duplicate_problems(raw: RawTable, first_of: pd.Series, noun: str = "row") -> pd.DataFrame:
    """'Exact copy of row 4; loaded once' for every repeat."""
    if first_of.empty:
        return Problems().frame()
    rows = pd.Series(raw.row_numbers[first_of.to_numpy()], index=first_of.index)
    return pd.DataFrame({"record": first_of.index.to_numpy(), "column_name": None,
                         "reason": ("Exact copy of " + noun + " " + rows.astype(str)
                                    + "; loaded once").to_numpy()})


def first_problems(notes: pd.DataFrame, file_name: str, n: int = FIRST_PROBLEMS) -> pd.DataFrame:
    """Per column (most rejected rows first): how many rows it rejected and its first n messages.

    One row per message: column, rows (rejected for that column), row, message.
    """
    rejected = notes[notes["outcome"] == REJECTED]
    if rejected.empty:
        return pd.DataFrame(columns=["column", "rows", "row", "message"])
    column = rejected["column_name"].fillna(WHOLE_ROW)
    parts = []
    for name, group in rejected.groupby(column, sort=False):
        group = group.sort_values("row_number", kind="stable")
        first = group.head(n)
        parts.append(pd.DataFrame({
            "column": name, "rows": int(group["row_number"].nunique()),
            "row": first["row_number"].to_numpy(),
            "message": [problem_message(file_name, r.row_number, r.column_name, r.reason)
                        for r in first.itertuples()]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["rows", "column", "row"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


def problem_message(file_name: str, row: int, column: str | None, reason: str) -> str:
    """'incidents.csv, row 7, column 'Occurred at': '31/02/2026' is not a date: expected …'."""
    where = f"{file_name}, row {row:,}"
    if column:
        where += f", column '{column}'"
    return f"{where}: {reason}"
