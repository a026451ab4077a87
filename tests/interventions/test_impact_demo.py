"""The demo borough's planted interventions: the effect that was planted is found, the null one
is not called a change, and the harm displaced next door is found there."""

import pandas as pd

from analytics.demo import demo
from analytics.interventions import impact
from analytics.store.filters import Filters

ALL = Filters(period="all")


def test_the_planted_effect_is_inside_its_interval_and_called_a_fall(demo_store):
    result = impact.impact(demo_store.cursor(), ALL, demo.PLANTED["intervention_id"])
    assert result.context_id == demo.PLANTED["intervention_context"]
    est = result.estimate
    assert est.low < demo.INTERVENTION_EFFECT < est.high
    assert est.verdict == impact.FALL


def test_the_null_intervention_is_not_called_a_change(demo_store):
    result = impact.impact(demo_store.cursor(), ALL, demo.PLANTED["null_intervention_id"])
    assert result.estimate.verdict == impact.UNCLEAR


def test_displacement_is_found_where_it_was_planted(demo_store):
    moved = impact.displacement(demo_store.cursor(), ALL, demo.PLANTED["intervention_id"])
    rows = moved.neighbours.set_index("context_id")
    there = rows.loc[demo.PLANTED["displaced_to"]]
    assert there["verdict"] == impact.RISE
    assert there["low"] < demo.DISPLACEMENT_EFFECT < there["high"]
    assert (rows["verdict"] == impact.RISE).sum() == 1  # and nowhere else nearby


def test_every_demo_intervention_gets_an_estimate_or_a_reason(demo_store):
    summary = impact.impact_summary(demo_store.cursor(), ALL)
    assert len(summary) == len(demo_store.query("SELECT * FROM interventions"))
    too_few = summary["certainty"] == impact.TOO_FEW
    assert (summary.loc[too_few, "reason"] != "").all()
    assert summary.loc[~too_few, "ratio"].notna().all()


def test_the_summary_says_for_each_intervention_what_its_detail_says(demo_store):
    """The summary estimates every intervention at once; each row is what the intervention's
    own detail says."""
    summary = impact.impact_summary(demo_store.cursor(), ALL)
    assert summary["ratio"].notna().sum() >= 3
    for row in summary.itertuples(index=False):
        one = impact.impact(demo_store.cursor(), ALL, row.intervention_id)
        assert one.reason == row.reason
        if one.estimate is None:
            assert pd.isna(row.ratio)
        else:
            assert (one.estimate.ratio, one.estimate.low, one.estimate.high) == (
                row.ratio, row.low, row.high)
