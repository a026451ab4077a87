"""Who may see what: roles and their permissions, identities, the role map, scope, session limits.

Pure Python, so every rule is tested without Streamlit. The Streamlit edge (ui/guard.py) turns
the signed-in user's OpenID Connect claims into an `Access` with `resolve`, and every analysis
runs on filters passed through `scoped`, the one function that narrows a query to the wards and
agencies the user may see. Row-level analyses are marked with `requires(Permission.ROWS)` and
refuse to run for anyone whose role does not carry that permission, however they are reached.

A user is identified by the identity provider's issuer and subject, never by e-mail (which can
change and be reused); the role map may still name people by e-mail or by group, and can pin a
person to their issuer and subject.
"""

from __future__ import annotations

import functools
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from analytics.governance.disclosure import base_view
from analytics.store.filters import Filters
from analytics.store.vocab import AGENCY_LABELS


class Permission(Enum):
    """Something a role may do; the value completes the sentence "Your role may not ..."."""

    AGGREGATES = "see figures and charts"
    ROWS = "see individual incidents or young people"
    UPLOAD = "load or roll back extracts"
    INTERVENTIONS = "add or end interventions"
    EXPORT = "download tables"
    AUDIT = "read the audit log"


class Role(Enum):
    """The four roles of the role map, least powerful first."""

    BOARD = "board"
    LEAD = "lead"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """'Board member', 'Lead', ...: how the sidebar names the role."""
        return ROLE_RULES[self].label

    @property
    def view(self) -> str:
        """The most revealing view (analytics.governance.disclosure.VIEWS) this role may use."""
        return ROLE_RULES[self].view

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_RULES[self].permissions


@dataclass(frozen=True)
class RoleRule:
    """What one role is called, which view it may use at most, and what it may do."""

    label: str
    view: str
    permissions: frozenset[Permission]


P = Permission
# The permission table. Board members read figures; leads also download (disclosure-controlled)
# tables; analysts work with the records themselves; an administrator is an analyst who also
# reads the audit log.
ROLE_RULES: dict[Role, RoleRule] = {
    Role.BOARD: RoleRule("Board member", "board", frozenset({P.AGGREGATES})),
    Role.LEAD: RoleRule("Lead", "lead", frozenset({P.AGGREGATES, P.EXPORT})),
    Role.ANALYST: RoleRule("Analyst", "analyst", frozenset(
        {P.AGGREGATES, P.ROWS, P.UPLOAD, P.INTERVENTIONS, P.EXPORT})),
    Role.ADMIN: RoleRule("Administrator", "analyst", frozenset(Permission)),
}

# Views from the most to the least protective; a user gets the more protective of their role's
# view and the one asked for, so no link or widget can widen what a role sees.
VIEW_ORDER: tuple[str, ...] = ("board", "lead", "analyst")

# In local mode one person uses their own machine: the view they choose sets their role, and the
# analyst view carries the administrator's rights (it is their own audit log).
LOCAL_ROLES: dict[str, Role] = {"board": Role.BOARD, "lead": Role.LEAD, "analyst": Role.ADMIN}
LOCAL_USER_ID = "local"

# Which permission opens each page (by file name under pages/). A page not listed needs only
# AGGREGATES: it must show nothing row-level, and the row-level analyses refuse by themselves.
PAGE_PERMISSIONS: dict[str, Permission] = {
    "overview": P.AGGREGATES,
    "trends": P.AGGREGATES,
    "overlap": P.AGGREGATES,
    "places": P.AGGREGATES,
    "contexts": P.AGGREGATES,
    "peers": P.AGGREGATES,
    "interventions": P.AGGREGATES,
    "present": P.AGGREGATES,  # the slides: board view, whoever presents
    "records": P.ROWS,
    "data": P.AGGREGATES,  # the load history for all; loading itself needs P.UPLOAD
    "audit": P.AUDIT,
    "glossary": P.AGGREGATES,  # words only
}
DEFAULT_PAGE_PERMISSION = P.AGGREGATES

