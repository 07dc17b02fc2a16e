"""Helpers for the alert tests: rule rows from the code's defaults, and running a rule at a moment."""

from datetime import datetime, timedelta

from django.utils import timezone

from tasks.models import Alert, Rule
from tasks.services.engine import rule_run
from tasks.services.rules import rules_sync


def rule(code: str, **fields) -> Rule:
    rules_sync()
    row = Rule.objects.get(code=code)
    if fields:
        for key, value in fields.items():
            setattr(row, key, value)
        row.save()
    return row


def run(code: str, *, at: datetime | None = None, **fields):
    return rule_run(rule=rule(code, **fields) if fields else rule(code), now=at or timezone.now())


def open_alerts(code: str):
    return list(Alert.objects.filter(rule__code=code).exclude(status="resolved").order_by("pk"))


def days(n: float) -> timedelta:
    return timedelta(days=n)
