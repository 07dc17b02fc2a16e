"""A person's record for brokers: find them by reference, see their holds and placements, end a placement with why,
move them (both placements or neither) and record a spot placement, which asks why when block beds are free nearby.
Only brokers open these pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from accounts.roles import ALL_ROLES, Role
from contracts.models import Placement
from contracts.selectors.bed_finder import KM_PER_DEGREE
from contracts.services import hold_place, placement_create, placement_end
from tests.contracts.factories import make_line, place
from tests.factories import LocationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 3, 10))]
DAY = date(2026, 3, 10)
LAT, LON = 52.2000, 0.1200


def signed_in(*roles) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


def date_parts(name: str, day: date) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


@pytest.fixture(autouse=True)
def _radius(settings):
    settings.AVOIDABLE_SPOT_RADIUS_KM = 10


@pytest.fixture
def broker():
    return signed_in(Role.BROKER)


@pytest.fixture
def estate():
    """A spot home, and a live nursing block line of two beds 2 km away at £700 a week, one bed taken by BRK-2026-0042
    since 1 February."""
    spot_home = LocationFactory(name="Willow Court", latitude=LAT, longitude=LON)
    block_home = LocationFactory(name="Orchard House", latitude=LAT + 2 / KM_PER_DEGREE, longitude=LON)
    line = make_line(location=block_home, beds=2)
    stay = place(line, start=date(2026, 2, 1), reference="BRK-2026-0042")
    return {"spot_home": spot_home, "line": line, "stay": stay}


def test_only_brokers_open_the_person_pages(estate):
    stay = estate["stay"]
    addresses = [
        "/beds/people/",
        "/beds/people/BRK-2026-0042/",
        f"/beds/placements/{stay.pk}/end/",
        f"/beds/placements/{stay.pk}/move/",
        "/beds/spot/",
    ]
    for role in ALL_ROLES - {Role.BROKER}:
        client = signed_in(role)
        for address in addresses:
            assert client.get(address).status_code == 403, (role, address)
            assert client.post(address, {}).status_code == 403, (role, address)
    broker = signed_in(Role.BROKER)
    assert all(broker.get(address).status_code == 200 for address in addresses)


def test_finding_a_person_opens_their_record_with_current_and_past_placements_and_holds(broker, estate):
    old = place(estate["line"], start=date(2025, 6, 1), end=date(2025, 9, 30), reference="BRK-2026-0042")
    Placement.objects.filter(pk=old.pk).update(end_reason="hospital")
    placement_end(placement=estate["stay"], end_date=DAY + timedelta(days=30))  # a move is planned: a bed is held
    hold_place(bed_line=estate["line"], reference="BRK-2026-0042", start_date=DAY + timedelta(days=30))
    answer = broker.get("/beds/people/", {"reference": "brk-2026-0042"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/beds/people/BRK-2026-0042/"
    page = answer.content.decode()
    current, past = page.split("Past placements")
    assert "Orchard House" in current and "1 February to 9 April 2026" in current
    assert "1 June to 30 September 2025" in past and "Went into hospital" in past
    assert "Held" in past  # the holds table follows the past placements


def test_a_reference_that_looks_like_an_nhs_number_is_refused_on_the_field(broker):
    page = broker.get("/beds/people/", {"reference": "943 476 5919"}).content.decode()
    assert "There is a problem" in page
    assert 'href="#id_reference"' in page
    assert "The reference looks like an NHS number" in page


def test_ending_a_placement_keeps_why_and_frees_the_bed_the_next_day(broker, estate):
    stay = estate["stay"]
    answer = broker.post(f"/beds/placements/{stay.pk}/end/", {**date_parts("end_date", DAY), "reason": "went_home"})
    assert answer.status_code == 302
    page = broker.get("/beds/people/BRK-2026-0042/").content.decode()
    assert "1 February to 10 March 2026" in page and "Ending: went home" in page


def test_ending_a_placement_without_a_reason_says_so_on_the_field_and_in_the_summary(broker, estate):
    page = broker.post(f"/beds/placements/{estate['stay'].pk}/end/", date_parts("end_date", DAY)).content.decode()
    assert page.count("Choose why the placement ended") == 2
    estate["stay"].refresh_from_db()
    assert estate["stay"].end_date is None


def test_a_spot_placement_with_a_block_bed_free_nearby_shows_the_bed_and_needs_a_reason(broker, estate):
    form = {
        "reference": "BRK-2026-0077",
        "location": estate["spot_home"].pk,
        "care_type": "nursing",
        "weekly_cost": "1050.00",
        **date_parts("start_date", DAY),
    }
    page = broker.post("/beds/spot/", form).content.decode()
    assert "There is a problem" in page and 'href="#id_spot_reason"' in page
    assert "Block beds free on the day" in page and "Orchard House" in page and "£700.00" in page
    assert not Placement.objects.filter(reference="BRK-2026-0077").exists()

    answer = broker.post("/beds/spot/", {**form, "spot_reason": "Needs a ground-floor room near the family"})
    assert answer.status_code == 302
    record = broker.get(answer["Location"]).content.decode()
    assert "Willow Court" in record and "Avoidable spot purchase" in record
    assert "Needs a ground-floor room near the family" in record and "£1,050.00" in record


def test_a_spot_placement_with_no_block_bed_free_nearby_goes_ahead_without_a_reason(broker, estate):
    place(estate["line"], start=date(2026, 2, 1))  # the second block bed is taken too
    form = {
        "reference": "BRK-2026-0078",
        "location": estate["spot_home"].pk,
        "care_type": "nursing",
        "weekly_cost": "1050.00",
        **date_parts("start_date", DAY),
    }
    assert broker.post("/beds/spot/", form).status_code == 302
    assert Placement.objects.get(reference="BRK-2026-0078").block_rate_passed_over is None


def test_moving_a_person_to_a_free_block_bed_ends_one_placement_and_starts_the_next(broker, estate):
    first = placement_create(
        reference="BRK-2026-0050",
        kind="spot",
        location=estate["spot_home"],
        care_type="nursing",
        weekly_cost=Decimal("1000.00"),
        start_date=DAY - timedelta(days=5),
        spot_reason="Discharged at night; no block bed could take them",
    )
    page = broker.get(f"/beds/placements/{first.pk}/move/").content.decode()
    assert "Orchard House: block bed, 1 free" in page
    answer = broker.post(
        f"/beds/placements/{first.pk}/move/", {**date_parts("on", DAY), "destination": str(estate["line"].pk)}
    )
    assert answer.status_code == 302
    first.refresh_from_db()
    assert (first.end_date, first.end_reason) == (DAY, "moved")
    assert Placement.objects.get(reference="BRK-2026-0050", bed_line=estate["line"]).start_date == DAY


def test_a_move_to_a_spot_bed_while_block_beds_are_free_changes_nothing_until_a_reason_is_given(broker, estate):
    stay = estate["stay"]
    form = {
        **date_parts("on", DAY),
        "destination": "spot",
        "location": estate["spot_home"].pk,
        "care_type": "nursing",
        "weekly_cost": "1200.00",
    }
    page = broker.post(f"/beds/placements/{stay.pk}/move/", form).content.decode()
    assert "Block beds free on the day" in page and 'href="#id_spot_reason"' in page
    stay.refresh_from_db()
    assert stay.end_date is None
