"""Which ward a point lies in: point-in-polygon over the loaded ward boundaries with an STRtree.

Incidents, contexts and police.uk rows get a ward from their coordinates; a point in no ward is
outside the area (flagged, not dropped); a row without coordinates falls back to its LSOA's ward
from the LSOA-to-ward lookup. Coordinates are WGS84 longitude and latitude throughout.

    >>> idx = WardIndex(["W1"], [shapely.box(0, 0, 1, 1)])
    >>> idx.assign(np.array([0.5, 2.0]), np.array([0.5, 2.0])).tolist()
    ['W1', None]
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import numpy as np
import shapely

MAX_REPAIR_VERTICES = 10_000  # a boundary that crosses itself is repaired only up to this size

# Up to this many wards, a loop over prepared polygons beats the STRtree's point objects.
FEW_WARDS = 64


class GeometryError(ValueError):
    """A GeoJSON geometry we cannot use; the message says why."""


class WardIndex:
    """Ward polygons in an STRtree, for assigning many points at once."""

    def __init__(self, codes: Sequence[str], polygons: Sequence[shapely.Geometry]) -> None:
        self.codes = np.asarray(list(codes), dtype=object)
        self.polygons = list(polygons)
        for polygon in self.polygons:
            shapely.prepare(polygon)
        self.tree = shapely.STRtree(self.polygons) if self.polygons else None

    @property
    def has_geometry(self) -> bool:
        """Whether any ward boundary is loaded (without one, no point can be placed)."""
        return self.tree is not None

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The ward code containing each point (on a boundary: the first ward found), else None.

        A borough's few dozen wards are searched one by one, each only for the points inside
        its bounding box (prepared polygons, no point objects: several times faster); a file of
        hundreds or thousands of wards goes through the STRtree.
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        out = np.full(len(lon), None, dtype=object)
        if self.tree is None or not len(lon):
            return out
        has = ~(np.isnan(lon) | np.isnan(lat))
        if len(self.polygons) <= FEW_WARDS:
            todo = has.copy()
            for code, polygon in zip(self.codes, self.polygons, strict=True):
                x0, y0, x1, y1 = polygon.bounds
                near = np.flatnonzero(todo & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
                hit = near[shapely.intersects_xy(polygon, lon[near], lat[near])]
                out[hit] = code
                todo[hit] = False
            return out
        where = np.flatnonzero(has)
        points = shapely.points(lon[has], lat[has])
        hit_point, hit_ward = self.tree.query(points, predicate="intersects")
        # keep the first ward for each point (a point on a shared boundary touches two)
        first = np.unique(hit_point, return_index=True)[1]
        out[where[hit_point[first]]] = self.codes[hit_ward[first]]
        return out


def geometry_from_geojson(geometry: object) -> shapely.Geometry:
    """A valid (multi)polygon from a GeoJSON geometry object, or GeometryError saying why not."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else "no geometry"
        raise GeometryError(f"expected a Polygon or MultiPolygon, found {kind}")
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, ValueError, TypeError) as err:
        raise GeometryError(f"the geometry could not be read ({str(err)[:80]})") from None
    if shape.is_empty:
        raise GeometryError("the geometry is empty")
    if is_british_national_grid(shape.bounds):
        shape = to_wgs84(shape)
    minx, miny, maxx, maxy = shape.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("coordinates are neither longitude and latitude nor British "
                            "National Grid metres: export the boundaries in WGS84 (EPSG:4326)")
    if shape.is_valid:
        return shape
    points = shapely.get_num_coordinates(shape)
    if points > MAX_REPAIR_VERTICES:  # repairing a large tangle takes minutes
        raise GeometryError(f"the boundary crosses itself and has {points:,} points; we repair "
                            f"such a boundary only up to {MAX_REPAIR_VERTICES:,} points: repair it "
                            "in a GIS (or export it again) and load it again")
    return shapely.make_valid(shape)


def is_british_national_grid(bounds: tuple[float, float, float, float]) -> bool:
    """Whether coordinates are British National Grid metres (EPSG:27700), as the London
    Datastore, Ordnance Survey and many councils publish boundaries, rather than degrees."""
    minx, miny, maxx, maxy = bounds
    return (maxx > 180 or maxy > 90) and 0 <= minx <= maxx <= 700_000 \
        and 0 <= miny <= maxy <= 1_300_000


def to_wgs84(shape: shapely.Geometry) -> shapely.Geometry:
    """A British National Grid shape in WGS84 longitude and latitude (pyproj: well-kept, and
    the datum shift is not something to write by hand)."""
    from pyproj import Transformer  # only boundaries published in metres need it

    grid = Transformer.from_crs(27700, 4326, always_xy=True)
    return shapely.transform(shape, lambda xy: np.column_stack(grid.transform(xy[:, 0], xy[:, 1])))


def ward_index(con: duckdb.DuckDBPyConnection) -> WardIndex:
    """The loaded ward boundaries as an index (wards without a geometry are left out)."""
    return _index(con.execute("SELECT ward_code, geometry_geojson FROM wards "
                              "WHERE geometry_geojson IS NOT NULL ORDER BY ward_code").fetchall())


def lsoa_index(con: duckdb.DuckDBPyConnection) -> WardIndex:
    """The loaded LSOA boundaries as an index, to place points in LSOAs the same way."""
    return _index(con.execute("SELECT lsoa_code, geometry_geojson FROM lsoa "
                              "WHERE geometry_geojson IS NOT NULL ORDER BY lsoa_code").fetchall())


def _index(rows: list[tuple[str, str]]) -> WardIndex:
    codes, polygons = [], []
    for code, text in rows:
        try:
            polygons.append(geometry_from_geojson(json.loads(text)))
            codes.append(code)
        except (GeometryError, json.JSONDecodeError):
            continue  # an unusable stored geometry places nothing, rather than failing the load
    return WardIndex(codes, polygons)


def lsoa_wards(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """LSOA code -> ward code, from the LSOA-to-ward lookup."""
    return dict(con.execute(
        "SELECT lsoa_code, ward_code FROM lsoa WHERE ward_code IS NOT NULL").fetchall())


def centroid(shape: shapely.Geometry) -> tuple[float, float]:
    """(lat, lon) of a point inside the shape, for labels and map centres."""
    point = shape.representative_point() if not shape.centroid.within(shape) else shape.centroid
    return float(point.y), float(point.x)
