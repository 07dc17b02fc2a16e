"""Escalation and reminders: what happens when nobody acts on an alert.

An escalation policy (administrators edit it) applies to alerts of some rules and severities (each blank = all)
and has ordered steps, each "if the alert is still not acknowledged this many minutes after it opened, tell these
people, teams or channels", optionally only within (or outside) working hours. A step sent for an alert is an
`Escalation` row, unique per alert and step, so no step goes twice however often the sweep runs; a reminder of an
acknowledged alert is a `Reminder` row, unique per alert and period. Both write an event in the alert's history
and notifications in the delivery log in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EscalationPolicy(models.Model):
    name = models.CharField(max_length=200, unique=True)
    rules = models.ManyToManyField(
        "tasks.Rule", blank=True, related_name="escalation_policies", help_text="The rules it covers; none = all."
    )
    severities = models.JSONField(default=list, blank=True, help_text="The severities it covers; empty = all.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(help_text="Steps run in this order (1 first).")
    after_minutes = models.PositiveIntegerField(
        help_text="Sent if the alert is still not acknowledged this many minutes after it opened."
    )
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")
    channels = models.ManyToManyField("tasks.Channel", blank=True, related_name="+")
    # Working hours: blank is any time. A step with hours is sent only within them (or only outside them, for an
    # out-of-hours duty team); outside, it waits for the first sweep within them while the alert is still open.
    hours_from = models.TimeField(null=True, blank=True)
    hours_to = models.TimeField(null=True, blank=True, help_text="Before hours_from: the hours run past midnight.")
    weekdays = models.JSONField(
        default=list, blank=True, help_text="Days the hours apply: 0 Monday to 6 Sunday; empty = every day."
    )
    outside_hours = models.BooleanField(default=False, help_text="Sent outside the hours instead of within them.")

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="escalation_step_position_once"),
            models.CheckConstraint(
                condition=Q(hours_from__isnull=True, hours_to__isnull=True)
                | Q(hours_from__isnull=False, hours_to__isnull=False),
                name="escalation_step_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: step {self.position} after {self.after_minutes} minutes"


class Escalation(models.Model):
    """A step of a policy sent for an alert: at most once (the constraint), whatever the sweep does."""

    alert = models.ForeignKey("tasks.Alert", on_delete=models.CASCADE, related_name="escalations")
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="escalations")
    at = models.DateTimeField()
    event = models.OneToOneField(
        "tasks.AlertEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalation"
    )
    channels = models.PositiveIntegerField(default=0, help_text="Channels told.")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="escalation_once_per_step")]

    def __str__(self) -> str:
        return f"Alert {self.alert_id} escalated: {self.step}"


class Reminder(models.Model):
    """An acknowledged, unresolved alert re-sent to its owner: at most once a period (the constraint). `due_at`
    is the acknowledgement plus a whole number of periods."""

    alert = models.ForeignKey("tasks.Alert", on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    at = models.DateTimeField()
    event = models.OneToOneField(
        "tasks.AlertEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminder"
    )
    channels = models.PositiveIntegerField(default=0, help_text="Channels told.")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["alert", "due_at"], name="reminder_once_per_period")]

    def __str__(self) -> str:
        return f"Alert {self.alert_id} reminder due {self.due_at:%Y-%m-%d}"
