"""Awards, plans and homecare people for the mobilisation and contingency tests."""

from datetime import date
from decimal import Decimal

from contracts.models import PlacementKind
from contracts.services import placement_create
from market.models import Award, Bid, Lot, ProcurementRound, Tender
from tests.factories import LocalityFactory, ProviderFactory

_count = {"n": 0}


def _next() -> int:
    _count["n"] += 1
    return _count["n"]


def lot_with_wards(*, wards: int = 2, code: str | None = None):
    """A lot over a lot area made of `wards` wards; returns (lot, [wards])."""
    n = _next()
    members = [LocalityFactory(code=f"E0590{n:02d}{i:02d}", name=f"Ward {n}-{i}", kind="ward") for i in range(wards)]
    area = LocalityFactory(code=code or f"LOT-{n:03d}", name=f"Lot area {n}", kind="lot_area")
    area.members.set(members)
    tender = Tender.objects.create(reference=f"T-{n:03d}", title=f"Homecare tender {n}")
    lot = Lot.objects.create(tender=tender, code=f"L-{n:03d}", name=f"Lot {n}", area=area)
    return lot, members


def award_for(*, lot=None, provider=None, awarded_on=date(2016, 6, 1), go_live_on=date(2016, 11, 7)) -> Award:
    lot = lot or lot_with_wards()[0]
    provider = provider or ProviderFactory()
    number = lot.rounds.count() + 1
    round_ = ProcurementRound.objects.create(
        lot=lot, tender=lot.tender, number=number, procedure="open", opened_on=date(2016, 1, 4)
    )
    bid = Bid.objects.create(
        round=round_, provider=provider, quality_score=Decimal("70"), price_score=Decimal("60"), rank=1
    )
    return Award.objects.create(lot=lot, bid=bid, awarded_on=awarded_on, go_live_on=go_live_on)


def person(n: int, prefix: str = "HC") -> str:
    return f"{prefix}-{n:06d}"


def homecare(*, reference: str, kind: str, ward, start: date, end: date | None = None, provider=None):
    """A homecare package (lead provider or contingency) or a direct payment for a person living in `ward`."""
    if kind == PlacementKind.DIRECT_PAYMENT:
        return placement_create(
            reference=reference, kind=kind, start_date=start, end_date=end, home_ward=ward, weekly_cost=Decimal("150")
        )
    return placement_create(
        reference=reference,
        kind=kind,
        start_date=start,
        end_date=end,
        provider=provider or ProviderFactory(),
        hours_per_week=Decimal("7"),
        service="homecare",
        home_ward=ward,
    )
