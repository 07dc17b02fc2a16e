"""Mobilisation writes: plans from the council's template, milestones and the provider's progress on them,
the recruitment trajectory and reports, readiness gateways, their criteria and decisions.

Provider users may write only progress (milestone status and evidence, staff recruited) and only on their
own awards; views hand them 404 for others', and the services refuse them again (`_require_own`) so the
admin, a page or a task cannot slip past.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.permissions import may_act_for_provider
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED, given
from market.models import (
    Award,
    CriterionResult,
    GatewayCriterion,
    GatewayDecision,
    GatewayOutcome,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    MobilisationPlan,
    MobilisationTemplate,
    ReadinessGateway,
    RecruitmentReport,
    RecruitmentTarget,
    RiskLevel,
    TemplateMilestone,
)
from market.selectors.mobilisation import gateway_mandatory_failures, go_live_latest
from market.signals import risk_changed_send
from providers.models import Location


class NotYourAward(DomainError):
    status_code = 404
    code = "not_found"


def _require_own(by, plan: MobilisationPlan) -> None:
    """Provider users act only on their own awards (the award's bid's provider); others are staff."""
    provider_user = by is not None and getattr(by, "is_provider_user", False)
    if provider_user and not may_act_for_provider(by, plan.award.bid.provider_id):
        raise NotYourAward("There is no such mobilisation plan.")


def _require_staff(by) -> None:
    if by is not None and getattr(by, "is_provider_user", False):
        raise PermissionDenied("Only the council changes this; providers report progress.")


def _text(value: str, *, field: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"Give the {name}.", field=field)
    return value


# --- templates --------------------------------------------------------------------------------------------


@transaction.atomic
def template_create(
    *, name: str, description: str = "", milestones: list[dict] | None = None, by=None
) -> MobilisationTemplate:
    """A template and its milestones, each {kind, title, weeks_before_go_live, owner, critical}."""
    _require_staff(by)
    name = _text(name, field="name", name="template's name")
    if MobilisationTemplate.objects.filter(name__iexact=name).exists():
        raise Conflict(f"There is already a template called {name}.", field="name")
    template = MobilisationTemplate(name=name, description=description)
    template._history_user = by
    template.save()
    for position, entry in enumerate(milestones or []):
        template_milestone_add(template=template, position=position, by=by, **entry)
    return template


@transaction.atomic
def template_milestone_add(
    *,
    template: MobilisationTemplate,
    kind: str,
    title: str,
    weeks_before_go_live: int = 0,
    owner: str = "",
    critical: bool = False,
    position: int | None = None,
    by=None,
) -> TemplateMilestone:
    _require_staff(by)
    if kind not in MilestoneKind.values:
        raise DomainError(f"Unknown milestone kind {kind!r}.", field="kind")
    title = _text(title, field="title", name="milestone's title")
    if template.milestones.filter(title__iexact=title).exists():
        raise Conflict(f"The template already has a milestone called {title}.", field="title")
    if weeks_before_go_live is None or weeks_before_go_live < 0 or weeks_before_go_live > 52:
        raise DomainError("Weeks before go-live is between 0 and 52.", field="weeks_before_go_live")
    if position is None:
        position = template.milestones.count()
    entry = TemplateMilestone(
        template=template,
        kind=kind,
        title=title,
        weeks_before_go_live=weeks_before_go_live,
        owner=owner,
        critical=critical,
        position=position,
    )
    entry._history_user = by
    entry.save()
    return entry


# --- plans ------------------------------------------------------------------------------------------------


def _go_live_check(*, award: Award, go_live_on: date, late_go_live_reason: str) -> None:
    if go_live_on < award.awarded_on:
        raise DomainError(f"Go-live ({go_live_on}) is before the award ({award.awarded_on}).", field="go_live_on")
    latest = go_live_latest(award.awarded_on)
    if go_live_on > latest and not (late_go_live_reason or "").strip():
        raise DomainError(
            f"Go-live ({go_live_on}) is more than six months after the award (latest {latest}); "
            "give the reason in late_go_live_reason.",
            field="late_go_live_reason",
        )


def _location_check(*, award: Award, location: Location | None) -> None:
    if location is not None and location.provider_id != award.bid.provider_id:
        raise DomainError("The delivering location must be one of the lead provider's.", field="delivering_location")


@transaction.atomic
def plan_create(
    *,
    award: Award,
    template: MobilisationTemplate | None = None,
    go_live_on: date | None = None,
    late_go_live_reason: str = "",
    delivering_location: Location | None = None,
    notes: str = "",
    by=None,
) -> MobilisationPlan:
    """A plan for an award, with the template's milestones due the given weeks before go-live."""
    _require_staff(by)
    award = Award.objects.select_for_update().select_related("bid").get(pk=award.pk)
    if MobilisationPlan.objects.filter(award=award).exists():
        raise Conflict("The award already has a mobilisation plan.", field="award")
    if award.ended_on is not None:
        raise DomainError("The award has ended; it needs no mobilisation.", field="award")
    go_live_on = go_live_on or award.go_live_on
    _go_live_check(award=award, go_live_on=go_live_on, late_go_live_reason=late_go_live_reason)
    _location_check(award=award, location=delivering_location)
    plan = MobilisationPlan(
        award=award,
        template=template,
        go_live_on=go_live_on,
        late_go_live_reason=late_go_live_reason.strip(),
        delivering_location=delivering_location,
        notes=notes,
        created_by=by,
    )
    plan._history_user = by
    plan.save()
    if template is not None:
        # A milestone due more weeks before go-live than the plan has is due at the award.
        for entry in template.milestones.order_by("position", "pk"):
            milestone_create(
                plan=plan,
                kind=entry.kind,
                title=entry.title,
                due_on=max(
                    go_live_on - timedelta(days=min(7 * entry.weeks_before_go_live, (go_live_on - date.min).days)),
                    award.awarded_on,
                ),
                owner=entry.owner,
                critical=entry.critical,
                position=entry.position,
                by=by,
            )
    risk_changed_send("mobilisation")
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: MobilisationPlan,
    go_live_on: date = UNCHANGED,
    late_go_live_reason: str = UNCHANGED,
    delivering_location: Location | None = UNCHANGED,
    notes: str = UNCHANGED,
    by=None,
) -> MobilisationPlan:
    _require_staff(by)
    plan = MobilisationPlan.objects.select_for_update().select_related("award__bid").get(pk=plan.pk)
    changes = given(
        go_live_on=go_live_on,
        late_go_live_reason=late_go_live_reason,
        delivering_location=delivering_location,
        notes=notes,
    )
    for name, value in changes.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _go_live_check(award=plan.award, go_live_on=plan.go_live_on, late_go_live_reason=plan.late_go_live_reason)
    _location_check(award=plan.award, location=plan.delivering_location)
    plan._history_user = by
    plan.save()
    risk_changed_send("mobilisation")
    return plan


