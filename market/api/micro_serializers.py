"""Serializers of micro-enterprises, their returns and the development programmes: they parse and present;
the services check and write."""

from rest_framework import serializers

from core.query import SlugRelatedField
from geo.models import Locality
from market.models import (
    MicroEnterprise,
    MicroEnterpriseReturn,
    MicroEnterpriseStatus,
    MicroEnterpriseStatusChange,
    Programme,
    ProgrammeQuarter,
    ProgrammeYear,
)
from providers.models import Location

MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": False}
HOURS = {"max_digits": 8, "decimal_places": 2, "coerce_to_string": False}
# Computed figures (sums over quarters and micro-enterprises) are not bounded by any one column's digits.
FIGURE = {"max_digits": None, "decimal_places": 2, "coerce_to_string": False}


class OnQuery(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day the figures are for (default today).")


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MicroEnterpriseStatusChange
        fields = ["status", "on", "notes", "created_at"]
        read_only_fields = fields


class StatusSetSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MicroEnterpriseStatus.choices)
    on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class MicroEnterpriseSerializer(serializers.ModelSerializer):
    locality = SlugRelatedField(
        slug_field="code", queryset=Locality.objects.all(), help_text="Ward or district GSS code."
    )
    locality_name = serializers.CharField(source="locality.name", read_only=True)
    cqc_location = SlugRelatedField(
        slug_field="cqc_location_id",
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text="CQC location id (e.g. 1-123456789), if it is registered.",
    )
    status = serializers.ChoiceField(
        choices=MicroEnterpriseStatus.choices,
        default=MicroEnterpriseStatus.ENQUIRY,
        help_text="On creation, the first status (usually enquiry); later changes go to .../status/.",
    )
    status_since = serializers.DateField(help_text="On creation, the day of first contact.")
    latest_return_from = serializers.DateField(read_only=True, allow_null=True)
    latest_hours_per_week = serializers.DecimalField(read_only=True, allow_null=True, **HOURS)
    latest_people_supported = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = MicroEnterprise
        fields = [
            "id",
            "trading_name",
            "locality",
            "locality_name",
            "services",
            "needs_cqc_registration",
            "cqc_location",
            "status",
            "status_since",
            "latest_return_from",
            "latest_hours_per_week",
            "latest_people_supported",
            "notes",
            "created_at",
            "updated_at",
        ]


