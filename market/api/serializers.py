"""Thin serializers: they parse and present; the services check and write."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.models import CareType
from market.models import (
    Award,
    Bid,
    Lot,
    LotStatus,
    LotStatusChange,
    ProcurementRound,
    RoundInvitation,
    RoundOutcome,
    StageName,
    Tender,
    TenderStage,
)
from market.models.tenders import STAGE_ORDER

TENDER_FIELDS = [
    "reference",
    "title",
    "service",
    "procedure",
    "quality_threshold",
    "quality_weight",
    "price_weight",
    "status",
    "notes",
]


class TenderStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TenderStage
        fields = ["stage", "planned_date", "actual_date", "notes"]


class TenderSerializer(serializers.ModelSerializer):
    stages = serializers.SerializerMethodField()
    lot_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Tender
        fields = ["id", *TENDER_FIELDS, "stages", "lot_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []
        extra_kwargs = {"reference": {"validators": []}}

    def get_stages(self, tender) -> list[dict]:
        # In the order stages happen, whatever order they were recorded in.
        stages = sorted(tender.stages.all(), key=lambda stage: STAGE_ORDER[stage.stage])
        return TenderStageSerializer(stages, many=True).data


class TenderStageRecordSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=StageName.choices)
    planned_date = serializers.DateField(required=False, allow_null=True)
    actual_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


CAPACITY_MAX = 100_000  # beds or hours of one care type in one lot: far beyond any council's, within the column


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            care_type: {"type": "integer", "minimum": 0, "maximum": CAPACITY_MAX} for care_type in CareType.values
        },
        "additionalProperties": False,
    }
)
class CapacitiesField(serializers.DictField):
    """Beds sought by care type: {"nursing": 20, "residential_dementia": 8}."""

    child = serializers.IntegerField(min_value=0, max_value=CAPACITY_MAX)

    def to_representation(self, value):
        return {row.care_type: row.beds for row in value.all()}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        unknown = sorted(set(values) - set(CareType.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown care type {', '.join(unknown)}; care types are {', '.join(CareType.values)}."
            )
        return values


LOT_FIELDS = ["tender", "code", "name", "area", "service", "hours_per_week", "capacities", "notes"]


class LotPeopleSerializer(serializers.Serializer):
    lead_provider = serializers.IntegerField(help_text="People with the lot's lead provider.")
    contingency = serializers.IntegerField(help_text="People with contingency providers.")
    direct_payment = serializers.IntegerField(help_text="People on a direct payment.")


class LotContingencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    escalated = serializers.BooleanField()


class LotDeliverySerializer(serializers.Serializer):
    """How the lot is delivering today (market.selectors.lot_delivery), for council staff."""

    mobilisation_rag = serializers.CharField(allow_null=True, help_text="red, amber or green; none without a plan.")
    people = LotPeopleSerializer(help_text="People living in the lot's area, by arrangement, today.")
    contingency = LotContingencySerializer(allow_null=True, help_text="The contingency arrangement in force, if any.")


class LotSerializer(serializers.ModelSerializer):
    capacities = CapacitiesField(required=False)
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    tender_reference = serializers.CharField(source="tender.reference", read_only=True)
    current_award = serializers.IntegerField(source="current_award_id", read_only=True, allow_null=True)
    awarded_on = serializers.DateField(read_only=True, allow_null=True)
    go_live_on = serializers.DateField(read_only=True, allow_null=True)
    lead_provider = serializers.IntegerField(source="lead_provider_id", read_only=True, allow_null=True)
    lead_provider_name = serializers.CharField(read_only=True, allow_null=True)
    lead_provider_cqc_id = serializers.CharField(read_only=True, allow_null=True)
    contract_reference = serializers.CharField(read_only=True, allow_null=True)
    lead_provider_stops_admissions = serializers.BooleanField(
        read_only=True, help_text="The lead provider has a CQC condition in force stopping new work."
    )
    lead_provider_inadequate = serializers.BooleanField(
        read_only=True, help_text="A location of the lead provider is currently rated Inadequate."
    )
    round_count = serializers.IntegerField(read_only=True, allow_null=True)
    delivery = serializers.SerializerMethodField(
        help_text="Mobilisation RAG and contingency summary today; null for provider users, who see no counts of "
        "other providers' people."
    )

    class Meta:
        model = Lot
        fields = [
            "id",
            *LOT_FIELDS,
            "tender_reference",
            "area_code",
            "area_name",
            "status",
            "status_changed_at",
            "current_award",
            "awarded_on",
            "go_live_on",
            "lead_provider",
            "lead_provider_name",
            "lead_provider_cqc_id",
            "contract_reference",
            "lead_provider_stops_admissions",
            "lead_provider_inadequate",
            "round_count",
            "delivery",
        ]
        read_only_fields = ["status", "status_changed_at"]
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}

    @extend_schema_field(LotDeliverySerializer(allow_null=True))
    def get_delivery(self, lot: Lot) -> dict | None:
        return self.context.get("delivery", {}).get(lot.pk)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["tender"].read_only = True  # a lot is re-procured through new rounds, not moved
        return fields


class LotStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = LotStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]


class RoundInvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoundInvitation
        fields = ["name", "provider", "invited_on"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    """A round; `invitations` (the organisations invited by name) are written through round_invite, and a provider
    user, who sees only the rounds it bid in, is not shown who else was invited."""

    invitations = RoundInvitationSerializer(many=True, read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    tender_reference = serializers.CharField(source="tender.reference", read_only=True)
    bid_count = serializers.IntegerField(read_only=True, default=0)
    compliant_bid_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ProcurementRound
        fields = [
            "id",
            "lot",
            "lot_code",
            "tender",
            "tender_reference",
            "number",
            "procedure",
            "opened_on",
            "closes_on",
            "closed_on",
            "outcome",
            "organisations_invited",
            "invitations",
            "services_due_on",
            "notes",
            "bid_count",
            "compliant_bid_count",
        ]
        read_only_fields = ["number", "closed_on", "outcome"]
        extra_kwargs = {"tender": {"required": False}, "procedure": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_provider_user", False):
            data["invitations"] = []
        return data


class LotDetailSerializer(LotSerializer):
    rounds = RoundSerializer(many=True, read_only=True)
    status_changes = LotStatusChangeSerializer(many=True, read_only=True)

    class Meta(LotSerializer.Meta):
        fields = [*LotSerializer.Meta.fields, "rounds", "status_changes"]


class LotStatusSetSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LotStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RoundCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[choice for choice in RoundOutcome.choices if choice[0] not in ("", RoundOutcome.AWARDED)]
    )
    closed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)


class BidSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    lot = serializers.IntegerField(source="round.lot_id", read_only=True)
    lot_code = serializers.CharField(source="round.lot.code", read_only=True)
    round_number = serializers.IntegerField(source="round.number", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "round",
            "lot",
            "lot_code",
            "round_number",
            "provider",
            "provider_name",
            "compliant",
            "non_compliance_reason",
            "quality_score",
            "price_score",
            "weighted_total",
            "rank",
            "submitted_on",
        ]
        read_only_fields = ["weighted_total", "rank"]
        validators: list = []  # one bid per provider and round: recording again replaces it


class AwardSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code", read_only=True)
    lead_provider = serializers.IntegerField(source="bid.provider_id", read_only=True)
    lead_provider_name = serializers.CharField(source="bid.provider.name", read_only=True)
    round_number = serializers.IntegerField(source="bid.round.number", read_only=True)
    weighted_total = serializers.DecimalField(
        source="bid.weighted_total", max_digits=6, decimal_places=2, read_only=True
    )
    contract_reference = serializers.CharField(source="contract.reference", read_only=True, default=None)

    class Meta:
        model = Award
        fields = [
            "id",
            "lot",
            "lot_code",
            "bid",
            "round_number",
            "lead_provider",
            "lead_provider_name",
            "weighted_total",
            "contract",
            "contract_reference",
            "awarded_on",
            "go_live_on",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = ["lot", "ended_on", "end_reason"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["bid"].read_only = True
            fields["awarded_on"].read_only = True
        return fields


# What a lot becomes when its award ends. The schema names these LotEndStatusEnum (config.settings): under the
# field's own name they would replace LotStatusEnum, and every lot would be documented as never live or planned.
LOT_END_STATUSES = [
    (LotStatus.VACANT, "Vacant"),
    (LotStatus.IN_CONTINGENCY, "In contingency"),
    (LotStatus.ENDED, "Ended"),
]


class AwardEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField()
    lot_status = serializers.ChoiceField(choices=LOT_END_STATUSES, default=LotStatus.VACANT)
