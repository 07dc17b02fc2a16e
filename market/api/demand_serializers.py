"""Serializers of demand, pending arrangements and capacity gaps: thin, the checks are the services'."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.query import CommaChoicesField, DateField, SlugRelatedField
from geo.models import Locality
from market.models import Demand, DemandCareType, PendingArrangement
from market.selectors.gaps import STEPS
from market.selectors.waiting import wait_is_long, waiting_days
from market.services.demand import LOCALITY_KINDS

MAX_TREND = timedelta(days=3 * 366)


def _locality_field():
    return SlugRelatedField(
        slug_field="code",
        queryset=Locality.objects.filter(kind__in=LOCALITY_KINDS),
        help_text="District or ward GSS code.",
    )


class DemandSerializer(serializers.ModelSerializer):
    locality = _locality_field()
    locality_name = serializers.CharField(source="locality.name", read_only=True)
    locality_kind = serializers.CharField(source="locality.kind", read_only=True)
    unit = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id",
            "locality",
            "locality_name",
            "locality_kind",
            "care_type",
            "unit",
            "period_start",
            "period_end",
            "quantity",
            "source",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_unit(self, demand) -> str:
        return "hours_per_week" if demand.care_type == "homecare_hours" else "beds"


class PendingArrangementSerializer(serializers.ModelSerializer):
    locality = _locality_field()
    locality_name = serializers.CharField(source="locality.name", read_only=True)
    waiting_days = serializers.SerializerMethodField(help_text="Days waited so far, or until the wait ended.")
    long_wait = serializers.SerializerMethodField(help_text="Waiting (or waited) longer than PENDING_WAIT_LONG_DAYS.")

    class Meta:
        model = PendingArrangement
        fields = [
            "id",
            "reference",
            "locality",
            "locality_name",
            "care_type",
            "hours_per_week",
            "waiting_since",
            "bridging",
            "ended_on",
            "outcome",
            "waiting_days",
            "long_wait",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # one open wait per person is the service's answer (a 409 naming the reference)

    def get_waiting_days(self, pending) -> int:
        return waiting_days(pending, on=timezone.localdate())

    def get_long_wait(self, pending) -> bool:
        return wait_is_long(self.get_waiting_days(pending))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file (UTF-8) with a header row.")


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


@extend_schema_field(OpenApiTypes.STR)
class LocalityCodesField(serializers.Field):
    """Comma-separated district or ward codes; a code no district or ward has is refused, naming it."""

    def to_internal_value(self, data) -> list[Locality]:
        codes = [code.strip().upper() for code in str(data).split(",") if code.strip()]
        if not codes:
            raise serializers.ValidationError("Give one or more district or ward codes, comma-separated.")
        found = {
            locality.code: locality
            for locality in Locality.objects.filter(code__in=codes, kind__in=LOCALITY_KINDS).select_related("parent")
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(f"No district or ward has the code(s) {', '.join(unknown)}.")
        return list(dict.fromkeys(found[code] for code in codes))

    def to_representation(self, value):
        return ",".join(locality.code for locality in value)


def CareTypesField(**kwargs) -> CommaChoicesField:  # noqa: N802 (a field, named like one)
    return CommaChoicesField(choices=DemandCareType.values, noun="care type", **kwargs)


class GapQuery(serializers.Serializer):
    on = DateField(required=False, help_text="The day (default today).")
    locality = LocalityCodesField(
        required=False, help_text="District or ward codes, comma-separated (default: every district)."
    )
    care_type = CareTypesField(required=False, help_text="Care types, comma-separated (default: all).")


class GapTrendQuery(serializers.Serializer):
    start = DateField(help_text="First day.")
    end = DateField(help_text="Last day (at most three years after the start).")
    step = serializers.ChoiceField(choices=list(STEPS), default="month", help_text="Points at month or quarter ends.")
    locality = LocalityCodesField(
        required=False, help_text="District or ward codes, comma-separated (default: every district)."
    )
    care_type = CareTypesField(required=False, help_text="Care types, comma-separated (default: all).")

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["end is before start."]})
        if data["end"] - data["start"] > MAX_TREND:
            raise serializers.ValidationError({"end": ["A trend covers at most three years."]})
        return data


def _figure(**kwargs):
    # Figures are worked out to a tenth (market.selectors.gaps) and answered as JSON numbers; a FloatField
    # writes them several times faster than a DecimalField, which matters over 2,000 rows.
    return serializers.FloatField(**kwargs)


class GapSerializer(serializers.Serializer):
    locality_code = serializers.CharField()
    locality_name = serializers.CharField()
    locality_kind = serializers.CharField()
    district_code = serializers.CharField(allow_null=True)
    care_type = serializers.CharField()
    unit = serializers.CharField(help_text="beds, or hours_per_week for homecare.")
    demand = _figure()
    waiting = serializers.IntegerField(help_text="People waiting (pending arrangements).")
    waiting_long = serializers.IntegerField(help_text="Of them, waiting longer than PENDING_WAIT_LONG_DAYS.")
    waiting_need = _figure(help_text="Beds (one a person) or hours a week the people waiting need.")
    block_beds = _figure(help_text="Active contracted block beds less closures.")
    void_beds = _figure(help_text="Of the block beds, those free (void); already in block_beds.")
    spot_vacancies = _figure(help_text="Fresh spot vacancies providers reported.")
    homecare_hours = _figure(help_text="Homecare hours a week contracted through lots.")
    micro_enterprise_hours = _figure(help_text="Hours a week delivered by micro-enterprises.")
    supply = _figure(help_text="block_beds + spot_vacancies + homecare_hours + micro_enterprise_hours.")
    gap = _figure(help_text="demand + waiting_need − supply; negative is spare capacity.")


class GapAnswerSerializer(serializers.Serializer):
    on = serializers.DateField()
    long_wait_days = serializers.IntegerField()
    rows = GapSerializer(many=True)


class GapPointSerializer(serializers.Serializer):
    on = serializers.DateField()
    demand = _figure()
    waiting = serializers.IntegerField()
    waiting_need = _figure()
    supply = _figure()
    gap = _figure()


class GapSeriesSerializer(serializers.Serializer):
    locality_code = serializers.CharField()
    locality_name = serializers.CharField()
    locality_kind = serializers.CharField()
    care_type = serializers.CharField()
    unit = serializers.CharField()
    points = GapPointSerializer(many=True)


class GapTrendSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    step = serializers.CharField()
    series = GapSeriesSerializer(many=True)


class WaitsRowSerializer(serializers.Serializer):
    locality_code = serializers.CharField()
    locality_name = serializers.CharField()
    locality_kind = serializers.CharField()
    care_type = serializers.CharField()
    waiting = serializers.IntegerField()
    waiting_long = serializers.IntegerField()


class WaitsSerializer(serializers.Serializer):
    on = serializers.DateField()
    long_wait_days = serializers.IntegerField()
    rows = WaitsRowSerializer(many=True)
