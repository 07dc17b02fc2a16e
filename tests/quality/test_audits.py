"""An audit from planned to published: each step in its order, the provider's 14 days to comment ending at the end
of the 14th day in London, the action plan's 14 days after a Requires improvement or Poor report, and the history of
who did what when."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.errors import Conflict, DomainError
from quality.models import AuditStatus, QualityRating, Score
from quality.selectors import comment_window_close, comments_last_day
from quality.services import (
    audit_draft,
    audit_plan,
    audit_publish,
    audit_share,
    audit_start,
    comment_add,
    finding_record,
)
from tests.factories import LocationFactory
from tests.quality.factories import drafted, officer, planned, provider_user, published, standard

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_the_window_closes_at_the_end_of_the_fourteenth_day_in_london():
    # Shared at 23:30 on 1 March (GMT): the 14 days are 2 to 15 March; it closes at midnight ending 15 March.
    shared = datetime(2027, 3, 1, 23, 30, tzinfo=LONDON)
    assert comment_window_close(shared_at=shared) == datetime(2027, 3, 16, 0, 0, tzinfo=LONDON)


def test_the_window_follows_london_across_the_clocks_going_forward():
    # Shared at 00:30 BST on 20 March 2027 is 00:30 London time whatever UTC says: the clocks go forward on
    # 28 March, so the window closes at midnight BST ending 3 April, 23:00 UTC on 3 April.
    shared = datetime(2027, 3, 20, 0, 30, tzinfo=LONDON).astimezone(ZoneInfo("UTC"))
    closes = comment_window_close(shared_at=shared)
    assert closes.astimezone(ZoneInfo("UTC")) == datetime(2027, 4, 3, 23, 0, tzinfo=ZoneInfo("UTC"))


def test_shared_late_in_the_evening_in_utc_counts_from_the_london_day():
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: day one of the window is 2 July, the last 15 July.
    shared = datetime(2027, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert comment_window_close(shared_at=shared) == datetime(2027, 7, 16, 0, 0, tzinfo=LONDON)


def test_the_provider_comments_until_the_last_minute_of_the_fourteenth_day_and_not_after():
    audit = drafted()
    shared_at = datetime.combine(timezone.localdate(), time(10), tzinfo=LONDON)
    audit = audit_share(audit=audit, by=audit.officer, now=shared_at)
    user = provider_user(audit.location)
    last_day = shared_at.date() + timedelta(days=14)
    assert comments_last_day(audit=audit) == last_day

    just_in_time = datetime.combine(last_day, time(23, 59, 59), tzinfo=LONDON)
    comment = comment_add(audit=audit, text="The home has 42 beds, not 40.", by=user, now=just_in_time)
    assert comment.text == "The home has 42 beds, not 40."
    with pytest.raises(Conflict, match="closed"):
        comment_add(audit=audit, text="Also ...", by=user, now=just_in_time + timedelta(seconds=1))
    # Nor may the report be published while the window is open; it may the moment it closes.
    with pytest.raises(Conflict, match="may comment until"):
        audit_publish(audit=audit, by=audit.officer, now=just_in_time)
    audit = audit_publish(audit=audit, by=audit.officer, now=just_in_time + timedelta(seconds=1))
    assert audit.status == AuditStatus.PUBLISHED and audit.published_on == last_day + timedelta(days=1)


def test_another_providers_user_cannot_comment():
    audit = drafted()
    audit = audit_share(audit=audit, by=audit.officer)
    stranger = provider_user(planned().location)
    with pytest.raises(DomainError, match="Only the provider"):
        comment_add(audit=audit, text="Not ours.", by=stranger)


def test_steps_go_in_order_and_findings_need_evidence():
    audit = planned()
    with pytest.raises(Conflict, match="cannot be drafted"):
        audit_draft(audit=audit, by=audit.officer)
    audit = audit_start(audit=audit, visited_on=audit.planned_for, by=audit.officer)
    with pytest.raises(DomainError, match="give the evidence"):
        finding_record(audit=audit, standard=standard(6), score=Score.POOR, evidence=" ", by=audit.officer)
    with pytest.raises(DomainError, match="at least one standard"):
        audit_draft(audit=audit, by=audit.officer)
    finding_record(audit=audit, standard=standard(6), score=Score.POOR, evidence="No referrals made.", by=audit.officer)
    audit = audit_draft(audit=audit, by=audit.officer)
    assert audit.rating == QualityRating.POOR  # one standard assessed, and Poor
    with pytest.raises(Conflict, match="cannot be published"):
        audit_publish(audit=audit, by=audit.officer)


def test_a_home_has_one_audit_under_way_at_a_time():
    audit = planned()
    with pytest.raises(Conflict, match="already has an audit planned"):
        planned(location=audit.location)


def test_a_poor_report_starts_the_action_plan_s_14_days_and_a_good_one_does_not():
    poor = published(dict.fromkeys(range(1, 17), Score.POOR))
    good = published()
    assert poor.rating == QualityRating.POOR and poor.action_plan_due == poor.published_on + timedelta(days=14)
    assert good.rating == QualityRating.GOOD and good.action_plan_due is None


def test_the_history_says_who_moved_the_audit_and_when():
    audit = published()
    statuses = [record.status for record in audit.history.order_by("history_date", "history_id")]
    assert statuses[0] == AuditStatus.PLANNED and statuses[-1] == AuditStatus.PUBLISHED
    assert {AuditStatus.IN_PROGRESS, AuditStatus.DRAFT, AuditStatus.SHARED, AuditStatus.UNDER_REVIEW} <= set(statuses)
    assert {record.history_user for record in audit.history.all()} == {audit.officer}
    finding = audit.findings.get(standard__number=6)
    assert finding.history.get().history_user == audit.officer


@pytest.mark.today(date(2027, 3, 1))
def test_a_visit_is_not_planned_for_a_day_long_gone():
    by = officer()
    with pytest.raises(DomainError, match="long gone"):
        audit_plan(location=LocationFactory(), planned_for=date(2027, 1, 1), officer=by, by=by)
    assert audit_plan(location=LocationFactory(), planned_for=date(2027, 2, 1), officer=by, by=by).planned_for
