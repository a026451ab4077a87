"""The web server: the dashboard (app.py) with the protections Streamlit's settings cannot give.

Run with `streamlit run serve.py` (the README's command). Streamlit serves the app through this
ASGI wrapper (st.App), which adds to every response:

- `X-Frame-Options: DENY` and `Content-Security-Policy: frame-ancestors 'none'`: no other site may
  show the dashboard inside its own page (clickjacking), even one on this computer;
- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`;

and answers `/_stcore/metrics` (Streamlit's unauthenticated usage figures) with 404. A reverse
proxy in front of a shared deployment sets the same (README, "Deploying with sign-in").
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS: dict[str, str] = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
CLOSED_PATHS = ("/_stcore/metrics",)  # answered 404, under any base URL path


class Protections:
    """ASGI middleware: the HEADERS on every HTTP response, and CLOSED_PATHS not found."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith(CLOSED_PATHS):
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *(h for h in message.get("headers", ())
                      if h[0].decode("latin-1").lower() not in _LOWER),
                    *((k.lower().encode("latin-1"), v.encode("latin-1"))
                      for k, v in HEADERS.items())]
            await send(message)

        await self.app(scope, receive, with_headers)


_LOWER = {k.lower() for k in HEADERS}

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(Protections)])
