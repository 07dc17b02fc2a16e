"""Escalation: an alert nobody acknowledges is told to the next people in its policy at the policy's times, each
step once, and no more once someone acknowledges, snoozes or resolves it. Reminders: an acknowledged high or
critical alert left unresolved goes back to its owner every ALERT_REMINDER_DAYS."""

import time
from contextlib import contextmanager
from datetime import date, timedelta
from datetime import time as clock_time

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Team
from accounts.roles import Role
from core.errors import DomainError
from tasks.models import Alert, AlertChange, AlertEvent, Channel, Escalation, Notification, Reminder
from tasks.services.alerts import alerts_acknowledge, alerts_assign, alerts_resolve, alerts_snooze
from tasks.services.delivery.sending import notification_send
from tasks.services.escalation import (
    escalation_policy_create,
    escalation_step_save,
    escalations_send,
    reminders_send,
)
from tests.factories import LocationFactory, UserFactory
from tests.tasks.alert_factories import rule

# Monday 7 December 2026, noon in London.
pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


@pytest.fixture
def later():
    """The clock stands still at the test's start (noon); later(minutes=15) moves it on from there."""
    start = timezone.now()

    @contextmanager
    def moved(**delta):
        with time_machine.travel(start + timedelta(**delta), tick=False):
            yield

    moved.start = start
    with time_machine.travel(start, tick=False):
        yield moved


def raise_alert(*, severity="critical", code="home_in_use_at_risk") -> Alert:
    location = LocationFactory(name="Kingsmoor House")
    now = timezone.now()
    return Alert.objects.create(
        rule=rule(code),
        severity=severity,
        subject_kind="location",
        subject_id=location.pk,
        provider=location.provider,
        location=location,
        fingerprint=f"{code}:location:{location.pk}",
        title="Kingsmoor House is rated Inadequate with 12 live block beds",
        evidence={"reasons": ["rated Inadequate"], "live_block_beds": 12, "people_placed": 0, "lot_award": False},
        first_seen=now,
        last_seen=now,
    )


def send_all() -> list[str]:
    """Send every notification waiting (the worker would, once the sweep commits); the e-mails' addressees."""
    before = len(mail.outbox)
    for notification in Notification.objects.filter(status="pending").order_by("pk"):
        notification_send(notification_id=notification.pk)
    return sorted(address for message in mail.outbox[before:] for address in message.to)


@pytest.fixture
def people():
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    team = Team.objects.create(name="Quality and compliance", email="quality@council.example")
    Channel.objects.create(team=team, kind="email", name="Team mailbox")
    head = UserFactory(roles=[Role.COMPLIANCE_OFFICER], first_name="Asha", last_name="Patel", email="asha@c.example")
    Channel.objects.create(user=head, kind="email")
    Channel.objects.create(user=head, kind="in_app", name="Inbox")
    return admin, team, head


@pytest.fixture
def two_steps(people):
    admin, team, head = people
    policy = escalation_policy_create(by=admin, name="Critical alerts", severities=["critical"])
    escalation_step_save(by=admin, policy=policy, position=1, after_minutes=15, teams=[team])
    escalation_step_save(by=admin, policy=policy, position=2, after_minutes=60, users=[head])
    return policy


def test_an_unacknowledged_critical_alert_escalates_through_both_steps_at_their_times(two_steps, people, later):
    admin, team, head = people
    alert = raise_alert()
    with later(minutes=14):
        assert escalations_send() == 0
        assert send_all() == []
    with later(minutes=15):
        assert escalations_send() == 1
        assert send_all() == ["quality@council.example"]
        assert escalations_send() == 0  # run again: the step is not sent twice
        assert send_all() == []
    body = mail.outbox[-1].body
    assert "Escalated: still not acknowledged" in body and "Kingsmoor House is rated Inadequate" in body
    with later(minutes=59):
        assert escalations_send() == 0
    with later(minutes=60):
        assert escalations_send() == 1
        assert send_all() == ["asha@c.example"]
        assert Notification.objects.filter(channel__user=head, channel__kind="in_app").count() == 1
    with later(hours=5):
        assert escalations_send() == 0
    history = list(AlertChange.objects.filter(alert=alert, field="escalated").values_list("new_value", flat=True))
    assert history == [
        "Step 1 of Critical alerts: told Quality and compliance",
        "Step 2 of Critical alerts: told Asha Patel",
    ]
    assert AlertEvent.objects.filter(alert=alert, kind="escalated").count() == 2


def test_escalation_stops_when_the_alert_is_acknowledged(two_steps, people, later):
    admin, team, head = people
    alert = raise_alert()
    with later(minutes=20):
        assert escalations_send() == 1
        send_all()
    with later(minutes=30):
        alerts_acknowledge(ids=[alert.pk], by=head)
    with later(minutes=61):
        assert escalations_send() == 0
        assert send_all() == []
    assert list(Escalation.objects.filter(alert=alert).values_list("step__position", flat=True)) == [1]


def test_a_snoozed_resolved_or_warning_alert_does_not_escalate(two_steps, people, later):
    admin, team, head = people
    snoozed, resolved = raise_alert(), raise_alert()
    raise_alert(severity="warning")
    with later(minutes=5):
        alerts_snooze(ids=[snoozed.pk], by=head, until=later.start + timedelta(days=1))
        alerts_resolve(ids=[resolved.pk], by=head, note="Moved everyone out")
    with later(minutes=90):
        assert escalations_send() == 0
    assert not Escalation.objects.exists()


