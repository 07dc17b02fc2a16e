"""Escalation and reminders: policies administrators edit, and the sweeps that act on them.

`escalations_send` tells a policy step's people, teams and channels about each alert still open (not acknowledged,
snoozed or resolved; not silenced or inhibited) that many minutes after it opened. `reminders_send` re-sends an
acknowledged high or critical alert to its owner every ALERT_REMINDER_DAYS until it is resolved or snoozed.

Both are set-based (one query per policy step, whatever the number of alerts) and take a bounded batch in one
transaction: the alerts are locked (skipping those another sweep holds), the `Escalation` or `Reminder` rows
written beside an event in each alert's history, a change in its history table and the notifications in the
delivery log. A sweep killed half-way leaves nothing, and one run twice finds the rows there (a unique constraint
backs this), so no step and no reminder goes twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Team, User
from core.errors import Conflict, DomainError
from tasks.capabilities import KEEP_DELIVERY
from tasks.models import (
    Alert,
    AlertChange,
    AlertEvent,
    AlertStatus,
    Channel,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    EventKind,
    Notification,
    NotificationItem,
    NotificationKind,
    Reminder,
    Rule,
    Severity,
)
from tasks.services.delivery.sending import _enqueue_send

ESCALATION_BATCH = 500
REMINDER_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)


# --- policies (the admin calls these) --------------------------------------------------------------------------


def _require_admin(by: User | None) -> None:
    if by is None or not KEEP_DELIVERY.allows(by):
        raise PermissionDenied("Only administrators change escalation policies.")


def _severities_check(severities: Iterable[str]) -> list[str]:
    severities = list(dict.fromkeys(severities or []))
    unknown = [value for value in severities if value not in Severity.values]
    if unknown:
        raise DomainError(f"Unknown severity {unknown[0]!r}.", field="severities")
    return severities


@transaction.atomic
def escalation_policy_create(
    *, by: User, name: str, rules: Iterable[Rule] = (), severities: Iterable[str] = (), enabled: bool = True
) -> EscalationPolicy:
    _require_admin(by)
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the policy a name.", field="name")
    if EscalationPolicy.objects.filter(name=name).exists():
        raise Conflict("A policy has this name already.", field="name")
    policy = EscalationPolicy.objects.create(name=name, severities=_severities_check(severities), enabled=enabled)
    policy.rules.set(rules)
    return policy


@transaction.atomic
def escalation_policy_update(
    *,
    policy: EscalationPolicy,
    by: User,
    name: str | None = None,
    rules: Iterable[Rule] | None = None,
    severities: Iterable[str] | None = None,
    enabled: bool | None = None,
) -> EscalationPolicy:
    _require_admin(by)
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError("Give the policy a name.", field="name")
        if EscalationPolicy.objects.filter(name=name).exclude(pk=policy.pk).exists():
            raise Conflict("A policy has this name already.", field="name")
        policy.name = name
    if severities is not None:
        policy.severities = _severities_check(severities)
    if enabled is not None:
        policy.enabled = enabled
    policy.save()
    if rules is not None:
        policy.rules.set(rules)
    return policy


@transaction.atomic
def escalation_step_save(
    *,
    by: User,
    policy: EscalationPolicy,
    position: int,
    after_minutes: int,
    step: EscalationStep | None = None,
    users: Iterable[User] = (),
    teams: Iterable[Team] = (),
    channels: Iterable[Channel] = (),
    hours_from: time | None = None,
    hours_to: time | None = None,
    weekdays: Iterable[int] = (),
    outside_hours: bool = False,
) -> EscalationStep:
    """Add a step to a policy (or change `step`). A step tells somebody; its minutes are no fewer than the step
    before's and no more than the step after's; working hours have both ends."""
    _require_admin(by)
    users, teams, channels = list(users), list(teams), list(channels)
    if not (users or teams or channels):
        raise DomainError("Say who a step tells: people, teams or channels.", field="users")
    if position < 1:
        raise DomainError("Steps are numbered from 1.", field="position")
    if after_minutes < 0:
        raise DomainError("Minutes cannot be negative.", field="after_minutes")
    if (hours_from is None) != (hours_to is None):
        raise DomainError("Give working hours both a start and an end, or neither.", field="hours_to")
    if hours_from is not None and hours_from == hours_to:
        raise DomainError("Working hours end at another time than they start.", field="hours_to")
    weekdays = sorted(set(weekdays or []))
    if any(day not in range(7) for day in weekdays):
        raise DomainError("Days are 0 (Monday) to 6 (Sunday).", field="weekdays")
    if hours_from is None and (weekdays or outside_hours):
        raise DomainError("Days and 'outside the hours' need working hours.", field="hours_from")
    others = EscalationStep.objects.filter(policy=policy).exclude(pk=step.pk if step else None)
    if others.filter(position=position).exists():
        raise Conflict(f"The policy has a step {position} already.", field="position")
    before = others.filter(position__lt=position, after_minutes__gt=after_minutes).order_by("-position").first()
    if before is not None:
        raise DomainError(
            f"Step {position} comes after step {before.position}, which waits {before.after_minutes} minutes: "
            "wait at least as long.",
            field="after_minutes",
        )
    after = others.filter(position__gt=position, after_minutes__lt=after_minutes).order_by("position").first()
    if after is not None:
        raise DomainError(
            f"Step {after.position} comes after this one and waits {after.after_minutes} minutes: wait no longer.",
            field="after_minutes",
        )
    fields = {
        "policy": policy,
        "position": position,
        "after_minutes": after_minutes,
        "hours_from": hours_from,
        "hours_to": hours_to,
        "weekdays": weekdays,
        "outside_hours": outside_hours,
    }
    if step is None:
        step = EscalationStep.objects.create(**fields)
    else:
        for field, value in fields.items():
            setattr(step, field, value)
        step.save()
    step.users.set(users)
    step.teams.set(teams)
    step.channels.set(channels)
    return step


# --- the sweeps ---------------------------------------------------------------------------------------------


def step_applies(step: EscalationStep, at: datetime) -> bool:
    """Whether the step may be sent at `at` (read in the council's time zone): always without working hours;
    within them, or outside them for an out-of-hours step. Hours past midnight (17:00 to 09:00) wrap; the day is
    the day the moment falls on."""
    if step.hours_from is None:
        return True
    local = timezone.localtime(at)
    now = local.time()
    if step.hours_from < step.hours_to:
        within = step.hours_from <= now < step.hours_to
    else:
        within = now >= step.hours_from or now < step.hours_to
    within = within and (not step.weekdays or local.weekday() in step.weekdays)
    return within != step.outside_hours


@dataclass
class _Told:
    alert: Alert
    kind: str
    change: str
    channel_ids: list[int]


def _channels_of(*, user_ids: set[int], team_ids: set[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The enabled channels of these people (active ones) and teams, in one query."""
    by_user: dict[int, list[int]] = {}
    by_team: dict[int, list[int]] = {}
    if not (user_ids or team_ids):
        return by_user, by_team
    rows = (
        Channel.objects.filter(enabled=True)
        .filter(Q(user_id__in=user_ids, user__is_active=True) | Q(team_id__in=team_ids))
        .order_by("id")
        .values_list("id", "user_id", "team_id")
    )
    for channel_id, user_id, team_id in rows:
        if user_id is not None:
            by_user.setdefault(user_id, []).append(channel_id)
        else:
            by_team.setdefault(team_id, []).append(channel_id)
    return by_user, by_team


def _write(told: list[_Told], *, now: datetime, key: str) -> list[AlertEvent]:
    """Each alert's event, history row and one notification per channel (the event as its item), sent as soon
    as this transaction commits. `key` makes the idempotency key: one message per event and channel."""
    events = AlertEvent.objects.bulk_create(
        [
            AlertEvent(
                alert=item.alert,
                kind=item.kind,
                created_at=now,
                # Told to the step's or owner's own channels below, not fanned out to every subscriber.
                notify=False,
                severity=item.alert.severity,
                status=item.alert.status,
                evidence=item.alert.evidence,
            )
            for item in told
        ]
    )
    AlertChange.objects.bulk_create(
        [AlertChange(alert=item.alert, at=now, field=item.kind, new_value=item.change[:2000], note="") for item in told]
    )
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                channel_id=channel_id,
                kind=NotificationKind.ALERTS,
                idempotency_key=f"{key}:e{event.pk}:c{channel_id}",
                due_at=now,
            )
            for item, event in zip(told, events, strict=True)
            for channel_id in item.channel_ids
        ]
    )
    channel_events = [
        (channel_id, event.pk) for item, event in zip(told, events, strict=True) for channel_id in item.channel_ids
    ]
    NotificationItem.objects.bulk_create(
        [
            NotificationItem(notification_id=notification.pk, channel_id=channel_id, event_id=event_id)
            for notification, (channel_id, event_id) in zip(notifications, channel_events, strict=True)
        ]
    )
    _enqueue_send([notification.pk for notification in notifications])
    return events


