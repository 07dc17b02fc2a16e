"""Writes to the contracts register: contracts, bed lines (within a home's registered beds, under a lock on
the home) and prices."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from contracts.models import (
    BedLine,
    BreakDecision,
    CareType,
    CommissioningPartner,
    Contract,
    ContractKind,
    ContractService,
    ContractStatus,
    RateChange,
    live_contract,
)
from contracts.selectors import least_level_between
from contracts.services.checks import PENNY, UNCHANGED, CapacityExceeded, dates_ordered, given
from contracts.services.free_beds import free_bed_state_refresh
from contracts.signals import risk_changed_send
from core.errors import Conflict, DomainError
from providers.models import Location, Provider

# --- contracts --------------------------------------------------------------------------------------------

# What a contract officer may set on a contract (the API shows these fields in this order).
CONTRACT_FIELDS = (
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
)
# The longest reason the history keeps with a change (simple_history's history_change_reason).
REASON_LENGTH = 100
# Recorded by contract_break_decide only.
BREAK_DECISION_FIELDS = ("break_decision", "break_decided_on", "break_decision_note")


def _contract_validate(contract: Contract) -> None:
    if not (contract.reference or "").strip():
        raise DomainError("A contract needs a reference.", field="reference")
    for name, choices in (
        ("kind", ContractKind),
        ("service", ContractService),
        ("status", ContractStatus),
        ("commissioning_partner", CommissioningPartner),
    ):
        if getattr(contract, name) not in choices.values:
            raise DomainError(f"Unknown {name.replace('_', ' ')} {getattr(contract, name)!r}.", field=name)
    dates_ordered(contract.start_date, contract.end_date, start_name="contract start")
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
def contract_create(
    *,
    reference: str,
    provider: Provider,
    kind: str,
    start_date: date,
    service: str = ContractService.CARE_HOME_BEDS,
    end_date: date | None = None,
    break_clause_date: date | None = None,
    notice_period_months: int = 6,
    status: str = ContractStatus.DRAFT,
    commissioning_partner: str = CommissioningPartner.COUNCIL,
    documents_url: str = "",
    notes: str = "",
    uplift_nlw_weight: Decimal = Decimal("0.5"),
    uplift_cpi_weight: Decimal = Decimal("0.5"),
    uplift_cap_percent: Decimal | None = None,
    by=None,
) -> Contract:
    contract = Contract(
        reference=reference,
        provider=provider,
        kind=kind,
        service=service,
        start_date=start_date,
        end_date=end_date,
        break_clause_date=break_clause_date,
        notice_period_months=notice_period_months,
        status=status,
        commissioning_partner=commissioning_partner,
        documents_url=documents_url,
        notes=notes,
        uplift_nlw_weight=uplift_nlw_weight,
        uplift_cpi_weight=uplift_cpi_weight,
        uplift_cap_percent=uplift_cap_percent,
    )
    _contract_validate(contract)
    if Contract.objects.filter(reference=contract.reference).exists():
        raise Conflict(f"A contract with reference {contract.reference} exists already.", field="reference")
    contract._history_user = by
    contract.save()
    risk_changed_send("contract")
    return contract


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    reference: str = UNCHANGED,
    provider: Provider = UNCHANGED,
    kind: str = UNCHANGED,
    service: str = UNCHANGED,
    start_date: date = UNCHANGED,
    end_date: date | None = UNCHANGED,
    break_clause_date: date | None = UNCHANGED,
    notice_period_months: int = UNCHANGED,
    status: str = UNCHANGED,
    commissioning_partner: str = UNCHANGED,
    documents_url: str = UNCHANGED,
    notes: str = UNCHANGED,
    uplift_nlw_weight: Decimal = UNCHANGED,
    uplift_cpi_weight: Decimal = UNCHANGED,
    uplift_cap_percent: Decimal | None = UNCHANGED,
    reason: str = "",
    by=None,
) -> Contract:
    """Change a contract's terms. `reason` (a variation's, such as "Break clause moved by deed of variation")
    is kept with the change in the contract's history."""
    changes = given(
        reference=reference,
        provider=provider,
        kind=kind,
        service=service,
        start_date=start_date,
        end_date=end_date,
        break_clause_date=break_clause_date,
        notice_period_months=notice_period_months,
        status=status,
        commissioning_partner=commissioning_partner,
        documents_url=documents_url,
        notes=notes,
        uplift_nlw_weight=uplift_nlw_weight,
        uplift_cpi_weight=uplift_cpi_weight,
        uplift_cap_percent=uplift_cap_percent,
    )
    if len(reason.strip()) > REASON_LENGTH:
        raise DomainError(f"The reason is kept in the history in {REASON_LENGTH} characters at most.", field="reason")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = (contract.provider_id, contract.kind)
    for name, value in changes.items():
        setattr(contract, name, value)
    _contract_validate(contract)
    if "reference" in changes and Contract.objects.filter(reference=reference).exclude(pk=contract.pk).exists():
        raise Conflict(f"A contract with reference {reference} exists already.", field="reference")
    if contract.bed_lines.exists():
        if contract.provider_id != before[0]:
            raise DomainError(
                "The contract has bed lines at this provider's homes; it cannot change provider.", field="provider"
            )
        if contract.kind != before[1]:
            raise DomainError("The contract has block bed lines; it stays a block contract.", field="kind")
    if contract.bed_lines.filter(activation_date__lt=contract.start_date).exists():
        raise DomainError("Some bed lines activate before this start date.", field="start_date")
    _lines_end_by(contract)
    contract._history_user = by
    contract._change_reason = reason.strip()
    contract.save()
    free_bed_state_refresh(lines=contract.bed_lines.values_list("pk", flat=True))
    risk_changed_send("contract")
    return contract


