"""Scope on every path: a user limited to some wards or agencies learns nothing about the rest.

Proved by equivalence (tests/scope_check.py): every analysis, run for the scoped user on the whole
borough, gives exactly what it gives an unlimited user on a copy from which everything outside the
scope was deleted. The analyses are found by looking, not listed by hand, so a new one is checked
the day it lands; one that reads the data without taking the filters must say why in
analytics.governance.access.WHOLE_AREA, and no analysis may build its own Filters.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

import analytics
from analytics.governance import access
from analytics.governance.access import Access, Role, Scope, scoped
from analytics.overlap import overlap
from analytics.store.filters import Filters
from analytics.store.sources import STREET
from analytics.store.store import Store
from analytics.trends import trends
from tests.apptest import each_section
from tests.scope_check import fingerprint, page_picture, trimmed_copy, without_columns
from tests.ui.test_downloads import made_on_the_click
from ui import upload

ROOT = Path(__file__).resolve().parent.parent
END = date(2025, 12, 31)
YEAR = Filters(start=date(2025, 1, 1), end=END, period="custom")
TWO_RISKS_EVER = Filters(start=date(2021, 1, 1), end=END, period="all", risk_types=("cce", "cse"))
# police.uk street crime (the demo's), whose rows have a ward like any incident and are the
# police's (analytics.store.filters.POLICE_AGENCY) for a scope of agencies.
STREET_YEAR = replace(YEAR, source=STREET)
# Each scope holds the wards and agencies of the first and the latest incident: those dates are
# the data's, shared by every user (access.WHOLE_AREA), so with them equal everything else must
# match exactly.
SCOPE_NAMES = ("six wards", "two wards, two agencies")


def scopes(con: duckdb.DuckDBPyConnection) -> dict[str, Scope]:
    """The scopes tried, built around the first and the latest incident."""
    ends = con.execute("SELECT ward_code, source_agency FROM incidents WHERE occurred_at IN "
                       "((SELECT min(occurred_at) FROM incidents), "
                       "(SELECT max(occurred_at) FROM incidents))").fetchall()
    wards = sorted({w for w, _ in ends})
    agencies = sorted({a for _, a in ends})
    others = [w for (w,) in con.execute("SELECT ward_code FROM wards ORDER BY ward_code")
              .fetchall() if w not in wards]
    return {
        "six wards": Scope(wards=(*wards, *others[:6 - len(wards)])),
        "two wards, two agencies": Scope(wards=wards, agencies=(*agencies, "education")),
    }


# What a scoped user is never shown, whatever the data: row counts of whole files (the pack's
# lineage, the Data page's history), which can hold data outside their scope.
WITHHELD = {"Rows loaded", "Rows rejected", *upload.HISTORY_COUNTS}
# Modules that load, store or check data rather than analyse it.
NOT_ANALYSES = {"audit", "boundaries", "demo", "derived", "geo", "ingest", "lineage", "mapping",
                "memo", "police", "row_checks", "staging", "store", "validate"}


@pytest.fixture(scope="module")
def borough(tmp_path_factory):
    """The demo borough (2,000 incidents, to the end of 2025) and, per scope, its trimmed copy."""
    from analytics.demo import demo

    work = tmp_path_factory.mktemp("scope")
    full = work / "full.duckdb"
    store = Store(full)
    demo.generate(store, incidents=2000, end=END)
    _add_street_crime(store)
    store.close()
    store = Store(full)
    chosen = scopes(store.cursor())
    store.close()
    trimmed = {name: trimmed_copy(full, work / f"{i}.duckdb", scope)
               for i, (name, scope) in enumerate(chosen.items())}
    return full, chosen, trimmed


def _add_street_crime(store: Store) -> None:
    """police.uk street crime in every ward of the borough (a few a month in 2025, more in some
    wards than others, at two locations a ward), as police.uk publishes it by month."""
    import shapely

    crime_types = ("Anti-social behaviour", "Violence and sexual offences", "Shoplifting")
    rows = []
    wards = store.cursor().execute("SELECT ward_code, geometry_geojson FROM wards "
                                   "ORDER BY ward_code").fetchall()
    for w, (code, geojson) in enumerate(wards):
        point = shapely.from_geojson(geojson).representative_point()
        for month in range(1, 13):
            for n in range(1 + (w * month) % 4):
                rows.append((date(2025, month, 1), point.y + 0.0005 * (n % 2), point.x,
                             f"On or near {code} Street {n % 2}", code,
                             crime_types[(w + n) % len(crime_types)]))
    with store.transaction() as cur:
        cur.executemany("INSERT INTO area_crime (month, kind, lat, lon, location, ward_code, "
                        "crime_type) VALUES (?, 'street', ?, ?, ?, ?, ?)", rows)
    # Rebuilt from the committed rows: a police.uk row's id is its row number, which inside the
    # loading transaction is a temporary one (the trimmed copies are built from committed rows).
    with store.transaction() as cur:
        cur.execute("DROP TABLE derived_version")


def analyses() -> list:
    """Every public analytics function that takes a connection first."""
    found = []
    for info in pkgutil.walk_packages(analytics.__path__, "analytics."):
        if info.ispkg or info.name.rpartition(".")[2] in NOT_ANALYSES:
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(fn).parameters)
            if (fn.__module__ == module.__name__ and not name.startswith("_") and params
                    and params[0] == "con"):
                found.append(fn)
    return found


def qualified(fn) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def takes_filters(fn) -> bool:
    return "filters" in inspect.signature(fn).parameters


def test_every_analysis_takes_the_filters_or_says_why_it_needs_no_scope():
    unexplained = [qualified(fn) for fn in analyses()
                   if not takes_filters(fn) and qualified(fn) not in access.WHOLE_AREA]
    assert unexplained == []
    assert set(access.WHOLE_AREA) <= {qualified(fn) for fn in analyses()} | {
        "analytics.ingest.ingest:history", "analytics.ingest.ingest:same_load"}


def test_no_analysis_builds_filters_of_its_own_or_sets_a_scope():
    """Analyses derive filters from the ones they were given (dataclasses.replace, previous(),
    everything()), which keep the scope; only analytics.governance.access.scoped sets it."""
    offences = []
    for path in sorted((ROOT / "analytics").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "Filters" and path.name != "filters.py":
                offences.append(f"{path.name}:{node.lineno} builds Filters")
            if any(k.arg in ("within_wards", "within_agencies") for k in node.keywords) \
                    and path.name not in ("access.py", "filters.py"):
                offences.append(f"{path.name}:{node.lineno} sets a scope")
    assert offences == []


def test_a_lead_limited_to_two_wards_sees_only_their_interventions_places_and_wards(borough):
    """The attack of issue 24: a lead limited to DB01 and DB02 saw 32 of 33 interventions from
    other wards, with their places' monthly incidents, and every ward on Places."""
    from analytics.interventions import impact, interventions
    from analytics.places import places

    full, _, _ = borough
    lead = Access(Role.LEAD, Scope(wards=("DB01", "DB02")))
    store = Store(full)
    try:
        con, everything = store.cursor(), scoped(Filters(period="all"), lead)
        register = interventions.register(con, everything)
        assert set(register["ward_code"].dropna()) == {"DB01", "DB02"}
        outside = con.execute("SELECT intervention_id FROM interventions WHERE ward_code = 'DB04' "
                              "LIMIT 1").fetchone()[0]
        with pytest.raises(ValueError, match="There is no intervention with the id"):
            impact.impact(con, everything, intervention_id=outside)
        assert set(impact.impact_summary(con, everything)["intervention_id"]) == set(
            register["intervention_id"])
        assert set(places.ward_counts(con, scoped(YEAR, lead))["ward_code"]) == {"DB01", "DB02"}
        assert set(interventions.places(con, everything)["ward_name"].dropna()) <= set(
            places.ward_counts(con, everything)["ward_name"])
    finally:
        store.close()


