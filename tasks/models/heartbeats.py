"""The processes that run background work say they are alive here; /health/ reads it."""

from django.db import models


class ProcessKind(models.TextChoices):
    WORKER = "worker", "Worker"
    BEAT = "beat", "Beat"


class Heartbeat(models.Model):
    """The last moment a Celery worker or beat process said it was alive. In the database, not the cache, so the
    web processes see it in the embedded set-up too (where the cache is each process's own memory)."""

    kind = models.CharField(max_length=10, choices=ProcessKind.choices)
    name = models.CharField(max_length=200)  # the worker's node name (celery@host) or beat's host
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="heartbeat_one_per_process")]

    def __str__(self):
        return f"{self.kind} {self.name}"
