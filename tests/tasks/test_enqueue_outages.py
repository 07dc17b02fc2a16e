"""Work queued after a write commits (alert rule runs, notification fan-outs) while the broker or the cache is
down: the write answers as it succeeded, the work is kept, and the sweep sends it once the broker is back."""

import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.roles import Role
from config.celery import app as celery_app
from contracts.models import VacancyReport
from tasks.models import AlertStatus, PendingEnqueue, RuleRun
from tasks.services.enqueue import pending_enqueues_send
from tests.factories import LocationFactory
from tests.tasks.alert_factories import rule
from tests.tasks.test_alerts_api import URL, make_alert

HEADER = "location,date,care_type,vacant_beds,accepting_admissions\n"
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_PORT)
    # Connections and producers are pooled: start new ones, towards the closed port.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    return monkeypatch


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def report(api, home):
    return api.post(
        "/api/v1/vacancy-reports/",
        {"location": home.pk, "report_date": str(timezone.localdate()), "care_type": "nursing", "vacant_beds": 2},
        format="json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("down", ["broker", "cache", "both"])
def test_a_vacancy_report_is_stored_and_answered_201_while_the_broker_or_cache_is_down(
    api, request, down, django_capture_on_commit_callbacks
):
    if down in ("broker", "both"):
        request.getfixturevalue("broker_down")
    if down in ("cache", "both"):
        request.getfixturevalue("cache_down")
    home = LocationFactory(registered_beds=20)
    api.as_role(Role.CONTRACT_OFFICER)

    with django_capture_on_commit_callbacks(execute=True):
        first = report(api, home)
        second = api.post(
            "/api/v1/vacancy-reports/upload/",
            {"file": io.BytesIO(f"{HEADER}{home.cqc_location_id},{timezone.localdate()},residential,1,yes\n".encode())},
            format="multipart",
        )

    assert first.status_code == 201, first.content
    assert second.status_code in (200, 201), second.content
    assert VacancyReport.objects.filter(location=home).count() == 2
    if down != "cache":
        assert PendingEnqueue.objects.filter(task="tasks.tasks.rules_run").exists()


@pytest.mark.django_db
def test_an_acknowledgement_is_answered_200_while_the_broker_is_down_and_its_fan_out_is_kept(
    api, broker_down, django_capture_on_commit_callbacks
):
    alert = make_alert()
    api.as_role(Role.COMPLIANCE_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}{alert.pk}/acknowledge/", {"note": "Looking"}, format="json")
    assert response.status_code == 200, response.content
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert PendingEnqueue.objects.filter(task="tasks.tasks.notifications_fan_out").count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_work_kept_during_a_broker_outage_is_sent_by_the_sweep_when_the_broker_is_back_and_runs(api, broker_down):
    rule("vacancy_reports_stale")
    home = LocationFactory(registered_beds=20)
    api.as_role(Role.CONTRACT_OFFICER)
    assert report(api, home).status_code == 201
    assert pending_enqueues_send() == 0  # still down: kept for the next sweep
    assert PendingEnqueue.objects.filter(task="tasks.tasks.rules_run").exists()

    broker_down.undo()  # the broker is back
    assert pending_enqueues_send() >= 1
    assert not PendingEnqueue.objects.exists()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 30
        while not RuleRun.objects.filter(trigger="event").exists():
            assert time.monotonic() < deadline, "the kept rule run never ran"
            time.sleep(0.2)
