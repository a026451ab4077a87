"""Filters: one selection becomes one parameterised predicate, a phrase and a URL."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.store.filters import Filters, from_query, has_any_risk, period_dates, uk_date
from tests.conftest import YEAR_2025

HOSTILE = ["W1'; DROP TABLE incidents; --", "\"", "Ø'\\", "", "💥", "W1 OR 1=1"]


def count(store, filters: Filters) -> int:
    p = filters.predicate("i")
    return store.cursor().execute(f"SELECT count(*) FROM incidents i WHERE {p.sql}",
                                  p.params).fetchone()[0]


def test_no_filters_select_every_incident(tiny):
    assert count(tiny, Filters()) == 12


def test_period_is_inclusive_of_both_ends(tiny):
    assert count(tiny, YEAR_2025) == 10
    assert count(tiny, Filters(start=date(2025, 12, 19), end=date(2025, 12, 19))) == 1


def test_each_dimension_narrows_the_selection(tiny):
    assert count(tiny, Filters(wards=("W1",))) == 4
    assert count(tiny, Filters(risk_types=("county_lines",))) == 2
    assert count(tiny, Filters(risk_types=("cse", "hsb"))) == 5
    assert count(tiny, Filters(context_types=("school",))) == 2
    assert count(tiny, Filters(agencies=("education", "youth_services"))) == 3
    assert count(tiny, Filters(wards=("W2",), risk_types=("cce",), start=date(2025, 1, 1))) == 3


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_parameters_not_sql(tiny, value):
    filters = Filters(wards=(value,), risk_types=(value,), context_types=(value,),
                      agencies=(value,))
    p = filters.predicate("i")
    assert value not in p.sql or value == ""
    assert count(tiny, filters) == 0
    assert tiny.cursor().execute("SELECT count(*) FROM incidents").fetchone()[0] == 12


def test_the_derived_tables_select_the_same_incidents_through_their_risk_list(tiny):
    for filters in (Filters(), YEAR_2025, Filters(risk_types=("cse", "hsb")),
                    Filters(wards=("W2",), risk_types=("cce",), start=date(2025, 1, 1)),
                    Filters(risk_types=("W1'; DROP TABLE incidents; --",))):
        p = filters.predicate("i", risk_list=True)
        ids = tiny.cursor().execute(f"SELECT incident_id FROM incident_facts i WHERE {p.sql} "
                                    "ORDER BY 1", p.params).fetchall()
        q = filters.predicate("i")
        assert ids == tiny.cursor().execute(f"SELECT incident_id FROM incidents i WHERE {q.sql} "
                                            "ORDER BY 1", q.params).fetchall()
    assert "incident_risks" not in Filters(risk_types=("cse",)).predicate(
        "i", risk_list=True).sql


def test_past_64_risk_types_the_derived_tables_still_select_the_same_incidents(tiny):
    with tiny.transaction() as cur:  # I01 gains 70 more codes: past the bits an integer holds
        cur.executemany("INSERT INTO incident_risks (incident_id, risk_type) VALUES ('I01', ?)",
                        [(f"code_{n:02d}",) for n in range(70)])
    for risks in (("code_69",), ("code_00",), ("cse",), ("cse", "code_69"), ("hsb", "cce")):
        filters = Filters(risk_types=risks)
        p, q = filters.predicate("i", risk_list=True), filters.predicate("i")
        assert tiny.cursor().execute(
            f"SELECT incident_id FROM incident_facts i WHERE {p.sql} ORDER BY 1",
            p.params).fetchall() == tiny.cursor().execute(
            f"SELECT incident_id FROM incidents i WHERE {q.sql} ORDER BY 1", q.params).fetchall()
    assert count(tiny, Filters(risk_types=("code_69",))) == 1


def test_empty_lists_mean_everything(tiny):
    assert count(tiny, Filters(wards=(), risk_types=())) == 12


def test_a_period_that_starts_after_it_ends_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="starts .* after it ends"):
        Filters(start=date(2025, 2, 1), end=date(2025, 1, 1))


def test_a_predicate_refuses_to_become_a_string():
    with pytest.raises(TypeError):
        str(YEAR_2025.predicate())


def test_aliases_and_prefixes_must_be_plain_names():
    with pytest.raises(ValueError):
        YEAR_2025.predicate("i; DROP TABLE x")
    with pytest.raises(ValueError):
        YEAR_2025.predicate("i", prefix="$x")
    with pytest.raises(ValueError):
        has_any_risk("i", "risks) OR (TRUE")


def test_two_predicates_with_prefixes_share_one_statement(tiny):
    cur, prev = YEAR_2025.predicate("a"), YEAR_2025.previous().predicate("b", prefix="p_")
    n = tiny.cursor().execute(
        f"SELECT (SELECT count(*) FROM incidents a WHERE {cur.sql}), "
        f"(SELECT count(*) FROM incidents b WHERE {prev.sql})", {**cur.params, **prev.params}
    ).fetchone()
    assert n == (10, 2)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    prev = YEAR_2025.previous()
    assert (prev.start, prev.end) == (date(2024, 1, 1), date(2024, 12, 31))


def test_phrase_names_every_filter_in_plain_words():
    f = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), wards=("W1",),
                risk_types=("cse",))
    assert f.describe({"W1": "Alder"}) == (
        "1 January 2025 to 31 December 2025; wards: Alder; risk types: Sexual exploitation; "
        "all context types; all agencies")


def test_uk_dates():
    assert uk_date(date(2026, 11, 23)) == "23 November 2026"


def test_period_presets_end_with_the_latest_month():
    assert period_dates("12m", date(2026, 10, 31)) == (date(2025, 11, 1), date(2026, 10, 31))
    assert period_dates("3m", date(2026, 10, 15)) == (date(2026, 8, 1), date(2026, 10, 31))
    assert period_dates("all", date(2026, 10, 31), date(2021, 11, 1)) == (
        date(2021, 11, 1), date(2026, 10, 31))


KW = {"data_end": date(2026, 10, 31), "data_start": date(2021, 11, 1), "ward_codes": {"W1", "W2"}}


def test_url_round_trip_reproduces_the_filters():
    f = Filters(start=date(2025, 3, 1), end=date(2025, 5, 31), period="custom",
                wards=("W2", "W1"), risk_types=("cse",), agencies=("police",))
    back, notices = from_query(f.to_query(), **KW)
    assert back == f and notices == []


def test_default_filters_leave_the_url_empty():
    f, notices = from_query({}, **KW)
    assert f.to_query() == {} and notices == []
    assert (f.start, f.end) == (date(2025, 11, 1), date(2026, 10, 31))


def test_unknown_url_values_fall_back_with_a_notice_each():
    f, notices = from_query({"ward": ["W1", "ZZ"], "risk": "nonsense", "period": "7y"}, **KW)
    assert f.wards == ("W1",) and f.risk_types == () and f.period == "12m"
    assert len(notices) == 3
    assert any("'ZZ'" in n for n in notices)


def test_malformed_custom_dates_fall_back_with_a_notice():
    f, notices = from_query({"period": "custom", "from": "2025-13-01", "to": "x"}, **KW)
    assert f.period == "12m" and len(notices) == 1
    f, notices = from_query({"period": "custom", "from": "2025-05-01", "to": "2025-01-01"}, **KW)
    assert f.period == "12m" and "not in order" in notices[0]


@given(st.dictionaries(st.sampled_from(["period", "from", "to", "ward", "risk", "context",
                                        "agency", "other"]),
                       st.one_of(st.text(), st.lists(st.text(), max_size=3))))
def test_any_url_gives_valid_filters_never_an_exception(query):
    f, notices = from_query(query, **KW)
    assert set(f.wards) <= {"W1", "W2"}
    assert all(isinstance(n, str) for n in notices)


# --- dates a link may name (issue 24) -----------------------------------------------------------

@pytest.mark.parametrize(("start", "end"), [("1999-12-31", "2025-01-01"),
                                            ("2020-01-01", "9999-12-31"),
                                            ("0001-01-01", "0001-12-31")])
def test_dates_outside_2000_to_2100_get_a_notice_and_the_default_period(start, end):
    filters, notices = from_query({"period": "custom", "from": start, "to": end},
                                  data_end=date(2025, 10, 31), data_start=None, ward_codes=set())
    assert (filters.period, filters.start, filters.end) == (
        "12m", date(2024, 11, 1), date(2025, 10, 31))
    assert notices == [f"The link's dates ('{start}' to '{end}') are outside 1 January 2000 to "
                       "31 December 2100; showing the last 12 months."]


def test_the_widest_dates_a_link_may_name_are_taken():
    filters, notices = from_query({"period": "custom", "from": "2000-01-01", "to": "2100-12-31"},
                                  data_end=date(2025, 10, 31), data_start=None, ward_codes=set())
    assert (filters.start, filters.end, notices) == (date(2000, 1, 1), date(2100, 12, 31), [])
    assert filters.previous().start == date(1899, 1, 1)


@pytest.mark.parametrize(("start", "end", "previous"), [
    (date(2020, 1, 1), date(9999, 12, 31), (date.min, date(2019, 12, 31))),
    (date(1, 3, 1), date(1, 5, 31), (date.min, date(1, 2, 28))),
    (date(1, 1, 20), date(1, 2, 10), (date.min, date(1, 1, 19))),
])
def test_the_previous_period_is_cut_short_at_the_calendars_start_never_overflowing(start, end,
                                                                                    previous):
    earlier = Filters(start=start, end=end, period="custom").previous()
    assert (earlier.start, earlier.end) == previous
    with pytest.raises(ValueError, match="nothing comes before"):
        Filters(start=date.min, end=date(1, 12, 31), period="custom").previous()


@pytest.mark.parametrize("query", [
    {"period": "custom", "from": "1999-12-31", "to": "2025-12-31"},
    {"period": "custom", "from": "2020-01-01", "to": "9999-12-31"},
    {"period": "custom", "from": "2020-01-01", "to": "9999-12-31", "present": "1"},
])
def test_pages_opened_by_such_a_link_say_so_and_show_the_default(tiny_db, monkeypatch, query):
    """A 'from' before 2000 crashed every page; 'to=9999-12-31' the Overview and the slides."""
    from tests.apptest import assert_no_exception, open_page, shown_text

    at = open_page(tiny_db, None, query, monkeypatch)
    assert_no_exception(at)
    assert at.metric  # the headline figures
    if "present" not in query:  # the slides draw no sidebar
        assert "outside 1 January 2000 to 31 December 2100" in " ".join(
            w.value for w in at.sidebar.warning)
        assert "12 months" in shown_text(at)  # ... of the default period
