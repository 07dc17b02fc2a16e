"""Tenders, their stages, lots, procurement rounds, bids and awards.

A lot is bought through one or more procurement rounds: the first round of its tender, then, if it stays
vacant, further rounds (the same lot, possibly under a new tender and another procedure). Bids belong to a
round. A bid's weighted total and rank are stored: market.services.tenders.bid_record recomputes them for the
whole round whenever a bid is recorded or the tender's weighting changes, so lists can order and filter by them
in SQL. An award names the winning bid; its lead provider is the bid's provider. A lot has at most one current
award (one whose `ended_on` is empty).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from contracts.models import CareType

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class LotService(models.TextChoices):
    HOMECARE_HOURS = "homecare_hours", "Homecare hours"
    CARE_HOME_BEDS = "care_home_beds", "Care home beds"
    OTHER = "other", "Other"


class Procedure(models.TextChoices):
    OPEN = "open", "Open procedure"
    RESTRICTED = "restricted", "Restricted procedure"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "Competitive procedure with negotiation"
    DIRECT_AWARD = "direct_award", "Direct award"
    DYNAMIC_PURCHASING = "dynamic_purchasing", "Dynamic purchasing system"


class TenderStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PUBLISHED = "published", "Published"
    EVALUATION = "evaluation", "In evaluation"
    AWARDED = "awarded", "Awarded"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class StageName(models.TextChoices):
    PUBLISHED = "published", "Published"
    CLARIFICATION = "clarification", "Clarification"
    SUBMISSION_DEADLINE = "submission_deadline", "Submission deadline"
    EVALUATION = "evaluation", "Evaluation"
    MODERATION = "moderation", "Moderation"
    AWARD_DECISION = "award_decision", "Award decision"
    STANDSTILL = "standstill", "Standstill"
    CONTRACT_START = "contract_start", "Contract start"


# The order stages happen in; a tender's stages are listed in this order.
STAGE_ORDER = {stage: position for position, stage in enumerate(StageName.values)}


class LotStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROCUREMENT = "in_procurement", "In procurement"
    AWARDED = "awarded", "Awarded"
    MOBILISING = "mobilising", "Mobilising"
    LIVE = "live", "Live"
    VACANT = "vacant", "Vacant"
    IN_CONTINGENCY = "in_contingency", "In contingency"
    ENDED = "ended", "Ended"


class RoundOutcome(models.TextChoices):
    PENDING = "", "Not decided yet"
    AWARDED = "awarded", "Awarded"
    NO_COMPLIANT_BID = "no_compliant_bid", "No compliant bid"
    NO_BIDS = "no_bids", "No bids"
    ABANDONED = "abandoned", "Abandoned"


class Tender(models.Model):
    reference = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    service = models.CharField(max_length=20, choices=LotService.choices, default=LotService.HOMECARE_HOURS)
    procedure = models.CharField(max_length=30, choices=Procedure.choices, default=Procedure.OPEN)
    quality_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=SCORE_VALIDATORS,
        help_text="Lowest quality score (out of 100) a bid may have to be awarded.",
    )
    quality_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=SCORE_VALIDATORS,
        help_text="Share of the weighted total from the quality score, in percent; the rest is price.",
    )
    price_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("40"),
        validators=SCORE_VALIDATORS,
        help_text="Share of the weighted total from the price score, in percent.",
    )
    status = models.CharField(max_length=20, choices=TenderStatus.choices, default=TenderStatus.PLANNED, db_index=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_weight__gte=0) & Q(price_weight__gte=0) & Q(quality_weight__lte=100),
                name="tender_weights_in_range",
            ),
            models.CheckConstraint(
                condition=Q(quality_weight=100 - F("price_weight")), name="tender_weights_add_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class TenderStage(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=30, choices=StageName.choices)
    planned_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["tender", "planned_date", "stage"]
        constraints = [models.UniqueConstraint(fields=["tender", "stage"], name="tenderstage_one_per_stage")]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.get_stage_display()}"


class Lot(models.Model):
    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="lots", help_text="The tender the lot was first bought under."
    )
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(
        "geo.Locality",
        on_delete=models.PROTECT,
        related_name="lots",
        limit_choices_to={"kind": "lot_area"},
        help_text="A locality of kind lot area, made of member localities.",
    )
    service = models.CharField(max_length=20, choices=LotService.choices, default=LotService.HOMECARE_HOURS)
    hours_per_week = models.DecimalField(
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Homecare hours a week sought (homecare lots); beds sought are in the lot's capacities.",
    )
    status = models.CharField(max_length=20, choices=LotStatus.choices, default=LotStatus.PLANNED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__gte=0), name="lot_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LotCapacity(models.Model):
    """Beds of one care type sought in a care home beds lot."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="capacities")
    care_type = models.CharField(max_length=30, choices=CareType.choices)
    beds = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "care_type"]
        verbose_name_plural = "lot capacities"
        constraints = [
            models.UniqueConstraint(fields=["lot", "care_type"], name="lotcapacity_one_per_care_type"),
            models.CheckConstraint(condition=Q(beds__gte=1), name="lotcapacity_has_beds"),
        ]

    def __str__(self) -> str:
        return f"{self.beds} {self.get_care_type_display()} beds in {self.lot_id}"


