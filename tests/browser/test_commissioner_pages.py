"""Commissioners' jobs in a real browser: a tender created (its error summary first), a round opened for its lot,
the organisations invited named (one by its CQC provider ID) and counted, two bids scored and the best awarded,
then the lot's page showing who was invited and when services are due; a micro-enterprise found in the register,
its status changed with a reason and a return added, and the programme's state of health and years. Each page
passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot under var/screenshots/."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.factories import ProviderFactory
from tests.market.factories import make_lot, make_tender
from tests.market.micro_factories import district_with_wards, micro_enterprise, programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def fill_date(page, name: str, day) -> None:
    page.locator(f"#id_{name}-day").fill(str(day.day))
    page.locator(f"#id_{name}-month").fill(str(day.month))
    page.locator(f"#id_{name}-year").fill(str(day.year))


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_a_commissioner_runs_a_tender_to_its_award(page_as, checked):
    lot = make_lot(tender=make_tender(reference="LCC-HTLAH-2016"), code="HTLAH-05", name="Melton")
    ProviderFactory(name="Soar Valley Homecare Ltd", cqc_provider_id="1-101634239")
    ProviderFactory(name="Wreake Care Ltd")
    page = page_as(Role.COMMISSIONER)

    page.get_by_role("link", name="Tenders").first.click()
    page.get_by_role("link", name="Create a tender").click()
    page.wait_for_load_state()
    page.get_by_label("Reference").fill("LCC-HTLAH-2027")
    page.get_by_label("Title").fill("Help to Live at Home 2027")
    page.get_by_label("Homecare hours").check()
    page.get_by_label("Procedure").select_option(label="Open procedure")
    page.get_by_label("Quality weight").fill("70")
    page.get_by_label("Price weight").fill("40")
    page.get_by_role("button", name="Create the tender").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "The quality and price weights must add up to 100." in summary.inner_text()
    checked(page, "commissioner-tender-errors")
    page.get_by_label("Price weight").fill("30")
    page.get_by_role("button", name="Create the tender").click()
    page.wait_for_load_state()
    assert "Tender LCC-HTLAH-2027 is created." in main_text(page)
    checked(page, "commissioner-tender-created")

    # The lot was planned under the earlier tender: its first round is opened there.
    page.get_by_role("link", name="Tenders").first.click()
    page.get_by_role("link", name="LCC-HTLAH-2016").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Open a procurement round").click()
    page.wait_for_load_state()
    page.get_by_label("Lot").select_option(label="HTLAH-05 Melton (Planned)")
    fill_date(page, "opened_on", TODAY - timedelta(days=20))
    page.get_by_role("button", name="Open the round").click()
    page.wait_for_load_state()
    assert "Round 1 of HTLAH-05 is open." in main_text(page)

    page.get_by_role("link", name="Record the organisations invited to round 1 of HTLAH-05").click()
    page.wait_for_load_state()
    page.get_by_label("Organisations to invite").fill("1-101634239\nWreake Care Ltd")
    page.get_by_label("Organisations invited in all").fill("6")
    due = TODAY + timedelta(days=150)
    fill_date(page, "services_due_on", due)
    checked(page, "commissioner-round-invite")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    text = main_text(page)
    assert "Soar Valley Homecare Ltd and Wreake Care Ltd invited to round 1; 6 organisations in all." in text

    for provider, quality, price in (("1-101634239", "80", "70"), ("Wreake Care Ltd", "65", "90")):
        page.get_by_role("link", name="Record a bid in round 1 of HTLAH-05").click()
        page.wait_for_load_state()
        page.get_by_label("Provider").fill(provider)
        page.get_by_label("Quality score").fill(quality)
        page.get_by_label("Price score").fill(price)
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Save the bid").click()
        page.wait_for_load_state()
    bids = page.get_by_role("table", name="Bids in round 1 of HTLAH-05, best first").inner_text()
    # The earlier tender weighs quality 60%, price 40%: 80 and 70 make 76.00, 65 and 90 make 75.00.
    assert bids.index("Soar Valley Homecare Ltd") < bids.index("Wreake Care Ltd") and "76.00" in bids
    checked(page, "commissioner-tender-bids")

    page.get_by_role("link", name="Award to Soar Valley Homecare Ltd").click()
    page.wait_for_load_state()
    fill_date(page, "awarded_on", TODAY)
    fill_date(page, "go_live_on", TODAY + timedelta(days=90))
    page.get_by_role("button", name="Make the award").click()
    page.wait_for_load_state()
    assert "HTLAH-05 is awarded to Soar Valley Homecare Ltd." in main_text(page)
    checked(page, "commissioner-tender-awarded")

    page.goto(f"/lots/{lot.pk}/")
    rounds = page.get_by_role("table", name="Procurement rounds").inner_text()
    assert "6" in rounds and f"{due.day} {due:%b %Y}" in rounds
    assert "Soar Valley Homecare Ltd" in rounds and "Wreake Care Ltd" in rounds
    checked(page, "commissioner-lot-rounds")


def test_a_commissioner_keeps_a_micro_enterprise_and_reads_the_programme(page_as, checked):
    district, (ward, _) = district_with_wards(code="E07000134")
    micro_enterprise(
        locality=ward,
        name="Fen Edge Companions",
        enquiry=TODAY - timedelta(days=120),
        trading=TODAY - timedelta(days=60),
        returns=[(TODAY - timedelta(days=60), "12.5", 3)],
    )
    micro_enterprise(locality=ward, name="Marshland Meals", enquiry=TODAY - timedelta(days=10))
    programme(areas=[district], start=date(TODAY.year - 1, 1, 1), name="Community Catalysts")
    page = page_as(Role.COMMISSIONER)

    page.get_by_role("link", name="Micro-enterprises").first.click()
    page.wait_for_load_state()
    page.get_by_label("Trading", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "Marshland Meals" not in main_text(page)
    checked(page, "commissioner-micro-register")
    page.get_by_role("link", name="Fen Edge Companions").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Add a return").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Save the return").click()
    page.wait_for_load_state()
    assert "Enter the hours a week delivered" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "commissioner-micro-return-errors")
    fill_date(page, "from_date", TODAY)
    page.get_by_label("Hours a week delivered").fill("20")
    page.get_by_label("People supported").fill("4")
    page.get_by_role("button", name="Save the return").click()
    page.wait_for_load_state()
    assert "20.0 hours a week for 4 people" in main_text(page)

    page.get_by_role("link", name="Change the status").click()
    page.wait_for_load_state()
    page.get_by_label("Ceased", exact=True).check()
    fill_date(page, "on", TODAY)
    page.get_by_label("Reason").fill("Owner retired")
    page.get_by_role("button", name="Change the status").click()
    page.wait_for_load_state()
    assert "Owner retired" in page.get_by_role("table", name="Status history").inner_text()
    checked(page, "commissioner-micro-enterprise")

    page.goto("/micro-enterprises/")
    page.get_by_role("link", name="state of health by locality").click()
    page.wait_for_load_state()
    assert "Across the programme" in main_text(page)
    checked(page, "commissioner-micro-health")
    page.goto("/micro-enterprises/")
    page.get_by_role("link", name="its years' totals").click()
    page.wait_for_load_state()
    assert "Totals by programme year" in main_text(page)
    checked(page, "commissioner-micro-years")
