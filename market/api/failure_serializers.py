"""Query parameters and answer of a provider failure what-if (market.selectors.failure)."""

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from contracts.selectors import MAX_RADIUS_KM
from core.query import BooleanField
from geo.models import Locality
from providers.models import Location

MONEY = {"max_digits": 16, "decimal_places": 2}


class FailureQuery(serializers.Serializer):
    """Which part of the provider fails and on what day. The provider is in the address (context["provider"])."""

    on = serializers.DateField(required=False, help_text="The day it fails (default today).")
    home = serializers.IntegerField(required=False, help_text="Only this home of the provider fails (its id).")
    area = serializers.CharField(
        required=False, max_length=20, help_text="Only the provider's homes in this area fail (a locality's code)."
    )
    radius_km = serializers.FloatField(
        required=False, min_value=1, max_value=MAX_RADIUS_KM, help_text="How far a person may be moved (km)."
    )
    include_restricted = BooleanField(
        required=False, help_text="Offer beds at Inadequate and no-admissions homes too (default false)."
    )
    market_after = BooleanField(
        required=False,
        help_text="Also work out the capacity gaps and concentration in its districts without the provider "
        "(default false: they take longer than the plan).",
    )

    def validate_home(self, value: int) -> Location:
        home = Location.objects.filter(pk=value, provider=self.context["provider"]).first()
        if home is None:
            raise serializers.ValidationError(f"The provider has no home with the id {value}.")
        return home

    def validate_area(self, value: str) -> Locality:
        area = Locality.objects.filter(code=value.strip().upper()).first()
        if area is None:
            raise serializers.ValidationError(f"No locality has the code {value}.")
        return area

    def validate(self, attrs):
        if "home" in attrs and "area" in attrs:
            raise serializers.ValidationError({"area": ["Give a home or an area, not both."]})
        return attrs

    @staticmethod
    def arguments(data: dict) -> dict:
        return {
            "on": data.get("on") or timezone.localdate(),
            "location": data.get("home"),
            "area": data.get("area"),
            "radius_km": data.get("radius_km") or settings.FAILURE_RADIUS_KM,
            "include_restricted": bool(data.get("include_restricted")),
            "market_after": bool(data.get("market_after")),
        }


class PersonSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    care_type = serializers.CharField()
    location_id = serializers.IntegerField()
    location = serializers.CharField()
    district = serializers.CharField()
    weekly_cost = serializers.DecimalField(allow_null=True, **MONEY)


class BedSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="block: a free block bed; spot: a reported vacancy to buy.")
    location_id = serializers.IntegerField()
    location = serializers.CharField()
    provider = serializers.CharField()
    district = serializers.CharField()
    care_type = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    bed_line_id = serializers.IntegerField(allow_null=True)


class MoveSerializer(serializers.Serializer):
    person = PersonSerializer()
    bed = BedSerializer(allow_null=True, help_text="Empty: no bed within the radius (the shortfall).")
    distance_km = serializers.FloatField(allow_null=True)
    weekly_cost_after = serializers.DecimalField(allow_null=True, **MONEY)

    def to_representation(self, move) -> dict:
        """What the declared fields give (tests.market.test_failure_what_if compares the two), built directly: the
        plan of a large provider is tens of thousands of moves, and the generic walk over nested fields took
        longer than working the plan out."""
        money = self.fields["weekly_cost_after"]
        person, bed = move.person, move.bed
        return {
            "person": {
                "reference": str(person.reference),
                "kind": str(person.kind),
                "care_type": str(person.care_type),
                "location_id": int(person.location_id),
                "location": str(person.location),
                "district": str(person.district),
                "weekly_cost": None if person.weekly_cost is None else money.to_representation(person.weekly_cost),
            },
            "bed": None
            if bed is None
            else {
                "group": str(bed.group),
                "location_id": int(bed.location_id),
                "location": str(bed.location),
                "provider": str(bed.provider),
                "district": str(bed.district),
                "care_type": str(bed.care_type),
                "latitude": float(bed.latitude),
                "longitude": float(bed.longitude),
                "bed_line_id": None if bed.bed_line_id is None else int(bed.bed_line_id),
            },
            "distance_km": None if move.distance_km is None else float(move.distance_km),
            "weekly_cost_after": None
            if move.weekly_cost_after is None
            else money.to_representation(move.weekly_cost_after),
        }


