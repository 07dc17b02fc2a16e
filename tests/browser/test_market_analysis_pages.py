"""The market analysis pages in a real browser: each opens for a commissioner with its chart, table and downloads,
passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot; a provider user is refused every one."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from geo.models import Locality
from market.services.analysis import market_limits_set
from market.services.demand import demand_create
from tests.factories import ProviderFactory
from tests.market.analysis_factories import pages_estate
from tests.market.micro_factories import district_with_wards, micro_enterprise, programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("market-capacity-gaps", "/market/capacity-gaps/?on=2026-02-15", "Capacity gaps"),
    ("market-block-spot", "/market/block-spot/?on=2025-06-01", "Block and spot placements"),
    ("market-cost-avoidance", "/market/cost-avoidance/?through=2025-12-31", "Cost avoidance"),
    ("market-utilisation", "/market/utilisation/?year=2025&quarter=1", "Quarterly utilisation review"),
    ("market-shape", "/market/market-shape/?on=2025-06-01", "Market shape"),
    ("market-programme", "/market/programme/?on=2024-01-31", "Micro-enterprise programme"),
]
TWO_CHARTS = {"market-capacity-gaps", "market-programme"}


def test_each_market_page_draws_its_chart_and_table_and_passes_axe(page_as, checked):
    pages_estate()
    quarter = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
    hunts = Locality.objects.get(code="E07000011")
    demand_create(locality=hunts, care_type="nursing", quantity=Decimal("5"), **quarter)
    demand_create(locality=hunts, care_type="homecare_hours", quantity=Decimal("40"), **quarter)
    area, (ward, _) = district_with_wards()
    micro_enterprise(
        locality=ward,
        enquiry=date(2023, 1, 5),
        trading=date(2023, 2, 1),
        returns=[(date(2023, 2, 1), "10", 1), (date(2023, 8, 1), "50", 5)],
    )
    programme(areas=[area], name="Fens micro-enterprises")
    market_limits_set(max_block_beds_per_setting=1)
    commissioner = page_as(Role.COMMISSIONER)
    commissioner.get_by_role("link", name="Market analysis").click()
    commissioner.wait_for_load_state()
    checked(commissioner, "market-index")
    for name, path, heading in PAGES:
        commissioner.goto(path)
        assert commissioner.get_by_role("heading", level=1).inner_text().startswith(heading)
        # The chart (two for capacity gaps and the programme), drawn with bars; then the table it was drawn from.
        assert commissioner.get_by_role("img").count() == (2 if name in TWO_CHARTS else 1), name
        assert commissioner.locator("svg[role=img] rect").count() >= 1, name
        assert commissioner.locator("table").first.locator("tbody tr").count() >= 1
        assert commissioner.get_by_role("link", name="CSV").get_attribute("href").startswith("/api/v1/market/")
        checked(commissioner, name)


def test_a_filter_the_page_does_not_understand_is_shown_on_its_field(page_as, checked):
    pages_estate()
    broker = page_as(Role.BROKER)
    broker.goto("/market/block-spot/")
    broker.get_by_text("Change the filters").click()  # the filters fold away under the heading
    broker.get_by_label("On the day").fill("2025-06-01")
    broker.get_by_label("Or a period from").fill("2025-04-01")
    broker.get_by_role("button", name="Apply filters").click()
    broker.wait_for_load_state()
    assert broker.get_by_role("alert").get_by_text("There is a problem").count() == 1
    assert "not both" in broker.locator(".govuk-error-message").first.inner_text()
    checked(broker, "market-block-spot-error")


def test_provider_users_are_refused_every_market_page(page_as):
    provider = page_as(Role.PROVIDER_USER, provider=ProviderFactory())
    for _, path, _ in PAGES:
        response = provider.goto(path)
        assert response.status == 403
        assert provider.get_by_role("heading", level=1).inner_text() == "You cannot use this page"
        assert provider.locator("svg[role=img]").count() == 0
        assert provider.get_by_role("link", name="Market analysis").count() == 0
