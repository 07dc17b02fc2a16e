"""Failure planning writes: the Market Oversight register (enter, change stage, leave; each a dated history row)
and the failure response (open it with the what-if's plan frozen as its list of people, then settle each person:
moved through contracts' placement_move, or stayed with a new operator; close it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from contracts.models import BedLine, Placement
from contracts.services import placement_move
from contracts.services.checks import dates_ordered
from core.errors import Conflict, DomainError
from geo.models import Locality
from market.models import (
    FailureReason,
    FailureResponse,
    FailureResponsePerson,
    OversightEntry,
    OversightStage,
    OversightStageChange,
    PersonStatus,
)
from market.selectors.failure import failure_what_if
from market.signals import risk_changed_send
from providers.models import Location, Provider


def _stage(stage) -> int:
    try:
        return OversightStage(int(stage)).value
    except (TypeError, ValueError):
        raise DomainError(f"The stage is 1 to 6, not {stage!r}.", field="stage") from None


@transaction.atomic
def oversight_enter(*, provider: Provider, stage: int, on: date, notes: str = "", by=None) -> OversightEntry:
    """Put a provider on the register at a stage (a provider that left may be entered again)."""
    stage = _stage(stage)
    entry = OversightEntry.objects.select_for_update().filter(provider=provider).first()
    if entry is not None and entry.left_on is None:
        raise Conflict(f"{provider.name} is in the scheme already; change its stage.", field="provider")
    if entry is None:
        entry = OversightEntry(provider=provider, created_by=by)
    elif on < entry.left_on:
        raise DomainError(f"It left the scheme on {entry.left_on:%-d %B %Y}; it re-enters after.", field="on")
    entry.stage, entry.stage_since, entry.entered_on, entry.left_on, entry.notes = stage, on, on, None, notes
    entry.save()
    OversightStageChange.objects.create(entry=entry, stage=stage, on=on, note=notes, by=by)
    risk_changed_send("oversight")
    return entry


@transaction.atomic
def oversight_stage_set(*, entry: OversightEntry, stage: int, on: date, note: str = "", by=None) -> OversightEntry:
    """Move a provider to another stage on a day (its history keeps every change, dated)."""
    stage = _stage(stage)
    entry = OversightEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.left_on is not None:
        raise DomainError("The provider has left the scheme; enter it again.", field="stage")
    if on < entry.stage_since:
        raise DomainError(
            f"The stage has been {entry.stage} since {entry.stage_since:%-d %B %Y}; a change is on or after.",
            field="on",
        )
    if stage == entry.stage:
        raise DomainError(f"The provider is at stage {stage} already.", field="stage")
    entry.stage, entry.stage_since = stage, on
    entry.save(update_fields=["stage", "stage_since", "updated_at"])
    OversightStageChange.objects.create(entry=entry, stage=stage, on=on, note=note, by=by)
    risk_changed_send("oversight")
    return entry


@transaction.atomic
def oversight_notes_set(*, entry: OversightEntry, notes: str, by=None) -> OversightEntry:
    """The register's notes on a provider (its stage changes keep their own notes, dated)."""
    entry = OversightEntry.objects.select_for_update().get(pk=entry.pk)
    entry.notes = notes
    entry.save(update_fields=["notes", "updated_at"])
    return entry


@transaction.atomic
def oversight_leave(*, entry: OversightEntry, on: date, note: str = "", by=None) -> OversightEntry:
    entry = OversightEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.left_on is not None:
        raise DomainError("The provider has left the scheme already.", field="on")
    dates_ordered(entry.stage_since, on, end_field="on", start_name="latest stage change")
    entry.left_on = on
    entry.save(update_fields=["left_on", "updated_at"])
    OversightStageChange.objects.create(entry=entry, stage=None, on=on, note=note, left=True, by=by)
    risk_changed_send("oversight")
    return entry


# --- the failure response -----------------------------------------------------------------------------------


