"""The map tooltips and the 'why' of each place as they were first written, one Python step a
row: the reference the vectorised versions in analytics.places.maps and analytics.contexts.priorities must equal
(tests/test_vectorised.py). Kept only as a specification; nothing in the app calls them."""

from __future__ import annotations

import math

import pandas as pd

from analytics.contexts import priorities
from analytics.contexts.contexts import AREA_CRIME_RADIUS_M, NO_WARD
from analytics.governance import escape
from analytics.governance.disclosure import display_count, drop_small_rows, is_small, suppresses
from analytics.places import places
from analytics.places.maps import PLACE_RADIUS_M, _place_scale, trend_words
from analytics.places.places import PRIVATE_TYPES
from analytics.store.filters import uk_date
from analytics.store.sources import risk_label
from analytics.trends import spc


def intervention_rows(register: pd.DataFrame, view: str) -> list[dict]:
    """One ◆ a place with an intervention, its tooltip built line by line."""
    shown = register.dropna(subset=["lat", "lon"])
    if suppresses(view):
        shown = shown[~shown["context_type"].isin(PRIVATE_TYPES)]
    rows = []
    for context_id, group in shown.groupby("context_id", sort=False):
        first = group.iloc[0]
        lines = [f"{first.context_name} ({first.context_label})"]
        for v in group.itertuples():
            until = "still running" if v.ended_on is None else f"ended {uk_date(v.ended_on)}"
            lines.append(f"{v.intervention_type or 'Intervention'}: began "
                         f"{uk_date(v.started_on)}, {until}")
            lines.append(f"  Lead: {v.lead_label or '–'}"
                         + (f"; partners: {v.partner_labels}" if v.partner_labels else ""))
        rows.append({"position": [float(first.lon), float(first.lat)], "text": "◆",
                     "tip": escape.deck("\n".join(lines)), "id": str(context_id)})
    return rows


def place_rows(points: pd.DataFrame, view: str, period: str,
               noun: str = "Incidents") -> list[dict]:
    """One circle a place, its tooltip built place by place."""
    shown = points[points["incidents"] > 0]
    if suppresses(view):
        shown = shown[~shown["context_type"].isin(PRIVATE_TYPES)]
        shown = drop_small_rows(shown, ["incidents"], view)
    rows = []
    scale = _place_scale(shown)
    for p in shown.itertuples():
        risks = "\n".join(f"  {risk_label(code)}: {display_count(n, view)}"
                          for code, n in p.risks)
        rows.append({"position": [p.lon, p.lat],
                     "radius": scale * PLACE_RADIUS_M * math.sqrt(p.incidents),
                     "tip": escape.deck(
                         f"{p.name} ({p.type})\n{noun}: {display_count(p.incidents, view)}"
                         f"\n{risks}\n{trend_words(p.incidents, p.previous, view, period)}")})
    return rows


def _plural(n: int, view: str, one: str, many: str) -> str:
    return one if n == 1 and not (suppresses(view) and is_small(n)) else many


def reason(row: pd.Series, view: str, period: str) -> str:
    """Why a place ranks where it does, one row at a time."""
    n = int(row["incidents"])
    text = f"{display_count(n, view)} {_plural(n, view, 'incident', 'incidents')} in {period}"
    previous = row.get("previous_incidents")
    if previous is not None and not pd.isna(previous):
        before = display_count(previous, view)
        if suppresses(view) and is_small(n) and is_small(previous):
            text += f", {before} in the period before"
        elif n > previous:
            text += f", up from {before}"
        elif n < previous:
            text += f", down from {before}"
        else:
            text += ", the same as the period before"
    parts = [text]
    change = row["trend"] * max(int(row.get("months", 1)) - 1, 0)
    if abs(change) >= priorities.TREND_WORDS_MIN:
        more, direction = ("more", "rising") if change > 0 else ("fewer", "falling")
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
        parts.append(f"a sign of {kind}: {spc.lower_first(signal)}")
    kinds = int(row["risk_types"])
    top = list(row.get("top_risks") or ())
    if kinds >= 2:
        mostly = f", mostly {' and '.join(t.lower() for t in top)}" if top else ""
        parts.append(f"{priorities.number_word(kinds)} risk types{mostly}")
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
    if days is not None and not pd.isna(days) and days >= priorities.QUIET_DAYS:
        parts.append(f"no incident in the last {int(days):,} days")
    return "; ".join(parts)


def explain(ranked: pd.DataFrame, view: str, period: str) -> pd.DataFrame:
    """The ranked places with 'why', 'where' and the view's names, row by row."""
    out = ranked.copy()
    out["name"] = [places.shareable_name(n, t, None if w == NO_WARD else w, view)
                   for n, t, w in zip(ranked["name"], ranked["context_type"], ranked["ward_name"],
                                      strict=True)]
    out["why"] = [reason(row, view, period) for _, row in ranked.iterrows()]
    out["where"] = [label.lower() if ward == NO_WARD else f"{label.lower()}, {ward}"
                    for label, ward in zip(ranked["context_label"], ranked["ward_name"],
                                           strict=True)]
    return out