class LotStatusChange(models.Model):
    """One change of a lot's status: the lot's status history (written by market.services.tenders.lot_status_set)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=LotStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=LotStatus.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["lot", "changed_at", "pk"]
        indexes = [models.Index(fields=["lot", "changed_at"], name="lotstatuschange_lot_when")]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.from_status or '-'} -> {self.to_status}"


class ProcurementRound(models.Model):
    """One attempt to buy a lot: round 1 under the lot's tender, later rounds for a lot left vacant."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="rounds")
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    procedure = models.CharField(max_length=30, choices=Procedure.choices)
    opened_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True, help_text="Submission deadline.")
    closed_on = models.DateField(null=True, blank=True, help_text="The day the outcome was decided.")
    outcome = models.CharField(max_length=20, choices=RoundOutcome.choices, blank=True, default=RoundOutcome.PENDING)
    organisations_invited = models.PositiveIntegerField(
        null=True, blank=True, help_text="Organisations taken into the round (e.g. those meeting selection criteria)."
    )
    services_due_on = models.DateField(null=True, blank=True, help_text="When new services are due to start.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "number"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "number"], name="round_number_once_per_lot"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="round_closes_after_open"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, outcome="") | Q(closed_on__isnull=False) & ~Q(outcome=""),
                name="round_closed_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} round {self.number}"


class RoundInvitation(models.Model):
    """One organisation invited into a procurement round, by name (written by market.services.tenders.round_invite).
    The provider is set when the name is the register's own; an organisation outside the register is named only.
    The round's `organisations_invited` is the number taken in and is never fewer than the names recorded here."""

    round = models.ForeignKey(ProcurementRound, on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(max_length=300)
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="round_invitations"
    )
    invited_on = models.DateField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["round", "name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "round", name="roundinvitation_name_once_per_round"),
            models.CheckConstraint(condition=~Q(name=""), name="roundinvitation_has_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.round_id}"


class Bid(models.Model):
    round = models.ForeignKey(ProcurementRound, on_delete=models.PROTECT, related_name="bids")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="bids")
    compliant = models.BooleanField(default=True)
    non_compliance_reason = models.TextField(blank=True)
    quality_score = models.DecimalField(max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    price_score = models.DecimalField(max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    # Stored, recomputed for the whole round by market.services.tenders (see the module docstring).
    weighted_total = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 is the best compliant bid; non-compliant bids are not ranked."
    )
    submitted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "provider"], name="bid_one_per_provider_and_round"),
            models.CheckConstraint(
                condition=Q(compliant=True) | ~Q(non_compliance_reason=""), name="bid_non_compliance_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(quality_score__gte=0, quality_score__lte=100, price_score__gte=0, price_score__lte=100),
                name="bid_scores_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} in {self.round_id}"


class Award(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award")
    contract = models.ForeignKey(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The contract the award produced (contracts knows nothing of tenders).",
    )
    awarded_on = models.DateField()
    go_live_on = models.DateField(help_text="Planned go-live date.")
    ended_on = models.DateField(
        null=True, blank=True, help_text="Last day of the award (provider withdrew, failed, or the lot ended)."
    )
    end_reason = models.TextField(blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["lot", "awarded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"], condition=Q(ended_on__isnull=True), name="award_one_current_per_lot"
            ),
            models.CheckConstraint(condition=Q(go_live_on__gte=F("awarded_on")), name="award_goes_live_after_award"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("awarded_on")), name="award_ends_after_award"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} to {self.bid_id}"

    @property
    def lead_provider(self):
        return self.bid.provider
