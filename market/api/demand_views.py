"""Demand, pending arrangements and capacity gaps. Commissioners and contract officers write; compliance
officers, brokers and other council staff read; provider users have no access (these are the council's plans
and other providers' supply)."""

import django_filters
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import BooleanFilter, ChoiceInFilter, query_parse
from geo.models import Locality
from market import capabilities as caps
from market.api.demand_serializers import (
    LOCALITY_KINDS,
    DemandSerializer,
    GapAnswerSerializer,
    GapQuery,
    GapTrendQuery,
    GapTrendSerializer,
    ImportResultSerializer,
    PendingArrangementSerializer,
    UploadSerializer,
    WaitsSerializer,
)
from market.exports_analysis import gap_headers, gap_rows
from market.models import Bridging, Demand, DemandCareType, DemandSource, PendingArrangement
from market.selectors.gaps import capacity_gap_trend, capacity_gaps
from market.services import demand as services

PERMISSIONS = [allow(read=caps.READ_PLANS, write=caps.EDIT_MARKET)]


class LocalityCodesFilter(django_filters.CharFilter):
    """Rows of these districts or wards (comma-separated codes); a code no district or ward has is a 400."""

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        known = set(Locality.objects.filter(code__in=codes, kind__in=LOCALITY_KINDS).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown or not codes:
            raise ValidationError({"locality": [f"No district or ward has the code(s) {', '.join(unknown)}."]})
        return queryset.filter(locality__code__in=codes)


class DemandFilter(django_filters.FilterSet):
    locality = LocalityCodesFilter(help_text="District or ward codes, comma-separated.")
    care_type = ChoiceInFilter(choices=DemandCareType.choices, help_text="Care types, comma-separated.")
    source = django_filters.ChoiceFilter(choices=DemandSource.choices)
    on = django_filters.DateFilter(method="covering", help_text="Need whose period covers this day.")

    class Meta:
        model = Demand
        fields = []

    def covering(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class PendingFilter(django_filters.FilterSet):
    locality = LocalityCodesFilter(help_text="District or ward codes, comma-separated.")
    care_type = ChoiceInFilter(choices=DemandCareType.choices, help_text="Care types, comma-separated.")
    bridging = ChoiceInFilter(choices=Bridging.choices, help_text="Bridging, comma-separated.")
    waiting = BooleanFilter(field_name="ended_on", lookup_expr="isnull", help_text="Still waiting (true).")

    class Meta:
        model = PendingArrangement
        fields = []


class ServiceCrud:
    """Creates, updates and deletes go through the services with the signed-in user."""

    instance_argument = ""

    def perform_create(self, serializer):
        written = self.services["create"](by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)

    def perform_update(self, serializer):
        arguments = {self.instance_argument: serializer.instance, "by": self.request.user}
        written = self.services["update"](**arguments, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)

    def perform_destroy(self, instance):
        self.services["delete"](**{self.instance_argument: instance}, by=self.request.user)

    def _import(self, request, service):
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        imported = service(content=data.validated_data["file"], by=request.user)
        return Response({"imported": imported}, status=status.HTTP_201_CREATED)


IMPORT_SCHEMA = {
    "request": {"multipart/form-data": UploadSerializer},
    "responses": {201: ImportResultSerializer},
}

DEMAND_HEADERS = [
    "Locality code",
    "Locality",
    "Kind",
    "Care type",
    "Unit",
    "Period start",
    "Period end",
    "Quantity",
    "Source",
    "Notes",
]


class DemandViewSet(FileExportNegotiation, ServiceCrud, viewsets.ModelViewSet):
    """Need by district or ward, care type and period: beds, or hours a week for homecare."""

    serializer_class = DemandSerializer
    permission_classes = PERMISSIONS
    filterset_class = DemandFilter
    ordering_fields = ["period_start", "quantity", "care_type"]
    search_fields = ["locality__name", "locality__code", "notes"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    export_actions = ("export",)
    instance_argument = "demand"
    services = {"create": services.demand_create, "update": services.demand_update, "delete": services.demand_delete}

    def get_queryset(self):
        return Demand.objects.select_related("locality").order_by("locality__name", "care_type", "period_start", "id")

    @extend_schema(
        summary="Import need from a CSV (every row checked first; nothing written if any is wrong)", **IMPORT_SCHEMA
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser], filter_backends=[])
    def import_file(self, request):
        return self._import(request, services.demand_import)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt):
        rows = [
            [
                demand.locality.code,
                demand.locality.name,
                demand.locality.kind,
                demand.get_care_type_display(),
                "hours a week" if demand.care_type == "homecare_hours" else "beds",
                demand.period_start,
                demand.period_end,
                demand.quantity,
                demand.get_source_display(),
                demand.notes,
            ]
            for demand in self.filter_queryset(self.get_queryset())
        ]
        content = table_file(headers=DEMAND_HEADERS, rows=rows, fmt=fmt, title="Demand")
        return file_response(content, fmt=fmt, name="demand")


PENDING_HEADERS = [
    "Reference",
    "Locality code",
    "Locality",
    "Care type",
    "Hours a week",
    "Waiting since",
    "Bridging",
    "Ended on",
    "Outcome",
    "Days waiting",
    "Long wait",
]


class PendingArrangementViewSet(FileExportNegotiation, ServiceCrud, viewsets.ModelViewSet):
    """People waiting for care (pseudonymous references), where they live, what they wait for, since when and
    how they are bridged meanwhile."""

    serializer_class = PendingArrangementSerializer
    permission_classes = PERMISSIONS
    filterset_class = PendingFilter
    ordering_fields = ["waiting_since", "ended_on"]
    search_fields = ["reference"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    export_actions = ("export",)
    instance_argument = "pending"
    services = {
        "create": services.pending_create,
        "update": services.pending_update,
        "delete": services.pending_delete,
    }

    def get_queryset(self):
        return PendingArrangement.objects.select_related("locality").order_by("waiting_since", "id")

    @extend_schema(
        summary="Import pending arrangements from a CSV (every row checked first; nothing written if any is wrong)",
        **IMPORT_SCHEMA,
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser], filter_backends=[])
    def import_file(self, request):
        return self._import(request, services.pending_import)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt):
        serializer = PendingArrangementSerializer()
        rows = [
            [
                pending.reference,
                pending.locality.code,
                pending.locality.name,
                pending.get_care_type_display(),
                pending.hours_per_week,
                pending.waiting_since,
                pending.get_bridging_display(),
                pending.ended_on,
                pending.get_outcome_display() if pending.ended_on else "",
                serializer.get_waiting_days(pending),
                "yes" if serializer.get_long_wait(pending) else "no",
            ]
            for pending in self.filter_queryset(self.get_queryset())
        ]
        content = table_file(headers=PENDING_HEADERS, rows=rows, fmt=fmt, title="Pending arrangements")
        return file_response(content, fmt=fmt, name="pending-arrangements")

    @extend_schema(parameters=[GapQuery], responses=WaitsSerializer)
    @action(detail=False, filter_backends=[], pagination_class=None)
    def waits(self, request):
        """People waiting on a day and the waits longer than PENDING_WAIT_LONG_DAYS, per locality and care type
        (districts include their wards), most long waits first."""
        query = query_parse(request, GapQuery)
        on = query.get("on") or timezone.localdate()
        gaps = capacity_gaps(on=on, localities=query.get("locality"), care_types=query.get("care_type"))
        rows = sorted(
            (gap for gap in gaps if gap.waiting),
            key=lambda gap: (-gap.waiting_long, -gap.waiting, gap.locality_name, gap.care_type),
        )
        answer = {"on": on, "long_wait_days": settings.PENDING_WAIT_LONG_DAYS, "rows": rows}
        return Response(WaitsSerializer(answer).data)


