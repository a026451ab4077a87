"""Cell rules, vectorised: dates, numbers, codes and ids, each returning values and a 'bad' mask.

Every parser takes a column of text cells and returns what it understood plus a boolean mask of
non-blank cells it could not understand, so a million rows are checked without a Python loop.
`Problems` collects (record, column, reason) for the rejected-rows table; every reason quotes the
cell and says what was expected, e.g. "'31/02/2026' is not a date: expected a date such as
23/11/2026 or 2026-11-23".

    >>> when, bad = parse_datetime(pd.Series(["23/11/2026", "2026-11-23T14:30+01:00", "45000"]))
    >>> [str(t) for t in when], bad.tolist()
    (['2026-11-23 00:00:00', '2026-11-23 13:30:00', '2023-03-15 00:00:00'], [False, False, False])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.store.vocab import SEVERITY_LABELS, Term

UK_TZ = "Europe/London"
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serial numbers of 1 January 1900 and 31 December 2100: anything else is not a date.
EXCEL_FIRST, EXCEL_LAST = 1, 73415
EXPECTED_DATE = "a date such as 23/11/2026 or 2026-11-23"
EXPECTED_DATETIME = ("a date such as 23/11/2026, or a date and time such as 23/11/2026 14:30 or "
                     "2026-11-23T14:30:00+00:00")
LIST_SEPARATORS = r"[;|,/]"
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}"
EXPECTED_ID = "a code of letters and digits (with - _ . or :), at most 64 characters, no spaces"
LSOA_PATTERN = r"[EW]0[0-9]{7}"
SAMPLE_CODES = 6
# The longest name a place, ward, LSOA or type of intervention may have: room for any real name
# with its street or landmark; a longer one is a pasted paragraph, or an attempt to swamp a page.
NAME_MAX_CHARS = 100
TEXT_MAX_CHARS = 500  # free text: an outcome, a description, a police.uk location or outcome
# What no name or text may hold: control characters (C0, DEL, C1), line and paragraph separators,
# and the invisible controls that reorder text on screen (U+202E shows 'gpj.exe' as 'exe.jpg'):
# bidirectional embeddings, overrides and isolates, and the LRM, RLM and ALM marks. Free text (a
# description, an outcome) may also hold tabs and line breaks.
CONTROL_CHARACTERS = ("\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                      "\u2066-\u2069")
_NAME_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_TEXT_CONTROL = re.compile(f"(?![\t\n\r])[{CONTROL_CHARACTERS}]")
_LETTER_OR_DIGIT = r"[^\W_]"

_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})"
# Day-first formats, most common first; True where the format carries a time of day.
UK_FORMATS = (("%d/%m/%Y %H:%M", True), ("%d/%m/%Y", False), ("%d/%m/%Y %H:%M:%S", True),
              ("%d %B %Y", False), ("%d %b %Y", False))


def blank(values: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    return values.fillna("").astype("string").str.strip().eq("").astype(bool)


def _clean(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("string").str.strip()


def _localise(naive: pd.Series) -> pd.Series:
    """UK wall-clock times -> naive UTC (the clock-change hour read as summer time)."""
    ambiguous = np.ones(len(naive), dtype=bool)
    aware = naive.dt.tz_localize(UK_TZ, ambiguous=ambiguous, nonexistent="shift_forward")
    return aware.dt.tz_convert("UTC").dt.tz_localize(None)


def _strptime(cells: pa.Array, fmt: str) -> np.ndarray:
    """pyarrow's fast strptime, refusing dates it would roll over (31/02 is not 3 March)."""
    parsed = pc.strptime(cells, format=fmt, unit="us", error_is_null=True)
    day = pc.list_element(pc.split_pattern(pc.utf8_trim_whitespace(cells), fmt[2], max_splits=1),
                          0)
    same = pc.equal(pc.cast(pc.day(parsed), pa.string()), pc.utf8_ltrim(day, "0"))
    parsed = pc.if_else(pc.fill_null(same, False), parsed, None)
    return parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")


