"""Demand: the need commissioners plan for, by locality, care type and period, and the people waiting for care
("pending arrangements"). Supply is never stored here: market.selectors.supply computes it from contracts and
lots, and market.selectors.gaps sets the two against each other.

Dates are inclusive, as in contracts: a need for the quarter from 1 April applies from 1 April to 30 June.
A person waits from `waiting_since` until `ended_on`, the day the wait ended (they are not counted as waiting
on that day)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from contracts.models import CareType

# The contracts care types (beds) and homecare, which is needed and bought in hours a week.
DemandCareType = models.TextChoices(
    "DemandCareType",
    [(care_type.name, (care_type.value, care_type.label)) for care_type in CareType]
    + [("HOMECARE_HOURS", ("homecare_hours", "Homecare hours"))],
)
HOMECARE_HOURS = "homecare_hours"


def unit_of(care_type: str) -> str:
    """What a need or a supply of this care type is counted in."""
    return "hours_per_week" if care_type == HOMECARE_HOURS else "beds"


class DemandSource(models.TextChoices):
    FORECAST = "forecast", "Forecast (imported)"
    ENTERED = "entered", "Entered by a commissioner"


class Demand(models.Model):
    """The need for one care type in one district or ward over a period: beds, or hours a week for homecare.
    Periods of the same locality, care type and source never overlap (market.services.demand)."""

    locality = models.ForeignKey(
        "geo.Locality",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": ["district", "ward"]},
        help_text="A district or a ward.",
    )
    care_type = models.CharField(max_length=30, choices=DemandCareType.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day the need applies.")
    quantity = models.DecimalField(
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Beds, or hours a week for homecare.",
    )
    source = models.CharField(max_length=20, choices=DemandSource.choices, default=DemandSource.ENTERED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["locality__name", "care_type", "period_start", "source"]
        verbose_name_plural = "demand"
        indexes = [models.Index(fields=["period_start", "period_end"], name="demand_period")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="demand_ends_after_start"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="demand_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.locality_id} {self.care_type} {self.period_start}–{self.period_end}: {self.quantity}"


class Bridging(models.TextChoices):
    REABLEMENT = "reablement", "Reablement"
    BLOCK_CAR = "block_car", "Block car time"
    INTERIM_BED = "interim_bed", "Interim bed"
    NONE = "none", "None"


class PendingOutcome(models.TextChoices):
    WAITING = "", "Still waiting"
    PLACED = "placed", "Placed in a care home"
    HOMECARE_STARTED = "homecare_started", "Homecare started"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"
    OTHER = "other", "Other"


class PendingArrangement(models.Model):
    """A person (a pseudonymous reference only) waiting for care, and how they are bridged meanwhile."""

    reference = models.CharField(max_length=32, db_index=True, help_text="Pseudonymous, e.g. BRK-2026-0042.")
    locality = models.ForeignKey(
        "geo.Locality",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": ["district", "ward"]},
        help_text="The district or ward the person lives in.",
    )
    care_type = models.CharField(max_length=30, choices=DemandCareType.choices)
    hours_per_week = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Homecare hours a week the person needs (homecare only).",
    )
    waiting_since = models.DateField()
    bridging = models.CharField(max_length=20, choices=Bridging.choices, default=Bridging.NONE)
    ended_on = models.DateField(null=True, blank=True, help_text="The day the wait ended; empty while waiting.")
    outcome = models.CharField(max_length=20, choices=PendingOutcome.choices, blank=True, default="")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["waiting_since", "id"]
        indexes = [models.Index(fields=["waiting_since", "ended_on"], name="pending_wait_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("waiting_since")),
                name="pending_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, outcome="") | Q(ended_on__isnull=False) & ~Q(outcome=""),
                name="pending_ended_with_outcome",
            ),
            models.UniqueConstraint(
                fields=["reference"], condition=Q(ended_on__isnull=True), name="pending_one_open_wait_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} waiting for {self.care_type} since {self.waiting_since}"