def _due_steps(now: datetime) -> list[EscalationStep]:
    steps = (
        EscalationStep.objects.filter(policy__enabled=True)
        .select_related("policy")
        .prefetch_related("policy__rules", "users", "teams", "channels")
        .order_by("policy_id", "position")
    )
    return [step for step in steps if step_applies(step, now)]


@transaction.atomic
def escalations_send(*, now: datetime | None = None, limit: int = ESCALATION_BATCH) -> int:
    """Send the policy steps now due, up to `limit` (alert, step) pairs; answers how many were sent."""
    now = now or timezone.now()
    due: list[tuple[Alert, EscalationStep]] = []
    for step in _due_steps(now):
        if len(due) >= limit:
            break
        alerts = Alert.objects.filter(
            status=AlertStatus.OPEN,
            silenced=False,
            inhibited=False,
            created_at__lte=now - timedelta(minutes=step.after_minutes),
        ).exclude(Exists(Escalation.objects.filter(alert=OuterRef("pk"), step=step)))
        rule_ids = [rule.pk for rule in step.policy.rules.all()]
        if rule_ids:
            alerts = alerts.filter(rule_id__in=rule_ids)
        if step.policy.severities:
            alerts = alerts.filter(severity__in=step.policy.severities)
        locked = alerts.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[: limit - len(due)]
        due += [(alert, step) for alert in locked]
    if not due:
        return 0
    user_ids = {user.pk for _, step in due for user in step.users.all()}
    team_ids = {team.pk for _, step in due for team in step.teams.all()}
    by_user, by_team = _channels_of(user_ids=user_ids, team_ids=team_ids)
    told = []
    for alert, step in due:
        channel_ids = {channel.pk for channel in step.channels.all() if channel.enabled}
        for user in step.users.all():
            channel_ids.update(by_user.get(user.pk, []))
        for team in step.teams.all():
            channel_ids.update(by_team.get(team.pk, []))
        names = [
            *(user.get_full_name() or user.username for user in step.users.all()),
            *(team.name for team in step.teams.all()),
            *(channel.name or channel.get_kind_display() for channel in step.channels.all()),
        ]
        told.append(
            _Told(
                alert=alert,
                kind=EventKind.ESCALATED,
                change=f"Step {step.position} of {step.policy.name}: told {', '.join(names)}",
                channel_ids=sorted(channel_ids),
            )
        )
    events = _write(told, now=now, key="escalation")
    Escalation.objects.bulk_create(
        [
            Escalation(alert=alert, step=step, at=now, event=event, channels=len(item.channel_ids))
            for (alert, step), item, event in zip(due, told, events, strict=True)
        ]
    )
    return len(due)


