"""Thin views: check the role, scope provider users to their own providers, call a service or selector."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import allow
from accounts.roles import ALL_ROLES, STAFF_ROLES, Role
from accounts.selectors import provider_scope
from contracts import exports, selectors, services
from contracts.api.serializers import (
    AvailableBedSerializer,
    BedLineSerializer,
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
from contracts.models import BedLine, CareType, Closure, Contract, Hold, Placement, RateChange, VacancyReport
from providers.models import Location

CONTRACT_EDITORS = {Role.CONTRACT_OFFICER, Role.COMMISSIONER}
PLACERS = {Role.BROKER, Role.CONTRACT_OFFICER}
PLACEMENT_READERS = {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER}
BED_FINDERS = {Role.BROKER, Role.CONTRACT_OFFICER, Role.COMMISSIONER, Role.COMPLIANCE_OFFICER}
REPORTERS = {Role.PROVIDER_USER, Role.BROKER, Role.CONTRACT_OFFICER}


def _file_response(content: bytes, *, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


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


@extend_schema(parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Active beds on (default today)")])
class ContractViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """The contracts register. Contract officers and commissioners edit; provider users see their own."""

    serializer_class = ContractSerializer
    permission_classes = [allow(read=ALL_ROLES, write=CONTRACT_EDITORS)]
    filterset_fields = ["provider", "kind", "service", "status", "commissioning_partner"]
    search_fields = ["reference", "provider__name", "notes"]
    ordering_fields = ["reference", "start_date", "end_date", "break_clause_date"]
    create_service = services.contract_create
    update_service = services.contract_update
    delete_service = services.contract_delete
    instance_argument = "contract"
    reread = True

    def get_queryset(self):
        contracts = provider_scope(Contract.objects.all(), self.request.user, provider_field="provider")
        return selectors.contracts_register(contracts, on=selectors.date_param(self.request.query_params, "on"))

    @extend_schema(
        summary="The contracts register as a CSV or XLSX file",
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["csv", "xlsx"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", filter_backends=[])
    def export(self, request, fmt: str):
        rows = exports.register_rows(self.get_queryset())
        content = exports.table_file(headers=exports.REGISTER_HEADERS, rows=rows, fmt=fmt, title="Contracts register")
        return _file_response(content, fmt=fmt, name=f"contracts-register-{timezone.localdate()}")


@extend_schema(parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Beds and rate on (default today)")])
class BedLineViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
    """Block bed lines with contracted, placed, closed, held, void and free beds and the rate on a day."""

    serializer_class = BedLineSerializer
    permission_classes = [allow(read=ALL_ROLES, write=CONTRACT_EDITORS)]
    filterset_fields = ["contract", "location", "care_type", "location__district"]
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
        on = selectors.date_param(self.request.query_params, "on", timezone.localdate())
        return selectors.bed_lines_with_voids(lines, on=on).order_by("id")


class RateChangeViewSet(ServiceWritesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Prices change only here: a new weekly rate from an effective date."""

    serializer_class = RateChangeSerializer
    permission_classes = [allow(read=ALL_ROLES, write=CONTRACT_EDITORS)]
    filterset_fields = ["bed_line", "bed_line__contract", "reason", "effective_from"]
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
    permission_classes = [allow(read=PLACEMENT_READERS | {Role.PROVIDER_USER}, write=PLACERS)]
    filterset_fields = ["kind", "service", "bed_line", "location", "provider", "care_type", "source"]
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
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE)],
        responses=HomecareCountsSerializer,
    )
    @action(detail=False, url_path="homecare-counts", permission_classes=[allow(read=STAFF_ROLES)], filter_backends=[])
    def homecare_counts(self, request):
        counts = selectors.homecare_counts(on=selectors.date_param(request.query_params, "on", timezone.localdate()))
        return Response(HomecareCountsSerializer(counts).data)


