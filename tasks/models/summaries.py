"""The weekly summary: each area has a named senior owner, who is sent each week the alerts opened, resolved and
overdue in the area, by rule. A summary sent is a `WeeklySummary` row, unique per owner and week, so a second run
of the weekly task sends nothing more."""

from django.conf import settings
from django.db import models


class AreaOwner(models.Model):
    """The senior officer who answers for the alerts of an area (and the places inside it)."""

    locality = models.OneToOneField(
        "geo.Locality", on_delete=models.CASCADE, related_name="alert_owner", verbose_name="area"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="areas_owned", verbose_name="owner"
    )
    enabled = models.BooleanField(default=True, help_text="Sent the weekly summary.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["locality__name"]

    def __str__(self) -> str:
        return f"{self.user} owns the alerts of {self.locality}"


class WeeklySummary(models.Model):
    """A week's summary sent to an area's owner: at most once per owner and week (the constraint)."""

    owner = models.ForeignKey(AreaOwner, on_delete=models.CASCADE, related_name="summaries")
    week = models.DateField(help_text="The Monday the week began.")
    at = models.DateTimeField()
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    by_rule = models.JSONField(default=list, blank=True, help_text="Per rule: its code, name and the three counts.")

    class Meta:
        ordering = ["-week", "owner"]
        verbose_name_plural = "weekly summaries"
        constraints = [models.UniqueConstraint(fields=["owner", "week"], name="weekly_summary_once_per_week")]

    def __str__(self) -> str:
        return f"Week of {self.week:%Y-%m-%d} for {self.owner}"
