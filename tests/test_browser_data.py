"""The Data page in a real browser: an analyst picks a file from disk, checks it and loads it.

Needs Chromium (tests/live_app.py); without it this skips and says why, except under CI=true,
where it must run.
"""

from __future__ import annotations

import re

import pytest

from analytics.store import Store
from tests.conftest import seed_tiny
from tests.ingest_helpers import incident, incidents_csv
from tests.live_app import SHOTS, require_browser, running_app, wait_until_finished

pytestmark = pytest.mark.browser
require_browser()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on a free loopback port over the tiny borough (marked as the demo extract)."""
    work = tmp_path_factory.mktemp("data-app")
    store = Store(work / "app.duckdb")
    seed_tiny(store)
    with store.transaction() as cur:
        cur.execute("UPDATE extracts SET kind = 'demo' WHERE extract_id = 1")
    store.close()
    with running_app(work / "app.duckdb", work / "streamlit.log") as url:
        yield url


def test_an_analyst_uploads_a_file_from_disk_and_loads_it(app_url, browser, tmp_path):
    upload = tmp_path / "march.csv"
    upload.write_bytes(incidents_csv(incident("N1", when="14/03/2025"),
                                     incident("N2", when="31/02/2025")))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    # The entry page first: until app.py has run once, Streamlit treats pages/ as old-style
    # pages and a deep link would skip the app's navigation.
    page.goto(app_url + "/?view=analyst")
    wait_until_finished(page, timeout_s=240)
    page.goto(app_url + "/data?view=analyst")
    dropzone = '[data-testid="stFileUploaderDropzoneInput"]'
    page.wait_for_selector(dropzone, state="attached", timeout=240_000)
    wait_until_finished(page, timeout_s=240)
    page.locator(dropzone).set_input_files(str(upload))
    page.get_by_text("Ready to load:").wait_for(timeout=240_000)
    wait_until_finished(page, timeout_s=240)
    body = page.inner_text("body")
    assert "occurred_at: 1 row rejected" in body and "Will load\n\n1" in body
    page.screenshot(path=str(SHOTS / "data-staged.png"), full_page=True)
    name = page.get_by_label("Your name or initials (recorded with every load and rollback)")
    name.fill("AN")
    name.press("Enter")
    page.get_by_role("button", name=re.compile(r"^Load 1 file$")).and_(
        page.locator(":enabled")).wait_for(timeout=240_000)
    page.get_by_role("button", name=re.compile(r"^Load 1 file$")).click()
    page.get_by_text("Every page now shows the new data").wait_for(timeout=240_000)
    wait_until_finished(page, timeout_s=240)
    body = page.inner_text("body")
    page.screenshot(path=str(SHOTS / "data-loaded.png"), full_page=True)
    assert "Loaded 1 row from 1 file as extract 2" in body
    assert not re.search(r"Traceback|has encountered an error", body)
