"""The one Celery app. Settings come from Django settings with the CELERY_ prefix (config/settings.py)."""

import gc
import os
import uuid

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask gives every task delay_on_commit(): enqueue only once the surrounding transaction commits.
app = Celery("care_market", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# This start of the worker (its pool's forked children share it): the runs it records are refreshed by its
# heartbeat, and a restart under the same node name does not keep a dead start's runs alive.
WORKER_BOOT = uuid.uuid4().hex


class Heartbeat(bootsteps.StartStopStep):
    """Every worker records a heartbeat (tasks.models.Heartbeat) every WORKER_HEARTBEAT_SECONDS from a thread of
    its own, so /health/ can answer 503 when no worker is running, however long a task takes."""

    label = "heartbeat"

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.thread = None

    def start(self, parent):
        from django.conf import settings

        from tasks.models import ProcessKind
        from tasks.services.heartbeats import HeartbeatThread

        self.thread = HeartbeatThread(
            kind=ProcessKind.WORKER, name=parent.hostname, every=settings.WORKER_HEARTBEAT_SECONDS
        )
        self.thread.start()

    def stop(self, parent):
        if self.thread is not None:
            self.thread.stop()
            self.thread = None

    terminate = shutdown = stop


app.steps["worker"].add(Heartbeat)


@signals.beat_init.connect
def _beat_heartbeat(sender, **kwargs) -> None:
    """Beat records its own heartbeat the same way (it stops with the process, so goes stale when beat dies)."""
    from django.conf import settings

    from tasks.models import ProcessKind
    from tasks.services.heartbeats import HeartbeatThread, beat_name

    HeartbeatThread(kind=ProcessKind.BEAT, name=beat_name(), every=settings.WORKER_HEARTBEAT_SECONDS).start()


@signals.task_prerun.connect
def _run_started(sender=None, task_id=None, args=None, kwargs=None, **extra) -> None:
    from tasks.services.runs import RESUMABLE, task_run_start

    if sender is not None and sender.name in RESUMABLE:
        task_run_start(
            task_id=task_id, task=sender.name, args=args, kwargs=kwargs, worker=sender.request.hostname or ""
        )


@signals.task_postrun.connect
def _run_ended(sender=None, task_id=None, **extra) -> None:
    from tasks.services.runs import RESUMABLE, task_run_end

    if sender is not None and sender.name in RESUMABLE:
        task_run_end(task_id=task_id)


@signals.worker_ready.connect
def _freeze_start_up_objects(sender=None, **kwargs) -> None:
    """Everything loaded at start-up lives as long as the worker: kept out of the garbage collector, the worker's
    exit does not spend seconds collecting it (over honcho's five-second grace, `make run`'s Ctrl-C then SIGKILLed
    the worker after its warm shutdown had finished)."""
    gc.freeze()
