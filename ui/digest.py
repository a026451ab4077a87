"""Content digests of a page's values, the keys under which ui.components.kept keeps what it
builds from them (figures, maps).

The values come from cached analyses, which hand each render a fresh, equal copy, so a digest
must depend on content alone. joblib's hasher digests arrays by their bytes and the rest by
pickling; a DataFrame's pickle also records how pandas happens to lay its columns out in memory,
which differs between a frame and its copy, so frames are digested by their values instead.
"""

from __future__ import annotations

import pickle
from typing import Any

import pandas as pd
from joblib.hashing import NumpyHasher


class _ContentHasher(NumpyHasher):
    """joblib's hasher, with frames and series read by value (pandas' own row hashes)."""

    def save(self, obj: Any) -> None:
        if isinstance(obj, (pd.DataFrame, pd.Series)):
            obj = _frame_content(obj)
        super().save(obj)


def _frame_content(frame: pd.DataFrame | pd.Series) -> tuple:
    """What a frame holds: its kind, column names, types and a hash of each row (with index)."""
    names = list(frame.columns) if isinstance(frame, pd.DataFrame) else [frame.name]
    types = [str(t) for t in (frame.dtypes if isinstance(frame, pd.DataFrame) else [frame.dtype])]
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    except TypeError:  # cells holding tuples, lists or dicts: a column at a time
        columns = frame.items() if isinstance(frame, pd.DataFrame) else [(frame.name, frame)]
        rows = [pd.util.hash_pandas_object(frame.index).to_numpy(),
                *(_column_content(column) for _, column in columns)]
    return (type(frame).__name__, names, types, rows)


def _column_content(column: pd.Series) -> object:
    """A column's row hashes; for one holding tuples, lists or dicts, the pickle of its cells (C
    pickling: their text, the way this once went, took 40 ms for the Places map's 11,000 places
    at a million incidents)."""
    try:
        return pd.util.hash_pandas_object(column, index=False).to_numpy()
    except TypeError:
        return pickle.dumps(column.tolist(), protocol=pickle.HIGHEST_PROTOCOL)


def digest(value: Any) -> str:
    """A hex digest of `value` (frames, arrays, dataclasses, tuples, ... nested) by content."""
    return _ContentHasher().hash(value)
