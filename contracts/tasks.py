"""Celery tasks: take ids, call a service (see STYLE.md)."""

from celery import shared_task

from contracts.services import contracts_end_overdue, holds_expire


@shared_task(acks_late=True)
def holds_expire_sweep() -> int:
    """Mark lapsed holds expired. Holds already stop counting at expires_at; this keeps lists honest."""
    return holds_expire()


@shared_task(acks_late=True)
def contracts_end_sweep() -> int:
    """End live contracts whose end date has passed, so a contract's status follows its dates. Safe to run twice."""
    return len(contracts_end_overdue())
