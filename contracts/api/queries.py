"""Query parameters of the contracts reads that are not list filters (`on`, the void report's period, the bed
finder's search), parsed into typed values with core.query.query_parse so that drf-spectacular documents
them and the selectors get dates, a Locality and a care type, never the request."""

import math

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.models import CareType, Contract
from contracts.selectors import MAX_RADIUS_KM, VOID_GROUPS, BedSearch
from core.query import BooleanField, DateField
from geo.api.fields import LocalityCodeField, PostcodeField
from geo.models import LocalityKind
from geo.selectors import geocode


def _with_from(fields: dict, field: serializers.Field) -> dict:
    """`from` is a Python keyword, so it cannot be declared as a class attribute; it is added here, first."""
    return {"from": field, **fields}


class OnQuery(serializers.Serializer):
    on = DateField(required=False, help_text="The day the beds, rate or counts are for (default today).")


class VoidReportQuery(serializers.Serializer):
    to = DateField(help_text="Last day of the period (inclusive).")
    group_by = serializers.ChoiceField(choices=list(VOID_GROUPS), default="line")
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, help_text="Only this contract's lines (id)."
    )
    district = LocalityCodeField(kind=LocalityKind.DISTRICT, required=False)
    care_type = serializers.ChoiceField(choices=CareType.choices, required=False)

    def get_fields(self):
        return _with_from(super().get_fields(), DateField(help_text="First day of the period."))

    @staticmethod
    def arguments(data: dict) -> dict:
        """The parsed parameters as selectors.void_report's keyword arguments."""
        return {
            "start": data["from"],
            "end": data["to"],
            "group_by": data["group_by"],
            "contract": data.get("contract"),
            "district": data.get("district"),
            "care_type": data.get("care_type"),
        }


@extend_schema_field({"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_RADIUS_KM})
class RadiusField(serializers.FloatField):
    """Kilometres from a postcode: more than 0 and at most MAX_RADIUS_KM (checked in validate_radius_km)."""


class BedSearchQuery(serializers.Serializer):
    care_type = serializers.ChoiceField(choices=CareType.choices)
    postcode = PostcodeField(required=False, help_text="Search around this postcode (or give district).")
    radius_km = RadiusField(
        required=False,
        help_text=f"With a postcode: how far to look, more than 0 and at most {MAX_RADIUS_KM} (default 20).",
    )
    district = LocalityCodeField(
        kind=LocalityKind.DISTRICT,
        required=False,
        help_text="District GSS code, instead of a postcode: every home in the district.",
    )
    include_restricted = BooleanField(default=False, help_text="Include Inadequate / no-admissions homes, marked.")
    include_spot = BooleanField(default=False, help_text="Add provider-reported spot vacancies as a second group.")
    limit = serializers.IntegerField(
        min_value=1, max_value=500, default=100, help_text="At most this many results per group."
    )

    def get_fields(self):
        return _with_from(
            super().get_fields(), DateField(required=False, help_text="Free on this day (default today).")
        )

    def validate_radius_km(self, value: float) -> float:
        if not math.isfinite(value) or not 0 < value <= MAX_RADIUS_KM:
            raise serializers.ValidationError(f"radius_km must be more than 0 and at most {MAX_RADIUS_KM}.")
        return value

    def validate(self, attrs):
        if ("postcode" in attrs) == ("district" in attrs):
            raise serializers.ValidationError(
                {"postcode": ["Give either a postcode or a district code (one of them)."]}
            )
        if "district" in attrs and "radius_km" in attrs:
            # A district search takes every home in the district: it has no centre for a radius to be from.
            raise serializers.ValidationError(
                {"radius_km": ["radius_km goes with a postcode; a district search covers the whole district."]}
            )
        return attrs

    @staticmethod
    def search(data: dict) -> BedSearch:
        """The parsed parameters as the bed finder's typed search (the postcode geocoded: unknown is a 400)."""
        search = BedSearch(
            care_type=data["care_type"],
            on=data.get("from") or timezone.localdate(),
            include_restricted=data["include_restricted"],
            include_spot=data["include_spot"],
            limit=data["limit"],
        )
        if "district" in data:
            search.district = data["district"]
        else:
            point = geocode(data["postcode"], field="postcode")
            search.latitude, search.longitude, search.postcode = point.latitude, point.longitude, point.postcode
            search.radius_km = data.get("radius_km", 20.0)
        return search
