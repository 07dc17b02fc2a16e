"""A real Celery worker against the real Redis broker: a task enqueued inside a transaction runs only if
that transaction commits."""

import time

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import transaction

from config.celery import app


@shared_task(name="tests.record_marker")
def record_marker(marker: str) -> str:
    cache.set(f"test-marker:{marker}", "ran", timeout=300)
    return marker


def wait_for(key: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cache.get(key) is not None:
            return True
        time.sleep(0.1)
    return False


class Rollback(Exception):
    pass


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_after_commit_and_never_after_rollback():
    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        try:
            with transaction.atomic():
                record_marker.delay_on_commit("rolled-back")
                raise Rollback
        except Rollback:
            pass
        with transaction.atomic():
            record_marker.delay_on_commit("committed")
            assert cache.get("test-marker:committed") is None  # not before the commit
        assert wait_for("test-marker:committed"), "the committed task never ran"
        # One worker takes messages in order: once a later task has run, an earlier one would have too.
        record_marker.delay("after")
        assert wait_for("test-marker:after")
    assert cache.get("test-marker:rolled-back") is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_and_records_its_result():
    from django_celery_results.models import TaskResult

    from tasks.tasks import HEARTBEAT_KEY, heartbeat

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = heartbeat.delay()
        assert wait_for(HEARTBEAT_KEY)
        deadline = time.monotonic() + 10
        while not TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists():
            assert time.monotonic() < deadline, "no result was stored"
            time.sleep(0.1)
