"""CQC sync runs for administrators, who keep the sync's settings and read its runs in the admin: the recent runs
and one run's progress, counts and the records it could not store, each with its field and CQC's message."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from accounts.roles import Role
from config.web import RoleRequiredMixin, auto_refresh, paginate
from providers.models import SyncStatus
from providers.selectors import sync_run_progress, sync_runs_recent

JOB_ROLES = {Role.ADMINISTRATOR}
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
    roles = JOB_ROLES
    template_name = "providers/sync/runs.html"

    def get_context_data(self, **kwargs):
        page = paginate(self.request, sync_runs_recent())
        for run in page:
            run.colour = STATUS_COLOURS.get(run.status, "grey")
            run.progress = sync_run_progress(run)
        unfinished = any(run.status == SyncStatus.RUNNING for run in page)
        return super().get_context_data(page=page, **auto_refresh(self.request, unfinished=unfinished), **kwargs)


class SyncRunView(RoleRequiredMixin, TemplateView):
    roles = JOB_ROLES
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
