from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from accounts.permissions import allow
from core.query import BooleanField, query_parse
from providers import capabilities as caps
from providers import selectors
from providers.api import export
from providers.api.filters import LocationFilter, ProviderFilter, RatingChangeFilter
from providers.api.serializers import (
    LocationDetailSerializer,
    LocationSerializer,
    ProviderDetailSerializer,
    ProviderSerializer,
    RatingChangeSerializer,
    RatingSerializer,
    RegistrationEventSerializer,
)

CSV_RESPONSE = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The filtered list as CSV.")}
# A location's own history: the list filters, search and ordering would not apply to it (and must not stop
# get_object finding the location).
LOCATION_HISTORY = {
    "detail": True,
    "methods": ["get"],
    "filterset_class": None,
    "search_fields": [],
    "ordering_fields": [],
}


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Providers (CQC-registered or not). Provider users see only their own."""

    permission_classes = [allow(read=caps.READ_PROVIDERS)]
    filterset_class = ProviderFilter
    search_fields = ["name", "cqc_provider_id", "brand"]
    ordering_fields = ["name", "registration_date"]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.provider_detail_queryset(user=self.request.user)
        return selectors.providers_list(user=self.request.user)

    def get_serializer_class(self):
        return ProviderDetailSerializer if self.action == "retrieve" else ProviderSerializer

    @extend_schema(summary="The filtered providers as a CSV file (no paging).", responses=CSV_RESPONSE)
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        return export.csv_response(
            queryset=self.filter_queryset(self.get_queryset()), columns=export.PROVIDER_COLUMNS, filename="providers"
        )


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Care homes, home care agencies and other service sites, with their current CQC rating."""

    permission_classes = [allow(read=caps.READ_PROVIDERS)]
    filterset_class = LocationFilter
    search_fields = ["name", "postcode", "cqc_location_id", "provider__name"]
    ordering_fields = ["name", "registered_beds", "current_rating__report_date"]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.location_detail_queryset(user=self.request.user)
        return selectors.locations_list(user=self.request.user)

    def get_serializer_class(self):
        return LocationDetailSerializer if self.action == "retrieve" else LocationSerializer

    def _paged(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(summary="The location's rating history, newest first.", responses=RatingSerializer(many=True))
    @action(**LOCATION_HISTORY)
    def ratings(self, request, pk=None):
        return self._paged(selectors.ratings_of(location=self.get_object()), RatingSerializer)

    @extend_schema(
        summary="Changes of the location's rating (overall and key questions), newest first.",
        responses=RatingChangeSerializer(many=True),
    )
    @action(url_path="rating-changes", **LOCATION_HISTORY)
    def rating_changes(self, request, pk=None):
        return self._paged(selectors.rating_changes_of(location=self.get_object()), RatingChangeSerializer)

    @extend_schema(
        summary="Registration events of the location (registered, deregistered, dormant).",
        responses=RegistrationEventSerializer(many=True),
    )
    @action(url_path="registration-events", **LOCATION_HISTORY)
    def registration_events(self, request, pk=None):
        return self._paged(selectors.registration_events_of(location=self.get_object()), RegistrationEventSerializer)

    @extend_schema(summary="The filtered locations as a CSV file (no paging).", responses=CSV_RESPONSE)
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        return export.csv_response(
            queryset=self.filter_queryset(self.get_queryset()), columns=export.LOCATION_COLUMNS, filename="locations"
        )


class RatingChangeQuery(serializers.Serializer):
    include_historic = BooleanField(
        default=False,
        help_text="Also list historic changes: those found while a location's rating history was loaded for the "
        "first time (a first CQC sync or the first file that saw it). Left out by default: they are not news.",
    )


class RatingChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Every detected change of a current CQC rating, newest first (`?since=` for what is new). Changes found
    while a location's history was first loaded are left out unless `include_historic=true`."""

    permission_classes = [allow(read=caps.READ_PROVIDERS)]
    serializer_class = RatingChangeSerializer
    filterset_class = RatingChangeFilter
    query_serializer_class = RatingChangeQuery
    search_fields = ["location__name", "provider__name"]
    ordering_fields = ["detected_at", "report_date"]

    def get_queryset(self):
        if self.action == "list":
            include_historic = query_parse(self.request, RatingChangeQuery, only=False)["include_historic"]
        else:
            include_historic = True  # a change is found by its id whatever it is
        return selectors.rating_changes_since(user=self.request.user, include_historic=include_historic)

    @extend_schema(parameters=[RatingChangeQuery])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
