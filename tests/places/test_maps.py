"""The Places map: small aggregates never reach a board or lead deck, no basemap unless asked,
the view fits the data, and the legend matches the colours."""

import json
from datetime import date

import pandas as pd
import pydeck as pdk
import pytest
from shapely.geometry import box

from analytics.places import hotspots, maps, places
from analytics.places.maps import MapOptions
from tests.borough import build_borough
from tests.conftest import YEAR_2025


@pytest.fixture(scope="module")
def borough():
    from analytics.store.store import Store

    store = Store()
    build_borough(store, seed=7, hot=True, planted=300)
    cur = store.cursor()
    return {
        "wards": places.ward_shapes(cur, YEAR_2025), "counts": places.ward_counts(cur, YEAR_2025),
        "grid": places.grid_hot_spots(cur, YEAR_2025),
        "spots": places.ward_hot_spots(cur, YEAR_2025),
        "points": places.context_points(cur, YEAR_2025),
    }


def build(borough, view="board", **options):
    return maps.places_map(MapOptions(**options), view, period="12 months", **borough)


def layer(result, layer_id):
    found = [x for x in result.deck.layers if x.id == layer_id]
    return found[0] if found else None


def cell_counts(result) -> list[str]:
    return [row["tip"].rsplit(": ", 1)[1] for row in layer(result, "density").data]


def test_board_and_lead_maps_drop_cells_under_five_and_empty_ones(borough):
    grid = borough["grid"].cells
    assert grid["selected"].between(1, 4).any()  # there are small cells to drop
    for view in ("board", "lead"):
        shown = cell_counts(build(borough, view))
        assert shown and all(int(n.replace(",", "")) >= 5 for n in shown)
    assert len(cell_counts(build(borough, "analyst"))) == (grid["selected"] > 0).sum()


def test_density_cells_are_drawn_apart_without_outlines(borough):
    density = layer(build(borough, "analyst"), "density")
    grid, cells = borough["grid"].grid, borough["grid"].cells
    drawn = cells[cells["selected"] > 0]
    assert not density.stroked  # an outline a cell cost more to draw than the fills
    assert [row["polygon"] for row in density.data] == [
        grid.polygon(int(c.q), int(c.r), maps.HEX_DRAWN) for c in drawn.itertuples()]
    assert maps.HEX_DRAWN < 1


@pytest.mark.parametrize("view", ["board", "analyst"])
def test_places_list_their_risk_types_for_every_place_a_map_can_draw(monkeypatch, view):
    from analytics.store.store import Store

    store = Store()
    build_borough(store, seed=7, hot=True, planted=300)
    homes = places.context_points(store.cursor(), YEAR_2025)["context_id"].head(3).tolist()
    with store.transaction() as tx:  # the three busiest places are homes
        tx.execute("UPDATE contexts SET context_type = 'residential' "
                   "WHERE list_contains($homes, context_id)", {"homes": homes})
    everything = places.context_points(store.cursor(), YEAR_2025)
    monkeypatch.setattr(places, "MAP_PLACES", 5)
    monkeypatch.setattr(maps, "MAP_PLACES", 5)
    points = places.context_points(store.cursor(), YEAR_2025)
    busiest = places.drawable(points)
    assert len(busiest) == 8  # the 5 busiest, and the 5 busiest not homes: 3 more
    listed, full = (frame.set_index("context_id")["risks"] for frame in (points, everything))
    assert listed.loc[busiest].equals(full.loc[busiest]) and (full.loc[busiest] != ()).all()
    assert (listed.drop(busiest) == ()).all()
    drawn, with_all = (maps.context_layer(frame, view, "12 months")[0][0].data
                       for frame in (points, everything))
    assert len(drawn) == 5 and drawn == with_all