# Analyses that read nothing a scope limits, so they run without filters; ui.state.compute runs
# no other analysis without them (so none can forget the scope), and tests/test_scope.py checks
# that every analysis either takes the filters or is listed here with why.
WHOLE_AREA: dict[str, str] = {
    "analytics.store.reference:data_facts": "the dates the data run between and the last load: the "
                                      "same for every partner, so a period means the same to all",
    "analytics.trends.trends:data_bounds": "the same dates, for the trend windows",
    "analytics.store.reference:data_dates": "the same dates, for whether there is a previous "
                                            "period to compare with",
    "analytics.store.reference:risk_options": "the crime types (objects of search) police.uk "
                                        "publishes for the area, offered in the filter: the "
                                        "vocabulary of open data, the same list for every partner",
    "analytics.store.reference:outcome_options": "the search outcomes police.uk publishes, offered in "
                                           "the filter: the same list for every partner",
    "analytics.ingest.ingest:history": "what was loaded, when and by whom (the Data page, which "
                                "shows a scoped user no whole-file row counts)",
    "analytics.ingest.ingest:same_load": "which extracts were loaded together, offered for rollback "
                                  "only to a user no scope limits",
}

# The audit log's actions and the permission each needs (None: anyone signed in may do it).
ACTION_PERMISSIONS: dict[str, Permission | None] = {
    "sign-in": None,
    "sign-out": None,
    "load": P.UPLOAD,
    "rollback": P.UPLOAD,
    "mapping saved": P.UPLOAD,
    "export": P.EXPORT,
    "rows viewed": P.ROWS,  # a page showed individual incidents (each view, once a session)
    "board pack": P.AGGREGATES,  # the board's own paper, always in the board view
    "intervention added": P.INTERVENTIONS,
    "intervention ended": P.INTERVENTIONS,
}


