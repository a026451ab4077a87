"""Every page in a real browser: the app starts, each page finishes running with no exception box,
and a screenshot of each is saved for a person to look at.

Needs Chromium at /usr/bin/chromium (Debian's `chromium` package; CHROMIUM_PATH overrides).
Without it these tests skip with that reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]

pytestmark = pytest.mark.browser


def _browser_available() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (install Debian's 'chromium' or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


_why_not = _browser_available()
if _why_not and os.environ.get("CI") == "true":
    raise RuntimeError(f"CI must run the browser tests, but {_why_not}")
if _why_not:
    pytest.skip(_why_not, allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """Start `streamlit run app.py` on a free loopback port with a fresh database (the demo)."""
    port = _free_port()
    env = {**os.environ, "SAFEGUARDING_DB": str(tmp_path_factory.mktemp("db") / "app.duckdb")}
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_until_finished(page, timeout_s: float = 180) -> None:
    """Wait until the app's script has finished running and nothing is still loading."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        running = page.locator('[data-testid="stStatusWidget"]').count()
        skeletons = page.locator('[data-testid="stSkeleton"]').count()
        if state == "notRunning" and not running and not skeletons:
            page.wait_for_timeout(2500)  # let charts and maps paint
            return
        page.wait_for_timeout(500)
    raise AssertionError("the page was still running after the timeout")


def save_whole_page(page, path: Path, width: int = 1400, most: int = 9000) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main pane, so grow the window."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900")
    page.set_viewport_size({"width": width, "height": min(max(900, height + 40), most)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), timeout=120_000)
    page.set_viewport_size({"width": width, "height": 900})


def errors_on(page) -> list[str]:
    """Text of any exception box or error alert on the page."""
    boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]


def test_every_page_renders_without_an_exception(app_url, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(app_url)
    wait_until_finished(page)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    # With a single page Streamlit shows no navigation; the entry page is then the whole app.
    paths = [links.nth(i).get_attribute("href") for i in range(links.count())] or [app_url]
    for href in paths:
        page.goto(href if href.startswith("http") else app_url + "/" + href.lstrip("/"))
        wait_until_finished(page)
        name = href.removeprefix(app_url).strip("/") or "overview"
        save_whole_page(page, SHOTS / f"{name}.png")
        assert errors_on(page) == [], f"{href}: {errors_on(page)}"
        assert "Fictional demo data" in page.inner_text("body"), f"{href} lacks the demo banner"
    print(f"\nScreenshots of {len(paths)} pages saved in {SHOTS}")


def test_a_shared_link_reopens_the_same_filters(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{app_url}/?period=24m&risk=cse&risk=missing")
    wait_until_finished(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    # The chips of a multiselect can paint a moment after the script finishes.
    sidebar.get_by_text("Sexual exploitation").first.wait_for(timeout=30_000)
    sidebar.get_by_text("Going missing").first.wait_for(timeout=30_000)
    assert "The 24 months to" in page.inner_text('[data-testid="stMain"]')
    assert "risk=cse" in page.url and "period=24m" in page.url


def test_presenter_mode_reads_from_the_back_of_a_room_and_hands_back_the_filters(app_url,
                                                                                  browser):
    """A board meeting: 1280 x 720, the slides from the Present link of a filtered page, next and
    previous, no sidebar, large type; leaving returns to the dashboard with the same filters."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{app_url}/trends?period=24m&risk=cce")
    wait_until_finished(page)
    page.get_by_role("link", name="Present").click()
    wait_until_finished(page)
    assert "present=1" in page.url and "slide=1" in page.url and "risk=cce" in page.url
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or not page.locator(
        '[data-testid="stSidebar"]').is_visible()
    main = page.locator('[data-testid="stMain"]')
    titles = []
    for number in range(1, 7):
        title = main.locator("h1").first
        titles.append(title.inner_text())
        size = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 40, f"slide {number}: a {size}px title is too small for a room"
        assert f"Slide {number} of 6" in main.inner_text()
        page.screenshot(path=str(SHOTS / f"present-slide-{number}.png"))
        assert errors_on(page) == [], f"slide {number}: {errors_on(page)}"
        if number < 6:
            page.get_by_role("button", name="Next").click()
            wait_until_finished(page)
            assert f"slide={number + 1}" in page.url
    assert titles[0] == "Headline figures" and titles[-1] == "Places to act on first"
    page.get_by_role("button", name="Previous").click()
    wait_until_finished(page)
    assert "slide=5" in page.url
    page.get_by_role("button", name="Leave").click()
    wait_until_finished(page)
    assert "present=1" not in page.url and "risk=cce" in page.url
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Criminal exploitation").first.wait_for(timeout=30_000)
    print(f"\nPresenter screenshots (1280 x 720) saved in {SHOTS}")
