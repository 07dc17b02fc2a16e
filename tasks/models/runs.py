"""Tasks under way on a worker, so that one whose worker died is sent again within minutes, not after the
broker's visibility timeout (two hours)."""

from django.db import models


class TaskRun(models.Model):
    """A resumable task (tasks.services.runs.RESUMABLE) a worker started and has not finished. The worker that
    runs it refreshes `heartbeat_at` with its own heartbeat; a row whose heartbeat stopped belongs to a dead worker
    and tasks.services.runs.stalled_runs_resend sends the task again."""

    task_id = models.CharField(max_length=255, unique=True)  # Celery's id of the message being run
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    worker = models.CharField(max_length=200)  # the worker's node name, for people reading the admin
    boot = models.CharField(max_length=32, db_index=True)  # this start of the worker (a restart has another)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"{self.task} on {self.worker} since {self.started_at:%Y-%m-%d %H:%M:%S}"
