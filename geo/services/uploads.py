"""Boundary files uploaded by administrators, imported by a Celery task that reports progress and result."""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.errors import ImportRejected
from geo.caching import cache_delete, cache_set
from geo.models import BoundaryImport, LocalityKind
from geo.selectors import boundary_import_live_key, boundary_import_progress_key
from geo.services.boundaries import boundaries_import

logger = logging.getLogger(__name__)
# What publishing a task raises when the broker cannot be reached (kombu wraps transport errors).
BROKER_OUTAGE = (OperationalError, OSError)
UNSENT_GRACE = timedelta(minutes=2)
# A worker takes a queued import within seconds; one not started this long after it was sent lost its message
# (Redis restarted without its data, the queue was purged) and is sent again.
LOST_AFTER = timedelta(minutes=5)
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
STAGE_SHARE = {"checking": (0, 50), "writing": (50, 100)}


@transaction.atomic
def boundary_import_request(
    *,
    file,
    kind: LocalityKind | str,
    code_field: str,
    name_field: str,
    parent_field: str = "",
    allow_distant_parent: bool = False,
    layer: str = "",
    crs: str = "",
    by=None,
) -> BoundaryImport:
    """Keep the uploaded file and queue its import; the task is sent once this transaction commits."""
    record = BoundaryImport(
        kind=LocalityKind(kind),
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field or "",
        allow_distant_parent=allow_distant_parent,
        layer=layer or "",
        crs=crs or "",
        created_by=by,
    )
    # Each upload in a folder of its own keeps the file's own name: a second E07000008.geojson would otherwise be
    # stored, and shown, as E07000008_ZWBRvjB.geojson (the storage's answer to a name already taken).
    record.file.save(f"{uuid.uuid4().hex}/{Path(file.name).name}", file, save=True)
    transaction.on_commit(lambda: boundary_import_send(boundary_import_id=record.pk))
    return record


def boundary_import_send(*, boundary_import_id: int) -> bool:
    """Hand a saved import to the broker. When the broker cannot be reached the upload is kept, pending, and
    boundary_imports_unsent_send sends it later; the person who uploaded it sees it waiting, not an error."""
    from geo.tasks import boundary_import_task

    try:
        # One quick retry: the person uploading waits for this answer, and the sweep retries later anyway.
        boundary_import_task.apply_async((boundary_import_id,), retry=True, retry_policy=PUBLISH_RETRY)
    except BROKER_OUTAGE as exc:
        logger.warning(
            "Boundary import %s could not be queued (%s); the periodic sweep will send it",
            boundary_import_id,
            type(exc).__name__,
        )
        return False
    # Each send is dated, so an import whose message is lost is sent again LOST_AFTER this one, not every sweep.
    BoundaryImport.objects.filter(pk=boundary_import_id).update(enqueued_at=timezone.now())
    return True


def boundary_imports_unsent_send(*, older_than: timedelta = UNSENT_GRACE, lost_after: timedelta = LOST_AFTER) -> int:
    """Send every import that is waiting for nobody: pending and never sent (saved during a broker outage) and
    older than `older_than` (a newer one may still be on its way from its own request); pending and not started
    `lost_after` its last send (its message was lost); or running for longer than the task time limit (its
    worker died; boundary_import_run takes it over). Running one twice is safe. Returns how many were sent."""
    now = timezone.now()
    pending = BoundaryImport.Status.PENDING
    unsent = BoundaryImport.objects.filter(
        Q(status=pending, enqueued_at__isnull=True, created_at__lte=now - older_than)
        | Q(status=pending, started_at__isnull=True, enqueued_at__lte=now - lost_after)
        | Q(
            status=BoundaryImport.Status.RUNNING,
            started_at__lte=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
            enqueued_at__lte=now - lost_after,
        )
    ).order_by("pk")
    sent = 0
    for pk in unsent.values_list("pk", flat=True):
        if not boundary_import_send(boundary_import_id=pk):
            break  # the broker is still down: the next sweep tries again
        sent += 1
    return sent


def boundary_import_run(*, boundary_import_id: int) -> BoundaryImport:
    """Run a queued import. Safe to run twice: an import that already finished is left as it is, and so is
    one another worker started within the task time limit (after it, that worker is presumed lost)."""
    with transaction.atomic():
        record = BoundaryImport.objects.select_for_update().get(pk=boundary_import_id)
        if record.status in (BoundaryImport.Status.SUCCEEDED, BoundaryImport.Status.REJECTED):
            return record
        running_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if record.status == BoundaryImport.Status.RUNNING and record.started_at and record.started_at > running_since:
            return record
        record.status = BoundaryImport.Status.RUNNING
        record.started_at = timezone.now()
        record.progress = 0
        record.save(update_fields=["status", "started_at", "progress"])
    key, live_key = boundary_import_progress_key(record.pk), boundary_import_live_key(record.pk)

    def progress(stage: str, done: int, total: int) -> None:
        low, high = STAGE_SHARE.get(stage, (0, 100))
        percent = low + (high - low) * done // max(total, 1)
        cache_set(live_key, {"percent": percent, "stage": stage, "done": done, "total": total}, timeout=3600)
        cache_set(key, percent, timeout=3600)  # the percent alone, for pages of an earlier release

    suffix = "".join(Path(record.file.name).suffixes[-2:]) or ".dat"
    try:
        # A local copy, so the import works the same whatever storage holds the upload.
        with tempfile.TemporaryDirectory() as folder:
            local = Path(folder) / f"upload{suffix}"
            with record.file.open("rb") as source, local.open("wb") as target:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(chunk)
            report = boundaries_import(
                path=local,
                kind=record.kind,
                code_field=record.code_field,
                name_field=record.name_field,
                parent_field=record.parent_field or None,
                allow_distant_parent=record.allow_distant_parent,
                layer=record.layer or None,
                crs=record.crs or None,
                source=Path(record.file.name).name,
                progress=progress,
            )
    except ImportRejected as exc:
        record.status = BoundaryImport.Status.REJECTED
        record.report = {"message": exc.message, "problems": exc.problems}
    except Exception as exc:
        logger.exception("Boundary import %s failed", record.pk)
        record.status = BoundaryImport.Status.FAILED
        record.report = {"message": f"The import failed: {exc.__class__.__name__}: {exc}"}
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "report", "finished_at"])
        cache_delete(key)
        cache_delete(live_key)
        raise
    else:
        record.status = BoundaryImport.Status.SUCCEEDED
        record.report = report.as_dict()
        record.progress = 100
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "report", "progress", "finished_at"])
    cache_delete(key)
    cache_delete(live_key)
    return record
