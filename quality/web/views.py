"""The quality officers' pages: the schedule of visits by risk, audits from planning to publication (findings on a
tablet-sized form), and a home's quality history beside its CQC ratings with the council's intelligence. Compliance
officers only; every write is a quality.services call whose message is shown on its field."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from core.errors import DomainError
from core.forms import GovukForm
from core.web import RoleRequiredMixin, form_error
from providers.selectors import location_detail_queryset, ratings_of
from quality import services
from quality.capabilities import AUDIT
from quality.models import AuditStatus
from quality.selectors import (
    action_plan_progress,
    audit_detail_queryset,
    audits_list,
    comments_last_day,
    intelligence_list,
    schedule_locations,
    standards_of,
    visit_schedule,
)
from quality.web.forms import AuditDraftForm, AuditPlanForm, AuditStartForm, FindingsForm, IntelligenceForm

# The one step each status offers, and the service that takes it.
STEPS = {
    AuditStatus.PLANNED: ("start", "Start the audit"),
    AuditStatus.IN_PROGRESS: ("draft", "Make the draft report"),
    AuditStatus.DRAFT: ("share", "Share the draft with the provider"),
    AuditStatus.SHARED: ("review", "Take the report to review"),
    AuditStatus.UNDER_REVIEW: ("publish", "Publish the report"),
}


class ScheduleView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/schedule.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        page = Paginator(visit_schedule(on=today), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, entries=page.object_list, today=today, **kwargs)


class AuditListView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/audit_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(audits_list(user=self.request.user), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, audits=page.object_list, **kwargs)


class AuditPlanView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/audit_plan.html"

    def _form(self, data=None):
        initial = (
            {"location": self.request.GET.get("location")} if self.request.GET.get("location", "").isdigit() else {}
        )
        return AuditPlanForm(data, initial=initial, locations=schedule_locations().order_by("name"))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                audit = services.audit_plan(by=request.user, officer=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"Audit of {audit.location.name} planned.")
                return redirect("quality-web:audit", pk=audit.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AuditView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/audit.html"

    def audit(self):
        return get_object_or_404(audit_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, *, audit=None, form=None, **kwargs):
        audit = audit or self.audit()
        step = STEPS.get(audit.status)
        if form is None and step and step[0] == "start":
            form = AuditStartForm(initial={"visited_on": audit.planned_for})
        elif form is None and step and step[0] == "draft":
            form = AuditDraftForm(initial={"summary": audit.summary})
        return super().get_context_data(
            audit=audit,
            step=step,
            form=form,
            findings=list(audit.findings.all()),
            comments=list(audit.comments.all()),
            last_day=comments_last_day(audit=audit),
            progress=action_plan_progress(audit=audit, on=timezone.localdate()),
            plan=getattr(audit, "action_plan", None) if hasattr(audit, "action_plan") else None,
            editable=audit.status in (AuditStatus.IN_PROGRESS, AuditStatus.DRAFT, AuditStatus.UNDER_REVIEW),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        audit = self.audit()
        step = request.POST.get("step")
        form = STEP_FORMS.get(step, GovukForm)(request.POST)
        if form.is_valid():
            try:
                if step not in STEP_SERVICES:
                    raise DomainError("Choose a step.")
                STEP_SERVICES[step](audit=audit, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, DONE[step])
                return redirect("quality-web:audit", pk=audit.pk)
        return self.render_to_response(self.get_context_data(audit=self.audit(), form=form), status=400)


STEP_FORMS = {"start": AuditStartForm, "draft": AuditDraftForm}
STEP_SERVICES = {
    "start": services.audit_start,
    "draft": services.audit_draft,
    "share": services.audit_share,
    "review": services.audit_review,
    "publish": services.audit_publish,
}
DONE = {
    "start": "Audit started: record the findings.",
    "draft": "Draft report made and rated.",
    "share": "Draft shared with the provider: their 14 days to comment have begun.",
    "review": "Report taken to review.",
    "publish": "Report published.",
}


class FindingsView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/findings.html"

    def _form(self, audit, data=None):
        findings = {finding.standard_id: finding for finding in audit.findings.all()}
        return FindingsForm(data, standards=standards_of(framework=audit.framework), findings=findings)

    def get(self, request, *args, **kwargs):
        audit = get_object_or_404(audit_detail_queryset(user=request.user), pk=kwargs["pk"])
        return self.render_to_response(self.get_context_data(audit=audit, form=self._form(audit)))

    def post(self, request, *args, **kwargs):
        audit = get_object_or_404(audit_detail_queryset(user=request.user), pk=kwargs["pk"])
        form = self._form(audit, request.POST)
        if form.is_valid():
            for standard, score, evidence in form.findings():
                try:
                    services.finding_record(
                        audit=audit, standard=standard, score=score, evidence=evidence, by=request.user
                    )
                except DomainError as error:
                    field = f"evidence-{standard.number}" if error.field == "evidence" else None
                    form.add_error(field, error.message)
            if not form.errors:
                messages.success(request, "Findings saved.")
                return redirect(reverse("quality-web:audit", kwargs={"pk": audit.pk}) + "#findings")
        return self.render_to_response(self.get_context_data(audit=audit, form=form), status=400)


class HomeQualityView(RoleRequiredMixin, TemplateView):
    capability = AUDIT
    template_name = "quality/home.html"

    def home(self):
        return get_object_or_404(location_detail_queryset(user=self.request.user), pk=self.kwargs["location_id"])

    def get_context_data(self, *, form=None, **kwargs):
        home = self.home()
        return super().get_context_data(
            home=home,
            audits=list(audits_list(user=self.request.user).filter(location=home)),
            ratings=list(ratings_of(location=home)),
            intelligence=list(intelligence_list(location=home)[:50]),
            form=form or IntelligenceForm(initial={"received_on": timezone.localdate()}),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        home = self.home()
        form = IntelligenceForm(request.POST)
        if form.is_valid():
            try:
                services.intelligence_record(location=home, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['category'].replace('_', ' ').capitalize()} recorded.")
                return redirect(reverse("quality-web:home", kwargs={"location_id": home.pk}) + "#intelligence")
        return self.render_to_response(self.get_context_data(form=form), status=400)
