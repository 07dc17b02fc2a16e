"""The bed finder for brokers: search, hold a bed for a person, then place them; and the broker's holds.

The same BedSearch and selectors as the API's /beds/available/, and the same services for holds and placements:
the pages show the services' own messages, including the one a broker sees when another has just taken the last
bed on a line."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from contracts import capabilities as caps
from contracts import selectors, services
from contracts.models import BedLine
from contracts.web.forms import BedSearchForm, HoldForm, PlaceForm
from core import present
from core.errors import DomainError
from core.web import RoleRequiredMixin, form_error
from quality.selectors import latest_ratings


class BedFinderView(RoleRequiredMixin, TemplateView):
    """A GET form: works without JavaScript, and a search's address can be bookmarked or shared."""

    capability = caps.FIND_BEDS
    template_name = "contracts/bed_finder.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Submitted, even empty: the form then says what it needs instead of showing the page as if unasked.
        searched = any(name in self.request.GET for name in ("care_type", "postcode", "district", "from"))
        form = BedSearchForm(self.request.GET if searched else None)
        search = None
        if searched and form.is_valid() and form.search is not None:
            search = selectors.beds_available(form.search)
        context.update(
            form=form,
            search=search,
            homes=homes_of(search.results) if search else [],
            may_hold=caps.HOLD_BEDS.allows(self.request.user),
            stale_days=_stale_days(),
        )
        return context


def homes_of(rows: list[dict]) -> list[dict]:
    """The bed finder's rows (one per bed line) grouped by home, in the rows' order (nearest or by name), each home
    with its lines and its free beds in all."""
    homes: dict[int, dict] = {}
    for row in rows:
        home = homes.setdefault(row["location_id"], {**row, "lines": [], "free_beds": 0})
        home["lines"].append(row)
        home["free_beds"] += row["free_beds"]
    # The council's own rating beside CQC's: one query for the page's homes.
    council = latest_ratings(location_ids=list(homes))
    for location_id, home in homes.items():
        audit = council.get(location_id)
        home["council_rating"], home["council_rated_on"] = (audit.rating, audit.published_on) if audit else ("", None)
    return list(homes.values())


def _stale_days() -> int:
    return settings.VACANCY_REPORT_STALE_DAYS


class HoldCreateView(RoleRequiredMixin, FormView):
    """Hold one bed on a line for a person (POST); the line's lock in hold_place settles a race for the last bed."""

    capability = caps.HOLD_BEDS
    template_name = "contracts/hold_new.html"
    form_class = HoldForm

    @cached_property
    def line(self) -> BedLine:
        return get_object_or_404(
            BedLine.objects.select_related("location__provider", "contract"), pk=self.kwargs["bed_line_id"]
        )

    def get_initial(self):
        return {"start_date": self.request.GET.get("from") or timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["line"] = self.line
        return context

    def form_valid(self, form):
        try:
            hold = services.hold_place(
                bed_line=self.line,
                reference=form.cleaned_data["reference"],
                start_date=form.cleaned_data["start_date"],
                by=self.request.user,
            )
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"A bed at {self.line.location.name} is held for {hold.reference} until {present.moment(hold.expires_at)}.",
        )
        return redirect("contracts-web:holds")


class HoldListView(RoleRequiredMixin, TemplateView):
    capability = caps.HOLD_BEDS
    template_name = "contracts/holds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["holds"] = list(selectors.holds_active_of(user=self.request.user))
        return context


class HoldPlaceView(RoleRequiredMixin, FormView):
    """Turn one of the broker's own holds into a placement; someone else's hold is a 404."""

    capability = caps.HOLD_BEDS
    template_name = "contracts/hold_place.html"
    form_class = PlaceForm

    @cached_property
    def hold(self):
        hold = selectors.hold_of(user=self.request.user, hold_id=self.kwargs["hold_id"])
        if hold is None:
            raise Http404("No such hold of yours.")
        return hold

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hold"] = self.hold
        context["active"] = self.hold.is_active()
        return context

    def form_valid(self, form):
        try:
            placement = services.hold_convert(
                hold=self.hold,
                kind=form.cleaned_data["kind"],
                end_date=form.cleaned_data["end_date"],
                by=self.request.user,
            )
        except DomainError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{placement.reference} is placed at {self.hold.bed_line.location.name} from "
            f"{placement.start_date:%-d %B %Y}.",
        )
        return redirect("contracts-web:holds")


class HoldReleaseView(RoleRequiredMixin, TemplateView):
    """Give a held bed back (POST from the holds page)."""

    capability = caps.HOLD_BEDS
    http_method_names = ["post"]

    def post(self, request, hold_id: int):
        hold = selectors.hold_of(user=request.user, hold_id=hold_id)
        if hold is None:
            raise Http404("No such hold of yours.")
        try:
            services.hold_release(hold=hold, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The bed held for {hold.reference} is released.")
        return redirect("contracts-web:holds")
