"""Words: a label's first letter for the start or the middle of a sentence, and words built a
column at a time, for tooltips and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd


def upper_initial(text: str) -> str:
    """'places' -> 'Places', 'LSOA-months' as it is (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def lower_initial(text: str) -> str:
    """A label as it reads mid-sentence: 'Going missing' -> 'going missing'."""
    return text[:1].lower() + text[1:]


def joined(values: pd.Series, by: pd.Series | pd.Index | np.ndarray, sep: str) -> pd.Series:
    """Each group's values joined by `sep` in their order, indexed by group in the order groups
    first appear: one concatenation a column, where `sep.join` was a Python call a group (500
    places' tooltips on every map, 2,000 bridge places on every render of Peer groups)."""
    keys = np.asarray(by)
    first = ~pd.Series(keys).duplicated().to_numpy()
    parts = pd.Series(np.where(first, "", sep), index=values.index) + values.astype(str)
    return parts.groupby(keys, sort=False).sum()