# --- milestones -------------------------------------------------------------------------------------------


@transaction.atomic
def milestone_create(
    *,
    plan: MobilisationPlan,
    kind: str,
    title: str,
    due_on: date,
    owner: str = "",
    critical: bool = False,
    position: int | None = None,
    by=None,
) -> Milestone:
    _require_staff(by)
    if kind not in MilestoneKind.values:
        raise DomainError(f"Unknown milestone kind {kind!r}.", field="kind")
    title = _text(title, field="title", name="milestone's title")
    if position is None:
        position = plan.milestones.count()
    milestone = Milestone(
        plan=plan, kind=kind, title=title, due_on=due_on, owner=owner, critical=critical, position=position
    )
    milestone.updated_by = by
    milestone._history_user = by
    milestone.save()
    risk_changed_send("mobilisation")
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    title: str = UNCHANGED,
    due_on: date = UNCHANGED,
    owner: str = UNCHANGED,
    critical: bool = UNCHANGED,
    by=None,
) -> Milestone:
    """The council's changes to a milestone (what it is, when it is due, who owns it, whether it is critical)."""
    _require_staff(by)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    for name, value in given(title=title, due_on=due_on, owner=owner, critical=critical).items():
        setattr(milestone, name, value)
    _text(milestone.title, field="title", name="milestone's title")
    milestone.updated_by = by
    milestone._history_user = by
    milestone.save()
    risk_changed_send("mobilisation")
    return milestone


