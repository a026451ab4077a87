"""HTTP headers on every response the dashboard serves, and the paths it does not serve.

A page of this dashboard may load scripts, styles, images, fonts and frames only from the
dashboard's own address, so no outside server ever learns who looks at which part of a children's
safeguarding dashboard, and a name that slipped past escaping still cannot fetch or run anything.
No other site may show the dashboard inside its own page (clickjacking: `frame-ancestors 'none'`
and `X-Frame-Options: DENY`), even a page on this computer in local mode. Streamlit's own usage
figures at /_stcore/metrics, open to anyone, are answered "not found". serve.py adds all this
through Streamlit's documented `st.App(middleware=...)`; the README's deployment section gives
the same headers for a reverse proxy to set.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Streamlit 1.67's page has one inline script (it sets window.prerenderReady); it is allowed by
# its hash, which tests/ui/test_headers.py checks against the installed Streamlit.
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
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
CLOSED_PATHS = ("/_stcore/metrics",)  # answered 404, under any base URL path


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets SECURITY_HEADERS (a header already set stays),
    and CLOSED_PATHS are not found."""

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

        if scope.get("path", "").rstrip("/").endswith(CLOSED_PATHS):
            await PlainTextResponse("Not found", status_code=404)(scope, receive,
                                                                  send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
