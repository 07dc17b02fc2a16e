"""The provider portal's vacancy reports: one report at a time (a form), or a Capacity Tracker style CSV with each
rejected row's problems shown, both through the contracts services that the API uses."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts.selectors import provider_scope
from contracts import services
from contracts.models import CareType, VacancyReport
from contracts.services.vacancies import (
    VACANCY_COLUMNS,
    vacancy_report_days,
    vacancy_report_days_words,
    vacancy_template_rows,
)
from core.errors import DomainError, ImportRejected
from core.exports import file_response, table_file
from core.forms import GovukForm
from core.web import RoleRequiredMixin, form_error
from providers.capabilities import PROVIDER_PORTAL
from providers.selectors import locations_list


class VacancyReportForm(GovukForm):
    widths = {"vacant_beds": "govuk-input--width-3"}

    location = forms.TypedChoiceField(label="Home", coerce=int)
    care_type = forms.ChoiceField(label="Care type", choices=CareType.choices)
    report_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    vacant_beds = forms.IntegerField(label="Vacant beds", help_text="Beds free for new residents on the day.")
    accepting_admissions = forms.ChoiceField(
        label="Accepting admissions?", choices=[("yes", "Yes"), ("no", "No")], initial="yes", widget=forms.RadioSelect
    )

    def __init__(self, *args, homes, **kwargs):
        super().__init__(*args, **kwargs)
        self.homes = {home.pk: home for home in homes}
        self.fields["location"].choices = [(home.pk, home.name) for home in homes]
        self.fields["vacant_beds"].widget.attrs["inputmode"] = "numeric"


class VacancyUploadForm(GovukForm):
    file = forms.FileField(label="Upload a CSV file", help_text=f"Columns: {', '.join(VACANCY_COLUMNS)}.")


class VacancyTemplateView(RoleRequiredMixin, View):
    """The CSV template: the header with every column, then notes on each column, the allowed care types and the
    provider's own homes' CQC location ids (the import skips notes)."""

    capability = PROVIDER_PORTAL

    def get(self, request, *args, **kwargs):
        homes = list(locations_list(user=request.user).filter(care_home=True).order_by("name"))
        rows = vacancy_template_rows(homes=homes, today=timezone.localdate())
        content = table_file(headers=rows[0], rows=rows[1:], fmt="csv", title="Vacancies")
        return file_response(content, fmt="csv", name="vacancy-report-template")


class VacancyReportsView(RoleRequiredMixin, TemplateView):
    capability = PROVIDER_PORTAL  # a provider user's own homes (contracts.capabilities.REPORT_VACANCIES)
    template_name = "contracts/portal/vacancies.html"

    def homes(self):
        return list(locations_list(user=self.request.user).filter(care_home=True))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        homes = kwargs.get("homes") or self.homes()
        context.setdefault(
            "form",
            VacancyReportForm(
                homes=homes, initial={"report_date": timezone.localdate(), "accepting_admissions": "yes"}
            ),
        )
        context.setdefault("upload", VacancyUploadForm(prefix="upload"))
        earliest, _ = vacancy_report_days(today=timezone.localdate())
        context.update(
            columns=VACANCY_COLUMNS,
            care_types=CareType.choices,
            report_days=vacancy_report_days_words(),
            earliest=earliest,
        )
        context["reports"] = (
            provider_scope(VacancyReport.objects.all(), self.request.user, provider_field="location__provider")
            .select_related("location")
            .order_by("-report_date", "location__name", "care_type")[:20]
        )
        return context

    def post(self, request, *args, **kwargs):
        homes = self.homes()
        if "upload-file" in request.FILES or request.POST.get("action") == "upload":
            return self._upload(request, homes)
        form = VacancyReportForm(request.POST, homes=homes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.vacancy_report_record(
                    location=form.homes[data["location"]],
                    report_date=data["report_date"],
                    care_type=data["care_type"],
                    vacant_beds=data["vacant_beds"],
                    accepting_admissions=data["accepting_admissions"] == "yes",
                    by=request.user,
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    f"{report.vacant_beds} vacant {report.get_care_type_display().lower()} bed"
                    f"{'' if report.vacant_beds == 1 else 's'} reported for {report.location.name} "
                    f"on {report.report_date:%-d %B %Y}.",
                )
                return redirect("contracts-portal:vacancies")
        return self.render_to_response(self.get_context_data(form=form, homes=homes))

    def _upload(self, request, homes):
        upload = VacancyUploadForm(request.POST, request.FILES, prefix="upload")
        problems = []
        if upload.is_valid():
            try:
                imported = services.vacancy_reports_import(content=upload.cleaned_data["file"], by=request.user)
            except ImportRejected as error:
                # The service's message says nothing was imported; the page says what to do about it.
                advice = " Correct the rows below and upload the file again." if error.problems else ""
                upload.add_error("file", f"{error.message}{advice}")
                problems = error.problems
            else:
                messages.success(request, f"{imported} vacancy report{'' if imported == 1 else 's'} imported.")
                return redirect("contracts-portal:vacancies")
        context = self.get_context_data(upload=upload, homes=homes, problems=problems)
        return self.render_to_response(context)
