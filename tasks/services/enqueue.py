"""Sending work after a write commits, failing open: when the broker cannot be reached, the write has already
been stored and its caller must hear that it succeeded, so the task is kept (PendingEnqueue) and a periodic
sweep sends it once the broker is back."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from tasks.models import PendingEnqueue

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached (kombu wraps most transport errors).
BROKER_OUTAGE = (OperationalError, RedisError, OSError)
# One quick retry: a person is waiting for the answer to their write, and the sweep retries later anyway.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
SWEEP_BATCH = 500


def _publish(task_name: str, args: list, kwargs: dict, countdown: float | None = None) -> None:
    from config.celery import app

    app.send_task(task_name, args=args, kwargs=kwargs, countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY)


def task_enqueue(task, *, args: list | tuple = (), kwargs: dict | None = None, countdown: float | None = None) -> bool:
    """Send `task` now, or keep it for pending_enqueues_send when the broker is down. Answers whether it was
    sent. Call it from an on_commit hook (or outside any transaction): the row it keeps must not roll back."""
    args, kwargs = list(args), dict(kwargs or {})
    try:
        _publish(task.name, args, kwargs, countdown)
    except BROKER_OUTAGE as exc:
        logger.warning("%s could not be queued (%s); kept for the next sweep", task.name, type(exc).__name__)
        PendingEnqueue.objects.create(task=task.name, args=args, kwargs=kwargs, error=type(exc).__name__)
        return False
    return True


def task_enqueue_on_commit(task, *, args: list | tuple = (), kwargs: dict | None = None, countdown=None) -> None:
    transaction.on_commit(lambda: task_enqueue(task, args=args, kwargs=kwargs, countdown=countdown))


def pending_enqueues_send() -> int:
    """Send what was kept, oldest first, each distinct task once (a long outage may keep the same fan-out many
    times). Stops at the first refusal: the broker is still down and the next sweep tries again. Answers how
    many tasks were sent."""
    sent = 0
    with transaction.atomic():
        # Two sweeps at once take different rows (skip_locked); SQLite has one writer anyway.
        rows = list(PendingEnqueue.objects.select_for_update(skip_locked=True).order_by("pk")[:SWEEP_BATCH])
        groups: dict[tuple, list[int]] = {}
        for row in rows:
            key = (row.task, repr(row.args), repr(sorted(row.kwargs.items())))
            groups.setdefault(key, []).append(row.pk)
        by_pk = {row.pk: row for row in rows}
        for pks in groups.values():
            row = by_pk[pks[0]]
            try:
                _publish(row.task, row.args, row.kwargs)
            except BROKER_OUTAGE as exc:
                logger.warning("kept tasks still not queued (%s); the next sweep tries again", type(exc).__name__)
                break
            PendingEnqueue.objects.filter(pk__in=pks).delete()
            sent += 1
    return sent
