"""A provider reports milestone progress and staff recruited for its own awards from the portal, through the
services the API uses; another provider's milestone or plan is a 404, every council role a 403."""

from datetime import timedelta

import pytest
from django.test import Client

from accounts.roles import Role
from market.models import MilestoneStatus, RecruitmentReport
from market.services.mobilisation import milestone_create, plan_create, recruitment_trajectory_set
from tests.dates import TODAY
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.mobilisation_factories import award_for

pytestmark = pytest.mark.django_db


def a_plan(provider):
    award = award_for(provider=provider, awarded_on=TODAY - timedelta(days=60), go_live_on=TODAY + timedelta(days=90))
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=TODAY + timedelta(days=10))
    recruitment_trajectory_set(plan=plan, weeks=[{"week_ending": TODAY - timedelta(days=3), "planned_staff": 30}])
    return plan


def client_for(provider=None, *, role=Role.PROVIDER_USER):
    user = UserFactory(roles=[role])
    if provider is not None:
        ProviderMembershipFactory(user=user, provider=provider)
    client = Client()
    client.force_login(user)
    return client


def test_a_provider_reports_a_milestone_done_with_its_evidence_and_the_council_sees_it():
    provider = ProviderFactory()
    plan = a_plan(provider)
    milestone = plan.milestones.get()
    client = client_for(provider)
    page = client.get("/portal/mobilisation/").content.decode()
    assert f"/portal/mobilisation/milestones/{milestone.pk}/" in page

    refused = client.post(
        f"/portal/mobilisation/milestones/{milestone.pk}/", {"status": "done", "evidence_url": "not a link"}
    )
    assert refused.status_code == 400
    assert "Enter the link in the right format" in refused.content.decode()

    tomorrow = TODAY + timedelta(days=1)
    future = client.post(
        f"/portal/mobilisation/milestones/{milestone.pk}/",
        {
            "status": "done",
            "completed_on-day": tomorrow.day,
            "completed_on-month": tomorrow.month,
            "completed_on-year": tomorrow.year,
        },
    )
    assert future.status_code == 400 and "cannot be done on a day still to come" in future.content.decode()

    answer = client.post(
        f"/portal/mobilisation/milestones/{milestone.pk}/",
        {"status": "done", "evidence_url": "https://docs.example.org/policies", "evidence_note": "Signed off."},
        follow=True,
    )
    assert "Policies agreed: progress sent to the council." in answer.content.decode()
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == (MilestoneStatus.DONE, TODAY)
    assert milestone.evidence_url == "https://docs.example.org/policies"


def test_a_provider_reports_staff_recruited_to_date():
    provider = ProviderFactory()
    plan = a_plan(provider)
    client = client_for(provider)
    refused = client.post(f"/portal/mobilisation/plans/{plan.pk}/recruitment/", {"staff_recruited": "-2"})
    assert refused.status_code == 400 and "Staff recruited cannot be negative" in refused.content.decode()
    answer = client.post(f"/portal/mobilisation/plans/{plan.pk}/recruitment/", {"staff_recruited": "24"}, follow=True)
    assert f"24 staff recruited for lot {plan.award.lot.code} sent to the council." in answer.content.decode()
    assert "24 staff recruited of 30 planned by now" in answer.content.decode()
    assert RecruitmentReport.objects.get(plan=plan).reported_on == TODAY


def test_another_provider_s_milestone_and_plan_are_404_and_nothing_changes():
    plan = a_plan(ProviderFactory())
    milestone = plan.milestones.get()
    client = client_for(ProviderFactory())
    assert client.get(f"/portal/mobilisation/milestones/{milestone.pk}/").status_code == 404
    assert client.post(f"/portal/mobilisation/milestones/{milestone.pk}/", {"status": "done"}).status_code == 404
    assert client.get(f"/portal/mobilisation/plans/{plan.pk}/recruitment/").status_code == 404
    assert client.post(f"/portal/mobilisation/plans/{plan.pk}/recruitment/", {"staff_recruited": 3}).status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED and not RecruitmentReport.objects.exists()


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.PROVIDER_USER}))
def test_every_council_role_is_refused_the_provider_s_forms(role):
    plan = a_plan(ProviderFactory())
    client = client_for(role=role)
    assert client.get(f"/portal/mobilisation/milestones/{plan.milestones.get().pk}/").status_code == 403
    assert client.get(f"/portal/mobilisation/plans/{plan.pk}/recruitment/").status_code == 403
