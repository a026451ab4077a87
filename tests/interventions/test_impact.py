"""Impact estimates: the difference-in-differences maths on seeded synthetic series, and whole
analyses over the synthetic borough of tests/peers_borough.py (a halving at Alder Park, nothing at
Fir Park, and a rise at the takeaway next to Alder Park)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.interventions import impact, interventions
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.peers_borough import ANALYST, DISPLACED_RATIO, IMPACT_START, TRUE_RATIO, seed_impact

ALL = Filters(period="all")


@pytest.fixture(scope="module")
def borough() -> Store:
    store = Store()
    seed_impact(store)
    return store


@pytest.fixture
def fresh() -> Store:
    store = Store()
    seed_impact(store)
    return store


def series(rng: np.random.Generator, rate: float, months: int, places: int = 1) -> np.ndarray:
    return rng.poisson(rate, size=(months, places)).astype(float)


# --- the estimate ----------------------------------------------------------------------------

def test_a_planted_halving_is_inside_the_interval_and_called_a_fall():
    rng = np.random.default_rng(3)
    est = impact.did(series(rng, 12, 12)[:, 0], series(rng, 6, 12)[:, 0],
                     series(rng, 12, 12, 5), series(rng, 12, 12, 5))
    assert est.low < 0.5 < est.high
    assert est.verdict == impact.FALL
    assert est.before_total > 0 and est.months_before == est.months_after == 12


def test_no_effect_is_not_called_a_change():
    rng = np.random.default_rng(4)
    est = impact.did(series(rng, 12, 12)[:, 0], series(rng, 12, 12)[:, 0],
                     series(rng, 12, 12, 5), series(rng, 12, 12, 5))
    assert est.low < 1 < est.high and est.verdict == impact.UNCLEAR


def test_a_shared_change_everywhere_is_not_credited_to_the_intervention():
    rng = np.random.default_rng(5)
    est = impact.did(series(rng, 10, 12)[:, 0], series(rng, 20, 12)[:, 0],
                     series(rng, 10, 12, 5), series(rng, 20, 12, 5))
    assert est.verdict == impact.UNCLEAR
    assert est.expected_after == pytest.approx(2 * est.before, rel=0.25)


def test_intervals_cover_the_truth_about_95_times_in_100():
    rng = np.random.default_rng(2024)
    covered = 0
    for _ in range(300):
        est = impact.did(series(rng, 8, 12)[:, 0], series(rng, 8 * 0.7, 12)[:, 0],
                         series(rng, 8, 12, 5), series(rng, 8, 12, 5))
        covered += est.low <= 0.7 <= est.high
    assert covered / 300 >= 0.9


def test_more_months_give_a_narrower_interval():
    rng = np.random.default_rng(6)
    short = impact.did(series(rng, 10, 6)[:, 0], series(rng, 10, 6)[:, 0],
                       series(rng, 10, 6, 5), series(rng, 10, 6, 5))
    long = impact.did(series(rng, 10, 24)[:, 0], series(rng, 10, 24)[:, 0],
                      series(rng, 10, 24, 5), series(rng, 10, 24, 5))
    assert np.log(long.high / long.low) < np.log(short.high / short.low)


def test_places_that_change_differently_widen_the_interval():
    steady = np.full((12, 4), 10.0)
    spread = np.column_stack([np.full(12, 10.0 * f) for f in (0.5, 0.8, 1.25, 2.0)])
    place = np.full(12, 10.0)
    calm = impact.did(place, place, steady, steady)
    wild = impact.did(place, place, steady, spread)
    assert calm.tau2 == 0 and wild.tau2 > 0
    assert wild.high / wild.low > calm.high / calm.low


def test_a_month_with_no_incidents_after_does_not_break_the_estimate():
    est = impact.did(np.full(6, 5.0), np.zeros(6), np.full((6, 3), 5.0), np.full((6, 3), 5.0))
    assert est.ratio < 0.1 and est.verdict == impact.FALL and np.isfinite(est.high)


def written_out(place_before, place_after, comp_before, comp_after) -> tuple[float, float, float]:
    """The module docstring's estimate written out one series at a time, as a reference."""
    m0, m1 = len(place_before), len(place_after)
    series = [place_before, place_after, *comp_before.T, *comp_after.T]
    used = [(y, y.mean()) for y in series if len(y) > 1 and y.mean() > 0]
    dof = sum(len(y) - 1 for y, _ in used)
    phi = max(1.0, sum(((y - mu) ** 2).sum() / mu for y, mu in used) / dof) if dof else 1.0

    def change(a, b):
        if a == 0 or b == 0:
            a, b = a + 0.5, b + 0.5
        return np.log((b / m1) / (a / m0)), phi * (1 / a + 1 / b)

    d_place, v_place = change(place_before.sum(), place_after.sum())
    pairs = [change(a, b) for a, b in zip(comp_before.sum(axis=0), comp_after.sum(axis=0),
                                          strict=True)]
    d, v = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    w = 1 / v
    q = (w * (d - (w * d).sum() / w.sum()) ** 2).sum()
    c = w.sum() - (w ** 2).sum() / w.sum()
    tau2 = max(0.0, (q - (len(d) - 1)) / c) if len(d) > 1 and c > 0 else 0.0
    w = 1 / (v + tau2)
    log_ratio = d_place - (w * d).sum() / w.sum()
    se = np.sqrt(v_place + tau2 + 1 / w.sum())
    return np.exp(log_ratio), np.exp(log_ratio - impact.Z * se), np.exp(log_ratio + impact.Z * se)


