"""Celery tasks: take ids, call a service (see STYLE.md)."""

from celery import shared_task

from contracts.services import holds_expire


@shared_task(acks_late=True)
def holds_expire_sweep() -> int:
    """Mark lapsed holds expired. Holds already stop counting at expires_at; this keeps lists honest."""
    return holds_expire()
