"""What the running server gives a client without the session (issue 24): no data at any /media
address, no usage figures at /_stcore/metrics, and headers that forbid other sites to frame it.

A browser opens the Incident records; every /media address it is shown or fetches is asked for
again by a plain HTTP client with no cookie; then the browser clicks the CSV download and the
plain client tries that file's address until it has gone. The app runs as users run it
(`streamlit run serve.py`, tests/live_app.py).

Needs Chromium (tests/live_app.py); skips without it, except under CI=true.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from analytics.store.store import Store
from tests.conftest import seed_tiny
from tests.live_app import require_browser, running_app, wait_until_finished
from ui.downloads import DOWNLOAD_EXPIRY_SECONDS

pytestmark = pytest.mark.browser
require_browser()
RECORDS = "/records?view=analyst&period=custom&from=2025-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app (local mode) on the tiny borough."""
    work = tmp_path_factory.mktemp("downloads")
    db = work / "app.duckdb"
    store = Store(db)
    seed_tiny(store)
    store.close()
    with running_app(db, work / "streamlit.log") as url:
        yield url


def is_media(url: str) -> bool:
    """A file Streamlit hands out at /media/ (not its own scripts and fonts under /static/)."""
    return urlparse(url).path.startswith("/media/")


def without_session(url: str) -> tuple[int, bytes]:
    """What a client with no cookie and no session gets from `url`."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, b""


def test_no_media_address_serves_data_without_the_session(app, browser):
    url = app
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    seen: set[str] = set()
    page.on("request", lambda r: seen.add(r.url) if is_media(r.url) else None)
    page.goto(url + RECORDS)
    wait_until_finished(page)
    assert "10 incidents" in page.inner_text("body")
    shown = page.eval_on_selector_all("[href*='/media/'], [src*='/media/']",
                                      "els => els.map(e => e.href || e.src)")
    assert [u for u in {*seen, *shown} if is_media(u) and without_session(u)[0] == 200] == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 11  # the browser that asked got the ten rows
    address = download.value.url
    assert is_media(address)
    context.close()

    deadline = time.monotonic() + 2 * DOWNLOAD_EXPIRY_SECONDS + 15
    while without_session(address)[0] == 200:
        assert time.monotonic() < deadline, f"{address} still served without a session"
        time.sleep(1)

    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.goto(url + "/audit?view=analyst")  # the grid is drawn on a canvas: read its CSV
    wait_until_finished(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    log = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert ",export,incident records (1 January 2025 to 31 December 2025" in log
    assert "(10 rows),done" in log
    page.close()


def test_every_response_forbids_framing_and_the_metrics_are_closed(app):
    from ui.headers import SECURITY_HEADERS

    for path in ("/", "/records", "/_stcore/health", "/_stcore/host-config"):
        with urllib.request.urlopen(app + path, timeout=10) as response:
            assert {k: response.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS, path
    assert without_session(app + "/_stcore/metrics")[0] == 404
    assert without_session(app + "/_stcore/metrics/")[0] == 404