def test_the_estimate_equals_the_method_written_out_one_place_at_a_time():
    rng = np.random.default_rng(11)
    for months_before, months_after, k in [(12, 12, 10), (6, 9, 3), (7, 12, 5), (12, 6, 1)]:
        for rate in (0.3, 4, 40):
            args = (series(rng, rate, months_before)[:, 0], series(rng, rate, months_after)[:, 0],
                    series(rng, rate, months_before, k), series(rng, rate, months_after, k))
            est = impact.did(*args)
            assert (est.ratio, est.low, est.high) == pytest.approx(written_out(*args), rel=1e-12)


def test_many_interventions_estimated_together_equal_each_estimated_alone():
    """The summary estimates every intervention in one pass, each with its own months and number
    of comparisons (the rest NaN): the same figures as one at a time."""
    rng = np.random.default_rng(12)
    shapes = [(12, 12, 10), (6, 9, 3), (9, 6, 10), (12, 7, 4), (8, 12, 10)]
    alone, padded = [], [np.full((len(shapes), 12), np.nan), np.full((len(shapes), 12), np.nan),
                         np.full((len(shapes), 12, 10), np.nan),
                         np.full((len(shapes), 12, 10), np.nan)]
    for i, (m0, m1, k) in enumerate(shapes):
        args = (series(rng, 6, m0)[:, 0], series(rng, 6, m1)[:, 0], series(rng, 6, m0, k),
                series(rng, 6, m1, k))
        alone.append(impact.did(*args))
        padded[0][i, :m0], padded[1][i, :m1] = args[0], args[1]
        padded[2][i, :m0, :k], padded[3][i, :m1, :k] = args[2], args[3]
    for one, together in zip(alone, impact._did_many(*padded), strict=True):
        assert together.months_before == one.months_before
        assert together.comparisons == one.comparisons
        for name in ("ratio", "low", "high", "expected_after", "dispersion", "tau2"):
            assert getattr(together, name) == pytest.approx(getattr(one, name), rel=1e-12)


def test_dispersion_is_one_for_steady_counts_and_more_for_lumpy_ones():
    assert impact.dispersion([np.full(12, 7.0)]) == 1.0
    assert impact.dispersion([np.array([0, 20, 0, 20, 0, 20.0])]) > 5
    assert impact.dispersion([np.zeros(5)]) == 1.0


def test_haversine_measures_metres():
    one_degree = impact.haversine_m(52.0, -1.0, np.array([53.0]), np.array([-1.0]))[0]
    assert one_degree == pytest.approx(111_195, rel=1e-3)
    assert impact.haversine_m(52.0, -1.0, np.array([52.0]), np.array([-1.0]))[0] == 0


# --- months and matching ---------------------------------------------------------------------

FIRST, LAST = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-11-01")


def test_a_start_on_the_first_counts_its_month_as_after():
    before, after = impact.windows(date(2024, 7, 1), None, FIRST, LAST)
    assert before[0] == pd.Timestamp("2023-07-01") and before[-1] == pd.Timestamp("2024-06-01")
    assert after[0] == pd.Timestamp("2024-07-01") and len(after) == impact.WINDOW_MONTHS


def test_a_start_mid_month_leaves_that_month_out():
    before, after = impact.windows(date(2024, 7, 15), None, FIRST, LAST)
    assert before[-1] == pd.Timestamp("2024-06-01") and after[0] == pd.Timestamp("2024-08-01")


