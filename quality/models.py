"""The council's own quality assurance (PAMMS-style audits): the framework as data, audits with a finding per
standard, the provider's comments and action plan, and the council's intelligence about each home."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Framework(models.Model):
    """One version of an audit framework. An audit keeps the version it was done under: a version used by an audit
    is never edited; a change makes the next version (quality.services.framework_version_new)."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    current = models.BooleanField(default=False, help_text="New audits are planned under the current version.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="framework_unique_version"),
            models.UniqueConstraint(fields=["current"], condition=Q(current=True), name="framework_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="domain_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Standard(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    looked_for = models.TextField(help_text="What the quality officer looks for.")
    weight = models.DecimalField(max_digits=5, decimal_places=2, help_text="The standard's weight in the rating.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="standard_unique_number"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="standard_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class QualityRating(models.TextChoices):
    """The council's own rating of a service, from its audit (PAMMS' words; not CQC's)."""

    EXCELLENT = "Excellent"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    POOR = "Poor"


class Score(models.IntegerChoices):
    """A finding's score: higher is better."""

    EXCELLENT = 4, "Excellent"
    GOOD = 3, "Good"
    REQUIRES_IMPROVEMENT = 2, "Requires improvement"
    POOR = 1, "Poor"


# A finding scored this or lower is an issue: the action plan needs at least one action for it.
ISSUE_SCORE = Score.REQUIRES_IMPROVEMENT
NEEDS_ACTION_PLAN = (QualityRating.REQUIRES_IMPROVEMENT, QualityRating.POOR)


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared with the provider"
    UNDER_REVIEW = "under_review", "Under review"
    PUBLISHED = "published", "Published"


class Audit(models.Model):
    """A quality officer's audit of one location (a care home or an agency)."""

    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="quality_audits")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="audits")
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED, db_index=True)
    planned_for = models.DateField(help_text="The first day of the visit, as planned.")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_audits", help_text="Lead officer."
    )
    visited_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    rating = models.CharField(max_length=30, choices=QualityRating.choices, blank=True)
    weighted_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    comments_close_at = models.DateTimeField(
        null=True, blank=True, help_text="The end of the provider's comment window (the end of its last day)."
    )
    published_on = models.DateField(null=True, blank=True)
    action_plan_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_for", "-id"]
        indexes = [models.Index(fields=["location", "status", "published_on"])]

    def __str__(self) -> str:
        return f"Audit of {self.location} ({self.planned_for:%d %b %Y})"


class Finding(models.Model):
    """What the officer found against one standard: a score (none: not assessed) and the evidence."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="findings")
    score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    evidence = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "standard__number"]
        constraints = [models.UniqueConstraint(fields=["audit", "standard"], name="finding_one_per_standard")]

    def __str__(self) -> str:
        return f"{self.standard}: {self.get_score_display() if self.score else 'not assessed'}"

    @property
    def is_issue(self) -> bool:
        return self.score is not None and self.score <= ISSUE_SCORE


class ProviderComment(models.Model):
    """The provider's comment on the factual accuracy of a shared draft (about one standard, or the whole)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="comments")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.audit}"


class ActionPlan(models.Model):
    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="action_plan")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Action plan for {self.audit}"


class ActionProgress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Action(models.Model):
    """One action of a provider's plan against one issue (a finding scored Requires improvement or Poor)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="The person responsible, by their role (e.g. Home manager).")
    due_on = models.DateField()
    progress = models.CharField(max_length=20, choices=ActionProgress.choices, default=ActionProgress.NOT_STARTED)
    progress_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["finding__standard__number", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description[:60]} (due {self.due_on:%d %b %Y})"


class IntelligenceCategory(models.TextChoices):
    CONCERN = "concern", "Concern"
    COMPLAINT = "complaint", "Complaint"
    SAFEGUARDING = "safeguarding", "Safeguarding referral"
    MISSED_CALL = "missed_call", "Missed-call report"


class IntelligenceSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Intelligence(models.Model):
    """What the council hears about a home or agency between audits. No personal data: a reference at most."""

    location = models.ForeignKey("providers.Location", on_delete=models.PROTECT, related_name="quality_intelligence")
    received_on = models.DateField()
    category = models.CharField(max_length=20, choices=IntelligenceCategory.choices)
    severity = models.CharField(max_length=10, choices=IntelligenceSeverity.choices)
    summary = models.TextField(help_text="What was reported, without names or other personal data.")
    reference = models.CharField(max_length=32, blank=True, help_text="The council's own case reference, if any.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name_plural = "intelligence"
        indexes = [models.Index(fields=["location", "received_on"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} about {self.location} ({self.received_on:%d %b %Y})"
