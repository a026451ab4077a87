"""The interventions register: read it under the filters, add one, end one.

Interventions arrive in partners' extracts; analysts can also add or end one on the dashboard.
Every write is checked first (a role that may, a known place, a type, dates in order, known
agencies), made in one `store.transaction()` so the data version moves and every page's numbers
refresh, and then written to the audit log.

    >>> new_id = add_intervention(store, access=analyst, context_id="C1",
    ...                           intervention_type="Detached youth work",
    ...                           started_on=date(2025, 3, 1), lead_agency="youth_services")
    >>> end_intervention(store, new_id, date(2025, 9, 30), access=analyst)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import pandas as pd

from analytics.governance import audit
from analytics.governance.access import Access, Permission, require
from analytics.ingest.validate import text_problem
from analytics.store import memo
from analytics.store.filters import Filters, uk_date
from analytics.store.store import Store
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS, PRIVATE_TYPES

ID_PREFIX = "DASH-"  # interventions added on the dashboard; extracts bring their own ids
MAX_TYPE_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 1000
PARTNER_SEPARATOR = ";"
# Offered in the form; an analyst may type any other.
COMMON_TYPES = (
    "Detached youth work",
    "Lighting and CCTV",
    "Licensing or premises action",
    "Police disruption and patrols",
    "Place manager training (staff, guardians)",
    "Education and awareness sessions",
    "Environmental change (design, access)",
    "Peer group work",
)
DASHBOARD_SOURCE = "Added on the dashboard"


class InterventionError(ValueError):
    """A request to add or end an intervention that cannot be carried out, with the reason."""


@memo.per_data_version(maxsize=8)  # the page and its impact summary both list them
def register(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Interventions at places in the chosen wards and context types, running at some point in
    the period, most recent first, with labels for display and where each record came from.

    A place is a registered context or a police.uk location (analytics/store/derived.py place_facts);
    the demo's interventions are left out once real boundaries keep the demo off the pages. Only
    those in the user's scope (`Filters.in_scope`) are listed."""
    scope = filters.in_scope("v.ward_code", "c.ward_code")
    clauses = [scope.sql, "(v.extract_id IS NULL OR v.extract_id NOT IN "
               "(SELECT extract_id FROM hidden_extracts))"]
    params: dict = dict(scope.params)
    if filters.wards:
        clauses.append("list_contains($wards, coalesce(v.ward_code, c.ward_code))")
        params["wards"] = list(filters.wards)
    if filters.context_types:
        clauses.append("list_contains($types, c.context_type)")
        params["types"] = list(filters.context_types)
    if filters.end:
        clauses.append("v.started_on <= $end")
        params["end"] = filters.end
    if filters.start:
        clauses.append("(v.ended_on IS NULL OR v.ended_on >= $start)")
        params["start"] = filters.start
    frame = con.execute(
        f"""
        SELECT v.intervention_id, v.context_id, c.name AS context_name, c.context_type,
               c.lat, c.lon,
               coalesce(v.ward_code, c.ward_code) AS ward_code, w.ward_name,
               v.started_on, v.ended_on, v.intervention_type, v.lead_agency, v.partners,
               v.description, coalesce(e.file_name, $dashboard) AS source
        FROM interventions v
        LEFT JOIN place_facts c ON c.context_id = v.context_id
        LEFT JOIN wards w ON w.ward_code = coalesce(v.ward_code, c.ward_code)
        LEFT JOIN extracts e ON e.extract_id = v.extract_id
        WHERE {" AND ".join(clauses)}
        ORDER BY v.started_on DESC, v.intervention_id
        """,
        {**params, "dashboard": DASHBOARD_SOURCE},
    ).df()
    frame["context_name"] = frame["context_name"].fillna("no place recorded")
    frame["context_label"] = frame["context_type"].map(CONTEXT_LABELS).fillna("")
    frame["lead_label"] = frame["lead_agency"].map(AGENCY_LABELS).fillna(frame["lead_agency"])
    frame["partner_labels"] = [partner_labels(p) for p in frame["partners"]]
    # the label reaches charts and pickers in every view, so a home is never named in it
    place = frame["context_name"].where(~frame["context_type"].isin(PRIVATE_TYPES),
                                        "a home address" + (" in " + frame["ward_name"]).fillna(""))
    kind = frame["intervention_type"].fillna("")
    frame["label"] = kind.where(kind != "", "Intervention") + " at " + place
    for column in ("started_on", "ended_on"):  # dates, None where there is none
        frame[column] = pd.Series(frame[column].dt.date, index=frame.index,
                                  dtype=object).where(frame[column].notna(), None)
    return frame


