"""The Data page in a real browser: an analyst picks a file from disk, checks it and loads it.

Needs Chromium at /usr/bin/chromium (CHROMIUM_PATH overrides); without it this skips and says
why, except under CI=true, where it must run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analytics.store import Store
from tests.conftest import seed_tiny
from tests.ingest_helpers import incident, incidents_csv

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI must run the browser tests, but there is no Chromium at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's 'chromium' or set CHROMIUM_PATH)",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on a free loopback port over the tiny borough (marked as the demo extract)."""
    db = tmp_path_factory.mktemp("db") / "app.duckdb"
    store = Store(db)
    seed_tiny(store)
    with store.transaction() as cur:
        cur.execute("UPDATE extracts SET kind = 'demo' WHERE extract_id = 1")
    store.close()
    port = _free_port()
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "SAFEGUARDING_DB": str(db)}, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the app did not start within 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def wait_until_finished(page, timeout_s: float = 240) -> None:
    """Until the script has finished and no spinner or status is showing."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        busy = page.locator('[data-testid="stStatusWidget"], [data-testid="stSpinner"]').count()
        if state == "notRunning" and not busy:
            page.wait_for_timeout(1500)
            return
        page.wait_for_timeout(500)
    raise AssertionError("the page was still running after the timeout")


def test_an_analyst_uploads_a_file_from_disk_and_loads_it(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    upload = tmp_path / "march.csv"
    upload.write_bytes(incidents_csv(incident("N1", when="14/03/2025"),
                                     incident("N2", when="31/02/2025")))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        # The entry page first: until app.py has run once, Streamlit treats pages/ as old-style
        # pages and a deep link would skip the app's navigation.
        page.goto(app_url + "/?view=analyst")
        wait_until_finished(page)
        page.goto(app_url + "/data?view=analyst")
        dropzone = '[data-testid="stFileUploaderDropzoneInput"]'
        page.wait_for_selector(dropzone, state="attached", timeout=240_000)
        wait_until_finished(page)
        page.locator(dropzone).set_input_files(str(upload))
        page.get_by_text("Ready to load:").wait_for(timeout=240_000)
        wait_until_finished(page)
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
        wait_until_finished(page)
        body = page.inner_text("body")
        page.screenshot(path=str(SHOTS / "data-loaded.png"), full_page=True)
        browser.close()
    assert "Loaded 1 row from 1 file as extract 2" in body
    assert not re.search(r"Traceback|has encountered an error", body)
