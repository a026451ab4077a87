"""A built figure or map is kept for its inputs' content: an equal copy (as a cached analysis
hands each render) finds it, any change to the inputs builds anew."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import components
from ui.digest import digest


@dataclass(frozen=True)
class Result:
    """An analysis result as the pages receive them: frames and arrays inside a dataclass."""

    counts: pd.DataFrame
    labels: np.ndarray
    note: str


def _result(value: int = 3) -> Result:
    counts = pd.DataFrame({"ward": ["W1", "W2", "W3", "W4"], "n": [value, 4, 1, 7]})
    counts["share"] = counts["n"] / counts["n"].sum()
    # Sorted, as analyses sort: its columns then lie in memory unlike its copy's (other strides).
    counts = counts.sort_values("share").reset_index(drop=True)
    return Result(counts, np.array(["a", None], dtype=object), "Note")


def test_a_copy_of_equal_values_has_the_same_digest():
    original = _result()
    assert digest(original) == digest(pickle.loads(pickle.dumps(original)))


def test_any_change_in_content_changes_the_digest():
    base = digest(_result())
    assert digest(_result(value=5)) != base
    changed = _result()
    assert digest(Result(changed.counts.rename(columns={"n": "m"}), changed.labels, "Note")) != base
    assert digest(Result(changed.counts, np.array(["a", "b"], dtype=object), "Note")) != base
    assert digest(Result(changed.counts, changed.labels, "Other note")) != base


def test_frames_holding_lists_or_tuples_are_digested_by_their_cells():
    frame = pd.DataFrame({"members": [["a", "b"], ["c"]], "risks": [(("cce", 3),), ()],
                          "n": [2, 1]})
    assert digest(frame) == digest(frame.copy()) == digest(pickle.loads(pickle.dumps(frame)))
    changed = [frame.assign(members=[["a"], ["c"]]), frame.assign(risks=[(("cce", 4),), ()]),
               frame.assign(n=[2, 2]), frame.set_axis([1, 0]), frame.rename(columns={"n": "m"})]
    assert len({digest(frame), *(digest(f) for f in changed)}) == 1 + len(changed)
    assert digest(frame["risks"]) == digest(frame["risks"].copy()) != digest(changed[1]["risks"])


builds: list[int] = []


def _bars(result: Result, title: str) -> go.Figure:
    """A figure builder that counts its builds."""
    builds.append(1)
    return go.Figure(go.Bar(x=result.counts["ward"], y=result.counts["n"]),
                     layout={"title": {"text": title}})


def test_kept_builds_once_for_equal_inputs_and_again_for_new_ones():
    builds.clear()
    first = components.kept(_bars, _result(), "Title")
    again = components.kept(_bars, pickle.loads(pickle.dumps(_result())), "Title")
    assert again is first and len(builds) == 1
    components.kept(_bars, _result(value=9), "Title")
    components.kept(_bars, _result(), "Another title")
    assert len(builds) == 3
