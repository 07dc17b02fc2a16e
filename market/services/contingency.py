"""Contingency writes: an arrangement per lot, its transfer plan, its end, and escalation (by a gateway passed
with risk above tolerance, or by hand). People are never typed in: see market.selectors.contingency."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from contracts.models import Placement, PlacementKind, PlacementService
from contracts.services import placement_create, placement_end
from contracts.services.checks import dates_ordered
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED, given
from geo.selectors import locality_parts
from market.models import Award, ContingencyArrangement, ContingencyReason, Lot, TransferDestination
from market.signals import risk_changed_send
from providers.models import Provider


def _validate(arrangement: ContingencyArrangement) -> None:
    if arrangement.reason not in ContingencyReason.values:
        raise DomainError(
            f"Unknown reason {arrangement.reason!r}; reasons are {', '.join(ContingencyReason.values)}.", field="reason"
        )
    if arrangement.transfer_to not in TransferDestination.values:
        raise DomainError(f"Unknown destination {arrangement.transfer_to!r}.", field="transfer_to")
    dates_ordered(arrangement.start_date, arrangement.end_date, start_name="start date")
    if arrangement.transfer_start and arrangement.transfer_start < arrangement.start_date:
        raise DomainError("Transfers cannot begin before the arrangement starts.", field="transfer_start")
    dates_ordered(
        arrangement.transfer_start or arrangement.start_date,
        arrangement.transfer_target_date,
        end_field="transfer_target_date",
        start_name="start of transfers",
    )
    if arrangement.people_per_week is not None and arrangement.people_per_week < 1:
        raise DomainError(
            "People to move per week is at least 1 (leave it empty for no weekly figure).", field="people_per_week"
        )


def _open_arrangement(lot: Lot) -> ContingencyArrangement | None:
    return ContingencyArrangement.objects.select_for_update().filter(lot=lot, end_date__isnull=True).first()


# What a person enters of an arrangement (contingency_create and contingency_update take these by name).
ARRANGEMENT_FIELDS = (
    "reason",
    "start_date",
    "end_date",
    "providers",
    "transfer_start",
    "transfer_target_date",
    "people_per_week",
    "transfer_to",
    "notes",
)


@transaction.atomic
def contingency_create(
    *,
    lot: Lot,
    reason: str,
    start_date: date,
    end_date: date | None = None,
    providers: list[Provider] | None = None,
    transfer_start: date | None = None,
    transfer_target_date: date | None = None,
    people_per_week: int | None = None,
    transfer_to: str = TransferDestination.EITHER,
    notes: str = "",
    by=None,
) -> ContingencyArrangement:
    lot = Lot.objects.select_for_update().get(pk=lot.pk)  # one open arrangement per lot is settled here
    if end_date is None and _open_arrangement(lot) is not None:
        raise Conflict(f"{lot.code} already has an open contingency arrangement; end it first.", field="lot")
    arrangement = ContingencyArrangement(
        lot=lot,
        reason=reason,
        start_date=start_date,
        end_date=end_date,
        transfer_start=transfer_start,
        transfer_target_date=transfer_target_date,
        people_per_week=people_per_week,
        transfer_to=transfer_to,
        notes=notes,
        created_by=by,
    )
    _validate(arrangement)
    arrangement._history_user = by
    arrangement.save()
    if providers:
        arrangement.providers.set(providers)
    risk_changed_send("lot")
    return arrangement


@transaction.atomic
def contingency_update(
    *,
    arrangement: ContingencyArrangement,
    reason: str = UNCHANGED,
    start_date: date = UNCHANGED,
    end_date: date | None = UNCHANGED,
    providers: list[Provider] = UNCHANGED,
    transfer_start: date | None = UNCHANGED,
    transfer_target_date: date | None = UNCHANGED,
    people_per_week: int | None = UNCHANGED,
    transfer_to: str = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> ContingencyArrangement:
    arrangement = ContingencyArrangement.objects.select_for_update().get(pk=arrangement.pk)
    changes = given(
        reason=reason,
        start_date=start_date,
        end_date=end_date,
        transfer_start=transfer_start,
        transfer_target_date=transfer_target_date,
        people_per_week=people_per_week,
        transfer_to=transfer_to,
        notes=notes,
    )
    reopened = "end_date" in changes and changes["end_date"] is None and arrangement.end_date is not None
    if reopened:  # the lot's row settles two re-opens at once, as contingency_create settles two opens
        Lot.objects.select_for_update().get(pk=arrangement.lot_id)
    for name, value in changes.items():
        setattr(arrangement, name, value)
    _validate(arrangement)
    if reopened and ContingencyArrangement.objects.filter(lot=arrangement.lot_id, end_date__isnull=True).exists():
        raise Conflict("The lot has another open contingency arrangement.", field="end_date")
    arrangement._history_user = by
    arrangement.save()
    if providers is not UNCHANGED:
        arrangement.providers.set(providers)
    risk_changed_send("lot")
    return arrangement


def contingency_end(*, arrangement: ContingencyArrangement, end_date: date, by=None) -> ContingencyArrangement:
    risk_changed_send("lot")
    return contingency_update(arrangement=arrangement, end_date=end_date, by=by)


@transaction.atomic
def contingency_escalate(*, lot: Lot, reason: str, on: date | None = None, by=None) -> ContingencyArrangement:
    """Mark the lot's contingency plan escalated; a lot with none gets one (reason: gateway risk), so that
    contingency is planned early rather than when the provider has already failed."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    arrangement = _open_arrangement(lot)
    if arrangement is None:
        arrangement = contingency_create(
            lot=lot, reason=ContingencyReason.GATEWAY_RISK, start_date=on or timezone.localdate(), by=by
        )
    arrangement.escalated = True
    arrangement.escalated_at = timezone.now()
    arrangement.escalation_reason = "\n".join(filter(None, [arrangement.escalation_reason, reason.strip()]))
    arrangement._history_user = by
    arrangement.save(update_fields=["escalated", "escalated_at", "escalation_reason", "updated_at"])
    risk_changed_send("lot")
    return arrangement


