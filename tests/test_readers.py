"""Decoding uploads: encodings, line endings, separators, headers, and files that are not tables."""

import io
import tomllib

import pandas as pd
import pytest

from analytics import readers
from analytics.readers import ReadError, normalise, read_table
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
