"""The bed finder's forms. The search is checked by the API's own BedSearchQuery and the holds by the contracts
services, so the pages show exactly their messages, each on its field."""

from django import forms
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail

from contracts.api.queries import BedSearchQuery
from contracts.models import CareType
from contracts.selectors import MAX_RADIUS_KM, BedSearch
from core.errors import DomainError
from core.forms import GovukForm
from core.web import form_error
from geo.models import Locality, LocalityKind

HOLD_KINDS = [("block", "Block placement"), ("respite", "Respite"), ("emergency", "Emergency")]


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors) if isinstance(errors, ErrorDetail) else errors]


class BedSearchForm(GovukForm):
    """A GET form with the API's parameter names (care_type, postcode, radius_km, district, from)."""

    widths = {"postcode": "govuk-input--width-10", "radius_km": "govuk-input--width-4"}

    care_type = forms.ChoiceField(label="Care type", choices=[("", "Choose a care type"), *CareType.choices])
    postcode = forms.CharField(
        label="Postcode", required=False, help_text="The person's home postcode, for the homes nearest to it."
    )
    radius_km = forms.CharField(
        label="Within (km)", required=False, help_text=f"With a postcode: up to {MAX_RADIUS_KM} km; 20 if left empty."
    )
    district = forms.ChoiceField(label="Or a district", required=False, help_text="Every home in the district.")
    include_restricted = forms.BooleanField(
        label="Include homes rated Inadequate or not admitting (marked as restricted)", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = Locality.objects.filter(kind=LocalityKind.DISTRICT).order_by("name").values_list("code", "name")
        self.fields["district"].choices = [("", "No district: search by postcode"), *districts]
        self.fields["from"] = forms.DateField(
            label="Free on",
            required=False,
            help_text="The day the person would move in; today if left empty.",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["care_type"].error_messages["required"] = "Choose a care type"
        self.search: BedSearch | None = None

    def clean(self):
        data = super().clean()
        if not data.get("postcode") and not data.get("district") and "postcode" not in self.errors:
            # Said with the missing care type, so that an empty form names everything it needs at once.
            self.add_error("postcode", "Enter the person's postcode or choose a district")
        on = data.get("from")
        if on is not None and on < timezone.localdate():
            self.add_error("from", "The day the bed is free must be today or in the future")
        if self.errors:
            return data
        given = {name: value for name, value in data.items() if value not in (None, "")}
        query = BedSearchQuery(data=given)
        if not query.is_valid():
            for name, errors in query.errors.items():
                field = name if name in self.fields else None
                for message in _messages(errors):
                    self.add_error(field, message)
            return data
        try:
            self.search = BedSearchQuery.search(query.validated_data)
        except DomainError as error:
            form_error(self, error)
        return data


class HoldForm(GovukForm):
    widths = {"reference": "govuk-input--width-20"}

    reference = forms.CharField(
        label="The person's reference",
        help_text="Their pseudonymous reference, such as BRK-2026-0042: never a name, NHS number or postcode.",
    )
    start_date = forms.DateField(
        label="Moving in on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day the bed is needed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})


class PlaceForm(GovukForm):
    kind = forms.ChoiceField(label="Kind of placement", choices=HOLD_KINDS, initial="block", widget=forms.RadioSelect)
    end_date = forms.DateField(
        label="Last day (if known)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty for a placement with no end date yet.",
    )
