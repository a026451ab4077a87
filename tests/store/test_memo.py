"""Intermediate results kept per database file and data version (analytics.store.memo): reused until a
load commits, never for an in-memory database, forgotten on demand."""

from analytics.store import memo
from analytics.store.filters import Filters
from analytics.store.store import Store
from tests.conftest import seed_tiny

CALLS: list[Filters] = []


@memo.per_data_version(maxsize=2)
def counted(con, filters: Filters) -> int:
    """The number of incidents, noting each time it is really worked out."""
    CALLS.append(filters)
    return con.execute("SELECT count(*) FROM incidents").fetchone()[0]


def store_on_disk(tmp_path) -> Store:
    store = Store(tmp_path / "memo.duckdb")
    seed_tiny(store)
    CALLS.clear()
    memo.forget_all()
    return store


def test_a_result_is_reused_until_a_load_commits(tmp_path):
    store = store_on_disk(tmp_path)
    everything = Filters(period="all")
    first = counted(store.cursor(), everything)
    assert counted(store.cursor(), everything) == first and len(CALLS) == 1
    with store.transaction() as cur:  # a load: the data version moves
        cur.execute("DELETE FROM incident_people WHERE incident_id = 'I01'")
        cur.execute("DELETE FROM incident_risks WHERE incident_id = 'I01'")
        cur.execute("DELETE FROM incidents WHERE incident_id = 'I01'")
    assert counted(store.cursor(), everything) == first - 1 and len(CALLS) == 2


def test_other_arguments_are_other_results_and_only_the_latest_few_are_kept(tmp_path):
    store = store_on_disk(tmp_path)
    a, b, c = (Filters(period=p) for p in ("all", "12m", "24m"))
    for filters in (a, b, a, c, a, b):
        counted(store.cursor(), filters)
    assert CALLS == [a, b, c, b]  # a stays (used again), b is dropped when c arrives


def test_an_in_memory_database_is_never_answered_from_memory():
    store = Store()
    seed_tiny(store)
    CALLS.clear()
    counted(store.cursor(), Filters(period="all"))
    counted(store.cursor(), Filters(period="all"))
    assert len(CALLS) == 2


def test_forget_all_starts_again_from_nothing(tmp_path):
    store = store_on_disk(tmp_path)
    counted(store.cursor(), Filters(period="all"))
    memo.forget_all()
    counted(store.cursor(), Filters(period="all"))
    assert len(CALLS) == 2


def test_two_database_files_never_share_a_result(tmp_path):
    one = store_on_disk(tmp_path)
    other = Store(tmp_path / "other.duckdb")  # empty, at the same data version as a new file
    assert counted(one.cursor(), Filters(period="all")) > 0
    assert counted(other.cursor(), Filters(period="all")) == 0


def test_a_kept_frame_comes_back_as_a_new_frame_so_a_caller_cannot_change_it(tmp_path):
    import pandas as pd

    @memo.per_data_version()
    def frame(con, filters: Filters) -> pd.DataFrame:
        return pd.DataFrame({"n": [1, 2]})

    store = store_on_disk(tmp_path)
    first = frame(store.cursor(), Filters(period="all"))
    first["n"] = 0
    first.loc[0, "n"] = 9
    assert frame(store.cursor(), Filters(period="all"))["n"].tolist() == [1, 2]
