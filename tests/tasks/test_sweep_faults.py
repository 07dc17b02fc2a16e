"""Sweeps under faults, on real PostgreSQL, Redis and Celery workers: two sweeps at once, a worker killed in the
middle of a sweep, Redis gone during a sweep, and a burst of changes coalesced into one event run."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from tasks.models import Alert, AlertEvent, Rule, RuleRun, TaskRun
from tasks.services.engine import rule_run, sweep
from tasks.tasks import heartbeat
from tests.contracts.factories import make_line, place
from tests.tasks.alert_factories import rule

ROOT = Path(__file__).resolve().parents[2]


def _void_estate(homes: int) -> None:
    today = timezone.localdate()
    for _ in range(homes):
        make_line(beds=2, activation_date=today - timedelta(days=60))


def _one_open_alert_per_risk() -> tuple[int, int]:
    fingerprints = Counter(Alert.objects.exclude(status="resolved").values_list("fingerprint", flat=True))
    opened = Counter(AlertEvent.objects.filter(kind__in=["opened", "recurred"]).values_list("alert_id", flat=True))
    assert all(count == 1 for count in fingerprints.values()), fingerprints
    assert all(count == 1 for count in opened.values()), opened
    return len(fingerprints), sum(opened.values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_of_a_rule_at_once_give_the_same_alerts_as_one():
    _void_estate(12)
    void = rule("void_level")
    barrier = threading.Barrier(2)
    errors = []

    def sweep_once():
        try:
            barrier.wait(timeout=10)
            rule_run(rule=void)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _one_open_alert_per_risk() == (12, 12)
    assert RuleRun.objects.filter(rule=void, error="").count() == 2


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_five_times_leaves_one_open_alert_per_risk():
    from tasks.tasks import rules_run

    _void_estate(20)
    void = rule("void_level")
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": os.environ["REDIS_URL"]}
    runs = TaskRun.objects.filter(task=rules_run.name)
    for _attempt in range(5):
        seen = set(runs.values_list("pk", flat=True))
        worker = _worker(env)
        try:
            # The test holds the rule's row lock, so the worker's run (the one sent here, or one its estate's
            # changes asked for) records itself and then waits inside its transaction for the lock: it is killed
            # with its run under way, however fast the evaluation would have been.
            with transaction.atomic():
                Rule.objects.select_for_update().get(pk=void.pk)
                rules_run.delay(codes=["void_level"], trigger="manual")
                _wait_for(lambda seen=seen: runs.exclude(pk__in=seen).exists(), 180, "the run never started")
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
    # The killed sweeps' messages wait for the visibility timeout; the next sweep (here, run directly) completes.
    sweep(codes=["void_level"])
    assert _one_open_alert_per_risk() == (20, 20)


def _wait_for(condition, seconds: float, what: str) -> None:
    """Until `condition()` holds, looking every 50 ms; fails with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2).ping()
    except redis.exceptions.ConnectionError:
        return False


def _database_url() -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_placements_in_one_import_triggers_one_run_of_each_rule_that_reads_them():
    _void_estate(3)
    rule("void_level")
    rule("home_in_use_at_risk")
    lines = list(__import__("contracts.models", fromlist=["BedLine"]).BedLine.objects.all())

    def event_runs() -> Counter:
        return Counter(RuleRun.objects.filter(trigger="event").values_list("rule__code", flat=True))

    def wait_for_void_runs(count: int) -> None:
        deadline = time.monotonic() + 30
        while event_runs()["void_level"] < count:
            assert time.monotonic() < deadline, "no event run"
            time.sleep(0.2)
        # And nothing more comes: the worker takes messages in order, one at a time, so once a heartbeat sent now
        # has run, every run asked for before it has run too.
        heartbeat.delay().get(timeout=30)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        wait_for_void_runs(1)  # the contracts the estate was built from asked for runs too
        before = event_runs()
        with transaction.atomic():
            for line in lines:
                place(line, start=timezone.localdate() - timedelta(days=1))
                place(line, start=timezone.localdate() - timedelta(days=1))
        wait_for_void_runs(before["void_level"] + 1)
    runs = event_runs() - before
    assert runs["void_level"] == 1 and runs["home_in_use_at_risk"] == 1, runs


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_completes_when_its_redis_goes_away_mid_run(tmp_path):
    """A worker on its own redis-server (never the shared one): the server is stopped while the sweep runs and
    started again; the sweep, which needs Redis only to be given and to clear its coalescing key, completes."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    server = subprocess.Popen(server_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: _redis_answers(port), 30, "redis-server did not start")
        _void_estate(10)
        rule("void_level")
        env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
        worker = _worker(env)
        try:
            enqueue = "from tasks.tasks import rules_run; rules_run.delay(codes=['void_level'], trigger='manual')"
            subprocess.run(
                [sys.executable, "-c", f"import django; django.setup(); {enqueue}"],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                check=True,
                timeout=60,
            )
            # Redis goes once the worker has taken the sweep (under way, or on a fast machine already written), and
            # comes back once it is gone.
            _wait_for(
                lambda: (
                    TaskRun.objects.filter(task="tasks.tasks.rules_run").exists()
                    or RuleRun.objects.filter(rule__code="void_level").exists()
                ),
                60,
                "the worker never took the sweep",
            )
            server.terminate()
            server.wait(timeout=10)
            assert not _redis_answers(port)
            server = subprocess.Popen(server_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_for(lambda: _redis_answers(port), 30, "redis-server did not start again")
            deadline = time.monotonic() + 60
            while not RuleRun.objects.filter(rule__code="void_level", error="", finished_at__isnull=False).exists():
                assert time.monotonic() < deadline, "the sweep neither completed nor was retried"
                time.sleep(0.3)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    finally:
        server.kill()
        server.wait(timeout=10)
    assert _one_open_alert_per_risk() == (10, 10)
