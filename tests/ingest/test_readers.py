"""Decoding uploads: encodings, line endings, separators, headers, and files that are not tables."""

import io
import tomllib

import pandas as pd
import pytest

from analytics.ingest import readers
from analytics.ingest.readers import ReadError, normalise, read_table
from tests.apptest import ROOT
from tests.ingest_helpers import csv_bytes, xlsx_bytes

ROWS = [["Incident ID", "Occurred at", "Place"], ["I1", "23/11/2026", "Café Nero"],
        ["I2", "24/11/2026", "Bus station"]]


@pytest.mark.parametrize("encoding, bom, expected", [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", b"\xef\xbb\xbf", "UTF-8 with byte-order mark"),
    ("cp1252", b"", "Windows-1252"),
])
def test_text_in_utf8_with_or_without_bom_and_windows_1252_reads_the_same(encoding, bom, expected):
    raw = read_table("x.csv", bom + csv_bytes(ROWS, encoding=encoding))
    assert raw.encoding == expected
    assert raw.header == ("Incident ID", "Occurred at", "Place")
    assert raw.frame["c2"].tolist() == ["Café Nero", "Bus station"]


def test_utf16_text_from_excel_unicode_export_is_read():
    raw = read_table("x.csv", "\t".join(["a", "b"]).encode("utf-16") + "\n1\t2\n".encode("utf-16-le"))
    assert raw.header == ("a", "b") and raw.frame.iloc[0].tolist() == ["1", "2"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("sep, name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_any_separator_and_line_ending_gives_the_same_cells(sep, name, newline):
    raw = read_table("x.csv", csv_bytes(ROWS, sep=sep, newline=newline))
    assert raw.delimiter == sep
    assert raw.frame.values.tolist() == [r for r in ROWS[1:]]
    assert raw.row_numbers.tolist() == [2, 3]


def test_a_comma_inside_quotes_does_not_decide_the_separator():
    raw = read_table("x.csv", b'"Name, full";Code\n"Smith, J";1\n')
    assert raw.delimiter == ";" and raw.header == ("Name, full", "Code")


def test_headers_match_whatever_their_case_spacing_underscores_or_punctuation():
    assert normalise("Crime ID") == normalise("crime_id") == normalise(" CRIME-ID ") == "crimeid"
    assert normalise("LSOA code (2011)") == "lsoacode2011"


def test_duplicate_headers_are_found_after_normalising():
    assert readers.duplicate_headers(("Date", "Place", "date ", "Place")) == {
        "Date": [1, 3], "Place": [2, 4]}


def test_an_empty_file_is_refused_plainly():
    with pytest.raises(ReadError, match="x.csv is empty"):
        read_table("x.csv", b"")
    with pytest.raises(ReadError, match="x.csv is empty"):
        read_table("x.csv", b"  \r\n\n")


def test_a_file_with_only_a_header_says_it_has_no_rows():
    with pytest.raises(ReadError, match="x.csv has a header but no rows of data"):
        read_table("x.csv", b"incident_id,occurred_at\r\n")


def test_an_image_renamed_csv_is_named_for_what_it_is():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    with pytest.raises(ReadError, match="photo.csv is not a CSV file: it looks like a PNG image"):
        read_table("photo.csv", png)


def test_binary_data_without_a_known_signature_is_still_refused():
    with pytest.raises(ReadError, match="not a text file: it contains binary data"):
        read_table("x.csv", b"a,b\n\x00\x01\x02,\x03\n")


def test_a_file_over_the_size_limit_is_refused_with_both_sizes():
    with pytest.raises(ReadError, match=r"is 2\.0 MB, over the 1 MB limit"):
        read_table("big.csv", b"a\n" + b"1\n" * (1024 * 1024), limit_mb=1)


def test_the_size_limit_matches_the_upload_limit_in_the_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert readers.MAX_FILE_MB == config["server"]["maxUploadSize"]


def test_an_unknown_file_ending_is_refused():
    with pytest.raises(ReadError, match="we read .csv"):
        read_table("notes.docx", b"hello")


def test_rows_of_the_wrong_width_are_set_aside_with_their_row_numbers():
    raw = read_table("x.csv", b"a,b\n1,2\n3\n4,5,6\n7,8\n")
    assert raw.frame.values.tolist() == [["1", "2"], ["7", "8"]]
    assert raw.row_numbers.tolist() == [2, 5]
    assert [(n, reason) for n, reason, _ in raw.skipped] == [
        (3, "has 1 cells where the header has 2 columns"),
        (4, "has 3 cells where the header has 2 columns")]


def test_blank_rows_are_skipped_and_counted_and_later_rows_keep_their_numbers():
    raw = read_table("x.csv", b"a,b\r\n1,2\r\n\r\n,\r\n3,4\r\n")
    assert raw.frame.values.tolist() == [["1", "2"], ["3", "4"]]
    assert raw.row_numbers.tolist() == [2, 5]
    assert raw.blank_rows == 2


def test_quoted_cells_may_hold_separators_and_newlines():
    raw = read_table("x.csv", b'a,b\n"x, y","line 1\nline 2"\n')
    assert raw.frame.iloc[0].tolist() == ["x, y", "line 1\nline 2"]


def test_a_blank_header_line_is_refused():
    with pytest.raises(ReadError, match="the first row is blank"):
        read_table("x.csv", b",,\n1,2,3\n")


def test_an_excel_workbook_reads_the_chosen_sheet_with_dates_and_whole_numbers_as_text():
    from datetime import datetime

    data = xlsx_bytes({"Notes": [["read me"]],
                       "Incidents": [["id", "when", "count"], [1001, datetime(2025, 3, 1, 20, 5), 2.0]]})
    assert readers.sheet_names("x.xlsx", data) == ["Notes", "Incidents"]
    raw = read_table("x.xlsx", data, sheet="Incidents")
    assert raw.sheet == "Incidents"
    assert raw.frame.iloc[0].tolist() == ["1001", "2025-03-01 20:05:00", "2"]
    with pytest.raises(ReadError, match="has no sheet called 'Missing'"):
        read_table("x.xlsx", data, sheet="Missing")


def test_a_damaged_workbook_is_refused():
    with pytest.raises(ReadError, match="not a readable XLSX file"):
        read_table("x.xlsx", b"not a zip at all")


def test_parquet_columns_of_any_type_come_back_as_text():
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2],
                          "when": pd.to_datetime(["2025-01-01 10:00", "2025-02-01 11:00"])})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    raw = read_table("x.parquet", buffer.getvalue())
    assert raw.header == ("id", "n", "when")
    assert raw.frame["c1"].tolist() == ["1", "2"]
    assert raw.frame["c2"].iloc[0].startswith("2025-01-01 10:00")


