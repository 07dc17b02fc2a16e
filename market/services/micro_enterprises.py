"""Micro-enterprise and development programme writes: a micro-enterprise and its status history, its periodic
returns (reported by the council or by the micro-enterprise's own account), the accounts linked to it, and the
programme with its yearly targets and its quarters (planned hours a week and spending)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, DomainError, NotFound
from core.writes import UNCHANGED, given
from geo.models import Locality, LocalityKind
from market.models import (
    MicroEnterprise,
    MicroEnterpriseMembership,
    MicroEnterpriseReturn,
    MicroEnterpriseStatus,
    MicroEnterpriseStatusChange,
    Programme,
    ProgrammeQuarter,
    ProgrammeYear,
)
from market.signals import risk_changed_send
from providers.models import Location

LOCALITY_KINDS = (LocalityKind.WARD, LocalityKind.DISTRICT)
# A programme plans at most ten years ahead: more is a typing slip, and the figures list every quarter.
MAX_YEARS = 10
MAX_QUARTERS = 4 * MAX_YEARS
HOURS_IN_A_WEEK = Decimal(168)
# Anything else is a typing slip (and its quarters would run off the calendar).
FIRST_START, LAST_START = date(1990, 1, 1), date(2200, 12, 31)

# What a person enters of a micro-enterprise (micro_enterprise_create and micro_enterprise_update take these).
MICRO_ENTERPRISE_FIELDS = (
    "trading_name",
    "locality",
    "services",
    "needs_cqc_registration",
    "cqc_location",
    "notes",
)
PROGRAMME_FIELDS = ("name", "start_date", "areas", "hourly_cost_avoidance", "notes")


class NotYourMicroEnterprise(NotFound):
    """A micro-enterprise account acting for another one: it does not exist for them."""


def _is_account(by) -> bool:
    return by is not None and getattr(by, "is_provider_user", False)


def _require_staff(by) -> None:
    if _is_account(by):
        raise PermissionDenied("Only the council changes this; micro-enterprises report their returns.")


def _require_own(by, micro_enterprise: MicroEnterprise) -> None:
    if (
        _is_account(by)
        and not MicroEnterpriseMembership.objects.filter(user=by, micro_enterprise_id=micro_enterprise.pk).exists()
    ):
        raise NotYourMicroEnterprise("There is no such micro-enterprise.")


def _validate(micro_enterprise: MicroEnterprise) -> None:
    micro_enterprise.trading_name = (micro_enterprise.trading_name or "").strip()
    if not micro_enterprise.trading_name:
        raise DomainError("A micro-enterprise needs its trading name.", field="trading_name")
    if micro_enterprise.locality.kind not in LOCALITY_KINDS:
        raise DomainError(
            "A micro-enterprise is placed in a ward or a district, not a "
            f"{micro_enterprise.locality.get_kind_display()} ({micro_enterprise.locality.code}).",
            field="locality",
        )
    if micro_enterprise.cqc_location_id is not None and not micro_enterprise.needs_cqc_registration:
        raise DomainError(
            "A micro-enterprise that needs no CQC registration (a sole trader working one to one) has no CQC "
            "location; say that it needs registration, or leave the location out.",
            field="cqc_location",
        )


@transaction.atomic
def micro_enterprise_create(
    *,
    trading_name: str,
    locality: Locality,
    status_on: date,
    status: str = MicroEnterpriseStatus.ENQUIRY,
    services: str = "",
    needs_cqc_registration: bool = False,
    cqc_location: Location | None = None,
    notes: str = "",
    by=None,
) -> MicroEnterprise:
    """A micro-enterprise from its first contact: `status` (usually an enquiry) from `status_on`."""
    _require_staff(by)
    _status_check(status)
    micro_enterprise = MicroEnterprise(
        trading_name=trading_name,
        locality=locality,
        services=(services or "").strip(),
        needs_cqc_registration=needs_cqc_registration,
        cqc_location=cqc_location,
        status=status,
        status_since=status_on,
        notes=notes,
        created_by=by,
    )
    _validate(micro_enterprise)
    micro_enterprise._history_user = by
    micro_enterprise.save()
    MicroEnterpriseStatusChange.objects.create(
        micro_enterprise=micro_enterprise, status=status, on=status_on, created_by=by
    )
    risk_changed_send("micro_enterprise")
    return micro_enterprise


@transaction.atomic
def micro_enterprise_update(
    *,
    micro_enterprise: MicroEnterprise,
    trading_name: str = UNCHANGED,
    locality: Locality = UNCHANGED,
    services: str = UNCHANGED,
    needs_cqc_registration: bool = UNCHANGED,
    cqc_location: Location | None = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> MicroEnterprise:
    _require_staff(by)
    micro_enterprise = MicroEnterprise.objects.select_for_update().get(pk=micro_enterprise.pk)
    changes = given(
        trading_name=trading_name,
        locality=locality,
        services=services,
        needs_cqc_registration=needs_cqc_registration,
        cqc_location=cqc_location,
        notes=notes,
    )
    for name, value in changes.items():
        setattr(micro_enterprise, name, value)
    _validate(micro_enterprise)
    micro_enterprise._history_user = by
    micro_enterprise.save()
    risk_changed_send("micro_enterprise")
    return micro_enterprise


def _status_check(status: str) -> None:
    if status not in MicroEnterpriseStatus.values:
        raise DomainError(
            f"Unknown status {status!r}; statuses are {', '.join(MicroEnterpriseStatus.values)}.", field="status"
        )


@transaction.atomic
def micro_enterprise_status_set(
    *, micro_enterprise: MicroEnterprise, status: str, on: date, notes: str = "", by=None
) -> MicroEnterpriseStatusChange:
    """Record that from `on` the micro-enterprise has `status`. A change may be recorded late (before others
    already recorded); the micro-enterprise's current status is then its latest change by date."""
    _require_staff(by)
    _status_check(status)
    micro_enterprise = MicroEnterprise.objects.select_for_update().get(pk=micro_enterprise.pk)
    changes = MicroEnterpriseStatusChange.objects.filter(micro_enterprise=micro_enterprise)
    if changes.filter(on=on).exists():
        raise Conflict(f"A status is already recorded for {on}; one change a day.", field="on")
    first = changes.order_by("on").first()
    if first is not None and on < first.on:
        raise DomainError(
            f"The first contact was on {first.on} ({first.get_status_display()}); a change cannot come before it.",
            field="on",
        )
    before = changes.filter(on__lt=on).order_by("-on").first()
    if before is not None and before.status == status:
        raise DomainError(f"It is already {before.get_status_display().lower()} from {before.on}.", field="status")
    change = MicroEnterpriseStatusChange.objects.create(
        micro_enterprise=micro_enterprise, status=status, on=on, notes=notes, created_by=by
    )
    latest = changes.order_by("-on").first()
    micro_enterprise.status, micro_enterprise.status_since = latest.status, latest.on
    micro_enterprise._history_user = by
    micro_enterprise.save(update_fields=["status", "status_since", "updated_at"])
    risk_changed_send("micro_enterprise")
    return change


