"""Admin screens of mobilisation, gateways and contingency. Each form saves through the market services (see
contracts.admin.ServiceForm), so the admin shows the services' own refusals on the fields they name; nothing is
deleted here, and gateway decisions are never changed once recorded."""

from django import forms
from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyInline, ServiceForm
from market.models import (
    ContingencyArrangement,
    GatewayCriterion,
    GatewayDecision,
    Milestone,
    MobilisationPlan,
    MobilisationTemplate,
    ReadinessGateway,
    RecruitmentReport,
    RecruitmentTarget,
    TemplateMilestone,
)
from market.services import contingency, mobilisation
from market.services.contingency import ARRANGEMENT_FIELDS

# --- templates --------------------------------------------------------------------------------------------


class TemplateMilestoneInline(ReadOnlyInline):
    model = TemplateMilestone
    fields = ["position", "kind", "title", "weeks_before_go_live", "owner", "critical"]
    show_change_link = False


class TemplateForm(ServiceForm):
    class Meta:
        model = MobilisationTemplate
        fields = ["name", "description"]

    def write(self, data: dict) -> MobilisationTemplate:
        if self.instance.pk is None:
            return mobilisation.template_create(by=self.user, **data)
        return self.instance


@admin.register(MobilisationTemplate)
class TemplateAdmin(NoDeleteAdmin):
    form = TemplateForm
    list_display = ["name", "updated_at"]
    search_fields = ["name"]
    inlines = [TemplateMilestoneInline]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "description"] if obj is not None else []


class TemplateMilestoneForm(ServiceForm):
    class Meta:
        model = TemplateMilestone
        fields = ["template", "kind", "title", "weeks_before_go_live", "owner", "critical"]

    def write(self, data: dict) -> TemplateMilestone:
        return mobilisation.template_milestone_add(by=self.user, **data)


