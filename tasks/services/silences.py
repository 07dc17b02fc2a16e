"""Silences: administrators and compliance officers mute alerts matching a rule, provider, locality and
severity (any may be blank) between two times, with a reason. Creating or expiring one re-marks the open
alerts it matches at once; `silences_sweep`, scheduled every minute, re-marks them when a silence begins or
ends at its own time (the engine also keeps the marks of the alerts it reconciles)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, DomainError
from geo.models import Locality
from providers.models import Provider
from tasks.capabilities import SILENCE_ALERTS
from tasks.models import Alert, AlertStatus, Rule, Silence
from tasks.services.engine import Silences


def _require(by: User) -> None:
    if by is None or not SILENCE_ALERTS.allows(by):
        raise PermissionDenied("Only administrators and compliance officers silence alerts.")


def silences_remark(*, now: datetime | None = None) -> int:
    """Set every open alert's silenced mark from the silences in force. Returns the alerts changed."""
    now = now or timezone.now()
    silences = Silences.at(now)
    changed = []
    for alert in Alert.objects.exclude(status=AlertStatus.RESOLVED).only(
        "id", "rule_id", "provider_id", "locality_id", "severity", "silenced", "silenced_by_id"
    ):
        silence = silences.matching(alert)
        wanted = (silence is not None, silence.pk if silence else None)
        if (alert.silenced, alert.silenced_by_id) != wanted:
            alert.silenced, alert.silenced_by_id = wanted
            changed.append(alert)
    Alert.objects.bulk_update(changed, ["silenced", "silenced_by"], batch_size=500)
    return len(changed)


def _matched_by(silence: Silence, silences: Silences) -> Q:
    """The alerts `silence` matches, as a filter (the same test as `Silences.matching`, in SQL)."""
    match = Q()
    if silence.rule_id:
        match &= Q(rule_id=silence.rule_id)
    if silence.provider_id:
        match &= Q(provider_id=silence.provider_id)
    if silence.severity:
        match &= Q(severity=silence.severity)
    if silence.locality_id:
        inside = [pk for pk, above in silences.ancestors.items() if silence.locality_id in above]
        match &= Q(locality_id__in=inside)
    return match


@transaction.atomic
def silences_sweep(*, now: datetime | None = None) -> int:
    """Make silences take effect at their own times: unmark the unresolved alerts of silences that have ended and
    mark those of silences that have begun. Two small queries when nothing has changed; otherwise every
    unresolved alert is re-marked. Returns the alerts changed."""
    now = now or timezone.now()
    silences = Silences.at(now)
    unresolved = Alert.objects.exclude(status=AlertStatus.RESOLVED)
    in_force = [silence.pk for silence in silences.active]
    ended = unresolved.filter(silenced=True).exclude(silenced_by__in=in_force)
    begun = Q()
    for silence in silences.active:
        match = _matched_by(silence, silences)
        if not match:  # a silence with no matcher matches every alert (Q() | Q(x) would be Q(x) alone)
            begun = Q()
            break
        begun |= match
    if not ended.exists() and not (silences.active and unresolved.filter(silenced=False).filter(begun).exists()):
        return 0
    return silences_remark(now=now)


@transaction.atomic
def silence_create(
    *,
    by: User,
    reason: str,
    ends_at: datetime,
    starts_at: datetime | None = None,
    rule: Rule | None = None,
    provider: Provider | None = None,
    locality: Locality | None = None,
    severity: str = "",
) -> Silence:
    _require(by)
    starts_at = starts_at or timezone.now()
    if not (reason or "").strip():
        raise DomainError("Say why the alerts are silenced.", field="reason")
    if ends_at <= starts_at:
        raise DomainError("A silence ends after it starts.", field="ends_at")
    if ends_at <= timezone.now():
        raise DomainError("A silence must end in the future.", field="ends_at")
    if not any([rule, provider, locality, severity]):
        raise DomainError("Give at least one matcher (rule, provider, locality or severity).", field="rule")
    silence = Silence.objects.create(
        rule=rule,
        provider=provider,
        locality=locality,
        severity=severity,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=by,
    )
    silences_remark()
    return silence


@transaction.atomic
def silence_expire(*, silence: Silence, by: User) -> Silence:
    _require(by)
    silence = Silence.objects.select_for_update().get(pk=silence.pk)
    now = timezone.now()
    if silence.ends_at <= now:
        raise Conflict("The silence has already ended.", field="id")
    silence.ends_at = now
    if silence.starts_at >= now:  # a silence that had not begun ends before it would have
        silence.starts_at = now - timedelta(microseconds=1)
    silence.expired_by = by
    silence.save(update_fields=["ends_at", "starts_at", "expired_by"])
    silences_remark()
    return silence