def test_months_after_stop_when_it_ended_or_the_data_do():
    _, ended = impact.windows(date(2024, 7, 1), date(2024, 12, 10), FIRST, LAST)
    assert ended[-1] == pd.Timestamp("2024-12-01") and len(ended) == 6
    _, late = impact.windows(date(2025, 8, 1), None, FIRST, LAST)
    assert late[-1] == LAST and len(late) == 4
    early, _ = impact.windows(date(2023, 4, 1), None, FIRST, LAST)
    assert len(early) == 3


def test_comparisons_are_the_nearest_in_level_before_with_ties_by_id():
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    counts = pd.DataFrame({"T": [10, 10, 10], "A": [9, 9, 9], "B": [11, 11, 11],
                           "C": [30, 30, 30], "D": [0, 0, 0], "E": [10, 10, 10]}, index=months)
    assert impact.match_comparisons(counts, months, "T", ["A", "B", "C", "D", "E"], 3) == [
        "E", "A", "B"]
    assert impact.match_comparisons(counts, months, "T", ["D"], 3) == []  # none before: no use


def test_places_equally_close_in_level_are_tied_exactly_and_go_by_id():
    # 39 and 41 incidents in 12 months are equally far from 40; as monthly averages in floating
    # point, 41/12 looks a hair closer to 40/12 than 39/12 does
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    counts = pd.DataFrame({"T": [4] * 4 + [3] * 8, "A": [4] * 3 + [3] * 9,
                           "B": [4] * 5 + [3] * 7}, index=months)
    assert counts.sum().to_dict() == {"T": 40, "A": 39, "B": 41}
    assert impact.match_comparisons(counts, months, "T", ["B", "A"], 1) == ["A"]


# --- whole analyses over the synthetic borough -----------------------------------------------

def test_the_planted_intervention_is_estimated_with_the_truth_inside_its_interval(borough):
    result = impact.impact(borough.cursor(), ALL, "INT-1")
    est = result.estimate
    assert est.low < TRUE_RATIO < est.high and est.verdict == impact.FALL
    assert result.reason == "" and not result.pre_trend_differs


def test_the_null_intervention_is_not_called_significant(borough):
    result = impact.impact(borough.cursor(), ALL, "INT-2")
    assert result.estimate.verdict == impact.UNCLEAR
    assert result.estimate.low < 1 < result.estimate.high


def test_comparisons_are_untreated_parks_away_from_the_place_and_close_in_level(borough):
    result = impact.impact(borough.cursor(), ALL, "INT-1")
    chosen = set(result.comparisons["context_id"])
    assert len(chosen) == impact.K_COMPARISONS
    assert chosen.isdisjoint({"P0", "P5", "T1", "P9"})  # treated, treated, a takeaway, far busier
    assert all(c.startswith("P") for c in chosen)


def test_the_chart_series_marks_before_and_after_and_the_expected_line(borough):
    s = impact.impact(borough.cursor(), ALL, "INT-1").series
    assert s["period"].iloc[0] == "before" and s["period"].iloc[-1] == "after"
    assert s["expected"].notna().all()
    # Scaled to the place's level: the same average before, by construction.
    before = s[s["period"] == "before"]
    assert before["expected"].mean() == pytest.approx(before["place"].mean())
    assert (s["month"] == pd.Timestamp(IMPACT_START)).any()


def test_displacement_is_found_at_the_takeaway_next_door(borough):
    moved = impact.displacement(borough.cursor(), ALL, "INT-1", radius_m=500)
    row = moved.neighbours.set_index("context_id").loc["T1"]
    assert row["verdict"] == impact.RISE and row["distance_m"] == 200
    assert row["low"] < DISPLACED_RATIO < row["high"]
    assert "Alder Takeaway (200 m away)" in impact.displacement_sentence(moved)
    assert impact.displacement_headline(moved) == "Alder Takeaway, 200 m away, saw a clear rise"


def test_a_smaller_radius_finds_no_neighbours(borough):
    moved = impact.displacement(borough.cursor(), ALL, "INT-1", radius_m=100)
    assert moved.neighbours.empty
    assert impact.displacement_sentence(moved) == (
        "There are no other recorded places within 100 metres.")


def test_the_null_intervention_has_no_neighbours_within_500_metres(borough):
    moved = impact.displacement(borough.cursor(), ALL, "INT-2")
    assert moved.neighbours.empty and moved.pooled is None