def places(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every known place in the user's scope, for choosing where an intervention is: id, name,
    type and ward (registered places first, then police.uk's locations, so an area with only
    police.uk data can record what it does where; those only for a scope that holds the
    police, whose data they are)."""
    scope = filters.in_scope("c.ward_code")
    frame = con.execute(
        f"""
        SELECT c.context_id, c.name, c.context_type, w.ward_name
        FROM place_facts c LEFT JOIN wards w ON w.ward_code = c.ward_code
        WHERE {scope.sql} AND (c.source <> 'police' OR $police)
        ORDER BY c.source = 'police', c.name, c.context_id
        """, {**scope.params, "police": filters.police_in_scope()}
    ).df()
    frame["label"] = [
        f"{n} ({CONTEXT_LABELS.get(t, t)}{', ' + w if isinstance(w, str) else ''})"
        for n, t, w in zip(frame["name"], frame["context_type"], frame["ward_name"], strict=True)
    ]
    return frame


def add_intervention(store: Store, *, access: Access, context_id: str,
                     intervention_type: str, started_on: date, ended_on: date | None = None,
                     lead_agency: str | None = None, partners: Iterable[str] = (),
                     description: str = "") -> str:
    """Check and record a new intervention in one transaction, and write it to the audit log;
    return its new id.

    Raises PermissionError unless `access` may add interventions, and InterventionError with a
    plain reason when the place is unknown, the type is blank, the dates are missing or out of
    order, or an agency is not one we know.
    """
    _require(store, access, "intervention added", context_id)
    if not context_id:
        raise InterventionError("Choose the place where the intervention is.")
    kind = (intervention_type or "").strip()
    if not kind:
        raise InterventionError("Say what kind of intervention it is: the type is blank.")
    if len(kind) > MAX_TYPE_LENGTH:
        raise InterventionError(f"Keep the type to {MAX_TYPE_LENGTH} characters or fewer; put "
                                "the detail in the description.")
    if problem := text_problem(kind, limit=MAX_TYPE_LENGTH):
        raise InterventionError(f"The type {problem}.")
    if not isinstance(started_on, date):
        raise InterventionError("Give the date the intervention started.")
    _check_end(started_on, ended_on)
    if lead_agency is not None and lead_agency not in AGENCY_LABELS:
        raise InterventionError(f"The lead agency {lead_agency!r} is not one we know; choose one "
                                "of: " + ", ".join(AGENCY_LABELS.values()) + ".")
    partners = tuple(dict.fromkeys(partners))
    unknown = [p for p in partners if p not in AGENCY_LABELS]
    if unknown:
        raise InterventionError(f"Partner {unknown[0]!r} is not an agency we know.")
    text = (description or "").strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InterventionError(f"The description is {len(text):,} characters long; keep it to "
                                f"{MAX_DESCRIPTION_LENGTH:,} or fewer.")
    if problem := text_problem(text, name=False, limit=MAX_DESCRIPTION_LENGTH):
        raise InterventionError(f"The description {problem}.")
    with store.transaction() as cur:
        found = cur.execute("SELECT ward_code FROM place_facts WHERE context_id = $id",
                            {"id": context_id}).fetchone()
        if found is None:
            raise InterventionError(f"There is no place with the id {context_id!r} in the loaded "
                                    "contexts or police.uk locations; choose one from the list.")
        new_id = _next_id(cur)
        cur.execute(
            "INSERT INTO interventions (intervention_id, context_id, ward_code, started_on, "
            "ended_on, intervention_type, lead_agency, partners, description, extract_id) "
            "VALUES ($id, $ctx, $ward, $start, $end, $kind, $lead, $partners, $text, NULL)",
            {"id": new_id, "ctx": context_id, "ward": found[0], "start": started_on,
             "end": ended_on, "kind": kind, "lead": lead_agency,
             "partners": PARTNER_SEPARATOR.join(partners) or None, "text": text or None},
        )
    audit.record(store, access, "intervention added",
                 f"{new_id}: {kind} at {context_id} from {started_on.isoformat()}", "done")
    return new_id


def end_intervention(store: Store, intervention_id: str, ended_on: date, *,
                     access: Access) -> None:
    """Record the date an intervention ended, in one transaction, and write it to the audit log.

    Raises PermissionError unless `access` may end interventions, and InterventionError when the
    id is unknown, it has already ended, or the end date is missing or before the start.
    """
    _require(store, access, "intervention ended", intervention_id)
    if not isinstance(ended_on, date):
        raise InterventionError("Give the date the intervention ended.")
    with store.transaction() as cur:
        row = cur.execute("SELECT started_on, ended_on FROM interventions "
                          "WHERE intervention_id = $id", {"id": intervention_id}).fetchone()
        if row is None:
            raise InterventionError(f"There is no intervention with the id {intervention_id!r}.")
        started_on, already = row
        if already is not None:
            raise InterventionError(f"This intervention already ended on {uk_date(already)}.")
        _check_end(started_on, ended_on)
        cur.execute("UPDATE interventions SET ended_on = $end WHERE intervention_id = $id",
                    {"end": ended_on, "id": intervention_id})
    audit.record(store, access, "intervention ended",
                 f"{intervention_id}: ended {ended_on.isoformat()}", "done")


def partner_labels(partners: str | None) -> str:
    """'police;health' -> 'Police, Health'."""
    if not isinstance(partners, str) or not partners:
        return ""
    return ", ".join(AGENCY_LABELS.get(p, p) for p in partners.split(PARTNER_SEPARATOR))


def _require(store: Store, access: Access, action: str, what: object) -> None:
    """Refuse (and log the refusal) unless `access` may add or end interventions."""
    try:
        require(access, Permission.INTERVENTIONS)
    except PermissionError as refused:
        if access is not None:
            audit.record(store, access, action, str(what or "an intervention"),
                         f"refused: {refused}")
        raise


def _check_end(started_on: date, ended_on: date | None) -> None:
    if ended_on is not None and ended_on < started_on:
        raise InterventionError(f"The end date ({uk_date(ended_on)}) is before the start date "
                                f"({uk_date(started_on)}).")


def _next_id(cur: duckdb.DuckDBPyConnection) -> str:
    """The next free DASH-0001 style id (inside the writing transaction, so two never clash)."""
    ids = {r[0] for r in cur.execute("SELECT intervention_id FROM interventions WHERE "
                                     "starts_with(intervention_id, $p)",
                                     {"p": ID_PREFIX}).fetchall()}
    n = len(ids) + 1
    while f"{ID_PREFIX}{n:04d}" in ids:
        n += 1
    return f"{ID_PREFIX}{n:04d}"


def register_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The register for display: one row an intervention, dates in words, agencies by name."""
    return pd.DataFrame({
        "Intervention": frame["intervention_type"].fillna("–"),
        "Place": frame["context_name"],
        "Type of place": frame["context_label"],
        "Ward": frame["ward_name"].fillna("no ward"),
        "Began": [uk_date(d) for d in frame["started_on"]],
        "Ended": ["still running" if d is None else uk_date(d) for d in frame["ended_on"]],
        "Lead agency": frame["lead_label"].fillna("–"),
        "Partners": frame["partner_labels"],
        "What is being done": frame["description"].fillna(""),
        "Recorded from": frame["source"],
    })
