"""A person's record for brokers, by pseudonymous reference: their holds and placements, current and past; end a
placement with why, move a person (placement_move: one ends, the next starts, in one transaction) and record a spot
placement. Every write is a contracts service, as in the API; a spot bed asked for while block beds of its care
type are free nearby is refused by the service, and the page then shows those beds and asks for the reason."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from contracts import selectors, services
from contracts.capabilities import BROKERAGE
from contracts.models import BedLine, Placement, PlacementService
from contracts.selectors import BedSearch, beds_available
from contracts.services import BlockBedsFree
from contracts.services.checks import reference_validate
from contracts.web.people_forms import (
    SPOT_BED,
    PersonFindForm,
    PlacementEndForm,
    PlacementMoveForm,
    SpotPlacementForm,
)
from core import present
from core.errors import DomainError
from core.web import RoleRequiredMixin, form_error

MOVE_RADIUS_KM = 20  # the bed finder's own default radius


class PersonFindView(RoleRequiredMixin, TemplateView):
    """Find a person by reference (a GET form): a valid reference opens their record."""

    capability = BROKERAGE
    template_name = "contracts/people/find.html"

    def get(self, request, *args, **kwargs):
        form = PersonFindForm(request.GET if "reference" in request.GET else None)
        if form.is_bound and form.is_valid():
            try:
                reference = reference_validate(form.cleaned_data["reference"])
            except DomainError as error:
                form_error(form, error)
            else:
                return redirect("contracts-web:person", reference=reference)
        return self.render_to_response(self.get_context_data(form=form))


class PersonView(RoleRequiredMixin, TemplateView):
    capability = BROKERAGE
    template_name = "contracts/people/person.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            reference = reference_validate(self.kwargs["reference"])
        except DomainError as error:
            raise Http404("Not a reference.") from error
        record = selectors.person_record(reference=reference)
        today = timezone.localdate()
        current = [p for p in record["placements"] if p.end_date is None or p.end_date >= today]
        context.update(
            reference=reference,
            current=current,
            past=[p for p in record["placements"] if p not in current],
            holds=record["holds"],
            now=timezone.now(),
        )
        return context


class PlacementFormMixin(RoleRequiredMixin):
    capability = BROKERAGE

    @cached_property
    def placement(self) -> Placement:
        placement = (
            Placement.objects.select_related("location__provider", "location__district", "bed_line__contract")
            .filter(pk=self.kwargs["placement_id"])
            .first()
        )
        if placement is None:
            raise Http404("No such placement.")
        self.placement_allowed(placement)
        return placement

    def placement_allowed(self, placement: Placement) -> None:
        """Raise Http404 for a placement this page does not take."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["placement"] = self.placement
        return context

    def back_to_person(self):
        return redirect("contracts-web:person", reference=self.placement.reference)


class PlacementEndView(PlacementFormMixin, FormView):
    template_name = "contracts/people/end.html"
    form_class = PlacementEndForm

    def get_initial(self):
        return {"end_date": timezone.localdate()}

    def form_valid(self, form):
        try:
            placement = services.placement_end(
                placement=self.placement,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
                by=self.request.user,
            )
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{placement.reference}'s placement ends on {present.day(placement.end_date)}: "
            f"{placement.get_end_reason_display().lower()}.",
        )
        return self.back_to_person()


def _free_beds_for(*, placement: Placement, care_type: str, on) -> list[dict]:
    """Free block beds of the care type near the person's current home on the day (the bed finder's own search)."""
    home = placement.location
    if home is None or not care_type:
        return []
    if home.latitude is not None and home.longitude is not None:
        search = BedSearch(
            care_type=care_type, on=on, latitude=home.latitude, longitude=home.longitude, radius_km=MOVE_RADIUS_KM
        )
    elif home.district_id is not None:
        search = BedSearch(care_type=care_type, on=on, district=home.district)
    else:
        return []
    return beds_available(search).results


class PlacementMoveView(PlacementFormMixin, FormView):
    template_name = "contracts/people/move.html"
    form_class = PlacementMoveForm

    def placement_allowed(self, placement: Placement) -> None:
        if placement.service != PlacementService.CARE_HOME:
            raise Http404("Only a care home placement moves to another bed.")

    @cached_property
    def move_day(self):
        day = PlacementMoveForm.base_fields["on"]
        data = self.request.POST or self.request.GET
        try:
            return day.clean(day.widget.value_from_datadict(data, None, "on")) or timezone.localdate()
        except Exception:  # an unreadable date: the form says so; the beds offered are today's meanwhile
            return timezone.localdate()

    @cached_property
    def free_lines(self) -> list[dict]:
        return _free_beds_for(placement=self.placement, care_type=self.placement.care_type, on=self.move_day)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["free_lines"] = self.free_lines
        kwargs["initial"] = {"on": self.move_day, "care_type": self.placement.care_type}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(move_day=self.move_day, free_lines=self.free_lines, radius_km=MOVE_RADIUS_KM)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        spot = data["destination"] == SPOT_BED
        try:
            moved = services.placement_move(
                placement=self.placement,
                on=data["on"],
                kind="spot" if spot else "block",
                bed_line=None if spot else BedLine.objects.get(pk=int(data["destination"])),
                location=form.homes.get(data["location"]) if spot else None,
                care_type=data["care_type"] if spot else "",
                weekly_cost=data["weekly_cost"] if spot else None,
                spot_reason=data["spot_reason"] if spot else "",
                by=self.request.user,
            )
        except BlockBedsFree as error:
            form_error(form, error)
            return self.render_to_response(self.get_context_data(form=form, block_beds_free=error.beds))
        except DomainError as error:
            form_error(form, error if error.field in form.fields else DomainError(error.message, field="destination"))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{moved.reference} moves to {moved.location.name} on {present.day(moved.start_date)}.",
        )
        return self.back_to_person()


class SpotPlacementView(RoleRequiredMixin, FormView):
    """Record a spot placement. While block beds of its care type are free nearby on the day, the page lists them
    (each with a link to hold it) and asks why a spot bed is bought instead."""

    capability = BROKERAGE
    template_name = "contracts/people/spot.html"
    form_class = SpotPlacementForm

    def get_initial(self):
        return {"reference": self.request.GET.get("reference", ""), "start_date": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            placement = services.placement_create(
                reference=data["reference"],
                kind="spot",
                location=form.homes[data["location"]],
                care_type=data["care_type"],
                weekly_cost=data["weekly_cost"],
                start_date=data["start_date"],
                spot_reason=data["spot_reason"],
                by=self.request.user,
            )
        except BlockBedsFree as error:
            form_error(form, error)
            return self.render_to_response(self.get_context_data(form=form, block_beds_free=error.beds))
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{placement.reference} is placed in a spot bed at {placement.location.name} from "
            f"{present.day(placement.start_date)} at {present.money(placement.weekly_cost)} a week.",
        )
        return redirect(reverse("contracts-web:person", kwargs={"reference": placement.reference}))