def test_the_summary_states_each_effect_and_its_certainty(borough):
    summary = impact.impact_summary(borough.cursor(), ALL).set_index("intervention_id")
    assert summary.loc["INT-1", "certainty"] == impact.FALL
    assert summary.loc["INT-1", "effect"].startswith("Fell by ")
    assert summary.loc["INT-2", "certainty"] == impact.UNCLEAR
    assert summary.loc["INT-2", "effect"].startswith("No clear change (anything from a fall")
    assert impact.summary_headline(summary) == (
        "1 of the 2 interventions with enough data was followed by a clear fall in incidents")


def test_the_summary_follows_the_ward_filter(borough):
    cedar = Filters(wards=("W3",), period="all")
    assert impact.impact_summary(borough.cursor(), cedar)["intervention_id"].tolist() == ["INT-2"]


def test_a_risk_type_with_no_incidents_gives_a_plain_reason(borough):
    none = Filters(risk_types=("trafficking",), period="all")
    result = impact.impact(borough.cursor(), none, "INT-1")
    assert result.estimate is None
    assert result.reason == (f"There were fewer than {impact.MIN_INCIDENTS_BEFORE} incidents at "
                             "the place in the 12 months before it began: too few to see a "
                             "change.")
    summary = impact.impact_summary(borough.cursor(), none)
    assert set(summary["certainty"]) == {impact.TOO_FEW}
    assert impact.summary_headline(summary) == (
        "None of the 2 interventions has enough data yet to say what changed")


def test_too_soon_after_the_start_says_when_to_look_again(fresh):
    new = interventions.add_intervention(fresh, access=ANALYST, context_id="P3",
                                         intervention_type="Patrols",
                                         started_on=date(2025, 8, 1))
    result = impact.impact(fresh.cursor(), ALL, new)
    assert result.estimate is None
    assert result.reason == ("Only 4 full months of data since it began on 1 August 2025; we "
                             "need at least 6. Look again once the data reach the end of "
                             "January 2026.")


def test_too_little_history_before_the_start_says_so(fresh):
    new = interventions.add_intervention(fresh, access=ANALYST, context_id="P3",
                                         intervention_type="Patrols",
                                         started_on=date(2023, 4, 1))
    result = impact.impact(fresh.cursor(), ALL, new)
    assert result.reason.startswith("There are only 3 months of data before it began on "
                                    "1 April 2023; we need at least 6")


def test_a_short_intervention_says_it_ran_too_briefly(fresh):
    new = interventions.add_intervention(fresh, access=ANALYST, context_id="P3",
                                         intervention_type="Patrols",
                                         started_on=date(2024, 9, 1), ended_on=date(2024, 11, 30))
    assert impact.impact(fresh.cursor(), ALL, new).reason == (
        "It ran for fewer than 6 full months of data (1 September 2024 to 30 November 2024): "
        "too short to say.")


def test_a_place_with_no_comparable_places_says_so(fresh):
    with fresh.transaction() as cur:
        cur.execute("INSERT INTO contexts VALUES ('S1', 'Oak School', 'school', 'W1', 52.5, -1.5,"
                    " NULL)")
        cur.execute("""INSERT INTO incidents (incident_id, occurred_at, context_id, ward_code)
                       SELECT 'S1-' || n, TIMESTAMP '2023-01-05' + INTERVAL (n) DAY, 'S1', 'W1'
                       FROM range(0, 1000, 2) t(n)""")
    new = interventions.add_intervention(fresh, access=ANALYST, context_id="S1",
                                         intervention_type="Sessions",
                                         started_on=date(2024, 7, 1))
    assert impact.impact(fresh.cursor(), ALL, new).reason == (
        f"Fewer than {impact.MIN_COMPARISONS} other schools or colleges without an intervention "
        "had incidents before it began, so there is nothing to compare with.")


def test_ending_an_intervention_stops_its_months_after(fresh):
    interventions.end_intervention(fresh, "INT-1", date(2024, 12, 31), access=ANALYST)
    result = impact.impact(fresh.cursor(), ALL, "INT-1")
    assert result.estimate.months_after == 6


def test_an_unknown_intervention_is_a_clear_error(borough):
    with pytest.raises(ValueError, match="no intervention with the id 'NOPE'"):
        impact.impact(borough.cursor(), ALL, "NOPE")


# --- words -----------------------------------------------------------------------------------

def make(ratio: float, low: float, high: float) -> impact.Estimate:
    return impact.Estimate(ratio, low, high, 10, 10 * ratio, 10, 120, int(120 * ratio), 12, 12,
                           5, 1.0, 0.0)


