"""A real worker under a real Redis that goes away for 30 seconds and comes back: the worker reconnects and runs
what is sent afterwards. The Redis here is the test's own, on a free port, so the shared one is never stopped."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django_celery_results.models import TaskResult

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
OUTAGE_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database, for a worker in another process."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class PrivateRedis:
    """A redis-server of the test's own that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        # Redis keeps the real clock: libfaketime, which make test's SQLite run preloads to move the suite's clock,
        # stops redis-server from starting at all.
        real_clock = {name: value for name, value in os.environ.items() if name not in ("LD_PRELOAD", "FAKETIME")}
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def send(task, redis_url: str, **options) -> str:
    with app.connection_for_write(redis_url) as broker:
        return task.apply_async(connection=broker, **options).id


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_survives_a_30_second_redis_outage_and_runs_what_is_sent_after_it():
    from tasks.tasks import heartbeat

    broker = PrivateRedis()
    broker.start()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": broker.url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "-P", "solo", "-c", "1"]
        + ["--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        before = send(heartbeat, broker.url)
        wait_until(lambda: TaskResult.objects.filter(task_id=before, status="SUCCESS").exists(), 30, "no worker")
        # A task the worker holds unacknowledged when Redis goes, as a retry waiting for its countdown is.
        send(heartbeat, broker.url, countdown=3600)
        queue = redis.Redis(port=broker.port)
        wait_until(lambda: queue.llen("celery") == 0, 10, "the worker did not take the message")

        broker.stop()
        outage_ends = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < outage_ends:
            assert worker.poll() is None, "the worker stopped while Redis was away"
            time.sleep(0.5)
        broker.start()

        after = send(heartbeat, broker.url)
        wait_until(
            lambda: TaskResult.objects.filter(task_id=after, status="SUCCESS").exists(),
            25,
            "the worker did not run a task sent after Redis came back",
        )
        assert worker.poll() is None
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        broker.stop()
