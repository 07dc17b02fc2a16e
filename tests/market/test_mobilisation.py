from datetime import date, timedelta

import pytest
from django.test import override_settings

from core.errors import Conflict, DomainError
from market.models import ContingencyArrangement, GatewayDecision, MilestoneKind, Rag
from market.selectors.mobilisation import go_live_latest, plan_progress, plans_with_progress
from market.services.mobilisation import (
    criterion_assess,
    gateway_create,
    gateway_decide,
    milestone_create,
    milestone_report,
    plan_create,
    plan_update,
    recruitment_report,
    recruitment_trajectory_set,
    template_create,
)
from tests.factories import LocationFactory
from tests.market.mobilisation_factories import award_for

pytestmark = pytest.mark.django_db

GO_LIVE = date(2016, 11, 7)


def progress(plan, on):
    plan = plans_with_progress(type(plan).objects.filter(pk=plan.pk)).get()
    return plan_progress(plan, on=on)


def rag_of(plan, milestone, on):
    return progress(plan, on).milestones[milestone.pk]


@pytest.fixture
def plan():
    return plan_create(award=award_for(go_live_on=GO_LIVE))


def test_a_plan_from_the_template_gets_its_milestones_due_before_go_live():
    template = template_create(
        name="Help to Live at Home",
        milestones=[
            {"kind": MilestoneKind.TUPE_CONSULTATION, "title": "TUPE consultation", "weeks_before_go_live": 8},
            {"kind": MilestoneKind.FIRST_PACKAGES, "title": "First packages", "critical": True},
        ],
    )
    plan = plan_create(award=award_for(go_live_on=GO_LIVE), template=template)
    milestones = list(plan.milestones.order_by("position"))
    assert [(m.title, m.due_on, m.critical) for m in milestones] == [
        ("TUPE consultation", GO_LIVE - timedelta(weeks=8), False),
        ("First packages", GO_LIVE, True),
    ]


@override_settings(MOBILISATION_AMBER_DAYS=14)
def test_a_milestone_is_green_on_track_amber_when_due_soon_and_red_when_overdue(plan):
    milestone = milestone_create(plan=plan, kind="policies", title="Policies", due_on=date(2016, 9, 30))
    assert rag_of(plan, milestone, date(2016, 9, 1)).rag == Rag.GREEN
    assert rag_of(plan, milestone, date(2016, 9, 16)).rag == Rag.AMBER  # due in 14 days
    assert rag_of(plan, milestone, date(2016, 10, 1)).rag == Rag.RED  # a day overdue
    milestone_report(milestone=milestone, status="done", completed_on=date(2016, 9, 28), evidence_note="Signed off")
    assert rag_of(plan, milestone, date(2016, 10, 1)).rag == Rag.GREEN


@override_settings(MOBILISATION_AMBER_DAYS=7)
def test_the_amber_window_follows_the_setting(plan):
    milestone = milestone_create(plan=plan, kind="policies", title="Policies", due_on=date(2016, 9, 30))
    assert rag_of(plan, milestone, date(2016, 9, 16)).rag == Rag.GREEN
    assert rag_of(plan, milestone, date(2016, 9, 23)).rag == Rag.AMBER


@override_settings(MOBILISATION_RECRUITMENT_TOLERANCE_PERCENT=10, MOBILISATION_AMBER_DAYS=14)
def test_recruitment_behind_the_trajectory_by_more_than_the_tolerance_is_amber(plan):
    milestone = milestone_create(plan=plan, kind="staff_recruited", title="Staff recruited", due_on=GO_LIVE)
    recruitment_trajectory_set(
        plan=plan,
        weeks=[
            {"week_ending": date(2016, 9, 2), "planned_staff": 20},
            {"week_ending": date(2016, 9, 9), "planned_staff": 40},
        ],
    )
    recruitment_report(plan=plan, reported_on=date(2016, 9, 9), staff_recruited=37)  # 7.5% behind
    assert rag_of(plan, milestone, date(2016, 9, 10)).rag == Rag.GREEN
    recruitment_report(plan=plan, reported_on=date(2016, 9, 9), staff_recruited=30)  # 25% behind
    found = rag_of(plan, milestone, date(2016, 9, 10))
    assert found.rag == Rag.AMBER
    assert "25.0% behind" in found.reasons[0]
    assert progress(plan, date(2016, 9, 10)).recruitment.planned == 40


