import django_filters as filters

from providers.models import Direction, Location, Provider, Question, RatingChange, RegistrationStatus


class RatingInFilter(filters.BaseInFilter, filters.CharFilter):
    pass


class LocationFilter(filters.FilterSet):
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")
    district = filters.CharFilter(field_name="district__code", help_text="District GSS code, e.g. E07000010.")
    ward = filters.CharFilter(field_name="ward__code", help_text="Ward GSS code.")
    care_home = filters.BooleanFilter()
    service_type = filters.CharFilter(
        field_name="service_types", lookup_expr="icontains", help_text="Part of a CQC service type, e.g. nursing."
    )
    specialism = filters.CharFilter(
        field_name="specialisms", lookup_expr="icontains", help_text="Part of a specialism, e.g. Dementia."
    )
    rating = RatingInFilter(
        field_name="current_rating__overall",
        help_text="Current overall rating; several separated by commas, e.g. Inadequate,Requires improvement.",
    )
    registration_status = filters.ChoiceFilter(choices=RegistrationStatus.choices)
    dormant = filters.BooleanFilter()
    provider = filters.NumberFilter(field_name="provider_id")
    local_authority = filters.CharFilter(field_name="local_authority", lookup_expr="iexact")
    stops_admissions = filters.BooleanFilter(
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
    care_home = filters.BooleanFilter(method="filter_locations", help_text="Has a care home location (or not).")
    service_type = filters.CharFilter(method="filter_locations", help_text="Has a location of this service type.")
    specialism = filters.CharFilter(method="filter_locations", help_text="Has a location with this specialism.")
    rating = RatingInFilter(method="filter_locations", help_text="Has a location currently rated this (overall).")

    LOCATION_LOOKUPS = {
        "district": "district__code",
        "ward": "ward__code",
        "care_home": "care_home",
        "service_type": "service_types__icontains",
        "specialism": "specialisms__icontains",
        "rating": "current_rating__overall__in",
    }

    class Meta:
        model = Provider
        fields = []

    def filter_locations(self, queryset, name, value):
        # A subquery rather than a join, so a provider with many matching locations appears once.
        matching = Location.objects.filter(**{self.LOCATION_LOOKUPS[name]: value}).values("provider_id")
        return queryset.filter(pk__in=matching)


class RatingChangeFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="gte")
    question = filters.ChoiceFilter(choices=Question.choices)
    direction = filters.ChoiceFilter(choices=Direction.choices)
    district = filters.CharFilter(field_name="location__district__code")
    location = filters.NumberFilter(field_name="location_id")
    provider = filters.NumberFilter(field_name="provider_id")
    to_value = filters.CharFilter()

    class Meta:
        model = RatingChange
        fields = []
