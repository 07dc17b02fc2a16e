from django import forms
from django.utils import timezone

from core.forms import GovukDateField, GovukForm
from core.present import day
from geo.models import Locality
from market.models import Bridging, DemandCareType, PendingOutcome
from market.web.demand_forms import district_or_ward


class WaitForm(GovukForm):
    """Someone starting to wait for care; market.services.demand.pending_create checks the rest (a pseudonymous
    reference, one open wait per person, hours a week for homecare only)."""

    widths = {"reference": "govuk-input--width-20", "hours_per_week": "govuk-input--width-5"}

    reference = forms.CharField(
        label="The person's reference", help_text="Pseudonymous, such as BRK-2026-0042: never a name or NHS number."
    )
    locality = forms.ModelChoiceField(
        label="Where they live", queryset=Locality.objects.none(), to_field_name="code", empty_label="Choose a place"
    )
    care_type = forms.ChoiceField(
        label="Care they are waiting for", choices=[("", "Choose a care type"), *DemandCareType.choices]
    )
    hours_per_week = forms.DecimalField(
        label="Homecare hours a week",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=6,
        help_text="For homecare only.",
    )
    waiting_since = GovukDateField(label="Waiting since", subject="The day the wait began")
    bridging = forms.ChoiceField(
        label="Bridged meanwhile by",
        # The stored label of no bridging is "None", which reads as a missing value on a page.
        choices=[(value, "Not bridged" if value == Bridging.NONE else name) for value, name in Bridging.choices],
        initial=Bridging.NONE,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="No names or health details."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        district_or_ward(self.fields["locality"], required="Choose where the person lives")
        self.fields["care_type"].error_messages["required"] = "Choose the care they are waiting for"
        self.fields["reference"].error_messages["required"] = "Enter the person's reference"
        self.fields["bridging"].error_messages["required"] = "Choose how the wait is bridged, or Not bridged"
        self.fields["hours_per_week"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["hours_per_week"].error_messages.update(
            invalid="Enter the hours a week as a number, like 10 or 7.5",
            min_value="Hours a week cannot be negative",
            max_decimal_places="Give the hours a week to two decimal places at most",
            max_digits="Enter fewer than 10,000 hours a week",
            max_whole_digits="Enter fewer than 10,000 hours a week",
        )

    def clean_waiting_since(self):
        since = self.cleaned_data["waiting_since"]
        if since is not None and since > timezone.localdate():
            raise forms.ValidationError("The day the wait began must be today or in the past")
        return since


OUTCOMES = [(value, label) for value, label in PendingOutcome.choices if value]


class WaitCloseForm(GovukForm):
    outcome = forms.ChoiceField(label="How did the wait end?", choices=OUTCOMES, widget=forms.RadioSelect)
    ended_on = GovukDateField(label="The day it ended", subject="The day the wait ended")

    def __init__(self, *args, waiting_since, **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting_since = waiting_since
        self.fields["outcome"].error_messages["required"] = "Choose how the wait ended"

    def clean_ended_on(self):
        ended = self.cleaned_data["ended_on"]
        if ended is not None and ended > timezone.localdate():
            raise forms.ValidationError("The day the wait ended must be today or in the past")
        if ended is not None and ended < self.waiting_since:
            raise forms.ValidationError(
                f"The day the wait ended must be on or after the day it began, {day(self.waiting_since)}"
            )
        return ended