@transaction.atomic
def micro_enterprise_return_record(
    *,
    micro_enterprise: MicroEnterprise,
    from_date: date,
    hours_per_week: Decimal,
    people_supported: int,
    by=None,
) -> MicroEnterpriseReturn:
    """A periodic return, by the council or the micro-enterprise's own account (its own only: any other is a
    404 to it). One return a date: a correction is a new return from a later date, or made in the admin."""
    _require_own(by, micro_enterprise)
    micro_enterprise = MicroEnterprise.objects.select_for_update().get(pk=micro_enterprise.pk)
    if from_date > timezone.localdate():
        raise DomainError("A return says what is delivered, so it cannot start in the future.", field="from_date")
    if hours_per_week < 0:
        raise DomainError("Hours a week cannot be negative.", field="hours_per_week")
    if people_supported < 0:
        raise DomainError("People supported cannot be negative.", field="people_supported")
    if hours_per_week > 0 and people_supported == 0:
        raise DomainError("Hours delivered are for someone: give the people supported.", field="people_supported")
    if hours_per_week > HOURS_IN_A_WEEK * max(people_supported, 1):
        raise DomainError(
            f"{hours_per_week} hours a week is more than 168 hours for each person supported.", field="hours_per_week"
        )
    if MicroEnterpriseReturn.objects.filter(micro_enterprise=micro_enterprise, from_date=from_date).exists():
        raise Conflict(f"A return from {from_date} is already recorded.", field="from_date")
    record = MicroEnterpriseReturn(
        micro_enterprise=micro_enterprise,
        from_date=from_date,
        hours_per_week=hours_per_week,
        people_supported=people_supported,
        created_by=by,
    )
    record._history_user = by
    record.save()
    risk_changed_send("micro_enterprise")
    return record


@transaction.atomic
def micro_enterprise_member_add(*, micro_enterprise: MicroEnterprise, user, by=None) -> MicroEnterpriseMembership:
    """Give a micro-enterprise's own account (a provider user) the right to report its returns."""
    _require_staff(by)
    if not getattr(user, "is_provider_user", False):
        raise DomainError(
            "Only a provider user's account is linked to a micro-enterprise; council staff see them all.",
            field="user",
        )
    membership, created = MicroEnterpriseMembership.objects.get_or_create(user=user, micro_enterprise=micro_enterprise)
    return membership


@transaction.atomic
def micro_enterprise_member_remove(*, membership: MicroEnterpriseMembership, by=None) -> None:
    """End a micro-enterprise account's access to report its returns."""
    _require_staff(by)
    MicroEnterpriseMembership.objects.filter(pk=membership.pk).delete()


