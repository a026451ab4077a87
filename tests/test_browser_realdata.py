"""A new user's first hour with real public data, in a real browser: on a fresh database (the
fictional demo), load the City of London's ward and LSOA boundaries, the IMD and 24 months of
police.uk street crime through the Data page, roll the demo back, then open every page in the
board, lead and analyst views: no exception, real figures, and the map over the City.

Kept cheap: one app start, every page opened once in each view, and screenshots of every page in
the board view and of those the other views add to (stop and search has its unit tests, in
tests/test_police_sources.py).

Needs Chromium (tests/live_app.py) and ../shared/realdata; skips, saying why, without either
(except that under CI=true a missing browser fails).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.ingest.test_ingest_realdata import IMD, LSOAS, POLICE, REALDATA, WARDS
from tests.live_app import SHOTS, require_browser, running_app, wait_until_finished
from tests.test_browser import errors_on, save_whole_page

pytestmark = [
    pytest.mark.browser, pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no real data at {REALDATA} "
                       "(../shared/realdata beside the repository)"),
]
require_browser()
CITY_WARDS = ("Aldersgate", "Aldgate", "Bassishaw", "Billingsgate", "Bishopsgate", "Bread Street",
              "Bridge", "Broad Street", "Candlewick", "Castle Baynard", "Cheap", "Coleman Street",
              "Cordwainer", "Cornhill", "Cripplegate", "Dowgate", "Farringdon Within",
              "Farringdon Without", "Langbourn", "Lime Street", "Portsoken", "Queenhithe",
              "Tower", "Vintry", "Walbrook")
# page's address -> words only real figures from the City's data put there (street crime is
# public and not about children, so its counts are exact in every view)
PAGES = {
    "": ("7,716", "Most affected wards: Bishopsgate"),
    "where-to-intervene": ("On or near", "priority"),
    "trends": ("Crimes a month",),
    "trends?section=Signals+worth+a+look": ("crime type and ward pair",),
    "places": ("Where crimes concentrate", "Hot and cold spots in words"),
    "places?section=When": ("police.uk publishes street crime by month only",),
    "overlap": ("Which crime types go together", "LSOA-months"),
    "peers": ("names no people",),
    "interventions": ("No interventions in the register",),
}
ANALYST_PAGES = {"data": ("Extract history",), "records": ("crimes",)}
# the pages a view adds to the board's (drill-downs; the records), screenshot in that view too
SHOWN = {"board": set(PAGES), "lead": {"where-to-intervene", "overlap", "interventions"},
         "analyst": set(ANALYST_PAGES)}
LOAD_TIMEOUT_MS = 600_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on a fresh database, as a new user first runs it: the demo borough."""
    work = tmp_path_factory.mktemp("realdata-app")
    with running_app(work / "app.duckdb", work / "streamlit.log") as url:
        yield url


def load(page, files: list[Path], *, keep_demo: bool = False) -> float:
    """Upload files on the Data page, load them as one batch; the seconds it took."""
    started = time.perf_counter()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [str(f) for f in files])
    page.get_by_text("Ready to load:").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_finished(page, timeout_s=600, settle_ms=500)
    if keep_demo:  # real boundaries beside the demo: keep it apart (rolled back below)
        page.get_by_text("Keep the demo apart").click()
        wait_until_finished(page, timeout_s=600, settle_ms=500)
    button = page.get_by_role("button", name=re.compile(rf"^Load {len(files)} files?$"))
    button.and_(page.locator(":enabled")).wait_for(timeout=LOAD_TIMEOUT_MS)
    button.click()
    page.get_by_text("Every page now shows the new data").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_finished(page, timeout_s=600, settle_ms=500)
    return time.perf_counter() - started


def open_page(page, url: str) -> float:
    """Open a page by its address, as a shared link does; the seconds until it finished."""
    started = time.perf_counter()
    page.goto(url)
    wait_until_finished(page, timeout_s=600, settle_ms=300)
    return time.perf_counter() - started


def test_a_new_user_loads_the_city_of_london_and_every_page_shows_it(app_url, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(app_url + "/?view=analyst")
    wait_until_finished(page, timeout_s=600)
    assert "Fictional demo data" in page.inner_text("body")
    open_page(page, app_url + "/data?view=analyst")
    name = page.get_by_label("Your name or initials (recorded with every load and rollback)")
    name.fill("AN")
    name.press("Enter")
    timings = {"boundaries": load(page, [WARDS, LSOAS], keep_demo=True)}
    body = page.inner_text("body")
    assert "kept off every page while your area's boundaries are in" in body
    timings["IMD and 24 police.uk files"] = load(page, [IMD, *sorted(POLICE.glob("*.csv"))])

    # Roll the demo back: its extract is the first one loaded.
    extract = page.get_by_role("combobox", name="Extract", exact=True)
    extract.click()
    extract.press_sequentially("Fictional demo")  # the list is long: type to find it, as a person does
    page.get_by_role("option", name=re.compile("Fictional demo borough")).click()
    wait_until_finished(page, settle_ms=500)
    page.get_by_role("button", name=re.compile(r"^Roll back extract 1")).click()
    wait_until_finished(page, settle_ms=500)
    page.get_by_role("button", name="Yes, roll back extract 1").click()
    page.get_by_text("Rolled back extract 1").wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_until_finished(page, settle_ms=500)
    assert "Fictional demo" not in page.inner_text("[data-testid='stMain']")

    for view in ("board", "lead", "analyst"):
        pages = {**PAGES, **(ANALYST_PAGES if view == "analyst" else {})}
        for path, figures in pages.items():
            name = (path or "overview").replace("?section=", "-")
            joint = "&" if "?" in path else "?"
            timings[f"{name} ({view})"] = open_page(page, f"{app_url}/{path}{joint}view={view}")
            body = page.inner_text("body")
            assert errors_on(page) == [], f"{name}, {view} view: {errors_on(page)}"
            assert "police.uk street crime" in body, f"{name}, {view} view: another source"
            for words in figures:
                assert words in body, f"{name}, {view} view: {words!r} missing"
            assert "Fictional demo" not in body
            if path == "places":
                assert_map_over_the_city(page)
            if path in SHOWN[view]:
                save_whole_page(page, SHOTS / f"realdata-{view}-{name}.png")
    print("\nSeconds, loads and pages (cold, then each view):",
          {k: round(v, 1) for k, v in timings.items()})


def assert_map_over_the_city(page) -> None:
    """The map is drawn, and pointing at its middle names a City ward or place with its crimes."""
    deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.scroll_into_view_if_needed()
    box = deck.bounding_box()
    for dx, dy in ((0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.4, 0.5), (0.6, 0.5)):
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        page.wait_for_timeout(400)
        tip = page.locator(".deck-tooltip")
        text = tip.inner_text() if tip.count() else ""
        if "Crimes" in text:
            break
    assert "Crimes" in text and (any(w in text for w in CITY_WARDS) or "On or near" in text), \
        f"the map's tooltip does not name a City ward or place: {text!r}"
