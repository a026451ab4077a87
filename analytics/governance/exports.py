"""Exports that are safe to open in a spreadsheet: no cell is ever executed as a formula.

A cell that starts with = + - @ (or a tab, carriage return or line feed, which some spreadsheets
skip before reading a formula; or the full-width forms of those signs) can run as a formula when
the file is opened: "CSV injection". Every such text cell, and every column name, gets a leading
apostrophe, as OWASP recommends, also when spaces come first. Numbers stay numbers. Disclosure
control is the caller's job: pass the frame as the reader may see it.
"""

from __future__ import annotations

import pandas as pd

# A spreadsheet treats a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NEUTRALISER = "'"
ENCODING = "utf-8-sig"  # the byte-order mark makes Excel read UTF-8 (e.g. "é", "–") correctly


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with ' so it stays text.

    >>> neutralise("=1+1"), neutralise("  @SUM(A1)"), neutralise("Park"), neutralise(-3)
    ("'=1+1", "'  @SUM(A1)", 'Park', -3)
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell and header neutralised."""
    out = frame.astype(object).map(neutralise) if not frame.empty else frame.copy()
    out.columns = [neutralise(str(c)) for c in frame.columns]
    return out


def safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with BOM, so Excel reads accents), safe against formula injection."""
    return safe_frame(frame).to_csv(index=False).encode(ENCODING)
