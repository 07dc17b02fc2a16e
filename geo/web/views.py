"""Boundary uploads for administrators, as the API allows them (geo.api.views.BoundaryImportListView): the recent
uploads, one upload's progress and outcome with the rows it rejected, and the upload form, through the same
service as the API (geo.services.uploads.boundary_import_request)."""

from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from core.errors import DomainError
from core.web import RoleRequiredMixin, auto_refresh, form_error, paginate
from geo.capabilities import MANAGE_BOUNDARIES
from geo.models import BoundaryImport
from geo.selectors import boundary_import_live, boundary_imports_recent
from geo.services.uploads import boundary_import_request
from geo.web.forms import BoundaryUploadForm

STATUS_COLOURS = {
    BoundaryImport.Status.PENDING: "grey",
    BoundaryImport.Status.RUNNING: "blue",
    BoundaryImport.Status.SUCCEEDED: "green",
    BoundaryImport.Status.REJECTED: "orange",
    BoundaryImport.Status.FAILED: "red",
}
UNFINISHED = (BoundaryImport.Status.PENDING, BoundaryImport.Status.RUNNING)
STAGES = {"checking": "Checking the file's rows", "writing": "Writing the localities"}
COUNTS = [
    ("features", "Features in the file"),
    ("created", "Localities created"),
    ("updated", "Localities updated"),
    ("unchanged", "Localities unchanged"),
    ("repaired", "Boundaries repaired"),
    ("parents_by_containment", "Parents found by where they lie"),
    ("without_parent", "Without a parent"),
]


class BoundaryImportListView(RoleRequiredMixin, TemplateView):
    capability = MANAGE_BOUNDARIES
    template_name = "geo/boundary_imports.html"

    def get_context_data(self, **kwargs):
        page = paginate(self.request, boundary_imports_recent())
        for record in page:
            record.colour = STATUS_COLOURS[record.status]
            record.live = boundary_import_live(record)
        unfinished = any(record.status in UNFINISHED for record in page)
        return super().get_context_data(page=page, **auto_refresh(self.request, unfinished=unfinished), **kwargs)


class BoundaryImportView(RoleRequiredMixin, TemplateView):
    capability = MANAGE_BOUNDARIES
    template_name = "geo/boundary_import.html"

    def get_context_data(self, **kwargs):
        record = get_object_or_404(boundary_imports_recent(), pk=kwargs["pk"])
        report = record.report or {}
        unfinished = record.status in UNFINISHED
        live = boundary_import_live(record)
        return super().get_context_data(
            record=record,
            file_name=record.file_name,
            colour=STATUS_COLOURS[record.status],
            live=live,
            stage=STAGES.get(live.stage, ""),
            **auto_refresh(self.request, unfinished=unfinished),
            counts=[(label, report[key]) for key, label in COUNTS if key in report],
            message=report.get("message", ""),
            problems=report.get("problems", []),
            distant_parents=report.get("distant_parents", []),
            notes=report.get("notes", []),
            **kwargs,
        )


class BoundaryUploadView(RoleRequiredMixin, TemplateView):
    capability = MANAGE_BOUNDARIES
    template_name = "geo/boundary_upload.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", BoundaryUploadForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = BoundaryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                record = boundary_import_request(**form.cleaned_data, by=request.user)
            except DomainError as error:
                form_error(form, error)
            else:
                return redirect("geo-web:boundary-import", pk=record.pk)
        return self.render_to_response(self.get_context_data(form=form))
