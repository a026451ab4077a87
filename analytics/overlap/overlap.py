"""Which harms occur together: overlap of risk types in the same young people or the same places.

Practice grew up in silos (sexual exploitation, criminal exploitation, going missing...), yet the
same young people and places carry several harms. This module measures that overlap.

The unit is chosen by the user: a young person (or a place) is a *member* of a risk type when an
incident in the selection records that risk type for them (or at that place). police.uk data
names no one, so there the units are places (its anonymised locations) and LSOA-months (an LSOA
in one calendar month): which crime types (or objects of search) occur together at the same
location, or in the same small area in the same month, more often than chance. A pair of risk
types co-occurs for a member when both were recorded in the period or, with a window of `w` days,
when a record of one falls within `w` days of a record of the other.

Per pair of risk types A, B, among the N members with any risk recorded:
- count n(A and B); Jaccard n(A and B) / n(A or B);
- conditional share P(B | A) = n(A and B) / n(A): "of young people with A, the share who also
  have B" (it reads along a row: row A, column B; it is not symmetric);
- lift n(A and B) * N / (n(A) * n(B)): observed over what independence would give (1 = chance),
  with a 95% interval from the delta method on log(lift) under the multinomial 2x2 table;
- Fisher's exact test, one-sided (alternative "greater": more overlap than chance), with the
  Benjamini-Hochberg false discovery rate correction across all pairs.

The risk-type filter chooses which risk types are compared; membership and N come from every
incident in the rest of the selection, so "expected under independence" is against everyone known
in the period, not only those with a chosen type (which would push every lift below one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics.governance.disclosure import SUPPRESSED, display_count
from analytics.governance.escape import Markdown, markdown
from analytics.store import memo
from analytics.store.filters import Filters, has_any_risk
from analytics.store.sources import reword, risk_label, risk_vocabulary
from analytics.store.sources import source as source_of
from analytics.style.text import lower_initial

# The units of overlap: code -> plural noun used in sentences.
UNITS: dict[str, str] = {"people": "young people", "contexts": "places",
                         "lsoa_months": "LSOA-months"}
UNIT_ONE: dict[str, str] = {"people": "young person", "contexts": "place",
                            "lsoa_months": "LSOA-month"}
# Windows offered on the page: a plain code -> days between the two records (None: anywhere in
# the period), and its label. Codes, not numbers, so no option is None to a select box.
WINDOW_DAYS: dict[str, int | None] = {"period": None, "day": 0, "7": 7, "30": 30, "90": 90}
# Default: harms recorded within 30 days of each other. Over a whole period, young people involved
# again and again collect many risk types, so rarer types look linked through them alone (on
# the demo borough: modern slavery with radicalisation); a window keeps to harms that occur
# together, and there the pairs the demo plants come out strongest.
DEFAULT_WINDOW = "30"
WINDOW_LABELS: dict[str, str] = {
    "period": "Anywhere in the period",
    "day": "On the same day",
    "7": "Within 7 days",
    "30": "Within 30 days",
    "90": "Within 90 days",
}
MAX_WINDOW = 3660
MEASURES: dict[str, str] = {
    "lift": "Lift: how many times chance",
    "count": "Count",
    "jaccard": "Jaccard index",
    "share": "Share who also have (row to column)",
}
ALPHA = 0.05  # false discovery rate for "stronger than chance"
CONFIDENCE = 0.95  # level of the lift interval
MIN_SUPPORT = 10  # members with both before a pair can be named among the strongest
STRONGEST = 3  # how many pairs the plain-English summary names
NO_WARD = "No ward recorded (online or unknown)"
SEPARATOR = "+"  # joins codes in a combination key, e.g. "cce+county_lines"

# Fixed SQL fragments per unit (chosen from this allow-list, never from a widget's text). The
# tables are the derived ones (analytics/store/derived.py): each row carries its incident's columns and
# risk types, so no query here joins.
_ENTITY: dict[str, tuple[str, str, str]] = {
    # unit: (entity expression, table, extra condition)
    "people": ("i.person_no", "people_facts", "TRUE"),
    "contexts": ("i.context_id", "incident_facts", "i.context_id IS NOT NULL"),
    "lsoa_months": ("i.lsoa_code || ' ' || strftime(i.occurred_at, '%Y-%m')", "incident_facts",
                    "i.lsoa_code IS NOT NULL"),
}
# police.uk street crime is dated by month (the 1st), so "the same day" is the same month.
MONTHLY_WINDOWS: dict[str, str] = {"period": "Anywhere in the period", "day": "In the same month"}


def units(code: str) -> dict[str, str]:
    """The units a source's overlap can be counted in: young people and places for incidents;
    places and LSOA-months for police.uk, which names no one."""
    keep = ("contexts", "lsoa_months") if source_of(code).police else ("people", "contexts")
    return {u: UNITS[u] for u in keep}


def windows(code: str) -> dict[str, str]:
    """The windows a source offers: all of them, or for monthly street crime the two that mean
    something (anywhere in the period; in the same month)."""
    src = source_of(code)
    return dict(MONTHLY_WINDOWS) if src.police and not src.time_of_day else dict(WINDOW_LABELS)


@dataclass(frozen=True)
class Overlap:
    """The pair measures for one unit and window: tidy frames plus the universe they rest on."""

    unit: str
    window: int | None
    universe: int  # N: members with at least one risk type recorded in the selection
    types: tuple[str, ...]  # the risk types compared, in vocabulary order
    singles: pd.DataFrame  # risk_type, label, n
    pairs: pd.DataFrame  # one row per unordered pair a, b (a before b in vocabulary order)


@dataclass(frozen=True)
class Drilldown:
    """Where and when one pair or combination occurs: wards, places, and members a month."""

    risks: tuple[str, ...]
    exact: bool
    members: int
    wards: pd.DataFrame  # ward_code, ward_name, members, incidents
    contexts: pd.DataFrame  # context_id, name, context_type, members, incidents
    monthly: pd.DataFrame  # month, value (members with the pair or combination in that month)


def reworded(text: str, code: str) -> str:
    """Words written about incidents in a source's words (sources.reword: crimes, crime types);
    street crime is dated by month, so its 'same day' is the same month. Markdown stays so."""
    text = reword(text, code)
    if source_of(code).time_of_day:
        return text
    return type(text)(text.replace("on the same day", "in the same month"))


def introduction(code: str) -> str:
    """What the page shows, for a source: harms together in young people and places, or for
    police.uk (which names no one) crime types together at places and in LSOA-months."""
    src = source_of(code)
    if not src.police:
        return ("Practice grew up in silos, yet the same young people and the same places often "
                "carry several harms. This page shows which risk types occur together, and where.")
    return (f"Which {src.type_nouns} occur together at the same places (police.uk's anonymised "
            "locations) and in the same small areas in the same month (LSOA-months), and how much "
            "more often than chance. police.uk names no one, so there is no overlap in people.")


def unit_help(code: str) -> str:
    """What each of a source's units means, for the choice of unit."""
    return "Places: both risk types seen at the same place. " + (
        "LSOA-months: both in the same LSOA in the same calendar month." if source_of(code).police
        else "Young people: both recorded for the same young person.")


