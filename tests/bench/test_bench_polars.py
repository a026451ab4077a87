"""The polars yardstick computes the same numbers as our analytics, so its page times compare
like with like (as tests/bench/test_bench_baseline.py holds the pandas one to).

Every analysis with a polars twin is run both ways on the demo borough, under the default and the
narrow filter, and checked with the pandas baseline's own checks (the twins return its shapes).
The two yardsticks twin the same analyses, so each gives a page total where the other does.
"""

import pandas as pd
import pytest

from bench import baseline as bl
from bench import measure
from bench import polars_app as pa
from bench.pages import PAGES, SIDEBAR
from tests.bench.test_bench_baseline import CHECKS, agrees, same

TWINNED = {c.label: c for p in [SIDEBAR, *PAGES.values()] for c in p.calls if c.polars}


@pytest.fixture(scope="module")
def both(demo_store):
    con = demo_store.cursor()
    return con, pa.load(con), measure.scenarios(con)


@pytest.fixture(scope="module")
def pandas_frames(demo_store):
    return bl.load(demo_store.cursor())


def test_the_two_yardsticks_twin_the_same_analyses():
    # Interventions' estimates, Peer groups' Louvain and the Audit log have a twin in neither:
    # the same library code in all three, or no incidents read.
    for page in [SIDEBAR, *PAGES.values()]:
        for call in page.calls:
            assert (call.polars is None) == (call.baseline is None), (page.title, call.label)
    assert {s for s, p in PAGES.items() if all(c.polars for c in p.calls)} == {
        "pages/overview.py", "pages/contexts.py", "pages/trends.py", "pages/places.py",
        "pages/overlap.py", "pages/records.py"}


def test_every_twin_has_a_check():
    assert set(TWINNED) - set(CHECKS) == set()


def test_the_tables_are_read_with_integer_numbers_and_a_risk_bitmask(both):
    _, frames, _ = both
    inc = frames.incidents
    assert inc["incident"].to_list() == list(range(inc.height))
    assert frames.risks["incident"].max() < inc.height
    assert inc.filter(pa.pl.col("risks") == 0).height == 0  # every demo incident has a risk


@pytest.mark.parametrize("scenario", ["default", "narrow"])
@pytest.mark.parametrize("label", sorted(TWINNED))
def test_polars_gives_the_same_numbers_as_the_analytics(both, scenario, label):
    con, frames, filters = both
    agrees(con, frames, filters[scenario], TWINNED[label], TWINNED[label].polars)


def same_frames(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """The same columns, in the same order, with the same values row by row."""
    assert list(mine.columns) == list(theirs.columns)
    for c in theirs.columns:
        if pd.api.types.is_datetime64_any_dtype(theirs[c]):
            same(mine[c].astype("datetime64[ns]").astype(str), theirs[c].astype(
                "datetime64[ns]").astype(str))
        else:
            same(mine[c].astype(object).where(mine[c].notna(), float("nan")),
                 theirs[c].astype(object).where(theirs[c].notna(), float("nan")))


@pytest.mark.parametrize("scenario", ["default", "narrow"])
def test_the_narratives_parts_equal_the_pandas_apps(both, pandas_frames, scenario):
    # narrative.what_changed's check reads only its headline and top place: the parts the
    # sentences are made from are checked here, against the pandas app's (checked against ours).
    _, frames, filters = both
    f = filters[scenario]
    frames.forget()
    pandas_frames.forget()
    mine, theirs = pa.what_changed(frames, f, view="lead"), bl.what_changed(pandas_frames, f,
                                                                            view="lead")
    assert len(mine) == len(theirs) > 2
    for a, b in zip(mine, theirs, strict=True):
        if isinstance(b, pd.DataFrame):
            same_frames(a.reset_index(drop=True), b.reset_index(drop=True))
        elif len(b) == 2 and isinstance(b[0], pd.DataFrame):  # a hot-spot table and its spots
            same_frames(a[0], b[0])
            assert [s.lead for s in a[1]] == [s.lead for s in b[1]]
        elif len(b) == 3 and isinstance(b[0], pd.DataFrame):  # signals
            same_frames(a[0], b[0])
            assert a[1:] == b[1:]
        else:  # the headline
            assert a[:2] == b[:2]
            same_frames(a[2], b[2])


@pytest.mark.parametrize("scenario", ["default", "narrow"])
def test_the_place_profiles_equal_the_pandas_apps(both, pandas_frames, scenario):
    _, frames, filters = both
    f = filters[scenario]
    frames.forget()
    pandas_frames.forget()
    same_frames(pa.profiles(frames, f), bl.profiles(pandas_frames, f))



@pytest.mark.parametrize("scenario", ["default", "narrow"])
@pytest.mark.parametrize(("measure_", "split"), [("young_people", "risk_type"),
                                                 ("young_people", "ward"), ("young_people", "none"),
                                                 ("rate", "ward"), ("rate", "none")])
def test_both_yardsticks_count_the_other_measures_as_we_do(both, pandas_frames, scenario,
                                                           measure_, split):
    # Trends' settings a reader changes (young people; a rate's counts, in wards with a known
    # child population): not in a page's default run, so not in the registry's checks.
    from analytics.trends import trends

    con, frames, filters = both
    f = filters[scenario]
    view = trends.trend_view(con, f, measure=measure_, split=split, granularity="month")
    ours = pd.concat([s.counts.assign(key=s.key) for s in (
        view.series if split != "none" else [view.overall])])
    periods = pa.window(frames, f)
    dims = (split,) if split != "none" else ()
    frames.forget()
    pandas_frames.forget()
    polars_counts = pa.grouped(frames, f, periods, dims, measure=measure_).to_pandas()
    pandas_counts = bl.grouped(pandas_frames, f, periods, dims, measure=measure_)
    for theirs in (polars_counts.assign(period=polars_counts["period"].astype("datetime64[ns]")),
                   pandas_counts.rename("count").rename_axis(["period", *dims]).reset_index()):
        theirs = theirs.rename(columns={split: "key"}) if dims else theirs.assign(key="all")
        got = ours[["key", "period"]].merge(theirs, on=["key", "period"], how="left")
        assert ours["count"].sum() > 0
        same(got["count"].fillna(0).astype(int), ours["count"])
