"""police.uk street crime and stop and search as sources of their own, on every analysis.

Each test runs the app's own analysis on the tiny police-only area of tests/police_area.py
(six wards, six locations, 18 street crimes in three months, five searches), whose answers are
worked out by hand in that module's docstring and comments.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.board import briefing, narrative, overview
from analytics.contexts import clustering, contexts, priorities
from analytics.demo import demo
from analytics.governance.access import Role, local_access
from analytics.governance.disclosure import (
    SUPPRESSED,
    display_count,
    for_source,
    rounds,
    shows_detail,
)
from analytics.governance.escape import Markdown, markdown_format
from analytics.ingest import ingest
from analytics.interventions import impact, interventions
from analytics.overlap import overlap
from analytics.places import places
from analytics.store import derived, reference
from analytics.store.filters import Filters, from_query, period_dates
from analytics.store.sources import reword
from analytics.store.store import Store
from analytics.trends import trends
from tests.ingest_helpers import csv_bytes, square
from tests.peers_borough import ANALYST
from tests.police_area import (
    LONG_HEADER,
    LSOAS,
    PLACES,
    WARDS,
    boundaries,
    load,
    middle,
    police_store,
    stop_search_file,
    street_files,
    street_rows,
)

Q1 = dict(start=date(2025, 1, 1), end=date(2025, 3, 31), period="custom")
MARCH = dict(start=date(2025, 3, 1), end=date(2025, 3, 31), period="custom")
STREET_Q1 = Filters(**Q1, source="street")


@pytest.fixture(scope="module")
def area() -> Store:
    """The police-only area, loaded once for the module (the tests only read it)."""
    return police_store()


def count(store: Store, sql: str, params: dict | None = None) -> int:
    return int(store.query(sql, params)["n"][0])


# --- loading: the area's rows, any header style, any order ------------------------------------

def test_both_header_styles_load_and_only_the_areas_located_rows_count(area):
    assert count(area, "SELECT count(*) AS n FROM area_crime WHERE kind = 'street'") == 20
    # the crime in another force's area and the one with no location are kept, but not counted
    assert count(area, "SELECT count(*) AS n FROM incident_facts WHERE source = 'street'") == 18
    by_ward = area.query("SELECT ward_code, count(*) AS n FROM incident_facts "
                         "WHERE source = 'street' GROUP BY 1 ORDER BY 1")
    assert by_ward["n"].tolist() == [8, 4, 2, 1, 2, 1]


def test_a_search_of_a_child_counts_among_all_searches_and_among_childrens(area):
    n = area.query("SELECT source, count(*) AS n FROM incident_facts GROUP BY 1").set_index(
        "source")["n"]
    assert n["stop_search"] == 5 and n["stop_search_children"] == 2


def test_crime_loaded_before_its_boundaries_is_placed_in_them_when_they_arrive():
    store = Store()
    load(store, *street_files())
    # no ward boundaries at all: every located row counts, in no ward
    assert count(store, "SELECT count(*) AS n FROM incident_facts WHERE ward_code IS NULL") == 19
    load(store, ("wards.geojson", boundaries("wards")))
    assert count(store, "SELECT count(*) AS n FROM incident_facts WHERE source = 'street' "
                        "AND ward_code IS NOT NULL") == 18


def test_police_locations_are_places_named_as_published_and_typed_from_their_names(area):
    places_ = area.query("SELECT name, context_type FROM place_facts WHERE source = 'police' "
                         "ORDER BY name").set_index("name")["context_type"]
    assert set(places_.index) == set(PLACES)
    assert places_["On or near Supermarket"] == "shopping_centre"
    assert places_["On or near Park/Open Space"] == "park"
    assert places_["On or near Station Road"] == "street"  # a street, whatever its name says


def test_a_crime_type_police_uk_publishes_is_named_as_text_whatever_it_holds():
    store = Store()
    load(store, ("wards.geojson", boundaries("wards")))
    odd = 'Odd <b>crime</b> [x](https://evil.example) *now*'
    load(store, ("2025-04-street.csv", csv_bytes([LONG_HEADER, *street_rows(
        ("2025-04",), {(1, "2025-04", odd): 2})])))
    names = reference.risk_options(store.cursor(), "street")
    assert names == {"odd-b-crime-b-x-https-evil-example-now":
                     "Odd b crime b x https evil example now"}  # a code, read as its words


def test_the_apps_markdown_keeps_its_formatting_in_a_sources_words():
    sentence = markdown_format("**{}** incidents with both risk types", "12")
    worded = reword(sentence, "street")
    assert worded == "**12** crimes with both crime types" and isinstance(worded, Markdown)
    assert type(reword("incidents", "street")) is str  # plain text stays text to escape


# --- the source as a filter -------------------------------------------------------------------

def test_the_source_is_a_filter_in_the_predicate_the_words_and_the_link(area):
    f = Filters(**Q1, source="street", risk_types=("shoplifting",))
    p = f.predicate("i", risk_list=True)
    assert count(area, f"SELECT count(*) AS n FROM incident_facts i WHERE {p.sql}",
                 p.params) == 11
    assert f.describe().startswith("police.uk street crime; 1 January 2025 to 31 March 2025")
    assert "crime types: Shoplifting" in f.describe()
    assert f.to_query()["source"] == "street" and f.to_query()["risk"] == ["shoplifting"]
    back, notices = from_query(f.to_query(), data_end=date(2025, 3, 31), data_start=None,
                               ward_codes=set(WARDS))
    assert back == f and notices == []


def test_a_search_outcome_narrows_searches(area):
    f = Filters(**MARCH, source="stop_search", outcomes=("arrest",))
    assert overview.totals(area.cursor(), f).incidents == 2


def test_a_link_naming_a_source_we_do_not_have_falls_back_with_a_notice():
    f, notices = from_query({"source": ["burglaries"]}, data_end=date(2025, 3, 31),
                            data_start=None, ward_codes=set(), default_source="street")
    assert f.source == "street" and "source we do not have" in notices[0]


def test_the_pages_open_on_street_crime_and_end_in_its_latest_month(area):
    facts = reference.data_facts(area.cursor())
    assert facts.default_source() == "street" and facts.incidents == 0
    assert facts.span("street").latest == date(2025, 3, 1)
    assert facts.data_to("street") == "March 2025"
    assert facts.data_to("stop_search") == "22 March 2025"  # searches are dated to the day
    assert period_dates("3m", facts.span("street").latest) == (date(2025, 1, 1),
                                                               date(2025, 3, 31))


def test_the_period_never_runs_past_today():
    from ui.sidebar import _data_dates

    future = reference.DataFacts(None, None, None, None, False, 0,
                                 spans={"street": reference.Span(date(2025, 1, 1),
                                                                 date(2999, 1, 1), 5)})
    assert _data_dates(future, "street")[1] == date.today()


# --- disclosure -------------------------------------------------------------------------------

def test_street_crime_counts_are_exact_for_the_board_but_searches_of_children_are_hidden():
    street = for_source("board", about_children=False)
    assert display_count(3, street) == "3" and display_count(12, street) == "12"
    assert not rounds(street) and not shows_detail(street)  # the board still has no drill-down
    children = for_source("board", about_children=True)
    assert display_count(3, children) == SUPPRESSED and display_count(12, children) == "10"
    # the public form of a view keeps the view's role and drill-downs
    lead = for_source("lead", about_children=False)
    assert shows_detail(lead) and local_access(lead).role == Role.LEAD


# --- each page's analyses -------------------------------------------------------------------

def test_overview_counts_crimes_places_and_wards_against_the_previous_month(area):
    head = overview.headline(area.cursor(), Filters(**MARCH, source="street"))
    assert (head.current.incidents, head.current.contexts, head.current.wards) == (7, 4, 4)
    assert head.previous.incidents == 5 and head.current.young_people == 0
    assert head.top_wards.iloc[0]["ward_name"] == "Ash"
    assert overview.risk_trends(area.cursor(), STREET_Q1).groupby("label")["value"].sum().to_dict(
    ) == {"Burglary": 3, "Drugs": 4, "Shoplifting": 11}


def test_a_period_before_the_data_begin_is_not_compared_with_as_if_it_had_none(area):
    # Street crime begins in January 2025: the quarter before it has no figures, not zeros.
    head = overview.headline(area.cursor(), STREET_Q1)
    assert head.previous is None and head.data_from == date(2025, 1, 1)
    told = narrative.what_changed(area.cursor(), STREET_Q1, "board").sentences[0]
    assert told.endswith("20 crimes. The data begin in January 2025, so there is no earlier "
                         "period to compare with.")
    assert "with none in" not in told
    headline = briefing.section(area.cursor(), STREET_Q1, "overview", "board")
    assert {change for _, _, change in headline.metrics} == {"No earlier period to compare"}
    assert not headline.figures and not headline.tables  # no ward 'up 8' on nothing
    assert headline.summary[-1] == ("The data begin in January 2025, so there is no earlier "
                                    "period to compare with.")


def test_trends_count_months_by_crime_type_ward_and_lsoa(area):
    con = area.cursor()
    by_type = trends.counts(con, STREET_Q1, split="risk_type")
    got = by_type.pivot(index="label", columns="period", values="count")
    assert got.loc["Shoplifting"].tolist() == [5, 1, 5]
    assert got.loc["Drugs"].tolist() == [1, 2, 1] and got.loc["Burglary"].tolist() == [0, 2, 1]
    by_lsoa = trends.counts(con, STREET_Q1, split="lsoa")
    assert by_lsoa.groupby("label")["count"].sum()["Area 001A"] == 8
    # police.uk publishes whole months: the latest month is complete, not left out
    window = trends.window(con, STREET_Q1)
    assert window.left_out is None and len(window.periods) >= 3
    view = trends.trend_view(con, STREET_Q1, split="ward")
    assert view.overall.label == "Crimes" and view.overall.total == 18


def test_a_period_of_the_datas_first_month_is_judged_on_it_without_reaching_back(area):
    first = reference.data_facts(area.cursor()).span("stop_search_children").first
    assert first.day > 1  # the searches begin part way through March 2025
    win = trends.window(area.cursor(), Filters(start=first, end=date(2025, 3, 31),
                                               period="custom", source="stop_search_children"))
    assert not win.extended
    assert win.describe() == "1 month, March 2025"


def test_rates_are_per_1000_residents_where_residents_are_loaded():
    store = police_store(stop_search=False)
    con = store.cursor()
    assert trends.counts(con, STREET_Q1, measure="rate").empty  # nobody's residents known yet
    load(store, ("ward-residents.csv", csv_bytes(
        [["Ward 2023 Code", "Ward 2023 Name", "Total"]]
        + [[w, "x", 1000 * k] for k, w in enumerate(WARDS, start=1)])))
    load(store, ("lsoa-residents.csv", csv_bytes(
        [["LSOA 2021 Code", "All Ages"]] + [[code, 2000] for code in LSOAS])))
    overall = trends.counts(con, STREET_Q1, measure="rate")
    assert overall["value"].round(4).tolist() == [round(6 / 21, 4), round(5 / 21, 4),
                                                  round(7 / 21, 4)]  # 21,000 residents
    assert overall["label"].iloc[0] == "Crimes per 1,000 residents"
    lsoa = trends.counts(con, STREET_Q1, measure="rate", split="lsoa")
    assert lsoa[lsoa["key"] == LSOAS[0]]["value"].tolist() == [1.5, 1.0, 1.5]
    wards = places.ward_counts(con, STREET_Q1).set_index("ward_code")
    assert wards.loc[WARDS[0], "rate"] == 8.0  # 8 crimes among 1,000 residents


def test_places_count_lsoas_and_find_hot_spots_among_them(area):
    con = area.cursor()
    lsoas = places.lsoa_counts(con, STREET_Q1).set_index("lsoa_code")
    assert lsoas["incidents"].tolist() == [8, 4, 2, 1, 2, 1]
    spots = places.lsoa_hot_spots(con, STREET_Q1, permutations=99)
    assert spots.unit == "lsoa" and not spots.reason and len(spots.table) == 6
    assert "6 LSOAs" in spots.method() and spots.measure == "crimes"
    assert places.ward_hot_spots(con, STREET_Q1, permutations=99).measure == "crimes"


def test_street_crime_has_months_of_the_year_but_no_time_of_day(area):
    con = area.cursor()
    months = places.month_of_year(con, STREET_Q1).set_index("month_name")["incidents"]
    assert months[["January", "February", "March"]].tolist() == [6, 5, 7]
    assert places.when_grid(con, STREET_Q1)["incidents"].sum() == 0
    searches = places.when_grid(con, Filters(**MARCH, source="stop_search"))
    assert searches["incidents"].sum() == 5  # searches are timed


def test_crime_concentrates_at_the_busiest_location(area):
    conc = places.concentration(area.cursor(), STREET_Q1)
    assert conc.places == 6 and conc.incidents == 18
    assert conc.shares.iloc[0]["incidents"] == 8  # the busiest 1% is one place of six
    types = places.location_types(area.cursor(), STREET_Q1).set_index("context_type")
    assert types.loc["shopping_centre", "incidents"] == 6  # Supermarket 4 and Shopping Area 2


def test_crime_types_overlap_at_the_same_locations_and_lsoa_months(area):
    con = area.cursor()
    at_places = overlap.analyse(con, STREET_Q1, unit="contexts")
    pair = at_places.pairs.set_index(["a", "b"])
    assert at_places.universe == 6  # every location had a crime
    assert pair.loc[("drugs", "shoplifting"), "n_ab"] == 2  # High Street and Supermarket
    months = overlap.analyse(con, STREET_Q1, unit="lsoa_months")
    assert months.universe == 9
    assert months.pairs.set_index(["a", "b"]).loc[("drugs", "shoplifting"), "n_ab"] == 2
    assert overlap.units("street") == {"contexts": "places", "lsoa_months": "LSOA-months"}
    # dated by month, street crime has no 30 days: the page and the pack open on the period
    assert (overlap.default_unit("street"), overlap.default_window("street")) == ("contexts",
                                                                                  "period")
    assert (overlap.default_unit("incidents"), overlap.default_window("incidents")) == (
        "people", overlap.DEFAULT_WINDOW)


@pytest.mark.parametrize("view", ["board", "presenter"])
def test_the_pack_and_slides_count_crime_types_together_at_places_as_the_page_does(area, view):
    section = briefing.section(area.cursor(), STREET_Q1, "overlap", view)
    words = " ".join([*section.summary, *section.points, section.method])
    assert "young people" not in words and "risk type" not in words
    assert "10 places" in words and "crime types" in words
    # The lift matrix, as the page opens: High Street and Supermarket have both drugs and
    # shoplifting, of 3 places with each among 6: 2 x 6 / (3 x 3).
    hover = " ".join(section.figures[0].data[0].customdata.ravel())
    assert "Drugs and shoplifting: 2 places have both" in hover and "Lift 1.33" in hover


def test_the_packs_headline_figures_count_crimes_places_and_wards_but_no_young_people(area):
    headline = briefing.section(area.cursor(), STREET_Q1, "overview", "board")
    assert [label for label, _, _ in headline.metrics] == ["Crimes", "Places with crimes",
                                                           "Wards with crimes"]


def test_a_slide_title_names_crime_types_in_words():
    two = Filters(**Q1, source="street", risk_types=("anti-social-behaviour", "bicycle-theft"))
    assert briefing.scope_words(two, {}).startswith(
        "the whole borough; anti-social behaviour, bicycle theft; ")
    assert "; all crime types; " in briefing.scope_words(STREET_Q1, {})


def test_locations_are_ranked_with_their_reasons_in_crime_words(area):
    ranked = priorities.rank(area.cursor(), STREET_Q1)
    top = ranked.iloc[0]
    assert top["name"] == "On or near High Street" and top["incidents"] == 8
    why = reword(priorities.reason(top, "board+public", "3 months"), "street")
    assert why.startswith("8 crimes in 3 months")
    assert "two crime types, mostly shoplifting and drugs" in why
    detail = contexts.detail(area.cursor(), STREET_Q1, top["context_id"])
    assert detail.risk_mix.set_index("label")["incidents"].to_dict() == {"Shoplifting": 6,
                                                                         "Drugs": 2}
    assert set(detail.neighbours["name"]) <= set(PLACES)  # police.uk locations only


def test_locations_that_look_alike_are_grouped_by_crime_type_profile():
    # twelve locations: six with only shoplifting, six with only drugs, 12 crimes each
    rows = []
    for k in range(12):
        lat, lon = middle(k % 6 + 1)
        lat += 0.002 * (k // 6)
        crime = "Shoplifting" if k < 6 else "Drugs"
        for month in ("2025-01", "2025-02", "2025-03"):
            rows += [["", month, "P", "P", lon, lat, f"On or near Road {k}", "", "", crime, "",
                      ""] for _ in range(4 + (k % 3))]
    store = Store()
    load(store, ("wards.geojson", boundaries("wards")))
    load(store, ("street.csv", csv_bytes([LONG_HEADER, *rows])))
    groups = clustering.cluster_contexts(store.cursor(), STREET_Q1, k=2)
    names = sorted(groups.groups["name"])
    assert any("with drugs" in n for n in names) and any("with shoplifting" in n for n in names)
    assert groups.groups["places"].tolist() == [6, 6]


def patrols_at_high_street(crimes) -> tuple[Store, str]:
    """A year of street crime at the six locations, `crimes(k, month)` a month at location k
    (July 2024 to June 2025), and patrols at High Street (location 1) from January 2025."""
    months = [f"{y}-{m:02d}" for y, m in [(2024, m) for m in range(7, 13)]
              + [(2025, m) for m in range(1, 7)]]
    rows = []
    for k in range(1, 7):
        lat, lon = middle(k)
        rows += [["", month, "P", "P", lon, lat, PLACES[k - 1], "", "", "Drugs", "", ""]
                 for month in months for _ in range(crimes(k, month))]
    store = Store()
    load(store, ("wards.geojson", boundaries("wards")))
    load(store, ("street.csv", csv_bytes([LONG_HEADER, *rows])))
    high_street = store.query("SELECT context_id FROM place_facts WHERE name = $n",
                              {"n": PLACES[0]})["context_id"][0]
    return store, interventions.add_intervention(
        store, access=ANALYST, context_id=high_street, intervention_type="Patrols",
        started_on=date(2025, 1, 1))


def test_an_intervention_at_a_location_is_judged_against_other_locations():
    # 4 crimes a month at each location, then 1 a month at High Street once patrols began
    store, new_id = patrols_at_high_street(
        lambda k, month: 1 if k == 1 and month >= "2025-01" else 4)
    result = impact.impact(store.cursor(), Filters(source="street", period="all"), new_id)
    assert result.estimate is not None and result.estimate.verdict == impact.FALL
    assert result.estimate.before_total == 24 and result.estimate.after_total == 6
    assert len(result.comparisons) == 5  # the other locations, all further than 500 m
    assert result.estimate.ratio == pytest.approx(0.25, rel=0.05)


def test_crime_moving_to_a_location_next_door_is_found_as_displacement():
    # 4 crimes a month everywhere, then 8 a month at the Supermarket, 692 m from High Street,
    # once patrols began there
    store, new_id = patrols_at_high_street(
        lambda k, month: 8 if k == 2 and month >= "2025-01" else 4)
    moved = impact.displacement(store.cursor(), Filters(source="street", period="all"), new_id,
                                radius_m=700)
    next_door = moved.neighbours.set_index("name").loc[PLACES[1]]
    assert next_door["verdict"] == impact.RISE  # against the four locations further away
    assert next_door["ratio"] == pytest.approx(2.0)


def test_an_intervention_at_a_registered_place_counts_crime_in_and_around_it():
    store = police_store(stop_search=False)
    lat, lon = middle(1)
    load(store, ("places.csv", csv_bytes([["context_id", "name", "context_type", "lat", "lon"],
                                          ["PARK1", "Ash Gardens", "park", lat + 0.0005, lon]])))
    interventions.add_intervention(store, access=ANALYST, context_id="PARK1",
                                   intervention_type="Lighting", started_on=date(2025, 3, 1))
    data = impact._inputs(store.cursor(), STREET_Q1)
    # High Street is 56 m away, within impact.AROUND_M: its 8 crimes are around the park
    assert int(data.counts["PARK1"].sum()) == 8


# --- the demo and real boundaries ------------------------------------------------------------

@pytest.fixture
def demo_and_real() -> Store:
    store = Store()
    demo.generate(store, incidents=demo.MIN_INCIDENTS)
    return store


def test_real_boundaries_kept_apart_from_the_demo_leave_no_page_half_on_either(demo_and_real):
    store = demo_and_real
    [wards] = load(store, ("wards.geojson", boundaries("wards")))
    load(store, *street_files())
    facts = reference.data_facts(store.cursor())
    assert facts.is_demo and facts.demo_hidden and facts.default_source() == "street"
    # nothing shown is the demo's, so neither the slides nor the pack's cover call it the demo
    assert not facts.shows_demo
    assert not briefing.pack(store.cursor(), STREET_Q1, keys=("overview",)).demo
    came_from = briefing.lineage(store.cursor(), STREET_Q1).set_index("Kind")["Status"]
    assert came_from.to_dict() == {"Fictional demo borough": "Kept apart, not shown",
                                   "Ward boundaries": "Loaded",
                                   "police.uk street crime": "Loaded"}
    assert set(reference.ward_names(store.cursor(), Filters(period="all"))) == set(WARDS)
    assert count(store, "SELECT count(*) AS n FROM incident_facts WHERE source = 'incidents'") == 0
    assert count(store, "SELECT count(*) AS n FROM place_facts WHERE source = 'incidents'") == 0
    assert interventions.register(store.cursor(), Filters(period="all")).empty


def test_the_demo_is_removed_in_the_same_click_as_the_real_boundaries(demo_and_real):
    store = demo_and_real
    staged = [ingest.read(store, boundaries("wards"), "wards.geojson")]
    assert ingest.demo_clash(store, staged)
    ingest.commit(store, staged, "test", remove_demo=True)
    assert store.query("SELECT status FROM extracts WHERE kind = 'demo'")["status"][0] == \
        "rolled back"
    assert count(store, "SELECT count(*) AS n FROM incidents") == 0
    assert not reference.data_facts(store.cursor()).is_demo
    assert not ingest.demo_clash(store, staged)


def test_real_lsoas_beside_the_demos_wards_stay_off_its_maps(demo_and_real):
    store = demo_and_real
    staged = [ingest.read(store, boundaries("lsoa", ("LSOA21CD", "LSOA21NM")), "lsoa.geojson")]
    assert ingest.demo_clash(store, staged)  # the analyst is asked here too
    ingest.commit(store, staged, "test")
    assert places.lsoa_shapes(store.cursor(), Filters(period="all")).empty  # none lies in the demo's wards
    load(store, ("wards.geojson", boundaries("wards")))
    assert len(places.lsoa_shapes(store.cursor(), Filters(period="all"))) == 6  # all six lie in the real wards


def test_rolling_the_real_boundaries_back_brings_the_kept_demo_back(demo_and_real):
    store = demo_and_real
    before = count(store, "SELECT count(*) AS n FROM incident_facts")
    [wards] = load(store, ("wards.geojson", boundaries("wards")))
    ingest.rollback(store, wards)
    assert count(store, "SELECT count(*) AS n FROM incident_facts") == before
    assert not reference.data_facts(store.cursor()).demo_hidden


# --- any force, any area ------------------------------------------------------------------------

def test_boundaries_published_under_other_names_and_in_national_grid_metres_load():
    # the London Datastore's layout: GSS_CODE and NAME, in British National Grid metres
    features = [{"type": "Feature",
                 "properties": {"NAME": "Bishopsgate", "GSS_CODE": "E05009292",
                                "LB_GSS_CD": "E09000001", "HECTARES": 33.0},
                 "geometry": square((533000, 181200, 533600, 181900))}]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    staged = ingest.read(Store(), data, "wards-london-datastore.geojson")
    assert staged.kind == "wards" and staged.ok
    ward = staged.tables["wards"].iloc[0]
    assert (ward["ward_code"], ward["ward_name"]) == ("E05009292", "Bishopsgate")
    assert 51.51 < ward["centroid_lat"] < 51.53 and -0.09 < ward["centroid_lon"] < -0.07


def test_several_months_of_stop_and_search_in_one_batch():
    store = police_store(stop_search=False)
    april = stop_search_file().replace(b"2025-03-", b"2025-04-")
    load(store, ("march.csv", stop_search_file()), ("april.csv", april))
    months = store.query("SELECT date_trunc('month', occurred_at)::DATE AS m, count(*) AS n "
                         "FROM incident_facts WHERE source = 'stop_search' GROUP BY 1 ORDER BY 1")
    assert months["n"].tolist() == [5, 5]


def test_derived_tables_are_rebuilt_only_when_their_sources_change(area):
    cur = area.cursor()
    cur.execute("BEGIN TRANSACTION")
    assert derived.refresh(cur) is False  # nothing changed since the last load
    cur.execute("ROLLBACK")
