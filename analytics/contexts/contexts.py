"""Context profiles: what happens at each place, under the global filters, in comparable numbers.

In contextual safeguarding the unit of intervention is the context (a park, a station, a school,
a peer group, an online space), so every measure here is one row per context. Each data need is
one grouped DuckDB query over the filtered incidents; pandas only joins the answers.

Definitions (stated once; the page reads them from here):
- times are UK local time (the store keeps UTC);
- night is 18:00 to 05:59; the weekend is Friday 18:00 to Sunday 23:59;
- a repeat young person was named in two or more incidents at the same place in the period;
- a risk type's share is the share of the place's incidents that carry it (an incident can carry
  several, so shares can add up to more than 1);
- the trend is the Theil–Sen slope of monthly incident counts over the period's months
  (incidents a month, per month), robust to one odd month;
- days since the last incident count from the end of the period, or from the latest incident in
  the data if that is earlier.

Example::

    profiles(store.cursor(), Filters(...))  # one row per context with incidents
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics.governance.disclosure import (
    SECONDARY,
    SUPPRESSED,
    display_count,
    mask_small,
    protect_table,
)
from analytics.store import memo
from analytics.store.filters import Filters, uk_date, uk_month
from analytics.store.reference import data_dates
from analytics.store.sources import place_kind, risk_label, risk_vocabulary
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS, RISK_LABELS, SEVERITY_LABELS

LOCAL_TIME_ZONE = "Europe/London"
NIGHT_START_HOUR, NIGHT_END_HOUR = 18, 6  # night: 18:00 to 05:59
NIGHT_WORDS = "18:00 to 05:59"
WEEKEND_START_HOUR = 18  # the weekend starts on Friday at this hour and runs to Sunday 23:59
WEEKEND_WORDS = "Friday 18:00 to Sunday 23:59"
AREA_CRIME_RADIUS_M = 500  # recorded crime counted within this distance of a place
NEIGHBOUR_RADIUS_M = 1000  # places within this distance are a place's neighbours
EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = 111_320
NO_WARD = "No ward (online or unplaced)"

RISK_COLUMNS: dict[str, str] = {f"risk_{code}": code for code in RISK_LABELS}


def risk_columns_of(source: str) -> dict[str, str]:
    """Profile column -> code of the share of each risk type (crime type, object of search) for
    a source: `RISK_COLUMNS` for incidents."""
    return {f"risk_{code}": code for code in risk_vocabulary(source)}


def risk_columns(prof: pd.DataFrame) -> dict[str, str]:
    """The risk-type share columns of a profile frame, whatever its source: column -> code."""
    return {c: c.removeprefix("risk_") for c in prof.columns if is_risk_column(c)}


def is_risk_column(column: str) -> bool:
    """Whether a profile column is the share of one risk type ('risk_types' counts them)."""
    return column.startswith("risk_") and column != "risk_types"


SEVERITY_COLUMNS: dict[str, int] = {f"severity_{label.lower()}": level
                                    for level, label in SEVERITY_LABELS.items()}

def _selected(filters: Filters) -> tuple[str, dict]:
    """The CTE of filtered incidents at a context, with local time (worked out once per load in
    analytics/store/derived.py, in LOCAL_TIME_ZONE), and its parameters."""
    p = filters.predicate("i", risk_list=True)
    # `at_local` dates a row (UK time; police.uk street crime: its month), `local_at` times it
    # (NULL where the source has no time of day, so night and weekend shares are unknown).
    sql = (f"sel AS (SELECT i.incident_id, i.context_id, i.severity, i.local_at, i.risks, "
           f"i.risk_bits, coalesce(i.local_at, i.occurred_at) AS at_local "
           f"FROM incident_facts i WHERE {p.sql} AND i.context_id IS NOT NULL)")
    return sql, p.params


def _selected_people(filters: Filters) -> tuple[str, dict]:
    """The CTE of (incident, young person) at a context under the filters, and its parameters."""
    p = filters.predicate("i", risk_list=True)
    sql = (f"seen_at AS (SELECT i.incident_id, i.context_id, i.person_no FROM people_facts i "
           f"WHERE {p.sql} AND i.context_id IS NOT NULL)")
    return sql, p.params


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """SQL for the great-circle distance in metres between two (lat, lon) column pairs.

    Arguments are fixed column names or $parameters written in code, never user input.
    """
    return (f"(2 * {EARTH_RADIUS_M} * asin(sqrt("
            f"pow(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians({lat1})) * "
            f"cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))")


def _base(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per context: incidents, young people, repeat young people, night, weekend, severity, last."""
    sel, params = _selected(filters)
    seen_at, _ = _selected_people(filters)
    weekend = (f"(isodow(local_at) IN (6, 7) OR (isodow(local_at) = 5 "
               f"AND hour(local_at) >= {WEEKEND_START_HOUR}))")
    night = f"(hour(local_at) >= {NIGHT_START_HOUR} OR hour(local_at) < {NIGHT_END_HOUR})"
    severity = ",\n".join(f"count(*) FILTER (WHERE severity = {level}) AS {name}"
                          for name, level in SEVERITY_COLUMNS.items())
    return con.execute(
        f"""
        WITH {sel}, {seen_at},
        seen AS (SELECT context_id, person_no, count(*) AS times
                 FROM seen_at GROUP BY ALL),
        people AS (SELECT context_id, count(*) AS young_people,
                          count(*) FILTER (WHERE times > 1) AS repeat_young_people
                   FROM seen GROUP BY ALL),
        inc AS (SELECT context_id, count(*) AS incidents,
                       avg(CASE WHEN local_at IS NULL THEN NULL WHEN {night} THEN 1.0
                                ELSE 0.0 END) AS night_share,
                       avg(CASE WHEN local_at IS NULL THEN NULL WHEN {weekend} THEN 1.0
                                ELSE 0.0 END) AS weekend_share,
                       {severity},
                       max(at_local)::DATE AS last_incident
                FROM sel GROUP BY ALL)
        SELECT inc.context_id, coalesce(c.name, inc.context_id) AS name,
               coalesce(c.context_type, 'other') AS context_type, c.ward_code,
               coalesce(w.ward_name, $no_ward) AS ward_name, c.lat, c.lon,
               inc.* EXCLUDE (context_id),
               coalesce(people.young_people, 0) AS young_people,
               coalesce(people.repeat_young_people, 0) AS repeat_young_people
        FROM inc LEFT JOIN place_facts c USING (context_id)
        LEFT JOIN wards w ON w.ward_code = c.ward_code
        LEFT JOIN people USING (context_id)
        ORDER BY inc.context_id
        """,
        {**params, "no_ward": NO_WARD},
    ).df()


