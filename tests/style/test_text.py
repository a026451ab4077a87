"""Words built a column at a time."""

import pandas as pd

from analytics.style.text import joined


def test_each_groups_values_are_joined_in_their_order_groups_as_they_first_appear():
    lines = pd.Series(["b1", "a1", "b2", "c1", "a2"])
    out = joined(lines, pd.Series(["b", "a", "b", "c", "a"]), "\n")
    assert list(out.items()) == [("b", "b1\nb2"), ("a", "a1\na2"), ("c", "c1")]


def test_a_group_of_one_has_no_separator_and_numbers_are_written_as_text():
    assert joined(pd.Series([7, 8, 9]), [2, 1, 2], ", ").to_dict() == {2: "7, 9", 1: "8"}
