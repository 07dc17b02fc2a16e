"""The market analysis pages for council staff: each shows its selector's figures as a chart and a table, takes
the API's filters (refusing what it does not understand, on the field), links to the API's downloads with the
same filters, and is refused to provider users and to roles that may not read the analysis."""

import re
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from accounts.roles import Role
from market.models import Programme
from market.selectors.cost_avoidance import cost_avoidance
from market.services.analysis import market_limits_set
from market.services.demand import demand_create
from tests.factories import ProviderMembershipFactory, UserFactory
from tests.market.analysis_factories import district, pages_estate
from tests.market.micro_factories import district_with_wards, micro_enterprise, programme

pytestmark = pytest.mark.django_db
PAGES = ["/market/", "/market/block-spot/", "/market/cost-avoidance/", "/market/utilisation/", "/market/market-shape/"]


def signed_in(*roles) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


@pytest.fixture
def estate():
    # Two block nursing beds at £700 a week (£100 a day) from 2024 in East Cambridgeshire, one taken; spot
    # placements there at £1,000 and in Huntingdonshire at £900 (residential) from May 2025.
    return pages_estate()


def cells(page: str) -> list[str]:
    """The text of every table cell, in order."""
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', page, re.S)
    ]


def test_capacity_gaps_are_largest_first_in_the_chart_and_table():
    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    quarter = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
    demand_create(locality=east, care_type="nursing", quantity=Decimal("2"), **quarter)
    demand_create(locality=hunts, care_type="nursing", quantity=Decimal("5"), **quarter)
    demand_create(locality=hunts, care_type="homecare_hours", quantity=Decimal("40"), **quarter)
    response = signed_in(Role.COMMISSIONER).get("/market/capacity-gaps/", {"on": "2026-02-15"})
    page = response.content.decode()
    found = cells(page)
    # No supply anywhere: each gap is its demand; 40 hours a week first, then 5 beds, then 2. The table shows the
    # columns a person decides with (locality, care type, unit, demand, waiting, supply, gap), the Gap among them.
    assert found[:7] == ["Huntingdonshire", "Homecare hours", "hours a week", "40", "0", "0", "40"]
    assert [found[index] for index in (0, 7, 14)] == ["Huntingdonshire", "Huntingdonshire", "East Cambridgeshire"]
    assert [found[index] for index in (6, 13, 20)] == ["40", "5", "2"]
    assert "the download has all 17" in page
    # The page opens with the answer: 7 beds short in 2 districts and care types, the largest 5 in Huntingdonshire.
    assert page.index("Short of beds") < page.index('role="img"') < page.index("<table")
    assert re.search(r"Short of beds</dt>\s*<dd[^>]*>7</dd>", page)
    # Beds and hours a week are drawn apart, largest first.
    assert page.index("Huntingdonshire, Nursing, Gap (beds): 5.0") < page.index("East Cambridgeshire, Nursing")
    assert "Huntingdonshire, Homecare hours, Gap (hours a week): 40.0" in page
    narrowed = signed_in(Role.BROKER).get("/market/capacity-gaps/", {"locality": "E07000009", "on": "2026-02-15"})
    assert [gap.locality_code for gap in narrowed.context["answer"]] == ["E07000009"]
    assert narrowed.context["downloads"]["xlsx"].endswith(
        "/capacity-gaps/export/xlsx/?locality=E07000009&on=2026-02-15"
    )


def test_the_programme_page_draws_hours_against_the_trajectory_and_the_cash_flow_to_break_even():
    # From 1 January 2023 at £4.50 an hour, spending £1,000, £1,000, £500, £500 and planning 0, 10, 20, 60 hours a
    # week; one micro-enterprise trading from 1 February 2023 with 10 hours a week, then 50 from 1 August.
    area, (ward, _) = district_with_wards()
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 5),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "10", 1), (date(2023, 8, 1), "50", 5)],
    )
    made = programme(areas=[area], name="Fens micro-enterprises")
    programme(areas=[area], name="A later programme", start=date(2024, 1, 1))
    response = signed_in(Role.COMMISSIONER).get("/market/programme/", {"on": "2024-01-31"})
    page = response.content.decode()
    assert "Fens micro-enterprises, actual figures up to 31 January 2024" in page  # the first by its start
    # Hours a week at each quarter's end against the plan, and the cumulative cash flow (130 hours × £4.50 less
    # £1,000 in quarter 1: −415.00; then −830.00; +1,595.00 in quarter 3, when it breaks even).
    assert "Q1 (Mar 2023), Actual: 10.00" in page and "Q2 (Jun 2023), Planned: 10.00" in page
    assert "Q3 (Sep 2023), Actual: 50.00" in page and "Q3 (Sep 2023), Planned: 20.00" in page
    assert "Q1 (Mar 2023), Actual: -415.00" in page and "Q3 (Sep 2023), Actual: 1,595.00" in page
    assert [row[0] for row in response.context["rows"]] == [1, 2, 3, 4]
    assert [row[21] for row in response.context["rows"]] == [
        Decimal("-415.00"),
        Decimal("-830.00"),
        Decimal("1595.00"),
        Decimal("4020.00"),
    ]
    assert response.context["answer"]["break_even_quarter"] == 3 and "Quarter 3" in page
    assert (
        response.context["downloads"]["csv"] == f"/api/v1/market/programmes/{made.pk}/figures/export/csv/?on=2024-01-31"
    )
    later = Programme.objects.get(name="A later programme")
    other = signed_in(Role.BROKER).get("/market/programme/", {"programme": later.pk})
    assert other.context["answer"]["name"] == "A later programme"
    assert other.context["downloads"]["xlsx"] == f"/api/v1/market/programmes/{later.pk}/figures/export/xlsx/"
    unknown = signed_in(Role.BROKER).get("/market/programme/", {"programme": "999999"}).context["form"]
    assert unknown.errors["programme"] == ["Choose a programme from the list."]


