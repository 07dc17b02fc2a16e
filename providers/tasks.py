from celery import shared_task
from django.conf import settings

from providers.cqc import CqcUnavailable
from providers.models import SyncStatus
from providers.services.sync import SyncAlreadyRunning, SyncNotConfigured, cqc_sync_run, sync_run_start

CONTINUE_AFTER_SECONDS = 60


@shared_task(bind=True, acks_late=True, max_retries=5)
def cqc_sync(self) -> int | None:
    """Hourly: sync what CQC changed since the last successful run. Without a subscription key it does
    nothing (the service runs without CQC access on a laptop)."""
    if not settings.CQC_API_KEY:
        return None
    run = sync_run_start()
    try:
        run = cqc_sync_run(run=run)
    except (SyncNotConfigured, SyncAlreadyRunning):
        # Both are recorded on the run; retrying would not help (the next hourly run will pick up).
        return run.pk
    except CqcUnavailable as exc:
        # The failed run stays on record; the retry is a new run over the same window (the cursor did not move).
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc
    if run.status == SyncStatus.INCOMPLETE:
        # A first load that ran out of time goes on in a minute rather than at the next hourly run.
        cqc_sync.apply_async(countdown=CONTINUE_AFTER_SECONDS)
    return run.pk
