from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geo.models import Locality
from providers.models import Condition, Location, LocationReport, Provider, Rating, RatingChange, RegistrationEvent


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Locality
        fields = ["id", "code", "name"]


class ProviderBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "cqc_provider_id", "name"]


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = [
            "id",
            "overall",
            "safe",
            "effective",
            "caring",
            "responsive",
            "well_led",
            "report_date",
            "report_link_id",
            "source",
        ]


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["id", "text", "stops_admissions", "imposed_on", "lifted_on", "source"]


class LocationReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocationReport
        fields = ["link_id", "report_date", "report_type", "first_visit_date"]


class LocationBriefSerializer(serializers.ModelSerializer):
    current_rating = serializers.CharField(source="current_rating.overall", default=None, allow_null=True)

    class Meta:
        model = Location
        fields = ["id", "cqc_location_id", "name", "postcode", "care_home", "registered_beds", "current_rating"]


class LocationSerializer(serializers.ModelSerializer):
    provider = ProviderBriefSerializer()
    district = PlaceSerializer(allow_null=True)
    ward = PlaceSerializer(allow_null=True)
    current_rating = RatingSerializer(allow_null=True)
    stops_admissions = serializers.BooleanField(
        read_only=True, help_text="A condition in force stops new admissions or new work."
    )

    class Meta:
        model = Location
        fields = [
            "id",
            "cqc_location_id",
            "name",
            "provider",
            "town",
            "postcode",
            "latitude",
            "longitude",
            "district",
            "ward",
            "care_home",
            "registered_beds",
            "service_types",
            "specialisms",
            "registration_status",
            "dormant",
            "current_rating",
            "stops_admissions",
        ]


class LocationDetailSerializer(LocationSerializer):
    active_conditions = ConditionSerializer(many=True, read_only=True)
    reports = LocationReportSerializer(many=True, read_only=True, help_text="CQC inspection reports, newest first.")

    class Meta(LocationSerializer.Meta):
        fields = [
            *LocationSerializer.Meta.fields,
            "address_line_1",
            "address_line_2",
            "county",
            "local_authority",
            "region",
            "location_type",
            "regulated_activities",
            "service_user_bands",
            "registration_date",
            "deregistration_date",
            "registered_manager_absent_date",
            "active_conditions",
            "reports",
            "updated_at",
        ]


class ProviderSerializer(serializers.ModelSerializer):
    location_count = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "cqc_provider_id",
            "name",
            "organisation_type",
            "companies_house_number",
            "brand",
            "size_band",
            "registration_status",
            "registration_date",
            "deregistration_date",
            "location_count",
        ]


class ProviderDetailSerializer(ProviderSerializer):
    locations = LocationBriefSerializer(many=True, read_only=True)

    class Meta(ProviderSerializer.Meta):
        fields = [*ProviderSerializer.Meta.fields, "locations"]


class RatingChangeSerializer(serializers.ModelSerializer):
    location = serializers.SerializerMethodField()
    provider = ProviderBriefSerializer()

    class Meta:
        model = RatingChange
        fields = [
            "id",
            "location",
            "provider",
            "question",
            "from_value",
            "to_value",
            "direction",
            "report_date",
            "source",
            "historic",
            "detected_at",
        ]

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
    def get_location(self, change: RatingChange) -> dict:
        return {"id": change.location_id, "name": change.location.name}


class RegistrationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegistrationEvent
        fields = ["id", "kind", "on", "source", "detected_at"]