@override_settings(MOBILISATION_AMBER_DAYS=14)
def test_a_critical_milestone_at_risk_of_missing_go_live_is_red(plan):
    blocked = milestone_create(
        plan=plan, kind="call_monitoring", title="Call monitoring", due_on=date(2016, 10, 31), critical=True
    )
    milestone_report(milestone=blocked, status="blocked", evidence_note="System supplier late")
    assert rag_of(plan, blocked, date(2016, 9, 1)).rag == Rag.RED
    after_go_live = milestone_create(
        plan=plan, kind="records_transferred", title="Records", due_on=GO_LIVE + timedelta(days=7), critical=True
    )
    assert rag_of(plan, after_go_live, date(2016, 9, 1)).rag == Rag.RED
    close_to_go_live = milestone_create(
        plan=plan, kind="first_packages", title="First packages", due_on=GO_LIVE, critical=True
    )
    assert rag_of(plan, close_to_go_live, date(2016, 9, 1)).rag == Rag.GREEN
    assert rag_of(plan, close_to_go_live, GO_LIVE - timedelta(days=10)).rag == Rag.RED
    assert progress(plan, date(2016, 9, 1)).rag == Rag.RED  # a plan is as bad as its worst milestone


def test_cqc_registration_is_met_from_the_providers_register_not_typed_in(plan):
    milestone = milestone_create(plan=plan, kind="cqc_registration", title="CQC registration", due_on=date(2016, 10, 1))
    with pytest.raises(DomainError, match="providers register") as refused:
        milestone_report(milestone=milestone, status="done")
    assert refused.value.field == "status"
    assert rag_of(plan, milestone, date(2016, 10, 2)).rag == Rag.RED
    agency = LocationFactory(
        provider=plan.award.bid.provider,
        care_home=False,
        registration_status="Registered",
        registration_date=date(2016, 9, 20),
    )
    plan_update(plan=plan, delivering_location=agency)
    assert rag_of(plan, milestone, date(2016, 10, 2)).rag == Rag.GREEN
    assert rag_of(plan, milestone, date(2016, 9, 19)).rag == Rag.AMBER  # not yet registered that day, due soon


def test_the_delivering_location_must_be_the_lead_providers(plan):
    with pytest.raises(DomainError) as refused:
        plan_update(plan=plan, delivering_location=LocationFactory())
    assert refused.value.field == "delivering_location"


def test_go_live_more_than_six_months_after_award_needs_a_reason_and_is_flagged():
    award = award_for(awarded_on=date(2016, 5, 7), go_live_on=date(2016, 11, 8))
    assert go_live_latest(date(2016, 5, 7)) == date(2016, 11, 7)
    with pytest.raises(DomainError, match="more than six months") as refused:
        plan_create(award=award)
    assert refused.value.field == "late_go_live_reason"
    plan = plan_create(award=award, late_go_live_reason="TUPE list arrived late")
    assert progress(plan, date(2016, 6, 1)).go_live_late is True
    plan_update(plan=plan, go_live_on=date(2016, 11, 7))
    assert progress(plan, date(2016, 6, 1)).go_live_late is False
    assert go_live_latest(date(2016, 8, 31)) == date(2017, 2, 28)