def test_geojson_that_is_not_a_feature_collection_is_refused():
    with pytest.raises(ReadError, match="not valid GeoJSON: line 1"):
        readers.read_geojson("w.geojson", b"{nope")
    with pytest.raises(ReadError, match="not a GeoJSON FeatureCollection"):
        readers.read_geojson("w.geojson", b'{"type": "Point"}')
    with pytest.raises(ReadError, match="no features"):
        readers.read_geojson("w.geojson", b'{"type": "FeatureCollection", "features": []}')


# --- bounds: no file may take the server down (issue 24) ----------------------------------------

def test_a_parquet_file_of_fifty_million_rows_is_refused_from_its_metadata():
    """2 MB on disk, fifty million rows once read (the attack reached 8.7 GB)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"incident_id": pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(50_000_000, dtype=np.int8)), pa.array(["I1"]))})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=10_000_000)
    assert len(buffer.getvalue()) < 5 * 1024 * 1024
    with pytest.raises(ReadError, match=r"x.parquet has 50,000,000 rows; we read at most "
                                        r"1,000,000 in one file\. Split it"):
        read_table("x.parquet", buffer.getvalue())


def test_a_parquet_file_that_decompresses_past_the_bound_is_refused(monkeypatch):
    frame = pd.DataFrame({"id": [f"{i:06d}" * 170 for i in range(2000)]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    monkeypatch.setattr(readers, "MAX_UNPACKED_MB", 1)
    with pytest.raises(ReadError, match=r"x.parquet is \d MB once decompressed, over the 1 MB"):
        read_table("x.parquet", buffer.getvalue())


def test_a_workbook_that_unzips_past_the_bound_is_refused_before_it_is_opened(monkeypatch):
    data = xlsx_bytes({"Sheet": [["id", "n", "m"], *([i, i * 2, i * 3] for i in range(20_000))]})
    monkeypatch.setattr(readers, "MAX_UNPACKED_MB", 1)
    with pytest.raises(ReadError, match=r"x.xlsx is \d+ MB once unzipped, over the 1 MB we read"):
        read_table("x.xlsx", data)
    with pytest.raises(ReadError, match="once unzipped"):
        readers.sheet_names("x.xlsx", data)


def test_a_workbook_of_too_many_rows_is_refused_from_its_xml_before_openpyxl_opens_it(
        monkeypatch):
    """openpyxl reads a sheet that states no size whole just to open the workbook (minutes for a
    few zipped megabytes), so the rows are counted in the XML first."""
    import openpyxl

    monkeypatch.setattr(readers, "MAX_ROWS", 100)
    data = xlsx_bytes({"Notes": [["read me"]], "Sheet": [["id", "n"],
                                                         *([f"I{i}", i] for i in range(150))]})
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    with pytest.raises(ReadError, match=r"x.xlsx has at least 101 rows; we read at most 100"):
        read_table("x.xlsx", data)
    with pytest.raises(ReadError, match=r"x.xlsx has at least 101 rows"):
        readers.sheet_names("x.xlsx", data)


def test_rows_in_a_sheets_xml_are_counted_across_chunks_and_with_any_prefix():
    rows = b"".join(b'<x:row r="%d"><x:c><x:v>%d</x:v></x:c></x:row>' % (i, i)
                    for i in range(120_000))  # about 5 MB: tags fall across the 1 MB chunks
    sheet = b"<x:worksheet><x:sheetData>" + rows + b"<row/><rows>no</rows></x:sheetData>"
    assert readers._rows_in(io.BytesIO(sheet), 10**9) == 120_001
    assert readers._rows_in(io.BytesIO(sheet), 1_000) == 1_000


def test_rows_past_the_bound_are_refused_as_they_are_counted(monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 100)
    rows = [["id", "n"], *([f"I{i}", i] for i in range(150))]
    with pytest.raises(ReadError, match=r"x.xlsx has at least 101 rows; we read at most 100"):
        read_table("x.xlsx", xlsx_bytes({"Sheet": rows}))
    with pytest.raises(ReadError, match=r"x.csv has 150 rows; we read at most 100"):
        read_table("x.csv", csv_bytes(rows))  # nothing quoted: its line breaks count its rows
    quoted = [["id", "note"], *([f"I{i}", '"line 1\nline 2"'] for i in range(150))]
    with pytest.raises(ReadError, match=r"x.csv has at least 1\d\d rows; we read at most 100"):
        read_table("x.csv", csv_bytes(quoted))  # counted record by record, stopping past 100
    assert len(read_table("x.csv", csv_bytes(quoted[:81])).frame) == 80  # 160 lines, 80 rows


def test_too_many_columns_or_cells_are_refused(monkeypatch):
    with pytest.raises(ReadError, match=r"x.csv has 250 columns; we read at most 200"):
        read_table("x.csv", csv_bytes([[f"c{i}" for i in range(250)], list(range(250))]))
    monkeypatch.setattr(readers, "MAX_CELLS", 1000)
    rows = [[f"c{i}" for i in range(20)], *([i] * 20 for i in range(60))]
    with pytest.raises(ReadError, match=r"1,200 cells \(60 rows of 20 columns\); we read at most "
                                        r"1,000"):
        read_table("x.csv", csv_bytes(rows))


def test_a_cell_longer_than_the_bound_is_named_by_row_and_column():
    two_mb = b"a,b\n1,2\n3," + b"x" * (2 * 1024 * 1024) + b"\n5,6\n"
    with pytest.raises(ReadError, match=r"x.csv, row 3, column 'b': the cell is 2\.0 MB long; a "
                                        r"cell may be at most 1 MB"):
        read_table("x.csv", two_mb)


def test_a_field_over_eight_megabytes_is_named_by_row_and_column_not_by_pyarrow():
    """pyarrow's own words were 'straddling object straddles two block boundaries'."""
    data = b"a,b\n1,2\n3,\"" + b"y" * (20 * 1024 * 1024) + b"\"\n" + b"5,6\n" * 1000
    with pytest.raises(ReadError) as refused:
        read_table("x.csv", data)
    assert str(refused.value).startswith("x.csv, row 3, column 'b': the cell is 20.0 MB long")
    assert "straddl" not in str(refused.value) and "block" not in str(refused.value)


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
def test_a_header_without_rows_says_so_whatever_its_line_ending(ending):
    """Without a final newline pyarrow said 'header is larger than block size'."""
    with pytest.raises(ReadError, match=r"^x.csv has a header but no rows of data\.$"):
        read_table("x.csv", b"incident_id,occurred_at" + ending)


