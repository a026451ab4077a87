"""Role rules, views, scope, identities, the role map, settings and session limits (no Streamlit)."""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.governance import access as ac
from analytics.governance.access import (
    Access,
    Identity,
    Permission,
    Role,
    RoleMapError,
    Scope,
    SessionLimits,
    SettingsError,
)
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.conftest import YEAR_2025, seed_tiny

P = Permission
B, L, A, D = Role.BOARD, Role.LEAD, Role.ANALYST, Role.ADMIN

# --- the permission table, written out by hand: change a rule, change this table ---------------

EXPECTED_PERMISSIONS = {
    #                  board  lead   analyst admin
    P.AGGREGATES:     (True,  True,  True,   True),
    P.ROWS:           (False, False, True,   True),
    P.UPLOAD:         (False, False, True,   True),
    P.INTERVENTIONS:  (False, False, True,   True),
    P.EXPORT:         (False, True,  True,   True),
    P.AUDIT:          (False, False, False,  True),
}

EXPECTED_PAGES = {
    #                  board  lead   analyst admin
    "overview":       (True,  True,  True,   True),
    "trends":         (True,  True,  True,   True),
    "overlap":        (True,  True,  True,   True),
    "places":         (True,  True,  True,   True),
    "contexts":       (True,  True,  True,   True),
    "peers":          (True,  True,  True,   True),
    "interventions":  (True,  True,  True,   True),
    "present":        (True,  True,  True,   True),
    "records":        (False, False, True,   True),
    "data":           (True,  True,  True,   True),   # history for all; loading needs UPLOAD
    "audit":          (False, False, False,  True),
    "glossary":       (True,  True,  True,   True),
    "a_page_not_listed_yet": (True, True, True, True),
}

EXPECTED_ACTIONS = {
    #                       board  lead   analyst admin
    "sign-in":             (True,  True,  True,   True),
    "sign-out":            (True,  True,  True,   True),
    "load":                (False, False, True,   True),
    "rollback":            (False, False, True,   True),
    "mapping saved":       (False, False, True,   True),
    "export":              (False, True,  True,   True),
    "rows viewed":         (False, False, True,   True),
    "board pack":          (True,  True,  True,   True),
    "intervention added":  (False, False, True,   True),
    "intervention ended":  (False, False, True,   True),
}

ROLES = (B, L, A, D)


def _cases(table):
    return [(key, role, allowed) for key, row in table.items() for role, allowed in zip(ROLES, row,
                                                                                          strict=True)]


@pytest.mark.parametrize(("permission", "role", "allowed"), _cases(EXPECTED_PERMISSIONS))
def test_each_role_has_exactly_the_permissions_of_the_table(permission, role, allowed):
    assert Access(role).may(permission) is allowed
    if allowed:
        ac.require(Access(role), permission)
    else:
        with pytest.raises(PermissionError, match=permission.value):
            ac.require(Access(role), permission)


@pytest.mark.parametrize(("page", "role", "allowed"), _cases(EXPECTED_PAGES))
def test_each_role_opens_exactly_the_pages_of_the_table(page, role, allowed):
    assert ac.may_open(Access(role), page) is allowed


@pytest.mark.parametrize(("action", "role", "allowed"), _cases(EXPECTED_ACTIONS))
def test_each_role_may_take_exactly_the_actions_of_the_table(action, role, allowed):
    needed = ac.ACTION_PERMISSIONS[action]
    assert (needed is None or Access(role).may(needed)) is allowed


def test_the_tables_cover_every_permission_action_and_listed_page():
    assert set(EXPECTED_PERMISSIONS) == set(Permission)
    assert set(EXPECTED_ACTIONS) == set(ac.ACTION_PERMISSIONS)
    assert set(ac.PAGE_PERMISSIONS) <= set(EXPECTED_PAGES)


def test_every_page_in_the_pages_folder_has_a_rule_in_the_table():
    from pathlib import Path

    pages = {p.stem for p in (Path(__file__).parent.parent.parent / "pages").glob("*.py")}
    assert pages <= set(ac.PAGE_PERMISSIONS), pages - set(ac.PAGE_PERMISSIONS)


def test_require_without_anyone_signed_in_refuses_in_plain_words():
    with pytest.raises(PermissionError, match="Only a signed-in user"):
        ac.require(None, P.AGGREGATES)


