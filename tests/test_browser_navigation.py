"""Filters and view survive every way of moving, clicked like a person in a real browser: the
sidebar's page menu, the browser's back and forward buttons, a link inside a page, a rerun and a
reload; and Clear filters goes back to the defaults in one click.

After every click the address and the sidebar's widgets are checked together. One app (over the
tiny borough) serves the module. Needs Chromium (tests/live_app.py); without it this skips and
says why, except under CI=true, where it must run.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import tiny_database
from tests.live_app import (
    MENU_LINK,
    SHOTS,
    click_and_wait,
    open_entry_page,
    require_browser,
    running_app,
    wait_for_rerun,
    wait_until_finished,
    watch_for_rerun,
)

pytestmark = pytest.mark.browser
require_browser()

MULTI = {"ward": "Wards", "risk": "Risk types", "context": "Context types", "agency": "Agencies"}
PERIODS = {None: "Last 12 months", "6m": "Last 6 months", "24m": "Last 24 months",
           "custom": "Chosen dates"}
VIEWS = {None: "Board", "lead": "Lead", "analyst": "Analyst"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, browser):
    """The app on a free loopback port over the tiny borough (three wards, twelve incidents)."""
    work = tmp_path_factory.mktemp("navigation-app")
    with running_app(tiny_database(work / "app.duckdb"), work / "streamlit.log") as url:
        open_entry_page(browser, url)
        yield url


@pytest.fixture
def page(browser, app_url):
    """A new browser tab (a new session), closed after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.app_url = app_url
    yield tab
    context.close()


def settle(page) -> None:
    wait_until_finished(page, timeout_s=120)


def eventually(page, check: Callable[[], bool], what: str, tries: int = 300) -> None:
    """Wait for `check()` to hold (a click's rerun starts a moment after the click), letting
    the browser's events through meanwhile (a plain sleep would hold them back)."""
    for _ in range(tries):
        if check():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def open_at(page, address: str) -> None:
    page.goto(page.app_url + address)
    settle(page)


def click_menu(page, title: str) -> None:
    click_and_wait(page, page.locator(MENU_LINK, has_text=title), timeout_s=120)


