"""Reads about place: postcode lookup, distances and bounding boxes for "near a point" queries."""

import json
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import connections, router
from django.db.models import Q, QuerySet

from core.errors import DomainError, ServiceUnavailable
from geo.caching import cache_get, cache_set
from geo.models import BoundaryImport, Locality, LocalityBoundary, LocalityKind, Postcode

EARTH_RADIUS_KM = 6371.0088
# The UK postcode format (GOV.UK Bulk Data Transfer pattern, simplified), after normalisation.
POSTCODE_PATTERN = re.compile(r"^(GIR 0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? [0-9][ABD-HJLNP-UW-Z]{2})$")


def _either_case(pattern: str) -> str:
    """The same pattern in either case, for JSON Schema (ECMAScript regexes have no case-insensitive flag)."""
    out, inside = [], False
    for part in re.split(r"(\[|\]|[A-Z]-[A-Z]|[A-Z])", pattern):
        if part == "[" or part == "]":
            inside = part == "["
            out.append(part)
        elif re.fullmatch(r"[A-Z]-[A-Z]", part):
            out.append(part + part.lower() if inside else part)
        elif re.fullmatch(r"[A-Z]", part):
            out.append(part + part.lower() if inside else f"[{part}{part.lower()}]")
        else:
            out.append(part)
    return "".join(out)


# What postcode_normalise turns into a postcode of POSTCODE_PATTERN's shape, as the API's schema declares it: either
# case, with or without spaces around and between its halves.
POSTCODE_INPUT_PATTERN = (
    "^ *(?:" + _either_case("GIR *0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? *[0-9][ABD-HJLNP-UW-Z]{2}") + ") *$"
)


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
    row = _postcode_row(normalised)
    if row is None:
        if settings.POSTCODE_ONLINE_LOOKUP:
            return _geocode_online(normalised, field=field)
        raise UnknownPostcode(f"Postcode {normalised} is not in the postcode directory.", field=field)
    latitude, longitude, district_code, ward_code, terminated = row
    if terminated:
        raise UnknownPostcode(f"Postcode {normalised} has been terminated and is no longer in use.", field=field)
    if latitude is None or longitude is None:
        raise UnknownPostcode(f"Postcode {normalised} has no grid reference.", field=field)
    return Point(latitude, longitude, normalised, district_code, ward_code)


_POSTCODE_COLUMNS = ("latitude", "longitude", "district_code", "ward_code", "terminated")


def _postcode_row(normalised: str) -> tuple | None:
    """The postcode's row as _POSTCODE_COLUMNS, from the database the router reads it from (the replica inside
    @replica_reads). In SQL: every bed finder search asks, and building the ORM's query and its row took 0.4 ms of
    CPU against 0.05 for the SQL."""
    connection = connections[router.db_for_read(Postcode)]
    quote = connection.ops.quote_name
    column = {name: quote(Postcode._meta.get_field(name).column) for name in ("postcode", *_POSTCODE_COLUMNS)}
    columns = ", ".join(column[name] for name in _POSTCODE_COLUMNS)
    table = quote(Postcode._meta.db_table)
    with connection.cursor() as cursor:
        # Names from the model; the postcode is a parameter.
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {column['postcode']} = %s", [normalised])  # noqa: S608
        return cursor.fetchone()


def _geocode_online(postcode: str, *, field: str) -> Point:
    """Ask the online postcode service (postcodes.io style) about a postcode missing from the table.
    Answers are cached for a day; a postcode the service does not know is unknown, never guessed."""
    import httpx

    key = f"geo:postcode-online:{postcode.replace(' ', '')}"
    found = cache_get(key)
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
        cache_set(key, found, timeout=24 * 60 * 60)
    if not found or found.get("latitude") is None or found.get("longitude") is None:
        raise UnknownPostcode(
            f"Postcode {postcode} is not known to the postcode directory or the online lookup.", field=field
        )
    return Point(found["latitude"], found["longitude"], postcode, found["district_code"], found["ward_code"])


def boundary_imports_recent() -> QuerySet[BoundaryImport]:
    """Every boundary upload, newest first (the API and the pages paginate it)."""
    return BoundaryImport.objects.select_related("created_by").order_by("-created_at", "-id")


def boundary_import_progress_key(boundary_import_id: int) -> str:
    """The percent done alone (what releases before the stage and rows were kept read, so it is still written)."""
    return f"geo:boundary-import:{boundary_import_id}:progress"


