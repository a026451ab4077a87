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
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

# Bounds on one file, checked before it is read (from the bytes, the zip directory, the Parquet
# metadata), so no upload can take the server, and every other session, down: past one, the
# file is refused with a message naming it. A 2 MB Parquet file can hold fifty million rows and a
# 5 MB workbook gigabytes of cells; these keep a load within the benchmark's 2 GB.
MAX_FILE_MB = 200  # bytes as uploaded; matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 1_000_000  # records in one file (Excel's own limit is 1,048,576)
MAX_COLUMNS = 200
MAX_CELLS = 20_000_000  # rows x columns
MAX_UNPACKED_MB = 600  # an Excel workbook or Parquet file, decompressed
MAX_CELL_MB = 1  # one cell; a row longer than BLOCK_MB cannot be read at all
BLOCK_MB = 8  # the CSV reader's block: the longest row it can read
MAX_VERTICES = 500_000  # boundary points in one GeoJSON file
MB = 1024 * 1024
SPLIT_ADVICE = "Split it (for example by month) and load the parts together."
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


def check_shape(file_name: str, rows: int, columns: int, *, at_least: bool = False) -> None:
    """Refuse a table past MAX_COLUMNS, MAX_ROWS or MAX_CELLS, before its cells are read.
    `at_least` says `rows` is where counting stopped, not the whole file."""
    more = "at least " if at_least else ""
    if columns > MAX_COLUMNS:
        raise ReadError(f"{file_name} has {columns:,} columns; we read at most {MAX_COLUMNS:,}. "
                        "Keep only the columns the dashboard uses and load it again.")
    if rows > MAX_ROWS:
        raise ReadError(f"{file_name} has {more}{rows:,} rows; we read at most {MAX_ROWS:,} "
                        f"in one file. {SPLIT_ADVICE}")
    if rows * columns > MAX_CELLS:
        raise ReadError(f"{file_name} has {more}{rows * columns:,} cells ({rows:,} rows of "
                        f"{columns:,} columns); we read at most {MAX_CELLS:,} in one file. "
                        f"{SPLIT_ADVICE}")


def check_unpacked(file_name: str, size: int, what: str = "decompressed") -> None:
    """Refuse a compressed file (a workbook, Parquet) that would unpack past MAX_UNPACKED_MB."""
    if size > MAX_UNPACKED_MB * MB:
        raise ReadError(f"{file_name} is {size / MB:,.0f} MB once {what}, over the "
                        f"{MAX_UNPACKED_MB:,} MB we read in one file. {SPLIT_ADVICE}")


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
    if not re.search(rb"[\r\n]", body.rstrip(b"\r\n")):  # the header alone, any ending or none
        return RawTable(file_name, header, pd.DataFrame(columns=[f"c{i}" for i in
                                                                 range(len(header))]),
                        np.zeros(0, dtype=int), encoding=encoding, delimiter=delimiter)
    _check_csv_shape(file_name, body, header, delimiter)
    # Parse on all cores; only a file with bad rows is parsed again on one, to number them.
    table, ragged, blank_lines = _parse_csv(file_name, body, header, delimiter, threads=True)
    if ragged or blank_lines:
        table, ragged, blank_lines = _parse_csv(file_name, body, header, delimiter, threads=False)
    skipped_lines = np.array(sorted(n for n in [*blank_lines, *(r[0] for r in ragged)] if n > 0))
    rows = _row_numbers(table.num_rows, skipped_lines)
    _check_cells(file_name, header, table, rows)
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)
    return _finish(RawTable(file_name, header, frame, rows, tuple(ragged), encoding, delimiter,
                            blank_rows=len(blank_lines)))