def nothing_to_compare(result: Overlap) -> str:
    """Why there is no overlap to show ('' when there is): no member, or one risk type only."""
    if result.universe == 0:
        return (f"None of these incidents is linked to a {UNIT_ONE[result.unit]}, so there is no "
                "overlap to show.")
    if len(result.types) < 2:
        return (f"Only one risk type is recorded for these {UNITS[result.unit]}, so nothing "
                "overlaps. Widen the period or clear a filter in the sidebar.")
    return ""


def default_unit(code: str) -> str:
    """The unit a source's overlap opens on: young people for incidents; for police.uk, which
    names no one, places."""
    return next(iter(units(code)))


def default_window(code: str) -> str:
    """The window a source's overlap opens on: DEFAULT_WINDOW, or for monthly street crime
    (which has no 30 days) anywhere in the period."""
    offered = windows(code)
    return DEFAULT_WINDOW if DEFAULT_WINDOW in offered else next(iter(offered))


def compared_types(filters: Filters) -> tuple[str, ...]:
    """The risk types to compare: the filter's if it names two or more, else every type."""
    vocabulary = tuple(risk_vocabulary(filters.source))
    order = {c: i for i, c in enumerate(vocabulary)}
    if len(filters.risk_types) >= 2:
        return tuple(sorted(filters.risk_types, key=lambda c: order.get(c, len(order))))
    return vocabulary


def label(code: str) -> str:
    """The plain label of a risk type (its code if it is not in the vocabulary)."""
    return risk_label(code)


def combination_label(combo: tuple[str, ...]) -> str:
    """'Criminal exploitation + County lines' (or '... only' for a single risk type)."""
    if len(combo) == 1:
        return f"{label(combo[0])} only"
    return " + ".join(label(c) for c in combo)


