"""The fields each kind of extract carries, how a partner's columns map onto them, and profiles.

Our own template names every field; any other file is mapped column by column (source column ->
field) and code by code (a partner's risk, context or agency code -> ours). A mapping can be
saved as a named profile and is offered again when a file with the same header arrives.

    >>> auto_mapping("incidents", ("Incident ID", "Occurred at", "Risk types")).source("occurred_at")
    'Occurred at'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from analytics.governance.exports import safe_csv
from analytics.ingest.readers import normalise
from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES, SEVERITY_LABELS, Term


@dataclass(frozen=True)
class Field:
    """One field of an extract: its name, whether it is required, how its cells are read."""

    name: str
    label: str
    parser: str  # id, name, text, datetime, date, number, int, code, code_list, id_list,
    # severity, lsoa
    required: bool = False
    vocab: tuple[Term, ...] | None = None
    aliases: tuple[str, ...] = ()
    meaning: str = ""
    example: str = ""
    low: float | None = None
    high: float | None = None


LAT = Field("lat", "Latitude", "number", aliases=("latitude", "y"), low=-90, high=90,
            meaning="Latitude in degrees (WGS84). Leave blank with longitude if not known.",
            example="51.51545")
LON = Field("lon", "Longitude", "number", aliases=("longitude", "long", "lng", "x"), low=-180,
            high=180, meaning="Longitude in degrees (WGS84).", example="-0.09105")

FIELDS: dict[str, tuple[Field, ...]] = {
    "incidents": (
        Field("incident_id", "Incident id", "id", True, aliases=("id", "reference", "ref"),
              meaning="The partner's own reference for the incident, unique in the file.",
              example="POL-2026-00123"),
        Field("occurred_at", "Occurred at", "datetime", True,
              aliases=("date", "incident date", "occurred", "occurred on", "date time"),
              meaning="When it happened. UK date (23/11/2026), ISO date or time with offset, "
                      "or an Excel date number. A time without an offset is UK local time.",
              example="14/03/2025 21:15"),
        Field("risk_types", "Risk types", "code_list", True, RISK_TYPES,
              aliases=("risk type", "risks", "risk", "harm type", "concern"),
              meaning="One or more risk type codes or names, separated by ';'.",
              example="cce; county_lines"),
        Field("person_ids", "Young people", "id_list",
              aliases=("person id", "young person id", "young people", "child id", "subject id"),
              meaning="Pseudonymous ids of the young people involved, separated by ';'. "
                      "Never names, dates of birth or addresses.", example="YP-0042; YP-0107"),
        Field("reported_on", "Reported on", "date", aliases=("reported", "date reported"),
              meaning="The date it was reported, if different.", example="15/03/2025"),
        LAT, LON,
        Field("lsoa_code", "LSOA code", "lsoa", aliases=("lsoa", "lsoa11cd", "lsoa21cd"),
              meaning="The LSOA, used to find the ward when there are no coordinates.",
              example="E01000001"),
        Field("ward_code", "Ward code", "id", aliases=("ward",),
              meaning="The ward, used only when there are neither coordinates nor an LSOA.",
              example="E05009288"),
        Field("context_id", "Context id", "id", aliases=("place id", "location id", "context"),
              meaning="The id of the place in the contexts register, if known.",
              example="CTX-017"),
        Field("location_type", "Location type", "code", vocab=CONTEXT_TYPES,
              aliases=("context type", "place type", "location"),
              meaning="What kind of place it was (a context type code or name).",
              example="transport_hub"),
        Field("source_agency", "Source agency", "code", vocab=AGENCIES,
              aliases=("agency", "source", "reported by"),
              meaning="Which partner recorded it.", example="police"),
        Field("severity", "Severity", "severity", aliases=("priority", "risk level"),
              meaning="1 Low, 2 Medium or 3 High (digits or words).", example="2"),
        Field("outcome", "Outcome", "text", aliases=("result", "status"),
              meaning="What happened next, in a few words.", example="Referred to MACE"),
    ),
    "contexts": (
        Field("context_id", "Context id", "id", True, aliases=("id", "place id"),
              meaning="The place's own id, unique in the register.", example="CTX-017"),
        Field("name", "Name", "name", True, aliases=("place", "place name", "context name"),
              meaning="What partners call the place, group or platform.",
              example="Fernley bus station"),
        Field("context_type", "Context type", "code", True, CONTEXT_TYPES,
              aliases=("type", "place type", "category"),
              meaning="A context type code or name.", example="transport_hub"),
        Field("ward_code", "Ward code", "id", aliases=("ward",),
              meaning="The ward, if there are no coordinates.", example="E05009288"),
        LAT, LON,
    ),
    "interventions": (
        Field("intervention_id", "Intervention id", "id", True, aliases=("id", "reference"),
              meaning="The intervention's own id.", example="INT-004"),
        Field("started_on", "Started on", "date", True, aliases=("start", "start date", "from"),
              meaning="The date it started.", example="01/09/2026"),
        Field("ended_on", "Ended on", "date", aliases=("end", "end date", "to"),
              meaning="The date it ended; blank if it continues.", example="30/11/2026"),
        Field("context_id", "Context id", "id", aliases=("place id", "context"),
              meaning="The place it targeted (an id in the contexts register).",
              example="CTX-017"),
        Field("ward_code", "Ward code", "id", aliases=("ward",),
              meaning="The ward it covered, if not one place.", example="E05009288"),
        Field("intervention_type", "Intervention type", "name", aliases=("type",),
              meaning="What was done, in a few words.", example="Detached youth work"),
        Field("lead_agency", "Lead agency", "code", vocab=AGENCIES, aliases=("agency", "lead"),
              meaning="The partner leading it.", example="youth_services"),
        Field("description", "Description", "text", aliases=("notes", "details"),
              meaning="A short description (no names).", example="Evening outreach at the station"),
    ),
}
TABLE_KINDS = tuple(FIELDS)
CODED_FIELDS = ("code", "code_list")


@dataclass(frozen=True)
class Mapping:
    """Which source column feeds each field, and partner codes -> our codes, per field."""

    kind: str
    columns: tuple[tuple[str, str], ...] = ()  # (field, source header)
    codes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (field, ((theirs, ours)))

    def source(self, field_name: str) -> str | None:
        """The source column mapped to a field, if any."""
        return dict(self.columns).get(field_name)

    def code_map(self, field_name: str) -> dict[str, str]:
        """Partner code -> our code for one field."""
        return dict(dict(self.codes).get(field_name, ()))

    def with_columns(self, columns: dict[str, str | None]) -> Mapping:
        """A copy with these field -> source column choices (None unmaps a field)."""
        merged = {**dict(self.columns), **columns}
        return Mapping(self.kind, tuple((f, s) for f, s in merged.items() if s), self.codes)

    def with_codes(self, field_name: str, pairs: dict[str, str]) -> Mapping:
        """A copy where the partner codes of one field map as given."""
        merged = {**dict(self.codes), field_name: tuple(sorted(pairs.items()))}
        return Mapping(self.kind, self.columns, tuple(sorted(merged.items())))

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "columns": dict(self.columns),
                           "codes": {f: dict(p) for f, p in self.codes}})

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        doc = json.loads(text)
        return cls(doc["kind"], tuple(doc["columns"].items()),
                   tuple(sorted((f, tuple(sorted(p.items()))) for f, p in doc["codes"].items())))


def field(kind: str, name: str) -> Field:
    """The field of a kind by name."""
    return next(f for f in FIELDS[kind] if f.name == name)


def auto_mapping(kind: str, header: tuple[str, ...]) -> Mapping:
    """Map each field to the column whose normalised name is the field's name, label or alias."""
    by_norm = {}
    for name in header:
        by_norm.setdefault(normalise(name), name)
    chosen = []
    for f in FIELDS[kind]:
        for candidate in (f.name, f.label, *f.aliases):
            if normalise(candidate) in by_norm:
                source = by_norm[normalise(candidate)]
                if source not in dict(chosen).values():
                    chosen.append((f.name, source))
                    break
    return Mapping(kind, tuple(chosen))


