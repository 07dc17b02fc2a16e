"""Thin views: check the role, scope provider users to their own lots, awards and bids, call a service or
selector. Commissioners and contract officers write; every role reads, provider users only their own (any
other row is a 404)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from market import capabilities as caps
from market import exports, selectors, services
from market.api.filters import AwardFilter, BidFilter, LotFilter, RoundFilter, TenderFilter
from market.api.serializers import (
    AwardEndSerializer,
    AwardSerializer,
    BidSerializer,
    LotDetailSerializer,
    LotSerializer,
    LotStatusSetSerializer,
    RoundCloseSerializer,
    RoundSerializer,
    TenderSerializer,
    TenderStageRecordSerializer,
    TenderStageSerializer,
)

PERMISSIONS = [allow(read=caps.READ_MARKET, write=caps.EDIT_MARKET)]
NO_DELETE = ["get", "post", "patch", "head", "options"]


class ServiceWrites:
    """Creates and updates go through services with the signed-in user; the answer is the row read back
    through get_queryset, so it carries the list's annotations."""

    create_service = None
    update_service = None
    instance_argument = ""

    def perform_create(self, serializer):
        written = type(self).create_service(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)

    def perform_update(self, serializer):
        arguments = {self.instance_argument: serializer.instance, "by": self.request.user}
        written = type(self).update_service(**arguments, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)


class TenderViewSet(ServiceWrites, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tenders: procedure, price/quality weighting, quality threshold, and their stages with dates."""

    serializer_class = TenderSerializer
    permission_classes = PERMISSIONS
    filterset_class = TenderFilter
    search_fields = ["reference", "title"]
    ordering_fields = ["reference", "created_at"]
    http_method_names = NO_DELETE
    create_service = services.tender_create
    update_service = services.tender_update
    instance_argument = "tender"

    def get_queryset(self):
        return selectors.tenders_list(user=self.request.user)

    @extend_schema(request=TenderStageRecordSerializer, responses=TenderStageSerializer)
    @action(detail=True, methods=["post"], serializer_class=TenderStageRecordSerializer, filter_backends=[])
    def stages(self, request, pk=None):
        data = TenderStageRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage = services.tender_stage_record(tender=self.get_object(), by=request.user, **data.validated_data)
        return Response(TenderStageSerializer(stage).data)


class LotViewSet(
    FileExportNegotiation,
    ServiceWrites,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The lots register: each lot with its current award and lead provider, and whether the lead provider is
    stopped from new work by CQC or rated Inadequate. A lot's page (detail) lists its rounds in order and its
    status history."""

    export_actions = ("export",)
    permission_classes = PERMISSIONS
    filterset_class = LotFilter
    search_fields = ["code", "name", "area__name"]
    ordering_fields = ["code", "name", "status", "go_live_on"]
    http_method_names = NO_DELETE
    create_service = services.lot_create
    update_service = services.lot_update
    instance_argument = "lot"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.lot_detail_queryset(user=self.request.user)
        return selectors.lots_register(user=self.request.user)

    def get_serializer_class(self):
        return LotDetailSerializer if self.action == "retrieve" else LotSerializer

    def get_serializer(self, *args, **kwargs):
        # The lots shown (a page, or one lot) get their delivery figures together, in a fixed number of queries.
        if args and self.action in ("list", "retrieve") and not self.request.user.is_provider_user:
            lots = list(args[0]) if kwargs.get("many") else [args[0]]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "delivery": selectors.lot_delivery(lots=lots, on=timezone.localdate()),
            }
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=LotStatusSetSerializer, responses=LotDetailSerializer)
    @action(detail=True, methods=["post"], serializer_class=LotStatusSetSerializer, filter_backends=[])
    def status(self, request, pk=None):
        data = LotStatusSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = services.lot_status_set(lot=self.get_object(), by=request.user, **data.validated_data)
        return Response(LotDetailSerializer(selectors.lot_detail_queryset(user=request.user).get(pk=lot.pk)).data)

    @extend_schema(
        summary="The lots register (following the list's filters) as a CSV or XLSX file",
        parameters=[FORMAT_PARAMETER],
        responses=FILE_RESPONSES,
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt: str):
        rows = exports.lots_rows(self.filter_queryset(self.get_queryset()))
        content = table_file(headers=exports.LOTS_HEADERS, rows=rows, fmt=fmt, title="Lots register")
        return file_response(content, fmt=fmt, name=f"lots-register-{timezone.localdate()}")


class RoundViewSet(ServiceWrites, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Procurement rounds of lots, first to last: opening one starts a (re-)procurement of its lot."""

    serializer_class = RoundSerializer
    permission_classes = PERMISSIONS
    filterset_class = RoundFilter
    ordering_fields = ["opened_on", "number"]
    create_service = services.round_open

    def get_queryset(self):
        return selectors.rounds_list(user=self.request.user)

    @extend_schema(request=RoundCloseSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=RoundCloseSerializer, filter_backends=[])
    def close(self, request, pk=None):
        data = RoundCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = services.round_close(round=self.get_object(), by=request.user, **data.validated_data)
        return Response(RoundSerializer(self.get_queryset().get(pk=round_.pk)).data)


class BidViewSet(ServiceWrites, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bids by round, best first: weighted totals and ranks are recomputed for the round at each bid."""

    serializer_class = BidSerializer
    permission_classes = PERMISSIONS
    filterset_class = BidFilter
    create_service = services.bid_record

    def get_queryset(self):
        return selectors.bids_list(user=self.request.user)


class AwardViewSet(ServiceWrites, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Awards: the winning bid of a lot's round, its lead provider, go-live and the contract it produced."""

    serializer_class = AwardSerializer
    permission_classes = PERMISSIONS
    filterset_class = AwardFilter
    ordering_fields = ["awarded_on", "go_live_on"]
    http_method_names = NO_DELETE
    create_service = services.award_make
    update_service = services.award_update
    instance_argument = "award"

    def get_queryset(self):
        return selectors.awards_list(user=self.request.user)

    @extend_schema(request=AwardEndSerializer, responses=AwardSerializer)
    @action(detail=True, methods=["post"], serializer_class=AwardEndSerializer, filter_backends=[])
    def end(self, request, pk=None):
        data = AwardEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = services.award_end(award=self.get_object(), by=request.user, **data.validated_data)
        return Response(AwardSerializer(self.get_queryset().get(pk=award.pk)).data)