def involvement_note(unit: str, window: int | None) -> str:
    """A caution for whole-period overlap of young people, or '' where it does not apply."""
    if unit != "people" or window is not None:
        return ""
    return ("Over a whole period, young people involved in many incidents collect many risk "
            "types, so rarer risk types can look linked only through them. Choose a window to "
            "keep to harms recorded close together in time.")


def window_phrase(window: int | None) -> str:
    """'anywhere in the period', 'on the same day' or 'within 30 days of each other'."""
    if window is None:
        return "anywhere in the period"
    return "on the same day" if window == 0 else f"within {window} days of each other"


def describe(risks: tuple[str, ...], exact: bool) -> str:
    """How a pair or combination reads mid-sentence: 'sexual exploitation and going missing',
    'exactly criminal exploitation, county lines and gang involvement', 'only going missing'."""
    names = [lower_initial(label(r)) for r in risks]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if not exact:
        return joined
    return f"only {joined}" if len(names) == 1 else f"exactly {joined}"


def short_describe(risks: tuple[str, ...], exact: bool, limit: int = 3) -> str:
    """describe(), or 'exactly these 8 risk types' where the list would not fit in a title."""
    if len(risks) <= limit:
        return describe(risks, exact)
    return f"{'exactly ' if exact else ''}these {len(risks)} risk types"


def analyse(con: duckdb.DuckDBPyConnection, filters: Filters, unit: str = "people",
            window: int | None = None) -> Overlap:
    """Counts and pair measures for every pair of compared risk types recorded in the selection.

    >>> analyse(con, YEAR_2025, unit="people", window=30).pairs[["a", "b", "n_ab", "lift"]]
    """
    _check(unit, window)
    sets = member_sets(con, filters, unit)
    compared, universe = sets.types, int(sets.n.sum())
    # Members with both of each pair anywhere in the period (the diagonal: each type's own),
    # for the types recorded at all.
    has = sets.has.astype(np.int64)
    both = has.T @ (has * sets.n[:, None])
    present = np.flatnonzero(np.diag(both) > 0)
    types = tuple(compared[i] for i in present)
    first, second = (present[k] for k in np.triu_indices(len(present), k=1))
    counts = pd.DataFrame({"a": [compared[i] for i in first], "b": [compared[j] for j in second],
                           "n_a": np.diag(both)[first], "n_b": np.diag(both)[second],
                           "n_ab_period": both[first, second]})
    if window is None:
        counts["n_ab"] = counts["n_ab_period"]
    else:  # both within the window: from the records in date order
        sql, params = _records(filters, unit)
        params.update(types=list(compared), **_near_params(compared, window))
        near = _near_counts(con, sql, params, compared)
        counts["n_ab"] = [near.get(frozenset(pair), 0)
                          for pair in zip(counts["a"], counts["b"], strict=True)]
    counts = counts[["a", "b", "n_a", "n_b", "n_ab", "n_ab_period"]]
    singles_out = pd.DataFrame({"risk_type": list(types), "label": [label(t) for t in types],
                                "n": np.diag(both)[present]})
    return Overlap(unit=unit, window=window, universe=int(universe), types=types,
                   singles=singles_out, pairs=pair_statistics(int(universe), counts))


@dataclass(frozen=True)
class MemberSets:
    """How many members have exactly each set of the compared risk types: row r of `has` says
    which of `types` the set holds, `n[r]` how many members have it (an empty row: members with
    none of them, who still count among everyone in the selection)."""
    types: tuple[str, ...]
    has: np.ndarray  # bool, sets x types
    n: np.ndarray  # int64, one per set


