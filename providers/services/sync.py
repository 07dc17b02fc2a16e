"""The CQC sync. The first load reads every location in scope, committed page by page of CQC's list of
locations with its place kept in CqcSyncState, so a region or all of England completes over several runs. Later
runs fetch what changed since the cursor, upsert it, record rating changes, and move the cursor only when the
whole window was stored. A record CQC sends malformed is counted as failed and listed
in the run's errors, and the next runs fetch it again until it is stored."""

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from core.errors import Conflict, DomainError
from geo.caching import cache_delete, cache_set
from providers.cqc import CqcClient, CqcNotFound, CqcUnavailable
from providers.models import CqcSyncState, Location, Provider, RegistrationStatus, SyncRun, SyncStatus
from providers.selectors import sync_run_fetched_key
from providers.services.ratings import (
    KEY_QUESTIONS,
    QUESTION_NAMES,
    RatingInput,
    rating_input_check,
    ratings_record,
)
from providers.services.register import ReportInput, location_reports_record, locations_upsert, providers_upsert
from providers.signals import risk_changed_send

logger = logging.getLogger(__name__)

SOURCE = "cqc_api"


class SyncNotConfigured(DomainError):
    code = "cqc_sync_not_configured"


class SyncAlreadyRunning(Conflict):
    code = "cqc_sync_running"


# --- reading API bodies ---------------------------------------------------------------------------------

LIVE_COUNT_EVERY = 25  # locations read between two writes of a run's live count to the cache


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return parse_date(str(value)[:10])
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _names(items: Any, key: str = "name") -> list[str]:
    return [str(item[key]) for item in items or [] if isinstance(item, dict) and item.get(key)]


def _status(value: Any) -> str:
    return (
        RegistrationStatus.DEREGISTERED if str(value or "").lower() == "deregistered" else RegistrationStatus.REGISTERED
    )


def provider_record_from_api(body: dict) -> dict:
    if not body.get("providerId") or not body.get("name"):
        raise DomainError("A CQC provider record has no providerId or name.", field="providerId")
    return {
        "cqc_provider_id": body["providerId"],
        "name": str(body["name"])[:300],
        "organisation_type": str(body.get("organisationType") or body.get("type") or "")[:100],
        "companies_house_number": str(body.get("companiesHouseNumber") or "")[:20],
        "brand": str(body.get("brandName") or "")[:200],
        "registration_status": _status(body.get("registrationStatus")),
        "registration_date": _date(body.get("registrationDate")),
        "deregistration_date": _date(body.get("deregistrationDate")),
    }


def location_record_from_api(body: dict) -> dict:
    """Model fields of a location from a `/locations/{id}` body. Unknown fields are ignored, missing optional
    ones left empty."""
    for name in ("locationId", "providerId", "name"):
        if not body.get(name):
            raise DomainError(f"A CQC location record has no {name}.", field=name)
    beds = body.get("numberOfBeds")
    return {
        "cqc_location_id": body["locationId"],
        "provider_cqc_id": body["providerId"],
        "name": str(body["name"])[:300],
        "address_line_1": str(body.get("postalAddressLine1") or "")[:300],
        "address_line_2": str(body.get("postalAddressLine2") or "")[:300],
        "town": str(body.get("postalAddressTownCity") or "")[:100],
        "county": str(body.get("postalAddressCounty") or "")[:100],
        "postcode": str(body.get("postalCode") or ""),
        "latitude": _float(body.get("onspdLatitude")),
        "longitude": _float(body.get("onspdLongitude")),
        "local_authority": str(body.get("localAuthority") or "")[:100],
        "region": str(body.get("region") or "")[:100],
        "location_type": str(body.get("type") or "")[:100],
        "care_home": str(body.get("careHome") or "").upper() == "Y",
        "registered_beds": int(beds) if str(beds or "").isdigit() else None,
        # The description is CQC's formal service type ("Care home service with nursing"); the name is short.
        "service_types": [
            str(item.get("description") or item.get("name"))
            for item in body.get("gacServiceTypes") or []
            if isinstance(item, dict) and (item.get("description") or item.get("name"))
        ],
        "regulated_activities": _names(body.get("regulatedActivities")),
        "specialisms": _names(body.get("specialisms")),
        "service_user_bands": _names(body.get("serviceUserBands")),
        "registration_status": _status(body.get("registrationStatus")),
        "registration_date": _date(body.get("registrationDate")),
        "deregistration_date": _date(body.get("deregistrationDate")),
        "dormant": str(body.get("dormancy") or "").upper() == "Y",
        # Only the date: the manager's name, which CQC also sends, is personal data.
        "registered_manager_absent_date": _date(body.get("registeredManagerAbsentDate")),
    }


