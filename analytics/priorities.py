"""Where to intervene: a priority score per place, a ranked list that says why, and who can act.

Practitioners weigh contexts against each other ("context weighting"). The score is a weighted
average of five measures, each scaled from 0 to 1 across the places in view, times 100:

- volume: incidents, as a share of the busiest place's;
- rising: the monthly trend (Theil–Sen slope), as a share of the fastest rise; falling scores 0;
- several risk types: (risk types - 1) over (the most at any place - 1); one type scores 0;
- repeat young people: those seen there more than once, as a share of the most at any place;
- severity: the share of incidents rated high severity.

Each place's current SPC signal, if any (analytics.trends.signals: XmR over its monthly
incidents, with history before the period for the limits), is told in its reasons ("a sign of
real change: 3 months above the upper limit since August 2026"); it does not change the score.

The caller passes the weights; DEFAULT_WEIGHTS states the defaults. Counts of children in the
reasons go through analytics.disclosure, so board and lead views say "<5".

Example::

    ranked = rank(store.cursor(), filters)               # default weights
    explain(ranked, view="board", period="12 months")    # adds the 'why' column
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import duckdb
import numpy as np
import pandas as pd

from analytics import places, spc, trends
from analytics.contexts import AREA_CRIME_RADIUS_M, NO_WARD, profiles, risk_columns
from analytics.disclosure import display_count, is_small, suppresses
from analytics.filters import Filters
from analytics.sources import risk_label


@dataclass(frozen=True)
class Weights:
    """How much each measure counts in the priority score (any non-negative numbers)."""

    volume: float = 3.0
    rising: float = 3.0
    risk_types: float = 2.0
    repeat_people: float = 2.0
    severity: float = 1.0

    def __post_init__(self) -> None:
        values = asdict(self)
        if any(v < 0 for v in values.values()):
            raise ValueError("Weights cannot be negative.")
        if sum(values.values()) == 0:
            raise ValueError("At least one weight must be above zero to rank places.")


DEFAULT_WEIGHTS = Weights()
COMPONENT_LABELS: dict[str, str] = {
    "volume": "Incidents",
    "rising": "Rising trend",
    "risk_types": "Several risk types",
    "repeat_people": "Repeat young people",
    "severity": "High severity",
}
COMPONENT_HELP: dict[str, str] = {
    "volume": "Incidents at the place, as a share of the busiest place's.",
    "rising": "How fast monthly incidents rise over the period (Theil–Sen slope), as a share of "
              "the fastest rise; a falling place scores 0.",
    "risk_types": "How many risk types occur there: one type scores 0, the most at any place 1.",
    "repeat_people": "Young people seen at the place more than once, as a share of the most at "
                     "any place.",
    "severity": "The share of the place's incidents rated high severity.",
}
TREND_WORDS_MIN = 1  # a trend adding under 1 incident a month over the period is not worth words
QUIET_DAYS = 90  # a reason mentions a place that has been quiet at least this long
TOP_RISKS_NAMED = 2
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven")

# Who can change such a place, by context type: the partners to bring to the table.
PARTNERS: dict[str, str] = {
    "park": "Parks service; community safety team; neighbourhood policing",
    "transport_hub": "Transport operator; British Transport Police",
    "takeaway": "Business owner; licensing; neighbourhood policing",
    "shopping_centre": "Centre management and security; community safety team; "
                       "neighbourhood policing",
    "housing_estate": "Housing provider; community safety team; neighbourhood policing",
    "school": "School leadership; education safeguarding lead",
    "street": "Community safety team; neighbourhood policing; detached youth work",
    "residential": "Police; children's social care; landlord or housing provider",
    "hotel": "Hotel management; licensing; police",
    "youth_venue": "Venue management; youth services",
    "peer_group": "Youth services and detached youth work; schools; children's social care",
    "online": "Platform trust-and-safety team; police online teams",
    "other": "Community safety partnership",
}


def partners(context_type: str) -> str:
    """The partners who influence a place of this type."""
    return PARTNERS.get(context_type, PARTNERS["other"])


def _scaled(values: pd.Series) -> pd.Series:
    """Values as a share of the largest (negatives count as 0; all zero gives all zero)."""
    values = values.astype(float).clip(lower=0).fillna(0)
    top = values.max() if len(values) else 0
    return values / top if top > 0 else values * 0


def components(prof: pd.DataFrame) -> pd.DataFrame:
    """The five measures of each place, each scaled from 0 to 1 across the places given."""
    return pd.DataFrame({
        "volume": _scaled(prof["incidents"]),
        "rising": _scaled(prof["trend"]),
        "risk_types": _scaled(prof["risk_types"] - 1),
        "repeat_people": _scaled(prof["repeat_young_people"]),
        "severity": prof["high_severity_share"].astype(float).fillna(0).clip(0, 1),
    }, index=prof.index)


def score(prof: pd.DataFrame, weights: Weights = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """Profiles ranked by priority score (0 to 100), highest first, with the scaled measures.

    Ties go to more incidents, then the name, so the order is stable.
    """
    parts = components(prof)
    w = pd.Series({f.name: getattr(weights, f.name) for f in fields(weights)})
    out = prof.copy()
    out["score"] = 100 * (parts[w.index] * w).sum(axis=1) / w.sum() if len(prof) else []
    for column in parts:
        out[f"c_{column}"] = parts[column]
    out["partners"] = [partners(t) for t in out["context_type"]]
    out["top_risks"] = _top_risks(out)
    out = out.sort_values(["score", "incidents", "name"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def rank(con: duckdb.DuckDBPyConnection, filters: Filters,
         weights: Weights = DEFAULT_WEIGHTS, view: str = "analyst") -> pd.DataFrame:
    """Every place with incidents under the filters, ranked by priority (see `score`), with
    any current SPC signal of its monthly incidents as the view judges them (trends.signals)."""
    ranked = score(profiles(con, filters), weights)
    return with_signals(ranked, trends.signals(con, filters, by=("context",), view=view).frame)


def with_signals(ranked: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Ranked places with `signal` (the current SPC signal in words, or '') and
    `signal_assessment` ('concern', 'improvement' or ''), from a trends.signals frame."""
    current = signals[signals["current"].astype(bool)]
    sentence = dict(zip(current["key_a"], current["sentence"], strict=True))
    assessment = dict(zip(current["key_a"], current["assessment"], strict=True))
    out = ranked.copy()
    out["signal"] = [sentence.get(c, "") for c in out["context_id"]]
    out["signal_assessment"] = [assessment.get(c, "") for c in out["context_id"]]
    return out


