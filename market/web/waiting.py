"""The brokers' waiting list: people waiting for care (pending arrangements) and how they are bridged meanwhile
(reablement, block car time, an interim bed), the days each has waited with long waits marked, a wait added and a
wait closed, through the services the API uses (pending_create, pending_update)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core.errors import DomainError
from core.web import JobFormView, RoleRequiredMixin, form_error
from market import capabilities as caps
from market.models import PendingArrangement
from market.selectors.waiting import waiting_days, waiting_list, waiting_now, waits_ended
from market.services.demand import pending_create, pending_update
from market.web.waiting_forms import WaitCloseForm, WaitForm

ENDED_DAYS = 30


class WaitingListView(RoleRequiredMixin, TemplateView):
    capability = caps.KEEP_WAITING_LIST
    template_name = "market/waiting_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        waits = waiting_list(on=today)
        return super().get_context_data(
            waits=waits,
            long_waits=sum(wait.long for wait in waits),
            ended=waits_ended(on=today, days=ENDED_DAYS),
            ended_days=ENDED_DAYS,
            long_days=settings.PENDING_WAIT_LONG_DAYS,
            **kwargs,
        )


class WaitJobView(JobFormView):
    capability = caps.KEEP_WAITING_LIST


class WaitCreateView(WaitJobView):
    template_name = "market/waiting_new.html"
    form_class = WaitForm

    def form_valid(self, form):
        try:
            pending = pending_create(by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{pending.reference} is on the waiting list for {pending.get_care_type_display().lower()}."
        )
        return redirect("waiting:list")


class WaitCloseView(WaitJobView):
    template_name = "market/waiting_close.html"
    form_class = WaitCloseForm

    @cached_property
    def pending(self) -> PendingArrangement:
        pending = waiting_now(pending_id=self.kwargs["pk"])
        if pending is None:
            raise Http404("No one is waiting under that number.")
        return pending

    def get_initial(self):
        return {"ended_on": timezone.localdate()}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "waiting_since": self.pending.waiting_since}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=self.pending, days=waiting_days(self.pending, on=timezone.localdate()), **kwargs
        )

    def form_valid(self, form):
        try:
            pending = pending_update(pending=self.pending, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{pending.reference}'s wait ended on {pending.ended_on.day} {pending.ended_on:%B %Y}: "
            f"{pending.get_outcome_display().lower()}.",
        )
        return redirect("waiting:list")
