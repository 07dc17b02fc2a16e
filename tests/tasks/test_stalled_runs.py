"""A rules run whose worker is SIGKILLed resumes within minutes, not after the broker's two-hour visibility
timeout, and never runs beside another run of the same rule."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from tasks.models import Rule, RuleRun, TaskRun
from tasks.services.runs import stalled_runs_resend
from tests.tasks.alert_factories import rule
from tests.tasks.test_broker_outage import ROOT, database_url
from tests.tasks.test_sweep_faults import _one_open_alert_per_risk, _void_estate


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "-P", "solo", "-c", "1"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rules_run_whose_worker_is_killed_is_sent_again_and_completes_once(settings):
    from tasks.tasks import rules_run

    settings.RUN_STALLED_AFTER_SECONDS = 3
    _void_estate(5)
    void = rule("void_level")
    env = {**os.environ, "DATABASE_URL": database_url(), "WORKER_HEARTBEAT_SECONDS": "0.5"}
    app.control.purge()  # the event runs the estate's writes asked for: this test sends its own
    first = worker(env)
    try:
        # Someone holds the rule (as a sweep in progress would): the worker's run starts and waits for it.
        with transaction.atomic():
            Rule.objects.select_for_update().get(pk=void.pk)
            rules_run.delay(codes=["void_level"], trigger="manual")
            wait_until(lambda: _runs_started() == 1, 30, "the worker never started the run")
            stop(first)  # killed mid-run; its message waits in Redis for the visibility timeout
        assert stalled_runs_resend() == 0  # the dead worker's run is not stalled yet: its heartbeat is fresh
        wait_until(lambda: stalled_runs_resend() == 1, 10, "the killed run was not sent again")
        assert not TaskRun.objects.exists()

        second = worker(env)
        try:
            wait_until(lambda: RuleRun.objects.filter(rule=void, error="").exists(), 30, "the run never completed")
        finally:
            stop(second)
    finally:
        stop(first)
    assert RuleRun.objects.filter(rule=void).count() == 1  # the killed run left nothing half done
    assert _one_open_alert_per_risk() == (5, 5)


def _runs_started() -> int:
    # Read outside the test's own transaction, which holds the rule.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks_taskrun")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_run_whose_worker_still_beats_is_not_sent_again(settings):
    settings.RUN_STALLED_AFTER_SECONDS = 120
    now = timezone.now()
    TaskRun.objects.create(
        task_id="alive",
        task="tasks.tasks.rules_run",
        worker="celery@a",
        boot="x",
        started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(seconds=30),
    )
    assert stalled_runs_resend() == 0
    assert TaskRun.objects.filter(task_id="alive").exists()