def choose(page, label: str, option: str) -> None:
    """Pick an option in a sidebar selectbox or multiselect, as a person does, once the page
    the last click opened has finished drawing. On a busy machine Chromium now and then drops
    the click on an option: the widget shows nothing chosen and no message leaves the browser
    (seen by recording the websocket). A person would see that and click again; so does this."""
    wait_until_finished(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    combo = sidebar.get_by_role("combobox", name=label)
    wanted = page.get_by_role("option", name=option, exact=True)
    watch_for_rerun(page)
    for _ in range(3):
        if _shows(page, label, option, wait_ms=0):  # the last click was taken after all
            break
        combo.scroll_into_view_if_needed()
        combo.click()
        try:
            wanted.wait_for(timeout=5000)
        except Exception:  # the list did not open on the click (the sidebar scrolled under it):
            combo.press("ArrowDown")  # open it from the keyboard, as a person would next
        wanted.click()
        page.keyboard.press("Escape")
        if _shows(page, label, option, wait_ms=5000):
            break
    wait_for_rerun(page, timeout_s=120)


def _shows(page, label: str, option: str, wait_ms: int) -> bool:
    """Whether the widget shows `option` chosen within `wait_ms` (the browser draws a choice at
    once, before the app's rerun)."""
    key = next((k for k, v in MULTI.items() if v == label), None)
    for _ in range(wait_ms // 100 + 1):
        if (option in shown(page)[key]) if key else (
                page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label)
                .input_value() == option):
            return True
        page.wait_for_timeout(100)
    return False


def through_history(page, move: Callable[[], object]) -> None:
    """The browser's back or forward button, then the rerun it starts."""
    watch_for_rerun(page)
    move()
    wait_for_rerun(page, timeout_s=120)


def pick_view(page, view: str) -> None:
    click_and_wait(page, page.locator('[data-testid="stSidebar"] label', has_text=view),
                   timeout_s=120)


def address(page) -> tuple[str, dict[str, list[str]]]:
    """The page's path and query, as the address bar shows them."""
    parts = urlsplit(page.evaluate("location.href"))
    return parts.path, parse_qs(parts.query)


def shown(page) -> dict[str, object]:
    """What the sidebar shows: the period, the chips of each multiselect, the view chosen."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    out: dict[str, object] = {"period": sidebar.get_by_role("combobox", name="Period")
                              .input_value()}
    for key, label in MULTI.items():
        box = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
        chips = box.locator('[data-testid="stMultiSelectTagsContainer"] span[data-tag]')
        out[key] = sorted(chips.nth(i).get_attribute("aria-label")
                          for i in range(chips.count()))
    out["view"] = next(v for v in VIEWS.values()
                       if sidebar.get_by_role("radio", name=v).is_checked())
    return out


def expect(page, path: str, query: dict[str, list[str]], widgets: dict[str, object]) -> None:
    """The address becomes exactly `path?query`, and then the widgets show exactly `widgets`
    (labels), the defaults elsewhere."""
    try:
        eventually(page, lambda: address(page) == (path, query), f"the address {path}?{query}")
    except AssertionError:
        raise AssertionError(f"the address is {address(page)}") from None
    settle(page)
    want = {"period": PERIODS[None], **{k: [] for k in MULTI}, "view": VIEWS[None], **widgets}
    assert shown(page) == want


def test_the_reported_case_a_sidebar_click_keeps_the_period_and_the_view(page):
    open_at(page, "/?view=lead&period=24m")
    click_menu(page, "Trends")
    expect(page, "/trends", {"period": ["24m"], "view": ["lead"]},
           {"period": "Last 24 months", "view": "Lead"})
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Trends"


# Each step: choose one filter or view in the sidebar, then click another page in the menu.
STEPS = [
    (("Period", "Last 6 months"), "Trends", "/trends", {"period": ["6m"]},
     {"period": "Last 6 months"}),
    (("Wards", "Birch"), "Places", "/places", {"ward": ["W2"]}, {"ward": ["Birch"]}),
    (("Risk types", "Going missing"), "Risk overlap", "/overlap", {"risk": ["missing"]},
     {"risk": ["Going missing"]}),
    (("Context types", "Park or open space"), "Peer groups", "/peers", {"context": ["park"]},
     {"context": ["Park or open space"]}),
    (("Agencies", "Police"), "Interventions", "/interventions", {"agency": ["police"]},
     {"agency": ["Police"]}),
    (("View", "Lead"), "Where to intervene", "/where-to-intervene", {"view": ["lead"]},
     {"view": "Lead"}),
    (("View", "Analyst"), "Data", "/data", {"view": ["analyst"]}, {"view": "Analyst"}),
    (("View", "Board"), "Overview", "/", {}, {"view": "Board"}),
]


def test_each_filter_and_view_chosen_in_the_sidebar_survives_every_later_click(page):
    open_at(page, "/")
    expect(page, "/", {}, {})
    query: dict[str, list[str]] = {}
    widgets: dict[str, object] = {}
    for (label, option), title, path, adds, looks in STEPS:
        if label == "View":
            pick_view(page, option)
            query.pop("view", None)
        else:
            choose(page, label, option)
        query.update(adds)
        widgets.update(looks)
        expect(page, address(page)[0], query, widgets)  # the choice itself is in the address
        click_menu(page, title)
        expect(page, path, query, widgets)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == title
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "navigation-every-filter.png"))


def test_back_and_forward_reopen_each_page_as_it_was_and_undo_a_filter_change(page):
    open_at(page, "/?period=24m&risk=cse&view=lead")
    click_menu(page, "Trends")
    click_menu(page, "Places")
    choose(page, "Wards", "Alder")
    everything = {"period": ["24m"], "risk": ["cse"], "view": ["lead"]}
    looks = {"period": "Last 24 months", "risk": ["Sexual exploitation"], "view": "Lead"}
    expect(page, "/places", {**everything, "ward": ["W1"]}, {**looks, "ward": ["Alder"]})
    through_history(page, page.go_back)  # undoes the ward, as the address before it said
    expect(page, "/places", everything, looks)
    through_history(page, page.go_back)
    expect(page, "/trends", everything, looks)
    through_history(page, page.go_back)
    expect(page, "/", everything, looks)
    through_history(page, page.go_forward)
    expect(page, "/trends", everything, looks)


def test_a_link_inside_a_page_a_rerun_and_a_reload_keep_the_selection(page):
    open_at(page, "/?period=24m&agency=police&view=analyst")
    everything = {"period": ["24m"], "agency": ["police"], "view": ["analyst"]}
    looks = {"period": "Last 24 months", "agency": ["Police"], "view": "Analyst"}
    click_and_wait(page, page.get_by_role("link", name="Every signal on the Trends page"))
    signals = {**everything, "section": ["Signals worth a look"]}  # the link opens that tab
    expect(page, "/trends", signals, looks)
    click_and_wait(page, page.locator('[data-testid="stMain"] label', has_text="week"))  # a rerun
    expect(page, "/trends", {**signals, "each": ["week"]}, looks)
    page.reload()  # a new session, from the address alone
    settle(page)
    expect(page, "/trends", {**signals, "each": ["week"]}, looks)


def test_chosen_dates_survive_a_click_and_clear_filters_keeps_only_the_view(page):
    open_at(page, "/trends?period=custom&from=2025-01-01&to=2025-06-30&ward=W3&view=lead")
    dates = {"period": ["custom"], "from": ["2025-01-01"], "to": ["2025-06-30"]}
    click_menu(page, "Places")
    expect(page, "/places", {**dates, "ward": ["W3"], "view": ["lead"]},
           {"period": "Chosen dates", "ward": ["Cedar"], "view": "Lead"})
    dates = page.locator('[data-testid="stSidebar"] [data-testid="stDateInputField"]')
    assert "".join(dates.inner_text().split()) == "01/01/2025–30/06/2025"
    clear = page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Clear filters")
    click_and_wait(page, clear)
    expect(page, "/places", {"view": ["lead"]}, {"view": "Lead"})
    assert clear.is_disabled()  # nothing left to clear
    click_menu(page, "Overview")
    expect(page, "/", {"view": ["lead"]}, {"view": "Lead"})


def test_a_section_of_a_long_page_is_a_tab_kept_in_the_address(page):
    open_at(page, "/places?period=24m&view=lead")
    everything = {"period": ["24m"], "view": ["lead"]}
    looks = {"period": "Last 24 months", "view": "Lead"}
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("heading", name="Where harm concentrates").count() == 1
    click_and_wait(page, main.get_by_role("tab", name="When"), timeout_s=120)
    expect(page, "/places", {**everything, "section": ["When"]}, looks)
    assert main.get_by_role("heading", name="When harm happens").count() == 1
    assert main.get_by_role("heading", name="Where harm concentrates").count() == 0  # not sent
    page.reload()  # a shared link opens on the same tab
    settle(page)
    expect(page, "/places", {**everything, "section": ["When"]}, looks)
    assert main.get_by_role("heading", name="When harm happens").count() == 1
    click_menu(page, "Trends")  # the tab is the page's own: another page's address leaves it out
    expect(page, "/trends", everything, looks)
    through_history(page, page.go_back)  # and back is back on that tab
    expect(page, "/places", {**everything, "section": ["When"]}, looks)
    assert main.get_by_role("heading", name="When harm happens").count() == 1
