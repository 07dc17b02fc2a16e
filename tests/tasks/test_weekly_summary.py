"""The weekly summary to each area's named senior owner: last week's alerts in the area and the places inside it,
opened, resolved and overdue, by rule, in words and with links to the service's pages; once per owner and week."""

from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_upsert
from tasks.models import AreaOwner, Notification, WeeklySummary
from tasks.schedules import SCHEDULES
from tasks.services.delivery.sending import notification_send
from tasks.services.delivery.subscriptions import channel_create
from tasks.services.summaries import area_owner_save, weekly_summaries_send
from tasks.tasks import weekly_summaries_send as weekly_task
from tests.factories import LocalityFactory
from tests.tasks.delivery_factories import AlertFactory, RuleFactory

# A Wednesday: the last full week is Monday 30 November to Sunday 6 December 2026.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 9))]

WEEK_START = timezone.make_aware(datetime(2026, 11, 30, 0, 0))


def at(days: float) -> datetime:
    """A moment `days` after the week began."""
    return WEEK_START + timedelta(days=days)


@pytest.fixture
def fenland():
    admin = user_upsert(username="admin", roles=[Role.ADMINISTRATOR], email="admin@council.example")
    senior = user_upsert(username="senior", roles=[Role.COMMISSIONER], email="head.of.quality@council.example")
    channel_create(kind="email", by=senior, user=senior)
    district = LocalityFactory(name="Fenland", code="E07000010", kind="district")
    ward = LocalityFactory(name="Wisbech North", code="E05000001", kind="ward", parent=district)
    owner = area_owner_save(by=admin, locality=district, user=senior)
    return owner, district, ward


def test_last_weeks_alerts_in_the_area_are_counted_by_rule_and_sent_in_words_with_links(fenland):
    owner, district, ward = fenland
    voids = RuleFactory(code="void_level_high", name="Void level high")
    ratings = RuleFactory(code="rating_downgrade", name="CQC rating downgraded")
    AlertFactory(rule=voids, locality=ward, first_seen=at(1), last_seen=at(1))
    AlertFactory(rule=voids, locality=district, first_seen=at(2), status="resolved", resolved_at=at(4))
    overdue = AlertFactory(
        rule=ratings, locality=ward, first_seen=at(-30), last_seen=at(3), title="Meadowbank House rating down"
    )
    AlertFactory(rule=ratings, locality=ward, first_seen=at(-30), status="snoozed")  # someone chose to wait
    AlertFactory(rule=voids, locality=ward, first_seen=at(-3))  # the week before, not yet overdue
    AlertFactory(rule=voids, locality=LocalityFactory(name="Elsewhere", kind="district"), first_seen=at(1))
    AlertFactory(rule=voids, locality=ward, first_seen=at(8))  # this week, not last

    assert weekly_summaries_send() == 1

    summary = WeeklySummary.objects.get(owner=owner)
    assert summary.week == date(2026, 11, 30)
    assert (summary.opened, summary.resolved, summary.overdue) == (2, 1, 1)
    assert {row["rule"]: (row["opened"], row["resolved"], row["overdue"]) for row in summary.by_rule} == {
        "void_level_high": (2, 1, 0),
        "rating_downgrade": (0, 0, 1),
    }
    notification = Notification.objects.get(kind="weekly")
    assert notification.channel.kind == "email" and notification.channel.user == owner.user
    assert notification.subject == "Alerts in Fenland, 30 November to 6 December 2026: 2 opened, 1 resolved, 1 overdue"
    text = notification.payload["text"]
    assert "Void level high: 2 opened, 1 resolved, 0 overdue." in text
    assert "/alerts/?locality=E07000010&rule=void_level_high" in text
    assert (
        f"- Meadowbank House rating down, open since 31 October 2026: {settings.SITE_URL}/alerts/{overdue.pk}/" in text
    )
    assert "/api/" not in text

    notification_send(notification_id=notification.pk)
    assert [message.to for message in mail.outbox] == [["head.of.quality@council.example"]]
    assert mail.outbox[0].subject == notification.subject


def test_a_second_run_the_same_week_sends_nothing_more_and_the_constraint_holds(fenland):
    owner, _district, ward = fenland
    AlertFactory(rule=RuleFactory(code="void_level_high"), locality=ward, first_seen=at(1))
    assert weekly_task.apply().get() == 1
    assert weekly_summaries_send() == 0
    assert weekly_summaries_send(now=timezone.now() + timedelta(hours=5)) == 0
    assert WeeklySummary.objects.count() == 1 and Notification.objects.filter(kind="weekly").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklySummary.objects.create(owner=owner, week=date(2026, 11, 30), at=timezone.now())
    # The next week is a new summary, even with nothing to report.
    assert weekly_summaries_send(now=timezone.now() + timedelta(days=7)) == 1
    quiet = Notification.objects.filter(kind="weekly").order_by("-id").first()
    assert "No alert was opened or resolved this week, and none is overdue." in quiet.payload["text"]


def test_an_owner_with_no_email_hears_in_the_inbox_and_one_switched_off_hears_nothing(fenland):
    owner, _district, _ward = fenland
    admin = owner.user.__class__.objects.get(username="admin")
    inboxed = user_upsert(username="inboxed", roles=[Role.CONTRACT_OFFICER], email="")
    area_owner_save(by=admin, locality=LocalityFactory(name="March", kind="district"), user=inboxed)
    area_owner_save(by=admin, area_owner=owner, locality=owner.locality, user=owner.user, enabled=False)
    assert weekly_summaries_send() == 1
    notification = Notification.objects.get(kind="weekly")
    assert notification.channel.user == inboxed and notification.channel.kind == "in_app"


def test_an_area_has_one_owner_named_by_an_administrator(fenland):
    owner, district, _ward = fenland
    other = user_upsert(username="other", roles=[Role.COMMISSIONER], email="o@council.example")
    admin = owner.user.__class__.objects.get(username="admin")
    with pytest.raises(Exception, match="Fenland has an owner already"):
        area_owner_save(by=admin, locality=district, user=other)
    with pytest.raises(Exception, match="Only administrators"):
        area_owner_save(by=other, locality=LocalityFactory(kind="district"), user=other)
    assert AreaOwner.objects.count() == 1


def test_the_weekly_summary_is_a_schedule_on_monday_mornings():
    schedule = next(schedule for schedule in SCHEDULES if schedule.task == "tasks.tasks.weekly_summaries_send")
    assert schedule.crontab["day_of_week"] == "1"
