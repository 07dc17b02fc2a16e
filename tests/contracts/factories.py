"""Contracts test data built through the services, so every test object passed the same checks as real data.

Default dates come from the clock when the factory runs (a pinned test's day, or today): a block contract that
began two years ago with its break five years after its start, lines active from the contract's start, people
placed from the line's activation."""

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from contracts.models import Contract, ContractKind, ContractStatus
from contracts.services import bed_line_create, contract_create, placement_create
from tests.factories import LocationFactory, ProviderFactory

_counter = iter(range(1, 10**9))


def make_contract(*, provider=None, **fields) -> Contract:
    start = fields.get("start_date") or timezone.localdate() - relativedelta(years=2)
    end = fields.get("end_date")
    break_day = start + relativedelta(years=5)
    values = {
        "reference": f"CCC-BLOCK-{next(_counter):04d}",
        "provider": provider or ProviderFactory(),
        "kind": ContractKind.BLOCK,
        "start_date": start,
        "break_clause_date": break_day if end is None or break_day < end else None,
        "status": ContractStatus.LIVE,
        "uplift_nlw_weight": Decimal("0.6"),
        "uplift_cpi_weight": Decimal("0.4"),
        "uplift_cap_percent": Decimal("3.00"),
    }
    values.update(fields)
    return contract_create(**values)


def make_line(
    *,
    contract=None,
    location=None,
    care_type="nursing",
    beds=2,
    activation_date=None,
    weekly_rate=Decimal("700.00"),
    end_date=None,
    **location_fields,
):
    if contract is None:
        contract = make_contract(provider=location.provider if location else None)
    if location is None:
        location = LocationFactory(provider=contract.provider, **location_fields)
    return bed_line_create(
        contract=contract,
        location=location,
        care_type=care_type,
        beds=beds,
        activation_date=activation_date or contract.start_date,
        weekly_rate=weekly_rate,
        end_date=end_date,
    )


def place(line, *, start=None, end=None, reference=None, kind="block"):
    return placement_create(
        reference=reference or f"BRK-{next(_counter):06d}",
        kind=kind,
        start_date=start or line.activation_date,
        end_date=end,
        bed_line=line,
    )
