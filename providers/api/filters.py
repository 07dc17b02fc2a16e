import json

import django_filters as filters
from django.db import connection
from django.db.models import Q

from core.query import BooleanFilter, ChoiceInFilter, IdFilter, IsoDateTimeFilter
from geo.api.fields import LocalityCodeFilter, locality_code_check
from geo.models import LocalityKind
from providers.models import Direction, Location, Provider, Question, RatingChange, RatingValue, RegistrationStatus

# CQC's names, as the sync and the files store them (the service types are gacServiceTypes descriptions).
SERVICE_TYPES = (
    "Care home service with nursing",
    "Care home service without nursing",
    "Domiciliary care service",
    "Supported living service",
    "Extra Care housing services",
    "Shared Lives",
    "Community health care services",
    "Hospice services",
    "Rehabilitation services",
    "Specialist college service",
)
SPECIALISMS = (
    "Dementia",
    "Caring for adults over 65 yrs",
    "Caring for adults under 65 yrs",
    "Physical disabilities",
    "Learning disabilities",
    "Mental health conditions",
    "Sensory impairments",
    "Substance misuse problems",
    "Eating disorders",
    "Caring for people whose rights are restricted under the Mental Health Act",
    "Caring for children (0 - 18yrs)",
    "Whole population",
)


def list_element_q(field: str, value: str) -> Q:
    """Rows whose JSON list `field` holds `value` as one whole element, ignoring case, on PostgreSQL and SQLite
    alike: the element is looked for with its quotes in the list's JSON text, so "nursing" does not match
    "Care home service without nursing" (JSON containment would be exact-case and has no SQLite form)."""
    # SQLite keeps the text as json.dumps wrote it (non-ASCII escaped); PostgreSQL prints jsonb unescaped.
    element = json.dumps(value.strip(), ensure_ascii=connection.vendor != "postgresql")
    return Q(**{f"{field}__icontains": element})


def _values(examples: tuple[str, ...]) -> str:
    return "; ".join(examples)


class ListElementFilter(filters.CharFilter):
    """One whole element of a JSON list field, ignoring case."""

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(list_element_q(self.field_name, value))


SERVICE_TYPE_HELP = f"A CQC service type, whole and ignoring case, e.g. {_values(SERVICE_TYPES)}."
SPECIALISM_HELP = f"A CQC specialism, whole and ignoring case, e.g. {_values(SPECIALISMS)}."
RATING_HELP = "Current overall rating; several separated by commas, e.g. Inadequate,Requires improvement."


class LocationFilter(filters.FilterSet):
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")
    district = LocalityCodeFilter(
        field_name="district__code",
        kind=LocalityKind.DISTRICT,
        param="district",
        help_text="District GSS code, e.g. E07000010.",
    )
    ward = LocalityCodeFilter(field_name="ward__code", kind=LocalityKind.WARD, param="ward", help_text="Ward GSS code.")
    care_home = BooleanFilter(help_text="true: care homes only; false: other services only.")
    service_type = ListElementFilter(field_name="service_types", help_text=SERVICE_TYPE_HELP)
    specialism = ListElementFilter(field_name="specialisms", help_text=SPECIALISM_HELP)
    rating = ChoiceInFilter(field_name="current_rating__overall", choices=RatingValue.choices, help_text=RATING_HELP)
    registration_status = filters.ChoiceFilter(choices=RegistrationStatus.choices)
    dormant = BooleanFilter()
    provider = IdFilter(field_name="provider_id")
    local_authority = filters.CharFilter(field_name="local_authority", lookup_expr="iexact")
    stops_admissions = BooleanFilter(
        field_name="stops_admissions", help_text="Has a condition in force that stops new admissions or work."
    )

    class Meta:
        model = Location
        fields = []


class ProviderFilter(filters.FilterSet):
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")
    registration_status = filters.ChoiceFilter(choices=RegistrationStatus.choices)
    district = filters.CharFilter(method="filter_locations", help_text="Has a location in this district (code).")
    ward = filters.CharFilter(method="filter_locations", help_text="Has a location in this ward (code).")
    care_home = BooleanFilter(method="filter_locations", help_text="Has a care home location (or not).")
    service_type = filters.CharFilter(
        method="filter_locations", help_text=f"Has a location of this service type. {SERVICE_TYPE_HELP}"
    )
    specialism = filters.CharFilter(
        method="filter_locations", help_text=f"Has a location with this specialism. {SPECIALISM_HELP}"
    )
    rating = ChoiceInFilter(
        method="filter_locations",
        choices=RatingValue.choices,
        help_text="Has a location currently rated this (overall); several separated by commas.",
    )

    LOCATION_LOOKUPS = {
        "district": lambda value: Q(district__code=value),
        "ward": lambda value: Q(ward__code=value),
        "care_home": lambda value: Q(care_home=value),
        "service_type": lambda value: list_element_q("service_types", value),
        "specialism": lambda value: list_element_q("specialisms", value),
        "rating": lambda value: Q(current_rating__overall__in=value),
    }

    class Meta:
        model = Provider
        fields = []

    def filter_locations(self, queryset, name, value):
        if name in ("district", "ward"):
            value = locality_code_check(value, kind=name, param=name).code
        # A subquery rather than a join, so a provider with many matching locations appears once.
        matching = Location.objects.filter(self.LOCATION_LOOKUPS[name](value)).values("provider_id")
        return queryset.filter(pk__in=matching)


class RatingChangeFilter(filters.FilterSet):
    since = IsoDateTimeFilter(field_name="detected_at", lookup_expr="gte")
    question = filters.ChoiceFilter(choices=Question.choices)
    direction = filters.ChoiceFilter(choices=Direction.choices)
    district = LocalityCodeFilter(
        field_name="location__district__code",
        kind=LocalityKind.DISTRICT,
        param="district",
        help_text="District GSS code.",
    )
    location = IdFilter(field_name="location_id")
    provider = IdFilter(field_name="provider_id")
    to_value = filters.ChoiceFilter(choices=RatingValue.choices)

    class Meta:
        model = RatingChange
        fields = []
