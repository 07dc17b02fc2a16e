"""Micro-enterprises, their histories and programmes for the micro-enterprise and programme tests, written
through the services."""

from datetime import date, timedelta
from decimal import Decimal

from market.models import MicroEnterprise, Programme
from market.services.micro_enterprises import (
    micro_enterprise_create,
    micro_enterprise_return_record,
    micro_enterprise_status_set,
    programme_create,
)
from tests.factories import LocalityFactory

_count = {"n": 0}


def _next() -> int:
    _count["n"] += 1
    return _count["n"]


def district_with_wards(*, wards: int = 2, code: str | None = None):
    """A district and `wards` wards whose parent it is; returns (district, [wards])."""
    n = _next()
    district = LocalityFactory(code=code or f"E0788{n:04d}", name=f"District {n}", kind="district")
    return district, [
        LocalityFactory(code=f"E0577{n:03d}{i:02d}", name=f"Ward {n}-{i}", kind="ward", parent=district)
        for i in range(wards)
    ]


def micro_enterprise(
    *,
    locality,
    enquiry: date,
    trading: date | None = None,
    returns: list[tuple[date, str, int]] = (),
    ceased: date | None = None,
    name: str | None = None,
    **fields,
) -> MicroEnterprise:
    """An enquiry on `enquiry`; trading from `trading` (developing the day before); returns as (from, hours a
    week, people supported); ceased from `ceased`."""
    enterprise = micro_enterprise_create(
        trading_name=name or f"Community Carer {_next()}", locality=locality, status_on=enquiry, **fields
    )
    if trading is not None:
        micro_enterprise_status_set(micro_enterprise=enterprise, status="developing", on=_day_before(trading, enquiry))
        micro_enterprise_status_set(micro_enterprise=enterprise, status="trading", on=trading)
    for day, hours, people in returns:
        micro_enterprise_return_record(
            micro_enterprise=enterprise, from_date=day, hours_per_week=Decimal(hours), people_supported=people
        )
    if ceased is not None:
        micro_enterprise_status_set(micro_enterprise=enterprise, status="ceased", on=ceased)
    enterprise.refresh_from_db()
    return enterprise


def _day_before(day: date, enquiry: date) -> date:
    before = day - timedelta(days=1)
    if before <= enquiry:
        raise ValueError("Trading must start at least two days after the enquiry in these tests.")
    return before


def programme(
    *,
    areas,
    start=date(2023, 1, 1),
    trajectory=(0, 10, 20, 60),
    spending=(1000, 1000, 500, 500),
    rate="4.50",
    years=None,
    **fields,
) -> Programme:
    return programme_create(
        name=fields.pop("name", f"Programme {_next()}"),
        start_date=start,
        areas=list(areas),
        years=years
        if years is not None
        else [{"year": 1, "enquiries_target": 4, "trading_target": 2, "hours_per_week_target": Decimal(60)}],
        quarters=[
            {"quarter": n, "planned_hours_per_week": Decimal(hours), "spending": Decimal(money)}
            for n, (hours, money) in enumerate(zip(trajectory, spending, strict=True), start=1)
        ],
        hourly_cost_avoidance=Decimal(rate) if rate is not None else None,
        **fields,
    )
