"""Exports never carry a cell a spreadsheet would execute."""

import io

import pandas as pd
import pytest

from analytics.governance.exports import ENCODING, neutralise, safe_csv, safe_frame


def test_cells_starting_with_formula_characters_are_neutralised():
    assert [neutralise(v) for v in ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "ok", 5]] == [
        "'=1+1", "'+44", "'-3", "'@SUM(A1)", "'\tx", "ok", 5]


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                  "\n=1", "  =HYPERLINK(\"http://x\")", "＝1"])
def test_formula_like_text_gets_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Alder Park", "", "1+1=2", "a-b", "<5", 3, -3, 2.5, None])
def test_other_values_are_unchanged(cell):
    assert neutralise(cell) == cell


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(data.decode(ENCODING)), dtype=str, keep_default_na=False)


def test_safe_csv_round_trips_ordinary_values_and_neutralises_headers():
    frame = pd.DataFrame({"=name": ["Alder", "=HYPERLINK(\"x\")"], "n": [1, 2]})
    back = pd.read_csv(io.BytesIO(safe_csv(frame)), encoding="utf-8-sig")
    assert list(back.columns) == ["'=name", "n"]
    assert back.iloc[1, 0] == "'=HYPERLINK(\"x\")" and back["n"].tolist() == [1, 2]


def test_safe_csv_neutralises_text_but_not_negative_numbers():
    frame = pd.DataFrame({"Place": ["=cmd|' /C calc'!A0", "Park"], "Change": [-3, 4],
                          "Note": ["@x", "-y"]})
    back = _read(safe_csv(frame))
    assert back["Place"].tolist() == ["'=cmd|' /C calc'!A0", "Park"]
    assert back["Change"].tolist() == ["-3", "4"]
    assert back["Note"].tolist() == ["'@x", "'-y"]


def test_safe_csv_starts_with_a_byte_order_mark_for_spreadsheets():
    assert safe_csv(pd.DataFrame({"a": ["é"]})).startswith("\ufeff".encode())


def test_the_callers_frame_is_unchanged():
    frame = pd.DataFrame({"a": ["=x"]})
    safe_csv(frame)
    safe_frame(frame)
    assert frame.iloc[0, 0] == "=x"


def test_safe_csv_of_an_empty_frame_is_just_the_header():
    assert _read(safe_csv(pd.DataFrame(columns=["Rank", "=Place"]))).columns.tolist() == [
        "Rank", "'=Place"]
