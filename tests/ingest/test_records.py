"""Incident records: the right rows for analysts, and nothing at all for anyone else."""

from dataclasses import replace

import pytest

from analytics.governance.access import Access, Role, Scope
from analytics.ingest import records
from tests.conftest import YEAR_2025

ANALYST = Access(Role.ANALYST)


def test_records_list_the_periods_incidents_newest_first(tiny):
    found = records.incident_records(tiny.cursor(), YEAR_2025, access=ANALYST)
    assert found.total == 10 and not found.truncated
    assert found.rows.incident_id.tolist() == [f"I{n:02d}" for n in (10, 9, 8, 7, 6, 5, 4, 3, 2,
                                                                      1)]


def test_a_record_reads_in_plain_words_and_counts_young_people_without_naming_them(tiny):
    found = records.incident_records(tiny.cursor(), YEAR_2025, access=ANALYST)
    table = records.records_table(found.rows)
    first = table.iloc[0].to_dict()
    assert first == {"Incident": "I10", "When": "19 December 2025 15:00", "Ward": "Birch",
                     "Place": "Birch Station", "Type of place": "Transport hub",
                     "Agency": "Police", "Severity": "High",
                     "Risk types": "Gang involvement, Serious youth violence", "Young people": 2}
    online = table[table.Incident == "I09"].iloc[0]
    assert (online.Ward, online.Place) == ("Not known", "Group chat")
    assert not any("P" in str(v) and str(v)[1:].isdigit() for v in table.to_numpy().ravel())


def test_a_record_with_no_place_type_or_agency_leaves_them_blank(tiny):
    with tiny.transaction() as cur:  # I10: no context type and no agency recorded
        cur.execute("UPDATE incidents SET location_type = NULL, source_agency = NULL, "
                    "context_id = NULL WHERE incident_id = 'I10'")
    found = records.incident_records(tiny.cursor(), YEAR_2025, access=ANALYST)
    row = records.records_table(found.rows).set_index("Incident").loc["I10"]
    assert (row["Type of place"], row["Agency"]) == ("", "")


def test_records_follow_the_filters_and_the_limit(tiny):
    found = records.incident_records(tiny.cursor(), replace(YEAR_2025, risk_types=("cse",)),
                                     access=ANALYST)
    assert found.rows.incident_id.tolist() == ["I02", "I01"]
    capped = records.incident_records(tiny.cursor(), YEAR_2025, limit=3, access=ANALYST)
    assert (capped.total, len(capped.rows), capped.truncated) == (10, 3, True)
    with pytest.raises(ValueError):
        records.incident_records(tiny.cursor(), YEAR_2025, limit=0, access=ANALYST)


def test_an_analyst_limited_to_a_ward_gets_only_its_records_even_calling_directly(tiny):
    found = records.incident_records(tiny.cursor(), YEAR_2025,
                                     access=Access(Role.ANALYST, Scope(wards=("W3",))))
    assert found.rows.incident_id.tolist() == ["I08", "I07"]


@pytest.mark.parametrize("access", [None, Access(Role.BOARD), Access(Role.LEAD)])
def test_board_and_lead_and_nobody_get_no_records(tiny, access):
    with pytest.raises(PermissionError):
        records.incident_records(tiny.cursor(), YEAR_2025, access=access)


def test_an_empty_selection_has_no_records(tiny):
    found = records.incident_records(tiny.cursor(), replace(YEAR_2025, wards=("NOPE",)),
                                     access=ANALYST)
    assert found.total == 0 and found.rows.empty
    assert records.records_table(found.rows).empty
