"""Micro-enterprises for council staff: the register (filtered, paged, the rest of its columns in the download), a
micro-enterprise's page with its status history and returns, the forms for a change of status with its reason and
a return (commissioners and contract officers, as the API's writes, through market.services.micro_enterprises), and
the programme's state of health by locality and its years' totals, headline figures first. Provider users are
refused: a micro-enterprise's own account reports from elsewhere."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import TemplateView

from core import present
from core.errors import DomainError
from core.web import RoleRequiredMixin, query_without
from market import capabilities as caps
from market.models import MicroEnterprise
from market.selectors.micro_enterprises import micro_enterprise_detail, micro_enterprises_register
from market.selectors.programmes import programme_figures, programme_health
from market.services.micro_enterprises import micro_enterprise_return_record, micro_enterprise_status_set
from market.web.forms import ProgrammeForm
from market.web.micro_forms import RegisterFilterForm, ReturnForm, StatusForm
from market.web.tenders import JobView

PAGE_SIZE = 25


class RegisterView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_PLANS
    template_name = "market/micro_register.html"

    def get(self, request, *args, **kwargs):
        form = RegisterFilterForm(request.GET)
        valid = form.is_valid()
        register = micro_enterprises_register(user=request.user, **(form.arguments() if valid else {}))
        page = Paginator(register, PAGE_SIZE).get_page(form.cleaned_data.get("page") if valid else 1)
        downloads = None
        if valid:
            query = urlencode(form.api_query())
            downloads = {
                fmt: reverse("market:micro-enterprise-export", kwargs={"fmt": fmt}) + (f"?{query}" if query else "")
                for fmt in ("csv", "xlsx")
            }
        context = self.get_context_data(
            form=form,
            page=page,
            query=query_without(request, "page"),
            downloads=downloads,
            title="Micro-enterprises",
            may_edit=caps.EDIT_MARKET.allows(request.user),
            **kwargs,
        )
        return self.render_to_response(context, status=200 if valid else 400)


class MicroEnterpriseView(RoleRequiredMixin, TemplateView):
    capability = caps.READ_PLANS
    template_name = "market/micro_enterprise.html"

    def get_context_data(self, **kwargs):
        try:
            enterprise = micro_enterprise_detail(user=self.request.user, pk=self.kwargs["pk"])
        except MicroEnterprise.DoesNotExist as missing:
            raise Http404("No such micro-enterprise.") from missing
        return super().get_context_data(
            enterprise=enterprise,
            changes=enterprise.status_changes.all(),
            returns=enterprise.returns.all(),
            may_edit=caps.EDIT_MARKET.allows(self.request.user),
            **kwargs,
        )


class MicroJobView(JobView):
    capability = caps.EDIT_MARKET

    @cached_property
    def enterprise(self) -> MicroEnterprise:
        try:
            return micro_enterprise_detail(user=self.request.user, pk=self.kwargs["pk"])
        except MicroEnterprise.DoesNotExist as missing:
            raise Http404("No such micro-enterprise.") from missing

    def caption(self):
        return self.enterprise.trading_name

    def back(self):
        return reverse("micro:detail", kwargs={"pk": self.enterprise.pk}), f"Back to {self.enterprise.trading_name}"


class StatusView(MicroJobView):
    form_class = StatusForm
    title = "Change the status"
    button = "Change the status"

    def get_context_data(self, **kwargs):
        enterprise = self.enterprise
        intro = f"Now {enterprise.get_status_display().lower()} since {present.day(enterprise.status_since)}."
        return super().get_context_data(intro=intro, **kwargs)

    def form_valid(self, form):
        try:
            change = micro_enterprise_status_set(
                micro_enterprise=self.enterprise, by=self.request.user, **form.cleaned_data
            )
        except DomainError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            f"{self.enterprise.trading_name} is {change.get_status_display().lower()} from {present.day(change.on)}.",
        )
        return redirect("micro:detail", pk=self.enterprise.pk)


class ReturnView(MicroJobView):
    form_class = ReturnForm
    title = "Add a return"
    button = "Save the return"

    def form_valid(self, form):
        try:
            record = micro_enterprise_return_record(
                micro_enterprise=self.enterprise, by=self.request.user, **form.cleaned_data
            )
        except DomainError as error:
            return self.refused(form, error)
        messages.success(self.request, f"Return from {present.day(record.from_date)} is recorded.")
        return redirect("micro:detail", pk=self.enterprise.pk)


class ProgrammeView(RoleRequiredMixin, TemplateView):
    """A programme page: ?programme= and ?on= through the programme page's own form (ProgrammeForm), which names an
    unknown parameter."""

    capability = caps.READ_PLANS

    def answer(self, programme, on):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        form = ProgrammeForm(request.GET)
        context = {"form": form, "answered": False}
        if form.is_valid():
            arguments = form.arguments
            context.update(
                answered=True,
                programme=arguments["programme"],
                on=arguments["on"],
                **self.answer(**arguments),
            )
        return self.render_to_response(
            self.get_context_data(**context, **kwargs), status=200 if form.is_valid() else 400
        )


class HealthView(ProgrammeView):
    template_name = "market/micro_health.html"

    def answer(self, programme, on):
        return {"health": programme_health(programme=programme, on=on)}


class YearsView(ProgrammeView):
    template_name = "market/micro_years.html"

    def answer(self, programme, on):
        figures = programme_figures(programme=programme, on=on)
        query = urlencode({"on": on.isoformat()})
        downloads = {
            fmt: reverse("market:programme-figures-export", kwargs={"pk": programme.pk, "fmt": fmt}) + f"?{query}"
            for fmt in ("csv", "xlsx")
        }
        return {"figures": figures, "years": figures["years"], "downloads": downloads}
