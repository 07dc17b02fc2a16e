"""Demo quality audits and intelligence, dated from the day the demo is loaded: a home rated Poor half a year ago
with no action plan (its re-audit now due), a demo provider's home rated Requires improvement with its plan under
way and another of its audits shared for comment, a Good home, a planned visit, missed calls reported about the
Inadequate Help to Live at Home lead provider and a home whose concerns are rising. Written through the services
(with the moment each step happened); idempotent (a second run writes nothing)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from providers.models import Location
from quality.models import Audit, Intelligence, Score
from quality.selectors import framework_current, standards_of
from quality.services import (
    action_plan_submit,
    action_progress_update,
    audit_draft,
    audit_plan,
    audit_publish,
    audit_share,
    audit_start,
    comment_add,
    finding_record,
    intelligence_record,
)

DEMO_PROVIDER = "1-9020000001"  # the demo provider user's (providers.demo.DEMO_PROVIDER_USER_PROVIDER)
HTLAH_INADEQUATE = "1-9016000001"  # the Help to Live at Home lead provider rated Inadequate (providers.demo)
EVIDENCE = {
    Score.EXCELLENT: "Outstanding practice seen and confirmed by people using the service.",
    Score.GOOD: "Seen on the visit and in the records sampled.",
    Score.REQUIRES_IMPROVEMENT: "Gaps found in the records sampled; staff knew what to do.",
    Score.POOR: "Not in place on the day: records missing and staff unsure.",
}


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _audit(location, officer, *, visited, scores, default=Score.GOOD, stage="published", summary=""):
    """An audit of `location` visited `visited`, taken through the services to `stage`."""
    audit = audit_plan(location=location, planned_for=visited, officer=officer, by=officer, now=_at(visited))
    if stage == "planned":
        return audit
    audit = audit_start(audit=audit, visited_on=visited, by=officer, now=_at(visited))
    for standard in standards_of(framework=audit.framework):
        score = scores.get(standard.number, default)
        finding_record(audit=audit, standard=standard, score=score, evidence=EVIDENCE.get(score, ""), by=officer)
    audit = audit_draft(audit=audit, summary=summary, by=officer)
    audit = audit_share(audit=audit, by=officer, now=_at(visited + timedelta(days=3)))
    if stage == "shared":
        return audit
    return audit_publish(audit=audit, by=officer, now=_at(visited + timedelta(days=20)))


@transaction.atomic
def demo_load() -> dict[str, int]:
    if Audit.objects.exists() or framework_current() is None:
        return {"quality_audits": Audit.objects.count(), "quality_intelligence": Intelligence.objects.count()}
    today = timezone.localdate()
    officer = User.objects.get(username="compliance")
    provider = User.objects.get(username="provider")
    homes = list(Location.objects.filter(care_home=True, registration_status="Registered").order_by("name"))
    own = [home for home in homes if home.provider.cqc_provider_id == DEMO_PROVIDER]
    others = [home for home in homes if home.provider.cqc_provider_id != DEMO_PROVIDER]
    poor, good, planned, rising = others[0], others[1], others[2], others[3]

    _audit(
        poor,
        officer,
        visited=today - timedelta(days=215),
        scores={1: Score.REQUIRES_IMPROVEMENT, 2: Score.REQUIRES_IMPROVEMENT, 15: Score.REQUIRES_IMPROVEMENT},
        default=Score.POOR,
        summary="Medicines and safeguarding unsafe on the day; too few staff at night.",
    )
    _audit(good, officer, visited=today - timedelta(days=420), scores={1: Score.EXCELLENT}, summary="A caring home.")
    _audit(planned, officer, visited=today + timedelta(days=14), scores={}, stage="planned")

    improving = _audit(
        own[0],
        officer,
        visited=today - timedelta(days=45),
        scores={3: Score.REQUIRES_IMPROVEMENT, 8: Score.POOR, 13: Score.REQUIRES_IMPROVEMENT, 16: None},
        default=Score.REQUIRES_IMPROVEMENT,
        summary="Kind staff; care plans, medicines and supervision need work.",
    )
    issues = [finding for finding in improving.findings.select_related("standard") if finding.is_issue]
    plan = action_plan_submit(
        audit=improving,
        actions=[
            {
                "finding": finding,
                "description": f"Put right what the audit found against standard {finding.standard.number}.",
                "owner": "Registered manager",
                "due_on": today + timedelta(days=10 * (index + 1)),
            }
            for index, finding in enumerate(issues)
        ],
        by=provider,
        now=_at(today - timedelta(days=20)),
    )
    first = plan.actions.order_by("finding__standard__number").first()
    action_progress_update(action=first, progress="done", note="New care plan template in use.", by=provider)
    # The provider's next audit (of another of its homes, or a re-audit of the same) is out for comment.
    shared = _audit(own[-1], officer, visited=today - timedelta(days=3), scores={}, stage="shared")
    comment_add(audit=shared, text="Our staffing rota for that week shows two more night staff.", by=provider)

    agency = Location.objects.filter(provider__cqc_provider_id=HTLAH_INADEQUATE).first()
    entries = []
    if agency is not None:
        entries += [
            (agency, days, "missed_call", "high", "Morning call missed; the person was found without food.")
            for days in (12, 30, 55)
        ]
        entries.append((agency, 40, "safeguarding", "high", "Safeguarding referral after a missed medicines call."))
    entries += [
        (rising, days, "concern", "medium", "Relatives report call bells unanswered at night.")
        for days in (5, 18, 33, 60)
    ]
    entries.append((rising, 20, "complaint", "high", "Complaint about a fall not reported to the family."))
    entries.append((good, 150, "complaint", "low", "Complaint about laundry going missing."))
    for number, (location, days, category, severity, summary) in enumerate(entries, start=1):
        intelligence_record(
            location=location,
            received_on=today - timedelta(days=days),
            category=category,
            severity=severity,
            summary=summary,
            reference=f"QA-{today.year}-{number:04d}",
            by=officer,
        )
    return {"quality_audits": Audit.objects.count(), "quality_intelligence": Intelligence.objects.count()}
