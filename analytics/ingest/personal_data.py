"""Columns of a file that look like personal details: names, dates of birth, addresses, postcodes.

The dashboard works on places and pseudonymous ids, and never stores a young person's name, date
of birth, address or postcode. A partner's file can still carry them: in a column nobody asked
us to load, or in free text we do load (an incident's outcome, an intervention's description,
police.uk's context). `scan` looks at those columns and says which look personal, by the header
('Surname', 'DOB', 'Home address', 'Postcode') or by a cell: a title before a name ('Mrs Patel'),
a date after 'DOB' or 'born', a house number before a street ('12 Acacia Avenue', 'Flat 3'), or
a UK postcode ('EC2V 7HH'). These are patterns, not understanding: a name written without a
title is not found, and the warning says so.

ingest.read warns with the result before anything is loaded and leaves those columns' text out
of the load (not in the tables, not in the rows kept to check), so no view can ever show it.

    >>> import pandas as pd
    >>> from analytics.ingest.readers import RawTable
    >>> raw = RawTable("x.csv", ("id", "Notes"), pd.DataFrame({"c0": ["1", "2"],
    ...     "c1": ["seen at the park", "with Mr Jones, DOB 02/03/2010"]}), pd.Series([2, 3]).values)
    >>> [f.describe() for f in scan(raw, ["Notes"])]
    ["column 'Notes': names and dates of birth (row 3)"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analytics.ingest.readers import RawTable
from analytics.ingest.staging import unique_names

FIRST_ROWS = 5  # rows named in a warning (the analyst finds the rest in their file)
UNREAD = "(rows that could not be split into columns)"
_AREA = re.compile(r"\b(lsoa|msoa|ward|district|authority|borough|area|county|region|place|"
                   r"location|site|venue|school|station|street|road|force|operation|agency|team|"
                   r"service|organisation|organization|crime|outcome)\b")
HEADERS: dict[str, re.Pattern[str]] = {  # on a header in lower case, punctuation as spaces
    "names": re.compile(r"\b(names?|forenames?|surnames?|first ?names?|last ?names?|full ?names?"
                        r"|given ?names?|family ?names?|middle ?names?|maiden ?names?|alias)\b"),
    "dates of birth": re.compile(r"\b(dob|d o b|date of birth|birth ?date|birthday|born)\b"),
    "addresses": re.compile(r"\b(address(es)?|addr|house (number|name)|flat number)\b"),
    "postcodes": re.compile(r"\b(post ?codes?|postal ?codes?|zip ?codes?)\b"),
}
_STREETS = (r"Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Court|Crescent|Place|Gardens"
            r"|Terrace|Grove|Square|Walk|Mews|Row|Parade|Rise|Hill|View|Green|Estate")
CELLS: dict[str, re.Pattern[str]] = {
    "names": re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.? +[A-Z][a-z'-]+"),
    "dates of birth": re.compile(r"(?i)\b(?:d\.? ?o\.? ?b\.?|date of birth|born(?: on)?)\W{0,3}\d"),
    "addresses": re.compile(r"\b\d{1,4}[A-Za-z]?,? +(?:[A-Z][a-z']+ +){1,3}(?:" + _STREETS
                            + r")\b|\bFlat +\d+[A-Za-z]?\b"),
    "postcodes": re.compile(r"(?i)\b(?:[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}|GIR ?0AA)\b"),
}
KINDS = tuple(HEADERS)


@dataclass(frozen=True)
class Finding:
    """A column that looks like personal details: what it seems to hold and where."""

    column: str  # the header as written (a repeated header numbered: 'Notes (2)')
    kinds: tuple[str, ...]  # some of KINDS, in that order
    rows: tuple[int, ...] = ()  # the first rows (as in the file) whose cell matched
    cells: int = 0  # how many cells matched; 0 when the header alone says so

    def describe(self) -> str:
        """"column 'Notes': names and postcodes (rows 3, 8 and 12 of 14)"."""
        what = _and(self.kinds)
        where = ""
        if self.rows:
            shown = _and([f"{r:,}" for r in self.rows])
            where = f" (row{'s' * (len(self.rows) > 1)} {shown}"
            where += f" of {self.cells:,})" if self.cells > len(self.rows) else ")"
        else:
            where = " (its heading says so)"
        place = "rows that could not be split into columns" if self.column == UNREAD \
            else f"column '{self.column}'"
        return f"{place}: {what}{where}"


def scan(raw: RawTable, columns: Iterable[str]) -> tuple[Finding, ...]:
    """The columns among `columns` (headers as written, a repeated one numbered) that look like
    personal details, in the file's order. Each distinct cell is matched once."""
    wanted = set(columns)
    found = []
    for position, name in enumerate(unique_names(raw.header)):
        if name not in wanted:
            continue
        kinds = set(header_kinds(name))
        cells = raw.frame[f"c{position}"]
        distinct = pd.Series(pd.unique(cells.dropna())).astype(str)
        hits = pd.Series(False, index=distinct.index)
        for kind, pattern in CELLS.items():
            matched = distinct.str.contains(pattern)
            if matched.any():
                kinds.add(kind)
                hits |= matched
        if not kinds:
            continue
        where = cells.isin(set(distinct[hits])).to_numpy()
        found.append(Finding(name, tuple(k for k in KINDS if k in kinds),
                             tuple(int(r) for r in raw.row_numbers[where][:FIRST_ROWS]),
                             int(where.sum())))
    unread = [(n, kinds) for n, _, text in raw.skipped if (kinds := cell_kinds(text))]
    if unread:  # rows that could not be split into the header's columns are kept as lines
        kinds = {k for _, ks in unread for k in ks}
        found.append(Finding(UNREAD, tuple(k for k in KINDS if k in kinds),
                             tuple(n for n, _ in unread[:FIRST_ROWS]), len(unread)))
    return tuple(found)


def cell_kinds(text: str) -> list[str]:
    """What a piece of text looks like it holds ('Mr Jones, DOB 2/3/10' -> names, dates of
    birth)."""
    return [kind for kind, pattern in CELLS.items() if pattern.search(text)]


def header_kinds(header: str) -> list[str]:
    """What a column's heading says it holds ('Child surname' -> ['names']); a heading about an
    area or place ('LSOA name', 'Location') says nothing about a person."""
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())
    if _AREA.search(text):
        return []
    return [kind for kind, pattern in HEADERS.items() if pattern.search(text)]


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
