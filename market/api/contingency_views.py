"""Contingency API: arrangements per lot with the people in the lot's area by arrangement on a day (computed
from contracts' placements), transfer progress against the plan, and the trend.

Commissioners and contract officers write; council staff read. Provider users have no access: the counts
are of people with other providers."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.errors import DomainError
from core.query import BooleanFilter, DateField, SlugRelatedField, query_parse
from market import capabilities as caps
from market.models import ContingencyArrangement, ContingencyReason, Lot
from market.selectors.contingency import people_by_area, people_trend, transfer_progress
from market.services import contingency as services
from market.services.contingency import ARRANGEMENT_FIELDS
from providers.models import Provider

MAX_TREND = timedelta(days=3 * 366)


class OnQuery(serializers.Serializer):
    on = DateField(required=False, help_text="The day people are counted on (default today).")


# `on` is read by the list and the detail only.
ON_DOCUMENTED = extend_schema_view(
    list=extend_schema(parameters=[OnQuery]), retrieve=extend_schema(parameters=[OnQuery])
)


class TrendQuery(serializers.Serializer):
    start = DateField(
        required=False, help_text="First day (default: the arrangement's start, or three years before the end)."
    )
    end = DateField(required=False, help_text="Last day (default today).")
    step = serializers.ChoiceField(choices=["week", "month"], default="month")

    def validate(self, data):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["end is before start."]})
        return data


class PeopleSerializer(serializers.Serializer):
    lead_provider = serializers.IntegerField()
    contingency = serializers.IntegerField()
    direct_payment = serializers.IntegerField()


class TransferProgressSerializer(serializers.Serializer):
    on = serializers.DateField()
    transfer_start = serializers.DateField()
    to_move = serializers.IntegerField(help_text="People with contingency providers when transfers began.")
    planned = serializers.IntegerField(help_text="People the plan has moved by `on`.")
    moved = serializers.IntegerField()
    moved_to_lead_provider = serializers.IntegerField()
    moved_to_direct_payment = serializers.IntegerField()
    difference = serializers.IntegerField(help_text="moved − planned: negative is behind plan.")
    status = serializers.CharField(help_text="ahead, behind, on_plan, or no_plan (no weekly figure or target).")
    still_in_contingency = serializers.IntegerField()


class ArrangementSerializer(serializers.ModelSerializer):
    lot = SlugRelatedField(slug_field="code", queryset=Lot.objects.all())
    lot_name = serializers.CharField(source="lot.name", read_only=True)
    providers = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), many=True, required=False)
    people = serializers.SerializerMethodField()
    transfer_progress = serializers.SerializerMethodField()

    class Meta:
        model = ContingencyArrangement
        fields = [
            "id",
            "lot",
            "lot_name",
            "reason",
            "start_date",
            "end_date",
            "providers",
            "transfer_start",
            "transfer_target_date",
            "people_per_week",
            "transfer_to",
            "escalated",
            "escalated_at",
            "escalation_reason",
            "notes",
            "people",
            "transfer_progress",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["escalated", "escalated_at", "escalation_reason", "created_at", "updated_at"]

    def get_people(self, arrangement) -> PeopleSerializer:
        return self.context.get("people", {}).get(arrangement.lot.area_id) or self._people_one(arrangement)

    def _people_one(self, arrangement):
        on = self.context.get("on") or timezone.localdate()
        return people_by_area(area_ids=[arrangement.lot.area_id], on=on)[arrangement.lot.area_id]

    def get_transfer_progress(self, arrangement) -> TransferProgressSerializer(allow_null=True):
        if not self.context.get("with_progress"):
            return None
        on = self.context.get("on") or timezone.localdate()
        return TransferProgressSerializer(transfer_progress(arrangement=arrangement, on=on)).data


class ArrangementUpdateSerializer(serializers.ModelSerializer):
    providers = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all(), many=True, required=False)

    class Meta:
        model = ContingencyArrangement
        fields = list(ARRANGEMENT_FIELDS)


class ArrangementFilter(django_filters.FilterSet):
    lot = django_filters.CharFilter(field_name="lot__code", help_text="Lot code.")
    reason = django_filters.ChoiceFilter(choices=ContingencyReason.choices)
    escalated = BooleanFilter()
    open = BooleanFilter(field_name="end_date", lookup_expr="isnull", help_text="true: no end date yet.")

    class Meta:
        model = ContingencyArrangement
        fields = []


class TrendPointSerializer(serializers.Serializer):
    on = serializers.DateField()
    lead_provider = serializers.IntegerField()
    contingency = serializers.IntegerField()
    direct_payment = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    """A trend is an object, like every answer: its period and step, then the points (at most three years)."""

    start = serializers.DateField()
    end = serializers.DateField()
    step = serializers.CharField()
    points = TrendPointSerializer(many=True)


@ON_DOCUMENTED
class ArrangementViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Contingency arrangements per lot, with the people in the lot's area by arrangement on `?on=` (default
    today); the detail adds progress against the transfer plan."""

    permission_classes = [allow(read=caps.READ_PLANS, write=caps.EDIT_MARKET)]
    filterset_class = ArrangementFilter
    query_serializer_class = OnQuery
    ordering_fields = ["start_date"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            ContingencyArrangement.objects.select_related("lot__area")
            .prefetch_related("providers")
            .order_by("lot__code", "-start_date", "id")
        )

    def get_serializer_class(self):
        return ArrangementUpdateSerializer if self.action == "partial_update" else ArrangementSerializer

    def _on(self):
        if self.request.method != "GET":
            return timezone.localdate()
        return query_parse(self.request, OnQuery, only=False).get("on") or timezone.localdate()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        on = self._on()
        # Everyone on the page counted at once: one query for all the lots, not one per arrangement.
        people = people_by_area(area_ids={arrangement.lot.area_id for arrangement in page}, on=on)
        context = {**self.get_serializer_context(), "on": on, "people": people}
        return self.get_paginated_response(ArrangementSerializer(page, many=True, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        context = {**self.get_serializer_context(), "on": self._on(), "with_progress": True}
        return Response(ArrangementSerializer(self.get_object(), context=context).data)

    def _detail(self, arrangement):
        context = {"request": self.request, "on": timezone.localdate(), "with_progress": True}
        return Response(ArrangementSerializer(self.get_queryset().get(pk=arrangement.pk), context=context).data)

    def create(self, request, *args, **kwargs):
        data = ArrangementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            key: value
            for key, value in data.validated_data.items()
            if key not in ("escalated", "escalated_at", "escalation_reason")
        }
        arrangement = services.contingency_create(by=request.user, **values)
        response = self._detail(arrangement)
        response.status_code = 201
        return response

    @extend_schema(request=ArrangementUpdateSerializer, responses=ArrangementSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = ArrangementUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        arrangement = services.contingency_update(arrangement=self.get_object(), by=request.user, **data.validated_data)
        return self._detail(arrangement)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(parameters=[TrendQuery], responses=TrendSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def trend(self, request, pk=None):
        """People by arrangement in the lot's area on each week or month end (the start and end included)."""
        query = query_parse(request, TrendQuery)
        arrangement = self.get_object()
        end = query.get("end") or timezone.localdate()
        # Without a start, the trend runs from the arrangement's start, or the three years before its end when the
        # arrangement is older: a request with no parameters is always answered.
        start = query.get("start") or max(arrangement.start_date, end - MAX_TREND)
        if end < start:
            end = start
        if end - start > MAX_TREND:
            raise DomainError("A trend covers at most three years; give start and end closer together.", field="start")
        points = people_trend(area=arrangement.lot.area, start=start, end=end, step=query["step"])
        return Response(TrendSerializer({"start": start, "end": end, "step": query["step"], "points": points}).data)