def test_a_time_of_day_in_a_workbook_reads_as_text_and_is_checked_like_any_cell():
    """It gave 'could not be checked (TypeError)'."""
    from datetime import time

    from analytics.ingest import ingest
    from analytics.store.store import Store
    from tests.ingest_helpers import INCIDENT_HEADER, incident

    row = incident("I1")
    row[1] = time(20, 15)
    data = xlsx_bytes({"Incidents": [INCIDENT_HEADER, incident("I0"), row]})
    assert read_table("x.xlsx", data).frame["c1"].tolist()[1] == "20:15:00"
    staged = ingest.read(Store(), data, "x.xlsx")
    assert staged.ok and staged.counts.rejected == 1
    [note] = staged.notes[staged.notes["row_number"] == 3].itertuples()
    assert note.column_name == "occurred_at" and "20:15:00" in note.reason


def test_a_geojson_file_of_millions_of_points_is_refused_before_it_is_parsed():
    ring = ",".join(f"[{-1.7 + i * 1e-7:.7f},52.4]" for i in range(600_000))
    data = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"WD23CD": "E05000001"}, "geometry": {"type": "Polygon", "coordinates": [['
            + ring + ']]}}]}').encode()
    with pytest.raises(ReadError, match=r"w.geojson holds about 600,00\d boundary points, over "
                                        r"the 500,000 we read in one file"):
        readers.read_geojson("w.geojson", data)


def test_a_large_boundary_that_crosses_itself_is_refused_not_repaired_for_minutes():
    import numpy as np

    from analytics.store.geo import GeometryError, geometry_from_geojson

    rng = np.random.default_rng(1)
    points = np.c_[-1.7 + 0.01 * rng.uniform(size=20_000), 52.4 + 0.01 * rng.uniform(size=20_000)]
    tangle = {"type": "Polygon", "coordinates": [[*points.tolist(), points[0].tolist()]]}
    with pytest.raises(GeometryError, match=r"crosses itself and has 20,001 points; we repair "
                                            r"such a boundary only up to 10,000"):
        geometry_from_geojson(tangle)
    small = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert geometry_from_geojson(small).is_valid  # a small bow tie is still repaired