class CountSerializer(serializers.Serializer):
    care_type = serializers.CharField()
    care_type_label = serializers.CharField()
    district = serializers.CharField()
    people = serializers.IntegerField()


class HomeSerializer(serializers.Serializer):
    location_id = serializers.IntegerField()
    location = serializers.CharField()
    postcode = serializers.CharField()
    district = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    people = serializers.IntegerField()


class OtherProviderSerializer(serializers.Serializer):
    provider = serializers.CharField()
    hours_per_week = serializers.DecimalField(max_digits=10, decimal_places=2)


class HomecareWardSerializer(serializers.Serializer):
    ward = serializers.CharField()
    district = serializers.CharField()
    people = serializers.IntegerField()
    hours_per_week = serializers.DecimalField(max_digits=10, decimal_places=2)
    others = OtherProviderSerializer(many=True)


class OtherResidentsSerializer(serializers.Serializer):
    location = serializers.CharField()
    registered_beds = serializers.IntegerField(allow_null=True)
    council_people = serializers.IntegerField()
    reported_vacancies = serializers.IntegerField()
    estimate = serializers.IntegerField(allow_null=True)


class GapChangeSerializer(serializers.Serializer):
    district = serializers.CharField(source="gap.locality_name")
    care_type = serializers.CharField(source="gap.care_type")
    unit = serializers.CharField(source="gap.unit")
    before = serializers.DecimalField(max_digits=12, decimal_places=1)
    after = serializers.DecimalField(max_digits=12, decimal_places=1)


class ConcentrationSerializer(serializers.Serializer):
    district = serializers.CharField()
    care_type = serializers.CharField()
    beds_before = serializers.IntegerField()
    hhi_before = serializers.FloatField(allow_null=True)
    beds_after = serializers.IntegerField()
    hhi_after = serializers.FloatField(allow_null=True)


class WhatIfSerializer(serializers.Serializer):
    provider = serializers.CharField(source="provider.name")
    on = serializers.DateField()
    radius_km = serializers.FloatField()
    include_restricted = serializers.BooleanField()
    headline = serializers.CharField()
    people = serializers.IntegerField()
    homes = HomeSerializer(many=True)
    affected = CountSerializer(many=True, source="affected_by_care_type_and_district")
    shortfall = CountSerializer(many=True)
    plan = MoveSerializer(many=True, source="moves")
    total_distance_km = serializers.FloatField()
    cost_today = serializers.DecimalField(help_text="Weekly, of the people the plan places.", **MONEY)
    cost_plan = serializers.DecimalField(help_text="Weekly, of the same people in the plan.", **MONEY)
    cost_difference = serializers.DecimalField(**MONEY)
    unpriced = serializers.IntegerField(help_text="People placed whose cost now or in the plan is not known.")
    spot_beds_to_buy = serializers.IntegerField()
    homecare = HomecareWardSerializer(many=True)
    homecare_people = serializers.IntegerField()
    homecare_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    other_residents = OtherResidentsSerializer(many=True)
    other_residents_estimate = serializers.IntegerField()
    other_residents_method = serializers.SerializerMethodField()
    market_after = serializers.BooleanField(
        help_text="Whether the market after was asked for (market_after=true); its two lists are empty if not."
    )
    capacity_gaps_after = GapChangeSerializer(many=True, source="gaps_after")
    concentration = ConcentrationSerializer(many=True)

    def get_other_residents_method(self, answer) -> str:
        from market.selectors.failure import OTHER_RESIDENTS_METHOD

        return OTHER_RESIDENTS_METHOD
