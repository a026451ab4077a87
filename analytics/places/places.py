"""Where and when harm happens: hot spots that are more than chance, concentration, time grids,
location types, and the ward ranking.

Hot spots are judged across the whole borough (a ward filter only changes what is highlighted),
so a ward is never called a hot spot just because its neighbours were filtered out. Counts are
exact here; the page and the map pass them through analytics.governance.disclosure before anyone sees them.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, replace

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from analytics.governance.disclosure import shown_counts, suppresses
from analytics.places import hotspots
from analytics.store.filters import Filters
from analytics.store.risk_sets import by_risk_type
from analytics.store.sources import STREET, place_kind, risk_label
from analytics.store.sources import source as source_of
from analytics.store.vocab import CONTEXT_LABELS, PRIVATE_TYPES

MIN_AREAS = 5  # fewer areas than this and "hot compared with the rest" means little
PERMUTATION_MAX_AREAS = 60  # with 9,999 permutations; more areas use the analytical p-value
RATE_PER = 1000  # rates are per 1,000 children
TOP_SHARES = (1, 5, 10)  # concentration: share of incidents at the top 1%, 5%, 10% of places
REPEAT_MIN = 2  # a repeat location has at least this many incidents in the period
MAIN_TYPES = 2  # how many risk and context types the ward ranking names
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# Stored times are UTC; people remember harm in local clock time (incident_facts.local_at is UK
# clock time, worked out once per load in analytics/store/derived.py).
LOCAL_TIME = "i.local_at"
# The month a row falls in: UK clock time, or police.uk's published month for street crime.
LOCAL_MONTH = "coalesce(i.local_at, i.occurred_at)"
TYPE_OF = "coalesce(i.location_type, c.context_type, 'other')"


# --- wards ---------------------------------------------------------------------------------
def ward_shapes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every ward in the user's scope with a usable boundary: code, name, children and the shape
    (lon/lat)."""
    scope = filters.in_scope("ward_code")
    rows = con.execute(
        "SELECT ward_code, ward_name, child_population, geometry_geojson FROM wards "
        f"WHERE {scope.sql} ORDER BY ward_name", scope.params).fetchall()
    out = []
    for code, name, children, geojson in rows:
        geom = _parse_shape(geojson)
        if geom is not None:
            out.append((code, name, children, geom))
    return pd.DataFrame(out, columns=["ward_code", "ward_name", "child_population", "shape"])


def _parse_shape(geojson: str | None) -> BaseGeometry | None:
    """A polygon from GeoJSON text (a geometry or a Feature), or None if missing or unusable."""
    if not geojson:
        return None
    try:
        data = json.loads(geojson)
        geom = shape(data.get("geometry", data))
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        return None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


def ward_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents and rate per 1,000 children in every ward of the user's scope (zero where none),
    name order.

    For a police.uk source the rate is per 1,000 residents (`population`; children for
    incidents), where the ward's residents are loaded."""
    p = filters.predicate("i", risk_list=True)
    scope = filters.in_scope("w.ward_code")
    frame = con.execute(
        f"""
        WITH sel AS (SELECT ward_code, count(*) AS n FROM incident_facts i WHERE {p.sql} GROUP BY 1)
        SELECT w.ward_code, w.ward_name, w.child_population, r.residents,
               coalesce(sel.n, 0) AS incidents
        FROM wards w LEFT JOIN sel USING (ward_code) LEFT JOIN residents r ON r.code = w.ward_code
        WHERE {scope.sql} ORDER BY w.ward_name
        """, {**p.params, **scope.params}).df()
    frame["incidents"] = frame["incidents"].astype(int)
    frame["population"] = frame["residents" if source_of(filters.source).police
                                else "child_population"]
    frame["rate"] = _rate(frame["incidents"], frame["population"])
    return frame


def _rate(incidents: pd.Series, children: pd.Series) -> pd.Series:
    """Incidents per 1,000 children; NaN where the number of children is unknown or zero."""
    children = pd.to_numeric(children, errors="coerce").astype(float)
    return (incidents.astype(float) / children.where(children > 0) * RATE_PER).round(1)


@dataclass(frozen=True)
class HotSpot:
    """One hot or cold spot in words: its lead area, the others in it, how strong, how sure."""

    kind: str  # hotspots.HOT or hotspots.COLD
    lead: str  # name of the most extreme area
    members: tuple[str, ...]  # the other significant areas joined to it
    ratio: float  # lead area's neighbourhood against the borough (2.3 = 2.3 times)
    q: float  # Benjamini-Hochberg adjusted p-value of the lead area
    lead_id: str = ""  # the lead area's id (ward code, or "q,r" of a grid cell)