@memo.per_data_version()  # the matrix and the combinations both start from it
def member_sets(con: duckdb.DuckDBPyConnection, filters: Filters,
                unit: str = "people") -> MemberSets:
    """Every member's set of compared risk types as bits, counted by set in one pass (sets in
    the order of their bits, so equal data gives an equal answer): a few hundred sets at most, from which every pair count and combination follows (a self-join of
    members' risk types took 0.3 to 0.8 s at a million incidents)."""
    _check(unit, None)
    types = compared_types(filters)
    sql, params = _records(filters, unit)
    params["types"] = list(types)
    words = range(max(1, -(-len(types) // 64)))  # 64 types to a word
    masks = ", ".join(f"bit_or(CASE WHEN k // 64 = {w} THEN 1::UBIGINT << (k % 64) "
                      f"ELSE 0::UBIGINT END) AS w{w}" for w in words)
    found = _run(con, f"""
        SELECT {", ".join(f"w{w}" for w in words)}, count(*) AS n FROM (
            SELECT entity, {masks}
            FROM (SELECT entity, list_position($types, risk_type) - 1 AS k FROM ({sql}))
            GROUP BY entity)
        GROUP BY ALL ORDER BY ALL""", params).fetchnumpy()
    bit = np.arange(64, dtype=np.uint64)
    has = np.concatenate([(found[f"w{w}"].astype(np.uint64)[:, None] >> bit) & np.uint64(1)
                          for w in words], axis=1)[:, :len(types)].astype(bool)
    return MemberSets(types=types, has=has, n=found["n"].astype(np.int64))


def pair_statistics(universe: int, counts: pd.DataFrame) -> pd.DataFrame:
    """Add Jaccard, both conditional shares, lift and its interval, Fisher p and BH q to counts.

    `counts` has a, b, n_a, n_b, n_ab and, with a window, n_ab_period (both anywhere in the
    period; n_ab counts only those within the window). `universe` is N. The caller's frame is
    left unchanged.
    """
    out = counts.copy()
    if "n_ab_period" not in out:
        out["n_ab_period"] = out["n_ab"]
    for col in ("n_a", "n_b", "n_ab", "n_ab_period"):
        out[col] = out[col].astype(int)
    out["a_label"] = [label(c) for c in out["a"]]
    out["b_label"] = [label(c) for c in out["b"]]
    a, ap, na, nb, n = (out["n_ab"].to_numpy(float), out["n_ab_period"].to_numpy(float),
                        out["n_a"].to_numpy(float), out["n_b"].to_numpy(float), float(universe))
    if ((a > ap) | (ap > na) | (ap > nb) | (na + nb - ap > n)).any():
        raise ValueError("Pair counts are inconsistent: n(A and B) exceeds n(A) or n(B), "
                         "or n(A or B) exceeds the number of members.")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["jaccard"] = np.where(na + nb - ap > 0, a / (na + nb - ap), np.nan)
        out["share_b_given_a"] = np.where(na > 0, a / na, np.nan)
        out["share_a_given_b"] = np.where(nb > 0, a / nb, np.nan)
        out["lift"] = np.where(na * nb > 0, a * n / (na * nb), np.nan)
    out["lift_low"], out["lift_high"] = lift_interval(a, na, nb, n, ap)
    p = fisher_greater(out["n_ab"], out["n_a"], out["n_b"], universe)
    out["p_value"] = p
    out["q_value"] = stats.false_discovery_control(p, method="bh") if len(p) else p
    out["significant"] = out["q_value"] < ALPHA
    return out


def fisher_greater(n_ab: Iterable[int], n_a: Iterable[int], n_b: Iterable[int],
                   universe: int) -> np.ndarray:
    """Fisher's exact test, one-sided (more overlap than chance), for each pair.

    The p-value is P(X >= n(A and B)) for X hypergeometric with N, n(A), n(B): exactly what
    scipy.stats.fisher_exact([[a, b], [c, d]], alternative="greater") returns for the 2x2 table.
    It is written from the margins because with a window the pair count is no longer a cell of
    that table (both recorded, but further apart, counts in n(A) and n(B) only); the test then
    asks whether close-in-time overlap alone exceeds chance overlap at all, a conservative test.
    """
    k, x, y = (np.asarray(list(v), dtype=int) for v in (n_ab, n_a, n_b))
    return np.asarray(stats.hypergeom.sf(k - 1, universe, x, y), dtype=float)


def lift_interval(n_ab: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, n: float,
                  n_ab_period: np.ndarray | None = None,
                  confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Delta-method interval for lift: exp(log(lift) +/- z * se); NaN where n(A and B) is 0.

    The members fall in multinomial cells: w = both within the window, e = both but further
    apart (0 without a window), b = A only, c = B only, d = neither. log(lift) = log w + log N
    - log n(A) - log n(B) with n(A) = w + e + b and n(B) = w + e + c; its gradient g gives
    var = sum(g_i^2 * cell_i) (the multinomial covariance term vanishes), that is
    w(1/w + 1/N - 1/n(A) - 1/n(B))^2 + e(1/N - 1/n(A) - 1/n(B))^2 + b(1/N - 1/n(A))^2
    + c(1/N - 1/n(B))^2 + d/N^2.
    """
    w, n = np.asarray(n_ab, float), np.float64(n)
    both = w if n_ab_period is None else np.asarray(n_ab_period, float)
    na, nb = np.asarray(n_a, float), np.asarray(n_b, float)
    e, b, c = both - w, na - both, nb - both
    d = n - na - nb + both
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (w * (1 / w + 1 / n - 1 / na - 1 / nb) ** 2 + e * (1 / n - 1 / na - 1 / nb) ** 2
               + b * (1 / n - 1 / na) ** 2 + c * (1 / n - 1 / nb) ** 2 + d / n**2)
        lift = w * n / (na * nb)
        half = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(var)
        low, high = lift * np.exp(-half), lift * np.exp(half)
    bad = w <= 0
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def matrix(result: Overlap, measure: str) -> pd.DataFrame:
    """The square risk x risk matrix of a measure (rows A, columns B), labels as index.

    count has n(A) on the diagonal; the other measures leave the diagonal empty. For share,
    the cell (A, B) is P(B | A): of those with the row's risk type, the share with the column's.
    """
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure {measure!r}; choose one of {', '.join(MEASURES)}.")
    labels = [label(t) for t in result.types]
    out = pd.DataFrame(np.nan, index=labels, columns=labels)
    if measure == "count":
        for t, k in zip(result.singles["label"], result.singles["n"], strict=True):
            out.loc[t, t] = k
    forward, backward = {
        "count": ("n_ab", "n_ab"), "jaccard": ("jaccard", "jaccard"),
        "lift": ("lift", "lift"), "share": ("share_b_given_a", "share_a_given_b"),
    }[measure]
    for row in result.pairs.itertuples(index=False):
        out.loc[row.a_label, row.b_label] = getattr(row, forward)
        out.loc[row.b_label, row.a_label] = getattr(row, backward)
    return out


def pair_lookup(result: Overlap) -> pd.DataFrame:
    """The pairs frame in both orientations, so a cell (row, column) finds its pair row."""
    swapped = result.pairs.rename(columns={
        "a": "b", "b": "a", "a_label": "b_label", "b_label": "a_label", "n_a": "n_b",
        "n_b": "n_a", "share_b_given_a": "share_a_given_b", "share_a_given_b": "share_b_given_a"})
    return pd.concat([result.pairs, swapped], ignore_index=True).set_index(["a_label", "b_label"])


def strongest(result: Overlap, n: int = STRONGEST, min_support: int = MIN_SUPPORT) -> pd.DataFrame:
    """The n pairs with the highest lift among those stronger than chance with enough members."""
    pairs = result.pairs
    keep = pairs[pairs["significant"] & (pairs["n_ab"] >= min_support)]
    return keep.sort_values(["lift", "n_ab"], ascending=[False, False]).head(n)


def pair_headline(a_label: str, b_label: str, lift: float, window: int | None) -> str:
    """'Trafficking and modern slavery occur together 4.7 times as often as chance would give,
    within 30 days of each other': one wording, with its window, wherever a pair is told."""
    return (f"{a_label} and {lower_initial(b_label)} occur together {lift:.1f} times as often as chance "
            f"would give, {window_phrase(window)}")


def summary_sentences(result: Overlap, view: str, n: int = STRONGEST,
                      min_support: int = MIN_SUPPORT) -> list[str]:
    """The strongest overlaps in plain English, or one sentence saying there are none; each
    overlap as Markdown (the pair in bold), the sentence as text."""
    top = strongest(result, n, min_support)
    noun = UNITS[result.unit]
    if top.empty:
        return [f"No pair of risk types occurs together clearly more often than chance would "
                f"give, among pairs shared by at least {min_support} {noun}."]
    together = "have both recorded" if result.unit == "people" else "have seen both"
    if result.window is not None:
        together += " " + window_phrase(result.window)
    sentences = []
    for row in top.itertuples(index=False):
        a, b = row.a_label, lower_initial(row.b_label)
        if row.share_b_given_a >= row.share_a_given_b:
            given, other, share = lower_initial(row.a_label), b, row.share_b_given_a
        else:
            given, other, share = lower_initial(row.b_label), lower_initial(row.a_label), row.share_a_given_b
        sentences.append(Markdown(  # risk labels escaped, though ours (analytics.store.vocab)
            f"**{markdown(a)} and {markdown(b)}**: {display_count(row.n_ab, view)} {noun} "
            f"{together}, {row.lift:.1f} times what chance would give (95% interval "
            f"{row.lift_low:.1f} to {row.lift_high:.1f}). Of {noun} with {markdown(given)}, "
            f"{share:.0%} also have {markdown(other)}."
        ))
    return sentences


def combinations(con: duckdb.DuckDBPyConnection, filters: Filters,
                 unit: str = "people") -> pd.DataFrame:
    """Exact combinations of the compared risk types: how many members have exactly that set.

    Columns: key ('cce+county_lines'), combo (tuple of codes), label, size, n; largest n first.
    Windows do not apply: a member's combination is every compared type recorded in the period.
    """
    sets = member_sets(con, filters, unit)
    chosen = sets.has.any(axis=1)
    combos = [tuple(t for t, held in zip(sets.types, row, strict=True) if held)
              for row in sets.has[chosen]]
    out = pd.DataFrame({
        "key": [SEPARATOR.join(c) for c in combos],
        "combo": combos,
        "label": [combination_label(c) for c in combos],
        "size": [len(c) for c in combos],
        "n": sets.n[chosen].astype(int),
    })
    return out.sort_values(["n", "size", "key"], ascending=[False, False, True],
                           ignore_index=True)


def multi_share(combos: pd.DataFrame) -> tuple[int, int]:
    """(members with two or more compared risk types, members with any), from combinations()."""
    return int(combos.loc[combos["size"] >= 2, "n"].sum()), int(combos["n"].sum())


def combination_counts(combos: pd.DataFrame, view: str) -> list[str]:
    """Each combination's count as the view may show it: exact for analysts; '<5' or rounded to
    the nearest 5 in board and lead views.

    The heatmap shows n(A) and n(A and B) exactly, and those are sums of combinations: with exact
    bars a reader could subtract, say, 'sexual exploitation and going missing' from 'sexual
    exploitation' to find a hidden 'sexual exploitation only'. Rounded bars leave a range.
    """
    return [display_count(n, view, rounded=True) for n in combos["n"]]


def is_hidden(shown: str) -> bool:
    """True for a count the view shows as '<5' rather than as a number."""
    return shown == SUPPRESSED


def drilldown(con: duckdb.DuckDBPyConnection, filters: Filters, risks: tuple[str, ...],
              unit: str = "people", exact: bool = False,
              window: int | None = None) -> Drilldown:
    """Wards and places where a pair (exact=False) or an exact combination occurs, and its trend.

    Members are the young people (or places) with every risk type in `risks` (within `window`
    days, for a pair) or, with exact=True, with exactly those compared types, in the period.
    Wards and places count members with an incident of those risk types there. The trend asks
    the same question of each month on its own (both recorded in that month; with a window,
    the later of the two records falls in it), so early months are not undercounted for want
    of records before the period began.
    """
    _check(unit, window)
    risks = tuple(dict.fromkeys(risks))
    unknown = [r for r in risks if r not in risk_vocabulary(filters.source)]
    if unknown or not risks:
        raise ValueError("Choose known risk types to drill into "
                         f"(got {', '.join(unknown) or 'none'}).")
    if window is not None and (exact or len(risks) != 2):
        raise ValueError("A window applies to a pair of risk types, not to a combination.")
    sql, params = _records(filters, unit)
    params.update({"types": list(compared_types(filters)), "risks": list(risks),
                   "k": len(risks)})
    if window is not None:
        params.update(_near_params(risks, window))
    entity, table, condition = _ENTITY[unit]
    where = _membership_filters(filters).predicate("i", risk_list=True)
    params.update(where.params)
    incidents = f"""
        SELECT DISTINCT i.incident_id, i.ward_code, i.context_id, {entity} AS entity
        FROM {table} i
        WHERE {condition} AND {where.sql} AND {has_any_risk("i", "risks")}"""
    # Wards, places, all members and each month's members in one statement: grouping set 1 is
    # by ward, 2 by place, 3 everyone; 4 is the months (with a window, finding the pairs is the
    # costly part, and both the members and the months are read from the pairs found once).
    found = _run(
        con,
        f"""
        WITH {_members(sql, exact, window)}, inc AS ({incidents}),
        g AS (SELECT inc.ward_code, inc.context_id, GROUPING(inc.ward_code, inc.context_id) AS g,
                     count(DISTINCT inc.entity) AS members,
                     count(DISTINCT inc.incident_id) AS incidents
              FROM inc JOIN members USING (entity)
              GROUP BY GROUPING SETS ((inc.ward_code), (inc.context_id), ()))
        SELECT g.g, g.ward_code, w.ward_name, g.context_id, c.name, c.context_type, g.members,
               g.incidents, c.context_id IS NOT NULL AS placed
        FROM g LEFT JOIN wards w ON g.g = 1 AND w.ward_code = g.ward_code
        LEFT JOIN place_facts c ON g.g = 2 AND c.context_id = g.context_id
        UNION ALL BY NAME
        SELECT 4 AS g, month, count(DISTINCT entity) AS members, 0 AS incidents,
               FALSE AS placed
        FROM monthly GROUP BY month""",
        params,
    ).df()
    n_members = int(found.loc[found["g"] == 3, "members"].sum())
    wards = (found[found["g"] == 1]
             .sort_values(["members", "incidents", "ward_name"], ascending=[False, False, True],
                          na_position="last", ignore_index=True)
             [["ward_code", "ward_name", "members", "incidents"]])
    wards["ward_name"] = wards["ward_name"].fillna(NO_WARD)
    contexts = (found[(found["g"] == 2) & found["placed"]]
                .sort_values(["members", "incidents", "name"], ascending=[False, False, True],
                             ignore_index=True)
                [["context_id", "name", "context_type", "members", "incidents"]])
    monthly = found.loc[found["g"] == 4, ["month", "members"]].rename(
        columns={"members": "value"})
    return Drilldown(risks=risks, exact=exact, members=int(n_members), wards=wards,
                     contexts=contexts, monthly=_fill_months(monthly, filters))


def _members(sql: str, exact: bool, window: int | None) -> str:
    """SQL CTEs `members` (entity) that have the pair or combination in the period, and
    `monthly` (entity, month) that have it within a month on its own."""
    month = "date_trunc('month', day)::DATE AS month"
    if window is not None:  # both from the pairs found once
        return (f"pairs AS MATERIALIZED (SELECT DISTINCT entity, {month} "
                f"FROM ({_near(sql, 2, '$risks')})), "
                "members AS (SELECT DISTINCT entity FROM pairs), "
                "monthly AS (SELECT entity, month FROM pairs)")
    scope = "$types" if exact else "$risks"  # exactly: no other compared type may appear
    having = ("HAVING count(DISTINCT risk_type) = $k "
              "AND bool_and(list_contains($risks, risk_type))")
    chosen = f"SELECT * FROM ({sql}) WHERE list_contains({scope}, risk_type)"
    return (f"members AS (SELECT entity FROM ({chosen}) GROUP BY entity {having}), "
            f"monthly AS (SELECT entity, {month} FROM ({chosen}) GROUP BY entity, month "
            f"{having})")


def drill_options(result: Overlap, combos: pd.DataFrame,
                  view: str = "analyst") -> tuple[list[str], list[str]]:
    """Keys a reader can drill into: pairs that occur (strongest first), then combinations of 2+
    whose count the view shows exactly (a drill-down would give a hidden count away)."""
    pairs = result.pairs[result.pairs["n_ab"] > 0]
    ranked = pd.concat([strongest(result), pairs.sort_values(["n_ab", "lift"], ascending=False)])
    pair_keys = list(dict.fromkeys(f"{a}{SEPARATOR}{b}" for a, b in zip(ranked["a"], ranked["b"],
                                                                         strict=True)))
    shown = pd.Series(combination_counts(combos, view), index=combos.index, dtype=object)
    combo_keys = combos.loc[(combos["size"] >= 2) & ~shown.map(is_hidden), "key"].tolist()
    return pair_keys, combo_keys


def parse_key(key: str) -> tuple[str, ...]:
    """'cce+county_lines' -> ('cce', 'county_lines')."""
    return tuple(key.split(SEPARATOR))


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> duckdb.DuckDBPyConnection:
    """Execute with only the parameters the statement names (DuckDB refuses extra ones)."""
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


def _check(unit: str, window: int | None) -> None:
    """Refuse an unknown unit or a window that is not a whole number of days in range."""
    if unit not in UNITS:
        raise ValueError(f"Unknown unit {unit!r}; choose one of {', '.join(UNITS)}.")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                               or not 0 <= window <= MAX_WINDOW):
        raise ValueError(f"The window must be a whole number of days from 0 to {MAX_WINDOW}.")


def _seen(sql: str, types: str) -> str:
    """SQL CTEs ending in `w` (entity, day, own, seen): each entity's records as one row a day
    holding the types seen that day as bits (`own`), and every type seen within $window days up
    to that day (`seen`): one running OR over the window's days (a RANGE frame) for all types,
    with no self-join (a busy place's records joined with themselves within the window grow
    with the square of its records)."""
    return f"""
        WITH r AS (SELECT entity, day, day - DATE '1970-01-01' AS n,
                          1 << (list_position({types}, risk_type) - 1) AS bit
                   FROM ({sql}) WHERE list_contains({types}, risk_type)),
        d AS (SELECT entity, n, any_value(day) AS day, bit_or(bit) AS own FROM r
              GROUP BY entity, n),
        w AS (SELECT entity, day, own, bit_or(own) OVER (
                  PARTITION BY entity ORDER BY n RANGE BETWEEN $window PRECEDING AND CURRENT ROW)
                  AS seen
              FROM d)"""


def _near_counts(con: duckdb.DuckDBPyConnection, sql: str, params: dict,
                 types: tuple[str, ...]) -> dict[frozenset, int]:
    """Members with a record of each pair of `types` within $window days of each other, in one
    pass: per member, the types seen near a record of each type (`p{i}`; a day with one type
    and nothing else near it pairs nothing), then one filtered count per pair (`types` holds at
    most 31, so the bits fit an integer)."""
    k = len(types)
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    if not pairs:
        return {}
    partners = ", ".join(f"bit_or(CASE WHEN (own >> {i}) & 1 = 1 THEN seen ELSE 0 END) AS p{i}"
                         for i in range(k))
    counts = ", ".join(f"count(*) FILTER (WHERE ((p{i} >> {j}) | (p{j} >> {i})) & 1 = 1)"
                       for i, j in pairs)
    row = _run(con, f"""{_seen(sql, "$types")}
        SELECT {counts} FROM (SELECT entity, {partners} FROM w
                              WHERE seen <> own OR bit_count(own) > 1 GROUP BY entity)""",
               params).fetchone()
    return {frozenset((types[i], types[j])): int(n) for (i, j), n in zip(pairs, row, strict=True)}


def _near(sql: str, k: int, types: str = "$types") -> str:
    """SQL for (entity, a, b, day): a record on `day` with one of another type within $window
    days before it (or the same day), a and b in alphabetical order. `k` is the number of
    `types` (at most 31)."""
    bits = "list_filter(range({k}), lambda x: ((m >> x) & 1) = 1)"
    return f"""{_seen(sql, types)},
        t AS (SELECT entity, day, seen, unnest({bits.format(k=k).replace("m >>", "own >>")})
                     AS ti FROM w WHERE seen <> own OR bit_count(own) > 1),
        u AS (SELECT entity, day, ti, unnest({bits.format(k=k).replace("m >>", "seen >>")})
                     AS ui FROM t)
        SELECT entity, least({types}[ti + 1], {types}[ui + 1]) AS a,
               greatest({types}[ti + 1], {types}[ui + 1]) AS b, day
        FROM (SELECT DISTINCT entity, least(ti, ui) AS ti, greatest(ti, ui) AS ui, day FROM u
              WHERE ui <> ti)"""


def _near_params(types: tuple[str, ...], window: int) -> dict:
    """The parameters _near needs besides its list of types: the window."""
    return {"window": window}


def _membership_filters(filters: Filters) -> Filters:
    """The selection without its risk-type filter: that only picks which types are compared."""
    return replace(filters, risk_types=())


def _records(filters: Filters, unit: str) -> tuple[str, dict]:
    """SQL for the (entity, risk_type, day) records in the selection, and its parameters.

    A record can repeat (two incidents of one day): every query over them counts distinct
    entities or types, so de-duplicating half a million rows first would only cost time.
    """
    entity, table, condition = _ENTITY[unit]
    p = _membership_filters(filters).predicate("i", risk_list=True)
    sql = f"""
        SELECT {entity} AS entity, unnest(i.risks) AS risk_type, i.occurred_at::DATE AS day
        FROM {table} i WHERE {condition} AND {p.sql}"""
    return sql, dict(p.params)


def _fill_months(monthly: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Every month of the period (or of the data, if the period is open), zeros filled in."""
    found = pd.to_datetime(monthly["month"])
    start: date | None = filters.start
    end: date | None = filters.end
    if start is None and not found.empty:
        start = found.min().date()
    if end is None and not found.empty:
        end = found.max().date()
    if start is None or end is None:
        return pd.DataFrame({"month": pd.DatetimeIndex([]), "value": pd.Series([], dtype=int)})
    months = pd.date_range(start.replace(day=1), end, freq="MS")
    values = pd.Series(monthly["value"].astype(int).to_numpy(), index=found)
    return pd.DataFrame({"month": months,
                         "value": values.reindex(months, fill_value=0).astype(int).to_numpy()})
