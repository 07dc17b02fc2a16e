from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker:heartbeat"


@shared_task(acks_late=True, ignore_result=False)
def heartbeat() -> str:
    """Scheduled every minute: proves beat and a worker are alive (the time is kept in the cache)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
