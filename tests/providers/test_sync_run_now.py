"""The CQC sync page says when no subscription key is set and what to set; with one, "Run now" queues the hourly
task on the real broker (Redis), and a run already going is not doubled. Administrators only."""

import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from providers.models import SyncRun, SyncStatus
from tests.factories import ProviderMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(*roles: Role) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


@pytest.fixture
def queue():
    """The broker's default queue in the tests' own Redis database, emptied before and after."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    yield lambda: [json.loads(body)["headers"]["task"] for body in broker.lrange("celery", 0, -1)]
    broker.delete("celery")


def test_without_a_key_the_page_says_what_to_set_and_nothing_is_queued(settings, queue):
    settings.CQC_API_KEY = ""
    client = signed_in(Role.ADMINISTRATOR)
    html = client.get("/jobs/cqc-sync/").content.decode()
    assert "No CQC subscription key is set" in html and "<code>CQC_API_KEY</code>" in html
    assert "Run now" not in html
    answer = client.post("/jobs/cqc-sync/run-now/", follow=True).content.decode()
    assert "set CQC_API_KEY in the service&#x27;s environment" in answer
    assert queue() == []


def test_run_now_queues_the_hourly_sync_on_the_broker(settings, queue):
    settings.CQC_API_KEY = "k"
    client = signed_in(Role.ADMINISTRATOR)
    page = client.get("/jobs/cqc-sync/").content.decode()
    assert "Run now" in page and "No CQC subscription key is set" not in page
    answer = client.post("/jobs/cqc-sync/run-now/", follow=True).content.decode()
    assert "A CQC sync is queued" in answer
    assert queue() == ["providers.tasks.cqc_sync"]


def test_run_now_while_a_run_goes_on_queues_nothing(settings, queue):
    settings.CQC_API_KEY = "k"
    SyncRun.objects.create(status=SyncStatus.RUNNING)
    SyncRun.objects.filter(status=SyncStatus.RUNNING).update(started_at=timezone.now() - timedelta(minutes=5))
    answer = signed_in(Role.ADMINISTRATOR).post("/jobs/cqc-sync/run-now/", follow=True).content.decode()
    assert "A sync is running now" in answer
    assert queue() == []


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.BROKER, Role.COMPLIANCE_OFFICER])
def test_only_administrators_may_run_the_sync(settings, queue, role):
    settings.CQC_API_KEY = "k"
    assert signed_in(role).post("/jobs/cqc-sync/run-now/").status_code == 403
    assert queue() == []


def test_provider_users_may_not_run_the_sync(settings, queue):
    settings.CQC_API_KEY = "k"
    client = Client()
    client.force_login(ProviderMembershipFactory().user)
    assert client.post("/jobs/cqc-sync/run-now/").status_code == 403
    assert queue() == []
