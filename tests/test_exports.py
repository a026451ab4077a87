"""Exports never carry a cell a spreadsheet would execute."""

import io

import pandas as pd

from analytics.exports import neutralise, safe_csv


def test_cells_starting_with_formula_characters_are_neutralised():
    assert [neutralise(v) for v in ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "ok", 5]] == [
        "'=1+1", "'+44", "'-3", "'@SUM(A1)", "'\tx", "ok", 5]


def test_safe_csv_round_trips_ordinary_values_and_neutralises_headers():
    frame = pd.DataFrame({"=name": ["Alder", "=HYPERLINK(\"x\")"], "n": [1, 2]})
    back = pd.read_csv(io.BytesIO(safe_csv(frame)), encoding="utf-8-sig")
    assert list(back.columns) == ["'=name", "n"]
    assert back.iloc[1, 0] == "'=HYPERLINK(\"x\")" and back["n"].tolist() == [1, 2]


def test_the_callers_frame_is_unchanged():
    frame = pd.DataFrame({"a": ["=x"]})
    safe_csv(frame)
    assert frame.iloc[0, 0] == "=x"
