"""Counts by risk type from each row's set of risk types, opened after counting.

An incident carries one or more risk types: in the derived tables (analytics/store/derived.py)
as a list, `risks`, and as bits, `risk_bits`. Counting incidents by risk type used to unnest
every list, a row per incident and risk type (1.3 million rows for the last 12 months at a
million incidents), and group those. `by_risk_type` groups the rows by their keys and their set
of risk types first (a few hundred sets at most for each key), then adds each set's counts to
each of its types, joining the sets with `risk_codes` on their bits: the same counts from far
fewer rows (the Overview's risk-type changes, 15 to 7 ms). A row with a code past the 64th has
no bits, and its list is unnested as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analytics.store.filters import plain_names


def by_risk_type(rows: str, keys: Sequence[str], sums: Mapping[str, str]) -> str:
    """SQL: one row per value of `keys` and risk type (`risk_type`), with each of `sums` taken
    over the rows of the SELECT `rows` that carry that risk type.

    `rows` yields the `keys` as columns, with `risk_bits` and `risks`. `sums` maps a column
    name to an aggregate that adds up over rows (count(*), count(*) FILTER (WHERE now), a sum),
    written in code: a count of distinct things does not add up, and cannot be taken this way.
    Every name is a plain SQL name written in code. Incidents of each ward and risk type:

        by_risk_type("SELECT ward_code, risk_bits, risks FROM incident_facts i WHERE ...",
                     ["ward_code"], {"n": "count(*)"})
    """
    plain_names(*keys, *sums)
    key = "".join(f"{k}, " for k in keys)
    each = ", ".join(f"{sql} AS {name}" for name, sql in sums.items())
    return f"""
        WITH rs_rows AS ({rows}),
        rs_sets AS (SELECT {key}risk_bits, {each} FROM rs_rows
                    WHERE risk_bits IS NOT NULL GROUP BY ALL),
        rs_types AS (SELECT {"".join(f"s.{k}, " for k in keys)}c.code AS risk_type,
                            {", ".join(f"s.{name}" for name in sums)}
                     FROM rs_sets s JOIN risk_codes c
                       ON c.bit < 64 AND (s.risk_bits >> c.bit) & 1 = 1
                     UNION ALL BY NAME
                     SELECT {key}risk_type, {each}
                     FROM (SELECT *, unnest(risks) AS risk_type FROM rs_rows
                           WHERE risk_bits IS NULL)
                     GROUP BY ALL)
        SELECT {key}risk_type, {", ".join(f"sum({name})::BIGINT AS {name}" for name in sums)}
        FROM rs_types GROUP BY ALL"""