def test_the_programme_page_says_when_there_is_no_programme():
    form = signed_in(Role.BROKER).get("/market/programme/").context["form"]
    assert form.errors["programme"] == ["No development programme has been set up yet."]


def test_block_spot_shows_each_districts_placements_share_and_prices(estate):
    page = signed_in(Role.BROKER).get("/market/block-spot/", {"on": "2025-06-01"}).content.decode()
    found = cells(page)
    east = found[found.index("East Cambridgeshire") :][:8]
    # District, block (1), spot (1 at £1,000), respite, emergency, all, share in block beds; the download adds
    # the codes, the period and the other kinds' prices.
    assert east == ["East Cambridgeshire", "1", "1", "£1,000.00", "0", "0", "2", "50.0%"]
    hunts = found[found.index("Huntingdonshire") :][:8]
    assert hunts[2:4] == ["1", "£900.00"] and hunts[7] == "0.0%"
    # The chart draws the same figures, one bar segment per kind and district.
    assert "East Cambridgeshire, Block: 1" in page and "Huntingdonshire, Spot: 1" in page
    assert 'role="img"' in page


def pounds(amount) -> str:
    return ("-" if amount < 0 else "") + f"£{abs(amount):,.2f}"


def test_cost_avoidance_shows_each_component_per_contract_year(estate):
    through = date(2025, 12, 31)
    answer = cost_avoidance(through=through)
    page = signed_in(Role.COMMISSIONER).get("/market/cost-avoidance/", {"through": through}).content.decode()
    found = cells(page)
    for year in answer.years:
        row = found[found.index(f"Year {year.year}") :][:6]
        # The bed-days, the gross avoidance and the two dampeners are in the download.
        assert row[3:] == [pounds(year.block_cost), pounds(year.spot_equivalent_cost), pounds(year.net_avoidance)]
    assert answer.total.net_avoidance > 0
    assert re.search(rf"Net cost avoidance</dt>\s*<dd[^>]*>£{answer.total.net_avoidance:,.0f}</dd>", page)
    assert f"Year 1 (Jan 2024), Net cost avoidance: {answer.years[0].net_avoidance:,.2f}" in page
    total = found[found.index("Total") :][:6]
    assert total[-1] == pounds(answer.total.net_avoidance)
    assert "Up to 31 December 2025" in page


def test_the_utilisation_review_per_contract_and_per_district(estate):
    client = signed_in(Role.CONTRACT_OFFICER)
    page = client.get("/market/utilisation/", {"year": 2025, "quarter": 1}).content.decode()
    row = cells(page)[:5]
    # 2 beds for the 91 days of April to June: 182 bed-days, 91 occupied, 91 void at £100 a day. The quarter is
    # said once, above the table, instead of on every row; the bed-day counts are in the download.
    assert row[0].startswith("CCC-BB24-01") and row[2:] == ["50.0%", "50.0%", "£9,100.00"]
    assert "2025/26 quarter 1: 1 April to 30 June 2025" in page
    by_district = client.get("/market/utilisation/", {"year": 2025, "quarter": 1, "group_by": "district"})
    assert cells(by_district.content.decode())[0] == "East Cambridgeshire"


def test_the_utilisation_review_opens_on_the_current_quarter():
    page = signed_in(Role.BROKER).get("/market/utilisation/")
    today = date.today()
    year = today.year if today.month >= 4 else today.year - 1
    assert page.status_code == 200
    assert f'name="year" value="{year}"' in page.content.decode()
    assert page.context["downloads"]["csv"].startswith("/api/v1/market/utilisation/export/csv/?year=")


def test_market_shape_shows_shares_concentration_and_breaches(estate):
    market_limits_set(max_block_beds_per_setting=1)
    page = signed_in(Role.COMPLIANCE_OFFICER).get("/market/market-shape/", {"on": "2025-06-01"}).content.decode()
    found = cells(page)
    # One provider with every block nursing bed in East Cambridgeshire: 100% of them, HHI 10,000.
    assert found[:3] == ["East Cambridgeshire", "Nursing", "10,000"]
    assert found[4:6] == ["2", "100.0%"]
    assert re.search(r"Highly concentrated</dt>\s*<dd[^>]*>1</dd>", page)
    assert "East Cambridgeshire, Nursing, HHI: 10,000.0" in page
    # Ely Meadows has 2 block beds against a limit of 1 in one care home.
    breach = found[found.index("One care home") :][:5]
    assert breach == ["One care home", "Ely Meadows", "E07000009", "2", "1"]


