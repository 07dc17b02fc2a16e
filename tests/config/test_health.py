import time
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from tasks.models import Heartbeat, ProcessKind
from tasks.services.heartbeats import heartbeat_record

ALIVE = {"worker": "ok", "beat": "ok"}


@pytest.fixture
def alive(db):
    """A worker and beat that recorded their heartbeats just now."""
    heartbeat_record(kind=ProcessKind.WORKER, name="celery@worker-1")
    heartbeat_record(kind=ProcessKind.BEAT, name="beat@scheduler")


@pytest.mark.django_db
def test_health_is_ok_when_database_cache_and_broker_answer_and_a_worker_and_beat_are_alive(client, alive):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", **ALIVE}
    assert body["heartbeats"]["worker"]["name"] == "celery@worker-1"
    assert 0 <= body["heartbeats"]["worker"]["age_seconds"] < 5


@pytest.mark.django_db
def test_health_is_503_naming_the_worker_when_no_worker_ever_ran(client):
    heartbeat_record(kind=ProcessKind.BEAT, name="beat@scheduler")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["heartbeats"]["worker"] is None


@pytest.mark.django_db
def test_health_is_503_naming_the_worker_and_its_age_when_its_heartbeat_is_older_than_the_setting(
    client, alive, settings
):
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 60
    Heartbeat.objects.filter(kind=ProcessKind.WORKER).update(seen_at=timezone.now() - timedelta(seconds=95))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert "celery@worker-1" in body["checks"]["worker"]
    assert body["heartbeats"]["worker"]["age_seconds"] >= 95


@pytest.mark.django_db
def test_health_is_503_naming_beat_when_beat_stopped_recording(client, alive, settings):
    Heartbeat.objects.filter(kind=ProcessKind.BEAT).update(seen_at=timezone.now() - timedelta(minutes=10))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def _health_until(client, status: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(reverse("health"))
        if response.status_code == status:
            return response.json()
        assert time.monotonic() < deadline, response.json()
        time.sleep(0.2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_health_ok_and_its_end_makes_it_503_naming_it(client, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.5
    settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS = 3
    heartbeat_record(kind=ProcessKind.BEAT, name="beat@scheduler")
    assert client.get(reverse("health")).json()["failing"] == ["worker"]
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        body = _health_until(client, 200, 30)
        assert body["heartbeats"]["worker"]["name"] == worker.hostname
        heartbeat_record(kind=ProcessKind.BEAT, name="beat@scheduler")
    body = _health_until(client, 503, 10)
    assert body["failing"] == ["worker"]


@pytest.mark.django_db
def test_health_names_the_broker_when_it_is_down(client, monkeypatch, alive):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1:1" not in response.content.decode()


@pytest.mark.django_db
def test_a_dead_redis_answers_503_at_once_using_the_probe_timeout(client, settings, monkeypatch, alive):
    settings.HEALTH_PROBE_TIMEOUT_SECONDS = 0.2
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    attempts = []
    connect = redis.connection.Connection._connect

    def recorded(self):
        attempts.append((self.port, self.socket_connect_timeout, self.socket_timeout))
        return connect(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", recorded)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["failing"] == ["cache", "broker"]
    assert attempts, "the probes did not reach the transport"
    assert set(attempts) == {(1, 0.2, 0.2)}  # every attempt waited at most the probe timeout
    assert len(attempts) <= 4  # and was not retried with back-off