@transaction.atomic
def milestone_report(
    *,
    milestone: Milestone,
    status: str = UNCHANGED,
    evidence_note: str = UNCHANGED,
    evidence_url: str = UNCHANGED,
    completed_on: date | None = UNCHANGED,
    by=None,
) -> Milestone:
    """Progress on a milestone, reported by the provider (own awards only) or the council."""
    milestone = Milestone.objects.select_for_update().select_related("plan__award__bid").get(pk=milestone.pk)
    _require_own(by, milestone.plan)
    changes = given(status=status, evidence_note=evidence_note, evidence_url=evidence_url, completed_on=completed_on)
    if milestone.kind == MilestoneKind.CQC_REGISTRATION and "status" in changes:
        raise DomainError(
            "CQC registration is read from the providers register (the delivering location's registration); "
            "it is not reported here.",
            field="status",
        )
    if "status" in changes and changes["status"] not in MilestoneStatus.values:
        raise DomainError(f"Unknown status {changes['status']!r}.", field="status")
    for name, value in changes.items():
        setattr(milestone, name, value)
    if milestone.status == MilestoneStatus.DONE:
        milestone.completed_on = milestone.completed_on or timezone.localdate()
        if milestone.completed_on > timezone.localdate():
            raise DomainError("A milestone cannot be done on a day still to come.", field="completed_on")
    else:
        milestone.completed_on = None
    milestone.updated_by = by
    milestone._history_user = by
    milestone.save()
    risk_changed_send("mobilisation")
    return milestone


# --- recruitment ------------------------------------------------------------------------------------------


@transaction.atomic
def recruitment_trajectory_set(*, plan: MobilisationPlan, weeks: list[dict], by=None) -> list[RecruitmentTarget]:
    """Replace the weekly trajectory: [{week_ending, planned_staff}], planned staff never falling."""
    _require_staff(by)
    plan = MobilisationPlan.objects.select_for_update().get(pk=plan.pk)
    ordered = sorted(weeks, key=lambda week: week["week_ending"])
    days = [week["week_ending"] for week in ordered]
    if len(set(days)) != len(days):
        raise DomainError("Each week appears once in the trajectory.", field="weeks")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later["planned_staff"] < earlier["planned_staff"]:
            raise DomainError(
                f"Planned staff fall from {earlier['planned_staff']} to {later['planned_staff']} "
                f"in the week ending {later['week_ending']}; the trajectory counts staff recruited to date.",
                field="weeks",
            )
    plan.recruitment_targets.all().delete()
    targets = [
        RecruitmentTarget(plan=plan, week_ending=week["week_ending"], planned_staff=week["planned_staff"])
        for week in ordered
    ]
    risk_changed_send("mobilisation")
    return bulk_create_with_history(targets, RecruitmentTarget, default_user=by)


@transaction.atomic
def recruitment_report(
    *, plan: MobilisationPlan, staff_recruited: int, reported_on: date | None = None, by=None
) -> RecruitmentReport:
    """Staff recruited to date, one figure a day (a second report the same day replaces the first)."""
    plan = MobilisationPlan.objects.select_for_update().select_related("award__bid").get(pk=plan.pk)
    _require_own(by, plan)
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise DomainError("Report staff recruited to date, not for a day still to come.", field="reported_on")
    if staff_recruited is None or staff_recruited < 0:
        raise DomainError("Staff recruited cannot be negative.", field="staff_recruited")
    report, _ = RecruitmentReport.objects.update_or_create(
        plan=plan, reported_on=reported_on, defaults={"staff_recruited": staff_recruited, "reported_by": by}
    )
    risk_changed_send("mobilisation")
    return report


# --- readiness gateways -----------------------------------------------------------------------------------


@transaction.atomic
def gateway_create(
    *,
    plan: MobilisationPlan,
    name: str,
    risk_tolerance: int = RiskLevel.MEDIUM,
    due_on: date | None = None,
    criteria: list[dict] | None = None,
    by=None,
) -> ReadinessGateway:
    """A gateway and its criteria ([{text, mandatory}])."""
    _require_staff(by)
    name = _text(name, field="name", name="gateway's name")
    if risk_tolerance not in RiskLevel.values:
        raise DomainError(f"Risk tolerance is one of {RiskLevel.values}.", field="risk_tolerance")
    if plan.gateways.filter(name__iexact=name).exists():
        raise Conflict(f"The plan already has a gateway called {name}.", field="name")
    gateway = ReadinessGateway(
        plan=plan, name=name, risk_tolerance=risk_tolerance, due_on=due_on, position=plan.gateways.count()
    )
    gateway._history_user = by
    gateway.save()
    for entry in criteria or []:
        criterion_add(gateway=gateway, text=entry.get("text", ""), mandatory=bool(entry.get("mandatory", False)), by=by)
    risk_changed_send("mobilisation")
    return gateway


