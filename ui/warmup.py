"""Warm the default view of every page in the background, so the first person after a start or a
load does not wait for it: `serve.py` runs `lifespan` with the server.

At start-up, and again whenever the data version changes (a load or a rollback, polled every
POLL_SECONDS), a session of the server's own (no browser: its messages go nowhere) opens each
page in turn, exactly as a person's first visit would: the same sidebar defaults, view, widgets
and ui.state.compute cache keys, the same store and one cursor per query. So every analysis of
every page's default view, and every module it imports, is ready before anyone asks.

Pages drawn in sections (tabs: only the open one runs) have each other section opened too, after
every page's default view, each in a session of its own (ui.page_table.SECTIONS).

It makes way for people: the Overview is warmed first (a person arriving at start-up waits for
the same analyses, computed once), and before each later page it waits, up to YIELD_SECONDS,
until no person's session is running its page, so warming never competes with someone waiting
for a page on the server's few cores; before each other section, until no person's page has
run for SECTION_QUIET_SECONDS, so it never competes with their browser drawing it either.

It warms what local mode shows (the board view, the sidebar's default). Where sign-in is
configured, the warming session is not signed in and stops at the sign-in page: nothing is
computed for it, and nothing is written to the audit log. SAFEGUARDING_WARM_UP=0 turns it off
(the benchmark's cold timings, tests that count what runs).

After each warm-up it sets every object then alive aside from the garbage collector
(`set_aside`), so the full collection Streamlit runs after every script run no longer walks the
libraries and the warmed analyses, 0.15 s or more of every render at a million incidents.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSessionState

from ui import page_table

ENV = "SAFEGUARDING_WARM_UP"
POLL_SECONDS = 5.0
PAGE_TIMEOUT_SECONDS = 600.0
YIELD_SECONDS = 60.0  # at most this long waiting for people's pages before warming the next
YIELD_POLL_SECONDS = 0.05
# Other sections wait until people's pages have been quiet this long, not only finished: their
# browsers are still drawing what the run sent (a map's first frame, without a GPU, for a second
# or more), and their next click comes soon. Warmed beside that drawing, on the same two cores,
# a first visit to Trends or Places took 1.5 to 3.5 s instead of 0.8 to 1.0 (5 December 2026).
SECTION_QUIET_SECONDS = 3.0
# The page groups a board member opens (pages closed to the board view are not run).
GROUPS = ("For the board", "Explore")
_LOG = logging.getLogger(__name__)


def pages() -> tuple[str, ...]:
    """The url path of each page to warm ("" is the default page, the Overview). Imported
    here, not with the module: ui.navigation brings in ui.state, whose caches must be made
    once Streamlit's runtime is running (serve.py imports this module before)."""
    return tuple(_listed())


