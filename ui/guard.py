"""Sign-in, session limits and which pages a user may open: the Streamlit edge of analytics.governance.access.

app.py calls `sign_in(pages)` before anything reads data, and `run_page(pages)` to open the page
asked for. With an [auth] section in secrets, people sign in through the council's OpenID Connect
provider and the role map decides what they may do; without one the app runs in local mode for one
person on their own machine, unless the deployment forbids it. When no data may be shown, every
page's address shows only the reason, so a bookmarked link never reaches a page script.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from analytics.governance import audit
from analytics.governance.access import (
    AccessSettings,
    Identity,
    IdentityError,
    RoleMap,
    RoleMapError,
    SettingsError,
    end_message,
    identity_from_claims,
    limits_sentence,
    load_role_map,
    local_access,
    may_open,
    resolve,
    settings_from,
    signed_in_at,
    utc_now,
)
from analytics.governance.disclosure import PRESENTER_VIEW
from analytics.governance.sessions import SessionBook
from ui import markdown, navigation, state

Pages = Mapping[str, list]  # section -> st.Page objects, as app.py lists them
SESSION_CHECK_SECONDS = 60  # how often an open tab checks whether its sign-in has ended
TITLE = "Contextual safeguarding dashboard"


def settings() -> AccessSettings:
    """The access settings: environment variables, then [access] in secrets."""
    return settings_from(os.environ, _secrets_section("access"))


def auth_configured() -> bool:
    """True when secrets hold an [auth] section, so people sign in through OpenID Connect."""
    return bool(_secrets_section("auth"))


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get(name)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return None
    return section if isinstance(section, Mapping) else None


@st.cache_resource(show_spinner=False)
def _book() -> SessionBook:
    """The record of sign-ins and their activity, in the database (so it outlives the process),
    shared by all sessions."""
    return SessionBook(state.store())


@st.cache_data(show_spinner=False, max_entries=8)
def _role_map(path: str, modified_ns: int, size: int) -> RoleMap:
    """The role map, read again whenever the file changes (its time and size are the key)."""
    return load_role_map(path)


def role_map(config: AccessSettings) -> RoleMap:
    """The deployment's role map; RoleMapError when it is not configured or not usable."""
    if config.role_map is None:
        raise RoleMapError("No role map is configured (set SAFEGUARDING_ROLE_MAP, or role_map "
                           "under [access] in secrets).")
    try:
        info = config.role_map.stat()
    except OSError:
        raise RoleMapError("The role map file cannot be found.") from None
    return _role_map(str(config.role_map), info.st_mtime_ns, info.st_size)


def sign_in(pages: Pages) -> None:
    """Decide who this is and what they may do, or stop the run showing only why not."""
    state.set_access(None)
    try:
        config = settings()
    except SettingsError as error:
        message = (f"The dashboard's access settings are not valid, so it shows no data. "
                   f"{error}")
        _stop(pages, lambda: st.error(markdown.escape(message), icon=":material/block:"))
    if not auth_configured():
        if config.require_sign_in:
            _stop(pages, _sign_in_required)
        address = str(st.get_option("server.address") or "")
        if not loopback(address):
            _stop(pages, lambda: _not_on_loopback(address))
        # Local mode: provisional rights for drawing the sidebar; run_page settles the role
        # from the view chosen there.
        state.set_access(local_access("analyst", _local_user()))
        return
    if not st.user.get("is_logged_in"):
        _stop(pages, lambda: _signed_out(config))
    try:
        known = role_map(config)
        identity = identity_from_claims(st.user.to_dict(), known.group_claim)
    except RoleMapError as error:
        reason = (f"The dashboard cannot check who may use it, so it shows no data. {error} "
                  "An administrator needs to fix the role map.")
        _stop(pages, lambda: _cannot_admit(reason), sign_out=True)
    except IdentityError as error:
        reason = str(error)
        _stop(pages, lambda: _cannot_admit(reason), sign_out=True)
    access = resolve(identity, known)
    if access is None:
        _note_refusal(identity)
        _stop(pages, lambda: _cannot_admit(
            f"You are signed in as {identity.label}, but you have not been given access "
            "to this dashboard. Ask your administrator to add you to its role map."),
            sign_out=True)
    now = utc_now()
    key = (identity.user_id, signed_in_at(st.user.to_dict(), now) or _session_started(now))
    st.session_state["_sign_in_key"] = key
    if _book().begin(key, now):
        audit.record(state.store(), access, "sign-in", "dashboard", "done")
    reason = _book().activity(key, now, config.limits)
    if reason:
        audit.record(state.store(), access, "sign-out", "dashboard",
                     f"done: {end_message(reason, config.limits)}")
        st.warning(markdown.escape(end_message(reason, config.limits)), icon=":material/logout:")
        st.logout()
        st.stop()
    state.set_access(access)


def run_page(pages: Pages) -> None:
    """Open the page asked for, if the user's role allows it; list only the pages it allows."""
    access = state.current_access()
    if access.local:
        access = local_access(state.context().view, access.user_label)
        state.set_access(access)
    _account(access)
    visible: dict[str, list] = {}
    refused = []
    for section, items in pages.items():
        for page in items:
            if may_open(access, page_name(page)):
                visible.setdefault(section, []).append(page)
            else:
                # Listed hidden under the same address, so a link to it says why it is closed.
                stand_in = st.Page(page._page, title=page.title,
                                   url_path=page.url_path or None, visibility="hidden")
                refused.append(stand_in)
    if refused:  # hidden pages go in the first section, so no section is left empty
        visible.setdefault(next(iter(visible), ""), []).extend(refused)
    current = st.navigation(visible, position="hidden")
    navigation.menu(visible)  # our own menu: its links keep the filters (ui.navigation)
    if current in refused:
        st.title(markdown.escape(current.title))
        st.error(markdown.escape(state.closed_message(page_name(current))),
                 icon=":material/block:")
        st.stop()
    try:
        current.run()
    except PermissionError as error:
        st.error(markdown.escape(error), icon=":material/block:")