def reports_from_api(body: dict) -> list[ReportInput]:
    """The inspection reports a location body lists (`reports[]`); one without its `linkId` makes the record
    malformed (DomainError naming the field)."""
    found = []
    for position, item in enumerate(body.get("reports") or [], start=1):
        if not isinstance(item, dict) or not item.get("linkId"):
            raise DomainError(f"Report {position} of the CQC location record has no linkId.", field="reports.linkId")
        found.append(
            ReportInput(
                link_id=str(item["linkId"])[:100],
                report_date=_date(item.get("reportDate")),
                report_type=str(item.get("reportType") or "")[:100],
                first_visit_date=_date(item.get("firstVisitDate")),
            )
        )
    return found


def _rating_from(overall: dict, *, report_date: Any = None, link: Any = None) -> RatingInput | None:
    value = overall.get("rating")
    if not value:
        return None
    questions = {}
    for item in overall.get("keyQuestionRatings") or []:
        question = QUESTION_NAMES.get(str(item.get("name", "")).strip().lower())
        if question in KEY_QUESTIONS and item.get("rating"):
            questions[question] = item["rating"]
    rating = RatingInput(
        location_id=0,
        overall=value,
        report_date=_date(overall.get("reportDate") or report_date),
        report_link_id=str(overall.get("reportLinkId") or link or "")[:100],
        **{q: questions.get(q, "") for q in KEY_QUESTIONS},
    )
    rating_input_check(rating)
    return rating


def ratings_from_api(body: dict) -> list[RatingInput]:
    """Current and historic ratings of a location body (`currentRatings.overall`, `historicRatings[]`), each
    checked (DomainError naming the question for a value CQC does not publish). Their `location_id` is 0:
    the location's primary key is known only once it is stored."""
    found = []
    for historic in body.get("historicRatings") or []:
        if isinstance(historic, dict) and isinstance(historic.get("overall"), dict):
            rating = _rating_from(
                historic["overall"],
                report_date=historic.get("reportDate"),
                link=historic.get("reportLinkId"),
            )
            if rating:
                found.append(rating)
    current = (body.get("currentRatings") or {}).get("overall")
    if isinstance(current, dict):
        rating = _rating_from(current)
        if rating:
            found.append(rating)
    return found


# --- scope and state ------------------------------------------------------------------------------------


def sync_state() -> CqcSyncState:
    state, _ = CqcSyncState.objects.get_or_create(key="cqc")
    return state


@transaction.atomic
def sync_scope_set(
    *,
    enabled: bool,
    local_authorities: list[str],
    regions: list[str],
    all_england: bool,
) -> CqcSyncState:
    """What the CQC sync covers. Where it has reached (its cursor and first-load pages) is the sync's own to
    write: an edited cursor would skip or replay CQC's changes."""
    state = CqcSyncState.objects.select_for_update().get(pk=sync_state().pk)
    state.enabled, state.local_authorities, state.regions, state.all_england = (
        enabled,
        list(local_authorities),
        list(regions),
        all_england,
    )
    state.save(update_fields=["enabled", "local_authorities", "regions", "all_england", "updated_at"])
    return state


def sync_scope(state: CqcSyncState) -> tuple[list[str], list[str]]:
    """Local authorities and regions tracked: the admin-edited lists when set, else the settings."""
    if state.local_authorities or state.regions:
        return list(state.local_authorities), list(state.regions)
    return list(settings.CQC_LOCAL_AUTHORITIES), list(settings.CQC_REGIONS)


def _in_scope(record: dict, authorities: list[str], regions: list[str], everywhere: bool) -> bool:
    if everywhere:
        return True
    return record["local_authority"].lower() in {a.lower() for a in authorities} or record["region"].lower() in {
        r.lower() for r in regions
    }


# --- the run --------------------------------------------------------------------------------------------


def sync_run_start() -> SyncRun:
    return SyncRun.objects.create()


