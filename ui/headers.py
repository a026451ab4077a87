"""HTTP headers on every response the dashboard serves: the content security policy.

A page of this dashboard may load scripts, styles, images, fonts and frames only from the
dashboard's own address, so no outside server ever learns who looks at which part of a children's
safeguarding dashboard, and a name that slipped past escaping still cannot fetch or run anything.
serve.py adds these headers through Streamlit's documented `st.App(middleware=...)`; the README's
deployment section gives the same header for a reverse proxy to set.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Streamlit 1.67's page has one inline script (it sets window.prerenderReady); it is allowed by
# its hash, which tests/test_headers.py checks against the installed Streamlit.
STREAMLIT_INLINE_SCRIPT = "'sha256-THxz9J9+wf7rhwR2YkXJoSZ13UCmYyC+3lNDv2+8ugA='"
# Streamlit also needs inline styles (its components are styled at run time), data: and blob:
# images and fonts, and workers made from blob: URLs (maps).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    f"script-src 'self' {STREAMLIT_INLINE_SCRIPT}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets SECURITY_HEADERS (a header already set stays)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
