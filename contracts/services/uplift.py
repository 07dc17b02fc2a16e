"""The annual uplift: National Living Wage and CPI increases, weighted and capped per contract."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from contracts.models import (
    BedLine,
    Contract,
    ContractKind,
    RateChange,
    live_contract,
)
from contracts.selectors import rate_subquery
from contracts.services.checks import PENNY
from contracts.services.free_beds import free_bed_state_refresh
from core.errors import DomainError


def _percent_check(value, *, field: str) -> Decimal:
    try:
        percent = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(f"{value!r} is not a percentage.", field=field) from None
    low, high = Decimal(settings.UPLIFT_PERCENT_MIN), Decimal(settings.UPLIFT_PERCENT_MAX)
    if not percent.is_finite() or not low <= percent <= high:
        raise DomainError(f"An increase of {value}% is outside {low}% to {high}%; check the figure.", field=field)
    return percent


def _uplift(*, contract: Contract, nlw_percent: Decimal, cpi_percent: Decimal) -> tuple[Decimal, Decimal, bool]:
    """(the uplift, the weighted increase before the cap, whether the cap cut it)."""
    weighted = Decimal(contract.uplift_nlw_weight) * Decimal(nlw_percent) + Decimal(
        contract.uplift_cpi_weight
    ) * Decimal(cpi_percent)
    capped = contract.uplift_cap_percent is not None and weighted > Decimal(contract.uplift_cap_percent)
    percent = Decimal(contract.uplift_cap_percent) if capped else weighted
    return max(percent, Decimal(0)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP), weighted, capped


def uplift_percent(*, contract: Contract, nlw_percent: Decimal, cpi_percent: Decimal) -> Decimal:
    """The contract's uplift: NLW and CPI increases weighted as the contract says, never more than its cap
    and never a cut."""
    return _uplift(contract=contract, nlw_percent=nlw_percent, cpi_percent=cpi_percent)[0]


@dataclass(frozen=True)
class UpliftLine:
    """What an uplift does to one bed line: the rate the day before, the new rate, and whether the contract's cap
    cut the weighted increase (`weighted_percent` is the increase before the cap)."""

    line: BedLine
    old_rate: Decimal
    new_rate: Decimal
    percent: Decimal
    weighted_percent: Decimal
    capped: bool
    already_uplifted: bool


def _lines_to_uplift(*, effective_from: date, contract: Contract | None):
    the_day_before = effective_from - timedelta(days=1)
    lines = BedLine.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=effective_from),
        activation_date__lte=the_day_before,
        contract__kind=ContractKind.BLOCK,
    ).filter(live_contract("contract__"))
    if contract is not None:
        lines = lines.filter(contract=contract)
    if not lines.exists():
        whose = f"Contract {contract.reference} has no" if contract is not None else "No live block contract has"
        raise DomainError(
            f"{whose} beds live on {the_day_before} to uplift from {effective_from}; check the effective date.",
            field="effective_from",
        )
    return lines


def uplift_preview(
    *, effective_from: date, nlw_percent: Decimal, cpi_percent: Decimal, contract: Contract | None = None
) -> list[UpliftLine]:
    """What uplift_apply would write, line by line, without writing it: the same checks, the same arithmetic.
    Lines that already have a rate from `effective_from` are listed with their current rate and marked."""
    nlw_percent = _percent_check(nlw_percent, field="nlw_percent")
    cpi_percent = _percent_check(cpi_percent, field="cpi_percent")
    lines = _lines_to_uplift(effective_from=effective_from, contract=contract)
    return _planned(lines, effective_from=effective_from, nlw_percent=nlw_percent, cpi_percent=cpi_percent)


def _planned(lines, *, effective_from: date, nlw_percent: Decimal, cpi_percent: Decimal) -> list[UpliftLine]:
    the_day_before = effective_from - timedelta(days=1)
    already = dict(
        RateChange.objects.filter(bed_line__in=lines, effective_from=effective_from).values_list(
            "bed_line", "weekly_rate"
        )
    )
    rows = (
        lines.annotate(base_rate=rate_subquery(the_day_before))
        .select_related("contract", "location")
        .order_by("contract__reference", "location__name", "care_type", "pk")
    )
    planned = []
    for line in rows:
        if line.base_rate is None:
            continue
        percent, weighted, capped = _uplift(contract=line.contract, nlw_percent=nlw_percent, cpi_percent=cpi_percent)
        new_rate = (line.base_rate * (1 + percent / 100)).quantize(PENNY, rounding=ROUND_HALF_UP)
        planned.append(
            UpliftLine(
                line=line,
                old_rate=line.base_rate,
                new_rate=already.get(line.pk, new_rate),
                percent=percent,
                weighted_percent=weighted,
                capped=capped,
                already_uplifted=line.pk in already,
            )
        )
    return planned


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
    nlw_percent = _percent_check(nlw_percent, field="nlw_percent")
    cpi_percent = _percent_check(cpi_percent, field="cpi_percent")
    lines = _lines_to_uplift(effective_from=effective_from, contract=contract)
    planned = _planned(lines, effective_from=effective_from, nlw_percent=nlw_percent, cpi_percent=cpi_percent)
    changes = [
        RateChange(
            bed_line=row.line,
            effective_from=effective_from,
            weekly_rate=row.new_rate,
            reason=RateChange.Reason.UPLIFT,
            uplift_percent=row.percent,
            nlw_percent=nlw_percent,
            cpi_percent=cpi_percent,
            created_by=by,
        )
        for row in planned
        if not row.already_uplifted
    ]
    bulk_create_with_history(changes, RateChange, batch_size=1000, default_user=by)
    free_bed_state_refresh(lines=[change.bed_line_id for change in changes])
    return {"uplifted": len(changes), "already_uplifted": sum(row.already_uplifted for row in planned)}
