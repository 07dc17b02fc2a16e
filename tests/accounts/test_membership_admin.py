"""Administrators link provider users to providers, and micro-enterprises' own accounts to them, choosing each by
name in the admin's autocomplete (never by typing a numeric id); the links are written by the services."""

import pytest
from django.utils import timezone

from accounts.roles import Role
from market.models import MicroEnterpriseMembership
from providers.models import ProviderMembership
from tests.factories import ProviderFactory, UserFactory
from tests.market.micro_factories import district_with_wards, micro_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True))
    return client


def autocomplete(client, *, app: str, model: str, field: str, term: str) -> list[str]:
    answer = client.get(
        "/admin/autocomplete/", {"app_label": app, "model_name": model, "field_name": field, "term": term}
    )
    assert answer.status_code == 200, answer.content[:300]
    return [result["text"] for result in answer.json()["results"]]


def test_a_provider_user_is_linked_to_a_provider_chosen_by_name(administrator):
    provider = ProviderFactory(name="Fenland Care Homes Ltd")
    ProviderFactory(name="Soar Valley Homecare Ltd")
    account = UserFactory(roles=[Role.PROVIDER_USER], username="mary.fen")
    form = administrator.get("/admin/providers/providermembership/add/").content.decode()
    assert "admin-autocomplete" in form and "vForeignKeyRawIdAdminField" not in form
    assert autocomplete(administrator, app="providers", model="providermembership", field="provider", term="fenl") == [
        "Fenland Care Homes Ltd"
    ]
    assert "mary.fen" in autocomplete(
        administrator, app="providers", model="providermembership", field="user", term="mary"
    )
    answer = administrator.post(
        "/admin/providers/providermembership/add/", {"user": account.pk, "provider": provider.pk}
    )
    assert answer.status_code == 302
    assert ProviderMembership.objects.get().provider == provider


def test_a_micro_enterprises_account_is_linked_to_it_chosen_by_name(administrator):
    district, _ = district_with_wards()
    business = micro_enterprise(locality=district, enquiry=timezone.localdate(), name="Ely Companions")
    account = UserFactory(roles=[Role.PROVIDER_USER], username="sam.ely")
    form = administrator.get("/admin/market/microenterprisemembership/add/").content.decode()
    assert "admin-autocomplete" in form
    found = autocomplete(
        administrator, app="market", model="microenterprisemembership", field="micro_enterprise", term="ely"
    )
    assert found == [str(business)]
    answer = administrator.post(
        "/admin/market/microenterprisemembership/add/", {"user": account.pk, "micro_enterprise": business.pk}
    )
    assert answer.status_code == 302
    assert MicroEnterpriseMembership.objects.get().user == account


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CONTRACT_OFFICER, Role.BROKER, Role.COMPLIANCE_OFFICER])
def test_other_roles_may_not_link_accounts(client, role):
    client.force_login(UserFactory(roles=[role], is_staff=True))
    assert client.get("/admin/providers/providermembership/add/").status_code == 403
    assert client.get("/admin/market/microenterprisemembership/add/").status_code == 403
