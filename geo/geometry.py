"""Geometry conversions shared by the boundary import, composite areas and the map layers.

Everything stored is GeoJSON in WGS84 (longitude, latitude). Coordinates are rounded when stored so that
re-importing the same file gives byte-identical values and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
# Areas are measured in an equal-area projection (ETRS89 / LAEA Europe), good across Great Britain.
EQUAL_AREA = "EPSG:3035"
STORED_DECIMALS = 6  # about 0.1 m: well below the precision of any generalised boundary

# Display simplification per kind: (tolerance in degrees, roughly the square root of the largest triangle
# removed; decimals kept). Wards are small, so they keep more detail than districts and counties.
DISPLAY_SETTINGS: dict[str, tuple[float, int]] = {
    "ward": (0.0005, 5),
    "district": (0.003, 4),
}
DEFAULT_DISPLAY_SETTINGS = (0.004, 4)


@dataclass(frozen=True)
class Measures:
    """The derived columns of a Locality for one boundary."""

    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float
    centroid_latitude: float
    centroid_longitude: float
    area_km2: float


# The Locality columns derived from a boundary, one list for the import, composite areas and the admin.
MEASURE_FIELDS = [measure.name for measure in fields(Measures)]


def polygonal(geometry: BaseGeometry | None) -> shapely.MultiPolygon | None:
    """The polygonal part of a geometry as a MultiPolygon, or None if it has no area at all."""
    if geometry is None or geometry.is_empty:
        return None
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    if isinstance(geometry, shapely.GeometryCollection):
        parts = []
        for part in geometry.geoms:
            found = polygonal(part)
            if found is not None:
                parts.extend(found.geoms)
        return shapely.MultiPolygon(parts) if parts else None
    return None


def repaired(geometry: BaseGeometry) -> tuple[shapely.MultiPolygon | None, bool]:
    """(valid MultiPolygon, whether it needed repair). Self-intersections are common in boundaries rebuilt
    from quantised TopoJSON arcs; make_valid keeps every bit of area and drops collapsed slivers."""
    if geometry.is_valid:
        return polygonal(geometry), False
    fixed = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    return polygonal(fixed), True


def rounded(geometry: BaseGeometry, decimals: int) -> BaseGeometry:
    return shapely.transform(geometry, lambda coordinates: np.round(coordinates, decimals))


def as_geojson(geometry: BaseGeometry, *, decimals: int = STORED_DECIMALS) -> dict:
    """A GeoJSON MultiPolygon dict with rounded coordinates (plain lists, so JSON round trips compare equal)."""
    # Snapping to the grid (rather than rounding each number) keeps the geometry valid.
    multi = polygonal(shapely.set_precision(geometry, 10.0**-decimals))
    if multi is None:
        raise ValueError("not a polygonal geometry")
    return json.loads(shapely.to_geojson(rounded(multi, decimals)))


def from_geojson(value: dict | None) -> BaseGeometry | None:
    if not value:
        return None
    return shapely.from_geojson(json.dumps(value))


def measures_of(geometries: list[BaseGeometry]) -> list[Measures]:
    """Bounding box, centroid and area of many WGS84 geometries at once."""
    import geopandas as gpd

    if not geometries:
        return []
    series = gpd.GeoSeries(geometries, crs=WGS84)
    bounds = series.bounds.to_numpy()
    projected = series.to_crs(EQUAL_AREA)
    # The centroid is found where areas are true, then brought back to longitude/latitude.
    centroids = projected.centroid.to_crs(WGS84)
    areas = projected.area.to_numpy() / 1_000_000
    return [
        Measures(
            min_latitude=round(float(bounds[i][1]), STORED_DECIMALS),
            max_latitude=round(float(bounds[i][3]), STORED_DECIMALS),
            min_longitude=round(float(bounds[i][0]), STORED_DECIMALS),
            max_longitude=round(float(bounds[i][2]), STORED_DECIMALS),
            centroid_latitude=round(float(centroids.iloc[i].y), STORED_DECIMALS),
            centroid_longitude=round(float(centroids.iloc[i].x), STORED_DECIMALS),
            area_km2=round(float(areas[i]), 3),
        )
        for i in range(len(geometries))
    ]


def display_versions(geometries: list[BaseGeometry], *, kind: str) -> list[dict]:
    """Simplified GeoJSON for maps, keeping shared edges shared: the geometries of one kind are simplified
    together as a coverage, so neighbouring areas neither gap nor overlap where they met before.

    Where the input is not a clean coverage (overlaps), the few outputs that come back invalid are repaired
    one by one rather than giving up on the shared simplification for everyone."""
    if not geometries:
        return []
    tolerance, decimals = DISPLAY_SETTINGS.get(str(kind), DEFAULT_DISPLAY_SETTINGS)
    array = np.empty(len(geometries), dtype=object)
    array[:] = geometries
    try:
        simplified = shapely.coverage_simplify(array, tolerance)
    except shapely.errors.GEOSException:
        # Not a coverage GEOS can work with: simplify each area on its own (small gaps may show on the map).
        simplified = shapely.simplify(array, tolerance / 4, preserve_topology=True)
    result = []
    for original, simple in zip(geometries, simplified, strict=True):
        if simple is None or simple.is_empty or polygonal(shapely.set_precision(simple, 10.0**-decimals)) is None:
            simple = shapely.simplify(original, tolerance / 4, preserve_topology=True)
        if polygonal(shapely.set_precision(simple, 10.0**-decimals)) is None:
            simple = original
        result.append(as_geojson(simple, decimals=decimals))
    return result
