"""One `Filters` value -> one parameterised SQL predicate, a plain-English phrase and a URL.

Every analysis narrows incidents through `Filters.predicate()`, so the same selection means the
same rows everywhere. Values only ever reach SQL as bound parameters; the URL carries codes only
(source, ward code, risk code, context type, agency, outcome, period), never anything about a
young person. The source (analytics/store/sources.py: partnership incidents, police.uk street crime,
stop and search) is a filter like the others, so every analysis and every cache key sees it;
for police.uk, `risk_types` holds crime types (or objects of search) and `outcomes` the
searches' outcomes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from analytics.store.sources import INCIDENTS, OUTCOME_LABELS, SOURCES, risk_label, risk_vocabulary
from analytics.store.sources import source as source_of
from analytics.store.vocab import AGENCY_LABELS, CONTEXT_LABELS, RISK_LABELS

PERIOD_PRESETS: dict[str, str] = {
    "3m": "Last 3 months",
    "6m": "Last 6 months",
    "12m": "Last 12 months",
    "24m": "Last 24 months",
    "all": "All data",
    "custom": "Chosen dates",
}
DEFAULT_PERIOD = "12m"
POLICE_AGENCY = "police"  # the agency police.uk's open data belong to, for a scope of agencies
# The dates a link or the date picker may name; anything else gets the usual notice and the
# default period (the sidebar's date input refuses dates outside them).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def plain_names(*names: str) -> None:
    """Refuse any name that is not a plain SQL name (aliases and prefixes are written in code,
    never taken from input)."""
    for name in names:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"{name!r} is not a plain SQL name")


def has_any_risk(alias: str, param: str) -> str:
    """SQL: the derived-table row under `alias` carries any of the risk types in the list
    parameter `param`. One AND of its bits (analytics/store/derived.py: 15 to 40 ms a query less
    than searching every row's list at a million incidents), or its list for a row with a code
    past the 64th, which has no bits. Both names are plain SQL names written in code."""
    plain_names(alias, param)
    return (f"coalesce(({alias}.risk_bits & (SELECT coalesce(bit_or(1::UBIGINT << bit), 0) "
            f"FROM risk_codes WHERE bit < 64 AND list_contains(${param}, code))) <> 0, "
            f"list_has_any({alias}.risks, ${param}))")


@dataclass(frozen=True)
class Predicate:
    """SQL text and its parameters, carried together; refuses `str()` so it is never pasted."""

    sql: str
    params: dict = field(hash=False, compare=False)
    phrase: str = ""

    def __str__(self) -> str:
        raise TypeError("A Predicate is SQL plus parameters: use .sql with .params, never str()")


@dataclass(frozen=True)
class Filters:
    """The global selection: a period (inclusive dates) and code lists; an empty list means all."""

    start: date | None = None
    end: date | None = None
    wards: tuple[str, ...] = ()
    risk_types: tuple[str, ...] = ()
    context_types: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    period: str = DEFAULT_PERIOD
    source: str = INCIDENTS
    outcomes: tuple[str, ...] = ()  # stop-and-search outcomes (codes), for police.uk searches
    # The signed-in user's scope, set only by analytics.governance.access.scoped: None means every ward (or
    # agency), () means none. Kept apart from the choices above so that no analysis can widen it
    # by replacing `wards`, and never written into a link.
    within_wards: tuple[str, ...] | None = None
    within_agencies: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError(
                f"The period starts ({uk_date(self.start)}) after it ends ({uk_date(self.end)})."
            )
        if self.source not in SOURCES:
            raise ValueError(f"{self.source!r} is not a source we know.")
        for name in ("wards", "risk_types", "context_types", "agencies", "outcomes"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        for name in ("within_wards", "within_agencies"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    def predicate(self, alias: str = "i", ward_names: Mapping[str, str] | None = None,
                  prefix: str = "f_", risk_list: bool = False) -> Predicate:
        """The WHERE clause (without WHERE) selecting this filter's incidents under `alias`.

        `prefix` names the parameters, so two predicates (say this period and the previous one)
        can sit in one statement. `risk_list` says `alias` carries its risk types as a list
        column `risks` and as bits `risk_bits` (the derived tables of
        analytics/store/derived.py), read without a join; those
        tables hold every source, so the predicate picks the filter's. Without it, `alias` is
        the incidents table itself, which holds partnership incidents only.

        Agencies narrow partners' records; police.uk's open data come from no partner, so for
        a police.uk source the agencies chosen do not apply. Wards do, and so does a sign-in
        scope of agencies: police.uk's rows are the police's (POLICE_AGENCY), so a user whose
        agencies leave out the police sees none of them.
        """
        plain_names(alias, prefix)
        clauses, params = ["TRUE"], {}
        if risk_list:
            clauses.append(f"{alias}.source = ${prefix}source")
            params[f"{prefix}source"] = self.source
        elif self.source != INCIDENTS:
            raise ValueError("police.uk sources are read from the derived tables (risk_list=True).")
        partners = not source_of(self.source).police
        if self.start:
            clauses.append(f"{alias}.occurred_at >= ${prefix}start")
            params[f"{prefix}start"] = self.start
        if self.end:
            clauses.append(f"{alias}.occurred_at < ${prefix}end")
            params[f"{prefix}end"] = self.end + timedelta(days=1)
        if self.wards:
            clauses.append(f"list_contains(${prefix}wards, {alias}.ward_code)")
            params[f"{prefix}wards"] = list(self.wards)
        if self.risk_types and risk_list:
            clauses.append(has_any_risk(alias, f"{prefix}risks"))
            params[f"{prefix}risks"] = list(self.risk_types)
        elif self.risk_types:
            clauses.append(
                f"{alias}.incident_id IN (SELECT incident_id FROM incident_risks "
                f"WHERE list_contains(${prefix}risks, risk_type))"
            )
            params[f"{prefix}risks"] = list(self.risk_types)
        if self.context_types:
            clauses.append(f"list_contains(${prefix}contexts, {alias}.location_type)")
            params[f"{prefix}contexts"] = list(self.context_types)
        if self.agencies and partners:
            clauses.append(f"list_contains(${prefix}agencies, {alias}.source_agency)")
            params[f"{prefix}agencies"] = list(self.agencies)
        if self.outcomes and risk_list:
            clauses.append(f"list_contains(${prefix}outcomes, {alias}.outcome)")
            params[f"{prefix}outcomes"] = list(self.outcomes)
        if self.within_wards is not None:
            clauses.append(f"list_contains(${prefix}within_wards::VARCHAR[], {alias}.ward_code)")
            params[f"{prefix}within_wards"] = list(self.within_wards)
        if self.within_agencies is not None and partners:
            clauses.append(
                f"list_contains(${prefix}within_agencies::VARCHAR[], {alias}.source_agency)")
            params[f"{prefix}within_agencies"] = list(self.within_agencies)
        elif not self.police_in_scope():
            clauses.append("FALSE")
        return Predicate(" AND ".join(clauses), params, self.describe(ward_names))

    def in_scope(self, *columns: str, prefix: str = "s_") -> Predicate:
        """The scope's wards as a condition on the ward of something other than an incident (a
        ward, a place, an intervention, an LSOA, a police.uk crime): the first of `columns` that
        is not NULL. TRUE without a scope. Something in no ward (an online space, an unplaced
        peer group) is nobody's patch and stays in every scope; its incidents keep their own.

        >>> Filters(within_wards=("W1",)).in_scope("c.ward_code").sql
        '(c.ward_code IS NULL OR list_contains($s_within_wards::VARCHAR[], c.ward_code))'
        """
        for name in (*columns, prefix):
            if not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?", name):
                raise ValueError(f"{name!r} is not a plain SQL name")
        if self.within_wards is None:
            return Predicate("TRUE", {})
        ward = columns[0] if len(columns) == 1 else f"coalesce({', '.join(columns)})"
        name = f"{prefix}within_wards"
        return Predicate(f"({ward} IS NULL OR list_contains(${name}::VARCHAR[], {ward}))",
                         {name: list(self.within_wards)})

    def police_in_scope(self) -> bool:
        """Whether the user's scope of agencies holds the police, whose police.uk's rows are
        (street crime and searches near a place, too): with no scope of agencies, it does."""
        return self.within_agencies is None or POLICE_AGENCY in self.within_agencies

    @property
    def limited(self) -> bool:
        """Whether a scope limits these filters to some wards or agencies."""
        return self.within_wards is not None or self.within_agencies is not None

    def everything(self) -> Filters:
        """All the data this user may see: no choices, every date, the same scope. For analyses
        that look beyond the chosen period or places (an intervention's months before and after,
        the comparison places), so that looking wider never reaches outside the scope."""
        # replace, not a new Filters: whatever else these filters carry (the scope, and any
        # field added later) is kept; only the user's choices are cleared.
        return replace(self, start=None, end=None, wards=(), risk_types=(), context_types=(),
                       agencies=(), outcomes=(), period="all")

    def describe(self, ward_names: Mapping[str, str] | None = None) -> str:
        """The selection in plain English, for chart captions (a police.uk source first)."""
        source = source_of(self.source)
        parts = [source.label, self.period_phrase()] if source.police else [self.period_phrase()]
        ward_names = ward_names or {}
        choices = [
            (self.wards, self.within_wards, ward_names, "wards"),
            (self.risk_types, None, _Labelled(risk_vocabulary(self.source)), source.type_nouns),
            (self.context_types, None, CONTEXT_LABELS,
             "place types" if source.police else "context types"),
        ]
        if source.police:
            if source.outcome_noun:
                choices.append((self.outcomes, None, OUTCOME_LABELS, source.outcome_noun))
        else:
            choices.append((self.agencies, self.within_agencies, AGENCY_LABELS, "agencies"))
        for values, within, names, plural in choices:
            if values:
                parts.append(f"{plural}: " + ", ".join(names.get(v, v) for v in values))
            elif within is not None:
                parts.append(f"the {plural} you may see: "
                             + (", ".join(names.get(v, v) for v in within) or "none"))
            else:
                parts.append(f"all {plural}")
        return "; ".join(parts)

    def period_phrase(self) -> str:
        """'1 December 2025 to 30 November 2026', or 'all dates'."""
        if self.start and self.end:
            return f"{uk_date(self.start)} to {uk_date(self.end)}"
        if self.start:
            return f"from {uk_date(self.start)}"
        if self.end:
            return f"up to {uk_date(self.end)}"
        return "all dates"

    def previous(self) -> Filters:
        """The same selection over the period of the same length just before this one (cut
        short at the first day the calendar has, rather than overflowing)."""
        if not (self.start and self.end):
            raise ValueError("Only a bounded period has a previous period.")
        if self.start == date.min:
            raise ValueError("The period starts on the first day there is: nothing comes before.")
        end = self.start - timedelta(days=1)
        if self.whole_months():
            index = self.start.year * 12 + self.start.month - 1 - self.months()
            start = add_months(self.start, -self.months()) if index >= 12 else date.min
        else:
            length = (self.end - self.start).days + 1
            start = date.fromordinal(max(1, self.start.toordinal() - length))
        return replace(self, start=start, end=end)

    def whole_months(self) -> bool:
        """True when the period runs from a first of the month to a last of the month."""
        return bool(self.start and self.end and self.start.day == 1
                    and self.end == month_end(self.end))

    def months(self) -> int:
        """How many calendar months the period spans (at least one)."""
        if not (self.start and self.end):
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def to_query(self) -> dict[str, str | list[str]]:
        """The URL query parameters that reopen this view (codes only; defaults left out)."""
        query: dict[str, str | list[str]] = {}
        if self.period != DEFAULT_PERIOD:
            query["period"] = self.period
        if self.period == "custom" and self.start and self.end:
            query["from"] = self.start.isoformat()
            query["to"] = self.end.isoformat()
        if self.source != INCIDENTS:
            query["source"] = self.source
        for key, values in (("ward", self.wards), ("risk", self.risk_types),
                            ("context", self.context_types), ("agency", self.agencies),
                            ("outcome", self.outcomes)):
            if values:
                query[key] = list(values)
        return query


QUERY_KEYS = ("source", "period", "from", "to", "ward", "risk", "context", "agency", "outcome")


class _Labelled(dict):
    """A vocabulary that names a code it does not list by sources.risk_label."""

    def __missing__(self, key: str) -> str:
        return risk_label(key)


def source_from_query(query: Mapping[str, str | list[str]], default: str) -> tuple[str, list[str]]:
    """The source a link asks for (a code), or `default` with a notice when it names none we
    know; read before the rest of the link because the period follows the source's data."""
    raw = query.get("source", [])
    values = [raw] if isinstance(raw, str) else list(raw)
    if not values:
        return default, []
    if values[0] in SOURCES:
        return values[0], []
    return default, [f"The link named a source we do not have ({_shorten(values[0])}); "
                     f"showing {source_of(default).label}."]


