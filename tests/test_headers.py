"""Every response of `streamlit run serve.py` carries the content security policy."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from pathlib import Path

import streamlit

from ui.headers import CONTENT_SECURITY_POLICY, SecurityHeaders

ROOT = Path(__file__).resolve().parent.parent


def served_headers(own: dict[str, str] | None = None, kind: str = "http") -> dict[str, str]:
    """The headers a response gets through the middleware (the app itself sets `own`)."""
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in (own or {}).items()]})

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeaders(app)({"type": kind}, None, send))
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


def directives() -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in CONTENT_SECURITY_POLICY.split("; ")}


def test_every_response_gets_the_policy():
    assert served_headers()["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_policy_already_set_by_the_response_is_kept():
    own = {"Content-Security-Policy": "default-src 'none'"}
    assert served_headers(own)["content-security-policy"] == "default-src 'none'"


def test_images_scripts_frames_and_connections_come_only_from_the_dashboard():
    policy = directives()
    for name in ("default-src", "img-src", "script-src", "frame-src", "connect-src",
                 "font-src", "style-src", "worker-src", "media-src"):
        sources = policy[name]
        assert "'self'" in sources
        assert not [s for s in sources if s.startswith(("http", "*", "ws")) or s == "https:"], name
    assert policy["object-src"] == ["'none'"]


def test_streamlits_own_inline_scripts_are_the_ones_allowed():
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
              for s in re.findall(r"<script>(.*?)</script>", page, re.S)}
    assert hashes == {s for s in directives()["script-src"] if s.startswith("'sha256-")}


def test_serve_wraps_the_dashboard_with_the_headers():
    source = (ROOT / "serve.py").read_text()
    assert 'st.App("app.py", middleware=[Middleware(SecurityHeaders)]' in source


def test_the_readme_gives_the_proxy_exactly_this_policy_and_runs_serve():
    readme = (ROOT / "README.md").read_text()
    assert f"Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n" in readme
    assert "pip install -r requirements.txt && streamlit run serve.py" in readme