def _check_csv_shape(file_name: str, body: bytes, header: tuple[str, ...],
                     delimiter: str) -> None:
    """check_shape before parsing: line breaks bound the records from above (C speed); only a
    file that might be too big is counted record by record, in blocks, stopping at the bound."""
    check_shape(file_name, 0, len(header))
    breaks = max(body.count(b"\n"), body.count(b"\r"))  # records, quoted line breaks and all
    lines = breaks - 1 + (not body.endswith((b"\n", b"\r")))  # less the header's
    if lines <= MAX_ROWS and lines * len(header) <= MAX_CELLS:
        return
    if b'"' not in body:  # nothing quoted, so every line break ends a record: an exact count
        check_shape(file_name, lines, len(header))
    limit = min(MAX_ROWS, MAX_CELLS // len(header))
    counted = 0
    try:
        reader = pacsv.open_csv(io.BytesIO(body), read_options=_read_options(header, True),
                                parse_options=_parse_options(delimiter, lambda row: "skip"),
                                convert_options=_convert_options(header))
        for batch in reader:
            counted += batch.num_rows
            if counted > limit:
                break
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return  # unreadable: the full parse says where, in plain words
    check_shape(file_name, counted, len(header), at_least=counted > limit)


def _read_options(header: tuple[str, ...], threads: bool) -> pacsv.ReadOptions:
    return pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(header))], skip_rows=1,
                             use_threads=threads, block_size=BLOCK_MB * MB)


def _parse_options(delimiter: str, on_invalid) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                              ignore_empty_lines=False, invalid_row_handler=on_invalid)


def _convert_options(header: tuple[str, ...]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types={f"c{i}": pa.string() for i in range(len(header))},
                                strings_can_be_null=False, quoted_strings_can_be_null=False)


def _check_cells(file_name: str, header: tuple[str, ...], table: pa.Table,
                 rows: np.ndarray) -> None:
    """Refuse a cell longer than MAX_CELL_MB, naming its row and column."""
    import pyarrow.compute as pc

    for i, column in enumerate(table.columns):
        lengths = pc.binary_length(column)
        if table.num_rows and pc.max(lengths).as_py() > MAX_CELL_MB * MB:
            at = int(pc.index(pc.greater(lengths, MAX_CELL_MB * MB), True).as_py())
            raise _cell_too_long(file_name, int(rows[at]), header[i],
                                 lengths[at].as_py())


def _cell_too_long(file_name: str, row: int, column: str, size: int) -> ReadError:
    return ReadError(f"{file_name}, row {row:,}, column '{column}': the cell is "
                     f"{size / MB:,.1f} MB long; a cell may be at most {MAX_CELL_MB:,} MB. Is a "
                     "quotation mark missing, so that many rows read as one cell?")


def _long_record(file_name: str, body: bytes, header: tuple[str, ...],
                 delimiter: str) -> ReadError | None:
    """The first record too long to read (a cell past MAX_CELL_MB, or a row past BLOCK_MB), as a
    message naming its row and column; None when there is none. Slow (Python's csv module), so
    run only once the fast reader has failed."""
    csv.field_size_limit(2 ** 31 - 1)
    text = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", newline="")
    try:
        for number, record in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            sizes = [len(cell.encode("utf-8")) for cell in record]
            if sizes and (max(sizes) > MAX_CELL_MB * MB or sum(sizes) > BLOCK_MB * MB):
                at = sizes.index(max(sizes))
                column = header[at] if at < len(header) else f"column {at + 1}"
                return _cell_too_long(file_name, number, column, sizes[at])
    except csv.Error:
        return None
    return None


def _parse_csv(file_name: str, body: bytes, header: tuple[str, ...], delimiter: str,
               threads: bool) -> tuple[pa.Table, list, list]:
    """pyarrow's CSV reader, every column as text; rows of the wrong width are set aside."""
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
        table = pacsv.read_csv(io.BytesIO(body), read_options=_read_options(header, threads),
                               parse_options=_parse_options(delimiter, on_invalid),
                               convert_options=_convert_options(header))
    except (pa.ArrowInvalid, pa.ArrowException, ValueError) as err:
        raise (_long_record(file_name, body, header, delimiter) or ReadError(
            f"{file_name} could not be read as {DELIMITERS[delimiter]}-separated text "
            f"({_arrow_reason(err)}). Check that it is a CSV export.")) from None
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
    """The workbook, opened read-only once its zip directory shows it unpacks within bounds (a
    zip never yields more than its directory says: Python's zipfile stops there) and its XML
    that no sheet holds too many rows."""
    import openpyxl

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        book = None  # openpyxl says it cannot read it, below
    if book is not None:
        check_unpacked(file_name, sum(i.file_size for i in book.infolist()), "unzipped")
        try:
            _check_sheet_rows(file_name, book)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
            pass  # a damaged part: openpyxl says it cannot read the workbook, below
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ReadError(f"{file_name} is not a readable Excel workbook; open it in Excel and save "
                        "it again as .xlsx, or export the sheet as CSV.") from None


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_TAG_ROOM = 256  # bytes kept between chunks, longer than any row tag


