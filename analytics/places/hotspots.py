"""Getis-Ord Gi* hot spots: contiguity weights, the statistic, p-values, false discovery, labels.

Each step is its own function so every setting is explicit and reported with the result:

1. weights: binary contiguity (queen for ward polygons, the six neighbours on a hexagon grid);
   Gi* counts an area with itself, so every area gets a self-weight of 1 in the sums.
2. `gi_star`: the statistic, the analytical z of Getis and Ord (1992) and a conditional
   permutation p-value (the area's own value held fixed, the others shuffled; a seeded NumPy
   Generator, the number of permutations and the alternative hypothesis stated).
3. `false_discovery`: Benjamini-Hochberg adjusted p-values (q) across all areas at once.
4. `label`: hot, cold or not significant, from the sign of z and q against ALPHA.

Checked against esda's `G_Local(star=True, transform="B")` on the same weights (tests).

>>> w = Weights(("a", "b", "c"), ((1,), (0, 2), (1,)))
>>> w.cardinality().tolist()
[2, 3, 2]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import stats
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

PERMUTATIONS = 9999  # conditional permutations per area; the smallest attainable p is 1/10,000
SEED = 20260611  # fixed so the same data always gives the same map
ALPHA = 0.05  # the false discovery rate we accept across all areas of one map
ALTERNATIVES = ("two-sided", "greater", "less")
HOT, COLD, NOT_SIGNIFICANT = "hot", "cold", "not significant"
WEIGHTS = "binary contiguity weights, each area counted with itself"
CONTIGUITY_TOLERANCE = 1e-7  # degrees (about 1 cm): closes slivers between real boundaries


@dataclass(frozen=True)
class Weights:
    """Binary spatial weights: for each area (by position), the positions of its neighbours.

    Self is not listed; Gi* adds it (weight 1) itself.
    """

    ids: tuple[str, ...]
    neighbours: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.neighbours):
            raise ValueError("Weights need one neighbour list per area.")

    @property
    def n(self) -> int:
        return len(self.ids)

    def cardinality(self, star: bool = True) -> np.ndarray:
        """How many areas each area's Gi* sum covers (its neighbours, plus itself when star)."""
        return np.array([len(nb) + int(star) for nb in self.neighbours], dtype=int)

    def lag(self, values: np.ndarray, star: bool = True) -> np.ndarray:
        """Sum of the values over each area's neighbourhood (itself included when star)."""
        values = np.asarray(values, dtype=float)
        out = np.array([values[list(nb)].sum() for nb in self.neighbours], dtype=float)
        return out + values if star else out

    def islands(self) -> list[str]:
        """Areas with no neighbour at all (their Gi* only ever compares them with themselves)."""
        return [i for i, nb in zip(self.ids, self.neighbours, strict=True) if not nb]


def queen_weights(ids: list[str] | tuple[str, ...], shapes: list[BaseGeometry],
                  tolerance: float = CONTIGUITY_TOLERANCE) -> Weights:
    """Queen contiguity: two areas are neighbours if their boundaries share at least one point.

    `tolerance` (in the shapes' units) lets boundaries digitised with tiny gaps still touch.
    """
    if len(ids) != len(shapes):
        raise ValueError("One shape per area is needed.")
    tree = STRtree(shapes)
    left, right = tree.query(shapes, predicate="dwithin", distance=tolerance)
    neighbours: list[set[int]] = [set() for _ in shapes]
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    return Weights(tuple(ids), tuple(tuple(sorted(nb)) for nb in neighbours))


HEX_DIRECTIONS = ((1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1))


def hex_weights(ids: list[str] | tuple[str, ...], q: np.ndarray, r: np.ndarray) -> Weights:
    """Contiguity on a hexagon grid: each cell's neighbours are the (up to) six that share an edge."""
    position = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(q, r, strict=True))}
    neighbours = []
    for a, b in zip(q, r, strict=True):
        found = (position.get((int(a) + dq, int(b) + dr)) for dq, dr in HEX_DIRECTIONS)
        neighbours.append(tuple(sorted(k for k in found if k is not None)))
    return Weights(tuple(ids), tuple(neighbours))


