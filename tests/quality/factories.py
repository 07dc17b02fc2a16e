"""Audits at each step, through the services, for the quality tests."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.roles import Role
from quality.models import Score
from quality.selectors import framework_current, standards_of
from quality.services import (
    audit_draft,
    audit_plan,
    audit_publish,
    audit_review,
    audit_share,
    audit_start,
    finding_record,
)
from tests.factories import LocationFactory, ProviderMembershipFactory, UserFactory


def officer():
    return UserFactory(roles=[Role.COMPLIANCE_OFFICER])


def provider_user(location):
    return ProviderMembershipFactory(provider=location.provider).user


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def planned(*, location=None, by=None, on: date | None = None):
    """Planned for `on` (today by default); a day gone by is planned on that day."""
    by = by or officer()
    on = on or timezone.localdate()
    when = _at(min(on, timezone.localdate()))
    return audit_plan(location=location or LocationFactory(), planned_for=on, officer=by, by=by, now=when)


def scored(audit, scores: dict[int, int | None], *, default: int | None = Score.GOOD):
    """Records a finding for every standard: `scores` by standard number, `default` for the others."""
    for standard in standards_of(framework=audit.framework):
        score = scores.get(standard.number, default)
        finding_record(
            audit=audit,
            standard=standard,
            score=score,
            evidence="Seen on the visit." if score else "",
            by=audit.officer,
        )
    return audit


def drafted(scores: dict[int, int | None] | None = None, **kwargs):
    audit = planned(**kwargs)
    audit = audit_start(audit=audit, visited_on=audit.planned_for, by=audit.officer, now=_at(audit.planned_for))
    scored(audit, scores or {})
    return audit_draft(audit=audit, summary="A caring home.", by=audit.officer)


def published(scores: dict[int, int | None] | None = None, *, days_ago: int = 0, **kwargs):
    """Published `days_ago` days ago (visited, shared and reviewed that day)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    audit = drafted(scores, on=day, **kwargs)
    audit = audit_share(audit=audit, by=audit.officer, now=_at(day))
    audit = audit_review(audit=audit, by=audit.officer)
    return audit_publish(audit=audit, by=audit.officer, now=_at(day))


def standard(number: int):
    return standards_of(framework=framework_current()).get(number=number)
