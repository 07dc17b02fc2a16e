"""Every write of the contracts app: keyword-only arguments, validation first, one transaction each.

Races for the last bed are settled by locking the BedLine row (select_for_update) before counting what is
left on it; the block-bed capacity of a home is settled by locking its Location row.
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.permissions import may_act_for_provider
from config.errors import Conflict, DomainError, ImportRejected
from contracts.models import (
    BED_LINE_KINDS,
    BedLine,
    CareType,
    Closure,
    Contract,
    ContractKind,
    ContractStatus,
    Hold,
    HoldStatus,
    Placement,
    PlacementKind,
    PlacementService,
    PlacementSource,
    RateChange,
    VacancyReport,
)
from contracts.selectors import least_level_between, rate_subquery
from geo.selectors import POSTCODE_PATTERN, postcode_normalise
from providers.models import Location, Provider

PENNY = Decimal("0.01")


class NoVoidBed(Conflict):
    code = "no_void_bed"


class HoldNotActive(Conflict):
    code = "hold_not_active"


class CapacityExceeded(DomainError):
    code = "capacity_exceeded"


def _require_may_act(by, provider_id: int | None) -> None:
    if by is not None and not may_act_for_provider(by, provider_id):
        raise PermissionDenied("You may act only for your own provider's locations.")


def _ordered(start: date | None, end: date | None, *, end_field: str = "end_date", start_name: str = "start") -> None:
    if start and end and end < start:
        raise DomainError(f"{end_field} ({end}) is before the {start_name} ({start}).", field=end_field)


# --- pseudonymous references ------------------------------------------------------------------------------

REFERENCE_FORMAT = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")
TEN_DIGITS = re.compile(r"\d{3}[\s-]?\d{3}[\s-]?\d{4}")
POSTCODE_INSIDE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}")
LONG_WORD = re.compile(r"[A-Z]{5,}")


def reference_validate(reference: str, *, field: str = "reference") -> str:
    """A person appears only as a pseudonymous reference such as BRK-2026-0042. Refuse anything that looks
    like a name, an NHS number or a postcode, so personal data cannot slip in through this field."""
    raw = (reference or "").strip()
    value = raw.upper()
    hint = "Use a pseudonymous reference such as BRK-2026-0042 (letters, digits and hyphens)."
    if TEN_DIGITS.search(raw):
        raise DomainError(f"The reference looks like an NHS number. {hint}", field=field)
    if POSTCODE_PATTERN.match(postcode_normalise(raw)) or POSTCODE_INSIDE.search(value):
        raise DomainError(f"The reference looks like a postcode. {hint}", field=field)
    if not REFERENCE_FORMAT.match(value):
        raise DomainError(f"The reference {'is empty' if not raw else 'has spaces or symbols'}. {hint}", field=field)
    if not any(ch.isdigit() for ch in value) or LONG_WORD.search(value):
        raise DomainError(f"The reference looks like a name. {hint}", field=field)
    return value


# --- contracts --------------------------------------------------------------------------------------------

CONTRACT_FIELDS = {
    "reference",
    "provider",
    "kind",
    "service",
    "start_date",
    "end_date",
    "break_clause_date",
    "notice_period_months",
    "status",
    "commissioning_partner",
    "documents_url",
    "notes",
    "uplift_nlw_weight",
    "uplift_cpi_weight",
    "uplift_cap_percent",
}


def _contract_validate(contract: Contract) -> None:
    _ordered(contract.start_date, contract.end_date, start_name="contract start")
    if contract.break_clause_date:
        if contract.break_clause_date < contract.start_date:
            raise DomainError("The break clause date is before the contract starts.", field="break_clause_date")
        if contract.end_date and contract.break_clause_date > contract.end_date:
            raise DomainError("The break clause date is after the contract ends.", field="break_clause_date")
    weights = Decimal(contract.uplift_nlw_weight or 0) + Decimal(contract.uplift_cpi_weight or 0)
    if weights != 1:
        raise DomainError("The NLW and CPI weights of the uplift must add up to 1.", field="uplift_cpi_weight")
    if contract.uplift_cap_percent is not None and contract.uplift_cap_percent < 0:
        raise DomainError("The uplift cap cannot be negative.", field="uplift_cap_percent")


@transaction.atomic
def contract_create(*, by=None, **fields) -> Contract:
    unknown = set(fields) - CONTRACT_FIELDS
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    contract = Contract(**fields)
    _contract_validate(contract)
    if Contract.objects.filter(reference=contract.reference).exists():
        raise Conflict(f"A contract with reference {contract.reference} exists already.", field="reference")
    contract._history_user = by
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, by=None, **fields) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = (contract.provider_id, contract.kind)
    for name, value in fields.items():
        if name not in CONTRACT_FIELDS:
            raise DomainError(f"Unknown field {name}.", field=name)
        setattr(contract, name, value)
    _contract_validate(contract)
    if contract.bed_lines.exists():
        if contract.provider_id != before[0]:
            raise DomainError(
                "The contract has bed lines at this provider's homes; it cannot change provider.", field="provider"
            )
        if contract.kind != before[1]:
            raise DomainError("The contract has block bed lines; it stays a block contract.", field="kind")
    if contract.bed_lines.filter(activation_date__lt=contract.start_date).exists():
        raise DomainError("Some bed lines activate before this start date.", field="start_date")
    # Open-ended lines simply stop with the contract; lines that say otherwise must be changed first.
    if contract.end_date and contract.bed_lines.filter(end_date__gt=contract.end_date).exists():
        raise DomainError("Some bed lines end after this end date.", field="end_date")
    contract._history_user = by
    contract.save()
    return contract


@transaction.atomic
def contract_delete(*, contract: Contract) -> None:
    if contract.bed_lines.exists():
        raise Conflict("The contract has bed lines; end it instead of deleting it.")
    contract.delete()


# --- bed lines --------------------------------------------------------------------------------------------


def _bed_line_validate(line: BedLine) -> None:
    contract, location = line.contract, line.location
    if contract.kind != ContractKind.BLOCK:
        raise DomainError("Bed lines belong to block contracts only.", field="contract")
    if location.provider_id != contract.provider_id:
        raise DomainError("The location belongs to another provider than the contract's.", field="location")
    if line.care_type not in CareType.values:
        raise DomainError(f"Unknown care type {line.care_type!r}.", field="care_type")
    if not line.beds or line.beds < 1:
        raise DomainError("A bed line has at least one bed.", field="beds")
    _ordered(line.activation_date, line.end_date, start_name="activation date")
    if line.activation_date < contract.start_date:
        raise DomainError("The beds activate before the contract starts.", field="activation_date")
    if contract.end_date and line.activation_date > contract.end_date:
        raise DomainError("The beds activate after the contract ends.", field="activation_date")
    if contract.end_date and line.end_date and line.end_date > contract.end_date:
        raise DomainError("The bed line ends after the contract.", field="end_date")


def _capacity_check(line: BedLine) -> None:
    """Block beds contracted at a home at any one time never exceed its registered beds. The caller holds
    the Location row lock, so two lines added at once cannot both squeeze in."""
    registered = line.location.registered_beds
    if not registered:
        raise CapacityExceeded("The location has no registered beds on record.", field="location")
    overlapping = BedLine.objects.filter(location_id=line.location_id)
    if line.pk:
        overlapping = overlapping.exclude(pk=line.pk)
    overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=line.activation_date))
    if line.end_date:
        overlapping = overlapping.filter(activation_date__lte=line.end_date)
    others = overlapping.aggregate(n=Sum("beds"))["n"] or 0
    if others + line.beds > registered:
        raise CapacityExceeded(
            f"{line.location.name} has {registered} registered beds and {others} already contracted as block beds "
            f"in that period; {line.beds} more would exceed it.",
            field="beds",
        )


@transaction.atomic
def bed_line_create(
    *,
    contract: Contract,
    location: Location,
    care_type: str,
    beds: int,
    activation_date: date,
    weekly_rate: Decimal,
    end_date: date | None = None,
    notes: str = "",
    by=None,
) -> BedLine:
    location = Location.objects.select_for_update().get(pk=location.pk)
    line = BedLine(
        contract=contract,
        location=location,
        care_type=care_type,
        beds=beds,
        activation_date=activation_date,
        end_date=end_date,
        notes=notes,
    )
    _bed_line_validate(line)
    if weekly_rate is None or Decimal(weekly_rate) < 0:
        raise DomainError("A bed line needs a weekly rate of zero or more.", field="weekly_rate")
    _capacity_check(line)
    line._history_user = by
    line.save()
    rate = RateChange(
        bed_line=line,
        effective_from=activation_date,
        weekly_rate=Decimal(weekly_rate).quantize(PENNY),
        reason=RateChange.Reason.INITIAL,
        created_by=by,
    )
    rate._history_user = by
    rate.save()
    return line


@transaction.atomic
def bed_line_update(*, line: BedLine, by=None, **fields) -> BedLine:
    allowed = {"care_type", "beds", "activation_date", "end_date", "notes"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"These cannot be changed on a bed line: {', '.join(sorted(unknown))}.")
    location = Location.objects.select_for_update().get(pk=line.location_id)
    line = BedLine.objects.select_for_update().select_related("contract").get(pk=line.pk)
    line.location = location
    for name, value in fields.items():
        setattr(line, name, value)
    _bed_line_validate(line)
    _capacity_check(line)
    line._history_user = by
    line.save()
    if line.placements.filter(start_date__lt=line.activation_date).exists() or (
        line.end_date and line.placements.filter(start_date__gt=line.end_date).exists()
    ):
        raise Conflict("Placements on this line fall outside its new dates.", field="activation_date")
    if line.placements.exists() and least_level_between(line=line, start=line.activation_date, end=line.end_date) < 0:
        raise Conflict("The line would have fewer beds than people placed on it.", field="beds")
    return line


@transaction.atomic
def bed_line_delete(*, line: BedLine) -> None:
    if line.placements.exists():
        raise Conflict("People have been placed on this line; end it instead of deleting it.")
    line.delete()


# --- prices -----------------------------------------------------------------------------------------------


@transaction.atomic
def rate_change_create(
    *,
    bed_line: BedLine,
    effective_from: date,
    weekly_rate: Decimal,
    reason: str = RateChange.Reason.NEGOTIATED,
    by=None,
) -> RateChange:
    if weekly_rate is None or Decimal(weekly_rate) < 0:
        raise DomainError("The weekly rate must be zero or more.", field="weekly_rate")
    if effective_from < bed_line.contract.start_date:
        raise DomainError("The rate takes effect before the contract starts.", field="effective_from")
    if RateChange.objects.filter(bed_line=bed_line, effective_from=effective_from).exists():
        raise Conflict(f"The line already has a rate from {effective_from}.", field="effective_from")
    change = RateChange(
        bed_line=bed_line,
        effective_from=effective_from,
        weekly_rate=Decimal(weekly_rate).quantize(PENNY),
        reason=reason,
        created_by=by,
    )
    change._history_user = by
    change.save()
    return change


def uplift_percent(*, contract: Contract, nlw_percent: Decimal, cpi_percent: Decimal) -> Decimal:
    """The contract's uplift: NLW and CPI increases weighted as the contract says, never more than its cap
    and never a cut."""
    weighted = Decimal(contract.uplift_nlw_weight) * Decimal(nlw_percent) + Decimal(
        contract.uplift_cpi_weight
    ) * Decimal(cpi_percent)
    if contract.uplift_cap_percent is not None:
        weighted = min(weighted, Decimal(contract.uplift_cap_percent))
    return max(weighted, Decimal(0)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@transaction.atomic
def uplift_apply(
    *,
    effective_from: date,
    nlw_percent: Decimal,
    cpi_percent: Decimal,
    contract: Contract | None = None,
    by=None,
) -> dict[str, int]:
    """Apply the annual uplift from `effective_from` to every line live the day before (of one contract, or
    of all live block contracts). Safe to run twice: lines with a rate from that date already are skipped."""
    nlw_percent, cpi_percent = Decimal(str(nlw_percent)), Decimal(str(cpi_percent))
    the_day_before = effective_from - timedelta(days=1)
    lines = BedLine.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=effective_from),
        activation_date__lte=the_day_before,
        contract__kind=ContractKind.BLOCK,
    ).exclude(contract__status__in=[ContractStatus.DRAFT, ContractStatus.ENDED])
    if contract is not None:
        lines = lines.filter(contract=contract)
    already = set(
        RateChange.objects.filter(bed_line__in=lines, effective_from=effective_from).values_list("bed_line", flat=True)
    )
    rows = lines.annotate(base_rate=rate_subquery(the_day_before)).select_related("contract")
    changes = []
    for line in rows:
        if line.pk in already or line.base_rate is None:
            continue
        percent = uplift_percent(contract=line.contract, nlw_percent=nlw_percent, cpi_percent=cpi_percent)
        new_rate = (line.base_rate * (1 + percent / 100)).quantize(PENNY, rounding=ROUND_HALF_UP)
        changes.append(
            RateChange(
                bed_line=line,
                effective_from=effective_from,
                weekly_rate=new_rate,
                reason=RateChange.Reason.UPLIFT,
                uplift_percent=percent,
                nlw_percent=nlw_percent,
                cpi_percent=cpi_percent,
                created_by=by,
            )
        )
    bulk_create_with_history(changes, RateChange, batch_size=1000, default_user=by)
    return {"uplifted": len(changes), "already_uplifted": len(already)}


# --- closures ---------------------------------------------------------------------------------------------


@transaction.atomic
def closure_create(
    *,
    bed_line: BedLine,
    start_date: date,
    end_date: date,
    reason: str,
    beds: int | None = None,
    by=None,
) -> Closure:
    _require_may_act(by, bed_line.location.provider_id)
    line = BedLine.objects.select_for_update().get(pk=bed_line.pk)
    _ordered(start_date, end_date, start_name="closure start")
    beds = line.beds if beds is None else beds
    if not 1 <= beds <= line.beds:
        raise DomainError(f"Between 1 and {line.beds} beds of this line can be closed.", field="beds")
    if not (reason or "").strip():
        raise DomainError("Say why the beds are closed.", field="reason")
    closure = Closure(bed_line=line, beds=beds, start_date=start_date, end_date=end_date, reason=reason, created_by=by)
    closure._history_user = by
    closure.save()
    return closure


def location_close(*, location: Location, start_date: date, end_date: date, reason: str, by=None) -> list[Closure]:
    """Close every block bed at a home (e.g. a 28-day closure after an outbreak)."""
    lines = BedLine.objects.filter(location=location, activation_date__lte=end_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    with transaction.atomic():
        return [
            closure_create(bed_line=line, start_date=start_date, end_date=end_date, reason=reason, by=by)
            for line in lines.select_related("location")
        ]


@transaction.atomic
def closure_update(*, closure: Closure, by=None, **fields) -> Closure:
    _require_may_act(by, closure.bed_line.location.provider_id)
    for name in fields:
        if name not in {"beds", "start_date", "end_date", "reason"}:
            raise DomainError(f"{name} cannot be changed on a closure.", field=name)
    for name, value in fields.items():
        setattr(closure, name, value)
    _ordered(closure.start_date, closure.end_date, start_name="closure start")
    if not 1 <= closure.beds <= closure.bed_line.beds:
        raise DomainError(f"Between 1 and {closure.bed_line.beds} beds of this line can be closed.", field="beds")
    closure._history_user = by
    closure.save()
    return closure


# --- placements and holds ---------------------------------------------------------------------------------


def _active_holds(line: BedLine, *, exclude: Hold | None = None) -> int:
    holds = Hold.objects.filter(bed_line=line, status=HoldStatus.HELD, expires_at__gt=timezone.now())
    if exclude is not None:
        holds = holds.exclude(pk=exclude.pk)
    return holds.count()


def _room_on_line(line: BedLine, *, start: date, end: date | None, exclude_hold: Hold | None = None) -> int:
    """Beds left for one more person from `start` to `end`: the fewest void beds on any day of the stay,
    less other brokers' unexpired holds. Call with the line row locked."""
    if start < line.activation_date or (line.end_date and start > line.end_date):
        return 0
    least = least_level_between(line=line, start=start, end=end)
    return least - _active_holds(line, exclude=exclude_hold)


