"""The CQC sync task on a real Celery worker (in-process, real Redis broker); CQC is mocked at the transport."""

import time

import pytest
import respx
from celery.contrib.testing.worker import start_worker

from config.celery import app
from providers.models import CqcSyncState, Location, SyncRun
from tests.providers.cqc_bodies import BASE, location_body, locations_page, provider_body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_hourly_sync_task_runs_on_a_worker_and_moves_the_cursor(settings):
    from providers.tasks import cqc_sync

    settings.CQC_API_KEY, settings.CQC_API_BASE_URL, settings.CQC_REQUESTS_PER_SECOND = "k", BASE, 0
    settings.CQC_LOCAL_AUTHORITIES = ["Cambridgeshire"]
    with respx.mock:
        respx.get(f"{BASE}/locations").respond(json=locations_page(["1-1000000001"]))
        respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
        respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            cqc_sync.delay()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not SyncRun.objects.filter(status="succeeded").exists():
                time.sleep(0.2)
    assert SyncRun.objects.get().status == "succeeded"
    assert Location.objects.get().cqc_location_id == "1-1000000001"
    assert CqcSyncState.objects.get().cursor is not None
