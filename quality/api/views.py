"""The quality audits for systems: the framework, audits (a provider user's own, from sharing on), published
ratings with their CSV/XLSX export for partners, the council's intelligence, and the schedule of visits by risk.
Audits are written on the pages (quality.web), through the same services."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action

from accounts.permissions import allow
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import IdFilter, KnownQueryParameters, query_parse
from quality import capabilities as caps
from quality import selectors, services
from quality.api.serializers import (
    AuditDetailSerializer,
    AuditSerializer,
    FrameworkSerializer,
    IntelligenceSerializer,
    ScheduleEntrySerializer,
    ScheduleQuery,
)
from quality.models import Audit, AuditStatus, Framework, Intelligence, IntelligenceCategory, QualityRating


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Audit frameworks, each version with its standards and weights."""

    permission_classes = [allow(read=caps.READ_AUDITS)]
    queryset = Framework.objects.prefetch_related("standards__domain").order_by("name", "-version")
    serializer_class = FrameworkSerializer


class AuditFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AuditStatus.choices)
    rating = django_filters.ChoiceFilter(choices=QualityRating.choices)
    location = IdFilter(field_name="location_id")

    class Meta:
        model = Audit
        fields = ["status", "rating", "location"]


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """Audits; a provider user sees its own services' from the day the draft is shared."""

    permission_classes = [allow(read=caps.READ_AUDITS)]
    filterset_class = AuditFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.audit_detail_queryset(user=self.request.user)
        return selectors.audits_list(user=self.request.user).order_by("-planned_for", "-id")

    def get_serializer_class(self):
        return AuditDetailSerializer if self.action == "retrieve" else AuditSerializer


RATING_HEADERS = ["Location", "CQC location id", "Provider", "District", "Rating", "Weighted score", "Published"]


class RatingViewSet(FileExportNegotiation, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published quality ratings, newest first, with their CSV/XLSX export for partners."""

    permission_classes = [allow(read=caps.READ_AUDITS)]
    serializer_class = AuditSerializer
    filterset_class = AuditFilter
    export_actions = ("export",)

    def get_queryset(self):
        return selectors.published_ratings(user=self.request.user).select_related("location__district")

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt):
        rows = [
            [
                audit.location.name,
                audit.location.cqc_location_id,
                audit.location.provider.name,
                audit.location.district.name if audit.location.district else "",
                audit.rating,
                audit.weighted_score,
                audit.published_on,
            ]
            for audit in self.filter_queryset(self.get_queryset())
        ]
        content = table_file(headers=RATING_HEADERS, rows=rows, fmt=fmt, title="Quality ratings")
        return file_response(content, fmt=fmt, name=f"quality-ratings-{timezone.localdate().isoformat()}")


class IntelligenceFilter(django_filters.FilterSet):
    location = IdFilter(field_name="location_id")
    category = django_filters.ChoiceFilter(choices=IntelligenceCategory.choices)
    since = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")

    class Meta:
        model = Intelligence
        fields = ["location", "category", "since"]


class IntelligenceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The council's intelligence about each home or agency: concerns, complaints, safeguarding referrals and
    missed-call reports, dated, with a category and severity (no personal data: a case reference at most)."""

    permission_classes = [allow(read=caps.READ_INTELLIGENCE, write=caps.RECORD_INTELLIGENCE)]
    serializer_class = IntelligenceSerializer
    filterset_class = IntelligenceFilter

    def get_queryset(self):
        return selectors.intelligence_list()

    def perform_create(self, serializer):
        serializer.instance = services.intelligence_record(by=self.request.user, **serializer.validated_data)


@extend_schema(parameters=[ScheduleQuery])
class ScheduleView(generics.ListAPIView):
    """Homes and agencies in the order to audit them next, most at risk first, with the reasons and a due date
    (paginated like every list)."""

    permission_classes = [allow(read=caps.READ_INTELLIGENCE)]
    serializer_class = ScheduleEntrySerializer
    filter_backends = [KnownQueryParameters]
    query_serializer_class = ScheduleQuery

    def get_queryset(self):
        on = query_parse(self.request, ScheduleQuery, only=False).get("on") or timezone.localdate()
        return selectors.visit_schedule(on=on)
