"""The boundary upload on a real Celery worker against the real Redis broker."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import app
from geo.models import BoundaryImport, Locality
from geo.services import boundary_import_request
from geo.services.uploads import boundary_imports_unsent_send


def wait_until_finished(record: BoundaryImport, seconds: float = 30) -> BoundaryImport:
    deadline = time.monotonic() + seconds
    while BoundaryImport.objects.get(pk=record.pk).status in ("pending", "running"):
        assert time.monotonic() < deadline, "the worker never finished the import"
        time.sleep(0.1)
    record.refresh_from_db()
    return record


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_boundary_file_is_imported_by_a_worker_after_commit(two_wards_geojson):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record = boundary_import_request(
            file=SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes()),
            kind="ward",
            code_field="WD13CD",
            name_field="WD13NM",
        )
        deadline = time.monotonic() + 30
        while BoundaryImport.objects.get(pk=record.pk).status in ("pending", "running"):
            assert time.monotonic() < deadline, "the worker never finished the import"
            time.sleep(0.1)
    record.refresh_from_db()
    assert record.status == "succeeded"
    assert record.progress == 100
    assert record.report["created"] == 2
    assert set(Locality.objects.filter(kind="ward").values_list("code", flat=True)) == {"E05000001", "E05000002"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_message_was_lost_after_it_was_sent_is_sent_again_and_imported(two_wards_geojson):
    # Sent ten minutes ago and never started: the message was lost (Redis restarted without its data).
    record = BoundaryImport.objects.create(
        file=SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes()),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        enqueued_at=timezone.now() - timedelta(minutes=10),
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert boundary_imports_unsent_send() == 1
        assert wait_until_finished(record).status == "succeeded"
    assert boundary_imports_unsent_send() == 0  # nothing is sent twice
    assert set(Locality.objects.filter(kind="ward").values_list("code", flat=True)) == {"E05000001", "E05000002"}


@pytest.mark.django_db
def test_an_import_sent_moments_ago_and_not_yet_started_is_left_to_its_own_message(two_wards_geojson):
    BoundaryImport.objects.create(
        file=SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes()),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        enqueued_at=timezone.now() - timedelta(minutes=1),
    )
    assert boundary_imports_unsent_send() == 0
