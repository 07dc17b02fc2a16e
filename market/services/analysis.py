"""Writes of the council's market analysis settings: the spot inflation path, spot prices and the market limits.
Each is checked here, so the API and the admin refuse the same things."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from contracts.models import CareType
from core.errors import Conflict, DomainError
from market.models import MarketLimits, SpotInflation, SpotPrice
from market.selectors.market_shape import DEFAULT_LIMITS

INFLATION_RANGE = (Decimal("-50"), Decimal("100"))


def _percent_check(percent) -> Decimal:
    value = Decimal(str(percent))
    if not value.is_finite() or not INFLATION_RANGE[0] <= value <= INFLATION_RANGE[1]:
        raise DomainError(f"A rise of {percent}% is outside -50% to 100%; check the figure.", field="percent")
    return value


@transaction.atomic
def spot_inflation_set(*, financial_year: int, percent: Decimal, notes: str = "", by=None) -> SpotInflation:
    """Set the spot inflation of one financial year (a second call for the year replaces its figure)."""
    if not 2000 <= financial_year <= 2100:
        raise DomainError("The financial year is the year it starts in, 2000 to 2100.", field="financial_year")
    row, _ = SpotInflation.objects.select_for_update().get_or_create(
        financial_year=financial_year, defaults={"percent": _percent_check(percent)}
    )
    row.percent, row.notes, row.updated_by = _percent_check(percent), notes, by
    row.save(update_fields=["percent", "notes", "updated_by", "updated_at"])
    return row


@transaction.atomic
def spot_inflation_update(*, inflation: SpotInflation, by=None, **fields) -> SpotInflation:
    row = SpotInflation.objects.select_for_update().get(pk=inflation.pk)
    if "financial_year" in fields and fields["financial_year"] != row.financial_year:
        raise DomainError("A year's figure is changed, not moved to another year.", field="financial_year")
    if "percent" in fields:
        row.percent = _percent_check(fields["percent"])
    if "notes" in fields:
        row.notes = fields["notes"]
    row.updated_by = by
    row.save(update_fields=["percent", "notes", "updated_by", "updated_at"])
    return row


@transaction.atomic
def spot_inflation_delete(*, inflation: SpotInflation) -> None:
    """The year falls back to the default path."""
    SpotInflation.objects.filter(pk=inflation.pk).delete()


def _price_check(*, care_type: str, weekly_price) -> Decimal:
    if care_type not in CareType.values:
        raise DomainError(f"Unknown care type {care_type!r}.", field="care_type")
    price = Decimal(str(weekly_price))
    if not price.is_finite() or price <= 0:
        raise DomainError("A weekly price is more than £0.", field="weekly_price")
    return price


def _priced_on_check(priced_on: date) -> None:
    # The spot path moves a price one financial year at a time: a price from another century is a typing slip.
    if not 2000 <= priced_on.year <= 2100:
        raise DomainError("A spot price is dated between 2000 and 2100.", field="priced_on")


@transaction.atomic
def spot_price_create(*, care_type: str, priced_on: date, weekly_price: Decimal, notes: str = "", by=None) -> SpotPrice:
    price = _price_check(care_type=care_type, weekly_price=weekly_price)
    _priced_on_check(priced_on)
    if SpotPrice.objects.filter(care_type=care_type, priced_on=priced_on).exists():
        raise Conflict(f"A {care_type} spot price on {priced_on} is already set; change it.", field="priced_on")
    return SpotPrice.objects.create(
        care_type=care_type, priced_on=priced_on, weekly_price=price, notes=notes, updated_by=by
    )


@transaction.atomic
def spot_price_update(*, spot_price: SpotPrice, by=None, **fields) -> SpotPrice:
    row = SpotPrice.objects.select_for_update().get(pk=spot_price.pk)
    for name, value in fields.items():
        setattr(row, name, value)
    row.weekly_price = _price_check(care_type=row.care_type, weekly_price=row.weekly_price)
    _priced_on_check(row.priced_on)
    clash = SpotPrice.objects.filter(care_type=row.care_type, priced_on=row.priced_on).exclude(pk=row.pk)
    if clash.exists():
        raise Conflict(f"A {row.care_type} spot price on {row.priced_on} is already set.", field="priced_on")
    row.updated_by = by
    row.save()
    return row


@transaction.atomic
def spot_price_delete(*, spot_price: SpotPrice) -> None:
    SpotPrice.objects.filter(pk=spot_price.pk).delete()


LIMIT_FIELDS = tuple(DEFAULT_LIMITS)


@transaction.atomic
def market_limits_set(*, by=None, **fields) -> MarketLimits:
    """Set some or all of the council's market limits (the others keep their value, or the default)."""
    unknown = set(fields) - set(LIMIT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown limit {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    row = MarketLimits.objects.select_for_update().order_by("pk").first() or MarketLimits(**DEFAULT_LIMITS)
    for name, value in fields.items():
        if value is None or int(value) < (0 if name == "small_provider_max_beds" else 1):
            raise DomainError(f"{name.replace('_', ' ').capitalize()} must be a positive whole number.", field=name)
        setattr(row, name, int(value))
    row.updated_by = by
    row.save()
    return row
