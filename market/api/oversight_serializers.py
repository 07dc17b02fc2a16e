"""Serializers of the Market Oversight register and the failure responses: they parse and present; the services
(market.services.failure) check and write."""

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from contracts.models import BedLine, CareType
from contracts.selectors import MAX_RADIUS_KM
from core.query import DateField, SlugRelatedField
from geo.models import Locality
from market.models import (
    FailureReason,
    FailureResponse,
    FailureResponsePerson,
    OversightEntry,
    OversightStage,
    OversightStageChange,
)
from market.selectors.failure import ResponseProgress, response_progress
from providers.models import Location, Provider

MONEY = {"max_digits": 10, "decimal_places": 2, "coerce_to_string": False}


# --- the register ---------------------------------------------------------------------------------------------


class StageChangeSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True, allow_null=True)
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True)

    class Meta:
        model = OversightStageChange
        fields = ["stage", "stage_label", "on", "left", "note", "by", "created_at"]
        read_only_fields = fields

    def to_representation(self, change) -> dict:
        data = super().to_representation(change)
        if change.left:
            data["stage_label"] = "Left the scheme"
        return data


class OversightEntrySerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    in_scheme = serializers.SerializerMethodField()
    open_response = serializers.IntegerField(
        source="open_response_id", read_only=True, allow_null=True, help_text="The provider's open failure response."
    )

    class Meta:
        model = OversightEntry
        fields = [
            "id",
            "provider",
            "provider_name",
            "stage",
            "stage_label",
            "stage_since",
            "entered_on",
            "left_on",
            "in_scheme",
            "notes",
            "open_response",
            "updated_at",
        ]
        read_only_fields = fields

    def get_in_scheme(self, entry) -> bool:
        return entry.left_on is None


class OversightEntryDetailSerializer(OversightEntrySerializer):
    changes = StageChangeSerializer(many=True, read_only=True, help_text="Every change, latest first.")

    class Meta(OversightEntrySerializer.Meta):
        fields = [*OversightEntrySerializer.Meta.fields, "changes"]
        read_only_fields = fields


class OversightEnterSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), help_text="The provider's id.")
    stage = serializers.ChoiceField(choices=OversightStage.choices, help_text="1 to 6.")
    on = DateField(help_text="The day it entered the scheme at that stage.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class OversightNotesSerializer(serializers.Serializer):
    # Optional, as in every PATCH: a PATCH without notes changes nothing and answers the entry as it is.
    notes = serializers.CharField(allow_blank=True, required=False)


class StageSetSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=OversightStage.choices, help_text="1 to 6.")
    on = DateField(help_text="The day of the change: on or after the current stage's.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LeaveSerializer(serializers.Serializer):
    on = DateField(help_text="The day it left the scheme.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- the failure responses ------------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    on = serializers.DateField()
    people = serializers.IntegerField()
    to_move = serializers.IntegerField()
    moved = serializers.IntegerField()
    stayed = serializers.IntegerField(help_text="Stayed with a new operator of the home.")
    settled = serializers.IntegerField(help_text="moved + stayed.")
    planned = serializers.IntegerField(help_text="People the straight line to the target date has settled by `on`.")
    behind_by = serializers.IntegerField()
    status = serializers.CharField(help_text="ahead, behind or on_plan.")
    settled_percent = serializers.FloatField(allow_null=True, help_text="settled / people (0 to 1).")


class ResponseSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)
    area = serializers.CharField(source="area.code", read_only=True, allow_null=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True, allow_null=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = FailureResponse
        fields = [
            "id",
            "provider",
            "provider_name",
            "location",
            "location_name",
            "area",
            "reason",
            "reason_label",
            "opened_on",
            "target_date",
            "radius_km",
            "closed_on",
            "notes",
            "opened_by",
            "created_at",
            "progress",
        ]
        read_only_fields = fields

    def get_progress(self, response) -> ProgressSerializer:
        # The views give every response's progress, worked out at once; one alone is worked out here.
        progress: ResponseProgress | None = self.context.get("progress", {}).get(response.pk)
        if progress is None:
            progress = response_progress(response=response, on=timezone.localdate())
        return ProgressSerializer(progress).data


class ResponseOpenSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), help_text="The provider's id.")
    reason = serializers.ChoiceField(choices=FailureReason.choices)
    opened_on = DateField(required=False, help_text="Default today: the plan of that day becomes its people.")
    target_date = DateField(help_text="When everyone should have moved or been settled.")
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, help_text="Only this home of the provider fails (its id)."
    )
    area = SlugRelatedField(
        slug_field="code",
        queryset=Locality.objects.all(),
        required=False,
        help_text="Only the provider's homes in this area fail (a locality's code).",
    )
    radius_km = serializers.FloatField(
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_KM,
        help_text=f"How far a person may be moved (km; default {settings.FAILURE_RADIUS_KM:g}).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "location" in attrs and "area" in attrs:
            raise serializers.ValidationError({"area": ["Give a home (location) or an area, not both."]})
        return attrs


class ResponseUpdateSerializer(serializers.Serializer):
    target_date = DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class CloseSerializer(serializers.Serializer):
    on = DateField(required=False, help_text="The day it closed (default today).")


class ResponsePersonSerializer(serializers.ModelSerializer):
    care_type_label = serializers.SerializerMethodField()
    home = serializers.IntegerField(source="placement.location_id", read_only=True, allow_null=True)
    home_name = serializers.CharField(source="placement.location.name", read_only=True, allow_null=True)
    planned_location_name = serializers.CharField(source="planned_location.name", read_only=True, allow_null=True)
    planned_provider_name = serializers.CharField(
        source="planned_location.provider.name", read_only=True, allow_null=True
    )
    planned_bed = serializers.SerializerMethodField(help_text="block, spot, or none (no bed within the radius).")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    new_location_name = serializers.CharField(source="new_placement.location.name", read_only=True, allow_null=True)

    class Meta:
        model = FailureResponsePerson
        fields = [
            "id",
            "response",
            "reference",
            "care_type",
            "care_type_label",
            "placement",
            "home",
            "home_name",
            "planned_bed",
            "planned_bed_line",
            "planned_location",
            "planned_location_name",
            "planned_provider_name",
            "planned_distance_km",
            "status",
            "status_label",
            "settled_on",
            "new_placement",
            "new_location_name",
            "note",
        ]
        read_only_fields = fields

    def get_care_type_label(self, person) -> str:
        return CareType(person.care_type).label if person.care_type in CareType.values else "Care type not recorded"

    def get_planned_bed(self, person) -> str:
        if person.planned_bed_line_id:
            return "block"
        return "spot" if person.planned_location_id else "none"


class ResponsePersonMoveSerializer(serializers.Serializer):
    """Where the person moves: the plan's block bed when nothing is given; another block bed (`bed_line`); or a
    spot bed at a home (`location`, `weekly_cost`, and `spot_reason` when block beds of the care type are free
    nearby)."""

    on = DateField(required=False, help_text="Their last day in the failing home (default today).")
    bed_line = serializers.PrimaryKeyRelatedField(
        queryset=BedLine.objects.all(), required=False, help_text="A block line with a free bed (default the plan's)."
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, help_text="A spot bed at this home instead."
    )
    weekly_cost = serializers.DecimalField(required=False, min_value=0, **MONEY, help_text="The spot bed's price.")
    spot_reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "bed_line" in attrs and "location" in attrs:
            raise serializers.ValidationError(
                {"location": ["Give a block bed (bed_line) or a spot bed's home (location), not both."]}
            )
        if "location" in attrs and attrs.get("weekly_cost") is None:
            raise serializers.ValidationError({"weekly_cost": ["A spot bed needs its weekly price."]})
        if "weekly_cost" in attrs and "location" not in attrs:
            raise serializers.ValidationError({"location": ["A weekly price is for a spot bed: give its home."]})
        return attrs


class ResponsePersonStaySerializer(serializers.Serializer):
    on = DateField(required=False, help_text="The day the new operator took the home on (default today).")
    note = serializers.CharField(required=False, allow_blank=True, default="")
