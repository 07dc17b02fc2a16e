"""Reads about place: postcode lookup, distances and bounding boxes for "near a point" queries."""

import math
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from config.errors import DomainError
from geo.models import Locality, LocalityKind, Postcode

EARTH_RADIUS_KM = 6371.0088
# The UK postcode format (GOV.UK Bulk Data Transfer pattern, simplified), after normalisation.
POSTCODE_PATTERN = re.compile(r"^(GIR 0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? [0-9][ABD-HJLNP-UW-Z]{2})$")


class UnknownPostcode(DomainError):
    code = "unknown_postcode"


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    postcode: str = ""
    district_code: str = ""
    ward_code: str = ""


def postcode_normalise(raw: str) -> str:
    """'cb61aa', ' CB6  1AA ' -> 'CB6 1AA'. Does not check the postcode exists."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def geocode(postcode: str, *, field: str = "postcode") -> Point:
    """Where a postcode is. Unknown, malformed or terminated postcodes raise UnknownPostcode; never a guess."""
    normalised = postcode_normalise(postcode)
    if not POSTCODE_PATTERN.match(normalised):
        raise UnknownPostcode(f"{postcode!r} is not a valid UK postcode.", field=field)
    row = Postcode.objects.filter(postcode=normalised).first()
    if row is None:
        raise UnknownPostcode(f"Postcode {normalised} is not in the postcode directory.", field=field)
    if row.terminated:
        raise UnknownPostcode(f"Postcode {normalised} has been terminated and is no longer in use.", field=field)
    if row.latitude is None or row.longitude is None:
        raise UnknownPostcode(f"Postcode {normalised} has no grid reference.", field=field)
    return Point(row.latitude, row.longitude, normalised, row.district_code, row.ward_code)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing every point within radius_km: a cheap indexed prefilter."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def near_filter(latitude: float, longitude: float, radius_km: float, *, prefix: str = "") -> Q:
    """A Q object selecting rows whose `<prefix>latitude`/`<prefix>longitude` fall in the bounding box.
    Follow it with distance_km to drop the corners: e.g. prefix="location__" on a bed line queryset."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
    return Q(
        **{
            f"{prefix}latitude__gte": min_lat,
            f"{prefix}latitude__lte": max_lat,
            f"{prefix}longitude__gte": min_lon,
            f"{prefix}longitude__lte": max_lon,
        }
    )


def localities_of_kind(kind: LocalityKind | str, *, parent_code: str | None = None) -> QuerySet[Locality]:
    queryset = Locality.objects.filter(kind=kind).select_related("parent")
    if parent_code:
        queryset = queryset.filter(parent__code=parent_code)
    return queryset.order_by("name")


@dataclass(frozen=True)
class PlaceAssignment:
    """Where one point lies. `None` fields mean the point is outside every stored boundary of that kind."""

    ward_id: int | None
    district_id: int | None


def localities_at(points: "list[tuple[float, float]]") -> list[PlaceAssignment]:
    """Ward and district of many (latitude, longitude) points at once, by a vectorised spatial join against
    the stored boundaries. Points outside every boundary get None rather than the nearest area."""
    import geopandas as gpd
    from shapely.geometry import shape

    if not points:
        return []
    found: dict[str, list[int | None]] = {}
    frame = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([lon for _, lon in points], [lat for lat, _ in points]), crs="EPSG:4326"
    )
    for kind in (LocalityKind.WARD, LocalityKind.DISTRICT):
        rows = list(Locality.objects.filter(kind=kind, boundary__isnull=False).values_list("id", "boundary"))
        result: list[int | None] = [None] * len(points)
        if rows:
            areas = gpd.GeoDataFrame(
                {"locality_id": [pk for pk, _ in rows]},
                geometry=[shape(geometry) for _, geometry in rows],
                crs="EPSG:4326",
            )
            joined = gpd.sjoin(frame, areas, how="left", predicate="within")
            joined = joined[~joined.index.duplicated(keep="first")]
            for index, locality_id in joined["locality_id"].items():
                result[index] = None if locality_id != locality_id else int(locality_id)  # NaN check
        found[kind] = result
    return [
        PlaceAssignment(ward_id=ward, district_id=district)
        for ward, district in zip(found[LocalityKind.WARD], found[LocalityKind.DISTRICT], strict=True)
    ]