def reminder_period() -> timedelta:
    return timedelta(days=settings.ALERT_REMINDER_DAYS)


@transaction.atomic
def reminders_send(*, now: datetime | None = None, limit: int = ESCALATION_BATCH) -> int:
    """Re-send each acknowledged high or critical alert to its owner (the person, else the team, else whoever
    acknowledged it) once in each ALERT_REMINDER_DAYS since its acknowledgement; answers how many."""
    now = now or timezone.now()
    period = reminder_period()
    alerts = list(
        Alert.objects.filter(
            status=AlertStatus.ACKNOWLEDGED,
            severity__in=REMINDER_SEVERITIES,
            silenced=False,
            inhibited=False,
            acknowledged_at__lte=now - period,
        )
        # A reminder due within the last period is this period's: it went already.
        .exclude(Exists(Reminder.objects.filter(alert=OuterRef("pk"), due_at__gt=now - period)))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")[:limit]
    )
    if not alerts:
        return 0
    by_user, by_team = _channels_of(
        user_ids={alert.owner_user_id or alert.acknowledged_by_id for alert in alerts} - {None},
        team_ids={alert.owner_team_id for alert in alerts} - {None},
    )
    told, due = [], []
    for alert in alerts:
        if alert.owner_user_id:
            channel_ids, whom = by_user.get(alert.owner_user_id, []), "its owner"
        elif alert.owner_team_id:
            channel_ids, whom = by_team.get(alert.owner_team_id, []), "its team"
        else:
            channel_ids, whom = by_user.get(alert.acknowledged_by_id, []), "whoever acknowledged it"
        periods = (now - alert.acknowledged_at) // period
        days = periods * settings.ALERT_REMINDER_DAYS
        due.append(alert.acknowledged_at + periods * period)
        told.append(
            _Told(
                alert=alert,
                kind=EventKind.REMINDED,
                change=f"Reminder to {whom}: acknowledged {days} days ago and not yet resolved",
                channel_ids=channel_ids,
            )
        )
    events = _write(told, now=now, key="reminder")
    Reminder.objects.bulk_create(
        [
            Reminder(alert=item.alert, due_at=due_at, at=now, event=event, channels=len(item.channel_ids))
            for item, due_at, event in zip(told, due, events, strict=True)
        ]
    )
    return len(alerts)
