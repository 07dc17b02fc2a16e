"""Vacancies today, for brokers: every home's latest reported vacancies by care type with the day each was
reported, stale ones marked by the one freshness rule (contracts.selectors.vacancies), nearest first from a
postcode (geo's postcode lookup) when one is given, a page at a time."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.views.generic import TemplateView

from contracts import capabilities as caps
from contracts.selectors.vacancies import vacancies_today
from core.errors import DomainError
from core.forms import GovukForm
from core.web import RoleRequiredMixin, paginate, query_without
from geo.selectors import Point, geocode

PER_PAGE = 50


class VacanciesTodayForm(GovukForm):
    """A GET form: `postcode` (optional) and the page number; any other parameter is refused."""

    widths = {"postcode": "govuk-input--width-10"}
    known = {"postcode", "page"}

    postcode = forms.CharField(
        label="Postcode", required=False, help_text="The person's home postcode: the nearest homes come first."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.point: Point | None = None

    def clean(self):
        data = super().clean()
        unknown = sorted(set(self.data) - self.known)
        if unknown:
            raise forms.ValidationError(f"The page does not know {', '.join(unknown)}: search by postcode only.")
        postcode = (data.get("postcode") or "").strip()
        if postcode:
            try:
                self.point = geocode(postcode)
            except DomainError as error:
                self.add_error("postcode", error.message)
        return data


class VacanciesTodayView(RoleRequiredMixin, TemplateView):
    capability = caps.BROKERAGE
    template_name = "contracts/vacancies_today.html"

    def get(self, request, *args, **kwargs):
        form = VacanciesTodayForm(request.GET)
        valid = form.is_valid()
        today = timezone.localdate()
        rows = vacancies_today(today=today, near=form.point if valid else None)
        context = self.get_context_data(
            form=form,
            page=paginate(request, rows, per_page=PER_PAGE),
            query=query_without(request, "page"),
            near=form.point if valid else None,
            stale_days=settings.VACANCY_REPORT_STALE_DAYS,
            today=today,
        )
        return self.render_to_response(context, status=200 if valid else 400)
