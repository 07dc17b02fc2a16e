"""The broker's and the provider's journeys in a real browser, with every page checked against axe-core's WCAG 2.2
AA rules and saved as a screenshot under var/screenshots/."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from contracts.models import Hold, HoldStatus, Placement
from tests.contracts.factories import make_line
from tests.factories import LocationFactory, PostcodeFactory, ProviderFactory, RatingFactory
from tests.market.mobilisation_factories import award_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ON = date.today() + timedelta(days=7)
HERE = (52.3990, 0.2620)  # CB6 1AA, PostcodeFactory's default


def last_bed(name: str = "Only Bed House"):
    PostcodeFactory()
    line = make_line(
        beds=1,
        care_type="nursing_dementia",
        weekly_rate=Decimal("950.00"),
        latitude=HERE[0] + 0.01,
        longitude=HERE[1],
        name=name,
    )
    line.location.current_rating = RatingFactory(location=line.location, overall="Good", report_date=date(2025, 6, 1))
    line.location.save()
    return line


def search(page) -> None:
    page.goto("/beds/")
    page.get_by_label("Care type").select_option("nursing_dementia")
    page.get_by_label("Postcode").fill("CB6 1AA")
    page.get_by_label("Free on").fill(ON.isoformat())
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_the_broker_searches_holds_and_places_and_the_bed_is_gone_from_the_next_search(page_as, checked):
    last_bed()
    broker = page_as(Role.BROKER)
    assert broker.url.endswith("/beds/")  # a broker's start page
    checked(broker, "bed-finder")

    search(broker)
    assert broker.locator("tbody tr").filter(has_text="Only Bed House").count() == 1
    assert broker.get_by_text("Good", exact=True).count() == 1
    checked(broker, "bed-finder-results")

    broker.get_by_role("link", name=re.compile("Hold a bed")).click()
    broker.get_by_label("The person's reference").fill("4857773456")  # looks like an NHS number
    broker.get_by_role("button", name="Hold the bed").click()
    assert broker.get_by_role("alert").get_by_text("There is a problem").count() == 1
    assert "looks like an NHS number" in broker.locator(".govuk-error-message").inner_text()
    checked(broker, "hold-refused-reference")

    broker.get_by_label("The person's reference").fill("BRK-2026-0042")
    broker.get_by_role("button", name="Hold the bed").click()
    assert broker.url.endswith("/beds/holds/")
    assert "is held for BRK-2026-0042" in broker.locator(".govuk-notification-banner").inner_text()
    checked(broker, "holds")

    broker.get_by_role("link", name=re.compile("Place")).click()
    checked(broker, "hold-place")
    broker.get_by_role("button", name="Place BRK-2026-0042").click()
    assert "BRK-2026-0042 is placed at Only Bed House" in broker.locator(".govuk-notification-banner").inner_text()
    assert Placement.objects.filter(reference="BRK-2026-0042").exists()

    search(broker)
    assert broker.get_by_text("Only Bed House").count() == 0
    assert broker.get_by_text("0 homes with a free nursing dementia bed").count() == 1


def test_a_second_broker_racing_for_the_last_bed_is_told_it_has_just_gone(page_as, checked):
    last_bed()
    first, second = page_as(Role.BROKER), page_as(Role.BROKER)
    for page in (first, second):  # both see the bed free and open its hold form
        search(page)
        page.get_by_role("link", name=re.compile("Hold a bed")).click()
    first.get_by_label("The person's reference").fill("BRK-2026-0001")
    second.get_by_label("The person's reference").fill("BRK-2026-0002")
    first.get_by_role("button", name="Hold the bed").click()
    second.get_by_role("button", name="Hold the bed").click()
    assert first.url.endswith("/beds/holds/")
    summary = second.locator(".govuk-error-summary").inner_text()
    assert "someone may have just taken the last one" in summary
    checked(second, "hold-lost-race")
    assert list(Hold.objects.values_list("reference", "status")) == [("BRK-2026-0001", HoldStatus.HELD)]


def test_the_provider_signs_in_reports_a_vacancy_and_cannot_open_another_provider_s_home(page_as, checked):
    provider = ProviderFactory(name="Willow Care Ltd")
    home = LocationFactory(provider=provider, care_home=True, name="Willow House", registered_beds=30)
    other = LocationFactory(provider=ProviderFactory(), care_home=True, name="Elsewhere Hall")
    page = page_as(Role.PROVIDER_USER, provider=provider)
    assert page.url.endswith("/portal/")
    checked(page, "portal-homes")

    page.get_by_role("link", name="Willow House").click()
    assert page.get_by_role("heading", name="Willow House").count() == 1
    checked(page, "portal-home")

    page.get_by_role("link", name="Report vacancies").click()
    page.get_by_label("Home").select_option(label="Willow House")
    page.get_by_label("Care type").select_option("residential")
    page.get_by_label("Vacant beds").fill("31")
    page.get_by_role("button", name="Report vacancies").click()
    assert "The home has only 30 registered beds." in page.locator(".govuk-error-summary").inner_text()
    checked(page, "portal-vacancies-refused")
    page.get_by_label("Vacant beds").fill("2")
    page.get_by_role("button", name="Report vacancies").click()
    assert (
        "2 vacant residential beds reported for Willow House" in page.locator(".govuk-notification-banner").inner_text()
    )
    checked(page, "portal-vacancies")

    page.set_input_files(
        "#id_upload-file",
        files=[{"name": "v.csv", "mimeType": "text/csv", "buffer": b"location,date\nnone,2026-01-01\n"}],
    )
    page.get_by_role("button", name="Upload the file", exact=True).click()
    expect(page.locator("#upload-problems")).to_have_count(1)  # waits for the answer to the upload
    checked(page, "portal-vacancies-upload-problems")

    answer = page.goto(f"/portal/homes/{other.pk}/")
    assert answer.status == 404
    assert page.get_by_role("heading", name="Page not found").count() == 1
    assert page.get_by_text("Elsewhere Hall").count() == 0
    checked(page, "not-found")
    assert home.pk != other.pk


def test_the_provider_s_mobilisation_page_and_the_staff_403_page(page_as, checked):
    from market.services.mobilisation import milestone_create, plan_create
    from tests.factories import UserFactory

    provider = ProviderFactory()
    staff = UserFactory(roles=[Role.CONTRACT_OFFICER])
    today = date.today()
    plan = plan_create(
        award=award_for(
            provider=provider, awarded_on=today - timedelta(days=30), go_live_on=today + timedelta(days=60)
        ),
        by=staff,
    )
    milestone_create(
        plan=plan, kind="tupe_consultation", title="TUPE consultation", due_on=today - timedelta(days=1), by=staff
    )
    page = page_as(Role.PROVIDER_USER, provider=provider)
    page.get_by_role("link", name="Your mobilisation").click()
    assert page.get_by_role("cell", name="TUPE consultation", exact=True).count() == 1
    checked(page, "portal-mobilisation")

    broker = page_as(Role.BROKER)
    answer = broker.goto("/portal/")
    assert answer.status == 403
    assert broker.get_by_role("heading", name="You cannot use this page").count() == 1
    checked(broker, "forbidden")


def test_the_sign_in_page_with_its_errors(open_page, checked):
    page = open_page()
    page.goto("/sign-in/")
    checked(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("link", name="Enter your user name").count() == 1
    checked(page, "sign-in-errors")
