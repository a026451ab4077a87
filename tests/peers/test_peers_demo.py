"""The demo borough's planted peer groups are recovered, and its planted bridge place is found.

The demo does not publish who is in which planted group, so the truth is read while the
generator runs: its `_groups` (each group's first member row and size) and the number
`_number_people` gives each person row. If the generator's internals change, these tests fail
loudly rather than pass on a guess.
"""

import numpy as np
import pytest

from analytics.demo import demo
from analytics.peers import peers
from analytics.store.filters import Filters
from analytics.store.store import Store

ALL = Filters(period="all")


@pytest.fixture(scope="module")
def planted_demo():
    """The default demo borough, and the pseudonymous ids of each planted group's members."""
    seen = {}
    groups, number_people = demo._groups, demo._number_people

    def spy_groups(*args, **kwargs):
        seen["groups"] = groups(*args, **kwargs)
        return seen["groups"]

    def spy_number(*args, **kwargs):
        people, rows = number_people(*args, **kwargs)
        # The links come in as (incident, person) arrays, and rows number each link's person.
        seen["person_row"] = np.asarray(args[1])
        seen["person_number"] = rows["person_number"].to_numpy()
        return people, rows

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "_groups", spy_groups)
        mp.setattr(demo, "_number_people", spy_number)
        store = Store()
        demo.generate(store)
    number = dict(zip(seen["person_row"].tolist(), seen["person_number"].tolist(), strict=True))
    truth = [{f"YP{number[r]:06d}" for r in range(start, start + size) if r in number}
             for start, size in zip(seen["groups"].first_member.tolist(),
                                    seen["groups"].size.tolist(), strict=True)]
    return store, truth


def test_the_planted_peer_groups_are_recovered(planted_demo):
    store, truth = planted_demo
    network = peers.peer_groups(store.cursor(), ALL)
    found = [set(m["person_id"]) for _, m in network.people.groupby("group")]
    jaccard = np.array([max(len(t & f) / len(t | f) for f in found) for t in truth])
    assert len(truth) == demo.GROUPS_AT_DEFAULT
    assert (jaccard == 1).mean() >= 0.9  # nine in ten found exactly
    assert (jaccard >= 0.8).mean() >= 0.95


def test_the_planted_bridge_place_is_found_as_a_bridge(planted_demo):
    store, _ = planted_demo
    bridges = peers.bridge_contexts(store.cursor(), ALL).set_index("context_id")
    bridge = demo.PLANTED["bridge_context"]
    assert bridge in bridges.index
    assert bridges.at[bridge, "groups"] >= demo.BRIDGE_GROUPS
    assert list(bridges.index).index(bridge) < 10  # among the ten places most shared


def test_one_shared_incident_makes_the_demo_one_tangle(planted_demo):
    """Why two shared incidents is the default: with one, chance meetings of the repeatedly
    involved join almost everyone into a single network."""
    store, _ = planted_demo
    loose = peers.peer_groups(store.cursor(), ALL, min_shared=1)
    strict = peers.peer_groups(store.cursor(), ALL)
    assert loose.people["component"].value_counts().iloc[0] > 100 * strict.groups["size"].max()
