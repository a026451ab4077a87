"""The house style's building blocks: a figure laid out in one step looks as one styled after
it was built, and panels sit where make_subplots would put them."""

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from analytics.style import charts


def test_a_figure_built_with_the_house_layout_equals_one_styled_after_it_was_built():
    trace = go.Scatter(x=[1, 2, 3], y=[4, 5, 6])
    styled = charts.style(go.Figure(trace), "Incidents rose <b>sharply</b>", height=300, wrap=20)
    built = go.Figure(trace, layout=charts.house_layout("Incidents rose <b>sharply</b>",
                                                        height=300, wrap=20))
    assert built.to_plotly_json() == styled.to_plotly_json()
    assert "<b>" not in built.layout.title.text  # a title is text, whatever it holds


def test_merged_lays_changes_over_nested_settings_and_changes_neither():
    base = {"title": {"text": "A", "font": {"size": 18}}, "height": 300}
    changes = {"title": {"font": {"size": 15}}, "height": 280}
    assert charts.merged(base, changes) == {"title": {"text": "A", "font": {"size": 15}},
                                            "height": 280}
    assert base["title"]["font"]["size"] == 18 and changes == {"title": {"font": {"size": 15}},
                                                               "height": 280}


@pytest.mark.parametrize(("rows", "columns", "v_space"), [(1, 1, 0.0), (1, 3, 0.0), (2, 2, 0.2),
                                                          (4, 3, 0.1), (5, 3, 0.0615)])
def test_grid_domains_are_make_subplots_domains(rows, columns, v_space):
    reference = make_subplots(rows=rows, cols=columns, horizontal_spacing=0.06,
                              vertical_spacing=v_space).layout
    ours = charts.grid_domains(rows, columns, 0.06, v_space)
    for i, (x, y) in enumerate(ours):
        n = "" if i == 0 else str(i + 1)
        assert x == pytest.approx(list(reference[f"xaxis{n}"].domain), abs=1e-12)
        assert y == pytest.approx(list(reference[f"yaxis{n}"].domain), abs=1e-12)


def test_panels_leave_the_empty_cells_of_the_last_row_without_axes():
    small = [go.Figure(go.Scatter(x=[1, 2], y=[i, i + 1]), layout={"title": f"Panel {i}"})
             for i in range(4)]
    fig = charts.panels(small, "Four panels")  # three a row: two cells of the second row empty
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3", "x4"]
    assert fig.layout.xaxis4.visible is None and fig.layout.yaxis4.visible is None
    assert fig.layout.xaxis5.visible is False and fig.layout.yaxis6.visible is False
    assert [a.text for a in fig.layout.annotations] == [f"Panel {i}" for i in range(4)]