def test_a_refusal_names_the_role_and_what_it_may_not_do():
    with pytest.raises(PermissionError) as caught:
        ac.require(Access(B), P.ROWS)
    assert str(caught.value).startswith(
        "Your role (board member) may not see individual incidents or young people.")


# --- views cannot be escalated --------------------------------------------------------------

@pytest.mark.parametrize(("role", "views"), [
    (B, ("board",)), (L, ("board", "lead")), (A, ("board", "lead", "analyst")),
    (D, ("board", "lead", "analyst")),
])
def test_allowed_views_run_from_board_up_to_the_roles_own(role, views):
    assert ac.allowed_views(Access(role)) == views


@pytest.mark.parametrize(("role", "requested", "effective"), [
    (B, "analyst", "board"), (B, "lead", "board"), (B, "board", "board"),
    (L, "analyst", "lead"), (L, "board", "board"), (L, "lead", "lead"),
    (A, "analyst", "analyst"), (A, "board", "board"), (D, "lead", "lead"),
    (A, "presenter", "board"), (A, None, "board"), (D, "ANALYST", "board"),
    (D, "analyst'; DROP TABLE incidents;--", "board"),
])
def test_the_effective_view_is_the_more_protective_of_role_and_request(role, requested,
                                                                       effective):
    assert ac.effective_view(Access(role), requested) == effective


@given(role=st.sampled_from(ROLES), requested=st.one_of(st.none(), st.text(max_size=12),
                                                         st.sampled_from(ac.VIEW_ORDER)))
def test_no_request_ever_gives_a_view_wider_than_the_roles(role, requested):
    view = ac.effective_view(Access(role), requested)
    assert view in ac.allowed_views(Access(role))


@pytest.mark.parametrize(("view", "role"), [("board", B), ("lead", L), ("analyst", D),
                                            ("nonsense", B)])
def test_local_mode_takes_its_role_from_the_chosen_view(view, role):
    local = ac.local_access(view, "sam")
    assert (local.role, local.local, local.user_id, local.user_label) == (role, True, "local",
                                                                          "sam")


# --- scope: the one function every query passes through -------------------------------------

W12 = Access(L, Scope(wards=("W1", "W2")))


def test_scoped_leaves_an_unlimited_users_filters_alone():
    assert ac.scoped(YEAR_2025, Access(A)) == YEAR_2025


def test_scoped_adds_the_scope_apart_from_the_users_choices():
    out = ac.scoped(replace(YEAR_2025, wards=("W3",)), W12)
    assert out.wards == ("W3",) and out.within_wards == ("W1", "W2")
    assert out.within_agencies is None


def test_asking_for_a_ward_outside_the_scope_gets_nothing_of_it(tiny):
    asked = ac.scoped(replace(YEAR_2025, wards=("W3",)), W12)
    p = asked.predicate("i")
    assert tiny.query(f"SELECT count(*) AS n FROM incidents i WHERE {p.sql}", p.params).n[0] == 0


def test_a_scoped_user_sees_only_their_wards_and_no_incident_without_a_ward(tiny):
    p = ac.scoped(YEAR_2025, W12).predicate("i")
    wards = tiny.query(f"SELECT DISTINCT ward_code FROM incidents i WHERE {p.sql}", p.params)
    assert sorted(wards.ward_code) == ["W1", "W2"]


def test_an_analysis_that_widens_the_wards_stays_within_the_scope(tiny):
    widened = replace(ac.scoped(replace(YEAR_2025, wards=("W1",)), W12), wards=())
    p = widened.predicate("i")
    n = tiny.query(f"SELECT count(*) AS n FROM incidents i WHERE {p.sql}", p.params).n[0]
    assert n == 7  # W1 and W2 in 2025, not the whole borough's 10


def test_scope_counts_match_a_hand_count(tiny):
    # 2025 incidents by ward: W1 = I01 I02 I03; W2 = I04 I05 I06 I10; W3 = I07 I08; none = I09.
    for scope, expected in [(("W1",), 3), (("W2",), 4), (("W1", "W2"), 7), (("W3",), 2), ((), 0)]:
        p = ac.scoped(YEAR_2025, Access(L, Scope(wards=scope))).predicate("i")
        n = tiny.query(f"SELECT count(*) AS n FROM incidents i WHERE {p.sql}", p.params).n[0]
        assert n == expected, scope


