"""The overlap numbers, checked by hand against the borough in tests/overlap_fixtures.py, by brute
force on random data, and by simulation for the lift interval."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations as pairs_of

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.overlap import overlap
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.overlap_fixtures import YEAR, seed

Z = stats.norm.ppf(0.975)


@pytest.fixture
def hand() -> Store:
    store = Store()
    seed(store)
    return store


def pair(result: overlap.Overlap, a: str, b: str) -> pd.Series:
    """The row of one pair, whichever way round it is stored."""
    p = result.pairs
    row = p[((p["a"] == a) & (p["b"] == b)) | ((p["a"] == b) & (p["b"] == a))]
    assert len(row) == 1
    return row.iloc[0]


# --- young people, whole period ------------------------------------------------------------

def test_members_and_singles_count_young_people_in_the_period(hand):
    result = overlap.analyse(hand.cursor(), YEAR)
    assert result.universe == 12
    assert result.types == ("cse", "cce", "hsb", "missing")  # vocabulary order, absent types out
    assert dict(zip(result.singles["risk_type"], result.singles["n"], strict=True)) == {
        "cse": 4, "cce": 4, "hsb": 3, "missing": 6}
    assert len(result.pairs) == 6


def test_sexual_exploitation_with_going_missing_by_hand(hand):
    """N = 12, n(cse) = 4, n(missing) = 6, n(both) = 4.

    Jaccard 4 / (4 + 6 - 4) = 2/3. Of those with cse, 4/4 = 100% also go missing; of those who
    go missing, 4/6 = 2/3 have cse. Lift 4 * 12 / (4 * 6) = 2.
    Fisher, one-sided: P(X >= 4), X ~ hypergeometric(12, 4, 6) = C(6,4) / C(12,4) = 15/495 = 1/33.
    Lift interval: cells a=4, b=0, c=2, d=6, so var(log lift) = 4(1/4 + 1/12 - 1/4 - 1/6)^2
    + 0 + 2(1/12 - 1/6)^2 + 6/144 = 1/36 + 1/72 + 1/24 = 1/12, and the interval is
    2 exp(+/- 1.96 / sqrt(12)) = 1.136 to 3.522.
    Benjamini-Hochberg over the six pairs, p = 1/33, 32/33, 1, 1, 1, 1: q = 6 * (1/33) = 2/11.
    """
    row = pair(overlap.analyse(hand.cursor(), YEAR), "cse", "missing")
    assert (row["n_a"], row["n_b"], row["n_ab"]) == (4, 6, 4)
    assert row["jaccard"] == pytest.approx(2 / 3)
    assert row["share_b_given_a"] == pytest.approx(1.0)
    assert row["share_a_given_b"] == pytest.approx(2 / 3)
    assert row["lift"] == pytest.approx(2.0)
    assert row["lift_low"] == pytest.approx(2 * math.exp(-Z / math.sqrt(12)))
    assert row["lift_high"] == pytest.approx(2 * math.exp(Z / math.sqrt(12)))
    assert round(row["lift_low"], 3) == 1.136 and round(row["lift_high"], 3) == 3.522
    assert row["p_value"] == pytest.approx(1 / 33)
    assert row["q_value"] == pytest.approx(2 / 11)
    assert not row["significant"]  # twelve young people are too few to be sure


def test_criminal_exploitation_with_going_missing_by_hand(hand):
    """n(cce) = 4, n(missing) = 6, n(both) = 1 (P5). Jaccard 1/9; of cce 1/4, of missing 1/6;
    lift 1 * 12 / 24 = 0.5; with X ~ hypergeometric(12, 4, 6),
    P(X >= 1) = 1 - C(6,0)C(6,4)/C(12,4) = 1 - 15/495 = 32/33.
    Interval: a=1, b=3, c=5, d=3: var = (2/3)^2 + 3(1/6)^2 + 5(1/12)^2 + 3/144 = 7/12."""
    row = pair(overlap.analyse(hand.cursor(), YEAR), "cce", "missing")
    assert row["a"] == "cce" and row["n_ab"] == 1
    assert row["jaccard"] == pytest.approx(1 / 9)
    assert row["share_b_given_a"] == pytest.approx(1 / 4)
    assert row["share_a_given_b"] == pytest.approx(1 / 6)
    assert row["lift"] == pytest.approx(0.5)
    assert row["p_value"] == pytest.approx(32 / 33)
    assert row["q_value"] == pytest.approx(1.0)
    assert row["lift_high"] == pytest.approx(0.5 * math.exp(Z * math.sqrt(7 / 12)))


def test_pairs_never_together_have_zero_lift_no_interval_and_p_of_one(hand):
    row = pair(overlap.analyse(hand.cursor(), YEAR), "cse", "hsb")
    assert row["n_ab"] == 0 and row["lift"] == 0 and row["jaccard"] == 0
    assert np.isnan(row["lift_low"]) and np.isnan(row["lift_high"])
    assert row["p_value"] == pytest.approx(1.0)


def test_records_outside_the_period_do_not_count(hand):
    """P7's sexual exploitation was in 2024, so P7 is 'criminal exploitation only' in 2025."""
    assert pair(overlap.analyse(hand.cursor(), YEAR), "cse", "cce")["n_ab"] == 0
    whole = overlap.analyse(hand.cursor(), Filters(period="all"))
    assert pair(whole, "cse", "cce")["n_ab"] == 1 and whole.universe == 12


