import contextlib

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


@shared_task(bind=True, acks_late=True, max_retries=5)
def rules_run(self, codes: list[str] | None = None, trigger: str = "schedule") -> dict[str, int]:
    """Run the named rules (every rule when None): the 15-minute sweep and the runs changes ask for. Safe to
    run twice, so a worker killed mid-run only means the message is delivered again."""
    from django.core.cache import cache
    from redis.exceptions import RedisError

    from tasks.services.engine import RuleFailed, sweep
    from tasks.triggers import rule_request_key

    if codes:
        # The key expires by itself: the run matters more than the coalescing.
        with contextlib.suppress(RedisError):
            cache.delete_many([rule_request_key(code) for code in codes])
    try:
        runs = sweep(codes=codes, trigger=trigger)
    except RuleFailed as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600)) from exc
    return {run.rule.code: run.risks for run in runs}
