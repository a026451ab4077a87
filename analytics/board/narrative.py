"""What changed, in plain English: a few sentences generated from the data for the board.

Every sentence is built from an analysis of the current filters (no template carries a number of
its own): the headline against the previous period, the largest rises and falls among wards,
places and risk types, signals of rising harm that began lately (analytics.trends.trends), hot spots
that were not hot spots in the previous period (analytics.places.places), and the places ranked first
to act on (analytics.contexts.priorities). Counts go through analytics.governance.disclosure for the view, and
changes and percentages are worked out from the figures as shown, so a sentence never reveals
more than the numbers beside it.

    >>> what_changed(store.cursor(), filters, view="board").sentences[0]
    'In the 12 months to 31 October 2026 there were 2,345 incidents, up 12% on the 12 months before (2,090).'
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.board import overview
from analytics.contexts import contexts, priorities
from analytics.governance.disclosure import display_count, drop_small_rows, shown_number
from analytics.places import hotspots, places
from analytics.store.filters import Filters, add_months, period_words, uk_date, uk_month
from analytics.store.risk_sets import by_risk_type
from analytics.store.sources import risk_label
from analytics.store.sources import source as source_of
from analytics.style.text import lower_initial
from analytics.trends import spc, trends

NEW_SIGNAL_MONTHS = 3  # a signal that began within this many months of the end is "new"
TOP_PLACES = 3  # places named as the first to act on
NAMED_SIGNALS = 3  # risk types named for one ward; more are counted
NAMED_WARDS = 3  # wards named with new signals; more are counted


@dataclass(frozen=True)
class Narrative:
    """The 'what changed' sentences, most important first, and whether there was any data."""

    sentences: tuple[str, ...]
    empty: bool = False


def what_changed(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> Narrative:
    """A few plain-English sentences on what changed in the period, for the view."""
    head = overview.headline(con, filters)
    src = source_of(filters.source)
    if head.current.incidents == 0:
        return Narrative((f"No {src.nouns} match these filters, so nothing can be said about "
                          "what changed.",), empty=True)
    period = period_words(filters)
    sentences = [headline_sentence(head, filters, view, period)]
    if filters.start and filters.end and head.previous and head.previous.incidents:
        for unit, noun in (("ward", "wards"), ("context", "places")):
            moved = overview.changes(con, filters, unit=unit)
            if unit == "context":  # only the places a sentence can name need their names made
                moved = _shareable_names(con, most_changed(moved, view), view)
            sentences.append(rise_and_fall(moved, noun, view, period, src.nouns))
        risks = risk_changes(con, filters)
        sentences.append(rise_and_fall(risks.assign(name=risks["name"].map(lower_initial)),
                                       src.type_nouns, view, period, src.nouns))
    sentences.append(signal_sentence(trends.signals(con, filters, view=view), filters))
    if filters.start and filters.end:
        sentences.append(hot_spot_sentence(places.ward_hot_spots(con, filters, view=view),
                                           places.ward_hot_spots(con, filters.previous(),
                                                                 view=view),
                                           period))
    sentences.append(priority_sentence(con, filters, view))
    return Narrative(tuple(s for s in sentences if s))


def headline_sentence(head: overview.Headline, filters: Filters, view: str, period: str) -> str:
    """'In the 12 months to 31 October 2026 there were 2,345 incidents involving 1,120 young
    people, up 12% on the 12 months before (2,090).'"""
    cur = head.current
    when = (f"In the {period} to {uk_date(filters.end)}" if filters.start and filters.end
            else "Across all the data")
    src = source_of(filters.source)
    text = f"{when} there were {display_count(cur.incidents, view)} {src.nouns}"
    if src.people:
        text += f" involving {display_count(cur.young_people, view)} young people"
    if head.previous is not None:
        text += ", " + change_words(cur.incidents, head.previous.incidents, view,
                                    f"the {period} before")
    return " ".join([text + ".", head.coverage_words(filters)]).strip()


def change_words(current: int, previous: int, view: str, before: str) -> str:
    """'up 12% on the 12 months before (2,090)', from the figures as the view shows them."""
    now, then = shown_number(current, view), shown_number(previous, view)
    if not previous:
        return f"with none in {before}"
    if now is None or then is None:
        return f"against {display_count(previous, view)} in {before}"
    if round(abs(now - then) / then, 2) == 0:
        return f"about the same as {before} ({display_count(previous, view)})"
    direction = "up" if now > then else "down"
    return (f"{direction} {abs(now - then) / then:.0%} on {before} "
            f"({display_count(previous, view)})")


