"""Intermediate results shared by several analyses, kept per database file and data version.

Some analyses start from the same expensive intermediate: the priority ranking and the grouping
of places both start from the context profiles, and the three analyses of the Interventions page
from the same months x places matrix. The app caches each analysis's answer (ui.state), not these,
so on the first render after a load each was computed two or three times (0.3 s each at a million
incidents). `per_data_version` keeps the last few results of such a function, keyed by:

- the database file (path and inode) and its data version, which changes on every committed load,
  so a load, a rollback or a new intervention is never answered from before it;
- the function's other arguments (the filters, which are hashable values).

An in-memory database has no file to name it by, so its results are never kept. The results are
shared: a function memoised here returns values its callers must read, never change (a DataFrame
comes back as a new frame over the same data, so adding a column to it is safe: pandas copies
on write).
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import pandas as pd

T = TypeVar("T")
_EVERY: list[OrderedDict] = []  # the kept results of every memoised function, for forget_all
IDENTITY = """
    SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()),
           (SELECT version FROM data_version)
"""


def database_key(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """(path, inode, data version) of the database file behind `con`; None if in memory."""
    path, version = con.execute(IDENTITY).fetchone()
    if not path:
        return None
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return None
    return (path, inode, int(version))


def per_data_version(maxsize: int = 4) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Keep the last `maxsize` results of fn(con, *args, **kwargs) per database and version."""
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        kept: OrderedDict[tuple, Any] = OrderedDict()
        _EVERY.append(kept)
        lock = threading.Lock()

        @functools.wraps(fn)
        def remembered(con: duckdb.DuckDBPyConnection, *args: Any, **kwargs: Any) -> T:
            where = database_key(con)
            if where is None:
                return fn(con, *args, **kwargs)
            key = (where, args, tuple(sorted(kwargs.items())))
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return _fresh(kept[key])
            result = fn(con, *args, **kwargs)
            with lock:
                kept[key] = result
                while len(kept) > maxsize:
                    kept.popitem(last=False)
            return _fresh(result)

        return remembered

    return decorate


def _fresh(result: Any) -> Any:
    """A DataFrame as a new frame over the same data (copied only if written to)."""
    return result.copy(deep=False) if isinstance(result, pd.DataFrame) else result


def forget_all() -> None:
    """Drop every kept result: the benchmark's cold runs start from nothing, as after a load."""
    for kept in _EVERY:
        kept.clear()