def test_a_ward_filter_narrows_the_incidents_that_make_membership(hand):
    """Alder (W1) in 2025: P1 {cse, missing}, P2 {cse}, P3 {cse, missing}, P6 {missing}.
    N = 4, n(cse) = 3, n(missing) = 3, both 2, lift 2 * 4 / 9."""
    result = overlap.analyse(hand.cursor(), replace(YEAR, wards=("W1",)))
    assert result.universe == 4 and result.types == ("cse", "missing")
    row = pair(result, "cse", "missing")
    assert (row["n_a"], row["n_b"], row["n_ab"]) == (3, 3, 2)
    assert row["lift"] == pytest.approx(8 / 9)


def test_the_risk_filter_picks_the_types_compared_not_the_members(hand):
    chosen = overlap.analyse(hand.cursor(), replace(YEAR, risk_types=("missing", "cse")))
    assert chosen.types == ("cse", "missing") and chosen.universe == 12
    assert pair(chosen, "cse", "missing")["lift"] == pytest.approx(2.0)
    one = overlap.analyse(hand.cursor(), replace(YEAR, risk_types=("cse",)))
    assert one.types == ("cse", "cce", "hsb", "missing")


# --- windows --------------------------------------------------------------------------------

@pytest.mark.parametrize(("window", "expected"), [(0, 1), (1, 1), (2, 2), (19, 2), (20, 3),
                                                  (99, 3), (100, 4), (None, 4)])
def test_a_window_counts_only_records_close_enough_in_time(hand, window, expected):
    """cse and missing were 0, 2, 20 and 100 days apart for P1 to P4."""
    row = pair(overlap.analyse(hand.cursor(), YEAR, window=window), "cse", "missing")
    assert row["n_ab"] == expected and row["n_ab_period"] == 4


def test_window_measures_by_hand(hand):
    """Within 30 days: 3 of the 4. Jaccard 3 / (4 + 6 - 4) = 1/2 (the union does not shrink);
    lift 3 * 12 / 24 = 1.5; p = P(X >= 3) = (C(6,3)C(6,1) + C(6,4)) / C(12,4) = 135/495.
    Interval cells: w=3, e=1 (P4, too far apart), b=0, c=2, d=6:
    var = 3(1/3 + 1/12 - 1/4 - 1/6)^2 + (1/12 - 5/12)^2 + 2(1/12 - 1/6)^2 + 6/144 = 0 + 16/144 +
    2/144 + 6/144 = 1/6."""
    row = pair(overlap.analyse(hand.cursor(), YEAR, window=30), "cse", "missing")
    assert row["jaccard"] == pytest.approx(0.5)
    assert row["share_b_given_a"] == pytest.approx(0.75)
    assert row["lift"] == pytest.approx(1.5)
    assert row["p_value"] == pytest.approx(135 / 495)
    assert row["lift_low"] == pytest.approx(1.5 * math.exp(-Z * math.sqrt(1 / 6)))


