"""Risk rules and the alerts they raise.

A rule (its code, in `tasks.rules`) evaluates the whole estate and returns the risks present now; the engine
(`tasks.services.engine`) reconciles them with the alerts here in one transaction. One open alert per fingerprint
is a database constraint, so concurrent sweeps cannot open two. Every change to an alert is an `AlertChange`
(who, when, from, to) and every change someone may need to hear about is an `AlertEvent`, written in the same
transaction, which delivery reads.

`inhibited` and `silenced` are stored on the alert (not computed on read) so the inbox filters and counts them
with an index: the engine sets them on every reconcile, and creating or expiring a silence re-marks the alerts
it matches. An event's `notify` is taken from them at the moment the event is written.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_ORDER = [Severity.INFO, Severity.WARNING, Severity.HIGH, Severity.CRITICAL]


def severity_rank(severity: str) -> int:
    """0 for info up to 3 for critical: for comparing severities ("raised", "at least high")."""
    return SEVERITY_ORDER.index(Severity(severity))


def severity_rank_in_sql() -> models.Case:
    """`severity_rank` as SQL, for the inbox's "most severe first" (an index of the same expression serves it)."""
    return models.Case(
        *(models.When(severity=severity, then=models.Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)),
        default=models.Value(-1),
        output_field=models.IntegerField(),
    )


class SubjectKind(models.TextChoices):
    PROVIDER = "provider", "Provider"
    LOCATION = "location", "Location"
    CONTRACT = "contract", "Contract"
    BED_LINE = "bed_line", "Bed line"
    LOT = "lot", "Lot"
    LOCALITY = "locality", "Locality"
    PROGRAMME = "programme", "Programme"
    SERVICE = "service", "This service (e.g. its CQC sync)"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    RECURRED = "recurred", "Opened again as a recurrence"
    SEVERITY_RAISED = "severity_raised", "Severity raised"
    SEVERITY_LOWERED = "severity_lowered", "Severity lowered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    COMMENTED = "commented", "Commented"
    SNOOZED = "snoozed", "Snoozed"
    SNOOZE_ENDED = "snooze_ended", "Snooze ended"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    ESCALATED = "escalated", "Escalated: still not acknowledged"
    REMINDED = "reminded", "Reminder: acknowledged, not yet resolved"


class TriggerKind(models.TextChoices):
    SCHEDULE = "schedule", "Scheduled sweep"
    EVENT = "event", "After a change"
    MANUAL = "manual", "Run by hand"


class Rule(models.Model):
    """A rule's settings. The evaluation is code, registered under `code`; everything a council tunes is here.
    `manage.py rules_sync` creates the rows from the defaults in code and never overwrites what an administrator
    changed (it only adds threshold keys the code has and the row lacks)."""

    code = models.SlugField(max_length=60, unique=True, help_text="The rule's key in code.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.WARNING, help_text="The severity of its alerts."
    )
    pending_for = models.DurationField(
        default=timedelta(0), help_text="A risk must hold this long before an alert opens (0: at once)."
    )
    resolve_after = models.DurationField(
        default=timedelta(0), help_text="An open alert must be clear this long before it resolves itself."
    )
    thresholds = models.JSONField(default=dict, blank=True, help_text="The rule's figures; defaults from code.")
    run_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a change asks for a run and cleared when the run starts: many changes, one run.",
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One evaluation of one rule: what it found and what it changed (or the error it failed with)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=TriggerKind.choices, default=TriggerKind.SCHEDULE)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    risks = models.PositiveIntegerField(default=0, help_text="Risks the rule found present.")
    opened = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="Risks still within the rule's pending period.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["rule", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.rule.code} at {self.started_at:%Y-%m-%d %H:%M}"


