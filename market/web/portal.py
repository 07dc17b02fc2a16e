"""The provider portal's mobilisation: the milestones and recruitment of the lots the provider delivers, with
their RAG on the day, as market.selectors.mobilisation works them out for the API and the council's pages; and the
provider's own reports of progress on a milestone and of staff recruited, through the services the API uses
(milestone_report, recruitment_report). Another provider's plan or milestone is a 404."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core.errors import DomainError
from core.forms import GovukDateField, GovukForm
from core.web import JobFormView, RoleRequiredMixin
from market.models import Milestone, MilestoneKind, MobilisationPlan
from market.selectors.mobilisation import plan_progress, plans_delivered_by
from market.services.mobilisation import milestone_report, recruitment_report
from market.web.lot_forms import MilestoneReportForm
from providers.capabilities import PROVIDER_PORTAL


class MobilisationView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL
    template_name = "market/portal/mobilisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        plans = []
        for plan in plans_delivered_by(user=self.request.user):
            progress = plan_progress(plan, on=today)
            milestones = [
                {
                    "milestone": milestone,
                    "rag": progress.milestones[milestone.pk].rag,
                    "status": progress.milestones[milestone.pk].status_label,
                    "reasons": progress.milestones[milestone.pk].reasons,
                }
                for milestone in plan.milestones.all()
            ]
            plans.append(
                {
                    "plan": plan,
                    "progress": progress,
                    "milestones": milestones,
                    "reports": list(plan.recruitment_reports.all())[-5:],
                }
            )
        context.update(plans=plans, today=today)
        return context


class RecruitmentReportForm(GovukForm):
    widths = {"staff_recruited": "govuk-input--width-4"}

    staff_recruited = forms.IntegerField(
        label="Staff recruited to date",
        min_value=0,
        help_text="Everyone recruited for this lot so far, not only since your last report.",
    )
    reported_on = GovukDateField(
        label="Counted on", required=False, subject="The day counted", help_text="Today if left empty."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_recruited"].widget.attrs["inputmode"] = "numeric"
        self.fields["staff_recruited"].error_messages.update(
            {
                "required": "Enter the number of staff recruited to date",
                "invalid": "Staff recruited must be a whole number, like 12",
                "min_value": "Staff recruited cannot be negative",
            }
        )


class PortalJobView(JobFormView):
    capability = PROVIDER_PORTAL


class MilestoneProgressView(PortalJobView):
    """A milestone of the provider's own plan: its status, evidence and the day it was done."""

    template_name = "market/portal/milestone.html"
    form_class = MilestoneReportForm

    @cached_property
    def milestone(self) -> Milestone:
        plans = plans_delivered_by(user=self.request.user)
        return get_object_or_404(
            Milestone.objects.select_related("plan__award__lot"),
            pk=self.kwargs["milestone_id"],
            plan__in=plans.values("pk"),
        )

    def get_initial(self):
        milestone = self.milestone
        return {
            "status": milestone.status,
            "evidence_url": milestone.evidence_url,
            "evidence_note": milestone.evidence_note,
            "completed_on": milestone.completed_on,
        }

    def get_context_data(self, **kwargs):
        registration = self.milestone.kind == MilestoneKind.CQC_REGISTRATION
        return super().get_context_data(
            milestone=self.milestone, lot=self.milestone.plan.award.lot, registration=registration, **kwargs
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        if self.milestone.kind == MilestoneKind.CQC_REGISTRATION:
            data.pop("status")  # read from the providers register; the evidence may still be kept
        try:
            milestone_report(milestone=self.milestone, by=self.request.user, **data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{self.milestone.title}: progress sent to the council.")
        return redirect("market-portal:mobilisation")


class RecruitmentReportView(PortalJobView):
    """Staff recruited to date for one of the provider's own plans."""

    template_name = "market/portal/recruitment.html"
    form_class = RecruitmentReportForm

    @cached_property
    def plan(self) -> MobilisationPlan:
        return get_object_or_404(
            plans_delivered_by(user=self.request.user).select_related("award__lot"), pk=self.kwargs["plan_id"]
        )

    def get_context_data(self, **kwargs):
        plan = self.plan
        progress = plan_progress(plan, on=timezone.localdate())
        return super().get_context_data(plan=plan, lot=plan.award.lot, progress=progress, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report = recruitment_report(
                plan=self.plan,
                staff_recruited=data["staff_recruited"],
                reported_on=data["reported_on"],
                by=self.request.user,
            )
        except DomainError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            f"{report.staff_recruited} staff recruited for lot {self.plan.award.lot.code} sent to the council.",
        )
        return redirect("market-portal:mobilisation")
