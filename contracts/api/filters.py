"""The contracts lists' filters. Each value is checked (an unknown choice, id or date is a 400 naming the
filter) and documented; core.query.KnownQueryParameters refuses names that are not here."""

import django_filters as filters

from contracts.models import (
    BedLine,
    CareType,
    Closure,
    CommissioningPartner,
    Contract,
    ContractKind,
    ContractService,
    ContractStatus,
    Hold,
    HoldStatus,
    Placement,
    PlacementKind,
    PlacementService,
    PlacementSource,
    RateChange,
    VacancyReport,
)
from core.query import BooleanFilter, ChoiceInFilter, IdFilter
from geo.api.fields import LocalityCodeFilter
from geo.models import LocalityKind


class ContractFilter(filters.FilterSet):
    provider = IdFilter(field_name="provider_id", help_text="Provider id.")
    kind = ChoiceInFilter(choices=ContractKind.choices, help_text="One or more kinds, separated by commas.")
    service = ChoiceInFilter(choices=ContractService.choices, help_text="One or more services, separated by commas.")
    status = ChoiceInFilter(
        choices=ContractStatus.choices, help_text="One or more statuses, separated by commas, e.g. live,ending."
    )
    commissioning_partner = filters.ChoiceFilter(choices=CommissioningPartner.choices)

    class Meta:
        model = Contract
        fields: list = []


class BedLineFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")
    location = IdFilter(field_name="location_id", help_text="Location (home) id.")
    care_type = ChoiceInFilter(choices=CareType.choices, help_text="One or more care types, separated by commas.")
    location__district = IdFilter(field_name="location__district_id", help_text="District locality id.")
    district = LocalityCodeFilter(
        field_name="location__district__code",
        kind=LocalityKind.DISTRICT,
        param="district",
        help_text="District GSS code, e.g. E07000009.",
    )

    class Meta:
        model = BedLine
        fields: list = []


class RateChangeFilter(filters.FilterSet):
    bed_line = IdFilter(field_name="bed_line_id", help_text="Bed line id.")
    bed_line__contract = IdFilter(field_name="bed_line__contract_id", help_text="Contract id.")
    reason = filters.ChoiceFilter(choices=RateChange.Reason.choices)
    effective_from = filters.DateFilter(help_text="Rate changes effective on this day.")

    class Meta:
        model = RateChange
        fields: list = []


class PlacementFilter(filters.FilterSet):
    reference = filters.CharFilter(
        method="filter_reference", help_text="The person's pseudonymous reference, exactly (e.g. BRK-2026-0042)."
    )
    kind = ChoiceInFilter(choices=PlacementKind.choices, help_text="One or more kinds, separated by commas.")
    service = ChoiceInFilter(choices=PlacementService.choices, help_text="One or more, separated by commas.")
    bed_line = IdFilter(field_name="bed_line_id", help_text="Bed line id.")
    location = IdFilter(field_name="location_id", help_text="Location (home) id.")
    provider = IdFilter(field_name="provider_id", help_text="Provider id.")
    care_type = ChoiceInFilter(choices=CareType.choices, help_text="One or more care types, separated by commas.")
    source = filters.ChoiceFilter(choices=PlacementSource.choices)

    class Meta:
        model = Placement
        fields: list = []

    def filter_reference(self, queryset, name, value):
        # References are stored upper case (reference_validate).
        return queryset.filter(reference=value.strip().upper())


class HoldFilter(filters.FilterSet):
    bed_line = IdFilter(field_name="bed_line_id", help_text="Bed line id.")
    status = filters.ChoiceFilter(choices=HoldStatus.choices)

    class Meta:
        model = Hold
        fields: list = []


class ClosureFilter(filters.FilterSet):
    bed_line = IdFilter(field_name="bed_line_id", help_text="Bed line id.")
    bed_line__location = IdFilter(field_name="bed_line__location_id", help_text="Location (home) id.")
    bed_line__contract = IdFilter(field_name="bed_line__contract_id", help_text="Contract id.")

    class Meta:
        model = Closure
        fields: list = []


class VacancyReportFilter(filters.FilterSet):
    location = IdFilter(field_name="location_id", help_text="Location (home) id.")
    care_type = ChoiceInFilter(choices=CareType.choices, help_text="One or more care types, separated by commas.")
    report_date = filters.DateFilter(help_text="Reports for this day.")
    accepting_admissions = BooleanFilter()

    class Meta:
        model = VacancyReport
        fields: list = []
