"""Mobilisation: the milestones between an award and go-live, the staff recruitment trajectory, and the
readiness gateways a plan must pass.

RAG is never stored: market.selectors.mobilisation computes it on the day asked (due dates, status,
recruitment against the trajectory, the CQC register), so it cannot go stale. The CQC registration milestone
is not marked done by hand: it is met when the plan's delivering location is registered in the providers
register.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class MilestoneKind(models.TextChoices):
    TUPE_CONSULTATION = "tupe_consultation", "TUPE consultation"
    STAFF_RECRUITED = "staff_recruited", "Staff recruited against the trajectory"
    REGISTERED_MANAGER = "registered_manager", "Registered manager in post"
    CQC_REGISTRATION = "cqc_registration", "CQC registration of the delivering location"
    POLICIES = "policies", "Policies and procedures"
    CALL_MONITORING = "call_monitoring", "Call monitoring"
    RECORDS_TRANSFERRED = "records_transferred", "Records transferred"
    FIRST_PACKAGES = "first_packages", "First packages started"
    BUSINESS_CONTINUITY = "business_continuity", "Business continuity plan tested"
    OTHER = "other", "Other"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class RiskLevel(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    VERY_HIGH = 4, "Very high"


class MobilisationTemplate(models.Model):
    """The council's standard mobilisation plan: the milestones every new provider works through."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateMilestone(models.Model):
    template = models.ForeignKey(MobilisationTemplate, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    weeks_before_go_live = models.PositiveSmallIntegerField(
        default=0, help_text="Due this many weeks before go-live (0: on the go-live date)."
    )
    owner = models.CharField(max_length=200, blank=True, help_text="Who is to deliver it, e.g. the provider.")
    critical = models.BooleanField(default=False, help_text="Go-live cannot happen without it.")
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "title"], name="templatemilestone_title_once")]

    def __str__(self) -> str:
        return self.title


class MobilisationPlan(models.Model):
    """One award's way to go-live. The go-live date is at most six months after the award unless a reason is
    recorded; a later one is flagged (market.selectors.mobilisation.go_live_late)."""

    award = models.OneToOneField("market.Award", on_delete=models.PROTECT, related_name="mobilisation_plan")
    template = models.ForeignKey(MobilisationTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    go_live_on = models.DateField(help_text="The go-live date the plan works to.")
    late_go_live_reason = models.TextField(
        blank=True, help_text="Why go-live is more than six months after the award (required if it is)."
    )
    delivering_location = models.ForeignKey(
        "providers.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The CQC location that will deliver the service; its registration meets the CQC milestone.",
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["go_live_on", "pk"]

    def __str__(self) -> str:
        return f"Mobilisation of award {self.award_id}"


class Milestone(models.Model):
    plan = models.ForeignKey(MobilisationPlan, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    owner = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    critical = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "due_on", "pk"]
        indexes = [models.Index(fields=["plan", "due_on"], name="milestone_plan_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False), name="milestone_done_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecruitmentTarget(models.Model):
    """The weekly trajectory: staff the provider plans to have recruited by the end of a week."""

    plan = models.ForeignKey(MobilisationPlan, on_delete=models.CASCADE, related_name="recruitment_targets")
    week_ending = models.DateField()
    planned_staff = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "week_ending"]
        constraints = [models.UniqueConstraint(fields=["plan", "week_ending"], name="recruitmenttarget_one_a_week")]

    def __str__(self) -> str:
        return f"{self.planned_staff} staff by {self.week_ending}"


class RecruitmentReport(models.Model):
    """Staff recruited to date, as the provider (or the contract officer) reported it on a day."""

    plan = models.ForeignKey(MobilisationPlan, on_delete=models.CASCADE, related_name="recruitment_reports")
    reported_on = models.DateField()
    staff_recruited = models.PositiveIntegerField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "reported_on"]
        constraints = [models.UniqueConstraint(fields=["plan", "reported_on"], name="recruitmentreport_one_a_day")]

    def __str__(self) -> str:
        return f"{self.staff_recruited} staff recruited by {self.reported_on}"


class ReadinessGateway(models.Model):
    """A go/no-go point in a plan, with its pass/fail criteria and the risk the council will accept."""

    plan = models.ForeignKey(MobilisationPlan, on_delete=models.CASCADE, related_name="gateways")
    name = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    risk_tolerance = models.PositiveSmallIntegerField(
        choices=RiskLevel.choices,
        default=RiskLevel.MEDIUM,
        help_text="The highest risk level at which passing the gateway needs no escalation.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="gateway_name_once_per_plan")]

    def __str__(self) -> str:
        return self.name


class CriterionResult(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class GatewayCriterion(models.Model):
    gateway = models.ForeignKey(ReadinessGateway, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=300)
    mandatory = models.BooleanField(default=False, help_text="Pass/fail: failing it makes go impossible.")
    result = models.CharField(max_length=20, choices=CriterionResult.choices, default=CriterionResult.NOT_ASSESSED)
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["gateway", "position", "pk"]
        verbose_name_plural = "gateway criteria"

    def __str__(self) -> str:
        return self.text


class GatewayOutcome(models.TextChoices):
    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    NO_GO = "no_go", "No-go"


class GatewayDecision(models.Model):
    """Who decided what at a gateway, when, why and at what risk. Decisions are kept, never edited: a later
    decision (after a no-go, say) is a new row."""

    gateway = models.ForeignKey(ReadinessGateway, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=GatewayOutcome.choices)
    risk_level = models.PositiveSmallIntegerField(choices=RiskLevel.choices)
    reason = models.TextField()
    conditions = models.TextField(blank=True, help_text="The conditions of a go with conditions.")
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    escalated = models.BooleanField(
        default=False, help_text="Passed with risk above the gateway's tolerance: the lot's contingency escalated."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["gateway", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.gateway_id}"