# Where an administrator is told to set the key (the README's settings table says the same).
KEY_SETTING = "CQC_API_KEY"
# One quick retry when queueing by hand: the administrator waits for the answer.
QUEUE_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def sync_run_queue() -> None:
    """Queue a sync now, out of the hourly turn: the same task (providers.tasks.cqc_sync) the schedule runs, so the
    run is recorded, counted and continued just as an hourly one. Refused without a subscription key, while a run
    goes on, and when the task queue cannot be reached."""
    from kombu.exceptions import OperationalError

    from providers.tasks import cqc_sync

    if not settings.CQC_API_KEY:
        raise SyncNotConfigured(
            f"No CQC subscription key is set: set {KEY_SETTING} in the service's environment, then restart the "
            "web, worker and beat processes."
        )
    alive_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    if SyncRun.objects.filter(status=SyncStatus.RUNNING, started_at__gte=alive_since).exists():
        raise SyncAlreadyRunning("A sync is running now; follow it below, and run another once it has finished.")
    try:
        cqc_sync.apply_async(retry=True, retry_policy=QUEUE_RETRY)
    except (OperationalError, OSError):
        raise DomainError("The task queue cannot be reached; try again in a minute.") from None


def _an_earlier_run_is_running(run: SyncRun) -> bool:
    # Every run is recorded as running from its start, so of two started together the earlier one goes on.
    # A run whose worker died stays "running"; past the task time limit it cannot still be alive.
    alive_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return SyncRun.objects.filter(status=SyncStatus.RUNNING, pk__lt=run.pk, started_at__gte=alive_since).exists()


def sync_time_budget() -> float:
    """Seconds a run may spend on a first load before it stops at the end of a page, leaving room within
    CELERY_TASK_TIME_LIMIT for the page under way (a page of 1,000 locations takes about 4 minutes at 5
    requests a second)."""
    return float(settings.CQC_SYNC_TIME_BUDGET_SECONDS)