@dataclass(frozen=True)
class HotSpots:
    """Gi* over areas, with everything needed to report how it was done."""

    table: pd.DataFrame  # per area: id, name, incidents, value, z, p, q, label, ratio
    spots: tuple[HotSpot, ...]
    unit: str  # "ward", "lsoa" or "cell"
    measure: str  # what Gi* was computed on, in words
    permutations: int
    seed: int
    alpha: float
    reason: str = ""  # why there is no analysis, when there is none

    def method(self) -> str:
        """How the hot spots were found, in one sentence for the caption."""
        areas = {"ward": "wards", "lsoa": "LSOAs"}.get(self.unit, "grid cells")
        if uses_permutations(len(self.table), self.permutations):
            how = (f"p-values from {self.permutations:,} random rearrangements "
                   f"(seed {self.seed})")
        else:
            how = "p-values from the normal approximation to Gi* (too many cells to permute)"
        return (f"Getis-Ord Gi* on {self.measure} ({hotspots.WEIGHTS}); {how}, two-sided; "
                f"then a false-discovery-rate correction at {self.alpha:.0%} across all "
                f"{len(self.table):,} {areas}")


def ward_hot_spots(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                   permutations: int = hotspots.PERMUTATIONS,
                   seed: int = hotspots.SEED, view: str = "analyst") -> HotSpots:
    """Which wards (with their neighbours) have more, or fewer, incidents than chance allows.

    Uses the rate per 1,000 children (residents, for police.uk) when every ward has a
    population, else counts. The spots are judged on the exact counts, the same in every view;
    "times the borough rate" is worked out from the counts as the view shows them
    (disclosure.shown_counts), since an exact rate times the wards' known populations would
    give the exact counts back.
    """
    shapes = ward_shapes(con, filters).drop(columns="child_population")
    counts = ward_counts(con, replace(filters, wards=())).set_index("ward_code")
    frame = shapes.join(counts[["incidents", "rate", "population"]], on="ward_code")
    return _area_hot_spots(frame.rename(columns={"ward_code": "code", "ward_name": "name"}),
                           "ward", source_of(filters.source), permutations, seed, view)


def lsoa_hot_spots(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                   permutations: int = hotspots.PERMUTATIONS,
                   seed: int = hotspots.SEED, view: str = "analyst") -> HotSpots:
    """Which LSOAs (with their neighbours) have more, or fewer, incidents than chance allows:
    ward_hot_spots on the loaded LSOA boundaries (smaller areas, so a hot street shows)."""
    frame = lsoa_counts(con, replace(filters, wards=()))
    return _area_hot_spots(frame.rename(columns={"lsoa_code": "code", "lsoa_name": "name"}),
                           "lsoa", source_of(filters.source), permutations, seed, view)


def _area_hot_spots(frame: pd.DataFrame, unit: str, src, permutations: int,
                    seed: int, view: str = "analyst") -> HotSpots:
    """Gi* over areas (code, name, shape, incidents, rate, population), rates where every area
    has a population."""
    nouns = {"ward": "wards", "lsoa": "LSOAs"}[unit]
    population = pd.to_numeric(frame["population"]).astype(float).fillna(0)
    use_rate = bool(len(frame)) and bool((population > 0).all())
    measure = f"{src.nouns} per 1,000 {src.population}" if use_rate else src.nouns
    empty = HotSpots(pd.DataFrame(), (), unit, measure, permutations, seed, hotspots.ALPHA)
    if len(frame) < MIN_AREAS:  # "here": all the loaded areas, or all the user may see
        n = len(frame)
        return replace(empty, reason=f"Hot spots need the boundaries of at least {MIN_AREAS} "
                                     f"{nouns}; there {'is' if n == 1 else 'are'} {n or 'none'} "
                                     "here.")
    if frame["incidents"].sum() == 0:
        return replace(empty, reason=f"No {src.nouns} in the selection to look for hot spots "
                                     "in.")
    weights = hotspots.queen_weights(tuple(frame["code"]), list(frame["shape"]))
    values = frame["rate"].to_numpy() if use_rate else frame["incidents"].to_numpy(float)
    base = population.to_numpy() if use_rate else np.ones(len(frame))
    ratio = _neighbourhood_ratio(shown_counts(frame["incidents"], view), base, weights)
    table = _judge(values, weights, permutations, seed)
    table.insert(1, "name", frame["name"].to_numpy())
    table.insert(2, "incidents", frame["incidents"].to_numpy())
    table["ratio"] = ratio
    table["neighbours"] = [tuple(frame["name"].iloc[list(nb)]) for nb in weights.neighbours]
    return HotSpots(table, _spots(table, weights), unit, measure, permutations, seed,
                    hotspots.ALPHA)