def test_board_maps_drop_small_places_and_never_draw_home_addresses(borough):
    points = borough["points"].copy()
    points.loc[points.index[0], "context_type"] = "residential"
    data = {**borough, "points": points}
    board = layer(build(data, "board"), "places").data
    analyst = layer(build(data, "analyst"), "places").data
    assert len(board) == ((points["incidents"] >= 5) & (points["context_type"] != "residential")).sum()
    assert len(analyst) == (points["incidents"] > 0).sum()
    assert not any(points["name"].iloc[0] in row["tip"] for row in board)


def test_ward_tooltips_show_small_counts_as_under_five_and_hide_their_rate(borough):
    counts = borough["counts"].copy()
    counts.loc[0, ["incidents", "rate"]] = [3, 1.5]
    result = build({**borough, "counts": counts}, "board", colour_by="rate")
    tip = layer(result, "wards").data[0]["tip"]
    assert "Incidents: <5" in tip and "Per 1,000 children: –" in tip
    assert any(b.label == "fewer than 5 (hidden)" for b in result.legend)
    assert layer(result, "wards").data[0]["fill"][:3] == maps.rgba(maps.HIDDEN_GREY)[:3]


def test_place_tooltips_give_name_type_risks_and_trend(borough):
    row = layer(build(borough, "analyst"), "places").data[0]
    top = borough["points"].iloc[0]
    assert row["tip"].startswith(f"{top['name']} ({top['type']})")
    assert "Incidents:" in row["tip"]
    assert "on the previous 12 months" in row["tip"] or "Same as the previous" in row["tip"]
    first_risk = top["risks"][0]
    assert f"{maps.risk_label(first_risk[0])}: {first_risk[1]}" in row["tip"]


def test_trend_words_hide_a_change_beside_a_small_count():
    assert maps.trend_words(12, 8, "lead", "12 months") == "Up 4 on the previous 12 months"
    # the board sees 10 against 10: no change in the figures it is shown
    assert maps.trend_words(12, 8, "board", "12 months") == "Same as the previous 12 months"
    assert maps.trend_words(12, 3, "board", "12 months") == "Previous 12 months: <5"
    assert maps.trend_words(12, 3, "analyst", "12 months") == "Up 9 on the previous 12 months"


def test_no_basemap_is_requested_unless_a_style_is_configured(borough, monkeypatch):
    monkeypatch.delenv(maps.STYLE_ENV, raising=False)
    spec = json.loads(build(borough).deck.to_json())
    # pydeck's marker for "no style": Streamlit then draws no basemap (a missing mapStyle would
    # make Streamlit fetch its default Carto tiles).
    assert spec.get("mapStyle") == "__MAP_STYLE__" and "mapProvider" not in spec
    monkeypatch.setenv(maps.STYLE_ENV, "http://tiles.council.example/style.json")
    spec = json.loads(build(borough).deck.to_json())
    assert spec["mapStyle"] == "http://tiles.council.example/style.json"


def test_text_settings_reach_deck_gl_as_values_not_expressions(borough):
    spec = json.loads(build(borough).deck.to_json())
    names = next(x for x in spec["layers"] if x["id"] == "ward-names")
    assert names["fontFamily"] == "Arial, Helvetica, sans-serif"
    assert set("Millbrook") <= set(names["characterSet"])
    places_layer = next(x for x in spec["layers"] if x["id"] == "places")
    assert places_layer["radiusUnits"] == "meters"


def test_the_view_fits_the_data():
    wide = maps.fit_view((-1.7, 52.3, -1.4, 52.6))
    narrow = maps.fit_view((-1.56, 52.44, -1.54, 52.46))
    assert narrow.zoom > wide.zoom
    assert narrow.latitude == pytest.approx(52.45, abs=1e-3)
    assert narrow.longitude == pytest.approx(-1.55)


def test_the_view_fits_the_chosen_wards(borough):
    wards = borough["wards"]
    everything = maps.bounds_of(wards)
    one = maps.bounds_of(wards, ("W12",))
    assert one == wards.set_index("ward_code").at["W12", "shape"].bounds
    assert everything[0] < one[0] and everything[2] > one[2]
    assert maps.bounds_of(wards.iloc[0:0]) is None


