import inspect

from rest_framework import serializers

from contracts.models import (
    BedLine,
    BreakDecision,
    CareType,
    Closure,
    Contract,
    Hold,
    Placement,
    PlacementEndReason,
    RateChange,
    VacancyReport,
)
from contracts.services import vacancy_report_record
from contracts.services.register import BREAK_DECISION_FIELDS, CONTRACT_FIELDS
from core.query import SlugRelatedField
from geo.models import Locality, LocalityKind
from providers.models import Location, Provider


class ContractSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    bed_line_count = serializers.IntegerField(read_only=True)
    active_beds = serializers.IntegerField(read_only=True)
    # Declared so the schema says what an undecided break reads: "" (a read-only model field loses allow_blank).
    break_decision = serializers.ChoiceField(choices=BreakDecision.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            *CONTRACT_FIELDS,
            *BREAK_DECISION_FIELDS,
            "provider_name",
            "bed_line_count",
            "active_beds",
            "created_at",
            "updated_at",
        ]
        # The break decision is recorded through .../break-decision/ (contract_break_decide), not by an edit.
        read_only_fields = [*BREAK_DECISION_FIELDS, "created_at", "updated_at"]
        # Uniqueness is the service's answer (409), not a serializer's.
        validators: list = []
        extra_kwargs = {"reference": {"validators": []}}


class BedLineSerializer(serializers.ModelSerializer):
    weekly_rate = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Rate on the given day: null on a day before the line's first rate. Required when adding a line.",
    )
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)
    contracted_beds = serializers.IntegerField(read_only=True)
    placed_beds = serializers.IntegerField(read_only=True)
    closed_beds = serializers.IntegerField(read_only=True)
    held_beds = serializers.IntegerField(read_only=True)
    void_beds = serializers.IntegerField(read_only=True)
    free_beds = serializers.IntegerField(read_only=True)

    class Meta:
        model = BedLine
        fields = [
            "id",
            "contract",
            "contract_reference",
            "location",
            "location_name",
            "care_type",
            "beds",
            "activation_date",
            "end_date",
            "weekly_rate",
            "contracted_beds",
            "placed_beds",
            "closed_beds",
            "held_beds",
            "void_beds",
            "free_beds",
            "notes",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # the rate changes only through rate changes once a line exists
            fields["weekly_rate"].read_only = True
            fields["contract"].read_only = True
            fields["location"].read_only = True
        return fields


class RateChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateChange
        fields = [
            "id",
            "bed_line",
            "effective_from",
            "weekly_rate",
            "reason",
            "uplift_percent",
            "nlw_percent",
            "cpi_percent",
            "created_at",
        ]
        read_only_fields = ["uplift_percent", "nlw_percent", "cpi_percent", "created_at"]
        validators: list = []


class UpliftSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    nlw_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    cpi_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), required=False, allow_null=True)


class PlacementSerializer(serializers.ModelSerializer):
    # Declared so the schema says what a placement still running reads: "" (a read-only model field loses
    # allow_blank).
    end_reason = serializers.ChoiceField(choices=PlacementEndReason.choices, allow_blank=True, read_only=True)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True)
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), required=False, allow_null=True)
    home_ward = SlugRelatedField(
        slug_field="code",
        queryset=Locality.objects.filter(kind=LocalityKind.WARD),
        required=False,
        allow_null=True,
        help_text="GSS code of the ward the person lives in (homecare and direct payments).",
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "reference",
            "service",
            "kind",
            "bed_line",
            "location",
            "provider",
            "home_ward",
            "care_type",
            "start_date",
            "end_date",
            "weekly_cost",
            "hours_per_week",
            "source",
            "end_reason",
            "spot_reason",
            "block_rate_passed_over",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["end_reason", "block_rate_passed_over", "created_at", "updated_at"]
        extra_kwargs = {
            "service": {"required": False},
            "spot_reason": {
                "help_text": "Why a spot bed is bought while a block bed of its care type is free within "
                "AVOIDABLE_SPOT_RADIUS_KM on its first day (required then: 409 block_beds_free without it)."
            },
        }


class PlacementUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Placement
        fields = ["end_date", "weekly_cost", "hours_per_week", "source"]


class BreakDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=BreakDecision.choices)
    decided_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlacementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=PlacementEndReason.choices, required=False, allow_blank=True)


class HoldSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = ["id", "bed_line", "reference", "start_date", "status", "expires_at", "active", "placement"]
        read_only_fields = ["status", "expires_at", "placement"]

    def get_active(self, hold: Hold) -> bool:
        return hold.is_active()


class HoldConvertSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["block", "respite", "emergency"], default="block")
    end_date = serializers.DateField(required=False, allow_null=True)
    source = serializers.ChoiceField(choices=Placement._meta.get_field("source").choices, default="community")


class ClosureSerializer(serializers.ModelSerializer):
    beds = serializers.IntegerField(required=False, min_value=1, help_text="Defaults to every bed of the line.")

    class Meta:
        model = Closure
        fields = ["id", "bed_line", "beds", "start_date", "end_date", "reason", "created_at"]
        read_only_fields = ["created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["bed_line"].read_only = True
        return fields


class HomeClosureSerializer(serializers.Serializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.filter(care_home=True))
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Last day: a 28-day closure from 1 March ends on 28 March.")
    reason = serializers.CharField(max_length=200)


def _service_default(service, argument: str):
    """The default a service gives an argument, so a serializer that leaves it out documents the same one."""
    return inspect.signature(service).parameters[argument].default


class VacancyReportSerializer(serializers.ModelSerializer):
    care_type = serializers.ChoiceField(choices=CareType.choices)
    # Left out, the service's own default applies (a home that reports vacancies is taking people).
    accepting_admissions = serializers.BooleanField(
        required=False, default=_service_default(vacancy_report_record, "accepting_admissions")
    )

    class Meta:
        model = VacancyReport
        fields = ["id", "location", "report_date", "care_type", "vacant_beds", "accepting_admissions", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []


class VacancyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: location, date, care_type, vacant_beds, accepting_admissions.")


class ReportingStatusSerializer(serializers.Serializer):
    location_id = serializers.IntegerField(source="pk")
    location = serializers.CharField(source="name")
    provider = serializers.CharField(source="provider.name")
    last_reported_on = serializers.DateField(allow_null=True)
    stale = serializers.BooleanField()


class VoidFiguresSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text="The group's id or code; null for the lines of homes in no district."
    )
    label = serializers.CharField()
    lines = serializers.IntegerField()
    contracted_bed_days = serializers.IntegerField()
    void_bed_days = serializers.IntegerField()
    void_level = serializers.FloatField(allow_null=True)
    void_cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class AvailableBedSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="block: contracted block beds; spot: provider-reported vacancies.")
    bed_line_id = serializers.IntegerField(required=False)
    contract = serializers.CharField(required=False)
    location_id = serializers.IntegerField()
    location = serializers.CharField()
    postcode = serializers.CharField()
    provider_id = serializers.IntegerField()
    provider = serializers.CharField()
    district_code = serializers.CharField(allow_null=True)
    district = serializers.CharField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    care_type = serializers.CharField()
    free_beds = serializers.IntegerField(required=False, help_text="Block beds void and not held.")
    void_beds = serializers.IntegerField(required=False, help_text="Block beds empty on the day, held or not.")
    held_beds = serializers.IntegerField(required=False, help_text="Block beds under a broker's unexpired hold.")
    vacant_beds = serializers.IntegerField(required=False)
    weekly_rate = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    rating = serializers.CharField(allow_null=True)
    rating_date = serializers.DateField(allow_null=True)
    inadequate = serializers.BooleanField()
    no_admissions_condition = serializers.BooleanField()
    restricted = serializers.BooleanField(help_text="Inadequate or under a no-admissions condition.")
    vacancy_last_reported_on = serializers.DateField(allow_null=True)
    vacancy_report_stale = serializers.BooleanField()
    location_updated_at = serializers.DateTimeField()


class HomecareCountsSerializer(serializers.Serializer):
    lead_provider = serializers.IntegerField()
    contingency = serializers.IntegerField()
    spot = serializers.IntegerField()
    direct_payment = serializers.IntegerField()
    hours_per_week = serializers.FloatField()
