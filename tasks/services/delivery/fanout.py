"""Fan-out: new alert events (notify=True) become notifications for the subscriptions they match.

Set-based: the events, every subscription, the open batches and the existing items are read in a fixed number of
queries, the events matched to subscriptions in one pass in memory (routing.Router), and the new rows written in
bulk (the items in one statement). Each event joins the open batch of each channel it goes to (the one still
inside its ALERT_BATCH_WINDOW_SECONDS window) or starts one, so 40 voids raised by one sweep are one message.
A channel has at most one batch collecting (a unique constraint over collecting batches), so two fan-outs at
once share it rather than open two. An event is in at most one notification per channel (a unique constraint),
and an EventFanout row marks it done, so running fan-out again, or the sweep after a lost task, adds nothing
twice.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tasks.models import (
    AlertEvent,
    EventFanout,
    Notification,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
    Subscription,
)
from tasks.selectors.routing import Router, locality_ancestors, subscribers
from tasks.services.enqueue import task_enqueue, task_enqueue_on_commit

FAN_OUT_BATCH = 2000
OPEN_BATCH_TRIES = 3  # a race lost to a batch whose window closed at once costs one more turn


def notifications_fan_out(*, now: datetime | None = None, limit: int = FAN_OUT_BATCH) -> int:
    """Turn up to `limit` events not yet fanned out into notification items; answers how many were made."""
    return notifications_fan_out_batch(now=now, limit=limit)[1]


@transaction.atomic
def notifications_fan_out_batch(*, now: datetime | None = None, limit: int = FAN_OUT_BATCH) -> tuple[int, int]:
    """Answers how many events were taken and how many notification items they made."""
    now = now or timezone.now()
    events = list(
        AlertEvent.objects.filter(notify=True, fanout__isnull=True)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("id")
        .values_list("id", "severity", "alert__rule_id", "alert__locality_id", "alert__provider_id")[:limit]
    )
    if not events:
        return 0, 0
    router = Router(subscribers(Subscription.objects.filter(immediate=True)))
    places = locality_ancestors(locality_id for _, _, _, locality_id, _ in events)
    targets: dict[int, list[int]] = {}  # channel -> events, in event order
    counts: dict[int, int] = {}
    for event_id, severity, rule_id, locality_id, provider_id in events:
        reached = router.channels(
            rule_id=rule_id,
            severity=severity,
            locality_ids=places.get(locality_id, frozenset()),
            provider_id=provider_id,
        )
        for channel_id in reached:
            targets.setdefault(channel_id, []).append(event_id)
        counts[event_id] = len(reached)
    event_ids = [event[0] for event in events]
    done = set(NotificationItem.objects.filter(event_id__in=event_ids).values_list("channel_id", "event_id"))
    if done:
        targets = {
            channel_id: [event_id for event_id in ids if (channel_id, event_id) not in done]
            for channel_id, ids in targets.items()
        }
        targets = {channel_id: ids for channel_id, ids in targets.items() if ids}
    batches = _open_batches(channel_ids=list(targets), now=now)
    window = timedelta(seconds=settings.ALERT_BATCH_WINDOW_SECONDS)
    new_keys: set[str] = set()
    for _ in range(OPEN_BATCH_TRIES):
        opening = sorted(
            (channel_id, f"alerts:c{channel_id}:e{ids[0]}")
            for channel_id, ids in targets.items()
            if channel_id not in batches
        )
        if not opening:
            break
        new_keys.update(key for _, key in opening)
        # A concurrent fan-out may open a channel's batch first: this insert then waits for it to commit,
        # skips that channel (one collecting batch a channel) and the events join the batch it opened. (If
        # that batch's window has closed meanwhile, it stops collecting and the next turn opens one here.)
        Notification.objects.bulk_create(
            [
                Notification(
                    channel_id=channel_id,
                    kind=NotificationKind.ALERTS,
                    idempotency_key=key,
                    due_at=now + window,
                    collecting=True,
                )
                for channel_id, key in opening
            ],
            ignore_conflicts=True,
        )
        batches.update(_open_batches(channel_ids=[channel_id for channel_id, _ in opening], now=now, own=new_keys))
    if missing := sorted(set(targets) - set(batches)):
        raise RuntimeError(f"No alert batch could be opened for channels {missing}; the next fan-out tries again.")
    created = [notification_id for notification_id, key in batches.values() if key in new_keys]
    rows = _bounded(targets=targets, batches=batches, now=now, window=window, created=created)
    _items_insert(rows)
    EventFanout.objects.bulk_create(
        [EventFanout(event_id=event_id, notifications=counts[event_id]) for event_id in event_ids],
        ignore_conflicts=True,
    )
    if created:
        _enqueue_when_due(created, delay=window)
    return len(events), sum(len(ids) for ids in targets.values())


def _bounded(
    *,
    targets: dict[int, list[int]],
    batches: dict[int, tuple[int, str]],
    now: datetime,
    window: timedelta,
    created: list[int],
) -> list[tuple[int, int, int]]:
    """The (notification, channel, event) rows, no message holding more than ALERT_MESSAGE_EVENTS_LIMIT events:
    each channel's events fill its open batch up to the limit, and the rest go in further messages of their own
    (each with its own idempotency key, named after its first event), due when the batch is. A batch that is
    full stops collecting. The batches are locked (_open_batches), so their counts cannot change meanwhile.
    `created` gains the messages made here."""
    limit = settings.ALERT_MESSAGE_EVENTS_LIMIT
    held = dict(
        NotificationItem.objects.filter(notification_id__in=[pk for pk, _ in batches.values()])
        .order_by()
        .values_list("notification_id")
        .annotate(n=Count("*"))
    )
    rows: list[tuple[int, int, int]] = []
    overflow: list[tuple[int, list[int]]] = []
    full: list[int] = []
    for channel_id, ids in targets.items():
        batch_id = batches[channel_id][0]
        room = max(limit - held.get(batch_id, 0), 0)
        rows.extend((batch_id, channel_id, event_id) for event_id in ids[:room])
        if len(ids) >= room:
            full.append(batch_id)
        overflow.extend((channel_id, ids[start : start + limit]) for start in range(room, len(ids), limit))
    if full:
        Notification.objects.filter(pk__in=full).update(collecting=False)
    if overflow:
        made = Notification.objects.bulk_create(
            [
                Notification(
                    channel_id=channel_id,
                    kind=NotificationKind.ALERTS,
                    idempotency_key=f"alerts:c{channel_id}:e{chunk[0]}",
                    due_at=now + window,
                )
                for channel_id, chunk in overflow
            ]
        )
        for notification, (channel_id, chunk) in zip(made, overflow, strict=True):
            rows.extend((notification.pk, channel_id, event_id) for event_id in chunk)
            created.append(notification.pk)
    return rows


def _items_insert(rows: Iterable[tuple[int, int, int]]) -> None:
    """The items, an item already there left alone. On PostgreSQL in one statement from three arrays: at 5,000
    events for 500 people that is half a million rows, where building model instances would cost more than the
    insert itself. The embedded SQLite has no arrays and takes them in bulk."""
    if connection.vendor != "postgresql":
        NotificationItem.objects.bulk_create(
            [NotificationItem(notification_id=n, channel_id=c, event_id=e) for n, c, e in rows],
            ignore_conflicts=True,
            batch_size=FAN_OUT_BATCH,
        )
        return
    notification_ids, channel_ids, event_ids = [], [], []
    for notification_id, channel_id, event_id in rows:
        notification_ids.append(notification_id)
        channel_ids.append(channel_id)
        event_ids.append(event_id)
    if not event_ids:
        return
    table = NotificationItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (notification_id, channel_id, event_id) "  # noqa: S608 - the model's own table
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            [notification_ids, channel_ids, event_ids],
        )


def _open_batches(*, channel_ids: list[int], now: datetime, own: set[str] = frozenset()) -> dict[int, tuple[int, str]]:
    """Each channel's batch still collecting events (not due yet, never tried), as (id, idempotency key), locked
    so no sender takes it before the events joining it are committed. A collecting batch whose window has
    closed stops collecting here, so the channel's next events open a new one; the batches this fan-out has just
    opened (`own`, by idempotency key) take its events even with no window at all."""
    rows = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(channel_id__in=channel_ids, kind=NotificationKind.ALERTS, collecting=True)
        .order_by("channel_id")  # every fan-out locks in the same order
        .values_list("channel_id", "id", "idempotency_key", "status", "attempts", "due_at")
    )
    batches: dict[int, tuple[int, str]] = {}
    closed = []
    for channel_id, notification_id, key, status, attempts, due_at in rows:
        if status == NotificationStatus.PENDING and attempts == 0 and (due_at > now or key in own):
            batches[channel_id] = (notification_id, key)
        else:
            closed.append(notification_id)
    if closed:
        Notification.objects.filter(pk__in=closed).update(collecting=False)
    return batches


def _enqueue_when_due(notification_ids: list[int], *, delay: timedelta) -> None:
    """Send each new batch when its window closes. A short countdown (minutes, well inside the broker's
    visibility timeout); the periodic sweep sends any whose message was lost."""
    from tasks.tasks import notification_send

    def send() -> None:
        for notification_id in notification_ids:
            task_enqueue(notification_send, args=[notification_id], countdown=delay.total_seconds() + 1)

    transaction.on_commit(send)


def alert_events_written() -> None:
    """Called by the engine in the transaction that wrote alert events: fan them out once it commits."""
    from tasks.tasks import notifications_fan_out as fan_out_task

    task_enqueue_on_commit(fan_out_task)
