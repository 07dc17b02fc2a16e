"""Signals this app's services send after writes that the alert rules read (tasks connects to them, as to
providers.signals). Sent inside the write's transaction with `topic`; receivers act on commit."""

from django.dispatch import Signal

risk_changed = Signal()  # kwargs: topic (str)


def risk_changed_send(topic: str) -> None:
    risk_changed.send(sender=__name__, topic=topic)
