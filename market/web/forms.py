"""The market pages' filter forms: GET forms with the API's own parameter names, checked by the API's query
serializers (market.api.analysis_serializers), so a page and its download links take and refuse the same values,
with the same messages, each shown on its field."""

from django import forms
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail

from contracts.models import CareType, Contract, ContractKind
from core.forms import GovukForm
from geo.models import Locality, LocalityKind
from market.api.analysis_serializers import BlockSpotQuery, CostAvoidanceQuery, MarketShapeQuery, UtilisationQuery
from market.api.demand_serializers import GapQuery
from market.api.micro_serializers import OnQuery
from market.models import DemandCareType, Programme
from market.selectors.utilisation import REVIEW_GROUPS

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors) if isinstance(errors, ErrorDetail) else errors]


def _query_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


class QueryForm(GovukForm):
    """A page's filters checked by an API query serializer (`query_class`). Once valid, `arguments` are the
    selector's keyword arguments and `query` the API's query string for the same answer (its downloads)."""

    query_class: type = None
    # Names the page understands besides the fields (none by default); any other name is a form error.
    extra_names: frozenset[str] = frozenset()
    # Fields that name the subject (in the API's address, not its query).
    subject_fields: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arguments: dict | None = None
        self.query: dict[str, str] = {}

    def arguments_from(self, validated: dict) -> dict:
        return self.query_class.arguments(validated)

    def clean(self):
        data = super().clean()
        if self.is_bound:
            unknown = sorted(set(self.data) - set(self.fields) - self.extra_names)
            for name in unknown:
                self.add_error(None, f"The page has no filter called {name!r}.")
        if self.errors:
            return data
        given = {
            name: _query_value(value)
            for name, value in data.items()
            if value not in (None, "", []) and name not in self.subject_fields
        }
        query = self.query_class(data=given)
        if not query.is_valid():
            for name, errors in query.errors.items():
                field = name if name in self.fields else None
                for message in _messages(errors):
                    self.add_error(field, message)
            return data
        self.arguments = self.arguments_from(
            {**query.validated_data, **{name: data.get(name) for name in self.subject_fields}}
        )
        self.query = given
        return data


def _districts() -> list[tuple[str, str]]:
    return list(Locality.objects.filter(kind=LocalityKind.DISTRICT).order_by("name").values_list("code", "name"))


class AnalysisForm(QueryForm):
    """Districts and care types (checkboxes), and each page's own fields."""

    districts = forms.MultipleChoiceField(
        label="Districts", required=False, widget=forms.CheckboxSelectMultiple, help_text="Every district if none."
    )
    care_types = forms.MultipleChoiceField(
        label="Care types",
        required=False,
        choices=CareType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every care type if none.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = _districts()
        self.fields["districts"].error_messages["invalid_choice"] = "No district has the code %(value)s."
        self.fields["care_types"].error_messages["invalid_choice"] = "Unknown care type %(value)s."


class CapacityGapForm(QueryForm):
    """The capacity gaps API's own names: locality (district codes here) and care_type (demand's care types)."""

    query_class = GapQuery
    extra_names = frozenset({"page"})

    locality = forms.MultipleChoiceField(
        label="Districts", required=False, widget=forms.CheckboxSelectMultiple, help_text="Every district if none."
    )
    care_type = forms.MultipleChoiceField(
        label="Care types",
        required=False,
        choices=DemandCareType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every care type if none.",
    )
    on = forms.DateField(label="On the day", required=False, help_text="Today if left empty.", **DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].choices = _districts()
        self.fields["locality"].error_messages["invalid_choice"] = "No district has the code %(value)s."
        self.fields["care_type"].error_messages["invalid_choice"] = "Unknown care type %(value)s."

    def arguments_from(self, validated: dict) -> dict:
        return {
            "on": validated.get("on") or timezone.localdate(),
            "localities": validated.get("locality"),
            "care_types": validated.get("care_type"),
        }


class BlockSpotForm(AnalysisForm):
    query_class = BlockSpotQuery

    on = forms.DateField(label="On the day", required=False, help_text="Today if left empty.", **DATE_WIDGET)
    to = forms.DateField(label="Period to", required=False, **DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the field is added here, before `to`.
        fields = dict(self.fields)
        to = fields.pop("to")
        fields["from"] = forms.DateField(
            label="Or a period from", required=False, help_text="With the period's last day below.", **DATE_WIDGET
        )
        fields["to"] = to
        self.fields = fields


class CostAvoidanceForm(AnalysisForm):
    query_class = CostAvoidanceQuery

    contract = forms.ModelChoiceField(
        label="Block contract",
        required=False,
        queryset=Contract.objects.none(),
        empty_label="Every block contract",
    )
    through = forms.DateField(
        label="Up to", required=False, help_text="Today at the latest; today if left empty.", **DATE_WIDGET
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (
            Contract.objects.filter(kind=ContractKind.BLOCK).select_related("provider").order_by("reference")
        )
        self.fields["contract"].label_from_instance = lambda contract: f"{contract.reference} ({contract.provider})"
        self.fields["contract"].error_messages["invalid_choice"] = "Choose a block contract from the list."


class UtilisationForm(AnalysisForm):
    query_class = UtilisationQuery

    year = forms.IntegerField(
        label="Financial year", min_value=2000, max_value=2100, help_text="By the year it starts in: 2025 is 2025/26."
    )
    quarter = forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        choices=[
            (1, "Q1 (April to June)"),
            (2, "Q2 (July to September)"),
            (3, "Q3 (October to December)"),
            (4, "Q4 (January to March)"),
        ],
    )
    group_by = forms.ChoiceField(
        label="One row per",
        choices=[(name, name.capitalize()) for name in REVIEW_GROUPS],
        initial="contract",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"inputmode": "numeric"})
        self.widths = {"year": "govuk-input--width-4"}


class MarketShapeForm(AnalysisForm):
    query_class = MarketShapeQuery

    on = forms.DateField(
        label="Block beds contracted on", required=False, help_text="Today if left empty.", **DATE_WIDGET
    )


class ProgrammeForm(QueryForm):
    """Which programme (the first by its start if none is chosen), and the day its actual figures stop at."""

    query_class = OnQuery
    subject_fields = frozenset({"programme"})

    programme = forms.ModelChoiceField(label="Programme", queryset=Programme.objects.none(), required=False)
    on = forms.DateField(label="Actual figures up to", required=False, help_text="Today if left empty.", **DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("start_date", "name", "id")
        self.fields["programme"].empty_label = None
        self.fields["programme"].error_messages["invalid_choice"] = "Choose a programme from the list."

    def clean_programme(self):
        programme = self.cleaned_data.get("programme") or self.fields["programme"].queryset.first()
        if programme is None:
            raise forms.ValidationError("No development programme has been set up yet.")
        return programme

    def arguments_from(self, validated: dict) -> dict:
        return {"programme": validated["programme"], "on": validated.get("on") or timezone.localdate()}
