"""Demo settings of the market analysis for Cambridgeshire's block bed tender (contract start 18 January 2021):
the spot inflation path of its papers (about 10% a year from 2016, 7% in 2020/21, 6.7% forecast for 2021/22, the
forecast carried forward), the spot weekly prices on the tender's start day, above the block prices the contracts
demo pays (£640 residential to £850 nursing dementia), and the market limits it worked with.

The contracts demo's spot placements (priced £950 to £1,250 a week in recent years) are consistent with these
prices along the path. Idempotent: a second run finds the rows and writes nothing."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from contracts.models import CareType
from market.models import MarketLimits, SpotInflation, SpotPrice
from market.selectors.market_shape import DEFAULT_LIMITS
from market.services.analysis import market_limits_set, spot_inflation_set, spot_price_create

TENDER_START = date(2021, 1, 18)
SPOT_INFLATION = [
    *[(year, Decimal("10"), "About 10% a year since 2016") for year in range(2016, 2020)],
    (2020, Decimal("7"), "2020/21 actual"),
    (2021, Decimal("6.7"), "2021/22 forecast"),
]
SPOT_PRICES = {
    CareType.RESIDENTIAL: Decimal("760.00"),
    CareType.RESIDENTIAL_DEMENTIA: Decimal("830.00"),
    CareType.NURSING: Decimal("930.00"),
    CareType.NURSING_DEMENTIA: Decimal("1000.00"),
    CareType.PLANNED_RESPITE: Decimal("790.00"),
}


def demo_load() -> dict[str, int]:
    with transaction.atomic():
        for year, percent, notes in SPOT_INFLATION:
            if not SpotInflation.objects.filter(financial_year=year).exists():
                spot_inflation_set(financial_year=year, percent=percent, notes=notes)
        for care_type, price in SPOT_PRICES.items():
            if not SpotPrice.objects.filter(care_type=care_type, priced_on=TENDER_START).exists():
                spot_price_create(
                    care_type=care_type,
                    priced_on=TENDER_START,
                    weekly_price=price,
                    notes="Going spot rate at the block tender's start",
                )
        if not MarketLimits.objects.exists():
            market_limits_set(**DEFAULT_LIMITS)
    return {
        "spot_inflation_years": SpotInflation.objects.count(),
        "spot_prices": SpotPrice.objects.count(),
        "market_limits": MarketLimits.objects.count(),
    }