@dataclass(frozen=True)
class GiStar:
    """Gi* for every area, with the settings that produced it."""

    table: pd.DataFrame  # id, value, gi, expected, z, p_norm, p_sim
    permutations: int
    seed: int
    alternative: str
    weights: str = WEIGHTS


def gi_star(values: np.ndarray | list[float], weights: Weights, *,
            permutations: int = PERMUTATIONS, seed: int = SEED,
            alternative: str = "two-sided") -> GiStar:
    """Getis-Ord Gi* with binary weights: statistic, analytical z and p, and a permutation p.

    gi_i = (sum of values over i's neighbourhood, i included) / (sum of all values).
    p_norm is the analytical p-value of z for `alternative`; p_sim the conditional permutation
    p-value for the same alternative ((extreme draws + 1) / (permutations + 1), doubled and capped
    at 1 for two-sided). With permutations=0, p_sim is NaN.
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}")
    if permutations < 0:
        raise ValueError("permutations cannot be negative")
    y = np.asarray(values, dtype=float)
    if y.shape != (weights.n,):
        raise ValueError(f"Expected {weights.n} values, one per area; got {y.size}.")
    if np.isnan(y).any() or (y < 0).any():
        raise ValueError("Gi* needs a count or rate (zero or more) for every area.")
    n, total = weights.n, y.sum()
    card = weights.cardinality(star=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        gi = weights.lag(y) / total
        expected = card / n
        mean, variance = y.mean(), y.var()
        var_gi = card * (n - card) / (n - 1) / n**2 * variance / mean**2 if n > 1 else np.nan
        z = (gi - expected) / np.sqrt(var_gi)
    z = np.where(np.isfinite(z), z, 0.0)  # no variation (or one area): nothing stands out
    p_norm = _normal_p(z, alternative)
    p_sim = (_permutation_p(y, gi * total, weights, permutations, seed, alternative)
             if permutations else np.full(n, np.nan))
    table = pd.DataFrame({"id": list(weights.ids), "value": y, "gi": gi, "expected": expected,
                          "z": z, "p_norm": p_norm, "p_sim": p_sim})
    return GiStar(table, permutations, seed, alternative)


def _normal_p(z: np.ndarray, alternative: str) -> np.ndarray:
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    return np.minimum(1.0, 2 * stats.norm.sf(np.abs(z)))


def _permutation_p(y: np.ndarray, observed: np.ndarray, weights: Weights, permutations: int,
                   seed: int, alternative: str) -> np.ndarray:
    """Conditional randomisation: hold y_i, draw its neighbours' values from the other areas."""
    n = weights.n
    rng = np.random.default_rng(seed)
    k_max = max((len(nb) for nb in weights.neighbours), default=0)
    if n < 2 or k_max == 0:
        return np.ones(n)
    # One draw of k_max distinct "other" positions per permutation, shared by all areas (as esda
    # does); position j >= i is shifted by one so area i never draws itself.
    draws = _distinct_draws(rng, n - 1, k_max, permutations)
    p = np.ones(n)
    for i, nb in enumerate(weights.neighbours):
        k = len(nb)
        if k == 0:
            continue
        picks = draws[:, :k]
        picks = picks + (picks >= i)
        simulated = y[picks].sum(axis=1) + y[i]
        # A tiny tolerance so float noise never turns a tie into an "extreme" draw.
        eps = 1e-9 * max(1.0, abs(observed[i]))
        above = int((simulated >= observed[i] - eps).sum())
        below = int((simulated <= observed[i] + eps).sum())
        if alternative == "greater":
            p[i] = (above + 1) / (permutations + 1)
        elif alternative == "less":
            p[i] = (below + 1) / (permutations + 1)
        else:
            p[i] = min(1.0, 2 * (min(above, below) + 1) / (permutations + 1))
    return p


