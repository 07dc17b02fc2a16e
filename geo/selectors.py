"""Reads about place: postcode lookup, distances and bounding boxes for "near a point" queries."""

import json
import math
import re
import threading
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q

from config.errors import DomainError, ServiceUnavailable
from geo.models import BoundaryImport, Locality, LocalityKind, Postcode

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
        if settings.POSTCODE_ONLINE_LOOKUP:
            return _geocode_online(normalised, field=field)
        raise UnknownPostcode(f"Postcode {normalised} is not in the postcode directory.", field=field)
    if row.terminated:
        raise UnknownPostcode(f"Postcode {normalised} has been terminated and is no longer in use.", field=field)
    if row.latitude is None or row.longitude is None:
        raise UnknownPostcode(f"Postcode {normalised} has no grid reference.", field=field)
    return Point(row.latitude, row.longitude, normalised, row.district_code, row.ward_code)


def _geocode_online(postcode: str, *, field: str) -> Point:
    """Ask the online postcode service (postcodes.io style) about a postcode missing from the table.
    Answers are cached for a day; a postcode the service does not know is unknown, never guessed."""
    import httpx

    key = f"geo:postcode-online:{postcode.replace(' ', '')}"
    found = cache.get(key)
    if found is None:
        try:
            response = httpx.get(
                settings.POSTCODE_LOOKUP_URL + postcode.replace(" ", ""),
                timeout=settings.POSTCODE_LOOKUP_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("The online postcode lookup cannot be reached; try again later.") from exc
        if response.status_code == 404:
            found = {}
        elif response.status_code != 200:
            raise ServiceUnavailable(f"The online postcode lookup answered {response.status_code}; try again later.")
        else:
            try:
                result = response.json().get("result") or {}
            except (ValueError, AttributeError) as exc:  # not JSON, or JSON that is not an object
                raise ServiceUnavailable(
                    "The online postcode lookup gave an unreadable answer; try again later."
                ) from exc
            codes = result.get("codes") or {}
            found = {
                "latitude": result.get("latitude"),
                "longitude": result.get("longitude"),
                "district_code": codes.get("admin_district") or "",
                "ward_code": codes.get("admin_ward") or "",
            }
        cache.set(key, found, timeout=24 * 60 * 60)
    if not found or found.get("latitude") is None or found.get("longitude") is None:
        raise UnknownPostcode(
            f"Postcode {postcode} is not known to the postcode directory or the online lookup.", field=field
        )
    return Point(found["latitude"], found["longitude"], postcode, found["district_code"], found["ward_code"])


def boundary_import_progress_key(boundary_import_id: int) -> str:
    return f"geo:boundary-import:{boundary_import_id}:progress"


def boundary_import_progress(record: BoundaryImport) -> int:
    """Percent done: live from the cache while the import runs (its writes are not visible until it commits)."""
    if record.status == BoundaryImport.Status.RUNNING:
        live = cache.get(boundary_import_progress_key(record.pk))
        if live is not None:
            return int(live)
    return record.progress


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


@dataclass(frozen=True)
class PlaceAssignment:
    """Where one point lies. `None` fields mean the point is outside every stored boundary of that kind."""

    ward_id: int | None
    district_id: int | None


# Boundary frames for localities_at, per kind, with the version they were built from. Rebuilding them
# parses every stored boundary, far more work than the join itself, so they are kept per process and
# rebuilt only when a locality of that kind is added, removed or changed.
_frames: dict[str, tuple[tuple, object]] = {}
_frames_lock = threading.Lock()


def _kind_versions(kinds) -> dict[str, tuple]:
    rows = (
        Locality.objects.filter(kind__in=kinds, boundary__isnull=False)
        .values("kind")
        .annotate(count=Count("id"), latest=Max("updated_at"), highest=Max("id"))
        .values_list("kind", "count", "latest", "highest")
    )
    return {kind: (count, latest, highest) for kind, count, latest, highest in rows}


def _boundary_frame(kind: str, version: tuple):
    import geopandas as gpd

    with _frames_lock:
        cached = _frames.get(kind)
        if cached and cached[0] == version:
            return cached[1]
    rows = list(Locality.objects.filter(kind=kind, boundary__isnull=False).values_list("id", "boundary"))
    frame = gpd.GeoDataFrame(
        {"locality_id": [pk for pk, _ in rows]},
        geometry=[shapely.from_geojson(json.dumps(boundary)) for _, boundary in rows],
        crs="EPSG:4326",
    )
    frame.sindex  # noqa: B018  (build the spatial index once, with the frame)
    with _frames_lock:
        _frames[kind] = (version, frame)
    return frame


def localities_at(points: "list[tuple[float, float]]") -> list[PlaceAssignment]:
    """Ward and district of many (latitude, longitude) points at once, by a vectorised spatial join against
    the stored boundaries. Points outside every boundary get None rather than the nearest area."""
    import geopandas as gpd
    import numpy as np

    if not points:
        return []
    coordinates = np.asarray(points, dtype=float).reshape(-1, 2)
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(coordinates[:, 1], coordinates[:, 0]), crs="EPSG:4326")
    kinds = (LocalityKind.WARD.value, LocalityKind.DISTRICT.value)
    versions = _kind_versions(kinds)
    found: dict[str, list[int | None]] = {}
    for kind in kinds:
        result: list[int | None] = [None] * len(points)
        if kind in versions:
            areas = _boundary_frame(kind, versions[kind])
            # "covered_by" rather than "within": a point exactly on the line between two areas (a postcode
            # rounded onto a ward edge) belongs to one of them, not to neither; "intersects" would do the
            # same at twice the cost on 50,000 points.
            joined = gpd.sjoin(frame, areas, how="inner", predicate="covered_by")
            joined = joined[~joined.index.duplicated(keep="first")]
            for index, locality_id in zip(joined.index.tolist(), joined["locality_id"].tolist(), strict=True):
                result[index] = int(locality_id)
        found[kind] = result
    return [
        PlaceAssignment(ward_id=ward, district_id=district)
        for ward, district in zip(found[kinds[0]], found[kinds[1]], strict=True)
    ]
