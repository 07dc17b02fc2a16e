"""Bulk upserts of providers and locations from CQC data (files and API), with locality assignment and
registration events. Each call costs a handful of queries however many rows it carries, and rows that have
not changed are not written at all."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from geo.models import Locality, Postcode
from geo.selectors import localities_at, postcode_normalise
from providers.models import (
    Location,
    LocationReport,
    Provider,
    RegistrationEvent,
    RegistrationEventKind,
    RegistrationStatus,
)

BATCH = 2000
LOOKUP_CHUNK = 10000

PROVIDER_FIELDS = (
    "name",
    "organisation_type",
    "companies_house_number",
    "brand",
    "registration_status",
    "registration_date",
    "deregistration_date",
)
LOCATION_FIELDS = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "latitude",
    "longitude",
    "local_authority",
    "region",
    "location_type",
    "care_home",
    "registered_beds",
    "service_types",
    "regulated_activities",
    "specialisms",
    "service_user_bands",
    "registration_status",
    "registration_date",
    "deregistration_date",
    "dormant",
    "registered_manager_absent_date",
)


@dataclass
class UpsertOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # CQC id -> primary key, for every row given
    events: int = 0


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored(model, key: str, ids: list[str], fields: Iterable[str]) -> dict[str, SimpleNamespace]:
    """Stored rows as light records (not model instances: building 50,000 of those is most of a re-import)."""
    found = {}
    for chunk in _chunks(ids):
        for row in model.objects.filter(**{f"{key}__in": chunk}).values("id", key, *fields):
            found[row[key]] = SimpleNamespace(pk=row["id"], **row)
    return found


def _full(model, stored: list[SimpleNamespace]) -> dict[int, models.Model]:
    """Complete instances of the rows about to change (history needs every field)."""
    found = {}
    for chunk in _chunks([row.pk for row in stored]):
        found.update((instance.pk, instance) for instance in model.objects.filter(pk__in=chunk))
    return found


@transaction.atomic
def providers_upsert(*, records: list[dict], source: str) -> UpsertOutcome:
    """`records`: dicts with `cqc_provider_id` and any of PROVIDER_FIELDS. Fields a record leaves out keep
    their stored values (a directory file knows a provider's name and nothing else)."""
    outcome = UpsertOutcome()
    by_id = {record["cqc_provider_id"]: record for record in records}
    existing = _stored(Provider, "cqc_provider_id", list(by_id), PROVIDER_FIELDS)
    plans = []
    for cqc_id, record in by_id.items():
        values = {name: record[name] for name in PROVIDER_FIELDS if name in record}
        row = existing.get(cqc_id)
        if row is None:
            # A provider first seen without a name (a ratings row with the name blank) shows its id until
            # CQC tells us more.
            values = {"name": cqc_id, **values}
        plans.append((cqc_id, row, values))

    def events_for(provider: Provider, diff: dict, values: dict) -> list[RegistrationEvent]:
        return _status_events(provider, None, values, source=source) if "registration_status" in diff else []

    _, events = _rows_write(Provider, "cqc_provider_id", plans, outcome=outcome, source=source, events_for=events_for)
    RegistrationEvent.objects.bulk_create(events, batch_size=BATCH)
    outcome.events = len(events)
    return outcome


def _rows_write(model, key: str, plans: list, *, outcome: UpsertOutcome, source: str, events_for) -> tuple[list, list]:
    """Write the plans (key value, stored row or None, wanted values): bulk-update the rows that differ, with
    history, and bulk-create the new ones; rows that already match are not written. Fills `outcome` and
    returns (new instances, registration events from the changed rows)."""
    new, diffs = [], []
    for key_value, row, values in plans:
        if row is None:
            new.append(model(**{key: key_value}, **values))
            continue
        diff = {name: value for name, value in values.items() if getattr(row, name) != value}
        if diff:
            diffs.append((row, diff, values))
        else:
            outcome.unchanged += 1
    events: list[RegistrationEvent] = []
    if diffs:
        instances = _full(model, [row for row, _, _ in diffs])
        changed, changed_fields, now = [], set(), timezone.now()
        for row, diff, values in diffs:
            instance = instances[row.pk]
            events.extend(events_for(instance, diff, values))
            for name, value in diff.items():
                setattr(instance, name, value)
            instance.updated_at = now
            changed.append(instance)
            changed_fields.update(diff)
        bulk_update_with_history(
            changed, model, [*changed_fields, "updated_at"], batch_size=BATCH, default_change_reason=source
        )
        outcome.updated = len(changed)
    if new:
        bulk_create_with_history(new, model, batch_size=BATCH, default_change_reason=source)
        outcome.created = len(new)
    outcome.ids = {key_value: row.pk for key_value, row, _ in plans if row is not None}
    outcome.ids.update((getattr(instance, key), instance.pk) for instance in new)
    return new, events


def _status_events(
    provider: Provider, location: Location | None, values: dict, *, source: str
) -> list[RegistrationEvent]:
    subject = location or provider
    status = values.get("registration_status", subject.registration_status)
    today = timezone.localdate()
    events = []
    if status != subject.registration_status:
        if status == RegistrationStatus.DEREGISTERED:
            on = values.get("deregistration_date") or today
            events.append(_event(provider, location, RegistrationEventKind.DEREGISTERED, on, source))
        elif status == RegistrationStatus.REGISTERED:
            on = values.get("registration_date") or today
            events.append(_event(provider, location, RegistrationEventKind.REGISTERED, on, source))
    if location is not None and "dormant" in values and values["dormant"] != location.dormant:
        kind = RegistrationEventKind.DORMANT_FROM if values["dormant"] else RegistrationEventKind.DORMANT_TO
        events.append(_event(provider, location, kind, today, source))
    return events


def _event(provider, location, kind, on: date, source: str) -> RegistrationEvent:
    return RegistrationEvent(
        provider_id=provider.pk if provider else location.provider_id,
        location_id=location.pk if location else None,
        kind=kind,
        on=on,
        source=source,
    )


def places_for(rows: list[dict]) -> list[tuple[int | None, int | None, float | None, float | None]]:
    """(ward_id, district_id, latitude, longitude) for each row with `latitude`, `longitude`, `postcode`:
    a spatial join of the coordinates, falling back to the postcode directory (which also fills missing
    coordinates). Two or three queries for any number of rows."""
    results: list[tuple[int | None, int | None, float | None, float | None]] = [
        (None, None, row.get("latitude"), row.get("longitude")) for row in rows
    ]
    with_points = [
        i for i, row in enumerate(rows) if row.get("latitude") is not None and row.get("longitude") is not None
    ]
    if with_points:
        found = localities_at([(rows[i]["latitude"], rows[i]["longitude"]) for i in with_points])
        for i, place in zip(with_points, found, strict=True):
            results[i] = (place.ward_id, place.district_id, rows[i]["latitude"], rows[i]["longitude"])
    fallback = [i for i, result in enumerate(results) if result[1] is None and rows[i].get("postcode")]
    if not fallback:
        return results
    wanted = {postcode_normalise(rows[i]["postcode"]) for i in fallback}
    postcodes = {}
    for chunk in _chunks(sorted(wanted)):
        postcodes.update(
            (row[0], row[1:])
            for row in Postcode.objects.filter(postcode__in=chunk, terminated=False).values_list(
                "postcode", "latitude", "longitude", "district_code", "ward_code"
            )
        )
    codes = {code for _, _, district, ward in postcodes.values() for code in (district, ward) if code}
    locality_ids = dict(Locality.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for i in fallback:
        found_postcode = postcodes.get(postcode_normalise(rows[i]["postcode"]))
        if found_postcode is None:
            continue
        latitude, longitude, district_code, ward_code = found_postcode
        ward_id, _, row_latitude, row_longitude = results[i]
        results[i] = (
            ward_id or locality_ids.get(ward_code),
            locality_ids.get(district_code),
            row_latitude if row_latitude is not None else latitude,
            row_longitude if row_longitude is not None else longitude,
        )
    return results


@transaction.atomic
def locations_upsert(*, records: list[dict], source: str) -> UpsertOutcome:
    """`records`: dicts with `cqc_location_id`, `provider_id` (primary key) and any of LOCATION_FIELDS.
    Fields a record leaves out keep their stored values. Ward and district are worked out for new rows,
    rows whose coordinates or postcode changed, and rows still without a district."""
    outcome = UpsertOutcome()
    by_id = {record["cqc_location_id"]: record for record in records}
    existing = _stored(
        Location, "cqc_location_id", list(by_id), ("provider_id", "ward_id", "district_id", *LOCATION_FIELDS)
    )

    plans: list[tuple[str, SimpleNamespace | None, dict]] = []
    to_place: list[int] = []
    for cqc_id, record in by_id.items():
        values = {name: record[name] for name in LOCATION_FIELDS if name in record}
        values["provider_id"] = record["provider_id"]
        if "postcode" in values:
            values["postcode"] = postcode_normalise(values["postcode"])[:8]
        row = existing.get(cqc_id)
        plans.append((cqc_id, row, values))
        moved = row is None or row.district_id is None
        if row is not None:
            moved = moved or any(
                name in values and getattr(row, name) != values[name] for name in ("latitude", "longitude", "postcode")
            )
        if moved:
            to_place.append(len(plans) - 1)

    if to_place:
        points = []
        for index in to_place:
            _, row, values = plans[index]
            points.append(
                {
                    name: values.get(name, getattr(row, name, None) if row else None)
                    for name in ("latitude", "longitude", "postcode")
                }
            )
        for index, (ward_id, district_id, latitude, longitude) in zip(to_place, places_for(points), strict=True):
            values = plans[index][2]
            values.update(ward_id=ward_id, district_id=district_id)
            if latitude is not None and values.get("latitude") is None:
                values.update(latitude=latitude, longitude=longitude)

    def events_for(location: Location, diff: dict, values: dict) -> list[RegistrationEvent]:
        return _status_events(None, location, values, source=source)

    new, events = _rows_write(Location, "cqc_location_id", plans, outcome=outcome, source=source, events_for=events_for)
    events.extend(
        _event(None, location, RegistrationEventKind.REGISTERED, location.registration_date, source)
        for location in new
        if location.registration_date and location.registration_status == RegistrationStatus.REGISTERED
    )
    RegistrationEvent.objects.bulk_create(events, batch_size=BATCH)
    outcome.events = len(events)
    return outcome


@dataclass(frozen=True)
class ReportInput:
    """One CQC inspection report of a location, as the API lists it."""

    link_id: str
    report_date: date | None = None
    report_type: str = ""
    first_visit_date: date | None = None


REPORT_FIELDS = ("report_date", "report_type", "first_visit_date")


@transaction.atomic
def location_reports_record(*, reports: dict[int, list[ReportInput]]) -> int:
    """Keep the reports CQC lists for each location (by primary key): new ones are added, changed dates or types
    are corrected; a report CQC stops listing is kept. Returns how many rows were written. A few queries in all."""
    if not reports:
        return 0
    stored = {
        (report.location_id, report.link_id): report
        for chunk in _chunks(list(reports))
        for report in LocationReport.objects.filter(location_id__in=chunk)
    }
    new, changed = [], []
    for location_id, items in reports.items():
        for item in {item.link_id: item for item in items}.values():
            report = stored.get((location_id, item.link_id))
            values = {name: getattr(item, name) for name in REPORT_FIELDS}
            if report is None:
                new.append(LocationReport(location_id=location_id, link_id=item.link_id, **values))
            elif any(getattr(report, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(report, name, value)
                report.updated_at = timezone.now()
                changed.append(report)
    LocationReport.objects.bulk_create(new, batch_size=BATCH)
    LocationReport.objects.bulk_update(changed, [*REPORT_FIELDS, "updated_at"], batch_size=BATCH)
    return len(new) + len(changed)