@transaction.atomic
def failure_response_open(
    *,
    provider: Provider,
    reason: str,
    opened_on: date,
    target_date: date,
    location: Location | None = None,
    area: Locality | None = None,
    radius_km: float | None = None,
    notes: str = "",
    by=None,
) -> FailureResponse:
    """Open a response: the what-if on the day it opens is frozen as its people, each with the bed the plan gave
    them (none for those short). One open response per provider."""
    if reason not in FailureReason.values:
        raise DomainError(f"Unknown reason {reason!r}; reasons are {', '.join(FailureReason.values)}.", field="reason")
    dates_ordered(opened_on, target_date, end_field="target_date", start_name="day it opens")
    if location is not None and location.provider_id != provider.pk:
        raise DomainError("The home is not the provider's.", field="location")
    Provider.objects.select_for_update().get(pk=provider.pk)  # two people opening one at once: one wins
    if FailureResponse.objects.filter(provider=provider, closed_on__isnull=True).exists():
        raise Conflict(f"A response to {provider.name}'s failure is open already.", field="provider")
    radius = settings.FAILURE_RADIUS_KM if radius_km is None else radius_km
    plan = failure_what_if(
        provider=provider, on=opened_on, location=location, area=area, radius_km=radius, market_after=False
    )
    response = FailureResponse.objects.create(
        provider=provider,
        location=location,
        area=area,
        reason=reason,
        opened_on=opened_on,
        target_date=target_date,
        radius_km=radius,
        notes=notes,
        opened_by=by,
    )
    FailureResponsePerson.objects.bulk_create(
        [
            FailureResponsePerson(
                response=response,
                placement_id=move.person.placement_id,
                reference=move.person.reference,
                care_type=move.person.care_type,
                planned_bed_line_id=move.bed.bed_line_id if move.bed else None,
                planned_location_id=move.bed.location_id if move.bed else None,
                planned_distance_km=move.distance_km,
            )
            for move in plan.moves
        ]
    )
    risk_changed_send("failure_response")
    return response


@transaction.atomic
def failure_response_update(
    *, response: FailureResponse, target_date: date | None = None, notes: str | None = None, by=None
) -> FailureResponse:
    """A later (or earlier) target date for an open response, or its notes. The people and their planned beds stay
    as the plan froze them: a new plan is a new response."""
    response = FailureResponse.objects.select_for_update().get(pk=response.pk)
    changed = []
    if target_date is not None and target_date != response.target_date:
        if response.closed_on is not None:
            raise DomainError("The response is closed.", field="target_date")
        dates_ordered(response.opened_on, target_date, end_field="target_date", start_name="day it opened")
        response.target_date = target_date
        changed.append("target_date")
    if notes is not None and notes != response.notes:
        response.notes = notes
        changed.append("notes")
    if changed:
        response.save(update_fields=changed)
        if "target_date" in changed:
            risk_changed_send("failure_response")  # the straight line to the target moved
    return response


def _open_person(person: FailureResponsePerson) -> FailureResponsePerson:
    person = FailureResponsePerson.objects.select_for_update().select_related("response").get(pk=person.pk)
    if person.response.closed_on is not None:
        raise DomainError("The response is closed.", field="response")
    if person.status != PersonStatus.TO_MOVE:
        raise Conflict(f"{person.reference} is settled already ({person.get_status_display().lower()}).")
    return person


@transaction.atomic
def failure_person_move(
    *,
    person: FailureResponsePerson,
    on: date,
    kind: str,
    bed_line: BedLine | None = None,
    location: Location | None = None,
    weekly_cost: Decimal | None = None,
    spot_reason: str = "",
    by=None,
) -> FailureResponsePerson:
    """Move a person of the response through contracts' placement_move (a block bed, or a spot bed at a home):
    their placement at the failed provider ends that day and the new one starts."""
    person = _open_person(person)
    if on < person.response.opened_on:
        raise DomainError("The move is before the response opened.", field="on")
    moved = placement_move(
        placement=Placement.objects.get(pk=person.placement_id),
        on=on,
        kind=kind,
        bed_line=bed_line,
        location=location,
        weekly_cost=weekly_cost,
        spot_reason=spot_reason,
        by=by,
    )
    person.status, person.settled_on, person.new_placement = PersonStatus.MOVED, on, moved
    person.save(update_fields=["status", "settled_on", "new_placement"])
    risk_changed_send("failure_response")
    return person


@transaction.atomic
def failure_person_stay(*, person: FailureResponsePerson, on: date, note: str = "", by=None) -> FailureResponsePerson:
    """The person stays where they are, with a new operator of the home."""
    person = _open_person(person)
    if on < person.response.opened_on:
        raise DomainError("The day is before the response opened.", field="on")
    person.status, person.settled_on, person.note = PersonStatus.STAYED, on, note
    person.save(update_fields=["status", "settled_on", "note"])
    risk_changed_send("failure_response")
    return person


@transaction.atomic
def failure_response_close(*, response: FailureResponse, on: date, by=None) -> FailureResponse:
    response = FailureResponse.objects.select_for_update().get(pk=response.pk)
    if response.closed_on is not None:
        raise DomainError("The response is closed already.", field="closed_on")
    dates_ordered(response.opened_on, on, end_field="closed_on", start_name="day it opened")
    response.closed_on = on
    response.save(update_fields=["closed_on"])
    risk_changed_send("failure_response")
    return response
