"""The lots register and a lot's page: rounds, award, mobilisation milestones with their RAG, the gateway
decision form through the market services (errors the GOV.UK way), contingency; council staff only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from market.models import GatewayDecision
from market.services.mobilisation import gateway_create, milestone_create, plan_create
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.mobilisation_factories import award_for, lot_with_wards

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot():
    """A lot mobilising: go-live in a month, its policies milestone ten days overdue."""
    today = timezone.localdate()
    lot, _ = lot_with_wards(code="HTLAH-01")
    award = award_for(
        lot=lot,
        provider=ProviderFactory(name="Soar Valley Homecare Ltd"),
        awarded_on=today - timedelta(days=90),
        go_live_on=today + timedelta(days=30),
    )
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=today - timedelta(days=10))
    gateway_create(
        plan=plan,
        name="Go-live gateway",
        criteria=[{"text": "Registered manager in post", "mandatory": True}, {"text": "Rotas ready"}],
    )
    lot.refresh_from_db()
    return lot


def sign_in(client, *roles):
    user = UserFactory(roles=roles)
    client.force_login(user)
    return user


def test_the_lots_register_lists_lots_with_status_lead_provider_and_mobilisation(client, lot):
    sign_in(client, Role.COMPLIANCE_OFFICER)
    response = client.get("/lots/")
    assert response.status_code == 200
    html = response.content.decode()
    assert lot.code in html and "Soar Valley Homecare Ltd" in html
    assert "govuk-tag--red" in html  # the milestone is overdue: the plan is red
    filtered = client.get("/lots/", {"status": "vacant"}).content.decode()
    assert "No lots match." in filtered and "Status: Vacant" not in filtered  # the MOJ tag hides its label
    assert client.get("/lots/", {"colour": "red"}).status_code == 400


def test_a_lots_page_shows_its_rounds_award_milestones_and_gateway(client, lot):
    sign_in(client, Role.COMMISSIONER)
    html = client.get(f"/lots/{lot.pk}/").content.decode()
    for text in ("Procurement rounds", "Policies agreed", "Go-live gateway", "Registered manager in post", "Red"):
        assert text in html, text
    assert "Record the decision" in html


def test_a_gateway_decision_refused_by_the_service_is_shown_on_its_field(client, lot):
    sign_in(client, Role.CONTRACT_OFFICER)
    gateway = lot.awards.get().mobilisation_plan.gateways.get()
    prefix = f"gateway-{gateway.pk}"
    response = client.post(
        f"/lots/{lot.pk}/",
        {"gateway": gateway.pk, f"{prefix}-outcome": "go", f"{prefix}-risk_level": "2", f"{prefix}-reason": "Ready"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "mandatory criteria not passed: Registered manager in post" in html
    assert not GatewayDecision.objects.exists()

    empty = client.post(f"/lots/{lot.pk}/", {"gateway": gateway.pk})
    assert empty.status_code == 400 and "Say why." in empty.content.decode()


def test_a_no_go_is_recorded_and_shown_with_a_banner(client, lot):
    sign_in(client, Role.COMMISSIONER)
    gateway = lot.awards.get().mobilisation_plan.gateways.get()
    prefix = f"gateway-{gateway.pk}"
    answer = client.post(
        f"/lots/{lot.pk}/",
        {
            "gateway": gateway.pk,
            f"{prefix}-outcome": "no_go",
            f"{prefix}-risk_level": "3",
            f"{prefix}-reason": "No registered manager yet",
        },
        follow=True,
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Go-live gateway: decision recorded." in html and "No registered manager yet" in html
    assert GatewayDecision.objects.get().outcome == "no_go"


def test_only_commissioners_and_contract_officers_decide_a_gateway(client, lot):
    sign_in(client, Role.BROKER)
    gateway = lot.awards.get().mobilisation_plan.gateways.get()
    page = client.get(f"/lots/{lot.pk}/").content.decode()
    assert "Record the decision" not in page
    refused = client.post(f"/lots/{lot.pk}/", {"gateway": gateway.pk, f"gateway-{gateway.pk}-outcome": "no_go"})
    assert refused.status_code == 403 and not GatewayDecision.objects.exists()


def test_provider_users_may_not_open_the_lots_register_or_a_lot(client, lot):
    membership = ProviderMembershipFactory(provider=lot.awards.get().bid.provider)
    client.force_login(membership.user)
    assert client.get("/lots/").status_code == 403
    assert client.get(f"/lots/{lot.pk}/").status_code == 403