def test_window_for_places_uses_the_dates_seen_there(hand):
    """Alder Park had both on 10 January; Birch Station's were 57 days or more apart."""
    assert pair(overlap.analyse(hand.cursor(), YEAR, "contexts", 30), "cse", "missing")[
        "n_ab"] == 1
    assert pair(overlap.analyse(hand.cursor(), YEAR, "contexts", 57), "cse", "missing")[
        "n_ab"] == 2


# --- places -----------------------------------------------------------------------------------

def test_places_carry_the_risk_types_seen_there(hand):
    """N = 4 places; cse 2, cce 2, hsb 1, missing 3; cse+missing 2, cse+cce 1, cce+missing 2."""
    result = overlap.analyse(hand.cursor(), YEAR, unit="contexts")
    assert result.universe == 4
    assert result.singles["n"].tolist() == [2, 2, 1, 3]
    assert pair(result, "cse", "missing")["n_ab"] == 2
    assert pair(result, "cse", "cce")["n_ab"] == 1
    assert pair(result, "cce", "missing")["n_ab"] == 2
    assert pair(result, "cse", "missing")["lift"] == pytest.approx(2 * 4 / 6)


# --- the statistics on their own ----------------------------------------------------------------

def test_fisher_greater_is_scipy_fisher_exact_one_sided():
    rng = np.random.default_rng(5)
    for _ in range(40):
        a, b, c, d = rng.integers(0, 30, size=4)
        n = int(a + b + c + d)
        if n == 0:
            continue
        ours = overlap.fisher_greater([a], [a + b], [a + c], n)[0]
        theirs = stats.fisher_exact([[a, b], [c, d]], alternative="greater").pvalue
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_benjamini_hochberg_adjusts_across_all_pairs():
    counts = pd.DataFrame({"a": ["cse", "cse", "cce"], "b": ["missing", "cce", "missing"],
                           "n_a": [50, 50, 50], "n_b": [50, 50, 50], "n_ab": [40, 20, 12]})
    out = overlap.pair_statistics(200, counts)
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    manual = np.minimum.accumulate((p[order] * 3 / np.arange(1, 4))[::-1])[::-1]
    assert out["q_value"].to_numpy()[order] == pytest.approx(np.minimum(manual, 1))
    assert out["significant"].tolist() == [True, True, False]


def test_pair_statistics_leaves_the_callers_frame_alone_and_refuses_impossible_counts():
    counts = pd.DataFrame({"a": ["cse"], "b": ["missing"], "n_a": [5], "n_b": [6], "n_ab": [4]})
    before = counts.copy()
    overlap.pair_statistics(20, counts)
    pd.testing.assert_frame_equal(counts, before)
    with pytest.raises(ValueError, match="inconsistent"):
        overlap.pair_statistics(20, counts.assign(n_ab=6))
    with pytest.raises(ValueError, match="inconsistent"):
        overlap.pair_statistics(6, counts)  # n(A or B) = 7 > 6


@pytest.mark.parametrize("cells", [(0.1, 0.05, 0.05, 0.8), (0.2, 0.02, 0.1, 0.68),
                                   (0.02, 0.08, 0.08, 0.82)])
def test_the_lift_interval_covers_the_true_lift_about_95_times_in_100(cells):
    """Simulated multinomial tables of 1,000; a naive 1/a variance would cover 98 to 99%."""
    rng = np.random.default_rng(20261123)
    p = np.array(cells)
    truth = p[0] / ((p[0] + p[1]) * (p[0] + p[2]))
    a, b, c, _ = rng.multinomial(1000, p, size=4000).T
    low, high = overlap.lift_interval(a, a + b, a + c, 1000)
    assert 0.935 <= np.mean((low <= truth) & (truth <= high)) <= 0.965


