"""The failure what-if's page, API and download: the shortfall first, the plan; provider users refused."""

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from contracts.services import vacancy_report_record
from geo.models import LocalityKind
from providers.models import Location
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


def test_the_map_shows_the_failing_home_and_a_line_to_where_its_people_would_go(client, estate):
    spot_home = home(ProviderFactory(name="Spot <b>Care</b>"), 2, name="Spot & <Home>")
    vacancy_report_record(
        location=spot_home, care_type="nursing_dementia", vacant_beds=1, report_date=ON, accepting_admissions=True
    )
    client.force_login(UserFactory(roles=[Role.BROKER]))

    page = client.get(f"/providers/{estate.pk}/failure/").content.decode()

    assert page.index('id="shortfall"') < page.index('data-module="app-failure-map"') < page.index('id="plan"')
    found = json.loads(re.search(r'<script id="failure-map" type="application/json">(.*?)</script>', page).group(1))
    failing, near = Location.objects.get(name="Failing Home"), Location.objects.get(name="Near Home")
    assert [(row["id"], row["name"], row["people"], row["short"]) for row in found["failing"]] == [
        (failing.pk, "Failing Home", 3, 1)
    ]
    assert sorted((row["name"], row["provider"], row["people"]) for row in found["destinations"]) == [
        ("Near Home", "Other Care Ltd", 1),
        ("Spot & <Home>", "Spot <b>Care</b>", 1),
    ]
    assert sorted(found["flows"]) == [
        [failing.pk, near.pk, 1, "block", 1.0],
        [failing.pk, spot_home.pk, 1, "spot", 2.0],
    ]
    # The names are data for the script, never markup in the page.
    assert "Spot & <Home>" not in page and "Spot \\u0026 \\u003CHome\\u003E" in page


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
