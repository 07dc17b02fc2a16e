"""Signals this app's services send after writes that the alert rules read (tasks connects to them; this app
imports nothing above it). Sent inside the write's transaction with `topic`, a word naming what changed;
receivers act on commit."""

from django.dispatch import Signal

risk_changed = Signal()  # kwargs: topic (str)


def risk_changed_send(topic: str) -> None:
    risk_changed.send(sender=__name__, topic=topic)