def test_the_window_lift_interval_covers_too():
    """Five cells: both within the window, both further apart, A only, B only, neither."""
    rng = np.random.default_rng(11)
    p = np.array([0.08, 0.04, 0.08, 0.1, 0.7])
    truth = p[0] / ((p[0] + p[1] + p[2]) * (p[0] + p[1] + p[3]))
    w, e, b, c, _ = rng.multinomial(1000, p, size=4000).T
    low, high = overlap.lift_interval(w, w + e + b, w + e + c, 1000, w + e)
    assert 0.935 <= np.mean((low <= truth) & (truth <= high)) <= 0.965


# --- matrix -------------------------------------------------------------------------------------

@pytest.mark.parametrize("measure", ["count", "jaccard", "lift"])
def test_symmetric_measures_make_a_symmetric_matrix(hand, measure):
    m = overlap.matrix(overlap.analyse(hand.cursor(), YEAR), measure)
    pd.testing.assert_frame_equal(m, m.T, check_names=False)


def test_the_share_matrix_reads_along_rows(hand):
    result = overlap.analyse(hand.cursor(), YEAR)
    share = overlap.matrix(result, "share")
    assert share.loc["Sexual exploitation", "Going missing"] == pytest.approx(1.0)
    assert share.loc["Going missing", "Sexual exploitation"] == pytest.approx(2 / 3)
    _share_times_n_is_both(result)


def test_the_count_matrix_has_each_risk_types_total_on_its_diagonal(hand):
    m = overlap.matrix(overlap.analyse(hand.cursor(), YEAR), "count")
    assert np.diag(m).tolist() == [4, 4, 3, 6]
    assert np.isnan(np.diag(overlap.matrix(overlap.analyse(hand.cursor(), YEAR), "lift"))).all()


def test_an_unknown_measure_is_refused(hand):
    with pytest.raises(ValueError, match="Unknown measure"):
        overlap.matrix(overlap.analyse(hand.cursor(), YEAR), "odds")


def _share_times_n_is_both(result: overlap.Overlap) -> None:
    """P(B | A) x n(A) == n(A and B) for every ordered pair."""
    share, count = overlap.matrix(result, "share"), overlap.matrix(result, "count")
    n = dict(zip(result.singles["label"], result.singles["n"], strict=True))
    for a in share.index:
        for b in share.columns:
            if a != b:
                assert share.loc[a, b] * n[a] == pytest.approx(count.loc[a, b])


# --- combinations -------------------------------------------------------------------------------

def test_exact_combinations_by_hand(hand):
    combos = overlap.combinations(hand.cursor(), YEAR)
    assert dict(zip(combos["key"], combos["n"], strict=True)) == {
        "cse+missing": 4, "cce": 3, "hsb": 3, "cce+missing": 1, "missing": 1}
    assert combos["key"].iloc[0] == "cse+missing"
    assert combos.loc[combos["key"] == "cce", "label"].item() == "Criminal exploitation only"
    assert overlap.multi_share(combos) == (5, 12)


def test_exact_combinations_of_places(hand):
    combos = overlap.combinations(hand.cursor(), YEAR, unit="contexts")
    assert dict(zip(combos["key"], combos["n"], strict=True)) == {
        "cse+cce+missing": 1, "cse+missing": 1, "cce+missing": 1, "hsb": 1}


