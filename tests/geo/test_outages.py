"""Redis down: the map is served without its cache, and boundary uploads wait for the broker instead of failing."""

import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from config.celery import app as celery_app
from geo import tasks as geo_tasks
from geo.models import BoundaryImport
from geo.services.uploads import boundary_imports_unsent_send
from tests.factories import LocalityFactory, square

pytestmark = pytest.mark.django_db
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_PORT)  # broker_write_url follows it
    # Connections and producers are pooled: start new ones, towards the closed port.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def test_the_map_is_served_uncached_while_the_cache_is_down(api, cache_down, caplog):
    LocalityFactory(code="E07000009", name="East Cambridgeshire", boundary=square(0.1, 52.3, 0.3))
    api.as_role(Role.COMMISSIONER)

    with caplog.at_level(logging.WARNING, logger="geo.caching"):
        first = api.get("/api/v1/geo/localities/", {"kind": "district"})
        second = api.get("/api/v1/geo/localities/E07000009/")

    assert first.status_code == 200
    assert [feature["id"] for feature in first.json()["features"]] == ["E07000009"]
    assert first.json()["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert second.status_code == 200
    warnings = [record.getMessage() for record in caplog.records if record.name == "geo.caching"]
    assert warnings and all("serving without the cache" in message for message in warnings)
    assert not [message for message in warnings if "127.0.0.1" in message]


def _upload(api, path):
    return api.post(
        "/api/v1/geo/boundary-imports/",
        {
            "file": SimpleUploadedFile("wards.geojson", path.read_bytes()),
            "kind": "ward",
            "code_field": "WD13CD",
            "name_field": "WD13NM",
        },
        format="multipart",
    )


def test_an_upload_during_a_broker_outage_is_kept_and_sent_by_the_sweep(
    api, two_wards_geojson, broker_down, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    api.as_role(Role.ADMINISTRATOR)

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = _upload(api, two_wards_geojson)

    assert response.status_code == 202
    record = BoundaryImport.objects.get(pk=response.json()["id"])
    assert (record.status, record.enqueued_at) == ("pending", None)
    assert any("could not be queued" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if "127.0.0.1:1" in r.getMessage()]

    # The broker is back: the periodic sweep sends what was never sent, once.
    sent = []
    monkeypatch.setattr(geo_tasks.boundary_import_task, "apply_async", lambda args, **options: sent.append(args[0]))
    assert boundary_imports_unsent_send(older_than=timedelta(0)) == 1
    assert boundary_imports_unsent_send(older_than=timedelta(0)) == 0
    assert sent == [record.pk]
    record.refresh_from_db()
    assert record.enqueued_at is not None


def test_the_sweep_leaves_recent_uploads_to_their_own_request_and_stops_while_the_broker_is_down(
    two_wards_geojson, broker_down
):
    recent = BoundaryImport.objects.create(
        file=SimpleUploadedFile("w.geojson", two_wards_geojson.read_bytes()),
        kind="ward",
        code_field="C",
        name_field="N",
    )
    assert boundary_imports_unsent_send() == 0  # created just now: its request may still be sending it
    assert boundary_imports_unsent_send(older_than=timedelta(0)) == 0  # the broker is still down
    recent.refresh_from_db()
    assert recent.enqueued_at is None


def test_the_sweep_is_one_of_the_periodic_jobs():
    from tasks.schedules import SCHEDULES

    assert "geo.tasks.boundary_imports_unsent_sweep" in {schedule.task for schedule in SCHEDULES}
    assert geo_tasks.boundary_imports_unsent_sweep.name == "geo.tasks.boundary_imports_unsent_sweep"


def test_an_import_sent_twice_is_not_run_again_while_its_first_run_is_under_way(two_wards_geojson):
    from django.utils import timezone

    from geo.services import boundary_import_run

    record = BoundaryImport.objects.create(
        file=SimpleUploadedFile("w.geojson", two_wards_geojson.read_bytes()),
        kind="ward",
        code_field="WD13CD",
        name_field="WD13NM",
        status=BoundaryImport.Status.RUNNING,
        started_at=timezone.now() - timedelta(minutes=1),
    )
    assert boundary_import_run(boundary_import_id=record.pk).status == "running"  # left to the first worker

    BoundaryImport.objects.filter(pk=record.pk).update(started_at=timezone.now() - timedelta(hours=2))
    assert boundary_import_run(boundary_import_id=record.pk).status == "succeeded"  # that worker was lost
