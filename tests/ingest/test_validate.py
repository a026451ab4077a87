"""Cell rules: dates in every format partners send, numbers, codes, lists of codes and ids."""

import numpy as np
import pandas as pd
import pytest

from analytics.ingest import validate as v
from analytics.store.vocab import AGENCIES, RISK_TYPES


def cells(*values):
    return pd.Series(list(values), dtype="string")


@pytest.mark.parametrize("text, expected", [
    ("23/11/2025", "2025-11-23 00:00:00"),          # UK date: stays that calendar day
    ("3/1/2025", "2025-01-03 00:00:00"),            # day first, not US month first
    ("23-11-2025", "2025-11-23 00:00:00"),
    ("23.11.2025 21:15:30", "2025-11-23 21:15:30"),  # winter: UK time is UTC
    ("01/07/2025 20:00", "2025-07-01 19:00:00"),    # summer: UK time is an hour ahead of UTC
    ("2025-11-23", "2025-11-23 00:00:00"),
    ("2025-07-01T20:00:00", "2025-07-01 19:00:00"),
    ("2025-07-01T20:00:00+02:00", "2025-07-01 18:00:00"),  # an offset is honoured
    ("2025-07-01 20:00:00Z", "2025-07-01 20:00:00"),
    ("45000", "2023-03-15 00:00:00"),               # Excel serial date
    ("45000.75", "2023-03-15 18:00:00"),            # Excel serial with a time (winter)
    ("10 January 2025", "2025-01-10 00:00:00"),
    ("10 Jan 2025", "2025-01-10 00:00:00"),
    ("2025-10-26 01:30", "2025-10-26 00:30:00"),    # the repeated hour is read as summer time
])
def test_dates_in_every_accepted_format_become_utc(text, expected):
    when, bad = v.parse_datetime(cells(text))
    assert not bad.iloc[0]
    assert str(when.iloc[0]) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "29/02/2025", "10/01/25", "2025-13-01",
                                  "1899-12-31", "tomorrow", "12/30/2025", "0", "99999"])
def test_impossible_or_ambiguous_dates_are_bad_not_guessed(text):
    when, bad = v.parse_datetime(cells(text))
    assert bad.iloc[0] and pd.isna(when.iloc[0])


def test_blank_dates_are_missing_not_bad():
    when, bad = v.parse_datetime(cells("", "  ", None))
    assert when.isna().all() and not bad.any()


def test_a_mixed_column_keeps_each_value_in_its_row():
    col = pd.Series(["x", "2025-01-02", "03/01/2025", "45000"], index=[10, 11, 12, 13],
                    dtype="string")
    when, bad = v.parse_datetime(col)
    assert when.index.tolist() == [10, 11, 12, 13]
    assert [str(d.date()) for d in when.iloc[1:]] == ["2025-01-02", "2025-01-03", "2023-03-15"]
    assert bad.tolist() == [True, False, False, False]


def test_parse_date_drops_the_time_of_day():
    when, _ = v.parse_date(cells("23/11/2025 21:15"))
    assert str(when.iloc[0]) == "2025-11-23 00:00:00"


def test_numbers_may_carry_thousands_separators_but_must_be_in_range():
    number, bad = v.parse_number(cells("1,234.5", "-0.1", "12,34", "abc", "", "2,000,001"),
                                 -1e6, 1e6)
    assert number.iloc[:2].tolist() == [1234.5, -0.1]
    assert bad.tolist() == [False, False, True, True, False, True]


def test_whole_numbers_refuse_fractions():
    number, bad = v.parse_int(cells("2,009", "3.5", "7"), 0, 3000)
    assert number.iloc[0] == 2009 and bad.tolist() == [False, True, False]


def test_severity_reads_digits_or_words():
    number, bad = v.parse_severity(cells("High", " low ", "2", "5", ""))
    assert number.iloc[:3].tolist() == [3, 1, 2]
    assert bad.tolist() == [False, False, False, True, False]


def test_codes_match_our_code_our_label_or_a_mapped_partner_code():
    codes, bad = v.parse_code(cells("police", "Children's social care", "CSC-01", "nope"),
                              AGENCIES, {"CSC-01": "childrens_social_care"})
    assert codes.iloc[:3].tolist() == ["police", "childrens_social_care", "childrens_social_care"]
    assert bad.tolist() == [False, False, False, True]