def _random_incidents(rng: np.random.Generator, people: int = 60, incidents: int = 180):
    """Random incidents in 2025 with one to three risk types and one or two young people each."""
    risk_codes = ["cse", "cce", "county_lines", "missing", "gangs"]
    out = []
    for i in range(incidents):
        day = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        risks = list(rng.choice(risk_codes, size=int(rng.integers(1, 4)), replace=False))
        who = [f"P{int(p)}" for p in rng.choice(people, size=int(rng.integers(1, 3)),
                                                replace=False)]
        place = f"X{int(rng.integers(1, 5))}"
        ward = {"X1": "W1", "X2": "W2", "X3": None, "X4": "W3"}[place]
        out.append((f"R{i:04d}", day.isoformat(), ward, place, risks, who))
    return out


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_combinations_and_pairs_match_brute_force_on_random_data(seed_value):
    incidents = _random_incidents(np.random.default_rng(seed_value))
    store = Store()
    seed(store, incidents)
    records: dict[str, list[tuple[str, date]]] = {}
    for _, day, _, _, risks, people in incidents:
        for person in people:
            records.setdefault(person, []).extend((r, date.fromisoformat(day)) for r in risks)
    sets = {p: frozenset(r for r, _ in recs) for p, recs in records.items()}

    combos = overlap.combinations(store.cursor(), YEAR)
    expected = pd.Series([frozenset(s) for s in sets.values()]).value_counts()
    got = {frozenset(c): n for c, n in zip(combos["combo"], combos["n"], strict=True)}
    assert got == expected.to_dict()

    for window in (None, 0, 15):
        result = overlap.analyse(store.cursor(), YEAR, window=window)
        assert result.universe == len(sets)
        for a, b in pairs_of(result.types, 2):
            brute = sum(
                any(ra == a and rb == b and (window is None or abs((da - db).days) <= window)
                    for ra, da in recs for rb, db in recs)
                for recs in records.values())
            assert pair(result, a, b)["n_ab"] == brute, (a, b, window)
        _share_times_n_is_both(result)
        for measure in ("count", "jaccard", "lift"):
            m = overlap.matrix(result, measure)
            pd.testing.assert_frame_equal(m, m.T, check_names=False)


# --- strongest and the summary ------------------------------------------------------------------

def _made_up(universe: int, rows: list[tuple]) -> overlap.Overlap:
    counts = pd.DataFrame(rows, columns=["a", "b", "n_a", "n_b", "n_ab"])
    types = tuple(dict.fromkeys([*counts["a"], *counts["b"]]))
    singles = pd.DataFrame({"risk_type": types, "label": [overlap.label(t) for t in types],
                            "n": [0] * len(types)})
    return overlap.Overlap("people", None, universe, types, singles,
                           overlap.pair_statistics(universe, counts))


def test_strongest_ranks_significant_pairs_with_enough_support_by_lift():
    result = _made_up(1000, [
        ("cse", "missing", 100, 100, 40),  # lift 4, significant
        ("cce", "county_lines", 100, 100, 60),  # lift 6, significant
        ("gangs", "syv", 20, 20, 9),  # lift 22.5 but only 9 young people
        ("hsb", "radicalisation", 100, 100, 12),  # lift 1.2, not significant
    ])
    top = overlap.strongest(result)
    assert list(zip(top["a"], top["b"], strict=True)) == [("cce", "county_lines"),
                                                          ("cse", "missing")]
    assert len(overlap.strongest(result, min_support=5)) == 3


def test_summary_sentences_say_how_strong_and_which_way_the_share_reads():
    result = _made_up(1000, [("cse", "missing", 50, 200, 40)])
    [sentence] = overlap.summary_sentences(result, "board")
    assert sentence.startswith("**Sexual exploitation and going missing**: 40 young people have "
                               "both recorded, 4.0 times what chance would give (95% interval ")
    assert sentence.endswith("Of young people with sexual exploitation, 80% also have going "
                             "missing.")


def test_summary_says_plainly_when_nothing_stands_out(hand):
    [sentence] = overlap.summary_sentences(overlap.analyse(hand.cursor(), YEAR), "board")
    assert sentence == ("No pair of risk types occurs together clearly more often than chance "
                        f"would give, among pairs shared by at least {overlap.MIN_SUPPORT} "
                        "young people.")


# --- drill-down ---------------------------------------------------------------------------------

