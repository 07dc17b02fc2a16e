"""Market test data built through the services, so every test object passed the same checks as real data."""

from datetime import date
from decimal import Decimal

from market.models import Award, Bid, Lot, ProcurementRound, Tender
from market.services import award_make, bid_record, lot_create, round_open, tender_create
from tests.factories import LocalityFactory, ProviderFactory

_counter = iter(range(1, 10**9))


def make_tender(**fields) -> Tender:
    values = {
        "reference": f"LCC-HTLAH-{next(_counter):04d}",
        "title": "Help to Live at Home",
        "service": "homecare_hours",
        "procedure": "open",
        "quality_threshold": Decimal("60"),
        "quality_weight": Decimal("60"),
        "price_weight": Decimal("40"),
        "status": "published",
    }
    values.update(fields)
    return tender_create(**values)


def make_lot(*, tender: Tender | None = None, area=None, **fields) -> Lot:
    number = next(_counter)
    values = {
        "tender": tender or make_tender(),
        "code": f"LOT-{number:04d}",
        "name": f"Lot {number}",
        "area": area or LocalityFactory(code=f"AREA-{number:04d}", name=f"Area {number}", kind="lot_area"),
        "hours_per_week": Decimal("1200"),
    }
    values.update(fields)
    return lot_create(**values)


def make_round(*, lot: Lot | None = None, opened_on=date(2016, 5, 1), **fields) -> ProcurementRound:
    return round_open(lot=lot or make_lot(), opened_on=opened_on, **fields)


def make_bid(*, round: ProcurementRound | None = None, provider=None, quality="70", price="80", **fields) -> Bid:  # noqa: A002
    return bid_record(
        round=round or make_round(),
        provider=provider or ProviderFactory(),
        quality_score=Decimal(quality),
        price_score=Decimal(price),
        **fields,
    )


def make_award(*, bid: Bid | None = None, provider=None, lot: Lot | None = None, **fields) -> Award:
    if bid is None:
        bid = make_bid(round=make_round(lot=lot) if lot else None, provider=provider)
    values = {"awarded_on": date(2016, 7, 1), "go_live_on": date(2016, 11, 7)}
    values.update(fields)
    return award_make(bid=bid, **values)