def _lines_end_by(contract: Contract) -> None:
    # Open-ended lines simply stop with the contract; lines that say otherwise must be changed first.
    if contract.end_date and contract.bed_lines.filter(end_date__gt=contract.end_date).exists():
        raise DomainError("Some bed lines end after this end date.", field="end_date")


@transaction.atomic
def contract_break_decide(*, contract: Contract, decision: str, decided_on: date, note: str = "", by=None) -> Contract:
    """Record whether the break clause was exercised. Exercised: the contract now ends on its break date and
    notice is given (status ending; the daily sweep ends it after that day). Not exercised: it runs on."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.break_clause_date is None:
        raise DomainError(f"{contract.reference} has no break clause.", field="decision")
    if decision not in BreakDecision.values:
        raise DomainError(f"Unknown decision {decision!r}.", field="decision")
    if decided_on is None or decided_on > timezone.localdate():
        raise DomainError("A decision cannot be dated in the future.", field="decided_on")
    contract.break_decision, contract.break_decided_on, contract.break_decision_note = decision, decided_on, note
    fields = ["break_decision", "break_decided_on", "break_decision_note", "updated_at"]
    if decision == BreakDecision.EXERCISED:
        contract.end_date = contract.break_clause_date
        _lines_end_by(contract)
        fields.append("end_date")
        if contract.status in (ContractStatus.MOBILISING, ContractStatus.LIVE):
            contract.status = ContractStatus.ENDING
            fields.append("status")
    contract._history_user = by
    contract.save(update_fields=fields)
    free_bed_state_refresh(lines=contract.bed_lines.values_list("pk", flat=True))
    risk_changed_send("contract")
    return contract


@transaction.atomic
def contracts_end_overdue(*, on: date | None = None) -> list[Contract]:
    """End every live contract whose end date has passed by `on` (today): its status follows its dates. Each is
    saved on its own so its history says when it ended and why; a second run the same day finds none."""
    on = on or timezone.localdate()
    overdue = list(Contract.objects.select_for_update().filter(live_contract(), end_date__lt=on).order_by("pk"))
    for contract in overdue:
        contract.status = ContractStatus.ENDED
        contract._change_reason = f"Ended by the daily sweep: its end date {contract.end_date} has passed."
        contract.save(update_fields=["status", "updated_at"])
    free_bed_state_refresh(lines=BedLine.objects.filter(contract__in=overdue).values_list("pk", flat=True))
    if overdue:
        risk_changed_send("contract")
    return overdue


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
    dates_ordered(line.activation_date, line.end_date, start_name="activation date")
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
    free_bed_state_refresh(lines=[line])
    risk_changed_send("contract")
    return line


@transaction.atomic
def bed_line_update(
    *,
    line: BedLine,
    care_type: str = UNCHANGED,
    beds: int = UNCHANGED,
    activation_date: date = UNCHANGED,
    end_date: date | None = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> BedLine:
    """Change a line's beds, care type, dates or notes; its contract, home and price stay (a price changes
    by a rate change from a date)."""
    changes = given(care_type=care_type, beds=beds, activation_date=activation_date, end_date=end_date, notes=notes)
    location = Location.objects.select_for_update().get(pk=line.location_id)
    line = BedLine.objects.select_for_update(of=("self",)).select_related("contract").get(pk=line.pk)
    line.location = location
    for name, value in changes.items():
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
    free_bed_state_refresh(lines=[line])
    risk_changed_send("contract")
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
    change = RateChange(
        bed_line=bed_line,
        effective_from=effective_from,
        weekly_rate=Decimal(weekly_rate).quantize(PENNY),
        reason=reason,
        created_by=by,
    )
    _rate_change_validate(change)
    change._history_user = by
    change.save()
    free_bed_state_refresh(lines=[change.bed_line_id])
    return change


def _rate_change_validate(change: RateChange) -> None:
    if change.reason not in RateChange.Reason.values:
        raise DomainError(f"Unknown reason {change.reason!r}.", field="reason")
    if change.effective_from < change.bed_line.contract.start_date:
        raise DomainError("The rate takes effect before the contract starts.", field="effective_from")
    if RateChange.objects.filter(bed_line_id=change.bed_line_id, effective_from=change.effective_from).exists():
        raise Conflict(f"The line already has a rate from {change.effective_from}.", field="effective_from")