# --- programmes ---------------------------------------------------------------------------------------------


def _numbered(rows: list[dict], *, key: str, field: str, limit: int) -> list[dict]:
    numbers = sorted(row[key] for row in rows)
    if numbers != list(range(1, len(numbers) + 1)):
        raise DomainError(f"{field} are numbered 1, 2, 3, ... without gaps or repeats.", field=field)
    if len(numbers) > limit:
        raise DomainError(f"A programme has at most {limit} {field}.", field=field)
    return sorted(rows, key=lambda row: row[key])


def _years_set(programme: Programme, years: list[dict]) -> None:
    years = _numbered(list(years), key="year", field="years", limit=MAX_YEARS)
    for row in years:
        for name in ("enquiries_target", "trading_target", "hours_per_week_target"):
            if row[name] < 0:
                raise DomainError(f"Year {row['year']}: {name} cannot be negative.", field="years")
    programme.years.all().delete()
    ProgrammeYear.objects.bulk_create(
        ProgrammeYear(
            programme=programme,
            year=row["year"],
            enquiries_target=row["enquiries_target"],
            trading_target=row["trading_target"],
            hours_per_week_target=row["hours_per_week_target"],
        )
        for row in years
    )


def _quarters_set(programme: Programme, quarters: list[dict]) -> None:
    quarters = _numbered(list(quarters), key="quarter", field="quarters", limit=MAX_QUARTERS)
    for row in quarters:
        for name in ("planned_hours_per_week", "spending"):
            if row[name] < 0:
                raise DomainError(f"Quarter {row['quarter']}: {name} cannot be negative.", field="quarters")
    programme.quarters.all().delete()
    ProgrammeQuarter.objects.bulk_create(
        ProgrammeQuarter(
            programme=programme,
            quarter=row["quarter"],
            planned_hours_per_week=row["planned_hours_per_week"],
            spending=row["spending"],
        )
        for row in quarters
    )


def _programme_validate(programme: Programme, areas: Iterable[Locality] | None) -> None:
    programme.name = (programme.name or "").strip()
    if not programme.name:
        raise DomainError("A programme needs a name.", field="name")
    if programme.hourly_cost_avoidance is not None and programme.hourly_cost_avoidance < 0:
        raise DomainError("The hourly cost avoidance cannot be negative.", field="hourly_cost_avoidance")
    if programme.start_date is None or not FIRST_START <= programme.start_date <= LAST_START:
        raise DomainError(f"A programme starts between {FIRST_START.year} and {LAST_START.year}.", field="start_date")
    if areas is not None and not list(areas):
        raise DomainError("A programme covers at least one area.", field="areas")
    duplicate = Programme.objects.filter(name__iexact=programme.name).exclude(pk=programme.pk).first()
    if duplicate is not None:
        raise Conflict(f"A programme is already called {duplicate.name!r}.", field="name")


@transaction.atomic
def programme_create(
    *,
    name: str,
    start_date: date,
    areas: list[Locality],
    years: list[dict] = (),
    quarters: list[dict] = (),
    hourly_cost_avoidance: Decimal | None = None,
    notes: str = "",
    by=None,
) -> Programme:
    """A development programme. `years` are {year, enquiries_target, trading_target, hours_per_week_target};
    `quarters` are {quarter, planned_hours_per_week, spending}; the hourly cost avoidance defaults to the
    setting MICRO_ENTERPRISE_HOURLY_COST_AVOIDANCE."""
    _require_staff(by)
    programme = Programme(name=name, start_date=start_date, notes=notes, created_by=by)
    if hourly_cost_avoidance is not None:
        programme.hourly_cost_avoidance = hourly_cost_avoidance
    _programme_validate(programme, areas)
    programme._history_user = by
    programme.save()
    programme.areas.set(areas)
    _years_set(programme, years)
    _quarters_set(programme, quarters)
    risk_changed_send("micro_enterprise")
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    name: str = UNCHANGED,
    start_date: date = UNCHANGED,
    areas: list[Locality] = UNCHANGED,
    hourly_cost_avoidance: Decimal = UNCHANGED,
    notes: str = UNCHANGED,
    years: list[dict] = UNCHANGED,
    quarters: list[dict] = UNCHANGED,
    by=None,
) -> Programme:
    """Change a programme; `years` and `quarters`, when given, replace the programme's whole list."""
    _require_staff(by)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for field, value in given(
        name=name, start_date=start_date, hourly_cost_avoidance=hourly_cost_avoidance, notes=notes
    ).items():
        setattr(programme, field, value)
    _programme_validate(programme, None if areas is UNCHANGED else areas)
    programme._history_user = by
    programme.save()
    if areas is not UNCHANGED:
        programme.areas.set(areas)
    if years is not UNCHANGED:
        _years_set(programme, years)
    if quarters is not UNCHANGED:
        _quarters_set(programme, quarters)
    risk_changed_send("micro_enterprise")
    return programme