def sections(pages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The other sections of those of `pages` drawn in tabs: each as its page's url path and
    the query that opens it, as a shared link would."""
    return tuple((url, urlencode({page_table.SECTION_PARAM: name}))
                 for url, script in _listed().items() if url in pages
                 for name in page_table.SECTIONS.get(script, ())[1:])


def _listed() -> dict[str, str]:
    """The pages to warm, in order: url path ("" for the default page) -> script."""
    specs = [spec for group in GROUPS for spec in page_table.PAGES[group]]
    return {("" if k == 0 else url or script.rpartition("/")[2].removesuffix(".py")): script
            for k, (script, _, _, url) in enumerate(specs)}


def enabled() -> bool:
    """Whether to warm at all (SAFEGUARDING_WARM_UP is not "0")."""
    return os.environ.get(ENV, "1").strip() != "0"


class _Quiet:
    """A session client that keeps nothing but whether the current run has finished."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.finished = asyncio.Event()

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") == "script_finished":
            self.loop.call_soon_threadsafe(self.finished.set)

    @property
    def client_context(self) -> None:
        return None


def people_running(runtime: Runtime, own: str) -> bool:
    """Whether any session but the warm-up's own (`own`) is running its page now. Streamlit
    has no public list of sessions: this reads the runtime's session manager, and says no if
    that ever changes (the warm-up then simply does not wait)."""
    try:
        sessions = runtime._session_mgr.list_active_sessions()
        return any(info.session.id != own
                   and info.session._state == AppSessionState.APP_IS_RUNNING
                   for info in sessions)
    except AttributeError:
        return False


def people_runs(runtime: Runtime, own: str) -> int:
    """How many runs people's sessions (all but `own`) have finished between them (the
    runtime counts each session's), or 0 if the session manager cannot be read."""
    try:
        return sum(info.script_run_count for info in runtime._session_mgr.list_active_sessions()
                   if info.session.id != own)
    except AttributeError:
        return 0


class _Watch:
    """When the warm-up last saw a person's page at work: running, or with runs finished since
    its last look (a run can start and end while the warm-up is busy with a page)."""

    def __init__(self) -> None:
        self.runs: int | None = None
        self.busy_at = -float("inf")

    def idle_for(self, runtime: Runtime, own: str) -> float:
        """Look now: seconds since a person's page was last seen at work (0 while one runs)."""
        now, runs = time.perf_counter(), people_runs(runtime, own)
        if people_running(runtime, own) or (self.runs is not None and runs != self.runs):
            self.busy_at = now
        self.runs = runs
        return now - self.busy_at


async def make_way(runtime: Runtime, own: str, quiet_s: float = 0.0,
                   watch: _Watch | None = None) -> None:
    """Wait, at most YIELD_SECONDS, until no person's page is running and none has been seen at
    work for more than `quiet_s` seconds (by `watch`, which remembers across calls)."""
    watch = watch or _Watch()
    deadline = time.perf_counter() + YIELD_SECONDS
    while watch.idle_for(runtime, own) <= quiet_s and time.perf_counter() < deadline:
        await asyncio.sleep(YIELD_POLL_SECONDS)


async def warm_pages(runtime: Runtime, pages: tuple[str, ...],
                     other_sections: tuple[tuple[str, str], ...] = (),
                     watch: _Watch | None = None) -> None:
    """Open each page (its url path; "" is the Overview) in one fresh session, one after the
    other, then each of `other_sections` (a page and its query) in a fresh session of its own,
    as a shared link opens it (a section is read from the address only when a session first
    draws the page). Wait for each run to finish; before each page after the first, for
    people's pages to finish; before each section, for them to be quiet (`make_way`)."""
    started, watch = time.perf_counter(), watch or _Watch()
    views = [[(page, "") for page in pages]] if pages else []
    views += [[view] for view in other_sections]
    for k, in_one_session in enumerate(views):
        client = _Quiet()
        session = runtime.connect_session(client=client, user_info={})
        try:
            for n, (page, query) in enumerate(in_one_session):
                if k or n:
                    await make_way(runtime, session, SECTION_QUIET_SECONDS if query else 0,
                                   watch)
                client.finished.clear()
                msg = BackMsg()
                msg.rerun_script.query_string = query
                msg.rerun_script.page_name = page
                runtime.handle_backmsg(session, msg)
                await asyncio.wait_for(client.finished.wait(), PAGE_TIMEOUT_SECONDS)
        finally:
            runtime.close_session(session)
    _LOG.info("Warmed %d pages and %d other sections in %.1f s.", len(pages),
              len(other_sections), time.perf_counter() - started)


def data_version() -> int:
    """The store's data version (ui.state.store: the process's one store)."""
    from ui import state

    return state.store().data_version()


def set_aside() -> None:
    """Collect once, then set every object alive now aside from later collections (gc.freeze).

    Streamlit collects all garbage after every run (runner.postScriptGC), walking every object
    the process holds: the 210,000 of the imported libraries, and the warmed analyses. That is
    0.15 to 0.75 s of a 2-core server's CPU per render at a million incidents, more than the
    render itself. Set aside, they are not walked; an object set aside is still freed as soon as
    nothing refers to it, and `release` lets the next collection see them all again.
    """
    gc.collect()
    gc.freeze()


def release() -> None:
    """Let collections see every object again (before a new data version makes the last
    warm-up's analyses garbage, and at shutdown)."""
    gc.unfreeze()


async def keep_warm(runtime: Runtime) -> None:
    """Warm every page now, and again after every load or rollback; after each warm-up, set
    what is alive aside from the collector (`set_aside`)."""
    warmed: int | None = None
    while True:
        version = None
        try:
            version = await asyncio.to_thread(data_version)
            if version != warmed:
                release()
                watch = _Watch()
                listed = await asyncio.to_thread(pages)
                try:
                    await warm_pages(runtime, listed, watch=watch)
                finally:  # off the event loop: a collection takes 0.1 to 0.2 s
                    await asyncio.to_thread(set_aside)
                try:  # set aside again: the sections' analyses too
                    await warm_pages(runtime, (), sections(listed), watch)
                finally:
                    await asyncio.to_thread(set_aside)
        except Exception:  # a failed warm-up leaves the pages to warm when first opened
            _LOG.warning("Warming the pages failed; they will be computed when first opened.",
                         exc_info=True)
        warmed = version
        await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """st.App's lifespan: keep the pages warm while the server runs."""
    task = asyncio.create_task(keep_warm(Runtime.instance())) if enabled() else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            release()