def test_agency_scope_limits_by_source_agency(tiny):
    p = ac.scoped(YEAR_2025, Access(L, Scope(agencies=("education",)))).predicate("i")
    ids = tiny.query(f"SELECT incident_id FROM incidents i WHERE {p.sql} ORDER BY 1", p.params)
    assert ids.incident_id.tolist() == ["I07", "I08"]


def test_scoping_twice_changes_nothing_and_two_scopes_intersect():
    once = ac.scoped(YEAR_2025, W12)
    assert ac.scoped(once, W12) == once
    narrower = ac.scoped(once, Access(L, Scope(wards=("W2", "W3"))))
    assert narrower.within_wards == ("W2",)


def test_the_scope_is_never_written_into_a_link():
    assert ac.scoped(YEAR_2025, W12).to_query() == YEAR_2025.to_query()


def test_the_scope_is_part_of_the_filters_value_so_of_every_cache_key():
    assert ac.scoped(YEAR_2025, W12) != YEAR_2025
    assert hash(ac.scoped(YEAR_2025, W12)) != hash(ac.scoped(YEAR_2025, Access(L, Scope(("W3",)))))


@pytest.mark.parametrize("hostile", ["W1' OR '1'='1", "W1); DROP TABLE incidents; --", "",
                                     "W1\x00", "ワード", "%", "W1 ", "*"])
def test_hostile_ward_codes_are_only_parameters_and_match_nothing(tiny, hostile):
    for filters in (ac.scoped(replace(YEAR_2025, wards=(hostile,)), W12),
                    ac.scoped(YEAR_2025, Access(L, Scope(wards=(hostile,))))):
        p = filters.predicate("i")
        assert not hostile or hostile not in p.sql
        n = tiny.query(f"SELECT count(*) AS n FROM incidents i WHERE {p.sql}", p.params).n[0]
        assert n == 0
    assert tiny.query("SELECT count(*) AS n FROM incidents").n[0] == 12


@given(asked=st.lists(st.sampled_from(["W1", "W2", "W3", "X"]), max_size=4),
       allowed=st.lists(st.sampled_from(["W1", "W2", "W3", "X"]), max_size=4))
def test_a_scoped_query_never_returns_a_ward_outside_the_scope(asked, allowed):
    store = _tiny_store()
    p = ac.scoped(Filters(wards=tuple(asked)), Access(L, Scope(wards=tuple(allowed)))).predicate()
    seen = set(store.query(f"SELECT DISTINCT ward_code FROM incidents i WHERE {p.sql}",
                           p.params).ward_code)
    assert seen <= set(allowed)
    if asked:
        assert seen <= set(asked)


@functools.cache
def _tiny_store() -> Store:
    """One tiny borough shared by the property test's examples (it only reads)."""
    store = Store()
    seed_tiny(store)
    return store


def test_the_scope_describes_itself_in_words():
    names = {"W1": "Alder", "W2": "Birch"}
    assert Scope().describe() == "all wards and agencies"
    assert Scope(wards=("W2", "W1")).describe(names) == "wards: Alder, Birch"
    assert Scope(agencies=("police",)).describe() == "agencies: Police"
    text = ac.scoped(YEAR_2025, W12).describe(names)
    assert "the wards you may see: Alder, Birch" in text


# --- row-level analyses check the permission themselves -------------------------------------

@ac.requires(P.ROWS)
def _rows(con, filters, limit=5):
    return filters, limit


def test_a_row_level_analysis_refuses_a_caller_who_does_not_say_who_they_are():
    with pytest.raises(PermissionError):
        _rows(None, YEAR_2025)


@pytest.mark.parametrize("role", [B, L])
def test_a_row_level_analysis_refuses_board_and_lead(role):
    with pytest.raises(PermissionError, match="individual incidents"):
        _rows(None, YEAR_2025, access=Access(role))


def test_a_row_level_analysis_narrows_filters_to_the_callers_scope_even_when_called_directly():
    filters, limit = _rows(None, filters=YEAR_2025, access=Access(A, Scope(wards=("W1",))),
                           limit=2)
    assert filters.within_wards == ("W1",) and limit == 2
    assert ac.required_permission(_rows) is P.ROWS
    assert ac.required_permission(ac.scoped) is None


