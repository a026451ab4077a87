"""Calling analyses as a page does, outside a running app: through ui.state.compute.

st.cache_data works without a Streamlit server (it keeps its cache in memory), so a second call
with the same arguments is exactly the cache hit a page rerun gets: the data-version check,
hashing the arguments, and unpickling the stored result.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from analytics.store.filters import Filters


def quiet_streamlit() -> None:
    """Silence the 'no runtime' warnings Streamlit prints for every cached call in bare mode."""
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    import streamlit  # noqa: F401  (configures its loggers)

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def compute(call: Any, filters: Filters, kwargs: dict[str, Any]) -> Any:
    """`call` as its page calls it: through the app's cache, or uncached where the page
    reads it fresh every time (ui.state.uncached)."""
    from ui import state

    if not call.cached:
        return state.uncached(call.fn, **kwargs)
    return state.compute(call.fn, filters if call.uses_filters else None, **kwargs)
