"""Tools for proving scope: a borough with the out-of-scope data cut out, and a fingerprint of
anything an analysis returns.

A user limited to some wards or agencies must learn nothing about the rest. We prove it by
equivalence: every analysis run for the scoped user on the whole borough must give exactly what
it gives an unlimited user on a copy of the borough from which everything outside the scope was
deleted. Then no result can depend on the data outside the scope, whatever it is: a count, a
name, a comparison place, a neighbour's weight in a hot spot or a rank.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.governance.access import Scope
from analytics.store.filters import POLICE_AGENCY
from analytics.store.store import Store

VOLATILE = {"made_at"}  # when a board pack was made: differs between any two runs
# Rows of each table outside the scope, by the ward and agency columns the scope names.
_INCIDENTS_OUT = """
    (list_contains($wards::VARCHAR[], ward_code) IS NOT TRUE AND $wards IS NOT NULL)
    OR (list_contains($agencies::VARCHAR[], source_agency) IS NOT TRUE AND $agencies IS NOT NULL)
"""


def trimmed_copy(source: Path, target: Path, scope: Scope) -> Path:
    """A copy of the database at `source` holding only what `scope` may see (one load)."""
    shutil.copy(source, target)
    store = Store(target)
    params = {"wards": list(scope.wards) if scope.wards is not None else None,
              "agencies": list(scope.agencies) if scope.agencies is not None else None}
    with store.transaction() as cur:
        cur.execute(f"CREATE TEMP TABLE gone AS SELECT incident_id FROM incidents "
                    f"WHERE {_INCIDENTS_OUT}", params)
        for table in ("incident_risks", "incident_people", "incidents"):
            cur.execute(f"DELETE FROM {table} WHERE incident_id IN (SELECT incident_id FROM gone)")
        cur.execute("DELETE FROM young_people WHERE person_id NOT IN "
                    "(SELECT person_id FROM incident_people)")
        if scope.agencies is not None and POLICE_AGENCY not in scope.agencies:
            cur.execute("DELETE FROM area_crime")  # police.uk's rows are the police's
        if scope.wards is not None:  # places and the like in no ward are nobody's patch: kept
            wards = {"w": list(scope.wards)}
            cur.execute("DELETE FROM interventions v WHERE NOT list_contains($w, coalesce("
                        "v.ward_code, (SELECT c.ward_code FROM contexts c "
                        "WHERE c.context_id = v.context_id)))", wards)
            for table in ("contexts", "wards", "lsoa", "area_crime"):
                cur.execute(f"DELETE FROM {table} WHERE NOT list_contains($w, ward_code)", wards)
        cur.execute("DROP TABLE gone")
    store.close()
    return target


def fingerprint(value: object, depth: int = 0) -> object:
    """A plain, comparable picture of an analysis's result: frames as records, floats rounded,
    figures as their JSON, dataclasses field by field."""
    if depth > 12:
        return repr(type(value))
    nested = depth + 1
    if isinstance(value, pd.DataFrame):
        frame = value.reset_index(drop=not _named_index(value.index))
        return {"columns": [str(c) for c in frame.columns],
                "rows": [[fingerprint(v, nested) for v in row]
                         for row in frame.itertuples(index=False)]}
    if isinstance(value, pd.Series):
        return fingerprint(value.to_frame(), nested)
    if isinstance(value, pd.Index):
        return [fingerprint(v, nested) for v in value]
    if isinstance(value, np.ndarray):
        return [fingerprint(v, nested) for v in value.tolist()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: fingerprint(getattr(value, f.name), nested)
                for f in dataclasses.fields(value) if f.name not in VOLATILE}
    if hasattr(value, "to_plotly_json"):
        return json.loads(value.to_json())
    if isinstance(value, dict):
        return {str(k): fingerprint(v, nested) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [fingerprint(v, nested) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, np.generic):
        return fingerprint(value.item(), nested)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if value is pd.NaT or value is None or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return str(pd.Timestamp(value))
    if isinstance(value, str | int | bool):
        return value
    if hasattr(value, "__dict__"):
        return {k: fingerprint(v, nested) for k, v in vars(value).items()
                if not k.startswith("_")}
    return repr(value)


def _named_index(index: pd.Index) -> bool:
    """A named index (codes, months) is part of the result; row positions are not."""
    return any(n is not None for n in index.names)


def without_columns(picture: object, names: set[str]) -> object:
    """A fingerprint with the named table columns taken out (what a scope deliberately withholds,
    such as whole files' row counts, is compared separately)."""
    if isinstance(picture, dict):
        if set(picture) == {"columns", "rows"}:
            keep = [i for i, c in enumerate(picture["columns"]) if c not in names]
            return {"columns": [picture["columns"][i] for i in keep],
                    "rows": [[row[i] for i in keep] for row in picture["rows"]]}
        return {k: without_columns(v, names) for k, v in picture.items()}
    if isinstance(picture, list | tuple):
        return [without_columns(v, names) for v in picture]
    return picture


def page_picture(at) -> list:
    """Everything a page draws in its main area, element by element (text, tables, charts and
    maps as their messages), and the wards its sidebar offers."""
    from streamlit.testing.v1.element_tree import Block

    def walk(node) -> list:
        if isinstance(node, Block):
            return [item for key in sorted(node.children) for item in walk(node.children[key])]
        proto = getattr(node, "proto", None)
        if node.type == "dataframe":
            return [("dataframe", fingerprint(node.value))]
        text = str(proto) if proto is not None else repr(getattr(node, "value", ""))
        return [(node.type, re.sub(r'deferred_file_id: "\w+"', "", text))]  # a new id each run

    wards = [list(m.options) for m in at.sidebar.multiselect if m.label == "Wards"]
    return [*walk(at.main), ("wards offered", wards)]
