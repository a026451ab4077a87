"""Signing in for real: a headless browser signs in through an OpenID Connect provider started on
loopback (oidc-provider-mock) and sees the view its role allows, nothing more.

Needs Chromium like tests/test_browser.py (skips without it, except under CI=true where it must
run). Every wait is bounded; the whole module takes about a minute.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from tests.live_app import (
    MENU_LINK,
    SHOTS,
    free_port,
    require_browser,
    running_app,
    wait_until_finished,
)

pytestmark = pytest.mark.browser
require_browser()
START_TIMEOUT_S = 90
STEP_TIMEOUT_MS = 30_000
PEOPLE = {  # subject -> claims the provider vouches for
    "bea": {"email": "bea@fernley.test", "name": "Bea Board"},
    "ada": {"email": "ada@fernley.test", "name": "Ada Admin"},
}
ROLE_MAP = """
[[people]]
email = "bea@fernley.test"
role = "board"

[[people]]
email = "ada@fernley.test"
role = "admin"
"""


@pytest.fixture(scope="module")
def provider():
    """An OpenID Connect provider on loopback that signs in the people above with one click."""
    from oidc_provider_mock import User, run_server_in_thread

    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http, on loopback only
    users = [User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def app_url(provider, tmp_path_factory):
    """The dashboard with [auth] pointing at the provider, on a small hand-made database."""
    from analytics.store.store import Store
    from tests.conftest import seed_tiny

    work = tmp_path_factory.mktemp("signed-in")
    store = Store(work / "app.duckdb")
    seed_tiny(store)
    store.close()
    (work / "roles.toml").write_text(f'issuer = "{provider}"\n{ROLE_MAP}')
    port = free_port()
    url = f"http://localhost:{port}"
    (work / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "safeguarding-dashboard"\n'
        'client_secret = "not-a-secret-on-loopback"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        "\n[access]\n"
        f'role_map = "{work / "roles.toml"}"\n')
    with running_app(work / "app.duckdb", work / "streamlit.log", port=port, host="localhost",
                     args=("--secrets.files", str(work / "secrets.toml")),
                     env={"AUTHLIB_INSECURE_TRANSPORT": "1", "SAFEGUARDING_ROLE_MAP": ""},
                     start_timeout_s=START_TIMEOUT_S) as running:
        assert running == url
        yield url


def _fresh_page(browser):
    """A page in its own browser context: no cookie from another user's sign-in."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    return page


def _sign_in(page, app_url: str, subject: str) -> None:
    """From the signed-out page, through the provider's form, back to the app as `subject`."""
    page.goto(app_url)
    wait_until_finished(page, timeout_s=90)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    if subject in PEOPLE:
        page.locator(f'button[name="sub"][value="{subject}"]').click()
    else:
        page.fill('input[name="sub"]', subject)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**")
    wait_until_finished(page, timeout_s=90)


def _sidebar(page) -> str:
    return page.inner_text('[data-testid="stSidebar"]')


def _nav(page) -> list[str]:
    links = page.locator(MENU_LINK)
    return [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]


def test_a_signed_out_visitor_sees_only_the_sign_in_button(app_url, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _fresh_page(browser)
    page.goto(f"{app_url}/?view=analyst&period=all")
    wait_until_finished(page, timeout_s=90)
    body = page.inner_text("body")
    assert "Sign in with your organisation's account" in body
    assert "Incidents" not in body and not page.locator('[data-testid="stMetric"]').count()
    page.screenshot(path=str(SHOTS / "access-signed-out.png"), full_page=True)
    page.context.close()


def test_a_board_member_signs_in_and_sees_only_the_board_view(app_url, browser):
    page = _fresh_page(browser)
    _sign_in(page, app_url, "bea")
    sidebar = _sidebar(page)
    assert "Signed in as Bea Board" in sidebar and "Role: Board member" in sidebar
    assert "Board view: figures only" in page.inner_text("body")
    assert not {"Incident records", "Audit log"} & set(_nav(page))
    assert "Incident records" not in sidebar and "Audit log" not in sidebar
    page.screenshot(path=str(SHOTS / "access-board.png"), full_page=True)

    page.goto(f"{app_url}/records")  # a closed page, by its address
    wait_until_finished(page)
    assert "This page is not open to your role" in page.inner_text("body")
    assert not page.locator('[data-testid="stDataFrame"]').count()
    page.screenshot(path=str(SHOTS / "access-board-closed-page.png"), full_page=True)

    page.goto(f"{app_url}/?view=analyst")  # a link asking for more
    wait_until_finished(page)
    assert "your role shows the board view" in _sidebar(page)
    assert "Board view: figures only" in page.inner_text("body")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/**")
    wait_until_finished(page)
    assert page.get_by_role("button", name="Sign in").count() == 1
    page.context.close()


def test_someone_the_role_map_does_not_list_sees_no_data(app_url, browser):
    page = _fresh_page(browser)
    _sign_in(page, app_url, "stranger@elsewhere.test")
    body = page.inner_text("body")
    assert "you have not been given access to this dashboard" in body
    assert not page.locator('[data-testid="stMetric"]').count()
    page.screenshot(path=str(SHOTS / "access-unknown-user.png"), full_page=True)
    page.context.close()


def test_an_administrator_reads_the_audit_log_of_these_sign_ins(app_url, browser):
    page = _fresh_page(browser)
    _sign_in(page, app_url, "ada")
    assert {"Overview", "Incident records", "Audit log"} <= set(_nav(page))
    page.goto(f"{app_url}/audit")
    wait_until_finished(page)
    body = page.inner_text("body")
    assert "Audit log" in body and "The log's entries are all present" in body
    page.screenshot(path=str(SHOTS / "access-audit.png"), full_page=True)
    with page.expect_download() as download:  # the grid is drawn on a canvas: read the CSV
        page.get_by_role("button", name="Download as CSV").click()
    log = Path(download.value.path()).read_text(encoding="utf-8-sig")
    for line in ("Bea Board,board,sign-in,dashboard,done",
                 "Bea Board,board,sign-out,dashboard,done: signed out",
                 "stranger@elsewhere.test,none,sign-in,dashboard,refused: not in the role map",
                 "Ada Admin,admin,sign-in,dashboard,done"):
        assert line in log, line
    page.context.close()