def missing_required(mapping: Mapping) -> list[Field]:
    """Required fields that no column feeds yet."""
    return [f for f in FIELDS[mapping.kind] if f.required and not mapping.source(f.name)]


def header_key(header: tuple[str, ...]) -> str:
    """The header's identity for profiles: normalised names in order."""
    return "|".join(normalise(h) for h in header)


def save_profile(con: duckdb.DuckDBPyConnection, name: str, mapping: Mapping,
                 header: tuple[str, ...], by: str) -> None:
    """Save (or replace) a named mapping, to be offered for files with the same header."""
    name = name.strip()
    if not name:
        raise ValueError("Give the mapping a name, for example 'Children's services monthly'.")
    con.execute("INSERT OR REPLACE INTO mapping_profiles VALUES ($n, $k, $h, $m, $b, $t)",
                {"n": name, "k": mapping.kind, "h": header_key(header), "m": mapping.to_json(),
                 "b": by, "t": datetime.now()})


def find_profile(con: duckdb.DuckDBPyConnection, header: tuple[str, ...]) -> tuple[str, Mapping] | None:
    """The most recently saved profile for exactly this header, if there is one."""
    row = con.execute("SELECT name, mapping_json FROM mapping_profiles WHERE header_key = $h "
                      "ORDER BY created_at DESC LIMIT 1", {"h": header_key(header)}).fetchone()
    return (row[0], Mapping.from_json(row[1])) if row else None


def profiles(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every saved profile: name, kind, who saved it and when."""
    return con.execute("SELECT name, kind, created_by, created_at FROM mapping_profiles "
                       "ORDER BY name").df()


def data_dictionary(kind: str = "incidents") -> pd.DataFrame:
    """The template's fields: column, required, meaning, allowed values, example."""
    rows = []
    for f in FIELDS[kind]:
        if f.vocab:
            allowed = "; ".join(f"{t.code} ({t.label})" for t in f.vocab)
        elif f.parser == "severity":
            allowed = "; ".join(f"{n} ({label})" for n, label in SEVERITY_LABELS.items())
        else:
            allowed = ""
        rows.append({"column": f.name, "required": "yes" if f.required else "no",
                     "meaning": f.meaning, "allowed values": allowed, "example": f.example})
    return pd.DataFrame(rows)


# Fields that point at rows which must already exist; the example row leaves them blank so
# that it loads into any database.
REFERENCES = ("ward_code", "context_id")


def template_csv(kind: str = "incidents") -> bytes:
    """The template as CSV: the header and one example row that loads as it is."""
    frame = pd.DataFrame([{f.name: _example(f) for f in FIELDS[kind]}])
    return safe_csv(frame)


def _example(f: Field) -> object:
    """A field's example as its own type (a number stays a number, so no export marks it)."""
    if f.name in REFERENCES and not f.required:
        return ""
    if f.parser == "number":
        return float(f.example)
    return int(f.example) if f.parser in ("int", "severity") else f.example


def dictionary_csv(kind: str = "incidents") -> bytes:
    """The data dictionary as CSV, for partners' data teams."""
    return safe_csv(data_dictionary(kind))