@pytest.mark.parametrize(
    ("path", "query", "export"),
    [
        ("/market/block-spot/", {"from": "2025-04-01", "to": "2025-06-30"}, "/api/v1/market/block-spot/export/"),
        ("/market/cost-avoidance/", {"through": "2025-12-31"}, "/api/v1/market/cost-avoidance/export/"),
        ("/market/utilisation/", {"year": "2025", "quarter": "1"}, "/api/v1/market/utilisation/export/"),
        ("/market/market-shape/", {"on": "2025-06-01"}, "/api/v1/market/market-shape/export/"),
        ("/market/capacity-gaps/", {"on": "2025-06-01"}, "/api/v1/market/capacity-gaps/export/"),
    ],
)
def test_download_links_carry_the_filters_and_answer_the_same_table(estate, path, query, export):
    client = signed_in(Role.COMMISSIONER)
    names = ("locality", "care_type") if "capacity" in path else ("districts", "care_types")
    response = client.get(path, {**query, names[0]: ["E07000009", "E07000011"], names[1]: "nursing"})
    downloads = response.context["downloads"]
    for fmt in ("csv", "xlsx"):
        link = urlparse(downloads[fmt])
        assert link.path == f"{export}{fmt}/"
        params = {name: values[0] for name, values in parse_qs(link.query).items()}
        assert params[names[0]] == "E07000009,E07000011" and params[names[1]] == "nursing"
        assert all(params[name] == value for name, value in query.items())
        assert f'href="{downloads[fmt]}"'.replace("&", "&amp;") in response.content.decode()
    # The download is the page's table: its headings, then one line per row (the total's included).
    csv = client.get(downloads["csv"]).content.decode("utf-8-sig").splitlines()
    assert csv[0].split(",")[:3] == response.context["head"][:3]
    assert len(csv) - 1 == len(response.context["rows"]) > 0


def test_unknown_values_are_shown_on_their_fields(estate):
    client = signed_in(Role.BROKER)
    page = client.get("/market/block-spot/", {"districts": "E99999999", "care_types": "hovercraft", "on": "soon"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "Download this table" not in text
    form = page.context["form"]
    assert form.errors["districts"] == ["No district has the code E99999999."]
    assert form.errors["care_types"] == ["Unknown care type hovercraft."]
    assert "on" in form.errors
    assert page.context["downloads"] is None
    # The API's own rules, on their fields: a day and a period at once, a period missing its end, a later day.
    both = client.get("/market/block-spot/", {"on": "2025-06-01", "from": "2025-04-01"}).context["form"]
    assert both.errors["on"] == ["Give a day (on) or a period (from and to), not both."]
    later = client.get("/market/cost-avoidance/", {"through": "2999-01-01"}).context["form"]
    assert later.errors["through"] == ["Cost avoidance is worked out from what happened: today at the latest."]
    quarter = client.get("/market/utilisation/", {"year": "2025", "quarter": "5"}).context["form"]
    assert "quarter" in quarter.errors
    unknown = client.get("/market/market-shape/", {"colour": "blue"}).context["form"]
    assert unknown.non_field_errors() == ["The page has no filter called 'colour'."]


@pytest.mark.parametrize("path", PAGES)
def test_provider_users_and_roles_that_may_not_read_are_refused(path):
    provider = Client()
    provider.force_login(ProviderMembershipFactory().user)
    assert provider.get(path).status_code == 403
    assert signed_in(Role.ADMINISTRATOR).get(path).status_code == 403
    assert Client().get(path).status_code == 302  # to the sign-in page
    assert signed_in(Role.BROKER).get(path).status_code == 200


@pytest.mark.parametrize("path", ["/market/capacity-gaps/", "/market/programme/"])
def test_capacity_gaps_and_programmes_follow_their_apis_every_staff_role_but_no_provider_user(path):
    provider = Client()
    provider.force_login(ProviderMembershipFactory().user)
    assert provider.get(path).status_code == 403
    assert signed_in(Role.ADMINISTRATOR).get(path).status_code == 200


def test_the_market_pages_offered_are_those_the_role_may_read():
    administrator = signed_in(Role.ADMINISTRATOR)
    assert administrator.get("/market/").status_code == 403  # the admin stays their start page
    offered = administrator.get("/market/capacity-gaps/").context["market_pages"]
    assert [page["label"] for page in offered] == ["Capacity gaps", "Micro-enterprise programme"]
    assert len(signed_in(Role.BROKER).get("/market/").context["market_pages"]) == 6


def test_the_navigation_offers_the_market_pages_to_readers_only():
    assert 'href="/market/"' in signed_in(Role.COMMISSIONER).get("/market/").content.decode()
    provider = Client()
    provider.force_login(ProviderMembershipFactory().user)
    assert 'href="/market/"' not in provider.get("/portal/").content.decode()
