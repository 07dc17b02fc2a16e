import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from contracts.models import Hold, HoldStatus
from contracts.services import hold_place
from contracts.tasks import holds_expire_sweep
from tasks.schedules import SCHEDULES
from tests.contracts.factories import make_line


def test_the_hold_sweep_is_scheduled():
    [schedule] = [s for s in SCHEDULES if s.task == "contracts.tasks.holds_expire_sweep"]
    assert schedule.every is not None and schedule.every <= timedelta(minutes=15)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_marks_lapsed_holds_expired_on_a_real_worker():
    line = make_line(beds=2)
    lapsed = hold_place(bed_line=line, reference="BRK-2026-5001", start_date=line.activation_date)
    current = hold_place(bed_line=line, reference="BRK-2026-5002", start_date=line.activation_date)
    Hold.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        holds_expire_sweep.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Hold.objects.get(pk=lapsed.pk).status == HoldStatus.HELD:
            time.sleep(0.1)
    assert Hold.objects.get(pk=lapsed.pk).status == HoldStatus.EXPIRED
    assert Hold.objects.get(pk=current.pk).status == HoldStatus.HELD
