import pytest
import redis
from django.urls import reverse

from config.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_ok_when_database_cache_and_broker_answer(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_health_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1:1" not in response.content.decode()


@pytest.mark.django_db
def test_a_dead_redis_answers_503_at_once_using_the_probe_timeout(client, settings, monkeypatch):
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
