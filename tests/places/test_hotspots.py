"""Gi* hot spot maths: weights, the statistic against esda on the same weights, p-values, the
false-discovery correction, labels and the hexagon grid."""

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from analytics.places import hotspots
from analytics.places.hotspots import COLD, HOT, NOT_SIGNIFICANT, HexGrid, Weights

esda_getisord = pytest.importorskip("esda.getisord")
libpysal_weights = pytest.importorskip("libpysal.weights")


def square_grid(n: int) -> tuple[list[str], list]:
    """n x n unit squares, row by row."""
    shapes = [box(c, r, c + 1, r + 1) for r in range(n) for c in range(n)]
    return [f"A{k:02d}" for k in range(n * n)], shapes


def to_libpysal(w: Weights):
    return libpysal_weights.W({i: [w.ids[j] for j in nb] for i, nb in zip(w.ids, w.neighbours,
                                                                         strict=True)},
                              id_order=list(w.ids), silence_warnings=True)


def esda_g_star(y, w: Weights, permutations: int = 0, seed: int = 0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda_getisord.G_Local(np.asarray(y, float), to_libpysal(w), transform="B",
                                     star=True, permutations=permutations, seed=seed)


# --- weights ---------------------------------------------------------------------------------
def test_queen_contiguity_counts_corner_touches():
    ids, shapes = square_grid(3)
    w = hotspots.queen_weights(ids, shapes)
    assert w.cardinality(star=False).tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    assert 4 in w.neighbours[0]  # diagonal: shares a corner only


def test_queen_contiguity_closes_hairline_gaps_but_not_real_ones():
    hairline = hotspots.queen_weights(["a", "b"], [box(0, 0, 1, 1), box(1 + 1e-9, 0, 2, 1)])
    apart = hotspots.queen_weights(["a", "b"], [box(0, 0, 1, 1), box(1.01, 0, 2, 1)])
    assert hairline.neighbours == ((1,), (0,))
    assert apart.neighbours == ((), ()) and apart.islands() == ["a", "b"]


def test_hexagon_cells_have_six_neighbours_inside_and_fewer_at_the_edge():
    q, r = np.meshgrid(np.arange(-2, 3), np.arange(-2, 3))
    q, r = q.ravel(), r.ravel()
    w = hotspots.hex_weights([f"{a},{b}" for a, b in zip(q, r, strict=True)], q, r)
    centre = w.ids.index("0,0")
    assert len(w.neighbours[centre]) == 6
    assert len(w.neighbours[w.ids.index("-2,-2")]) == 2


def test_lag_sums_the_neighbourhood_with_the_area_itself():
    w = Weights(("a", "b", "c"), ((1,), (0, 2), (1,)))
    assert w.lag(np.array([1.0, 10.0, 100.0])).tolist() == [11.0, 111.0, 110.0]
    assert w.lag(np.array([1.0, 10.0, 100.0]), star=False).tolist() == [10.0, 101.0, 10.0]


# --- the statistic against esda --------------------------------------------------------------
@pytest.fixture
def planted():
    ids, shapes = square_grid(5)
    w = hotspots.queen_weights(ids, shapes)
    y = np.random.default_rng(1).poisson(10, 25).astype(float)
    y[[12, 7, 13]] += [30, 15, 15]
    return w, y


def test_gi_star_and_z_equal_esda_on_queen_weights(planted):
    w, y = planted
    ours = hotspots.gi_star(y, w, permutations=0).table
    ref = esda_g_star(y, w)
    np.testing.assert_allclose(ours["gi"], ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours["expected"], ref.EGs, rtol=1e-12)
    np.testing.assert_allclose(ours["z"], ref.Zs, rtol=1e-10)
    np.testing.assert_allclose(ours["p_norm"], np.minimum(1, 2 * ref.p_norm), rtol=1e-10)


def test_gi_star_equals_esda_on_a_hexagon_grid():
    rng = np.random.default_rng(5)
    q, r = (a.ravel() for a in np.meshgrid(np.arange(8), np.arange(6)))
    w = hotspots.hex_weights([f"{a},{b}" for a, b in zip(q, r, strict=True)], q, r)
    y = rng.poisson(3, len(q)).astype(float)
    ours, ref = hotspots.gi_star(y, w, permutations=0).table, esda_g_star(y, w)
    np.testing.assert_allclose(ours["z"], ref.Zs, rtol=1e-10)


def test_permutation_p_values_agree_with_esda_within_sampling_error(planted):
    w, y = planted
    permutations = 9999
    greater = hotspots.gi_star(y, w, permutations=permutations, alternative="greater")
    ref = esda_g_star(y, w, permutations=permutations, seed=3)
    p = greater.table["p_sim"].to_numpy()
    # esda folds to the nearer tail, counting strictly smaller draws on the low side.
    esda_style = np.where(p <= 0.5, p, 1 + 1 / (permutations + 1) - p)
    assert np.abs(esda_style - ref.p_sim).max() < 0.03


def test_a_block_of_high_values_is_as_significant_as_999_permutations_can_show():
    ids, shapes = square_grid(5)
    w = hotspots.queen_weights(ids, shapes)
    y = np.full(25, 5.0)
    y[[6, 7, 8, 11, 12, 13, 16, 17, 18]] = 20.0  # the centre ward and its eight neighbours
    table = hotspots.gi_star(y, w, permutations=999).table
    assert table.loc[table["z"].idxmax(), "id"] == "A12"
    assert table.loc[12, "p_sim"] == pytest.approx(2 / 1000)  # nothing as extreme: 2(0+1)/1000


def test_permutations_are_reproducible_with_a_seed_and_vary_without_it(planted):
    w, y = planted
    a = hotspots.gi_star(y, w, permutations=199, seed=1).table["p_sim"]
    b = hotspots.gi_star(y, w, permutations=199, seed=1).table["p_sim"]
    c = hotspots.gi_star(y, w, permutations=199, seed=2).table["p_sim"]
    assert a.equals(b) and not a.equals(c)


def test_no_variation_means_nothing_stands_out():
    ids, shapes = square_grid(3)
    table = hotspots.gi_star(np.full(9, 4.0), hotspots.queen_weights(ids, shapes),
                             permutations=99).table
    assert (table["z"] == 0).all() and (table["p_norm"] == 1).all()


def test_bad_input_is_refused_with_a_clear_message(planted):
    w, y = planted
    with pytest.raises(ValueError, match="Expected 25 values"):
        hotspots.gi_star(y[:3], w)
    with pytest.raises(ValueError, match="zero or more"):
        hotspots.gi_star(-y, w)
    with pytest.raises(ValueError, match="alternative"):
        hotspots.gi_star(y, w, alternative="sideways")


def test_the_callers_values_are_unchanged(planted):
    w, y = planted
    before = y.copy()
    hotspots.gi_star(y, w, permutations=99)
    assert np.array_equal(y, before)


# --- false discovery and labels --------------------------------------------------------------
def test_benjamini_hochberg_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4/1, x4/2, x4/3, x4/4 = 0.02, 0.02, 0.04, 0.04
    q = hotspots.false_discovery(np.array([0.01, 0.04, 0.03, 0.005]))
    np.testing.assert_allclose(q, [0.02, 0.04, 0.04, 0.02])


def test_labels_need_q_strictly_below_alpha_and_take_the_sign_of_z():
    labels = hotspots.label([2.5, -2.5, 2.5, 0.1], [0.01, 0.01, hotspots.ALPHA, 0.001])
    assert labels.tolist() == [HOT, COLD, NOT_SIGNIFICANT, HOT]


def test_confidence_words():
    assert hotspots.confidence_words(0.0004) == "very unlikely to be chance"
    assert hotspots.confidence_words(0.004) == "unlikely to be chance"
    assert hotspots.confidence_words(0.04) == "probably not chance"
    assert hotspots.confidence_words(0.05) == "could well be chance"


# --- the hexagon grid ------------------------------------------------------------------------
def test_a_cells_centre_falls_in_that_cell_and_its_polygon_closes():
    grid = HexGrid(250.0, 52.4, -1.6)
    q, r = np.array([0, 3, -2, 5]), np.array([0, -1, 4, 5])
    lat, lon = grid.centre(q, r)
    back_q, back_r = grid.cell_of(lat, lon)
    assert back_q.tolist() == q.tolist() and back_r.tolist() == r.tolist()
    ring = grid.polygon(3, -1)
    assert len(ring) == 7 and ring[0] == ring[-1]


def test_many_cells_are_drawn_as_each_would_be_alone():
    grid = HexGrid(lat0=52.4, lon0=-1.5, size_m=250)
    q, r = np.array([3, 0, -2]), np.array([-1, 0, 5])
    assert grid.polygons(q, r, 0.96) == [grid.polygon(a, b, 0.96) for a, b in zip(q, r, strict=True)]
    assert grid.polygons(np.array([], int), np.array([], int)) == []


def test_a_cell_drawn_smaller_lies_inside_it_about_the_same_centre():
    grid = HexGrid(250.0, 52.4, -1.6)
    cell, drawn = (shapely.Polygon(grid.polygon(3, -1, scale)) for scale in (1.0, 0.9))
    assert cell.contains(drawn)
    assert drawn.area == pytest.approx(0.81 * cell.area, rel=1e-3)
    assert drawn.centroid.distance(cell.centroid) < 1e-6


def test_duckdb_counts_points_in_the_cells_cell_of_puts_them_in():
    grid = HexGrid(250.0, 52.4, -1.6)
    rng = np.random.default_rng(5)
    lat, lon = 52.4 + rng.normal(0, 0.02, 20_000), -1.6 + rng.normal(0, 0.03, 20_000)
    # and points on cells' edges and corners, where the rounding decides
    edge_q, edge_r = np.repeat(np.arange(-3, 3), 6) + 0.5, np.tile(np.arange(-3, 3), 6) + 0.5
    x, y = grid.size_m * np.sqrt(3) * (edge_q + edge_r / 2), grid.size_m * 1.5 * edge_r
    lat, lon = np.r_[lat, grid.to_latlon(x, y)[0]], np.r_[lon, grid.to_latlon(x, y)[1]]
    points = pd.DataFrame({"lat": np.r_[lat, np.nan], "lon": np.r_[lon, -1.6]})  # one unplaced
    sql, params = grid.cells_sql("SELECT * FROM points", "count(*) AS n")
    con = duckdb.connect()
    con.register("points", points)
    counted = con.execute(sql, params).df()
    q, r = grid.cell_of(lat, lon)
    expected = pd.DataFrame({"q": q, "r": r}).value_counts().rename("n").reset_index()
    expected = expected.sort_values(["r", "q"], ignore_index=True)
    pd.testing.assert_frame_equal(counted, expected, check_dtype=False)


def test_neighbouring_centres_are_one_cell_width_apart():
    grid = HexGrid(250.0, 52.4, -1.6)
    x, y = grid.to_xy(*grid.centre(np.array([0, 1]), np.array([0, 0])))
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(grid.width_m)


def test_the_grid_covers_an_area_with_about_the_target_number_of_cells():
    area = box(-1.6, 52.4, -1.5, 52.4625)  # about 6.8 km by 6.9 km
    grid = hotspots.grid_for(area, target_cells=400)
    assert grid.size_m in hotspots.NICE_SIZES_M
    q, _ = grid.cells_covering(area)
    assert 200 <= len(q) <= 800