def risk_changes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents carrying each risk type in this period and the previous one, with the change
    (code, name, current, previous, change), like overview.changes for wards and places."""
    columns = ["code", "name", "current", "previous", "change"]
    if not (filters.start and filters.end):
        return pd.DataFrame(columns=columns)
    # The derived table carries each incident's risk types (analytics/store/derived.py): no join,
    # only the two periods are read, and incidents are counted by their set of risk types.
    cur = filters.predicate("i", risk_list=True)
    prev = filters.previous().predicate("i", prefix="p_", risk_list=True)
    counted = by_risk_type(
        f"SELECT i.risk_bits, i.risks, ({cur.sql}) AS now, ({prev.sql}) AS before "
        f"FROM incident_facts i WHERE ({cur.sql}) OR ({prev.sql})",
        [], {"current": "count(*) FILTER (WHERE now)", "previous": "count(*) FILTER (WHERE before)"})
    frame = con.execute(
        f"""
        SELECT risk_type AS code, current, previous FROM ({counted})
        WHERE len($risks) = 0 OR list_contains($risks, risk_type)
        """,
        {**cur.params, **prev.params, "risks": list(filters.risk_types)},
    ).df()
    frame = frame[(frame["current"] > 0) | (frame["previous"] > 0)].copy()
    frame["name"] = frame["code"].map(risk_label)
    frame["change"] = frame["current"] - frame["previous"]
    return frame[columns].sort_values(["change", "name"], ascending=[False, True],
                                      ignore_index=True)


def most_changed(changes: pd.DataFrame, view: str) -> pd.DataFrame:
    """The row that rose most and the row that fell most (at most two), among the rows whose two
    counts the view can show, with the change worked out from those counts."""
    safe = drop_small_rows(changes, ["current", "previous"], view)
    safe = safe.assign(change=safe["current"] - safe["previous"])
    picked = ([safe["change"].idxmax()] if (safe["change"] > 0).any() else []) + (
        [safe["change"].idxmin()] if (safe["change"] < 0).any() else [])
    return safe if safe.empty else safe.loc[picked]


def rise_and_fall(changes: pd.DataFrame, noun: str, view: str, period: str,
                  what: str = "incidents") -> str:
    """'Among wards, Millbrook rose most (up 85 to 310 incidents) and Ashby fell most (down 40
    to 120).' Only rows whose two counts can both be shown take part; the change is worked out
    from the counts as shown."""
    if drop_small_rows(changes, ["current", "previous"], view).empty:
        return ""
    parts = []
    for row in most_changed(changes, view).itertuples():
        if row.change > 0:
            parts.append(f"{row.name} rose most (up {row.change:,} to {row.current:,} {what})")
        else:
            parts.append(f"{row.name} fell most (down {-row.change:,} to {row.current:,})")
    if not parts:
        return f"Among {noun}, none changed by enough to show on the previous {period}."
    return f"Among {noun}, " + " and ".join(parts) + f", on the previous {period}."


def signal_sentence(table: trends.SignalTable, filters: Filters) -> str:
    """New signals of rising harm: those that began in the last NEW_SIGNAL_MONTHS months."""
    if table.window is None:
        return ""
    concerns = table.current[table.current["assessment"] == spc.CONCERN]
    src = source_of(filters.source)
    if concerns.empty:
        return (f"No {src.type_noun} in any ward shows a current signal of rising {src.harm}: "
                "the ups and downs are within the expected range, or too few to judge.")
    last = table.window.periods[-1].date().replace(day=1)
    since = add_months(last, -(NEW_SIGNAL_MONTHS - 1))
    new = concerns[[pd.Timestamp(d).date() >= since for d in concerns["since"]]]
    older = len(concerns) - len(new)
    carry = (f"; {priorities.number_word(older)} earlier "
             f"{'signal continues' if older == 1 else 'signals continue'}" if older else "")
    span = (f"from {uk_month(since).split()[0] if since.year == last.year else uk_month(since)}"
            f" to {uk_month(last)}")
    if new.empty:
        return f"No new signal of rising {src.harm} began {span}{carry}."
    wards = sorted(new.groupby("label_b", sort=False), key=lambda kv: -len(kv[1]))
    named = [f"{ward} ({_listed([lower_initial(r) for r in group['label_a']])})"
             for ward, group in wards[:NAMED_WARDS]]
    if len(wards) > NAMED_WARDS:
        named.append(f"{priorities.number_word(len(wards) - NAMED_WARDS)} more "
                     f"{'ward' if len(wards) - NAMED_WARDS == 1 else 'wards'}")
    count = priorities.number_word(len(new)).capitalize()
    return (f"{count} new {'signal' if len(new) == 1 else 'signals'} of rising {src.harm} began "
            f"{span}: {_listed(named)}{carry}.")


def _listed(items: list[str], most: int = NAMED_SIGNALS) -> str:
    """'a, b, c and two more' (at most `most` named), 'a and b', or 'a'."""
    if len(items) > most + 1:
        items = [*items[:most], f"{priorities.number_word(len(items) - most)} more"]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def hot_spot_sentence(now: places.HotSpots, before: places.HotSpots, period: str) -> str:
    """Hot spots that are new on the previous period, or that the hot spots are unchanged."""
    if now.reason:
        return ""
    hot = [s for s in now.spots if s.kind == hotspots.HOT]
    if not hot:
        return "No ward stands out as a hot spot once its neighbours are taken into account."
    words = "; ".join(
        f"{s.lead}{' and its neighbours' if s.members else ''}, {s.ratio:.1f} times the borough "
        f"rate" for s in hot)
    if before.reason:
        return (f"Hot {'spot' if len(hot) == 1 else 'spots'}: {words}; there is no earlier "
                "period to compare with.")
    was_hot = {name for s in before.spots if s.kind == hotspots.HOT
               for name in (s.lead, *s.members)}
    new = [s for s in hot if not ({s.lead, *s.members} & was_hot)]
    if not new:
        names = ", ".join(s.lead for s in hot)
        return (f"No new hot spot: {names} {'was' if len(hot) == 1 else 'were'} already a hot "
                f"spot in the previous {period}.")
    words = "; ".join(
        f"{s.lead}{' and its neighbours' if s.members else ''}, {s.ratio:.1f} times the borough "
        f"rate" for s in new)
    return (f"New hot {'spot' if len(new) == 1 else 'spots'}, not seen in the previous {period}: "
            f"{words}.")


def priority_sentence(con: duckdb.DuckDBPyConnection, filters: Filters, view: str) -> str:
    """'Places to act on first: Hotel A (hotel, Larkspur Vale); ...' from the priority ranking."""
    # The ranking alone: the SPC signals priorities.rank adds to each place do not change it.
    ranked = priorities.score(contexts.profiles(con, filters))
    if ranked.empty:
        return ""
    named = [f"{places.shareable_name(r.name, r.context_type, _ward(r.ward_name), view)} "
             f"({r.context_label.lower()}{_in_ward(r.ward_name)})"
             for r in ranked.head(TOP_PLACES).itertuples()]
    return "Places to act on first, by priority score: " + "; ".join(named) + "."


def _ward(name: str) -> str | None:
    return None if name == priorities.NO_WARD else name


def _in_ward(name: str) -> str:
    return "" if name == priorities.NO_WARD else f", {name}"


def _shareable_names(con: duckdb.DuckDBPyConnection, moved: pd.DataFrame,
                     view: str) -> pd.DataFrame:
    """Place names fit for the view: a home address is never named outside the analyst view."""
    if moved.empty:
        return moved
    info = con.execute(
        "SELECT c.context_id AS code, c.context_type, w.ward_name FROM place_facts c "
        "LEFT JOIN wards w USING (ward_code) WHERE list_contains($ids, c.context_id)",
        {"ids": list(moved["code"])}).df().set_index("code")
    out = moved.copy()
    types = moved["code"].map(info["context_type"])
    wards = moved["code"].map(info["ward_name"])
    out["name"] = [places.shareable_name(name, kind, _text(ward), view) if code in info.index
                   else name for code, name, kind, ward in zip(moved["code"], moved["name"],
                                                               types, wards, strict=True)]
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