def _top_risks(prof: pd.DataFrame) -> list[tuple[str, ...]]:
    """The labels of each place's most common risk types, most common first."""
    columns = list(risk_columns(prof))
    counts = prof[columns].to_numpy()
    order = np.argsort(-counts, axis=1, kind="stable")[:, :TOP_RISKS_NAMED]
    present = np.take_along_axis(counts, order, axis=1) > 0  # most common first: zeros trail
    labels = np.array([risk_label(code) for code in risk_columns(prof).values()], dtype=object)
    return [tuple(labels[o[keep]]) for o, keep in zip(order, present, strict=True)]


def number_word(n: int) -> str:
    """'four' for 4; digits beyond eleven."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def _plural(n: int, view: str, one: str, many: str) -> str:
    """The noun that agrees with a count as shown ('<5' is plural)."""
    return one if n == 1 and not (suppresses(view) and is_small(n)) else many


def reason(row: pd.Series, view: str, period: str) -> str:
    """Why a place ranks where it does, in words, with small counts of children suppressed.

    '14 incidents in 6 months, up from 3; rising: about 4 more a month by the end of the period
    than at the start; four risk types, mostly criminal exploitation and county lines; 9 young
    people seen here more than once'.
    """
    n = int(row["incidents"])
    text = f"{display_count(n, view)} {_plural(n, view, 'incident', 'incidents')} in {period}"
    previous = row.get("previous_incidents")
    if previous is not None and not pd.isna(previous):
        before = display_count(previous, view)
        if suppresses(view) and is_small(n) and is_small(previous):
            text += f", {before} in the period before"  # no direction between two hidden counts
        elif n > previous:
            text += f", up from {before}"
        elif n < previous:
            text += f", down from {before}"
        else:
            text += ", the same as the period before"
    parts = [text]
    change = row["trend"] * max(int(row.get("months", 1)) - 1, 0)
    if abs(change) >= TREND_WORDS_MIN:
        more, direction = ("more", "rising") if change > 0 else ("fewer", "falling")
        # Two comparisons, told so that they never read as contradicting each other (or the
        # Overview's change on the period before): a place down on last year can still have
        # risen month by month within this one.
        words = (f"{direction} within the {period}: about {abs(change):.0f} {more} a month at "
                 "the end than at the start")
        against = not (previous is None or pd.isna(previous)) and n != previous and (
            (change > 0) == (n < previous))
        if against:
            parts[-1] += f", but {words}"
        else:
            parts.append(words)
    signal, assessment = row.get("signal") or "", row.get("signal_assessment") or ""
    if signal:
        kind = "real change" if assessment == spc.CONCERN else "real improvement"
        parts.append(f"a sign of {kind}: {spc._lower_first(signal)}")
    kinds = int(row["risk_types"])
    top = list(row.get("top_risks") or ())
    if kinds >= 2:
        mostly = f", mostly {' and '.join(t.lower() for t in top)}" if top else ""
        parts.append(f"{number_word(kinds)} risk types{mostly}")
    elif top:
        parts.append(f"one risk type: {top[0].lower()}")
    repeat = int(row["repeat_young_people"])
    if repeat:
        noun = _plural(repeat, view, "young person", "young people")
        parts.append(f"{display_count(repeat, view)} {noun} seen here more than once")
    high = row.get("high_severity_share")
    if high is not None and not pd.isna(high) and high > 0:
        parts.append(f"{high:.0%} rated high severity")
    crime = row.get("area_crime")
    if crime is not None and not pd.isna(crime) and crime > 0:
        parts.append(f"{int(crime):,} recorded crimes within {AREA_CRIME_RADIUS_M:,} metres")
    days = row.get("days_since_last")
    if days is not None and not pd.isna(days) and days >= QUIET_DAYS:
        parts.append(f"no incident in the last {int(days):,} days")
    return "; ".join(parts)


def explain(ranked: pd.DataFrame, view: str, period: str) -> pd.DataFrame:
    """The ranked places with 'why' and 'where' columns for this view (the input is unchanged),
    and each place's name as every page names it in the view (a home: 'A home address in
    Pennyfold', places.shareable_name).

    'where' is 'hotel, Larkspur Vale', or just 'online platform' for a place with no ward.
    """
    out = ranked.copy()
    out["name"] = [places.shareable_name(n, t, None if w == NO_WARD else w, view)
                   for n, t, w in zip(ranked["name"], ranked["context_type"], ranked["ward_name"],
                                      strict=True)]
    out["why"] = [reason(row, view, period) for _, row in ranked.iterrows()]
    out["where"] = [label.lower() if ward == NO_WARD else f"{label.lower()}, {ward}"
                    for label, ward in zip(ranked["context_label"], ranked["ward_name"],
                                           strict=True)]
    return out


def export_table(ranked: pd.DataFrame, view: str, period: str) -> pd.DataFrame:
    """The ranked list as a reader sees it, for CSV: counts of children suppressed for the view."""
    explained = explain(ranked, view, period)
    return pd.DataFrame({
        "Rank": explained["rank"],
        "Place": explained["name"],
        "Type": explained["context_label"],
        "Ward": explained["ward_name"],
        "Priority score (0 to 100)": explained["score"].round(1),
        "Incidents": [display_count(v, view) for v in explained["incidents"]],
        "Young people seen more than once": [display_count(v, view)
                                             for v in explained["repeat_young_people"]],
        "Why": explained["why"],
        "Partners who can act": explained["partners"],
    })
