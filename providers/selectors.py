"""Reads of providers, locations, ratings and changes. Each list is one query (plus fixed prefetches),
whatever its length; provider users see only their own providers' rows."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import provider_scope
from geo.caching import cache_get
from geo.models import Locality
from geo.selectors import AreaIndex, locality_parts
from providers.models import (
    Condition,
    Location,
    LocationReport,
    Provider,
    Rating,
    RatingChange,
    RatingValue,
    RegistrationEvent,
    RegistrationStatus,
    SyncRun,
    SyncStatus,
)


def conditions_in_force(on: date) -> QuerySet[Condition]:
    """The one rule for a CQC condition in force on a day: imposed on or before it and not lifted by then (a lift
    date after the day still counts). Everything that asks reads this, or admissions_stopped_sql in SQL."""
    return Condition.objects.filter(imposed_on__lte=on).filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))


def active_conditions() -> QuerySet[Condition]:
    """Conditions in force today."""
    return conditions_in_force(timezone.localdate())


def admissions_stopped(on: date, *, location_ref: str = "pk", provider_ref: str = "provider_id") -> Exists:
    """Whether a home may take no one on a day: a condition in force that stops admissions, at the home itself or,
    recorded with no home, at its whole provider."""
    stops = conditions_in_force(on).filter(stops_admissions=True)
    return Exists(stops.filter(location=OuterRef(location_ref))) | Exists(
        stops.filter(location__isnull=True, provider=OuterRef(provider_ref))
    )


def admissions_stopped_sql(*, condition_table: str, location_column: str, provider_column: str) -> str:
    """admissions_stopped in hand-written SQL, as an EXISTS over the conditions table; its parameters, in order,
    are admissions_stopped_params(on)."""
    # Names come from the models and the caller's aliases; every value is a parameter.
    return (
        f"EXISTS (SELECT 1 FROM {condition_table} cd WHERE cd.stops_admissions = %s"  # noqa: S608
        " AND cd.imposed_on <= %s AND (cd.lifted_on IS NULL OR cd.lifted_on > %s)"
        f" AND (cd.location_id = {location_column}"
        f" OR (cd.location_id IS NULL AND cd.provider_id = {provider_column})))"
    )


def admissions_stopped_params(on: date) -> list:
    return [True, on, on]


def admissions_open_sql(*, condition_table: str, location_column: str, provider_column: str) -> str:
    """The negation of admissions_stopped_sql written with NOT IN, which PostgreSQL plans far faster than a
    NOT EXISTS anti-join in a large search (the conditions in force are few and hashed once); its parameters
    are admissions_open_params(on)."""
    in_force = "cd.stops_admissions = %s AND cd.imposed_on <= %s AND (cd.lifted_on IS NULL OR cd.lifted_on > %s)"
    return (
        f"{location_column} NOT IN (SELECT cd.location_id FROM {condition_table} cd"  # noqa: S608
        f" WHERE cd.location_id IS NOT NULL AND {in_force})"
        f" AND {provider_column} NOT IN (SELECT cd.provider_id FROM {condition_table} cd"
        f" WHERE cd.location_id IS NULL AND {in_force})"
    )


def admissions_open_params(on: date) -> list:
    return [*admissions_stopped_params(on), *admissions_stopped_params(on)]


def _stops_admissions_now():
    return admissions_stopped(timezone.localdate())


def providers_list(*, user) -> QuerySet[Provider]:
    location_count = (
        Location.objects.filter(provider=OuterRef("pk"))
        .order_by()
        .values("provider")
        .annotate(count=Count("*"))
        .values("count")
    )
    queryset = Provider.objects.annotate(location_count=Subquery(location_count, output_field=IntegerField())).order_by(
        "name", "id"
    )
    return provider_scope(queryset, user, provider_field="")


def provider_detail_queryset(*, user) -> QuerySet[Provider]:
    return providers_list(user=user).prefetch_related(
        Prefetch("locations", queryset=Location.objects.select_related("current_rating").order_by("name"))
    )


def locations_list(*, user) -> QuerySet[Location]:
    queryset = (
        Location.objects.select_related("provider", "district", "ward", "current_rating")
        .annotate(stops_admissions=_stops_admissions_now())
        .order_by("name", "id")
    )
    return provider_scope(queryset, user)


def location_detail_queryset(*, user) -> QuerySet[Location]:
    return locations_list(user=user).prefetch_related(
        Prefetch("conditions", queryset=active_conditions().order_by("-imposed_on"), to_attr="active_conditions"),
        Prefetch("reports", queryset=LocationReport.objects.order_by("-report_date", "-id")),
    )


def ratings_of(*, location: Location) -> QuerySet[Rating]:
    return Rating.objects.filter(location=location).order_by("-report_date", "-id")


def rating_changes_of(*, location: Location) -> QuerySet[RatingChange]:
    return RatingChange.objects.filter(location=location).select_related("location", "provider")


def registration_events_of(*, location: Location) -> QuerySet[RegistrationEvent]:
    return RegistrationEvent.objects.filter(location=location)


def rating_changes_since(
    since: datetime | None = None, *, user=None, include_historic: bool = False
) -> QuerySet[RatingChange]:
    """Rating changes detected since a moment (all when None), newest first: what the alert engine reads.
    Historic changes (found while a location's history was first loaded) are news to nobody and are left out
    unless asked for."""
    queryset = RatingChange.objects.select_related("location", "provider", "location__district")
    if not include_historic:
        queryset = queryset.filter(historic=False)
    if since is not None:
        queryset = queryset.filter(detected_at__gte=since)
    if user is not None:
        queryset = provider_scope(queryset, user)
    return queryset.order_by("-detected_at", "-id")


# --- map layer --------------------------------------------------------------------------------------------

# "Requires improvement or worse": the two ratings below Good.
BELOW_GOOD = (RatingValue.REQUIRES_IMPROVEMENT, RatingValue.INADEQUATE)


def ratings_layer_properties(localities: list[Locality]) -> dict[int, dict]:
    """For each area on the map: its registered care homes, their registered beds, the beds in homes whose
    latest overall rating is Requires improvement or Inadequate, and that as a share of all the beds (None
    with no beds). A home not yet rated counts in the beds but not as rated below Good. Three queries."""
    index = AreaIndex(locality_parts(localities))
    found = {
        locality.id: {"care_homes": 0, "registered_beds": 0, "beds_requires_improvement_or_worse": 0}
        for locality in localities
    }
    homes = Location.objects.filter(index.filter(), care_home=True, registration_status=RegistrationStatus.REGISTERED)
    for ward_id, district_id, beds, overall in homes.values_list(
        "ward_id", "district_id", "registered_beds", "current_rating__overall"
    ):
        for area_id in index.areas(ward_id=ward_id, district_id=district_id):
            figures = found[area_id]
            figures["care_homes"] += 1
            figures["registered_beds"] += beds or 0
            if overall in BELOW_GOOD:
                figures["beds_requires_improvement_or_worse"] += beds or 0
    for figures in found.values():
        beds = figures["registered_beds"]
        figures["share_beds_requires_improvement_or_worse"] = (
            round(figures["beds_requires_improvement_or_worse"] / beds, 4) if beds else None
        )
    return found


def care_homes_on_map(*, user) -> QuerySet[Location]:
    """Registered care homes with a position, for the map's markers (one query, only the columns shown)."""
    queryset = Location.objects.filter(
        care_home=True,
        registration_status=RegistrationStatus.REGISTERED,
        latitude__isnull=False,
        longitude__isnull=False,
    ).order_by("name", "id")
    return provider_scope(queryset, user).values(
        "id", "name", "latitude", "longitude", "registered_beds", "current_rating__overall", "provider__name"
    )


def ratings_layer_version() -> str:
    """Changes whenever a home's current rating could: the rating import moves it only to a rating it has just
    added (a new row), and any other change to a home (beds, registration, district) moves its updated_at."""
    locations = Location.objects.aggregate(n=Count("id"), highest=Max("id"), latest=Max("updated_at"))
    ratings = Rating.objects.aggregate(n=Count("id"), highest=Max("id"))
    return f"{locations}.{ratings}".replace(" ", "")


# --- CQC sync runs ---------------------------------------------------------------------------------------


def sync_runs_recent() -> QuerySet[SyncRun]:
    """Every run of the CQC sync, newest first (the pages paginate it)."""
    return SyncRun.objects.order_by("-started_at", "-id")


def sync_run_fetched_key(run_id: int) -> str:
    return f"providers:sync-run:{run_id}:fetched"


@dataclass(frozen=True)
class SyncRunProgress:
    """How far a run has got: locations read (live while it runs), and of what is known of the whole, the
    changed locations it reads (`to_fetch`) or the first load's pages stored of the list's pages."""

    running: bool
    fetched: int
    to_fetch: int | None
    pages_done: int
    pages_total: int | None

    @property
    def percent(self) -> int | None:
        """Of the window's locations, or of the first load's pages; None when the whole is not known."""
        if self.to_fetch:
            return min(100, 100 * self.fetched // self.to_fetch)
        if self.pages_total:
            return min(100, 100 * self.pages_done // self.pages_total)
        return None


def sync_run_progress(run: SyncRun) -> SyncRunProgress:
    running = run.status == SyncStatus.RUNNING
    live = cache_get(sync_run_fetched_key(run.pk)) if running else None
    return SyncRunProgress(
        running=running,
        fetched=max(int(live), run.fetched) if live is not None else run.fetched,
        to_fetch=run.to_fetch,
        pages_done=run.pages_done,
        pages_total=run.pages_total,
    )
