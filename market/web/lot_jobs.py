"""The jobs done on a lot from its page: a milestone's progress, the lot's status by hand, and a person moved out of
contingency. Commissioners and contract officers, as the API's market writes; each writes through the market
service the API uses, and its messages are shown on the fields."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property

from core.errors import DomainError
from core.web import JobFormView
from market import capabilities as caps
from market.models import Milestone, MilestoneKind
from market.selectors import lot_detail_queryset
from market.selectors.contingency import people_in_contingency
from market.services.contingency import contingency_transfer
from market.services.mobilisation import milestone_report
from market.services.tenders import lot_status_set
from market.web.lot_forms import LotStatusForm, MilestoneReportForm, TransferForm


class LotJobView(JobFormView):
    capability = caps.EDIT_MARKET

    @cached_property
    def lot(self):
        return get_object_or_404(lot_detail_queryset(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(lot=self.lot, **kwargs)


class MilestoneReportView(LotJobView):
    template_name = "market/milestone_report.html"
    form_class = MilestoneReportForm

    @cached_property
    def milestone(self) -> Milestone:
        return get_object_or_404(
            Milestone.objects.select_related("plan__award"),
            pk=self.kwargs["milestone_id"],
            plan__award__lot=self.lot,
            plan__award__ended_on__isnull=True,
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
        return super().get_context_data(milestone=self.milestone, registration=registration, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        if self.milestone.kind == MilestoneKind.CQC_REGISTRATION:
            data.pop("status")  # read from the providers register; the evidence may still be kept
        try:
            milestone_report(milestone=self.milestone, by=self.request.user, **data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{self.milestone.title}: progress saved.")
        return redirect(f"/lots/{self.lot.pk}/#mobilisation")


class LotStatusView(LotJobView):
    template_name = "market/lot_status.html"
    form_class = LotStatusForm

    def form_valid(self, form):
        try:
            lot = lot_status_set(lot=self.lot, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"{lot.code} is now {lot.get_status_display().lower()}.")
        return redirect("lots:lot", pk=lot.pk)


class ContingencyTransferView(LotJobView):
    template_name = "market/contingency_transfer.html"
    form_class = TransferForm

    @cached_property
    def people(self):
        return people_in_contingency(lot=self.lot, on=timezone.localdate())

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": self.people}

    def get_initial(self):
        return {"on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(people=self.people, **kwargs)

    def form_valid(self, form):
        placement = next(item for item in self.people if str(item.pk) == form.cleaned_data["placement"])
        try:
            moved = contingency_transfer(
                lot=self.lot,
                placement=placement,
                to=form.cleaned_data["to"],
                on=form.cleaned_data["on"],
                by=self.request.user,
            )
        except DomainError as error:
            return self.refused(form, error)
        where = moved.provider.name if moved.provider_id else "a direct payment"
        messages.success(self.request, f"{moved.reference} moves to {where} from {moved.start_date:%-d %B %Y}.")
        return redirect(f"/lots/{self.lot.pk}/#contingency")
