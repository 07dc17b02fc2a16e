"""Mobilisation reads: RAG of milestones and plans on a day, recruitment against the trajectory, the six-month
go-live rule. RAG is computed, never stored, over rows loaded once (`plans_with_progress` prefetches what
the rules read), so a list of plans costs the same few queries whatever its length.

The rules, on a day:
- green: done (the CQC registration milestone: the delivering location is registered), or on track;
- amber: not done and due within MOBILISATION_AMBER_DAYS; or recruitment behind the weekly trajectory by more
  than MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT (the recruitment milestone);
- red: overdue; or a critical milestone at risk of missing go-live: not done and blocked, due after go-live,
  or with go-live itself ahead and within MOBILISATION_AMBER_DAYS.
A plan's RAG is its worst milestone's. A milestone's status is the one its RAG read: the CQC registration
milestone is done when the register says so, whatever was reported on it, so a page never shows "Not started"
beside "done". Mobilisation is over a month after go-live (MOBILISATION_OVER_AFTER): a lot live for years has
no mobilisation RAG, on its pages, the map or in the alert rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accounts.selectors import provider_scope
from core.days import months_after
from market.models import (
    GatewayCriterion,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    MobilisationPlan,
    Rag,
    RecruitmentReport,
    RecruitmentTarget,
)
from providers.models import RegistrationStatus

RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}
# How long after go-live a plan is still followed: its last milestones and first weeks of delivery.
MOBILISATION_OVER_AFTER = timedelta(days=31)
GO_LIVE_MONTHS = 6


def go_live_latest(awarded_on: date) -> date:
    """The latest go-live date that needs no reason: six months after the award."""
    return months_after(awarded_on, GO_LIVE_MONTHS)


def go_live_late(plan: MobilisationPlan) -> bool:
    """Flagged: the plan goes live more than six months after its award."""
    return plan.go_live_on > go_live_latest(plan.award.awarded_on)


@dataclass(frozen=True)
class RecruitmentPosition:
    planned: int
    recruited: int
    behind_percent: float | None  # None when nothing was planned yet
    behind: bool  # by more than the tolerance


@dataclass(frozen=True)
class MilestoneRag:
    rag: str
    reasons: list[str] = field(default_factory=list)
    done: bool = False
    status: str = MilestoneStatus.NOT_STARTED  # as the RAG read it: done when done, else as reported

    @property
    def status_label(self) -> str:
        return MilestoneStatus(self.status).label


def plans_mobilising(plans: QuerySet[MobilisationPlan], *, on: date) -> QuerySet[MobilisationPlan]:
    """Plans of current awards still mobilising on `on`: not past go-live by more than MOBILISATION_OVER_AFTER."""
    return plans.filter(award__ended_on__isnull=True, go_live_on__gte=on - MOBILISATION_OVER_AFTER)


def plans_with_progress(plans: QuerySet[MobilisationPlan]) -> QuerySet[MobilisationPlan]:
    """Plans with everything the RAG rules and the plan's page read, in a fixed number of queries."""
    return plans.select_related(
        "award__lot", "award__bid__provider", "delivering_location", "template"
    ).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_on", "pk")),
        Prefetch("recruitment_targets", queryset=RecruitmentTarget.objects.order_by("week_ending")),
        Prefetch("recruitment_reports", queryset=RecruitmentReport.objects.order_by("reported_on")),
    )


def recruitment_position(plan: MobilisationPlan, *, on: date) -> RecruitmentPosition:
    """Staff recruited to date (the last report on or before `on`) against the trajectory's last week ended
    by then. Reads the plan's prefetched targets and reports."""
    planned = 0
    for target in plan.recruitment_targets.all():
        if target.week_ending <= on:
            planned = target.planned_staff
    recruited = 0
    for report in plan.recruitment_reports.all():
        if report.reported_on <= on:
            recruited = report.staff_recruited
    if planned <= 0:
        return RecruitmentPosition(planned=planned, recruited=recruited, behind_percent=None, behind=False)
    behind_percent = round(max(planned - recruited, 0) * 100 / planned, 1)
    tolerance = settings.MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT
    return RecruitmentPosition(
        planned=planned, recruited=recruited, behind_percent=behind_percent, behind=behind_percent > tolerance
    )


def cqc_registered(plan: MobilisationPlan, *, on: date) -> bool:
    """The CQC registration milestone, read from the providers register: the delivering location is
    registered (and was by `on`, when the register says since when)."""
    location = plan.delivering_location
    if location is None or location.registration_status != RegistrationStatus.REGISTERED:
        return False
    return location.registration_date is None or location.registration_date <= on