# --- identities ---------------------------------------------------------------------------

CLAIMS = {"iss": "https://login.example/tenant/v2.0", "sub": "abc123", "email": " Bea@Fernley.Example ",
          "name": "Bea Board", "groups": ["g-board", "g-all"], "iat": 1_800_000_000}


def test_an_identity_is_keyed_by_issuer_and_subject_not_email():
    one = ac.identity_from_claims(CLAIMS)
    other = ac.identity_from_claims({**CLAIMS, "email": "someone.else@fernley.example"})
    assert one.user_id == other.user_id == "https://login.example/tenant/v2.0#abc123"
    assert one.email == "bea@fernley.example" and one.label == "Bea Board"
    assert one.groups == ("g-board", "g-all")


@pytest.mark.parametrize("claims", [{}, {"iss": "x"}, {"sub": "y"}, {"iss": "", "sub": "y"},
                                    {"iss": "x", "sub": "  "}, {"iss": 3, "sub": "y"}])
def test_claims_without_issuer_and_subject_are_refused(claims):
    with pytest.raises(ac.IdentityError, match="did not say who you are"):
        ac.identity_from_claims(claims)


def test_a_single_group_string_and_an_alternative_group_claim_are_read():
    assert ac.identity_from_claims({**CLAIMS, "roles": "Dashboard.Lead"}, "roles").groups == (
        "Dashboard.Lead",)
    assert ac.identity_from_claims({"iss": "i", "sub": "s"}).label == "s"


# --- the role map -------------------------------------------------------------------------

ROLE_MAP_TOML = """
issuer = "https://login.example/tenant/v2.0"

[[people]]
email = "Ada@Fernley.example"
role = "admin"

[[people]]
email = "lee@fernley.example"
role = "lead"
wards = ["W1", "W2"]

[[people]]
issuer = "https://login.example/tenant/v2.0"
subject = "pinned-1"
role = "analyst"

[[groups]]
group = "g-analysts"
role = "analyst"

[[groups]]
group = "g-board"
role = "board"
agencies = ["police"]
"""


@pytest.fixture
def role_map(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLE_MAP_TOML)
    return ac.load_role_map(path)


def _who(**claims):
    return ac.identity_from_claims({"iss": "https://login.example/tenant/v2.0", "sub": "s-1",
                                    **claims})


def test_a_listed_email_gets_its_role_case_insensitively(role_map):
    got = ac.resolve(_who(email="ADA@fernley.example", name="Ada"), role_map)
    assert (got.role, got.scope, got.user_label) == (D, Scope(), "Ada")
    assert got.user_id == "https://login.example/tenant/v2.0#s-1"


def test_a_listed_email_carries_its_ward_scope(role_map):
    assert ac.resolve(_who(email="lee@fernley.example"), role_map).scope == Scope(
        wards=("W1", "W2"))


def test_an_unverified_email_is_not_trusted(role_map):
    assert ac.resolve(_who(email="ada@fernley.example", email_verified=False), role_map) is None


def test_a_pinned_subject_wins_over_its_email(role_map):
    got = ac.resolve(_who(sub="pinned-1", email="ada@fernley.example"), role_map)
    assert got.role is A


def test_a_group_member_gets_the_least_powerful_of_their_groups(role_map):
    got = ac.resolve(_who(groups=["g-analysts", "g-board"]), role_map)
    assert (got.role, got.scope) == (B, Scope(agencies=("police",)))
    assert ac.resolve(_who(groups=["g-analysts"]), role_map).role is A


def test_a_person_entry_wins_over_their_groups(role_map):
    assert ac.resolve(_who(email="lee@fernley.example", groups=["g-analysts"]),
                      role_map).role is L


def test_someone_the_map_does_not_list_gets_no_access(role_map):
    assert ac.resolve(_who(email="stranger@fernley.example", groups=["g-other"]),
                      role_map) is None


def test_a_listed_email_from_another_issuer_gets_no_access(role_map):
    other = ac.identity_from_claims({"iss": "https://evil.example", "sub": "s-1",
                                     "email": "ada@fernley.example"})
    assert ac.resolve(other, role_map) is None


