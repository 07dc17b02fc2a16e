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


def spot(
    *,
    location,
    care_type="nursing",
    weekly_cost="1000.00",
    start=date(2025, 5, 1),
    end=None,
    reference=None,
    reason="The person's family chose this home",
):
    # A reason is kept only where a block bed of the care type was free nearby (the estate's homes share a place).
    return placement_create(
        reference=reference or f"SPT-{next(_counter):06d}",
        kind="spot",
        location=location,
        care_type=care_type,
        weekly_cost=Decimal(weekly_cost),
        start_date=start,
        end_date=end,
        spot_reason=reason,
    )


def pages_estate():
    """The market pages' estate: a block contract of two nursing beds in East Cambridgeshire from 2024, one taken
    from February 2024; spot placements there (nursing, £1,000) and in Huntingdonshire (residential, £900) from
    May 2025; the council's spot nursing price of £1,000 on the contract's first day. Returns the contract."""
    from market.services.analysis import spot_price_create

    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    contract = make_contract(reference="CCC-BB24-01", start_date=date(2024, 1, 1), end_date=date(2028, 12, 31))
    ely = home(district=east, provider=contract.provider, name="Ely Meadows")
    line = make_line(contract=contract, location=ely, beds=2, activation_date=date(2024, 1, 1))
    place(line, start=date(2024, 2, 1))
    spot(location=home(district=east), weekly_cost="1000.00", start=date(2025, 5, 1))
    spot(location=home(district=hunts), care_type="residential", weekly_cost="900.00", start=date(2025, 5, 1))
    spot_price_create(care_type="nursing", priced_on=date(2024, 1, 1), weekly_price=Decimal("1000.00"))
    return contract


__all__ = ["district", "home", "make_contract", "make_line", "pages_estate", "place", "spot"]
