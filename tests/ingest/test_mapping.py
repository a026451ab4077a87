"""Column mapping, saved profiles, the incidents template and its data dictionary."""

import io

import pandas as pd

from analytics.ingest import mapping
from analytics.ingest.mapping import (
    Mapping,
    auto_mapping,
    find_profile,
    missing_required,
    save_profile,
)
from analytics.store.store import Store


def test_template_headers_map_themselves_whatever_their_case_or_spacing():
    m = auto_mapping("incidents", ("INCIDENT ID", "Occurred At", "risk-types", "Young people"))
    assert m.source("incident_id") == "INCIDENT ID"
    assert m.source("occurred_at") == "Occurred At"
    assert m.source("risk_types") == "risk-types"
    assert m.source("person_ids") == "Young people"
    assert missing_required(m) == []


def test_a_foreign_header_leaves_required_fields_to_map_by_hand():
    m = auto_mapping("incidents", ("Ref", "Date of concern", "Category"))
    assert [f.name for f in missing_required(m)] == ["occurred_at", "risk_types"]
    m = m.with_columns({"occurred_at": "Date of concern", "risk_types": "Category"})
    assert missing_required(m) == []


def test_one_source_column_never_feeds_two_fields():
    m = auto_mapping("incidents", ("id",))
    assert dict(m.columns) == {"incident_id": "id"}


def test_a_mapping_round_trips_through_json_with_its_code_map():
    m = Mapping("incidents", (("incident_id", "Ref"),)).with_codes("risk_types", {"CE": "cce"})
    again = Mapping.from_json(m.to_json())
    assert again == m and again.code_map("risk_types") == {"CE": "cce"}


def test_a_saved_profile_is_offered_again_for_the_same_header_only():
    store = Store()
    header = ("Ref", "Date of concern", "Category")
    m = auto_mapping("incidents", header).with_columns(
        {"occurred_at": "Date of concern", "risk_types": "Category"})
    save_profile(store.cursor(), "Children's services monthly", m, header, "ana")
    assert find_profile(store.cursor(), ("ref", "date_of_concern", "CATEGORY")) == (
        "Children's services monthly", m)
    assert find_profile(store.cursor(), ("Ref", "Category")) is None
    assert mapping.profiles(store.cursor())["name"].tolist() == ["Children's services monthly"]


def test_saving_a_profile_does_not_change_the_data_version():
    store = Store()
    before = store.data_version()
    save_profile(store.cursor(), "p", Mapping("contexts"), ("a",), "ana")
    assert store.data_version() == before


def test_the_template_has_every_field_and_one_example_row_that_loads():
    from analytics.ingest import ingest

    frame = pd.read_csv(io.BytesIO(mapping.template_csv()), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [f.name for f in mapping.FIELDS["incidents"]]
    assert len(frame) == 1
    staged = ingest.read(Store(), mapping.template_csv(), "template.csv")
    assert staged.ok and staged.kind == "incidents"
    assert staged.counts.valid == 1, staged.first_problems()


def test_the_data_dictionary_lists_allowed_codes_for_coded_fields():
    d = mapping.data_dictionary()
    risk = d.set_index("column").loc["risk_types"]
    assert risk["required"] == "yes" and "cse (Sexual exploitation)" in risk["allowed values"]
    assert d.set_index("column").loc["severity", "allowed values"] == "1 (Low); 2 (Medium); 3 (High)"