def test_a_json_role_map_reads_the_same(tmp_path):
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"people": [{"email": "a@x.org", "role": "Lead",
                                            "agencies": ["police", "health"]}]}))
    got = ac.resolve(ac.identity_from_claims({"iss": "i", "sub": "s", "email": "a@x.org"}),
                     ac.load_role_map(path))
    assert (got.role, got.scope.agencies) == (L, ("health", "police"))


@pytest.mark.parametrize(("data", "message"), [
    ({"people": [{"email": "a@x.org", "role": "boss"}]}, "needs a role"),
    ({"people": [{"email": "a@x.org"}]}, "needs a role"),
    ({"people": [{"email": "a@x.org", "role": "lead", "ward": ["W1"]}]}, "unknown keys: ward"),
    ({"people": [{"email": "a@x.org", "role": "lead", "wards": []}]}, "non-empty list"),
    ({"people": [{"email": "a@x.org", "role": "lead", "wards": "W1"}]}, "non-empty list"),
    ({"people": [{"email": "a@x.org", "role": "lead", "agencies": ["pollice"]}]},
     "unknown agencies: pollice"),
    ({"people": [{"email": "a@x.org", "role": "lead"}, {"email": "A@x.org", "role": "admin"}]},
     "more than once"),
    ({"people": [{"subject": "s", "role": "lead"}]}, "needs its 'issuer'"),
    ({"people": [{"role": "lead"}]}, "needs an 'email'"),
    ({"groups": [{"role": "lead"}]}, "needs a 'group'"),
    ({"people": {"email": "a@x.org"}}, "must be a list"),
    ({"admins": []}, "unknown settings: admins"),
    ({}, "no people and no groups"),
    ({"people": [{"email": "a@x.org", "role": "lead"}], "group_claim": ""}, "group_claim"),
    ([], "must be a table"),
])
def test_a_faulty_role_map_is_refused_with_a_specific_message(data, message):
    with pytest.raises(RoleMapError, match=message):
        ac.parse_role_map(data)


def test_an_unreadable_or_malformed_role_map_file_says_so(tmp_path):
    with pytest.raises(RoleMapError, match="cannot be read"):
        ac.load_role_map(tmp_path / "missing.toml")
    bad = tmp_path / "roles.toml"
    bad.write_text("[[people]\nemail=")
    with pytest.raises(RoleMapError, match="not valid TOML"):
        ac.load_role_map(bad)


# --- settings -----------------------------------------------------------------------------

def test_settings_default_to_local_mode_allowed_and_30_minutes_and_12_hours():
    got = ac.settings_from({}, None)
    assert got == ac.AccessSettings(None, False, SessionLimits(timedelta(minutes=30),
                                                               timedelta(hours=12)))


def test_settings_come_from_secrets_and_the_environment_wins():
    section = {"role_map": "/etc/dash/roles.toml", "idle_minutes": 15, "session_hours": 8}
    got = ac.settings_from({}, section)
    assert (str(got.role_map), got.limits) == ("/etc/dash/roles.toml", SessionLimits(
        timedelta(minutes=15), timedelta(hours=8)))
    env = {ac.ROLE_MAP_ENV: "/srv/roles.json", ac.IDLE_MINUTES_ENV: "5"}
    got = ac.settings_from(env, section)
    assert (str(got.role_map), got.limits.idle) == ("/srv/roles.json", timedelta(minutes=5))


@pytest.mark.parametrize(("env", "section", "required"), [
    ({}, {}, False), ({ac.REQUIRE_SIGN_IN_ENV: "1"}, {}, True),
    ({ac.REQUIRE_SIGN_IN_ENV: "true"}, {}, True), ({}, {"require_sign_in": True}, True),
    ({ac.REQUIRE_SIGN_IN_ENV: "0"}, {"require_sign_in": True}, True),
    ({ac.REQUIRE_SIGN_IN_ENV: "no"}, {"require_sign_in": False}, False),
])
def test_either_setting_can_forbid_local_mode_and_neither_can_undo_the_other(env, section,
                                                                             required):
    assert ac.settings_from(env, section).require_sign_in is required


