"""Delivery on real workers, the real Redis broker and the real database, to a real HTTP receiver on 127.0.0.1:
a receiver that fails, then times out, then works, hears the notification until it takes it, and once only; a
worker killed in the middle of a send loses nothing and repeats only the send it was making, under the same
Idempotency-Key."""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from accounts.roles import Role
from config.celery import app
from tasks.models import DeliveryAttempt, Notification, NotificationStatus
from tasks.services.delivery.signing import webhook_verify
from tasks.services.delivery.subscriptions import channel_create
from tasks.tasks import notifications_fan_out, notifications_send_due
from tests.factories import UserFactory
from tests.tasks.delivery_factories import AlertFactory, event_for, subscribe

ROOT = Path(__file__).resolve().parents[2]


class Receiver:
    """A webhook receiver on a free port. `behaviour(n)` says what to do with the n-th request (from 1): an HTTP
    status to answer, or ("hang", seconds) to say nothing for that long. Every request is kept."""

    def __init__(self, behaviour):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    number = len(receiver.requests)
                action = behaviour(number)
                if isinstance(action, tuple):
                    time.sleep(action[1])
                    action = 200
                try:
                    self.send_response(action)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self) -> list[str]:
        with self.lock:
            return [request["headers"]["Idempotency-Key"] for request in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_until(condition, seconds: float, what: str, *, poke=None):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        if poke:
            poke()
        time.sleep(0.3)


@pytest.fixture
def fast_delivery(settings):
    settings.ALERT_BATCH_WINDOW_SECONDS = 0
    settings.ALERT_RETRY_SECONDS = 0.2
    settings.ALERT_RETRY_MAX_SECONDS = 1
    settings.ALERT_WEBHOOK_TIMEOUT_SECONDS = 1
    settings.ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    app.control.purge()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_then_times_out_then_works_is_retried_and_gets_it_once(fast_delivery):
    receiver = Receiver(lambda n: {1: 500, 2: ("hang", 3)}.get(n, 200))
    try:
        user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
        channel = channel_create(kind="webhook", user=user, url=receiver.url, by=user)
        subscribe(user, channel)
        event_for(AlertFactory(title="Inadequate: Fen View"))
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            notifications_fan_out.delay()
            wait_until(
                lambda: Notification.objects.filter(status=NotificationStatus.SENT).exists(),
                60,
                "the notification was never delivered",
                poke=notifications_send_due.delay,
            )
        notification = Notification.objects.get()
        attempts = list(DeliveryAttempt.objects.filter(notification=notification).order_by("number"))
        assert [(a.succeeded, a.status_code) for a in attempts] == [(False, 500), (False, None), (True, 200)]
        assert "did not answer within 1 s" in attempts[1].error
        assert receiver.keys() == [notification.idempotency_key] * 3
        assert all(
            webhook_verify(secret=channel.secret, headers=request["headers"], body=request["body"])
            for request in receiver.requests
        )
        time.sleep(1)  # a late sweep sends nothing more
        assert len(receiver.requests) == 3
    finally:
        receiver.close()


def _worker_process(tmp_path) -> subprocess.Popen:
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    else:
        url = f"sqlite:///{database['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ALERT_BATCH_WINDOW_SECONDS": "0",
        "ALERT_RETRY_SECONDS": "0.2",
        "ALERT_WEBHOOK_TIMEOUT_SECONDS": "60",
        "ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_no_notification_and_repeats_only_the_one_in_flight(fast_delivery, tmp_path):
    receiver = Receiver(lambda n: ("hang", 60) if n == 1 else 200)
    worker = None
    try:
        channels = []
        for _ in range(4):
            user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
            channels.append(channel_create(kind="webhook", user=user, url=receiver.url, by=user))
            subscribe(user, channels[-1])
        event_for(AlertFactory(title="Provider failure: Fenland Care Ltd"))
        worker = _worker_process(tmp_path)
        notifications_fan_out.delay()
        wait_until(lambda: len(receiver.requests) >= 1, 90, "the worker never started sending")
        os.killpg(worker.pid, signal.SIGKILL)  # in the middle of the first send, its transaction open
        worker.wait(timeout=10)
        in_flight = receiver.keys()[0]
        assert not Notification.objects.filter(status=NotificationStatus.SENT).exists()

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            wait_until(
                lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == 4,
                90,
                "not every notification was delivered after the worker was killed",
                poke=notifications_send_due.delay,
            )
        notifications = {n.idempotency_key: n for n in Notification.objects.all()}
        assert len(notifications) == 4
        received = receiver.keys()
        assert set(received) == set(notifications)  # none lost
        assert sorted(received.count(key) for key in notifications) == [1, 1, 1, 2]  # only the one in flight again
        assert received.count(in_flight) == 2
        # Each was recorded as sent once, with one successful attempt; the killed attempt left no record.
        assert all(n.attempts == 1 for n in notifications.values())
        assert DeliveryAttempt.objects.filter(succeeded=True).count() == 4
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        receiver.close()