def boundary_import_live_key(boundary_import_id: int) -> str:
    """The percent with the stage and its rows done and in all, under a key of its own: a web process of an
    earlier release, which reads the percent key as a number, never meets this one during a rolling deploy."""
    return f"geo:boundary-import:{boundary_import_id}:live"


@dataclass(frozen=True)
class BoundaryImportProgress:
    """How far an import has got: percent done and, while it runs, the stage ("checking" the file's rows, then
    "writing" them) with its rows done of the rows there are."""

    percent: int
    stage: str = ""
    done: int | None = None
    total: int | None = None


def boundary_import_live(record: BoundaryImport) -> BoundaryImportProgress:
    """Live from the cache while the import runs (its writes are not visible until it commits)."""
    if record.status == BoundaryImport.Status.RUNNING:
        live = cache_get(boundary_import_live_key(record.pk))
        if isinstance(live, dict):
            return BoundaryImportProgress(
                percent=int(live["percent"]), stage=live["stage"], done=live["done"], total=live["total"]
            )
        percent = cache_get(boundary_import_progress_key(record.pk))
        if percent is not None:  # written by a worker of the previous release: the percent alone
            return BoundaryImportProgress(percent=int(percent))
    return BoundaryImportProgress(percent=record.progress)


def boundary_import_progress(record: BoundaryImport) -> int:
    """Percent done: live from the cache while the import runs (its writes are not visible until it commits)."""
    return boundary_import_live(record).percent


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


# Parsed boundaries for localities_at, per process, by locality id with the updated_at they were parsed at.
# Only boundaries whose bounding box holds a point asked about are ever parsed, and at most
# GEO_BOUNDARY_CACHE_SIZE are kept (least recently used go first): parsing every ward of England into each
# worker would take gigabytes.
_parsed: OrderedDict[int, tuple[object, object]] = OrderedDict()
_parsed_lock = threading.Lock()
# The stored bounding boxes are rounded to 6 decimals; a point on a box's edge must not fall outside it.
BOX_MARGIN = 1e-6


def _candidates(kind: str, longitudes, latitudes, tree) -> list[tuple[int, object]]:
    """(id, updated_at) of the localities of a kind whose bounding box holds at least one of the points:
    SQL prefilters by the points' envelope on the indexed box columns, then each box is tested against the
    points themselves."""
    rows = list(
        Locality.objects.filter(
            kind=kind,
            geometry__isnull=False,
            min_latitude__lte=float(latitudes.max()) + BOX_MARGIN,
            max_latitude__gte=float(latitudes.min()) - BOX_MARGIN,
            min_longitude__lte=float(longitudes.max()) + BOX_MARGIN,
            max_longitude__gte=float(longitudes.min()) - BOX_MARGIN,
        )
        .order_by("pk")
        .values_list("id", "updated_at", "min_longitude", "min_latitude", "max_longitude", "max_latitude")
    )
    if not rows:
        return []
    import numpy as np

    boxes = np.asarray([row[2:] for row in rows], dtype=float)
    boxes[:, :2] -= BOX_MARGIN
    boxes[:, 2:] += BOX_MARGIN
    holding = np.unique(tree.query(shapely.box(*boxes.T), predicate="intersects")[0])
    return [(rows[index][0], rows[index][1]) for index in holding.tolist()]


def _boundaries_parsed(candidates: list[tuple[int, object]]) -> list:
    """The shapely geometries of the candidates, parsing only those not already parsed at that version."""
    found: dict[int, object] = {}
    with _parsed_lock:
        for pk, version in candidates:
            cached = _parsed.get(pk)
            if cached is not None and cached[0] == version:
                found[pk] = cached[1]
                _parsed.move_to_end(pk)
    missing = [pk for pk, _ in candidates if pk not in found]
    versions = dict(candidates)
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for pk, boundary in LocalityBoundary.objects.filter(locality__in=chunk).values_list("locality_id", "boundary"):
            geometry = shapely.from_geojson(json.dumps(boundary))
            found[pk] = geometry
            with _parsed_lock:
                _parsed[pk] = (versions[pk], geometry)
                _parsed.move_to_end(pk)
                while len(_parsed) > settings.GEO_BOUNDARY_CACHE_SIZE:
                    _parsed.popitem(last=False)
    return [found.get(pk) for pk, _ in candidates]