def test_drilldown_of_a_pair_lists_wards_places_and_months(hand):
    """P1 to P4 have both. Their cse or missing incidents: Alder I01 (P1), I02 (P2), I04 and I05
    (P3); Birch I03 (P2), I06 and I07 (P4). Both in the same month: P1 January, P2 February,
    P3 March (P4's were April and July)."""
    d = overlap.drilldown(hand.cursor(), YEAR, ("cse", "missing"))
    assert d.members == 4
    assert d.wards[["ward_name", "members", "incidents"]].values.tolist() == [
        ["Alder", 3, 4], ["Birch", 2, 3]]
    assert d.contexts[["name", "members", "incidents"]].values.tolist() == [
        ["Alder Park", 3, 4], ["Birch Station", 2, 3]]
    assert len(d.monthly) == 12
    assert d.monthly["value"].tolist() == [1, 1, 1] + [0] * 9


def test_drilldown_with_a_window_keeps_only_close_pairs(hand):
    d = overlap.drilldown(hand.cursor(), YEAR, ("cse", "missing"), window=30)
    assert d.members == 3
    assert d.wards[["ward_name", "members", "incidents"]].values.tolist() == [
        ["Alder", 3, 4], ["Birch", 1, 1]]


def test_drilldown_of_an_exact_combination(hand):
    """Exactly cce: P7, P8 (Birch Station) and P9 (the group chat, no ward), all in June."""
    d = overlap.drilldown(hand.cursor(), YEAR, ("cce",), exact=True)
    assert d.members == 3
    assert d.wards[["ward_name", "members"]].values.tolist() == [
        ["Birch", 2], [overlap.NO_WARD, 1]]
    assert d.monthly.set_index("month").loc["2025-06-01", "value"] == 3
    assert overlap.drilldown(hand.cursor(), YEAR, ("cse", "missing"), exact=True).members == 4


def test_drilldown_of_places(hand):
    """Alder Park and Birch Station carry both; Alder Park had both in January and March."""
    d = overlap.drilldown(hand.cursor(), YEAR, ("missing", "cse"), unit="contexts")
    assert d.members == 2
    assert d.contexts[["name", "incidents"]].values.tolist() == [["Alder Park", 5],
                                                                  ["Birch Station", 3]]
    assert d.monthly["value"].tolist() == [1, 0, 1] + [0] * 9


def test_drilldown_refuses_unknown_risk_types_and_windows_on_combinations(hand):
    with pytest.raises(ValueError, match="known risk types"):
        overlap.drilldown(hand.cursor(), YEAR, ("cse", "nonsense"))
    with pytest.raises(ValueError, match="window applies to a pair"):
        overlap.drilldown(hand.cursor(), YEAR, ("cse", "missing"), exact=True, window=7)


@pytest.mark.parametrize(("unit", "window"), [("wards", None), ("people", -1), ("people", 1.5),
                                               ("people", True), ("people", 10**6)])
def test_bad_units_and_windows_are_refused_with_a_clear_message(hand, unit, window):
    with pytest.raises(ValueError, match="unit|window"):
        overlap.analyse(hand.cursor(), YEAR, unit=unit, window=window)


def test_an_empty_selection_gives_empty_results(hand):
    empty = Filters(start=date(2030, 1, 1), end=date(2030, 12, 31), period="custom")
    result = overlap.analyse(hand.cursor(), empty)
    assert result.universe == 0 and result.types == () and result.pairs.empty
    assert overlap.combinations(hand.cursor(), empty).empty
    d = overlap.drilldown(hand.cursor(), empty, ("cse", "missing"))
    assert d.members == 0 and d.wards.empty and d.monthly["value"].sum() == 0


def test_drill_options_put_the_strongest_pairs_first():
    result = _made_up(1000, [("cse", "missing", 100, 100, 40), ("cce", "county_lines", 100, 100,
                                                                 60), ("cse", "cce", 100, 100, 0)])
    combos = pd.DataFrame({"key": ["cse+missing", "cce", "cce+hsb"], "size": [2, 1, 2],
                           "n": [30, 9, 3]})
    pair_keys, combo_keys = overlap.drill_options(result, combos)
    assert pair_keys == ["cce+county_lines", "cse+missing"]
    assert combo_keys == ["cse+missing", "cce+hsb"]
    # in board view a combination of 1 to 4 is not offered: its drill-down would be all '<5'
    assert overlap.drill_options(result, combos, "board")[1] == ["cse+missing"]


