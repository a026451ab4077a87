"""Decode an uploaded file into a table of text cells, or say plainly why it cannot be read.

Partners send CSV (UTF-8 with or without a byte-order mark, Windows-1252 or UTF-16; CRLF or LF;
comma, semicolon or tab), Excel workbooks, Parquet and GeoJSON. Every reader returns the same
`RawTable`: the header as written, every cell as text, and the spreadsheet row number of each
record (the header is row 1, as in Excel), so later messages can name file, row and column.
Anything unreadable raises `ReadError` with a message meant for the analyst, never a traceback.

    >>> t = read_table("a.csv", b"Incident ID;Occurred at\\r\\nI1;23/11/2026\\r\\n")
    >>> t.header, t.frame.iloc[0].tolist(), t.row_numbers.tolist(), t.delimiter
    (('Incident ID', 'Occurred at'), ['I1', '23/11/2026'], [2], ';')
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

# The largest file we read, in megabytes; matches server.maxUploadSize in .streamlit/config.toml.
MAX_FILE_MB = 200
SNIFF_BYTES = 64 * 1024
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
GEOJSON_SUFFIXES = (".geojson", ".json")
SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + GEOJSON_SUFFIXES

# Magic numbers of files people rename by mistake, with what to tell them.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Word file: save it as .xlsx or CSV"),
    (b"PK\x03\x04", "a zip archive or Excel workbook: give it the .xlsx name, or unzip it"),
    (b"PAR1", "a Parquet file: give it the .parquet name"),
)


class ReadError(ValueError):
    """A file that cannot be read at all; the message is written for the analyst."""


@dataclass(frozen=True, eq=False)
class RawTable:
    """A file's records as text: cells in columns c0..cN, the header as written, row numbers."""

    file_name: str
    header: tuple[str, ...]
    frame: pd.DataFrame
    row_numbers: np.ndarray
    skipped: tuple[tuple[int, str, str], ...] = ()  # (row number, reason, raw text)
    encoding: str = ""
    delimiter: str = ""
    sheet: str | None = None
    blank_rows: int = 0
    notes: tuple[str, ...] = field(default=())

    def column(self, header_name: str) -> pd.Series:
        """The cells under a header (as written); the header must be present once."""
        return self.frame[f"c{self.header.index(header_name)}"]


def normalise(name: object) -> str:
    """A header reduced to lower-case letters and digits: 'Crime ID' == 'crime_id' == 'CRIMEID'."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def file_format(file_name: str) -> str:
    """'csv', 'xlsx', 'parquet' or 'geojson' from the file's name."""
    lower = file_name.lower()
    for suffixes, name in ((TEXT_SUFFIXES, "csv"), (EXCEL_SUFFIXES, "xlsx"),
                           (PARQUET_SUFFIXES, "parquet"), (GEOJSON_SUFFIXES, "geojson")):
        if lower.endswith(suffixes):
            return name
    raise ReadError(f"{file_name}: we read {', '.join(SUFFIXES)} files; this one has another "
                    "ending. Save it as CSV, Excel (.xlsx), Parquet or GeoJSON.")


def check_bytes(file_name: str, data: bytes, limit_mb: float = MAX_FILE_MB) -> None:
    """Refuse empty, oversized and mislabelled binary files before decoding anything."""
    if len(data) > limit_mb * 1024 * 1024:
        raise ReadError(f"{file_name} is {len(data) / 1024 / 1024:,.1f} MB, over the "
                        f"{limit_mb:,} MB limit. Split it (for example by month) and load the "
                        "parts together.")
    if not data.strip():
        raise ReadError(f"{file_name} is empty: it has no header and no rows.")
    fmt = file_format(file_name)
    expected = {"xlsx": b"PK\x03\x04", "parquet": b"PAR1"}.get(fmt)
    if expected and data.startswith(expected):
        return
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            raise ReadError(f"{file_name} is not a {fmt.upper()} file: it looks like {what}.")
    if expected:
        raise ReadError(f"{file_name} is not a readable {fmt.upper()} file (its first bytes are "
                        "not what that format starts with).")


