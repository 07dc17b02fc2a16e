"""What "every alert reaches a person who can act" means, on real workers, the real Redis broker and the real
database: a compliance officer made as the admin makes people, who only ever uses the pages, receives the e-mail of
a critical alert raised by the next sweep; and a worker killed in the middle of an escalation sweep sends no step
twice when the work resumes. (A reversed downgrade resolving within its resolve delay, and a further downgrade
opening a recurrence, is tests/tasks/test_rules.py::test_a_downgrade_reversed_resolves_after_the_resolve_delay_...)"""

import os
import signal
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_upsert
from config.celery import app
from providers.models import Location
from tasks.models import (
    Alert,
    AlertEvent,
    Channel,
    Escalation,
    EscalationStep,
    Notification,
    NotificationItem,
    Subscription,
)
from tasks.services.escalation import escalation_policy_create, escalation_step_save
from tasks.services.rules import rules_sync
from tasks.tasks import escalations_sweep, notifications_send_due, rules_run
from tests.contracts.factories import make_line
from tests.factories import LocationFactory, RatingFactory
from tests.tasks.delivery_factories import RuleFactory
from tests.tasks.test_delivery_worker import Receiver, _worker_process, wait_until

PASSWORD = "a-long-enough-pass-phrase-1"


@pytest.fixture
def fast_delivery(settings):
    settings.ALERT_BATCH_WINDOW_SECONDS = 0
    settings.ALERT_RETRY_SECONDS = 0.2
    settings.ALERT_RETRY_MAX_SECONDS = 1
    settings.ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    app.control.purge()


def _inadequate_home_in_use() -> Location:
    line = make_line(beds=3, activation_date=timezone.localdate() - timedelta(days=30))
    home = line.location
    home.current_rating = RatingFactory(
        location=home, overall="Inadequate", report_date=timezone.localdate() - timedelta(days=10)
    )
    home.save(update_fields=["current_rating"])
    return home


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_officer_made_as_the_admin_does_who_only_uses_the_pages_gets_the_email_of_the_next_critical_alert(
    fast_delivery,
):
    rules_sync()
    officer = user_upsert(
        username="officer",
        roles=[Role.COMPLIANCE_OFFICER],
        email="officer@council.example",
        password=PASSWORD,
        first_name="Asha",
        last_name="Patel",
    )
    subscriptions = Subscription.objects.filter(user=officer).count()
    assert subscriptions >= 1  # made with the role, before the officer ever signs in

    browser = Client()
    signed_in = browser.post("/sign-in/", {"username": "officer", "password": PASSWORD})
    assert signed_in.status_code == 302
    for page in ("/alerts/", "/alerts/settings/"):
        assert browser.get(page).status_code == 200
    assert Subscription.objects.filter(user=officer).count() == subscriptions  # nothing is written on a read

    home = _inadequate_home_in_use()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        rules_run.delay(codes=["home_in_use_at_risk"], trigger="schedule").get(timeout=60)
        wait_until(
            lambda: any("officer@council.example" in message.to for message in mail.outbox),
            60,
            "the officer never received the alert's e-mail",
            poke=notifications_send_due.delay,
        )
    alert = Alert.objects.get(rule__code="home_in_use_at_risk", location=home)
    assert alert.severity == "critical"
    (message,) = [message for message in mail.outbox if "officer@council.example" in message.to]
    assert alert.title in message.body and "critical" in message.body.lower()
    assert f"/alerts/{alert.pk}/" in message.body and "/api/" not in message.body
    # The officer sees on their settings page that it was sent.
    page = browser.get("/alerts/settings/").content.decode()
    assert "Sent" in page and message.subject[:40] in page.replace("&#x27;", "'").replace("&amp;", "&")


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_an_escalation_sweep_sends_no_step_twice(fast_delivery, tmp_path):
    receiver = Receiver(lambda n: 200)
    worker = None
    try:
        admin = user_upsert(username="admin", roles=[Role.ADMINISTRATOR], email="admin@council.example")
        duty = user_upsert(username="duty", roles=[Role.COMPLIANCE_OFFICER], email="")
        webhook = Channel.objects.create(user=duty, kind="webhook", url=receiver.url, secret="s" * 40)
        policy = escalation_policy_create(by=admin, name="Critical alerts", severities=["critical"])
        escalation_step_save(by=admin, policy=policy, position=1, after_minutes=15, channels=[webhook])
        escalation_step_save(by=admin, policy=policy, position=2, after_minutes=60, channels=[webhook])
        rule = RuleFactory(code="home_in_use_at_risk")
        home = LocationFactory()
        opened = timezone.now() - timedelta(hours=2)
        alerts = Alert.objects.bulk_create(
            Alert(
                rule=rule,
                severity="critical",
                subject_kind="location",
                subject_id=home.pk,
                location=home,
                fingerprint=f"home_in_use_at_risk:location:{number}",
                title=f"Home {number} is rated Inadequate with live block beds",
                first_seen=opened,
                last_seen=opened,
            )
            for number in range(1000)
        )
        Alert.objects.update(created_at=opened)
        steps = EscalationStep.objects.count()
        pairs = len(alerts) * steps  # 2,000 (alert, step) pairs: four batches of the sweep

        worker = _worker_process(tmp_path)
        escalations_sweep.delay()
        wait_until(lambda: Escalation.objects.exists(), 120, "the worker never started escalating")
        os.killpg(worker.pid, signal.SIGKILL)  # between batches, or in the middle of one
        worker.wait(timeout=10)
        written = Escalation.objects.count()
        assert 0 < written < pairs, f"the kill came after the sweep ({written} of {pairs})"

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            assert escalations_sweep.delay().get(timeout=300) == pairs - written
            assert escalations_sweep.apply().get() == 0  # and again: nothing more
        # Each step once per alert (the constraint), each with one event, each event in one message to the channel.
        assert Escalation.objects.count() == pairs
        assert AlertEvent.objects.filter(kind="escalated").count() == pairs
        assert NotificationItem.objects.filter(channel=webhook).count() == pairs
        assert len(set(NotificationItem.objects.values_list("event_id", flat=True))) == pairs
        # The messages' keys are one per message: a repeat of a send (after a kill) goes under the same key.
        keys = list(Notification.objects.filter(channel=webhook).values_list("idempotency_key", flat=True))
        assert len(keys) == len(set(keys))
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        receiver.close()
        connection.close()
