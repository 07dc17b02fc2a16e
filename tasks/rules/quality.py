"""Rules over the council's own quality audits (quality): a published Poor or Requires improvement rating, an action
plan not submitted in time or with an action past due, an audit past its due date, and concerns about one home
rising. Each reads the whole estate in a few set-based queries."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef
from rest_framework import serializers

from accounts.roles import Role
from core import present
from providers.models import Location
from quality.models import NEEDS_ACTION_PLAN, Action, ActionPlan, ActionProgress, Audit, AuditStatus, QualityRating
from quality.selectors import intelligence_counts, latest_ratings, next_audit_due
from tasks.models import Severity
from tasks.rules.base import Risk, RuleDefinition, evaluated_on, home_name, location_risk, plural, register, says


def _latest_published() -> list[Audit]:
    """Each location's latest published audit, with the location's provider and district. Two queries."""
    ids = Audit.objects.filter(status=AuditStatus.PUBLISHED).values_list("location_id", flat=True).distinct()
    latest = latest_ratings(location_ids=list(ids))
    locations = Location.objects.in_bulk(list(latest), field_name="pk")
    audits = []
    for location_id, audit in latest.items():
        audit.location = locations[location_id]
        audits.append(audit)
    return audits


def _row(location: Location) -> dict:
    return {"id": location.pk, "provider_id": location.provider_id, "district_id": location.district_id}


def rating_poor_risks(*, rule, now) -> list[Risk]:
    """A location whose latest published council rating is Poor (high) or Requires improvement (warning); a later
    audit rated Good or Excellent resolves it."""
    risks = []
    for audit in _latest_published():
        if audit.rating not in NEEDS_ACTION_PLAN:
            continue
        risks.append(
            location_risk(
                "quality_rating_poor",
                _row(audit.location),
                title=f"{audit.location.name}: rated {audit.rating} by the council's audit",
                evidence={
                    "audit_id": audit.pk,
                    "rating": audit.rating,
                    "published_on": audit.published_on.isoformat(),
                },
                severity=Severity.HIGH if audit.rating == QualityRating.POOR else Severity.WARNING,
            )
        )
    return risks


def action_plan_overdue_risks(*, rule, now) -> list[Risk]:
    """A published audit needing an action plan with none submitted by its due date, or a submitted plan with an
    action not done by its own due date. The latest audit of each location only."""
    today = evaluated_on(now)
    late = dict(
        Action.objects.filter(due_on__lt=today)
        .exclude(progress=ActionProgress.DONE)
        .values("plan__audit_id")
        .annotate(late=Count("id"))
        .values_list("plan__audit_id", "late")
    )
    audits = (
        Audit.objects.filter(status=AuditStatus.PUBLISHED, rating__in=NEEDS_ACTION_PLAN)
        .annotate(planned=Exists(ActionPlan.objects.filter(audit=OuterRef("pk"))))
        .select_related("location")
        .order_by("location_id", "-published_on", "-id")
    )
    risks, seen = [], set()
    for audit in audits:
        if audit.location_id in seen:
            continue
        seen.add(audit.location_id)
        audit.late = late.get(audit.pk, 0)
        if not audit.planned and audit.action_plan_due and audit.action_plan_due < today:
            title = f"{audit.location.name}: no action plan, due {audit.action_plan_due:%-d %B %Y}"
        elif audit.planned and audit.late:
            title = f"{audit.location.name}: {audit.late} action{'s' if audit.late != 1 else ''} of the plan past due"
        else:
            continue
        risks.append(
            location_risk(
                "action_plan_overdue",
                _row(audit.location),
                title=title,
                evidence={
                    "audit_id": audit.pk,
                    "rating": audit.rating,
                    "action_plan_due": audit.action_plan_due.isoformat() if audit.action_plan_due else None,
                    "submitted": audit.planned,
                    "actions_past_due": audit.late,
                },
            )
        )
    return risks


def audit_overdue_risks(*, rule, now) -> list[Risk]:
    """A location whose next audit is past its due date (six months after Requires improvement or Poor, the cycle
    after Good or Excellent) and not yet visited, or a planned visit whose day has gone by without it starting."""
    today = evaluated_on(now)
    # A re-audit under way (visited, not yet published) answers the due date.
    visited_since = set(
        Audit.objects.exclude(status__in=[AuditStatus.PLANNED, AuditStatus.PUBLISHED]).values_list(
            "location_id", flat=True
        )
    )
    risks = []
    for audit in _latest_published():
        due = next_audit_due(rating=audit.rating, published_on=audit.published_on)
        if due >= today or audit.location_id in visited_since:
            continue
        risks.append(
            location_risk(
                "audit_overdue",
                _row(audit.location),
                title=f"{audit.location.name}: next quality audit was due {due:%-d %B %Y}",
                evidence={"last_audit_id": audit.pk, "rating": audit.rating, "due_on": due.isoformat()},
            )
        )
    overdue_plans = Audit.objects.filter(status=AuditStatus.PLANNED, planned_for__lt=today).select_related("location")
    for audit in overdue_plans:
        risks.append(
            location_risk(
                "audit_overdue",
                _row(audit.location),
                title=f"{audit.location.name}: quality visit planned for {audit.planned_for:%-d %B %Y} not started",
                evidence={"audit_id": audit.pk, "planned_for": audit.planned_for.isoformat()},
                distinct=("planned",),
            )
        )
    return risks


class ConcernThresholds(serializers.Serializer):
    window_days = serializers.IntegerField(min_value=1, max_value=730)
    entries = serializers.IntegerField(min_value=1, max_value=1000, help_text="This many entries or more raises.")


def concerns_rising_risks(*, rule, now) -> list[Risk]:
    """A location with at least `entries` concerns, complaints, safeguarding referrals or missed-call reports
    received in the last `window_days`; high when twice that many or any was of high severity. One query for the
    counts, one for their locations."""
    thresholds = RULES_BY_CODE["concerns_rising"].thresholds_of(rule)
    today = evaluated_on(now)
    since = today - timedelta(days=thresholds["window_days"] - 1)
    counts = {
        location_id: found
        for location_id, found in intelligence_counts(since=since, through=today).items()
        if found["entries"] >= thresholds["entries"]
    }
    locations = Location.objects.in_bulk(list(counts))
    risks = []
    for location_id, found in sorted(counts.items()):
        location = locations[location_id]
        high = found["high"] > 0 or found["entries"] >= 2 * thresholds["entries"]
        risks.append(
            location_risk(
                "concerns_rising",
                _row(location),
                title=f"{location.name}: {found['entries']} concerns in {thresholds['window_days']} days",
                evidence={
                    "entries": found["entries"],
                    "high_severity": found["high"],
                    "since": since.isoformat(),
                    "window_days": thresholds["window_days"],
                    "threshold": thresholds["entries"],
                },
                severity=Severity.HIGH if high else None,
            )
        )
    return risks


@says("quality_rating_poor")
def quality_rating_poor_words(evidence: dict, alert) -> str:
    return (
        f"The council's quality audit of {home_name(alert)}, published {present.day(evidence.get('published_on'))}, "
        f"rated it {evidence.get('rating')}."
    )


@says("action_plan_overdue")
def action_plan_overdue_words(evidence: dict, alert) -> str:
    late = evidence.get("actions_past_due") or 0
    if not evidence.get("submitted"):
        return (
            f"{home_name(alert)} was rated {evidence.get('rating')} by the council's audit and has not sent its "
            f"action plan, due {present.day(evidence.get('action_plan_due'))}."
        )
    return f"{home_name(alert)} has {plural(late, 'action')} of its quality action plan past its due date."


@says("audit_overdue")
def audit_overdue_words(evidence: dict, alert) -> str:
    if evidence.get("planned_for"):
        return (
            f"The council's quality visit to {home_name(alert)} was planned for "
            f"{present.day(evidence.get('planned_for'))} and has not started."
        )
    return (
        f"{home_name(alert)}'s next quality audit was due {present.day(evidence.get('due_on'))}; its last was "
        f"rated {evidence.get('rating')}."
    )


@says("concerns_rising")
def concerns_rising_words(evidence: dict, alert) -> str:
    entries, high = evidence.get("entries", 0), evidence.get("high_severity", 0)
    return (
        f"{plural(entries, 'concern')} about {home_name(alert)} reached the council in the "
        f"{plural(evidence.get('window_days', 0), 'day')} since {present.day(evidence.get('since'))}"
        f"{f', {high} of them of high severity' if high else ''}; more than {evidence.get('threshold')} calls for "
        "a closer look."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="quality_rating_poor",
            owning_role=Role.COMPLIANCE_OFFICER,
            name="Council quality rating Poor or Requires improvement",
            description="The latest published council audit of a home or agency rated it Poor (high) or Requires "
            "improvement (warning).",
            evaluate=rating_poor_risks,
            severity=Severity.WARNING,
            triggers=frozenset({"quality"}),
        ),
        RuleDefinition(
            code="action_plan_overdue",
            owning_role=Role.COMPLIANCE_OFFICER,
            name="Quality action plan overdue",
            description="A provider rated Requires improvement or Poor has not submitted its action plan within 14 "
            "days of publication, or an action of its plan is past due and not done.",
            evaluate=action_plan_overdue_risks,
            severity=Severity.WARNING,
            triggers=frozenset({"quality"}),
        ),
        RuleDefinition(
            code="audit_overdue",
            owning_role=Role.COMPLIANCE_OFFICER,
            name="Quality audit overdue",
            description="A home or agency's next council audit is past its due date (six months after Requires "
            "improvement or Poor), or a planned visit's day has gone by without it starting.",
            evaluate=audit_overdue_risks,
            severity=Severity.WARNING,
            triggers=frozenset({"quality"}),
        ),
        RuleDefinition(
            code="concerns_rising",
            owning_role=Role.COMPLIANCE_OFFICER,
            name="Concerns about a home rising",
            description="Concerns, complaints, safeguarding referrals and missed-call reports about one home or "
            "agency reach the threshold within the window (high with any of high severity, or twice the threshold).",
            evaluate=concerns_rising_risks,
            severity=Severity.WARNING,
            thresholds={"window_days": 90, "entries": 3},
            thresholds_serializer=ConcernThresholds,
            triggers=frozenset({"quality"}),
        ),
    ]
}
