"""Micro-enterprises, their returns and the development programmes with their figures.

Commissioners and contract officers write; compliance officers, brokers and other council staff read. Provider
users see none of it, except a micro-enterprise's own account (a provider user linked to it), which sees its own
micro-enterprise and reports its returns: any other is a 404 to it, as it does not exist for them."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import BooleanFilter, ChoiceInFilter, IdFilter, query_parse
from geo.api.fields import LocalityCodeFilter, locality_code_check
from market import capabilities as caps
from market.api.micro_serializers import (
    FiguresSerializer,
    HealthSerializer,
    MicroEnterpriseDetailSerializer,
    MicroEnterpriseSerializer,
    MicroEnterpriseUpdateSerializer,
    OnQuery,
    ProgrammeSerializer,
    ProgrammeUpdateSerializer,
    ReturnSerializer,
    StatusSetSerializer,
)
from market.exports import (
    MICRO_ENTERPRISE_HEADERS,
    PROGRAMME_FIGURES_HEADERS,
    micro_enterprise_rows,
    programme_figures_rows,
)
from market.models import MicroEnterprise, MicroEnterpriseReturn, MicroEnterpriseStatus
from market.selectors.micro_enterprises import micro_enterprise_scope, micro_enterprises_list
from market.selectors.programmes import programme_figures, programme_health, programmes_list
from market.services import micro_enterprises as services

NO_DELETE = ["get", "post", "patch", "head", "options"]


class MicroEnterpriseFilter(django_filters.FilterSet):
    status = ChoiceInFilter(choices=MicroEnterpriseStatus.choices, help_text="One or more, comma-separated.")
    ward = LocalityCodeFilter(field_name="locality__code", kind="ward", param="ward", help_text="Ward GSS code.")
    district = django_filters.CharFilter(method="in_district", help_text="District GSS code (and its wards).")
    needs_cqc_registration = BooleanFilter()

    class Meta:
        model = MicroEnterprise
        fields = []

    def in_district(self, queryset, name, value):
        district = locality_code_check(value, kind="district", param="district")
        return queryset.filter(Q(locality=district) | Q(locality__parent=district))


class MicroEnterpriseViewSet(
    FileExportNegotiation, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The micro-enterprises register: each with its status, since when, and its latest return. The detail
    adds the status history; .../status/ records a change of status on a date."""

    export_actions = ("export",)
    permission_classes = [allow(read=caps.READ_MARKET, write=caps.EDIT_MARKET)]
    filterset_class = MicroEnterpriseFilter
    search_fields = ["trading_name", "services"]
    ordering_fields = ["trading_name", "status_since"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        queryset = micro_enterprises_list(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("status_changes")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return MicroEnterpriseDetailSerializer
        if self.action == "partial_update":
            return MicroEnterpriseUpdateSerializer
        return MicroEnterpriseSerializer

    def _detail(self, micro_enterprise):
        written = self.get_queryset().prefetch_related("status_changes").get(pk=micro_enterprise.pk)
        return MicroEnterpriseDetailSerializer(written, context=self.get_serializer_context()).data

    @extend_schema(responses={201: MicroEnterpriseDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = MicroEnterpriseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["status_on"] = values.pop("status_since")
        written = services.micro_enterprise_create(by=request.user, **values)
        return Response(self._detail(written), status=201)

    @extend_schema(request=MicroEnterpriseUpdateSerializer, responses=MicroEnterpriseDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = MicroEnterpriseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        written = services.micro_enterprise_update(
            micro_enterprise=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(self._detail(written))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=StatusSetSerializer, responses=MicroEnterpriseDetailSerializer)
    @action(detail=True, methods=["post"], serializer_class=StatusSetSerializer, filter_backends=[])
    def status(self, request, pk=None):
        """Record a change of status from a day (a late change may be recorded before later ones)."""
        data = StatusSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        micro_enterprise = self.get_object()
        services.micro_enterprise_status_set(micro_enterprise=micro_enterprise, by=request.user, **data.validated_data)
        return Response(self._detail(micro_enterprise))

    @extend_schema(
        summary="The micro-enterprises register (following the list's filters) as a CSV or XLSX file",
        parameters=[FORMAT_PARAMETER],
        responses=FILE_RESPONSES,
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt: str):
        rows = micro_enterprise_rows(self.filter_queryset(self.get_queryset()))
        content = table_file(headers=MICRO_ENTERPRISE_HEADERS, rows=rows, fmt=fmt, title="Micro-enterprises")
        return file_response(content, fmt=fmt, name=f"micro-enterprises-{timezone.localdate()}")


class ReturnFilter(django_filters.FilterSet):
    micro_enterprise = IdFilter(field_name="micro_enterprise_id")
    from_date_after = django_filters.DateFilter(field_name="from_date", lookup_expr="gte")
    from_date_before = django_filters.DateFilter(field_name="from_date", lookup_expr="lte")

    class Meta:
        model = MicroEnterpriseReturn
        fields = []


class ReturnViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Micro-enterprises' periodic returns, latest first: hours a week delivered and people supported from a
    day. A micro-enterprise's own account reports and reads its own only."""

    serializer_class = ReturnSerializer
    permission_classes = [allow(read=caps.READ_MARKET, write=caps.SUBMIT_RETURNS)]
    filterset_class = ReturnFilter
    ordering_fields = ["from_date"]

    def get_queryset(self):
        returns = MicroEnterpriseReturn.objects.select_related("micro_enterprise")
        return micro_enterprise_scope(returns, self.request.user, field="micro_enterprise").order_by(
            "-from_date", "micro_enterprise_id", "id"
        )

    def perform_create(self, serializer):
        written = services.micro_enterprise_return_record(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)


class ProgrammeViewSet(
    FileExportNegotiation, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Development programmes: areas, start, yearly targets, planned hours a week and spending per quarter, and
    the hourly cost avoidance. .../figures/ gives actual against target and trajectory, cost avoidance, cash
    flow and break-even, actual and forecast; .../health/ the state of health by locality."""

    export_actions = ("figures_export",)
    serializer_class = ProgrammeSerializer
    permission_classes = [allow(read=caps.READ_PLANS, write=caps.EDIT_MARKET)]
    search_fields = ["name"]
    ordering_fields = ["name", "start_date"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return programmes_list()

    def perform_create(self, serializer):
        written = services.programme_create(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=written.pk)

    @extend_schema(request=ProgrammeUpdateSerializer, responses=ProgrammeSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = ProgrammeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        written = services.programme_update(programme=self.get_object(), by=request.user, **data.validated_data)
        return Response(ProgrammeSerializer(self.get_queryset().get(pk=written.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _on(self, request):
        return query_parse(request, OnQuery).get("on") or timezone.localdate()

    @extend_schema(parameters=[OnQuery], responses=FiguresSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def figures(self, request, pk=None):
        """Per programme quarter and year, actual to `on` (default today) and forecast from the trajectory."""
        on = self._on(request)
        return Response(FiguresSerializer(programme_figures(programme=self.get_object(), on=on)).data)

    @extend_schema(
        summary="A programme's figures per quarter as a CSV or XLSX file",
        parameters=[FORMAT_PARAMETER, OnQuery],
        responses=FILE_RESPONSES,
    )
    @action(detail=True, url_path=r"figures/export/(?P<fmt>csv|xlsx)", filter_backends=[], pagination_class=None)
    def figures_export(self, request, fmt: str, pk=None):
        on = self._on(request)
        programme = self.get_object()
        figures = programme_figures(programme=programme, on=on)
        content = table_file(
            headers=PROGRAMME_FIGURES_HEADERS, rows=programme_figures_rows(figures), fmt=fmt, title="Programme figures"
        )
        return file_response(content, fmt=fmt, name=f"programme-{programme.pk}-figures-{on}")

    @extend_schema(parameters=[OnQuery], responses=HealthSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def health(self, request, pk=None):
        """Micro-enterprises by status, hours a week and people supported by locality on `on` (default today)."""
        on = self._on(request)
        return Response(HealthSerializer(programme_health(programme=self.get_object(), on=on)).data)
