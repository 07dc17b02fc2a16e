"""The weekly summary for each area's named senior owner: the alerts of the area (and the places inside it) opened and
resolved in the last full week (Monday to Sunday), and those overdue at its end (unresolved, not snoozed, opened more
than ALERT_OVERDUE_DAYS before), by rule, in words, with links to the service's pages.

`weekly_summaries_send` is the weekly task's service. The summary of an owner and a week is a WeeklySummary row
(unique per owner and week) written with its notifications in one transaction: a second run, or a run after a
worker died half-way, sends nothing twice.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from accounts.roles import Role
from core import present
from core.errors import DomainError
from geo.models import Locality
from tasks.links import absolute, alert_path
from tasks.models import (
    Alert,
    AlertStatus,
    AreaOwner,
    Channel,
    ChannelKind,
    Notification,
    NotificationKind,
    Rule,
    WeeklySummary,
)
from tasks.selectors.routing import locality_ancestors
from tasks.services.delivery.sending import _enqueue_send, inbox_for

# The overdue alerts a summary names one by one (the rest are counted).
OVERDUE_LISTED = 20


# --- owners (the admin calls this) -----------------------------------------------------------------------------


@transaction.atomic
def area_owner_save(
    *, by: User, locality: Locality, user: User, enabled: bool = True, area_owner: AreaOwner | None = None
) -> AreaOwner:
    """Name (or change) the senior owner of an area's alerts. Administrators only; the owner is council staff."""
    if not by.has_role(Role.ADMINISTRATOR):
        raise DomainError("Only administrators name the owners of areas.", field="user")
    if not user.is_active or user.is_provider_user or not user.roles:
        raise DomainError("The owner of an area is a member of the council's staff who signs in.", field="user")
    taken = AreaOwner.objects.filter(locality=locality)
    if area_owner is not None:
        taken = taken.exclude(pk=area_owner.pk)
    if taken.exists():
        raise DomainError(f"{locality.name} has an owner already: change that one.", field="locality")
    owner = area_owner or AreaOwner()
    owner.locality, owner.user, owner.enabled = locality, user, enabled
    owner.save()
    return owner


# --- the weekly summary ----------------------------------------------------------------------------------------


