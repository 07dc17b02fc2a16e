"""Work that a committed write asked for while the broker could not be reached, kept until it is sent."""

from django.db import models


class PendingEnqueue(models.Model):
    """A task a write meant to send after it committed (an alert rule run, a fan-out, a send) that the broker
    refused. The write answered as it succeeded; tasks.services.enqueue.pending_enqueues_send sends this when
    the broker is back. The tasks are safe to run twice, so a row sent twice by two sweeps does no harm."""

    task = models.CharField(max_length=200)  # the Celery task's name
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    error = models.CharField(max_length=200, blank=True)  # what the broker answered, without addresses

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task} kept since {self.created_at:%Y-%m-%d %H:%M}"
