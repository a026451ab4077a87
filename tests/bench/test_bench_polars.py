"""The polars yardstick computes the same numbers as our analytics, so its page times compare
like with like (as tests/bench/test_bench_baseline.py holds the pandas one to).

Every analysis with a polars twin is run both ways on the demo borough, under the default and the
narrow filter, and checked with the pandas baseline's own checks (the twins return its shapes).
A page is twinned whole or not at all, so its polars total is a page's total.
"""

import pytest

from bench import measure
from bench import polars_app as pa
from bench.pages import PAGES, SIDEBAR
from tests.bench.test_bench_baseline import CHECKS

TWINNED = {c.label: c for p in [SIDEBAR, *PAGES.values()] for c in p.calls if c.polars}


@pytest.fixture(scope="module")
def both(demo_store):
    con = demo_store.cursor()
    return con, pa.load(con), measure.scenarios(con)


def test_a_page_is_twinned_whole_or_not_at_all():
    for page in [SIDEBAR, *PAGES.values()]:
        twins = [c.polars is not None for c in page.calls]
        assert all(twins) or not any(twins), page.title


def test_the_sidebar_and_the_first_pages_are_twinned():
    assert all(c.polars for c in SIDEBAR.calls)
    for script in ("pages/records.py", "pages/trends.py"):
        assert all(c.polars for c in PAGES[script].calls), script


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
    call = TWINNED[label]
    f = filters[scenario]
    kwargs = measure._resolved(call, con, f)
    if kwargs is None:
        pytest.skip("the page does not run this under these filters")
    args = (f,) if call.uses_filters else ()
    _, ours = measure.timed(lambda: measure.direct(call, con, f, kwargs))
    frames.forget()  # nothing shared from another check: each starts from the tables
    _, theirs = measure.timed(lambda: call.polars(frames, *args, **kwargs))
    if isinstance(ours, ValueError) or isinstance(theirs, ValueError):
        assert str(ours) == str(theirs)
        return
    CHECKS[label](ours, theirs)
