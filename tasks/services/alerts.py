"""What people do with alerts: acknowledge, assign, comment, snooze, resolve, reopen; one alert or many.

Every action writes an AlertChange per changed field and an AlertEvent in its transaction. A many-alert action is
all or nothing: the alerts are locked, every one is checked, and the first problem refuses the whole request
naming the ids at fault (404 for ids not found or not visible, 409 for alerts in the wrong state).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Team, User
from core.errors import Conflict, DomainError, NotFound
from tasks.capabilities import WORK_ALERTS
from tasks.models import Alert, AlertComment, AlertStatus, EventKind
from tasks.services.delivery.fanout import alert_events_written
from tasks.services.engine import change_for, event_for

MAX_BULK = 1000


def _require_staff(by: User) -> None:
    if by is None or not WORK_ALERTS.allows(by):
        raise PermissionDenied("Only council staff change alerts.")


def _locked(ids: list[int]) -> list[Alert]:
    if not ids:
        raise DomainError("Give at least one alert id.", field="ids")
    if len(ids) > MAX_BULK:
        raise DomainError(f"At most {MAX_BULK} alerts at once.", field="ids")
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    alerts = {alert.pk: alert for alert in Alert.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    missing = [pk for pk in wanted if pk not in alerts]
    if missing:
        raise NotFound(f"No alert {', '.join(map(str, missing))}.", field="ids")
    return [alerts[pk] for pk in wanted]


def _refuse(alerts: list[Alert], bad, message: str) -> None:
    ids = [alert.pk for alert in alerts if bad(alert)]
    if ids:
        raise Conflict(f"{message}: {', '.join(map(str, ids))}.", field="ids")


def _save(alerts: list[Alert], changes: list, events: list, fields: list[str]) -> list[Alert]:
    from tasks.models import AlertChange, AlertEvent

    Alert.objects.bulk_update(alerts, [*fields, "updated_at"]) if alerts else None
    AlertChange.objects.bulk_create(changes)
    AlertEvent.objects.bulk_create(events)
    alert_events_written()  # delivery fans the events out once this transaction commits
    return alerts


def _set(alert: Alert, field: str, value, *, at: datetime, by: User, note: str, changes: list) -> bool:
    old = getattr(alert, field)
    if old == value:
        return False
    changes.append(change_for(alert, field.removesuffix("_id"), old, value, at=at, by=by, note=note))
    setattr(alert, field, value)
    return True


@transaction.atomic
def alerts_acknowledge(*, ids: list[int], by: User, note: str = "") -> list[Alert]:
    _require_staff(by)
    alerts = _locked(ids)
    _refuse(alerts, lambda alert: alert.status == AlertStatus.RESOLVED, "Resolved alerts cannot be acknowledged")
    now, changes, events = timezone.now(), [], []
    for alert in alerts:
        if _set(alert, "status", AlertStatus.ACKNOWLEDGED, at=now, by=by, note=note, changes=changes):
            alert.acknowledged_at, alert.acknowledged_by, alert.snoozed_until = now, by, None
            events.append(event_for(alert, EventKind.ACKNOWLEDGED, at=now, by=by))
    return _save(alerts, changes, events, ["status", "acknowledged_at", "acknowledged_by", "snoozed_until"])


@transaction.atomic
def alerts_assign(
    *, ids: list[int], by: User, user: User | None = None, team: Team | None = None, note: str = ""
) -> list[Alert]:
    """Give the alerts to a person, a team, or both (neither: unassigned). The owner must be council staff."""
    _require_staff(by)
    if user is not None and not WORK_ALERTS.allows(user):
        raise DomainError("Alerts are assigned to council staff only.", field="user")
    alerts = _locked(ids)
    _refuse(alerts, lambda alert: alert.status == AlertStatus.RESOLVED, "Resolved alerts cannot be assigned")
    now, changes, events = timezone.now(), [], []
    for alert in alerts:
        changed = _set(alert, "owner_user_id", user.pk if user else None, at=now, by=by, note=note, changes=changes)
        changed |= _set(alert, "owner_team_id", team.pk if team else None, at=now, by=by, note=note, changes=changes)
        if changed:
            events.append(event_for(alert, EventKind.ASSIGNED, at=now, by=by))
    return _save(alerts, changes, events, ["owner_user", "owner_team"])


@transaction.atomic
def alerts_snooze(*, ids: list[int], by: User, until: datetime, note: str = "") -> list[Alert]:
    """Quiet the alerts until a time; the engine turns them back to open then (they stay open meanwhile)."""
    _require_staff(by)
    now = timezone.now()
    if until <= now:
        raise DomainError("Snooze until a time in the future.", field="until")
    alerts = _locked(ids)
    _refuse(alerts, lambda alert: alert.status == AlertStatus.RESOLVED, "Resolved alerts cannot be snoozed")
    changes, events = [], []
    for alert in alerts:
        changed = _set(alert, "status", AlertStatus.SNOOZED, at=now, by=by, note=note, changes=changes)
        changed |= _set(alert, "snoozed_until", until, at=now, by=by, note=note, changes=changes)
        if changed:
            events.append(event_for(alert, EventKind.SNOOZED, at=now, by=by))
    return _save(alerts, changes, events, ["status", "snoozed_until"])


@transaction.atomic
def alerts_resolve(*, ids: list[int], by: User, note: str) -> list[Alert]:
    """Resolve by hand, with a note saying why. A risk still present does not reopen until it has cleared once."""
    _require_staff(by)
    if not (note or "").strip():
        raise DomainError("Say why the alert is resolved.", field="note")
    alerts = _locked(ids)
    _refuse(alerts, lambda alert: alert.status == AlertStatus.RESOLVED, "Already resolved")
    now, changes, events = timezone.now(), [], []
    for alert in alerts:
        _set(alert, "status", AlertStatus.RESOLVED, at=now, by=by, note=note, changes=changes)
        alert.resolved_at, alert.resolved_by, alert.resolution_note = now, by, note.strip()
        alert.snoozed_until, alert.clear_since = None, None
        events.append(event_for(alert, EventKind.RESOLVED, at=now, by=by))
    return _save(
        alerts,
        changes,
        events,
        ["status", "resolved_at", "resolved_by", "resolution_note", "snoozed_until", "clear_since"],
    )


@transaction.atomic
def alerts_reopen(*, ids: list[int], by: User, note: str = "") -> list[Alert]:
    """Reopen resolved alerts. Refused (409) for one whose risk already has a newer open alert."""
    _require_staff(by)
    alerts = _locked(ids)
    _refuse(alerts, lambda alert: alert.status != AlertStatus.RESOLVED, "Only resolved alerts can be reopened")
    fingerprints = [alert.fingerprint for alert in alerts]
    taken = set(
        Alert.objects.filter(fingerprint__in=fingerprints)
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("fingerprint", flat=True)
    )
    duplicates = {fp for fp in fingerprints if fingerprints.count(fp) > 1}
    _refuse(
        alerts,
        lambda alert: alert.fingerprint in taken or alert.fingerprint in duplicates,
        "The risk already has an open alert (or is asked twice)",
    )
    now, changes, events = timezone.now(), [], []
    for alert in alerts:
        _set(alert, "status", AlertStatus.OPEN, at=now, by=by, note=note, changes=changes)
        alert.resolved_at, alert.resolved_by, alert.resolution_note, alert.clear_since = None, None, "", None
        events.append(event_for(alert, EventKind.REOPENED, at=now, by=by))
    try:
        with transaction.atomic():
            return _save(
                alerts, changes, events, ["status", "resolved_at", "resolved_by", "resolution_note", "clear_since"]
            )
    except IntegrityError as exc:  # an engine run opened the risk between our check and our write
        raise Conflict("The risk already has an open alert.", field="ids") from exc


@transaction.atomic
def alert_comment(*, alert: Alert, by: User, text: str) -> AlertComment:
    _require_staff(by)
    text = (text or "").strip()
    if not text:
        raise DomainError("A comment needs text.", field="text")
    alert = _locked([alert.pk])[0]
    now = timezone.now()
    comment = AlertComment.objects.create(alert=alert, by=by, at=now, text=text[:10000])
    event_for(alert, EventKind.COMMENTED, at=now, by=by).save()
    return comment
