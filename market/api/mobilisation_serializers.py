"""Mobilisation serializers: they parse and present; RAG comes from market.selectors.mobilisation for the day
in the serializer context (`on`)."""

from django.utils import timezone
from rest_framework import serializers

from market.models import (
    Award,
    CriterionResult,
    GatewayCriterion,
    GatewayDecision,
    GatewayOutcome,
    Milestone,
    MilestoneStatus,
    MobilisationPlan,
    MobilisationTemplate,
    ReadinessGateway,
    RecruitmentReport,
    RecruitmentTarget,
    RiskLevel,
    TemplateMilestone,
)
from market.selectors.mobilisation import milestone_rag, plan_progress, recruitment_position
from providers.models import Location


class OnQuery(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day RAG is computed for (default today).")


def _on(context) -> object:
    return context.get("on") or timezone.localdate()


class TemplateMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateMilestone
        fields = ["kind", "title", "weeks_before_go_live", "owner", "critical", "position"]
        read_only_fields = ["position"]
        extra_kwargs = {"weeks_before_go_live": {"min_value": 0, "max_value": 52}}  # as the service checks


class TemplateSerializer(serializers.ModelSerializer):
    milestones = TemplateMilestoneSerializer(many=True, required=False)

    class Meta:
        model = MobilisationTemplate
        fields = ["id", "name", "description", "milestones", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}


class RecruitmentSerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="Staff the trajectory plans by the last week ended.")
    recruited = serializers.IntegerField(help_text="Staff recruited to date (last report).")
    behind_percent = serializers.FloatField(allow_null=True)
    behind = serializers.BooleanField(help_text="Behind by more than MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT.")


class MilestoneSerializer(serializers.ModelSerializer):
    rag = serializers.SerializerMethodField()
    rag_reasons = serializers.SerializerMethodField()
    done = serializers.SerializerMethodField(help_text="CQC registration: read from the providers register.")
    # Declared so the schema says what a milestone without evidence reads: "" (a read-only model field loses
    # allow_blank, and "" is no URI).
    evidence_url = serializers.URLField(allow_blank=True, read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "plan",
            "kind",
            "title",
            "due_on",
            "owner",
            "critical",
            "status",
            "completed_on",
            "evidence_note",
            "evidence_url",
            "position",
            "rag",
            "rag_reasons",
            "done",
            "updated_at",
        ]
        read_only_fields = ["status", "completed_on", "evidence_note", "evidence_url", "position", "updated_at"]

    def _rag(self, milestone):
        cache = self.context.setdefault("_rags", {})
        if milestone.pk not in cache:
            plan = milestone.plan
            recruitment = recruitment_position(plan, on=_on(self.context))
            cache[milestone.pk] = milestone_rag(milestone, plan=plan, on=_on(self.context), recruitment=recruitment)
        return cache[milestone.pk]

    def get_rag(self, milestone) -> str:
        return self._rag(milestone).rag

    def get_rag_reasons(self, milestone) -> list[str]:
        return self._rag(milestone).reasons

    def get_done(self, milestone) -> bool:
        return self._rag(milestone).done


class MilestoneUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "owner", "critical"]


class MilestoneProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MilestoneStatus.choices, required=False)
    evidence_note = serializers.CharField(required=False, allow_blank=True)
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    completed_on = serializers.DateField(required=False, allow_null=True)


class RecruitmentTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecruitmentTarget
        fields = ["week_ending", "planned_staff"]


class RecruitmentTrajectorySerializer(serializers.Serializer):
    weeks = RecruitmentTargetSerializer(many=True)


class RecruitmentReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecruitmentReport
        fields = ["reported_on", "staff_recruited"]
        extra_kwargs = {"reported_on": {"required": False}}
        validators: list = []


class PlanSerializer(serializers.ModelSerializer):
    award = serializers.PrimaryKeyRelatedField(queryset=Award.objects.all())
    delivering_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=MobilisationTemplate.objects.all(), required=False, allow_null=True
    )
    go_live_on = serializers.DateField(required=False, help_text="Default: the award's go-live date.")
    lot = serializers.CharField(source="award.lot.code", read_only=True)
    lead_provider = serializers.CharField(source="award.bid.provider.name", read_only=True)
    awarded_on = serializers.DateField(source="award.awarded_on", read_only=True)
    rag = serializers.SerializerMethodField()
    go_live_late = serializers.SerializerMethodField(help_text="Go-live more than six months after the award.")
    go_live_latest = serializers.SerializerMethodField(help_text="Six months after the award.")
    milestones_done = serializers.SerializerMethodField()
    milestones_late = serializers.SerializerMethodField()
    recruitment = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    trajectory = RecruitmentTargetSerializer(source="recruitment_targets", many=True, read_only=True)
    recruitment_reports = RecruitmentReportSerializer(many=True, read_only=True)

    class Meta:
        model = MobilisationPlan
        fields = [
            "id",
            "award",
            "lot",
            "lead_provider",
            "awarded_on",
            "template",
            "go_live_on",
            "late_go_live_reason",
            "go_live_late",
            "go_live_latest",
            "delivering_location",
            "notes",
            "rag",
            "milestones_done",
            "milestones_late",
            "recruitment",
            "milestones",
            "trajectory",
            "recruitment_reports",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _progress(self, plan):
        cache = self.context.setdefault("_progress", {})
        if plan.pk not in cache:
            cache[plan.pk] = plan_progress(plan, on=_on(self.context))
        return cache[plan.pk]

    def get_rag(self, plan) -> str:
        return self._progress(plan).rag

    def get_go_live_late(self, plan) -> bool:
        return self._progress(plan).go_live_late

    def get_go_live_latest(self, plan) -> str:
        return self._progress(plan).go_live_latest.isoformat()

    def get_milestones_done(self, plan) -> int:
        return self._progress(plan).milestones_done

    def get_milestones_late(self, plan) -> int:
        return self._progress(plan).milestones_late

    def get_recruitment(self, plan) -> RecruitmentSerializer:
        return RecruitmentSerializer(self._progress(plan).recruitment).data

    def get_milestones(self, plan) -> MilestoneSerializer(many=True):
        rags = self._progress(plan).milestones
        self.context.setdefault("_rags", {}).update(rags)
        milestones = list(plan.milestones.all())
        for milestone in milestones:
            milestone.plan = plan  # the prefetched plan, with its trajectory and reports
        return MilestoneSerializer(milestones, many=True, context=self.context).data


class PlanUpdateSerializer(serializers.ModelSerializer):
    delivering_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = MobilisationPlan
        fields = ["go_live_on", "late_go_live_reason", "delivering_location", "notes"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = GatewayCriterion
        fields = ["id", "text", "mandatory", "result", "note", "position"]
        read_only_fields = ["id", "result", "note", "position"]


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = GatewayDecision
        fields = [
            "id",
            "gateway",
            "outcome",
            "risk_level",
            "reason",
            "conditions",
            "decided_on",
            "decided_by",
            "decided_at",
            "escalated",
        ]
        read_only_fields = fields


class GatewaySerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, required=False)
    decisions = DecisionSerializer(many=True, read_only=True)
    risk_tolerance = serializers.ChoiceField(choices=RiskLevel.choices, required=False)

    class Meta:
        model = ReadinessGateway
        fields = ["id", "plan", "name", "due_on", "risk_tolerance", "position", "criteria", "decisions"]
        read_only_fields = ["position"]
        validators: list = []


class CriterionAssessSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="Id of one of this gateway's criteria.")
    result = serializers.ChoiceField(choices=CriterionResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class GatewayDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=GatewayOutcome.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    reason = serializers.CharField()
    conditions = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True)
