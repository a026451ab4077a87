"""The derived analysis tables always match the data they are built from (tiny borough)."""

from datetime import datetime

import pytest

from analytics.store import derived
from analytics.store.store import Store
from tests.conftest import seed_tiny


def facts(store: Store, sql: str) -> list[tuple]:
    return store.cursor().execute(sql).fetchall()


def test_one_row_per_incident_with_its_risk_types_sorted_and_uk_clock_time(tiny):
    rows = dict((r[0], r[1:]) for r in facts(
        tiny, "SELECT incident_id, risks, local_at, ward_code FROM incident_facts"))
    assert len(rows) == 12
    assert rows["I04"][0] == ["cce", "county_lines"]
    assert rows["I10"][0] == ["gangs", "syv"]
    assert rows["I05"][1] == datetime(2025, 5, 14, 20, 0)  # 19:00 UTC is 20:00 in summer
    assert rows["I01"][1] == datetime(2025, 1, 10, 20, 0)  # and the same in winter
    assert rows["I09"][2] is None


def test_one_row_per_incident_and_young_person_with_the_incidents_columns(tiny):
    rows = facts(tiny, "SELECT incident_id, person_id, ward_code, risks FROM people_facts "
                       "ORDER BY incident_id, person_id")
    assert len(rows) == facts(tiny, "SELECT count(*) FROM incident_people")[0][0]
    assert ("I10", "P4", "W2", ["gangs", "syv"]) in rows


def test_each_young_person_has_one_number_and_each_number_one_young_person(tiny):
    with tiny.transaction() as cur:  # a young person linked twice keeps their one number
        cur.execute("INSERT INTO incident_people (incident_id, person_id, role) "
                    "VALUES ('I10', 'P4', 'witness')")
    pairs = facts(tiny, "SELECT DISTINCT person_id, person_no FROM people_facts")
    people = facts(tiny, "SELECT DISTINCT person_id FROM incident_people")
    assert len(pairs) == len(people) > 1
    assert len({no for _, no in pairs}) == len(pairs)
    assert all(isinstance(no, int) for _, no in pairs)


def test_each_incident_has_one_number_among_the_young_peoples_rows(tiny):
    pairs = facts(tiny, "SELECT DISTINCT incident_id, incident_no FROM people_facts")
    incidents = facts(tiny, "SELECT DISTINCT incident_id FROM people_facts")
    assert len(pairs) == len(incidents) > 1
    assert len({no for _, no in pairs}) == len(pairs)


def test_a_young_person_linked_to_an_incident_twice_is_one_row(tiny):
    # In two roles, or by two loads: they were there once, and are counted once.
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO incident_people (incident_id, person_id, role) "
                    "VALUES ('I10', 'P4', 'witness')")
    assert facts(tiny, "SELECT count(*) FROM people_facts WHERE incident_id = 'I10' "
                       "AND person_id = 'P4'") == [(1,)]


def test_an_incident_with_no_risk_type_has_an_empty_list(tiny):
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO incidents (incident_id, occurred_at) "
                    "VALUES ('I99', TIMESTAMP '2025-02-01 10:00')")
    assert facts(tiny, "SELECT risks FROM incident_facts WHERE incident_id = 'I99'") == [([],)]


def test_risk_bits_hold_each_rows_risk_types_one_bit_a_code(tiny):
    codes = dict(facts(tiny, "SELECT code, bit FROM risk_codes"))
    assert list(codes) == sorted(codes) and list(codes.values()) == list(range(len(codes)))
    for risks, bits in facts(tiny, "SELECT risks, risk_bits FROM incident_facts"):
        assert bits == sum(1 << codes[code] for code in risks)
    assert facts(tiny, "SELECT count(*) FROM people_facts p JOIN incident_facts i "
                       "USING (incident_id) WHERE p.risk_bits IS DISTINCT FROM i.risk_bits") \
        == [(0,)]


def test_an_incident_with_no_risk_type_has_no_bits(tiny):
    with tiny.transaction() as cur:
        cur.execute("INSERT INTO incidents (incident_id, occurred_at) "
                    "VALUES ('I99', TIMESTAMP '2025-02-01 10:00')")
    assert facts(tiny, "SELECT risk_bits FROM incident_facts WHERE incident_id = 'I99'") == [(0,)]


def test_past_64_risk_types_a_row_with_a_later_one_keeps_its_list_and_no_bits(tiny):
    extra = [f"zz_{n:02d}" for n in range(70)]  # sort after every real code
    with tiny.transaction() as cur:
        cur.executemany("INSERT INTO incident_risks (incident_id, risk_type) VALUES ('I01', ?)",
                        [(code,) for code in extra])
    bits = dict(facts(tiny, "SELECT code, bit FROM risk_codes"))
    assert len(bits) > 64
    (risks, row_bits), = facts(tiny, "SELECT risks, risk_bits FROM incident_facts "
                                     "WHERE incident_id = 'I01'")
    assert row_bits is None and "zz_69" in risks
    assert facts(tiny, "SELECT count(*) FROM incident_facts WHERE risk_bits IS NULL") == [(1,)]


def test_every_load_rebuilds_them_in_the_same_transaction(tiny):
    with tiny.transaction() as cur:
        cur.execute("UPDATE incidents SET ward_code = 'W3' WHERE incident_id = 'I01'")
        cur.execute("DELETE FROM incident_risks WHERE incident_id = 'I01' AND risk_type = 'cse'")
    assert facts(tiny, "SELECT ward_code, risks FROM incident_facts WHERE incident_id = 'I01'") == [
        ("W3", ["missing"])]
    assert derived.is_current(tiny.cursor())


def test_a_failed_load_leaves_them_as_they_were(tiny):
    before = facts(tiny, "SELECT * FROM incident_facts ORDER BY incident_id")
    with pytest.raises(RuntimeError), tiny.transaction() as cur:
        cur.execute("DELETE FROM incidents")
        raise RuntimeError("the file was bad")
    assert facts(tiny, "SELECT * FROM incident_facts ORDER BY incident_id") == before


def test_a_transaction_that_leaves_incidents_alone_does_not_rebuild_them(tiny):
    cur = tiny.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.execute("INSERT INTO interventions (intervention_id, context_id, started_on) "
                "VALUES ('V1', 'C1', DATE '2025-06-01')")
    assert derived.refresh(cur) is False
    cur.execute("UPDATE incidents SET lat = 51.5 WHERE incident_id = 'I02'")  # same row count
    assert derived.refresh(cur) is True
    cur.execute("COMMIT")
    assert facts(tiny, "SELECT lat FROM incident_facts WHERE incident_id = 'I02'") == [(51.5,)]


def test_a_database_without_them_gets_them_when_opened(tmp_path):
    path = tmp_path / "old.duckdb"
    store = Store(path)
    seed_tiny(store)
    store.cursor().execute("DROP TABLE incident_facts")
    store.close()
    reopened = Store(path)
    assert derived.is_current(reopened.cursor())
    assert facts(reopened, "SELECT count(*) FROM incident_facts") == [(12,)]


def test_a_database_changed_behind_their_back_is_caught_up_when_opened(tmp_path):
    path = tmp_path / "moved.duckdb"
    store = Store(path)
    seed_tiny(store)
    cur = store.cursor()  # as an older version of the app would load: no rebuild
    cur.execute("DELETE FROM incidents WHERE incident_id = 'I12'")
    cur.execute("UPDATE data_version SET version = version + 1")
    assert not derived.is_current(cur)
    store.close()
    assert facts(Store(path), "SELECT count(*) FROM incident_facts") == [(11,)]
