"""Mobilisation API: plans, milestones, recruitment, readiness gateways and their decisions.

Commissioners and contract officers write; every other role reads. Provider users read only their own
awards' plans (anything else is a 404, as it does not exist for them) and report progress on them: milestone
status and evidence, staff recruited to date."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from accounts.selectors import provider_scope
from core.errors import NotFound
from core.query import BooleanFilter, IdFilter, query_parse
from market import capabilities as caps
from market.api.mobilisation_serializers import (
    CriterionAssessSerializer,
    DecisionSerializer,
    GatewayDecideSerializer,
    GatewaySerializer,
    MilestoneProgressSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
    OnQuery,
    PlanSerializer,
    PlanUpdateSerializer,
    RecruitmentReportSerializer,
    RecruitmentTrajectorySerializer,
    TemplateSerializer,
)
from market.models import (
    GatewayCriterion,
    GatewayDecision,
    GatewayOutcome,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    MobilisationPlan,
    MobilisationTemplate,
    ReadinessGateway,
)
from market.selectors.mobilisation import plans_with_progress
from market.services import mobilisation as services

# RAG is computed for `?on=` on the list and the detail.
ON_DOCUMENTED = extend_schema_view(
    list=extend_schema(parameters=[OnQuery]), retrieve=extend_schema(parameters=[OnQuery])
)
PERMISSIONS = [allow(read=caps.READ_MARKET, write=caps.EDIT_MARKET)]
NO_DELETE = ["get", "post", "patch", "head", "options"]
PLAN_PROVIDER = "award__bid__provider"


class OnMixin:
    """RAG is computed for `?on=` (default today)."""

    query_serializer_class = OnQuery

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and self.request.method == "GET":
            context["on"] = query_parse(self.request, OnQuery, only=False).get("on") or timezone.localdate()
        return context


def plans_for(user):
    plans = provider_scope(MobilisationPlan.objects.all(), user, provider_field=PLAN_PROVIDER)
    return plans_with_progress(plans).order_by("go_live_on", "id")


class PlanFilter(django_filters.FilterSet):
    lot = django_filters.CharFilter(field_name="award__lot__code", help_text="Lot code.")
    provider = IdFilter(field_name="award__bid__provider_id")
    go_live_from = django_filters.DateFilter(field_name="go_live_on", lookup_expr="gte")
    go_live_to = django_filters.DateFilter(field_name="go_live_on", lookup_expr="lte")

    class Meta:
        model = MobilisationPlan
        fields = ["award"]


class TemplateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The council's mobilisation templates and their milestones (weeks before go-live)."""

    serializer_class = TemplateSerializer
    permission_classes = [allow(read=caps.READ_PLANS, write=caps.EDIT_MARKET)]
    search_fields = ["name"]

    def get_queryset(self):
        return MobilisationTemplate.objects.prefetch_related("milestones").order_by("name", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        template = services.template_create(
            name=data["name"],
            description=data.get("description", ""),
            milestones=data.get("milestones", []),
            by=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=template.pk)


@ON_DOCUMENTED
class PlanViewSet(OnMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Mobilisation plans with RAG, the go-live flag, recruitment against the trajectory and milestones."""

    permission_classes = PERMISSIONS
    filterset_class = PlanFilter
    ordering_fields = ["go_live_on"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return plans_for(self.request.user)

    def get_serializer_class(self):
        return PlanUpdateSerializer if self.action == "partial_update" else PlanSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = services.plan_create(by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=plan.pk)

    @extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = PlanUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.plan_update(plan=self.get_object(), by=request.user, **data.validated_data)
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk), context=self._context()).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _context(self):
        return {"request": self.request, "on": timezone.localdate()}

    @extend_schema(request=RecruitmentTrajectorySerializer, responses=PlanSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="recruitment-trajectory",
        serializer_class=RecruitmentTrajectorySerializer,
        filter_backends=[],
    )
    def recruitment_trajectory(self, request, pk=None):
        data = RecruitmentTrajectorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = self.get_object()
        services.recruitment_trajectory_set(plan=plan, weeks=data.validated_data["weeks"], by=request.user)
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk), context=self._context()).data)

    @extend_schema(request=RecruitmentReportSerializer, responses=PlanSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="recruitment-reports",
        serializer_class=RecruitmentReportSerializer,
        permission_classes=[allow(read=caps.READ_MARKET, write=caps.REPORT_MOBILISATION)],
        filter_backends=[],
    )
    def recruitment_reports(self, request, pk=None):
        """Staff recruited to date (providers: their own awards only)."""
        data = RecruitmentReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = self.get_object()
        services.recruitment_report(plan=plan, by=request.user, **data.validated_data)
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk), context=self._context()).data)


class MilestoneFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MilestoneKind.choices)
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices)
    critical = BooleanFilter()
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    lot = django_filters.CharFilter(field_name="plan__award__lot__code", help_text="Lot code.")

    class Meta:
        model = Milestone
        fields = ["plan"]


def milestones_for(user):
    milestones = provider_scope(Milestone.objects.all(), user, provider_field=f"plan__{PLAN_PROVIDER}")
    return (
        milestones.select_related("plan__award__bid", "plan__delivering_location")
        .prefetch_related("plan__recruitment_targets", "plan__recruitment_reports")
        .order_by("plan_id", "position", "due_on", "id")
    )


@ON_DOCUMENTED
class MilestoneViewSet(OnMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Milestones with their RAG and its reasons. The council adds and changes them; progress (status and
    evidence) is reported at .../progress/, by the provider for its own awards."""

    permission_classes = PERMISSIONS
    filterset_class = MilestoneFilter
    ordering_fields = ["due_on"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return milestones_for(self.request.user)

    def get_serializer_class(self):
        return MilestoneUpdateSerializer if self.action == "partial_update" else MilestoneSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        if not plans_for(self.request.user).filter(pk=plan.pk).exists():
            raise NotFound("There is no such mobilisation plan.", field="plan")
        milestone = services.milestone_create(plan=plan, by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=milestone.pk)

    def _answer(self, milestone):
        context = {"request": self.request, "on": timezone.localdate()}
        return Response(MilestoneSerializer(self.get_queryset().get(pk=milestone.pk), context=context).data)

    @extend_schema(request=MilestoneUpdateSerializer, responses=MilestoneSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = MilestoneUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.milestone_update(milestone=self.get_object(), by=request.user, **data.validated_data)
        )

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=MilestoneProgressSerializer, responses=MilestoneSerializer)
    @action(
        detail=True,
        methods=["post"],
        serializer_class=MilestoneProgressSerializer,
        permission_classes=[allow(read=caps.READ_MARKET, write=caps.REPORT_MOBILISATION)],
        filter_backends=[],
    )
    def progress(self, request, pk=None):
        """Report a milestone's status and evidence (providers: their own awards only)."""
        data = MilestoneProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.milestone_report(milestone=self.get_object(), by=request.user, **data.validated_data)
        )


def gateways_for(user):
    gateways = provider_scope(ReadinessGateway.objects.all(), user, provider_field=f"plan__{PLAN_PROVIDER}")
    return gateways.prefetch_related("criteria", "decisions__decided_by").order_by("plan_id", "position", "id")


class GatewayViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Readiness gateways with their criteria and decisions. A go (or go with conditions) is refused, 409
    naming them, while a mandatory criterion is failed or not assessed; passing with risk above tolerance
    escalates the lot's contingency plan."""

    serializer_class = GatewaySerializer
    permission_classes = PERMISSIONS
    filterset_fields = ["plan"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return gateways_for(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        gateway = services.gateway_create(
            plan=data["plan"],
            name=data["name"],
            due_on=data.get("due_on"),
            risk_tolerance=data.get("risk_tolerance", 2),
            criteria=data.get("criteria", []),
            by=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=gateway.pk)

    @extend_schema(request=CriterionAssessSerializer, responses=GatewaySerializer)
    @action(detail=True, methods=["post"], serializer_class=CriterionAssessSerializer, filter_backends=[])
    def assess(self, request, pk=None):
        """Record a criterion's result (passed, failed, not assessed)."""
        data = CriterionAssessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gateway = self.get_object()
        criterion = GatewayCriterion.objects.filter(gateway=gateway, pk=data.validated_data["criterion"]).first()
        if criterion is None:
            raise NotFound("The gateway has no such criterion.", field="criterion")
        services.criterion_assess(
            criterion=criterion, result=data.validated_data["result"], note=data.validated_data["note"], by=request.user
        )
        return Response(GatewaySerializer(self.get_queryset().get(pk=gateway.pk)).data)

    @extend_schema(request=GatewayDecideSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], serializer_class=GatewayDecideSerializer, filter_backends=[])
    def decide(self, request, pk=None):
        """Go, go with conditions or no-go, with the risk level and why."""
        data = GatewayDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.gateway_decide(gateway=self.get_object(), by=request.user, **data.validated_data)
        return Response(DecisionSerializer(decision).data, status=201)


class DecisionFilter(django_filters.FilterSet):
    escalated = BooleanFilter()
    outcome = django_filters.ChoiceFilter(choices=GatewayOutcome.choices)

    class Meta:
        model = GatewayDecision
        fields = ["gateway"]


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Every gateway decision: who, when, why, at what risk, and whether it escalated contingency."""

    serializer_class = DecisionSerializer
    permission_classes = PERMISSIONS
    filterset_class = DecisionFilter

    def get_queryset(self):
        decisions = provider_scope(
            GatewayDecision.objects.all(), self.request.user, provider_field=f"gateway__plan__{PLAN_PROVIDER}"
        )
        return decisions.select_related("decided_by").order_by("gateway_id", "decided_at", "id")
