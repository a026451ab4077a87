"""CSV downloads open as text in a spreadsheet: nothing a reader downloads can run as a formula."""

import io

import pandas as pd
import pytest

from analytics.exports import ENCODING, neutralise, safe_csv


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                  "  =HYPERLINK(\"http://x\")", "＝1"])
def test_formula_like_text_gets_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Alder Park", "", "1+1=2", "a-b", "<5", 3, -3, 2.5, None])
def test_other_values_are_unchanged(cell):
    assert neutralise(cell) == cell


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(data.decode(ENCODING)), dtype=str, keep_default_na=False)


def test_safe_csv_neutralises_cells_and_column_names_but_not_numbers():
    frame = pd.DataFrame({"Place": ["=cmd|' /C calc'!A0", "Park"], "Change": [-3, 4],
                          "=Header": ["@x", "-y"]})
    back = _read(safe_csv(frame))
    assert list(back.columns) == ["Place", "Change", "'=Header"]
    assert back["Place"].tolist() == ["'=cmd|' /C calc'!A0", "Park"]
    assert back["Change"].tolist() == ["-3", "4"]
    assert back["'=Header"].tolist() == ["'@x", "'-y"]


def test_safe_csv_starts_with_a_byte_order_mark_for_spreadsheets():
    assert safe_csv(pd.DataFrame({"a": ["é"]})).startswith("\ufeff".encode())


def test_safe_csv_leaves_the_callers_frame_unchanged():
    frame = pd.DataFrame({"a": ["=1"]})
    safe_csv(frame)
    assert frame["a"].tolist() == ["=1"]


def test_safe_csv_of_an_empty_frame_is_just_the_header():
    assert _read(safe_csv(pd.DataFrame(columns=["Rank", "Place"]))).columns.tolist() == [
        "Rank", "Place"]
