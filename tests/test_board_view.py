"""No board view ever shows a count of 1 to 4 about children.

Property tests over random small boroughs (tests/borough.py: 25 wards with real polygons, a few
dozen incidents scattered so that most wards, places, months and risk types hold 1 to 4) and
random filters from the address: every page runs under AppTest in the board view, and every
text, metric, table cell and chart it draws is scanned (tests/disclosure_scan.py). Presenter
mode is stepped through slide by slide. Examples are few (each is a whole app run) but each
borough is new, so small counts are everywhere.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analytics.store import Store
from tests import borough
from tests.apptest import assert_no_exception, open_page
from tests.disclosure_scan import app_hits, figure_hits, frame_hits, text_hits

PAGES = ("overview", "contexts", "trends", "places", "overlap", "peers", "interventions")
EXAMPLES_PER_PAGE = 6
# Each example is a whole app run: no shrinking (it would rerun the app hundreds of times); the
# failing borough and address are in the assertion message instead.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
WARD_CODES = [f"W{k:02d}" for k in range(len(borough.NAMES))]
FIRST, LAST = date(2024, 1, 1), date(2025, 12, 31)

boroughs = st.fixed_dictionaries({
    "seed": st.integers(0, 100_000),
    "background": st.integers(0, 160),
    "planted": st.integers(0, 40),
    "hot": st.booleans(),
})


@st.composite
def queries(draw) -> dict:
    """The address of a random selection: a period (preset or dates) and a few codes."""
    query: dict = {}
    period = draw(st.sampled_from(["3m", "6m", "12m", "24m", "all", "custom"]))
    if period != "12m":
        query["period"] = period
    if period == "custom":
        start = FIRST + timedelta(days=draw(st.integers(0, 700)))
        end = start + timedelta(days=draw(st.integers(0, (LAST - start).days)))
        query["from"], query["to"] = start.isoformat(), end.isoformat()
    for key, values, most in (("ward", WARD_CODES, 3), ("risk", borough.RISKS, 2),
                              ("context", borough.PLACE_TYPES, 2),
                              ("agency", borough.AGENCIES, 1)):
        chosen = draw(st.lists(st.sampled_from(values), max_size=most, unique=True))
        if chosen:
            query[key] = chosen
    return query


def _borough_db(tmp_path_factory, spec: dict):
    path = tmp_path_factory.getbasetemp() / f"board-{uuid.uuid4().hex}.duckdb"
    store = Store(path)
    borough.build_borough(store, **spec)
    store.close()
    return path


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=EXAMPLES_PER_PAGE, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=boroughs, query=queries())
def test_no_board_view_of_any_page_shows_a_count_of_one_to_four(page, spec, query,
                                                                 tmp_path_factory, monkeypatch):
    db = _borough_db(tmp_path_factory, spec)
    at = open_page(db, None if page == "overview" else f"pages/{page}.py", query, monkeypatch)
    assert_no_exception(at)
    assert any("Board view" in m.value for m in at.markdown)
    assert app_hits(at) == [], (page, spec, query)


@settings(max_examples=EXAMPLES_PER_PAGE, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=boroughs, query=queries(), view=st.sampled_from(["lead", "analyst"]))
def test_every_slide_of_presenter_mode_is_in_the_board_view(spec, query, view,
                                                          tmp_path_factory, monkeypatch):
    db = _borough_db(tmp_path_factory, spec)
    at = open_page(db, None, {**query, "view": view, "present": "1", "slide": "1"}, monkeypatch)
    slides = 0
    while True:
        assert_no_exception(at)
        slides += 1
        assert app_hits(at) == [], (slides, spec, query)
        following = at.button(key="next")
        if following.disabled:
            break
        following.click().run()
    assert slides == 6


@settings(max_examples=EXAMPLES_PER_PAGE, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow])
@given(spec=boroughs, query=queries())
def test_no_board_pack_shows_a_count_of_one_to_four(spec, query, tmp_path_factory):
    import json

    from analytics import briefing
    from analytics.filters import from_query

    db = _borough_db(tmp_path_factory, spec)
    store = Store(db)
    try:
        con = store.cursor()
        filters, _ = from_query(query, data_end=LAST, data_start=FIRST,
                                ward_codes=set(WARD_CODES))
        pack = briefing.pack(con, filters)
    finally:
        store.close()
    hits = [h for s in pack.sections for line in (s.title, *s.summary, *s.points)
            for h in text_hits(line)]
    hits += [h for s in pack.sections for _, frame in s.tables for h in frame_hits(frame)]
    hits += [h for s in pack.sections for fig in s.figures
             for h in figure_hits(json.loads(fig.to_json()))]
    hits += [h for s in pack.sections for label, value, _ in s.metrics
             for h in ([label] if value in {"1", "2", "3", "4"} else [])]
    hits += frame_hits(pack.lineage)
    assert hits == [], (spec, query)
