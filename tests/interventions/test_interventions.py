"""The interventions register: reading it under filters, adding and ending with clear refusals."""

from datetime import date

import pytest

from analytics.interventions import interventions
from analytics.interventions.interventions import (
    InterventionError,
    add_intervention,
    end_intervention,
)
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.peers_borough import ANALYST, BOARD_MEMBER, seed_impact

ALL = Filters(period="all")


@pytest.fixture
def store() -> Store:
    s = Store()
    seed_impact(s)
    return s


def rows(store: Store) -> int:
    return store.cursor().execute("SELECT count(*) FROM interventions").fetchone()[0]


def test_the_register_lists_loaded_interventions_with_labels(store):
    reg = interventions.register(store.cursor(), ALL).set_index("intervention_id")
    assert reg.loc["INT-1", "label"] == "Detached youth work at Alder Park"
    assert reg.loc["INT-1", "lead_label"] == "Youth services"
    assert reg.loc["INT-1", "source"] == "impact.csv"
    assert reg.loc["INT-2", "ward_name"] == "Cedar"
    assert reg.loc["INT-1", "started_on"] == date(2024, 7, 1) and reg.loc["INT-1", "ended_on"] is None
    # where its place is, for the map
    assert reg.loc["INT-1", ["lat", "lon"]].notna().all()


def test_an_intervention_with_no_type_recorded_is_called_an_intervention(store):
    store.cursor().execute("UPDATE interventions SET intervention_type = NULL "
                           "WHERE intervention_id = 'INT-1'")
    reg = interventions.register(store.cursor(), ALL).set_index("intervention_id")
    assert reg.loc["INT-1", "label"] == "Intervention at Alder Park"


def test_the_register_follows_ward_type_and_period(store):
    cur = store.cursor()
    assert interventions.register(cur, Filters(wards=("W1",), period="all"))[
        "intervention_id"].tolist() == ["INT-1"]
    assert interventions.register(cur, Filters(context_types=("takeaway",), period="all")).empty
    before = Filters(start=date(2023, 1, 1), end=date(2024, 6, 30), period="custom")
    assert interventions.register(cur, before).empty
    end_intervention(store, "INT-2", date(2024, 9, 30), access=ANALYST)
    later = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")
    assert interventions.register(store.cursor(), later)["intervention_id"].tolist() == ["INT-1"]


def test_adding_records_the_intervention_in_one_load(store):
    version = store.data_version()
    new_id = add_intervention(store, access=ANALYST, context_id="T2",
                              intervention_type="  Licensing action ",
                              started_on=date(2025, 3, 1), lead_agency="police",
                              partners=("health", "education", "health"),
                              description="Review of the premises licence.")
    assert new_id == "DASH-0001" and store.data_version() == version + 1
    row = interventions.register(store.cursor(), ALL).set_index("intervention_id").loc[new_id]
    assert row["intervention_type"] == "Licensing action"
    assert row["ward_code"] == "W2"  # taken from the place
    assert row["partners"] == "health;education"
    assert row["partner_labels"] == "Health, Education"
    assert row["source"] == interventions.DASHBOARD_SOURCE
    second = add_intervention(store, access=ANALYST, context_id="T3",
                              intervention_type="Patrols",
                              started_on=date(2025, 4, 1))
    assert second == "DASH-0002"


@pytest.mark.parametrize(("changes", "message"), [
    ({"context_id": "NOPE"}, "There is no place with the id 'NOPE'"),
    ({"context_id": None}, "Choose the place where the intervention is."),
    ({"intervention_type": ""}, "the type is blank"),
    ({"intervention_type": "   "}, "the type is blank"),
    ({"intervention_type": "x" * 81}, "Keep the type to 80 characters or fewer"),
    ({"ended_on": date(2025, 2, 28)},
     "The end date (28 February 2025) is before the start date (1 March 2025)."),
    ({"started_on": None}, "Give the date the intervention started."),
    ({"lead_agency": "army"}, "The lead agency 'army' is not one we know"),
    ({"partners": ("police", "army")}, "Partner 'army' is not an agency we know."),
    ({"description": "x" * 1001}, "The description is 1,001 characters long"),
    ({"intervention_type": "Patrols \u202e"}, "The type 'Patrols <U+202E>' holds an invisible "
                                               "control character (U+202E)"),
    ({"intervention_type": "???"}, "The type '???' is only punctuation"),
    ({"description": "Meets at \x1b[2J"}, "The description 'Meets at <U+001B>[2J' holds"),
])
def test_a_bad_intervention_is_refused_with_a_clear_reason_and_nothing_written(
        store, changes, message):
    args = {"context_id": "T2", "intervention_type": "Patrols", "started_on": date(2025, 3, 1)}
    version, before = store.data_version(), rows(store)
    with pytest.raises(InterventionError) as refused:
        add_intervention(store, access=ANALYST, **{**args, **changes})
    assert message in str(refused.value)
    assert store.data_version() == version and rows(store) == before


