"""Tables fitted to the page (ui.components.fitted_columns): none cut off at the right at 1440 px."""

from __future__ import annotations

import pandas as pd

from ui.components import NARROWEST_PX, TABLE_ROOM_PX, fitted_columns


def widths(config: dict) -> dict[str, int]:
    return {name: column["width"] for name, column in config.items()}


def test_a_table_that_fits_keeps_its_own_widths():
    assert fitted_columns(pd.DataFrame({"Ward": ["Ashcombe"], "Incidents": [12]})) is None


def test_a_wide_table_is_narrowed_from_its_widest_column_to_fit_the_room():
    frame = pd.DataFrame({"Place": ["x" * 200], "Ward": ["Ashcombe"], "Incidents": [12]})
    fitted = widths(fitted_columns(frame))
    assert sum(fitted.values()) <= TABLE_ROOM_PX
    assert fitted["Place"] < 200 * 7.5 and fitted["Ward"] >= NARROWEST_PX
    assert fitted["Incidents"] == widths(fitted_columns(frame))["Incidents"]  # left as it was


def test_a_column_of_nothing_but_missing_categories_has_a_width():
    """A categorical column's missing values stay missing through astype(str): no length."""
    frame = pd.DataFrame({"Place": ["x" * 200],
                          "Risk": pd.Categorical([None], categories=["cse"])})
    fitted = widths(fitted_columns(frame))
    assert fitted["Risk"] > 0 and sum(fitted.values()) <= TABLE_ROOM_PX
