"""The day the suite runs, read once when it starts: tests that do not pin the clock derive every date from it."""

from datetime import timedelta

from django.utils import timezone

TODAY = timezone.localdate()


def days_ago(days: int):
    return TODAY - timedelta(days=days)


def days_ahead(days: int):
    return TODAY + timedelta(days=days)
