"""The brokerage bed finder: free block beds of a care type near a postcode or in a district, nearest first,
and providers' reported spot vacancies as a second group."""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from contracts.models import (
    BedLine,
    Closure,
    Contract,
    FreeBedState,
    FreeBedStateDay,
    Hold,
    HoldStatus,
    Placement,
    RateChange,
    VacancyReport,
    live_contract_sql,
)
from contracts.selectors.vacancies import vacancy_stale_before
from contracts.selectors.voids import void_and_free
from core.replica import read_connection, replica_reads
from core.sql import prepared_cursor, timestamps_decoded_in_c
from geo.models import Locality
from geo.selectors import bounding_box, distance_km, near_filter
from providers.models import Condition, Location, RatingValue, RegistrationStatus
from providers.selectors import (
    admissions_open_params,
    admissions_open_sql,
    admissions_stopped,
    admissions_stopped_params,
    admissions_stopped_sql,
)

KM_PER_DEGREE = 6371.0088 * math.pi / 180  # of latitude, on the mean Earth radius
MAX_RADIUS_KM = 100


# --- the bed finder ---------------------------------------------------------------------------------------


@dataclass
class BedSearch:
    care_type: str
    on: date
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    district: Locality | None = None
    postcode: str = ""
    include_restricted: bool = False
    include_spot: bool = False
    limit: int = 100
    results: list[dict] = field(default_factory=list)
    spot: list[dict] | None = None


def _no_admissions(on: date, *, location_ref: str) -> Exists:
    return admissions_stopped(
        on, location_ref=location_ref, provider_ref=f"{location_ref.removesuffix('_id')}__provider_id"
    )


def _place_filter(search: BedSearch, *, prefix: str) -> Q:
    if search.district is not None:
        return Q(**{f"{prefix}district": search.district})
    # The indexed bounding box; _located drops its corners with the exact great-circle distance.
    return near_filter(search.latitude, search.longitude, search.radius_km, prefix=prefix)


# What every row of the answer shows about the home, read with .values(): no model instances to build.
LOCATION_VALUES = {
    "location_id": "location_id",
    "location": "location__name",
    "postcode": "location__postcode",
    "latitude": "location__latitude",
    "longitude": "location__longitude",
    "provider_id": "location__provider_id",
    "provider": "location__provider__name",
    "district_code": "location__district__code",
    "district": "location__district__name",
    "rating": "location__current_rating__overall",
    "rating_date": "location__current_rating__report_date",
    "location_updated_at": "location__updated_at",
}


@replica_reads
def beds_available(search: BedSearch, *, now: datetime | None = None) -> BedSearch:
    """Block beds free on `search.on`, nearest first (or by home name within a district), and optionally
    the providers' reported spot vacancies as a second group. A fixed number of queries: one for the block
    beds, one for spot vacancies."""
    # Freshness is about today, whatever day the broker is searching for.
    stale_before = vacancy_stale_before(today=timezone.localdate())
    candidates = []
    for line in block_lines_free(search, now=now):
        # Free beds are worked out here, not in SQL, so that PostgreSQL counts each line's beds once.
        void, free = void_and_free(
            contracted=line["contracted_beds"],
            placed=line["placed_beds"],
            closed=line["closed_beds"],
            held=line["held_beds"],
        )
        if free < 1:
            continue
        distance = _distance(search, line["location__latitude"], line["location__longitude"])
        if distance is BEYOND:
            continue
        inadequate = line["location__current_rating__overall"] == RatingValue.INADEQUATE
        if (inadequate or line["no_admissions"]) and not search.include_restricted:
            continue
        rank = _rank(search, distance_km=distance, beds=free, name=line["location__name"])
        candidates.append((rank, line, void, free, distance))
    # Ordered and cut first: only the rows the answer shows are shaped (a search near a city finds twice as many).
    candidates.sort(key=lambda candidate: candidate[0])
    search.results = [
        _block_row(line, void=void, free=free, distance=distance, stale_before=stale_before)
        for _, line, void, free, distance in candidates[: search.limit]
    ]
    if search.include_spot:
        search.spot = spot_vacancies(search, stale_before=stale_before)
    return search