def test_a_lead_limited_to_police_counts_only_police_incidents(borough):
    from analytics.board import overview

    full, _, _ = borough
    store = Store(full)
    try:
        con = store.cursor()
        police = con.execute("SELECT count(*) FROM incidents WHERE source_agency = 'police' AND "
                             "occurred_at >= '2025-01-01'").fetchone()[0]
        lead = Access(Role.LEAD, Scope(agencies=("police",)))
        assert overview.totals(con, scoped(YEAR, lead)).incidents == police
        assert overview.totals(con, YEAR).incidents > police
    finally:
        store.close()


@pytest.mark.parametrize(("agencies", "sees"), [(("police", "education"), True),
                                                 (("education", "health"), False)])
def test_police_uk_rows_are_the_polices_and_ward_scoped(borough, agencies, sees):
    """A user limited to some wards sees police.uk street crime in those wards only; one limited
    to agencies that leave out the police sees none of it (police.uk's rows are the police's)."""
    from analytics.board import overview
    from analytics.places import places

    full, _, _ = borough
    store = Store(full)
    try:
        con = store.cursor()
        wards = ("DB01", "DB02")
        theirs = con.execute("SELECT count(*) FROM incident_facts WHERE source = $s AND "
                             "list_contains($w, ward_code) AND occurred_at >= '2025-01-01' "
                             "AND occurred_at < '2026-01-01'",
                             {"s": STREET, "w": list(wards)}).fetchone()[0]
        assert theirs > 0
        user = Access(Role.LEAD, Scope(wards=wards, agencies=agencies))
        assert overview.totals(con, scoped(STREET_YEAR, user)).incidents == (theirs if sees else 0)
        assert places.has_area_crime(con, scoped(STREET_YEAR, user)) is sees
        shown = set(places.ward_counts(con, scoped(STREET_YEAR, user))["ward_code"])
        assert shown == set(wards)
    finally:
        store.close()