def test_layers_stack_with_names_and_markers_on_top(borough):
    ids = [x.id for x in build(borough).deck.layers]
    assert ids == ["density", "wards", "hot-spots", "places", "ward-names", "hot-spot-marks"]
    ids = [x.id for x in build(borough, colour_by="rate", places=False, hot_spots=False)
           .deck.layers]
    assert ids == ["wards", "ward-names"]


def test_hot_spots_are_outlined_and_marked_with_a_shape_as_well_as_colour(borough):
    result = build(borough)
    marks = layer(result, "hot-spot-marks").data
    assert len(marks) == len(borough["spots"].spots) and {m["text"] for m in marks} == {"▲"}
    assert any(b.label.startswith("▲ hot spot") for b in result.legend)
    assert not any(b.label.startswith("▼") for b in result.legend)  # no cold spot to explain


def test_round_number_classes_grow_geometrically():
    assert maps.nice_bins([5, 6, 7, 8, 80]) == [0, 10, 20, 50, 80]
    assert maps.nice_bins([]) == []
    legend = [b.label for b in maps._bin_legend([0, 10, 20, 50, 80], ",.0f")]
    assert legend == ["up to 10", "over 10 to 20", "over 20 to 50", "over 50"]


def test_darker_means_more():
    breaks = [0, 10, 20, 50, 80]
    colours = [maps.bin_colour(v, breaks) for v in (5, 15, 30, 70)]
    assert len(set(colours)) == 4 and colours[-1] == "#12436D"


def test_a_column_of_values_takes_each_values_class_colour():
    breaks = [0, 10, 20, 50, 80]
    values = [0, 5, 10, 10.5, 20, 49, 50, 80, 95]
    assert maps.bin_colours(values, breaks) == [maps.bin_colour(v, breaks) for v in values]
    assert maps.bin_colour(10, breaks) != maps.bin_colour(10.5, breaks)  # a class's top is in it


def test_area_crime_and_deprivation_layers(borough):
    grid = borough["grid"].grid
    crime = pd.DataFrame({"q": [0], "r": [0], "lat": [52.43], "lon": [-1.55], "crimes": [12]})
    lsoa = pd.DataFrame({"lsoa_code": ["E01"], "lsoa_name": ["Fernley 001A"], "imd_decile": [1],
                         "shape": [box(-1.6, 52.4, -1.58, 52.41)]})
    result = build({**borough, "crime": crime, "lsoa": lsoa}, area_crime=True, deprivation=True)
    assert layer(result, "area-crime").data[0]["tip"].endswith(": 12")
    assert layer(result, "deprivation").data[0]["fill"][:3] == maps.rgba("#3F1A6B")[:3]
    assert [x.id for x in result.deck.layers][0] == "deprivation"
    assert layer(result, "area-crime").data[0]["radius"] == pytest.approx(grid.size_m * 0.9)


def test_a_map_needs_boundaries_or_positions():
    empty = places.GridHotSpots(None, pd.DataFrame(), places.HotSpots(
        pd.DataFrame(), (), "cell", "incidents", 0, 0, hotspots.ALPHA, "none"), 0)
    result = maps.places_map(MapOptions(), "board", wards=pd.DataFrame(columns=[
        "ward_code", "ward_name", "child_population", "shape"]), counts=pd.DataFrame(),
        grid=empty, spots=empty.result, points=pd.DataFrame(columns=["lat", "lon"]),
        period="12 months")
    assert result is None


