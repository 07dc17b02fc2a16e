"""Demand from the pages: the needs recorded by place and care type, one entered by hand and a CSV of forecasts
imported whole or not at all, with each problem's row and column; commissioners and contract officers only."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from market.models import Demand
from market.services.demand import demand_create
from tests.factories import LocalityFactory, ProviderMembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


@pytest.fixture
def district():
    return LocalityFactory(code="E07000009", name="East Cambridgeshire", kind="district")


def sign_in(client, *roles):
    client.force_login(UserFactory(roles=roles))


def need(**fields):
    return {
        "locality": "E07000009",
        "care_type": "nursing_dementia",
        "period_start-day": "1",
        "period_start-month": "4",
        "period_start-year": "2027",
        "period_end-day": "30",
        "period_end-month": "6",
        "period_end-year": "2027",
        "quantity": "14",
        **fields,
    }


def test_a_need_entered_by_hand_is_listed(client, district):
    sign_in(client, Role.COMMISSIONER)
    answer = client.post("/demand/new/", need(), follow=True)
    html = answer.content.decode()
    assert "Nursing dementia need in East Cambridgeshire is recorded." in html
    assert "14 beds" in html and "1 April to 30 June 2027" in html
    demand = Demand.objects.get()
    assert (demand.quantity, demand.source) == (14, "entered")


def test_a_need_refused_by_the_service_is_shown_on_its_field(client, district):
    sign_in(client, Role.CONTRACT_OFFICER)
    demand_create(
        locality=district,
        care_type="nursing_dementia",
        period_start=date(2027, 5, 1),
        period_end=date(2027, 9, 30),
        quantity=Decimal("3"),
    )
    answer = client.post("/demand/new/", need())
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is a problem" in html
    assert "which overlaps this period" in html and 'href="#id_period_start-day"' in html
    empty = client.post("/demand/new/", {}).content.decode()
    assert "Choose the district or ward" in empty and "Enter the need in beds or hours a week" in empty
    assert Demand.objects.count() == 1


def test_a_csv_of_forecasts_is_imported(client, district):
    sign_in(client, Role.COMMISSIONER)
    content = (
        "locality,care_type,period_start,period_end,quantity\n"
        "E07000009,residential,2027-04-01,2028-03-31,40\n"
        "E07000009,homecare_hours,2027-04-01,2028-03-31,1200\n"
    )
    answer = client.post("/demand/import/", {"file": SimpleUploadedFile("forecast.csv", content.encode())}, follow=True)
    html = answer.content.decode()
    assert "2 needs imported." in html and "1,200 hours a week" in html
    assert set(Demand.objects.values_list("source", flat=True)) == {"forecast"}


def test_a_csv_with_a_wrong_row_imports_nothing_and_names_the_row_and_column(client, district):
    sign_in(client, Role.CONTRACT_OFFICER)
    content = (
        "locality,care_type,period_start,period_end,quantity\n"
        "E07000009,residential,2027-04-01,2028-03-31,40\n"
        "E07000009,residential,2027-04-01,not a date,40\n"
    )
    answer = client.post("/demand/import/", {"file": SimpleUploadedFile("forecast.csv", content.encode())})
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is a problem" in html
    assert "nothing was imported" in html
    assert "&#x27;not a date&#x27; is not a date (YYYY-MM-DD)." in html and ">period_end<" in html
    assert not Demand.objects.exists()
    missing = client.post("/demand/import/", {}).content.decode()
    assert "Select a CSV file" in missing


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR])
def test_other_council_roles_read_demand_but_may_not_enter_or_import_it(client, district, role):
    sign_in(client, role)
    page = client.get("/demand/")
    assert page.status_code == 200 and "Enter a need" not in page.content.decode()
    assert client.get("/demand/new/").status_code == 403
    assert client.post("/demand/new/", need()).status_code == 403
    assert client.get("/demand/import/").status_code == 403
    assert not Demand.objects.exists()


def test_provider_users_may_not_see_demand(client, district):
    client.force_login(ProviderMembershipFactory().user)
    for address in ("/demand/", "/demand/new/", "/demand/import/"):
        assert client.get(address).status_code == 403


def test_commissioners_reach_demand_from_the_navigation(client, district):
    sign_in(client, Role.COMMISSIONER)
    assert 'href="/demand/"' in client.get("/lots/").content.decode()