def run_presenter(pages: list) -> None:
    """Presenter mode: the slides, for anyone who may see figures, always in the board view.

    `pages` lists every page hidden (so any address resolves) and the slides; another page's
    address with ?present=1 switches to the slides. No sidebar is drawn, but a signed-in
    session is still watched, so an idle screen is cleared when its sign-in ends.
    """
    access = state.current_access()
    if access.local:  # local mode: the presenter is a board member while presenting
        access = local_access(PRESENTER_VIEW, access.user_label)
        state.set_access(access)
    elif (key := st.session_state.get("_sign_in_key")) is not None:
        _watch(key, settings().limits)
    current = st.navigation(pages, position="hidden")
    if current.url_path != "present":
        st.switch_page(pages[-1], query_params={
            k: st.query_params.get_all(k) for k in st.query_params})
    try:
        current.run()
    except PermissionError as error:
        st.error(markdown.escape(error), icon=":material/block:")


def page_name(page: Any) -> str:
    """'overview' for st.Page('pages/overview.py'): the key of access.PAGE_PERMISSIONS.

    st.Page keeps its script's path only in `_page` (tests/ui/test_guard.py pins this).
    """
    script = getattr(page, "_page", None)
    return Path(script).stem if isinstance(script, str | Path) else page.url_path


def _stop(pages: Pages, draw: Callable[[], None], sign_out: bool = False) -> NoReturn:
    """Show only `draw` (under every page's address), then end the run: no data is read."""
    def notice() -> None:
        st.title(TITLE)
        draw()
        if sign_out and st.button("Sign out", icon=":material/logout:"):
            st.logout()
            st.stop()

    stand_ins = [st.Page(notice, title="Sign in", url_path="sign-in", default=True)]
    stand_ins += [st.Page(notice, title=page.title, url_path=page.url_path, visibility="hidden")
                  for items in pages.values() for page in items if page.url_path]
    st.navigation(stand_ins, position="hidden").run()
    st.stop()


def _signed_out(config: AccessSettings) -> None:
    st.markdown("This dashboard holds information about harm to children. Sign in with your "
                "organisation's account to see it.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        try:
            st.login()
        except st.errors.StreamlitAuthError:
            st.error("Sign-in is not set up correctly on this server, so no one can sign in. An "
                     "administrator needs to check the [auth] section of .streamlit/secrets.toml "
                     "(see 'Deploying with sign-in' in the README).", icon=":material/error:")
    st.caption(markdown.escape(limits_sentence(config.limits)))


def loopback(address: str) -> bool:
    """Whether the server listens only on this computer (localhost, 127.0.0.1, ::1). An empty
    address is Streamlit's default: every network interface."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _not_on_loopback(address: str) -> None:
    where = f"address {address}" if address else "every network interface"
    st.error(markdown.format(
        "This dashboard is listening on {}, so other computers can reach it, but no sign-in is "
        "configured: it would give anyone who can reach it the analyst's view. It shows no data. "
        "To use it on this computer, start it with `streamlit run serve.py` (it then listens on "
        "this computer only, 127.0.0.1). To share it, set up sign-in (see 'Deploying with "
        "sign-in' in the README).", where), icon=":material/lock:")


def _sign_in_required() -> None:
    st.error("This dashboard must be used with sign-in, but no identity provider is "
             "configured, so it shows no data. An administrator needs to add the [auth] section "
             "to .streamlit/secrets.toml (see 'Deploying with sign-in' in the README).",
             icon=":material/lock:")


def _cannot_admit(reason: str) -> None:
    st.error(markdown.escape(reason), icon=":material/block:")


def _note_refusal(identity: Identity) -> None:
    """Write one audit entry per session for a signed-in person the role map does not list."""
    if st.session_state.get("_refusal_noted") == identity.user_id:
        return
    st.session_state["_refusal_noted"] = identity.user_id
    audit.record_refusal(state.store(), identity.user_id, identity.label, "sign-in", "dashboard",
                         "refused: not in the role map")


def _session_started(now: datetime) -> datetime:
    """This browser session's start, for a sign-in whose token carried no issue time."""
    return st.session_state.setdefault("_session_started", now)


def _account(access) -> None:
    """The sidebar's last lines: who is signed in, their role and scope, and 'Sign out'."""
    sb = st.sidebar
    sb.divider()
    if access.local:
        sb.caption(":material/computer: **Local mode: no sign-in.** One person on this computer; "
                   "the view above sets what is shown and which pages open (Analyst for the "
                   "records, uploads and the audit log).")
        return
    sb.caption(markdown.format(":material/account_circle: Signed in as **{}**  \nRole: {}. Sees {}.",
                               access.user_label, access.role.label,
                               access.scope.describe(state.context().ward_names)))
    key = st.session_state.get("_sign_in_key")
    if sb.button("Sign out", icon=":material/logout:", key="sign_out"):
        audit.record(state.store(), access, "sign-out", "dashboard", "done: signed out")
        if key:
            _book().end(key)
        st.logout()
        st.stop()
    if key:
        _watch(key, settings().limits)


@st.fragment(run_every=SESSION_CHECK_SECONDS)
def _watch(key: tuple[str, datetime], limits) -> None:
    """Every minute, rerun the app once this sign-in has ended, so an idle screen is cleared."""
    if _book().check(key, utc_now(), limits):
        st.rerun()


def _local_user() -> str:
    try:
        return f"{getpass.getuser()} (local mode)"
    except (KeyError, OSError):
        return "Local user"
