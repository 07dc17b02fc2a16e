"""The daily digest: for each subscription that asks for one, what is open that it matches, most severe first
and, within a severity, newest first. One message per channel per day (the idempotency key holds the date), so
a second run on the same day sends nothing more."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tasks.models import Alert, AlertStatus, Notification, NotificationKind, Subscription, severity_rank
from tasks.selectors.routing import locality_ancestors, subscribers
from tasks.services.delivery.messages import TEXT_LIST_LIMIT, alert_data, alert_lines

# A digest lists the first this many open alerts in its data (its text the first TEXT_LIST_LIMIT) and counts the rest.
DIGEST_ALERTS_LIMIT = 500


def digest_order(alerts: list[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda alert: (-severity_rank(alert.severity), -alert.first_seen.timestamp(), -alert.pk))


@transaction.atomic
def digests_send(*, now: datetime | None = None) -> int:
    """Write today's digest for every channel of a digest subscription with something open; answers how many."""
    now = now or timezone.now()
    everyone = subscribers(Subscription.objects.filter(digest=True))
    if not everyone:
        return 0
    open_alerts = digest_order(
        list(
            Alert.objects.exclude(status=AlertStatus.RESOLVED).select_related(
                "rule", "locality", "location", "provider", "contract", "bed_line", "lot"
            )
        )
    )
    places = locality_ancestors(alert.locality_id for alert in open_alerts)
    per_channel: dict[int, set[int]] = {}
    provider_channels: set[int] = set()  # a provider user's: their homes' links are portal pages
    for subscriber in everyone:
        if subscriber.provider_ids is not None:
            provider_channels.update(subscriber.channel_ids)
        matched = {
            alert.pk
            for alert in open_alerts
            if subscriber.matches(
                rule_id=alert.rule_id,
                severity=alert.severity,
                locality_ids=places.get(alert.locality_id, frozenset()),
                provider_id=alert.provider_id,
            )
        }
        for channel_id in subscriber.channel_ids:
            per_channel.setdefault(channel_id, set()).update(matched)
    day = timezone.localdate(now)
    rank = {alert.pk: position for position, alert in enumerate(open_alerts)}
    digests = []
    for channel_id, alert_ids in per_channel.items():
        if not alert_ids:
            continue
        ordered = sorted(alert_ids, key=rank.__getitem__)
        listed = [open_alerts[rank[pk]] for pk in ordered[:DIGEST_ALERTS_LIMIT]]
        count = len(ordered)
        subject = f"Daily digest for {day:%-d %B %Y}: {count} open alert{'s' if count != 1 else ''}"
        data = [alert_data(alert, staff=channel_id not in provider_channels) for alert in listed]
        lines = [
            alert_lines(severity=alert.severity, what=alert.get_status_display(), alert=one, words=one["evidence_text"])
            for alert, one in zip(listed, data, strict=True)
        ]
        more = [f"... and {count - TEXT_LIST_LIMIT} more."] if count > TEXT_LIST_LIMIT else []
        text = "\n".join([subject, "", *lines[:TEXT_LIST_LIMIT], *more])
        digests.append(
            Notification(
                channel_id=channel_id,
                kind=NotificationKind.DIGEST,
                idempotency_key=f"digest:c{channel_id}:{day.isoformat()}",
                subject=subject[:300],
                payload={
                    "text": text,
                    "data": {"date": day.isoformat(), "open": count, "alerts": data},
                },
                due_at=now,
            )
        )
    sent_today = set(
        Notification.objects.filter(idempotency_key__in=[digest.idempotency_key for digest in digests]).values_list(
            "idempotency_key", flat=True
        )
    )
    digests = [digest for digest in digests if digest.idempotency_key not in sent_today]
    Notification.objects.bulk_create(digests, ignore_conflicts=True)
    return len(digests)