def _full_line_message(line: BedLine, start: date) -> str:
    closed = Closure.objects.filter(bed_line=line, start_date__lte=start, end_date__gte=start).exists()
    why = "beds on it are closed" if closed else "it has no void bed left"
    return f"No bed on this line from {start}: {why} (someone may have just taken the last one)."


@transaction.atomic
def placement_create(
    *,
    reference: str,
    kind: str,
    start_date: date,
    end_date: date | None = None,
    bed_line: BedLine | None = None,
    location: Location | None = None,
    provider: Provider | None = None,
    care_type: str = "",
    weekly_cost: Decimal | None = None,
    hours_per_week: Decimal | None = None,
    service: str | None = None,
    source: str = PlacementSource.COMMUNITY,
    hold: Hold | None = None,
    by=None,
) -> Placement:
    reference = reference_validate(reference)
    _ordered(start_date, end_date, start_name="start date")
    if kind not in PlacementKind.values:
        raise DomainError(f"Unknown placement kind {kind!r}.", field="kind")
    if source not in PlacementSource.values:
        raise DomainError(f"Unknown source {source!r}.", field="source")
    if care_type and care_type not in CareType.values:
        raise DomainError(f"Unknown care type {care_type!r}.", field="care_type")
    placement = Placement(
        reference=reference,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        source=source,
        care_type=care_type,
        weekly_cost=weekly_cost,
        hours_per_week=hours_per_week,
        created_by=by,
    )
    if kind in BED_LINE_KINDS:
        if bed_line is None:
            raise DomainError(f"A {kind} placement is on a block bed line.", field="bed_line")
        # The last-bed race is settled here: whoever locks the line first takes the bed.
        line = BedLine.objects.select_for_update().select_related("location").get(pk=bed_line.pk)
        if line.contract.status in (ContractStatus.DRAFT, ContractStatus.ENDED):
            raise DomainError("The line's contract is not live.", field="bed_line")
        if _room_on_line(line, start=start_date, end=end_date, exclude_hold=hold) < 1:
            raise NoVoidBed(_full_line_message(line, start_date), field="bed_line")
        placement.bed_line, placement.location = line, line.location
        placement.provider_id, placement.care_type = line.location.provider_id, line.care_type
        placement.service = PlacementService.CARE_HOME
        if placement.weekly_cost is None:
            placement.weekly_cost = (
                line.rate_changes.filter(effective_from__lte=start_date)
                .order_by("-effective_from")
                .values_list("weekly_rate", flat=True)
                .first()
            )
    elif kind == PlacementKind.DIRECT_PAYMENT:
        placement.service = PlacementService.DIRECT_PAYMENT
        placement.provider = provider
    elif service == PlacementService.HOMECARE or kind == PlacementKind.LEAD_PROVIDER or hours_per_week is not None:
        if kind not in (PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.SPOT):
            raise DomainError("Homecare is from a lead provider, a contingency provider or spot.", field="kind")
        if provider is None:
            raise DomainError("A homecare package needs its provider.", field="provider")
        if hours_per_week is None or Decimal(hours_per_week) <= 0:
            raise DomainError("A homecare package needs its hours per week.", field="hours_per_week")
        placement.service, placement.provider = PlacementService.HOMECARE, provider
    else:
        # A spot (or contingency) bed at a home, outside any block.
        if location is None:
            raise DomainError("A spot placement is at a location.", field="location")
        if not care_type:
            raise DomainError("Say which care type the spot bed is.", field="care_type")
        placement.service, placement.location, placement.provider_id = (
            PlacementService.CARE_HOME,
            location,
            location.provider_id,
        )
    placement._history_user = by
    placement.save()
    return placement


