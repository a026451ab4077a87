"""Helpers for page tests: open the app on a given database, as a reader would, with AppTest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.page_table import SECTION_PARAM

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def through_app(monkeypatch) -> None:
    """Make every later run (and switch_page) go through app.py, as on a live server once any
    session has called st.navigation. Without it AppTest behaves like a fresh server with a
    pages/ folder: after the first run it executes page scripts directly."""
    from streamlit.runtime.pages_manager import PagesManager

    real_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def open_page(db_path: Path | str, page: str | None = None, query: dict | None = None,
              monkeypatch=None) -> AppTest:
    """Run app.py on the database at db_path, optionally switch to `page` (e.g. 'pages/trends.py')."""
    monkeypatch.setenv("SAFEGUARDING_DB", str(db_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    query = dict(query or {})
    # A link to a page opens that page in a browser; AppTest runs the default page first, whose
    # own tabs would read (and refuse) the other page's tab: that goes in when switching.
    section = query.pop(SECTION_PARAM, None) if page else None
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        if section is not None:
            at.query_params[SECTION_PARAM] = section
        at.switch_page(page)
        at.run()
    return at


def each_section(at: AppTest) -> Iterator[str]:
    """Open each section of a page drawn as tabs (ui.components.sections), the open one first,
    yielding its name once it has run: what a reader sees of the page is every section's."""
    tabs = at.get("tab_container")
    if not tabs:
        yield ""
        return
    key = tabs[0].proto.id.rsplit("-", 1)[-1]  # the page's key for it, at the end of its id
    names = [tab.label for tab in at.tabs]
    opened = at.session_state[key]
    yield opened
    for name in names:
        if name != opened:
            at.session_state[key] = name
            at.run()
            yield name


def read(markdown: object) -> str:
    """What a reader sees of escaped Markdown (analytics.governance.escape): the escapes read, the word
    joiners and isolates invisible."""
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~$:&])", r"\1",
                  re.sub("[\u2060\u2068\u2069]", "", str(markdown)))


def shown_text(at: AppTest) -> str:
    """Everything a reader sees as text: titles, headers, markdown, captions, metrics, alerts."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        parts += [read(e.value) for e in getattr(at, kind)]
    parts += [read(f"{m.label} {m.value} {m.delta or ''}") for m in at.metric]
    return "\n".join(parts)


def assert_no_exception(at: AppTest) -> None:
    """No Streamlit exception box and no error element."""
    assert not at.exception, [e.value for e in at.exception]


def record_downloads(monkeypatch) -> dict:
    """Every download button's file-making function, by its deferred file id, as the app
    registers them, so a test can click one: `made[button.proto.deferred_file_id]()` runs it as
    Streamlit does on a click (AppTest's own runtime forgets them when a run ends)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict = {}
    real = MediaFileManager.add_deferred

    def add(self, data_callable, *args, **kwargs):
        file_id = real(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add)
    return made
