"""Micro-enterprise forms: the register's filters (a GET form: an unknown parameter is an error naming it), a change
of status with its reason, and a return. market.services.micro_enterprises checks what is allowed; its messages are
shown on the fields."""

from django import forms

from core.forms import GovukDateField, GovukForm
from geo.models import Locality, LocalityKind
from market.models import MicroEnterpriseStatus

FILTERS = ("q", "status", "district", "page")


class RegisterFilterForm(GovukForm):
    q = forms.CharField(label="Trading name or services", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status", required=False, choices=MicroEnterpriseStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    district = forms.ModelChoiceField(
        label="District", required=False, queryset=Locality.objects.none(), to_field_name="code"
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        self.unknown = sorted(name for name in data if name not in FILTERS)
        super().__init__(data, *args, **kwargs)
        self.fields["district"].queryset = Locality.objects.filter(kind=LocalityKind.DISTRICT).order_by("name")
        self.fields["district"].empty_label = "All districts"
        self.fields["district"].error_messages["invalid_choice"] = "Choose a district from the list"
        self.fields["status"].error_messages["invalid_choice"] = "Choose statuses from the list"

    def clean(self):
        cleaned = super().clean()
        for name in self.unknown:
            self.add_error(None, f"The micro-enterprises register does not understand the parameter {name!r}.")
        return cleaned

    def arguments(self) -> dict:
        """The selector's typed arguments (market.selectors.micro_enterprises.micro_enterprises_register)."""
        data = self.cleaned_data
        return {"statuses": data.get("status") or [], "district": data.get("district"), "text": data.get("q") or ""}

    def api_query(self) -> dict[str, str]:
        """The same filters in the API's names, for the download."""
        data = self.cleaned_data
        query = {}
        if data.get("q"):
            query["search"] = data["q"]
        if data.get("status"):
            query["status"] = ",".join(data["status"])
        if data.get("district"):
            query["district"] = data["district"].code
        return query

    def chosen(self) -> list[tuple[str, str]]:
        if not self.is_valid():
            return []
        data = self.cleaned_data
        found = [("Trading name or services", data["q"])] if data.get("q") else []
        labels = dict(MicroEnterpriseStatus.choices)
        found += [("Status", labels[value]) for value in data.get("status") or []]
        if data.get("district"):
            found.append(("District", data["district"].name))
        return found


class StatusForm(GovukForm):
    """A change of status from a day, with the reason (micro_enterprise_status_set keeps it as the change's notes)."""

    status = forms.ChoiceField(label="New status", choices=MicroEnterpriseStatus.choices, widget=forms.RadioSelect)
    on = GovukDateField(label="From", subject="The day the status changes")
    notes = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in its status history."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = "Choose the new status"
        self.fields["notes"].error_messages["required"] = "Say why the status changes"


class ReturnForm(GovukForm):
    """A periodic return: from a day, the hours a week delivered and the people supported."""

    widths = {"hours_per_week": "govuk-input--width-5", "people_supported": "govuk-input--width-4"}

    from_date = GovukDateField(label="From", subject="The day the return starts")
    hours_per_week = forms.DecimalField(
        label="Hours a week delivered",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": "Enter the hours a week delivered",
            "invalid": "Enter the hours a week as a number, like 37.5",
            "min_value": "Hours a week cannot be negative",
            "max_decimal_places": "Give the hours a week to two decimal places at most",
            "max_digits": "Enter hours a week below 1,000,000",
            "max_whole_digits": "Enter hours a week below 1,000,000",
        },
    )
    people_supported = forms.IntegerField(
        label="People supported",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of people supported",
            "invalid": "Enter the people supported as a whole number, like 4",
            "min_value": "People supported cannot be negative",
        },
    )
