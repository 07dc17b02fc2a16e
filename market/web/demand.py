"""Demand for commissioners and contract officers: the needs recorded by district or ward and care type, one need
entered by hand, and a CSV file of forecasts imported whole or not at all, through the services the API uses
(demand_create, demand_import), their messages on the fields."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import TemplateView

from core.errors import DomainError, ImportRejected
from core.web import JobFormView, RoleRequiredMixin, form_error, paginate
from market import capabilities as caps
from market.models import Demand
from market.services.demand import demand_create, demand_import
from market.web.demand_forms import DemandForm, DemandImportForm


class DemandListView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_PLANS
    template_name = "market/demand_list.html"

    def get_context_data(self, **kwargs):
        needs = Demand.objects.select_related("locality").order_by("-period_start", "locality__name", "care_type")
        return super().get_context_data(
            page=paginate(self.request, needs), may_edit=caps.EDIT_MARKET.allows(self.request.user), **kwargs
        )


class DemandCreateView(JobFormView):
    capability = caps.EDIT_MARKET
    template_name = "market/demand_new.html"
    form_class = DemandForm

    def form_valid(self, form):
        try:
            demand = demand_create(by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{demand.get_care_type_display()} need in {demand.locality.name} is recorded.")
        return redirect("demand:list")


class DemandImportView(JobFormView):
    capability = caps.EDIT_MARKET
    template_name = "market/demand_import.html"
    form_class = DemandImportForm

    def form_valid(self, form):
        try:
            count = demand_import(content=form.cleaned_data["file"], by=self.request.user)
        except ImportRejected as error:
            form.add_error("file", error.message)
            return self.render_to_response(self.get_context_data(form=form, problems=error.problems), status=400)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{count} need{'s' if count != 1 else ''} imported.")
        return redirect("demand:list")