class CapacityGapViewSet(FileExportNegotiation, viewsets.ViewSet):
    """Capacity gaps: demand + people waiting − supply, per district or ward and care type, largest first."""

    permission_classes = [allow(read=caps.READ_PLANS)]
    export_actions = ("export",)
    list_answers_object = True  # core.schema.AutoSchema: the answer is one object with its rows

    def _gaps(self, request):
        query = query_parse(request, GapQuery)
        on = query.get("on") or timezone.localdate()
        return on, capacity_gaps(on=on, localities=query.get("locality"), care_types=query.get("care_type"))

    @extend_schema(parameters=[GapQuery], responses=GapAnswerSerializer)
    def list(self, request):
        """The gap on a day (default today) for every district, or the districts and wards named."""
        on, gaps = self._gaps(request)
        answer = {"on": on, "long_wait_days": settings.PENDING_WAIT_LONG_DAYS, "rows": gaps}
        return Response(GapAnswerSerializer(answer).data)

    @extend_schema(parameters=[GapTrendQuery], responses=GapTrendSerializer)
    @action(detail=False)
    def trend(self, request):
        """Demand, waiting, supply and gap at the start, each month or quarter end, and the end."""
        query = query_parse(request, GapTrendQuery)
        series = capacity_gap_trend(
            start=query["start"],
            end=query["end"],
            step=query["step"],
            localities=query.get("locality"),
            care_types=query.get("care_type"),
        )
        answer = {"start": query["start"], "end": query["end"], "step": query["step"], "series": series}
        return Response(GapTrendSerializer(answer).data)

    @extend_schema(
        parameters=[FORMAT_PARAMETER, GapQuery],
        responses=FILE_RESPONSES,
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)")
    def export(self, request, fmt):
        on, gaps = self._gaps(request)
        content = table_file(headers=gap_headers(), rows=gap_rows(gaps), fmt=fmt, title=f"Capacity gaps {on}")
        return file_response(content, fmt=fmt, name=f"capacity-gaps-{on}")
