"""Every page as a person sees it: the real server (`streamlit run serve.py`) and Chromium.

    python -m bench.browser DB OUT [--pages Overview,Trends] [--no-warm-up]

For a database it measures, in one run:

- start-up: from starting the server to the first Overview drawn in the browser (already open,
  as a person's is);
- each page opened from the sidebar the first time (cold: nothing cached, unless the server's
  warm-up got there first), again once the server is quiet (warm: the page's analyses cached,
  the warm-up finished), and after two filter changes of the period, each never one the page
  showed before, so every analysis of the page is new: wider, to the last 24 months (the most
  work), then each other section of a page drawn in tabs, clicked once (new under that period
  too), and then narrower, to the last 6 or 3 months, on its first tab. (Until 5 December 2026
  a page had one change, to 24 months or to 6 in turn: so Places, always given 6, was never
  timed at 24. Before the 5th, every other page went back to the 12 months its cold and warm
  visits had drawn, so half of them were timed on cached analyses);
- for each: the wall time until Streamlit is idle and every chart and map is drawn, and until
  the browser settled; the server's CPU (every thread of its process: DuckDB's, the
  warm-up's), and the bytes the browser received over the websocket.

"Drawn" is the script finished, no spinner or skeleton left, every Plotly chart with its SVG
and every map with its canvas. "Settled" is drawn and then no task of 50 ms or more on the
browser's main thread for half a second, timed to the end of the last one: a map's first frame
comes after its canvas, and without a GPU it can hold the main thread for seconds.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.measure import ROOT

PAGES = ("Overview", "Where to intervene", "Trends", "Places", "Risk overlap", "Peer groups",
         "Interventions", "Incident records", "Audit log")
FLOOR_APP, FLOOR_PAGES = "bench/floor_app.py", ("Overview", "Places")  # python -m bench.browser --floor
MENU_LINK = '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'
WARM_UP_ENV = "SAFEGUARDING_WARM_UP"  # "0" turns the server's warm-up off (ui/warmup.py)
# Counts the runs the page has finished (the app's script state turning from running to
# notRunning), so a wait after a click never mistakes the page as it was for the page as it
# will be.
RUNS = """() => {
  window.__runsFinished = 0;
  new MutationObserver((records) => {
    // Every change of the app's script state, in order, from its old value: a run that starts
    // and ends between two calls of this observer is still two records, never missed.
    const states = records.filter(r => r.type === 'attributes').map(r => r.oldValue);
    const app = document.querySelector('[data-testid="stApp"]');
    states.push(app && app.getAttribute('data-test-script-state'));
    for (let k = 1; k < states.length; k++)
      if (states[k - 1] === 'running' && states[k] === 'notRunning') window.__runsFinished++;
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  // When the browser's main thread last finished a task of 50 ms or more (SETTLED).
  window.__lastLongTaskEnd = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__lastLongTaskEnd = Math.max(window.__lastLongTaskEnd, e.startTime + e.duration);
  }).observe({type: 'longtask', buffered: true});
}"""
# "Drawn" sees a map's canvas, not the map on it: deck.gl draws its first frame after the canvas
# exists, and on a machine without a GPU that frame can hold the main thread for seconds while
# the shaders are compiled. Settled is drawn, or the end of the last long task after it, once
# the main thread has had no long task for SETTLED_QUIET_MS.
SETTLED_QUIET_MS = 500
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"], '
                             + '[data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (!c.querySelector('.main-svg')) return false;
  for (const c of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
    if (!c.querySelector('canvas')) return false;
  const title = document.querySelector('h1');
  return title ? title.innerText.trim() : false;
}"""


@dataclass(frozen=True)
class Visit:
    """One page drawn: how long it took, the server's CPU, and what was sent to the browser."""

    page: str
    kind: str  # "cold", "warm", "filter change" or "after a change elsewhere"
    seconds: float  # until drawn (DRAWN)
    server_cpu_s: float
    bytes_received: int
    settled_seconds: float  # until the main thread had no long task left (SETTLED_QUIET_MS)


def server_cpu(pid: int) -> float:
    """User and system CPU seconds of a process so far, all its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Wire:
    """Counts the bytes the page's websocket receives."""

    def __init__(self, page) -> None:
        self.bytes = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self._count)

    def _count(self, payload) -> None:
        self.bytes += len(payload)


def wait_quiet(pid: int, *, idle_cpu_s: float = 0.05, window_s: float = 1.0,
               timeout_s: float = 120.0, cpu=server_cpu) -> float:
    """Wait until the server has used under `idle_cpu_s` of CPU over `window_s` (its warm-up of
    every page's default view has finished; other sections wait until people have been quiet
    for ui.warmup.SECTION_QUIET_SECONDS), at most `timeout_s`; return the seconds waited. The
    warm and filter-change rounds then time a render, not a render sharing two cores with the
    warm-up's."""
    started = time.perf_counter()
    before = cpu(pid)
    while time.perf_counter() - started < timeout_s:
        time.sleep(window_s)
        now = cpu(pid)
        if now - before < idle_cpu_s:
            break
        before = now
    return time.perf_counter() - started


