"""Every response of `streamlit run serve.py` carries the security headers, and Streamlit's
usage figures (/_stcore/metrics) are not served."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from pathlib import Path

import streamlit

from ui.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, SecurityHeaders

ROOT = Path(__file__).resolve().parent.parent.parent


def served(path: str = "/", own: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """The status and headers a response to `path` gets through the middleware (the app itself
    answers 200 and sets `own`)."""
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in (own or {}).items()]})
        await send({"type": "http.response.body", "body": b"the dashboard"})

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeaders(app)({"type": "http", "path": path, "method": "GET",
                                      "headers": []}, None, send))
    return sent[0]["status"], {k.decode(): v.decode() for k, v in sent[0]["headers"]}


def served_headers(own: dict[str, str] | None = None) -> dict[str, str]:
    return served("/", own)[1]


def directives() -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in CONTENT_SECURITY_POLICY.split("; ")}


def test_every_response_gets_the_policy():
    assert served_headers()["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_no_other_site_may_frame_the_dashboard():
    headers = served_headers()
    assert headers["x-frame-options"] == "DENY"
    assert directives()["frame-ancestors"] == ["'none'"]


def test_browsers_neither_guess_types_nor_send_the_address_on():
    headers = served_headers()
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_the_header_table_is_exactly_the_four_headers():
    assert set(SECURITY_HEADERS) == {"Content-Security-Policy", "X-Frame-Options",
                                     "X-Content-Type-Options", "Referrer-Policy"}
    assert {k: served_headers()[k.lower()] for k in SECURITY_HEADERS} == SECURITY_HEADERS


def test_streamlits_usage_figures_are_not_found_under_any_base_path():
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "/dashboard/_stcore/metrics"):
        status, headers = served(path)
        assert status == 404, path
        assert headers["x-frame-options"] == "DENY", path
    assert served("/_stcore/health")[0] == 200
    assert served("/records")[0] == 200


def test_websockets_pass_through_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(SecurityHeaders(app)({"type": "websocket", "path": "/_stcore/stream"}, None, None))
    assert seen == ["websocket"]


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


def test_the_readme_gives_the_proxy_exactly_these_headers_and_runs_serve():
    readme = (ROOT / "README.md").read_text()
    assert f"Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n" in readme
    for name, value in SECURITY_HEADERS.items():
        if name != "Content-Security-Policy":
            assert f'add_header {name} "{value}" always;' in readme, name
    assert "location /_stcore/metrics { return 404; }" in readme
    assert "pip install -r requirements.txt && streamlit run serve.py" in readme