def test_describe_reads_as_plain_english():
    assert overlap.describe(("cse", "missing"), exact=False) == (
        "sexual exploitation and going missing")
    assert overlap.describe(("cce", "county_lines", "gangs"), exact=True) == (
        "exactly criminal exploitation, county lines and gang involvement")
    assert overlap.describe(("missing",), exact=True) == "only going missing"
    assert overlap.window_phrase(0) == "on the same day"
    assert overlap.window_phrase(30) == "within 30 days of each other"


# --- the demo borough ---------------------------------------------------------------------------

@pytest.fixture
def demo(request) -> Store:
    """The default demo borough (analytics/demo/demo.py)."""
    return request.getfixturevalue("demo_store")


def _planted_pairs() -> set[frozenset[str]]:
    """The pairs the generator records together, each way round, with chance 0.3 or more."""
    from analytics.demo.demo import SECONDARY_RISK

    return {frozenset((a, b)) for a, seconds in SECONDARY_RISK.items()
            for b, p in seconds.items() if p >= 0.3 and SECONDARY_RISK.get(b, {}).get(a, 0) >= 0.3}


def _last_twelve_months(store: Store) -> Filters:
    from analytics.store import reference
    from analytics.store.filters import period_dates

    start, end = period_dates("12m", reference.data_facts(store.cursor()).latest_incident)
    return Filters(start=start, end=end, period="12m")


def test_the_demo_boroughs_planted_overlaps_come_out_strongest(demo):
    """The page's default view (last 12 months, within 30 days): the three strongest pairs are
    the three the generator plants both ways, among them sexual exploitation with going missing
    and criminal exploitation with county lines."""
    planted = _planted_pairs()
    assert {frozenset({"cse", "missing"}), frozenset({"cce", "county_lines"})} <= planted
    window = overlap.WINDOW_DAYS[overlap.DEFAULT_WINDOW]
    result = overlap.analyse(demo.cursor(), _last_twelve_months(demo), window=window)
    top = overlap.strongest(result)
    assert {frozenset(p) for p in zip(top["a"], top["b"], strict=True)} == planted
    assert top["significant"].all()


def test_the_demo_pairs_lead_on_jaccard_whatever_the_window(demo):
    """Jaccard does not favour rare risk types, so the two common planted pairs lead it even
    over the whole period."""
    result = overlap.analyse(demo.cursor(), _last_twelve_months(demo))
    top = result.pairs.nlargest(2, "jaccard")
    assert {frozenset(p) for p in zip(top["a"], top["b"], strict=True)} == {
        frozenset({"cse", "missing"}), frozenset({"cce", "county_lines"})}


def test_short_descriptions_fit_a_title():
    assert overlap.short_describe(("cse", "missing"), exact=True) == (
        "exactly sexual exploitation and going missing")
    assert overlap.short_describe(("cse", "cce", "county_lines", "missing"), exact=True) == (
        "exactly these 4 risk types")


def test_a_selection_with_no_members_or_one_type_says_why_there_is_nothing_to_compare():
    empty = overlap.Overlap(unit="contexts", window=None, universe=0, types=(),
                            singles=pd.DataFrame(), pairs=pd.DataFrame())
    assert overlap.nothing_to_compare(empty).startswith(
        "None of these incidents is linked to a place,")
    one = replace(empty, universe=3, types=("cse",))
    assert overlap.nothing_to_compare(one).startswith(
        "Only one risk type is recorded for these places,")
    assert overlap.nothing_to_compare(replace(one, types=("cse", "cce"))) == ""


def test_police_uk_overlap_is_introduced_and_worded_as_monthly_crime():
    assert "no overlap in people" in overlap.introduction("street")
    assert "crime types occur together" in overlap.introduction("street")
    assert "young people" in overlap.introduction("incidents")
    assert overlap.reworded("risk types on the same day", "street") == \
        "crime types in the same month"
    assert overlap.reworded("risk types on the same day", "incidents") == \
        "risk types on the same day"
    assert "LSOA-months" in overlap.unit_help("street")
