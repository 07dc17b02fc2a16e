"""The Market Oversight register and the failure responses through the API, with the pages' capabilities: council
staff who plan for failure read them; compliance officers and commissioners keep the register (enter a provider,
change its stage on a day, leave, notes); commissioners and brokers open a response and settle its people (moved
through contracts' placement_move, or stayed with a new operator). Provider users are refused (403): see
market.capabilities.PLAN_FOR_FAILURE. Every write goes through market.services.failure."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.errors import DomainError
from core.query import BooleanFilter, ChoiceInFilter, IdFilter
from market import capabilities as caps
from market.api.oversight_serializers import (
    CloseSerializer,
    LeaveSerializer,
    OversightEnterSerializer,
    OversightEntryDetailSerializer,
    OversightEntrySerializer,
    OversightNotesSerializer,
    ResponseOpenSerializer,
    ResponsePersonMoveSerializer,
    ResponsePersonSerializer,
    ResponsePersonStaySerializer,
    ResponseSerializer,
    ResponseUpdateSerializer,
    StageSetSerializer,
)
from market.models import (
    FailureReason,
    FailureResponse,
    FailureResponsePerson,
    OversightEntry,
    OversightStage,
    PersonStatus,
)
from market.selectors.failure import (
    failure_response_people,
    failure_responses,
    oversight_register,
    responses_progress,
)
from market.services import failure as services

NO_DELETE = ["get", "post", "patch", "head", "options"]
ACTION = {"detail": True, "methods": ["post"], "filter_backends": [], "pagination_class": None}


class OversightFilter(django_filters.FilterSet):
    stage = ChoiceInFilter(choices=OversightStage.choices, help_text="One or more stages (1 to 6), comma-separated.")
    provider = IdFilter(field_name="provider_id")
    in_scheme = BooleanFilter(field_name="left_on", lookup_expr="isnull", help_text="false: those that left.")

    class Meta:
        model = OversightEntry
        fields = []


class OversightViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Providers in CQC's Market Oversight scheme, highest stage first (those that left too; `in_scheme=true`
    leaves them out), each with its open failure response. The detail adds the dated history; .../stage/ records a
    change of stage on a day, .../leave/ the day it left; a PATCH changes the notes. A provider that left is
    entered again with a POST."""

    permission_classes = [allow(read=caps.PLAN_FOR_FAILURE, write=caps.KEEP_OVERSIGHT)]
    filterset_class = OversightFilter
    ordering_fields = ["stage", "stage_since"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return oversight_register(include_left=True, history=self.action != "list")

    def get_serializer_class(self):
        return OversightEntrySerializer if self.action == "list" else OversightEntryDetailSerializer

    def _detail(self, entry: OversightEntry, status: int = 200) -> Response:
        written = oversight_register(include_left=True).get(pk=entry.pk)
        return Response(OversightEntryDetailSerializer(written).data, status=status)

    @extend_schema(request=OversightEnterSerializer, responses={201: OversightEntryDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = OversightEnterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.oversight_enter(by=request.user, **data.validated_data), status=201)

    @extend_schema(request=OversightNotesSerializer, responses=OversightEntryDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = OversightNotesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = self.get_object()
        if "notes" in data.validated_data:
            entry = services.oversight_notes_set(entry=entry, by=request.user, notes=data.validated_data["notes"])
        return self._detail(entry)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=StageSetSerializer, responses=OversightEntryDetailSerializer)
    @action(**ACTION, serializer_class=StageSetSerializer)
    def stage(self, request, pk=None):
        """Move the provider to another stage on a day (on or after its current stage's day)."""
        data = StageSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.oversight_stage_set(entry=self.get_object(), by=request.user, **data.validated_data)
        return self._detail(entry)

    @extend_schema(request=LeaveSerializer, responses=OversightEntryDetailSerializer)
    @action(**ACTION, serializer_class=LeaveSerializer)
    def leave(self, request, pk=None):
        """The provider left the scheme on a day."""
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(services.oversight_leave(entry=self.get_object(), by=request.user, **data.validated_data))


class ResponseFilter(django_filters.FilterSet):
    provider = IdFilter(field_name="provider_id")
    reason = django_filters.ChoiceFilter(choices=FailureReason.choices)
    open = BooleanFilter(field_name="closed_on", lookup_expr="isnull", help_text="true: not closed yet.")

    class Meta:
        model = FailureResponse
        fields = []


class ResponseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Failure responses, latest opened first, each with its progress today (settled against the straight line to
    its target date). Opening one (POST) freezes the what-if's plan of the day as its people (see
    /failure-response-people/); a PATCH moves the target date or changes the notes; .../close/ closes it."""

    permission_classes = [allow(read=caps.PLAN_FOR_FAILURE, write=caps.RESPOND_TO_FAILURE)]
    filterset_class = ResponseFilter
    ordering_fields = ["opened_on", "target_date"]
    http_method_names = NO_DELETE
    serializer_class = ResponseSerializer

    def get_queryset(self):
        return failure_responses()

    def _serialize(self, responses: list, **kwargs):
        # Every response's progress in one query, whatever the number of responses.
        progress = responses_progress(responses=responses, on=timezone.localdate())
        many = kwargs.get("many", False)
        return ResponseSerializer(responses if many else responses[0], context={"progress": progress}, **kwargs).data

    def list(self, request, *args, **kwargs):
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()]))

    def _detail(self, response: FailureResponse, status: int = 200) -> Response:
        return Response(self._serialize([failure_responses().get(pk=response.pk)]), status=status)

    @extend_schema(request=ResponseOpenSerializer, responses={201: ResponseSerializer})
    def create(self, request, *args, **kwargs):
        data = ResponseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("opened_on", timezone.localdate())
        return self._detail(services.failure_response_open(by=request.user, **values), status=201)

    @extend_schema(request=ResponseUpdateSerializer, responses=ResponseSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = ResponseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        written = services.failure_response_update(response=self.get_object(), by=request.user, **data.validated_data)
        return self._detail(written)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=CloseSerializer, responses=ResponseSerializer)
    @action(**ACTION, serializer_class=CloseSerializer)
    def close(self, request, pk=None):
        """Close the response on a day (default today)."""
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = data.validated_data.get("on") or timezone.localdate()
        return self._detail(services.failure_response_close(response=self.get_object(), on=on, by=request.user))


class PersonFilter(django_filters.FilterSet):
    response = IdFilter(field_name="response_id", help_text="The failure response's id.")
    status = ChoiceInFilter(choices=PersonStatus.choices, help_text="One or more, comma-separated.")

    class Meta:
        model = FailureResponsePerson
        fields = []


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """The people of failure responses (pseudonymous references), each with the bed the plan gave them when the
    response opened and where they are now: .../move/ moves one (their placement at the failing home ends that day
    and the new one starts, through contracts' placement_move), .../stay/ records that they stay with a new
    operator of the home."""

    permission_classes = [allow(read=caps.PLAN_FOR_FAILURE, write=caps.RESPOND_TO_FAILURE)]
    filterset_class = PersonFilter
    serializer_class = ResponsePersonSerializer

    def get_queryset(self):
        return failure_response_people()

    def _detail(self, person: FailureResponsePerson) -> Response:
        return Response(ResponsePersonSerializer(failure_response_people().get(pk=person.pk)).data)

    @extend_schema(request=ResponsePersonMoveSerializer, responses=ResponsePersonSerializer)
    @action(**ACTION, serializer_class=ResponsePersonMoveSerializer)
    def move(self, request, pk=None):
        """Move the person: with no bed given, to the block bed the plan gave them."""
        data = ResponsePersonMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = self.get_object()
        on = values.pop("on", None) or timezone.localdate()
        if "location" in values:
            kind = "spot"
        else:
            kind = "block"
            values.setdefault("bed_line", person.planned_bed_line)
            if values["bed_line"] is None:
                raise DomainError(
                    "The plan has no block bed for this person: give a bed_line, or a spot bed's location and "
                    "weekly_cost.",
                    field="bed_line",
                )
        moved = services.failure_person_move(person=person, on=on, kind=kind, by=request.user, **values)
        return self._detail(moved)

    @extend_schema(request=ResponsePersonStaySerializer, responses=ResponsePersonSerializer)
    @action(**ACTION, serializer_class=ResponsePersonStaySerializer)
    def stay(self, request, pk=None):
        """The person stays where they are, with a new operator of the home."""
        data = ResponsePersonStaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        on = values.pop("on", None) or timezone.localdate()
        return self._detail(services.failure_person_stay(person=self.get_object(), on=on, by=request.user, **values))
