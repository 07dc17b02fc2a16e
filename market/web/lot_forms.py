from django import forms
from django.db.models import Q, QuerySet

from core.forms import GovukDateField, GovukForm
from market.models import GatewayOutcome, LotStatus, MilestoneStatus, RiskLevel, TransferDestination


class LotFilterForm(forms.Form):
    """The lots register's filters; an unknown parameter is an error naming it."""

    q = forms.CharField(label="Code, name or lead provider", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status", required=False, choices=LotStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        self.unknown = sorted(name for name in data if name not in ("q", "status", "page"))
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name in self.unknown:
            self.add_error(None, f"The lots register does not understand the parameter {name!r}.")
        return cleaned

    def apply(self, lots: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"]
            lots = lots.filter(
                Q(code__icontains=text) | Q(name__icontains=text) | Q(lead_provider_name__icontains=text)
            )
        if data.get("status"):
            lots = lots.filter(status__in=data["status"])
        return lots

    def chosen(self) -> list[tuple[str, str]]:
        if not self.is_valid():
            return []
        found = [("Code, name or lead provider", self.cleaned_data["q"])] if self.cleaned_data.get("q") else []
        labels = dict(LotStatus.choices)
        return found + [("Status", labels[value]) for value in self.cleaned_data.get("status") or []]


class GatewayDecisionForm(GovukForm):
    """A readiness gateway's go / no-go. The form reads the fields; gateway_decide decides what is allowed
    (mandatory criteria, conditions of a go with conditions) and its messages are shown on the fields."""

    outcome = forms.ChoiceField(label="Decision", choices=GatewayOutcome.choices, widget=forms.RadioSelect)
    risk_level = forms.TypedChoiceField(
        label="Risk level", choices=[("", "Choose the risk level"), *RiskLevel.choices], coerce=int
    )
    reason = forms.CharField(label="Reason for the decision", widget=forms.Textarea)
    conditions = forms.CharField(label="Conditions (for a go with conditions)", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = "Choose go, go with conditions or no-go."
        self.fields["risk_level"].error_messages["required"] = "Choose the risk level."
        self.fields["reason"].error_messages["required"] = "Say why."


class MilestoneReportForm(GovukForm):
    """Progress on a milestone: market.services.mobilisation.milestone_report checks it (a CQC registration is read
    from the register, never reported; a milestone is not done on a day to come)."""

    widths = {"evidence_url": "govuk-input--width-30"}

    status = forms.ChoiceField(label="Status", choices=MilestoneStatus.choices, widget=forms.RadioSelect)
    evidence_url = forms.URLField(
        label="Link to the evidence",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where the evidence is kept, such as a shared document. For example, https://docs.example.org/tupe",
    )
    evidence_note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="What the evidence shows."
    )
    completed_on = GovukDateField(
        label="Done on", required=False, subject="The day it was done", help_text="When done: today if left empty."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = "Choose the milestone's status"
        self.fields["evidence_url"].error_messages["invalid"] = (
            "Enter the link in the right format, like https://docs.example.org/tupe"
        )
        self.fields["evidence_url"].widget.attrs.update({"spellcheck": "false", "autocomplete": "url"})


class LotStatusForm(GovukForm):
    """A lot's status by hand, with the reason kept in its status history; lot_status_set says which moves the
    lot's status allows."""

    status = forms.ChoiceField(label="New status", choices=LotStatus.choices)
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the lot's status history."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Choose a status"), *LotStatus.choices]
        self.fields["status"].error_messages["required"] = "Choose the lot's new status"
        self.fields["reason"].error_messages["required"] = "Say why the lot's status changes"


class TransferForm(GovukForm):
    """One person moved from a contingency provider (market.services.contingency.contingency_transfer)."""

    placement = forms.ChoiceField(label="Person")
    to = forms.ChoiceField(
        label="Moving to",
        widget=forms.RadioSelect,
        choices=[
            (TransferDestination.LEAD_PROVIDER, "The lot's lead provider"),
            (TransferDestination.DIRECT_PAYMENT, "A direct payment"),
        ],
    )
    on = GovukDateField(
        label="First day with the new arrangement",
        subject="The first day with the new arrangement",
        help_text="Their contingency care ends the day before.",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].choices = [("", "Choose a person")] + [
            (str(placement.pk), f"{placement.reference}, with {placement.provider.name} in {placement.home_ward.name}")
            for placement in people
        ]
        self.fields["placement"].error_messages["required"] = "Choose the person who moves"
        self.fields["to"].error_messages["required"] = "Choose where they move to"
