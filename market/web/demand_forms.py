"""Demand forms: one need entered by hand (market.services.demand.demand_create) and a CSV file of forecasts
(demand_import, the API's import). The services check what is allowed; their messages are shown on the fields."""

from django import forms

from core.forms import GovukDateField, GovukForm
from geo.models import Locality
from market.models import DemandCareType
from market.services.demand import DEMAND_COLUMNS, DEMAND_OPTIONAL, LOCALITY_KINDS


def district_or_ward(field: forms.ModelChoiceField, *, required: str) -> None:
    """A choice of the districts and wards a need or a wait may be recorded in, each named with its kind."""
    field.queryset = Locality.objects.filter(kind__in=LOCALITY_KINDS).order_by("kind", "name")
    field.label_from_instance = lambda place: f"{place.name} ({place.get_kind_display().lower()})"
    field.error_messages["required"] = required


class DemandForm(GovukForm):
    widths = {"quantity": "govuk-input--width-5"}

    locality = forms.ModelChoiceField(
        label="District or ward", queryset=Locality.objects.none(), to_field_name="code", empty_label="Choose a place"
    )
    care_type = forms.ChoiceField(label="Care type", choices=[("", "Choose a care type"), *DemandCareType.choices])
    period_start = GovukDateField(label="From", subject="The first day of the period")
    period_end = GovukDateField(label="To", subject="The last day of the period", help_text="The last day it applies.")
    quantity = forms.DecimalField(
        label="Need",
        min_value=0,
        decimal_places=1,
        max_digits=9,
        help_text="Beds, or hours a week for homecare hours.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        district_or_ward(self.fields["locality"], required="Choose the district or ward")
        self.fields["care_type"].error_messages["required"] = "Choose the care type"
        self.fields["quantity"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["quantity"].error_messages.update(
            required="Enter the need in beds or hours a week",
            invalid="Enter the need as a number, like 12 or 37.5",
            min_value="The need cannot be negative",
            max_decimal_places="Give the need to one decimal place at most",
            max_digits="Enter a need below 100,000,000",
            max_whole_digits="Enter a need below 100,000,000",
        )


class DemandImportForm(GovukForm):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=f"Columns: {', '.join(DEMAND_COLUMNS)}; optionally {' and '.join(DEMAND_OPTIONAL)}. Dates as "
        "YYYY-MM-DD, places by district or ward code.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )
