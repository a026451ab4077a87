"""Exports that are safe to open in a spreadsheet: no cell is ever executed as a formula."""

from __future__ import annotations

import pandas as pd

# A spreadsheet treats a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell and header neutralised."""
    out = frame.astype(object).map(neutralise) if not frame.empty else frame.copy()
    out.columns = [neutralise(str(c)) for c in frame.columns]
    return out


def safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with BOM, so Excel reads accents), safe against formula injection."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
