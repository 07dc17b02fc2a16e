"""The boundary upload on a real Celery worker against the real Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app
from geo.models import BoundaryImport, Locality
from geo.services import boundary_import_request


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
