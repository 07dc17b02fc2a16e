"""Contingency: how a lot's people are cared for when its lead provider cannot (withdrew, failed, is under CQC
conditions) or it has none, and the plan to move them to the lead provider or a direct payment.

People are never counted here: market.selectors.contingency counts contracts' homecare placements and direct
payments whose person lives in a ward of the lot's area (contracts.Placement.home_ward), on any day.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class ContingencyReason(models.TextChoices):
    PROVIDER_WITHDREW = "provider_withdrew", "Provider withdrew"
    PROVIDER_FAILED = "provider_failed", "Provider failed"
    LOT_VACANT = "lot_vacant", "Lot vacant"
    CQC_CONDITIONS = "cqc_conditions", "CQC conditions on the lead provider"
    GATEWAY_RISK = "gateway_risk", "Gateway passed with risk above tolerance"


class TransferDestination(models.TextChoices):
    LEAD_PROVIDER = "lead_provider", "The lot's lead provider"
    DIRECT_PAYMENT = "direct_payment", "A direct payment"
    EITHER = "either", "The lead provider or a direct payment"


class ContingencyArrangement(models.Model):
    """One lot's contingency. A lot has at most one open arrangement (no end date)."""

    lot = models.ForeignKey("market.Lot", on_delete=models.PROTECT, related_name="contingency_arrangements")
    reason = models.CharField(max_length=30, choices=ContingencyReason.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day; empty while the arrangement goes on.")
    providers = models.ManyToManyField(
        "providers.Provider", blank=True, related_name="contingency_arrangements", help_text="Contingency providers."
    )
    # The transfer plan: from transfer_start, people_per_week move to the destination until none is left or the
    # target date comes.
    transfer_start = models.DateField(null=True, blank=True, help_text="When transfers begin (default: start date).")
    transfer_target_date = models.DateField(null=True, blank=True, help_text="When everyone should have moved.")
    people_per_week = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    transfer_to = models.CharField(
        max_length=20, choices=TransferDestination.choices, default=TransferDestination.EITHER
    )
    escalated = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[providers])

    class Meta:
        ordering = ["lot", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"], condition=Q(end_date__isnull=True), name="contingency_one_open_per_lot"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contingency_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Contingency for {self.lot_id} from {self.start_date} ({self.get_reason_display()})"