def block_lines_free(search: BedSearch, *, now: datetime | None = None) -> list[dict]:
    """The one query behind the block-bed group: active lines of the care type in the search area with the
    beds contracted, placed, closed and held on the day, the rate, and what the answer shows about the home.
    The caller keeps the lines with a bed free, and leaves out Inadequate and no-admissions homes unless
    asked (from the rating and condition flag it shows anyway: as anti-joins they scanned every rating).

    Written as SQL rather than built with the ORM: building and compiling the equivalent queryset took
    longer than PostgreSQL took to answer it. The counts mean exactly what bed_lines_with_voids counts (a
    test compares the two); the SQL is plain enough for SQLite too."""
    state = free_bed_state_ready(search.on)
    sql, params = block_lines_state_sql(search, now=now) if state else block_lines_sql(search, now=now)
    connection = read_connection()
    # Today's search of the state is asked for again and again: it is prepared (core.sql.prepared_cursor).
    with prepared_cursor(connection) if state else connection.cursor() as cursor:
        timestamps_decoded_in_c(cursor)
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def block_lines_sql(search: BedSearch, *, now: datetime | None = None) -> tuple[str, list]:
    ops = connection.ops
    now = ops.adapt_datetimefield_value(now or timezone.now())
    on = ops.adapt_datefield_value(search.on)
    table = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (BedLine, Placement, Closure, Hold, RateChange, VacancyReport, Contract, Condition, Location)
    }
    provider, locality, rating = (
        connection.ops.quote_name(Location._meta.get_field(name).related_model._meta.db_table)
        for name in ("provider", "district", "current_rating")
    )
    if search.district is not None:
        place, place_params = "l.district_id = %s", [search.district.pk]
    else:
        min_lat, max_lat, min_lon, max_lon = bounding_box(search.latitude, search.longitude, search.radius_km)
        scale = math.cos(math.radians(search.latitude)) ** 2
        reach = (search.radius_km * 1.01 / KM_PER_DEGREE) ** 2
        # The indexed bounding box, then a flat-earth circle (plain arithmetic) that drops its corners before
        # any beds are counted; the exact great-circle distance is checked afterwards.
        place = (
            "l.latitude >= %s AND l.latitude <= %s AND l.longitude >= %s AND l.longitude <= %s"
            " AND (l.latitude - %s) * (l.latitude - %s) + (l.longitude - %s) * (l.longitude - %s) * %s <= %s"
        )
        lat, lon = search.latitude, search.longitude
        place_params = [min_lat, max_lat, min_lon, max_lon, lat, lat, lon, lon, scale, reach]
    live, live_params = live_contract_sql("c.status")  # only live contracts' beds are offered
    no_admissions = admissions_stopped_sql(
        condition_table=table["Condition"], location_column="l.id", provider_column="l.provider_id"
    )
    sql = f"""
    SELECT
        bl.id AS "id", c.reference AS "contract__reference", bl.care_type AS "care_type",
        bl.beds AS "contracted_beds",
        (SELECT COUNT(*) FROM {table["Placement"]} p WHERE p.bed_line_id = bl.id
            AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date >= %s)) AS "placed_beds",
        (SELECT COALESCE(SUM(cl.beds), 0) FROM {table["Closure"]} cl WHERE cl.bed_line_id = bl.id
            AND cl.start_date <= %s AND cl.end_date >= %s) AS "closed_beds",
        (SELECT COUNT(*) FROM {table["Hold"]} h WHERE h.bed_line_id = bl.id
            AND h.status = %s AND h.expires_at > %s) AS "held_beds",
        (SELECT r.weekly_rate FROM {table["RateChange"]} r WHERE r.bed_line_id = bl.id AND r.effective_from <= %s
            ORDER BY r.effective_from DESC LIMIT 1) AS "weekly_rate",
        {no_admissions} AS "no_admissions",
        (SELECT MAX(v.report_date) FROM {table["VacancyReport"]} v WHERE v.location_id = l.id) AS "last_reported_on",
        l.id AS "location_id", l.name AS "location__name", l.postcode AS "location__postcode",
        l.latitude AS "location__latitude", l.longitude AS "location__longitude",
        l.updated_at AS "location__updated_at", l.provider_id AS "location__provider_id",
        pr.name AS "location__provider__name", d.code AS "location__district__code",
        d.name AS "location__district__name", rt.overall AS "location__current_rating__overall",
        rt.report_date AS "location__current_rating__report_date"
    FROM {table["BedLine"]} bl
    JOIN {table["Location"]} l ON l.id = bl.location_id
    JOIN {provider} pr ON pr.id = l.provider_id
    JOIN {table["Contract"]} c ON c.id = bl.contract_id
    LEFT JOIN {locality} d ON d.id = l.district_id
    LEFT JOIN {rating} rt ON rt.id = l.current_rating_id
    WHERE bl.care_type = %s AND bl.activation_date <= %s AND (bl.end_date IS NULL OR bl.end_date >= %s)
        AND {live} AND l.registration_status = %s AND {place}
    """  # noqa: S608 - table names come from the models; every value is a parameter
    params = [
        on,
        on,
        on,
        on,
        HoldStatus.HELD.value,
        now,
        on,
        *admissions_stopped_params(on),
        search.care_type,
        on,
        on,
        *live_params,
        RegistrationStatus.REGISTERED.value,
        *place_params,
    ]
    return sql, params


