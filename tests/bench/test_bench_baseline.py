"""The pandas baseline computes the same numbers as our analytics, so the benchmark compares like
with like (a baseline that did less work would flatter it; one that did more would flatter us).

Every analysis in the registry is run both ways on the demo borough, under the default and the
narrow filter, and the figures a reader sees are compared.
"""

import math

import numpy as np
import pandas as pd
import pytest

from bench import baseline as bl
from bench import measure
from bench.pages import PAGES, SIDEBAR


def same(a, b) -> None:
    """Equal numbers (float tolerance), sequences and frames' values."""
    a = list(a) if isinstance(a, (pd.Series, np.ndarray, pd.Index, tuple)) else a
    b = list(b) if isinstance(b, (pd.Series, np.ndarray, pd.Index, tuple)) else b
    if isinstance(a, list):
        assert len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, float) or isinstance(b, float):
        assert (math.isnan(float(a)) and math.isnan(float(b))) or float(a) == pytest.approx(
            float(b), rel=1e-9, abs=1e-9), (a, b)
    else:
        assert a == b, (a, b)


def signal_keys(frame: pd.DataFrame, a: str, b: str | None) -> list[tuple]:
    cols = [a, *([b] if b else []), "rule", "since", "until", "current", "points", "total"]
    rows = frame[cols].astype(str).itertuples(index=False, name=None)
    return sorted(rows)


def check_headline(ours, base):
    cur, prev, top = base
    same(tuple(vars(ours.current).values()), cur)
    assert (ours.previous is None) == (prev is None)
    if prev is not None:
        same(tuple(vars(ours.previous).values()), prev)
    same(ours.top_wards["ward_code"], top["ward_code"])
    same(ours.top_wards["incidents"], top["incidents"])


def check_signals(ours, base):
    frame, judged, too_small = base
    assert (ours.judged, ours.too_small) == (judged, too_small)
    key_b = "key_b" if len(ours.by) == 2 else None
    theirs = frame.rename(columns={"key_0": "key_a", "key_1": "key_b"})
    assert signal_keys(ours.frame, "key_a", key_b) == signal_keys(theirs, "key_a", key_b)


def check_top_signals(ours, base):
    same(ours["key_a"], base["key_a"])
    same(ours["key_b"], base["key_b"])


def check_trend_view(ours, base):
    overall, series, interventions = base
    same(ours.overall.counts["count"], overall.counts["count"])
    assert ours.overall.sentence == overall.sentence
    same([s.key for s in ours.series], [s.key for s in series])
    for mine, theirs in zip(ours.series, series, strict=True):
        same(mine.counts["count"], theirs.counts["count"])
    same(ours.interventions["intervention_id"], interventions["intervention_id"])


def check_seasonality(ours, base):
    by_year, profile = base
    same(ours.by_year["count"], by_year["count"])
    same(ours.profile["value"], profile["value"])


def check_profiles_rank(ours, base):
    cols = ["context_id", "incidents", "young_people", "repeat_young_people", "risk_types",
            "night_share", "weekend_share", "trend", "previous_incidents", "days_since_last",
            "score"]
    for c in cols:
        same(ours[c], base[c])


def check_explained(ours, base):
    check_profiles_rank(ours, base)
    same(ours["why"], base["why"])


def check_detail(ours, base):
    counts, timeline, mix, near, done = base
    same((ours.incidents, ours.young_people, ours.repeat_young_people), counts)
    same(ours.timeline["incidents"], timeline)
    same(ours.risk_mix["incidents"], mix)
    same(ours.neighbours["context_id"], near["context_id"])
    same(ours.neighbours["incidents"], near["incidents"])
    same(len(ours.interventions), len(done))


def check_cluster(ours, base):
    if isinstance(ours, ValueError):
        assert str(ours) == str(base)
        return
    assert ours.k == base.k
    same(ours.groups["places"], base.groups["places"])
    same(ours.members["group"], base.members["group"])


def check_frame(columns):
    def check(ours, base):
        for c in columns:
            same(ours[c], base[c])
    return check


def check_concentration(ours, base):
    same(ours.shares["incidents"], base.shares["incidents"])
    assert (ours.places, ours.incidents, ours.without_place) == (
        base.places, base.incidents, base.without_place)


def check_ward_hot_spots(ours, base):
    table, spots = base
    same(ours.table["z"], table["z"])
    same(ours.table["label"], table["label"])
    same(ours.table["ratio"], table["ratio"])
    assert [s.lead for s in ours.spots] == [s.lead for s in spots]


def check_grid(ours, base):
    cells, table, components, unplaced = base
    same(ours.cells["incidents"], cells["incidents"])
    same(ours.cells["selected"], cells["selected"])
    same(ours.result.table["label"], table["label"])
    same(ours.result.table["name"], table["name"])
    assert (len(ours.result.spots), ours.unplaced) == (components, unplaced)


def check_overlap(ours, base):
    assert ours.universe == base.universe
    same(ours.singles["n"], base.singles["n"])
    same(ours.pairs["n_ab"], base.pairs["n_ab"])
    same(ours.pairs["lift"], base.pairs["lift"])


def check_combinations(ours, base):
    assert dict(zip(ours["key"], ours["n"], strict=True)) == dict(
        zip(base["key"], base["n"], strict=True))


def check_drilldown(ours, base):
    members, wards, places_, monthly = base
    assert ours.members == members
    assert sorted(zip(ours.wards["members"], ours.wards["incidents"], strict=True)) == sorted(
        zip(wards["members"], wards["incidents"], strict=True))
    same(ours.contexts["context_id"], places_["context_id"])
    same(ours.contexts["members"], places_["members"])
    same(ours.monthly["value"], monthly)


