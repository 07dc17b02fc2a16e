"""Query parameters and answers of the market analysis (block/spot, cost avoidance, utilisation review, market
shape) and the council's settings for it. Query serializers hand the selectors typed values: dates, Localities
(every code read in one query, whatever their number) and care types."""

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.models import CareType, Contract, ContractKind
from core.query import CommaChoicesField
from geo.models import Locality, LocalityKind
from market.models import MarketLimits, SpotInflation, SpotPrice
from market.selectors.utilisation import REVIEW_GROUPS


def _with_from(fields: dict, field: serializers.Field) -> dict:
    """`from` is a Python keyword, so it cannot be declared as a class attribute; it is added here, first."""
    return {"from": field, **fields}


def _codes(data) -> list[str]:
    codes = [code.strip().upper() for code in str(data).split(",")]
    if not all(codes):
        raise serializers.ValidationError("Give codes separated by commas, with none empty.")
    return list(dict.fromkeys(codes))


@extend_schema_field(OpenApiTypes.STR)
class DistrictCodesField(serializers.Field):
    """District GSS codes separated by commas (`E07000009,E07000011`): the Localities, read in one query; a
    code no district has is a 400 naming it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "District GSS codes separated by commas (default: every district).")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[Locality]:
        codes = _codes(data)
        found = {
            locality.code: locality
            for locality in Locality.objects.filter(code__in=codes, kind=LocalityKind.DISTRICT).order_by("code")
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise serializers.ValidationError(f"No district has the code {', '.join(missing)}.")
        return [found[code] for code in codes]

    def to_representation(self, value) -> str:
        return ",".join(locality.code for locality in value)


def CareTypesField(**kwargs) -> CommaChoicesField:  # noqa: N802 (a field, named like one)
    kwargs.setdefault("help_text", f"Care types separated by commas, of {', '.join(CareType.values)} (default: all).")
    return CommaChoicesField(choices=CareType.values, noun="care type", **kwargs)


class LocalityQuery(serializers.Serializer):
    districts = DistrictCodesField(required=False)
    care_types = CareTypesField(required=False)


class BlockSpotQuery(LocalityQuery):
    on = serializers.DateField(required=False, help_text="Placements in care on this day (default today).")
    to = serializers.DateField(required=False, help_text="With from: last day of the period (inclusive).")

    def get_fields(self):
        return _with_from(
            super().get_fields(),
            serializers.DateField(required=False, help_text="First day of a period (instead of on), with to."),
        )

    def validate(self, attrs):
        if "on" in attrs and ("from" in attrs or "to" in attrs):
            raise serializers.ValidationError({"on": ["Give a day (on) or a period (from and to), not both."]})
        if ("from" in attrs) != ("to" in attrs):
            missing = "to" if "from" in attrs else "from"
            raise serializers.ValidationError({missing: ["A period needs both from and to."]})
        if "from" in attrs and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": ["to is before from."]})
        return attrs

    @staticmethod
    def arguments(data: dict) -> dict:
        start = data.get("from") or data.get("on") or timezone.localdate()
        return {
            "start": start,
            "end": data.get("to") or start,
            "districts": data.get("districts"),
            "care_types": data.get("care_types"),
        }


class CostAvoidanceQuery(LocalityQuery):
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.filter(kind=ContractKind.BLOCK),
        required=False,
        help_text="One block contract (id); default every block contract, summed by contract year.",
    )
    through = serializers.DateField(
        required=False, help_text="Figures up to this day, today at the latest (default today): actuals only."
    )

    def validate_through(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("Cost avoidance is worked out from what happened: today at the latest.")
        return value

    @staticmethod
    def arguments(data: dict) -> dict:
        return {
            "contract": data.get("contract"),
            "through": data.get("through") or timezone.localdate(),
            "districts": data.get("districts"),
            "care_types": data.get("care_types"),
        }


class UtilisationQuery(LocalityQuery):
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, help_text="Financial year by the year it starts in: 2025 is 2025/26."
    )
    quarter = serializers.IntegerField(min_value=1, max_value=4, help_text="1 is April to June.")
    group_by = serializers.ChoiceField(choices=list(REVIEW_GROUPS), default="contract")

    @staticmethod
    def arguments(data: dict) -> dict:
        return {
            "year": data["year"],
            "quarter": data["quarter"],
            "group_by": data["group_by"],
            "districts": data.get("districts"),
            "care_types": data.get("care_types"),
        }


class MarketShapeQuery(LocalityQuery):
    on = serializers.DateField(required=False, help_text="Block beds contracted on this day (default today).")

    @staticmethod
    def arguments(data: dict) -> dict:
        return {
            "on": data.get("on") or timezone.localdate(),
            "districts": data.get("districts"),
            "care_types": data.get("care_types"),
        }


# --- answers ----------------------------------------------------------------------------------------------

MONEY = {"max_digits": 16, "decimal_places": 2}
_PENNY = Decimal("0.01")


class KindFiguresSerializer(serializers.Serializer):
    placements = serializers.IntegerField()
    average_weekly_price = serializers.DecimalField(allow_null=True, **MONEY)


class BlockSpotRowSerializer(serializers.Serializer):
    district_code = serializers.CharField(allow_null=True)
    district_name = serializers.CharField()
    placements = serializers.IntegerField()
    in_block_beds = serializers.IntegerField(help_text="Block, respite and emergency placements (in block beds).")
    block_share = serializers.FloatField(allow_null=True, help_text="in_block_beds / placements.")
    block = serializers.SerializerMethodField()
    spot = serializers.SerializerMethodField()
    respite = serializers.SerializerMethodField()
    emergency = serializers.SerializerMethodField()

    def _kind(self, row, kind: str) -> dict:
        return KindFiguresSerializer(row.kinds[kind]).data

    @extend_schema_field(KindFiguresSerializer)
    def get_block(self, row) -> dict:
        return self._kind(row, "block")

    @extend_schema_field(KindFiguresSerializer)
    def get_spot(self, row) -> dict:
        return self._kind(row, "spot")

    @extend_schema_field(KindFiguresSerializer)
    def get_respite(self, row) -> dict:
        return self._kind(row, "respite")

    @extend_schema_field(KindFiguresSerializer)
    def get_emergency(self, row) -> dict:
        return self._kind(row, "emergency")


class BlockSpotSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    districts = BlockSpotRowSerializer(many=True)
    total = BlockSpotRowSerializer()


class CostYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Contract year (1 from the start date); 0 for the total.")
    start = serializers.DateField()
    end = serializers.DateField()
    contracted_bed_days = serializers.IntegerField()
    block_cost = serializers.DecimalField(**MONEY)
    spot_equivalent_cost = serializers.DecimalField(**MONEY)
    gross_avoidance = serializers.DecimalField(**MONEY)
    void_dampener = serializers.DecimalField(**MONEY)
    conversion_dampener = serializers.DecimalField(**MONEY)
    net_avoidance = serializers.DecimalField(**MONEY)


class StartingSpotPriceSerializer(serializers.Serializer):
    care_type = serializers.CharField()
    on = serializers.DateField()
    price = serializers.DecimalField(**MONEY)
    source = serializers.CharField(help_text="council (a SpotPrice row) or spot placements (their average).")


class CostAvoidanceSerializer(serializers.Serializer):
    through = serializers.DateField()
    contracts = serializers.SerializerMethodField()
    years = CostYearSerializer(many=True)
    total = CostYearSerializer()
    starting_spot_prices = serializers.SerializerMethodField()
    missing_spot_prices = serializers.ListField(
        child=serializers.CharField(), help_text="Care types with no spot price to start from: no spot equivalent."
    )

    def get_contracts(self, answer) -> list[str]:
        return [contract.reference for contract in answer.contracts]

    @extend_schema_field(StartingSpotPriceSerializer(many=True))
    def get_starting_spot_prices(self, answer) -> list[dict]:
        rows = [{**row, "price": row["price"].quantize(_PENNY)} for row in answer.starting_spot_prices.values()]
        return StartingSpotPriceSerializer(rows, many=True).data


class UtilisationRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="Contract or home id, or district code.")
    label = serializers.CharField()
    district_code = serializers.CharField(allow_null=True)
    district_name = serializers.CharField()
    lines = serializers.IntegerField()
    contracted_bed_days = serializers.IntegerField()
    occupied_bed_days = serializers.IntegerField()
    utilisation = serializers.FloatField(allow_null=True, help_text="occupied / contracted bed-days.")
    void_bed_days = serializers.IntegerField()
    void_level = serializers.FloatField(allow_null=True)
    void_cost = serializers.DecimalField(**MONEY)
    avoidable_spot_purchases = serializers.IntegerField(
        allow_null=True,
        help_text="Spot beds started in the quarter while a block bed of their care type was free nearby (district "
        "rows and the total only).",
    )
    avoidable_spot_weekly_cost = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Their weekly cost above the block rate passed over."
    )


class UtilisationReviewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    group_by = serializers.CharField()
    rows = UtilisationRowSerializer(many=True)
    total = UtilisationRowSerializer()


class ProviderShareSerializer(serializers.Serializer):
    provider_id = serializers.IntegerField()
    provider_name = serializers.CharField()
    beds = serializers.IntegerField()
    share_percent = serializers.FloatField()
    small = serializers.BooleanField()


class ShapeRowSerializer(serializers.Serializer):
    district_code = serializers.CharField(allow_null=True)
    district_name = serializers.CharField()
    care_type = serializers.CharField()
    beds = serializers.IntegerField()
    hhi = serializers.FloatField(allow_null=True, help_text="Sum of squared percentage shares, 0 to 10,000.")
    small_provider_share = serializers.FloatField(allow_null=True)
    poor_rating_beds = serializers.IntegerField(help_text="Beds in homes rated Requires improvement or Inadequate.")
    poor_rating_share = serializers.FloatField(allow_null=True)
    providers = ProviderShareSerializer(many=True)


class BreachSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="setting (one care home) or provider.")
    subject_id = serializers.IntegerField()
    name = serializers.CharField()
    district_code = serializers.CharField(allow_null=True)
    block_beds = serializers.IntegerField()
    limit = serializers.IntegerField()


class MarketLimitsSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketLimits
        fields = [
            "max_block_beds_per_setting",
            "max_block_beds_per_provider",
            "small_provider_max_beds",
            "small_provider_max_locations",
        ]


class MarketShapeSerializer(serializers.Serializer):
    on = serializers.DateField()
    limits = MarketLimitsSerializer()
    rows = ShapeRowSerializer(many=True)
    breaches = BreachSerializer(many=True)


# --- the council's settings -------------------------------------------------------------------------------


class SpotInflationSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpotInflation
        fields = ["id", "financial_year", "percent", "notes", "updated_at"]
        read_only_fields = ["updated_at"]
        # The service answers a second figure for a year; the serializer does not refuse it first.
        extra_kwargs = {"financial_year": {"validators": []}}


class SpotPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpotPrice
        fields = ["id", "care_type", "priced_on", "weekly_price", "notes", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []
