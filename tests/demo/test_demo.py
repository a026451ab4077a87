"""The demo borough: fictional, deterministic, keyed like real data, and showing what it plants.

One default borough is generated once for the module (about a second); each test reads it with
SQL. Thresholds are the brief's, so a weakened generator fails here first.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analytics.demo import demo
from analytics.store.store import Store
from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES, codes

PLANTED = demo.PLANTED
END = date(2026, 10, 31)
START = date(2021, 11, 1)
DATA_TABLES = ("wards", "contexts", "young_people", "incidents", "incident_risks",
               "incident_people", "interventions")
EVENING_HOURS = (18, 19, 20, 21, 22, 23, 0, 1)  # 18:00 to 02:00
PAIR_SUPPORT = 0.02  # a pair of risk types needs 2% of incidents before its lift counts


@pytest.fixture(scope="module")
def store() -> Store:
    """The default borough, generated once (end pinned so the test does not age)."""
    s = Store()
    demo.generate(s, end=END)
    return s


def scalar(store: Store, sql: str, params: dict | None = None):
    """The single value of a one-cell query."""
    return store.query(sql, params).iat[0, 0]


def monthly(store: Store, column: str, value: str) -> pd.Series:
    """Incidents a month for one ward or context over the five years, zero-filled."""
    assert column in ("ward_code", "context_id")
    counts = store.query(
        f"SELECT date_trunc('month', occurred_at) AS month, count(*) AS n FROM incidents "
        f"WHERE {column} = $v GROUP BY ALL", {"v": value}).set_index("month")["n"]
    months = pd.date_range(START, END, freq="MS")
    return counts.reindex(months, fill_value=0)


def before_after(store: Store, context_id: str, started_on: date) -> tuple[float, float]:
    """Mean monthly incidents at a context before and from the month an intervention started."""
    series = monthly(store, "context_id", context_id)
    cut = pd.Timestamp(started_on).replace(day=1)
    return series[series.index < cut].mean(), series[series.index >= cut].mean()


def started_on(store: Store, intervention_id: str) -> date:
    """When an intervention started."""
    return scalar(store, "SELECT started_on FROM interventions WHERE intervention_id = $i",
                  {"i": intervention_id})


def ward_shapes(store: Store) -> dict[str, shapely.Geometry]:
    """Ward code -> polygon from the stored GeoJSON."""
    wards = store.query("SELECT ward_code, geometry_geojson FROM wards")
    return {w: shapely.from_geojson(g) for w, g in zip(wards.ward_code, wards.geometry_geojson,
                                                          strict=True)}


def neighbours(shapes: dict[str, shapely.Geometry], code: str) -> set[str]:
    """Wards sharing an edge (not just a corner) with `code`."""
    return {other for other, shape in shapes.items()
            if other != code and shapes[code].intersection(shape).length > 1e-5}


@pytest.fixture(scope="module")
def peer_groups(store: Store) -> pd.Series:
    """person_id -> group, found from the data alone: young people linked by sharing at least
    two incidents, in connected sets of 4 to 10."""
    pairs = store.query("""
        SELECT a.person_id AS p, b.person_id AS q FROM incident_people a
        JOIN incident_people b ON a.incident_id = b.incident_id AND a.person_id < b.person_id
        GROUP BY ALL HAVING count(*) >= 2""")
    people = pd.Index(pd.unique(pd.concat([pairs.p, pairs.q])))
    graph = coo_matrix((np.ones(len(pairs)),
                        (people.get_indexer(pairs.p), people.get_indexer(pairs.q))),
                       shape=(len(people), len(people)))
    _, label = connected_components(graph, directed=False)
    group = pd.Series(label, index=people)
    size = group.map(group.value_counts())
    return group[size.between(4, 10)]


def checksum(store: Store) -> dict[str, int]:
    """A hash of every row of every demo table (the extract's upload time is left out)."""
    return {t: int(scalar(store, f"SELECT coalesce(sum(hash(t)), 0) FROM {t} t"))
            for t in DATA_TABLES}


# ---------------------------------------------------------------------------------------------
# The shape of the borough
# ---------------------------------------------------------------------------------------------
def test_default_end_is_the_last_day_of_the_last_complete_month():
    assert demo.default_end(date(2026, 11, 23)) == date(2026, 10, 31)
    assert demo.default_end(date(2026, 1, 1)) == date(2025, 12, 31)
    assert demo.default_end(date(2024, 3, 31)) == date(2024, 2, 29)


def test_default_borough_has_about_the_sizes_asked_for(store):
    counts = {t: scalar(store, f"SELECT count(*) FROM {t}") for t in DATA_TABLES}
    assert counts["wards"] == 20
    assert counts["incidents"] == demo.DEFAULT_INCIDENTS
    assert 290 <= counts["contexts"] <= 330
    assert 7_000 <= counts["young_people"] <= 9_000
    assert 50 <= counts["interventions"] <= 70


def test_incidents_span_five_years_to_the_end_of_the_last_complete_month(store):
    first, last = store.query("SELECT min(occurred_at), max(occurred_at) FROM incidents").iloc[0]
    assert first.date() >= START and (first.date() - START).days < 7
    assert last.date() <= END and (END - last.date()).days < 7
    delay = store.query("SELECT min(reported_on - occurred_at::DATE) lo, "
                        "max(reported_on - occurred_at::DATE) hi, max(reported_on) last "
                        "FROM incidents").iloc[0]
    assert delay["lo"] >= 0 and delay["hi"] <= 14
    assert delay["last"].date() <= END


def test_wards_are_fictional_numbered_and_sized_like_a_borough(store):
    wards = store.query("SELECT * FROM wards ORDER BY ward_code")
    assert list(wards.ward_code) == [f"DB{i:02d}" for i in range(1, 21)]
    assert wards.ward_name.is_unique and "Fernley Central" in set(wards.ward_name)
    assert wards.child_population.between(1_500, 6_000).all()
    shapes = ward_shapes(store)
    borough = shapely.union_all(list(shapes.values()))
    minx, miny, maxx, maxy = borough.bounds
    width_km = (maxx - minx) * 111.32 * math.cos(math.radians(52.45))
    height_km = (maxy - miny) * 111.2
    assert 9 <= width_km <= 12 and 7 <= height_km <= 10
    assert abs((miny + maxy) / 2 - 52.45) < 0.02 and abs((minx + maxx) / 2 + 1.75) < 0.02
    assert "fictional" in demo.BOROUGH_NAME


def test_ward_polygons_tile_the_borough_and_neighbours_share_edges(store):
    shapes = ward_shapes(store)
    assert all(s.geom_type == "Polygon" and s.is_valid for s in shapes.values())
    total = sum(s.area for s in shapes.values())
    assert shapely.union_all(list(shapes.values())).area == pytest.approx(total, rel=1e-6)
    assert all(len(neighbours(shapes, code)) >= 2 for code in shapes)
    wards = store.query("SELECT * FROM wards")
    for row in wards.itertuples():
        assert shapes[row.ward_code].contains(shapely.Point(row.centroid_lon, row.centroid_lat))
        ring = json.loads(row.geometry_geojson)["coordinates"][0]
        assert -1.9 < ring[0][0] < -1.6 and 52.3 < ring[0][1] < 52.6  # lon, lat order


def test_contexts_cover_every_type_and_sit_inside_their_ward(store):
    contexts = store.query("SELECT * FROM contexts")
    assert set(contexts.context_type) == set(codes(CONTEXT_TYPES))
    assert contexts.context_id.str.fullmatch(r"C\d{4}").all()
    assert contexts.name.is_unique
    online = contexts[contexts.context_type == "online"]
    assert online.ward_code.isna().all() and online.lat.isna().all() and online.lon.isna().all()
    assert contexts[contexts.context_type != "online"].ward_code.notna().all()
    shapes = ward_shapes(store)
    located = contexts.dropna(subset=["lat"])
    inside = [shapes[w].contains(shapely.Point(lon, lat))
              for w, lat, lon in zip(located.ward_code, located.lat, located.lon, strict=True)]
    assert all(inside)
    peer = contexts[contexts.context_type == "peer_group"]
    assert peer.lat.isna().any() and peer.lat.notna().any()


def test_incidents_are_recorded_near_their_context(store):
    gaps = store.query("""
        SELECT i.location_type = c.context_type AS same_type, i.lat IS NULL AS no_point,
               c.context_type, 111200 * sqrt(power(i.lat - c.lat, 2)
                   + power((i.lon - c.lon) * cos(radians(52.45)), 2)) AS metres
        FROM incidents i JOIN contexts c USING (context_id)""")
    assert gaps.same_type.all()
    assert gaps[gaps.context_type == "online"].no_point.all()
    metres = gaps.metres.dropna()
    assert metres.between(25, 85).all()
    assert scalar(store, "SELECT count(*) FROM incidents WHERE lsoa_code IS NOT NULL") == 0


def test_incident_fields_use_the_shared_vocabularies(store):
    risks = set(store.query("SELECT DISTINCT risk_type FROM incident_risks").risk_type)
    assert risks == set(codes(RISK_TYPES))
    agencies = store.query("SELECT source_agency, count(*) n FROM incidents GROUP BY ALL "
                           "ORDER BY n DESC")
    assert set(agencies.source_agency) <= set(codes(AGENCIES))
    assert agencies.source_agency.iloc[0] == "police"
    assert set(store.query("SELECT DISTINCT severity FROM incidents").severity) == {1, 2, 3}
    assert store.query("SELECT DISTINCT outcome FROM incidents").outcome.notna().all()
    per_incident = store.query("""
        SELECT (SELECT count(*) FROM incident_risks r WHERE r.incident_id = i.incident_id) AS risks,
               (SELECT count(*) FROM incident_people p WHERE p.incident_id = i.incident_id) AS people
        FROM incidents i""")
    assert per_incident.risks.between(1, 3).all()
    assert per_incident.people.between(1, 4).all()
    roles = set(store.query("SELECT DISTINCT role FROM incident_people").role)
    assert roles == {"subject", "associate"}


def test_young_people_are_10_to_17_at_every_incident(store):
    gap = store.query("""
        SELECT min(year(i.occurred_at) - y.birth_year) AS lo,
               max(year(i.occurred_at) - y.birth_year) AS hi
        FROM incident_people p JOIN incidents i USING (incident_id)
        JOIN young_people y USING (person_id)""").iloc[0]
    # Without birthdays, age is the year gap or one less: 11-17 keeps it within 10-17.
    assert gap["lo"] >= 11 and gap["hi"] <= 17
    genders = set(store.query("SELECT DISTINCT gender FROM young_people").gender)
    assert genders == {"Female", "Male", "Other or not recorded"}
    assert store.query("SELECT person_id FROM young_people").person_id.str.fullmatch(
        r"YP\d{6}").all()


def test_keys_are_unique_and_every_reference_exists(store):
    for table, key in (("wards", "ward_code"), ("contexts", "context_id"),
                       ("young_people", "person_id"), ("incidents", "incident_id"),
                       ("interventions", "intervention_id")):
        assert scalar(store, f"SELECT count(*) - count(DISTINCT {key}) FROM {table}") == 0
    orphans = {
        "incident context": "SELECT count(*) FROM incidents WHERE context_id NOT IN "
                            "(SELECT context_id FROM contexts)",
        "incident ward": "SELECT count(*) FROM incidents WHERE ward_code IS NULL OR ward_code "
                         "NOT IN (SELECT ward_code FROM wards)",
        "context ward": "SELECT count(*) FROM contexts WHERE ward_code NOT IN "
                        "(SELECT ward_code FROM wards)",
        "risk incident": "SELECT count(*) FROM incident_risks WHERE incident_id NOT IN "
                         "(SELECT incident_id FROM incidents)",
        "person": "SELECT count(*) FROM incident_people WHERE person_id NOT IN "
                  "(SELECT person_id FROM young_people)",
        "person incident": "SELECT count(*) FROM incident_people WHERE incident_id NOT IN "
                           "(SELECT incident_id FROM incidents)",
        "unseen person": "SELECT count(*) FROM young_people WHERE person_id NOT IN "
                         "(SELECT person_id FROM incident_people)",
        "intervention context": "SELECT count(*) FROM interventions WHERE context_id NOT IN "
                                "(SELECT context_id FROM contexts)",
    }
    assert {name: scalar(store, sql) for name, sql in orphans.items()} == dict.fromkeys(
        orphans, 0)
    duplicates = {
        "risk": "SELECT count(*) - count(DISTINCT (incident_id, risk_type)) FROM incident_risks",
        "person": "SELECT count(*) - count(DISTINCT (incident_id, person_id)) FROM incident_people",
    }
    assert {name: scalar(store, sql) for name, sql in duplicates.items()} == {"risk": 0,
                                                                             "person": 0}


def test_every_demo_row_is_tagged_with_one_loaded_demo_extract(store):
    extract = store.query("SELECT * FROM extracts")
    assert len(extract) == 1
    row = extract.iloc[0]
    assert (row.kind, row.file_name, row.uploaded_by, row.status) == (
        "demo", "Fictional demo borough (generated)", "demo generator", "loaded")
    assert pd.isna(row.sha256)
    assert row.rows_read == row.rows_loaded == demo.DEFAULT_INCIDENTS
    assert row.rows_rejected == row.rows_duplicate == 0
    for table in DATA_TABLES[1:]:
        ids = store.query(f"SELECT DISTINCT extract_id FROM {table}").extract_id
        assert list(ids) == [row.extract_id], table


def test_interventions_are_plausible_and_some_are_still_running(store):
    interventions = store.query("SELECT * FROM interventions")
    assert interventions.intervention_id.str.fullmatch(r"INT\d{3}").all()
    assert interventions.ended_on.isna().any() and interventions.ended_on.notna().any()
    ended = interventions.dropna(subset=["ended_on"])
    assert (ended.ended_on >= ended.started_on).all()
    assert (interventions.started_on.dt.date.between(START, END)).all()
    assert interventions.description.str.endswith(".").all()
    assert set(interventions.lead_agency) <= set(codes(AGENCIES))
    assert interventions.intervention_type.nunique() >= 6


# ---------------------------------------------------------------------------------------------
# Patterns real data has
# ---------------------------------------------------------------------------------------------
def test_half_of_incidents_happen_at_one_in_twenty_contexts(store):
    volume = store.query("SELECT c.context_id, count(i.incident_id) AS n FROM contexts c "
                         "LEFT JOIN incidents i USING (context_id) GROUP BY ALL ORDER BY n DESC")
    top = round(len(volume) * 0.05)
    assert 0.40 <= volume.n.head(top).sum() / volume.n.sum() <= 0.60


def test_exploitation_risks_travel_with_the_risks_they_do_in_practice(store):
    risks = store.query("SELECT incident_id, risk_type FROM incident_risks")
    n = scalar(store, "SELECT count(*) FROM incidents")
    share = risks.risk_type.value_counts() / n
    pairs = risks.merge(risks, on="incident_id")
    pairs = pairs[pairs.risk_type_x < pairs.risk_type_y]
    support = pairs.groupby(["risk_type_x", "risk_type_y"]).size() / n
    lift = pd.Series({(a, b): s / (share[a] * share[b]) for (a, b), s in support.items()})
    assert lift[("cse", "missing")] > 1.5 and lift[("cce", "county_lines")] > 1.5
    strongest = lift[support >= PAIR_SUPPORT].nlargest(2).index
    assert set(strongest) == {("cse", "missing"), ("cce", "county_lines")}


def test_radicalisation_is_mostly_online_and_harmful_sexual_behaviour_mostly_at_schools(store):
    where = store.query("""
        SELECT r.risk_type, avg((i.location_type = 'online')::INT) AS online,
               avg((i.location_type = 'school')::INT) AS school
        FROM incident_risks r JOIN incidents i USING (incident_id) GROUP BY ALL""")
    where = where.set_index("risk_type")
    assert where.at["radicalisation", "online"] > 0.6
    assert where.at["hsb", "school"] > 0.4


def test_evenings_and_nights_hold_more_than_half_of_incidents(store):
    share = scalar(store, "SELECT avg(list_contains($h, hour(occurred_at))::INT) FROM incidents",
                   {"h": list(EVENING_HOURS)})
    assert share > 0.5


def test_friday_to_sunday_are_busier_per_day_than_monday_to_thursday(store):
    by_day = store.query("SELECT isodow(occurred_at) AS d, count(*) AS n FROM incidents "
                         "GROUP BY ALL").set_index("d").n
    assert by_day[[5, 6, 7]].mean() > 1.15 * by_day[[1, 2, 3, 4]].mean()


def test_summer_holidays_are_busier_than_the_average_day(store):
    days = store.query("SELECT occurred_at::DATE AS day, count(*) AS n FROM incidents "
                       "GROUP BY ALL")
    day = pd.to_datetime(days.day)
    summer = ((day.dt.month == 7) & (day.dt.day >= 20)) | (day.dt.month == 8)
    every_day = pd.date_range(START, END)
    per_day = days.n.sum() / len(every_day)
    summer_days = every_day[((every_day.month == 7) & (every_day.day >= 20))
                            | (every_day.month == 8)]
    assert days.n[summer].sum() / len(summer_days) > 1.1 * per_day


@pytest.mark.parametrize(("column", "key"), [("ward_code", "rising_ward"),
                                             ("context_id", "rising_context")])
def test_rising_ward_and_context_rise_steadily_over_the_last_eighteen_months(store, column,
                                                                             key):
    series = monthly(store, column, PLANTED[key])
    assert (series.tail(8) > series.mean()).all()
    slope = np.polyfit(np.arange(18), series.tail(18).to_numpy(), 1)[0]
    assert slope * 17 > 0.5 * series.head(42).mean()  # the fitted rise is half the old level


def test_rising_ward_rises_more_than_any_other_ward(store):
    # The last 6 months against the 42 before the rise began.
    growth = store.query("""
        SELECT ward_code,
               count(*) FILTER (WHERE occurred_at >= $recent) / 6.0
             / (count(*) FILTER (WHERE occurred_at < $rise) / 42.0) AS ratio
        FROM incidents GROUP BY ALL""", {"recent": date(2026, 5, 1), "rise": date(2025, 5, 1)}
    ).set_index("ward_code").ratio
    assert growth.idxmax() == PLANTED["rising_ward"]
    assert growth[PLANTED["rising_ward"]] > 1.8


def test_harm_falls_by_more_than_half_where_the_intervention_started(store):
    start = started_on(store, PLANTED["intervention_id"])
    context = scalar(store, "SELECT context_id FROM interventions WHERE intervention_id = $i",
                     {"i": PLANTED["intervention_id"]})
    assert context == PLANTED["intervention_context"]
    before, after = before_after(store, context, start)
    assert before >= 5 and after < 0.5 * before


def test_harm_rises_next_door_after_the_intervention_starts(store):
    places = store.query("SELECT * FROM contexts WHERE context_id IN ($a, $b)",
                         {"a": PLANTED["intervention_context"], "b": PLANTED["displaced_to"]})
    a, b = places.iloc[0], places.iloc[1]
    metres = 111_200 * math.hypot(a.lat - b.lat, (a.lon - b.lon) * math.cos(math.radians(52.45)))
    assert metres <= 400
    before, after = before_after(store, PLANTED["displaced_to"],
                                 started_on(store, PLANTED["intervention_id"]))
    assert after > 1.5 * before


def test_null_intervention_changes_nothing(store):
    context = scalar(store, "SELECT context_id FROM interventions WHERE intervention_id = $i",
                     {"i": PLANTED["null_intervention_id"]})
    assert context == PLANTED["null_intervention_context"]
    before, after = before_after(store, context, started_on(store, PLANTED["null_intervention_id"]))
    assert before >= 5 and 0.8 < after / before < 1.25


def test_peer_groups_appear_together_across_several_incidents_and_a_few_places(store,
                                                                              peer_groups):
    group = peer_groups
    assert 40 <= group.nunique() <= 60
    seen = store.query("SELECT person_id, incident_id, context_id FROM incident_people "
                       "JOIN incidents USING (incident_id)")
    seen = seen.assign(group=seen.person_id.map(group)).dropna(subset=["group"])
    per_group = seen.groupby("group").agg(incidents=("incident_id", "nunique"),
                                          places=("context_id", "nunique"))
    assert per_group.incidents.min() >= 3
    assert per_group.places.median() <= 6 and (per_group.places >= 2).mean() > 0.9


def test_bridge_context_is_shared_by_at_least_three_peer_groups(store, peer_groups):
    group = peer_groups
    at_bridge = store.query("SELECT DISTINCT person_id FROM incident_people JOIN incidents "
                            "USING (incident_id) WHERE context_id = $c",
                            {"c": PLANTED["bridge_context"]}).person_id
    assert at_bridge.map(group).nunique() >= 3


def test_most_young_people_outside_peer_groups_appear_once_or_twice(store, peer_groups):
    group = peer_groups
    times = store.query("SELECT person_id, count(*) AS n FROM incident_people GROUP BY ALL")
    others = times[~times.person_id.isin(group.index)]
    assert (others.n <= 2).mean() > 0.5
    assert times.n.max() >= 10  # and a few are seen again and again


def test_hot_spot_ward_and_its_neighbours_have_higher_rates_per_child(store):
    rates = store.query("""
        SELECT w.ward_code, count(i.incident_id) * 1000.0 / w.child_population AS rate
        FROM wards w LEFT JOIN incidents i USING (ward_code)
        GROUP BY w.ward_code, w.child_population""").set_index("ward_code").rate
    hot = PLANTED["hot_spot_ward"]
    ring = neighbours(ward_shapes(store), hot)
    assert len(ring) >= 4
    rest = rates.drop([hot, *ring])
    assert rates[hot] == rates.max()
    assert rates[list(ring)].mean() > 1.4 * rest.mean()
    assert rates[list(ring)].min() > rest.median()


def test_planted_places_and_interventions_exist_with_the_right_kinds(store):
    contexts = store.query("SELECT context_id, context_type, ward_code FROM contexts"
                           ).set_index("context_id")
    for key in ("rising_context", "intervention_context", "displaced_to",
                "null_intervention_context", "bridge_context"):
        assert PLANTED[key] in contexts.index, key
    assert contexts.at[PLANTED["bridge_context"], "ward_code"] == PLANTED["hot_spot_ward"]
    wards = set(store.query("SELECT ward_code FROM wards").ward_code)
    assert {PLANTED["rising_ward"], PLANTED["hot_spot_ward"]} <= wards
    assert PLANTED["rising_ward"] not in neighbours(ward_shapes(store), PLANTED["hot_spot_ward"])


# ---------------------------------------------------------------------------------------------
# Determinism, sizes and the API
# ---------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_tables_and_another_seed_does_not():
    stores = [Store(), Store(), Store()]
    for s, seed in zip(stores, (5, 5, 6), strict=True):
        demo.generate(s, incidents=3_000, seed=seed, end=END)
    first, again, other = (checksum(s) for s in stores)
    assert first == again
    differing = {t for t in DATA_TABLES if first[t] != other[t]}
    assert differing == set(DATA_TABLES) - {"wards"}  # the map is Fernley's, whatever the seed


def test_places_and_people_grow_with_the_number_of_incidents():
    tables = demo.build_tables(incidents=60_000, end=END)
    assert len(tables["contexts"]) == 750  # one place per 80 incidents
    assert 0.28 <= len(tables["young_people"]) / 60_000 <= 0.36
    assert len(tables["interventions"]) == 150


def test_a_small_borough_of_two_thousand_incidents_works():
    s = Store()
    summary = demo.generate(s, incidents=2_000, end=END)
    assert summary.incidents == scalar(s, "SELECT count(*) FROM incidents") == 2_000
    assert summary.contexts == scalar(s, "SELECT count(*) FROM contexts") >= 300
    assert summary.young_people == scalar(s, "SELECT count(*) FROM young_people") > 400
    assert summary.interventions == scalar(s, "SELECT count(*) FROM interventions")
    assert summary.wards == 20 and summary.seconds >= 0
    assert scalar(s, "SELECT count(*) FROM incident_people WHERE person_id NOT IN "
                     "(SELECT person_id FROM young_people)") == 0


def test_generate_writes_one_transaction_and_bumps_the_data_version_once():
    s = Store()
    before = s.data_version()
    demo.generate(s, incidents=1_000, end=END)
    assert s.data_version() == before + 1


def test_generate_refuses_a_store_that_already_has_data(store):
    version = store.data_version()
    with pytest.raises(demo.StoreNotEmpty, match="empty store"):
        demo.generate(store, incidents=1_000)
    assert store.data_version() == version
    with pytest.raises(ValueError, match="at least"):
        demo.generate(Store(), incidents=10)


def test_ensure_demo_fills_an_empty_store_and_leaves_one_with_data_alone(store):
    version = store.data_version()
    assert demo.ensure_demo(store) is False
    assert store.data_version() == version
    empty = Store()
    assert demo.ensure_demo(empty) is True
    assert scalar(empty, "SELECT count(*) FROM incidents") == demo.DEFAULT_INCIDENTS
    assert demo.ensure_demo(empty) is False


def test_two_sessions_starting_at_once_fill_the_store_once():
    s = Store()
    with ThreadPoolExecutor(max_workers=2) as pool:
        filled = list(pool.map(lambda _: demo.ensure_demo(s), range(2)))
    assert sorted(filled) == [False, True]
    assert scalar(s, "SELECT count(*) FROM extracts") == 1
    assert scalar(s, "SELECT count(*) FROM incidents") == demo.DEFAULT_INCIDENTS


def test_a_mid_month_end_stops_the_data_on_that_day():
    s = Store()
    demo.generate(s, incidents=1_000, end=date(2026, 6, 15))
    first, last = s.query("SELECT min(occurred_at), max(occurred_at) FROM incidents").iloc[0]
    assert last.date() <= date(2026, 6, 15)
    assert first.date() >= date(2021, 7, 1)