def lsoa_shapes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every LSOA in the user's scope with a usable boundary: code, name (its code when
    unnamed), residents, shape."""
    scope = filters.in_scope("l.ward_code")
    rows = con.execute(
        "SELECT l.lsoa_code, coalesce(l.lsoa_name, l.lsoa_code), r.residents, l.geometry_geojson "
        f"FROM lsoa l LEFT JOIN residents r ON r.code = l.lsoa_code WHERE {scope.sql} ORDER BY 2",
        scope.params).fetchall()
    out = [(c, n, p, g) for c, n, p, js in rows if (g := _parse_shape(js)) is not None]
    return _in_area(con, filters, pd.DataFrame(out, columns=["lsoa_code", "lsoa_name",
                                                             "population", "shape"]))


def _in_area(con: duckdb.DuckDBPyConnection, filters: Filters,
             lsoas: pd.DataFrame) -> pd.DataFrame:
    """The LSOAs that lie in the loaded wards of the user's scope (a point inside each, in their
    union): LSOA files cover more than one area, and a map is never half on one area and half
    on another (the demo's wards beside real LSOAs, say). With no ward boundaries, every LSOA."""
    wards = ward_shapes(con, filters)
    if wards.empty or lsoas.empty:
        return lsoas
    area = shapely.union_all(list(wards["shape"]))
    inside = [area.contains(shape.representative_point()) for shape in lsoas["shape"]]
    return lsoas[np.array(inside, dtype=bool)].reset_index(drop=True)


def lsoa_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents and rate per 1,000 residents in every LSOA with a boundary (zero where none):
    lsoa_code, lsoa_name, population, shape, incidents, rate. Rates are per residents for every
    source: no child population is kept by LSOA."""
    p = filters.predicate("i", risk_list=True)
    counts = dict(con.execute(f"SELECT lsoa_code, count(*) FROM incident_facts i WHERE {p.sql} "
                              "AND lsoa_code IS NOT NULL GROUP BY 1", p.params).fetchall())
    frame = lsoa_shapes(con, filters)
    frame["incidents"] = [int(counts.get(c, 0)) for c in frame["lsoa_code"]]
    frame["rate"] = _rate(frame["incidents"], frame["population"])
    return frame


def uses_permutations(areas: int, permutations: int) -> bool:
    """Whether permutation p-values can work for this many areas.

    A permutation p-value is never below 2 / (permutations + 1); the false-discovery correction
    asks the strongest of n areas for about ALPHA / n. Past PERMUTATION_MAX_AREAS, even the
    strongest area could not pass, so the analytical p-value of z is used instead.
    """
    return permutations > 0 and areas <= PERMUTATION_MAX_AREAS * (permutations + 1) / 10_000


def _judge(values: np.ndarray, weights: hotspots.Weights, permutations: int,
           seed: int) -> pd.DataFrame:
    """Gi*, then the false-discovery correction, then the label: three separate steps."""
    permute = uses_permutations(weights.n, permutations)
    result = hotspots.gi_star(values, weights, permutations=permutations if permute else 0,
                              seed=seed)
    table = result.table.rename(columns={"p_sim" if permute else "p_norm": "p"})
    table = table[["id", "value", "z", "p"]]
    table["q"] = hotspots.false_discovery(table["p"])
    table["label"] = hotspots.label(table["z"], table["q"])
    return table


def _neighbourhood_ratio(incidents: np.ndarray, base: np.ndarray,
                         weights: hotspots.Weights) -> np.ndarray:
    """Each area's neighbourhood (itself included) rate against the whole map's rate."""
    overall = incidents.sum() / base.sum() if base.sum() else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return (weights.lag(incidents) / weights.lag(base)) / overall


def _spots(table: pd.DataFrame, weights: hotspots.Weights) -> tuple[HotSpot, ...]:
    """Join touching significant areas of the same kind into one spot, led by its strongest."""
    spots = []
    for kind in (hotspots.HOT, hotspots.COLD):
        chosen = set(np.flatnonzero(table["label"].to_numpy() == kind).tolist())
        graph = nx.Graph()
        graph.add_nodes_from(chosen)
        graph.add_edges_from((a, b) for a in chosen for b in weights.neighbours[a] if b in chosen)
        for group in nx.connected_components(graph):
            rows = table.iloc[sorted(group)]
            lead = rows["z"].abs().idxmax()
            others = tuple(sorted(set(rows["name"]) - {table.at[lead, "name"]}))
            spots.append(HotSpot(kind, table.at[lead, "name"], others,
                                 float(table.at[lead, "ratio"]), float(table.at[lead, "q"]),
                                 str(table.at[lead, "id"])))
    return tuple(sorted(spots, key=lambda s: (s.kind != hotspots.HOT, s.q, -s.ratio)))


def spot_sentence(spot: HotSpot, unit: str = "ward") -> str:
    """'Millbrook and its neighbours are a hot spot: 2.3 times the borough rate, very unlikely
    to be chance.'"""
    areas = unit in ("ward", "lsoa")  # areas with neighbours, rather than grid cells
    where = f"{spot.lead} and its neighbours" if areas else f"The area around {spot.lead}"
    kind = "a hot spot" if spot.kind == hotspots.HOT else "a cold spot"
    ratio = f"{spot.ratio:.1f} times the borough rate" if math.isfinite(spot.ratio) else ""
    text = f"{where} {'are' if areas else 'is'} {kind}: {ratio}, "
    text += f"{hotspots.confidence_words(spot.q)}."
    if spot.members:
        text += f" Also part of it: {', '.join(spot.members)}."
    return text


# --- the hexagon grid ----------------------------------------------------------------------
@dataclass(frozen=True)
class GridHotSpots:
    """Incidents on a hexagon grid, and Gi* over its cells."""

    grid: hotspots.HexGrid | None
    cells: pd.DataFrame  # q, r, lat, lon, incidents (borough), selected (chosen wards), z, p, ...
    result: HotSpots
    unplaced: int  # incidents in the selection without a map position


def grid_hot_spots(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                   permutations: int = hotspots.PERMUTATIONS, seed: int = hotspots.SEED,
                   target_cells: int = hotspots.TARGET_CELLS,
                   view: str = "analyst") -> GridHotSpots:
    """Incidents counted on a hexagon grid over the borough, with hot and cold cells.

    `selected` counts only the chosen wards' incidents (for the density layer); Gi* uses all.
    "Times the borough rate" comes from the counts as the view shows them (see ward_hot_spots).
    """
    p = replace(filters, wards=()).predicate("i", risk_list=True)
    rows = f"SELECT lat, lon, ward_code FROM incident_facts i WHERE {p.sql}"
    unplaced = con.execute(f"SELECT count(*) FROM ({rows}) WHERE lat IS NULL OR lon IS NULL",
                           p.params).fetchone()[0]
    area = _study_area(con, filters, rows, p.params)
    empty = HotSpots(pd.DataFrame(), (), "cell", "incidents", permutations, seed, hotspots.ALPHA)
    unmapped = GridHotSpots(None, pd.DataFrame(), replace(
        empty, reason="No incidents with a map position in the selection."), unplaced)
    if area is None:
        return unmapped
    grid = hotspots.grid_for(area, target_cells)
    # every incident counted in its cell by DuckDB; `selected` only the chosen wards' (all if none)
    sql, params = grid.cells_sql(rows, "count(*) AS incidents, count(*) FILTER (WHERE "
                                       "len($chosen) = 0 OR list_contains($chosen, ward_code)) "
                                       "AS selected")
    counts = con.execute(sql, {**p.params, **params, "chosen": list(filters.wards)}).df()
    if counts.empty:
        return unmapped
    q, r = grid.cells_covering(area)
    cells = (pd.DataFrame({"q": q, "r": r}).merge(counts, on=["q", "r"], how="outer")
             .fillna(0).astype(int).sort_values(["r", "q"], ignore_index=True))
    cells["lat"], cells["lon"] = grid.centre(cells["q"], cells["r"])
    ids = tuple(f"{a},{b}" for a, b in zip(cells["q"], cells["r"], strict=True))
    if len(cells) < MIN_AREAS:
        return GridHotSpots(grid, cells, replace(
            empty, reason="Too few grid cells for a hot spot analysis."), unplaced)
    weights = hotspots.hex_weights(ids, cells["q"].to_numpy(), cells["r"].to_numpy())
    table = _judge(cells["incidents"].to_numpy(float), weights, permutations, seed)
    table.insert(1, "name", _ward_names_at(con, filters, cells))
    table["ratio"] = _neighbourhood_ratio(shown_counts(cells["incidents"], view),
                                          np.ones(len(cells)), weights)
    cells = pd.concat([cells, table[["z", "p", "q", "label", "ratio"]].rename(
        columns={"q": "q_value"})], axis=1)
    result = HotSpots(table.assign(incidents=cells["incidents"]), _spots(table, weights), "cell",
                      "incidents per cell", permutations, seed, hotspots.ALPHA)
    return GridHotSpots(grid, cells, result, unplaced)


def _study_area(con: duckdb.DuckDBPyConnection, filters: Filters, rows: str,
                params: dict) -> BaseGeometry | None:
    """The wards' union, or (with no boundaries) the convex hull of the incidents in `rows` (a
    query with lat and lon), slightly widened."""
    shapes = ward_shapes(con, filters)
    if len(shapes):
        return shapely.union_all(list(shapes["shape"]))
    points = con.execute(f"SELECT DISTINCT lon, lat FROM ({rows}) WHERE lat IS NOT NULL AND "
                         "lon IS NOT NULL", params).fetchnumpy()
    if not len(points["lon"]):
        return None
    hull = shapely.MultiPoint(np.column_stack([points["lon"], points["lat"]])).convex_hull
    return hull.buffer(max(0.002, 0.05 * math.sqrt(max(hull.area, 0))))


def _ward_names_at(con: duckdb.DuckDBPyConnection, filters: Filters,
                   cells: pd.DataFrame) -> list[str]:
    """The name of the ward each cell's centre falls in (or the nearest ward), for words."""
    shapes = ward_shapes(con, filters)
    if shapes.empty:
        return [f"{lat:.3f}, {lon:.3f}" for lat, lon in zip(cells["lat"], cells["lon"],
                                                           strict=True)]
    tree = shapely.STRtree(list(shapes["shape"]))
    nearest = tree.nearest(shapely.points(cells["lon"].to_numpy(), cells["lat"].to_numpy()))
    return shapes["ward_name"].to_numpy()[nearest].tolist()


def area_crime_cells(con: duckdb.DuckDBPyConnection, filters: Filters,
                     grid: hotspots.HexGrid) -> pd.DataFrame:
    """police.uk street crimes in the area in the period (every crime type), on the same grid:
    q, r, lat, lon, crimes. A layer over incidents: the other filters are theirs, not crime's
    (the scope is kept: everything() clears only the user's choices)."""
    crime = replace(filters.everything(), start=filters.start and filters.start.replace(day=1),
                    end=filters.end, wards=filters.wards, source=STREET, period=filters.period)
    p = crime.predicate("i", risk_list=True)
    sql, params = grid.cells_sql(f"SELECT lat, lon FROM incident_facts i WHERE {p.sql}",
                                 "count(*) AS crimes")
    cells = con.execute(sql, {**p.params, **params}).df()
    if cells.empty:
        return pd.DataFrame(columns=["q", "r", "lat", "lon", "crimes"])
    cells = cells.sort_values("crimes", ascending=False, kind="stable", ignore_index=True)
    cells["lat"], cells["lon"] = grid.centre(cells["q"], cells["r"])
    return cells


def has_area_crime(con: duckdb.DuckDBPyConnection, filters: Filters) -> bool:
    """Whether any police.uk street crime in the area, and in the user's scope, has been
    loaded (at any date: the layer is offered whatever the period)."""
    p = replace(filters.everything(), source=STREET).predicate("i", risk_list=True)
    return con.execute(f"SELECT count(*) > 0 FROM incident_facts i WHERE {p.sql}",
                       p.params).fetchone()[0]


def lsoa_deciles(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every LSOA in the user's scope with a boundary and a deprivation decile (1 = most
    deprived 10% in England)."""
    scope = filters.in_scope("ward_code")
    rows = con.execute(
        "SELECT lsoa_code, lsoa_name, imd_decile, geometry_geojson FROM lsoa "
        f"WHERE imd_decile BETWEEN 1 AND 10 AND {scope.sql} ORDER BY lsoa_code",
        scope.params).fetchall()
    out = [(c, n or c, int(d), g) for c, n, d, js in rows if (g := _parse_shape(js)) is not None]
    return _in_area(con, filters, pd.DataFrame(out, columns=["lsoa_code", "lsoa_name",
                                                             "imd_decile", "shape"]))


# --- concentration -------------------------------------------------------------------------
@dataclass(frozen=True)
class Concentration:
    """How unevenly incidents fall across places (contexts)."""

    # share_places, share_incidents (0 to 1), from the busiest place down: only the corners,
    # where the next place has a different count (the line between them is straight)
    curve: pd.DataFrame
    shares: pd.DataFrame  # top_percent, places, incidents, share
    places: int  # places counted (those of the chosen types and wards, with or without incidents)
    incidents: int  # incidents at a known place
    without_place: int  # incidents in the selection with no place recorded
    with_incidents: int = 0  # places counted that had an incident in the selection


def concentration(con: duckdb.DuckDBPyConnection, filters: Filters) -> Concentration:
    """The share of incidents at the busiest 1%, 5% and 10% of places, and the Lorenz-style curve.

    Places with no incident in the selection count too (zeros are part of concentration); the
    top p% is the busiest ceil(p% of places) places.
    """
    p = filters.predicate("i", risk_list=True)
    scope = filters.in_scope("c.ward_code")
    frame = con.execute(
        f"""
        WITH sel AS (SELECT context_id, count(*) AS n FROM incident_facts i WHERE {p.sql} GROUP BY 1)
        SELECT c.context_id, coalesce(sel.n, 0) AS n FROM place_facts c
        LEFT JOIN sel USING (context_id)
        WHERE list_contains(c.kinds, $places)
          AND (len($types) = 0 OR list_contains($types, c.context_type))
          AND (len($wards) = 0 OR list_contains($wards, c.ward_code) OR sel.n > 0)
          AND {scope.sql}
        """, {**p.params, **scope.params, "types": list(filters.context_types),
              "wards": list(filters.wards), "places": place_kind(filters.source)},
    ).df()
    unplaced = con.execute(f"SELECT count(*) FROM incident_facts i WHERE {p.sql} AND "
                           "(context_id IS NULL OR context_id NOT IN "
                           f"(SELECT context_id FROM place_facts c WHERE {scope.sql}))",
                           {**p.params, **scope.params}).fetchone()[0]
    return concentration_of(frame["n"].to_numpy(), int(unplaced))


def concentration_of(counts: np.ndarray, without_place: int = 0) -> Concentration:
    """Concentration of a set of per-place counts (pure: checked by hand in tests)."""
    counts = np.sort(np.asarray(counts, dtype=int))[::-1]
    total, n = int(counts.sum()), len(counts)
    cum = np.concatenate([[0], np.cumsum(counts)])
    # Between places with the same count the curve is straight, so its corners draw it exactly:
    # 250 points instead of 12,500 at a million incidents (289 kB of the Places page to 6 kB).
    corners = (np.flatnonzero(np.concatenate([[True], counts[1:] != counts[:-1], [True]]))
               if n else np.array([0]))
    curve = pd.DataFrame({
        "share_places": corners / n if n else [0.0],
        "share_incidents": cum[corners] / total if total else np.zeros(len(corners)),
    })
    rows = []
    for pct in TOP_SHARES:
        k = math.ceil(n * pct / 100) if n else 0
        top = int(cum[k])
        rows.append((pct, k, top, top / total if total else np.nan))
    shares = pd.DataFrame(rows, columns=["top_percent", "places", "incidents", "share"])
    return Concentration(curve, shares, n, total, without_place, int((counts > 0).sum()))


def repeat_locations(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                     minimum: int = REPEAT_MIN, limit: int = 20) -> pd.DataFrame:
    """Places with at least `minimum` incidents, busiest first, with when and what."""
    p = filters.predicate("i", risk_list=True)
    frame = con.execute(
        f"""
        WITH sel AS (SELECT i.context_id, i.occurred_at, i.risks
                     FROM incident_facts i WHERE {p.sql} AND i.context_id IS NOT NULL),
        per AS (SELECT context_id, count(*) AS incidents,
                       count(DISTINCT date_trunc('month', occurred_at)) AS months,
                       min(occurred_at)::DATE AS first, max(occurred_at)::DATE AS last
                FROM sel GROUP BY context_id HAVING count(*) >= $minimum),
        top AS (SELECT c.context_id, c.name, c.context_type, w.ward_name, per.incidents,
                       per.months, per.first, per.last
                FROM per JOIN place_facts c USING (context_id) LEFT JOIN wards w USING (ward_code)
                ORDER BY per.incidents DESC, c.name LIMIT $limit),
        unnested AS (SELECT context_id, unnest(risks) AS risk_type FROM sel
                     WHERE context_id IN (SELECT context_id FROM top)),
        risk AS (SELECT context_id, risk_type, count(*) AS n FROM unnested GROUP BY ALL),
        top_risk AS (SELECT context_id, first(risk_type ORDER BY n DESC, risk_type) AS main_risk
                     FROM risk GROUP BY 1)
        SELECT top.*, t.main_risk FROM top LEFT JOIN top_risk t USING (context_id)
        ORDER BY top.incidents DESC, top.name
        """, {**p.params, "minimum": minimum, "limit": limit}).df()
    frame["type"] = frame["context_type"].map(CONTEXT_LABELS).fillna(frame["context_type"])
    frame["main_risk"] = [risk_label(r) if isinstance(r, str) else "" for r in frame["main_risk"]]
    for column in ("first", "last"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def shareable_name(name: str, context_type: str, ward_name: str | None, view: str) -> str:
    """A place's name fit for the view: board and lead views never name a home address."""
    if context_type in PRIVATE_TYPES and suppresses(view):
        return f"A home address in {ward_name}" if ward_name else "A home address"
    return name


# --- when ----------------------------------------------------------------------------------
def _place_clause(context_id: str | None) -> tuple[str, dict]:
    if context_id is None:
        return "", {}
    return " AND i.context_id = $context_id", {"context_id": context_id}


def when_grid(con: duckdb.DuckDBPyConnection, filters: Filters, *,
              context_id: str | None = None) -> pd.DataFrame:
    """Incidents by day of week (0 = Monday) and hour (UK clock time): all 168 cells, zeros kept."""
    p = filters.predicate("i", risk_list=True)
    extra, params = _place_clause(context_id)
    counts = con.execute(
        f"""
        SELECT isodow({LOCAL_TIME}) - 1 AS day, hour({LOCAL_TIME}) AS hour, count(*) AS incidents
        FROM incident_facts i WHERE {p.sql}{extra} GROUP BY ALL
        """, {**p.params, **params}).df()
    full = pd.MultiIndex.from_product([range(7), range(24)], names=["day", "hour"])
    out = (counts.set_index(["day", "hour"])["incidents"].reindex(full, fill_value=0)
           .astype(int).reset_index())
    out["day_name"] = [DAYS[d] for d in out["day"]]
    return out


def month_of_year(con: duckdb.DuckDBPyConnection, filters: Filters, *,
                  context_id: str | None = None) -> pd.DataFrame:
    """Incidents in each calendar month (all years of the period together), January first."""
    p = filters.predicate("i", risk_list=True)
    extra, params = _place_clause(context_id)
    counts = con.execute(
        f"SELECT month({LOCAL_MONTH}) AS month, count(*) AS incidents FROM incident_facts i "
        f"WHERE {p.sql}{extra} GROUP BY 1", {**p.params, **params}).df()
    out = (counts.set_index("month")["incidents"].reindex(range(1, 13), fill_value=0)
           .astype(int).rename_axis("month").reset_index())
    out["month_name"] = [MONTHS[m - 1] for m in out["month"]]
    return out


def peak_window(grid: pd.DataFrame, hours: int = 3) -> tuple[str, int, int] | None:
    """The day and run of `hours` consecutive hours with most incidents: (day, first hour, total)."""
    if grid["incidents"].sum() == 0:
        return None
    best = None
    for day, frame in grid.groupby("day"):
        values = frame.sort_values("hour")["incidents"].to_numpy()
        sums = np.convolve(values, np.ones(hours, dtype=int), mode="valid")
        start = int(sums.argmax())
        if best is None or sums[start] > best[2]:
            best = (DAYS[int(day)], start, int(sums[start]))
    return best


# --- location types ------------------------------------------------------------------------
def _this_and_previous(filters: Filters):
    """The period's predicate on incidents `i`, the previous period's SQL ('FALSE' when the
    period is open-ended) and the parameters of both, for counting the two in one scan."""
    cur = filters.predicate("i", risk_list=True)
    if not (filters.start and filters.end):
        return cur, "FALSE", dict(cur.params)
    prev = filters.previous().predicate("i", prefix="p_", risk_list=True)
    return cur, prev.sql, {**cur.params, **prev.params}


def location_types(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents by type of place in the period and the previous one, busiest first."""
    cur, prev_sql, params = _this_and_previous(filters)
    frame = con.execute(
        f"""
        SELECT {TYPE_OF} AS context_type,
               count(*) FILTER (WHERE {cur.sql}) AS incidents,
               count(*) FILTER (WHERE {prev_sql}) AS previous
        FROM incident_facts i LEFT JOIN place_facts c USING (context_id)
        WHERE ({cur.sql}) OR ({prev_sql})
        GROUP BY 1
        """, params).df()
    frame["label"] = frame["context_type"].map(CONTEXT_LABELS).fillna(frame["context_type"])
    frame = frame.sort_values(["incidents", "label"], ascending=[False, True], ignore_index=True)
    frame["change"] = frame["incidents"] - frame["previous"]
    return frame[frame["incidents"] + frame["previous"] > 0].reset_index(drop=True)


def location_type_months(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Incidents a month for each type of place in the period (months with none as zero)."""
    p = filters.predicate("i", risk_list=True)
    counts = con.execute(
        f"""
        SELECT {TYPE_OF} AS context_type, date_trunc('month', i.occurred_at)::DATE AS month,
               count(*) AS incidents
        FROM incident_facts i LEFT JOIN place_facts c USING (context_id) WHERE {p.sql}
        GROUP BY ALL ORDER BY context_type, month
        """, p.params).df()
    if not counts.empty and filters.start and filters.end:
        months = pd.date_range(filters.start.replace(day=1), filters.end, freq="MS")
        counts["month"] = pd.to_datetime(counts["month"])
        full = pd.MultiIndex.from_product([sorted(counts["context_type"].unique()), months],
                                          names=["context_type", "month"])
        counts = (counts.set_index(["context_type", "month"])["incidents"]
                  .reindex(full, fill_value=0).astype(int).reset_index())
    return counts.assign(label=counts["context_type"].map(CONTEXT_LABELS)
                         .fillna(counts["context_type"]))


# --- wards ranked ----------------------------------------------------------------------------
def ward_ranking(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Every ward with incidents now or before: count, rate, change, main risks and place types."""
    now = ward_counts(con, filters)
    if filters.start and filters.end:
        before = ward_counts(con, filters.previous())[["ward_code", "incidents"]]
    else:
        before = now[["ward_code"]].assign(incidents=np.nan)
    frame = now.merge(before.rename(columns={"incidents": "previous"}), on="ward_code")
    frame["change"] = frame["incidents"] - frame["previous"]
    p = filters.predicate("i", risk_list=True)
    counted = by_risk_type(f"SELECT i.ward_code, i.risk_bits, i.risks FROM incident_facts i "
                           f"WHERE {p.sql}", ["ward_code"], {"n": "count(*)"})
    risks = con.execute(f"SELECT ward_code, risk_type AS code, n FROM ({counted})",
                        p.params).df()
    types = con.execute(
        f"SELECT i.ward_code, {TYPE_OF} AS code, count(*) AS n FROM incident_facts i "
        f"LEFT JOIN place_facts c USING (context_id) WHERE {p.sql} GROUP BY ALL", p.params).df()
    top_risks, top_types = _top_labels(risks, _RiskNames()), _top_labels(types, CONTEXT_LABELS)
    frame["main_risks"] = [top_risks.get(w, "") for w in frame["ward_code"]]
    frame["main_places"] = [top_types.get(w, "") for w in frame["ward_code"]]
    frame = frame[(frame["incidents"] > 0) | (frame["previous"].fillna(0) > 0)]
    return frame.sort_values(["incidents", "ward_name"], ascending=[False, True],
                             ignore_index=True)


class _RiskNames(dict):
    """Risk types, crime types and objects of search by their labels (sources.risk_label)."""

    def get(self, key: str, default: str | None = None) -> str:
        return risk_label(key)


def _top_labels(counts: pd.DataFrame, names: dict[str, str]) -> dict[str, str]:
    """Ward code -> its MAIN_TYPES most frequent codes' labels, joined with commas."""
    out = {}
    for ward, frame in counts.sort_values(["n", "code"], ascending=[False, True]).groupby(
            "ward_code", sort=False):
        out[ward] = ", ".join(names.get(c, c) for c in frame["code"].head(MAIN_TYPES))
    return out


# --- places as points ---------------------------------------------------------------------------
# The busiest places a map draws as circles, at most: a million incidents happen at 10,000 places,
# 3 MB of tooltips a render, where a person reads the busiest few hundred.
MAP_PLACES = 500


def drawable(points: pd.DataFrame) -> list:
    """The ids of the places a map may draw from `points` (busiest first): the MAP_PLACES
    busiest with incidents, and the MAP_PLACES busiest of those that are not homes (the board's
    map leaves homes out, and draws the busiest of the rest)."""
    busy = points[points["incidents"] > 0]
    public = busy[~busy["context_type"].isin(PRIVATE_TYPES)]
    return pd.unique(pd.concat([busy["context_id"].head(MAP_PLACES),
                                public["context_id"].head(MAP_PLACES)])).tolist()


def context_points(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Places with a map position and incidents in the period (or the previous one), busiest
    first, with their count and previous count; and, for the places a map may draw (`drawable`),
    their incidents by risk type (the rest have none listed: no map shows them)."""
    cur, prev_sql, params = _this_and_previous(filters)
    frame = con.execute(
        f"""
        WITH n AS (SELECT i.context_id, count(*) FILTER (WHERE {cur.sql}) AS incidents,
                          count(*) FILTER (WHERE {prev_sql}) AS previous
                   FROM incident_facts i
                   WHERE i.context_id IS NOT NULL AND (({cur.sql}) OR ({prev_sql}))
                   GROUP BY i.context_id)
        SELECT c.context_id, c.name, c.context_type, c.lat, c.lon, n.incidents, n.previous
        FROM n JOIN place_facts c USING (context_id)
        WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL
        ORDER BY n.incidents DESC, c.name
        """, params).df()
    # Each drawable place's (risk type, incidents) pairs, busiest first: counted in DuckDB and
    # cut into one tuple a place along the sorted rows. Counting them for every place was 60 ms
    # and 66,000 pairs at a million incidents, for the 500 a map draws.
    risks = con.execute(
        f"""
        WITH r AS (SELECT i.context_id, unnest(i.risks) AS risk_type FROM incident_facts i
                   WHERE {cur.sql} AND i.context_id IN (SELECT unnest($ids::VARCHAR[])))
        SELECT context_id, risk_type, count(*) AS n FROM r GROUP BY ALL
        ORDER BY context_id, n DESC, risk_type
        """, {**cur.params, "ids": drawable(frame)}).fetchnumpy()
    place = risks["context_id"]
    pairs = list(zip(risks["risk_type"].tolist(), risks["n"].tolist(), strict=True))
    bounds = (np.r_[np.flatnonzero(np.r_[True, place[1:] != place[:-1]]), len(place)]
              if len(place) else [])
    listed = np.empty(len(frame), dtype=object)
    listed.fill(())  # the places no map draws list none
    at = pd.Index(frame["context_id"]).get_indexer([place[a] for a in bounds[:-1]])
    for row, (a, b) in zip(at, itertools.pairwise(bounds), strict=True):
        listed[row] = tuple(pairs[a:b])  # found by position: 500 places, not 11,000 lookups
    frame["risks"] = listed
    frame["type"] = frame["context_type"].map(CONTEXT_LABELS).fillna(frame["context_type"])
    return frame