@admin.register(TemplateMilestone)
class TemplateMilestoneAdmin(NoDeleteAdmin):
    """Add a milestone to a template (plans made from it afterwards include it)."""

    form = TemplateMilestoneForm
    list_display = ["template", "position", "title", "kind", "weeks_before_go_live", "critical"]
    list_filter = ["template", "kind", "critical"]
    list_select_related = ["template"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


# --- plans and milestones ---------------------------------------------------------------------------------


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["position", "title", "kind", "due_on", "status", "completed_on", "critical"]


class RecruitmentTargetInline(ReadOnlyInline):
    model = RecruitmentTarget
    fields = ["week_ending", "planned_staff"]
    show_change_link = False


class RecruitmentReportInline(ReadOnlyInline):
    model = RecruitmentReport
    fields = ["reported_on", "staff_recruited", "reported_by"]
    show_change_link = False


class PlanCreateForm(ServiceForm):
    class Meta:
        model = MobilisationPlan
        fields = ["award", "template", "go_live_on", "late_go_live_reason", "delivering_location", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["go_live_on"].required = False
        self.fields["go_live_on"].help_text = "Leave empty for the award's go-live date."

    def write(self, data: dict) -> MobilisationPlan:
        return mobilisation.plan_create(by=self.user, **data)


class PlanChangeForm(ServiceForm):
    class Meta:
        model = MobilisationPlan
        fields = ["go_live_on", "late_go_live_reason", "delivering_location", "notes"]

    def write(self, data: dict) -> MobilisationPlan:
        return mobilisation.plan_update(plan=self.instance, by=self.user, **data)


@admin.register(MobilisationPlan)
class PlanAdmin(NoDeleteAdmin):
    list_display = ["award", "go_live_on", "delivering_location", "updated_at"]
    list_select_related = ["award__lot", "award__bid", "delivering_location"]
    search_fields = ["award__lot__code", "award__bid__provider__name"]
    raw_id_fields = ["award", "delivering_location"]
    inlines = [MilestoneInline, RecruitmentTargetInline, RecruitmentReportInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PlanChangeForm if obj is not None else PlanCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["award", "template"] if obj is not None else []


COUNCIL_FIELDS = ("title", "due_on", "owner", "critical")
PROGRESS_FIELDS = ("status", "evidence_note", "evidence_url", "completed_on")


class MilestoneCreateForm(ServiceForm):
    class Meta:
        model = Milestone
        fields = ["plan", "kind", "title", "due_on", "owner", "critical"]

    def write(self, data: dict) -> Milestone:
        return mobilisation.milestone_create(by=self.user, **data)


class MilestoneChangeForm(ServiceForm):
    evidence_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Milestone
        fields = [*COUNCIL_FIELDS, *PROGRESS_FIELDS]

    def write(self, data: dict) -> Milestone:
        milestone = self.instance
        council = {name: value for name, value in data.items() if name in COUNCIL_FIELDS}
        progress = {name: value for name, value in data.items() if name in PROGRESS_FIELDS}
        if council:
            milestone = mobilisation.milestone_update(milestone=milestone, by=self.user, **council)
        if progress:
            milestone = mobilisation.milestone_report(milestone=milestone, by=self.user, **progress)
        return milestone


@admin.register(Milestone)
class MilestoneAdmin(NoDeleteAdmin):
    list_display = ["plan", "title", "kind", "due_on", "status", "completed_on", "critical"]
    list_filter = ["kind", "status", "critical"]
    list_select_related = ["plan__award__lot"]
    search_fields = ["title", "plan__award__lot__code"]
    raw_id_fields = ["plan"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MilestoneChangeForm if obj is not None else MilestoneCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["plan", "kind"] if obj is not None else []


# --- gateways ---------------------------------------------------------------------------------------------


class CriterionInline(ReadOnlyInline):
    model = GatewayCriterion
    fields = ["position", "text", "mandatory", "result", "note"]


class DecisionInline(ReadOnlyInline):
    model = GatewayDecision
    fields = ["outcome", "risk_level", "reason", "conditions", "decided_on", "decided_by", "escalated"]


class GatewayForm(ServiceForm):
    class Meta:
        model = ReadinessGateway
        fields = ["plan", "name", "due_on", "risk_tolerance"]

    def write(self, data: dict) -> ReadinessGateway:
        return mobilisation.gateway_create(by=self.user, **data)


@admin.register(ReadinessGateway)
class GatewayAdmin(NoDeleteAdmin):
    form = GatewayForm
    list_display = ["plan", "name", "due_on", "risk_tolerance"]
    list_select_related = ["plan__award__lot"]
    raw_id_fields = ["plan"]
    inlines = [CriterionInline, DecisionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["plan", "name", "due_on", "risk_tolerance"] if obj is not None else []


class CriterionCreateForm(ServiceForm):
    class Meta:
        model = GatewayCriterion
        fields = ["gateway", "text", "mandatory"]

    def write(self, data: dict) -> GatewayCriterion:
        return mobilisation.criterion_add(by=self.user, **data)


class CriterionAssessForm(ServiceForm):
    class Meta:
        model = GatewayCriterion
        fields = ["result", "note"]

    def write(self, data: dict) -> GatewayCriterion:
        return mobilisation.criterion_assess(
            criterion=self.instance,
            result=data.get("result", self.instance.result),
            note=data.get("note", self.instance.note),
            by=self.user,
        )


@admin.register(GatewayCriterion)
class CriterionAdmin(NoDeleteAdmin):
    list_display = ["gateway", "text", "mandatory", "result"]
    list_filter = ["mandatory", "result"]
    list_select_related = ["gateway"]
    raw_id_fields = ["gateway"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CriterionAssessForm if obj is not None else CriterionCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["gateway", "text", "mandatory"] if obj is not None else []


class DecisionForm(ServiceForm):
    class Meta:
        model = GatewayDecision
        fields = ["gateway", "outcome", "risk_level", "reason", "conditions", "decided_on"]

    def write(self, data: dict) -> GatewayDecision:
        return mobilisation.gateway_decide(by=self.user, **data)


@admin.register(GatewayDecision)
class DecisionAdmin(NoDeleteAdmin):
    """Record a decision; decisions are kept as made (a later one is a new row)."""

    form = DecisionForm
    list_display = ["gateway", "outcome", "risk_level", "decided_on", "decided_by", "escalated"]
    list_filter = ["outcome", "escalated"]
    list_select_related = ["gateway", "decided_by"]
    raw_id_fields = ["gateway"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


# --- contingency ------------------------------------------------------------------------------------------


class ArrangementCreateForm(ServiceForm):
    class Meta:
        model = ContingencyArrangement
        fields = ["lot", *ARRANGEMENT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One open arrangement per lot is the service's answer (a Conflict naming the lot), as uniqueness is in
        # ServiceForm; the model's own constraint check would only name the constraint.
        self.instance.validate_constraints = lambda *args, **kwargs: None

    def write(self, data: dict) -> ContingencyArrangement:
        data["providers"] = list(data.get("providers") or [])
        return contingency.contingency_create(by=self.user, **data)


class ArrangementChangeForm(ServiceForm):
    class Meta:
        model = ContingencyArrangement
        fields = ARRANGEMENT_FIELDS

    def write(self, data: dict) -> ContingencyArrangement:
        if "providers" in data:
            data["providers"] = list(data["providers"])
        return contingency.contingency_update(arrangement=self.instance, by=self.user, **data)


@admin.register(ContingencyArrangement)
class ArrangementAdmin(NoDeleteAdmin):
    list_display = ["lot", "reason", "start_date", "end_date", "escalated", "people_per_week", "transfer_to"]
    list_filter = ["reason", "escalated", "transfer_to"]
    list_select_related = ["lot"]
    search_fields = ["lot__code", "lot__name"]
    filter_horizontal = ["providers"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ArrangementChangeForm if obj is not None else ArrangementCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["escalated", "escalated_at", "escalation_reason"]
        return ["lot", *readonly] if obj is not None else readonly


class RecordedByServicesAdmin(admin.ModelAdmin):
    """Read only: trajectories are set and recruitment reported through the mobilisation services (the API and
    the plan's screen); here they are listed and searched."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecruitmentTarget)
class RecruitmentTargetAdmin(RecordedByServicesAdmin):
    list_display = ["plan", "week_ending", "planned_staff"]
    search_fields = ["plan__award__lot__code"]
    list_select_related = ["plan__award__lot"]


@admin.register(RecruitmentReport)
class RecruitmentReportAdmin(RecordedByServicesAdmin):
    list_display = ["plan", "reported_on", "staff_recruited"]
    search_fields = ["plan__award__lot__code"]
    list_select_related = ["plan__award__lot"]
