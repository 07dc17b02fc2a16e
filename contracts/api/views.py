"""Thin views: check the role, scope provider users to their own providers, call a service or selector."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from accounts.selectors import provider_scope
from contracts import capabilities as caps
from contracts import exports, selectors, services
from contracts.api import filters
from contracts.api.queries import BedSearchQuery, OnQuery, VoidReportQuery
from contracts.api.serializers import (
    AvailableBedSerializer,
    BedLineSerializer,
    BreakDecisionSerializer,
    ClosureSerializer,
    ContractSerializer,
    HoldConvertSerializer,
    HoldSerializer,
    HomecareCountsSerializer,
    HomeClosureSerializer,
    PlacementEndSerializer,
    PlacementSerializer,
    PlacementUpdateSerializer,
    RateChangeSerializer,
    ReportingStatusSerializer,
    UpliftSerializer,
    VacancyReportSerializer,
    VacancyUploadSerializer,
    VoidFiguresSerializer,
)
from contracts.models import BedLine, Closure, Contract, Hold, Placement, RateChange, VacancyReport
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import KnownQueryParameters, query_names_check, query_parse
from providers.models import Location


# What an export answers, as the schema describes it: a CSV or an XLSX file, as the path asks.
def _on(request, *, only: bool = False):
    """The `on` date of a request (a 400 naming `on` if it is not a date), today when not given."""
    return query_parse(request, OnQuery, only=only).get("on") or timezone.localdate()


class ServiceWritesMixin:
    """Writes go through services with the signed-in user; serializers only parse. With `reread`, the
    answer is the written row read back through get_queryset, so it carries the list's annotations."""

    create_service = None
    update_service = None
    delete_service = None
    instance_argument = ""
    reread = False

    def perform_create(self, serializer):
        serializer.instance = self._answer(type(self).create_service(by=self.request.user, **serializer.validated_data))

    def perform_update(self, serializer):
        arguments = {self.instance_argument: serializer.instance, "by": self.request.user}
        serializer.instance = self._answer(type(self).update_service(**arguments, **serializer.validated_data))

    def _answer(self, instance):
        return self.get_queryset().get(pk=instance.pk) if self.reread else instance

    def perform_destroy(self, instance):
        type(self).delete_service(**{self.instance_argument: instance})


@extend_schema(parameters=[OnQuery])
class ContractViewSet(FileExportNegotiation, ServiceWritesMixin, viewsets.ModelViewSet):
    """The contracts register. Contract officers and commissioners edit; provider users see their own."""

    serializer_class = ContractSerializer
    permission_classes = [allow(read=caps.READ_REGISTER, write=caps.EDIT_CONTRACTS)]
    filterset_class = filters.ContractFilter
    query_serializer_class = OnQuery
    export_actions = ("export",)
    search_fields = ["reference", "provider__name", "notes"]
    ordering_fields = ["reference", "start_date", "end_date", "break_clause_date"]
    create_service = services.contract_create
    update_service = services.contract_update
    delete_service = services.contract_delete
    instance_argument = "contract"
    reread = True

    def get_queryset(self):
        contracts = provider_scope(Contract.objects.all(), self.request.user, provider_field="provider")
        return selectors.contracts_register(contracts, on=_on(self.request))

    @extend_schema(
        summary="Record whether the break clause was exercised",
        request=BreakDecisionSerializer,
        responses=ContractSerializer,
    )
    @action(detail=True, methods=["post"], url_path="break-decision", serializer_class=BreakDecisionSerializer)
    def break_decision(self, request, pk=None):
        data = BreakDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_break_decide(contract=self.get_object(), by=request.user, **data.validated_data)
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data)

    @extend_schema(
        summary="The contracts register as a CSV or XLSX file, with the list's filters, search and ordering",
        parameters=[FORMAT_PARAMETER],
        responses=FILE_RESPONSES,
        filters=True,
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt: str):
        rows = exports.register_rows(self.filter_queryset(self.get_queryset()))
        content = table_file(headers=exports.REGISTER_HEADERS, rows=rows, fmt=fmt, title="Contracts register")
        return file_response(content, fmt=fmt, name=f"contracts-register-{timezone.localdate()}")


@extend_schema(parameters=[OnQuery])
class BedLineViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """Block bed lines with contracted, placed, closed, held, void and free beds and the rate on a day."""

    serializer_class = BedLineSerializer
    permission_classes = [allow(read=caps.READ_REGISTER, write=caps.EDIT_CONTRACTS)]
    filterset_class = filters.BedLineFilter
    query_serializer_class = OnQuery
    search_fields = ["location__name", "contract__reference"]
    ordering_fields = ["activation_date", "beds"]
    create_service = services.bed_line_create
    update_service = services.bed_line_update
    delete_service = services.bed_line_delete
    instance_argument = "line"
    reread = True

    def get_queryset(self):
        lines = provider_scope(
            BedLine.objects.select_related("contract", "location"),
            self.request.user,
            provider_field="location__provider",
        )
        return selectors.bed_lines_with_voids(lines, on=_on(self.request)).order_by("id")