def test_changes_are_said_in_plain_words():
    assert impact.change_words(0.62) == "a fall of 38%"
    assert impact.change_words(1.25) == "a rise of 25%"
    assert impact.change_words(1.001) == "no change"
    assert impact.effect_short(make(0.5, 0.35, 0.7)) == "Fell by 50% (95% interval: 30% to 65%)"
    assert impact.effect_short(make(1.5, 1.2, 2.0)) == "Rose by 50% (95% interval: 20% to 100%)"
    assert impact.interval_words(make(0.9, 0.6, 1.3)) == (
        "anything from a fall of 40% to a rise of 30%")


def test_the_detail_sentence_names_the_place_the_date_and_the_interval(borough):
    result = impact.impact(borough.cursor(), ALL, "INT-1")
    sentence = impact.effect_sentence(result)
    assert sentence.startswith("Since it began on 1 July 2024, incidents at Alder Park fell by "
                               "about ")
    assert "than at 10 similar parks or open spaces (95% interval: a fall of between " in sentence
    assert impact.headline(result).startswith("Alder Park: incidents fell by about ")
    assert "Birch Park" in impact.method_note(result) or "Gorse Park" in impact.method_note(result)


def test_the_caveat_says_plainly_that_this_is_not_proof():
    assert impact.CAVEAT.startswith("This does not prove the intervention caused the change.")


def test_small_rates_are_hidden_where_numbers_are_suppressed():
    assert impact.rate_text(3, 12, "board") == "<5 in 12 months"
    assert impact.rate_text(3, 12, "analyst") == "0.2"
    assert impact.rate_text(60, 12, "board") == "5.0"


def test_the_comparison_table_lists_the_place_first(borough):
    table = impact.comparison_table(impact.impact(borough.cursor(), ALL, "INT-1"), "board")
    assert table["Place"].iloc[0] == "Alder Park (this place)" and len(table) == 11


def test_the_neighbour_table_says_the_change_in_words(borough):
    moved = impact.displacement(borough.cursor(), ALL, "INT-1")
    table = impact.neighbour_table(moved, "board")
    assert table["Place"].tolist() == ["Alder Takeaway"]
    assert table["Distance"].tolist() == ["200 m"]
    assert table["Change relative to similar places"].iloc[0].startswith("A rise of ")
    assert table["Certainty"].tolist() == [impact.RISE]


def test_the_summary_table_explains_only_when_something_has_too_few_data(borough):
    table = impact.summary_table(impact.impact_summary(borough.cursor(), ALL))
    assert "Why we cannot say" not in table.columns
    none = Filters(risk_types=("trafficking",), period="all")
    table = impact.summary_table(impact.impact_summary(borough.cursor(), none))
    assert table["Why we cannot say"].str.startswith("There were fewer than 10").all()


def test_the_page_opens_on_the_intervention_the_data_say_most_about(borough):
    summary = impact.impact_summary(borough.cursor(), ALL)
    assert impact.best_documented(summary) == "INT-2"  # Fir Park had more incidents before
    none = impact.impact_summary(borough.cursor(), Filters(risk_types=("trafficking",),
                                                           period="all"))
    assert impact.best_documented(none) is None


def test_a_rough_match_in_level_is_said_plainly(borough):
    close = impact.method_note(impact.impact(borough.cursor(), ALL, "INT-1"))
    assert "rougher than usual" not in close
    assert "(Birch Park; " in close or "; Birch Park" in close
    busy = impact.impact(borough.cursor(), ALL, "INT-1")
    busy.comparisons["before"] = busy.comparisons["before"] / 3  # pretend they were quieter
    assert "The comparison places are much smaller" in impact.method_note(busy)


def test_a_chart_draws_the_clear_results_first_then_the_best_documented_and_says_so():
    estimates = pd.DataFrame({
        "label": ["quiet", "fell", "busy", "no data", "rose", "middling"],
        "ratio": [1.0, 0.5, 1.1, np.nan, 2.0, 0.9],
        "certainty": [impact.UNCLEAR, impact.FALL, impact.UNCLEAR, impact.TOO_FEW, impact.RISE,
                      impact.UNCLEAR],
        "before_total": [15, 20, 200, 5, 30, 60]})
    drawn = impact.chart_rows(estimates, n=4)
    assert drawn["label"].tolist() == ["rose", "fell", "busy", "middling"]
    assert impact.drawn_words(drawn, estimates.dropna(subset=["ratio"])) == (
        "; the 4 of 5 estimates drawn are the clear falls and rises first, then those with the "
        "most incidents before; the table has every one")
    everything = impact.chart_rows(estimates)
    assert len(everything) == 5 and impact.drawn_words(everything, everything) == ""