class HoldViewSet(ServiceWritesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A broker's hold on a void bed; it lapses after HOLD_DURATION unless converted to a placement."""

    serializer_class = HoldSerializer
    permission_classes = [allow(read=PLACEMENT_READERS | {Role.PROVIDER_USER}, write={Role.BROKER})]
    filterset_fields = ["bed_line", "status"]
    search_fields = ["reference"]

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
    permission_classes = [allow(read=ALL_ROLES, write=CONTRACT_EDITORS | {Role.PROVIDER_USER})]
    filterset_fields = ["bed_line", "bed_line__location", "bed_line__contract"]
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
    permission_classes = [allow(read=ALL_ROLES, write=REPORTERS)]
    filterset_fields = ["location", "care_type", "report_date", "accepting_admissions"]

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
        imported = services.vacancy_reports_import(content=data.validated_data["file"].read(), by=request.user)
        return Response({"imported": imported}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="When each care home last reported, and whether that report is stale",
        responses=ReportingStatusSerializer(many=True),
    )
    @action(detail=False, url_path="status", filter_backends=[], serializer_class=ReportingStatusSerializer)
    def reporting_status(self, request):
        homes = provider_scope(Location.objects.filter(care_home=True), request.user, provider_field="provider")
        page = self.paginate_queryset(selectors.locations_reporting_status(homes).order_by("name"))
        return self.get_paginated_response(ReportingStatusSerializer(page, many=True).data)


VOID_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, required=True),
    OpenApiParameter("to", OpenApiTypes.DATE, required=True),
    OpenApiParameter("group_by", str, enum=list(selectors.VOID_GROUPS), default="line"),
    OpenApiParameter("contract", int),
    OpenApiParameter("district", str, description="District code"),
    OpenApiParameter("care_type", str),
]


@extend_schema(parameters=VOID_PARAMETERS)
class VoidReportView(generics.ListAPIView):
    """Void bed-days and void cost over a period, per line, contract, location, district or care type,
    largest void cost first (paginated like every list)."""

    permission_classes = [allow(read=STAFF_ROLES)]
    serializer_class = VoidFiguresSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.void_report(**selectors.void_report_parse(self.request.query_params))


class VoidReportExportView(APIView):
    permission_classes = [allow(read=STAFF_ROLES)]

    @extend_schema(
        parameters=[*VOID_PARAMETERS, OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["csv", "xlsx"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, fmt: str):
        arguments = selectors.void_report_parse(request.query_params)
        figures = selectors.void_report(**arguments)
        group_by = arguments["group_by"]
        rows = exports.void_rows(figures, group_by=group_by)
        content = exports.table_file(headers=exports.VOID_HEADERS, rows=rows, fmt=fmt, title="Void report")
        return _file_response(content, fmt=fmt, name=f"void-report-{group_by}")


BED_FINDER_PARAMETERS = [
    OpenApiParameter("care_type", str, required=True, enum=CareType.values),
    OpenApiParameter("postcode", str, description="Search around this postcode (or give district)"),
    OpenApiParameter("radius_km", float, description=f"Default 20, at most {selectors.MAX_RADIUS_KM}"),
    OpenApiParameter("district", str, description="District code, instead of a postcode"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Free on this day (default today)"),
    OpenApiParameter("include_restricted", bool, description="Include Inadequate / no-admissions homes, marked"),
    OpenApiParameter("include_spot", bool, description="Add provider-reported spot vacancies as a second group"),
    OpenApiParameter("limit", int, description="At most this many results per group (default 100)"),
]


def _money_as_text(rows: list[dict]) -> list[dict]:
    """The rows are plain dicts already shaped as AvailableBedSerializer documents them; serialising a
    hundred rows field by field would cost more than the query, so only money is formatted here."""
    for row in rows:
        if row.get("weekly_rate") is not None:
            row["weekly_rate"] = f"{row['weekly_rate']:.2f}"
    return rows


class BedsAvailableView(APIView):
    """The brokerage bed finder: free block beds of a care type near a postcode or in a district."""

    permission_classes = [allow(read=BED_FINDERS)]

    @extend_schema(
        parameters=BED_FINDER_PARAMETERS,
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
        search = selectors.beds_available(selectors.bed_search_parse(request.query_params))
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