def check_records(ours, base):
    total, rows = base
    assert ours.total == total
    same(ours.rows["incident_id"], rows["incident_id"])
    same(ours.rows["young_people"], rows["young_people"])
    same([list(r) for r in ours.rows["risks"]], [list(r) for r in rows["risks"]])


def check_narrative(ours, base):
    from analytics.governance.disclosure import display_count

    head = base[0]
    assert f"there were {display_count(head[0][0], 'lead')} incidents" in ours.sentences[0]
    ranked = base[-1]
    if isinstance(ranked, pd.DataFrame) and len(ranked):
        assert ranked["name"].iloc[0] in " ".join(ours.sentences)


CHECKS = {
    "reference.data_facts()": lambda o, b: same(
        (o.first_incident, o.latest_incident, o.is_demo, o.incidents), (b[0], b[1], b[4], b[5])),
    "reference.ward_names()": lambda o, b: same(list(o.items()), list(b.items())),
    "reference.risk_options(code=incidents)": lambda o, b: same(list(o.items()),
                                                                list(b.items())),
    "reference.outcome_options(code=stop_search)": lambda o, b: same(o, b),
    "places.lsoa_counts()": lambda o, b: same(
        o.sort_values("lsoa_code")[["lsoa_code", "incidents"]].values.tolist(),
        b.sort_values("lsoa_code")[["lsoa_code", "incidents"]].values.tolist()),
    "overview.headline()": check_headline,
    "trends.top_signals(n=5, view=lead)": check_top_signals,
    "overview.risk_trends()": check_frame(["risk_type", "value"]),
    "narrative.what_changed(view=lead)": check_narrative,
    "overview.changes(unit=ward)": check_frame(["code", "current", "previous", "change"]),
    "overview.changes(unit=context)": check_frame(["code", "current", "previous", "change"]),
    "priorities.explained(weights=Weights(volume=3, rising=3, risk_types=2, repeat_people=2, "
    "severity=1), view=lead)": check_explained,
    "contexts.detail(top_place)": check_detail,
    "clustering.cluster_contexts(method=kmeans)": check_cluster,
    "trends.trend_view(measure=incidents, view=lead)": check_trend_view,
    "trends.trend_view(measure=incidents, split=risk_type, view=lead)": check_trend_view,
    "trends.signals(by=risk_type+ward, view=lead)": check_signals,
    "trends.signals(by=context, view=lead)": check_signals,
    "trends.seasonality(measure=incidents, view=lead)": check_seasonality,
    "overview.has_incidents()": lambda o, b: same(bool(o), b),
    "places.has_area_crime()": lambda o, b: same(bool(o), b),
    "places.lsoa_deciles()": lambda o, b: same(o["lsoa_code"], b["lsoa_code"]),
    "places.ward_shapes()": lambda o, b: same(o["ward_code"], b["ward_code"]),
    "places.grid_hot_spots(view=lead)": check_grid,
    "places.ward_hot_spots(view=lead)": check_ward_hot_spots,
    "places.ward_counts()": check_frame(["ward_code", "incidents", "rate"]),
    "places.context_points()": check_frame(["context_id", "incidents", "previous", "risks"]),
    "places.concentration()": check_concentration,
    "places.repeat_locations()": check_frame(["context_id", "incidents", "months", "main_risk"]),
    "places.when_grid()": check_frame(["day", "hour", "incidents"]),
    "places.month_of_year()": check_frame(["month", "incidents"]),
    "places.location_types()": check_frame(["context_type", "incidents", "previous"]),
    "places.location_type_months()": check_frame(["context_type", "month", "incidents"]),
    "places.ward_ranking()": check_frame(["ward_code", "incidents", "previous", "main_risks",
                                          "main_places"]),
    "overlap.analyse(unit=people, window=30)": check_overlap,
    "overlap.combinations(unit=people)": check_combinations,
    "overlap.drilldown(unit=people, exact=False, window=30, first_pair)": check_drilldown,
    "interventions.register()": lambda o, b: same(o["intervention_id"], b["intervention_id"]),
    "records.incident_records()": check_records,
}


@pytest.fixture(scope="module")
def both(demo_store):
    con = demo_store.cursor()
    return con, bl.load(con), measure.scenarios(con)


def test_every_registered_analysis_with_a_baseline_has_a_check():
    labels = {c.label for p in [SIDEBAR, *PAGES.values()] for c in p.calls if c.baseline}
    assert labels - set(CHECKS) == set()


@pytest.mark.parametrize("scenario", ["default", "narrow"])
@pytest.mark.parametrize("label", sorted(CHECKS))
def test_baseline_gives_the_same_numbers_as_the_analytics(both, scenario, label):
    con, frames, filters = both
    call = next(c for p in [SIDEBAR, *PAGES.values()] for c in p.calls if c.label == label)
    agrees(con, frames, filters[scenario], call, call.baseline)


def agrees(con, frames, f, call, twin) -> None:
    """The twin (pandas or polars, on its frames) gives the numbers our analysis gives."""
    kwargs = measure._resolved(call, con, f)
    if kwargs is None:
        pytest.skip("the page does not run this under these filters")
    args = (f,) if call.uses_filters else ()
    _, ours = measure.timed(lambda: measure.direct(call, con, f, kwargs))
    frames.forget()  # nothing shared from another check: each starts from the tables
    _, theirs = measure.timed(lambda: twin(frames, *args, **kwargs))
    if isinstance(ours, ValueError) or isinstance(theirs, ValueError):
        assert str(ours) == str(theirs)
        return
    CHECKS[call.label](ours, theirs)
