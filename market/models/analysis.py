"""What the council sets for the market analysis: the spot inflation path, the spot prices cost avoidance starts
from, and the market shape limits. Every figure of the analysis itself is computed from contracts (bed lines,
rates, placements, voids) and providers (locations, ratings) by market.selectors; nothing computed is stored.

Each setting has a default in code (market.selectors.settings), so the analysis answers before the council has
entered anything; a row entered here replaces the default for its year, care type or limit.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from contracts.models import CareType


class SpotInflation(models.Model):
    """How much spot care home prices rise in one financial year (April to March), e.g. 6.7% in 2021/22."""

    financial_year = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year the financial year starts in: 2021 is 1 April 2021 to 31 March 2022.",
    )
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-50")), MaxValueValidator(Decimal("100"))],
        help_text="Rise in spot weekly prices over the year, e.g. 6.70.",
    )
    notes = models.CharField(max_length=300, blank=True, help_text="Where the figure comes from (actual or forecast).")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year"]
        verbose_name = "spot inflation"
        verbose_name_plural = "spot inflation"

    def __str__(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}: {self.percent}%"


class SpotPrice(models.Model):
    """The spot weekly price of a care type on a date, as the council knows it: where cost avoidance starts the
    spot path of a contract (the latest price on or before the contract's start, moved along the inflation path
    to each day)."""

    care_type = models.CharField(max_length=30, choices=CareType.choices)
    priced_on = models.DateField(help_text="The day this price was the going spot rate.")
    weekly_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    notes = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["care_type", "priced_on"]
        constraints = [
            models.UniqueConstraint(fields=["care_type", "priced_on"], name="spotprice_one_per_type_and_day"),
            models.CheckConstraint(condition=Q(weekly_price__gte=0), name="spotprice_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.care_type} £{self.weekly_price}/week on {self.priced_on}"


class MarketLimits(models.Model):
    """The limits the council sets on the shape of its block market (one row; the defaults apply until it is
    entered): no more than so many block beds in one setting or with one provider, and what counts as a small
    provider (at most so many registered beds and at most so many care homes)."""

    max_block_beds_per_setting = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Most block beds the council buys in one care home."
    )
    max_block_beds_per_provider = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Most block beds the council buys from one provider."
    )
    small_provider_max_beds = models.PositiveIntegerField(
        help_text="A small provider has at most this many registered beds in all its care homes."
    )
    small_provider_max_locations = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="A small provider has at most this many care homes."
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "market limits"
        verbose_name_plural = "market limits"

    def __str__(self) -> str:
        return (
            f"at most {self.max_block_beds_per_setting} block beds a setting, "
            f"{self.max_block_beds_per_provider} a provider"
        )
