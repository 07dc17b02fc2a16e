"""Sending notifications: claim, send, record, in one transaction per notification.

A sender claims the notification's row (select_for_update, skip_locked: a second worker passes it by), sends,
and records the attempt and the outcome in the same transaction. If the worker dies mid-send, nothing was
recorded, the lock goes with the connection and the next sweep sends again: delivery is at least once, never
lost; the one repeat that can happen (the receiver got it, the worker died before committing) carries the same
Idempotency-Key. A failed send is tried again with exponential backoff, picked up by the periodic sweep (no
countdowns); after ALERT_DELIVERY_ATTEMPTS, or at once for a permanent refusal, it is a dead letter. A channel
with ALERT_CHANNEL_FAILING_AFTER dead letters in a row is marked failing and its owner is told in the inbox.
"""

import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, NotFound
from tasks.models import (
    Channel,
    ChannelKind,
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from tasks.services.delivery.errors import DeliveryFailed
from tasks.services.delivery.messages import message_for
from tasks.services.delivery.transports import TRANSPORTS
from tasks.services.enqueue import task_enqueue

logger = logging.getLogger(__name__)

WAITING = (NotificationStatus.PENDING, NotificationStatus.RETRYING)


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: ALERT_RETRY_SECONDS, doubled each time, at most ALERT_RETRY_MAX_SECONDS."""
    seconds = settings.ALERT_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.ALERT_RETRY_MAX_SECONDS))


def _enqueue_send(notification_ids: list[int]) -> None:
    from tasks.tasks import notification_send  # tasks.py calls these services; the import is only at send time

    def send() -> None:
        for notification_id in notification_ids:
            task_enqueue(notification_send, args=[notification_id])

    if notification_ids:
        transaction.on_commit(send)


@transaction.atomic
def notification_send(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one notification if it is due and no one else is sending it. Answers what happened: "sent",
    "retrying", "dead", or "skipped" (not due, already sent, or being sent by another worker)."""
    now = now or timezone.now()
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("channel__user", "channel__team")
        .filter(pk=notification_id, status__in=WAITING, due_at__lte=now)
        .first()
    )
    if notification is None:
        return "skipped"
    channel = notification.channel
    message = message_for(notification)
    number = notification.attempts + 1
    started = time.monotonic()
    try:
        if not channel.enabled:
            raise DeliveryFailed("The channel is switched off.", permanent=True)
        status_code = TRANSPORTS[ChannelKind(channel.kind)](
            channel=channel, message=message, key=notification.idempotency_key
        )
        error = None
    except DeliveryFailed as failure:
        status_code, error = failure.status_code, failure
    at = timezone.now()
    DeliveryAttempt.objects.create(
        notification=notification,
        number=number,
        at=at,
        succeeded=error is None,
        status_code=status_code,
        error=error.message if error else "",
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    notification.attempts = number
    notification.subject = message.subject[:300]
    notification.collecting = False  # once tried, a batch takes no more events
    if error is None:
        notification.status = NotificationStatus.SENT
        notification.sent_at = at
        notification.last_error = ""
        notification.payload = {"text": message.text, "data": message.data}
        notification.save(
            update_fields=["collecting", "attempts", "subject", "status", "sent_at", "last_error", "payload"]
        )
        Channel.objects.filter(pk=channel.pk).update(
            dead_letters_in_a_row=0, failing=False, failing_since=None, last_sent_at=at
        )
        return "sent"
    notification.last_error = error.message
    logger.info(
        "Notification %s to channel %s failed (attempt %s): %s", notification.pk, channel.pk, number, error.message
    )
    if error.permanent or number - notification.attempts_before_retry >= settings.ALERT_DELIVERY_ATTEMPTS:
        notification.status = NotificationStatus.DEAD
        notification.save(update_fields=["collecting", "attempts", "subject", "status", "last_error"])
        if notification.kind != NotificationKind.TEST:
            _dead_letter_counted(channel=channel, at=at)
        return "dead"
    notification.status = NotificationStatus.RETRYING
    notification.due_at = at + retry_delay(number - notification.attempts_before_retry)
    notification.save(update_fields=["collecting", "attempts", "subject", "status", "last_error", "due_at"])
    return "retrying"


def _dead_letter_counted(*, channel: Channel, at: datetime) -> None:
    Channel.objects.filter(pk=channel.pk).update(dead_letters_in_a_row=F("dead_letters_in_a_row") + 1)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.failing or channel.dead_letters_in_a_row < settings.ALERT_CHANNEL_FAILING_AFTER:
        return
    channel.failing = True
    channel.failing_since = at
    channel.save(update_fields=["failing", "failing_since"])
    _owners_told_channel_failing(channel=channel, at=at)


def _owners_told_channel_failing(*, channel: Channel, at: datetime) -> None:
    """Each owner (the user, or the team's members) gets a note in the inbox, which cannot itself fail."""
    owners = [channel.user] if channel.user_id else list(channel.team.members.filter(is_active=True))
    subject = f"Your {channel.get_kind_display().lower()} channel is failing"
    text = (
        f"{channel.dead_letters_in_a_row} notifications in a row could not be delivered to {channel}. "
        f"The last error: {channel.notifications.exclude(last_error='').values_list('last_error', flat=True).first()}. "
        "Check its settings, then send a test."
    )
    for owner in owners:
        inbox = inbox_for(user=owner)
        Notification.objects.create(
            channel=inbox,
            kind=NotificationKind.CHANNEL_FAILING,
            status=NotificationStatus.SENT,
            idempotency_key=f"failing:c{channel.pk}:{at:%Y%m%dT%H%M%S}:u{owner.pk}",
            subject=subject,
            payload={"text": text, "data": {"channel": channel.pk}},
            due_at=at,
            sent_at=at,
        )


def inbox_for(*, user: User) -> Channel:
    """The user's in-app channel, made the first time it is needed."""
    channel, _ = Channel.objects.get_or_create(user=user, kind=ChannelKind.IN_APP, defaults={"name": "Inbox"})
    return channel


def notifications_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status__in=WAITING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


@transaction.atomic
def notifications_due_enqueue(*, now: datetime | None = None) -> int:
    """The periodic sweep: queue a send for every due notification (new batches whose window closed, retries
    whose time came). Queuing one twice is harmless: the second finds it sent, or locked, and skips."""
    ids = notifications_due(now=now)
    _enqueue_send(ids)
    return len(ids)


@transaction.atomic
def notification_retry_now(*, notification: Notification, by: User) -> Notification:
    """Give a dead letter (or a waiting retry) another go now, with a fresh run of attempts and backoff."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status == NotificationStatus.SENT:
        raise Conflict("This notification was sent already.", field="status")
    notification.status = NotificationStatus.RETRYING
    notification.due_at = timezone.now()
    notification.attempts_before_retry = notification.attempts
    notification.save(update_fields=["status", "due_at", "attempts_before_retry"])
    logger.info("Notification %s queued again by user %s", notification.pk, by.pk)
    _enqueue_send([notification.pk])
    return notification


@transaction.atomic
def channel_test_send(*, channel: Channel, by: User) -> Notification:
    """A test message on the channel, sent now, through the same path as every notification."""
    if channel.pk is None or not Channel.objects.filter(pk=channel.pk).exists():
        raise NotFound("No such channel.")
    now = timezone.now()
    text = (
        f"A test of {channel} from {settings.SITE_NAME}, asked for by {by.get_username()} at {now:%Y-%m-%d %H:%M} "
        "UTC. Nothing needs doing."
    )
    notification = Notification.objects.create(
        channel=channel,
        kind=NotificationKind.TEST,
        idempotency_key=f"test:c{channel.pk}:{uuid.uuid4().hex}",
        subject=f"Test notification from {settings.SITE_NAME}",
        payload={"text": text, "data": {"test": True, "channel": channel.pk}},
        due_at=now,
    )
    _enqueue_send([notification.pk])
    return notification
