"""Contract officers' and commissioners' jobs in a real browser: an uplift previewed then applied, a contract
varied (its error summary first), a lot's milestone, status and a transfer out of contingency, and a need entered.
Each page passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot under var/screenshots/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import PlacementKind
from market.models import LotStatus
from market.services.mobilisation import milestone_create, plan_create
from market.services.tenders import lot_status_set
from tests.contracts.factories import make_contract, make_line
from tests.factories import LocalityFactory, ProviderFactory
from tests.market.mobilisation_factories import award_for, homecare, lot_with_wards, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def fill_date(page, name: str, day) -> None:
    page.locator(f"#id_{name}-day").fill(str(day.day))
    page.locator(f"#id_{name}-month").fill(str(day.month))
    page.locator(f"#id_{name}-year").fill(str(day.year))


def test_a_contract_officer_uplifts_rates_and_varies_a_contract(page_as, checked):
    contract = make_contract(reference="CCC-BLOCK-0810", uplift_cap_percent=Decimal("3.00"))
    line = make_line(
        contract=contract, weekly_rate=Decimal("800.00"), activation_date=TODAY - timedelta(days=400), name="Elm House"
    )
    page = page_as(Role.CONTRACT_OFFICER)

    page.get_by_role("link", name="Uplifts").first.click()
    page.wait_for_load_state()
    fill_date(page, "effective_from", TODAY)
    page.get_by_label("National Living Wage increase (%)").fill("6.7")
    page.get_by_label("CPI increase (%)").fill("3.8")
    page.get_by_role("button", name="Preview the new rates").click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name="CCC-BLOCK-0810")
    assert "£800.00" in row.inner_text() and "£824.00" in row.inner_text() and "Capped" in row.inner_text()
    checked(page, "officer-uplift-preview")
    page.get_by_role("button", name="Apply the uplift").click()
    page.wait_for_load_state()
    assert "1 bed line uplifted from" in page.locator("main").inner_text()

    page.goto(f"/contracts/lines/{line.pk}/")
    assert "Annual uplift: 3.00%" in page.locator("main").inner_text()
    checked(page, "officer-rate-history")

    page.goto(f"/contracts/{contract.pk}/")
    page.get_by_role("link", name="Vary the break clause, end date or notice period").click()
    page.wait_for_load_state()
    page.get_by_label("Notice period (months)").fill("9")
    page.get_by_role("button", name="Save the variation").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Say why the contract is varied" in summary.inner_text()
    checked(page, "officer-contract-vary-errors")
    summary.get_by_role("link", name="Say why the contract is varied").click()
    page.get_by_label("Reason for the variation").fill("Deed of variation signed 3 March")
    page.get_by_role("button", name="Save the variation").click()
    page.wait_for_load_state()
    assert "Notice period (months): 6 to 9" in page.get_by_role("table", name="Variations").inner_text()
    checked(page, "officer-contract-varied")


def test_a_contract_officer_updates_a_lot_milestone_status_and_contingency(page_as, checked):
    lot, wards = lot_with_wards(code="HTLAH-03")
    award = award_for(
        lot=lot,
        provider=ProviderFactory(name="Soar Valley Homecare Ltd"),
        awarded_on=TODAY - timedelta(days=90),
        go_live_on=TODAY + timedelta(days=30),
    )
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=TODAY + timedelta(days=10))
    for status in (LotStatus.IN_PROCUREMENT, LotStatus.AWARDED, LotStatus.MOBILISING):
        lot_status_set(lot=lot, status=status, reason="Set up")
    homecare(
        reference=person(7),
        kind=PlacementKind.CONTINGENCY,
        ward=wards[0],
        start=TODAY - timedelta(days=60),
        provider=ProviderFactory(name="Stopgap Care Ltd"),
    )
    page = page_as(Role.CONTRACT_OFFICER)

    page.get_by_role("link", name="Lots").first.click()
    page.get_by_role("link", name=lot.code).first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Update Policies agreed").click()
    page.wait_for_load_state()
    page.get_by_label("Done").check()
    page.get_by_label("Link to the evidence").fill("https://docs.example.org/policies")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()
    assert "Policies agreed: progress saved." in page.locator("main").inner_text()

    page.get_by_role("link", name="Record a transfer out of contingency").click()
    page.wait_for_load_state()
    page.get_by_label("Person").select_option(label=f"{person(7)}, with Stopgap Care Ltd in {wards[0].name}")
    page.get_by_label("The lot's lead provider").check()
    checked(page, "officer-contingency-transfer")
    page.get_by_role("button", name="Record the transfer").click()
    page.wait_for_load_state()
    assert f"{person(7)} moves to Soar Valley Homecare Ltd" in page.locator("main").inner_text()
    assert "1 with the lead provider, 0 in contingency" in page.locator("main").inner_text()

    page.get_by_role("link", name="Change the lot's status").click()
    page.wait_for_load_state()
    page.get_by_label("New status").select_option(label="Live")
    page.get_by_label("Reason").fill("Went live on time")
    page.get_by_role("button", name="Change the status").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert f"{lot.code} is now live." in main and "Went live on time" in main
    checked(page, "officer-lot-live")


def test_a_commissioner_enters_a_need(page_as, checked):
    LocalityFactory(code="E07000009", name="East Cambridgeshire", kind="district")
    page = page_as(Role.COMMISSIONER)
    page.get_by_role("link", name="Demand").first.click()
    page.get_by_role("link", name="Enter a need").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Save the need").click()
    page.wait_for_load_state()
    assert "Choose the district or ward" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "commissioner-demand-errors")
    page.get_by_label("District or ward").select_option(label="East Cambridgeshire (district)")
    page.get_by_label("Care type").select_option(label="Nursing dementia")
    start = TODAY + timedelta(days=30)
    fill_date(page, "period_start", start)
    fill_date(page, "period_end", start + timedelta(days=90))
    page.get_by_label("Need").fill("14")
    page.get_by_role("button", name="Save the need").click()
    page.wait_for_load_state()
    assert "14 beds" in page.get_by_role("table", name="Needs recorded").inner_text()
    checked(page, "commissioner-demand")