def calls(con: duckdb.DuckDBPyConnection, fn, filters: Filters) -> list[dict]:
    """The argument sets each analysis is run with: every section, place, intervention (inside
    and outside the scope) and split it offers."""
    name = fn.__name__
    module = fn.__module__.rsplit(".", 1)[-1]
    place = con.execute("SELECT context_id, lat, lon FROM contexts WHERE lat IS NOT NULL "
                        "ORDER BY context_id LIMIT 1").fetchone()
    outcomes = {
        ("briefing", "section"): [{"key": "places", "view": "lead"}],  # the pack has them all
        ("briefing", "pack"): [{"view": "board"}, {"view": "analyst"}],
        ("briefing", "lineage"): [{}],
        ("contexts", "detail"): [{"context_id": c} for c in PLACES],
        ("contexts", "interventions"): [{"context_id": c} for c in PLACES],
        ("contexts", "neighbours"): [{"context_id": place[0], "lat": place[1], "lon": place[2],
                                      "radius_m": 2000}],
        ("impact", "impact"): [{"intervention_id": i} for i in INTERVENTIONS],
        ("impact", "displacement"): [{"intervention_id": i} for i in INTERVENTIONS],
        ("narrative", "priority_sentence"): [{"view": "lead"}],
        ("narrative", "what_changed"): [{"view": v} for v in ("board", "lead")],
        ("overlap", "analyse"): [{"unit": u} for u in overlap.UNITS],
        ("overlap", "combinations"): [{"unit": u} for u in overlap.UNITS],
        ("overlap", "drilldown"): [{"risks": ("cse", "missing"), "unit": u} for u in overlap.UNITS],
        ("overview", "changes"): [{"unit": "ward"}, {"unit": "context"}],
        ("places", "area_crime_cells"): [],
        ("places", "month_of_year"): [{}, *({"context_id": c} for c in PLACES)],
        ("places", "when_grid"): [{}, *({"context_id": c} for c in PLACES)],
        ("trends", "interventions"): [{"win": trends.window(con, filters)}],
        ("trends", "trend_view"): [*({"split": s} for s in trends.SPLITS),
                                   *({"measure": m} for m in trends.MEASURES)],
        ("trends", "counts"): [{"split": s} for s in trends.SPLITS],
        ("trends", "signals"): [{"by": b} for b in ("ward", "context", "risk_type")],
    }
    return outcomes.get((module, name), [{}])


# Places and interventions inside each scope and outside them all (C0004, INT001: ward DB10;
# INT045 is at an online space, in no ward).
PLACES = ("C0029", "C0013", "C0004")
INTERVENTIONS = ("INT015", "INT060", "INT009", "INT023", "INT001", "INT045")