def period_dates(preset: str, data_end: date, data_start: date | None = None) -> tuple[date | None, date | None]:
    """The inclusive dates of a period preset, ending with the month of the latest data."""
    end = month_end(data_end)
    if preset == "all":
        return data_start, end
    months = int(preset.rstrip("m"))
    return add_months(end.replace(day=1), -(months - 1)), end


def from_query(
    query: Mapping[str, str | list[str]],
    *,
    data_end: date,
    data_start: date | None,
    ward_codes: set[str] | frozenset[str],
    risk_codes: set[str] | frozenset[str] = frozenset(RISK_LABELS),
    context_codes: set[str] | frozenset[str] = frozenset(CONTEXT_LABELS),
    agency_codes: set[str] | frozenset[str] = frozenset(AGENCY_LABELS),
    default_source: str = INCIDENTS,
    outcome_codes: set[str] | frozenset[str] = frozenset(OUTCOME_LABELS),
) -> tuple[Filters, list[str]]:
    """Read filters from URL parameters; unknown or malformed values fall back, with a notice each.

    The source comes first (`default_source` when the link names none); `risk_codes` are the
    codes the caller offers for that source (the vocabulary of incidents' risk types by default,
    which a police.uk source replaces with its own).
    """
    source, notices = source_from_query(query, default_source)
    if source != INCIDENTS and risk_codes == frozenset(RISK_LABELS):
        risk_codes = frozenset(risk_vocabulary(source))

    def values(key: str) -> list[str]:
        raw = query.get(key, [])
        return [raw] if isinstance(raw, str) else list(raw)

    def known(key: str, allowed: set[str] | frozenset[str], what: str) -> tuple[str, ...]:
        kept = []
        for v in values(key):
            if v in allowed:
                kept.append(v)
            else:
                notices.append(f"The link named an unknown {what} ({_shorten(v)}); it was left out.")
        return tuple(kept)

    period = (values("period") or [DEFAULT_PERIOD])[0]
    if period not in PERIOD_PRESETS:
        notices.append(f"The link's period ({_shorten(period)}) is not one we know; "
                       f"showing the {PERIOD_PRESETS[DEFAULT_PERIOD].lower()}.")
        period = DEFAULT_PERIOD
    start, end = None, None
    if period == "custom":
        try:
            start = date.fromisoformat((values("from") or [""])[0])
            end = date.fromisoformat((values("to") or [""])[0])
            if start > end:
                raise ValueError
        except ValueError:
            notices.append("The link's dates were missing or not in order (from YYYY-MM-DD to "
                           f"YYYY-MM-DD); showing the {PERIOD_PRESETS[DEFAULT_PERIOD].lower()}.")
            period = DEFAULT_PERIOD
        else:
            if start < EARLIEST_DATE or end > LATEST_DATE:
                notices.append(f"The link's dates ({_shorten(start.isoformat())} to "
                               f"{_shorten(end.isoformat())}) are outside "
                               f"{uk_date(EARLIEST_DATE)} to {uk_date(LATEST_DATE)}; showing the "
                               f"{PERIOD_PRESETS[DEFAULT_PERIOD].lower()}.")
                period = DEFAULT_PERIOD
    if period != "custom":
        start, end = period_dates(period, data_end, data_start)
    filters = Filters(
        start=start, end=end, period=period,
        wards=known("ward", ward_codes, "ward"),
        risk_types=known("risk", risk_codes, source_of(source).type_noun),
        context_types=known("context", context_codes, "context type"),
        agencies=known("agency", agency_codes, "agency"),
        source=source, outcomes=known("outcome", outcome_codes, "outcome"),
    )
    return filters, notices


def _shorten(value: str, limit: int = 40) -> str:
    """A URL value made safe to echo: printable, and cut short."""
    clean = "".join(ch for ch in value if ch.isprintable())
    return repr(clean if len(clean) <= limit else clean[:limit] + "…")


def uk_date(d: date) -> str:
    """23 November 2026."""
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def uk_month(d: date) -> str:
    """November 2026."""
    return f"{calendar.month_name[d.month]} {d.year}"


def month_end(d: date) -> date:
    """The last day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after d's month (d must be a first of month)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_words(filters: Filters) -> str:
    """'12 months' or '90 days': how long the comparison period is, in words."""
    if not (filters.start and filters.end):
        return "period"
    if filters.whole_months():
        months = filters.months()
        return "month" if months == 1 else f"{months} months"
    days = (filters.end - filters.start).days + 1
    return "day" if days == 1 else f"{days} days"