@pytest.mark.parametrize(("env", "section", "message"), [
    ({ac.REQUIRE_SIGN_IN_ENV: "maybe"}, {}, "must be true or false"),
    ({ac.IDLE_MINUTES_ENV: "0"}, {}, "timeout in minutes must be a positive number"),
    ({ac.IDLE_MINUTES_ENV: "-5"}, {}, "positive number"),
    ({}, {"session_hours": "twelve"}, "session limit in hours must be a positive number"),
    ({}, {"session_hours": "inf"}, "positive number"),
    ({}, {"session_hours": "nan"}, "positive number"),
])
def test_unusable_settings_are_refused_with_the_setting_named(env, section, message):
    with pytest.raises(SettingsError, match=message):
        ac.settings_from(env, section)


# --- session limits -----------------------------------------------------------------------

T0 = datetime(2026, 11, 23, 9, 0)
LIMITS = SessionLimits()


@pytest.mark.parametrize(("since_sign_in", "since_activity", "reason"), [
    (timedelta(0), timedelta(0), None),
    (timedelta(minutes=29, seconds=59), timedelta(minutes=29, seconds=59), None),
    (timedelta(minutes=30), timedelta(minutes=30), ac.IDLE),
    (timedelta(hours=11, minutes=59), timedelta(minutes=1), None),
    (timedelta(hours=12), timedelta(minutes=1), ac.ABSOLUTE),
    (timedelta(hours=13), timedelta(hours=1), ac.ABSOLUTE),
])
def test_a_session_ends_at_exactly_its_idle_or_absolute_limit(since_sign_in, since_activity,
                                                              reason):
    now = T0 + timedelta(hours=20)
    assert ac.session_end(now - since_sign_in, now - since_activity, now, LIMITS) == reason


def test_configured_limits_are_used_and_said_in_words():
    short = SessionLimits(idle=timedelta(minutes=5), absolute=timedelta(hours=1))
    assert ac.session_end(T0, T0, T0 + timedelta(minutes=5), short) == ac.IDLE
    assert ac.end_message(ac.IDLE, short) == (
        "You were signed out after 5 minutes without activity. Sign in again to carry on.")
    assert "1 hour have passed" in ac.end_message(ac.ABSOLUTE, short)
    assert ac.limits_sentence(LIMITS) == (
        "For safety, the dashboard signs you out after 30 minutes without activity, and "
        "12 hours after you sign in.")


def test_the_sign_in_time_comes_from_the_tokens_issue_time():
    now = datetime(2027, 1, 15, 12, 0)
    assert ac.signed_in_at({"iat": 1_800_000_000}, now) == datetime(2027, 1, 15, 8, 0)
    assert ac.signed_in_at({"iat": 1_900_000_000}, now) == now  # a clock ahead: never later
    for claims in ({}, {"iat": "1800000000"}, {"iat": True}, {"iat": 10**20}):
        assert ac.signed_in_at(claims, now) is None


def test_identity_label_falls_back_to_email_then_subject():
    assert Identity("i", "s", email="a@b.c").label == "a@b.c"
    assert Identity("i", "s").label == "s"


def test_the_readme_documents_every_setting_and_role():
    from pathlib import Path

    readme = (Path(__file__).parent.parent.parent / "README.md").read_text()
    section = readme[readme.index("## Deploying with sign-in"):]
    for name in (ac.ROLE_MAP_ENV, ac.REQUIRE_SIGN_IN_ENV, ac.IDLE_MINUTES_ENV,
                 ac.SESSION_HOURS_ENV, "role_map", "require_sign_in", "idle_minutes",
                 "session_hours", "server_metadata_url", "client_id", "client_secret",
                 "redirect_uri", "cookie_secret", *sorted(ac.TOP_KEYS), *sorted(ac.PERSON_KEYS),
                 *sorted(ac.GROUP_KEYS)):
        assert name in section, name
    for role in Role:
        assert f"| `{role.value}` |" in section


def test_the_readmes_example_role_map_is_a_valid_role_map():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).parent.parent.parent / "README.md").read_text()
    section = readme[readme.index("### 3. Write the role map"):]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL).group(1)
    parsed = ac.parse_role_map(tomllib.loads(example))
    assert [g.role for g in parsed.people] == [D, L, A]
    assert parsed.people[1].scope.wards == ("E05013456", "E05013457")
