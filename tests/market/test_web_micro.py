"""Micro-enterprises from the pages: the register (filtered, paged, the download with the same filters), a
micro-enterprise's status history and returns, a change of status with its reason and a return, through
market.services.micro_enterprises; the programme's state of health by locality and its years' totals, headline
figures first. Council staff read; commissioners and contract officers write; provider users are refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from market.models import MicroEnterprise, MicroEnterpriseReturn, MicroEnterpriseStatusChange
from market.services.micro_enterprises import micro_enterprise_member_add
from tests.dates import TODAY
from tests.factories import ProviderMembershipFactory, UserFactory
from tests.market.micro_factories import district_with_wards, micro_enterprise
from tests.market.test_programmes import worked_example

pytestmark = pytest.mark.django_db


def sign_in(client, *roles):
    client.force_login(UserFactory(roles=roles))


def when(name: str, day) -> dict:
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


@pytest.fixture
def places():
    return district_with_wards(code="E07000009")


@pytest.fixture
def carer(places):
    district, (ward, _) = places
    return micro_enterprise(
        locality=ward,
        name="Fen Edge Companions",
        enquiry=TODAY - timedelta(days=120),
        trading=TODAY - timedelta(days=60),
        returns=[(TODAY - timedelta(days=60), "12.5", 3)],
    )


def test_the_register_filters_by_status_district_and_name_and_offers_the_same_download(client, places, carer):
    district, (ward, _) = places
    elsewhere, (far_ward,) = district_with_wards(wards=1)
    micro_enterprise(locality=far_ward, name="Marshland Meals", enquiry=TODAY - timedelta(days=10))
    sign_in(client, Role.BROKER)
    html = client.get("/micro-enterprises/").content.decode()
    assert "2 micro-enterprises" in html and "Fen Edge Companions" in html and "Marshland Meals" in html
    assert "12.5" in html
    narrowed = client.get("/micro-enterprises/", {"status": "trading", "district": "E07000009", "q": "fen"})
    html = narrowed.content.decode()
    assert narrowed.status_code == 200 and "1 micro-enterprise<" in html and "Marshland Meals" not in html
    assert "/api/v1/market/micro-enterprises/export/csv/?search=fen&amp;status=trading&amp;district=E07000009" in html


def test_an_unknown_or_wrong_filter_is_named(client, carer):
    sign_in(client, Role.COMMISSIONER)
    answer = client.get("/micro-enterprises/", {"ward": "E05000001"})
    assert answer.status_code == 400
    assert "does not understand the parameter &#x27;ward&#x27;" in answer.content.decode()
    wrong = client.get("/micro-enterprises/", {"district": "E99999999"})
    assert wrong.status_code == 400 and "Choose a district from the list" in wrong.content.decode()


def test_the_register_is_paged(client, places):
    district, (ward, _) = places
    for n in range(27):
        micro_enterprise(locality=ward, name=f"Carer {n:02d}", enquiry=TODAY - timedelta(days=5))
    sign_in(client, Role.COMMISSIONER)
    first = client.get("/micro-enterprises/").content.decode()
    assert "27 micro-enterprises" in first and "Carer 24" in first and "Carer 25" not in first
    assert "Carer 26" in client.get("/micro-enterprises/", {"page": "2"}).content.decode()


def test_a_change_of_status_keeps_its_reason_in_the_history(client, carer):
    sign_in(client, Role.COMMISSIONER)
    page = client.get(f"/micro-enterprises/{carer.pk}/").content.decode()
    assert "Trading since" in page and "12.5 hours a week for 3 people" in page
    answer = client.post(
        f"/micro-enterprises/{carer.pk}/status/",
        {"status": "ceased", **when("on", TODAY), "notes": "Owner retired"},
        follow=True,
    )
    html = answer.content.decode()
    assert f"Fen Edge Companions is ceased from {TODAY.day} {TODAY:%B %Y}." in html
    assert "Owner retired" in html and "Ceased since" in html
    assert MicroEnterprise.objects.get(pk=carer.pk).status == "ceased"


def test_a_change_the_service_refuses_is_shown_on_its_field(client, carer):
    sign_in(client, Role.CONTRACT_OFFICER)
    answer = client.post(
        f"/micro-enterprises/{carer.pk}/status/",
        {"status": "trading", **when("on", TODAY - timedelta(days=60)), "notes": "Again"},
    )
    html = answer.content.decode()
    assert answer.status_code == 400 and "There is a problem" in html
    assert "one change a day" in html and 'href="#id_on-day"' in html
    empty = client.post(f"/micro-enterprises/{carer.pk}/status/", {}).content.decode()
    assert "Choose the new status" in empty and "Say why the status changes" in empty
    assert MicroEnterpriseStatusChange.objects.filter(micro_enterprise=carer).count() == 3


def test_a_return_is_added_and_the_service_refuses_one_to_come(client, carer):
    sign_in(client, Role.COMMISSIONER)
    answer = client.post(
        f"/micro-enterprises/{carer.pk}/returns/new/",
        {**when("from_date", TODAY), "hours_per_week": "20", "people_supported": "4"},
        follow=True,
    )
    html = answer.content.decode()
    assert f"Return from {TODAY.day} {TODAY:%B %Y} is recorded." in html
    assert "20.0 hours a week for 4 people" in html
    future = client.post(
        f"/micro-enterprises/{carer.pk}/returns/new/",
        {**when("from_date", TODAY + timedelta(days=3)), "hours_per_week": "20", "people_supported": "4"},
    )
    assert future.status_code == 400 and "cannot start in the future" in future.content.decode()
    assert MicroEnterpriseReturn.objects.filter(micro_enterprise=carer).count() == 2


def test_the_state_of_health_gives_the_headline_figures_before_the_localities(client):
    made, district, (ward, other_ward) = worked_example()
    sign_in(client, Role.COMPLIANCE_OFFICER)
    answer = client.get("/micro-enterprises/health/", {"programme": made.pk, "on": "2023-06-30"})
    html = answer.content.decode()
    assert answer.status_code == 200 and "on 30 June 2023" in html
    headline = html.index("Across the programme")
    assert headline < html.index("By locality") < html.index(ward.name)
    assert 'Hours a week delivered</dt><dd class="govuk-summary-list__value">20.0' in html
    unknown = client.get("/micro-enterprises/health/", {"quarter": "2"})
    assert (
        unknown.status_code == 400 and "The page has no filter called &#x27;quarter&#x27;." in unknown.content.decode()
    )


def test_the_programme_years_show_totals_against_targets(client):
    made, _, _ = worked_example()
    sign_in(client, Role.COMMISSIONER)
    html = client.get("/micro-enterprises/years/", {"programme": made.pk, "on": "2024-01-31"}).content.decode()
    assert "Year 1" in html and "3 (4)" in html and "2 (2)" in html and "50.0 (60.0)" in html
    assert "£7,605" in html and "£3,000" in html and "£4,605" in html  # 585 + 1,170 + 2 × 2,925; less spending
    assert "Quarter 3" in html and f"/api/v1/market/programmes/{made.pk}/figures/export/csv/?on=2024-01-31" in html


@pytest.mark.parametrize("role", [Role.BROKER, Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR])
def test_other_council_roles_read_but_may_not_write(client, carer, role):
    sign_in(client, role)
    assert client.get(f"/micro-enterprises/{carer.pk}/").status_code == 200
    assert "Change the status" not in client.get(f"/micro-enterprises/{carer.pk}/").content.decode()
    assert client.get(f"/micro-enterprises/{carer.pk}/status/").status_code == 403
    assert client.get(f"/micro-enterprises/{carer.pk}/returns/new/").status_code == 403
    posted = client.post(
        f"/micro-enterprises/{carer.pk}/returns/new/",
        {**when("from_date", TODAY), "hours_per_week": "20", "people_supported": "4"},
    )
    assert posted.status_code == 403 and MicroEnterpriseReturn.objects.filter(micro_enterprise=carer).count() == 1


def test_provider_users_are_refused_even_a_micro_enterprises_own_account(client, carer):
    membership = ProviderMembershipFactory()
    micro_enterprise_member_add(micro_enterprise=carer, user=membership.user)
    client.force_login(membership.user)
    for address in (
        "/micro-enterprises/",
        f"/micro-enterprises/{carer.pk}/",
        f"/micro-enterprises/{carer.pk}/status/",
        f"/micro-enterprises/{carer.pk}/returns/new/",
        "/micro-enterprises/health/",
        "/micro-enterprises/years/",
    ):
        assert client.get(address).status_code == 403, address


def test_the_navigation_offers_micro_enterprises_to_commissioners(client):
    sign_in(client, Role.COMMISSIONER)
    assert 'href="/micro-enterprises/"' in client.get("/lots/").content.decode()


def test_a_missing_micro_enterprise_is_not_found(client):
    sign_in(client, Role.COMMISSIONER)
    assert client.get("/micro-enterprises/999999/").status_code == 404
    assert client.get("/micro-enterprises/999999/status/").status_code == 404


def test_the_register_reads_in_the_same_number_of_queries_whatever_its_length(client, places):
    district, (ward, _) = places
    sign_in(client, Role.COMMISSIONER)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/micro-enterprises/").status_code == 200
        return len(captured)

    micro_enterprise(locality=ward, enquiry=TODAY - timedelta(days=5), returns=[(TODAY, "3", 1)])
    few = queries()
    for _ in range(6):
        micro_enterprise(locality=ward, enquiry=TODAY - timedelta(days=5), returns=[(TODAY, "3", 1)])
    assert queries() == few