def test_an_out_of_hours_step_waits_for_the_evening(people, later):
    admin, team, head = people
    policy = escalation_policy_create(by=admin, name="Out of hours")
    escalation_step_save(
        by=admin,
        policy=policy,
        position=1,
        after_minutes=0,
        users=[head],
        hours_from=clock_time(9),
        hours_to=clock_time(17),
        weekdays=[0, 1, 2, 3, 4],
        outside_hours=True,
    )
    raise_alert()
    with later(hours=4, minutes=59):  # 4:59pm on a Monday: office hours
        assert escalations_send() == 0
    with later(hours=5):  # 5pm: the duty team's
        assert escalations_send() == 1
        assert send_all() == ["asha@c.example"]


def test_a_step_is_sent_once_per_alert_by_the_database_too(two_steps, later):
    alert = raise_alert()
    with later(minutes=15):
        escalations_send()
    step = Escalation.objects.get(alert=alert).step
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(alert=alert, step=step, at=timezone.now())


def test_a_policy_step_must_tell_someone_and_wait_no_less_than_the_step_before(people, later):
    admin, team, head = people
    policy = escalation_policy_create(by=admin, name="Critical alerts", severities=["critical"])
    with pytest.raises(DomainError, match="Say who a step tells"):
        escalation_step_save(by=admin, policy=policy, position=1, after_minutes=15)
    escalation_step_save(by=admin, policy=policy, position=1, after_minutes=30, teams=[team])
    with pytest.raises(DomainError, match="wait at least as long"):
        escalation_step_save(by=admin, policy=policy, position=2, after_minutes=10, users=[head])
    with pytest.raises(DomainError, match="both a start and an end"):
        escalation_step_save(
            by=admin, policy=policy, position=2, after_minutes=60, users=[head], hours_from=clock_time(9)
        )


# --- reminders -----------------------------------------------------------------------------------------------


def test_an_acknowledged_critical_alert_goes_back_to_its_owner_every_seven_days_until_resolved(people, settings, later):
    settings.ALERT_REMINDER_DAYS = 7
    admin, team, head = people
    alert = raise_alert()
    warning = raise_alert(severity="warning")
    alerts_assign(ids=[alert.pk, warning.pk], by=head, user=head)
    alerts_acknowledge(ids=[alert.pk, warning.pk], by=head)
    with later(days=6, hours=23):
        assert reminders_send() == 0
    with later(days=7):
        assert reminders_send() == 1
        assert send_all() == ["asha@c.example"]
        assert "Reminder: acknowledged, not yet resolved" in mail.outbox[-1].body
        assert reminders_send() == 0  # once a period
    with later(days=13):
        assert reminders_send() == 0
    with later(days=14, hours=2):
        assert reminders_send() == 1
        send_all()
    with later(days=15):
        alerts_resolve(ids=[alert.pk], by=head, note="Home re-rated Good")
    with later(days=21):
        assert reminders_send() == 0
    assert Reminder.objects.filter(alert=alert).count() == 2
    assert AlertChange.objects.filter(alert=alert, field="reminded").count() == 2
    due = Reminder.objects.filter(alert=alert).order_by("due_at").first().due_at
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(alert=alert, due_at=due, at=timezone.now())


def test_a_snoozed_alert_is_not_reminded(people, later):
    admin, team, head = people
    alert = raise_alert()
    alerts_acknowledge(ids=[alert.pk], by=head)
    alerts_snooze(ids=[alert.pk], by=head, until=later.start + timedelta(days=30))
    with later(days=8):
        assert reminders_send() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_escalates_on_a_real_worker_and_the_email_goes_once(people):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tasks.tasks import escalations_sweep

    admin, team, head = people
    policy = escalation_policy_create(by=admin, name="Critical alerts", severities=["critical"])
    escalation_step_save(by=admin, policy=policy, position=1, after_minutes=15, teams=[team])
    alert = raise_alert()
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(minutes=20))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        escalations_sweep.delay().get(timeout=30)
        escalations_sweep.delay().get(timeout=30)  # again: nothing more
        sent = None
        for _ in range(300):
            sent = Notification.objects.filter(channel__team=team, status="sent").first()
            if sent is not None:
                break
            time.sleep(0.1)
    assert sent is not None, "the escalation e-mail was never sent"
    assert Notification.objects.filter(channel__team=team).count() == 1
    assert Escalation.objects.filter(alert=alert).count() == 1


# --- the admin ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_makes_a_policy_and_its_steps_in_the_admin_with_the_services_checks(admin_client):
    from django.urls import reverse

    from tasks.models import EscalationPolicy, EscalationStep
    from tests.market.admin_forms import form_errors

    team = Team.objects.create(name="Quality and compliance", email="quality@council.example")
    answer = admin_client.post(
        reverse("admin:tasks_escalationpolicy_add"),
        {"name": "Critical alerts", "severities": '["critical"]', "enabled": "on"},
    )
    assert answer.status_code == 302, form_errors(answer)
    policy = EscalationPolicy.objects.get(name="Critical alerts")
    step = {"policy": policy.pk, "position": 1, "after_minutes": 15, "weekdays": "[]"}
    refused = admin_client.post(reverse("admin:tasks_escalationstep_add"), step)
    assert "Say who a step tells" in " ".join(form_errors(refused).values())
    answer = admin_client.post(reverse("admin:tasks_escalationstep_add"), {**step, "teams": [team.pk]})
    assert answer.status_code == 302, form_errors(answer)
    assert list(EscalationStep.objects.get(policy=policy).teams.all()) == [team]
    wrong_order = {**step, "position": 2, "after_minutes": 5, "teams": [team.pk]}
    assert (
        "wait at least as long"
        in form_errors(admin_client.post(reverse("admin:tasks_escalationstep_add"), wrong_order))["after_minutes"]
    )