def decode(file_name: str, data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes (no byte-order mark) and the encoding it was in: UTF-8, UTF-8
    with a byte-order mark, UTF-16 or Windows-1252. UTF-8 input is checked, not copied."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "UTF-16"
        except UnicodeDecodeError:
            raise ReadError(f"{file_name} starts like UTF-16 text but is not readable as it; "
                            "save it as 'CSV UTF-8'.") from None
    encoding, body = "UTF-8", data
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "UTF-8 with byte-order mark", data[len(codecs.BOM_UTF8):]
    if b"\x00" in body[:SNIFF_BYTES]:
        raise ReadError(f"{file_name} is not a text file: it contains binary data. Is it an image, "
                        "a PDF or a workbook renamed .csv?")
    try:
        body.decode("utf-8")
        return body, encoding
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252").encode("utf-8"), "Windows-1252"
    except UnicodeDecodeError as err:
        raise ReadError(f"{file_name} is not readable text: byte {err.start + 1:,} is neither "
                        "UTF-8 nor Windows-1252. Save it as 'CSV UTF-8'.") from None


def sniff_delimiter(first_line: str) -> str:
    """The separator the header uses most (outside quotes): comma, semicolon, tab or bar."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _first_record(file_name: str, text: str, delimiter: str) -> list[str]:
    """The header record, parsed with quotes honoured (any line ending, even a lone CR)."""
    try:
        return next(csv.reader(io.StringIO(text[:SNIFF_BYTES], newline=None),
                               delimiter=delimiter), [])
    except csv.Error as err:
        raise ReadError(f"{file_name}: the header row could not be read ({err}).") from None


def _check_header(file_name: str, header: list[str]) -> tuple[str, ...]:
    """Trimmed header names; blank names become 'column N'; a blank header is refused."""
    names = [h.strip() for h in header]
    if not any(names):
        raise ReadError(f"{file_name}: the first row is blank; it should hold the column names.")
    return tuple(n or f"column {i + 1}" for i, n in enumerate(names))


def duplicate_headers(header: tuple[str, ...]) -> dict[str, list[int]]:
    """Header names that appear more than once once normalised -> their 1-based positions."""
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        seen.setdefault(normalise(name), []).append(i + 1)
    return {header[pos[0] - 1]: pos for key, pos in seen.items() if len(pos) > 1 and key}


def read_csv(file_name: str, data: bytes) -> RawTable:
    """Every record of a delimited text file as text, with skipped (ragged) rows kept aside."""
    body, encoding = decode(file_name, data)
    head = body[:SNIFF_BYTES].decode("utf-8", errors="ignore").lstrip("\ufeff")
    delimiter = sniff_delimiter(re.split(r"\r\n|\r|\n", head, maxsplit=1)[0])
    header = _check_header(file_name, _first_record(file_name, head, delimiter))
    # Parse on all cores; only a file with bad rows is parsed again on one, to number them.
    table, ragged, blank_lines = _parse_csv(file_name, body, header, delimiter, threads=True)
    if ragged or blank_lines:
        table, ragged, blank_lines = _parse_csv(file_name, body, header, delimiter, threads=False)
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)
    skipped_lines = np.array(sorted(n for n in [*blank_lines, *(r[0] for r in ragged)] if n > 0))
    rows = _row_numbers(len(frame), skipped_lines)
    return _finish(RawTable(file_name, header, frame, rows, tuple(ragged), encoding, delimiter,
                            blank_rows=len(blank_lines)))


def _parse_csv(file_name: str, body: bytes, header: tuple[str, ...], delimiter: str,
               threads: bool) -> tuple[pa.Table, list, list]:
    """pyarrow's CSV reader, every column as text; rows of the wrong width are set aside."""
    names = [f"c{i}" for i in range(len(header))]
    ragged: list[tuple[int, str, str]] = []
    blank_lines: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = row.number if row.number is not None else -1
        if not row.text.strip().strip(delimiter).strip():
            blank_lines.append(number)
        else:
            ragged.append((number, f"has {row.actual_columns} cells where the header has "
                           f"{row.expected_columns} columns", row.text[:2000]))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads,
                                           block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError) as err:
        raise ReadError(f"{file_name} could not be read as {DELIMITERS[delimiter]}-separated "
                        f"text ({_arrow_reason(err)}). Check that it is a CSV export.") from None
    return table, ragged, blank_lines


def _row_numbers(n: int, skipped: np.ndarray) -> np.ndarray:
    """Spreadsheet row numbers of the n kept records, given the row numbers that were skipped."""
    every = np.arange(2, n + len(skipped) + 2)
    return every[~np.isin(every, skipped)][:n]


def _arrow_reason(err: Exception) -> str:
    """The first line of a pyarrow error, without its internal prefix."""
    return str(err).splitlines()[0].removeprefix("CSV parse error: ")[:200]


