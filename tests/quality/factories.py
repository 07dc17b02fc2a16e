"""Audits at each step, through the services, for the quality tests."""

from datetime import date

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


def planned(*, location=None, by=None, on: date | None = None):
    by = by or officer()
    return audit_plan(location=location or LocationFactory(), planned_for=on or timezone.localdate(), officer=by, by=by)


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
    audit = audit_start(audit=audit, visited_on=audit.planned_for, by=audit.officer)
    scored(audit, scores or {})
    return audit_draft(audit=audit, summary="A caring home.", by=audit.officer)


def published(scores: dict[int, int | None] | None = None, **kwargs):
    audit = drafted(scores, **kwargs)
    audit = audit_share(audit=audit, by=audit.officer)
    audit = audit_review(audit=audit, by=audit.officer)
    return audit_publish(audit=audit, by=audit.officer)


def standard(number: int):
    return standards_of(framework=framework_current()).get(number=number)