class MicroEnterpriseDetailSerializer(MicroEnterpriseSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta(MicroEnterpriseSerializer.Meta):
        fields = [*MicroEnterpriseSerializer.Meta.fields, "status_changes"]


class MicroEnterpriseUpdateSerializer(serializers.ModelSerializer):
    locality = SlugRelatedField(slug_field="code", queryset=Locality.objects.all())
    cqc_location = SlugRelatedField(
        slug_field="cqc_location_id", queryset=Location.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = MicroEnterprise
        fields = ["trading_name", "locality", "services", "needs_cqc_registration", "cqc_location", "notes"]


class ReturnSerializer(serializers.ModelSerializer):
    micro_enterprise = serializers.PrimaryKeyRelatedField(queryset=MicroEnterprise.objects.all())
    trading_name = serializers.CharField(source="micro_enterprise.trading_name", read_only=True)
    hours_per_week = serializers.DecimalField(min_value=0, **HOURS)

    class Meta:
        model = MicroEnterpriseReturn
        fields = [
            "id",
            "micro_enterprise",
            "trading_name",
            "from_date",
            "hours_per_week",
            "people_supported",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ProgrammeYearSerializer(serializers.ModelSerializer):
    hours_per_week_target = serializers.DecimalField(min_value=0, **HOURS)

    class Meta:
        model = ProgrammeYear
        fields = ["year", "enquiries_target", "trading_target", "hours_per_week_target"]


class ProgrammeQuarterSerializer(serializers.ModelSerializer):
    planned_hours_per_week = serializers.DecimalField(min_value=0, **HOURS)
    spending = serializers.DecimalField(min_value=0, **MONEY)

    class Meta:
        model = ProgrammeQuarter
        fields = ["quarter", "planned_hours_per_week", "spending"]


class ProgrammeSerializer(serializers.ModelSerializer):
    areas = SlugRelatedField(
        slug_field="code",
        queryset=Locality.objects.all(),
        many=True,
        allow_empty=False,
        help_text="Locality codes it covers (at least one).",
    )
    hourly_cost_avoidance = serializers.DecimalField(
        min_value=0, required=False, help_text="£ an hour (default: the service's setting, £4.50).", **HOURS
    )
    years = ProgrammeYearSerializer(many=True, required=False)
    quarters = ProgrammeQuarterSerializer(many=True, required=False)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "areas",
            "start_date",
            "hourly_cost_avoidance",
            "years",
            "quarters",
            "notes",
            "created_at",
            "updated_at",
        ]


class ProgrammeUpdateSerializer(ProgrammeSerializer):
    class Meta(ProgrammeSerializer.Meta):
        fields = ["name", "areas", "start_date", "hourly_cost_avoidance", "years", "quarters", "notes"]


class FigureQuarterSerializer(serializers.Serializer):
    quarter = serializers.IntegerField()
    year = serializers.IntegerField(help_text="Programme year (quarters 1-4 are year 1).")
    start = serializers.DateField()
    end = serializers.DateField()
    complete = serializers.BooleanField(help_text="false while the quarter is in progress or to come.")
    spending = serializers.DecimalField(**FIGURE)
    planned_hours_per_week = serializers.DecimalField(**FIGURE)
    enquiries_target = serializers.IntegerField(allow_null=True, help_text="The year's target.")
    new_trading_target = serializers.IntegerField(allow_null=True, help_text="The year's target.")
    hours_per_week_target = serializers.DecimalField(allow_null=True, help_text="By the year's end.", **FIGURE)
    forecast_hours = serializers.DecimalField(help_text="Planned hours a week × 13.", **FIGURE)
    forecast_cost_avoidance = serializers.DecimalField(**FIGURE)
    forecast_net_cash_flow = serializers.DecimalField(**FIGURE)
    forecast_cumulative_cash_flow = serializers.DecimalField(**FIGURE)
    measured_on = serializers.DateField(allow_null=True, help_text="The quarter's end, or `on` if earlier.")
    enquiries = serializers.IntegerField(allow_null=True)
    enquiries_year_to_date = serializers.IntegerField(allow_null=True)
    new_trading = serializers.IntegerField(allow_null=True)
    new_trading_year_to_date = serializers.IntegerField(allow_null=True)
    trading = serializers.IntegerField(allow_null=True, help_text="Micro-enterprises trading at the quarter's end.")
    hours_per_week = serializers.DecimalField(allow_null=True, help_text="At the quarter's end.", **FIGURE)
    people_supported = serializers.IntegerField(allow_null=True)
    hours_against_trajectory = serializers.DecimalField(
        allow_null=True, help_text="Hours a week − planned: negative is behind.", **FIGURE
    )
    hours = serializers.DecimalField(allow_null=True, help_text="Hours a week × 13.", **FIGURE)
    cost_avoidance = serializers.DecimalField(allow_null=True, **FIGURE)
    net_cash_flow = serializers.DecimalField(allow_null=True, **FIGURE)
    cumulative_cash_flow = serializers.DecimalField(allow_null=True, **FIGURE)


class FigureYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    complete = serializers.BooleanField()
    enquiries_target = serializers.IntegerField(allow_null=True)
    new_trading_target = serializers.IntegerField(allow_null=True)
    hours_per_week_target = serializers.DecimalField(allow_null=True, **FIGURE)
    enquiries = serializers.IntegerField(allow_null=True)
    new_trading = serializers.IntegerField(allow_null=True)
    hours_per_week = serializers.DecimalField(allow_null=True, **FIGURE)
    spending = serializers.DecimalField(**FIGURE)
    cost_avoidance = serializers.DecimalField(allow_null=True, **FIGURE)
    net_cash_flow = serializers.DecimalField(allow_null=True, **FIGURE)
    forecast_cost_avoidance = serializers.DecimalField(**FIGURE)
    forecast_net_cash_flow = serializers.DecimalField(**FIGURE)


class FiguresSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    name = serializers.CharField()
    on = serializers.DateField()
    hourly_cost_avoidance = serializers.DecimalField(**FIGURE)
    quarters = FigureQuarterSerializer(many=True)
    years = FigureYearSerializer(many=True)
    break_even_quarter = serializers.IntegerField(
        allow_null=True, help_text="First quarter whose cumulative cash flow is 0 or more (null: none yet)."
    )
    forecast_break_even_quarter = serializers.IntegerField(allow_null=True)


class HealthRowSerializer(serializers.Serializer):
    locality = serializers.CharField(allow_null=True, help_text="Locality code (null for the total).")
    locality_name = serializers.CharField()
    enquiry = serializers.IntegerField()
    developing = serializers.IntegerField()
    trading = serializers.IntegerField()
    ceased = serializers.IntegerField()
    hours_per_week = serializers.DecimalField(**FIGURE)
    people_supported = serializers.IntegerField()


class HealthSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    on = serializers.DateField()
    localities = HealthRowSerializer(many=True)
    total = HealthRowSerializer()