def _distinct_draws(rng: np.random.Generator, n: int, k: int, rows: int,
                    block_cells: int = 2_000_000) -> np.ndarray:
    """`rows` draws of k distinct positions out of n, each in random order: the k smallest of
    n uniform keys, sorted by key (all draws at once, in blocks that bound the memory)."""
    out = np.empty((rows, k), dtype=np.int64)
    step = max(1, block_cells // max(n, 1))
    for first in range(0, rows, step):
        keys = rng.random((min(step, rows - first), n))
        chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n else np.argsort(keys, axis=1)
        order = np.take_along_axis(keys, chosen, axis=1).argsort(axis=1)
        out[first:first + len(keys)] = np.take_along_axis(chosen, order, axis=1)
    return out


def false_discovery(p: np.ndarray | pd.Series) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q): the false discovery rate if this area is called."""
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return p
    return stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh")


def label(z: np.ndarray | pd.Series, q: np.ndarray | pd.Series, alpha: float = ALPHA) -> np.ndarray:
    """'hot' where z > 0 and q < alpha, 'cold' where z < 0 and q < alpha, else 'not significant'."""
    z, q = np.asarray(z, dtype=float), np.asarray(q, dtype=float)
    significant = q < alpha
    return np.where(significant & (z > 0), HOT,
                    np.where(significant & (z < 0), COLD, NOT_SIGNIFICANT))


def confidence_words(q: float) -> str:
    """How sure, in words a board reads: the adjusted p-value as a plain phrase."""
    if q < 0.001:
        return "very unlikely to be chance"
    if q < 0.01:
        return "unlikely to be chance"
    if q < ALPHA:
        return "probably not chance"
    return "could well be chance"


# --- the hexagon grid ----------------------------------------------------------------------
# Pointy-top hexagons in axial coordinates (q, r) on a local flat projection (metres east and
# north of an origin). Over a borough (tens of kilometres) the projection's error is under 0.1%.
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0
NICE_SIZES_M = (50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000)
TARGET_CELLS = 400  # the grid's automatic size aims at about this many cells over the area


@dataclass(frozen=True)
class HexGrid:
    """A hexagon grid: cell size (centre to corner, metres) and the projection's origin."""

    size_m: float
    lat0: float
    lon0: float

    @property
    def width_m(self) -> float:
        """Distance across the hexagon, flat side to flat side."""
        return self.size_m * math.sqrt(3)

    def to_xy(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kx = METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(self.lat0))
        return ((np.asarray(lon, float) - self.lon0) * kx,
                (np.asarray(lat, float) - self.lat0) * METRES_PER_DEGREE_LAT)

    def to_latlon(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kx = METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(self.lat0))
        return (np.asarray(y, float) / METRES_PER_DEGREE_LAT + self.lat0,
                np.asarray(x, float) / kx + self.lon0)

    def cell_of(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The axial (q, r) of the cell holding each point (cube rounding)."""
        x, y = self.to_xy(lat, lon)
        qf = (math.sqrt(3) / 3 * x - y / 3) / self.size_m
        rf = (2 / 3 * y) / self.size_m
        sf = -qf - rf
        q, r, s = np.round(qf), np.round(rf), np.round(sf)
        dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
        fix_q = (dq > dr) & (dq > ds)
        fix_r = ~fix_q & (dr > ds)
        q = np.where(fix_q, -r - s, q)
        r = np.where(fix_r, -q - s, r)
        return q.astype(int), r.astype(int)

    def cells_sql(self, rows: str, counts: str = "count(*) AS n") -> tuple[str, dict]:
        """A query counting `rows` (a query with lat, lon and whatever `counts` reads) in
        cells: q, r and `counts`, one row a cell, by r then q. Each point's cell is cell_of's,
        worked out in DuckDB with the same doubles in the same order and rounded half to even
        as numpy rounds, so a million points are counted where they are stored."""
        kx = METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(self.lat0))
        params = {"hex_lon0": self.lon0, "hex_lat0": self.lat0, "hex_kx": kx,
                  "hex_ky": METRES_PER_DEGREE_LAT, "hex_a": math.sqrt(3) / 3, "hex_b": 2 / 3,
                  "hex_size": self.size_m}
        sql = f"""
            WITH xy AS (SELECT *, (lon - $hex_lon0) * $hex_kx AS hex_x,
                               (lat - $hex_lat0) * $hex_ky AS hex_y
                        FROM ({rows}) WHERE lat IS NOT NULL AND lon IS NOT NULL),
            f AS (SELECT *, ($hex_a * hex_x - hex_y / 3) / $hex_size AS qf,
                         ($hex_b * hex_y) / $hex_size AS rf FROM xy),
            c AS (SELECT *, round_even(qf, 0) AS q0, round_even(rf, 0) AS r0,
                         round_even(-qf - rf, 0) AS s0, abs(q0 - qf) AS dq, abs(r0 - rf) AS dr,
                         abs(s0 - (-qf - rf)) AS ds FROM f)
            SELECT CASE WHEN dq > dr AND dq > ds THEN -r0 - s0 ELSE q0 END::INTEGER AS q,
                   CASE WHEN NOT (dq > dr AND dq > ds) AND dr > ds THEN -q0 - s0
                        ELSE r0 END::INTEGER AS r,
                   {counts}
            FROM c GROUP BY ALL ORDER BY r, q"""
        return sql, params

    def centre(self, q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) of each cell's centre."""
        q, r = np.asarray(q, float), np.asarray(r, float)
        return self.to_latlon(self.size_m * math.sqrt(3) * (q + r / 2), self.size_m * 1.5 * r)

    def polygon(self, q: int, r: int, scale: float = 1.0) -> list[list[float]]:
        """The cell's six corners as [lon, lat] pairs (closed ring), for a map layer; `scale`
        below 1 draws it that much smaller about its centre."""
        return self.polygons(np.array([q]), np.array([r]), scale)[0]

    def polygons(self, q: np.ndarray, r: np.ndarray, scale: float = 1.0) -> list:
        """`polygon` of many cells at once: one array sum for all their corners."""
        q, r = np.asarray(q, float)[:, None], np.asarray(r, float)[:, None]
        angles = np.radians(30 + 60 * np.arange(7))
        corner = scale * self.size_m
        lat, lon = self.to_latlon(self.size_m * math.sqrt(3) * (q + r / 2) + corner * np.cos(angles),
                                  self.size_m * 1.5 * r + corner * np.sin(angles))
        return np.stack([lon, lat], axis=-1).round(6).tolist()

    def cells_covering(self, area: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
        """Every cell whose centre lies inside `area` (a lon/lat shape): the grid's study area."""
        lon_min, lat_min, lon_max, lat_max = area.bounds
        corners_q, corners_r = self.cell_of(np.array([lat_min, lat_min, lat_max, lat_max]),
                                            np.array([lon_min, lon_max, lon_min, lon_max]))
        qs = np.arange(corners_q.min() - 2, corners_q.max() + 3)
        rs = np.arange(corners_r.min() - 2, corners_r.max() + 3)
        qq, rr = (a.ravel() for a in np.meshgrid(qs, rs))
        lat, lon = self.centre(qq, rr)
        inside = shapely.contains_xy(area, lon, lat)
        return qq[inside], rr[inside]


def grid_for(area: BaseGeometry, target_cells: int = TARGET_CELLS) -> HexGrid:
    """A grid whose cell size (rounded to a nice number of metres) gives about `target_cells`
    cells over `area` (a lon/lat shape; anything not a polygon is measured by its convex hull)."""
    lon_min, lat_min, lon_max, lat_max = area.bounds
    lat0, lon0 = (lat_min + lat_max) / 2, (lon_min + lon_max) / 2
    polygonal = area.geom_type in ("Polygon", "MultiPolygon")
    area_m2 = _projected_area(area if polygonal else area.convex_hull, HexGrid(1.0, lat0, lon0))
    if area_m2 <= 0:
        return HexGrid(float(NICE_SIZES_M[0]), lat0, lon0)
    ideal = math.sqrt(area_m2 / (target_cells * 3 * math.sqrt(3) / 2))
    size = min(NICE_SIZES_M, key=lambda s: abs(math.log(s / ideal)))
    return HexGrid(float(size), lat0, lon0)


def _projected_area(area: BaseGeometry, grid: HexGrid) -> float:
    """Area in square metres of a lon/lat shape on the grid's flat projection."""
    def project(coords: np.ndarray) -> np.ndarray:
        x, y = grid.to_xy(coords[:, 1], coords[:, 0])
        return np.column_stack([x, y])

    return float(shapely.transform(area, project).area)