def milestone_done(milestone: Milestone, *, plan: MobilisationPlan, on: date) -> bool:
    if milestone.kind == MilestoneKind.CQC_REGISTRATION:
        return cqc_registered(plan, on=on)
    return milestone.status == MilestoneStatus.DONE and (milestone.completed_on is None or milestone.completed_on <= on)


def milestone_rag(
    milestone: Milestone, *, plan: MobilisationPlan, on: date, recruitment: RecruitmentPosition | None = None
) -> MilestoneRag:
    if milestone_done(milestone, plan=plan, on=on):
        return MilestoneRag(rag=Rag.GREEN, reasons=["done"], done=True, status=MilestoneStatus.DONE)
    # Not done: a milestone reported done after `on`, or a CQC registration the register does not show yet.
    status = MilestoneStatus.IN_PROGRESS if milestone.status == MilestoneStatus.DONE else milestone.status
    amber_days = settings.MOBILISATION_AMBER_DAYS
    red, amber = [], []
    if milestone.due_on < on:
        red.append(f"overdue since {milestone.due_on}")
    if milestone.critical:
        if milestone.status == MilestoneStatus.BLOCKED:
            red.append("critical and blocked")
        if milestone.due_on > plan.go_live_on:
            red.append(f"critical and due after go-live ({plan.go_live_on})")
        if 0 <= (plan.go_live_on - on).days <= amber_days:
            red.append(f"critical, not done, and go-live ({plan.go_live_on}) is within {amber_days} days")
    if 0 <= (milestone.due_on - on).days <= amber_days:
        amber.append(f"due within {amber_days} days")
    if milestone.kind == MilestoneKind.STAFF_RECRUITED:
        recruitment = recruitment or recruitment_position(plan, on=on)
        if recruitment.behind:
            amber.append(
                f"recruitment {recruitment.behind_percent}% behind the trajectory "
                f"({recruitment.recruited} of {recruitment.planned} planned)"
            )
    if red:
        return MilestoneRag(rag=Rag.RED, reasons=red + amber, status=status)
    if amber:
        return MilestoneRag(rag=Rag.AMBER, reasons=amber, status=status)
    return MilestoneRag(rag=Rag.GREEN, reasons=["on track"], status=status)


def worst(rags) -> str:
    return max(rags, key=RAG_ORDER.__getitem__, default=Rag.GREEN)


@dataclass(frozen=True)
class PlanProgress:
    rag: str
    milestones: dict[int, MilestoneRag]
    recruitment: RecruitmentPosition
    go_live_late: bool
    go_live_latest: date
    milestones_done: int
    milestones_late: int


def plan_progress(plan: MobilisationPlan, *, on: date) -> PlanProgress:
    """RAG of each milestone and of the plan on `on` (reads the rows `plans_with_progress` prefetched)."""
    recruitment = recruitment_position(plan, on=on)
    rags = {
        milestone.pk: milestone_rag(milestone, plan=plan, on=on, recruitment=recruitment)
        for milestone in plan.milestones.all()
    }
    return PlanProgress(
        rag=worst(entry.rag for entry in rags.values()),
        milestones=rags,
        recruitment=recruitment,
        go_live_late=go_live_late(plan),
        go_live_latest=go_live_latest(plan.award.awarded_on),
        milestones_done=sum(entry.done for entry in rags.values()),
        milestones_late=sum(
            1 for milestone in plan.milestones.all() if not rags[milestone.pk].done and milestone.due_on < on
        ),
    )


def mobilisation_rag_by_lot(*, lot_ids, on: date) -> dict[int, str]:
    """The RAG of each lot's current award's mobilisation plan while it is mobilising (plans_mobilising; other
    lots are left out); a fixed number of queries for any number of lots."""
    plans = plans_with_progress(
        plans_mobilising(MobilisationPlan.objects.filter(award__lot_id__in=list(lot_ids)), on=on)
    )
    return {plan.award.lot_id: plan_progress(plan, on=on).rag for plan in plans}


def gateway_mandatory_failures(criteria: list[GatewayCriterion]) -> list[GatewayCriterion]:
    """Mandatory criteria that stop a go: failed, or not yet assessed (a pass/fail test not taken is no pass)."""
    return [criterion for criterion in criteria if criterion.mandatory and criterion.result != "passed"]


def plans_delivered_by(*, user) -> QuerySet[MobilisationPlan]:
    """The mobilisation plans of the lots a provider user's providers deliver now (a lot whose award has ended is
    no longer theirs), with what plan_progress reads; every plan for council staff."""
    plans = MobilisationPlan.objects.filter(award__ended_on__isnull=True)
    plans = provider_scope(plans, user, provider_field="award__bid__provider")
    return plans_with_progress(plans).order_by("go_live_on", "pk")
