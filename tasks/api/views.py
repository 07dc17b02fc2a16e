"""Thin views over the alerts inbox, rules and silences. Every role reads alerts, provider users only those
about their own providers (any other is a 404) and they change none; council staff act on alerts; rules are
read by staff and changed by administrators; silences are set by administrators and compliance officers."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.api import EstimatedCountPagination
from core.exports import FILE_RESPONSES, FORMAT_PARAMETER, FileExportNegotiation, file_response, table_file
from core.query import KnownQueryParameters
from tasks import capabilities as caps
from tasks import selectors
from tasks.api import serializers as s
from tasks.api.filters import AlertFilter, SilenceFilter
from tasks.rules import RULES
from tasks.services import alerts as actions
from tasks.services.rules import rule_update
from tasks.services.silences import silence_create, silence_expire

EXPORT_HEADERS = [
    "id",
    "rule",
    "severity",
    "status",
    "title",
    "subject",
    "provider",
    "location",
    "locality",
    "first seen",
    "last seen",
    "owner",
    "team",
    "silenced",
    "inhibited",
    "resolved at",
    "resolution note",
]


def _export_row(alert) -> list:
    return [
        alert.pk,
        alert.rule.code,
        alert.severity,
        alert.status,
        alert.title,
        f"{alert.subject_kind} {alert.subject_id}",
        alert.provider.name if alert.provider else "",
        alert.location.name if alert.location else "",
        alert.locality.code if alert.locality else "",
        alert.first_seen,
        alert.last_seen,
        alert.owner_user.username if alert.owner_user else "",
        alert.owner_team.name if alert.owner_team else "",
        alert.silenced,
        alert.inhibited,
        alert.resolved_at or "",
        alert.resolution_note,
    ]


class AlertViewSet(FileExportNegotiation, viewsets.ReadOnlyModelViewSet):
    """The alerts inbox: newest seen first, filtered by status, severity, rule, locality, provider, owner, mine
    and since. Acting on alerts (one or many: all or nothing) is for council staff."""

    permission_classes = [allow(read=caps.READ_ALERTS, write=caps.WORK_ALERTS)]
    # An exact count of a hundred thousand alerts cost more than the rest of a page: counted exactly up to
    # API_EXACT_COUNT_UP_TO, estimated beyond, the exact figure on request (core.api, bench/README.md).
    pagination_class = EstimatedCountPagination
    filterset_class = AlertFilter
    search_fields = ["title", "provider__name", "location__name"]
    ordering_fields = ["last_seen", "first_seen", "severity", "status"]
    export_actions = ("export",)

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.alert_detail_queryset(user=self.request.user)
        return selectors.alerts_list(user=self.request.user)

    def get_serializer_class(self):
        return s.AlertDetailSerializer if self.action == "retrieve" else s.AlertSerializer

    def list(self, request, *args, **kwargs):
        # The same rows and filters as the serializer would show. The page is counted and cut on the alerts' ids
        # alone, without the joins for the names; then its rows are read as values (selectors.alert_rows_of).
        alerts = self.filter_queryset(self.get_queryset().prefetch_related(None))
        page = [row["pk"] for row in self.paginate_queryset(alerts.values("pk"))]
        rows = selectors.alert_rows_of(user=self.request.user, ids=page)
        return self.get_paginated_response(s.alert_rows(rows))

    def _one(self, service, serializer_class, **extra):
        alert = self.get_object()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        service(ids=[alert.pk], by=self.request.user, **data.validated_data, **extra)
        return Response(
            s.AlertDetailSerializer(selectors.alert_detail_queryset(user=self.request.user).get(pk=alert.pk)).data
        )

    def _many(self, service, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        done = service(ids=values.pop("ids"), by=self.request.user, **values)
        alerts = selectors.alerts_list(user=self.request.user).filter(pk__in=[alert.pk for alert in done])
        return Response({"count": len(done), "alerts": s.AlertSerializer(alerts, many=True).data})

    @extend_schema(request=s.NoteSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request, pk=None):
        return self._one(actions.alerts_acknowledge, s.NoteSerializer)

    @extend_schema(request=s.AssignSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request, pk=None):
        return self._one(actions.alerts_assign, s.AssignSerializer)

    @extend_schema(request=s.SnoozeSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def snooze(self, request, pk=None):
        return self._one(actions.alerts_snooze, s.SnoozeSerializer)

    @extend_schema(request=s.ResolveSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request, pk=None):
        return self._one(actions.alerts_resolve, s.ResolveSerializer)

    @extend_schema(request=s.NoteSerializer, responses=s.AlertDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        return self._one(actions.alerts_reopen, s.NoteSerializer)

    @extend_schema(request=s.CommentSerializer, responses={201: s.AlertCommentSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def comment(self, request, pk=None):
        alert = self.get_object()
        data = s.CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = actions.alert_comment(alert=alert, by=request.user, text=data.validated_data["text"])
        return Response(s.AlertCommentSerializer(comment).data, status=201)

    @extend_schema(request=s.BulkNoteSerializer, responses=s.BulkAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="bulk/acknowledge", filter_backends=[], pagination_class=None)
    def bulk_acknowledge(self, request):
        return self._many(actions.alerts_acknowledge, s.BulkNoteSerializer)

    @extend_schema(request=s.BulkAssignSerializer, responses=s.BulkAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="bulk/assign", filter_backends=[], pagination_class=None)
    def bulk_assign(self, request):
        return self._many(actions.alerts_assign, s.BulkAssignSerializer)

    @extend_schema(request=s.BulkSnoozeSerializer, responses=s.BulkAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="bulk/snooze", filter_backends=[], pagination_class=None)
    def bulk_snooze(self, request):
        return self._many(actions.alerts_snooze, s.BulkSnoozeSerializer)

    @extend_schema(request=s.BulkResolveSerializer, responses=s.BulkAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="bulk/resolve", filter_backends=[], pagination_class=None)
    def bulk_resolve(self, request):
        return self._many(actions.alerts_resolve, s.BulkResolveSerializer)

    @extend_schema(request=s.BulkNoteSerializer, responses=s.BulkAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="bulk/reopen", filter_backends=[], pagination_class=None)
    def bulk_reopen(self, request):
        return self._many(actions.alerts_reopen, s.BulkNoteSerializer)

    @extend_schema(
        summary="The alerts as a CSV or XLSX file, with the list's filters, search and ordering",
        parameters=[FORMAT_PARAMETER],
        responses=FILE_RESPONSES,
        filters=True,
    )
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt: str):
        rows = [_export_row(alert) for alert in self.filter_queryset(self.get_queryset())[:50000]]
        content = table_file(headers=EXPORT_HEADERS, rows=rows, fmt=fmt, title="Alerts")
        return file_response(content, fmt=fmt, name=f"alerts-{timezone.localdate()}")


# A rule's address names one of the rules the service has: any other code is a 404.
RULE_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, enum=sorted(RULES), description="The rule's key in code."
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[RULE_CODE]), partial_update=extend_schema(parameters=[RULE_CODE])
)
class RuleViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Alert rules: on/off, severity, pending period, resolve delay and thresholds (checked per rule)."""

    serializer_class = s.RuleSerializer
    permission_classes = [allow(read=caps.READ_RULES, write=caps.TUNE_RULES)]
    lookup_field = "code"
    http_method_names = ["get", "patch", "head", "options"]
    filter_backends = [KnownQueryParameters]
    pagination_class = None
    list_answers_object = True  # core.schema.AutoSchema: {"results": [...]}, every rule at once

    def get_queryset(self):
        return selectors.rules_list()

    @extend_schema(responses=s.RuleListSerializer)
    def list(self, request, *args, **kwargs):
        return Response({"results": s.RuleSerializer(self.get_queryset(), many=True).data})

    @extend_schema(request=s.RuleUpdateSerializer, responses=s.RuleSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = s.RuleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = rule_update(rule=self.get_object(), by=request.user, **data.validated_data)
        return Response(s.RuleSerializer(rule).data)


class SilenceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Silences: alerts matching them are kept and shown silenced, and not notified, until they end."""

    serializer_class = s.SilenceSerializer
    permission_classes = [allow(read=caps.READ_RULES, write=caps.SILENCE_ALERTS)]
    filterset_class = SilenceFilter

    def get_queryset(self):
        return selectors.silences_list()

    def perform_create(self, serializer):
        serializer.instance = silence_create(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=None, responses=s.SilenceSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def expire(self, request, pk=None):
        silence = silence_expire(silence=self.get_object(), by=request.user)
        return Response(s.SilenceSerializer(silence).data)
