"""Real public files (../shared/realdata): 24 police.uk months, 25 ward boundaries, LSOAs, IMD.

Counts are checked against the files themselves, read independently with pandas and shapely.
Skips, saying why, when ../shared is not beside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import shapely

from analytics.ingest import ingest
from analytics.store.store import Store
from tests.ingest_helpers import assert_same, snapshot

ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the repository; an engineer's worktree sits one folder deeper.
CANDIDATES = (Path(__file__).resolve().parents[3] / "shared" / "realdata",
              Path(__file__).resolve().parents[4] / "shared" / "realdata")
REALDATA = next((p for p in CANDIDATES if p.is_dir()), CANDIDATES[0])
POLICE = REALDATA / "police-uk" / "city-of-london"
WARDS = REALDATA / "boundaries" / "city-of-london-wards-2013.geojson"
LSOAS = REALDATA / "boundaries" / "city-of-london-lsoa-2011.geojson"
IMD = REALDATA / "deprivation" / "imd-2019-lsoa.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no real data at {CANDIDATES[0]} "
                       "(../shared/realdata beside the repository)"),
]


@pytest.fixture(scope="module")
def loaded():
    """A store with the real wards, then all 24 police.uk months loaded in one batch."""
    store = Store()
    ingest.commit(store, [ingest.read(store, WARDS.read_bytes(), WARDS.name)], "test")
    before = snapshot(store)
    staged = [ingest.read(store, f.read_bytes(), f.name) for f in sorted(POLICE.glob("*.csv"))]
    ids = ingest.commit(store, staged, "test")
    return store, staged, ids, before


@pytest.fixture(scope="module")
def files() -> pd.DataFrame:
    """Every police.uk row, read independently of our readers."""
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False)
                      for f in sorted(POLICE.glob("*.csv"))], ignore_index=True)


def test_the_25_ward_boundaries_load_with_codes_names_and_shapes():
    store = Store()
    staged = ingest.read(store, WARDS.read_bytes(), WARDS.name)
    assert staged.kind == "wards" and staged.counts == ingest.Counts(read=25, valid=25)
    ingest.commit(store, [staged], "test")
    wards = store.query("SELECT * FROM wards")
    features = json.loads(WARDS.read_text())["features"]
    assert sorted(wards["ward_code"]) == sorted(f["properties"]["WD13CD"] for f in features)
    assert "Aldersgate" in set(wards["ward_name"])
    for row in wards.itertuples():
        shape = shapely.from_geojson(row.geometry_geojson)
        assert shape.intersects(shapely.Point(row.centroid_lon, row.centroid_lat))


def test_all_24_police_months_load_and_every_row_is_accounted_for(loaded, files):
    store, staged, ids, _ = loaded
    assert len(staged) == len(ids) == 24 and {s.kind for s in staged} == {"street"}
    read = sum(s.counts.read for s in staged)
    valid = sum(s.counts.valid for s in staged)
    duplicate = sum(s.counts.duplicate for s in staged)
    assert read == len(files) == 18_867
    assert sum(s.counts.rejected for s in staged) == 0
    # Repeats are exact copies within one month's file that carry a Crime ID.
    with_id = files[files["Crime ID"] != ""]
    per_month = with_id.groupby("Month", group_keys=False).apply(lambda m: m.duplicated().sum())
    assert duplicate == int(per_month.sum()) > 0
    assert valid + duplicate == 18_867
    assert store.query("SELECT count(*) AS n FROM area_crime")["n"][0] == valid
    assert store.query("SELECT count(*) AS n FROM incidents")["n"][0] == 0


def test_no_location_rows_are_kept_and_counted(loaded, files):
    store, staged, _, _ = loaded
    expected = int((files["Longitude"] == "").sum())
    assert expected == int((files["Location"] == "No Location").sum())
    assert sum(s.counts.no_location for s in staged) == expected
    kept = store.query("SELECT count(*) AS n FROM area_crime WHERE location = 'No Location' "
                       "AND lat IS NULL")["n"][0]
    assert kept == expected


def test_points_outside_the_wards_are_flagged_as_the_boundaries_say(loaded, files):
    store, staged, _, _ = loaded
    wards = shapely.union_all([shapely.from_geojson(json.dumps(f["geometry"]))
                               for f in json.loads(WARDS.read_text())["features"]])
    rows = files[files["Longitude"] != ""].copy()
    rows = rows[~(rows["Crime ID"].ne("") & rows.duplicated())]  # loaded once
    inside = shapely.intersects_xy(wards, rows["Longitude"].astype(float),
                                   rows["Latitude"].astype(float))
    outside = int((~inside).sum())
    assert sum(s.counts.outside for s in staged) == outside > 0
    placed = store.query("SELECT count(*) AS n FROM area_crime WHERE lat IS NOT NULL AND "
                         "ward_code IS NULL")["n"][0]
    assert placed == outside


def test_each_month_is_one_extract_and_the_same_files_are_recognised(loaded):
    store, _, ids, _ = loaded
    history = ingest.history(store.cursor()).set_index("extract_id").loc[ids]
    assert history["file_name"].str.endswith("-city-of-london-street.csv").all()
    again = ingest.read(store, (POLICE / "2024-01-city-of-london-street.csv").read_bytes(), "x.csv")
    assert again.previous[1] == "loaded"


def test_rolling_back_every_month_restores_the_tables(loaded):
    store, _, ids, before = loaded
    for extract_id in ids:
        ingest.rollback(store, extract_id)
    assert_same(before, snapshot(store))


def test_lsoa_boundaries_and_the_national_imd_fill_the_areas_lsoas():
    store = Store()
    ingest.commit(store, [ingest.read(store, LSOAS.read_bytes(), LSOAS.name)], "test")
    staged = ingest.read(store, IMD.read_bytes(), IMD.name)
    assert staged.kind == "imd" and staged.counts.read == 32_844
    assert (staged.counts.valid, staged.counts.outside, staged.counts.rejected) == (6, 32_838, 0)
    ingest.commit(store, [staged], "test")
    lsoa = store.query("SELECT lsoa_code, imd_decile FROM lsoa ORDER BY 1")
    assert lsoa.values.tolist()[:2] == [["E01000001", 9], ["E01000002", 10]]
    assert lsoa["imd_decile"].notna().all() and len(lsoa) == 6