def free_bed_state_ready(on: date) -> bool:
    """Whether the free-bed state (contracts.models.FreeBedState) answers a search on `on`: only on today, once the
    state has been rebuilt for today (a search for another day, or before the daily rebuild, counts the beds)."""
    today = timezone.localdate()
    if on != today:
        return False
    # In SQL: asked before every search of today, where building the ORM's query took twice as long as the answer.
    connection = read_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {connection.ops.quote_name(FreeBedStateDay._meta.db_table)}"  # noqa: S608 - the model's
            f" WHERE id = %s AND {connection.ops.quote_name('on')} = %s",
            [1, connection.ops.adapt_datefield_value(today)],
        )
        return cursor.fetchone() is not None


def block_lines_state_sql(search: BedSearch, *, now: datetime | None = None) -> tuple[str, list]:
    """block_lines_sql for today, read from the free-bed state: the homes near the point by their own index, each
    home's lines of the care type with a bed free by the state's index, restricted homes left out unless asked, and
    (near a point) nearest first by the flat-earth distance, cut in SQL. The cut keeps twice the limit: the exact
    great-circle distance that orders the answer (in _ordered) can swap near neighbours, never ranks far apart.
    Holds are recounted only on a line whose first hold has lapsed since its state was written."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(now or timezone.now())
    on = ops.adapt_datefield_value(search.on)
    table = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (BedLine, FreeBedState, Hold, VacancyReport, Contract, Condition, Location)
    }
    provider, locality, rating = (
        connection.ops.quote_name(Location._meta.get_field(name).related_model._meta.db_table)
        for name in ("provider", "district", "current_rating")
    )
    order, order_params = "", []
    if search.district is not None:
        place, place_params = "l.district_id = %s", [search.district.pk]
    else:
        min_lat, max_lat, min_lon, max_lon = bounding_box(search.latitude, search.longitude, search.radius_km)
        scale = math.cos(math.radians(search.latitude)) ** 2
        reach = (search.radius_km * 1.01 / KM_PER_DEGREE) ** 2
        flat = "((l.latitude - %s) * (l.latitude - %s) + (l.longitude - %s) * (l.longitude - %s) * %s)"
        lat, lon = search.latitude, search.longitude
        flat_params = [lat, lat, lon, lon, scale]
        place = f"l.latitude >= %s AND l.latitude <= %s AND l.longitude >= %s AND l.longitude <= %s AND {flat} <= %s"
        place_params = [min_lat, max_lat, min_lon, max_lon, *flat_params, reach]
        order, order_params = f"ORDER BY {flat} LIMIT %s", [*flat_params, search.limit * 2]
    held = f"""CASE WHEN s.holds_expire_first IS NULL OR s.holds_expire_first > %s THEN s.held_beds
        ELSE (SELECT COUNT(*) FROM {table["Hold"]} h WHERE h.bed_line_id = s.bed_line_id
            AND h.status = %s AND h.expires_at > %s) END"""  # noqa: S608 - table names come from the models
    held_params = [now, HoldStatus.HELD.value, now]
    # NOT IN rather than NOT EXISTS: PostgreSQL turns the latter into an anti-join and spends far longer planning
    # the larger join (20 ms against 2) than running it; the conditions in force are few and hashed once.
    admissions_open = admissions_open_sql(
        condition_table=table["Condition"], location_column="l.id", provider_column="l.provider_id"
    )
    if search.include_restricted:
        # The same hashed lists as the filter below, where an EXISTS per row scanned every condition for every line.
        no_admissions, no_admissions_params = f"NOT ({admissions_open})", admissions_open_params(on)
        restricted, restricted_params = "", []
    else:
        # Homes under a no-admissions condition are left out here, so no row that remains has one.
        no_admissions, no_admissions_params = "FALSE", []
        restricted = f"AND (rt.overall IS NULL OR rt.overall <> %s) AND {admissions_open}"
        restricted_params = [RatingValue.INADEQUATE.value, *admissions_open_params(on)]
    sql = f"""
    SELECT
        s.bed_line_id AS "id", s.contract_reference AS "contract__reference", s.care_type AS "care_type",
        s.contracted_beds AS "contracted_beds", s.placed_beds AS "placed_beds", s.closed_beds AS "closed_beds",
        {held} AS "held_beds", s.weekly_rate AS "weekly_rate", {no_admissions} AS "no_admissions",
        (SELECT MAX(v.report_date) FROM {table["VacancyReport"]} v WHERE v.location_id = l.id) AS "last_reported_on",
        l.id AS "location_id", l.name AS "location__name", l.postcode AS "location__postcode",
        l.latitude AS "location__latitude", l.longitude AS "location__longitude",
        l.updated_at AS "location__updated_at", l.provider_id AS "location__provider_id",
        pr.name AS "location__provider__name", d.code AS "location__district__code",
        d.name AS "location__district__name", rt.overall AS "location__current_rating__overall",
        rt.report_date AS "location__current_rating__report_date"
    FROM {table["Location"]} l
    JOIN {table["FreeBedState"]} s ON s.location_id = l.id AND s.care_type = %s
    JOIN {provider} pr ON pr.id = l.provider_id
    LEFT JOIN {locality} d ON d.id = l.district_id
    LEFT JOIN {rating} rt ON rt.id = l.current_rating_id
    WHERE s.{ops.quote_name("on")} = %s AND s.void_beds > {held} AND l.registration_status = %s AND {place} {restricted}
    {order}
    """  # noqa: S608 - table names come from the models; every value is a parameter
    params = [
        *held_params,
        *no_admissions_params,
        search.care_type,
        on,
        *held_params,
        RegistrationStatus.REGISTERED.value,
        *place_params,
        *restricted_params,
        *order_params,
    ]
    return sql, params


BEYOND = object()  # what _distance says of a home outside the search's circle


def _distance(search: BedSearch, latitude: float | None, longitude: float | None):
    """The home's great-circle distance from the search's point in km as answers show it (None in a district
    search), or BEYOND when it has no coordinates or is in a corner of the bounding box but beyond the radius."""
    if search.district is not None:
        return None
    if latitude is None or longitude is None:
        return BEYOND
    distance = distance_km(search.latitude, search.longitude, latitude, longitude)
    return BEYOND if distance > search.radius_km else round(distance, 2)


def _located(search: BedSearch, values: dict, *, no_admissions) -> dict | None:
    """The home's part of an answer row, from .values() named as in LOCATION_VALUES, with whether it is
    restricted (Inadequate or under a no-admissions condition); None when the home is in a corner of the
    bounding box but beyond the radius."""
    distance = _distance(search, values["location__latitude"], values["location__longitude"])
    if distance is BEYOND:
        return None
    row = {name: values[path] for name, path in LOCATION_VALUES.items() if name not in ("latitude", "longitude")}
    row["distance_km"] = distance
    row["inadequate"] = row["rating"] == RatingValue.INADEQUATE
    row["no_admissions_condition"] = bool(no_admissions)  # SQLite answers EXISTS with 0 or 1
    row["restricted"] = row["inadequate"] or row["no_admissions_condition"]
    return row


def _block_row(line: dict, *, void: int, free: int, distance: float | None, stale_before: date) -> dict:
    """An answer row of the block-bed group from a row of block_lines_free: _located's fields, then the line's, in
    one literal (this runs for every row shown)."""
    inadequate = line["location__current_rating__overall"] == RatingValue.INADEQUATE
    no_admissions = bool(line["no_admissions"])  # SQLite answers EXISTS with 0 or 1
    last_reported = line["last_reported_on"]
    if isinstance(last_reported, str):
        last_reported = date.fromisoformat(last_reported)
    # SQLite's cursor answers the UTC moment Django stored as text, or as a datetime without its zone.
    updated_at = line["location__updated_at"]
    if isinstance(updated_at, str):
        updated_at = datetime.fromisoformat(updated_at)
    if updated_at is not None and updated_at.tzinfo is None:
        updated_at = updated_at.replace(tzinfo=UTC)
    return {
        "location_id": line["location_id"],
        "location": line["location__name"],
        "postcode": line["location__postcode"],
        "provider_id": line["location__provider_id"],
        "provider": line["location__provider__name"],
        "district_code": line["location__district__code"],
        "district": line["location__district__name"],
        "rating": line["location__current_rating__overall"],
        "rating_date": line["location__current_rating__report_date"],
        "location_updated_at": updated_at,
        "distance_km": distance,
        "inadequate": inadequate,
        "no_admissions_condition": no_admissions,
        "restricted": inadequate or no_admissions,
        "group": "block",
        "bed_line_id": line["id"],
        "contract": line["contract__reference"],
        "care_type": line["care_type"],
        "free_beds": free,
        "void_beds": void,
        "held_beds": line["held_beds"],
        "weekly_rate": line["weekly_rate"],
        "vacancy_last_reported_on": last_reported,
        "vacancy_report_stale": last_reported is None or last_reported < stale_before,
    }


def _freshness(last_reported: date | str | None, stale_before: date) -> dict:
    if isinstance(last_reported, str):
        last_reported = date.fromisoformat(last_reported)
    return {
        "vacancy_last_reported_on": last_reported,
        "vacancy_report_stale": last_reported is None or last_reported < stale_before,
    }


def _rank(search: BedSearch, *, distance_km: float | None, beds: int, name: str) -> tuple:
    """Where a row goes in its group: nearest first, then more beds, then by home name; in a district, by name."""
    return (distance_km, -beds, name) if search.district is None else (name, -beds)


def _ordered(search: BedSearch, rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda row: _rank(search, distance_km=row["distance_km"], beds=_beds(row), name=row["location"]))
    return rows[: search.limit]


def _beds(row: dict) -> int:
    return row.get("free_beds", row.get("vacant_beds", 0))


def spot_vacancies(search: BedSearch, *, stale_before: date) -> list[dict]:
    """Each nearby location's latest report for the care type by the search day, where it reported vacant beds
    and accepts admissions. These are provider-reported spot vacancies, not contracted block beds."""
    latest = (
        VacancyReport.objects.filter(
            location=OuterRef("location"), care_type=search.care_type, report_date__lte=search.on
        )
        .order_by("-report_date", "-id")
        .values("id")[:1]
    )
    reports = VacancyReport.objects.filter(
        _place_filter(search, prefix="location__"),
        care_type=search.care_type,
        report_date__lte=search.on,
        id=Subquery(latest),
        vacant_beds__gt=0,
        accepting_admissions=True,
    ).annotate(no_admissions=_no_admissions(search.on, location_ref="location_id"))
    rows = []
    for report in reports.values(*LOCATION_VALUES.values(), "care_type", "vacant_beds", "report_date", "no_admissions"):
        row = _located(search, report, no_admissions=report["no_admissions"])
        if row is None or (row["restricted"] and not search.include_restricted):
            continue
        row.update(group="spot", care_type=report["care_type"], vacant_beds=report["vacant_beds"])
        row.update(_freshness(report["report_date"], stale_before))
        rows.append(row)
    return _ordered(search, rows)


# --- use voids before buying spot ---------------------------------------------------------------------------


def block_beds_free_near(*, location: Location, care_type: str, on: date, radius_km: float | None = None) -> list[dict]:
    """The bed finder's free block beds of `care_type` on `on` within `radius_km` (AVOIDABLE_SPOT_RADIUS_KM when not
    given) of a home, nearest first: what a broker should use before buying a spot bed there. A home with no
    coordinates is searched by its district. Restricted homes (Inadequate, no admissions) are left out, as the bed
    finder leaves them out."""
    radius = settings.AVOIDABLE_SPOT_RADIUS_KM if radius_km is None else radius_km
    if location.latitude is not None and location.longitude is not None:
        search = BedSearch(
            care_type=care_type, on=on, latitude=location.latitude, longitude=location.longitude, radius_km=radius
        )
    elif location.district_id is not None:
        search = BedSearch(care_type=care_type, on=on, district=location.district)
    else:
        return []
    return beds_available(search).results
