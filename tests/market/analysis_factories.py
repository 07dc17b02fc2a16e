"""A small worked estate for the market analysis tests: two districts, homes with block lines, block, respite,
emergency and spot placements, built through the contracts services."""

from datetime import date
from decimal import Decimal

from contracts.services import placement_create
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory

_counter = iter(range(1, 10**9))


def district(code: str, name: str):
    return LocalityFactory(code=code, name=name, kind="district")


def home(*, district, provider=None, **fields):
    values = {"district": district, "registered_beds": 30}
    if provider is not None:
        values["provider"] = provider
    values.update(fields)
    return LocationFactory(**values)


def spot(*, location, care_type="nursing", weekly_cost="1000.00", start=date(2025, 5, 1), end=None, reference=None):
    return placement_create(
        reference=reference or f"SPT-{next(_counter):06d}",
        kind="spot",
        location=location,
        care_type=care_type,
        weekly_cost=Decimal(weekly_cost),
        start_date=start,
        end_date=end,
    )


__all__ = ["district", "home", "make_contract", "make_line", "place", "spot"]
