"""Serve the dashboard with its security headers: `streamlit run serve.py`.

app.py is the dashboard; this wraps it in Streamlit's ASGI app (`st.App`) so that every response
carries the headers in ui/headers.py (content security policy, no framing, nosniff, no referrer)
and /_stcore/metrics is not served. `streamlit run app.py` still works, without them (for a
deployment whose reverse proxy sets them; see the README).
"""

import streamlit as st
from starlette.middleware import Middleware

from ui import warmup
from ui.headers import SecurityHeaders

# warmup.lifespan: every page's default view computed in the background after start-up and
# after every load, so the first person to open a page does not wait for it
app = st.App("app.py", middleware=[Middleware(SecurityHeaders)], lifespan=warmup.lifespan)