def _gateway(plan, *, tolerance=2):
    gateway = gateway_create(
        plan=plan,
        name="Go-live readiness",
        risk_tolerance=tolerance,
        criteria=[
            {"text": "Registered manager in post", "mandatory": True},
            {"text": "Rota covers first month", "mandatory": False},
        ],
    )
    return gateway, list(gateway.criteria.order_by("position"))


@pytest.mark.parametrize("outcome", ["go", "go_with_conditions"])
def test_a_failed_mandatory_criterion_makes_go_impossible(plan, outcome):
    gateway, (manager, rota) = _gateway(plan)
    criterion_assess(criterion=manager, result="failed", note="Manager left")
    criterion_assess(criterion=rota, result="passed")
    with pytest.raises(Conflict, match="Registered manager in post") as refused:
        gateway_decide(gateway=gateway, outcome=outcome, risk_level=1, reason="Ready", conditions="Weekly review")
    assert refused.value.field == "outcome"
    assert not GatewayDecision.objects.exists()
    decision = gateway_decide(gateway=gateway, outcome="no_go", risk_level=3, reason="No registered manager")
    assert decision.outcome == "no_go" and not decision.escalated


def test_an_unassessed_mandatory_criterion_also_stops_a_go(plan):
    gateway, _ = _gateway(plan)
    with pytest.raises(Conflict, match="not assessed"):
        gateway_decide(gateway=gateway, outcome="go", risk_level=1, reason="Ready")


def test_passing_with_risk_above_tolerance_escalates_the_lots_contingency(plan, django_user_model):
    gateway, (manager, rota) = _gateway(plan, tolerance=2)
    criterion_assess(criterion=manager, result="passed")
    gateway_decide(gateway=gateway, outcome="go", risk_level=2, reason="At tolerance")
    assert not ContingencyArrangement.objects.exists()
    decision = gateway_decide(
        gateway=gateway,
        outcome="go_with_conditions",
        risk_level=3,
        reason="Recruitment thin",
        conditions="Weekly calls",
    )
    assert decision.escalated
    arrangement = ContingencyArrangement.objects.get(lot=plan.award.lot)
    assert arrangement.escalated and arrangement.reason == "gateway_risk"
    assert "Recruitment thin" in arrangement.escalation_reason


def test_go_with_conditions_needs_the_conditions(plan):
    gateway, (manager, _) = _gateway(plan)
    criterion_assess(criterion=manager, result="passed")
    with pytest.raises(DomainError) as refused:
        gateway_decide(gateway=gateway, outcome="go_with_conditions", risk_level=1, reason="Nearly")
    assert refused.value.field == "conditions"


def test_services_refuse_provider_users_what_is_the_councils(plan):
    from django.core.exceptions import PermissionDenied

    from market.services.mobilisation import NotYourAward
    from tests.factories import ProviderMembershipFactory

    own = ProviderMembershipFactory(provider=plan.award.bid.provider).user
    stranger = ProviderMembershipFactory().user
    milestone = milestone_create(plan=plan, kind="policies", title="Policies", due_on=date(2016, 9, 30))
    with pytest.raises(PermissionDenied):
        plan_update(plan=plan, go_live_on=date(2016, 11, 1), by=own)
    with pytest.raises(NotYourAward):
        milestone_report(milestone=milestone, status="in_progress", by=stranger)
    with pytest.raises(NotYourAward):
        recruitment_report(plan=plan, staff_recruited=3, reported_on=date(2016, 9, 1), by=stranger)
    assert milestone_report(milestone=milestone, status="in_progress", by=own).status == "in_progress"


def test_a_template_milestone_due_before_the_award_is_due_on_the_award_date():
    template = template_create(
        name="Short mobilisation",
        milestones=[{"kind": "tupe_consultation", "title": "TUPE", "weeks_before_go_live": 12}],
    )
    plan = plan_create(award=award_for(awarded_on=date(2016, 10, 1), go_live_on=GO_LIVE), template=template)
    assert plan.milestones.get().due_on == date(2016, 10, 1)
