"""The Data page in a real browser, as an analyst uses it: pick a file from disk, check it, load
it; and every real public file (../shared/realdata) loaded, chosen and rolled back through the
page, the database exactly as before each load.

Needs Chromium (tests/live_app.py); without it this skips and says why, except under CI=true,
where it must run. The real-file test skips, saying why, when ../shared is absent.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from analytics.demo import demo
from analytics.store.store import Store
from tests.ingest.test_ingest_realdata import REALDATA
from tests.ingest_helpers import fingerprint, incident, incidents_csv
from tests.live_app import SHOTS, require_browser, running_app, wait_until_finished

pytestmark = pytest.mark.browser
require_browser()
NAME = "Your name or initials (recorded with every load and rollback)"
DROPZONE = '[data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a free loopback port over a fresh database: the fictional demo borough, at
    its smallest (its wards make every real City of London row 'outside the area')."""
    work = tmp_path_factory.mktemp("data-app")
    store = Store(work / "app.duckdb")
    demo.generate(store, incidents=demo.MIN_INCIDENTS)
    store.close()
    with running_app(work / "app.duckdb", work / "streamlit.log") as url:
        yield url, work / "app.duckdb"


@pytest.fixture(scope="module")
def app_url(app):
    return app[0]


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


def database_now(db: Path, scratch: Path) -> dict[str, tuple[int, str]]:
    """Every data table's fingerprint, read from a copy of the app's database file and its
    write-ahead log (the running app holds the file's lock; the copy is taken while it is idle)."""
    copy = scratch / "copy.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", f"{copy}{suffix}")
    con = duckdb.connect(str(copy))
    try:
        return fingerprint(con)
    finally:
        con.close()


def settle(page) -> None:
    wait_until_finished(page, timeout_s=240, settle_ms=0, poll_ms=100)


REAL_FILES = sorted(p for p in REALDATA.rglob("*") if p.suffix in (".csv", ".geojson"))


@pytest.mark.realdata
@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no real data at {REALDATA} "
                    "(../shared/realdata beside the repository)")
def test_every_real_file_loads_is_chosen_and_rolls_back_through_the_page_leaving_the_data_as_before(
        app, browser, tmp_path):
    url, db = app
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(url + "/data?view=analyst")
    page.wait_for_selector(DROPZONE, state="attached", timeout=240_000)
    settle(page)
    page.get_by_label(NAME).fill("Real-file test")
    page.get_by_label(NAME).press("Enter")
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    before = database_now(db, tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in REAL_FILES:
        shoot = path.name == "2025-05-city-of-london-street.csv"  # the exact duplicates reported
        page.locator(DROPZONE).set_input_files(str(path))
        main.get_by_text("Ready to load:").wait_for(timeout=240_000)
        settle(page)
        if shoot:
            page.screenshot(path=str(SHOTS / "data-real-checked.png"))
        keep = main.get_by_text("Keep the demo apart")  # real boundaries beside the demo
        if keep.count():  # kept apart, the demo comes back when they are rolled back
            keep.click()
            settle(page)
        load = page.get_by_role("button", name=re.compile(r"^Load [01] files?$"))
        assert load.is_enabled(), f"{path.name} cannot be loaded: {main.inner_text()[:2000]}"
        load.click()
        main.get_by_text("Every page now shows the new data").wait_for(timeout=240_000)
        settle(page)
        if shoot:
            page.screenshot(path=str(SHOTS / "data-real-loaded.png"))
        loaded = re.search(r"as extract (\d+)\.", main.inner_text())
        assert loaded, f"{path.name}: no load notice"
        extract = loaded.group(1)
        assert page.get_by_role("combobox", name="Extract", exact=True).input_value() == (
            f"{extract}: {path.name}")  # the extract just loaded is chosen
        page.get_by_role("button", name=f"Roll back extract {extract}…").click()
        yes = page.get_by_role("button", name=f"Yes, roll back extract {extract}")
        yes.wait_for(timeout=240_000)
        settle(page)
        said = re.search(r"\? This (removes .+), and nothing else\.", main.inner_text())
        assert said, f"{path.name}: no confirmation"
        if shoot:
            page.screenshot(path=str(SHOTS / "data-real-confirm.png"))
        yes.click()
        main.get_by_text(f"Rolled back extract {extract}: removed").wait_for(timeout=240_000)
        settle(page)
        if shoot:
            page.screenshot(path=str(SHOTS / "data-real-rolled-back.png"))
        done = said.group(1).replace("removes", "removed").replace("puts back", "put back")
        assert f"Rolled back extract {extract}: {done}." in main.inner_text()
        assert not re.search(r"Traceback|has encountered an error", page.inner_text("body"))
        assert database_now(db, tmp_path) == before, f"{path.name} left the data changed"
        # (so the state after this rollback is the state before the next load)