def cqc_sync_run(
    *,
    run: SyncRun,
    client: CqcClient | None = None,
    now: datetime | None = None,
    time_budget_seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SyncRun:
    """Sync the window from the stored cursor to `now`, or, with no cursor yet, go on with the first load of
    the scope. A first load is stored page by page of CQC's list of locations and stops at the end of a page
    once `time_budget_seconds` are spent (the run is then "incomplete"); the next run continues from the page
    after. A window of changes is written in one transaction at its end. A failure marks the run failed and
    leaves the cursor (and the pages already loaded)."""
    if _an_earlier_run_is_running(run):
        run.status, run.finished_at = SyncStatus.FAILED, timezone.now()
        run.errors = [{"message": "Another CQC sync was running; this one did nothing."}]
        run.save(update_fields=["status", "finished_at", "errors"])
        raise SyncAlreadyRunning("Another CQC sync is running.")
    owned_client = client is None
    client = client or CqcClient()
    budget = sync_time_budget() if time_budget_seconds is None else time_budget_seconds
    deadline = clock() + budget
    try:
        return _run(run=run, client=client, now=now or timezone.now(), out_of_time=lambda: clock() >= deadline)
    finally:
        cache_delete(sync_run_fetched_key(run.pk))
        risk_changed_send("cqc_sync")  # failed runs too: the alert on a failing sync counts them
        if owned_client:
            client.close()


def _run(*, run: SyncRun, client: CqcClient, now: datetime, out_of_time: Callable[[], bool]) -> SyncRun:
    state = sync_state()
    authorities, regions = sync_scope(state)
    everywhere = state.all_england and not (authorities or regions)
    run.window_start, run.window_end, run.full_load = state.cursor, now, state.cursor is None
    run.save(update_fields=["window_start", "window_end", "full_load"])
    try:
        if not (authorities or regions or everywhere):
            raise SyncNotConfigured(
                "The CQC sync has no scope: set CQC_LOCAL_AUTHORITIES or CQC_REGIONS, or the local authorities "
                "in the CQC sync settings in the admin."
            )
        if not state.enabled:
            raise SyncNotConfigured("The CQC sync is switched off in the CQC sync settings.")
        scope = (authorities, regions, everywhere)
        if state.cursor is None:
            _first_load(run=run, state=state, client=client, scope=scope, now=now, out_of_time=out_of_time)
        else:
            _changes_sync(run=run, state=state, client=client, scope=scope, now=now)
    except Exception as exc:
        # Whatever the cause, the run is recorded as failed and the cursor stays; of a first load, the pages
        # stored before the failure are kept and the next run continues after them.
        message = exc.message if isinstance(exc, DomainError) else f"Unexpected error: {type(exc).__name__}"
        run.status, run.finished_at = SyncStatus.FAILED, timezone.now()
        run.errors = [*run.errors, {"message": message}]
        run.save()
        logger.warning("CQC sync %s failed: %s", run.pk, message)
        raise
    return run


def _failed_in_last_run() -> dict[str, list[str]]:
    # The cursor has moved past the records the last successful run could not store; CQC lists them as changed
    # only when they change again, so each run tries them once more until they are stored.
    last = SyncRun.objects.filter(status=SyncStatus.SUCCEEDED).first()
    failed: dict[str, list[str]] = {"location": [], "provider": []}
    for error in last.errors if last else []:
        if error.get("kind") in failed:
            failed[error["kind"]].append(error["id"])
    return failed


def _load_parts(authorities: list[str], regions: list[str], everywhere: bool) -> list[list[str]]:
    return [
        *([["all", ""]] if everywhere else []),
        *(["local_authority", authority] for authority in authorities),
        *(["region", region] for region in regions),
    ]


def _first_load(
    *, run: SyncRun, state: CqcSyncState, client: CqcClient, scope, now: datetime, out_of_time: Callable[[], bool]
) -> None:
    parts = _load_parts(*scope)
    if state.load_started_at is None or state.load_scope != parts:
        # A new load, or the scope changed under an unfinished one: start (again) from the first page.
        state.load_scope, state.load_part, state.load_next_page, state.load_pages = parts, 0, "", 0
        state.load_started_at, state.load_first_run = now, run.pk
        state.save()
    while state.load_part < len(parts):
        kind, name = parts[state.load_part]
        pages = client.location_id_pages(
            local_authority=name if kind == "local_authority" else "",
            region=name if kind == "region" else "",
            start_uri=state.load_next_page,
        )
        for page in pages:
            before = _counts(run)
            try:
                _first_load_page(run=run, state=state, client=client, scope=scope, page=page)
            except Exception:
                # The page was rolled back: the run's record shows only what was stored.
                _counts_restore(run, before)
                raise
            state.refresh_from_db()
            if page.next_uri and out_of_time():
                _incomplete(run)
                return
        if state.load_part < len(parts) and out_of_time():
            _incomplete(run)
            return
    _first_load_complete(run=run, state=state, now=now)


COUNTS = ("fetched", "created", "updated", "unchanged", "failed", "out_of_scope", "rating_changes")


def _counts(run: SyncRun) -> dict:
    return {name: getattr(run, name) for name in (*COUNTS, "errors", "skipped_ids", "pages_done", "pages_total")}


def _counts_restore(run: SyncRun, counts: dict) -> None:
    for name, value in counts.items():
        setattr(run, name, value)


@transaction.atomic
def _first_load_page(*, run: SyncRun, state: CqcSyncState, client: CqcClient, scope, page) -> None:
    _store(run=run, client=client, scope=scope, location_ids=page.ids, provider_ids=[], known=set())
    # The page and the place to continue from are committed together, so a run stopped at any point neither
    # loses a page nor loads one twice.
    state = CqcSyncState.objects.select_for_update().get(pk=state.pk)
    state.load_pages += 1
    run.pages_done, run.pages_total = state.load_pages, page.total_pages
    state.load_next_page = page.next_uri
    if not page.next_uri:
        state.load_part += 1
    state.save(update_fields=["load_pages", "load_next_page", "load_part", "updated_at"])
    run.save()


def _first_load_complete(*, run: SyncRun, state: CqcSyncState, now: datetime) -> None:
    with transaction.atomic():
        # The records this load could not store, whichever of its runs met them, are retried by the next runs.
        earlier = SyncRun.objects.filter(pk__gte=state.load_first_run or run.pk, pk__lt=run.pk)
        carried = [error for other in earlier for error in other.errors if error.get("kind")]
        run.errors = [*carried, *run.errors]
        run.status, run.finished_at = SyncStatus.SUCCEEDED, timezone.now()
        run.save()
        state = CqcSyncState.objects.select_for_update().get(pk=state.pk)
        # Changes CQC made while the load went on are read by the next run, from when the load began.
        state.cursor = state.load_started_at or now
        state.load_scope, state.load_part, state.load_next_page, state.load_started_at = [], 0, "", None
        state.load_first_run = None
        state.save()


def _incomplete(run: SyncRun) -> None:
    run.status, run.finished_at = SyncStatus.INCOMPLETE, timezone.now()
    run.save()
    logger.info("CQC sync %s: the first load ran out of time; the next run continues it.", run.pk)


def _changes_sync(*, run: SyncRun, state: CqcSyncState, client: CqcClient, scope, now: datetime) -> None:
    retry = _failed_in_last_run()
    location_ids = list(dict.fromkeys([*client.changed_location_ids(start=state.cursor, end=now), *retry["location"]]))
    provider_ids = list(dict.fromkeys([*client.changed_provider_ids(start=state.cursor, end=now), *retry["provider"]]))
    known = set(Location.objects.filter(cqc_location_id__in=location_ids).values_list("cqc_location_id", flat=True))
    run.to_fetch = len(location_ids)
    run.save(update_fields=["to_fetch"])  # before the window's transaction, so that its progress can be followed
    with transaction.atomic():
        _store(run=run, client=client, scope=scope, location_ids=location_ids, provider_ids=provider_ids, known=known)
        run.status, run.finished_at = SyncStatus.SUCCEEDED, timezone.now()
        run.save()
        # Locked so that two runs finishing together cannot move the cursor backwards.
        state = CqcSyncState.objects.select_for_update().get(pk=state.pk)
        if state.cursor is None or state.cursor < now:
            state.cursor = now
            state.save(update_fields=["cursor", "updated_at"])


def _store(
    *, run: SyncRun, client: CqcClient, scope, location_ids: list[str], provider_ids: list[str], known: set[str]
) -> None:
    """Fetch these locations (and the providers they need, and the changed providers we track) and store them,
    adding to the run's counts and errors. The caller holds the transaction."""
    authorities, regions, everywhere = scope
    # Only the records and ratings are kept, not the bodies: a page of the first load reads a thousand.
    records, ratings_of, reports_of, errors, skipped = [], {}, {}, list(run.errors), list(run.skipped_ids)
    for location_id in location_ids:
        try:
            body = client.location(location_id)
            run.fetched += 1
            # Live, outside the transaction: the run's own row shows the count only once the transaction commits.
            # Every LIVE_COUNT_EVERY locations, so a slow cache cannot stretch the window past its time limit.
            if run.fetched % LIVE_COUNT_EVERY == 1 or run.fetched == len(location_ids):
                cache_set(sync_run_fetched_key(run.pk), run.fetched, timeout=settings.CELERY_TASK_TIME_LIMIT)
            record = location_record_from_api(body)
            ratings = ratings_from_api(body)
            reports = reports_from_api(body)
        except CqcNotFound:
            skipped.append(location_id)
            continue
        except CqcUnavailable:
            raise
        except DomainError as exc:
            # One malformed record must not hold back the window: it is reported and the rest is stored.
            run.failed += 1
            errors.append({"kind": "location", "id": location_id, "field": exc.field, "message": exc.message})
            continue
        if location_id not in known and not _in_scope(record, authorities, regions, everywhere):
            run.out_of_scope += 1
            continue
        records.append(record)
        ratings_of[record["cqc_location_id"]] = ratings
        reports_of[record["cqc_location_id"]] = reports

    # Providers: those that changed and that we track, and any new provider an in-scope location needs.
    wanted = {record["provider_cqc_id"] for record in records}
    tracked = set(
        Provider.objects.filter(cqc_provider_id__in=[*wanted, *provider_ids]).values_list("cqc_provider_id", flat=True)
    )
    to_fetch = list(dict.fromkeys([*(wanted - tracked), *(set(provider_ids) & tracked)]))
    provider_records = []
    for provider_id in to_fetch:
        try:
            provider_records.append(provider_record_from_api(client.provider(provider_id)))
        except CqcNotFound:
            skipped.append(provider_id)
        except CqcUnavailable:
            raise
        except DomainError as exc:
            run.failed += 1
            errors.append({"kind": "provider", "id": provider_id, "field": exc.field, "message": exc.message})

    providers = providers_upsert(records=provider_records, source=SOURCE)
    provider_pks = dict(Provider.objects.filter(cqc_provider_id__in=wanted).values_list("cqc_provider_id", "pk"))
    storable = []
    for record in records:
        provider_cqc_id = record.pop("provider_cqc_id")
        if provider_cqc_id not in provider_pks:
            run.failed += 1
            errors.append(
                {"kind": "location", "id": record["cqc_location_id"], "message": "Its provider could not be fetched."}
            )
            continue
        storable.append({**record, "provider_id": provider_pks[provider_cqc_id]})
    locations = locations_upsert(records=storable, source=SOURCE)
    ratings = ratings_record(
        ratings=[
            replace(rating, location_id=locations.ids[record["cqc_location_id"]])
            for record in storable
            for rating in ratings_of[record["cqc_location_id"]]
        ],
        source=SOURCE,
    )
    location_reports_record(
        reports={locations.ids[record["cqc_location_id"]]: reports_of[record["cqc_location_id"]] for record in storable}
    )
    run.created += providers.created + locations.created
    run.updated += providers.updated + locations.updated
    run.unchanged += providers.unchanged + locations.unchanged
    run.rating_changes += len(ratings.changes)
    run.skipped_ids, run.errors = skipped, errors