@transaction.atomic
def contingency_transfer(*, lot: Lot, placement: Placement, to: str, on: date, by=None) -> Placement:
    """Move one person from a contingency provider in the lot's area: their contingency placement ends the day
    before `on` and, from `on`, they are with the lot's lead provider (homecare at the same hours) or on a direct
    payment. One transaction through the contracts services, so the transfer is the end and start that
    market.selectors.contingency counts as a move, and the person's placements never overlap."""
    if to not in (TransferDestination.LEAD_PROVIDER, TransferDestination.DIRECT_PAYMENT):
        raise DomainError("Choose the lead provider or a direct payment.", field="to")
    if placement.kind != PlacementKind.CONTINGENCY or placement.service != PlacementService.HOMECARE:
        raise DomainError(f"{placement.reference} is not with a contingency provider.", field="placement")
    if placement.home_ward_id not in locality_parts([lot.area])[lot.area_id].wards:
        raise DomainError(f"{placement.reference} does not live in {lot.code}'s area.", field="placement")
    if on is None or on > timezone.localdate() + timedelta(days=1):
        raise DomainError("A transfer is recorded on the day it happens, or the day before.", field="on")
    last_day = on - timedelta(days=1)
    if placement.start_date > last_day or (placement.end_date is not None and placement.end_date < last_day):
        raise DomainError(
            f"{placement.reference} is not with the contingency provider the day before the transfer.", field="on"
        )
    provider = None
    if to == TransferDestination.LEAD_PROVIDER:
        award = Award.objects.filter(lot=lot, ended_on__isnull=True).select_related("bid__provider").first()
        if award is None:
            raise DomainError(f"{lot.code} has no lead provider to move people to.", field="to")
        provider = award.bid.provider
    placement_end(placement=placement, end_date=last_day, by=by)
    if to == TransferDestination.LEAD_PROVIDER:
        moved = placement_create(
            reference=placement.reference,
            kind=PlacementKind.LEAD_PROVIDER,
            service=PlacementService.HOMECARE,
            provider=provider,
            hours_per_week=placement.hours_per_week,
            care_type=placement.care_type,
            home_ward=placement.home_ward,
            start_date=on,
            by=by,
        )
    else:
        moved = placement_create(
            reference=placement.reference,
            kind=PlacementKind.DIRECT_PAYMENT,
            care_type=placement.care_type,
            home_ward=placement.home_ward,
            start_date=on,
            by=by,
        )
    risk_changed_send("lot")
    return moved
