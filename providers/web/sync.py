"""CQC sync runs for administrators, who keep the sync's settings and read its runs in the admin: the recent runs
and one run's progress, counts and the records it could not store, each with its field and CQC's message."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from core.errors import DomainError
from core.web import RoleRequiredMixin, auto_refresh, paginate
from providers.capabilities import RUN_CQC_SYNC
from providers.models import SyncStatus
from providers.selectors import sync_run_progress, sync_runs_recent
from providers.services.sync import KEY_SETTING, sync_run_queue

STATUS_COLOURS = {
    SyncStatus.RUNNING: "blue",
    SyncStatus.SUCCEEDED: "green",
    SyncStatus.INCOMPLETE: "yellow",
    SyncStatus.FAILED: "red",
}
COUNTS = [
    ("fetched", "Locations read from CQC"),
    ("created", "Providers and locations added"),
    ("updated", "Providers and locations updated"),
    ("unchanged", "Unchanged"),
    ("out_of_scope", "Outside the areas tracked"),
    ("failed", "Records that could not be stored"),
    ("rating_changes", "Rating changes"),
]
KINDS = {"location": "Location", "provider": "Provider"}


class SyncRunListView(RoleRequiredMixin, TemplateView):
    capability = RUN_CQC_SYNC
    template_name = "providers/sync/runs.html"

    def get_context_data(self, **kwargs):
        page = paginate(self.request, sync_runs_recent())
        for run in page:
            run.colour = STATUS_COLOURS.get(run.status, "grey")
            run.progress = sync_run_progress(run)
        unfinished = any(run.status == SyncStatus.RUNNING for run in page)
        return super().get_context_data(
            page=page,
            key_set=bool(settings.CQC_API_KEY),
            key_setting=KEY_SETTING,
            **auto_refresh(self.request, unfinished=unfinished),
            **kwargs,
        )


class SyncRunQueueView(RoleRequiredMixin, View):
    """The "Run now" button (POST): the hourly task, queued out of turn by sync_run_queue."""

    capability = RUN_CQC_SYNC
    http_method_names = ["post"]

    def post(self, request):
        try:
            sync_run_queue()
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "A CQC sync is queued; it shows below once the worker starts it.")
        return redirect("providers-sync:runs")


class SyncRunView(RoleRequiredMixin, TemplateView):
    capability = RUN_CQC_SYNC
    template_name = "providers/sync/run.html"

    def get_context_data(self, **kwargs):
        run = get_object_or_404(sync_runs_recent(), pk=kwargs["pk"])
        progress = sync_run_progress(run)
        counts = [(label, getattr(run, name)) for name, label in COUNTS]
        counts[0] = (COUNTS[0][1], progress.fetched)  # live while the run goes on
        errors = [
            {
                "kind": KINDS.get(error.get("kind"), ""),
                "id": error.get("id", ""),
                "field": error.get("field") or "",
                "message": error.get("message", ""),
            }
            for error in run.errors
        ]
        return super().get_context_data(
            run=run,
            colour=STATUS_COLOURS.get(run.status, "grey"),
            progress=progress,
            counts=counts,
            record_errors=[error for error in errors if error["id"]],
            run_errors=[error for error in errors if not error["id"]],
            **auto_refresh(self.request, unfinished=progress.running),
            **kwargs,
        )