def runs_finished(page) -> int:
    """How many runs the page has finished so far (RUNS)."""
    return page.evaluate("() => window.__runsFinished || 0")


def wait_drawn(page, title: str | None, runs_before: int, timeout_s: float = 300) -> None:
    """Until a run finished after the action and the page is drawn (its title `title`, when
    given)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if runs_finished(page) > runs_before:
            shown = page.evaluate(DRAWN)
            if shown and (title is None or shown == title):
                return
        page.wait_for_timeout(25)
    raise TimeoutError(f"{title or 'the page'} was not drawn within {timeout_s:.0f} s")


def settled_at(drawn_ms: float, last_long_task_end_ms: float) -> float:
    """When the page settled (performance.now() ms): drawn, or the end of a long task after."""
    return max(drawn_ms, last_long_task_end_ms)


def wait_settled(page, drawn_ms: float, timeout_s: float = 60) -> float:
    """Until the main thread has had no long task for SETTLED_QUIET_MS after the page was
    drawn; return when it settled (`settled_at`, performance.now() ms)."""
    deadline = time.perf_counter() + timeout_s
    while True:
        now, last = page.evaluate("() => [performance.now(), window.__lastLongTaskEnd || 0]")
        at = settled_at(drawn_ms, last)
        if now - at >= SETTLED_QUIET_MS or time.perf_counter() > deadline:
            return at
        page.wait_for_timeout(50)


def visit(page, wire: Wire, pid: int, name: str, kind: str, action) -> Visit:
    """Do `action` (a click) and time it until `name` is drawn, and until it settled."""
    cpu, received, runs = server_cpu(pid), wire.bytes, runs_finished(page)
    # A first visit (goto) starts a new document, whose clock starts at 0 at its navigation.
    begun_ms = page.evaluate("() => performance.now()") if page.url.startswith("http") else 0.0
    started = time.perf_counter()
    action()
    wait_drawn(page, name, runs)
    seconds = time.perf_counter() - started
    settled = (wait_settled(page, page.evaluate("() => performance.now()")) - begun_ms) / 1000
    page.wait_for_timeout(300)  # the last deltas of the run (and its CPU) arrive
    return Visit(name, kind, seconds, server_cpu(pid) - cpu, wire.bytes - received,
                 max(seconds, settled))


def period_option(page, label: str):
    """Open the sidebar's Period box, as a person would, and return its option `label` to click.
    A filter change is timed from that click: opening the box (0.04 to 0.14 s, its list drawn
    and Playwright's checks) was inside the timings until 5 December 2026."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Period")
    box.click()
    option = page.get_by_role("option", name=label)
    option.wait_for()
    return option


def change_period(page, label: str) -> None:
    """Choose a period in the sidebar's Period box, as a person would."""
    period_option(page, label).click()


# Each page's two filter changes: wider, to the most the sidebar offers, then narrower, to
# whichever of the last 6 or 3 months it did not arrive at (the last page left it at one of
# them). Neither is a period the page showed before (the default 12 months, or the one it
# arrived at), so every analysis it draws is new to the page.
WIDER, NARROWER = "Last 24 months", ("Last 6 months", "Last 3 months")
DEFAULT_PERIOD = "Last 12 months"


def changes(arrived_at: str) -> tuple[str, str]:
    """A page's wider and narrower filter change, after arriving at the period `arrived_at`."""
    return WIDER, next(p for p in NARROWER if p != arrived_at)


def measure(db: Path, pages: tuple[str, ...] = PAGES, warm_up: bool = True,
            port: int | None = None, root: Path = ROOT, script: str = "serve.py") -> dict:
    """Start the server on `db` (the app in `root`: another checkout, to compare; `script`: the
    floor app instead of ours), open every page cold, warm and after a filter change."""
    from playwright.sync_api import sync_playwright

    from tests.live_app import (
        CHROMIUM,
        CHROMIUM_ARGS,
        free_port,
        open_tab,
        open_tab_name,
        other_tabs,
    )

    port = port or free_port()
    env = {**os.environ, "SAFEGUARDING_DB": str(db), WARM_UP_ENV: "1" if warm_up else "0"}
    log = open(Path(db).with_suffix(".server.log"), "w")
    url = f"http://127.0.0.1:{port}"
    visits: list[Visit] = []
    with sync_playwright() as p:
        # The browser is open before the server starts, as a person's is: launching Chromium
        # is no part of the dashboard's start-up (until 5 December 2026 it was, 1.1 to 1.3 s of
        # it on 2 cores, beside the server starting).
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        wire = Wire(page)
        page.add_init_script(f"({RUNS})()")
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(root / script), "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, server)
            first = visit(page, wire, server.pid, "Overview", "cold", lambda: page.goto(url))
            startup_s = time.perf_counter() - started
            visits.append(first)
            links = page.locator(MENU_LINK)
            shown = [name for name in pages if links.filter(has_text=name).count()]

            def go(name: str, kind: str) -> None:
                visits.append(visit(page, wire, server.pid, name, kind,
                                    lambda: links.filter(has_text=name).first.click()))

            for name in shown[1:] if shown[:1] == ["Overview"] else shown:
                go(name, "cold")
            quiet_s = wait_quiet(server.pid)
            for name in shown:
                go(name, "warm")
            period = DEFAULT_PERIOD
            for name in shown:
                # Opened again, but the last page's change of period makes this visit new too:
                # kept in the JSON, never reported as warm.
                go(name, "after a change elsewhere")
                wider, narrower = changes(period)
                visits.append(visit(page, wire, server.pid, name, "filter change",
                                    period_option(page, wider).click))
                first, sections = open_tab_name(page), other_tabs(page)
                for section in sections:  # new too: the period just changed
                    visits.append(visit(page, wire, server.pid, name, f"section: {section}",
                                        lambda section=section: open_tab(page, section).click()))
                if sections:  # back to the first tab, its analyses cached: not reported
                    visits.append(visit(page, wire, server.pid, name, "back to the first tab",
                                        lambda first=first: open_tab(page, first).click()))
                visits.append(visit(page, wire, server.pid, name, "narrower filter",
                                    period_option(page, narrower).click))
                period = narrower
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        browser.close()
    return {"startup_to_first_overview_s": startup_s, "warm_up": warm_up,
            "waited_for_quiet_s": quiet_s, "visits": [asdict(v) for v in visits]}


def _wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting; see its log")
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the server did not answer within {timeout_s:.0f} s")


def table(result: dict) -> str:
    """The visits as a Markdown table, one row a page: seconds drawn (settled), server CPU and
    kB, by kind (a run measured before `settled_seconds` existed shows its drawn seconds)."""
    kinds = ("cold", "warm", "filter change")
    if any(v["kind"] == "narrower filter" for v in result["visits"]):  # since 5 December
        kinds += ("narrower filter",)
    by = {(v["page"], v["kind"]): v for v in result["visits"]}
    head = ["Page", *(f"{k}: s (settled), CPU s, kB" for k in kinds)]
    rows = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
    for page in dict.fromkeys(v["page"] for v in result["visits"]):
        cells = []
        for kind in kinds:
            v = by.get((page, kind))
            cells.append("–" if v is None else
                         f"{v['seconds']:.2f} ({v.get('settled_seconds', v['seconds']):.2f}), "
                         f"{v['server_cpu_s']:.2f}, "
                         f"{v['bytes_received'] / 1000:,.0f}")
        rows.append(f"| {page} | {' | '.join(cells)} |")
    sections = [v for v in result["visits"] if v["kind"].startswith("section: ")]
    if sections:
        rows.append("\nOther sections of a page, each opened once after its filter change (so "
                    "its analyses were new too): " + "; ".join(
                        f"{v['page']}, {v['kind'].removeprefix('section: ')} {v['seconds']:.2f} s "
                        f"({v.get('settled_seconds', v['seconds']):.2f}), "
                        f"{v['server_cpu_s']:.2f} s CPU, {v['bytes_received'] / 1000:,.0f} kB"
                        for v in sections) + ".")
    rows.append(f"\nStart-up to the first Overview drawn: "
                f"{result['startup_to_first_overview_s']:.1f} s (warm-up "
                f"{'on' if result['warm_up'] else 'off'}).")
    if result.get("waited_for_quiet_s") is not None:
        rows.append(f"Warm visits began once the server was quiet, "
                    f"{result['waited_for_quiet_s']:.0f} s after the last cold one.")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="ours: the database to serve; --floor: a log path")
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--no-warm-up", action="store_true")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout of the app to serve (default: this one)")
    parser.add_argument("--floor", action="store_true",
                        help="serve bench/floor_app.py, the least a Streamlit dashboard can be")
    args = parser.parse_args(argv)
    if args.floor:
        result = measure(args.db, FLOOR_PAGES, warm_up=False, script=FLOOR_APP)
    else:
        result = measure(args.db, tuple(args.pages.split(",")), warm_up=not args.no_warm_up,
                         root=args.root.resolve())
    args.out.write_text(json.dumps(result, indent=1))
    print(table(result))


if __name__ == "__main__":
    main()