# Each context's row in _base (which is ordered by context_id): the counts below name a context
# by this number, not its id, so that ten thousand ids are neither turned into Python strings
# nor looked up again (0.1 s of a profile at a million incidents).
NUMBERED = ("numbered AS (SELECT context_id, (row_number() OVER (ORDER BY context_id) - 1)::INTEGER"
            " AS row FROM sel GROUP BY context_id)")


def _place_counts(con: duckdb.DuckDBPyConnection, filters: Filters, places: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per context (its row in _base, of `places`): incidents carrying each risk type (a column
    for each type found, in code order), and incidents each month of the period (month_grid),
    from one pass over the selection.

    The selection is counted by place, local calendar month and set of risk types (its bits),
    and the sets are opened here a bit at a time: at a million incidents 120,000 groups instead
    of a row per incident and risk type, and one query instead of two. Rows with a code past
    the 64th have no bits: their lists are read by a second query, only when there are any."""
    sel, params = _selected(filters)
    cube = con.execute(
        f"""
        WITH {sel}, {NUMBERED}
        SELECT row, date_trunc('month', at_local)::DATE AS month, risk_bits AS bits,
               count(*) AS incidents
        FROM sel JOIN numbered USING (context_id) GROUP BY ALL
        """,
        params,
    ).fetchnumpy()
    row, n = cube["row"].astype(np.intp), cube["incidents"]
    bits = np.ma.filled(cube["bits"], 0).astype(np.uint64)  # a row without bits opens none
    by_type = {code: _summed(row[hit], n[hit], places) for code, bit in con.execute(
                   "SELECT code, bit FROM risk_codes WHERE bit < 64").fetchall()
               if (hit := (bits >> np.uint64(bit)) & np.uint64(1) == 1).any()}
    if np.ma.getmaskarray(cube["bits"]).any():  # rows whose lists hold a code past the 64th
        listed = con.execute(
            f"""
            WITH {sel}, {NUMBERED}, r AS (SELECT row, unnest(risks) AS code FROM sel
                                          JOIN numbered USING (context_id)
                                          WHERE risk_bits IS NULL)
            SELECT code, row, count(*) AS n FROM r GROUP BY ALL
            """, params).df()
        for code, part in listed.groupby("code"):
            by_type[code] = by_type.get(code, 0) + _summed(part["row"].to_numpy(np.intp),
                                                           part["n"].to_numpy(), places)
    risks = pd.DataFrame({code: by_type[code] for code in sorted(by_type)},
                         index=pd.RangeIndex(places), dtype=np.int64)
    month = cube["month"].astype("datetime64[M]")
    grid = month_grid(filters, pd.Series([month.min(), month.max()]).astype("datetime64[s]")
                      if len(month) else None)
    column = ((month - grid[:1].to_numpy().astype("datetime64[M]")).astype(np.intp)
              if len(grid) else np.zeros(0, np.intp))
    inside = (column >= 0) & (column < len(grid))
    cells = _summed(row[inside] * len(grid) + column[inside], n[inside], places * len(grid))
    return risks, pd.DataFrame(cells.reshape(places, len(grid)), columns=grid)


def _summed(at: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    """`counts` summed into `size` cells by position: a bincount, exact as integers."""
    return np.bincount(at, weights=counts, minlength=size).astype(np.int64)


def _previous_counts(con: duckdb.DuckDBPyConnection, filters: Filters,
                     first: date | None) -> pd.Series | None:
    """Incidents per context in the previous period of the same length, if the data covers it."""
    if not (filters.start and filters.end and first):
        return None
    previous = filters.previous()
    if previous.start < first.replace(day=1):
        return None  # before the data's first month: "up from 0" would mislead
    p = previous.predicate("i", risk_list=True)
    frame = con.execute(
        f"SELECT i.context_id, count(*) AS n FROM incident_facts i WHERE {p.sql} "
        "AND i.context_id IS NOT NULL GROUP BY ALL", p.params).df()
    return frame.set_index("context_id")["n"]


def _area_crime(con: duckdb.DuckDBPyConnection, filters: Filters, ids: list[str],
                radius_m: float) -> pd.Series | None:
    """Recorded street crime within radius_m of each placed context in the period; None when
    none is loaded (or the user's scope leaves out the police, whose data it is), or when the
    places are police.uk's own locations (crime is what they count)."""
    if place_kind(filters.source) != "incidents" or not filters.police_in_scope() \
            or not con.execute("SELECT count(*) FROM area_crime").fetchone()[0]:
        return None
    distance = haversine_sql("c.lat", "c.lon", "a.lat", "a.lon")
    scope = filters.in_scope("a.ward_code")
    start = filters.start.replace(day=1) if filters.start else date(1900, 1, 1)
    end = filters.end or date(2999, 12, 31)
    frame = con.execute(
        f"""
        SELECT c.context_id, count(a.month) AS n
        FROM place_facts c LEFT JOIN area_crime a
          ON a.lat BETWEEN c.lat - $dlat AND c.lat + $dlat
         AND a.lon BETWEEN c.lon - $dlat / cos(radians(c.lat))
                       AND c.lon + $dlat / cos(radians(c.lat))
         AND a.month BETWEEN $start AND $end
         AND {distance} <= $radius AND {scope.sql}
        WHERE list_contains($ids, c.context_id) AND c.lat IS NOT NULL
        GROUP BY ALL
        """,
        {"dlat": radius_m / METRES_PER_DEGREE, "start": start, "end": end, "ids": ids,
         "radius": radius_m, **scope.params},
    ).df()
    return frame.set_index("context_id")["n"]


def month_grid(filters: Filters, observed: pd.Series | None = None) -> pd.DatetimeIndex:
    """Every month start in the period (or, unbounded, between the first and last observed)."""
    if filters.start and filters.end:
        return pd.date_range(filters.start.replace(day=1), filters.end, freq="MS")
    if observed is None or observed.empty:
        return pd.DatetimeIndex([])
    months = pd.to_datetime(observed)
    return pd.date_range(months.min(), months.max(), freq="MS")


SLOPES_PER_BLOCK = 2**22  # Theil–Sen's working slopes at once: 32 MB of float64


def theil_sen_slopes(counts: np.ndarray) -> np.ndarray:
    """Theil–Sen slope of each row of a (places x months) count matrix: median pairwise slope.

    Vectorised over places: the slopes of every pair of months a lag apart are one array
    subtraction into a shared buffer (no gathering by index), and the middle one or two are
    found by partition in place, not a full sort. Rows go in blocks of at most
    SLOPES_PER_BLOCK slopes, so five years of 12,000 places need 32 MB, not 350. A single
    month gives 0.

    A row whose empty months pair up into more than half of all its pairs has a slope of
    exactly 0 (those pairs' zero slopes hold the middle, whatever the others are), and is not
    worked out: most places at a million incidents, whose incidents fall in a few months.
    >>> theil_sen_slopes(np.array([[0, 1, 0, 2, 3, 5], [0, 0, 0, 0, 0, 9]]))
    array([1., 0.])
    """
    counts = np.asarray(counts, dtype=float)
    rows, months = counts.shape if counts.ndim == 2 else (len(counts), 0)
    out = np.zeros(rows)
    if months < 2:
        return out
    pairs = months * (months - 1) // 2
    middle = pairs // 2
    kth = middle if pairs % 2 else (middle - 1, middle)
    empty = (counts == 0).sum(axis=1)
    todo = np.flatnonzero(empty * (empty - 1) <= pairs)  # 2 x (empty pairs) <= pairs
    step = max(1, SLOPES_PER_BLOCK // pairs)
    for first in range(0, len(todo), step):
        these = todo[first:first + step]
        block = counts[these]
        slopes = np.empty((len(block), pairs))
        at = 0
        for lag in range(1, months):
            part = slopes[:, at:at + months - lag]
            np.subtract(block[:, lag:], block[:, :-lag], out=part)
            part /= lag
            at += months - lag
        slopes.partition(kth, axis=1)
        out[these] = (slopes[:, middle] if pairs % 2
                      else (slopes[:, middle - 1] + slopes[:, middle]) / 2)
    return out


def laid_out(frame: pd.DataFrame, rows: pd.Index, columns: pd.Index, *, row: str, column: str,
             value: str) -> pd.DataFrame:
    """`value` summed into a rows x columns table of zeros, by the `row` and `column` of each
    record (a pivot_table reindexed to `rows` and `columns`, by position: a tenth of the time);
    records outside `rows` or `columns` are left out."""
    r, c = rows.get_indexer(frame[row]), columns.get_indexer(frame[column])
    keep = (r >= 0) & (c >= 0)
    table = np.zeros((len(rows), len(columns)), dtype=np.int64)
    np.add.at(table, (r[keep], c[keep]), frame[value].to_numpy(dtype=np.int64)[keep])
    return pd.DataFrame(table, index=rows, columns=columns)


def monthly_matrix(monthly: pd.DataFrame, places: pd.Index, grid: pd.DatetimeIndex, *,
                   row: str = "context_id") -> pd.DataFrame:
    """Places x months incident counts, months with none filled with zero; `row` is the column
    of `monthly` naming a place as `places` does (its id, or its row in _base)."""
    return laid_out(monthly.assign(month=pd.to_datetime(monthly["month"])), places, grid,
                    row=row, column="month", value="incidents")


@memo.per_data_version()
def profiles(con: duckdb.DuckDBPyConnection, filters: Filters,
             crime_radius_m: float = AREA_CRIME_RADIUS_M) -> pd.DataFrame:
    """One row per context with incidents under the filters, with every profile measure.

    Columns: context_id, name, context_type, context_label, ward_code, ward_name, lat, lon,
    incidents, young_people, repeat_young_people, risk_types, risk_<code> (share of incidents),
    night_share, weekend_share, severity_low/medium/high (incidents), high_severity_share,
    trend (incidents a month, per month), recent_months, previous_incidents (NaN if the data does
    not cover the previous period), area_crime (NaN when none is loaded), last_incident,
    days_since_last.
    """
    base = _base(con, filters)
    ids = base["context_id"].tolist()
    shares, matrix = _place_counts(con, filters, len(ids))
    out = base.set_index("context_id")
    out.insert(2, "context_label", out["context_type"].map(CONTEXT_LABELS).fillna("Other"))
    out["risk_types"] = (shares.to_numpy() > 0).sum(axis=1)
    incidents = out["incidents"].to_numpy(dtype=float)
    for column, code in risk_columns_of(filters.source).items():
        out[column] = (shares[code].to_numpy() if code in shares else 0) / incidents
    rated = out[list(SEVERITY_COLUMNS)].sum(axis=1)
    out["high_severity_share"] = (out["severity_high"] / rated.where(rated > 0)).astype(float)

    grid = matrix.columns
    out["trend"] = theil_sen_slopes(matrix.to_numpy()) if ids else []
    out["months"] = len(grid)

    first, latest = data_dates(con, filters.source)
    previous = _previous_counts(con, filters, first)
    out["previous_incidents"] = (np.nan if previous is None
                                 else previous.reindex(ids, fill_value=0).astype(float))
    crime = _area_crime(con, filters, ids, crime_radius_m) if ids else None
    out["area_crime"] = np.nan if crime is None else crime.reindex(ids).astype(float)

    as_of = min(d for d in (filters.end, latest) if d) if (filters.end or latest) else None
    last = pd.to_datetime(out["last_incident"])
    out["days_since_last"] = ((pd.Timestamp(as_of) - last).dt.days.clip(lower=0)
                              if as_of else np.nan)
    return out.reset_index()


# ---- one place, in detail ----------------------------------------------------------------------

@dataclass(frozen=True)
class ContextDetail:
    """Everything the detail view shows about one place under the filters."""

    context_id: str
    name: str
    context_type: str
    ward_name: str
    incidents: int
    young_people: int
    repeat_young_people: int
    timeline: pd.DataFrame  # month, incidents (every month of the period)
    risk_mix: pd.DataFrame  # risk_type, label, incidents, share
    neighbours: pd.DataFrame  # context_id, name, context_label, distance_m, incidents
    interventions: pd.DataFrame  # started_on, ended_on (dates or None), type, lead_agency, ...
    radius_m: float

    def intervention_starts(self) -> list[date]:
        """Start dates of interventions that fall within the timeline, for marking on it."""
        if self.timeline.empty:
            return []
        first = self.timeline["month"].min().date()
        return [d for d in self.interventions["started_on"] if d >= first]


def detail(con: duckdb.DuckDBPyConnection, filters: Filters, context_id: str,
           radius_m: float = NEIGHBOUR_RADIUS_M) -> ContextDetail:
    """One place: monthly timeline, risk mix, young people, neighbours within radius_m, interventions."""
    scope = filters.in_scope("c.ward_code")
    place = con.execute(
        "SELECT c.name, c.context_type, coalesce(w.ward_name, $no_ward), c.lat, c.lon "
        "FROM place_facts c LEFT JOIN wards w USING (ward_code) WHERE c.context_id = $id "
        f"AND {scope.sql}", {"id": context_id, "no_ward": NO_WARD, **scope.params}).fetchone()
    if place is None:
        raise ValueError(f"There is no place with the id {context_id!r}.")
    name, context_type, ward_name, lat, lon = place
    sel, params = _selected(filters)
    seen_at, _ = _selected_people(filters)
    params = {**params, "id": context_id}
    counts = con.execute(
        f"""
        WITH {sel}, {seen_at}, here AS (SELECT * FROM sel WHERE context_id = $id),
        seen AS (SELECT person_no, count(*) AS times
                 FROM seen_at WHERE context_id = $id GROUP BY ALL)
        SELECT (SELECT count(*) FROM here), (SELECT count(*) FROM seen),
               (SELECT count(*) FROM seen WHERE times > 1)
        """, params).fetchone()
    monthly = con.execute(
        f"WITH {sel} SELECT context_id, date_trunc('month', at_local)::DATE AS month, "
        "count(*) AS incidents FROM sel WHERE context_id = $id GROUP BY ALL", params).df()
    grid = month_grid(filters, monthly["month"] if not monthly.empty else None)
    row = monthly_matrix(monthly, pd.Index([context_id], name="context_id"), grid).iloc[0]
    timeline = pd.DataFrame({"month": grid, "incidents": row.to_numpy(dtype=int)})
    risk_mix = con.execute(
        f"WITH {sel}, r AS (SELECT unnest(risks) AS risk_type FROM sel WHERE context_id = $id) "
        "SELECT risk_type, count(*) AS incidents FROM r GROUP BY ALL "
        "ORDER BY incidents DESC, risk_type", params).df()
    risk_mix["label"] = risk_mix["risk_type"].map(risk_label)
    risk_mix["share"] = risk_mix["incidents"] / counts[0] if counts[0] else 0.0
    return ContextDetail(
        context_id=context_id, name=name, context_type=context_type, ward_name=ward_name,
        incidents=int(counts[0]), young_people=int(counts[1]),
        repeat_young_people=int(counts[2]), timeline=timeline,
        risk_mix=risk_mix[["risk_type", "label", "incidents", "share"]],
        neighbours=neighbours(con, filters, context_id, lat, lon, radius_m),
        interventions=interventions(con, filters, context_id), radius_m=radius_m)


def neighbours(con: duckdb.DuckDBPyConnection, filters: Filters, context_id: str,
               lat: float | None, lon: float | None, radius_m: float) -> pd.DataFrame:
    """Other places within radius_m, nearest first, with their incidents under the filters."""
    columns = ["context_id", "name", "context_label", "distance_m", "incidents"]
    if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
        return pd.DataFrame(columns=columns)
    sel, params = _selected(filters)
    scope = filters.in_scope("c.ward_code")
    distance = haversine_sql("$lat", "$lon", "c.lat", "c.lon")
    frame = con.execute(
        f"""
        WITH {sel}, near AS (
            SELECT c.context_id, c.name, c.context_type, {distance} AS distance_m
            FROM place_facts c
            WHERE c.context_id <> $id AND c.lat IS NOT NULL AND list_contains(c.kinds, $places)
              AND {scope.sql}
              AND c.lat BETWEEN $lat - $dlat AND $lat + $dlat)
        SELECT near.*, count(sel.incident_id) AS incidents
        FROM near LEFT JOIN sel USING (context_id)
        WHERE near.distance_m <= $radius
        GROUP BY ALL ORDER BY distance_m, near.name
        """,
        {**params, **scope.params, "id": context_id, "lat": lat, "lon": lon, "radius": radius_m,
         "dlat": radius_m / METRES_PER_DEGREE, "places": place_kind(filters.source)}).df()
    frame["context_label"] = frame["context_type"].map(CONTEXT_LABELS).fillna("Other")
    return frame[columns]


def interventions(con: duckdb.DuckDBPyConnection, filters: Filters,
                  context_id: str) -> pd.DataFrame:
    """Every intervention recorded at a place (in the user's scope), latest first (dates as
    dates; no end is None)."""
    scope = filters.in_scope("v.ward_code", "c.ward_code")
    rows = con.execute(
        "SELECT v.started_on, v.ended_on, v.intervention_type, v.lead_agency, v.description "
        "FROM interventions v LEFT JOIN place_facts c USING (context_id) "
        f"WHERE v.context_id = $id AND {scope.sql} ORDER BY v.started_on DESC",
        {"id": context_id, **scope.params}).fetchall()
    return pd.DataFrame(rows, columns=["started_on", "ended_on", "intervention_type",
                                       "lead_agency", "description"], dtype=object)


def intervention_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Interventions as a reader sees them: UK dates, plain agency names."""
    return pd.DataFrame({
        "Began": [uk_date(d) for d in frame["started_on"]],
        "Ended": [uk_date(d) if d else "Continuing" for d in frame["ended_on"]],
        "Type": [str(t or "Not recorded").replace("_", " ").capitalize()
                 for t in frame["intervention_type"]],
        "Lead agency": [AGENCY_LABELS.get(a, a or "Not recorded") for a in frame["lead_agency"]],
        "What was done": frame["description"].fillna(""),
    })


def neighbour_table(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """Neighbouring places as a reader sees them: distance to the nearest 10 m, counts suppressed."""
    return pd.DataFrame({
        "Place": frame["name"],
        "Type": frame["context_label"],
        "Metres away": (frame["distance_m"].astype(float) / 10).round().astype(int) * 10,
        "Incidents": [display_count(v, view) for v in frame["incidents"]],
    })


def timeline_for_view(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """The monthly timeline as the view may show it: month, incidents (NaN where hidden), shown.

    The place's total is on screen too, so a single hidden month could be worked out from it:
    disclosure.protect_table adds secondary suppression.
    """
    out = frame.copy()
    if out.empty:
        return out.assign(shown=pd.Series(dtype=object))
    counts = out.set_index("month")[["incidents"]].T
    out["shown"] = protect_table(counts, view).iloc[0, :len(out)].to_numpy()
    hidden = out["shown"].isin([SUPPRESSED, SECONDARY])
    out["incidents"] = out["incidents"].astype(float).mask(hidden)
    return out


def risk_mix_for_view(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """A place's risk mix as the view may show it: incidents for the chart (NaN where hidden,
    rounded where the view rounds) and shown, the count as the table writes it."""
    return frame.assign(shown=[display_count(v, view) for v in frame["incidents"]],
                        incidents=mask_small(frame["incidents"], view))


def timeline_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A timeline from timeline_for_view as a table: full month names and the shown counts."""
    return pd.DataFrame({"Month": [uk_month(m) for m in frame["month"]],
                         "Incidents": frame["shown"].tolist()})