def outcome(fn, con, filters, kwargs, access_: Access | None):
    """What an analysis gives (or the refusal it raises), as a fingerprint."""
    try:
        if access.required_permission(fn) is not None:
            kwargs = {**kwargs, "access": access_}
        result = fn(con, filters, **kwargs) if takes_filters(fn) else fn(con, **kwargs)
    except (ValueError, KeyError, PermissionError) as refusal:
        return f"{type(refusal).__name__}: {refusal}"
    return fingerprint(result)


def scope_phrases(scope: Scope, names: dict[str, str]) -> dict[str, str]:
    """How a caption names the scope, and how it reads without one."""
    out = {}
    if scope.wards is not None:
        out["the wards you may see: " + ", ".join(names.get(w, w) for w in scope.wards)] = \
            "all wards"
        out["the wards you may see;"] = "the whole borough;"  # a slide's title (issue 20)
    if scope.agencies is not None:
        from analytics.store.vocab import AGENCY_LABELS
        out["the agencies you may see: " + ", ".join(AGENCY_LABELS.get(a, a)
                                                     for a in scope.agencies)] = "all agencies"
    return out


@pytest.mark.parametrize("scope_name", SCOPE_NAMES)
def test_every_analysis_for_a_scoped_user_equals_the_analysis_of_their_data_alone(borough,
                                                                                   scope_name):
    full, chosen, trimmed = borough
    scope = chosen[scope_name]
    user = Access(Role.ADMIN, scope)
    everyone = Access(Role.ADMIN)
    whole, alone = Store(full), Store(trimmed[scope_name])
    try:
        names = dict(whole.cursor().execute("SELECT ward_code, ward_name FROM wards").fetchall())
        phrases = scope_phrases(scope, names)
        differ = []
        for fn in analyses():
            if qualified(fn) in access.WHOLE_AREA:
                continue
            tried = (YEAR, STREET_YEAR) if scope_name == SCOPE_NAMES[0] else (TWO_RISKS_EVER,)
            for filters in tried:
                for kwargs in calls(alone.cursor(), fn, filters):
                    theirs = outcome(fn, whole.cursor(), scoped(filters, user), dict(kwargs), user)
                    reference = without_columns(
                        outcome(fn, alone.cursor(), filters, dict(kwargs), everyone), WITHHELD)
                    text = json.dumps(theirs, default=str)
                    for said, plain in phrases.items():
                        text = text.replace(said, plain)
                    if text != json.dumps(reference, default=str):
                        differ.append(f"{qualified(fn)}({kwargs}) under {filters.describe()}")
    finally:
        whole.close()
        alone.close()
    assert differ == []


# --- pages and slides ------------------------------------------------------------------------

PAGES = ("overview", "contexts", "trends", "places", "overlap", "peers", "interventions",
         "records", "data")
ROLE_MAP = """
[[people]]
email = "sam@fernley.test"
role = "analyst"
wards = {wards}
agencies = {agencies}

[[people]]
email = "una@fernley.test"
role = "analyst"
"""


@pytest.fixture(scope="module")
def small_borough(tmp_path_factory):
    """The demo borough at its smallest, and a copy holding only the two-ward, two-agency scope."""
    from analytics.demo import demo

    work = tmp_path_factory.mktemp("scope-pages")
    full = work / "full.duckdb"
    store = Store(full)
    demo.generate(store, incidents=demo.MIN_INCIDENTS, end=END)
    scope = scopes(store.cursor())["two wards, two agencies"]
    store.close()
    roles = work / "roles.toml"
    roles.write_text(ROLE_MAP.format(wards=json.dumps(list(scope.wards)),
                                     agencies=json.dumps(list(scope.agencies))))
    return full, trimmed_copy(full, work / "alone.duckdb", scope), scope, roles


def _as_seen(at, scope: Scope, names: dict[str, str], withheld: set[str] = frozenset()
             ) -> list[str]:
    """Each element of the page as text, with the caption's words for the scope made plain (and
    the `withheld` table columns left out)."""
    phrases = [(_escaped_anyhow(said), plain) for said, plain in scope_phrases(scope, names).items()]
    out = []
    for element in page_picture(at):
        text = json.dumps(without_columns(element, withheld), default=str)
        for said, plain in phrases:
            text = said.sub(plain, text)
        out.append(text)
    return out


