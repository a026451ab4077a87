"""Names from files reach charts and maps as text: Plotly and deck.gl read none of their markup."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import plotly.io as pio
import pytest

from analytics.board import boardpack, briefing
from analytics.governance.escape import WORD_JOINER
from analytics.interventions import impact_charts
from analytics.overlap import overlap_charts
from analytics.peers import peers_charts
from analytics.places import maps
from analytics.style import charts
from analytics.trends import trend_charts, trends
from tests.conftest import YEAR_2025

PAYLOAD = 'Q <a href="https://evil.example/x">LINK</a> <b>HB</b> <img src=x> & co'
ESCAPED = "Q &lt;a href=\"https://evil.example/x\"&gt;LINK&lt;/a&gt; &lt;b&gt;HB&lt;/b&gt;"
RAW = ('<a href="https://evil', "<b>HB", "<img")  # the payload's, not the pack's own contents links


def strings(fig) -> list[str]:
    """Every string in the figure as Plotly receives it."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(pio.to_json(fig)))
    return found


def assert_drawn_as_text(fig) -> None:
    text = strings(fig)
    assert not [s for s in text if any(raw in s for raw in RAW)]
    assert any(ESCAPED in s for s in text)


def test_a_title_naming_a_place_is_text():
    assert_drawn_as_text(charts.change_bars(
        pd.DataFrame({"name": ["Alder"], "change": [3]}), f"{PAYLOAD} changed most"))


def test_a_panel_title_naming_a_type_is_text_on_every_line_it_wraps_onto():
    months = pd.date_range("2025-01-01", periods=2, freq="MS")
    frame = pd.concat([pd.DataFrame({"risk_type": code, "month": months, "value": [3, 4]})
                       for code in ("x", "y", "z")])
    fig = charts.trend_grid(frame, {"x": f"{PAYLOAD}: 7 in the period", "y": "Y: 7 in the period",
                                    "z": "Z: 7 in the period"}, "Trends")
    panel = fig.layout.annotations[0].text
    assert panel.count("<br>") >= 2 and not any(raw in panel for raw in RAW)
    assert all(part in panel for part in ("&lt;a", "&lt;b&gt;HB&lt;/b&gt;", "&lt;img"))


def test_a_small_multiple_naming_a_ward_is_text_in_its_panel(tiny):
    with tiny.transaction() as cur:
        cur.execute("UPDATE wards SET ward_name = $n WHERE ward_code = 'W2'", {"n": PAYLOAD})
    view = trends.trend_view(tiny.cursor(), YEAR_2025, split="ward")
    assert_drawn_as_text(trend_charts.xmr_panels(tuple(view.series), "By ward", view="analyst",
                                                 y_title="Incidents", window=view.window))


@pytest.mark.parametrize("build", [
    lambda: charts.change_bars(pd.DataFrame({"name": [PAYLOAD], "change": [3]}), "Changes"),
    lambda: overlap_charts.ranked_bars(pd.DataFrame({"name": [PAYLOAD], "n": [12]}), "name",
                                       "n", "Most", "analyst", "People"),
    lambda: peers_charts.bridge_bars(pd.DataFrame({
        "name": [PAYLOAD], "groups": [2], "context_type": ["park"], "ward_name": [PAYLOAD],
        "group_labels": ["Group 1, Group 2"]}), "Bridges"),
    lambda: impact_charts.estimates(pd.DataFrame({
        "label": [PAYLOAD], "ratio": [0.5], "low": [0.3], "high": [0.9],
        "certainty": ["No clear change"]}), "label", "Estimates"),
    lambda: impact_charts.before_after(pd.DataFrame({
        "month": pd.date_range("2025-01-01", periods=4, freq="MS"), "place": [6, 2, 7, 8],
        "expected": [6.0, 6.0, 6.0, 6.0], "comparison_total": [40, 40, 40, 40],
        "period": ["before", "before", "after", "after"]}), PAYLOAD, date(2025, 3, 1), "lead",
        "Before and after"),
])
def test_names_on_axes_in_legends_and_hovers_are_text(build):
    assert_drawn_as_text(build())


def test_every_chart_of_the_board_pack_draws_names_as_text(tiny):
    with tiny.transaction() as cur:
        cur.execute("UPDATE wards SET ward_name = $n WHERE ward_code = 'W2'", {"n": PAYLOAD})
        cur.execute("UPDATE contexts SET name = $n WHERE context_id = 'C2'", {"n": PAYLOAD})
    pack = briefing.pack(tiny.cursor(), YEAR_2025, view="analyst")
    figures = [fig for s in pack.sections for fig in s.figures]
    text = [s for fig in figures for s in strings(fig)]
    assert figures and not [s for s in text if any(raw in s for raw in RAW)]
    assert any(ESCAPED in s for s in text)
    page = boardpack.to_html(pack)
    assert "Content-Security-Policy" in page
    words = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)  # the page, not plotly.js
    assert not any(raw in words for raw in RAW) and "&lt;b&gt;HB&lt;/b&gt;" in words


def test_map_tooltips_are_plain_text_and_never_deck_gl_code():
    assert "html" not in maps.TOOLTIP  # deck.gl shows "text" as text
    wards = pd.DataFrame({"ward_code": ["W1"], "ward_name": ["@@=properties.secret"],
                          "shape": [__import__("shapely").geometry.box(0, 0, 1, 1)]})
    counts = pd.DataFrame({"ward_code": ["W1"], "incidents": [12], "rate": [1.5]})
    fill, names, _ = maps.ward_layers(wards, counts, "analyst", colour_by="incidents")
    deck = json.loads(maps.pdk.Deck(layers=[fill, names]).to_json())
    values = [s for s in json.dumps(deck["layers"]).split('"') if "properties.secret" in s]
    assert values and all(v.startswith(WORD_JOINER) or v.startswith("\\u2060") for v in values)