def localities_at(points: "list[tuple[float, float]]") -> list[PlaceAssignment]:
    """Ward and district of many (latitude, longitude) points at once, by a vectorised spatial join against
    the stored boundaries whose bounding box holds one of the points. Points outside every boundary get
    None rather than the nearest area."""
    import geopandas as gpd
    import numpy as np

    if not points:
        return []
    coordinates = np.asarray(points, dtype=float).reshape(-1, 2)
    latitudes, longitudes = coordinates[:, 0], coordinates[:, 1]
    located = shapely.points(longitudes, latitudes)
    frame = gpd.GeoDataFrame(geometry=located, crs="EPSG:4326")
    tree = shapely.STRtree(located)  # the points, to test stored bounding boxes against
    kinds = (LocalityKind.WARD.value, LocalityKind.DISTRICT.value)
    found: dict[str, list[int | None]] = {}
    for kind in kinds:
        result: list[int | None] = [None] * len(points)
        candidates = _candidates(kind, longitudes, latitudes, tree)
        geometries = _boundaries_parsed(candidates)
        kept = [(pk, geometry) for (pk, _), geometry in zip(candidates, geometries, strict=True) if geometry]
        if kept:
            areas = gpd.GeoDataFrame(
                {"locality_id": [pk for pk, _ in kept]}, geometry=[geometry for _, geometry in kept], crs="EPSG:4326"
            )
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


# --- what an area covers ---------------------------------------------------------------------------------


@dataclass
class LocalityParts:
    """The wards and districts an area covers, for counting what sits in it by a ward or district column."""

    wards: set[int]
    districts: set[int]


def locality_parts(localities: "list[Locality]") -> dict[int, LocalityParts]:
    """For each locality, the ward and district ids whose contents count towards it: a ward itself; a district
    itself and its wards; a county (or region) its districts and their wards; a lot area, cluster or custom area
    what its members cover, whatever they are (wards, districts, a county, another area and its members). The one
    answer to "which wards does this area cover", for the map, supply and contingency alike.

    One query per level of nesting (a lot area of wards: one; a lot area made of a county: three), whatever the
    number of localities."""
    parts = {locality.id: LocalityParts(wards=set(), districts=set()) for locality in localities}
    through = Locality.members.through
    reached: set[tuple[int, int]] = set()  # (area, locality) already counted: a loop of members ends

    def reach(area_id: int, locality_id: int, kind: str, frontier: dict[int, set[int]]) -> None:
        if (area_id, locality_id) in reached:
            return
        reached.add((area_id, locality_id))
        if kind == LocalityKind.WARD:
            parts[area_id].wards.add(locality_id)
            return
        if kind == LocalityKind.DISTRICT:
            parts[area_id].districts.add(locality_id)
        frontier.setdefault(locality_id, set()).add(area_id)  # its children and members count too

    frontier: dict[int, set[int]] = {}
    for locality in localities:
        reach(locality.id, locality.id, locality.kind, frontier)
    while frontier:
        holders, frontier = frontier, {}
        ids = list(holders)
        # Children and members in one statement: (child or member, its kind, the holder it came from).
        children = Locality.objects.filter(parent_id__in=ids).values_list("id", "kind", "parent_id")
        members = through.objects.filter(from_locality_id__in=ids).values_list(
            "to_locality_id", "to_locality__kind", "from_locality_id"
        )
        below = children.order_by().union(members.order_by(), all=True)
        for locality_id, kind, holder_id in below:
            for area_id in holders[holder_id]:
                reach(area_id, locality_id, kind, frontier)
    return parts


def wards_by_area(area_ids) -> dict[int, set[int]]:
    """The ward ids each area (by id) covers: locality_parts' wards."""
    areas = list(Locality.objects.filter(pk__in=list(area_ids)).only("id", "kind"))
    return {area_id: part.wards for area_id, part in locality_parts(areas).items()}


class AreaIndex:
    """Which areas a thing counts towards, from the ward and district it is in (built from locality_parts)."""

    def __init__(self, parts: dict[int, LocalityParts]):
        self.by_ward: dict[int, set[int]] = {}
        self.by_district: dict[int, set[int]] = {}
        for area_id, part in parts.items():
            for ward_id in part.wards:
                self.by_ward.setdefault(ward_id, set()).add(area_id)
            for district_id in part.districts:
                self.by_district.setdefault(district_id, set()).add(area_id)

    def areas(self, *, ward_id: int | None, district_id: int | None) -> set[int]:
        return self.by_ward.get(ward_id, set()) | self.by_district.get(district_id, set())

    def filter(self, *, ward: str = "ward_id", district: str = "district_id") -> Q:
        """Rows in any of the areas, for a queryset whose ward and district columns are `ward` and `district`."""
        return Q(**{f"{ward}__in": list(self.by_ward)}) | Q(**{f"{district}__in": list(self.by_district)})
