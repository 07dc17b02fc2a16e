"""Resuming the work of a worker that died.

With `acks_late` a killed worker's message stays unacknowledged in Redis and is delivered again only after the
visibility timeout (CELERY_VISIBILITY_TIMEOUT, two hours). For the tasks in RESUMABLE the worker records each run
as it starts (TaskRun) and deletes it when the run ends, and its heartbeat thread refreshes the runs of this
start of the worker. The periodic sweep sends again every run whose heartbeat is older than
RUN_STALLED_AFTER_SECONDS: its worker is gone. The old message, when Redis delivers it again hours later, runs a
task that is safe to run twice.

Nothing runs twice at once: a rule's run holds the Rule row's lock for its whole transaction (tasks.services.engine),
a send locks its Notification, and a killed worker's transaction is rolled back by the database with its
connection; the sweep itself takes each stalled row under a row lock and deletes it as it sends it, so two sweeps
do not both send it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import WORKER_BOOT as BOOT
from tasks.models import TaskRun
from tasks.services.enqueue import task_enqueue

logger = logging.getLogger(__name__)

RESUMABLE = frozenset({"tasks.tasks.rules_run", "tasks.tasks.notifications_fan_out"})


def task_run_start(*, task_id: str, task: str, args, kwargs, worker: str) -> None:
    now = timezone.now()
    TaskRun.objects.update_or_create(
        task_id=task_id,
        defaults={
            "task": task,
            "args": list(args or ()),
            "kwargs": dict(kwargs or {}),
            "worker": worker,
            "boot": BOOT,
            "started_at": now,
            "heartbeat_at": now,
        },
    )


def task_run_end(*, task_id: str) -> None:
    TaskRun.objects.filter(task_id=task_id).delete()


def task_runs_heartbeat() -> int:
    """Called with the worker's heartbeat: its runs are alive."""
    return TaskRun.objects.filter(boot=BOOT).update(heartbeat_at=timezone.now())


def stalled_runs_resend() -> int:
    """Send again every run whose worker stopped beating. Answers how many were sent (or kept for the broker)."""
    from config.celery import app

    cutoff = timezone.now() - timedelta(seconds=settings.RUN_STALLED_AFTER_SECONDS)
    resent = 0
    with transaction.atomic():
        stalled = TaskRun.objects.select_for_update(skip_locked=True).filter(heartbeat_at__lt=cutoff)
        for run in stalled:
            logger.warning("%s on %s stopped with its worker; sending it again", run.task, run.worker)
            task_enqueue(app.tasks[run.task], args=run.args, kwargs=run.kwargs)
            run.delete()
            resent += 1
    return resent