def _check_sheet_rows(file_name: str, book: zipfile.ZipFile) -> None:
    """Refuse a workbook with a sheet past MAX_ROWS, counted in its unzipped XML (seconds), before
    openpyxl opens it: openpyxl reads a sheet that does not state its size whole just to open
    the workbook, minutes for a few megabytes of zipped rows. Every part is counted, wherever
    the workbook says its sheets are; only sheets hold rows."""
    stop = MAX_ROWS + 2  # the header and one row past the bound are enough to refuse
    for part in book.infolist():
        with book.open(part) as stream:
            if _rows_in(stream, stop) >= stop:
                check_shape(file_name, stop - 1, 0, at_least=True)


def _rows_in(stream: IO[bytes], stop: int) -> int:
    """How many <row> elements an XML stream holds, read a megabyte at a time, up to `stop`."""
    count, tail = 0, b""
    while count < stop and (chunk := stream.read(MB)):
        text = tail + chunk
        room, last = len(text) - _TAG_ROOM, 0  # a tag starting in the last bytes waits
        for match in _ROW_TAG.finditer(text):
            if match.start() >= room:
                break
            count, last = count + 1, match.end()
        tail = text[max(room, last):]
    return min(stop, count + len(_ROW_TAG.findall(tail)))


def _cell_text(value: object) -> str:
    """A workbook cell as text: whole numbers without '.0', dates and times as ISO (a date with
    a time '2025-03-10 20:15:00', a time of day alone '20:15:00'), blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(file_name: str, data: bytes, sheet: str | None = None) -> RawTable:
    """One worksheet of a workbook as text (the first sheet unless another is named)."""
    book = _workbook(file_name, data)
    name = sheet or book.sheetnames[0]
    if name not in book.sheetnames:
        raise ReadError(f"{file_name} has no sheet called {name!r}; it has "
                        f"{', '.join(map(repr, book.sheetnames))}.")
    sheet_rows = book[name].iter_rows(values_only=True)
    first = next(sheet_rows, None)
    if first is None:
        raise ReadError(f"{file_name}, sheet {name!r}, is empty: it has no header and no rows.")
    header = _check_header(file_name, [_cell_text(v) for v in first])
    width = len(header)
    check_shape(file_name, 0, width)
    limit = min(MAX_ROWS, MAX_CELLS // width)
    cells = []
    for row in sheet_rows:  # counted as read: a sheet's stated size can be wrong
        if len(cells) == limit:
            check_shape(file_name, limit + 1, width, at_least=True)
        cells.append([_cell_text(v) for v in (row + (None,) * width)[:width]])
    frame = pd.DataFrame(cells, columns=[f"c{i}" for i in range(width)], dtype="string")
    raw = RawTable(file_name, header, frame, np.arange(2, len(frame) + 2), encoding="Excel",
                   sheet=name)
    return _finish(raw)


def read_parquet(file_name: str, data: bytes) -> RawTable:
    """A Parquet file as text cells (timestamps and numbers written as ISO text and digits)."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception:  # pyarrow raises several types for a damaged file
        raise ReadError(f"{file_name} is not a readable Parquet file.") from None
    check_shape(file_name, meta.num_rows, meta.num_columns)
    check_unpacked(file_name, unpacked)
    try:
        table = parquet.read()
    except Exception:
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
    points = data.count(b"[")  # at least one a point: counted before anything is parsed
    if points > MAX_VERTICES:
        raise ReadError(f"{file_name} holds about {points:,} boundary points, over the "
                        f"{MAX_VERTICES:,} we read in one file. Load only your area's wards, or "
                        "ONS's generalised boundaries (BGC, 20 m) rather than the full detail.")
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
