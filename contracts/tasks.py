"""Celery tasks: take ids, call a service (see STYLE.md)."""

from celery import shared_task

from contracts.services import contracts_end_overdue, holds_expire
from contracts.services.free_beds import free_bed_state_rebuild


@shared_task(acks_late=True)
def holds_expire_sweep() -> int:
    """Mark lapsed holds expired. Holds already stop counting at expires_at; this keeps lists honest."""
    return holds_expire()


@shared_task(acks_late=True)
def contracts_end_sweep() -> int:
    """End live contracts whose end date has passed, so a contract's status follows its dates. Safe to run twice."""
    return len(contracts_end_overdue())


@shared_task(acks_late=True)
def free_bed_state_sweep() -> int:
    """Count the free-bed state afresh for the new day (placements start and end at midnight without a write).
    Until it has run, the bed finder counts beds as before. Safe to run twice."""
    return free_bed_state_rebuild()["lines"]