def _escaped_anyhow(phrase: str) -> re.Pattern[str]:
    """`phrase` as a page shows it: its punctuation perhaps escaped for Markdown (md.escape), and
    that escaping perhaps escaped again for JSON."""
    return re.compile("".join(re.escape(c) if c.isalnum() or c == " " else r"\\*" + re.escape(c)
                              for c in phrase))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_for_a_scoped_user_shows_what_their_data_alone_would_show(
        small_borough, monkeypatch, page):
    from tests.ui.test_guard import open_app, user

    full, alone, scope, roles = small_borough
    monkeypatch.setenv(access.ROLE_MAP_ENV, str(roles))
    query = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31", "view": "analyst"}
    shown = {}
    for label, db, email in (("scoped", full, "sam@fernley.test"),
                             ("alone", alone, "una@fernley.test")):
        at = open_app(db, monkeypatch, who=user(email=email), query=query)
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert made_on_the_click(at) == []  # and no download waits on the server unasked
        if label == "scoped":
            agencies = at.sidebar.multiselect(key="f_agencies").options
            assert len(agencies) == len(scope.agencies)  # offered only theirs
        names = dict(Store(full).cursor().execute(
            "SELECT ward_code, ward_name FROM wards").fetchall()) if label == "scoped" else {}
        shown[label] = [element for _ in each_section(at)  # a page in tabs: every tab
                        for element in _as_seen(at, scope, names,
                                                set() if label == "scoped" else WITHHELD)]
    if page == "data":  # rolling back is a power over every ward's rows: the alone user's own
        shown["scoped"] = [e for e in shown["scoped"] if ONLY_UNLIMITED_ROLL_BACK not in e]
        shown["alone"] = [e for e in shown["alone"] if "rollback-" not in e]
    differ = [(a[:300], b[:300]) for a, b in zip(shown["scoped"], shown["alone"], strict=False)
              if a != b]
    assert (differ, len(shown["scoped"])) == ([], len(shown["alone"]))


ONLY_UNLIMITED_ROLL_BACK = "only someone who may see all of them can roll one back"


def test_a_scoped_analyst_can_neither_roll_back_nor_plan_a_rollback(small_borough, monkeypatch):
    """A rollback removes, and its confirmation counts, a file's rows in every ward and agency."""
    from tests.ui.test_guard import open_app, user
    from ui import upload as upload_ui

    full, _, scope, roles = small_borough
    monkeypatch.setenv(access.ROLE_MAP_ENV, str(roles))
    at = open_app(full, monkeypatch, who=user(email="sam@fernley.test"),
                  query={"view": "analyst"})
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(ONLY_UNLIMITED_ROLL_BACK in c.value for c in at.caption)
    assert not [b for b in at.button if str(b.key).startswith("rollback-")]
    assert not [m for m in at.multiselect if str(m.key).startswith("rollback-")]
    monkeypatch.setattr(upload_ui.state, "current_access", lambda: Access(Role.ANALYST, scope))
    with pytest.raises(PermissionError, match="roll one back"):
        upload_ui.rollback_plan([1])
    with pytest.raises(PermissionError, match="roll one back"):
        upload_ui.rollback([1], "sam")


def test_every_slide_for_a_scoped_user_shows_what_their_data_alone_would_show(small_borough,
                                                                               monkeypatch):
    from tests.ui.test_guard import open_app, user

    full, alone, scope, roles = small_borough
    monkeypatch.setenv(access.ROLE_MAP_ENV, str(roles))
    query = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31", "present": "1",
             "slide": "1"}
    names = dict(Store(full).cursor().execute("SELECT ward_code, ward_name FROM wards").fetchall())
    decks = {}
    for label, db, email in (("scoped", full, "sam@fernley.test"),
                             ("alone", alone, "una@fernley.test")):
        at = open_app(db, monkeypatch, who=user(email=email), query=query)
        slides = [_as_seen(at, scope, names)]
        while not at.button(key="next").disabled:
            at.button(key="next").click().run()
            assert not at.exception, [e.value for e in at.exception]
            slides.append(_as_seen(at, scope, names))
        decks[label] = slides
    assert len(decks["scoped"]) == 6
    for number, (theirs, reference) in enumerate(zip(*decks.values(), strict=True), start=1):
        assert theirs == reference, number