@transaction.atomic
def placement_update(*, placement: Placement, by=None, **fields) -> Placement:
    allowed = {"end_date", "weekly_cost", "hours_per_week", "source"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"These cannot be changed on a placement: {', '.join(sorted(unknown))}.")
    if placement.bed_line_id:
        BedLine.objects.select_for_update().get(pk=placement.bed_line_id)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    old_end = placement.end_date
    for name, value in fields.items():
        setattr(placement, name, value)
    _ordered(placement.start_date, placement.end_date, start_name="start date")
    placement._history_user = by
    placement.save()
    extended = placement.end_date is None or (old_end is not None and placement.end_date > old_end)
    if placement.bed_line_id and old_end is not None and extended:
        line = placement.bed_line
        if least_level_between(line=line, start=old_end + timedelta(days=1), end=placement.end_date) < 0:
            raise NoVoidBed("The bed is taken after the current end date; the stay cannot go on.", field="end_date")
    return placement


def placement_end(*, placement: Placement, end_date: date, by=None) -> Placement:
    return placement_update(placement=placement, end_date=end_date, by=by)


@transaction.atomic
def hold_place(*, bed_line: BedLine, reference: str, start_date: date, by=None) -> Hold:
    reference = reference_validate(reference)
    # The last-bed race is settled here: the second broker waits for the lock and then sees the first hold.
    line = BedLine.objects.select_for_update().select_related("location", "contract").get(pk=bed_line.pk)
    if line.contract.status in (ContractStatus.DRAFT, ContractStatus.ENDED):
        raise DomainError("The line's contract is not live.", field="bed_line")
    if _room_on_line(line, start=start_date, end=None) < 1:
        raise NoVoidBed(_full_line_message(line, start_date), field="bed_line")
    # A hold counts only while expires_at is in the future; a periodic sweep tidies expired ones.
    # (No 48-hour countdown task: with Redis, an ETA beyond the visibility timeout is delivered again and again.)
    hold = Hold(
        bed_line=line,
        reference=reference,
        start_date=start_date,
        created_by=by,
        expires_at=timezone.now() + settings.HOLD_DURATION,
    )
    hold._history_user = by
    hold.save()
    return hold


