"""Pages of failure planning besides the what-if: the Market Oversight register (compliance officers and
commissioners keep it; the what-if's other readers read it), and a failure response: opened from the what-if's
page, its people settled one by one (moved through contracts' placement_move, or stayed with a new operator), its
progress against the target date. Every write goes through market.services.failure."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.errors import DomainError
from core.forms import GovukForm
from core.web import RoleRequiredMixin, form_error
from market import capabilities as caps
from market.models import (
    OVERSIGHT_STAGE_MEANINGS,
    FailureReason,
    FailureResponse,
    FailureResponsePerson,
    OversightEntry,
    OversightStage,
)
from market.selectors.failure import oversight_register, response_progress
from market.services import failure as services
from market.web.forms import DATE_WIDGET
from providers.models import Provider


class EnterForm(GovukForm):
    provider = forms.ModelChoiceField(label="Provider", queryset=Provider.objects.order_by("name"))
    stage = forms.TypedChoiceField(label="Stage", choices=OversightStage.choices, coerce=int)
    on = forms.DateField(label="Since", **DATE_WIDGET)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(GovukForm):
    stage = forms.TypedChoiceField(label="New stage", choices=OversightStage.choices, coerce=int)
    on = forms.DateField(label="Since", **DATE_WIDGET)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OpenForm(GovukForm):
    reason = forms.ChoiceField(label="Why", choices=FailureReason.choices)
    opened_on = forms.DateField(label="Opened on", **DATE_WIDGET)
    target_date = forms.DateField(label="Everyone settled by", **DATE_WIDGET)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OversightListPage(RoleRequiredMixin, TemplateView):
    capability = caps.PLAN_FOR_FAILURE
    template_name = "market/failure/oversight_list.html"

    def get_context_data(self, form=None, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            entries=oversight_register(),
            stages=[(stage.label, OVERSIGHT_STAGE_MEANINGS[stage]) for stage in OversightStage],
            form=form or EnterForm(initial={"on": today}),
            may_keep=caps.KEEP_OVERSIGHT.allows(self.request.user),
            **kwargs,
        )

    def post(self, request):
        if not caps.KEEP_OVERSIGHT.allows(request.user):
            _forbidden()
        form = EnterForm(request.POST)
        if form.is_valid():
            try:
                entry = services.oversight_enter(by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"{entry.provider.name} is on the register at {_stage_words(entry)}.")
                return redirect("failure:oversight-entry", pk=entry.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _stage_words(entry: OversightEntry) -> str:
    """ "stage 6: formal notification of likely business failure", for a sentence."""
    label = entry.get_stage_display()
    return label[:1].lower() + label[1:]


def _forbidden():
    raise PermissionDenied("Compliance officers and commissioners keep the register.")


class OversightEntryPage(RoleRequiredMixin, TemplateView):
    capability = caps.PLAN_FOR_FAILURE
    template_name = "market/failure/oversight_entry.html"

    def get_context_data(self, form=None, **kwargs):
        entry = get_object_or_404(oversight_register(include_left=True), pk=self.kwargs["pk"])
        return super().get_context_data(
            entry=entry,
            form=form or StageForm(initial={"on": timezone.localdate()}),
            may_keep=caps.KEEP_OVERSIGHT.allows(self.request.user),
            **kwargs,
        )

    def post(self, request, pk):
        if not caps.KEEP_OVERSIGHT.allows(request.user):
            _forbidden()
        entry = get_object_or_404(OversightEntry, pk=pk)
        form = StageForm(request.POST)
        if form.is_valid():
            try:
                entry = services.oversight_stage_set(entry=entry, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"{entry.provider.name} is now at {_stage_words(entry)}.")
                return redirect("failure:oversight-entry", pk=entry.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ResponseOpenView(RoleRequiredMixin, TemplateView):
    """Open a failure response for a provider: the what-if's plan on the day becomes its people."""

    capability = caps.RESPOND_TO_FAILURE
    template_name = "market/failure/response_open.html"

    def get_context_data(self, form=None, **kwargs):
        provider = get_object_or_404(Provider, pk=self.kwargs["provider_id"])
        today = timezone.localdate()
        return super().get_context_data(
            provider=provider, form=form or OpenForm(initial={"opened_on": today}), **kwargs
        )

    def post(self, request, provider_id):
        provider = get_object_or_404(Provider, pk=provider_id)
        form = OpenForm(request.POST)
        if form.is_valid():
            try:
                response = services.failure_response_open(provider=provider, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, f"Failure response opened with {response.people.count()} people.")
                return redirect("failure:response", pk=response.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ResponsePage(RoleRequiredMixin, TemplateView):
    capability = caps.PLAN_FOR_FAILURE
    template_name = "market/failure/response.html"

    def get_context_data(self, **kwargs):
        response = get_object_or_404(FailureResponse.objects.select_related("provider"), pk=self.kwargs["pk"])
        people = response.people.select_related(
            "placement__location", "planned_location__provider", "planned_bed_line", "new_placement__location"
        ).order_by("status", "reference")
        return super().get_context_data(
            response=response,
            progress=response_progress(response=response, on=timezone.localdate()),
            people=people,
            may_act=caps.RESPOND_TO_FAILURE.allows(self.request.user) and response.closed_on is None,
            today=timezone.localdate(),
            **kwargs,
        )


class PersonSettleView(RoleRequiredMixin, View):
    """A person of a response moved to the plan's block bed for them, or staying with a new operator, today."""

    capability = caps.RESPOND_TO_FAILURE

    def post(self, request, pk, person_id):
        person = get_object_or_404(FailureResponsePerson.objects.select_related("response"), pk=person_id, response=pk)
        today = timezone.localdate()
        try:
            if request.POST.get("action") == "move":
                if person.planned_bed_line_id is None:
                    raise DomainError("The plan has no block bed for this person; place them from the bed finder.")
                services.failure_person_move(
                    person=person, on=today, kind="block", bed_line=person.planned_bed_line, by=request.user
                )
                messages.success(request, f"{person.reference} moved to {person.planned_bed_line.location.name}.")
            elif request.POST.get("action") == "stay":
                services.failure_person_stay(
                    person=person, on=today, note=request.POST.get("note", ""), by=request.user
                )
                messages.success(request, f"{person.reference} stays with the new operator.")
            else:
                raise DomainError("Choose to move the person or record that they stay.")
        except DomainError as error:
            messages.error(request, f"{person.reference}: {error.message}")
        return redirect("failure:response", pk=pk)
