from django import forms
from django.db.models import Q, QuerySet

from config.forms import GovukForm
from market.models import GatewayOutcome, LotStatus, RiskLevel


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
