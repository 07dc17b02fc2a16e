"""What a notification says: a subject, plain text (e-mail, inbox) and data (webhooks, the API), built from
its alert events when it is sent, so a batch lists every event that joined it during its window."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from tasks.links import absolute, alert_path, subject_path
from tasks.models import Alert, AlertEvent, EventKind, Notification, NotificationItem, NotificationKind
from tasks.selectors.evidence import evidence_in_words

# A digest or a batch lists this many alerts in its text; the data (and the inbox) has all of them.
TEXT_LIST_LIMIT = 50


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    data: dict


def alert_data(alert: Alert, *, staff: bool = True) -> dict:
    """An alert as messages carry it, with links for people: the alert's page and its subject's (None where the
    subject has no page). `staff` False: a provider user's, whose home is a portal page."""
    return {
        "id": alert.pk,
        "rule": alert.rule.code,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "subject_kind": alert.subject_kind,
        "subject_id": alert.subject_id,
        "provider": alert.provider_id,
        "locality": alert.locality.code if alert.locality_id else None,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "url": absolute(alert_path(alert.pk)),
        "subject_url": absolute(subject_path(alert, staff=staff)),
        "evidence_text": evidence_in_words(alert),
    }


def event_data(event: AlertEvent, *, staff: bool = True) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "at": event.created_at.isoformat(),
        "severity": event.severity,
        "status": event.status,
        "evidence": event.evidence,
        # The evidence as it was when the event happened, in words.
        "evidence_text": evidence_in_words(event.alert, event.evidence),
        "alert": alert_data(event.alert, staff=staff),
    }


def _line(event_or_alert: dict) -> str:
    alert = event_or_alert.get("alert", event_or_alert)
    what = EventKind(event_or_alert["kind"]).label if "kind" in event_or_alert else alert["status"]
    words = event_or_alert.get("evidence_text") or alert.get("evidence_text")
    return alert_lines(severity=alert["severity"], what=what, alert=alert, words=words)


def alert_lines(*, severity: str, what: str, alert: dict, words: str | None = None) -> str:
    """One alert in a message's text: what happened, its evidence in words, then its page and its subject's page."""
    lines = [f"- [{severity}] {what}: {alert['title']}"]
    if words:
        lines.append(f"  {words}")
    lines.append(f"  Alert: {alert['url']}")
    if alert.get("subject_url"):
        lines.append(f"  {alert['subject_kind'].replace('_', ' ').capitalize()}: {alert['subject_url']}")
    return "\n".join(lines)


def _text(lines: list[str], intro: str) -> str:
    shown = lines[:TEXT_LIST_LIMIT]
    more = [f"... and {len(lines) - len(shown)} more."] if len(lines) > len(shown) else []
    return "\n".join([intro, "", *shown, *more, "", f"{settings.SITE_NAME}"])


def events_message(notification: Notification) -> Message:
    events = [
        item.event
        for item in NotificationItem.objects.filter(notification=notification)
        .select_related(
            "event__alert__rule",
            "event__alert__locality",
            "event__alert__location",
            "event__alert__provider",
            "event__alert__contract",
            "event__alert__bed_line",
            "event__alert__lot",
        )
        .order_by("event__created_at", "event_id")
    ]
    owner = notification.channel.user
    staff = owner is None or not owner.is_provider_user
    data_events = [event_data(event, staff=staff) for event in events]
    kinds = Counter(event.kind for event in events)
    if len(events) == 1:
        event = events[0]
        subject = f"[{event.severity}] {EventKind(event.kind).label}: {event.alert.title}"
    else:
        summary = ", ".join(f"{count} {EventKind(kind).label.lower()}" for kind, count in kinds.most_common())
        subject = f"{len(events)} alert updates: {summary}"
    text = _text([_line(item) for item in data_events], subject)
    return Message(subject=subject[:300], text=text, data={"events": data_events})


def message_for(notification: Notification) -> Message:
    """The message a notification sends. Alert batches are built from their events now; digests, tests and
    channel warnings were written when they were made."""
    if notification.kind == NotificationKind.ALERTS:
        message = events_message(notification)
    else:
        payload = notification.payload or {}
        message = Message(subject=notification.subject, text=payload.get("text", ""), data=payload.get("data", {}))
    data = {
        "idempotency_key": notification.idempotency_key,
        "kind": notification.kind,
        "subject": message.subject,
        **message.data,
    }
    return Message(subject=message.subject, text=message.text, data=data)