class RateChangeViewSet(ServiceWritesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Prices change only here: a new weekly rate from an effective date."""

    serializer_class = RateChangeSerializer
    permission_classes = [allow(read=caps.READ_REGISTER, write=caps.EDIT_CONTRACTS)]
    filterset_class = filters.RateChangeFilter
    ordering_fields = ["effective_from"]
    create_service = services.rate_change_create

    def get_queryset(self):
        return provider_scope(
            RateChange.objects.order_by("bed_line_id", "effective_from"),
            self.request.user,
            provider_field="bed_line__location__provider",
        )

    @extend_schema(
        summary="Apply the annual uplift (NLW and CPI, weighted and capped per contract) to one or all contracts",
        request=UpliftSerializer,
        responses=inline_serializer(
            "UpliftResult",
            {
                "uplifted": serializers.IntegerField(help_text="Bed lines given a new rate from the date."),
                "already_uplifted": serializers.IntegerField(help_text="Bed lines with a rate from that date."),
            },
        ),
    )
    @action(detail=False, methods=["post"], serializer_class=UpliftSerializer)
    def uplift(self, request):
        data = UpliftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.uplift_apply(by=request.user, **data.validated_data)
        return Response(result)


class PlacementViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """People placed in beds or receiving homecare, by pseudonymous reference only."""

    serializer_class = PlacementSerializer
    permission_classes = [allow(read=caps.READ_PLACEMENTS, write=caps.PLACE_PEOPLE)]
    filterset_class = filters.PlacementFilter
    search_fields = ["reference"]
    ordering_fields = ["start_date", "end_date"]
    create_service = services.placement_create
    update_service = services.placement_update
    instance_argument = "placement"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        placements = Placement.objects.select_related("home_ward")  # the ward's code is shown on each row
        return provider_scope(placements, self.request.user, provider_field="provider")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return PlacementUpdateSerializer
        return super().get_serializer_class()

    @extend_schema(request=PlacementUpdateSerializer, responses=PlacementSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return Response(PlacementSerializer(self.get_object()).data)

    @extend_schema(request=PlacementEndSerializer, responses=PlacementSerializer)
    @action(detail=True, methods=["post"], serializer_class=PlacementEndSerializer)
    def end(self, request, pk=None):
        data = PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = services.placement_end(placement=self.get_object(), by=request.user, **data.validated_data)
        return Response(PlacementSerializer(placement).data)

    @extend_schema(
        summary="People on homecare or direct payments on a day, by arrangement",
        parameters=[OnQuery],
        responses=HomecareCountsSerializer,
    )
    @action(
        detail=False,
        url_path="homecare-counts",
        permission_classes=[allow(read=caps.COUNT_HOMECARE)],
        filter_backends=[],
    )
    def homecare_counts(self, request):
        counts = selectors.homecare_counts(on=_on(request, only=True))
        return Response(HomecareCountsSerializer(counts).data)


class HoldViewSet(ServiceWritesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A broker's hold on a void bed; it lapses after HOLD_DURATION unless converted to a placement."""

    serializer_class = HoldSerializer
    permission_classes = [allow(read=caps.READ_PLACEMENTS, write=caps.HOLD_BEDS)]
    filterset_class = filters.HoldFilter
    search_fields = ["reference"]
    ordering_fields = ["start_date", "expires_at"]

    def get_queryset(self):
        return provider_scope(Hold.objects.all(), self.request.user, provider_field="bed_line__location__provider")

    def perform_create(self, serializer):
        serializer.instance = services.hold_place(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=HoldConvertSerializer, responses={201: PlacementSerializer})
    @action(detail=True, methods=["post"], serializer_class=HoldConvertSerializer)
    def convert(self, request, pk=None):
        data = HoldConvertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = services.hold_convert(hold=self.get_object(), by=request.user, **data.validated_data)
        return Response(PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HoldSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return Response(HoldSerializer(services.hold_release(hold=self.get_object(), by=request.user)).data)


class ClosureViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """Closed beds (outbreak, refurbishment). Provider users report closures for their own homes."""

    serializer_class = ClosureSerializer
    permission_classes = [allow(read=caps.READ_REGISTER, write=caps.RECORD_CLOSURES)]
    filterset_class = filters.ClosureFilter
    ordering_fields = ["start_date", "end_date"]
    create_service = services.closure_create
    update_service = services.closure_update
    instance_argument = "closure"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return provider_scope(
            Closure.objects.select_related("bed_line__location"),
            self.request.user,
            provider_field="bed_line__location__provider",
        )

    @extend_schema(
        summary="Close every block bed at a home for a while (e.g. a 28-day closure after an outbreak)",
        request=HomeClosureSerializer,
        responses={201: inline_serializer("HomeClosures", {"closures": ClosureSerializer(many=True)})},
    )
    @action(detail=False, methods=["post"], url_path="home", serializer_class=HomeClosureSerializer)
    def home(self, request):
        data = HomeClosureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closures = services.location_close(by=request.user, **data.validated_data)
        return Response({"closures": ClosureSerializer(closures, many=True).data}, status=status.HTTP_201_CREATED)


class VacancyReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Provider-reported vacancies, Capacity Tracker style (one report per location, care type and day)."""

    serializer_class = VacancyReportSerializer
    permission_classes = [allow(read=caps.READ_REGISTER, write=caps.REPORT_VACANCIES)]
    filterset_class = filters.VacancyReportFilter
    ordering_fields = ["report_date"]

    def get_queryset(self):
        return provider_scope(VacancyReport.objects.all(), self.request.user, provider_field="location__provider")

    def perform_create(self, serializer):
        serializer.instance = services.vacancy_report_record(by=self.request.user, **serializer.validated_data)

    @extend_schema(
        summary="Upload a CSV of vacancy reports (all rows checked first; nothing written if any is wrong)",
        request={"multipart/form-data": VacancyUploadSerializer},
        responses={201: inline_serializer("VacancyUploadResult", {"imported": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], serializer_class=VacancyUploadSerializer)
    def upload(self, request):
        data = VacancyUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        imported = services.vacancy_reports_import(content=data.validated_data["file"], by=request.user)
        return Response({"imported": imported}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="When each care home last reported, and whether that report is stale",
        responses=ReportingStatusSerializer(many=True),
    )
    @action(detail=False, url_path="status", filter_backends=[], serializer_class=ReportingStatusSerializer)
    def reporting_status(self, request):
        query_names_check(request.query_params, [self.paginator.page_query_param, self.paginator.page_size_query_param])
        homes = provider_scope(Location.objects.filter(care_home=True), request.user, provider_field="provider")
        page = self.paginate_queryset(selectors.locations_reporting_status(homes).order_by("name"))
        return self.get_paginated_response(ReportingStatusSerializer(page, many=True).data)


@extend_schema(parameters=[VoidReportQuery])
class VoidReportView(generics.ListAPIView):
    """Void bed-days and void cost over a period, per line, contract, location, district or care type,
    largest void cost first (paginated like every list, in the database)."""

    permission_classes = [allow(read=caps.READ_VOIDS)]
    serializer_class = VoidFiguresSerializer
    filter_backends = [KnownQueryParameters]
    query_serializer_class = VoidReportQuery

    def get_queryset(self):
        parameters = query_parse(self.request, VoidReportQuery, only=False)
        return selectors.void_report(**VoidReportQuery.arguments(parameters))


class VoidReportExportView(FileExportNegotiation, APIView):
    """The void report as a CSV or XLSX file: every group, with the report's parameters."""

    permission_classes = [allow(read=caps.READ_VOIDS)]

    @extend_schema(parameters=[VoidReportQuery, FORMAT_PARAMETER], responses=FILE_RESPONSES)
    def get(self, request, fmt: str):
        arguments = VoidReportQuery.arguments(query_parse(request, VoidReportQuery))
        rows = exports.void_rows(selectors.void_report(**arguments), group_by=arguments["group_by"])
        content = table_file(headers=exports.VOID_HEADERS, rows=rows, fmt=fmt, title="Void report")
        return file_response(content, fmt=fmt, name=f"void-report-{arguments['group_by']}")


def _money_as_text(rows: list[dict]) -> list[dict]:
    """The rows are plain dicts already shaped as AvailableBedSerializer documents them; serialising a
    hundred rows field by field would cost more than the query, so only money is formatted here."""
    for row in rows:
        if row.get("weekly_rate") is not None:
            row["weekly_rate"] = f"{row['weekly_rate']:.2f}"
    return rows


class BedsAvailableView(APIView):
    """The brokerage bed finder: free block beds of a care type near a postcode or in a district."""

    permission_classes = [allow(read=caps.FIND_BEDS)]

    @extend_schema(
        parameters=[BedSearchQuery],
        responses=inline_serializer(
            "BedsAvailable",
            {
                "care_type": serializers.CharField(),
                "on": serializers.DateField(),
                "postcode": serializers.CharField(),
                "district": serializers.CharField(allow_null=True),
                "radius_km": serializers.FloatField(allow_null=True),
                "block_beds": AvailableBedSerializer(many=True),
                "spot_vacancies": AvailableBedSerializer(many=True, allow_null=True),
            },
        ),
    )
    def get(self, request):
        search = selectors.beds_available(BedSearchQuery.search(query_parse(request, BedSearchQuery)))
        return Response(
            {
                "care_type": search.care_type,
                "on": search.on,
                "postcode": search.postcode,
                "district": search.district.code if search.district else None,
                "radius_km": search.radius_km,
                "block_beds": _money_as_text(search.results),
                "spot_vacancies": _money_as_text(search.spot) if search.spot is not None else None,
            }
        )
