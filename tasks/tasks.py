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
