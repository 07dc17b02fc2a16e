"""Failure planning: the council's register of providers in CQC's Market Oversight scheme (their stage, its dated
history, notes) and the failure response opened when a provider fails, whose people list is the what-if's plan
frozen on the day it opened (market.selectors.failure), each person then tracked to a move, or staying with a new
operator. Moves are made by contracts' placement_move, so the placements register stays the one truth."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class OversightStage(models.IntegerChoices):
    """CQC's six stages, in the words of its guidance for providers (Market Oversight of 'difficult to replace'
    providers of adult social care)."""

    ENTRY = 1, "Stage 1: entry to the scheme"
    REGULAR_MONITORING = 2, "Stage 2: regular monitoring"
    POTENTIAL_CONCERNS = 3, "Stage 3: potential concerns identified"
    FINANCIAL_CONCERNS = 4, "Stage 4: financial sustainability concerns identified"
    SIGNIFICANT_RISK = 5, "Stage 5: significant risk to financial sustainability"
    LIKELY_FAILURE = 6, "Stage 6: formal notification of likely business failure"


# What each stage means, as CQC's guidance describes it: the register's page explains the stages with these.
OVERSIGHT_STAGE_MEANINGS = {
    OversightStage.ENTRY: "The provider meets the scheme's entry criteria (it would be difficult to replace) and "
    "CQC has entered it in the scheme.",
    OversightStage.REGULAR_MONITORING: "CQC monitors the provider's financial sustainability through its regular "
    "returns.",
    OversightStage.POTENTIAL_CONCERNS: "CQC has identified potential concerns; additional engagement with the "
    "provider is likely.",
    OversightStage.FINANCIAL_CONCERNS: "CQC has identified concerns about financial sustainability; heightened "
    "engagement with the provider is necessary.",
    OversightStage.SIGNIFICANT_RISK: "CQC has identified a significant risk to financial sustainability; it may "
    "require an independent business review and a risk mitigation plan.",
    OversightStage.LIKELY_FAILURE: "CQC has formally notified the councils where the provider works that business "
    "failure and the end of its services are likely: each council must then be ready to meet the needs of the "
    "people it cares for (Care Act 2014, section 48).",
}


class OversightEntry(models.Model):
    """A provider in the Market Oversight scheme, at its latest stage; history in `changes`."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.PROTECT, related_name="oversight")
    stage = models.PositiveSmallIntegerField(choices=OversightStage.choices)
    stage_since = models.DateField()
    entered_on = models.DateField()
    left_on = models.DateField(null=True, blank=True, help_text="The day it left the scheme; empty while in it.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-stage", "provider__name"]
        verbose_name_plural = "oversight entries"
        constraints = [
            models.CheckConstraint(condition=Q(stage__gte=1, stage__lte=6), name="oversight_stage_1_to_6"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("entered_on")), name="oversight_leaves_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} at {self.get_stage_display()}"


class OversightStageChange(models.Model):
    entry = models.ForeignKey(OversightEntry, on_delete=models.CASCADE, related_name="changes")
    stage = models.PositiveSmallIntegerField(choices=OversightStage.choices, null=True, blank=True)
    on = models.DateField()
    note = models.TextField(blank=True)
    left = models.BooleanField(default=False, help_text="The provider left the scheme on this day.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.entry.provider} {self.get_stage_display() if self.stage else 'left'} on {self.on}"


class FailureReason(models.TextChoices):
    LIKELY_FAILURE_NOTICE = "likely_failure_notice", "CQC's formal notification of likely business failure (stage 6)"
    DEREGISTRATION = "deregistration", "Deregistration"
    CLOSURE = "closure", "Closure"
    BUSINESS_FAILURE = "business_failure", "Business failure"


class FailureResponse(models.Model):
    """The council's response to a provider's failure: its people to move by the target date. Progress against
    the target is the contingency arrangements' straight line (market.selectors.contingency.planned_moves), which
    reads `transfer_start`, `transfer_target_date` and `people_per_week` as an arrangement's."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="failure_responses")
    location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("geo.Locality", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=30, choices=FailureReason.choices)
    opened_on = models.DateField()
    target_date = models.DateField(help_text="When everyone should have moved or been settled.")
    radius_km = models.FloatField()
    closed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    people_per_week = None  # the straight line to the target date (planned_moves)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=Q(closed_on__isnull=True), name="failure_response_one_open"
            ),
            models.CheckConstraint(condition=Q(target_date__gte=F("opened_on")), name="failure_target_after_open"),
        ]

    def __str__(self) -> str:
        return f"Failure response for {self.provider} from {self.opened_on}"

    @property
    def start_date(self):
        return self.opened_on

    @property
    def transfer_start(self):
        return self.opened_on

    @property
    def transfer_target_date(self):
        return self.target_date


class PersonStatus(models.TextChoices):
    TO_MOVE = "to_move", "To move"
    MOVED = "moved", "Moved"
    STAYED = "stayed", "Stayed with a new operator"


class FailureResponsePerson(models.Model):
    """One person of a response, with the bed the plan gave them when it opened (none: short)."""

    response = models.ForeignKey(FailureResponse, on_delete=models.CASCADE, related_name="people")
    placement = models.ForeignKey("contracts.Placement", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=32)
    care_type = models.CharField(max_length=30, blank=True)
    planned_bed_line = models.ForeignKey(
        "contracts.BedLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_distance_km = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=PersonStatus.choices, default=PersonStatus.TO_MOVE)
    settled_on = models.DateField(null=True, blank=True)
    new_placement = models.ForeignKey(
        "contracts.Placement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["response", "placement"], name="failure_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"
