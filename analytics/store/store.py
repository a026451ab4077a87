"""The DuckDB store: schema and forward migrations, the one connection, transactions, data version.

One `Store` per process holds one DuckDB connection; every query runs on its own cursor so
Streamlit's session threads never share one. Loads run in `Store.transaction()`, which bumps the
data version inside the same transaction, so a reader sees either the whole load or none of it,
and every cache keyed by the version refreshes at once. The same transaction rebuilds the
analysis tables derived from the data (analytics/store/derived.py), so they always match it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.store import derived

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "safeguarding.duckdb"
PATH_ENV = "SAFEGUARDING_DB"

Tracer = Callable[[str, object], None]

# Each migration moves the schema forward by one version; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    # 1: the data model of DESIGN.md
    """
    CREATE TABLE wards (
        ward_code VARCHAR PRIMARY KEY,
        ward_name VARCHAR NOT NULL,
        geometry_geojson VARCHAR,
        centroid_lat DOUBLE,
        centroid_lon DOUBLE,
        child_population INTEGER
    );
    CREATE TABLE lsoa (
        lsoa_code VARCHAR PRIMARY KEY,
        lsoa_name VARCHAR,
        ward_code VARCHAR,
        imd_decile SMALLINT,
        geometry_geojson VARCHAR
    );
    CREATE TABLE extracts (
        extract_id INTEGER PRIMARY KEY,
        kind VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR,
        uploaded_by VARCHAR,
        uploaded_at TIMESTAMP NOT NULL,
        rows_read INTEGER NOT NULL DEFAULT 0,
        rows_loaded INTEGER NOT NULL DEFAULT 0,
        rows_rejected INTEGER NOT NULL DEFAULT 0,
        rows_duplicate INTEGER NOT NULL DEFAULT 0,
        status VARCHAR NOT NULL
    );
    CREATE TABLE rejected_rows (
        extract_id INTEGER NOT NULL,
        row_number INTEGER NOT NULL,
        column_name VARCHAR,
        reason VARCHAR NOT NULL,
        raw VARCHAR
    );
    CREATE TABLE contexts (
        context_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        context_type VARCHAR NOT NULL,
        ward_code VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        extract_id INTEGER
    );
    CREATE TABLE young_people (
        person_id VARCHAR PRIMARY KEY,
        birth_year SMALLINT,
        gender VARCHAR,
        extract_id INTEGER
    );
    CREATE TABLE incidents (
        incident_id VARCHAR PRIMARY KEY,
        occurred_at TIMESTAMP NOT NULL,
        reported_on DATE,
        ward_code VARCHAR,
        context_id VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        lsoa_code VARCHAR,
        location_type VARCHAR,
        source_agency VARCHAR,
        severity SMALLINT,
        outcome VARCHAR,
        extract_id INTEGER
    );
    CREATE TABLE incident_risks (
        incident_id VARCHAR NOT NULL,
        risk_type VARCHAR NOT NULL,
        extract_id INTEGER
    );
    CREATE TABLE incident_people (
        incident_id VARCHAR NOT NULL,
        person_id VARCHAR NOT NULL,
        role VARCHAR,
        extract_id INTEGER
    );
    CREATE TABLE interventions (
        intervention_id VARCHAR PRIMARY KEY,
        context_id VARCHAR,
        ward_code VARCHAR,
        started_on DATE NOT NULL,
        ended_on DATE,
        intervention_type VARCHAR,
        lead_agency VARCHAR,
        description VARCHAR,
        extract_id INTEGER
    );
    CREATE TABLE area_crime (
        crime_id VARCHAR,
        month DATE NOT NULL,
        kind VARCHAR NOT NULL,
        reported_by VARCHAR,
        falls_within VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        location VARCHAR,
        lsoa_code VARCHAR,
        lsoa_name VARCHAR,
        ward_code VARCHAR,
        crime_type VARCHAR,
        last_outcome VARCHAR,
        context VARCHAR,
        extract_id INTEGER
    );
    CREATE TABLE data_version (version BIGINT NOT NULL, changed_at TIMESTAMP NOT NULL);
    INSERT INTO data_version VALUES (0, now()::TIMESTAMP);
    CREATE INDEX incidents_occurred ON incidents(occurred_at);
    CREATE INDEX incident_risks_incident ON incident_risks(incident_id);
    CREATE INDEX incident_people_incident ON incident_people(incident_id);
    """,
    # 2: the partner agencies working on an intervention (agency codes joined by ';'), which the
    # interventions register records alongside the lead agency
    """
    ALTER TABLE interventions ADD COLUMN partners VARCHAR;
    """,
    # 3: the audit log (analytics/governance/audit.py), append-only. Its key is every column, and a second
    # table references each row by that key, so DuckDB itself refuses to UPDATE, DELETE or
    # TRUNCATE an entry, or to DROP or ALTER the table. It has no extract_id: rolling back an
    # extract never touches it. IF NOT EXISTS, so this migration may run in any order.
    """
    CREATE TABLE IF NOT EXISTS audit_log (
        seq BIGINT NOT NULL UNIQUE,
        "at" TIMESTAMP NOT NULL,
        user_id VARCHAR NOT NULL,
        user_label VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        object VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        PRIMARY KEY (seq, "at", user_id, user_label, role, action, object, outcome)
    );
    CREATE TABLE IF NOT EXISTS audit_log_pins (
        seq BIGINT NOT NULL,
        "at" TIMESTAMP NOT NULL,
        user_id VARCHAR NOT NULL,
        user_label VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        object VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        FOREIGN KEY (seq, "at", user_id, user_label, role, action, object, outcome)
            REFERENCES audit_log (seq, "at", user_id, user_label, role, action, object, outcome)
    );
    """,
    # 4: lineage for geography and rollback, row notes' outcome, saved column mappings (issue 3).
    # Wards and LSOAs keep their columns (other modules insert into them); their owning extract
    # sits beside them in area_lineage.
    """
    CREATE TABLE area_lineage (
        table_name VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        extract_id INTEGER NOT NULL,
        PRIMARY KEY (table_name, code)
    );
    ALTER TABLE extracts ADD COLUMN rows_outside INTEGER DEFAULT 0;
    ALTER TABLE extracts ADD COLUMN rows_no_location INTEGER DEFAULT 0;
    ALTER TABLE extracts ADD COLUMN notes VARCHAR;
    ALTER TABLE extracts ADD COLUMN rolled_back_at TIMESTAMP;
    ALTER TABLE extracts ADD COLUMN rolled_back_by VARCHAR;
    ALTER TABLE rejected_rows ADD COLUMN outcome VARCHAR DEFAULT 'rejected';
    CREATE TABLE replaced_rows (
        replaced_by INTEGER NOT NULL,
        table_name VARCHAR NOT NULL,
        row_json VARCHAR NOT NULL
    );
    CREATE TABLE mapping_profiles (
        name VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        header_key VARCHAR NOT NULL,
        mapping_json VARCHAR NOT NULL,
        created_by VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    """,
    # 5: police.uk as a source of its own (issue 17): a search's date and time and the age range
    # of the person searched (children are counted apart), and the residents of each ward or
    # LSOA (by its code) for rates per 1,000 residents. Residents sit in a table of their own so
    # the wards and LSOA tables keep the columns other modules insert into.
    """
    ALTER TABLE area_crime ADD COLUMN occurred_at TIMESTAMP;
    ALTER TABLE area_crime ADD COLUMN age_range VARCHAR;
    CREATE TABLE residents (
        code VARCHAR NOT NULL,
        residents INTEGER NOT NULL,
        extract_id INTEGER
    );
    """,
    # 6: the session book (analytics/governance/sessions.py), so that signing out survives a restart, and
    # the audit log's hash chain (analytics/governance/audit.py): each entry's hash, which covers the entry
    # and the hash before it (issue 24). IF NOT EXISTS, so this migration may run in any order.
    """
    CREATE TABLE IF NOT EXISTS sign_ins (
        user_id VARCHAR NOT NULL,
        signed_in_at TIMESTAMP NOT NULL,
        last_active TIMESTAMP NOT NULL,
        ended VARCHAR,
        PRIMARY KEY (user_id, signed_in_at)
    );
    CREATE TABLE IF NOT EXISTS audit_chain (
        seq BIGINT PRIMARY KEY,
        hash VARCHAR NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the database's schema version; return the version."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    # fetchall, not fetchone: a half-read result keeps its transaction open on this long-lived
    # connection, and DuckDB then refuses every later CHECKPOINT.
    current = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0] or 0
    for number, sql in enumerate(MIGRATIONS[current:], start=current + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES ($v)", {"v": number})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return max(current, SCHEMA_VERSION)


class Store:
    """The process's one DuckDB connection; hands out a cursor per query or thread."""

    def __init__(self, path: str | Path = ":memory:", tracer: Tracer | None = None) -> None:
        self.path = str(path)
        self.tracer = tracer
        self._lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.path)
        migrate(self._con)
        if not derived.is_current(self._con):  # made before they existed, or by another version
            self._con.execute("BEGIN TRANSACTION")
            derived.refresh(self._con)
            self._con.execute("COMMIT")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the shared connection; reopens it if a fatal error invalidated it."""
        try:
            return self._con.cursor()
        except (duckdb.FatalException, duckdb.ConnectionException):
            with self._lock:
                self._open()
            return self._con.cursor()

    def query(self, sql: str, params: dict | None = None):
        """Run one read query on its own cursor and return a DataFrame."""
        if self.tracer:
            self.tracer(sql, params)
        return self.cursor().execute(sql, params or {}).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction that bumps the data version; all of it commits or none does."""
        with self._lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute(
                    "UPDATE data_version SET version = version + 1, changed_at = now()::TIMESTAMP"
                )
                derived.refresh(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        if self.path != ":memory:":
            try:
                self.cursor().execute("CHECKPOINT")
            except duckdb.TransactionException:
                # Another session is mid-read: the load is committed (and in the write-ahead log);
                # DuckDB checkpoints on its own later, so this is no reason to fail the load.
                pass

    @contextmanager
    def trial(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction that is always rolled back: to learn exactly what a change would
        do (say, what a rollback would remove) before anyone confirms it."""
        with self._lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            finally:
                cur.execute("ROLLBACK")

    def data_version(self) -> int:
        """A number that changes on every committed load: the key of every cache."""
        return int(self.cursor().execute("SELECT version FROM data_version").fetchone()[0])

    def is_empty(self) -> bool:
        """True when nothing was ever loaded: no incidents, no wards and no extract (even one
        rolled back, so a demo the analyst rolled back is not rebuilt on the next start)."""
        cur = self.cursor()
        n = cur.execute("SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM wards) "
                        "+ (SELECT count(*) FROM extracts)")
        return n.fetchone()[0] == 0

    def close(self) -> None:
        self._con.close()


def database_path() -> Path:
    """Where the app keeps its database: $SAFEGUARDING_DB, else data/safeguarding.duckdb."""
    return Path(os.environ.get(PATH_ENV) or DEFAULT_PATH)


def quote_identifier(name: str, allowed: frozenset[str] | set[str]) -> str:
    """Quote a table or column name, but only one from the caller's allow-list."""
    if name not in allowed:
        raise ValueError(f"{name!r} is not an allowed name")
    return '"' + name.replace('"', '""') + '"'
