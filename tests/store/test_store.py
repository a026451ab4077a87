"""The store: schema and migrations, cursors, all-or-nothing loads and the data version."""

import duckdb
import pytest

from analytics.store.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    database_path,
    migrate,
    quote_identifier,
)

TABLES = {"wards", "contexts", "young_people", "incidents", "incident_risks", "incident_people",
          "interventions", "area_crime", "lsoa", "extracts", "rejected_rows", "schema_version",
          "data_version"}


def test_a_new_store_has_every_table_of_the_data_model():
    names = {r[0] for r in Store().cursor().execute("SHOW TABLES").fetchall()}
    assert TABLES <= names


def test_migrations_run_once_and_record_the_schema_version():
    con = duckdb.connect()
    assert migrate(con) == SCHEMA_VERSION == len(MIGRATIONS)
    assert migrate(con) == SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_reopening_a_file_keeps_its_data(tmp_path):
    path = tmp_path / "db.duckdb"
    s = Store(path)
    with s.transaction() as cur:
        cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ('W1', 'Alder')")
    s.close()
    again = Store(path)
    assert again.cursor().execute("SELECT ward_name FROM wards").fetchone() == ("Alder",)
    assert again.data_version() == 1


def test_a_committed_load_changes_the_data_version():
    s = Store()
    before = s.data_version()
    with s.transaction() as cur:
        cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ('W1', 'Alder')")
    assert s.data_version() == before + 1


def test_a_failed_load_leaves_the_database_exactly_as_it_was(tiny):
    before = tiny.query("SELECT * FROM incidents ORDER BY incident_id")
    version = tiny.data_version()
    with pytest.raises(duckdb.ConstraintException):
        with tiny.transaction() as cur:
            cur.execute("DELETE FROM incidents WHERE incident_id = 'I01'")
            cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ('W1', 'dup')")
    assert tiny.query("SELECT * FROM incidents ORDER BY incident_id").equals(before)
    assert tiny.data_version() == version


def test_each_cursor_is_independent(tiny):
    a, b = tiny.cursor(), tiny.cursor()
    assert a is not b
    assert a.execute("SELECT count(*) FROM incidents").fetchone() == (12,)


def test_the_tracer_sees_every_query_and_its_parameters():
    seen = []
    s = Store(tracer=lambda sql, params: seen.append((sql, params)))
    s.query("SELECT $x AS x", {"x": 1})
    assert seen == [("SELECT $x AS x", {"x": 1})]


def test_the_database_path_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SAFEGUARDING_DB", str(tmp_path / "x.duckdb"))
    assert database_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("SAFEGUARDING_DB")
    assert database_path().name == "safeguarding.duckdb"


def test_identifiers_come_only_from_an_allow_list():
    assert quote_identifier("ward_code", {"ward_code"}) == '"ward_code"'
    with pytest.raises(ValueError):
        quote_identifier('x"; DROP TABLE wards; --', {"ward_code"})


def test_is_empty_until_something_is_loaded(tiny):
    assert Store().is_empty() and not tiny.is_empty()


def test_a_reopened_file_takes_a_load_and_checkpoints(tmp_path):
    path = tmp_path / "db.duckdb"
    Store(path).close()
    again = Store(path)
    with again.transaction() as cur:
        cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ('W1', 'Alder')")
    assert again.data_version() == 1


def test_a_load_commits_even_while_another_cursor_is_mid_read(tmp_path):
    s = Store(tmp_path / "db.duckdb")
    reader = s.cursor()
    reader.execute("SELECT version FROM data_version").fetchone()  # left half-read
    with s.transaction() as cur:
        cur.execute("INSERT INTO wards (ward_code, ward_name) VALUES ('W1', 'Alder')")
    assert s.cursor().execute("SELECT count(*) FROM wards").fetchone()[0] == 1