def _finish(raw: RawTable) -> RawTable:
    """Drop records whose cells are all blank (Excel leaves them at the end) and count them."""
    frame = raw.frame
    if frame.empty:
        return raw
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:  # each column narrows the candidates; most rows leave at once
        rows = np.flatnonzero(blank)
        if not len(rows):
            return raw
        blank[rows] = (frame[name].iloc[rows].fillna("").str.strip() == "").to_numpy()
    if not blank.any():
        return raw
    keep = ~blank
    return RawTable(raw.file_name, raw.header, frame[keep].reset_index(drop=True),
                    raw.row_numbers[keep], raw.skipped, raw.encoding, raw.delimiter, raw.sheet,
                    raw.blank_rows + int(blank.sum()), raw.notes)


def sheet_names(file_name: str, data: bytes) -> list[str]:
    """The worksheets of an .xlsx workbook, in order."""
    check_bytes(file_name, data)
    return list(_workbook(file_name, data).sheetnames)


def _workbook(file_name: str, data: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ReadError(f"{file_name} is not a readable Excel workbook; open it in Excel and save "
                        "it again as .xlsx, or export the sheet as CSV.") from None


def _cell_text(value: object) -> str:
    """A workbook cell as text: whole numbers without '.0', dates as ISO, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def read_xlsx(file_name: str, data: bytes, sheet: str | None = None) -> RawTable:
    """One worksheet of a workbook as text (the first sheet unless another is named)."""
    book = _workbook(file_name, data)
    name = sheet or book.sheetnames[0]
    if name not in book.sheetnames:
        raise ReadError(f"{file_name} has no sheet called {name!r}; it has "
                        f"{', '.join(map(repr, book.sheetnames))}.")
    rows = book[name].iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise ReadError(f"{file_name}, sheet {name!r}, is empty: it has no header and no rows.")
    header = _check_header(file_name, [_cell_text(v) for v in first])
    width = len(header)
    cells = [[_cell_text(v) for v in (row + (None,) * width)[:width]] for row in rows]
    frame = pd.DataFrame(cells, columns=[f"c{i}" for i in range(width)], dtype="string")
    raw = RawTable(file_name, header, frame, np.arange(2, len(frame) + 2), encoding="Excel",
                   sheet=name)
    return _finish(raw)


def read_parquet(file_name: str, data: bytes) -> RawTable:
    """A Parquet file as text cells (timestamps and numbers written as ISO text and digits)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception:  # pyarrow raises several types for a damaged file
        raise ReadError(f"{file_name} is not a readable Parquet file.") from None
    header = _check_header(file_name, [str(n) for n in table.column_names])
    columns = {}
    for i, column in enumerate(table.columns):
        try:
            text = column.cast(pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            text = pa.array([None if v is None else json.dumps(v, default=str)
                             for v in column.to_pylist()], pa.string())
        columns[f"c{i}"] = text.to_pandas().astype("string").fillna("")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    return _finish(RawTable(file_name, header, frame, np.arange(2, table.num_rows + 2),
                            encoding="Parquet"))


def read_table(file_name: str, data: bytes, sheet: str | None = None,
               limit_mb: float = MAX_FILE_MB) -> RawTable:
    """Any tabular file (CSV, Excel, Parquet) as a RawTable; raises ReadError for the analyst."""
    check_bytes(file_name, data, limit_mb)
    fmt = file_format(file_name)
    if fmt == "geojson":
        raise ReadError(f"{file_name} is GeoJSON: load it as ward or LSOA boundaries.")
    reader = {"csv": read_csv, "parquet": read_parquet}.get(fmt)
    raw = read_xlsx(file_name, data, sheet) if fmt == "xlsx" else reader(file_name, data)
    if raw.frame.empty and not raw.skipped:
        raise ReadError(f"{file_name} has a header but no rows of data.")
    return raw


def read_geojson(file_name: str, data: bytes, limit_mb: float = MAX_FILE_MB) -> list[dict]:
    """The features of a GeoJSON FeatureCollection (each a dict with properties and geometry)."""
    check_bytes(file_name, data, limit_mb)
    body, _ = decode(file_name, data)
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, RecursionError) as err:
        if isinstance(err, RecursionError):
            raise ReadError(f"{file_name} is nested too deeply to be GeoJSON.") from None
        raise ReadError(f"{file_name} is not valid GeoJSON: line {err.lineno}, column "
                        f"{err.colno}: {err.msg}.") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise ReadError(f"{file_name} is JSON but not a GeoJSON FeatureCollection (no "
                        "'features' list).")
    if not features:
        raise ReadError(f"{file_name} is a FeatureCollection with no features.")
    return features
