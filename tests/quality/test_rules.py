"""The four quality rules raise on what a compliance officer must act on and resolve once it is put right:
a published Poor (high) or Requires improvement (warning) rating, an action plan late or with an action past due,
an audit past its due date, and concerns about one home rising."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quality.models import ActionProgress, Score
from quality.services import action_plan_submit, action_progress_update, audit_start, intelligence_record
from tests.factories import LocationFactory
from tests.quality.factories import officer, planned, provider_user, published
from tests.tasks.alert_factories import open_alerts, run

pytestmark = pytest.mark.django_db
POOR = dict.fromkeys(range(1, 17), Score.POOR)
# Care and welfare, safeguarding and medicines (weight 2) Requires improvement, the rest Good: (12 + 39) / 19 = 2.68,
# Good; with every standard Requires improvement: 2.00.
REQUIRES_IMPROVEMENT = dict.fromkeys(range(1, 17), Score.REQUIRES_IMPROVEMENT)


def test_a_poor_rating_is_high_a_requires_improvement_one_a_warning_and_a_good_re_audit_resolves_it():
    poor = published(POOR, days_ago=30)
    weak = published(REQUIRES_IMPROVEMENT, days_ago=30)
    run("quality_rating_poor")
    alerts = {alert.location_id: alert for alert in open_alerts("quality_rating_poor")}
    assert alerts[poor.location_id].severity == "high" and alerts[weak.location_id].severity == "warning"
    assert alerts[poor.location_id].evidence["rating"] == "Poor"

    published(location=poor.location)  # the re-audit: Good
    run("quality_rating_poor")
    assert [alert.location_id for alert in open_alerts("quality_rating_poor")] == [weak.location_id]


def test_no_action_plan_by_its_due_date_raises_and_submitting_it_resolves():
    late = published(POOR, days_ago=15)  # due 14 days after publication: yesterday
    in_time = published(POOR, days_ago=10)
    run("action_plan_overdue")
    assert [alert.location_id for alert in open_alerts("action_plan_overdue")] == [late.location_id]

    issues = [finding for finding in late.findings.all() if finding.is_issue]
    due = timezone.localdate() + timedelta(days=1)
    actions = [{"finding": f, "description": "Fix it.", "owner": "Home manager", "due_on": due} for f in issues]
    action_plan_submit(audit=late, actions=actions, by=provider_user(late.location))
    run("action_plan_overdue")
    assert open_alerts("action_plan_overdue") == []
    assert in_time.action_plan_due > timezone.localdate()


def test_an_action_past_due_and_not_done_raises_until_it_is_done():
    audit = published(POOR, days_ago=3)
    user = provider_user(audit.location)
    issues = [finding for finding in audit.findings.all() if finding.is_issue]
    today = timezone.localdate()
    actions = [{"finding": f, "description": "Fix it.", "owner": "Home manager", "due_on": today} for f in issues]
    plan = action_plan_submit(audit=audit, actions=actions, by=user)
    run("action_plan_overdue")
    assert open_alerts("action_plan_overdue") == []  # due today: not yet past

    tomorrow = timezone.now() + timedelta(days=1)
    run("action_plan_overdue", at=tomorrow)
    [alert] = open_alerts("action_plan_overdue")
    assert alert.evidence["actions_past_due"] == 16 and "16 actions of the plan past due" in alert.title
    for action in plan.actions.all():
        action_progress_update(action=action, progress=ActionProgress.DONE, by=user)
    run("action_plan_overdue", at=tomorrow)
    assert open_alerts("action_plan_overdue") == []


def test_an_audit_past_its_due_date_raises_and_starting_the_re_audit_resolves():
    # Requires improvement seven months ago: the re-audit was due after six.
    overdue = published(REQUIRES_IMPROVEMENT, days_ago=215)
    published(days_ago=215)  # Good: next due after the two-year cycle
    run("audit_overdue")
    [alert] = open_alerts("audit_overdue")
    assert alert.location_id == overdue.location_id and "next quality audit was due" in alert.title

    re_audit = planned(location=overdue.location)
    audit_start(audit=re_audit, visited_on=re_audit.planned_for, by=re_audit.officer)
    run("audit_overdue")
    assert open_alerts("audit_overdue") == []


def test_a_planned_visit_not_started_on_its_day_raises():
    audit = planned(on=timezone.localdate() - timedelta(days=2))
    run("audit_overdue")
    [alert] = open_alerts("audit_overdue")
    assert alert.location_id == audit.location_id and "not started" in alert.title


def test_concerns_reaching_the_threshold_raise_and_fall_away_as_they_age():
    home, quiet = LocationFactory(), LocationFactory()
    by = officer()
    today = timezone.localdate()
    for days, severity in ((5, "medium"), (30, "low"), (80, "medium")):
        intelligence_record(
            location=home,
            received_on=today - timedelta(days=days),
            category="concern",
            severity=severity,
            summary="Call bells unanswered.",
            by=by,
        )
    for days in (5, 30):
        intelligence_record(
            location=quiet,
            received_on=today - timedelta(days=days),
            category="complaint",
            severity="high",
            summary="Lost laundry.",
            by=by,
        )
    run("concerns_rising")
    [alert] = open_alerts("concerns_rising")
    assert alert.location_id == home.pk and alert.severity == "warning" and alert.evidence["entries"] == 3

    # Eleven days on, the entry of 80 days ago is outside the 90-day window.
    run("concerns_rising", at=timezone.now() + timedelta(days=11))
    assert open_alerts("concerns_rising") == []