@transaction.atomic
def hold_convert(
    *,
    hold: Hold,
    kind: str = PlacementKind.BLOCK,
    end_date: date | None = None,
    source: str = PlacementSource.COMMUNITY,
    by=None,
) -> Placement:
    BedLine.objects.select_for_update().get(pk=hold.bed_line_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active():
        raise HoldNotActive(f"The hold is {hold.get_status_display().lower()} or has expired; place again.")
    if kind not in BED_LINE_KINDS:
        raise DomainError("A hold becomes a block, respite or emergency placement.", field="kind")
    placement = placement_create(
        reference=hold.reference,
        kind=kind,
        start_date=hold.start_date,
        end_date=end_date,
        bed_line=hold.bed_line,
        source=source,
        hold=hold,
        by=by,
    )
    hold.status, hold.placement = HoldStatus.CONVERTED, placement
    hold._history_user = by
    hold.save(update_fields=["status", "placement", "updated_at"])
    return placement


@transaction.atomic
def hold_release(*, hold: Hold, by=None) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.status != HoldStatus.HELD:
        raise HoldNotActive(f"The hold is already {hold.get_status_display().lower()}.")
    hold.status = HoldStatus.RELEASED
    hold._history_user = by
    hold.save(update_fields=["status", "updated_at"])
    return hold


def holds_expire(*, now: datetime | None = None) -> int:
    """Mark lapsed holds expired (they stopped counting at expires_at already; this keeps the list tidy)."""
    now = now or timezone.now()
    return Hold.objects.filter(status=HoldStatus.HELD, expires_at__lte=now).update(
        status=HoldStatus.EXPIRED, updated_at=now
    )


# --- provider vacancy reports -----------------------------------------------------------------------------


@transaction.atomic
def vacancy_report_record(
    *,
    location: Location,
    report_date: date,
    care_type: str,
    vacant_beds: int,
    accepting_admissions: bool,
    by=None,
) -> VacancyReport:
    _require_may_act(by, location.provider_id)
    if care_type not in CareType.values:
        raise DomainError(f"Unknown care type {care_type!r}.", field="care_type")
    if vacant_beds is None or vacant_beds < 0:
        raise DomainError("Vacant beds must be zero or more.", field="vacant_beds")
    if location.registered_beds and vacant_beds > location.registered_beds:
        raise DomainError(f"The home has only {location.registered_beds} registered beds.", field="vacant_beds")
    if report_date > timezone.localdate():
        raise DomainError("A report cannot be dated in the future.", field="report_date")
    report, _ = VacancyReport.objects.update_or_create(
        location=location,
        care_type=care_type,
        report_date=report_date,
        defaults={"vacant_beds": vacant_beds, "accepting_admissions": accepting_admissions, "reported_by": by},
    )
    return report


CARE_TYPE_BY_NAME = {**{value: value for value in CareType.values}, **{c.label.lower(): c.value for c in CareType}}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
VACANCY_COLUMNS = ["location", "date", "care_type", "vacant_beds", "accepting_admissions"]


def vacancy_reports_import(*, content: bytes | str, by=None) -> int:
    """Import a Capacity Tracker style CSV: location (CQC location id), date, care_type, vacant_beds,
    accepting_admissions (yes/no). Everything is checked first; nothing is written if any row is wrong."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in VACANCY_COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            "The file lacks columns.", problems=[{"row": 1, "field": name, "message": "missing"} for name in missing]
        )
    rows = [{(key or "").strip().lower(): (value or "").strip() for key, value in row.items()} for row in reader]
    if not rows:
        raise ImportRejected("The file has no rows.")
    ids = {row["location"] for row in rows}
    locations = {loc.cqc_location_id: loc for loc in Location.objects.filter(cqc_location_id__in=ids)}
    problems, reports, seen = [], [], set()
    today = timezone.localdate()
    for number, row in enumerate(rows, start=2):

        def problem(field: str, message: str, number: int = number) -> None:
            problems.append({"row": number, "field": field, "message": message})

        location = locations.get(row["location"])
        if location is None:
            problem("location", f"Unknown CQC location id {row['location']!r}.")
        elif by is not None and not may_act_for_provider(by, location.provider_id):
            problem("location", "You may report only for your own provider's locations.")
        try:
            report_date = date.fromisoformat(row["date"])
            if report_date > today:
                problem("date", "The date is in the future.")
        except ValueError:
            report_date = None
            problem("date", f"{row['date']!r} is not a date (YYYY-MM-DD).")
        care_type = CARE_TYPE_BY_NAME.get(row["care_type"].lower())
        if care_type is None:
            problem("care_type", f"Unknown care type {row['care_type']!r}.")
        try:
            vacant = int(row["vacant_beds"])
            if vacant < 0:
                raise ValueError
        except ValueError:
            vacant = None
            problem("vacant_beds", f"{row['vacant_beds']!r} is not a whole number of beds.")
        accepting = row["accepting_admissions"].lower()
        if accepting not in YES | NO:
            problem("accepting_admissions", "Say yes or no.")
        if location and report_date and care_type and vacant is not None:
            key = (location.pk, care_type, report_date)
            if key in seen:
                problem("date", "The same location, care type and date appear twice in the file.")
            seen.add(key)
            reports.append(
                VacancyReport(
                    location=location,
                    report_date=report_date,
                    care_type=care_type,
                    vacant_beds=vacant,
                    accepting_admissions=accepting in YES,
                    reported_by=by,
                )
            )
    if problems:
        raise ImportRejected(f"{len(problems)} problem(s) in the file; nothing was imported.", problems=problems)
    with transaction.atomic():
        VacancyReport.objects.bulk_create(
            reports,
            update_conflicts=True,
            unique_fields=["location", "care_type", "report_date"],
            update_fields=["vacant_beds", "accepting_admissions", "reported_by"],
        )
    return len(reports)


# --- checks for writes made in the admin ------------------------------------------------------------------
# The admin saves model forms inside one transaction; its forms call these so that an edit there passes the
# same rules (and takes the same row locks) as one made through the API.


def contract_check(*, contract: Contract) -> None:
    _contract_validate(contract)


def bed_line_check(*, line: BedLine) -> None:
    line.location = Location.objects.select_for_update().get(pk=line.location_id)
    _bed_line_validate(line)
    _capacity_check(line)


def placement_check(*, placement: Placement) -> None:
    placement.reference = reference_validate(placement.reference)
    _ordered(placement.start_date, placement.end_date, start_name="start date")
    if placement.pk is None and placement.bed_line_id:
        line = BedLine.objects.select_for_update().get(pk=placement.bed_line_id)
        if _room_on_line(line, start=placement.start_date, end=placement.end_date) < 1:
            raise NoVoidBed(_full_line_message(line, placement.start_date), field="bed_line")


def closure_check(*, closure: Closure) -> None:
    _ordered(closure.start_date, closure.end_date, start_name="closure start")
    if closure.beds and closure.bed_line_id and closure.beds > closure.bed_line.beds:
        raise DomainError(f"At most {closure.bed_line.beds} beds of this line can be closed.", field="beds")
