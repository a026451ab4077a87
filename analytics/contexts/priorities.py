"""Where to intervene: a priority score per place, a ranked list that says why, and who can act.

Practitioners weigh contexts against each other ("context weighting"). The score is a weighted
average of five measures, each scaled from 0 to 1 across the places in view, times 100:

- volume: incidents, as a share of the busiest place's;
- rising: the monthly trend (Theil–Sen slope), as a share of the fastest rise; falling scores 0;
- several risk types: (risk types - 1) over (the most at any place - 1); one type scores 0;
- repeat young people: those seen there more than once, as a share of the most at any place;
- severity: the share of incidents rated high severity.

Each place's current SPC signal, if any (analytics.trends.trends.signals: XmR over its monthly
incidents, with history before the period for the limits), is told in its reasons ("a sign of
real change: 3 months above the upper limit since August 2026"); it does not change the score.

The caller passes the weights; DEFAULT_WEIGHTS states the defaults. Counts of children in the
reasons go through analytics.governance.disclosure, so board and lead views say "<5".

Example::

    ranked = rank(store.cursor(), filters)               # default weights
    explain(ranked, view="board", period="12 months")    # adds the 'why' column
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import duckdb
import numpy as np
import pandas as pd

from analytics.contexts.contexts import AREA_CRIME_RADIUS_M, NO_WARD, profiles, risk_columns
from analytics.governance.disclosure import are_small, display_counts, suppresses
from analytics.places import places
from analytics.store.filters import Filters, period_words
from analytics.store.sources import risk_label
from analytics.trends import spc, trends


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
    out["partners"] = out["context_type"].map(PARTNERS).fillna(PARTNERS["other"])
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
    current = (signals[signals["current"].astype(bool)]
               .drop_duplicates("key_a", keep="last").set_index("key_a"))
    out = ranked.copy()
    for column, said in (("signal", "sentence"), ("signal_assessment", "assessment")):
        out[column] = out["context_id"].map(current[said]).astype(object).fillna("").astype(str)
    return out


def _top_risks(prof: pd.DataFrame) -> list[tuple[str, ...]]:
    """The labels of each place's most common risk types, most common first (a column at a
    time: no array indexing a row)."""
    columns = list(risk_columns(prof))
    counts = prof[columns].to_numpy()
    order = np.argsort(-counts, axis=1, kind="stable")[:, :TOP_RISKS_NAMED]
    named = (np.take_along_axis(counts, order, axis=1) > 0).sum(axis=1)  # zeros trail
    labels = np.array([risk_label(code) for code in risk_columns(prof).values()], dtype=object)
    return [tuple(row[:k]) for row, k in zip(labels[order].tolist(), named.tolist(),
                                               strict=True)]


def place_labels(ranked: pd.DataFrame) -> dict[str, str]:
    """Each ranked place's id -> '3. Orchard Estate', in rank order, for choosing one."""
    return dict(zip(ranked["context_id"], ranked["rank"].astype(str) + ". " + ranked["name"],
                    strict=True))


