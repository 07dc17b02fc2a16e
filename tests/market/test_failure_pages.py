"""The failure what-if's page, API and download: the shortfall first, the plan; provider users refused."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from geo.models import LocalityKind
from tests.contracts.factories import make_line
from tests.factories import LocalityFactory, ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.test_failure_what_if import home, line_at, people_at

ON = date(2026, 12, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.today(ON)]


@pytest.fixture
def estate():
    fenland = LocalityFactory(code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT)
    failing, other = ProviderFactory(name="Failing Care Ltd"), ProviderFactory(name="Other Care Ltd")
    people_at(home(failing, 0, name="Failing Home", district=fenland), 3, care_type="nursing_dementia")
    line_at(home(other, 1, name="Near Home", district=fenland), care_type="nursing_dementia", rate="950.00")
    return failing


def test_a_commissioner_reads_the_shortfall_before_the_plan(client, estate):
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))

    page = client.get(f"/providers/{estate.pk}/failure/").content.decode()

    assert "3 people in 1 home; 2 nursing dementia places short in Fenland" in page
    assert page.index('id="shortfall"') < page.index('id="plan"')
    assert "Near Home" in page and "No bed within the radius" in page and "£950.00" in page
    # The market after takes longer than the plan: it is worked out when asked, from a link on the page.
    assert "Show the market after" in page and "Gap without it" not in page
    page = client.get(f"/providers/{estate.pk}/failure/", {"market_after": "true"}).content.decode()
    assert "Gap without it" in page and "Show the market after" not in page


def test_a_broker_downloads_the_plan_and_the_api_gives_the_same(api, estate):
    api.as_role(Role.BROKER)

    answer = api.get(f"/api/v1/market/providers/{estate.pk}/failure/", {"radius_km": "5"}).json()
    sheet = load_workbook(
        io.BytesIO(api.get(f"/api/v1/market/providers/{estate.pk}/failure/export/xlsx/", {"radius_km": "5"}).content)
    ).active
    csv = api.get(f"/api/v1/market/providers/{estate.pk}/failure/export/csv/").content.decode()

    assert answer["shortfall"] == [
        {"care_type": "nursing_dementia", "care_type_label": "Nursing dementia", "district": "Fenland", "people": 2}
    ]
    assert [move["bed"]["location"] for move in answer["plan"] if move["bed"]] == ["Near Home"]
    assert (answer["market_after"], answer["concentration"]) == (False, [])  # only when asked
    asked = api.get(f"/api/v1/market/providers/{estate.pk}/failure/", {"market_after": "true"}).json()
    assert asked["market_after"] is True and asked["concentration"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Person" and len(rows) == 4
    assert rows[-1][6:8] == ("Near Home", "Other Care Ltd") and rows[-1][-1] == 950.0
    assert csv.count("No bed within the radius") == 2


def test_bad_and_unknown_query_parameters_are_refused_naming_them(api, estate):
    api.as_role(Role.COMMISSIONER)
    url = f"/api/v1/market/providers/{estate.pk}/failure/"
    other_home = make_line(care_type="nursing").location

    assert api.get(url, {"colour": "red"}).status_code == 400
    refused = api.get(url, {"home": other_home.pk, "radius_km": "0"})
    assert refused.status_code == 400
    assert "The provider has no home" in str(refused.json()) and "radius_km" in str(refused.json())
    assert api.get("/api/v1/market/providers/999999/failure/").status_code == 404


def test_a_provider_user_is_refused_even_for_their_own_provider(api, client, estate):
    membership = ProviderMembershipFactory(provider=estate)
    api.force_authenticate(membership.user)
    client.force_login(membership.user)

    assert api.get(f"/api/v1/market/providers/{estate.pk}/failure/").status_code == 403
    assert client.get(f"/providers/{estate.pk}/failure/").status_code == 403


def test_a_hostile_home_name_is_quoted_in_the_download(api):
    fenland = LocalityFactory(code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT)
    failing = ProviderFactory()
    people_at(home(failing, 0, name="=HYPERLINK(1)", district=fenland), 1)
    api.as_role(Role.BROKER)

    csv = api.get(f"/api/v1/market/providers/{failing.pk}/failure/export/csv/").content.decode()

    assert "'=HYPERLINK(1)" in csv and Decimal("800.00")
