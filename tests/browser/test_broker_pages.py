"""A broker's day in a real browser: record a spot placement while a block bed is free nearby (the page shows the
bed and asks why), move the person into the block bed, then end that placement, with the error summary on the way.
Each page passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot under var/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import Placement
from contracts.selectors.bed_finder import KM_PER_DEGREE
from tests.contracts.factories import make_line
from tests.factories import LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT, LON = 52.2000, 0.1200


def test_a_broker_buys_spot_only_with_a_reason_then_moves_the_person_to_the_void_and_ends_the_stay(
    page_as, checked, settings
):
    settings.AVOIDABLE_SPOT_RADIUS_KM = 10
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    LocationFactory(name="Willow Court", latitude=LAT, longitude=LON)
    make_line(location=LocationFactory(name="Orchard House", latitude=LAT + 2 / KM_PER_DEGREE, longitude=LON), beds=1)
    page = page_as(Role.BROKER)

    page.get_by_role("link", name="Spot placement").click()
    page.get_by_label("The person's reference").fill("BRK-2026-0042")
    page.get_by_label("Home").select_option(label="Willow Court (CB6 1AA)")
    page.get_by_label("Care type").select_option(label="Nursing")
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Weekly price (£)").fill("1050.00")
    page.get_by_role("button", name="Record the spot placement").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "1 block bed of this care type is free on that day at 1 home within 10 km" in summary
    assert page.get_by_role("row", name="Orchard House").count() == 1
    checked(page, "broker-spot-block-beds-free")

    page.get_by_label("Why a spot bed and not a free block bed?").fill("Needs to stay near the family tonight")
    page.get_by_role("button", name="Record the spot placement").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="BRK-2026-0042").count() == 1
    assert "Avoidable spot purchase" in page.locator("table").first.inner_text()
    checked(page, "broker-person-record")

    page.get_by_role("link", name="Move BRK-2026-0042 from Willow Court").click()
    page.wait_for_load_state()
    page.get_by_label("Orchard House: block bed, 1 free").check()
    page.get_by_role("button", name="Move BRK-2026-0042").click()
    page.wait_for_load_state()
    assert "moves to Orchard House" in page.locator(".govuk-notification-banner").inner_text()
    current = page.get_by_role("table", name="Current placements").inner_text()
    assert "Orchard House" in current and "Ending: moved to another placement" in current  # today is its last day
    checked(page, "broker-person-moved")

    page.get_by_role("link", name="End the placement at Orchard House").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="End the placement").click()
    page.wait_for_load_state()
    assert "Choose why the placement ended" in page.locator(".govuk-error-summary").inner_text()
    checked(page, "broker-placement-end-errors")
    page.get_by_label("Went home").check()
    page.get_by_role("button", name="End the placement").click()
    page.wait_for_load_state()
    stay = Placement.objects.get(reference="BRK-2026-0042", location__name="Orchard House")
    assert (stay.end_date, stay.end_reason) == (today, "went_home")
