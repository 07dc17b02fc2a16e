"""Contract officers' pages: the annual uplift (preview each line's old and new rate and where the cap applied,
then apply), a contract's variations (break clause, end date, notice period, with the reason kept in its history)
and a bed line's rate history. Writes go through contracts.services (uplift_apply, contract_update), as the API's
do, and their messages are shown on the fields."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.selectors import provider_scope
from contracts import capabilities as caps
from contracts import selectors, services
from contracts.models import BedLine, Contract
from contracts.web.officer_forms import UpliftForm, VariationForm
from core import present
from core.errors import DomainError
from core.web import JobFormView, RoleRequiredMixin, form_error


class UpliftView(JobFormView):
    """Two steps on one page: "Preview" shows what uplift_preview works out for each line, and "Apply the uplift"
    (sent with the same figures) writes it with uplift_apply, which skips lines already uplifted from that date."""

    capability = caps.EDIT_CONTRACTS
    template_name = "contracts/uplift.html"
    form_class = UpliftForm

    def form_valid(self, form):
        data = form.cleaned_data
        figures = {
            "effective_from": data["effective_from"],
            "nlw_percent": data["nlw_percent"],
            "cpi_percent": data["cpi_percent"],
            "contract": data["contract"],
        }
        try:
            if self.request.POST.get("action") == "apply":
                result = services.uplift_apply(by=self.request.user, **figures)
            else:
                preview = services.uplift_preview(**figures)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        if self.request.POST.get("action") == "apply":
            already = result["already_uplifted"]
            messages.success(
                self.request,
                f"{result['uplifted']} bed line{'s' if result['uplifted'] != 1 else ''} uplifted from "
                f"{present.day(data['effective_from'])}"
                + (f"; {already} already had a rate from that day and were left as they were." if already else "."),
            )
            return redirect("register:uplift")
        return self.render_to_response(
            self.get_context_data(
                form=form,
                preview=preview,
                to_uplift=sum(not row.already_uplifted for row in preview),
                capped=sum(row.capped and not row.already_uplifted for row in preview),
            )
        )


class ContractVaryView(JobFormView):
    capability = caps.EDIT_CONTRACTS
    template_name = "contracts/contract_vary.html"
    form_class = VariationForm

    @cached_property
    def contract(self) -> Contract:
        return get_object_or_404(
            provider_scope(Contract.objects.select_related("provider"), self.request.user), pk=self.kwargs["pk"]
        )

    def get_initial(self):
        contract = self.contract
        return {
            "break_clause_date": contract.break_clause_date,
            "end_date": contract.end_date,
            "notice_period_months": contract.notice_period_months,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(contract=self.contract, **kwargs)

    def form_valid(self, form):
        contract = self.contract
        try:
            services.contract_update(contract=contract, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{contract.reference} is varied: {form.cleaned_data['reason']}")
        return redirect("register:contract", pk=contract.pk)


class BedLineView(RoleRequiredMixin, TemplateView):
    """A bed line's rates over time: each rate, from when, why, and by how much it changed."""

    capability = caps.READ_CONTRACTS
    template_name = "contracts/bed_line.html"

    def get_context_data(self, **kwargs):
        lines = BedLine.objects.select_related("contract", "location__provider")
        line = get_object_or_404(
            provider_scope(lines, self.request.user, provider_field="contract__provider"), pk=kwargs["pk"]
        )
        return super().get_context_data(line=line, rates=selectors.rate_history(bed_line=line), **kwargs)
