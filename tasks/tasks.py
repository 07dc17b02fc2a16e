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


@shared_task(acks_late=True)
def nightly_rules_run() -> dict[str, int]:
    """Once a night: the rules too heavy for the 15-minute sweep (RuleDefinition.nightly), through rules_run."""
    from tasks.rules import load

    codes = sorted(code for code, definition in load().items() if definition.nightly)
    if codes:
        rules_run.delay(codes=codes, trigger="schedule")
    return {"rules": len(codes)}


@shared_task(acks_late=True)
def silences_sweep() -> int:
    """Every minute: silences that began or ended since the last look mark or unmark their alerts."""
    from tasks.services.silences import silences_sweep as sweep

    return sweep()


# --- Alert delivery (tasks.services.delivery) -------------------------------------------------------------

FAN_OUT_ROUNDS = 50


@shared_task(acks_late=True)
def notifications_fan_out() -> int:
    """After the engine commits alert events, and every few minutes for any it missed."""
    from tasks.services.delivery.fanout import FAN_OUT_BATCH
    from tasks.services.delivery.fanout import notifications_fan_out_batch as fan_out

    # A large sweep's events are taken a batch at a time, each batch in its own transaction, until none is left
    # (a bounded number of rounds: events another worker holds are its to finish).
    total = 0
    for _ in range(FAN_OUT_ROUNDS):
        events, items = fan_out()
        total += items
        if events < FAN_OUT_BATCH:
            break
    return total


@shared_task(acks_late=True)
def notification_send(notification_id: int) -> str:
    from tasks.services.delivery.sending import notification_send as send

    return send(notification_id=notification_id)


@shared_task(acks_late=True)
def notifications_send_due() -> int:
    """Every 30 seconds: batches whose window closed and retries whose time came."""
    from tasks.services.delivery.sending import notifications_due_enqueue

    return notifications_due_enqueue()


@shared_task(acks_late=True)
def alert_digests_send() -> int:
    """Every morning: each digest subscription's open alerts."""
    from tasks.services.delivery.digest import digests_send
    from tasks.services.delivery.sending import notifications_due_enqueue

    made = digests_send()
    notifications_due_enqueue()
    return made


@shared_task(acks_late=True)
def weekly_summaries_send() -> int:
    """Every Monday morning: last week's alerts of each area, to its senior owner. Safe to run twice."""
    from tasks.services.summaries import weekly_summaries_send as send

    return send()


@shared_task(acks_late=True)
def pending_enqueues_sweep() -> int:
    """Every minute: sends the work writes asked for while the broker could not be reached."""
    from tasks.services.enqueue import pending_enqueues_send

    return pending_enqueues_send()


@shared_task(acks_late=True)
def stalled_runs_sweep() -> int:
    """Every minute: sends again the rule runs and fan-outs whose worker died (tasks.services.runs)."""
    from tasks.services.runs import stalled_runs_resend

    return stalled_runs_resend()


# --- Escalation and reminders (tasks.services.escalation) ---------------------------------------------------

ESCALATION_ROUNDS = 50


@shared_task(acks_late=True)
def escalations_sweep() -> int:
    """Every minute: the escalation steps now due, a batch a transaction (a kill loses at most the batch being
    written, which the next run writes again), until none is left."""
    from tasks.services.escalation import ESCALATION_BATCH, escalations_send

    total = 0
    for _ in range(ESCALATION_ROUNDS):
        sent = escalations_send()
        total += sent
        if sent < ESCALATION_BATCH:
            break
    return total


@shared_task(acks_late=True)
def reminders_sweep() -> int:
    """Every hour: reminders of acknowledged high and critical alerts not yet resolved, a batch at a time."""
    from tasks.services.escalation import ESCALATION_BATCH, reminders_send

    total = 0
    for _ in range(ESCALATION_ROUNDS):
        sent = reminders_send()
        total += sent
        if sent < ESCALATION_BATCH:
            break
    return total