def test_an_intervention_may_end_on_the_day_it_started(store):
    new_id = add_intervention(store, access=ANALYST, context_id="T2",
                              intervention_type="One-day event",
                              started_on=date(2025, 3, 1), ended_on=date(2025, 3, 1))
    assert interventions.register(store.cursor(), ALL).set_index(
        "intervention_id").loc[new_id, "ended_on"] == date(2025, 3, 1)


def test_ending_records_the_date(store):
    version = store.data_version()
    end_intervention(store, "INT-1", date(2025, 6, 30), access=ANALYST)
    assert store.data_version() == version + 1
    reg = interventions.register(store.cursor(), ALL).set_index("intervention_id")
    assert reg.loc["INT-1", "ended_on"] == date(2025, 6, 30)


@pytest.mark.parametrize(("which", "ended", "message"), [
    ("NOPE", date(2025, 6, 30), "There is no intervention with the id 'NOPE'."),
    ("INT-1", date(2024, 6, 30),
     "The end date (30 June 2024) is before the start date (1 July 2024)."),
    ("INT-1", None, "Give the date the intervention ended."),
])
def test_a_bad_end_is_refused_with_a_clear_reason(store, which, ended, message):
    version = store.data_version()
    with pytest.raises(InterventionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        end_intervention(store, which, ended, access=ANALYST)
    assert store.data_version() == version


def test_an_intervention_cannot_end_twice(store):
    end_intervention(store, "INT-1", date(2025, 6, 30), access=ANALYST)
    with pytest.raises(InterventionError, match="already ended on 30 June 2025"):
        end_intervention(store, "INT-1", date(2025, 7, 31), access=ANALYST)


def test_places_are_offered_by_name_type_and_ward(store):
    places = interventions.places(store.cursor(), ALL).set_index("context_id")
    assert places.loc["P0", "label"] == "Alder Park (Park or open space, Alder)"
    assert len(places) == 18


def test_the_register_table_says_dates_in_words(store):
    table = interventions.register_table(interventions.register(store.cursor(), ALL))
    assert set(table["Began"]) == {"1 July 2024"} and set(table["Ended"]) == {"still running"}


def audit_rows(store: Store):
    return store.query("SELECT user_id, role, action, object, outcome FROM audit_log ORDER BY seq")


def test_adding_and_ending_are_written_to_the_audit_log(store):
    new_id = add_intervention(store, access=ANALYST, context_id="T2", intervention_type="Patrols",
                              started_on=date(2025, 3, 1))
    end_intervention(store, new_id, date(2025, 9, 30), access=ANALYST)
    log = audit_rows(store)
    assert log["action"].tolist() == ["intervention added", "intervention ended"]
    assert log["object"].tolist() == [f"{new_id}: Patrols at T2 from 2025-03-01",
                                      f"{new_id}: ended 2025-09-30"]
    assert set(log["outcome"]) == {"done"} and set(log["user_id"]) == {"tester"}


def test_a_role_that_may_not_is_refused_and_the_refusal_logged(store):
    version, before = store.data_version(), rows(store)
    with pytest.raises(PermissionError, match="board member"):
        add_intervention(store, access=BOARD_MEMBER, context_id="T2",
                         intervention_type="Patrols", started_on=date(2025, 3, 1))
    with pytest.raises(PermissionError):
        end_intervention(store, "INT-1", date(2025, 9, 30), access=BOARD_MEMBER)
    assert store.data_version() == version and rows(store) == before
    log = audit_rows(store)
    assert log["outcome"].str.startswith("refused: ").all() and set(log["role"]) == {"board"}
    assert log["object"].tolist() == ["T2", "INT-1"]


def test_a_failed_check_is_not_logged_as_done(store):
    with pytest.raises(InterventionError):
        add_intervention(store, access=ANALYST, context_id="NOPE", intervention_type="Patrols",
                         started_on=date(2025, 3, 1))
    assert audit_rows(store).empty
