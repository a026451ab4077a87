"""Synthetic context profiles with planted groups, for clustering tests and the benchmark.

Each archetype fixes a place type, a volume, a time of day and week, a trend and the risk types
it carries; places are drawn around it with seeded noise, so the groups are known in advance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.contexts.contexts import RISK_COLUMNS
from analytics.store.vocab import CONTEXT_LABELS

# name: (context_type, mean incidents, night share, weekend share, trend share, risk codes)
ARCHETYPES: dict[str, tuple[str, float, float, float, float, tuple[str, ...]]] = {
    "night hubs": ("transport_hub", 60, 0.85, 0.50, 0.8, ("cce", "county_lines", "missing")),
    "school days": ("school", 25, 0.05, 0.05, 0.0, ("hsb", "relationship_abuse")),
    "weekend parks": ("park", 35, 0.40, 0.90, -0.5, ("cse", "missing")),
    "online": ("online", 20, 0.60, 0.30, 0.3, ("radicalisation", "cse")),
}


def synthetic_profiles(n: int, seed: int = 0, groups: int = 3, months: int = 12,
                       noise: float = 0.06) -> tuple[pd.DataFrame, np.ndarray]:
    """n profiles (the columns contexts.profiles gives) drawn from `groups` archetypes; and truth."""
    rng = np.random.default_rng(seed)
    names = list(ARCHETYPES)[:groups]
    truth = rng.integers(0, groups, n)
    rows = []
    for i, g in enumerate(truth):
        ctype, mean, night, weekend, trend_share, risks = ARCHETYPES[names[g]]
        incidents = max(1, int(rng.poisson(mean)))
        people = max(1, int(incidents * rng.uniform(0.6, 0.9)))
        row = {
            "context_id": f"S{i:05d}", "name": f"Synthetic place {i}", "context_type": ctype,
            "context_label": CONTEXT_LABELS[ctype], "ward_code": "W1", "ward_name": "Synthetic",
            "incidents": incidents, "young_people": people,
            "repeat_young_people": int(people * rng.uniform(0.1, 0.5)),
            "night_share": float(np.clip(night + rng.normal(0, noise), 0, 1)),
            "weekend_share": float(np.clip(weekend + rng.normal(0, noise), 0, 1)),
            "high_severity_share": float(rng.uniform(0.1, 0.4)),
            "trend": (trend_share + rng.normal(0, noise)) * incidents / months,
            "months": months, "previous_incidents": float(rng.poisson(mean)),
            "area_crime": np.nan, "days_since_last": int(rng.integers(0, 60)),
        }
        for column, code in RISK_COLUMNS.items():
            base = 0.7 if code in risks else 0.0
            row[column] = float(np.clip(base + rng.normal(0, noise), 0, 1)) if base else 0.0
        row["risk_types"] = sum(1 for c in RISK_COLUMNS if row[c] > 0)
        rows.append(row)
    return pd.DataFrame(rows), truth
