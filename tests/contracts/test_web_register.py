"""Register pages: a provider, a home (ratings over time by key question, conditions, bed lines and voids),
the contracts register and a contract. Provider users see their own provider and homes only."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from providers.models import Condition
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocationFactory, ProviderFactory, ProviderMembershipFactory, RatingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    provider = ProviderFactory(name="Fenland Care Homes Ltd")
    home = LocationFactory(provider=provider, name="Meadow View Care Home")
    RatingFactory(location=home, overall="Good", safe="Good", report_date=date(2022, 3, 1))
    latest = RatingFactory(
        location=home, overall="Requires improvement", safe="Inadequate", report_date=date(2024, 5, 1)
    )
    home.current_rating = latest
    home.save(update_fields=["current_rating"])
    Condition.objects.create(
        location=home, provider=provider, text="No new admissions", stops_admissions=True, imposed_on=date(2024, 5, 2)
    )
    contract = make_contract(provider=provider, reference="CCC-BLOCK-0810")
    line = make_line(contract=contract, location=home, beds=3, activation_date=timezone.localdate() - timedelta(days=9))
    place(line, start=timezone.localdate() - timedelta(days=5))
    other = make_contract(reference="CCC-BLOCK-0001")
    return {"provider": provider, "home": home, "contract": contract, "other": other}


def sign_in(client, *roles):
    client.force_login(UserFactory(roles=roles))


def test_a_homes_page_shows_ratings_by_key_question_over_time_conditions_and_voids(client, estate):
    sign_in(client, Role.COMPLIANCE_OFFICER)
    response = client.get(f"/homes/{estate['home'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("1 May 2024") < html.index("1 Mar 2022")  # newest first
    assert "Inadequate" in html and "No new admissions" in html
    assert "CCC-BLOCK-0810" in html
    assert 'Void block beds today</dt><dd class="govuk-summary-list__value">2' in html


def test_a_providers_page_lists_its_homes_and_contracts(client, estate):
    sign_in(client, Role.COMMISSIONER)
    html = client.get(f"/providers/{estate['provider'].pk}/").content.decode()
    assert "Meadow View Care Home" in html and "CCC-BLOCK-0810" in html and "CCC-BLOCK-0001" not in html


def test_the_contracts_register_filters_and_pages(client, estate):
    sign_in(client, Role.CONTRACT_OFFICER)
    html = client.get("/contracts/", {"q": "0810"}).content.decode()
    assert "CCC-BLOCK-0810" in html and "CCC-BLOCK-0001" not in html
    assert client.get("/contracts/", {"status": "nonsense"}).status_code == 400
    assert client.get("/contracts/", {"sort": "reference"}).status_code == 400
    contract = client.get(f"/contracts/{estate['contract'].pk}/").content.decode()
    assert "Meadow View Care Home" in contract and "capped at 3%" in contract


def test_provider_users_see_their_own_provider_and_homes_and_nothing_of_others(client, estate):
    membership = ProviderMembershipFactory(provider=estate["provider"])
    client.force_login(membership.user)
    assert client.get(f"/homes/{estate['home'].pk}/").status_code == 200
    assert client.get(f"/providers/{estate['provider'].pk}/").status_code == 200
    stranger = LocationFactory()
    assert client.get(f"/homes/{stranger.pk}/").status_code == 404
    assert client.get(f"/providers/{stranger.provider_id}/").status_code == 404
    assert client.get("/contracts/").status_code == 403
    assert client.get(f"/contracts/{estate['contract'].pk}/").status_code == 403


def test_nobody_unsigned_sees_the_register(client, estate):
    assert client.get(f"/homes/{estate['home'].pk}/").status_code == 302
    assert client.get("/contracts/").status_code == 302