def number_word(n: int) -> str:
    """'four' for 4; digits beyond eleven."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def reason(row: pd.Series, view: str, period: str) -> str:
    """Why a place ranks where it does, in words, with small counts of children suppressed.

    '14 incidents in 6 months, up from 3; rising: about 4 more a month by the end of the period
    than at the start; four risk types, mostly criminal exploitation and county lines; 9 young
    people seen here more than once'.
    """
    return reasons(pd.DataFrame([row]), view, period).iloc[0]


def reasons(ranked: pd.DataFrame, view: str, period: str) -> pd.Series:
    """`reason` of every ranked place, worked out a column at a time (a borough at a million
    incidents ranks 10,000 places on every render): the same words, part by part."""
    def column(name: str, default: object = np.nan) -> pd.Series:
        return ranked[name] if name in ranked else pd.Series(default, index=ranked.index)

    if ranked.empty:
        return pd.Series([], index=ranked.index, dtype=str)
    hides = suppresses(view)
    n = ranked["incidents"].astype(int)
    text = (display_counts(n, view) + " " + _plurals(n, view, "incident", "incidents")
            + f" in {period}")
    previous = column("previous_incidents").astype(float)
    known = previous.notna()
    before = display_counts(previous, view)
    compared = pd.Series(np.select(
        [hides & are_small(n) & are_small(previous), n > previous, n < previous],
        [", " + before + " in the period before", ", up from " + before,
         ", down from " + before], ", the same as the period before"), index=ranked.index)
    text = text + compared.where(known, "")

    change = ranked["trend"] * (column("months", 1).astype(int) - 1).clip(lower=0)
    told = change.abs() >= TREND_WORDS_MIN
    rising = change > 0
    words = (np.where(rising, "rising", "falling") + f" within the {period}: about "
             + _formatted(change.abs(), ".0f") + np.where(rising, " more", " fewer")
             + " a month at the end than at the start")
    against = told & known & (n != previous) & (rising == (n < previous))
    parts = [text + (", but " + words).where(against, ""), words.where(told & ~against)]

    signal = column("signal", "").fillna("").astype(str)
    kind = np.where(column("signal_assessment", "") == spc.CONCERN, "real change",
                    "real improvement")
    told_signal = signal.map({text: spc.lower_first(text) for text in pd.unique(signal)})
    parts.append(("a sign of " + kind + ": " + told_signal).where(signal != ""))

    kinds = ranked["risk_types"].astype(int)
    top = column("top_risks", ()).map(lambda t: tuple(t) if isinstance(t, (tuple, list)) else ())
    named = top.map({t: " and ".join(t).lower() for t in dict.fromkeys(top)})
    several = kinds.map({k: number_word(k) for k in pd.unique(kinds)}) + " risk types" + (
        ", mostly " + named).where(named != "", "")
    one = ("one risk type: " + top.str[0].astype(object).fillna("").astype(str).str.lower())
    parts.append(several.where(kinds >= 2, one.where(named != "")))

    repeat = ranked["repeat_young_people"].astype(int)
    parts.append((display_counts(repeat, view) + " "
                  + _plurals(repeat, view, "young person", "young people")
                  + " seen here more than once").where(repeat != 0))
    high = column("high_severity_share").astype(float)
    parts.append((_formatted(high, ".0%") + " rated high severity").where(high > 0))
    crime = column("area_crime").astype(float)
    parts.append((_formatted(crime.where(crime > 0).fillna(0).astype(int), ",")
                  + f" recorded crimes within {AREA_CRIME_RADIUS_M:,} metres").where(crime > 0))
    days = column("days_since_last").astype(float)
    parts.append(("no incident in the last "
                  + _formatted(days.where(days >= QUIET_DAYS).fillna(0).astype(int), ",")
                  + " days").where(days >= QUIET_DAYS))
    why = parts[0]
    for part in parts[1:]:
        why = why + ("; " + part).fillna("")
    return why.astype(str)



def _plurals(counts: pd.Series, view: str, one: str, many: str) -> pd.Series:
    """_plural of every count of a column."""
    single = (counts == 1) & ~(suppresses(view) & are_small(counts))
    return pd.Series(np.where(single, one, many), index=counts.index, dtype=object)


def _formatted(values: pd.Series, spec: str) -> pd.Series:
    """format(value, spec) of every value, worked out once per distinct value ('' if missing)."""
    words = {v: format(v, spec) for v in pd.unique(values.dropna())}
    return values.map(words).astype(object).fillna("")


def explain(ranked: pd.DataFrame, view: str, period: str) -> pd.DataFrame:
    """The ranked places with 'why' and 'where' columns for this view (the input is unchanged),
    and each place's name as every page names it in the view (a home: 'A home address in
    Pennyfold', places.shareable_name).

    'where' is 'hotel, Larkspur Vale', or just 'online platform' for a place with no ward.
    """
    out = ranked.copy()
    no_ward = ranked["ward_name"] == NO_WARD
    home = ("A home address" + (" in " + ranked["ward_name"].astype(str)).where(
        ~no_ward & ranked["ward_name"].notna() & (ranked["ward_name"] != ""), ""))
    out["name"] = ranked["name"].where(
        ~(ranked["context_type"].isin(places.PRIVATE_TYPES) & suppresses(view)), home)
    out["why"] = reasons(ranked, view, period)
    label = ranked["context_label"].str.lower()
    out["where"] = label.where(no_ward, label + ", " + ranked["ward_name"])
    return out


def explained(con: duckdb.DuckDBPyConnection, filters: Filters,
              weights: Weights = DEFAULT_WEIGHTS, view: str = "analyst") -> pd.DataFrame:
    """Every place ranked (`rank`) and explained for the view (`explain`): worked out once per
    filters, weights, view and data version (the page edge caches it) and read by the page, its
    CSV and the slides alike."""
    return explain(rank(con, filters, weights, view), view, period_words(filters))


def export_table(explained: pd.DataFrame, view: str) -> pd.DataFrame:
    """The ranked list as a reader sees it (`explain`'s frame), for CSV: counts of children
    suppressed for the view."""
    return pd.DataFrame({
        "Rank": explained["rank"],
        "Place": explained["name"],
        "Type": explained["context_label"],
        "Ward": explained["ward_name"],
        "Priority score (0 to 100)": explained["score"].round(1),
        "Incidents": display_counts(explained["incidents"], view),
        "Young people seen more than once": display_counts(explained["repeat_young_people"],
                                                           view),
        "Why": explained["why"],
        "Partners who can act": explained["partners"],
    })
