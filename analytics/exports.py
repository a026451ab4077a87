"""Files people download: CSV that a spreadsheet opens as text, never as a formula.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading a formula) can run as a formula when the file is opened: "CSV injection". Every such
text cell, and every column name, gets a leading apostrophe, as OWASP recommends. Numbers stay
numbers. Disclosure control is the caller's job: pass the frame as the reader may see it.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NEUTRALISER = "'"
ENCODING = "utf-8-sig"  # the byte-order mark makes Excel read UTF-8 (e.g. "é", "–") correctly


def neutralise(value: object) -> object:
    """A text value made inert if a spreadsheet could read it as a formula; others unchanged.

    >>> neutralise("=1+1"), neutralise("  @SUM(A1)"), neutralise("Park"), neutralise(-3)
    ("'=1+1", "'  @SUM(A1)", 'Park', -3)
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) or value.lstrip(" ").startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes (UTF-8 with BOM), every formula-like text cell neutralised."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise).astype(object)
    return out.to_csv(index=False).encode(ENCODING)