def register(*rows) -> pd.DataFrame:
    """An intervention register as interventions.register returns it (the columns a map uses)."""
    base = {"intervention_id": "I1", "context_id": "C1", "context_name": "Fernley Station",
            "context_type": "transport_hub", "context_label": "Transport hub", "lat": 52.43,
            "lon": -1.55, "started_on": date(2025, 3, 1), "ended_on": None,
            "intervention_type": "Guardianship", "lead_label": "Police",
            "partner_labels": "Transport operator"}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_interventions_are_marked_with_a_diamond_saying_what_by_whom_and_since_when(borough):
    actions = register({}, {"intervention_id": "I2", "intervention_type": "CCTV",
                            "started_on": date(2024, 1, 5), "ended_on": date(2024, 6, 30)})
    result = build({**borough, "interventions": actions})
    marks = layer(result, "interventions").data
    assert len(marks) == 1  # two interventions at one place: one mark, both in its tooltip
    tip = marks[0]["tip"]
    assert tip.startswith("Fernley Station (Transport hub)")
    assert "Guardianship: began 1 March 2025, still running" in tip
    assert "CCTV: began 5 January 2024, ended 30 June 2024" in tip
    assert "Lead: Police; partners: Transport operator" in tip
    assert marks[0]["text"] == "◆" and any(b.shape == "diamond" for b in result.legend)
    ids = [x.id for x in result.deck.layers]
    assert ids.index("places") < ids.index("interventions") < ids.index("ward-names")


def test_interventions_at_home_addresses_or_with_no_position_are_not_drawn(borough):
    actions = register({"context_type": "residential", "context_id": "C2"},
                       {"context_id": "C3", "lat": None, "lon": None})
    assert layer(build({**borough, "interventions": actions}, "board"), "interventions") is None
    analyst = layer(build({**borough, "interventions": actions}, "analyst"), "interventions")
    assert [m["id"] for m in analyst.data] == ["C2"]


def test_past_500_places_only_the_busiest_are_marked_as_the_view_shows_them(monkeypatch):
    monkeypatch.setattr(maps, "MAP_PLACES", 3)
    counts = {"A": 40, "B": 3, "C": 0, "D": 12, "E": 1, "F": 41}  # place -> incidents
    actions = register(*({"context_id": c, "context_name": f"Place {c}"} for c in counts))

    def marked(view):
        layers, legend = maps.intervention_layer(actions, view, pd.Series(counts))
        return sorted(m["id"] for m in layers[0].data), legend[0].label

    # exact counts: the three busiest
    assert marked("analyst") == (["A", "D", "F"], "◆ intervention in the period; the 3 busiest "
                                                   "of 6 places with one")
    # the board sees 40 and 41 both as 40, and 1 to 4 as none: A, F, then D; B, C and E tie
    assert marked("board")[0] == ["A", "D", "F"]
    counts.update(D=2)  # D is now small: ties with B, C and E, and B comes first by name
    assert marked("board")[0] == ["A", "B", "F"]
    assert marked("analyst")[0] == ["A", "B", "F"]  # 3 > 2
    monkeypatch.setattr(maps, "MAP_PLACES", 6)
    assert marked("board") == (sorted(counts), "◆ intervention in the period")


def test_the_reader_can_turn_interventions_off(borough):
    result = build({**borough, "interventions": register({})}, interventions=False)
    assert layer(result, "interventions") is None


def test_the_interventions_page_map_fits_wards_and_marks_each_place(borough):
    actions = register({}, {"context_id": "C4", "context_name": "Market Hall",
                            "lat": 52.44, "lon": -1.56})
    result = maps.interventions_map(actions, "board", wards=borough["wards"],
                                    counts=borough["counts"])
    assert [x.id for x in result.deck.layers] == ["wards", "ward-names", "interventions"]
    assert len(layer(result, "interventions").data) == 2
    assert maps.interventions_map(register({"lat": None, "lon": None}), "board",
                                  wards=borough["wards"], counts=borough["counts"]) is None


def test_a_kept_deck_writes_its_json_once_and_it_is_pydecks_own(borough):
    deck = build(borough).deck
    assert deck.to_json() is deck.to_json()  # every render sends the same text, written once
    assert json.loads(deck.to_json()) == json.loads(pdk.Deck.to_json(deck))
