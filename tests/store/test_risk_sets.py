"""Counts by risk type from each row's set of risk types equal counts of every unnested type."""

import pytest

from analytics.store.risk_sets import by_risk_type

ROWS = ("SELECT ward_code, risk_bits, risks, occurred_at >= TIMESTAMP '2025-06-01' AS late "
        "FROM incident_facts")
SUMS = {"n": "count(*)", "late_n": "count(*) FILTER (WHERE late)"}


def by_sets(store, keys: list[str]) -> list[tuple]:
    key = "".join(f"{k}, " for k in keys)
    return store.cursor().execute(
        f"SELECT {key}risk_type, n, late_n FROM ({by_risk_type(ROWS, keys, SUMS)}) "
        "ORDER BY ALL").fetchall()


def unnested(store, keys: list[str]) -> list[tuple]:
    key = "".join(f"{k}, " for k in keys)
    return store.cursor().execute(
        f"SELECT {key}risk_type, count(*), count(*) FILTER (WHERE late) FROM "
        f"(SELECT *, unnest(risks) AS risk_type FROM ({ROWS})) GROUP BY ALL ORDER BY ALL"
    ).fetchall()


@pytest.mark.parametrize("keys", [[], ["ward_code"]])
def test_each_risk_type_counts_every_row_that_carries_it(tiny, keys):
    counted = by_sets(tiny, keys)
    assert counted == unnested(tiny, keys)
    # The tiny borough by hand: cse on I01, I02 (Alder Park, W1) and I07 (Cedar Court, W3).
    if not keys:
        assert ("cse", 3, 0) in counted


@pytest.mark.parametrize("keys", [[], ["ward_code"]])
def test_rows_with_codes_past_the_64th_are_counted_from_their_lists(tiny, keys):
    with tiny.transaction() as cur:  # I01 gains 70 more codes: its row has no bits
        cur.executemany("INSERT INTO incident_risks (incident_id, risk_type) VALUES ('I01', ?)",
                        [(f"zz_{n:02d}",) for n in range(70)])
    counted = by_sets(tiny, keys)
    assert counted == unnested(tiny, keys)
    assert ("zz_69", 1, 0) in counted or ("W1", "zz_69", 1, 0) in counted


def test_a_name_that_is_not_plain_sql_is_refused():
    with pytest.raises(ValueError, match="plain SQL name"):
        by_risk_type(ROWS, ["ward_code; DROP TABLE incidents"], SUMS)
    with pytest.raises(ValueError, match="plain SQL name"):
        by_risk_type(ROWS, [], {"n) FROM x; --": "count(*)"})
