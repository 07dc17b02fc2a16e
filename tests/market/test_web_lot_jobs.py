"""The jobs done on a lot's page: a milestone's progress (status, evidence link, note), the lot's status with a
reason, and a person moved out of contingency, with the trend; gateway forms go once the lot is live. Commissioners
and contract officers only, through the market services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import Placement, PlacementKind
from market.models import GatewayDecision, LotStatus, Milestone
from market.services.mobilisation import gateway_create, milestone_create, plan_create
from market.services.tenders import lot_status_set
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.mobilisation_factories import award_for, homecare, lot_with_wards, person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def lot():
    """A lot awarded and mobilising, with one milestone, a gateway, and two people in contingency in its area."""
    lot, wards = lot_with_wards(code="HTLAH-02")
    lead = ProviderFactory(name="Soar Valley Homecare Ltd")
    award = award_for(
        lot=lot, provider=lead, awarded_on=TODAY - timedelta(days=90), go_live_on=TODAY + timedelta(days=30)
    )
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=TODAY + timedelta(days=10))
    gateway_create(plan=plan, name="Go-live gateway", criteria=[{"text": "Rotas ready"}])
    lot_status_set(lot=lot, status=LotStatus.IN_PROCUREMENT, reason="Tender out")
    lot_status_set(lot=lot, status=LotStatus.AWARDED, reason="Awarded")
    lot_status_set(lot=lot, status=LotStatus.MOBILISING, reason="Plan agreed")
    stopgap = ProviderFactory(name="Stopgap Care Ltd")
    for n in (1, 2):
        homecare(
            reference=person(n),
            kind=PlacementKind.CONTINGENCY,
            ward=wards[0],
            start=TODAY - timedelta(days=60),
            provider=stopgap,
        )
    lot.refresh_from_db()
    return lot


def sign_in(client, *roles):
    user = UserFactory(roles=roles)
    client.force_login(user)
    return user


def test_a_milestones_progress_is_saved_with_its_evidence_and_shown_on_the_lot(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    milestone = Milestone.objects.get(title="Policies agreed")
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert f'href="/lots/{lot.pk}/milestones/{milestone.pk}/"' in page
    answer = client.post(
        f"/lots/{lot.pk}/milestones/{milestone.pk}/",
        {"status": "done", "evidence_url": "https://docs.example.org/policies", "evidence_note": "Signed off by QA"},
        follow=True,
    )
    html = answer.content.decode()
    assert "Policies agreed: progress saved." in html
    assert 'href="https://docs.example.org/policies"' in html and "Signed off by QA" in html
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == ("done", TODAY)


def test_a_milestone_done_on_a_day_to_come_is_refused_on_its_field(client, lot):
    sign_in(client, Role.COMMISSIONER)
    milestone = Milestone.objects.get(title="Policies agreed")
    later = TODAY + timedelta(days=3)
    answer = client.post(
        f"/lots/{lot.pk}/milestones/{milestone.pk}/",
        {
            "status": "done",
            "evidence_url": "not a link",
            "completed_on-day": later.day,
            "completed_on-month": later.month,
            "completed_on-year": later.year,
        },
    )
    assert answer.status_code == 400
    assert "Enter the link in the right format" in answer.content.decode()
    answer = client.post(
        f"/lots/{lot.pk}/milestones/{milestone.pk}/",
        {
            "status": "done",
            "completed_on-day": later.day,
            "completed_on-month": later.month,
            "completed_on-year": later.year,
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is a problem" in html
    assert "A milestone cannot be done on a day still to come." in html and 'href="#id_completed_on-day"' in html
    assert Milestone.objects.get(pk=milestone.pk).status == "not_started"


def test_a_lots_status_changes_with_a_reason_in_its_history(client, lot):
    sign_in(client, Role.COMMISSIONER)
    answer = client.post(
        f"/lots/{lot.pk}/status/", {"status": "in_contingency", "reason": "Lead provider cannot staff"}, follow=True
    )
    html = answer.content.decode()
    assert f"{lot.code} is now in contingency." in html
    assert "Lead provider cannot staff" in html
    lot.refresh_from_db()
    assert lot.status == LotStatus.IN_CONTINGENCY


def test_a_status_the_lot_cannot_reach_is_refused_with_the_services_words(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    answer = client.post(f"/lots/{lot.pk}/status/", {"status": "vacant", "reason": "Try"})
    html = answer.content.decode()
    assert answer.status_code == 400 and "still has a current award to Soar Valley Homecare Ltd" in html
    no_reason = client.post(f"/lots/{lot.pk}/status/", {"status": "live"})
    assert no_reason.status_code == 400 and "Say why the lot&#x27;s status changes" in no_reason.content.decode()
    lot.refresh_from_db()
    assert lot.status == LotStatus.MOBILISING


def test_gateway_forms_go_once_the_lot_is_live(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    assert "Record the decision" in client.get(f"/lots/{lot.pk}/").content.decode()
    client.post(f"/lots/{lot.pk}/status/", {"status": "live", "reason": "Went live"})
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert "Go-live gateway" in page and "Record the decision" not in page
    gateway = lot.awards.get().mobilisation_plan.gateways.get()
    prefix = f"gateway-{gateway.pk}"
    late = client.post(
        f"/lots/{lot.pk}/",
        {"gateway": gateway.pk, f"{prefix}-outcome": "go", f"{prefix}-risk_level": "1", f"{prefix}-reason": "Late"},
    )
    assert late.status_code == 400 and not GatewayDecision.objects.exists()


def test_a_transfer_to_the_lead_provider_ends_contingency_and_counts_as_moved(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    stay = Placement.objects.get(reference=person(1))
    answer = client.post(
        f"/lots/{lot.pk}/contingency/transfer/",
        {
            "placement": stay.pk,
            "to": "lead_provider",
            "on-day": TODAY.day,
            "on-month": TODAY.month,
            "on-year": TODAY.year,
        },
        follow=True,
    )
    html = answer.content.decode()
    assert f"{person(1)} moves to Soar Valley Homecare Ltd from {TODAY.day} {TODAY:%B %Y}." in html
    stay.refresh_from_db()
    assert stay.end_date == TODAY - timedelta(days=1)
    moved = Placement.objects.get(reference=person(1), kind="lead_provider")
    assert (moved.provider.name, moved.start_date, moved.hours_per_week) == ("Soar Valley Homecare Ltd", TODAY, 7)
    assert "1 with the lead provider, 1 in contingency, 0 on a direct payment" in html
    # The trend ends today with the move in it.
    assert html.count('<td class="govuk-table__cell govuk-table__cell--numeric">1</td>') >= 2

    again = client.get(f"/lots/{lot.pk}/contingency/transfer/").content.decode()
    assert person(2) in again and person(1) not in again


def test_a_transfer_to_a_direct_payment_and_a_refused_one(client, lot):
    sign_in(client, Role.COMMISSIONER)
    stay = Placement.objects.get(reference=person(2))
    far = TODAY + timedelta(days=20)
    refused = client.post(
        f"/lots/{lot.pk}/contingency/transfer/",
        {"placement": stay.pk, "to": "direct_payment", "on-day": far.day, "on-month": far.month, "on-year": far.year},
    )
    assert refused.status_code == 400
    assert "A transfer is recorded on the day it happens, or the day before." in refused.content.decode()
    empty = client.post(f"/lots/{lot.pk}/contingency/transfer/", {})
    html = empty.content.decode()
    assert "Choose the person who moves" in html and "Choose where they move to" in html
    client.post(
        f"/lots/{lot.pk}/contingency/transfer/",
        {
            "placement": stay.pk,
            "to": "direct_payment",
            "on-day": TODAY.day,
            "on-month": TODAY.month,
            "on-year": TODAY.year,
        },
    )
    assert Placement.objects.get(reference=person(2), start_date=TODAY).kind == "direct_payment"


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR])
def test_other_council_roles_may_not_do_a_lots_jobs(client, lot, role):
    sign_in(client, role)
    milestone = Milestone.objects.get(title="Policies agreed")
    stay = Placement.objects.get(reference=person(1))
    for address in (
        f"/lots/{lot.pk}/status/",
        f"/lots/{lot.pk}/milestones/{milestone.pk}/",
        f"/lots/{lot.pk}/contingency/transfer/",
    ):
        assert client.get(address).status_code == 403, address
    assert client.post(f"/lots/{lot.pk}/status/", {"status": "live", "reason": "x"}).status_code == 403
    assert client.post(f"/lots/{lot.pk}/milestones/{milestone.pk}/", {"status": "done"}).status_code == 403
    assert (
        client.post(f"/lots/{lot.pk}/contingency/transfer/", {"placement": stay.pk, "to": "direct_payment"}).status_code
        == 403
    )
    lot.refresh_from_db()
    assert lot.status == LotStatus.MOBILISING and Milestone.objects.get(pk=milestone.pk).status == "not_started"
    assert Placement.objects.filter(reference=person(1)).count() == 1


def test_provider_users_may_not_do_a_lots_jobs(client, lot):
    client.force_login(ProviderMembershipFactory(provider=lot.awards.get().bid.provider).user)
    milestone = Milestone.objects.get(title="Policies agreed")
    assert client.get(f"/lots/{lot.pk}/status/").status_code == 403
    assert client.get(f"/lots/{lot.pk}/milestones/{milestone.pk}/").status_code == 403
    assert client.get(f"/lots/{lot.pk}/contingency/transfer/").status_code == 403