@dataclass(frozen=True)
class Scope:
    """The wards and agencies a user may see; None means all of them, () none at all."""

    wards: tuple[str, ...] | None = None
    agencies: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("wards", "agencies"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    @property
    def unlimited(self) -> bool:
        return self.wards is None and self.agencies is None

    def describe(self, ward_names: Mapping[str, str] | None = None) -> str:
        """'Wards: Alder, Birch; agencies: Police', or 'all wards and agencies'."""
        if self.unlimited:
            return "all wards and agencies"
        ward_names = ward_names or {}
        parts = []
        if self.wards is not None:
            parts.append("wards: " + (", ".join(ward_names.get(w, w) for w in self.wards)
                                      or "none"))
        if self.agencies is not None:
            parts.append("agencies: " + (", ".join(AGENCY_LABELS.get(a, a)
                                                   for a in self.agencies) or "none"))
        return "; ".join(parts)


@dataclass(frozen=True)
class Access:
    """What one user may do and see in this run: a role, a scope, and who they are.

    `grant()` drops who they are: it is what a shared cached result may depend on.
    """

    role: Role
    scope: Scope = field(default_factory=Scope)
    user_id: str = ""
    user_label: str = ""
    local: bool = False

    @property
    def view(self) -> str:
        return self.role.view

    def may(self, permission: Permission) -> bool:
        return permission in self.role.permissions

    def grant(self) -> Access:
        """The same role and scope with no identity, for cache keys shared by all users."""
        return Access(role=self.role, scope=self.scope, local=self.local)


def require(access: Access | None, permission: Permission) -> None:
    """Raise PermissionError, in words a user understands, unless `access` carries `permission`."""
    if access is None:
        raise PermissionError(f"Only a signed-in user whose role allows it may {permission.value}.")
    if not access.may(permission):
        raise PermissionError(
            f"Your role ({access.role.label.lower()}) may not {permission.value}. "
            "Ask your administrator if you need to.")


F = TypeVar("F", bound=Callable[..., Any])


def requires(permission: Permission) -> Callable[[F], F]:
    """Mark an analysis only some roles may run: it then takes `access=` and checks it first.

    Its Filters arguments are narrowed to the user's scope too, so calling it directly (not
    through ui.state.compute) can neither skip the check nor widen what it returns.

    >>> @requires(Permission.ROWS)
    ... def incident_list(con, filters): ...
    >>> incident_list(con, filters)  # no access given: PermissionError
    """
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def checked(*args: Any, access: Access | None = None, **kwargs: Any) -> Any:
            require(access, permission)
            args = tuple(scoped(a, access) if isinstance(a, Filters) else a for a in args)
            kwargs = {k: scoped(v, access) if isinstance(v, Filters) else v
                      for k, v in kwargs.items()}
            return fn(*args, **kwargs)

        checked.required_permission = permission  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def required_permission(fn: Callable[..., Any]) -> Permission | None:
    """The permission `fn` was marked with by `requires`, or None for an aggregate analysis."""
    return getattr(fn, "required_permission", None)


def scoped(filters: Filters, access: Access) -> Filters:
    """The filters narrowed to the user's scope: the one function every query passes through.

    The scope goes into fields of its own (never into the choices the user made), intersected
    with any scope already there, so applying it twice changes nothing and nothing a user asks
    for can reach beyond it: a user limited to wards W1 and W2 who asks for W3 gets nothing.
    """
    return replace(
        filters,
        within_wards=_narrow(filters.within_wards, access.scope.wards),
        within_agencies=_narrow(filters.within_agencies, access.scope.agencies),
    )


def _narrow(current: tuple[str, ...] | None, allowed: tuple[str, ...] | None
            ) -> tuple[str, ...] | None:
    if allowed is None:
        return current
    if current is None:
        return allowed
    return tuple(sorted(set(current) & set(allowed)))


def allowed_views(access: Access) -> tuple[str, ...]:
    """The views this role may choose, most protective first ('board' for a board member)."""
    return VIEW_ORDER[: VIEW_ORDER.index(access.view) + 1]


def effective_view(access: Access, requested: str | None) -> str:
    """The more protective of the role's view and the one asked for (unknown asks get 'board')."""
    if requested not in VIEW_ORDER:
        return VIEW_ORDER[0]
    return VIEW_ORDER[min(VIEW_ORDER.index(access.view), VIEW_ORDER.index(requested))]


def page_permission(page_name: str) -> Permission:
    """The permission that opens pages/<page_name>.py."""
    return PAGE_PERMISSIONS.get(page_name, DEFAULT_PAGE_PERMISSION)


def may_open(access: Access, page_name: str) -> bool:
    return access.may(page_permission(page_name))


def local_access(view: str, user_label: str = "") -> Access:
    """Local mode: one person on their own machine, whose chosen view (or its public form, for
    counts not about children) sets the role."""
    role = LOCAL_ROLES.get(base_view(view), Role.BOARD)
    return Access(role=role, user_id=LOCAL_USER_ID, user_label=user_label or "Local user",
                  local=True)


# --- identities and the role map ------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """A signed-in person as the identity provider vouches for them: keyed by (issuer, subject)."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool | None = None
    name: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def user_id(self) -> str:
        """The stable id the audit log records: '<issuer>#<subject>'."""
        return f"{self.issuer}#{self.subject}"

    @property
    def label(self) -> str:
        """How a person reads this user: their name, else e-mail, else subject."""
        return self.name or self.email or self.subject


class IdentityError(ValueError):
    """The identity provider's claims do not say who the user is."""


def identity_from_claims(claims: Mapping[str, Any], group_claim: str = "groups") -> Identity:
    """The Identity in an ID token's claims (st.user); IdentityError without issuer and subject."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not (isinstance(issuer, str) and issuer.strip() and isinstance(subject, str)
            and subject.strip()):
        raise IdentityError("The identity provider did not say who you are (its sign-in had no "
                            "issuer or subject), so the dashboard cannot let you in.")
    email = claims.get("email")
    verified = claims.get("email_verified")
    raw_groups = claims.get(group_claim) or ()
    if isinstance(raw_groups, str):
        raw_groups = (raw_groups,)
    name = claims.get("name")
    return Identity(
        issuer=issuer.strip(),
        subject=subject.strip(),
        email=_norm_email(email) if isinstance(email, str) and email.strip() else None,
        email_verified=verified if isinstance(verified, bool) else None,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        groups=tuple(str(g) for g in raw_groups if isinstance(g, str | int)),
    )


def _norm_email(email: str) -> str:
    return email.strip().casefold()


@dataclass(frozen=True)
class Grant:
    """One entry of the role map: who it matches (subject, e-mail or group), role and scope."""

    role: Role
    scope: Scope = field(default_factory=Scope)
    issuer: str | None = None
    subject: str | None = None
    email: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class RoleMap:
    """The parsed role map: people (by subject or e-mail) and groups, and the issuers trusted."""

    people: tuple[Grant, ...] = ()
    groups: tuple[Grant, ...] = ()
    issuers: tuple[str, ...] = ()  # empty: any issuer the [auth] provider vouches for
    group_claim: str = "groups"


class RoleMapError(ValueError):
    """The role map file cannot be used; the message says where and why."""


PERSON_KEYS = {"email", "issuer", "subject", "role", "wards", "agencies", "note"}
GROUP_KEYS = {"group", "role", "wards", "agencies", "note"}
TOP_KEYS = {"issuer", "issuers", "group_claim", "people", "groups"}


def parse_role_map(data: Mapping[str, Any]) -> RoleMap:
    """Check and parse a role map (already read from TOML or JSON); RoleMapError says what's wrong.

    >>> parse_role_map({"people": [{"email": "a@x.org", "role": "lead", "wards": ["W1"]}]})
    """
    if not isinstance(data, Mapping):
        raise RoleMapError("The role map must be a table with 'people' and/or 'groups' lists.")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise RoleMapError(f"The role map has unknown settings: {', '.join(sorted(unknown))} "
                           f"(expected {', '.join(sorted(TOP_KEYS))}).")
    issuers = data.get("issuers", data.get("issuer", ()))
    issuers = (issuers,) if isinstance(issuers, str) else tuple(issuers)
    if not all(isinstance(i, str) and i for i in issuers):
        raise RoleMapError("'issuer' must be a URL or a list of URLs.")
    group_claim = data.get("group_claim", "groups")
    if not isinstance(group_claim, str) or not group_claim:
        raise RoleMapError("'group_claim' must name a claim, such as \"groups\" or \"roles\".")
    people = tuple(_person(entry, n) for n, entry in enumerate(_list(data, "people"), 1))
    groups = tuple(_group(entry, n) for n, entry in enumerate(_list(data, "groups"), 1))
    seen: set[tuple[str, ...]] = set()
    for grant in people:
        key = (("subject", grant.issuer or "", grant.subject) if grant.subject
               else ("email", grant.email or ""))
        if key in seen:
            raise RoleMapError(f"The role map lists {key[-1]} more than once.")
        seen.add(key)
    if not people and not groups:
        raise RoleMapError("The role map lists no people and no groups, so no one could sign in.")
    return RoleMap(people=people, groups=groups, issuers=issuers, group_claim=group_claim)


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise RoleMapError(f"'{key}' must be a list of entries ([[{key}]] in TOML).")
    return value


def _common(entry: Mapping[str, Any], where: str, allowed: set[str]) -> tuple[Role, Scope]:
    unknown = set(entry) - allowed
    if unknown:
        raise RoleMapError(f"{where} has unknown keys: {', '.join(sorted(unknown))} "
                           f"(allowed: {', '.join(sorted(allowed))}).")
    try:
        role = Role(str(entry.get("role", "")).strip().lower())
    except ValueError:
        raise RoleMapError(f"{where} needs a role: one of "
                           f"{', '.join(r.value for r in Role)}.") from None
    scope = Scope(wards=_codes(entry, "wards", where), agencies=_codes(entry, "agencies", where))
    if scope.agencies:
        unknown_agencies = set(scope.agencies) - set(AGENCY_LABELS)
        if unknown_agencies:
            raise RoleMapError(f"{where} names unknown agencies: "
                               f"{', '.join(sorted(unknown_agencies))} (known: "
                               f"{', '.join(AGENCY_LABELS)}).")
    return role, scope


def _codes(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    if key not in entry:
        return None
    value = entry[key]
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, str) and v.strip() for v in value)):
        raise RoleMapError(f"{where}: '{key}' must be a non-empty list of codes (leave it out "
                           f"for all {key}).")
    return tuple(v.strip() for v in value)


def _person(entry: Mapping[str, Any], n: int) -> Grant:
    where = f"People entry {n}"
    role, scope = _common(entry, where, PERSON_KEYS)
    email, subject, issuer = entry.get("email"), entry.get("subject"), entry.get("issuer")
    if subject is not None:
        if not (isinstance(subject, str) and subject and isinstance(issuer, str) and issuer):
            raise RoleMapError(f"{where}: a 'subject' needs its 'issuer' too.")
    elif not (isinstance(email, str) and "@" in email):
        raise RoleMapError(f"{where} needs an 'email', or an 'issuer' and 'subject'.")
    return Grant(role=role, scope=scope, issuer=issuer if subject else None, subject=subject,
                 email=_norm_email(email) if isinstance(email, str) else None)


def _group(entry: Mapping[str, Any], n: int) -> Grant:
    where = f"Groups entry {n}"
    role, scope = _common(entry, where, GROUP_KEYS)
    group = entry.get("group")
    if not isinstance(group, str) or not group.strip():
        raise RoleMapError(f"{where} needs a 'group': the value of the group claim.")
    return Grant(role=role, scope=scope, group=group.strip())


def load_role_map(path: str | Path) -> RoleMap:
    """Read a role map from a .toml or .json file; RoleMapError (without the contents) if unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RoleMapError(f"The role map file cannot be read ({error.strerror or error}).") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise RoleMapError(f"The role map is not valid {path.suffix.lstrip('.').upper() or 'TOML'}"
                           f": {error}") from None
    return parse_role_map(data)


def resolve(identity: Identity, role_map: RoleMap) -> Access | None:
    """The Access the role map gives this identity, or None for someone it does not list.

    The most specific entry wins: one pinned to the issuer and subject, then one for the
    (verified) e-mail, then the groups, where the least powerful matching role applies (the
    first listed among equals), so membership of an extra group never widens anyone's access.
    """
    if role_map.issuers and identity.issuer not in role_map.issuers:
        return None
    grant = next((g for g in role_map.people
                  if g.subject and (g.issuer, g.subject) == (identity.issuer, identity.subject)),
                 None)
    if grant is None and identity.email and identity.email_verified is not False:
        grant = next((g for g in role_map.people if not g.subject and g.email == identity.email),
                     None)
    if grant is None:
        matches = [g for g in role_map.groups if g.group in identity.groups]
        if matches:
            order = list(Role)
            grant = min(matches, key=lambda g: order.index(g.role))
    if grant is None:
        return None
    return Access(role=grant.role, scope=grant.scope, user_id=identity.user_id,
                  user_label=identity.label)


# --- settings ---------------------------------------------------------------------------------

ROLE_MAP_ENV = "SAFEGUARDING_ROLE_MAP"
REQUIRE_SIGN_IN_ENV = "SAFEGUARDING_REQUIRE_SIGN_IN"
IDLE_MINUTES_ENV = "SAFEGUARDING_IDLE_MINUTES"
SESSION_HOURS_ENV = "SAFEGUARDING_SESSION_HOURS"
DEFAULT_IDLE = timedelta(minutes=30)
DEFAULT_ABSOLUTE = timedelta(hours=12)
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class SessionLimits:
    """How long a signed-in session may last: without activity, and in all."""

    idle: timedelta = DEFAULT_IDLE
    absolute: timedelta = DEFAULT_ABSOLUTE


@dataclass(frozen=True)
class AccessSettings:
    """The deployment's access settings, from the environment and [access] in secrets."""

    role_map: Path | None = None
    require_sign_in: bool = False
    limits: SessionLimits = field(default_factory=SessionLimits)


class SettingsError(ValueError):
    """An access setting has a value the app cannot use; the message names it."""


def settings_from(env: Mapping[str, str], section: Mapping[str, Any] | None) -> AccessSettings:
    """Read the settings: an environment variable wins over [access] in secrets, except that
    either one can forbid local mode (the stricter setting holds)."""
    section = section or {}
    role_map = env.get(ROLE_MAP_ENV) or section.get("role_map")
    require = _flag(env.get(REQUIRE_SIGN_IN_ENV), REQUIRE_SIGN_IN_ENV) or _flag(
        section.get("require_sign_in"), "[access] require_sign_in")
    idle = _positive(env.get(IDLE_MINUTES_ENV) or section.get("idle_minutes"),
                     "the inactivity timeout in minutes", DEFAULT_IDLE / timedelta(minutes=1))
    hours = _positive(env.get(SESSION_HOURS_ENV) or section.get("session_hours"),
                      "the session limit in hours", DEFAULT_ABSOLUTE / timedelta(hours=1))
    return AccessSettings(
        role_map=Path(os.path.expanduser(str(role_map))) if role_map else None,
        require_sign_in=require,
        limits=SessionLimits(idle=timedelta(minutes=idle), absolute=timedelta(hours=hours)),
    )


def _flag(value: Any, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false, not {str(value)[:20]!r}.")


def _positive(value: Any, what: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise SettingsError(f"{what.capitalize()} must be a positive number, not "
                            f"{str(value)[:20]!r}.")
    return number


# --- session limits ---------------------------------------------------------------------------

IDLE = "idle"
ABSOLUTE = "absolute"
SIGNED_OUT = "signed out"


def session_end(signed_in_at: datetime, last_active: datetime, now: datetime,
                limits: SessionLimits) -> str | None:
    """Why a session must end now (ABSOLUTE, then IDLE), or None while it may go on.

    Both limits are reached at exactly their length: 30 minutes idle ends a 30-minute limit.
    """
    if now - signed_in_at >= limits.absolute:
        return ABSOLUTE
    if now - last_active >= limits.idle:
        return IDLE
    return None


def end_message(reason: str, limits: SessionLimits) -> str:
    """The sentence a signed-out user reads, with the configured limits in words."""
    if reason == ABSOLUTE:
        return (f"You were signed out because {_duration(limits.absolute)} have passed since you "
                "signed in. Sign in again to carry on.")
    if reason == IDLE:
        return (f"You were signed out after {_duration(limits.idle)} without activity. Sign in "
                "again to carry on.")
    return "You have signed out."


def limits_sentence(limits: SessionLimits) -> str:
    """'Sessions end after 30 minutes without activity, and 12 hours after signing in.'"""
    return (f"For safety, the dashboard signs you out after {_duration(limits.idle)} without "
            f"activity, and {_duration(limits.absolute)} after you sign in.")


def _duration(span: timedelta) -> str:
    minutes = round(span / timedelta(minutes=1))
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def signed_in_at(claims: Mapping[str, Any], now: datetime) -> datetime | None:
    """When the ID token was issued (the 'iat' claim, in UTC), never later than now."""
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return None
    try:
        at = datetime.fromtimestamp(iat, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    return min(at, now)


def utc_now() -> datetime:
    """Now in UTC without a zone, as the database stores times."""
    return datetime.now(UTC).replace(tzinfo=None)