def last_full_week(now: datetime) -> tuple[date, date]:
    """The Monday and the Sunday of the last whole week before `now` (local time)."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


@dataclass
class AreaWeek:
    opened: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    overdue: Counter = field(default_factory=Counter)
    overdue_alerts: list = field(default_factory=list)


def _inbox_link(**query) -> str:
    return absolute(f"{reverse('tasks-web:inbox')}?{urlencode(query)}")


def _counts(opened: int, resolved: int, overdue: int) -> str:
    return f"{present.number(opened)} opened, {present.number(resolved)} resolved, {present.number(overdue)} overdue"


def summary_message(*, owner: AreaOwner, monday: date, week: AreaWeek, rules: dict[int, Rule]) -> tuple[str, str, dict]:
    """The subject, text and data of one owner's summary: counts in words, each rule's line linking to the inbox
    of that rule in the area, each overdue alert to its page."""
    area = owner.locality
    sunday = monday + timedelta(days=6)
    totals = (sum(week.opened.values()), sum(week.resolved.values()), sum(week.overdue.values()))
    subject = f"Alerts in {area.name}, {present.period(monday, sunday)}: {_counts(*totals)}"
    by_rule = [
        {
            "rule": rules[rule_id].code,
            "name": rules[rule_id].name,
            "opened": week.opened[rule_id],
            "resolved": week.resolved[rule_id],
            "overdue": week.overdue[rule_id],
            "link": _inbox_link(locality=area.code, rule=rules[rule_id].code),
        }
        for rule_id in sorted(
            set(week.opened) | set(week.resolved) | set(week.overdue), key=lambda rule_id: rules[rule_id].name
        )
    ]
    lines = [
        subject,
        "",
        f"Every alert open in {area.name}: {_inbox_link(locality=area.code)}",
        "",
    ]
    if not by_rule:
        lines.append("No alert was opened or resolved this week, and none is overdue.")
    for row in by_rule:
        lines.append(f"{row['name']}: {_counts(row['opened'], row['resolved'], row['overdue'])}. {row['link']}")
    if week.overdue_alerts:
        lines += ["", f"Overdue (open more than {settings.ALERT_OVERDUE_DAYS} days):"]
        listed = sorted(week.overdue_alerts, key=lambda alert: (alert["first_seen"], alert["pk"]))
        for alert in listed[:OVERDUE_LISTED]:
            since = present.day(alert["first_seen"])
            lines.append(f"- {alert['title']}, open since {since}: {absolute(alert_path(alert['pk']))}")
        if len(listed) > OVERDUE_LISTED:
            lines.append(f"... and {present.number(len(listed) - OVERDUE_LISTED)} more.")
    data = {
        "area": {"code": area.code, "name": area.name},
        "week": {"from": monday.isoformat(), "to": sunday.isoformat()},
        "opened": totals[0],
        "resolved": totals[1],
        "overdue": totals[2],
        "by_rule": by_rule,
    }
    return subject, "\n".join(lines), data


def _weeks(owners: list[AreaOwner], *, start: datetime, end: datetime) -> dict[int, AreaWeek]:
    """Each owner's week, from one read of the alerts that could count (set-based: not one query per owner)."""
    overdue_before = end - timedelta(days=settings.ALERT_OVERDUE_DAYS)
    overdue = (
        Q(first_seen__lt=overdue_before)
        & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        & ~Q(status=AlertStatus.SNOOZED)
    )
    alerts = list(
        Alert.objects.filter(locality__isnull=False)
        .filter(Q(first_seen__gte=start, first_seen__lt=end) | Q(resolved_at__gte=start, resolved_at__lt=end) | overdue)
        .values("pk", "rule_id", "locality_id", "first_seen", "resolved_at", "status", "title")
    )
    places = locality_ancestors(alert["locality_id"] for alert in alerts)
    by_area: dict[int, list[AreaOwner]] = {}
    for owner in owners:
        by_area.setdefault(owner.locality_id, []).append(owner)
    weeks = {owner.pk: AreaWeek() for owner in owners}
    for alert in alerts:
        for area_id in places.get(alert["locality_id"], ()):
            for owner in by_area.get(area_id, ()):
                week = weeks[owner.pk]
                if start <= alert["first_seen"] < end:
                    week.opened[alert["rule_id"]] += 1
                if alert["resolved_at"] is not None and start <= alert["resolved_at"] < end:
                    week.resolved[alert["rule_id"]] += 1
                if (
                    alert["first_seen"] < overdue_before
                    and (alert["resolved_at"] is None or alert["resolved_at"] >= end)
                    and alert["status"] != AlertStatus.SNOOZED
                ):
                    week.overdue[alert["rule_id"]] += 1
                    week.overdue_alerts.append(alert)
    return weeks


@transaction.atomic
def weekly_summaries_send(*, now: datetime | None = None) -> int:
    """Write last week's summary for every enabled area owner who has not had it, and queue its sending (to the
    owner's e-mail channels, or their inbox when they have none). Answers how many summaries were written."""
    now = now or timezone.now()
    monday, sunday = last_full_week(now)
    start = timezone.make_aware(datetime.combine(monday, time.min))
    end = timezone.make_aware(datetime.combine(sunday + timedelta(days=1), time.min))
    # Locked, skipping those another run holds: two runs at once write each summary once.
    owners = list(
        AreaOwner.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(enabled=True, user__is_active=True)
        .exclude(summaries__week=monday)
        .select_related("locality", "user")
    )
    if not owners:
        return 0
    weeks = _weeks(owners, start=start, end=end)
    rules = {rule.pk: rule for rule in Rule.objects.all()}
    emails: dict[int, list[Channel]] = {}
    for channel in Channel.objects.filter(
        user__in=[owner.user for owner in owners], kind=ChannelKind.EMAIL, enabled=True
    ):
        emails.setdefault(channel.user_id, []).append(channel)
    notifications = []
    for owner in owners:
        week = weeks[owner.pk]
        subject, text, data = summary_message(owner=owner, monday=monday, week=week, rules=rules)
        WeeklySummary.objects.create(
            owner=owner,
            week=monday,
            at=now,
            opened=data["opened"],
            resolved=data["resolved"],
            overdue=data["overdue"],
            by_rule=[
                {key: row[key] for key in ("rule", "name", "opened", "resolved", "overdue")} for row in data["by_rule"]
            ],
        )
        for channel in emails.get(owner.user_id) or [inbox_for(user=owner.user)]:
            notifications.append(
                Notification.objects.create(
                    channel=channel,
                    kind=NotificationKind.WEEKLY,
                    idempotency_key=f"weekly:o{owner.pk}:{monday.isoformat()}:c{channel.pk}",
                    subject=subject[:300],
                    payload={"text": text, "data": data},
                    due_at=now,
                )
            )
    _enqueue_send([notification.pk for notification in notifications])
    return len(owners)
