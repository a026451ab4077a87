"""Property tests: whatever file arrives, reading never raises and never writes; a load either
commits whole or changes nothing; and rolling it back restores every table exactly."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ingest import ingest
from analytics.ingest.mapping import FIELDS
from analytics.ingest.police import STREET_COLUMNS
from tests.conftest import seed_tiny
from tests.ingest_helpers import assert_same, snapshot, wards_geojson, with_wards

HEADERS = (
    [f.name for f in FIELDS["incidents"]],
    [f.name for f in FIELDS["contexts"]],
    [f.name for f in FIELDS["interventions"]],
    list(STREET_COLUMNS.values()),
    ["LSOA21CD", "WD23CD"],
    ["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Decile"],
)
NASTY = ["", " ", "=1+1", "+44", "-0.1", "@x", '"', '""', "a,b", "x;y", "\t", "\r\n", "é", "€",
         "31/02/2025", "2025-07-01T20:00+01:00", "45000", "1,234", "NaN", "null", "None",
         "E01000001", "E05000001", "cse; cce", "YP-1", "John Smith", "2025-01", "52.25", "-0.75",
         "9" * 40, "\x00", "\ufeff", "0", "-", "park", "police", "High"]
cell = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
settings.register_profile("ingest", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])


@st.composite
def delimited(draw) -> bytes:
    """A CSV-like file: a real or random header, ragged random rows, any separator and encoding."""
    header = draw(st.one_of(st.sampled_from(HEADERS),
                            st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=6)))
    if draw(st.booleans()):
        header = header + [draw(st.sampled_from(header))]  # a duplicate header
    width = len(header)
    rows = draw(st.lists(st.lists(cell, min_size=max(0, width - 2), max_size=width + 2),
                         max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(sep.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


files = st.one_of(
    st.tuples(delimited(), st.sampled_from(["x.csv", "x.txt", "x.tsv"])),
    st.tuples(st.binary(max_size=300), st.sampled_from(["x.csv", "x.xlsx", "x.parquet",
                                                        "x.geojson", "x.pdf"])),
    st.tuples(st.builds(lambda d: json.dumps(d).encode(), st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
            st.sampled_from(["type", "features", "properties", "geometry", "WD23CD",
                             "coordinates", "LSOA11CD"]), inner, max_size=3),
        max_leaves=12)), st.just("x.geojson")),
)


@pytest.fixture(scope="module")
def store():
    s = with_wards()
    seed_tiny_extra(s)
    return s


def seed_tiny_extra(store) -> None:
    """Add the tiny borough's incidents, so rejects for clashing ids are exercised too."""
    from analytics.store.store import Store

    tiny = Store()
    seed_tiny(tiny)
    incidents = tiny.query("SELECT * FROM incidents")
    with store.transaction() as cur:
        cur.register("tiny_incidents", incidents)
        cur.execute("INSERT INTO incidents SELECT * FROM tiny_incidents")


@settings(settings.get_profile("ingest"))
@given(file=files)
def test_reading_any_file_never_raises_and_never_writes(store, file):
    data, name = file
    before, version = snapshot(store), store.data_version()
    staged = ingest.read(store, data, name)
    assert staged.ok or staged.error.strip()
    if staged.ok:
        staged.first_problems()
        ingest.staged_notes_csv(staged)
    assert store.data_version() == version
    assert_same(before, snapshot(store))


@settings(settings.get_profile("ingest"))
@given(file=st.tuples(delimited(), st.just("x.csv")))
def test_a_load_commits_whole_or_not_at_all_and_rolls_back_exactly(store, file):
    data, name = file
    before, version = snapshot(store), store.data_version()
    staged = ingest.read(store, data, name)
    try:
        [extract_id] = ingest.commit(store, [staged], "property test")
    except ingest.IngestError:
        assert store.data_version() == version
        assert_same(before, snapshot(store))
        return
    assert store.data_version() == version + 1
    ingest.rollback(store, extract_id)
    assert_same(before, snapshot(store))


def test_the_ward_file_used_above_is_itself_loadable():
    assert ingest.read(with_wards(), wards_geojson(code_key="WD13CD"), "w.geojson").ok
