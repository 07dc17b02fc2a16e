"""If a provider fails, in a real browser: a commissioner raises a provider on the Market Oversight register to
stage 6, sees the critical alert, opens the what-if (the shortfall first, then the map of where people would go,
then the plan), opens a failure response, moves a person from the response's page and sees the progress. Every
page passes axe-core's WCAG 2.2 AA rules and is saved as a screenshot. And names from the register and the CQC
feed are text on the map: hovering over and clicking it runs no script they carry."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from contracts.models import Placement
from geo.models import LocalityKind
from market.services.failure import oversight_enter
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory, RatingFactory, square
from tests.tasks.alert_factories import run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAT, LON = 52.55, 0.05
KM = 1 / 111.195  # degrees of latitude in a kilometre
MAP = "[data-module='app-failure-map']"


def home(provider, km: float, *, name: str, district):
    location = LocationFactory(
        provider=provider, name=name, latitude=LAT + km * KM, longitude=LON, district=district, registered_beds=40
    )
    location.current_rating = RatingFactory(location=location, overall="Good")
    location.save()
    return location


def beds(location, count: int, *, care_type: str, placed: int = 0):
    line = make_line(
        contract=make_contract(provider=location.provider), location=location, care_type=care_type, beds=count
    )
    for _ in range(placed):
        place(line)
    return line


@pytest.fixture
def failing():
    """Fenland Care Homes Ltd at stage 4: three people in nursing dementia beds at Wisbech House and two in nursing
    beds at March Lodge; another provider has two free nursing dementia beds 1 km from Wisbech House and two
    nursing beds 2 km from March Lodge: one person is short."""
    fenland = LocalityFactory(
        code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT, boundary=square(-0.1, 52.45, 0.3)
    )
    provider, other = ProviderFactory(name="Fenland Care Homes Ltd"), ProviderFactory(name="Ouse Valley Care Ltd")
    beds(home(provider, 0, name="Wisbech House", district=fenland), 3, care_type="nursing_dementia", placed=3)
    beds(home(provider, 6, name="March Lodge", district=fenland), 2, care_type="nursing", placed=2)
    beds(home(other, 1, name="Chatteris Court", district=fenland), 2, care_type="nursing_dementia")
    beds(home(other, 8, name="Manea Grange", district=fenland), 2, care_type="nursing")
    oversight_enter(provider=provider, stage=4, on=timezone.localdate() - timedelta(days=60))
    return provider


def map_drawn(page) -> None:
    page.wait_for_selector(f"{MAP}[data-map-state^='drawn']", state="attached")
    assert page.get_attribute(MAP, "data-map-state") == "drawn"  # with the districts' boundaries


def test_a_commissioner_raises_a_provider_to_stage_6_plans_for_its_failure_and_moves_a_person(
    failing, page_as, checked
):
    today = timezone.localdate()
    commissioner = page_as(Role.COMMISSIONER)

    # The register, from the navigation: CQC's words for each stage.
    commissioner.get_by_role("link", name="Market Oversight", exact=True).first.click()
    assert "Stage 4: financial sustainability concerns identified" in commissioner.locator("tbody").inner_text()
    checked(commissioner, "failure-oversight-register")
    commissioner.get_by_role("link", name="Fenland Care Homes Ltd", exact=True).click()
    commissioner.get_by_label("New stage").select_option("6")
    commissioner.get_by_label("Since").fill(today.isoformat())
    commissioner.get_by_role("button", name="Change the stage").click()
    banner = commissioner.locator(".govuk-notification-banner").inner_text()
    assert "Fenland Care Homes Ltd is now at stage 6: formal notification of likely business failure." in banner
    checked(commissioner, "failure-oversight-entry")

    # The change asked for a run of the rule once it committed; the test runs it as the worker would.
    run("market_oversight_stage")
    commissioner.get_by_role("link", name="Alerts", exact=True).first.click()
    row = commissioner.locator("tbody tr").filter(has_text="Fenland Care Homes Ltd")
    assert row.count() == 1
    assert "Market Oversight stage 6 (formal notification of likely business failure)" in row.inner_text()
    assert "Critical" in row.inner_text()
    checked(commissioner, "failure-alert-in-inbox")

    # The what-if: the shortfall first, then the map of where people would go, then the plan.
    commissioner.get_by_role("link", name="Market Oversight", exact=True).first.click()
    commissioner.get_by_role("link", name=re.compile("The what-if for Fenland Care Homes Ltd")).click()
    headline = commissioner.locator("[data-headline]").inner_text()
    assert headline == "5 people in 2 homes; 1 nursing dementia place short in Fenland"
    map_drawn(commissioner)
    assert commissioner.locator(f"{MAP} .app-map__canvas").is_visible()
    assert (commissioner.get_attribute(MAP, "data-failing"), commissioner.get_attribute(MAP, "data-lines")) == (
        "2",
        "2",
    )
    shortfall, canvas, plan = (
        commissioner.locator(selector).bounding_box()["y"]
        for selector in ("#shortfall", f"{MAP} .app-map__canvas", "#plan")
    )
    assert shortfall < canvas < plan
    assert commissioner.locator(".app-map__pin--failing.app-map__pin--short").count() >= 1  # Wisbech House
    checked(commissioner, "failure-what-if")

    # A failure response: the plan of today becomes its people.
    commissioner.get_by_role("link", name="Open a failure response").click()
    commissioner.get_by_label("Why").select_option(
        label="CQC's formal notification of likely business failure (stage 6)"
    )
    commissioner.get_by_label("Everyone settled by").fill((today + timedelta(days=14)).isoformat())
    checked(commissioner, "failure-response-open")
    commissioner.get_by_role("button", name="Open the response").click()
    assert "Failure response opened with 5 people." in commissioner.locator(".govuk-notification-banner").inner_text()
    assert "0 of 5 people settled" in commissioner.locator("[data-progress]").inner_text()

    # Move one person to the block bed the plan gave them, from the page.
    row = commissioner.locator("tr[data-person]").filter(has_text="Chatteris Court").first
    reference = row.get_attribute("data-person")
    row.get_by_role("button", name=re.compile("Move today")).click()
    banner = commissioner.locator(".govuk-notification-banner").inner_text()
    assert f"{reference} moved to Chatteris Court." in banner
    progress = commissioner.locator("[data-progress]").inner_text()
    assert progress.startswith("1 of 5 people settled (1 moved, 0 stayed with a new operator)")
    assert "Moved on" in commissioner.locator(f"tr[data-person='{reference}']").inner_text()
    checked(commissioner, "failure-response-progress")

    stays = Placement.objects.filter(reference=reference).order_by("start_date", "id")
    assert [(stay.location.name, stay.end_date) for stay in stays] == [
        ("Wisbech House", today),
        ("Chatteris Court", None),
    ]


SCRIPT = '<img src=x onerror="alert(1);window.ran=(window.ran||0)+1">'


def test_hostile_names_on_the_failure_map_are_text_and_run_nothing(page_as, live_server):
    district = LocalityFactory(
        code="E07000010", name="Fenland", kind=LocalityKind.DISTRICT, boundary=square(-0.1, 52.45, 0.3)
    )
    provider = ProviderFactory(name=f"Failing {SCRIPT}")
    beds(home(provider, 0, name=f"Home {SCRIPT}", district=district), 1, care_type="nursing", placed=1)
    beds(
        home(
            ProviderFactory(name=f"Other <b>Care</b> {SCRIPT}"),
            1,
            name=f"Near '><svg onload=alert(2)> {SCRIPT}",
            district=district,
        ),
        1,
        care_type="nursing",
    )
    page = page_as(Role.BROKER)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server.url}/providers/{provider.pk}/failure/")
    map_drawn(page)
    seen = []
    box = page.locator(f"{MAP} .app-map__canvas").bounding_box()
    for i in range(1, 10):
        for j in range(1, 8):
            x, y = box["x"] + box["width"] * i / 10, box["y"] + box["height"] * j / 8
            page.mouse.move(x, y)
            page.mouse.click(x, y)
            seen += [element.inner_text() for element in page.query_selector_all(".leaflet-tooltip, .leaflet-popup")]
    page.locator(".app-map__pin--failing").first.click()
    seen += [element.inner_text() for element in page.query_selector_all(".leaflet-popup")]

    text = "\n".join(seen)
    assert f"Home {SCRIPT}" in text  # the failing home's popup, its name as text
    assert dialogs == [] and page.evaluate("window.ran || 0") == 0
