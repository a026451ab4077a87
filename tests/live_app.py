"""The running app and Chromium, shared by the browser tests.

Needs Chromium at /usr/bin/chromium (Debian's `chromium` package; CHROMIUM_PATH overrides) and
the playwright package. Without them a browser test module skips with that reason, except under
CI=true, where the tests must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))
# A link in the sidebar's page menu (ui.navigation draws it with st.page_link).
MENU_LINK = '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'
TAB = '[data-testid="stMain"] [role="tab"]'  # a long page's sections (ui.components.sections)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (install Debian's 'chromium' or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


def require_browser() -> None:
    """Skip the calling test module without a browser; under CI=true, fail instead."""
    why = why_no_browser()
    if why and os.environ.get("CI") == "true":
        raise RuntimeError(f"CI must run the browser tests, but {why}")
    if why:
        pytest.skip(why, allow_module_level=True)


def free_port() -> int:
    """A TCP port nobody is listening on, on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(db: Path, log: Path, *, port: int | None = None, host: str = "127.0.0.1",
                args: tuple[str, ...] = (), env: dict[str, str] | None = None,
                start_timeout_s: float = 120, root: Path = ROOT) -> Iterator[str]:
    """`streamlit run serve.py` (app.py with its security headers; app.py where `root` has no
    serve.py) over the database at `db`; yields its address, stops it after."""
    port = port or free_port()
    # The server's background warm-up (ui/warmup.py) is off unless a test asks for it: it
    # re-runs every page after each load, which on a 2-core CI machine doubles a test's wait.
    environment = {"SAFEGUARDING_WARM_UP": "0", **os.environ, **(env or {}),
                   "SAFEGUARDING_DB": str(db)}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run",
             str(root / "serve.py" if (root / "serve.py").exists() else root / "app.py"),
             "--server.port", str(port), "--server.address", host,
             "--server.headless", "true", *args],
            cwd=root, env=environment, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://{host}:{port}"
        try:
            deadline = time.time() + start_timeout_s
            while time.time() < deadline:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail(f"the app did not start within {start_timeout_s:.0f} s; see {log}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium() -> Iterator:
    """Headless Chromium through Playwright, closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Every chart, map and table in sight has drawn itself: Plotly its SVG, deck.gl and the data grid
# their canvas (the script finishing is not enough: they paint a moment after). Those in a closed
# expander or another tab draw when opened.
PAINTED = """() => [
  ['stPlotlyChart', 'svg.main-svg'], ['stDeckGlJsonChart', 'canvas'], ['stDataFrame', 'canvas'],
].every(([id, drawn]) => [...document.querySelectorAll(`[data-testid=${id}]`)].every(
  el => !el.checkVisibility() || el.querySelector(drawn)))"""
# Two animation frames: whatever the last paint started is on the screen.
NEXT_FRAMES = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
  () => done(true))))"""


def wait_until_painted(page, timeout_s: float = 60) -> None:
    """Wait until every chart, map and table on the page has drawn itself."""
    page.wait_for_function(PAINTED, timeout=timeout_s * 1000)
    page.evaluate(NEXT_FRAMES)


def wait_until_finished(page, timeout_s: float = 180, settle_ms: int = 0,
                        poll_ms: int = 100) -> None:
    """Wait until the app's script has finished, nothing is still loading or spinning, and every
    chart, map and table has drawn itself (then `settle_ms` more, where a test asks)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    busy = '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stSkeleton"]'
    # Before the first run the app is "notRunning" too, with nothing drawn: wait for an element.
    drawn = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        if state == "notRunning" and not page.locator(busy).count() and page.locator(
                drawn).count():
            wait_until_painted(page, max(1.0, deadline - time.time()))
            if settle_ms:
                page.wait_for_timeout(settle_ms)
            return
        page.wait_for_timeout(poll_ms)
    raise AssertionError("the page was still running after the timeout")


# Notes in the page whether the app's script state changes from now on (it is notRunning when
# this is called): a click's rerun starts a moment after the click, and may finish between two
# looks, so the change itself is what is watched.
WATCH_RUN = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  window.__rerun = false;
  new MutationObserver((_, seen) => { window.__rerun = true; seen.disconnect(); }).observe(
    app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def watch_for_rerun(page) -> None:
    """From now on, note whether the app reruns (call when it has finished, before the action)."""
    page.evaluate(WATCH_RUN)


def wait_for_rerun(page, *, timeout_s: float = 180, settle_ms: int = 0,
                   start_timeout_ms: int = 3000) -> None:
    """Wait for the rerun noted since watch_for_rerun to finish (not the run before it). An
    action that starts no rerun (an option already chosen) waits `start_timeout_ms` for one."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("() => window.__rerun", timeout=start_timeout_ms, polling=50)
    except PlaywrightTimeout:
        pass  # no rerun: nothing changed
    wait_until_finished(page, timeout_s=timeout_s, settle_ms=settle_ms)


def other_tabs(page) -> list[str]:
    """The names of the page's sections other than the open one (none on a page without)."""
    tabs = page.locator(TAB)
    return [tabs.nth(k).inner_text().strip() for k in range(tabs.count())
            if tabs.nth(k).get_attribute("aria-selected") != "true"]


def open_tab_name(page) -> str | None:
    """The name of the page's open section (None on a page without sections)."""
    chosen = page.locator(f'{TAB}[aria-selected="true"]')
    return chosen.first.inner_text().strip() if chosen.count() else None


def open_tab(page, name: str):
    """The tab of a section, to click as a person would."""
    return page.locator(TAB).filter(has_text=name).first


def click_and_wait(page, target, *, timeout_s: float = 180) -> None:
    """Click, then wait for the rerun the click starts to finish."""
    wait_until_finished(page, timeout_s=timeout_s)
    watch_for_rerun(page)
    target.click()
    wait_for_rerun(page, timeout_s=timeout_s)


def open_entry_page(browser, url: str) -> None:
    """Run the app's first session at its entry page. A fresh server's first run goes through
    Streamlit's old pages-folder mode (a `pages/` folder sits beside app.py), where a deep link
    to a page of ours answers 'Page not found' in a modal; from the second session on, every
    address resolves through st.navigation."""
    page = browser.new_page()
    page.goto(url)
    wait_until_finished(page, settle_ms=0)
    page.close()
