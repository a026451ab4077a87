"""Sign-in and roles as a reader meets them (AppTest with st.user mocked for each role).

Each role sees only its view and its pages, even when a link asks for more; someone the role map
does not list, or who is signed out, sees no data at all; sessions end at their limits; every
sign-in, sign-out and download leaves an audit entry.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from analytics.governance import access as ac
from analytics.governance.disclosure import VIEWS
from analytics.store.store import Store
from tests import apptest
from tests.apptest import (
    ROOT,
    TIMEOUT,
    assert_no_exception,
    read,
    record_downloads,
    shown_text,
)
from tests.conftest import seed_tiny
from tests.governance.test_access import EXPECTED_PAGES
from ui import guard

ISSUER = "https://idp.fernley.test"
YEAR_2024 = {"period": "custom", "from": "2024-01-01", "to": "2024-12-31"}
YEAR_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
ROLE_MAP = f"""
issuer = "{ISSUER}"

[[people]]
email = "bea@fernley.test"
role = "board"

[[people]]
email = "lee@fernley.test"
role = "lead"

[[people]]
email = "lou@fernley.test"
role = "lead"
wards = ["W1", "W2"]

[[people]]
email = "al@fernley.test"
role = "analyst"

[[people]]
email = "ada@fernley.test"
role = "admin"
"""
AUTH = {"redirect_uri": "http://localhost:8617/oauth2callback", "cookie_secret": "s" * 32,
        "client_id": "dashboard", "client_secret": "secret",
        "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration"}
EMAILS = {"board": "bea@fernley.test", "lead": "lee@fernley.test", "analyst": "al@fernley.test",
          "admin": "ada@fernley.test"}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "tiny.duckdb"
    store = Store(path)
    seed_tiny(store)
    store.close()
    return path


@pytest.fixture
def role_map(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(ROLE_MAP)
    monkeypatch.setenv(ac.ROLE_MAP_ENV, str(path))
    return path


@pytest.fixture
def nav(monkeypatch):
    """What st.navigation was last given: section -> [(title, visibility)]."""
    seen: dict = {}
    real = streamlit.navigation

    def spy(pages, **kwargs):
        sections = pages if isinstance(pages, dict) else {"": pages}
        seen.clear()
        seen.update({s: [(p.title, p.visibility, guard.page_name(p)) for p in items]
                     for s, items in sections.items()})
        return real(pages, **kwargs)

    monkeypatch.setattr(streamlit, "navigation", spy)
    return seen


def listed(nav: dict) -> list[str]:
    """The titles of the pages in the menu."""
    return [title for items in nav.values() for title, visibility, _ in items
            if visibility == "visible"]


def listed_names(nav: dict) -> set[str]:
    """The pages (by file name) in the menu."""
    return {name for items in nav.values() for _, visibility, name in items
            if visibility == "visible"}


UNLISTED = {"present"}  # the slides: reached by each page's Present button, never in the menu


def all_names(nav: dict) -> set[str]:
    """The pages (by file name) the navigation knows, listed or not, but for UNLISTED."""
    return {name for items in nav.values() for _, _, name in items} - UNLISTED


def user(role: str | None = None, *, email: str | None = None, **claims) -> dict:
    """The st.user of a signed-in person (an ID token's claims, as Streamlit passes them)."""
    email = email or EMAILS[role]
    return {"is_logged_in": True, "iss": ISSUER, "sub": f"sub-{email}", "email": email,
            "name": email.split("@")[0].capitalize(), "iat": int(time.time()), **claims}


def open_app(db, monkeypatch, *, who: dict | None = None, signed_in_mode: bool = True,
             query: dict | None = None, through_app: bool = True) -> AppTest:
    """Run app.py on `db`; with [auth] configured unless signed_in_mode is False.

    `through_app` makes every later run (and switch_page) go through app.py, as on a live
    server once any session has called st.navigation. Without it AppTest behaves like a fresh
    server with a pages/ folder: after the first run it executes page scripts directly.
    """
    if through_app:
        apptest.through_app(monkeypatch)
    monkeypatch.setenv("SAFEGUARDING_DB", str(db))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if signed_in_mode:
        at.secrets = {"auth": AUTH}
        at.user = who or {"is_logged_in": False}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def audit_rows(db) -> list[tuple]:
    store = Store(db)
    try:
        return [tuple(r) for r in store.cursor().execute(
            "SELECT user_label, role, action, object, outcome FROM audit_log ORDER BY seq"
        ).fetchall()]
    finally:
        store.close()


def table_download(at: AppTest):
    """The page's table download (the banner's board pack buttons come first)."""
    return next(b for b in at.download_button if not b.label.startswith("Board pack"))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- local mode ------------------------------------------------------------------------------

def test_local_mode_says_so_and_opens_in_the_board_view_without_analyst_pages(db, monkeypatch,
                                                                            nav):
    at = open_app(db, monkeypatch, signed_in_mode=False, query=YEAR_2024)
    assert_no_exception(at)
    assert "Local mode: no sign-in" in shown_text(at)
    assert metrics(at)["Young people affected"] == "<5"
    assert listed_names(nav) == {n for n in all_names(nav) if EXPECTED_PAGES[n][0]}
    assert not {"records", "audit"} & listed_names(nav)
    assert [r.label for r in at.sidebar.radio] == ["View"]


def test_local_mode_analyst_view_shows_exact_counts_and_the_analyst_and_audit_pages(
        db, monkeypatch, nav):
    at = open_app(db, monkeypatch, signed_in_mode=False, query={**YEAR_2024, "view": "analyst"})
    assert metrics(at)["Young people affected"] == "2"
    assert listed_names(nav) == all_names(nav)
    assert {"records", "audit"} <= listed_names(nav)
    at.switch_page("pages/audit.py").run()
    assert_no_exception(at)
    assert "Audit log" in [t.value for t in at.title]


def test_a_deployment_that_forbids_local_mode_shows_no_data(db, monkeypatch, nav):
    monkeypatch.setenv(ac.REQUIRE_SIGN_IN_ENV, "1")
    at = open_app(db, monkeypatch, signed_in_mode=False, query=YEAR_2024)
    assert_no_exception(at)
    assert "must be used with sign-in" in " ".join(e.value for e in at.error)
    assert not at.metric and not at.sidebar.multiselect and not at.dataframe
    assert listed(nav) == ["Sign in"]  # every other address shows the same notice


@pytest.fixture
def listening_on():
    """Set the address the server listens on (server.address) for one test."""
    from streamlit import config

    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


@pytest.mark.parametrize(("address", "said"), [
    ("0.0.0.0", "listening on address 0.0.0.0"),
    ("", "listening on every network interface"),
    ("192.168.1.20", "listening on address 192.168.1.20"),
])
def test_local_mode_on_an_address_other_computers_reach_shows_no_data(db, monkeypatch,
                                                                      listening_on, address,
                                                                      said):
    listening_on(address)
    at = open_app(db, monkeypatch, signed_in_mode=False, query={**YEAR_2024, "view": "analyst"})
    assert_no_exception(at)
    assert said in read(at.error[0].value) and "no sign-in is configured" in at.error[0].value
    assert not at.metric and not at.sidebar.multiselect and not at.dataframe


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_local_mode_on_this_computer_alone_runs(db, monkeypatch, listening_on, address):
    listening_on(address)
    at = open_app(db, monkeypatch, signed_in_mode=False, query=YEAR_2024)
    assert not at.error and metrics(at)["Young people affected"] == "<5"


def test_with_sign_in_the_dashboard_may_listen_on_any_address(db, monkeypatch, role_map,
                                                             listening_on):
    listening_on("0.0.0.0")
    at = open_app(db, monkeypatch, who=user("lead"), query=YEAR_2024)
    assert not at.error and metrics(at)["Incidents"] == "<5"


def test_unusable_access_settings_show_no_data_and_name_the_setting(db, monkeypatch):
    monkeypatch.setenv(ac.IDLE_MINUTES_ENV, "soon")
    at = open_app(db, monkeypatch, signed_in_mode=False)
    assert "inactivity timeout in minutes must be a positive number" in at.error[0].value
    assert not at.metric


# --- signed out, unknown, misconfigured ---------------------------------------------------

@pytest.mark.parametrize("query", [{}, {**YEAR_2024, "view": "analyst", "ward": "W1"}])
def test_a_signed_out_visitor_sees_only_the_sign_in_button(db, monkeypatch, role_map, query):
    at = open_app(db, monkeypatch, query=query)
    assert_no_exception(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.sidebar.multiselect and not at.dataframe
    assert "signs you out after 30 minutes without activity" in shown_text(at)


def test_signing_in_on_a_server_whose_auth_settings_are_incomplete_says_so(db, monkeypatch,
                                                                         role_map):
    at = open_app(db, monkeypatch)
    at.secrets = {"auth": {"redirect_uri": AUTH["redirect_uri"]}}  # no provider, no secret
    at.button[0].click().run()
    assert_no_exception(at)
    assert "Sign-in is not set up correctly on this server" in at.error[0].value
    assert not at.metric


def test_someone_not_in_the_role_map_sees_no_data_and_is_recorded_once(db, monkeypatch,
                                                                       role_map):
    at = open_app(db, monkeypatch, who=user(email="eve@elsewhere.test"), query=YEAR_2024)
    assert_no_exception(at)
    assert "you have not been given access" in at.error[0].value
    assert not at.metric and not at.sidebar.multiselect
    at.run()
    assert audit_rows(db) == [("Eve", "none", "sign-in", "dashboard",
                               "refused: not in the role map")]
    at.button[0].click().run()  # Sign out
    assert at.user == {"is_logged_in": False}


def test_a_sign_in_without_a_subject_is_refused(db, monkeypatch, role_map):
    at = open_app(db, monkeypatch, who={**user("admin"), "sub": ""})
    assert "did not say who you are" in at.error[0].value
    assert not at.metric


def test_without_a_usable_role_map_nobody_gets_in(db, monkeypatch, role_map):
    role_map.write_text("[[people]]\nemail = 'ada@fernley.test'\nrole = 'superuser'\n")
    at = open_app(db, monkeypatch, who=user("admin"))
    assert "cannot check who may use it" in at.error[0].value and "needs a role" in \
        at.error[0].value
    assert not at.metric


# --- each role ---------------------------------------------------------------------------

ROLE_SEES = {
    #          view       young people in 2024   column of EXPECTED_PAGES
    "board": ("board", "<5", 0),
    "lead": ("lead", "<5", 1),
    "analyst": ("analyst", "2", 2),
    "admin": ("analyst", "2", 3),
}


@pytest.mark.parametrize("role", list(ROLE_SEES))
def test_each_role_sees_its_view_and_pages_even_when_the_link_asks_for_analyst(
        db, monkeypatch, role_map, nav, role):
    view, young_people, column = ROLE_SEES[role]
    at = open_app(db, monkeypatch, who=user(role), query={**YEAR_2024, "view": "analyst"})
    assert_no_exception(at)
    assert metrics(at)["Young people affected"] == young_people
    assert listed_names(nav) == {n for n in all_names(nav) if EXPECTED_PAGES[n][column]}
    assert ("records" in listed_names(nav), "audit" in listed_names(nav)) == (
        role in ("analyst", "admin"), role == "admin")
    sidebar = " ".join(read(c.value) for c in at.sidebar.caption)
    assert f"Signed in as **{EMAILS[role].split('@')[0].capitalize()}**" in sidebar
    assert f"Role: {ac.Role(role).label}." in sidebar
    assert [b.label for b in at.sidebar.button] == ["Clear filters", "Sign out"]
    if role == "board":  # one view only: said in words, no choice offered
        assert not at.sidebar.radio
        assert f"{VIEWS['board']} (the one view your role has)" in sidebar
    else:
        assert list(at.sidebar.radio(key="f_view").options) == [
            v.capitalize() for v in ac.allowed_views(ac.Access(ac.Role(role)))]
    if view != "analyst":
        notices = " ".join(read(w.value) for w in at.sidebar.warning)
        assert f"The link asked for the analyst view; your role shows the {view} view." in notices
    assert ("Local mode" in shown_text(at)) is False


# Every page that needs more than figures (records, uploads, the audit log ... as they land).
CLOSED_TO_BOARD = [f"pages/{name}.py" for name, needed in ac.PAGE_PERMISSIONS.items()
                   if needed is not ac.Permission.AGGREGATES
                   and (ROOT / "pages" / f"{name}.py").exists()]


def test_the_closed_pages_include_the_records_and_the_audit_log():
    assert {"pages/records.py", "pages/audit.py"} <= set(CLOSED_TO_BOARD)


@pytest.mark.parametrize("through_app", [True, False], ids=["by-url", "page-run-directly"])
@pytest.mark.parametrize("role", ["board", "lead"])
@pytest.mark.parametrize("page", CLOSED_TO_BOARD)
def test_board_and_lead_reaching_a_closed_page_see_only_why(db, monkeypatch, role_map, nav,
                                                            role, page, through_app):
    at = open_app(db, monkeypatch, who=user(role), query=YEAR_2025, through_app=through_app)
    at.switch_page(page).run()
    assert_no_exception(at)
    assert "This page is not open to your role" in at.error[0].value
    assert not at.dataframe and not at.download_button and not at.metric
    if through_app:  # reached by its address: app.py lists it hidden, and still refuses it
        assert Path(page).stem in all_names(nav) - listed_names(nav)


@pytest.mark.parametrize(("who", "page", "sees"), [
    (None, "pages/records.py", "Sign in"),
    ("board", "pages/audit.py", "This page is not open to your role"),
    ("lead", "pages/records.py", "This page is not open to your role"),
    ("admin", "pages/audit.py", "Audit log"),
])
def test_a_fresh_servers_first_request_for_a_page_goes_through_sign_in(db, monkeypatch, role_map,
                                                                      who, page, sees):
    """A new server with a pages/ folder runs the page named in the first request alone; the
    page sends it back through app.py, so sign-in and the role still decide what is shown."""
    monkeypatch.setenv("SAFEGUARDING_DB", str(db))
    streamlit.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets = {"auth": AUTH}
    at.user = user(who) if who else {"is_logged_in": False}
    at.switch_page(page).run()
    assert_no_exception(at)
    assert sees in shown_text(at) + " ".join(b.label for b in at.button)
    if who == "admin":
        assert not at.error and at.dataframe[0].value["Action"].tolist() == ["sign-in"]
    else:
        assert not at.metric and not at.dataframe


def test_every_view_of_the_incident_records_is_audited_once_a_selection(db, monkeypatch,
                                                                       role_map):
    at = open_app(db, monkeypatch, who=user("analyst"), query=YEAR_2025)
    assert "rows viewed" not in [r[2] for r in audit_rows(db)]  # the Overview shows no rows
    at.switch_page("pages/records.py").run()
    at.run()  # the same view again: not a new one
    at.sidebar.multiselect(key="f_wards").select("W1").run()
    viewed = [r for r in audit_rows(db) if r[2] == "rows viewed"]
    assert [r[:2] for r in viewed] == [("Al", "analyst")] * 2
    assert viewed[0][3].startswith("incident records (1 January 2025 to 31 December 2025; all "
                                   "wards")
    assert "wards: W1" in viewed[1][3]


def test_an_analyst_reaching_the_audit_page_directly_sees_only_why(db, monkeypatch, role_map):
    at = open_app(db, monkeypatch, who=user("analyst"))
    at.switch_page("pages/audit.py").run()
    assert "needs permission to read the audit log" in at.error[0].value
    assert not at.dataframe


def test_an_analyst_sees_the_records_and_each_download_is_audited(db, monkeypatch, role_map):
    made = record_downloads(monkeypatch)
    at = open_app(db, monkeypatch, who=user("analyst"), query=YEAR_2025)
    at.switch_page("pages/records.py").run()
    assert_no_exception(at)
    assert "10 incidents" in [s.value for s in at.subheader]
    assert len(at.dataframe[0].value) == 10
    assert [r[2] for r in audit_rows(db)].count("export") == 0  # drawn, not yet asked for
    csv = made[table_download(at).proto.deferred_file_id]()  # the click
    assert csv.decode("utf-8-sig").count("\n") == 11
    assert audit_rows(db)[-1][:3] == ("Al", "analyst", "export")
    assert audit_rows(db)[-1][3].startswith("incident records (1 January 2025 to 31 December")
    assert audit_rows(db)[-1][3].endswith("(10 rows)")


def test_a_lead_limited_to_two_wards_sees_only_their_figures_and_wards(db, monkeypatch,
                                                                      role_map):
    who = user(email="lou@fernley.test")
    at = open_app(db, monkeypatch, who=who, query={**YEAR_2025, "ward": "W3", "view": "lead"})
    assert_no_exception(at)
    assert metrics(at)["Incidents"] == "7"  # Alder 3 + Birch 4; Cedar's 2 and the online 1 unseen
    assert at.sidebar.multiselect(key="f_wards").options == ["Alder", "Birch"]
    assert "unknown ward ('W3')" in " ".join(read(w.value) for w in at.sidebar.warning)
    assert "Sees wards: Alder, Birch." in " ".join(read(c.value) for c in at.sidebar.caption)
    assert "Cedar" not in shown_text(at)


def test_an_administrator_reads_the_audit_log_and_its_download_is_audited(db, monkeypatch,
                                                                         role_map):
    made = record_downloads(monkeypatch)
    at = open_app(db, monkeypatch, who=user("admin"))
    at.switch_page("pages/audit.py").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert table["Action"].tolist() == ["sign-in"] and table["Who"].tolist() == ["Ada"]
    assert "The log's entries are all present" in shown_text(at)
    made[table_download(at).proto.deferred_file_id]()
    assert [r[2] for r in audit_rows(db)] == ["sign-in", "export"]
    at.multiselect(key="audit_actions").select("rollback").run()
    assert "No audit entries match these filters" in shown_text(at)


# --- sessions ----------------------------------------------------------------------------

def test_a_sign_in_is_recorded_once_however_many_times_the_page_reruns(db, monkeypatch,
                                                                      role_map):
    at = open_app(db, monkeypatch, who=user("lead"))
    at.run()
    at.run()
    assert audit_rows(db) == [("Lee", "lead", "sign-in", "dashboard", "done")]


def test_signing_out_is_recorded_and_ends_the_session(db, monkeypatch, role_map):
    at = open_app(db, monkeypatch, who=user("board"))
    at.sidebar.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}
    assert [r[2:] for r in audit_rows(db)] == [("sign-in", "dashboard", "done"),
                                               ("sign-out", "dashboard", "done: signed out")]
    at.run()
    assert [b.label for b in at.button] == ["Sign in"] and not at.metric


def test_a_cookie_saved_before_signing_out_does_not_sign_in_again_after_a_restart(
        db, monkeypatch, role_map):
    """Issue 24: the session book lived in memory, so a restart forgot every sign-out."""
    claims = user("lead")
    at = open_app(db, monkeypatch, who=claims, query=YEAR_2024)
    assert at.metric
    at.sidebar.button(key="sign_out").click().run()
    replayed = open_app(db, monkeypatch, who=claims, query=YEAR_2024)  # a new process's caches
    assert "You have signed out." in read(replayed.warning[0].value)
    assert replayed.user == {"is_logged_in": False} and not replayed.metric
    assert [r[2] for r in audit_rows(db)] == ["sign-in", "sign-out", "sign-out"]


def test_a_sign_in_older_than_twelve_hours_is_signed_out_with_a_reason(db, monkeypatch,
                                                                       role_map):
    old = int(time.time() - timedelta(hours=12, minutes=1).total_seconds())
    at = open_app(db, monkeypatch, who=user("analyst", iat=old))
    assert "12 hours have passed since you signed in" in at.warning[0].value
    assert at.user == {"is_logged_in": False} and not at.metric
    assert audit_rows(db)[-1][2] == "sign-out" and "12 hours" in audit_rows(db)[-1][4]


def test_thirty_idle_minutes_sign_the_user_out(db, monkeypatch, role_map):
    at = open_app(db, monkeypatch, who=user("lead"), query=YEAR_2024)
    assert metrics(at)["Incidents"] == "<5"
    later = ac.utc_now() + timedelta(minutes=29)
    monkeypatch.setattr(guard, "utc_now", lambda: later)
    at.run()
    assert at.metric and not at.warning  # 29 minutes: still signed in, and that was activity
    monkeypatch.setattr(guard, "utc_now", lambda: later + timedelta(minutes=30))
    at.run()
    assert "signed out after 30 minutes without activity" in at.warning[0].value
    assert at.user == {"is_logged_in": False} and not at.metric


def test_configured_limits_are_applied(db, monkeypatch, role_map):
    monkeypatch.setenv(ac.IDLE_MINUTES_ENV, "5")
    at = open_app(db, monkeypatch, who=user("lead"))
    monkeypatch.setattr(guard, "utc_now", lambda: ac.utc_now() + timedelta(minutes=6))
    at.run()
    assert "after 5 minutes without activity" in at.warning[0].value


def test_page_name_reads_the_script_behind_each_page(db, monkeypatch, nav):
    """st.Page keeps its script path in a private attribute: pin that page_name still reads it."""
    open_app(db, monkeypatch, signed_in_mode=False, query={"view": "analyst"})
    names = all_names(nav)
    assert {"overview", "records", "audit"} <= names
    assert all((ROOT / "pages" / f"{name}.py").exists() for name in names)
