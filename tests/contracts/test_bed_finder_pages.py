"""The bed finder's pages for brokers: search, hold, place, and the broker's holds."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from accounts.roles import Role
from contracts.models import Hold, HoldStatus, Placement
from contracts.services import hold_place
from tests.contracts.factories import make_line, place
from tests.factories import LocalityFactory, PostcodeFactory, RatingFactory, UserFactory

pytestmark = pytest.mark.django_db
ON = date.today() + timedelta(days=7)
HERE = (52.3990, 0.2620)  # CB6 1AA, PostcodeFactory's default


def signed_in(*roles) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


def home(dlat, *, beds=2, rating="Good", name=None, **fields):
    extra = {"name": name} if name else {}
    line = make_line(
        beds=beds,
        care_type="nursing_dementia",
        weekly_rate=Decimal("950.00"),
        latitude=HERE[0] + dlat,
        longitude=HERE[1],
        **extra,
        **fields,
    )
    if rating:
        line.location.current_rating = RatingFactory(
            location=line.location, overall=rating, report_date=date(2025, 6, 1)
        )
        line.location.save()
    return line


@pytest.fixture
def broker():
    PostcodeFactory()
    return signed_in(Role.BROKER)


def search(client, **params):
    query = {"care_type": "nursing_dementia", "postcode": "CB6 1AA", "radius_km": "20", "from": str(ON), **params}
    return client.get("/beds/", {name: value for name, value in query.items() if value is not None})


def test_results_are_nearest_first_with_rating_freshness_and_restrictions_marked(broker):
    far = home(0.15, name="Far Fields")
    near = home(0.01, name="Near House")
    home(0.05, name="Poor Place", rating="Inadequate")
    page = search(broker).content.decode()
    assert page.index("Near House") < page.index("Far Fields")
    assert "Poor Place" not in page  # restricted homes only when asked for
    assert "govuk-tag--green" in page and "Good" in page
    assert "Vacancies not reported" in page  # no vacancy report from either home
    assert f'href="/beds/lines/{near.pk}/hold/?from={ON:%Y-%m-%d}"' in page
    assert f"/beds/lines/{far.pk}/hold/" in page
    assert "{#" not in page and "{% comment" not in page  # template comments never reach the page
    marked = search(broker, include_restricted="true").content.decode()
    assert "Poor Place" in marked and "govuk-tag--red" in marked


def test_the_results_count_homes_and_list_each_home_s_bed_lines_under_it(broker):
    two_lines = home(0.01, name="Near House")
    second = make_line(location=two_lines.location, care_type="nursing_dementia", weekly_rate=Decimal("985.38"), beds=1)
    home(0.02, name="Quiet Lodge", postcode="", rating=None)
    page = search(broker).content.decode()
    assert "2 homes with a free nursing dementia bed" in page
    assert page.count("data-home=") == 2 and page.count("data-bed-line=") == 3
    assert f'href="/homes/{two_lines.location_id}/"' in page
    assert f"/beds/lines/{two_lines.pk}/hold/" in page and f"/beds/lines/{second.pk}/hold/" in page
    assert "£950.00 a week" in page and "£985.38 a week" in page
    # A home without a postcode: its provider and district, without an empty piece between them.
    assert "·  ·" not in page and "· ·" not in page and "· </span>" not in page


def test_an_empty_search_and_a_day_in_the_past_are_errors_not_silence(broker):
    empty = broker.get("/beds/", {"care_type": "", "postcode": "", "radius_km": "", "district": "", "from": ""})
    html = empty.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_care_type">Choose a care type</a>' in html
    assert "Enter the person&#x27;s postcode or choose a district" in html
    yesterday = date.today() - timedelta(days=1)
    past = search(broker, **{"from": str(yesterday)}).content.decode()
    assert "The day the bed is free must be today or in the future" in past
    assert "with a free" not in past


def test_a_district_search_takes_every_home_in_it():
    PostcodeFactory()
    district = LocalityFactory(code="E07000009", name="East Cambridgeshire")
    home(0.5, name="Distant Hall", district=district)
    page = search(signed_in(Role.BROKER), postcode=None, radius_km=None, district="E07000009").content.decode()
    assert "Distant Hall" in page
    assert "in East Cambridgeshire" in page


def test_bad_searches_show_the_api_s_own_messages_on_their_fields(broker):
    both = search(broker, district="").content.decode()
    assert "There is a problem" not in both
    neither = search(broker, postcode="").content.decode()
    assert "Enter the person&#x27;s postcode or choose a district" in neither
    assert '<a href="#id_postcode">' in neither
    far = search(broker, radius_km="500").content.decode()
    assert "radius_km must be more than 0 and at most 100." in far
    assert '<a href="#id_radius_km">' in far
    unknown = search(broker, postcode="ZZ9 9ZZ").content.decode()
    assert "govuk-form-group--error" in unknown and '<a href="#id_postcode">' in unknown
    no_care_type = search(broker, care_type="").content.decode()
    assert '<a href="#id_care_type">Choose a care type</a>' in no_care_type


def test_hold_then_place_and_the_bed_is_gone_from_the_next_search(broker):
    line = home(0.01, beds=1, name="Only Bed House")
    held = broker.post(
        f"/beds/lines/{line.pk}/hold/", {"reference": "BRK-2026-0042", "start_date": str(ON)}, follow=True
    )
    assert "is held for BRK-2026-0042" in held.content.decode()
    hold = Hold.objects.get(bed_line=line)
    assert "Only Bed House" not in search(broker).content.decode()
    holds_page = broker.get("/beds/holds/").content.decode()
    assert "BRK-2026-0042" in holds_page and f"/beds/holds/{hold.pk}/place/" in holds_page
    placed = broker.post(f"/beds/holds/{hold.pk}/place/", {"kind": "block"}, follow=True)
    assert "BRK-2026-0042 is placed at Only Bed House" in placed.content.decode()
    assert Placement.objects.get(reference="BRK-2026-0042").bed_line == line
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.CONVERTED


def test_a_reference_that_looks_like_personal_data_is_refused_on_its_field(broker):
    line = home(0.01)
    page = broker.post(f"/beds/lines/{line.pk}/hold/", {"reference": "4857773456", "start_date": str(ON)})
    html = page.content.decode()
    assert page.status_code == 200
    assert "The reference looks like an NHS number." in html
    assert '<a href="#id_reference">' in html
    assert not Hold.objects.exists()


def test_a_broker_who_lost_the_race_for_the_last_bed_is_told_so(broker):
    line = home(0.01, beds=1)
    hold_place(bed_line=line, reference="BRK-2026-0001", start_date=ON, by=UserFactory(roles=[Role.BROKER]))
    page = broker.post(f"/beds/lines/{line.pk}/hold/", {"reference": "BRK-2026-0002", "start_date": str(ON)})
    html = page.content.decode()
    assert "There is a problem" in html
    assert "someone may have just taken the last one" in html
    assert Hold.objects.filter(bed_line=line).count() == 1


def test_another_broker_s_hold_is_a_404_and_releasing_gives_the_bed_back(broker):
    line = home(0.01, beds=1, name="Only Bed House")
    others = hold_place(bed_line=line, reference="BRK-2026-0001", start_date=ON, by=UserFactory(roles=[Role.BROKER]))
    assert broker.get(f"/beds/holds/{others.pk}/place/").status_code == 404
    assert broker.post(f"/beds/holds/{others.pk}/release/").status_code == 404
    Hold.objects.filter(pk=others.pk).update(status=HoldStatus.RELEASED)
    mine = broker.post(f"/beds/lines/{line.pk}/hold/", {"reference": "BRK-2026-0003", "start_date": str(ON)})
    assert mine.status_code == 302
    hold = Hold.objects.get(reference="BRK-2026-0003")
    released = broker.post(f"/beds/holds/{hold.pk}/release/", follow=True)
    assert "is released" in released.content.decode()
    assert "Only Bed House" in search(broker).content.decode()


@pytest.mark.parametrize("role", [Role.PROVIDER_USER, Role.ADMINISTRATOR])
def test_roles_that_do_not_find_beds_are_refused_the_bed_finder(role):
    assert signed_in(role).get("/beds/").status_code == 403


@pytest.mark.parametrize("role", [Role.PROVIDER_USER, Role.COMMISSIONER, Role.CONTRACT_OFFICER])
def test_only_brokers_hold_and_place(role):
    line = home(0.01)
    client = signed_in(role)
    assert client.get(f"/beds/lines/{line.pk}/hold/").status_code == 403
    assert client.post(f"/beds/lines/{line.pk}/hold/", {"reference": "BRK-2026-0042"}).status_code == 403
    assert client.get("/beds/holds/").status_code == 403
    assert not Hold.objects.exists()


def test_signed_out_people_are_sent_to_sign_in_and_back():
    answer = Client().get("/beds/?care_type=nursing")
    assert answer.status_code == 302
    assert answer["Location"] == "/sign-in/?next=/beds/%3Fcare_type%3Dnursing"


def test_a_broker_s_home_page_is_the_bed_finder_and_the_navigation_shows_their_pages(broker):
    answer = broker.get("/", follow=True)
    assert answer.redirect_chain[-1][0] == "/beds/"
    html = answer.content.decode()
    assert 'href="/beds/holds/"' in html and 'aria-current="page"' in html


def test_the_search_takes_a_fixed_number_of_queries(broker, django_assert_max_num_queries):
    for n in range(2):
        place(home(0.01 * (n + 1)), start=ON)
    with django_assert_max_num_queries(12) as few:
        search(broker)
    for n in range(8):
        home(0.02 + 0.01 * n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = search(broker)
    assert page.content.decode().count("Hold a bed<") == 10
