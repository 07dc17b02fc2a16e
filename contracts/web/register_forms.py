from django import forms
from django.db.models import Q, QuerySet

from contracts.models import ContractKind, ContractStatus

PARAMETERS = ("q", "status", "kind", "page")


class ContractFilterForm(forms.Form):
    """The contracts register's filters. A parameter the page does not understand is an error naming it."""

    q = forms.CharField(label="Reference or provider", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status", required=False, choices=ContractStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.MultipleChoiceField(
        label="Kind", required=False, choices=ContractKind.choices, widget=forms.CheckboxSelectMultiple
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        self.unknown = sorted(name for name in data if name not in PARAMETERS)
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name in self.unknown:
            self.add_error(None, f"The contracts register does not understand the parameter {name!r}.")
        return cleaned

    def apply(self, contracts: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("q"):
            contracts = contracts.filter(Q(reference__icontains=data["q"]) | Q(provider__name__icontains=data["q"]))
        if data.get("status"):
            contracts = contracts.filter(status__in=data["status"])
        if data.get("kind"):
            contracts = contracts.filter(kind__in=data["kind"])
        return contracts

    def chosen(self) -> list[tuple[str, str]]:
        """The filters in use, as the MOJ filter shows them ("Status: Live")."""
        if not self.is_valid():
            return []
        found = []
        if self.cleaned_data.get("q"):
            found.append(("Reference or provider", self.cleaned_data["q"]))
        for name in ("status", "kind"):
            labels = dict(self.fields[name].choices)
            found += [(self.fields[name].label, labels[value]) for value in self.cleaned_data.get(name) or []]
        return found