def test_a_list_of_codes_gives_one_row_per_code_and_names_the_unknown_ones():
    col = cells("cse; Missing", "CSE | XYZ", "", "cce,county lines")
    pairs, bad = v.parse_code_list(col, RISK_TYPES)
    assert pairs.dropna()[["record", "code"]].values.tolist() == [
        [0, "cse"], [0, "missing"], [1, "cse"], [3, "cce"], [3, "county_lines"]]
    assert bad.tolist() == [False, True, False, False]
    assert v.unknown_items(col, RISK_TYPES).to_dict() == {1: "XYZ"}


def test_ids_of_young_people_must_be_pseudonymous_codes_not_names():
    pairs, bad = v.parse_id_list(cells("YP-1; YP-2", "John Smith", "", "AB12"))
    assert pairs.values.tolist() == [[0, "YP-1"], [0, "YP-2"], [1, "John Smith"], [3, "AB12"]]
    assert bad.tolist() == [False, True, False, False]


def test_an_id_with_a_space_is_bad():
    ids, bad = v.parse_id(cells("I-1", "I 2", ""))
    assert ids.iloc[0] == "I-1" and bad.tolist() == [False, True, False]


def test_problems_build_messages_only_for_the_failing_rows():
    seen = []

    def reason(mask):
        seen.append(int(np.asarray(mask).sum()))
        return pd.Series(["bad"] * int(np.asarray(mask).sum()))

    problems = v.Problems()
    problems.add(np.array([False, True, False, True]), "Col", reason)
    problems.add(np.array([True, False, False, False]), None, "whole row")
    frame = problems.frame()
    assert frame.values.tolist() == [[0, None, "whole row"], [1, "Col", "bad"], [3, "Col", "bad"]]
    assert seen == [2] and problems.records().tolist() == [0, 1, 3]


def test_a_cell_reason_quotes_the_cell_and_cuts_long_ones():
    col = cells("short", "x" * 100)
    out = v.cell_reason(col, " is wrong")(np.array([True, True]))
    assert out.iloc[0] == "'short' is wrong"
    assert out.iloc[1].endswith("…' is wrong") and len(out.iloc[1]) < 80


@pytest.mark.parametrize("name", [
    "Alder Park", "St. Mary's (Upper) School", "Café Lumière", "Ysgol Gymraeg Llundain",
    "Łódź Street", "مسجد الحي", "Unit 3-5", "#1", "L" * v.NAME_MAX_CHARS,
    "[Alder](https://x.example) *Park*",  # odd, but text: shown as written, never as a link
])
def test_real_and_merely_odd_names_are_accepted(name):
    assert v.text_problem(name) is None
    assert not v.bad_text(pd.Series([name])).any()


@pytest.mark.parametrize(("name", "reason"), [
    ("L" * (v.NAME_MAX_CHARS + 1), "is 101 characters long: expected a name of at most 100"),
    ("Alder\u202ePark", "'Alder<U+202E>Park' holds an invisible control character (U+202E)"),
    ("Alder\u2066Park\u2069", "(U+2066, U+2069)"),
    ("Alder\x00Park", "(U+0000)"),
    ("Alder\nPark", "(U+000A)"),
    ("Alder\u200fPark", "(U+200F)"),
    ("--- * ---", "'--- * ---' is only punctuation: expected a name with letters or digits"),
    ("!!!", "is only punctuation"),
])
def test_names_that_hide_reorder_swamp_or_say_nothing_are_refused_with_why(name, reason):
    assert reason in v.text_problem(name)
    assert v.bad_text(pd.Series([name, "Alder Park"])).tolist() == [True, False]
    assert reason in v.text_reason(pd.Series([name]))(np.array([True])).iloc[0]


def test_free_text_may_hold_line_breaks_and_tabs_and_punctuation_but_not_reordering():
    assert v.text_problem("Evenings,\nweekends\t-", name=False, limit=500) is None
    assert v.text_problem("...", name=False, limit=500) is None
    assert "(U+202E)" in v.text_problem("See \u202eoff", name=False, limit=500)
    assert v.bad_text(pd.Series(["a\nb", "a\u202eb"]), name=False, limit=500).tolist() == [
        False, True]