class Silence(models.Model):
    """Mutes the alerts matching every matcher given (blank matchers match anything) between two times. Silenced
    alerts are kept, shown as silenced, and their events are not notified. Expiring a silence ends it now."""

    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.CASCADE, related_name="silences")
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    locality = models.ForeignKey(
        "geo.Locality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Matches alerts in this locality or any locality inside it.",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="silence_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"Silence {self.pk}: {self.reason[:60]}"


class Alert(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="alerts", db_index=False)  # (rule, status)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    subject_kind = models.CharField(max_length=12, choices=SubjectKind.choices)
    subject_id = models.BigIntegerField(help_text="The primary key of the subject of `subject_kind`.")
    # The subject and what it belongs to. `provider` is set whenever the subject belongs to one: provider users are
    # scoped by it and a provider-wide alert inhibits that provider's location-level ones through it.
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    location = models.ForeignKey(
        "providers.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    bed_line = models.ForeignKey(
        "contracts.BedLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    lot = models.ForeignKey(
        "market.Lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    locality = models.ForeignKey(
        "geo.Locality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        db_index=False,
        help_text="Where the risk is, for routing and the map (a district where known).",
    )
    fingerprint = models.CharField(max_length=255, help_text="Rule, subject and what makes the risk distinct.")
    title = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict, blank=True, help_text="The figures that raised it, kept up to date.")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    clear_since = models.DateTimeField(
        null=True, blank=True, help_text="Since when the rule no longer finds the risk (resolves after the delay)."
    )
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_alerts",
        db_index=False,
    )
    owner_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_alerts", db_index=False
    )
    recurrence_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recurrences", db_index=False
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the engine resolved it because the risk cleared.",
        db_index=False,
    )
    resolution_note = models.TextField(blank=True)
    inhibited = models.BooleanField(
        default=False, help_text="Its provider has an open provider-wide alert: kept, but not notified."
    )
    silenced = models.BooleanField(default=False, help_text="A silence matches it: kept, but not notified.")
    silenced_by = models.ForeignKey(
        Silence, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=~Q(status="resolved"), name="alert_one_open_per_fingerprint"
            ),
        ]
        indexes = [
            # Columns empty on most alerts are indexed where set only: an alert written with them empty (the
            # sweep opens thousands at once) adds nothing to these indexes, and lookups by a value still use them.
            models.Index(fields=["contract"], condition=Q(contract__isnull=False), name="alert_contract_set"),
            models.Index(fields=["bed_line"], condition=Q(bed_line__isnull=False), name="alert_bed_line_set"),
            models.Index(fields=["lot"], condition=Q(lot__isnull=False), name="alert_lot_set"),
            models.Index(
                fields=["acknowledged_by"], condition=Q(acknowledged_by__isnull=False), name="alert_acknowledged_by_set"
            ),
            models.Index(fields=["owner_user"], condition=Q(owner_user__isnull=False), name="alert_owner_user_set"),
            models.Index(fields=["owner_team"], condition=Q(owner_team__isnull=False), name="alert_owner_team_set"),
            models.Index(
                fields=["recurrence_of"], condition=Q(recurrence_of__isnull=False), name="alert_recurrence_of_set"
            ),
            models.Index(fields=["resolved_by"], condition=Q(resolved_by__isnull=False), name="alert_resolved_by_set"),
            models.Index(fields=["silenced_by"], condition=Q(silenced_by__isnull=False), name="alert_silenced_by_set"),
            models.Index(fields=["status", "-last_seen"]),
            models.Index(fields=["-last_seen", "-id"], name="alert_inbox_order"),
            models.Index(fields=["rule", "status"]),
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["locality", "status"]),
            models.Index(fields=["fingerprint", "-resolved_at"]),
            models.Index(fields=["-first_seen"]),
            # Exact page counts by an index-only scan: the inbox's severity filter, with or without a status.
            models.Index(fields=["severity", "status"], name="alert_severity_status"),
            # The unresolved alerts (the inbox's default) newest first, and their count, without the resolved ones.
            models.Index(fields=["-last_seen", "-id"], condition=~Q(status="resolved"), name="alert_unresolved_order"),
            # The unresolved alerts most severe first: the inbox's default order, its first page read from here.
            models.Index(
                severity_rank_in_sql().desc(),
                models.F("last_seen").desc(),
                models.F("id").desc(),
                condition=~Q(status="resolved"),
                name="alert_unresolved_by_severity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Open in the constraint's sense: not resolved (acknowledged and snoozed alerts are still open)."""
        return self.status != AlertStatus.RESOLVED


class AlertChange(models.Model):
    """One change to an alert: who (empty for the engine), when, which field, from what, to what."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alert", "at"])]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class AlertComment(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="comments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class AlertEvent(models.Model):
    """What delivery consumes: something happened to an alert that subscribers may need to hear about. Written in
    the transaction of the change. `notify` is False when the alert was inhibited or silenced at that moment, and
    for escalations and reminders, which are sent to their own people (tasks.services.escalation), not fanned out
    to every subscriber; the evidence, severity and status are as they were then."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notify = models.BooleanField(default=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=AlertStatus.choices)
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["created_at", "id"]), models.Index(fields=["alert", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.alert_id}"


class PendingRisk(models.Model):
    """A risk a rule finds that has not yet held for the rule's pending period (no alert yet). Removed when the
    risk clears or its alert opens."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="pending_risks")
    fingerprint = models.CharField(max_length=255, unique=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["first_seen", "pk"]

    def __str__(self) -> str:
        return self.fingerprint