@transaction.atomic
def criterion_add(*, gateway: ReadinessGateway, text: str, mandatory: bool = False, by=None) -> GatewayCriterion:
    _require_staff(by)
    criterion = GatewayCriterion(
        gateway=gateway,
        text=_text(text, field="text", name="criterion's text"),
        mandatory=mandatory,
        position=gateway.criteria.count(),
    )
    criterion._history_user = by
    criterion.save()
    return criterion


@transaction.atomic
def criterion_assess(*, criterion: GatewayCriterion, result: str, note: str = "", by=None) -> GatewayCriterion:
    _require_staff(by)
    if result not in CriterionResult.values:
        raise DomainError(
            f"Unknown result {result!r}; results are {', '.join(CriterionResult.values)}.", field="result"
        )
    criterion = GatewayCriterion.objects.select_for_update().get(pk=criterion.pk)
    criterion.result, criterion.note = result, note
    criterion._history_user = by
    criterion.save()
    risk_changed_send("mobilisation")
    return criterion


@transaction.atomic
def gateway_decide(
    *,
    gateway: ReadinessGateway,
    outcome: str,
    risk_level: int,
    reason: str,
    conditions: str = "",
    decided_on: date | None = None,
    by=None,
) -> GatewayDecision:
    """Record a go, go with conditions or no-go. A mandatory criterion failed (or not assessed) refuses go
    and go with conditions alike: a mandatory criterion is pass/fail by the council's own rule, and conditions
    are for the risks it is willing to carry, not for a test the provider did not pass. Passing with risk above
    the gateway's tolerance escalates the lot's contingency plan."""
    from market.services.contingency import contingency_escalate  # contingency reads mobilisation's models

    _require_staff(by)
    gateway = ReadinessGateway.objects.select_for_update().select_related("plan__award__lot").get(pk=gateway.pk)
    if outcome not in GatewayOutcome.values:
        raise DomainError(
            f"Unknown outcome {outcome!r}; outcomes are {', '.join(GatewayOutcome.values)}.", field="outcome"
        )
    if risk_level not in RiskLevel.values:
        raise DomainError(f"Risk level is one of {RiskLevel.values}.", field="risk_level")
    reason = _text(reason, field="reason", name="reason for the decision")
    passing = outcome in (GatewayOutcome.GO, GatewayOutcome.GO_WITH_CONDITIONS)
    if passing:
        stopping = gateway_mandatory_failures(list(gateway.criteria.all()))
        if stopping:
            named = "; ".join(f"{criterion.text} ({criterion.get_result_display().lower()})" for criterion in stopping)
            raise Conflict(
                f"The gateway cannot pass: mandatory criteria not passed: {named}.",
                field="outcome",
                code="mandatory_failed",
            )
    if outcome == GatewayOutcome.GO_WITH_CONDITIONS and not conditions.strip():
        raise DomainError("Say what the conditions are.", field="conditions")
    decided_on = decided_on or timezone.localdate()
    escalated = passing and risk_level > gateway.risk_tolerance
    decision = GatewayDecision(
        gateway=gateway,
        outcome=outcome,
        risk_level=risk_level,
        reason=reason,
        conditions=conditions.strip(),
        decided_on=decided_on,
        decided_by=by,
        escalated=escalated,
    )
    decision._history_user = by
    decision.save()
    if escalated:
        contingency_escalate(
            lot=gateway.plan.award.lot,
            on=decided_on,
            reason=(
                f"{gateway.name} passed ({decision.get_outcome_display().lower()}) at risk "
                f"{decision.get_risk_level_display().lower()}, above the tolerance "
                f"{gateway.get_risk_tolerance_display().lower()}: {reason}"
            ),
            by=by,
        )
    risk_changed_send("gateway_decision")
    return decision