def parse_datetime(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates and times as naive UTC: UK dd/mm/yyyy, ISO (offsets honoured), Excel serials, words.

    A time without an offset is UK local time; a date without a time stays midnight of that date
    (so it counts in the right month). Returns (datetime64 values, bad mask). Each format is
    tried only on the cells the formats before it left, so a uniform column costs one pass.
    """
    cells = pc.utf8_trim_whitespace(_arrow(values))
    n = len(cells)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    local = np.zeros(n, dtype=bool)  # a wall-clock time without an offset: UK time
    filled = pc.not_equal(cells, "").to_numpy(zero_copy_only=False)
    iso = filled & pc.equal(pc.utf8_slice_codeunits(cells, 4, 5), "-").to_numpy(
        zero_copy_only=False)
    if iso.any():
        at = np.flatnonzero(iso)
        part = pd.Series(pd.arrays.ArrowStringArray(cells.take(pa.array(at))))
        parsed = pd.to_datetime(part.str.replace(r"^(\d{4}-\d{2}-\d{2}) ", r"\1T", regex=True)
                                .str.replace(" ", "", regex=False), format="ISO8601", utc=True,
                                errors="coerce")
        out[at] = parsed.dt.tz_localize(None).to_numpy().astype("datetime64[us]")
        offset = part.str.contains(_OFFSET + "$", regex=True).to_numpy(dtype=bool)
        local[at] = (part.str.len() > 10).to_numpy(dtype=bool) & ~offset
    todo = filled & np.isnat(out)
    if todo.any():
        at = np.flatnonzero(todo)
        left = pc.replace_substring(pc.replace_substring(cells.take(pa.array(at)), "-", "/"),
                                    ".", "/")
        for fmt, timed in UK_FORMATS:
            if not len(at):
                break
            parsed = _strptime(left, fmt)
            hit = ~np.isnat(parsed)
            out[at[hit]] = parsed[hit]
            local[at[hit]] = timed
            at, left = at[~hit], left.filter(pa.array(~hit))
        todo = filled & np.isnat(out)
    if todo.any():
        at = np.flatnonzero(todo)
        text = pd.Series(pd.arrays.ArrowStringArray(cells.take(pa.array(at))))
        number = pd.to_numeric(text.where(text.str.fullmatch(r"\d{1,5}(?:\.\d+)?")),
                               errors="coerce")
        number = number.where(number.between(EXCEL_FIRST, EXCEL_LAST))
        days = pd.to_timedelta(number, unit="D")
        out[at] = (EXCEL_EPOCH + days).dt.round("s").to_numpy().astype("datetime64[us]")
        local[at] = number.mod(1).gt(0).fillna(False).to_numpy(dtype=bool)
    local &= ~np.isnat(out)
    if local.any():
        out[local] = _localise(pd.Series(out[local])).to_numpy().astype("datetime64[us]")
    years = out.astype("datetime64[Y]").astype("int64") + 1970
    out[(years < EARLIEST_YEAR) | (years > LATEST_YEAR)] = np.datetime64("NaT")
    when = pd.Series(out, index=values.index)
    return when, pd.Series(np.isnat(out) & filled, index=values.index)


def parse_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Calendar dates (any format parse_datetime takes; a time of day is dropped)."""
    when, bad = parse_datetime(values)
    return when.dt.normalize(), bad


def parse_number(values: pd.Series, low: float | None = None,
                 high: float | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers, with thousands separators ('1,234.5') and spaces allowed; outside low-high is bad."""
    number = _plain_numbers(values)
    if number is None:  # something other than plain numbers: the slower, forgiving path
        number = _forgiving_numbers(values)
    number = number.where(np.isfinite(number))  # 'inf' and 'nan' are not numbers anyone meant
    if low is not None:
        number = number.where(number >= low)
    if high is not None:
        number = number.where(number <= high)
    return number, number.isna() & ~blank(values)


def _plain_numbers(values: pd.Series) -> pd.Series | None:
    """The column as floats if every non-blank cell is a plain number, else None (fast path)."""
    cells = pc.utf8_trim_whitespace(_arrow(values))
    cells = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
    try:
        floats = pc.cast(cells, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(floats.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")


def _forgiving_numbers(values: pd.Series) -> pd.Series:
    """Numbers with spaces or thousands separators; anything unreadable becomes NaN."""
    text = _clean(values).str.replace(" ", "", regex=False)
    grouped = text.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?").fillna(False)
    text = text.where(~grouped, text.str.replace(",", "", regex=False))
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")


def parse_int(values: pd.Series, low: int, high: int) -> tuple[pd.Series, pd.Series]:
    """Whole numbers between low and high ('2,009' allowed); fractions are bad."""
    number, bad = parse_number(values, low, high)
    fraction = number.notna() & (number % 1 != 0)
    return number.where(~fraction).astype("Int64"), bad | fraction


def parse_severity(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Severity as 1-3, from digits or the words Low, Medium, High."""
    words = {str(n): str(n) for n in SEVERITY_LABELS} | {
        _norm(label): str(n) for n, label in SEVERITY_LABELS.items()}
    digits = _series(_lookup(pc.utf8_trim_whitespace(_arrow(values)), words), values.index)
    number = pd.to_numeric(digits, errors="coerce").astype("Int64")
    return number, number.isna() & ~blank(values)


def code_lookup(terms: tuple[Term, ...], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Normalised code, label or partner code -> our code ('Sexual exploitation' -> 'cse')."""
    table = {_norm(t.code): t.code for t in terms}
    table |= {_norm(t.label): t.code for t in terms}
    table |= {_norm(k): v for k, v in (extra or {}).items() if _norm(k)}
    return table


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


def _arrow(values: pd.Series) -> pa.Array:
    """A column as a pyarrow string array, missing cells as ''."""
    array = pa.array(values.astype("string"), pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array, "")


def _lookup(items: pa.Array, table: Mapping[str, str]) -> pa.Array:
    """Each item normalised and looked up in `table` (null where unknown), in C, not Python.

    Code columns repeat a few values, so only the distinct values are normalised and looked up.
    """
    encoded = pc.dictionary_encode(items)
    keys = pc.replace_substring_regex(pc.utf8_lower(encoded.dictionary), r"[^0-9a-z]", "")
    found = pc.take(pa.array(list(table.values()), pa.string()),
                    pc.index_in(keys, value_set=pa.array(list(table), pa.string())))
    return pc.take(found, encoded.indices)


def _series(array: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """A pyarrow string array as a pandas string Series, without copying through Python."""
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index)


def parse_code(values: pd.Series, terms: tuple[Term, ...],
               extra: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """One code per cell, matched on our code, our label or a partner code mapped to ours."""
    found = _lookup(pc.utf8_trim_whitespace(_arrow(values)), code_lookup(terms, extra))
    codes = _series(found, values.index)
    return codes, codes.isna() & ~blank(values)


def _items(values: pd.Series, separators: str) -> tuple[np.ndarray, pa.Array]:
    """Split list cells: (record index of each item, the trimmed non-blank items)."""
    lists = pc.split_pattern_regex(_arrow(values), separators)
    parents = pc.list_parent_indices(lists).to_numpy()
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(items, "").to_numpy(zero_copy_only=False)
    return values.index.to_numpy()[parents[keep]], items.filter(pa.array(keep))


def parse_code_list(values: pd.Series, terms: tuple[Term, ...],
                    extra: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Cells listing codes ('cse; missing') -> one (record, code) row each, and a bad mask.

    A cell is bad if any of its items is unknown; the frame holds the record index as `record`.
    """
    records, items = _items(values, LIST_SEPARATORS)
    codes = _lookup(items, code_lookup(terms, extra))
    unknown = pc.is_null(codes).to_numpy(zero_copy_only=False)
    bad = pd.Series(values.index.isin(np.unique(records[unknown])), index=values.index)
    pairs = pd.DataFrame({"record": records, "code": _series(codes), "item": _series(items)})
    return pairs, bad


def unknown_items(values: pd.Series, terms: tuple[Term, ...],
                  extra: Mapping[str, str] | None = None) -> pd.Series:
    """For each cell with an unknown item, the unknown items joined ('XYZ, ABC')."""
    pairs, _ = parse_code_list(values, terms, extra)
    unknown = pairs[pairs["code"].isna()]
    return unknown.groupby("record")["item"].agg(lambda s: ", ".join(dict.fromkeys(s)))


def unknown_values(values: pd.Series, terms: tuple[Term, ...], extra: Mapping[str, str] | None,
                   listed: bool, limit: int = 50) -> tuple[str, ...]:
    """The distinct partner codes in a column that match none of ours (for the mapping step)."""
    if listed:
        pairs, _ = parse_code_list(values, terms, extra)
        items = pairs.loc[pairs["code"].isna(), "item"]
    else:
        codes, bad = parse_code(values, terms, extra)
        items = _clean(values)[bad]
    return tuple(sorted(set(items.dropna().astype(str)))[:limit])


def parse_id_list(values: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Cells listing ids ('P1; P2') -> (record, id) rows; a cell with a malformed id is bad."""
    records, items = _items(values, r"[;|,]")
    ok = pc.match_substring_regex(items, "^" + ID_PATTERN + "$").to_numpy(zero_copy_only=False)
    bad = pd.Series(values.index.isin(np.unique(records[~ok])), index=values.index)
    return pd.DataFrame({"record": records, "id": _series(items)}), bad


def parse_id(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids: trimmed codes without spaces; blank ones are not bad here (the caller decides)."""
    text = _clean(values)
    bad = ~text.str.fullmatch(ID_PATTERN).fillna(False) & ~blank(values)
    return text.where(text != ""), bad


def quoted(values: pd.Series, limit: int = 60) -> pd.Series:
    """Cells quoted for a message, long ones cut short: "'31/02/2026'"."""
    text = _clean(values)
    text = text.where(text.str.len() <= limit, text.str.slice(0, limit) + "…")
    return "'" + text + "'"


def cell_reason(cells: pd.Series, after: str, before: str = "") -> Callable[[np.ndarray], pd.Series]:
    """A reason built only for the failing cells: before + "'the cell'" + after."""
    return lambda mask: before + quoted(cells[np.asarray(mask)]) + after


def text_problem(value: str, *, name: bool = True, limit: int = NAME_MAX_CHARS) -> str | None:
    """Why `value` cannot be a name (or, with name=False, free text); None when it can.

    A name may not hold a control character, run past `limit` characters or be only punctuation;
    free text may hold tabs and line breaks, and is not held to letters.

    >>> text_problem("Alder Park") is None
    True
    >>> text_problem("Alder \u202eParkway")
    "'Alder <U+202E>Parkway' holds an invisible control character (U+202E): expected plain text"
    >>> text_problem("*--*")
    "'*--*' is only punctuation: expected a name with letters or digits"
    """
    control = _NAME_CONTROL if name else _TEXT_CONTROL
    found = sorted({c for c in control.findall(value)})
    if found:
        shown = control.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
        codes = ", ".join(f"U+{ord(c):04X}" for c in found)
        return (f"{quoted(pd.Series([shown])).iloc[0]} holds an invisible control character "
                f"({codes}): expected plain text")
    if len(value) > limit:
        return (f"is {len(value):,} characters long: expected {'a name' if name else 'text'} of "
                f"at most {limit:,} characters")
    if name and value.strip() and not re.search(_LETTER_OR_DIGIT, value):
        return (f"{quoted(pd.Series([value])).iloc[0]} is only punctuation: expected a name with "
                "letters or digits")
    return None


def bad_text(values: pd.Series, *, name: bool = True, limit: int = NAME_MAX_CHARS) -> pd.Series:
    """True where a cell is not a usable name (or free text): see `text_problem`."""
    text = _clean(values)
    bad = text.str.contains(_NAME_CONTROL if name else _TEXT_CONTROL) | (text.str.len() > limit)
    if name:
        bad |= (text != "") & ~text.str.contains(_LETTER_OR_DIGIT)
    return bad.fillna(False).astype(bool)


def text_reason(values: pd.Series, *, name: bool = True,
                limit: int = NAME_MAX_CHARS) -> Callable[[np.ndarray], pd.Series]:
    """The reason for each failing cell of `bad_text`, built only for those cells."""
    text = _clean(values)
    return lambda mask: pd.Series([text_problem(t, name=name, limit=limit)
                                   for t in text[np.asarray(mask)]], dtype=object)


def sample(codes: tuple[str, ...] | list[str], n: int = SAMPLE_CODES) -> str:
    """'cse, cce, county_lines and 8 more': a short list for 'expected one of' messages."""
    head = ", ".join(codes[:n])
    return head if len(codes) <= n else f"{head} and {len(codes) - n} more"


class Problems:
    """Rows that break a rule: record index, column as written in the file, and the reason."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series | np.ndarray, column: str | None,
            reason: str | pd.Series | Callable[[np.ndarray], pd.Series]) -> None:
        """Record `reason` against every record where mask is true.

        `reason` is one text for all, a Series with one per record, or a function given the mask
        that returns one per masked record (so messages are built only for the rows that fail).
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        records = np.flatnonzero(mask)
        if callable(reason):
            reasons = np.asarray(reason(mask), dtype=object)
        elif isinstance(reason, pd.Series):
            reasons = reason.to_numpy(dtype=object)[records]
        else:
            reasons = np.full(len(records), reason, dtype=object)
        self._parts.append(pd.DataFrame({"record": records, "column_name": column,
                                         "reason": reasons.astype(str)}))

    def frame(self) -> pd.DataFrame:
        """Every problem, in record order: record, column_name, reason."""
        if not self._parts:
            return pd.DataFrame({"record": pd.Series(dtype="int64"),
                                 "column_name": pd.Series(dtype="object"),
                                 "reason": pd.Series(dtype="object")})
        return pd.concat(self._parts, ignore_index=True).sort_values("record", kind="stable")

    def records(self) -> np.ndarray:
        """The distinct records with at least one problem."""
        return np.unique(self.frame()["record"].to_numpy())
